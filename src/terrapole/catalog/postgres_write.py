"""Writing records into the PostgreSQL catalog, set-based in the style of pgstac.

A batch of items is copied (COPY) into a temporary table and merged into `items` with one
`INSERT ... SELECT ... ON CONFLICT (collection, id) DO UPDATE`, so an upsert is idempotent and
a row keeps its row id (and its place in keyset paging) when it is replaced. Text vectors are
built in the same statement from the title and body the store hands over.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg
import shapely

from terrapole.catalog import postgres_changes
from terrapole.catalog.base import CORE_ITEM_QUERYABLES
from terrapole.catalog.postgres_vocab import write_collection_concepts, write_item_concepts
from terrapole.catalog.records import (
    COLLECTION_HEAD,
    FACET_COLUMNS,
    collection_facets,
    collection_from_json,
    collection_head,
    collection_parent,
    collection_text,
    collection_to_json,
    item_content,
    item_from_row,
    item_properties,
    item_text,
    property_types,
)
from terrapole.core.errors import CollectionNotFound
from terrapole.core.facets import item_concepts, item_strings
from terrapole.core.model import Collection, Item
from terrapole.core.vocab import Vocabulary

# Title words weigh A, everything else B (ts_rank weighs A 1.0 and B 0.4).
FTS = (
    "setweight(to_tsvector('simple', unaccent(coalesce({title}, ''))), 'A') || "
    "setweight(to_tsvector('simple', unaccent(coalesce({body}, ''))), 'B')"
)
FTS_PARAMS = FTS.format(title="%s", body="%s")
# Collections add their French and English text under the stemming configurations.
COLLECTION_FTS = " || ".join(
    (
        FTS_PARAMS,
        "setweight(to_tsvector('tp_fr', %s), 'A') || setweight(to_tsvector('tp_fr', %s), 'B')",
        "setweight(to_tsvector('tp_en', %s), 'A') || setweight(to_tsvector('tp_en', %s), 'B')",
    )
)
# Typed columns holding a copy of a property (kind, column): filters and sorts read them and
# their indexes. A value of another type leaves the column NULL.
PROMOTED_COLUMNS: dict[str, tuple[str, str]] = {
    "platform": ("text", "i.platform"),
    "constellation": ("text", "i.constellation"),
    "gsd": ("number", "i.gsd"),
    "eo:cloud_cover": ("number", "i.cloud_cover"),
}
ITEM_SELECT = (
    "i.collection, i.id, i.minx, i.miny, i.maxx, i.maxy, i.content::text AS content, "
    "i.properties::text AS props, i.has_datetime AS has_dt, tp_micros(i.datetime) AS dt, "
    "tp_micros(i.start_datetime) AS s, tp_micros(i.end_datetime) AS e"
)

COLLECTION_COLUMNS = (*COLLECTION_HEAD, "start_datetime", "end_datetime", "content", "parent", *FACET_COLUMNS)
# The only SQL pasted into these statements is constants: column names and FTS.
_COLLECTION_UPSERT = (
    f"INSERT INTO collections ({', '.join(COLLECTION_COLUMNS)}, fts, datestamp) VALUES "  # noqa: S608
    f"({', '.join('%s' for _ in COLLECTION_COLUMNS)}, {COLLECTION_FTS}, %s) ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in (*COLLECTION_COLUMNS[1:], "fts", "datestamp"))
    # A collection written again unchanged keeps its row as it is, datestamp included.
    + " WHERE collections.content::text IS DISTINCT FROM excluded.content::text"
)
_LOAD_COLUMNS = (
    "collection, id, datetime, start_datetime, end_datetime, has_datetime, minx, miny, maxx, maxy, "
    "wkb, platform, constellation, gsd, cloud_cover, properties, content, title, body, concepts, instruments"
)
_LOAD_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS tp_load (collection text, id text, datetime timestamptz, "
    "start_datetime timestamptz, end_datetime timestamptz, has_datetime boolean, minx float8, "
    "miny float8, maxx float8, maxy float8, wkb bytea, platform text, constellation text, gsd float8, "
    "cloud_cover float8, properties text, content text, title text, body text, concepts text, "
    "instruments text) ON COMMIT DELETE ROWS"
)
# The facet sets of a batch first (`postgres_schema.FACET_SETS`): new ones get their number.
_FACET_SETS = (
    "INSERT INTO item_facet_sets (collection, concepts, platform, instruments) "
    "SELECT DISTINCT collection, concepts, platform, instruments FROM tp_load "
    "ORDER BY 1, 2, 3, 4 ON CONFLICT DO NOTHING"
)
_MERGE = (
    "INSERT INTO items (collection, id, datetime, start_datetime, end_datetime, has_datetime, minx, "  # noqa: S608
    "miny, maxx, maxy, geometry, platform, constellation, gsd, cloud_cover, properties, content, fts, "
    "facet_set) "
    "SELECT t.collection, t.id, t.datetime, t.start_datetime, t.end_datetime, t.has_datetime, t.minx, "
    "t.miny, t.maxx, t.maxy, ST_GeomFromWKB(t.wkb, 4326), t.platform, t.constellation, t.gsd, "
    f"t.cloud_cover, t.properties::jsonb, t.content::json, {FTS.format(title='t.title', body='t.body')}, "
    "s.id FROM tp_load AS t JOIN item_facet_sets AS s ON s.collection = t.collection "
    "AND s.concepts = t.concepts AND s.instruments = t.instruments "
    "AND s.platform IS NOT DISTINCT FROM t.platform "
    # One lock order for every writer: two ingests of the same items cannot deadlock.
    "ORDER BY t.collection, t.id "
    "ON CONFLICT (collection, id) DO UPDATE SET datetime = excluded.datetime, "
    "start_datetime = excluded.start_datetime, end_datetime = excluded.end_datetime, "
    "has_datetime = excluded.has_datetime, minx = excluded.minx, miny = excluded.miny, "
    "maxx = excluded.maxx, maxy = excluded.maxy, geometry = excluded.geometry, "
    "platform = excluded.platform, constellation = excluded.constellation, gsd = excluded.gsd, "
    "cloud_cover = excluded.cloud_cover, properties = excluded.properties, "
    "content = excluded.content, fts = excluded.fts, facet_set = excluded.facet_set"
)
# Keep the largest distances between an item's sort instant and its start and end (in
# microseconds): a datetime filter turns them into a range on the indexed sort instant.
_SPANS = (
    "INSERT INTO meta (key, value) SELECT k, v::text FROM (SELECT "
    "coalesce(max(tp_micros(datetime) - tp_micros(start_datetime)), 0) AS before, "
    "coalesce(max(tp_micros(end_datetime) - tp_micros(datetime)), 0) AS after FROM tp_load) AS t, "
    "LATERAL (VALUES ('span_before', t.before), ('span_after', t.after)) AS s(k, v) "
    "ON CONFLICT (key) DO UPDATE SET value = greatest(meta.value::bigint, excluded.value::bigint)::text"
)


def write_collections(
    conn: psycopg.Connection[Any], collections: Iterable[Collection], vocabulary: Vocabulary
) -> int:
    """Insert or replace collections by id (inside the caller's transaction); the changed ones
    get a new datestamp and lose their tombstone."""
    given = list(collections)
    rows = [_collection_row(c, vocabulary) for c in given]
    if rows:
        stamp = postgres_changes.next_datestamp(conn)
        with conn.cursor() as cur:
            cur.executemany(_COLLECTION_UPSERT, [(*row, stamp) for row in rows])
        postgres_changes.revive(conn, [row[0] for row in rows])
        write_collection_concepts(conn, list({c.id: c for c in given}.values()))
    return len(rows)


@dataclass(frozen=True, slots=True)
class PreparedItems:
    """A batch of items made ready for the database, with no connection involved.

    Preparing (footprints to WKB, records to JSON, text) is Python work; writing is mostly the
    server's. Keeping them apart lets `upsert_items` prepare one batch while the previous one
    is written.
    """

    rows: list[tuple[Any, ...]]
    collections: frozenset[str]
    queryables: list[tuple[str, str, str]]
    # (collection, item id, concept URI) of every concept an item refers to.
    concepts: list[tuple[str, str, str]]


def prepare_items(batch: list[Item], vocabulary: Vocabulary) -> PreparedItems:
    """The rows and queryables of a batch; the last item of a repeated (collection, id) wins."""
    unique = list({(item.collection, item.id): item for item in batch}.values())
    found = property_types(unique, CORE_ITEM_QUERYABLES)
    return PreparedItems(
        rows=list(_item_rows(unique, vocabulary)),
        collections=frozenset(item.collection for item in unique),
        # One lock order for every writer, as in _MERGE.
        queryables=sorted((c, n, k) for (c, n), k in found.items()),
        concepts=[(i.collection, i.id, uri) for i in unique for uri in item_concepts(i)],
    )


def write_items(conn: psycopg.Connection[Any], prepared: PreparedItems) -> int:
    """Insert or replace one prepared batch of items (inside the caller's transaction).

    Raises CollectionNotFound, before writing anything, when an item names an unknown collection.
    """
    _check_collections(conn, set(prepared.collections))
    conn.execute(_LOAD_TABLE)
    with conn.cursor() as cur, cur.copy(f"COPY tp_load ({_LOAD_COLUMNS}) FROM STDIN") as copy:
        for row in prepared.rows:
            copy.write_row(row)
    conn.execute(_FACET_SETS)
    conn.execute(_MERGE)
    write_item_concepts(conn, prepared.concepts)
    fold_facet_counts(conn)
    conn.execute(_SPANS)
    if prepared.queryables:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO queryables VALUES (%s, %s, %s) ON CONFLICT DO NOTHING", prepared.queryables
            )
    return len(prepared.rows)


def rebuild_text(conn: psycopg.Connection[Any], vocabulary: Vocabulary) -> int:
    """Recompute every row's text vector from its stored record; returns the rows indexed."""
    collections = rebuild_collection_text(conn, vocabulary)
    items = conn.execute(f"SELECT i.rid, {ITEM_SELECT} FROM items AS i").fetchall()  # noqa: S608
    updated = _update_item_text(conn, items, vocabulary)
    fold_facet_counts(conn)  # every row updated left a count out and in again
    return collections + updated


def rebuild_collection_text(conn: psycopg.Connection[Any], vocabulary: Vocabulary) -> int:
    """Recompute the collections' text vectors from their stored records; returns how many."""
    rows = conn.execute("SELECT rid, content::text AS content FROM collections").fetchall()
    return _update_collection_text(conn, rows, vocabulary)


def refresh_concept_text(conn: psycopg.Connection[Any], changed: list[str], vocabulary: Vocabulary) -> int:
    """Recompute the text vectors of the records that refer to changed concepts."""
    if not changed:
        return 0
    members = "SELECT u.id FROM vocab_uris AS u WHERE u.uri = ANY(%s::text[])"
    items = conn.execute(
        f"SELECT i.rid, {ITEM_SELECT} FROM items AS i WHERE i.rid IN "  # noqa: S608
        f"(SELECT rid FROM item_concepts WHERE concept IN ({members}))",
        [changed],
    ).fetchall()
    collections = conn.execute(
        "SELECT rid, content::text AS content FROM collections WHERE id IN "  # noqa: S608
        f"(SELECT collection FROM collection_concepts WHERE concept IN ({members}))",
        [changed],
    ).fetchall()
    return _update_item_text(conn, items, vocabulary) + _update_collection_text(conn, collections, vocabulary)


def _update_item_text(conn: psycopg.Connection[Any], rows: list[Any], vocabulary: Vocabulary) -> int:
    docs = [item_text(r["rid"], item_from_row(r), None, None, vocabulary) for r in rows]
    with conn.cursor() as cur:
        cur.executemany(
            f"UPDATE items SET fts = {FTS_PARAMS} WHERE rid = %s",  # noqa: S608
            [(doc.title, doc.body, doc.rid) for doc in docs],
        )
    return len(docs)


def _update_collection_text(conn: psycopg.Connection[Any], rows: list[Any], vocabulary: Vocabulary) -> int:
    updates = [(*collection_fts(collection_from_json(r["content"]), vocabulary), r["rid"]) for r in rows]
    with conn.cursor() as cur:
        cur.executemany(f"UPDATE collections SET fts = {COLLECTION_FTS} WHERE rid = %s", updates)  # noqa: S608
    return len(updates)


def fill_collection_facets(conn: psycopg.Connection[Any]) -> int:
    """Compute the facet columns of collections written before they existed; returns how many."""
    rows = conn.execute("SELECT rid, content::text AS content FROM collections WHERE type IS NULL").fetchall()
    assignments = ", ".join(f"{name} = %s" for name in FACET_COLUMNS)
    updates = [(*collection_facets(collection_from_json(r["content"])).values(), r["rid"]) for r in rows]
    with conn.cursor() as cur:
        cur.executemany(f"UPDATE collections SET {assignments} WHERE rid = %s", updates)  # noqa: S608
    return len(updates)


def collection_fts(collection: Collection, vocabulary: Vocabulary) -> tuple[str, ...]:
    """The arguments of COLLECTION_FTS: title and other words in every language, then in French
    (title, body) and in English (title, body)."""
    doc = collection_text(collection, vocabulary)
    return (doc.title, doc.body, *doc.languages["fr"], *doc.languages["en"])


def _item_rows(items: list[Item], vocabulary: Vocabulary) -> Iterator[tuple[Any, ...]]:
    geoms = shapely.to_wkb(
        shapely.from_geojson(
            [orjson.dumps(item.geometry).decode() if item.geometry else None for item in items]
        )
    )
    for item, wkb in zip(items, geoms, strict=True):
        box: list[float | None] = [*item.bbox.as_list()] if item.bbox else [None] * 4
        if item.bbox is not None and item.bbox.crosses_antimeridian:
            box = [-180.0, item.bbox.south, 180.0, item.bbox.north]
        doc = item_text(0, item, None, None, vocabulary)
        yield (
            item.collection,
            item.id,
            item.sort_datetime,
            item.start or item.datetime,
            item.end or item.datetime,
            item.datetime is not None,
            *box,
            None if wkb is None else bytes(wkb),
            *_promoted(item),
            item_properties(item).decode(),
            item_content(item).decode(),
            doc.title,
            doc.body,
            *facet_set(item),
        )


def facet_set(item: Item) -> tuple[str, str]:
    """The own concepts and the instruments of an item as `item_facet_sets` keeps them: sorted,
    one per line (the collection and platform are columns of their own)."""
    return "\n".join(sorted(item_concepts(item))), "\n".join(sorted(item_strings(item, "instruments")))


def _promoted(item: Item) -> list[Any]:
    """Typed copies of the promoted properties (None when absent or of another type)."""
    values: list[str | float | None] = []
    for name, (kind, _) in PROMOTED_COLUMNS.items():
        value = item.properties.get(name)
        if kind == "text":
            values.append(value if isinstance(value, str) else None)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values.append(float(value))
        else:
            values.append(None)
    return values


def _check_collections(conn: psycopg.Connection[Any], names: set[str]) -> None:
    rows = conn.execute("SELECT id FROM collections WHERE id = ANY(%s::text[])", [sorted(names)]).fetchall()
    missing = sorted(names - {row["id"] for row in rows})
    if missing:
        raise CollectionNotFound(missing[0])


def _collection_row(collection: Collection, vocabulary: Vocabulary) -> tuple[Any, ...]:
    return (
        *collection_head(collection),
        collection.extent.start,
        collection.extent.end,
        collection_to_json(collection).decode(),
        collection_parent(collection),
        *collection_facets(collection).values(),
        *collection_fts(collection, vocabulary),
    )


# An item's facet set, computed in SQL from the stored rows, as `facet_set` does in Python.
_ITEM_FACET_SETS = (
    "SELECT i.rid, i.collection, i.platform, "
    "coalesce((SELECT string_agg(u.uri, E'\\n' ORDER BY u.uri) FROM item_concepts AS ic "
    "JOIN vocab_uris AS u ON u.id = ic.concept WHERE ic.rid = i.rid), '') AS concepts, "
    "coalesce((SELECT string_agg(DISTINCT v #>> '{}', E'\\n' ORDER BY v #>> '{}') "
    """FROM jsonb_path_query(i.properties, '$.instruments[*] ? (@.type() == "string")') AS v), '') """
    "AS instruments FROM items AS i WHERE i.facet_set IS NULL"
)
FOLD_LOCK = 7_412_093_513  # pg_try_advisory_xact_lock key: one fold of the facet counts at a time


def fill_facet_sets(conn: psycopg.Connection[Any]) -> int:
    """Number the facet sets of items written before they existed; returns the items filled."""
    conn.execute(f"CREATE TEMP TABLE tp_facets ON COMMIT DROP AS {_ITEM_FACET_SETS}")
    conn.execute(_FACET_SETS.replace("tp_load", "tp_facets"))
    filled = conn.execute(
        "UPDATE items AS i SET facet_set = s.id FROM tp_facets AS t JOIN item_facet_sets AS s "
        "ON s.collection = t.collection AND s.concepts = t.concepts AND s.instruments = t.instruments "
        "AND s.platform IS NOT DISTINCT FROM t.platform WHERE i.rid = t.rid"
    ).rowcount
    conn.execute("DROP TABLE tp_facets")
    return filled


def count_facet_sets(conn: psycopg.Connection[Any]) -> None:
    """Count the items of every (facet set, year) again, from the items themselves."""
    conn.execute("TRUNCATE item_facet_counts")
    conn.execute("INSERT INTO item_facet_counts SELECT facet_set, year, count(*) FROM items GROUP BY 1, 2")


def fold_facet_counts(conn: psycopg.Connection[Any]) -> bool:
    """Sum the deltas the item triggers appended to `item_facet_counts` into one row per
    (facet set, year), unless another transaction is doing it; returns whether it did."""
    row = conn.execute("SELECT pg_try_advisory_xact_lock(%s) AS locked", [FOLD_LOCK]).fetchone()
    if not row or not (row["locked"] if isinstance(row, dict) else row[0]):
        return False
    # Rows other writers append meanwhile are not visible to the DELETE: they stay, unfolded.
    conn.execute(
        "WITH gone AS (DELETE FROM item_facet_counts RETURNING facet_set, year, n) "
        "INSERT INTO item_facet_counts SELECT facet_set, year, sum(n) FROM gone GROUP BY 1, 2 "
        "HAVING sum(n) <> 0"
    )
    return True
