"""Controlled vocabularies (SKOS thesauri): concept schemes, concepts, their labels and relations.

A `Thesaurus` is what one imported file brings; a `Vocabulary` is everything a catalog holds,
with the hierarchy (skos:broader and its inverse skos:narrower) resolved into ancestor and
descendant sets. Labels are compared after `fold`: case, accents and punctuation removed.

Untagged literals (a plain `skos:altLabel "ad"`) are filed under the language tag `und`
(BCP 47 "undetermined").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypeVar, cast

from terrapole.core.errors import InvalidParameter
from terrapole.core.model import LangText

T = TypeVar("T")
UNDETERMINED = "und"
# Relations kept between concepts; skos:narrower is stored as the inverse skos:broader.
BROADER = "broader"
RELATED = "related"
MAPPINGS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
RELATIONS = (BROADER, RELATED, *MAPPINGS)
FALLBACK_LANGUAGES = ("en", UNDETERMINED)

# Letters that Unicode decomposition leaves whole but readers fold (as tantivy's ascii_fold does).
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l"}
)
_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=65_536)  # records repeat the same keywords: fold each once
def fold(text: str) -> str:
    """`text` without case, accents or punctuation, words separated by one space.

    "Température de l'air" and "TEMPERATURE DE L AIR" fold to the same "temperature de l air".
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare.casefold()).strip()


def words(text: str) -> list[str]:
    """The folded words of `text`."""
    return fold(text).split()


class UnknownConcept(InvalidParameter):
    """A search names a concept URI that no imported vocabulary holds."""

    def __init__(self, parameter: str, uri: str) -> None:
        super().__init__(
            parameter, f"unknown concept {uri!r}: no imported vocabulary holds it (see /vocab/schemes)"
        )
        self.uri = uri


