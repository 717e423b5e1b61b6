"""The catalog database as the harvest store sees it: one SQL text, two drivers.

The harvest store writes its SQL once, with `?` placeholders and portable types (see `schema`);
`SqliteDatabase` runs it on the embedded catalog file and `PostgresDatabase` on the PostgreSQL
catalog, each through its own connection so that harvest bookkeeping never waits on, nor holds,
the catalog's connections. Every statement is parameterised.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from terrapole.core.errors import StorageError
from terrapole.harvest import schema
from terrapole.settings import Settings

Row = tuple[Any, ...]
MIGRATION_LOCK = 7_412_093_512  # pg_advisory_xact_lock key (the catalog's is ...511)


class Session(Protocol):
    """Statements inside one transaction."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run one statement; its rows (empty for writes without RETURNING)."""
        ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per parameter row."""
        ...


class Database(Protocol):
    """A transactional SQL database speaking the harvest store's SQL."""

    def transaction(self) -> Any:
        """A context manager yielding a `Session` whose statements commit together."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _SqliteSession:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [tuple(row) for row in self.conn.execute(sql, list(params)).fetchall()]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.conn.executemany(sql, [list(row) for row in rows])


class SqliteDatabase:
    """The embedded catalog's SQLite file (WAL: harvest writes and catalog reads do not block)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60.0)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open catalog database {path}: {exc}") from exc
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()
        self._migrate()

    @contextmanager
    def transaction(self) -> Iterator[_SqliteSession]:
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteSession(self.conn)
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        with self.transaction() as session:
            if _version(session) < schema.HARVEST_SCHEMA_VERSION:
                for statement in schema.statements(schema.SQLITE_TYPES):
                    session.execute(statement)
                _set_version(session)

    def close(self) -> None:
        self.conn.close()


class _PostgresSession:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self.conn.execute(_pg(sql), list(params))
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(_pg(sql), [list(row) for row in rows])


class PostgresDatabase:
    """The PostgreSQL catalog database, through one connection of its own."""

    def __init__(self, url: str) -> None:
        import psycopg

        try:
            self.conn = psycopg.connect(url, connect_timeout=5, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StorageError(f"cannot connect to the PostgreSQL catalog for harvests: {exc}") from exc
        self._lock = threading.Lock()
        self._migrate()

    @contextmanager
    def transaction(self) -> Iterator[_PostgresSession]:
        with self._lock, self.conn.transaction():
            yield _PostgresSession(self.conn)

    def _migrate(self) -> None:
        with self.transaction() as session:
            session.execute("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK])
            if _version(session) < schema.HARVEST_SCHEMA_VERSION:
                for statement in schema.statements(schema.POSTGRES_TYPES):
                    session.execute(statement)
                _set_version(session)

    def close(self) -> None:
        self.conn.close()


def open_database(settings: Settings) -> SqliteDatabase | PostgresDatabase:
    """The harvest store's view of the catalog database the settings name (migrated)."""
    if settings.database_url:
        return PostgresDatabase(settings.database_url)
    return SqliteDatabase(settings.catalog_path)


def _version(session: Any) -> int:
    session.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    rows = session.execute("SELECT value FROM meta WHERE key = ?", [schema.VERSION_KEY])
    return int(rows[0][0]) if rows else 0


def _set_version(session: Any) -> None:
    session.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [schema.VERSION_KEY, str(schema.HARVEST_SCHEMA_VERSION)],
    )


def _pg(sql: str) -> str:
    # The store's SQL holds no literal '?' or '%': placeholders translate one for one.
    return sql.replace("?", "%s")
