"""The scale-out catalog: PostgreSQL with PostGIS, through a psycopg 3 connection pool.

Free text lives in the database: each row carries a `tsvector`, title words weighted A and the
rest (description, keywords, platform, instruments...) weighted B, under a GIN index.
- Every row has the words under the `simple` configuration over `unaccent`ed text: exact,
  case- and accent-folded words, what the embedded store's analyzer does. Most item words are
  names (platforms, places, variables, acronyms) that stemmers would mangle.
- Collections, whose titles and descriptions are prose in French and English, also carry their
  French text under `tp_fr` and their English text under `tp_en` (the French and English
  stemmers behind `unaccent`, see `postgres_schema.TEXT_CONFIGS`). A query matches under any of
  the three, so "forêts" finds "forest"-free French records about "forêt", and "glaciers" finds
  English ones about a "glacier".

Writes are set-based (see `postgres_write`), one transaction per batch; searches are planned
by `postgres_search`, with CQL2 compiled by `postgres_filter`; the schema is versioned in
`postgres_schema`, and `upgrade` (`terrapole db upgrade`) brings a database to it.
"""

from __future__ import annotations

import functools
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import Any, cast

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from terrapole.catalog import postgres_changes, postgres_facets, postgres_vocab, postgres_write
from terrapole.catalog.base import (
    ChangeKey,
    ChangePage,
    ChangeScope,
    ChangeSummary,
    CollectionChange,
    item_queryables_schema,
)
from terrapole.catalog.facets import facets_of_collections, facets_of_items
from terrapole.catalog.postgres_filter import Queryable
from terrapole.catalog.postgres_schema import (
    CHANGE_TRACKING_VERSION,
    COLLECTION_TEXT_CONFIGS,
    FACETS_VERSION,
    SCHEMA_VERSION,
    statements,
)
from terrapole.catalog.postgres_search import Searcher, SortKey, TableSpec, json_property
from terrapole.catalog.postgres_vocab import PostgresVocabulary
from terrapole.catalog.postgres_write import ITEM_SELECT, PROMOTED_COLUMNS
from terrapole.catalog.records import FACET_COLUMNS, FACET_TIMES, collection_from_json, item_from_row
from terrapole.catalog.sql_filter import Fragment
from terrapole.catalog.vocabulary import (
    COLLECTION_MEMBERSHIP,
    CONCEPT_QUERYABLE,
    ITEM_MEMBERSHIP,
    query_concepts,
    require_known,
)
from terrapole.core.errors import (
    CollectionNotFound,
    InvalidParameter,
    ItemNotFound,
    StorageError,
    UnknownQueryable,
)
from terrapole.core.facets import Facets
from terrapole.core.model import Collection, Item
from terrapole.core.query import Page, Query
from terrapole.settings import Settings

POOL_SIZE = 8
# The schema version that added French and English text vectors to collections.
TEXT_CONFIGS_VERSION = 2
CONNECT_TIMEOUT_S = 5
POOL_WAIT_S = 10.0  # how long a request waits for a connection before it fails
MIGRATION_LOCK = 7_412_093_511  # pg_advisory_xact_lock key: one migration at a time
COLLECTION_SELECT = "c.content::text AS content"


def open_postgres(settings: Settings, writable: bool = True) -> PostgresCatalog:
    """Open the PostgreSQL catalog the settings' `database_url` names (creating its schema when absent)."""
    if not settings.database_url:
        raise StorageError("no database_url: set TERRAPOLE_DATABASE_URL to a postgresql:// URL")
    return PostgresCatalog(
        settings.database_url,
        writable=writable,
        count_limit=settings.count_limit,
        count_budget_ms=settings.count_budget_ms,
    )


