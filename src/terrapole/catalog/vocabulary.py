"""Vocabularies in the catalog database: the contract both stores fulfil, and what they share.

Each store keeps schemes, concepts (labels as JSON) and relations in tables of its own database,
plus the hierarchy's closure (every concept with each of its ancestors) that searches join to
expand a concept into its narrower ones. Records refer to concepts through small integer ids
(`vocab_uris`), in `collection_concepts` and `item_concepts`.

A `Vocabulary` snapshot of the tables is built in memory and kept until another import changes
the `vocab_generation` counter; matching keywords, suggestions, facets and text indexing read it.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import orjson

from terrapole.core.filter import properties_of
from terrapole.core.query import Query
from terrapole.core.vocab import (
    Concept,
    ConceptScheme,
    Relation,
    Thesaurus,
    Vocabulary,
    merge_concept,
    merge_scheme,
)

C = TypeVar("C")
GENERATION_KEY = "vocab_generation"
CONCEPT_QUERYABLE = "concept"
CONCEPT_QUERYABLE_SCHEMA: dict[str, Any] = {
    "description": "Concept URI of a controlled vocabulary (the concept or any narrower one matches)",
    "type": "string",
    "format": "uri",
}


# Concepts at or below one of `{values}` (concept URIs, bound one placeholder each), and the
# records that refer to one of them: collections through their keywords, items themselves or
# through their collection. Plain SQL that both stores run; `c` and `i` are their table aliases.
NARROWER = (
    "SELECT cl.concept FROM vocab_closure AS cl JOIN vocab_uris AS u ON u.id = cl.ancestor "
    "WHERE u.uri IN ({values})"
)
COLLECTION_MEMBERSHIP = (
    "c.id IN (SELECT cc.collection FROM collection_concepts AS cc "  # noqa: S608
    f"WHERE cc.concept IN ({NARROWER}))"
)
ITEM_MEMBERSHIP = (
    "(i.collection IN (SELECT cc.collection FROM collection_concepts AS cc "  # noqa: S608
    f"WHERE cc.concept IN ({NARROWER})) "
    f"OR i.rid IN (SELECT ic.rid FROM item_concepts AS ic WHERE ic.concept IN ({NARROWER})))"
)

# The same items as one set of row ids (PostgreSQL): the items of the collections come from the
# (collection, ...) index, and the planner joins the set to the items (or to an index holding
# what it needs) instead of testing two hashed sub-plans on every item row.
ITEM_MEMBERSHIP_BY_ROW = (
    f"i.rid IN (SELECT ic.rid FROM item_concepts AS ic WHERE ic.concept IN ({NARROWER}) "  # noqa: S608
    "UNION ALL SELECT ci.rid FROM items AS ci WHERE ci.collection IN (SELECT cc.collection "
    f"FROM collection_concepts AS cc WHERE cc.concept IN ({NARROWER})))"
)


@dataclass(frozen=True, slots=True)
class SaveReport:
    """What an import changed: schemes and concepts written, relations added, records re-indexed."""

    schemes: int
    concepts: int
    relations: int
    reindexed: int


class VocabularyStore(Protocol):
    """The vocabularies a catalog holds."""

    def save(self, thesaurus: Thesaurus) -> SaveReport:
        """Merge a thesaurus into the catalog's vocabularies (labels of known concepts are
        merged, relations added), then re-index the records whose concepts changed."""
        ...

    def snapshot(self) -> Vocabulary:
        """Every scheme, concept and relation, as of the last import."""
        ...


@dataclass(frozen=True, slots=True)
class Merged:
    """The rows an import writes: merged schemes and concepts, and new relations."""

    schemes: list[ConceptScheme]
    concepts: list[Concept]
    relations: list[Relation]


def merge(current: Vocabulary, thesaurus: Thesaurus) -> Merged:
    """The schemes and concepts of `thesaurus` merged with what the catalog holds."""
    schemes: dict[str, ConceptScheme] = {}
    for scheme in thesaurus.schemes:
        schemes[scheme.uri] = merge_scheme(schemes.get(scheme.uri) or current.schemes.get(scheme.uri), scheme)
    concepts: dict[str, Concept] = {}
    for concept in thesaurus.concepts:
        known = concepts.get(concept.uri) or current.concepts.get(concept.uri)
        concepts[concept.uri] = merge_concept(known, concept)
        named = concepts[concept.uri].scheme
        if named and named not in schemes and named not in current.schemes:
            schemes[named] = ConceptScheme(named)
    return Merged(list(schemes.values()), list(concepts.values()), list(dict.fromkeys(thesaurus.relations)))


def changed_concepts(before: Vocabulary, after: Vocabulary) -> list[str]:
    """Concepts whose labels or ancestors differ: records referring to them need re-indexing."""
    return sorted(
        uri
        for uri, concept in after.concepts.items()
        if before.concepts.get(uri) != concept or before.ancestors(uri) != after.ancestors(uri)
    )


def concept_json(concept: Concept) -> str:
    """The stored JSON of a concept's labels, notation and definition."""
    body = {
        "pref": concept.pref,
        "alt": concept.alt,
        "notation": concept.notation,
        "definition": concept.definition,
    }
    return orjson.dumps(body).decode()


