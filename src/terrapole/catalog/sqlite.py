"""The embedded catalog: one SQLite file (WAL, R*Tree) plus a derived tantivy text index.

Writes go through one connection under a lock, in large transactions; reads use a small pool
of connections so that server threads never share one. The text index lags the database by
at most one ingest call and catches up from a change sequence when reopened.
"""

from __future__ import annotations

import functools
import queue
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
import shapely

from terrapole.catalog import sqlite_text
from terrapole.catalog.base import CORE_ITEM_QUERYABLES
from terrapole.catalog.records import (
    PROMOTED,
    collection_from_json,
    collection_to_json,
    item_content,
    item_from_row,
    item_properties,
    item_times,
    promoted_values,
)
from terrapole.catalog.sql_filter import Column, Fragment
from terrapole.catalog.sqlite_schema import DDL, DEFERRABLE, DROP_DEFERRABLE, SCHEMA_VERSION
from terrapole.catalog.sqlite_search import Searcher, TableSpec, json_property
from terrapole.catalog.textindex import TextDoc
from terrapole.core.errors import CollectionNotFound, ItemNotFound, StorageError, UnknownQueryable
from terrapole.core.model import Collection, Item
from terrapole.core.query import Page, Query
from terrapole.core.timeutil import to_micros
from terrapole.settings import Settings

READ_POOL_SIZE = 4
# After this many batches in one call, an ingest switches to bulk mode (see `_begin_bulk`).
BULK_AFTER_BATCHES = 5
ITEM_SELECT = (
    "i.collection, i.id, i.minx, i.miny, i.maxx, i.maxy, i.content, i.props, i.has_dt, i.dt, i.s, i.e"
)
COLLECTION_SELECT = "c.content"