def connect(url: str) -> psycopg.Connection[dict[str, Any]]:
    """One connection to the catalog database; StorageError naming host and port when it fails."""
    try:
        return psycopg.connect(url, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.OperationalError as exc:
        raise StorageError(
            f"cannot connect to the PostgreSQL catalog at {_where(url)}: {_first(exc)}"
        ) from exc


# When each pooled connection was last handed back: only connections idle for longer than
# IDLE_CHECK_S are checked (one round trip) before they are handed out again, so that a busy
# server does not pay a round trip per request, and a connection the server dropped while idle
# (restart, idle timeout) is still replaced rather than handed out.
IDLE_CHECK_S = 5.0
_RETURNED: weakref.WeakKeyDictionary[psycopg.Connection[Any], float] = weakref.WeakKeyDictionary()


def mark_returned(conn: psycopg.Connection[Any]) -> None:
    """Pool `reset` hook: note when the connection came back."""
    _RETURNED[conn] = time.monotonic()


def check_if_idle(conn: psycopg.Connection[Any]) -> None:
    """Pool `check` hook: check the connection if it has been idle for a while."""
    if time.monotonic() - _RETURNED.get(conn, 0.0) > IDLE_CHECK_S:
        ConnectionPool.check_connection(conn)


def schema_version(url: str) -> int:
    """The catalog schema version the database at `url` holds (0 when it holds no catalog)."""
    with connect(url) as conn:
        return _schema_version(conn)


def upgrade(url: str) -> int:
    """Create or migrate the catalog schema at `url` to this code's version (`terrapole db upgrade`)."""
    with connect(url) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        version = _schema_version(conn)
        if version > SCHEMA_VERSION:
            raise StorageError(f"catalog schema version {version} is newer than this terrapole; upgrade it")
        try:
            for statement in statements():
                conn.execute(statement)
            if 0 < version < TEXT_CONFIGS_VERSION:
                postgres_write.rebuild_collection_text(conn, postgres_vocab.load(conn))
            if 0 < version < CHANGE_TRACKING_VERSION:
                postgres_changes.fill_parents(conn)
            if 0 < version < FACETS_VERSION:
                postgres_write.fill_collection_facets(conn)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StorageError(
                f"cannot create the catalog schema ({_first(exc)}); a superuser must run "
                "CREATE EXTENSION postgis; CREATE EXTENSION unaccent; in the database first"
            ) from exc
        conn.execute(
            "INSERT INTO meta VALUES ('schema_version', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [str(SCHEMA_VERSION)],
        )
    return SCHEMA_VERSION


class PostgresCatalog:
    """A `CatalogStore` in a PostgreSQL database with PostGIS."""

    def __init__(
        self,
        url: str,
        *,
        writable: bool = True,
        count_limit: int = 100_000,
        count_budget_ms: float = 1000.0,
        pool_size: int = POOL_SIZE,
    ) -> None:
        self.url = url
        self.writable = writable
        self.count_limit = count_limit
        self.count_budget_ms = count_budget_ms
        self._prepare_schema()
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={
                "row_factory": dict_row,
                "connect_timeout": CONNECT_TIMEOUT_S,
                # Searches want their first page fast: parallel gathers cost more than they save
                # (box search at 1,000,000 items: 16-22 ms with them, 11-12 ms without, warm).
                # JIT compiles plans whose cost passes jit_above_cost before running them: tens of
                # milliseconds that a statement timeout cannot interrupt, for queries that take a
                # few when they run (a bounded count over a large box at 1,000,000 items: 59 ms).
                "options": "-c max_parallel_workers_per_gather=0 -c jit=off",
            },
            # A connection the server dropped (restart, idle timeout) is replaced, not handed out.
            check=check_if_idle,
            reset=mark_returned,
            timeout=POOL_WAIT_S,
            open=True,
        )
        refresh = postgres_write.refresh_concept_text
        self.vocabulary = PostgresVocabulary(self._read, self._transaction, refresh)

    # -- connections and schema ------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        # Autocommit: a read pays no BEGIN and no ROLLBACK round trip (a search's count opens
        # its own short transaction).
        try:
            with self._pool.connection() as conn:
                conn.autocommit = True
                try:
                    yield cast(psycopg.Connection[dict[str, Any]], conn)
                finally:
                    conn.autocommit = False
        except psycopg.OperationalError as exc:
            raise StorageError(f"PostgreSQL catalog at {_where(self.url)} failed: {_first(exc)}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        if not self.writable:
            raise StorageError("catalog opened read-only")
        with self._read() as conn, conn.transaction():
            yield conn

    def schema_version(self) -> int:
        """The schema version the database holds (0 when it holds no catalog yet)."""
        return schema_version(self.url)

    def _prepare_schema(self) -> None:
        version = schema_version(self.url)
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"catalog schema version {version} is newer than this terrapole "
                f"({SCHEMA_VERSION}); upgrade terrapole"
            )
        if version == 0 and self.writable:
            upgrade(self.url)
        elif version == 0:
            raise StorageError(
                f"the database at {_where(self.url)} holds no terrapole catalog yet; "
                "run `terrapole db upgrade` (or open it writable once) to create it"
            )
        elif version < SCHEMA_VERSION:
            raise StorageError(
                f"catalog schema version {version} is older than this terrapole ({SCHEMA_VERSION}); "
                "run `terrapole db upgrade`"
            )

    def upgrade(self) -> int:
        """Create or migrate the schema to the version of this code; returns that version."""
        return upgrade(self.url)

    def close(self) -> None:
        """Close the connection pool."""
        self._pool.close()

    # -- collections ---------------------------------------------------------------------
    def upsert_collections(self, collections: Iterable[Collection]) -> int:
        """Insert or replace collections by id."""
        vocabulary = self.vocabulary.snapshot()
        with self._transaction() as conn:
            return postgres_write.write_collections(conn, collections, vocabulary)

    def get_collection(self, collection_id: str) -> Collection:
        """The collection with this id."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT content::text AS content FROM collections WHERE id = %s", [collection_id]
            ).fetchone()
        if row is None:
            raise CollectionNotFound(collection_id)
        return collection_from_json(row["content"])

    def delete_collection(self, collection_id: str) -> None:
        """Delete a collection, its items and its queryables (the foreign keys cascade), leaving
        a tombstone."""
        with self._transaction() as conn:
            if not postgres_changes.bury(conn, collection_id, postgres_changes.next_datestamp(conn)):
                raise CollectionNotFound(collection_id)

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
        with self._read() as conn:
            return postgres_changes.changes(
                conn, (since, until), scope or ChangeScope(), after, limit, (deleted, content, count)
            )

    def collection_change(self, collection_id: str) -> CollectionChange:
        """The last change of one collection, live or deleted."""
        with self._read() as conn:
            return postgres_changes.change_of(conn, collection_id)

    def change_summary(self) -> ChangeSummary:
        """The earliest datestamp and the (pole, parent) groups of live and deleted collections."""
        with self._read() as conn:
            return postgres_changes.summary(conn)

    def collection_count(self) -> int:
        """How many collections the catalog holds."""
        with self._read() as conn:
            row = conn.execute("SELECT count(*) AS n FROM collections").fetchone()
        return int(row["n"]) if row else 0

    def search_collections(self, query: Query) -> Page[Collection]:
        """Collections matching the query."""
        self._check_concepts(query)
        searcher = Searcher(_collection_spec(), self.count_limit, self.count_budget_ms)
        with self._read() as conn:
            outcome = searcher.run(conn, query)
        records = [collection_from_json(row["content"]) for row in outcome.rows]
        return Page(records, outcome.number_matched, outcome.next_token, outcome.prev_token)

    def count_collections(self, query: Query) -> int:
        """The exact number of collections matching the query."""
        searcher = Searcher(_collection_spec(), self.count_limit, self.count_budget_ms)
        with self._read() as conn:
            return searcher.count(conn, query)

    def collection_values(
        self, queryable: str, limit: int = 1000, hidden: frozenset[str] = frozenset()
    ) -> list[Any]:
        """The distinct non-null values of a collection queryable, in order, but for `hidden` collections."""
        column = _collection_spec().resolve(queryable)
        if column.kind == "geometry":
            raise InvalidParameter("queryable", f"{queryable!r} has no list of values")
        sql = (
            f"SELECT DISTINCT {column.sql} AS v FROM collections AS c "  # noqa: S608 - from the spec
            f"WHERE {column.sql} IS NOT NULL AND c.id <> ALL(%s::text[]) ORDER BY 1 LIMIT %s"
        )
        with self._read() as conn:
            return [row["v"] for row in conn.execute(sql, [sorted(hidden), limit]).fetchall()]

    # -- items ---------------------------------------------------------------------------
    def upsert_items(self, items: Iterable[Item], batch_size: int = 10_000) -> int:
        """Insert or replace items, one transaction per batch of `batch_size`.

        A writer thread writes each batch while this thread reads and prepares the next one (the
        server does most of the writing, and psycopg waits on it without holding the GIL). A
        batch that fails stops the load: the batches before it are written, none after it.
        """
        total = 0
        iterator = iter(items)
        vocabulary = self.vocabulary.snapshot()
        with ThreadPoolExecutor(1, thread_name_prefix="terrapole-pg-writer") as writer:
            pending: Future[int] | None = None
            while batch := list(islice(iterator, batch_size)):
                prepared = postgres_write.prepare_items(batch, vocabulary)
                if pending is not None:
                    total += pending.result()
                pending = writer.submit(self._write_items, prepared)
            if pending is not None:
                total += pending.result()
        return total

    def _write_items(self, prepared: postgres_write.PreparedItems) -> int:
        with self._transaction() as conn:
            return postgres_write.write_items(conn, prepared)

    def get_item(self, collection_id: str, item_id: str) -> Item:
        """One item by collection and id."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {ITEM_SELECT} FROM items AS i WHERE i.collection = %s AND i.id = %s",  # noqa: S608
                [collection_id, item_id],
            ).fetchone()
            if row is None:
                if not conn.execute("SELECT 1 FROM collections WHERE id = %s", [collection_id]).fetchone():
                    raise CollectionNotFound(collection_id)
                raise ItemNotFound(collection_id, item_id)
        return item_from_row(row)

    def delete_item(self, collection_id: str, item_id: str) -> None:
        """Delete one item."""
        with self._transaction() as conn:
            sql = "DELETE FROM items WHERE collection = %s AND id = %s"
            if not conn.execute(sql, [collection_id, item_id]).rowcount:
                raise ItemNotFound(collection_id, item_id)

    def search_items(self, query: Query) -> Page[Item]:
        """Items matching the query."""
        self._check_concepts(query)
        with self._read() as conn:
            searcher, extra = self._item_searcher(conn, query)
            outcome = searcher.run(conn, query, extra)
        records = [item_from_row(row) for row in outcome.rows]
        return Page(records, outcome.number_matched, outcome.next_token, outcome.prev_token)

    def _item_searcher(self, conn: psycopg.Connection[Any], query: Query) -> tuple[Searcher, list[Fragment]]:
        # Each lookup is a round trip: made only when the query needs it.
        needs_properties = query.filter is not None or bool(query.sortby)
        rows = _queryable_rows(conn, query.collections) if needs_properties else []
        spec = _item_spec(frozenset(name for name, _ in rows))
        extra = []
        if len(query.collections) == 1:
            # Equality, unlike ANY, lets the (collection, datetime, ...) index deliver rows in order.
            extra.append(Fragment("i.collection = %s", [query.collections[0]]))
        elif query.collections:
            extra.append(Fragment("i.collection = ANY(%s::text[])", [list(query.collections)]))
        return Searcher(spec, self.count_limit, self.count_budget_ms), extra

    def aggregate_items(self, query: Query, facets: Sequence[str]) -> Facets:
        """Facet counts over the items matching the query."""
        self._check_concepts(query)
        vocabulary = self.vocabulary.snapshot()
        with self._read() as conn:
            searcher, extra = self._item_searcher(conn, query)
            counts = postgres_facets.count_items(conn, searcher.where(query, extra), facets, vocabulary)
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
                and not conn.execute("SELECT 1 FROM collections WHERE id = %s", [collection_id]).fetchone()
            ):
                raise CollectionNotFound(collection_id)
            rows = _queryable_rows(conn, (collection_id,) if collection_id else (), hidden)
        return item_queryables_schema(rows)

    def _check_concepts(self, query: Query) -> None:
        if query_concepts(query):
            require_known(self.vocabulary.snapshot(), query)

    def rebuild_text_index(self) -> int:
        """Recompute every row's text vector from its stored record; returns the rows indexed."""
        with self._transaction() as conn:
            return postgres_write.rebuild_text(conn, postgres_vocab.load(conn))