@dataclass(frozen=True, slots=True)
class ConceptScheme:
    """A thesaurus: its URI and title per language."""

    uri: str
    title: LangText = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept: preferred label per language, alternative labels, notation, definition."""

    uri: str
    scheme: str | None = None
    pref: LangText = field(default_factory=dict)
    alt: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notation: str | None = None
    definition: LangText = field(default_factory=dict)

    def labels(self) -> Iterable[tuple[str, str, bool]]:
        """Every (language, label, preferred) of the concept, preferred labels first."""
        for lang, label in self.pref.items():
            yield lang, label, True
        for lang, labels in self.alt.items():
            for label in labels:
                yield lang, label, False


@dataclass(frozen=True, slots=True)
class Relation:
    """`source` is `kind` (broader, related or a mapping relation) of `target`."""

    source: str
    kind: str
    target: str


@dataclass(frozen=True, slots=True)
class Thesaurus:
    """What one vocabulary file holds."""

    schemes: tuple[ConceptScheme, ...] = ()
    concepts: tuple[Concept, ...] = ()
    relations: tuple[Relation, ...] = ()


def merge_scheme(old: ConceptScheme | None, new: ConceptScheme) -> ConceptScheme:
    """A scheme seen again: titles of the newer file win language by language."""
    if old is None:
        return new
    return ConceptScheme(new.uri, {**old.title, **new.title})


def merge_concept(old: Concept | None, new: Concept) -> Concept:
    """A concept seen again (a label layer, a newer version): the newer file's preferred labels
    win language by language, alternative labels add up, the scheme stays unless restated."""
    if old is None:
        return new
    alt = {lang: tuple(labels) for lang, labels in old.alt.items()}
    for lang, labels in new.alt.items():
        alt[lang] = tuple(dict.fromkeys([*alt.get(lang, ()), *labels]))
    return Concept(
        uri=new.uri,
        scheme=new.scheme or old.scheme,
        pref={**old.pref, **new.pref},
        alt=alt,
        notation=new.notation or old.notation,
        definition={**old.definition, **new.definition},
    )


def pick_label(labels: LangText, lang: str | None) -> str | None:
    """The label in `lang` (or its primary subtag), else English, untagged, then any."""
    if not labels:
        return None
    wanted = [lang, lang.split("-")[0]] if lang else []
    for tag in (*wanted, *FALLBACK_LANGUAGES):
        if tag and tag in labels:
            return labels[tag]
    return next(iter(labels.values()))


class Vocabulary:
    """Every scheme, concept and relation a catalog holds, with the hierarchy resolved."""

    def __init__(
        self,
        schemes: Iterable[ConceptScheme] = (),
        concepts: Iterable[Concept] = (),
        relations: Iterable[Relation] = (),
        generation: int = 0,
    ) -> None:
        self.schemes = {s.uri: s for s in schemes}
        self.concepts = {c.uri: c for c in concepts}
        self.generation = generation
        self._broader: dict[str, list[str]] = {}
        self._narrower: dict[str, list[str]] = {}
        self._others: dict[str, dict[str, list[str]]] = {}
        for relation in relations:
            self._add(relation)
        self._ancestors: dict[str, frozenset[str]] = {}
        self._derived: dict[Callable[[Vocabulary], Any], Any] = {}
        self._labels: dict[str, tuple[tuple[str, str], ...]] = {}

    def _add(self, relation: Relation) -> None:
        if relation.kind == BROADER:
            self._broader.setdefault(relation.source, []).append(relation.target)
            self._narrower.setdefault(relation.target, []).append(relation.source)
        else:
            self._others.setdefault(relation.source, {}).setdefault(relation.kind, []).append(relation.target)

    def derived(self, build: Callable[[Vocabulary], T]) -> T:
        """What `build` makes of this snapshot (a label index...), made once per snapshot."""
        found = self._derived.get(build)
        if found is None:
            found = self._derived[build] = build(self)
        return cast(T, found)

    def __contains__(self, uri: object) -> bool:
        return uri in self.concepts

    def require(self, uris: Iterable[str], parameter: str = "concept") -> None:
        """Raise UnknownConcept for the first URI that is not a concept of the vocabulary."""
        for uri in uris:
            if uri not in self.concepts:
                raise UnknownConcept(parameter, uri)

    def broader(self, uri: str) -> tuple[str, ...]:
        """The direct broader concepts (within or across schemes)."""
        return tuple(self._broader.get(uri, ()))

    def narrower(self, uri: str) -> tuple[str, ...]:
        """The direct narrower concepts."""
        return tuple(self._narrower.get(uri, ()))

    def related(self, uri: str) -> Mapping[str, tuple[str, ...]]:
        """skos:related and the mapping relations (exactMatch, closeMatch...) of a concept."""
        return {kind: tuple(targets) for kind, targets in self._others.get(uri, {}).items()}

    def ancestors(self, uri: str) -> frozenset[str]:
        """The concept and every concept above it (following broader links, cycles tolerated)."""
        found = self._ancestors.get(uri)
        if found is None:
            found = self._ancestors[uri] = frozenset(_reach(uri, self._broader))
        return found

    def descendants(self, uri: str) -> frozenset[str]:
        """The concept and every concept below it."""
        return frozenset(_reach(uri, self._narrower))

    def closure(self, uris: Iterable[str]) -> frozenset[str]:
        """The concepts the vocabulary holds among `uris`, and all their ancestors."""
        out: set[str] = set()
        for uri in uris:
            if uri in self.concepts:
                out |= self.ancestors(uri)
        return frozenset(out)

    def depth(self, uri: str) -> int:
        """How many broader steps separate the concept from the top of its hierarchy (longest path)."""
        return _depth(uri, self._broader, {})

    def label(self, uri: str, lang: str | None = None) -> str:
        """The preferred label of a concept in `lang` when it has one (else a fallback, else the URI)."""
        concept = self.concepts.get(uri)
        return (pick_label(concept.pref, lang) if concept else None) or uri

    def scheme_title(self, uri: str, lang: str | None = None) -> str:
        """The title of a scheme in `lang` (or a fallback, or its URI)."""
        scheme = self.schemes.get(uri)
        return (pick_label(scheme.title, lang) if scheme else None) or uri

    def all_labels(self, uri: str) -> tuple[tuple[str, str], ...]:
        """(language, label) of every preferred and alternative label of a concept (none if unknown)."""
        found = self._labels.get(uri)
        if found is None:
            concept = self.concepts.get(uri)
            found = tuple((lang, label) for lang, label, _ in concept.labels()) if concept else ()
            self._labels[uri] = found
        return found

    def closure_rows(self) -> list[tuple[str, str]]:
        """(ancestor, concept) for every concept and each of its ancestors, itself included."""
        return [(ancestor, uri) for uri in self.concepts for ancestor in sorted(self.ancestors(uri))]

    @cached_property
    def counts(self) -> dict[str, int]:
        """How many concepts each scheme holds."""
        counted: dict[str, int] = {}
        for concept in self.concepts.values():
            if concept.scheme:
                counted[concept.scheme] = counted.get(concept.scheme, 0) + 1
        return counted


def _reach(start: str, edges: Mapping[str, list[str]]) -> set[str]:
    seen = {start}
    pending = [start]
    while pending:
        for nxt in edges.get(pending.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                pending.append(nxt)
    return seen


def _depth(uri: str, broader: Mapping[str, list[str]], memo: dict[str, int]) -> int:
    # Longest path upwards, memoised; a concept met again on its own path (a cycle) is a top.
    if uri in memo:
        return memo[uri]
    memo[uri] = 0
    parents = broader.get(uri, ())
    memo[uri] = 1 + max((_depth(p, broader, memo) for p in parents), default=-1)
    return memo[uri]