class SQLiteCatalog:
    """A `CatalogStore` in one SQLite database file."""

    def __init__(
        self,
        path: Path,
        text_dir: Path,
        *,
        writable: bool = True,
        cache_mb: int = 64,
        count_limit: int = 100_000,
        count_budget_ms: float = 1000.0,
    ) -> None:
        self.path = path
        self.cache_mb = cache_mb
        self.count_limit = count_limit
        self.count_budget_ms = count_budget_ms
        self.writable = writable
        path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.Lock()
        self._pool: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._opened: list[sqlite3.Connection] = []
        self._writer = self._connect()
        self._migrate()
        self.text = sqlite_text.TextIndexes(text_dir, writable)
        if writable:
            with self._write_lock:
                sqlite_text.catch_up(self._writer, self.text)

    @classmethod
    def open(cls, settings: Settings, *, writable: bool = True) -> SQLiteCatalog:
        """Open (and create or migrate) the catalog in the settings' data directory."""
        return cls(
            settings.catalog_path,
            settings.text_index_path,
            writable=writable,
            cache_mb=settings.sqlite_cache_mb,
            count_limit=settings.count_limit,
            count_budget_ms=settings.count_budget_ms,
        )

    # -- connections ---------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open catalog database {self.path}: {exc}") from exc
        conn.row_factory = sqlite3.Row
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "temp_store=MEMORY",
            "case_sensitive_like=ON",
            f"cache_size=-{self.cache_mb * 1024}",
        ):
            conn.execute(f"PRAGMA {pragma}")
        conn.create_function("tp_spatial", 3, _spatial_relation, deterministic=True)
        conn.create_function("tp_box", 4, _box_wkb, deterministic=True)
        self._opened.append(conn)
        return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            conn = self._connect() if len(self._opened) <= READ_POOL_SIZE else self._pool.get()
        try:
            yield conn
        finally:
            self._pool.put(conn)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if not self.writable:
            raise StorageError("catalog opened read-only")
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _migrate(self) -> None:
        conn = self._writer
        row = conn.execute("SELECT name FROM sqlite_master WHERE name = 'meta'").fetchone()
        version = 0
        if row:
            found = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(found[0]) if found else 0
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"catalog schema version {version} is newer than this terrapole "
                f"({SCHEMA_VERSION}); upgrade terrapole"
            )
        if version < SCHEMA_VERSION:
            if not self.writable:
                raise StorageError("catalog schema is behind; open it writable once to upgrade")
            conn.executescript(DDL)
            for statement in DEFERRABLE:
                conn.execute(statement)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        elif self.writable:
            self._end_bulk()  # repairs a bulk load that stopped before its end

    def close(self) -> None:
        """Close every connection (optimising the query planner statistics first)."""
        if self.writable:
            with self._write_lock:
                self._writer.execute("PRAGMA optimize")
        for conn in self._opened:
            conn.close()
        self._opened.clear()

    # -- collections ---------------------------------------------------------------------
    def upsert_collections(self, collections: Iterable[Collection]) -> int:
        """Insert or replace collections by id."""
        rows = [_collection_row(c) for c in collections]
        if not rows:
            return 0
        with self._transaction() as conn:
            seq = sqlite_text.next_seq(conn, "collections")
            conn.executemany(
                "INSERT INTO collections (id, pole, title, description, license, minx, miny, maxx, maxy,"
                " s, e, seq, content) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET "
                "pole=excluded.pole, title=excluded.title, description=excluded.description, "
                "license=excluded.license, "
                "minx=excluded.minx, miny=excluded.miny, maxx=excluded.maxx, maxy=excluded.maxy, "
                "s=excluded.s, e=excluded.e, seq=excluded.seq, content=excluded.content",
                [(*row[:11], seq, row[11]) for row in rows],
            )
        self._sync_text()
        return len(rows)

    def get_collection(self, collection_id: str) -> Collection:
        """The collection with this id."""
        with self._read() as conn:
            row = conn.execute("SELECT content FROM collections WHERE id = ?", [collection_id]).fetchone()
        if row is None:
            raise CollectionNotFound(collection_id)
        return collection_from_json(row[0])

    def delete_collection(self, collection_id: str) -> None:
        """Delete a collection and its items."""
        with self._transaction() as conn:
            deleted = conn.execute("DELETE FROM collections WHERE id = ?", [collection_id]).rowcount
            if not deleted:
                raise CollectionNotFound(collection_id)
            conn.execute("DELETE FROM items WHERE collection = ?", [collection_id])
            conn.execute("DELETE FROM queryables WHERE collection = ?", [collection_id])
        self._sync_text()

    def collection_count(self) -> int:
        """How many collections the catalog holds."""
        with self._read() as conn:
            return int(conn.execute("SELECT count(*) FROM collections").fetchone()[0])

    def search_collections(self, query: Query) -> Page[Collection]:
        """Collections matching the query."""
        searcher = Searcher(_collection_spec(), self.text.collections, self.count_limit, self.count_budget_ms)
        with self._read() as conn:
            outcome = searcher.run(conn, query)
        records = [collection_from_json(row["content"]) for row in outcome.rows]
        return Page(records, outcome.number_matched, outcome.next_token, outcome.prev_token)

    # -- items ---------------------------------------------------------------------------
    def upsert_items(self, items: Iterable[Item], batch_size: int = 10_000) -> int:
        """Insert or replace items in transactions of `batch_size`; the text index follows."""
        total = 0
        seqs: list[int] = []
        top_rid = 0
        bulk = False
        iterator = iter(items)
        try:
            while batch := list(islice(iterator, batch_size)):
                if len(seqs) == BULK_AFTER_BATCHES:
                    bulk = self._begin_bulk()
                written, seq, docs, replaced = self._write_items(batch)
                self.text.items.add(docs, replaced)
                total += written
                seqs.append(seq)
                top_rid = max([top_rid, *(d.rid for d in docs)])
        finally:
            if bulk:
                self._end_bulk()
            self.text.items.commit()
            with self._write_lock:
                sqlite_text.indexed_directly(self._writer, "items", self.text.items, seqs, top_rid)
        return total

    def _begin_bulk(self) -> bool:
        """Drop the secondary indexes and the R*Tree trigger for the rest of a large load.

        Building them once at the end is faster than maintaining them row by row (measured at
        500,000 items: 30 s against 38 s with the R*Tree trigger kept). Meanwhile searches fall
        back to plainer plans, and the rows being loaded are not yet in the R*Tree.
        """
        with self._transaction() as conn:
            first = int(conn.execute("SELECT coalesce(max(rid), 0) + 1 FROM items").fetchone()[0])
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('bulk_from_rid', ?)", [str(first)])
            for statement in DROP_DEFERRABLE:
                conn.execute(statement)
        return True

    def _end_bulk(self) -> None:
        """Rebuild what `_begin_bulk` dropped (also run at open, after an interrupted load)."""
        with self._transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'bulk_from_rid'").fetchone()
            if row is None:
                return
            conn.execute(
                "INSERT OR REPLACE INTO items_rtree SELECT rid, minx, maxx, miny, maxy FROM items "
                "WHERE rid >= ? AND minx IS NOT NULL",
                [int(row[0])],
            )
            for statement in DEFERRABLE:
                conn.execute(statement)
            conn.execute("DELETE FROM meta WHERE key = 'bulk_from_rid'")
        with self._write_lock:
            self._writer.execute("PRAGMA analysis_limit = 0")  # full statistics: plans depend on them
            self._writer.execute("ANALYZE items")

    def _write_items(self, batch: list[Item]) -> tuple[int, int, list[TextDoc], list[int]]:
        unique = list({(item.collection, item.id): item for item in batch}.values())
        times = [item_times(item) for item in unique]
        with self._transaction() as conn:
            _check_collections(conn, {item.collection for item in unique})
            existing = _existing_rids(conn, unique)
            seq = sqlite_text.next_seq(conn, "items")
            next_rid = int(conn.execute("SELECT coalesce(max(rid), 0) FROM items").fetchone()[0]) + 1
            rows, updates, rids = _item_rows(unique, times, existing, next_rid, seq)
            conn.executemany(_ITEM_INSERT, rows)
            conn.executemany(_ITEM_UPDATE, updates)
            _record_spans(conn, times)
            _record_queryables(conn, unique)
        docs = [
            sqlite_text.item_text(rid, item, t[1], t[2])
            for rid, item, t in zip(rids, unique, times, strict=True)
        ]
        return len(unique), seq, docs, [u[0] for u in updates]

    def get_item(self, collection_id: str, item_id: str) -> Item:
        """One item by collection and id."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {ITEM_SELECT} FROM items AS i WHERE i.collection = ? "  # noqa: S608
                "AND i.id = ?",
                [collection_id, item_id],
            ).fetchone()
            if row is None:
                found = conn.execute("SELECT 1 FROM collections WHERE id = ?", [collection_id]).fetchone()
                if not found:
                    raise CollectionNotFound(collection_id)
                raise ItemNotFound(collection_id, item_id)
        return item_from_row(row)

    def delete_item(self, collection_id: str, item_id: str) -> None:
        """Delete one item."""
        with self._transaction() as conn:
            deleted = conn.execute(
                "DELETE FROM items WHERE collection = ? AND id = ?", [collection_id, item_id]
            ).rowcount
            if not deleted:
                raise ItemNotFound(collection_id, item_id)
        self._sync_text()

    def search_items(self, query: Query) -> Page[Item]:
        """Items matching the query."""
        with self._read() as conn:
            known = self._known_properties(conn, query.collections)
            spans = self._time_spans(conn)
            spec = _item_spec(known, spans)
            extra = []
            if query.collections:
                marks = ", ".join("?" for _ in query.collections)
                extra.append(Fragment(f"i.collection IN ({marks})", list(query.collections)))
            outcome = Searcher(spec, self.text.items, self.count_limit, self.count_budget_ms).run(
                conn, query, extra
            )
        records = [item_from_row(row) for row in outcome.rows]
        return Page(records, outcome.number_matched, outcome.next_token, outcome.prev_token)

    def item_queryables(self, collection_id: str | None = None) -> Mapping[str, Mapping[str, Any]]:
        """Core queryables plus every property seen in the collection's items (or all items)."""
        with self._read() as conn:
            if (
                collection_id is not None
                and not conn.execute("SELECT 1 FROM collections WHERE id = ?", [collection_id]).fetchone()
            ):
                raise CollectionNotFound(collection_id)
            rows = _queryable_rows(conn, (collection_id,) if collection_id else ())
        properties: dict[str, Mapping[str, Any]] = dict(CORE_ITEM_QUERYABLES)
        for name, kind in rows:
            properties.setdefault(name, {"title": name, "type": kind})
        return properties

    def _known_properties(self, conn: sqlite3.Connection, collections: Sequence[str]) -> frozenset[str]:
        return frozenset(name for name, _ in _queryable_rows(conn, collections))

    def _time_spans(self, conn: sqlite3.Connection) -> tuple[int, int]:
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('span_before', 'span_after')"))
        return int(rows.get("span_before", 0)), int(rows.get("span_after", 0))

    def _sync_text(self) -> None:
        if self.writable:
            with self._write_lock:
                sqlite_text.catch_up(self._writer, self.text)

    def rebuild_text_index(self) -> int:
        """Drop the text index and rebuild it from the database; returns the documents indexed."""
        with self._write_lock:
            return sqlite_text.rebuild(self._writer, self.text)


