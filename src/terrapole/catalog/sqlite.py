"""The embedded catalog: one SQLite file (WAL, R*Tree) plus a derived tantivy text index.

Writes go through one connection under a lock, in large transactions; reads use a small pool
of connections so that server threads never share one. The text index lags the database by
at most one ingest call and catches up from a change sequence when reopened.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from terrapole.catalog import sqlite_changes, sqlite_facets, sqlite_text, sqlite_vocab
from terrapole.catalog.base import (
    ChangeKey,
    ChangePage,
    ChangeScope,
    ChangeSummary,
    CollectionChange,
    item_queryables_schema,
)
from terrapole.catalog.facets import facets_of_collections, facets_of_items
from terrapole.catalog.records import TextDoc, collection_from_json, item_from_row, item_text, item_times
from terrapole.catalog.sql_filter import Fragment
from terrapole.catalog.sqlite_schema import (
    DDL,
    DEFERRABLE,
    DROP_DEFERRABLE,
    MIGRATIONS,
    SCHEMA_VERSION,
    add_change_tracking,
    missing_facet_columns,
)
from terrapole.catalog.sqlite_search import Searcher
from terrapole.catalog.sqlite_tables import (
    ITEM_SELECT,
    box_wkb,
    collection_spec,
    item_spec,
    queryable_rows,
    spatial_relation,
)
from terrapole.catalog.sqlite_vocab import SQLiteVocabulary
from terrapole.catalog.sqlite_write import (
    COLLECTION_UPSERT,
    ITEM_INSERT,
    ITEM_UPDATE,
    check_collections,
    collection_row,
    existing_rids,
    fill_collection_facets,
    item_rows,
    record_queryables,
    record_spans,
)
from terrapole.catalog.textindex import TextIndexBusy
from terrapole.catalog.vocabulary import query_concepts, require_known
from terrapole.core.errors import CollectionNotFound, InvalidParameter, ItemNotFound, StorageError
from terrapole.core.facets import Facets, item_concepts
from terrapole.core.model import Collection, Item
from terrapole.core.query import Page, Query
from terrapole.core.timeutil import from_micros, to_micros
from terrapole.settings import Settings

READ_POOL_SIZE = 4
# After this many batches in one call, an ingest switches to bulk mode (see `_begin_bulk`).
BULK_AFTER_BATCHES = 5


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
        self.vocabulary = SQLiteVocabulary(self._read, self._transaction, self._sync_text)
        self.text = sqlite_text.TextIndexes(text_dir, writable)
        self._sync_text()

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
        conn.create_function("tp_spatial", 3, spatial_relation, deterministic=True)
        conn.create_function("tp_box", 4, box_wkb, deterministic=True)
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
            with self._transaction() as step:
                add_change_tracking(step, time.time_ns() // 1000)
            self._add_collection_facets(conn)
            for _, script in MIGRATIONS:  # each is idempotent: a partial run is completed
                conn.executescript(script)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        elif self.writable:
            self._end_bulk()  # repairs a bulk load that stopped before its end

    def _add_collection_facets(self, conn: sqlite3.Connection) -> None:
        """Schema 2: the facet columns of collections, added and filled in one transaction."""
        existing = {row[1] for row in conn.execute("PRAGMA table_info(collections)")}
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in missing_facet_columns(existing):
                conn.execute(statement)
            fill_collection_facets(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

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
        """Insert or replace collections by id; changed ones get a new datestamp."""
        collections = list(collections)
        if not collections:
            return 0
        with self._transaction() as conn:
            seq = sqlite_text.next_seq(conn, "collections")
            stamp = sqlite_changes.next_datestamp(conn)
            conn.executemany(COLLECTION_UPSERT, [(*collection_row(c, seq), stamp) for c in collections])
            sqlite_changes.revive(conn, [c.id for c in collections])
            sqlite_vocab.write_collection_concepts(conn, list({c.id: c for c in collections}.values()))
        if self.writable:
            vocabulary = self.vocabulary.snapshot()
            with self._write_lock, contextlib.suppress(TextIndexBusy):
                sqlite_text.catch_up_written(self._writer, self.text, vocabulary, collections, seq)
        return len(collections)

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
            if not sqlite_changes.bury(conn, collection_id, sqlite_changes.next_datestamp(conn)):
                raise CollectionNotFound(collection_id)
            conn.execute("DELETE FROM items WHERE collection = ?", [collection_id])
            conn.execute("DELETE FROM queryables WHERE collection = ?", [collection_id])
        self._sync_text()

    def collection_count(self) -> int:
        """How many collections the catalog holds."""
        with self._read() as conn:
            return int(conn.execute("SELECT count(*) FROM collections").fetchone()[0])

    def collection_changes(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        scope: ChangeScope | None = None,
        after: ChangeKey | None = None,
        limit: int = 100,
        *,
        deleted: bool = True,
        content: bool = True,
        count: bool = True,
    ) -> ChangePage:
        """Collections changed at `since` <= datestamp < `until`, by (datestamp, id) after `after`."""
        window = (None if since is None else to_micros(since), None if until is None else to_micros(until))
        with self._read() as conn:
            return sqlite_changes.changes(
                conn, window, scope or ChangeScope(), after, limit, (deleted, content, count)
            )

    def collection_change(self, collection_id: str) -> CollectionChange:
        """The last change of one collection, live or deleted."""
        with self._read() as conn:
            return sqlite_changes.change_of(conn, collection_id)

    def change_summary(self) -> ChangeSummary:
        """The earliest datestamp and the (pole, parent) groups of live and deleted collections."""
        with self._read() as conn:
            return sqlite_changes.summary(conn)

    def search_collections(self, query: Query) -> Page[Collection]:
        """Collections matching the query."""
        self._check_concepts(query)
        searcher = Searcher(collection_spec(), self.text.collections, self.count_limit, self.count_budget_ms)
        with self._read() as conn:
            outcome = searcher.run(conn, query)
        records = [collection_from_json(row["content"]) for row in outcome.rows]
        return Page(records, outcome.number_matched, outcome.next_token, outcome.prev_token)

    def count_collections(self, query: Query) -> int:
        """The exact number of collections matching the query."""
        searcher = Searcher(collection_spec(), self.text.collections, self.count_limit, self.count_budget_ms)
        with self._read() as conn:
            return searcher.count(conn, query)

    def collection_values(
        self, queryable: str, limit: int = 1000, hidden: frozenset[str] = frozenset()
    ) -> list[Any]:
        """The distinct non-null values of a collection queryable, in order, but for `hidden` collections."""
        column = collection_spec().resolve(queryable)
        if column.kind == "geometry":
            raise InvalidParameter("queryable", f"{queryable!r} has no list of values")
        left_out = sorted(hidden)
        visible = f" AND c.id NOT IN ({', '.join('?' * len(left_out))})" if left_out else ""
        sql = (
            f"SELECT DISTINCT {column.sql} AS v FROM collections AS c "  # noqa: S608 - from the spec
            f"WHERE {column.sql} IS NOT NULL{visible} ORDER BY 1 LIMIT ?"
        )
        with self._read() as conn:
            values = [row[0] for row in conn.execute(sql, [*left_out, limit])]
        return [from_micros(v) for v in values] if column.kind == "time" else values

    # -- items ---------------------------------------------------------------------------
    def upsert_items(self, items: Iterable[Item], batch_size: int = 10_000) -> int:
        """Insert or replace items in transactions of `batch_size`; the text index follows."""
        total = 0
        seqs: list[int] = []
        top_rid = 0
        bulk = indexing = False
        iterator = iter(items)
        try:
            while batch := list(islice(iterator, batch_size)):
                if len(seqs) == BULK_AFTER_BATCHES:
                    bulk = self._begin_bulk()
                written, seq, docs, replaced = self._write_items(batch)
                indexing = self._index_text(docs, replaced, first=not seqs, indexing=indexing)
                total += written
                seqs.append(seq)
                top_rid = max([top_rid, *(d.rid for d in docs)])
        finally:
            if bulk:
                self._end_bulk()
            if indexing:
                self.text.items.commit()
                vocabulary = self.vocabulary.snapshot()
                with self._write_lock:
                    sqlite_text.indexed_directly(
                        self._writer, "items", self.text.items, seqs, top_rid, vocabulary
                    )
        return total

    def _index_text(self, docs: list[TextDoc], replaced: list[int], first: bool, indexing: bool) -> bool:
        """Hand a written batch to the text index; False when another process holds the index.

        The rows are already committed: whichever writer next catches up indexes them.
        """
        if not (first or indexing):
            return False
        try:
            self.text.items.add(docs, replaced)
        except TextIndexBusy:
            return False
        return True

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
        vocabulary = self.vocabulary.snapshot()
        with self._transaction() as conn:
            check_collections(conn, {item.collection for item in unique})
            existing = existing_rids(conn, unique)
            seq = sqlite_text.next_seq(conn, "items")
            next_rid = int(conn.execute("SELECT coalesce(max(rid), 0) FROM items").fetchone()[0]) + 1
            rows, updates, rids = item_rows(unique, times, existing, next_rid, seq)
            conn.executemany(ITEM_INSERT, rows)
            conn.executemany(ITEM_UPDATE, updates)
            record_spans(conn, times)
            record_queryables(conn, unique)
            refs = [(rid, uri) for rid, item in zip(rids, unique, strict=True) for uri in item_concepts(item)]
            sqlite_vocab.write_item_concepts(conn, refs, [u[0] for u in updates])
        docs = [
            item_text(rid, item, t[1], t[2], vocabulary)
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
        self._check_concepts(query)
        with self._read() as conn:
            searcher, extra = self._item_searcher(conn, query)
            outcome = searcher.run(conn, query, extra)
        records = [item_from_row(row) for row in outcome.rows]
        return Page(records, outcome.number_matched, outcome.next_token, outcome.prev_token)

    def _item_searcher(self, conn: sqlite3.Connection, query: Query) -> tuple[Searcher, list[Fragment]]:
        spec = item_spec(self._known_properties(conn, query.collections), self._time_spans(conn))
        extra = []
        if query.collections:
            marks = ", ".join("?" for _ in query.collections)
            extra.append(Fragment(f"i.collection IN ({marks})", list(query.collections)))
        return Searcher(spec, self.text.items, self.count_limit, self.count_budget_ms), extra

    def aggregate_items(self, query: Query, facets: Sequence[str]) -> Facets:
        """Facet counts over the items matching the query."""
        self._check_concepts(query)
        vocabulary = self.vocabulary.snapshot()
        with self._read() as conn:
            searcher, extra = self._item_searcher(conn, query)
            counts = sqlite_facets.count_items(conn, searcher, query, extra, facets, vocabulary)
        return facets_of_items(counts, self.search_collections, facets, vocabulary)

    def aggregate_collections(self, query: Query, facets: Sequence[str]) -> Facets:
        """Facet counts over the collections matching the query."""
        self._check_concepts(query)
        return facets_of_collections(self.search_collections, query, facets, self.vocabulary.snapshot())

    def item_queryables(
        self, collection_id: str | None = None, hidden: frozenset[str] = frozenset()
    ) -> Mapping[str, Mapping[str, Any]]:
        """Core queryables plus every property seen in the collection's items (or in all items but
        those of `hidden` collections)."""
        with self._read() as conn:
            if (
                collection_id is not None
                and not conn.execute("SELECT 1 FROM collections WHERE id = ?", [collection_id]).fetchone()
            ):
                raise CollectionNotFound(collection_id)
            rows = queryable_rows(conn, (collection_id,) if collection_id else (), hidden)
        return item_queryables_schema(rows)

    def _check_concepts(self, query: Query) -> None:
        if query_concepts(query):
            require_known(self.vocabulary.snapshot(), query)

    def _known_properties(self, conn: sqlite3.Connection, collections: Sequence[str]) -> frozenset[str]:
        return frozenset(name for name, _ in queryable_rows(conn, collections))

    def _time_spans(self, conn: sqlite3.Connection) -> tuple[int, int]:
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('span_before', 'span_after')"))
        return int(rows.get("span_before", 0)), int(rows.get("span_after", 0))

    def _sync_text(self) -> None:
        if not self.writable:
            return
        # When another process holds the index, it catches up when it commits.
        vocabulary = self.vocabulary.snapshot()
        with self._write_lock, contextlib.suppress(TextIndexBusy):
            sqlite_text.catch_up(self._writer, self.text, vocabulary)

    def rebuild_text_index(self) -> int:
        """Drop the text index and rebuild it from the database; returns the documents indexed."""
        vocabulary = self.vocabulary.snapshot()
        with self._write_lock:
            return sqlite_text.rebuild(self._writer, self.text, vocabulary)


def schema_version(path: Path) -> int:
    """The schema version of the catalog file at `path` (0 when there is none)."""
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
            return 0
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0
