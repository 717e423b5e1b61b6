"""Counting facets of item searches in the PostgreSQL catalog: grouped counts over the rows
the search's WHERE clause selects, the same groups as the SQLite store counts in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from terrapole.catalog.sql_filter import Fragment
from terrapole.core.facets import ItemCounts

_CONCEPTS = (
    "JOIN item_concepts AS ic ON ic.rid = i.rid JOIN vocab_closure AS cl ON cl.concept = ic.concept "
    "JOIN vocab_uris AS u ON u.id = cl.ancestor"
)


@dataclass(frozen=True, slots=True)
class Group:
    """How a facet groups rows: the key, extra joins, the condition a row needs, the count."""

    key: str
    joins: str = ""
    condition: str = ""
    count: str = "count(*)"


_COLLECTION = Group("i.collection")
_GROUPS = {
    "platform": Group("i.platform", condition="i.platform IS NOT NULL"),
    # Lax JSON path: a single string counts as a list of one, as SQLite's json_each reads it.
    "instrument": Group(
        "v #>> '{}'",
        """, jsonb_path_query(i.properties, '$.instruments[*] ? (@.type() == "string")') AS v""",
        count="count(DISTINCT i.rid)",
    ),
    "year": Group("extract(year FROM i.datetime AT TIME ZONE 'UTC')::int"),
}


def count_items(conn: psycopg.Connection[Any], where: list[Fragment], wanted: Sequence[str]) -> ItemCounts:
    """What `core.facets.item_facets` needs, over the items the WHERE clause selects."""
    counts = ItemCounts()
    counts.collections = dict(_grouped(conn, _COLLECTION, where))
    counts.total = sum(counts.collections.values())
    found = {name: dict(_grouped(conn, group, where)) for name, group in _GROUPS.items() if name in wanted}
    counts.platforms = found.get("platform", {})
    counts.instruments = found.get("instrument", {})
    counts.years = found.get("year", {})
    if "concept" in wanted:
        clause, params = _where_sql(where)
        sql = (
            "SELECT i.collection AS c, u.uri AS k, count(DISTINCT i.rid) AS n "  # noqa: S608
            f"FROM items AS i {_CONCEPTS} {clause} GROUP BY 1, 2"
        )
        for row in conn.execute(sql, params).fetchall():
            counts.own_concepts.setdefault(row["c"], {})[row["k"]] = int(row["n"])
    return counts


def _grouped(conn: psycopg.Connection[Any], group: Group, where: list[Fragment]) -> list[tuple[Any, int]]:
    condition = [Fragment(group.condition, [])] if group.condition else []
    clause, params = _where_sql([*where, *condition])
    sql = f"SELECT {group.key} AS k, {group.count} AS n FROM items AS i{group.joins} {clause} GROUP BY 1"  # noqa: S608
    return [(row["k"], int(row["n"])) for row in conn.execute(sql, params).fetchall() if row["k"] is not None]


def _where_sql(where: Sequence[Fragment]) -> tuple[str, list[Any]]:
    if not where:
        return "", []
    return "WHERE " + " AND ".join(f"({f.sql})" for f in where), [x for f in where for x in f.params]
