"""Facet counts both stores compute alike: collection facets from the matching collections'
records, and the roll-up of item counts through the profiles of their collections."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

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
