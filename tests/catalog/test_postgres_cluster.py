"""The PostgreSQL test infrastructure itself: the server scripts/run-tests starts, its template
database, and the per-test databases cloned from it. Independent of the PostgreSQL catalog."""

from __future__ import annotations

from typing import Any

import psycopg
from tests.conftest import TEMPLATE_DATABASE, postgres_database


def database_exists(admin: psycopg.Connection[Any], name: str) -> bool:
    return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def test_the_server_is_postgresql_15_on_loopback(postgres_admin: psycopg.Connection[Any]) -> None:
    assert postgres_admin.info.server_version // 10_000 == 15
    assert postgres_admin.info.host == "127.0.0.1"
    template = postgres_admin.execute(
        "SELECT datistemplate, datallowconn FROM pg_database WHERE datname = %s", (TEMPLATE_DATABASE,)
    ).fetchone()
    # A template nobody may connect to: a session on it would make every clone fail.
    assert template == (True, False)


def test_a_test_database_has_postgis_and_unaccent(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        extensions = {row[0] for row in conn.execute("SELECT extname FROM pg_extension")}
        assert {"postgis", "unaccent"} <= extensions
        assert conn.execute("SELECT postgis_version()").fetchone()[0].startswith("3.")  # type: ignore[index]
        assert conn.execute("SELECT unaccent('Température')").fetchone() == ("Temperature",)
        point = conn.execute(
            "SELECT ST_AsText(ST_GeomFromGeoJSON(%s))", ('{"type": "Point", "coordinates": [1, 2]}',)
        )
        assert point.fetchone() == ("POINT(1 2)",)
        # The test databases are empty: each backend creates its own tables.
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
        assert tables == (1,)  # PostGIS's spatial_ref_sys only


def test_each_test_database_is_new_and_dropped_afterwards(
    postgres_admin: psycopg.Connection[Any], postgres_server_url: str
) -> None:
    with postgres_database(postgres_admin, postgres_server_url) as first:
        with postgres_database(postgres_admin, postgres_server_url) as second:
            assert first != second
        name = first.rsplit("/", 1)[1]
        assert database_exists(postgres_admin, name)
        left_open = psycopg.connect(first)  # a store that was not closed must not block the drop
        left_open.execute("CREATE TABLE t (x int)")
    assert not database_exists(postgres_admin, name)
    assert not database_exists(postgres_admin, second.rsplit("/", 1)[1])
    assert _is_gone(left_open)


def _is_gone(conn: psycopg.Connection[Any]) -> bool:
    """The server ended this session."""
    try:
        conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return True
    finally:
        conn.close()
    return False
