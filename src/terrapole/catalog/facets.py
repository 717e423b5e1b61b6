"""Facet counts both stores compute alike: collection facets from the matching collections'
records, item counts grouped in SQL, and the roll-up of item counts through the profiles of
their collections."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from terrapole.catalog.sql_filter import Fragment
from terrapole.core.facets import (
    INHERITED,
    CollectionProfile,
    Facets,
    ItemCounts,
    collection_facets,
    item_facets,
    profile,
)
from terrapole.core.model import Collection
from terrapole.core.query import Page, Query
from terrapole.core.vocab import Vocabulary

SearchCollections = Callable[[Query], Page[Collection]]
PAGE = 1000
# An item's own concepts are counted by set: one key per item, few keys per collection, each
# expanded to its concepts and their broader ones from the vocabulary (`concepts_of_sets`).
CONCEPT_SET_SEPARATOR = "\n"


@dataclass(frozen=True, slots=True)
class Group:
    """How a facet groups item rows in SQL: the key (text; NULL for rows that do not count),
    extra joins, and the count (distinct row ids when a join can repeat a row).

    No WHERE condition: with one, SQLite may build a Bloom filter over every item row.
    """

    key: str
    joins: str = ""
    count: str = "count(*)"


class Rows(Protocol):
    """Runs a statement: rows readable by column name (sqlite3.Row and psycopg dict rows alike)."""

    def __call__(self, sql: str, params: list[Any]) -> Iterable[Mapping[str, Any]]: ...


ITEMS = Fragment("items AS i", [])
MATCHES = "FROM m JOIN items AS i ON i.rid = m.rid"


def count_items_in_sql(
    rows: Rows,
    where: list[Fragment],
    groups: Mapping[str, Group],
    wanted: Sequence[str],
    vocabulary: Vocabulary,
    source: Fragment = ITEMS,
    matches: str = MATCHES,
) -> ItemCounts:
    """What `core.facets.item_facets` needs, grouped in SQL over the items `where` selects.

    One statement: the matching row ids are found once (`m`, a materialised common table
    expression, so that the search's conditions run once), then grouped per facet. `groups`
    maps platform, instrument, year and concept (the set of an item's own concept URIs, joined
    by `CONCEPT_SET_SEPARATOR` in any order) to each store's SQL for them; `source` is where the
    item rows (`i`) come from, `matches` how a store joins `m` to `items`.
    """
    clause, params = _where_sql(where)
    branches = [f"SELECT 'collection' AS f, i.collection AS c, i.collection AS k, count(*) AS n {matches}"]
    for name, group in groups.items():
        if name in wanted:
            collection = "i.collection" if name == "concept" else "NULL"
            branches.append(
                f"SELECT '{name}', {collection}, {group.key}, {group.count} {matches}{group.joins}"
            )
    # Names pasted in are this module's and the stores' constants; values are parameters.
    sql = f"WITH m AS MATERIALIZED (SELECT i.rid AS rid FROM {source.sql} {clause}) " + " UNION ALL ".join(  # noqa: S608
        f"{branch} GROUP BY 2, 3" for branch in branches
    )
    return _counts(rows(sql, [*source.params, *params]), vocabulary)


def concepts_of_sets(sets: Iterable[tuple[Sequence[str], int]], vocabulary: Vocabulary) -> dict[str, int]:
    """Items per concept (each with its narrower ones) from items per set of their own concepts."""
    counts: Counter[str] = Counter()
    for concepts, n in sets:
        counts.update(dict.fromkeys(vocabulary.closure(concepts), n))
    return dict(counts)


def _counts(rows: Iterable[Mapping[str, Any]], vocabulary: Vocabulary) -> ItemCounts:
    counts = ItemCounts()
    sets: dict[str, list[tuple[list[str], int]]] = {}
    tables: dict[str, dict[Any, int]] = {
        "collection": counts.collections,
        "platform": counts.platforms,
        "instrument": counts.instruments,
        "year": counts.years,
    }
    for row in rows:
        facet, key, n = row["f"], row["k"], int(row["n"])
        if key is None:
            continue
        if facet == "concept":
            sets.setdefault(row["c"], []).append((key.split(CONCEPT_SET_SEPARATOR), n))
        else:
            tables[facet][int(key) if facet == "year" else key] = n
    counts.own_concepts = {c: concepts_of_sets(found, vocabulary) for c, found in sets.items()}
    counts.total = sum(counts.collections.values())
    return counts


def _where_sql(where: Sequence[Fragment]) -> tuple[str, list[Any]]:
    if not where:
        return "", []
    return "WHERE " + " AND ".join(f"({f.sql})" for f in where), [x for f in where for x in f.params]


def all_collections(search: SearchCollections, query: Query) -> list[Collection]:
    """Every collection matching a query, page after page."""
    found: list[Collection] = []
    step = replace(query, limit=PAGE, token=None, fields=None)
    while True:
        page = search(step)
        found.extend(page.records)
        if not page.next_token or not page.records:
            return found
        step = replace(step, token=page.next_token)


def facets_of_collections(
    search: SearchCollections, query: Query, wanted: Sequence[str], vocabulary: Vocabulary
) -> Facets:
    """Facet counts over the collections matching a query."""
    profiles = [profile(c, vocabulary) for c in all_collections(search, query)]
    return collection_facets(profiles, wanted)


def facets_of_items(
    counts: ItemCounts, search: SearchCollections, wanted: Sequence[str], vocabulary: Vocabulary
) -> Facets:
    """Roll a store's item counts up into facets, reading the profiles of their collections."""
    profiles: dict[str, CollectionProfile] = {}
    if counts.collections and any(name in (*INHERITED, "concept") for name in wanted):
        profiles = collection_profiles(search, counts.collections, vocabulary)
    return item_facets(counts, profiles, wanted)


def collection_profiles(
    search: SearchCollections, ids: Iterable[str], vocabulary: Vocabulary
) -> dict[str, CollectionProfile]:
    """The facet profiles of these collections."""
    wanted = tuple(sorted(set(ids)))
    found = all_collections(search, Query(ids=wanted))
    return {c.id: profile(c, vocabulary) for c in found}
