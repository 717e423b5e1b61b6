"""Writing items and collections into the SQLite catalog: rows, identities, spans, queryables."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

import orjson
import shapely

from terrapole.catalog.base import CORE_ITEM_QUERYABLES
from terrapole.catalog.records import (
    COLLECTION_HEAD,
    FACET_COLUMNS,
    FACET_TIMES,
    CollectionFacets,
    collection_facets,
    collection_from_json,
    collection_head,
    collection_parent,
    collection_to_json,
    item_content,
    item_properties,
    promoted_values,
    property_types,
)
from terrapole.core.errors import CollectionNotFound
from terrapole.core.model import Collection, Item
from terrapole.core.timeutil import to_micros

ITEM_INSERT = (
    "INSERT INTO items (rid, collection, id, dt, s, e, has_dt, minx, miny, maxx, maxy, geom, seq, "
    "platform, constellation, gsd, cloud_cover, props, content) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
ITEM_UPDATE = (
    "UPDATE items SET dt=?2, s=?3, e=?4, has_dt=?5, minx=?6, miny=?7, maxx=?8, maxy=?9, geom=?10,"
    " seq=?11, platform=?12, constellation=?13, gsd=?14, cloud_cover=?15, props=?16, content=?17"
    " WHERE rid=?1"
)


Times = tuple[int | None, int | None, int | None]


def item_rows(
    items: list[Item], times: list[Times], existing: Mapping[tuple[str, str], int], next_rid: int, seq: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[int]]:
    geoms = shapely.to_wkb(
        shapely.from_geojson(
            [orjson.dumps(item.geometry).decode() if item.geometry else None for item in items]
        )
    )
    inserts, updates, rids = [], [], []
    for item, wkb, (dt, s, e) in zip(items, geoms, times, strict=True):
        box = item.bbox.as_list() if item.bbox else [None] * 4
        if item.bbox is not None and item.bbox.crosses_antimeridian:
            box = [-180.0, item.bbox.south, 180.0, item.bbox.north]
        values = (
            dt,
            s,
            e,
            int(item.datetime is not None),
            *box,
            wkb,
            seq,
            *promoted_values(item),
            item_properties(item),
            item_content(item),
        )
        rid = existing.get((item.collection, item.id))
        if rid is None:
            rid = next_rid
            inserts.append((rid, item.collection, item.id, *values))
            next_rid += 1
        else:
            updates.append((rid, *values))
        rids.append(rid)
    return inserts, updates, rids


def existing_rids(conn: sqlite3.Connection, items: list[Item]) -> dict[tuple[str, str], int]:
    keys = orjson.dumps([[item.collection, item.id] for item in items]).decode()
    rows = conn.execute(
        "SELECT i.collection, i.id, i.rid FROM json_each(?) AS k JOIN items AS i "
        "ON i.collection = k.value ->> 0 AND i.id = k.value ->> 1",
        [keys],
    )
    return {(c, i): rid for c, i, rid in rows}


def check_collections(conn: sqlite3.Connection, names: set[str]) -> None:
    marks = ", ".join("?" for _ in names)
    found = {row[0] for row in conn.execute(f"SELECT id FROM collections WHERE id IN ({marks})", list(names))}  # noqa: S608
    missing = sorted(names - found)
    if missing:
        raise CollectionNotFound(missing[0])


def record_spans(conn: sqlite3.Connection, times: list[Times]) -> None:
    """Keep the largest distances between an item's sort instant and its start and end."""
    before = after = 0
    for dt, s, e in times:
        if dt is not None:
            before = max(before, dt - (s if s is not None else dt))
            after = max(after, (e if e is not None else dt) - dt)
    for key, value in (("span_before", before), ("span_after", after)):
        conn.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
            "CAST(max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)",
            [key, str(value)],
        )


def record_queryables(conn: sqlite3.Connection, items: list[Item]) -> None:
    """Remember the JSON type of every property name the items carry (their queryables)."""
    found = property_types(items, CORE_ITEM_QUERYABLES)
    conn.executemany(
        "INSERT OR IGNORE INTO queryables VALUES (?, ?, ?)", [(c, n, k) for (c, n), k in found.items()]
    )


COLLECTION_COLUMNS = (*COLLECTION_HEAD, "s", "e", "seq", "content", "parent", *FACET_COLUMNS, "datestamp")
# Column names are the constants above, never input.
COLLECTION_UPSERT = (
    f"INSERT INTO collections ({', '.join(COLLECTION_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in COLLECTION_COLUMNS)}) ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{name}=excluded.{name}" for name in COLLECTION_COLUMNS[1:])
    # A collection written again unchanged keeps its row as it is, datestamp included.
    + " WHERE collections.content IS NOT excluded.content"
)


def collection_row(collection: Collection, seq: int) -> tuple[Any, ...]:
    """The values of `COLLECTION_COLUMNS` but the last for a collection written by change number
    `seq` (the write adds the datestamp)."""
    start, end = collection.extent.start, collection.extent.end
    return (
        *collection_head(collection),
        to_micros(start) if start else None,
        to_micros(end) if end else None,
        seq,
        collection_to_json(collection),
        collection_parent(collection),
        *_facet_values(collection_facets(collection)),
    )


def fill_collection_facets(conn: sqlite3.Connection) -> int:
    """Compute the facet columns of collections written before they existed; returns how many."""
    rows = conn.execute("SELECT rid, content FROM collections WHERE type IS NULL").fetchall()
    assignments = ", ".join(f"{name} = ?" for name in FACET_COLUMNS)
    conn.executemany(
        f"UPDATE collections SET {assignments} WHERE rid = ?",  # noqa: S608 - constant names
        [(*_facet_values(collection_facets(collection_from_json(r[1]))), r[0]) for r in rows],
    )
    return len(rows)


def _facet_values(facets: CollectionFacets) -> list[Any]:
    return [
        to_micros(value) if name in FACET_TIMES and value is not None else value
        for name, value in zip(FACET_COLUMNS, facets.values(), strict=True)
    ]