def _queryable_rows(
    conn: psycopg.Connection[Any], collections: Sequence[str], hidden: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    if collections:
        rows = conn.execute(
            "SELECT DISTINCT name, type FROM queryables WHERE collection = ANY(%s::text[])",
            [list(collections)],
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT DISTINCT name, type FROM queryables WHERE collection <> ALL(%s::text[])", [sorted(hidden)]
        ).fetchall()
    return [(row["name"], row["type"]) for row in rows]


# The longest recorded spans (microseconds) before and after items' sort instants.
SPAN_BEFORE_SQL = "(SELECT coalesce(max(value::bigint), 0) FROM meta WHERE key = 'span_before')"
SPAN_AFTER_SQL = "(SELECT coalesce(max(value::bigint), 0) FROM meta WHERE key = 'span_after')"


def _schema_version(conn: psycopg.Connection[Any]) -> int:
    if conn.execute("SELECT to_regclass('meta') AS t").fetchone()["t"] is None:  # type: ignore[index]
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row["value"]) if row else 0


@functools.lru_cache(maxsize=256)
def _item_spec(known: frozenset[str]) -> TableSpec:
    core = {
        "id": Queryable("i.id", "text"),
        "collection": Queryable("i.collection", "text"),
        "datetime": Queryable("i.start_datetime", "time", end_sql="i.end_datetime"),
        "geometry": Queryable("i.geometry", "geometry"),
        CONCEPT_QUERYABLE: Queryable("", "membership", member_sql=ITEM_MEMBERSHIP),
    }

    def resolve(name: str) -> Queryable:
        name = name.removeprefix("properties.")
        if name in core:
            return core[name]
        if name in known or name in ("start_datetime", "end_datetime"):
            promoted = PROMOTED_COLUMNS.get(name)
            typed = {promoted[0]: promoted[1]} if promoted else None
            return json_property("i.properties", name, typed)
        raise UnknownQueryable("filter", name)

    return TableSpec(
        table="items",
        alias="i",
        select=ITEM_SELECT,
        default_sort=(SortKey("i.datetime", True, "time", nullable=False),),
        resolve=resolve,
        sort_columns={
            "datetime": SortKey("i.datetime", False, "time", nullable=False),
            "id": SortKey("i.id", False, "text", nullable=False),
            "collection": SortKey("i.collection", False, "text", nullable=False),
        },
        time_bounds=(SPAN_BEFORE_SQL, SPAN_AFTER_SQL),
        bbox_sql=("i.minx", "i.miny", "i.maxx", "i.maxy"),
        geometry_exact=True,
    )


