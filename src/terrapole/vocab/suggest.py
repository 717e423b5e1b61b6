"""Autocomplete over concept labels: what a user has typed, completed into concepts.

Every preferred and alternative label of every concept is indexed by its folded words (case,
accents and punctuation removed), in one sorted list searched by prefix. A label matches when
each typed word begins one of its words ("temp surf" matches "sea surface temperature"). Matches
rank by how well the label matches (the whole label typed, then the label's start, then any
words), then by language (the one asked for, then English and untagged labels, then others), then
by use (concepts more of the catalog's collections refer to, themselves or through narrower
concepts, first), then preferred before alternative labels, then shorter labels first. Above all
that, concepts the catalog uses (and a label typed whole) come before unused ones: "temp" in
English offers SEA SURFACE TEMPERATURE, which finds datasets, before TEMPERATURE TRENDS, which
finds none. Each
concept appears once, with its best label; concepts of one scheme sharing a label (GCMD repeats
labels under several topics) appear once, as the best of them.

Why our own index: the vocabularies are small (thousands of concepts) and change only by import,
so an in-memory index rebuilt per vocabulary snapshot answers in well under a millisecond on
either store, with the same ranking on both.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from terrapole.core.errors import InvalidParameter
from terrapole.core.vocab import FALLBACK_LANGUAGES, Vocabulary, fold, pick_label

MAX_CANDIDATES = 20_000
MATCHES = ("exact", "prefix", "words")


@dataclass(frozen=True, slots=True)
class Label:
    """One label of one concept, as indexed."""

    uri: str
    scheme: str
    lang: str
    text: str
    folded: str
    preferred: bool


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A concept completing what was typed: the label that matched, and how it matched."""

    uri: str
    scheme: str
    label: str
    lang: str
    preferred: bool
    match: str


class SuggestIndex:
    """The labels of one vocabulary snapshot, searchable by word prefix."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.labels: list[Label] = []
        words: list[tuple[str, int]] = []
        for concept in vocabulary.concepts.values():
            for lang, text, preferred in concept.labels():
                folded = fold(text)
                if not folded:
                    continue
                self.labels.append(Label(concept.uri, concept.scheme or "", lang, text, folded, preferred))
                words.extend((word, len(self.labels) - 1) for word in set(folded.split()))
        words.sort()
        self._words = [word for word, _ in words]
        self._owners = [owner for _, owner in words]

    def suggest(
        self,
        typed: str,
        lang: str | None = None,
        limit: int = 10,
        schemes: Sequence[str] = (),
        usage: Mapping[str, int] | None = None,
    ) -> list[Suggestion]:
        """The best `limit` concepts completing `typed`, in `lang` when labels exist in it.

        `usage` counts, per concept, the records that refer to it or to a narrower concept.
        """
        query = fold(typed)
        if not query:
            raise InvalidParameter("q", "type at least one letter or digit")
        best = self._best_labels(query, lang, schemes, usage or {})
        ranked = sorted(best.values(), key=lambda pair: (pair[0], pair[1].folded, pair[1].uri))
        seen: set[tuple[str, str]] = set()
        found: list[Suggestion] = []
        for rank, label in ranked:
            if (label.folded, label.scheme) not in seen and len(found) < limit:
                seen.add((label.folded, label.scheme))
                found.append(_suggestion(label, rank[1]))
        return found

    def _best_labels(
        self, query: str, lang: str | None, schemes: Sequence[str], used: Mapping[str, int]
    ) -> dict[str, tuple[tuple[int, ...], Label]]:
        """Per concept, its best matching label and that label's rank key."""
        wanted = query.split()
        best: dict[str, tuple[tuple[int, ...], Label]] = {}
        for label in self._candidates(max(wanted, key=len)):
            match = _match(label.folded, query, wanted)
            if match is None or (schemes and label.scheme not in schemes):
                continue
            uses = used.get(label.uri, 0)
            key = (
                int(match > 0 and not uses),  # an exact label, or a concept in use, leads to results
                match,
                _language_rank(label.lang, lang),
                -uses,
                int(not label.preferred),
                len(label.folded),
            )
            known = best.get(label.uri)
            if known is None or (key, label.folded) < (known[0], known[1].folded):
                best[label.uri] = (key, label)
        return best

    def _candidates(self, prefix: str) -> list[Label]:
        start = bisect.bisect_left(self._words, prefix)
        owners: set[int] = set()
        for index in range(start, min(len(self._words), start + MAX_CANDIDATES)):
            if not self._words[index].startswith(prefix):
                break
            owners.add(self._owners[index])
        return [self.labels[i] for i in sorted(owners)]


def _match(folded: str, query: str, wanted: list[str]) -> int | None:
    """How a label matches: 0 the whole label, 1 its start, 2 word prefixes; None when it does not."""
    if folded == query:
        return 0
    if folded.startswith(query):
        return 1
    words = folded.split()
    if all(any(word.startswith(w) for word in words) for w in wanted):
        return 2
    return None


def _language_rank(label_lang: str, wanted: str | None) -> int:
    primary = label_lang.split("-")[0]
    if wanted and primary == wanted.split("-")[0].lower():
        return 0
    return 1 if primary in FALLBACK_LANGUAGES else 2


def _suggestion(label: Label, match: int) -> Suggestion:
    return Suggestion(label.uri, label.scheme, label.text, label.lang, label.preferred, MATCHES[match])


def suggest_index(vocabulary: Vocabulary) -> SuggestIndex:
    """The suggestion index of a vocabulary snapshot (built once per snapshot)."""
    return vocabulary.derived(SuggestIndex)


def display_label(vocabulary: Vocabulary, uri: str, lang: str | None) -> str | None:
    """The preferred label of a concept in `lang` (or its fallback)."""
    concept = vocabulary.concepts.get(uri)
    return pick_label(concept.pref, lang) if concept else None
