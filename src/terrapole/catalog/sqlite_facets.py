"""Counting facets of item searches in the SQLite catalog.

A search the text index answers exactly by itself (free text, collections, time, concepts) is
counted there: tantivy's terms aggregations read columnar fields and count a quarter of a million
matches in milliseconds. A search with a box, a geometry, ids or a CQL2 filter is counted in SQL
(grouped counts over the rows the search's WHERE clause selects).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from terrapole.catalog.sql_filter import Fragment
from terrapole.catalog.sqlite_search import Searcher
from terrapole.catalog.textindex import TextFilters, TextIndex
from terrapole.core.facets import ItemCounts
from terrapole.core.query import Query

BUCKETS = 65_000  # tantivy's own limit on the buckets of one aggregation request
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
    "platform": Group("i.platform", condition="typeof(i.platform) = 'text'"),
    "instrument": Group(
        "j.value", ", json_each(i.props, '$.instruments') AS j", "j.type = 'text'", "count(DISTINCT i.rid)"
    ),
    # A real number of seconds: integer division would move instants before 1970 up a second.
    "year": Group("CAST(strftime('%Y', i.dt / 1000000.0, 'unixepoch') AS INTEGER)"),
}


def count_items(
    conn: sqlite3.Connection,
    searcher: Searcher,
    query: Query,
    extra: Sequence[Fragment],
    wanted: Sequence[str],
) -> ItemCounts:
    """What `core.facets.item_facets` needs, over the items matching the query."""
    index = searcher.text_index
    if index is not None and not (query.ids or query.bbox or query.intersects or query.filter):
        try:
            return _indexed(index, query.text, searcher.text_filters(conn, query), wanted)
        except ValueError:  # more buckets than one request may hold: SQL has no such limit
            pass
    return _counted(conn, searcher.where(conn, query, extra), wanted)


def _indexed(index: TextIndex, text: str | None, filters: TextFilters, wanted: Sequence[str]) -> ItemCounts:
    collection: dict[str, Any] = {"terms": {"field": "collection", "size": BUCKETS}}
    if "concept" in wanted:
        collection["aggs"] = {"concepts": {"terms": {"field": "concepts", "size": BUCKETS}}}
    request: dict[str, Any] = {"collection": collection}
    for name, field in (("platform", "platform"), ("instrument", "instruments"), ("year", "year")):
        if name in wanted:
            request[name] = {"terms": {"field": field, "size": BUCKETS}}
    result = index.aggregate(text, filters, request)
    counts = ItemCounts()
    for bucket in _buckets(result, "collection"):
        counts.collections[bucket["key"]] = bucket["doc_count"]
        if "concepts" in bucket:
            counts.own_concepts[bucket["key"]] = {
                b["key"]: b["doc_count"] for b in _buckets(bucket, "concepts")
            }
    counts.total = sum(counts.collections.values())
    counts.platforms = {b["key"]: b["doc_count"] for b in _buckets(result, "platform")}
    counts.instruments = {b["key"]: b["doc_count"] for b in _buckets(result, "instrument")}
    counts.years = {int(b["key"]): b["doc_count"] for b in _buckets(result, "year")}
    return counts


def _buckets(result: dict[str, Any], name: str) -> list[dict[str, Any]]:
    found = result.get(name) or {}
    if found.get("sum_other_doc_count"):
        raise ValueError(f"aggregation {name} left buckets out")
    buckets: list[dict[str, Any]] = found.get("buckets") or []
    return buckets


def _counted(conn: sqlite3.Connection, where: list[Fragment], wanted: Sequence[str]) -> ItemCounts:
    counts = ItemCounts()
    counts.collections = dict(_grouped(conn, _COLLECTION, where))
    counts.total = sum(counts.collections.values())
    found = {name: dict(_grouped(conn, group, where)) for name, group in _GROUPS.items() if name in wanted}
    counts.platforms = found.get("platform", {})
    counts.instruments = found.get("instrument", {})
    counts.years = found.get("year", {})
    if "concept" in wanted:
        for collection, uri, n in _grouped_concepts(conn, where):
            counts.own_concepts.setdefault(collection, {})[uri] = n
    return counts


def _grouped(conn: sqlite3.Connection, group: Group, where: list[Fragment]) -> list[tuple[Any, int]]:
    condition = [Fragment(group.condition, [])] if group.condition else []
    clause, params = _where_sql([*where, *condition])
    sql = f"SELECT {group.key}, {group.count} FROM items AS i{group.joins} {clause} GROUP BY 1"  # noqa: S608
    return [(row[0], int(row[1])) for row in conn.execute(sql, params) if row[0] is not None]


def _grouped_concepts(conn: sqlite3.Connection, where: list[Fragment]) -> list[tuple[str, str, int]]:
    clause, params = _where_sql(where)
    sql = (
        f"SELECT i.collection, u.uri, count(DISTINCT i.rid) FROM items AS i {_CONCEPTS} "  # noqa: S608
        f"{clause} GROUP BY 1, 2"
    )
    return [(row[0], row[1], int(row[2])) for row in conn.execute(sql, params)]


def _where_sql(where: Sequence[Fragment]) -> tuple[str, list[Any]]:
    if not where:
        return "", []
    return "WHERE " + " AND ".join(f"({f.sql})" for f in where), [x for f in where for x in f.params]
