"""Counting facets of item searches in the SQLite catalog.

A search the text index answers exactly by itself (free text, collections, time, concepts) is
counted there: tantivy's terms aggregations read columnar fields and count a quarter of a million
matches in milliseconds. Collections and concepts are counted at once, by distinct
(collection, set of the item's own concepts) key, one value per item and a few keys per
collection; each set is then expanded to its concepts and their broader ones from the
vocabulary. Counting every concept and ancestor of every item in the index, or concepts nested
under collections, costs four to five times as much (measured at 1,000,000 items).

A search with a box, a geometry, ids or a CQL2 filter is counted in SQL (grouped counts over
the rows the search's WHERE clause selects, driven by the R*Tree when there is a box).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from terrapole.catalog.facets import CONCEPT_SET_SEPARATOR, Group, concepts_of_sets, count_items_in_sql
from terrapole.catalog.sql_filter import Fragment
from terrapole.catalog.sqlite_search import Searcher
from terrapole.catalog.textindex import TextFilters, TextIndex
from terrapole.core.facets import ItemCounts
from terrapole.core.query import Query
from terrapole.core.vocab import Vocabulary

BUCKETS = 65_000  # tantivy's own limit on the buckets of one aggregation request
# The matches first: SQLite may otherwise scan the items and look each up in the matches.
MATCHES = "FROM m CROSS JOIN items AS i ON i.rid = m.rid"
GROUPS = {
    "platform": Group("CASE WHEN typeof(i.platform) = 'text' THEN i.platform END"),
    "instrument": Group(
        "CASE WHEN j.type = 'text' THEN j.value END",
        ", json_each(i.props, '$.instruments') AS j",
        "count(DISTINCT i.rid)",
    ),
    # A real number of seconds: integer division would move instants before 1970 up a second.
    "year": Group("strftime('%Y', i.dt / 1000000.0, 'unixepoch')"),
    "concept": Group(
        "(SELECT group_concat(u.uri, char(10)) FROM item_concepts AS ic "
        "JOIN vocab_uris AS u ON u.id = ic.concept WHERE ic.rid = i.rid)"
    ),
}


def count_items(
    conn: sqlite3.Connection,
    searcher: Searcher,
    query: Query,
    extra: Sequence[Fragment],
    wanted: Sequence[str],
    vocabulary: Vocabulary,
) -> ItemCounts:
    """What `core.facets.item_facets` needs, over the items matching the query."""
    index = searcher.text_index
    if index is not None and not (query.ids or query.bbox or query.intersects or query.filter):
        try:
            return _indexed(index, query.text, searcher.text_filters(conn, query), wanted, vocabulary)
        except ValueError:  # more buckets than one request may hold: SQL has no such limit
            pass
    where = searcher.where(conn, query, extra)
    source = searcher.counting_source(conn, query)
    rows = lambda sql, params: conn.execute(sql, params)  # noqa: E731
    return count_items_in_sql(rows, where, GROUPS, wanted, vocabulary, source, MATCHES)


def _indexed(
    index: TextIndex, text: str | None, filters: TextFilters, wanted: Sequence[str], vocabulary: Vocabulary
) -> ItemCounts:
    request: dict[str, Any] = {"facet_key": {"terms": {"field": "facet_key", "size": BUCKETS}}}
    for name, field in (("platform", "platform"), ("instrument", "instruments"), ("year", "year")):
        if name in wanted:
            request[name] = {"terms": {"field": field, "size": BUCKETS}}
    result = index.aggregate(text, filters, request)
    counts = ItemCounts()
    sets: dict[str, list[tuple[list[str], int]]] = {}
    for bucket in _buckets(result, "facet_key"):
        collection, *concepts = bucket["key"].split(CONCEPT_SET_SEPARATOR)
        counts.collections[collection] = counts.collections.get(collection, 0) + bucket["doc_count"]
        sets.setdefault(collection, []).append((concepts, bucket["doc_count"]))
    if "concept" in wanted:
        counts.own_concepts = {c: concepts_of_sets(found, vocabulary) for c, found in sets.items()}
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
