"""The SQL both stores share to list collection changes: the conditions of a change-list page
and its count, written with either backend's parameter mark (`?` or `%s`)."""

from __future__ import annotations

from typing import Any

from terrapole.catalog.base import ChangeScope

CHANGE_TABLES = ("collections", "collection_tombstones")


def conditions(window: tuple[Any, Any], scope: ChangeScope, mark: str) -> tuple[list[str], list[Any]]:
    """WHERE terms and their parameters for a datestamp window [since, until) and a scope."""
    where: list[str] = []
    params: list[Any] = []
    since, until = window
    for column, operator, value in (
        ("datestamp", ">=", since),
        ("datestamp", "<", until),
        ("pole", "=", scope.pole),
        ("parent", "=", scope.parent),
    ):
        if value is not None:
            where.append(f"{column} {operator} {mark}")
            params.append(value)
    if scope.any_pole:
        where.append("pole IS NOT NULL")
    if scope.hidden:
        hidden = sorted(scope.hidden)
        if mark == "?":  # SQLite: one parameter per id
            where.append(f"id NOT IN ({', '.join('?' for _ in hidden)})")
            params.extend(hidden)
        else:  # PostgreSQL: one array parameter
            where.append(f"id <> ALL({mark}::text[])")
            params.append(hidden)
    return where, params


def after_key(mark: str) -> str:
    """The keyset term: changes after a (datestamp, id) key."""
    return f"(datestamp, id) > ({mark}, {mark})"


def filtered(select: str, where: list[str]) -> str:
    """`select` restricted by the AND of `where`."""
    return f"{select} WHERE {' AND '.join(where)}" if where else select


# The (pole, series) groups of live and deleted collections, each side grouped on its own index.
GROUPS_SQL = (
    "SELECT pole, parent FROM collections WHERE pole IS NOT NULL GROUP BY pole, parent UNION "
    "SELECT pole, parent FROM collection_tombstones WHERE pole IS NOT NULL GROUP BY pole, parent "
    "ORDER BY pole, parent"
)


def count_sql(where: list[str], deleted: bool) -> tuple[str, int]:
    """The statement counting matches in live rows (and tombstones), and how many times the
    parameters of `where` repeat in it."""
    tables = CHANGE_TABLES if deleted else CHANGE_TABLES[:1]
    counts = [f"(SELECT count(*) FROM {filtered(table, where)})" for table in tables]  # noqa: S608
    return f"SELECT {' + '.join(counts)} AS n", len(tables)
