"""Counting facets of item searches in the PostgreSQL catalog: grouped counts over the rows
the search's WHERE clause selects (`catalog.facets.count_items_in_sql`), with PostgreSQL's SQL
for the groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from terrapole.catalog.facets import Group, count_items_in_sql
from terrapole.catalog.sql_filter import Fragment
from terrapole.core.facets import ItemCounts
from terrapole.core.vocab import Vocabulary

GROUPS = {
    "platform": Group("i.platform"),
    # Lax JSON path: a single string counts as a list of one, as SQLite's json_each reads it.
    "instrument": Group(
        "v #>> '{}'",
        """, jsonb_path_query(i.properties, '$.instruments[*] ? (@.type() == "string")') AS v""",
        count="count(DISTINCT i.rid)",
    ),
    "year": Group("extract(year FROM i.datetime AT TIME ZONE 'UTC')::int::text"),
    "concept": Group(
        "(SELECT string_agg(u.uri, E'\\n') FROM item_concepts AS ic "
        "JOIN vocab_uris AS u ON u.id = ic.concept WHERE ic.rid = i.rid)"
    ),
}


def count_items(
    conn: psycopg.Connection[Any], where: list[Fragment], wanted: Sequence[str], vocabulary: Vocabulary
) -> ItemCounts:
    """What `core.facets.item_facets` needs, over the items the WHERE clause selects."""
    rows = lambda sql, params: conn.execute(sql, params).fetchall()  # noqa: E731
    return count_items_in_sql(rows, where, GROUPS, wanted, vocabulary)
