"""Facets: how many records of a search fall in each pole, collection, concept, platform,
instrument, licence, access level and year.

Stores count what only they can count fast (matching items per collection, platform,
instrument, year, and per collection the concepts items carry themselves); everything an item
inherits from its collection (pole, licence, access level, the collection's concepts) is rolled
up here from those counts, so that every store gives the same answer.

Concept counts are hierarchical: a record counts for each of its concepts and every broader
one, once, whether it carries the concept itself or through its collection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from terrapole.core.errors import InvalidParameter
from terrapole.core.model import Collection, Item
from terrapole.core.vocab import Vocabulary

FACETS = ("pole", "collection", "concept", "platform", "instrument", "license", "access", "year")
# Facets an item takes from its collection.
INHERITED = ("pole", "license", "access")
THEMES_EXTENSION = "https://stac-extensions.github.io/themes/v1.0.0/schema.json"


def parse_facets(names: Iterable[str], parameter: str = "aggregations") -> tuple[str, ...]:
    """Facet names, checked (an empty list means all of them)."""
    wanted = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
    for name in wanted:
        if name not in FACETS:
            raise InvalidParameter(parameter, f"unknown facet {name!r}; use some of {', '.join(FACETS)}")
    return wanted or FACETS


@dataclass(frozen=True, slots=True)
class Facets:
    """The number of matching records, and per facet the number of records per value."""

    total: int
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def buckets(self, name: str) -> list[tuple[str, int]]:
        """The (value, count) pairs of a facet, largest counts first, then by value."""
        return sorted(self.counts.get(name, {}).items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True, slots=True)
class CollectionProfile:
    """What a collection contributes to facets, and what its items inherit from it.

    `concepts` is the closure of the collection's concepts: each one and all broader ones.
    """

    id: str
    pole: str | None
    license: str | None
    access: str | None
    concepts: frozenset[str] = frozenset()
    platforms: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    year: int | None = None


@dataclass(slots=True)
class ItemCounts:
    """What a store counts over the items matching a search.

    `own_concepts[c][k]` is how many matching items of collection `c` carry concept `k`, or a
    narrower one, themselves (not through their collection).
    """

    total: int = 0
    collections: dict[str, int] = field(default_factory=dict)
    platforms: dict[str, int] = field(default_factory=dict)
    instruments: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)
    own_concepts: dict[str, dict[str, int]] = field(default_factory=dict)


def collection_concepts(collection: Collection) -> tuple[str, ...]:
    """The concept URIs a collection refers to: those of its keywords."""
    return tuple(dict.fromkeys(k.uri for k in collection.keywords if k.uri))


def item_concepts(item: Item) -> tuple[str, ...]:
    """The concept URIs an item refers to: the ids of its `themes` concepts that are URIs
    (STAC themes extension)."""
    found: list[str] = []
    for theme in _list(item.properties.get("themes")):
        if isinstance(theme, Mapping):
            for concept in _list(theme.get("concepts")):
                uri = concept.get("id") if isinstance(concept, Mapping) else None
                if isinstance(uri, str) and _is_uri(uri):
                    found.append(uri)
    return tuple(dict.fromkeys(found))


def item_strings(item: Item, name: str) -> tuple[str, ...]:
    """The string values of an item property holding a string or a list of strings."""
    return tuple(dict.fromkeys(v for v in _list(item.properties.get(name)) if isinstance(v, str)))


def profile(collection: Collection, vocabulary: Vocabulary) -> CollectionProfile:
    """The facet profile of a collection."""
    summaries = collection.summaries
    start = collection.extent.start
    return CollectionProfile(
        id=collection.id,
        pole=collection.pole,
        license=collection.license,
        access=collection.access,
        concepts=vocabulary.closure(collection_concepts(collection)),
        platforms=_summary_strings(summaries.get("platform")),
        instruments=_summary_strings(summaries.get("instruments")),
        year=start.year if start else None,
    )


def item_facets(
    counts: ItemCounts, profiles: Mapping[str, CollectionProfile], wanted: Sequence[str]
) -> Facets:
    """Roll item counts up into facets, with what items inherit from their collections."""
    out: dict[str, Mapping[str, int]] = {}
    for name in wanted:
        if name == "collection":
            out[name] = dict(counts.collections)
        elif name in INHERITED:
            out[name] = _inherited(counts.collections, profiles, name)
        elif name == "concept":
            out[name] = _item_concepts(counts, profiles)
        elif name == "platform":
            out[name] = dict(counts.platforms)
        elif name == "instrument":
            out[name] = dict(counts.instruments)
        elif name == "year":
            out[name] = {str(year): n for year, n in counts.years.items()}
    return Facets(counts.total, out)


def collection_facets(profiles: Sequence[CollectionProfile], wanted: Sequence[str]) -> Facets:
    """Facets of matching collections, each counted once per value it has."""
    out: dict[str, Mapping[str, int]] = {}
    for name in wanted:
        counter: Counter[str] = Counter()
        for one in profiles:
            counter.update(v for v in dict.fromkeys(_profile_values(one, name)) if v)
        out[name] = dict(counter)
    return Facets(len(profiles), out)


def _profile_values(one: CollectionProfile, name: str) -> Sequence[str | None]:
    if name == "collection":
        return [one.id]
    if name == "concept":
        return sorted(one.concepts)
    if name == "platform":
        return one.platforms
    if name == "instrument":
        return one.instruments
    if name == "year":
        return [str(one.year) if one.year is not None else None]
    value: str | None = getattr(one, name)  # pole, license, access
    return [value]


def _inherited(
    by_collection: Mapping[str, int], profiles: Mapping[str, CollectionProfile], name: str
) -> dict[str, int]:
    counter: Counter[str] = Counter()
    for collection, n in by_collection.items():
        one = profiles.get(collection)
        value = getattr(one, name) if one else None
        if value:
            counter[value] += n
    return dict(counter)


def _item_concepts(counts: ItemCounts, profiles: Mapping[str, CollectionProfile]) -> dict[str, int]:
    counter: Counter[str] = Counter()
    for collection, n in counts.collections.items():
        one = profiles.get(collection)
        for concept in one.concepts if one else ():
            counter[concept] += n
    for collection, own in counts.own_concepts.items():
        one = profiles.get(collection)
        inherited = one.concepts if one else frozenset()
        # An item counts once for a concept it has both itself and through its collection.
        counter.update({concept: n for concept, n in own.items() if concept not in inherited})
    return dict(counter)


def _summary_strings(value: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in _list(value) if isinstance(v, str)))


def _list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _is_uri(text: str) -> bool:
    return "://" in text or text.startswith("urn:")
