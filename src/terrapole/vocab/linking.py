"""Linking records' keywords to the concepts of the catalog's vocabularies.

A keyword is linked by its URI when it has one, else by one of its labels in any language,
compared folded (case, accents and punctuation ignored) with the concepts' preferred and
alternative labels. GCMD's path form ("EARTH SCIENCE > OCEANS > OCEAN TEMPERATURE > SEA SURFACE
TEMPERATURE") matches its last label, among concepts whose broader concepts bear the earlier
ones. When the keyword names its thesaurus (by URI or title) and the catalog holds it, only that
thesaurus's concepts are candidates. Among several candidates: a preferred label beats an
alternative one, then the shallower concept, then the scheme and URI in order (so the choice is
the same on every run).

Collections keep their concept references in their keywords' URIs; items get the STAC themes
extension (`properties.themes`), filled from their `keywords` property. `link_records` is the
one call ingest and harvest make.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from terrapole.catalog.base import CatalogStore
from terrapole.core.facets import THEMES_EXTENSION, item_concepts
from terrapole.core.model import Collection, Item, Keyword
from terrapole.core.vocab import Vocabulary, fold, pick_label

_PATH_SEPARATOR = re.compile(r"\s*>\s*")


@dataclass(frozen=True, slots=True, order=True)
class Candidate:
    """A concept one folded label names, ranked by how good a match it is (smaller is better)."""

    alternative: bool
    depth: int
    scheme: str
    uri: str


class ConceptMatcher:
    """Finds the concept a keyword names in one vocabulary snapshot."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._labels: dict[str, list[Candidate]] = {}
        for concept in vocabulary.concepts.values():
            depth = vocabulary.depth(concept.uri)
            for _, label, preferred in concept.labels():
                candidate = Candidate(not preferred, depth, concept.scheme or "", concept.uri)
                self._labels.setdefault(fold(label), []).append(candidate)
        self._schemes = {
            fold(t): s.uri for s in vocabulary.schemes.values() for t in (s.uri, *s.title.values())
        }

    def concept_of(self, keyword: Keyword) -> str | None:
        """The concept URI of a keyword: its own when the vocabulary holds it, else found by label."""
        if keyword.uri:
            return keyword.uri if keyword.uri in self.vocabulary else None
        schemes = self._schemes_named(keyword)
        for label in keyword.label.values():
            found = self.concept_of_label(label, schemes)
            if found:
                return found
        return None

    def concept_of_label(self, text: str, schemes: Sequence[str] = ()) -> str | None:
        """The concept a label names (within `schemes` when given), or None."""
        path = [part for part in _PATH_SEPARATOR.split(text) if part.strip()]
        if not path:
            return None
        candidates = self._labels.get(fold(path[-1]), [])
        if schemes:
            candidates = [c for c in candidates if c.scheme in schemes]
        if len(path) > 1:
            candidates = [c for c in candidates if self._under(c.uri, path[:-1])]
        return min(candidates).uri if candidates else None

    def _under(self, uri: str, broader_labels: Sequence[str]) -> bool:
        """Every label of the path names one of the concept's ancestors."""
        ancestors = self.vocabulary.ancestors(uri) - {uri}
        names = {
            fold(label)
            for a in ancestors
            if (c := self.vocabulary.concepts.get(a))
            for _, label, _ in c.labels()
        }
        return all(fold(label) in names for label in broader_labels)

    def _schemes_named(self, keyword: Keyword) -> tuple[str, ...]:
        named = [keyword.thesaurus_uri, keyword.thesaurus]
        return tuple(dict.fromkeys(s for n in named if n and (s := self._schemes.get(fold(n)))))


def matcher_for(vocabulary: Vocabulary) -> ConceptMatcher:
    """The matcher of a vocabulary snapshot (built once per snapshot: it indexes every label)."""
    return vocabulary.derived(ConceptMatcher)


def link_collection(collection: Collection, matcher: ConceptMatcher) -> Collection:
    """The collection with each keyword that names a concept given that concept's URI and thesaurus."""
    keywords = tuple(link_keyword(k, matcher) for k in collection.keywords)
    return collection if keywords == collection.keywords else replace(collection, keywords=keywords)


def link_keyword(keyword: Keyword, matcher: ConceptMatcher) -> Keyword:
    """A keyword with the URI, thesaurus and thesaurus URI of the concept it names."""
    uri = matcher.concept_of(keyword)
    if uri is None or keyword.uri:
        return keyword
    vocabulary = matcher.vocabulary
    scheme = vocabulary.concepts[uri].scheme
    return Keyword(
        label=keyword.label,
        thesaurus=keyword.thesaurus or (vocabulary.scheme_title(scheme, "en") if scheme else None),
        uri=uri,
        thesaurus_uri=keyword.thesaurus_uri or scheme,
    )


def link_item(item: Item, matcher: ConceptMatcher) -> Item:
    """The item with the concepts its `keywords` name added to its `themes` (STAC themes extension)."""
    keywords = item.properties.get("keywords")
    if not isinstance(keywords, list) or not keywords:
        return item
    known = set(item_concepts(item)) if "themes" in item.properties else set()
    found = [uri for k in keywords if isinstance(k, str) and (uri := matcher.concept_of_label(k))]
    new = [uri for uri in dict.fromkeys(found) if uri not in known]
    if not new:
        return item
    themes = _with_concepts(item.properties.get("themes"), new, matcher.vocabulary)
    extensions = item.stac_extensions
    if THEMES_EXTENSION not in extensions:
        extensions = (*extensions, THEMES_EXTENSION)
    return replace(item, properties={**item.properties, "themes": themes}, stac_extensions=extensions)


def _with_concepts(themes: Any, uris: list[str], vocabulary: Vocabulary) -> list[Any]:
    out = [dict(t) if isinstance(t, Mapping) else t for t in themes] if isinstance(themes, list) else []
    for uri in uris:
        concept = vocabulary.concepts[uri]
        entry = {"id": uri, "title": pick_label(concept.pref, "en") or uri}
        scheme = concept.scheme or ""
        theme = next((t for t in out if isinstance(t, dict) and t.get("scheme") == scheme), None)
        if theme is None:
            theme = {"scheme": scheme, "concepts": []}
            out.append(theme)
        theme["concepts"] = [*theme.get("concepts", []), entry]
    return out


def link_records(
    store: CatalogStore, collections: Iterable[Collection] = (), items: Iterable[Item] = ()
) -> tuple[list[Collection], Iterator[Item]]:
    """Link the keywords of records about to be written to the concepts the catalog holds.

    The one call ingest and harvest make before writing. Items are linked lazily, one at a time
    as the returned iterator is read.
    """
    matcher = matcher_for(store.vocabulary.snapshot())
    if not matcher.vocabulary.concepts:
        return list(collections), iter(items)
    return [link_collection(c, matcher) for c in collections], (link_item(i, matcher) for i in items)