@functools.cache
def _collection_spec() -> TableSpec:
    core = {
        "id": Queryable("c.id", "text"),
        "title": Queryable("c.title", "text"),
        "description": Queryable("c.description", "text"),
        "license": Queryable("c.license", "text"),
        "pole": Queryable("c.pole", "text"),
        "datetime": Queryable(
            "coalesce(c.start_datetime, '-infinity'::timestamptz)",
            "time",
            end_sql="coalesce(c.end_datetime, 'infinity'::timestamptz)",
        ),
        "geometry": Queryable("ST_MakeEnvelope(c.minx, c.miny, c.maxx, c.maxy, 4326)", "geometry"),
        CONCEPT_QUERYABLE: Queryable("", "membership", member_sql=COLLECTION_MEMBERSHIP),
        "start_datetime": Queryable("c.start_datetime", "time"),
        "end_datetime": Queryable("c.end_datetime", "time"),
        **{name: Queryable(f"c.{name}", "time" if name in FACET_TIMES else "text") for name in FACET_COLUMNS},
    }

    def resolve(name: str) -> Queryable:
        if name in core:
            return core[name]
        raise UnknownQueryable("filter", name)

    return TableSpec(
        table="collections",
        alias="c",
        select=COLLECTION_SELECT,
        default_sort=(SortKey("c.id", False, "text", nullable=False),),
        resolve=resolve,
        sort_columns={
            "id": SortKey("c.id", False, "text", nullable=False),
            "title": SortKey("c.title", False, "text", nullable=False),
            "datetime": SortKey("c.start_datetime", False, "time"),
            "license": SortKey("c.license", False, "text"),
            "pole": SortKey("c.pole", False, "text"),
            **{
                name: SortKey(f"c.{name}", False, "time" if name in FACET_TIMES else "text")
                for name in FACET_COLUMNS
                if name != "anytext"
            },
        },
        bbox_sql=("c.minx", "c.miny", "c.maxx", "c.maxy"),
        box_index_sql="ST_MakeEnvelope(c.minx, c.miny, c.maxx, c.maxy, 4326)",
        text_configs=COLLECTION_TEXT_CONFIGS,
    )


def _where(url: str) -> str:
    """host:port of a connection URL (for error messages; never the password)."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "an invalid database URL"
    return f"{params.get('host') or 'localhost'}:{params.get('port') or 5432}"


def _first(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