_ITEM_INSERT = (
    "INSERT INTO items (rid, collection, id, dt, s, e, has_dt, minx, miny, maxx, maxy, geom, seq, "
    "platform, constellation, gsd, cloud_cover, props, content) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_ITEM_UPDATE = (
    "UPDATE items SET dt=?2, s=?3, e=?4, has_dt=?5, minx=?6, miny=?7, maxx=?8, maxy=?9, geom=?10,"
    " seq=?11, platform=?12, constellation=?13, gsd=?14, cloud_cover=?15, props=?16, content=?17"
    " WHERE rid=?1"
)


Times = tuple[int | None, int | None, int | None]


def _item_rows(
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


def _existing_rids(conn: sqlite3.Connection, items: list[Item]) -> dict[tuple[str, str], int]:
    keys = orjson.dumps([[item.collection, item.id] for item in items]).decode()
    rows = conn.execute(
        "SELECT i.collection, i.id, i.rid FROM json_each(?) AS k JOIN items AS i "
        "ON i.collection = k.value ->> 0 AND i.id = k.value ->> 1",
        [keys],
    )
    return {(c, i): rid for c, i, rid in rows}


def _check_collections(conn: sqlite3.Connection, names: set[str]) -> None:
    marks = ", ".join("?" for _ in names)
    found = {row[0] for row in conn.execute(f"SELECT id FROM collections WHERE id IN ({marks})", list(names))}  # noqa: S608
    missing = sorted(names - found)
    if missing:
        raise CollectionNotFound(missing[0])


def _record_spans(conn: sqlite3.Connection, times: list[Times]) -> None:
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


def _record_queryables(conn: sqlite3.Connection, items: list[Item]) -> None:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    found: dict[tuple[str, str], str] = {}
    for item in items:
        signature = (item.collection, tuple(item.properties))
        if signature in seen:
            continue
        seen.add(signature)
        for name, value in item.properties.items():
            kind = _json_type(value)
            if kind and name not in CORE_ITEM_QUERYABLES:
                found.setdefault((item.collection, name), kind)
    conn.executemany(
        "INSERT OR IGNORE INTO queryables VALUES (?, ?, ?)", [(c, n, k) for (c, n), k in found.items()]
    )


def _json_type(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _queryable_rows(conn: sqlite3.Connection, collections: Sequence[str]) -> list[tuple[str, str]]:
    if collections:
        marks = ", ".join("?" for _ in collections)
        sql = f"SELECT DISTINCT name, type FROM queryables WHERE collection IN ({marks})"  # noqa: S608
        return [(r[0], r[1]) for r in conn.execute(sql, list(collections))]
    return [(r[0], r[1]) for r in conn.execute("SELECT DISTINCT name, type FROM queryables")]


def _collection_row(collection: Collection) -> tuple[Any, ...]:
    box = collection.extent.bbox
    corners: list[float | None] = [*box.as_list()] if box else [None] * 4
    if box is not None and box.crosses_antimeridian:
        corners = [-180.0, box.south, 180.0, box.north]
    start, end = collection.extent.start, collection.extent.end
    return (
        collection.id,
        collection.pole,
        next(iter(collection.title.values()), collection.id),
        "\n".join(collection.description.values()),
        collection.license,
        *corners,
        to_micros(start) if start else None,
        to_micros(end) if end else None,
        collection_to_json(collection),
    )


def _item_spec(known: frozenset[str], spans: tuple[int, int]) -> TableSpec:
    core = {
        "id": Column("i.id", "text"),
        "collection": Column("i.collection", "text"),
        "datetime": Column("i.s", "time", end_sql="i.e"),
        "geometry": Column(
            "i.geom", "geometry", bbox_sql=("i.minx", "i.miny", "i.maxx", "i.maxy"), rtree="items_rtree:i.rid"
        ),
    }

    def resolve(name: str) -> Column:
        name = name.removeprefix("properties.")
        if name in core:
            return core[name]
        if name in PROMOTED and name in known:
            return Column(f"i.{PROMOTED[name]}", "json")
        if name in known or name in ("start_datetime", "end_datetime"):
            return json_property("i.props", name)
        raise UnknownQueryable("filter", name)

    return TableSpec(
        table="items",
        alias="i",
        select=ITEM_SELECT,
        default_sort=(("i.dt", True),),
        resolve=resolve,
        sort_columns={"datetime": "i.dt", "id": "i.id", "collection": "i.collection"},
        rtree="items_rtree",
        time_bounds=lambda: spans,
        not_null=frozenset({"i.dt", "i.rid", "i.id", "i.collection"}),
        order_indexes={"i.dt": ("items_dt", "items_collection_dt")},
    )


@functools.cache
def _collection_spec() -> TableSpec:
    core = {
        "id": Column("c.id", "text"),
        "title": Column("c.title", "text"),
        "description": Column("c.description", "text"),
        "license": Column("c.license", "text"),
        "pole": Column("c.pole", "text"),
        "datetime": Column(
            "coalesce(c.s, -4611686018427387904)", "time", end_sql="coalesce(c.e, 4611686018427387904)"
        ),
        "geometry": Column(
            "tp_box(c.minx, c.miny, c.maxx, c.maxy)",
            "geometry",
            bbox_sql=("c.minx", "c.miny", "c.maxx", "c.maxy"),
        ),
    }

    def resolve(name: str) -> Column:
        if name in core:
            return core[name]
        raise UnknownQueryable("filter", name)

    return TableSpec(
        table="collections",
        alias="c",
        select=COLLECTION_SELECT,
        default_sort=(("c.id", False),),
        resolve=resolve,
        sort_columns={
            "id": "c.id",
            "title": "c.title",
            "datetime": "c.s",
            "license": "c.license",
            "pole": "c.pole",
        },
        not_null=frozenset({"c.id", "c.rid", "c.title"}),
    )


@functools.lru_cache(maxsize=64)
def _prepared(wkb: bytes) -> Any:
    geometry = shapely.from_wkb(wkb)
    shapely.prepare(geometry)
    return geometry


_RELATIONS = {
    "intersects": lambda q, g: shapely.intersects(q, g),
    "disjoint": lambda q, g: shapely.disjoint(q, g),
    "within": lambda q, g: shapely.contains(q, g),
    "contains": lambda q, g: shapely.within(q, g),
    "overlaps": lambda q, g: shapely.overlaps(q, g),
    "touches": lambda q, g: shapely.touches(q, g),
    "crosses": lambda q, g: shapely.crosses(q, g),
    "equals": lambda q, g: shapely.equals(q, g),
}


def _spatial_relation(relation: str, wkb: bytes | None, query_wkb: bytes) -> int:
    """SQL function tp_spatial(relation, stored geometry WKB, query geometry WKB)."""
    if wkb is None:
        return 0
    return int(bool(_RELATIONS[relation](_prepared(query_wkb), shapely.from_wkb(wkb))))


def _box_wkb(
    west: float | None, south: float | None, east: float | None, north: float | None
) -> bytes | None:
    """SQL function tp_box(minx, miny, maxx, maxy): the WKB polygon of a bounding box."""
    if west is None or south is None or east is None or north is None:
        return None
    return bytes(shapely.to_wkb(shapely.box(west, south, east, north)))