def concept_from_row(uri: str, scheme: str | None, content: str | bytes) -> Concept:
    """Inverse of `concept_json`."""
    body = orjson.loads(content)
    alt = {lang: tuple(labels) for lang, labels in (body.get("alt") or {}).items()}
    pref, definition = body.get("pref") or {}, body.get("definition") or {}
    return Concept(uri, scheme, pref, alt, body.get("notation"), definition)


def scheme_from_row(uri: str, title: str | bytes) -> ConceptScheme:
    """A scheme from its stored row."""
    return ConceptScheme(uri, orjson.loads(title))


def query_concepts(query: Query) -> list[tuple[str, str]]:
    """(parameter, URI) of every concept a query names: `concept` and `concept` in CQL2 filters."""
    named = [("concept", uri) for uri in query.concepts]
    if query.filter is not None and CONCEPT_QUERYABLE in set(properties_of(query.filter.expression)):
        named.extend(("filter", uri) for uri in _filter_literals(query.filter.expression))
    return named


def require_known(vocabulary: Vocabulary, query: Query) -> None:
    """Raise UnknownConcept (a 400 naming the parameter) for a concept no vocabulary holds."""
    for parameter, uri in query_concepts(query):
        vocabulary.require([uri], parameter)


def _filter_literals(node: Any) -> Iterable[str]:
    """String literals compared with the `concept` property anywhere in a CQL2-JSON tree."""
    if isinstance(node, Mapping):
        args = node.get("args")
        if isinstance(args, list):
            if any(isinstance(a, Mapping) and a.get("property") == CONCEPT_QUERYABLE for a in args):
                for arg in args:
                    values = arg if isinstance(arg, list) else [arg]
                    yield from (v for v in values if isinstance(v, str))
            for arg in args:
                yield from _filter_literals(arg)


class StoredVocabulary(ABC, Generic[C]):
    """What both stores' `VocabularyStore`s share: the snapshot cache and the course of an import.

    A store supplies how to read and write its tables over its own connections (`C`).
    """

    def __init__(
        self,
        read: Callable[[], AbstractContextManager[C]],
        transaction: Callable[[], AbstractContextManager[C]],
    ) -> None:
        self._read = read
        self._transaction = transaction
        self._cache = SnapshotCache(self._current_generation, self._current)

    def snapshot(self) -> Vocabulary:
        """Every scheme, concept and relation, as of the last import."""
        return self._cache.get()

    def save(self, thesaurus: Thesaurus) -> SaveReport:
        """Merge a thesaurus into the catalog, then re-index the records whose concepts changed."""
        with self._transaction() as conn:
            self.lock(conn)
            before = self.load(conn, None)
            merged = merge(before, thesaurus)
            relations = self.write(conn, merged)
            after = self.load(conn, before.generation + 1)
            self.write_closure(conn, after)
            reindexed = self.reindex(conn, changed_concepts(before, after), after)
            self.set_generation(conn, after.generation)
        self.saved()
        return SaveReport(len(merged.schemes), len(merged.concepts), relations, reindexed)

    def _current_generation(self) -> int:
        with self._read() as conn:
            return self.generation(conn)

    def _current(self, generation: int) -> Vocabulary:
        with self._read() as conn:
            return self.load(conn, generation)

    def lock(self, conn: C) -> None:
        """Wait for other imports to end (the write transaction may be enough)."""

    def saved(self) -> None:
        """After an import is committed."""

    @abstractmethod
    def load(self, conn: C, generation: int | None) -> Vocabulary:
        """The tables as a snapshot, labelled with `generation` (read from the tables when None)."""

    @abstractmethod
    def generation(self, conn: C) -> int:
        """The generation counter (0 before any import)."""

    @abstractmethod
    def set_generation(self, conn: C, generation: int) -> None:
        """Store the generation counter."""

    @abstractmethod
    def write(self, conn: C, merged: Merged) -> int:
        """Write merged schemes and concepts and new relations; returns the relations added."""

    @abstractmethod
    def write_closure(self, conn: C, vocabulary: Vocabulary) -> None:
        """Replace the closure table by the vocabulary's."""

    @abstractmethod
    def reindex(self, conn: C, changed: list[str], vocabulary: Vocabulary) -> int:
        """Re-index the records that refer to changed concepts; returns how many."""


class SnapshotCache:
    """One `Vocabulary` per store, rebuilt when the generation counter moves."""

    def __init__(self, generation: Callable[[], int], load: Callable[[int], Vocabulary]) -> None:
        self._generation = generation
        self._load = load
        self._lock = threading.Lock()
        self._current = Vocabulary()
        self._loaded = False

    def get(self) -> Vocabulary:
        """The snapshot of the current generation."""
        generation = self._generation()
        current = self._current
        if self._loaded and current.generation == generation:
            return current
        with self._lock:
            if not self._loaded or self._current.generation != generation:
                self._current = self._load(generation)
                self._loaded = True
            return self._current
