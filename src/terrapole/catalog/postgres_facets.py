"""Counting facets of item searches in the PostgreSQL catalog.

Every item keeps what its facets count in two integer columns (`postgres_schema.FACET_SETS`):
its facet set (collection, own concepts, platform, instruments; a few per collection) and its
year. The matches of a search are grouped once, by facet set and by year (two grouping sets of
one aggregation, over row ids and integers only: no JSON, no join per item), and each set is
expanded in Python into its collection, concepts (with their broader ones, from the
vocabulary), platform and instruments, as the SQLite store expands the concept sets its text
index counts. Counting each facet over the matches in SQL (the matches joined to the items once
per facet, the concepts and instruments of every item read from JSON and joined tables) cost
0.4-1.3 s at 100,000 items.

A search of whole collections or of concepts (no other condition: whether an item matches a
concept depends on its collection and own concepts, its facet set) is summed from
`item_facet_counts`, the per-(facet set, year) counts the item triggers keep: no item is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import psycopg

from terrapole.catalog.facets import CONCEPT_SET_SEPARATOR, concepts_of_sets
from terrapole.catalog.sql_filter import Fragment
from terrapole.catalog.vocabulary import NARROWER
from terrapole.core.facets import ItemCounts
from terrapole.core.query import Query
from terrapole.core.vocab import Vocabulary

# grouping(facet_set, year): 1 for a row of the facet-set grouping set, 2 for a year row.
BY_SET, BY_YEAR = 1, 2
# The facet sets (`s`) whose items match one of the concepts {values} or a narrower one: through
# their collection, or through their own concepts.
_SET_MEMBERSHIP = (
    "(s.collection IN (SELECT cc.collection FROM collection_concepts AS cc "  # noqa: S608
    f"WHERE cc.concept IN ({NARROWER})) "
    "OR string_to_array(s.concepts, E'\\n') && ARRAY(SELECT nu.uri FROM vocab_uris AS nu "
    f"WHERE nu.id IN ({NARROWER})))"
)
# The grouped counts, each facet set with its parts. {source}: the counted rows (facet_set,
# year and a count `n` per row), {total}: how a group adds them up.
_GROUPED = (
    "WITH g AS (SELECT grouping(r.facet_set, r.year) AS kind, r.facet_set, r.year, {total} AS n "
    "FROM {source} GROUP BY GROUPING SETS ((r.facet_set), (r.year)) HAVING {total} <> 0) "
    "SELECT g.kind, g.year, g.n, s.collection, s.concepts, s.platform, s.instruments "
    "FROM g LEFT JOIN item_facet_sets AS s ON s.id = g.facet_set"
)


def count_items(
    conn: psycopg.Connection[Any], where: list[Fragment], wanted: Sequence[str], vocabulary: Vocabulary
) -> ItemCounts:
    """What `core.facets.item_facets` needs, over the items the WHERE clause selects."""
    clause = " AND ".join(f"({f.sql})" for f in where)
    # The search's conditions name the items `i`.
    rows_sql = f"(SELECT i.facet_set, i.year FROM items AS i{' WHERE ' + clause if clause else ''}) AS r"  # noqa: S608
    sql = _GROUPED.format(source=rows_sql, total="count(*)")
    rows = conn.execute(sql, [x for f in where for x in f.params]).fetchall()
    return _counts(rows, wanted, vocabulary)


def count_whole_sets(
    conn: psycopg.Connection[Any],
    query: Query,
    wanted: Sequence[str],
    vocabulary: Vocabulary,
) -> ItemCounts:
    """The same counts over every item of the catalog, or of some collections, or of a concept,
    from the counts kept at ingest (`whole_sets` tells which queries they answer).

    Whether an item matches a concept depends on its facet set alone (its collection and its
    own concepts): the sets that match are found, and their counts summed.
    """
    conditions: list[str] = []
    params: list[Any] = []
    if query.concepts:
        narrower = ", ".join("%s" for _ in query.concepts)
        conditions.append(_SET_MEMBERSHIP.format(values=narrower))
        params.extend([*query.concepts, *query.concepts])
    collections, hidden = query.collections, query.hidden_collections
    if collections:
        conditions.append("s.collection = ANY(%s::text[])")
        params.append(list(collections))
    if hidden:
        conditions.append("s.collection <> ALL(%s::text[])")
        params.append(sorted(hidden))
    source = "item_facet_counts AS r"
    if conditions:
        source += f" JOIN item_facet_sets AS s ON s.id = r.facet_set WHERE {' AND '.join(conditions)}"
    rows = conn.execute(_GROUPED.format(source=source, total="sum(r.n)"), params).fetchall()
    return _counts(rows, wanted, vocabulary)


def whole_sets(query: Query) -> bool:
    """Whether a search selects whole facet sets: whole collections (or the whole catalog), or
    the items of concepts, and nothing else."""
    narrowing = (query.ids, query.bbox, query.intersects, query.datetime, query.text)
    return query.filter is None and not any(part for part in narrowing)


def _counts(rows: Iterable[Mapping[str, Any]], wanted: Sequence[str], vocabulary: Vocabulary) -> ItemCounts:
    counts = ItemCounts()
    sets: dict[str, list[tuple[list[str], int]]] = {}
    for row in rows:
        n = int(row["n"])
        if row["kind"] == BY_YEAR:
            counts.years[int(row["year"])] = n
            continue
        collection = row["collection"]
        counts.collections[collection] = counts.collections.get(collection, 0) + n
        concepts = row["concepts"].split(CONCEPT_SET_SEPARATOR) if row["concepts"] else []
        sets.setdefault(collection, []).append((concepts, n))
        if row["platform"] is not None:
            counts.platforms[row["platform"]] = counts.platforms.get(row["platform"], 0) + n
        for instrument in row["instruments"].split(CONCEPT_SET_SEPARATOR) if row["instruments"] else ():
            counts.instruments[instrument] = counts.instruments.get(instrument, 0) + n
    if "concept" in wanted:
        counts.own_concepts = {c: concepts_of_sets(found, vocabulary) for c, found in sets.items()}
    counts.total = sum(counts.collections.values())
    return counts
