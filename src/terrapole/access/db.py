"""The access tables' database: SQLite in the data directory, or the PostgreSQL catalog database.

Both are reached through `Tx`, one transaction whose statements are written once, with `?`
placeholders and always parameterised; on PostgreSQL the placeholders become `%s`. The access
SQL never contains a literal `?` or `%`, which keeps that translation exact.

PostgreSQL connections come from a small pool of their own, configured like the catalog's
(`catalog.postgres`), whose `connect` also runs the migrations.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from terrapole.access.schema import META, SCHEMA_VERSION, migration_statements
from terrapole.core.errors import StorageError
from terrapole.settings import Settings

POOL_SIZE = 4
MIGRATION_LOCK = 7_412_093_512  # pg_advisory_xact_lock key of the access track (catalog: ...511)
Row = dict[str, Any]


class Tx:
    """One open transaction."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self._conn = conn
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute a statement; returns the number of rows it changed."""
        cursor = self._conn.execute(self._sql(sql), list(params))
        return int(cursor.rowcount)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, as a dict (None when there is none)."""
        row = self._conn.execute(self._sql(sql), list(params)).fetchone()
        return None if row is None else dict(row)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query, as dicts."""
        return [dict(row) for row in self._conn.execute(self._sql(sql), list(params)).fetchall()]

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT ... RETURNING id; returns the new row's id."""
        row = self.one(sql, params)
        assert row is not None
        return int(row["id"])

    def lock(self, table: str, key: int) -> None:
        """Hold the row `id = key` of `table` until the transaction ends (a no-op on SQLite, whose
        write transactions already exclude each other)."""
        if self.dialect == "postgres":
            self.run(f"SELECT 1 FROM {table} WHERE id = ? FOR UPDATE", [key])  # noqa: S608 - our table names


class Database(Protocol):
    """Where the access tables live."""

    dialect: str

    def transaction(self) -> AbstractContextManager[Tx]:
        """A transaction, committed when the block ends normally and rolled back otherwise."""
        ...

    def snapshot(self) -> AbstractContextManager[Tx]:
        """For reads of one statement on the request path: no transaction around them, so no
        BEGIN and COMMIT round trips and no write lock."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class SQLiteDatabase:
    """The access tables in one SQLite file: one connection, one transaction at a time."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open access database {path}: {exc}") from exc
        self._conn.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self._conn.execute(f"PRAGMA {pragma}")
        self._lock = threading.Lock()
        self._migrate()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction (BEGIN IMMEDIATE: other processes wait rather than fail later)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn, self.dialect)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        """Autocommit reads (the connection is shared, so still one caller at a time)."""
        with self._lock:
            yield Tx(self._conn, self.dialect)

    def _migrate(self) -> None:
        with self.transaction() as tx:
            migrate(tx)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()


class PostgresDatabase:
    """The access tables in the PostgreSQL catalog database, through a small connection pool."""

    dialect = "postgres"

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        from terrapole.catalog.postgres import (
            CONNECT_TIMEOUT_S,
            POOL_WAIT_S,
            check_if_idle,
            connect,
            mark_returned,
        )

        with connect(url) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            migrate(Tx(conn, self.dialect))
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"row_factory": dict_row, "connect_timeout": CONNECT_TIMEOUT_S},
            check=check_if_idle,
            reset=mark_returned,
            timeout=POOL_WAIT_S,
            open=True,
        )

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A transaction on a pooled connection."""
        import psycopg

        try:
            with self._pool.connection() as conn, conn.transaction():
                yield Tx(conn, self.dialect)
        except psycopg.OperationalError as exc:
            raise StorageError(f"the access database failed: {str(exc).splitlines()[0]}") from exc

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        """A pooled connection in autocommit mode: each statement is its own transaction."""
        import psycopg

        try:
            with self._pool.connection() as conn:
                conn.autocommit = True
                try:
                    yield Tx(conn, self.dialect)
                finally:
                    conn.autocommit = False
        except psycopg.OperationalError as exc:
            raise StorageError(f"the access database failed: {str(exc).splitlines()[0]}") from exc

    def close(self) -> None:
        """Close the pool."""
        self._pool.close()


def migrate(tx: Tx) -> int:
    """Create or upgrade the access tables inside `tx`; returns the schema version."""
    tx.run(META)
    row = tx.one("SELECT value FROM access_meta WHERE key = 'schema_version'")
    version = int(row["value"]) if row else 0
    if version > SCHEMA_VERSION:
        raise StorageError(f"access schema version {version} is newer than this terrapole; upgrade it")
    for statement in migration_statements(tx.dialect, version):
        tx.run(statement)
    if version < SCHEMA_VERSION:
        tx.run("DELETE FROM access_meta WHERE key = 'schema_version'")
        tx.run("INSERT INTO access_meta (key, value) VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return SCHEMA_VERSION


def open_database(settings: Settings) -> Database:
    """The access database the settings describe (created or upgraded when needed)."""
    if settings.database_url:
        return PostgresDatabase(settings.database_url)
    return SQLiteDatabase(settings.access_path)
