"""The ranked full-text index: an embedded tantivy index derived from the catalog database.

Why tantivy and not SQLite FTS5: FTS5 scores every match before it can return the best ten
(171 ms for a word present in a quarter of 1,000,000 records on the project machine), while
tantivy's block-max WAND returns the same BM25 top ten in about a millisecond. The index is
derived data: the catalog database is the source of truth, every document carries the row id
it came from, and the store can rebuild the index from the database at any time.

Simple filters (collections, time interval, bounding box, concepts) are pushed down into the
index so that ranked searches combining them stay on the fast path. Its columnar fields
(collection, platform, instruments, year, concepts) also count facets of text searches.

Words are indexed folded (`text_analysis.FOLD`); an index created with `languages` (the
collections') also holds each language's text stemmed, and a query matches when all its words
match under one of the analyses, as in the PostgreSQL store.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from terrapole.catalog.facets import CONCEPT_SET_SEPARATOR
from terrapole.catalog.records import TEXT_LANGUAGES, TextDoc
from terrapole.catalog.text_analysis import FOLD, STEMMED, analyzers
from terrapole.core.errors import InvalidParameter, StorageError
from terrapole.core.model import BBox

ANALYZER_VERSION = "5"  # bump whenever the schema or analysis changes: the index is rebuilt
TITLE_BOOST = 3.0
# Raw (untokenised) fields that facets count (columnar) and filters match.
KEYWORD_FIELDS = ("facet_key", "platform", "instruments")
# `facet_key` is a document's collection and own concepts, one value joined by
# `CONCEPT_SET_SEPARATOR`: facets count each collection and each set of concepts in it at once
# (one columnar value per document is four times cheaper to count than a collection with a
# nested count of concepts).
MIN_TIME, MAX_TIME = -(2**62), 2**62
RELOAD_SECONDS = 0.5
_COMMA_OUTSIDE_QUOTES = re.compile(r',(?=(?:[^"]*"[^"]*")*[^"]*$)')


class TextIndexBusy(StorageError):
    """Another process is writing the text index; it will index what is pending."""


@dataclass(frozen=True, slots=True)
class TextFilters:
    """Filters the index can apply itself while ranking."""

    collections: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()  # collections (of items, or collections themselves) left out
    start: int | None = None
    end: int | None = None
    bbox: BBox | None = None
    # Records at or below one of `concepts`, or (items) in one of `concept_collections`.
    concepts: tuple[str, ...] = ()
    concept_collections: tuple[str, ...] = ()


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("rid", indexed=True, fast=True)
    builder.add_text_field("title", tokenizer_name=FOLD)
    builder.add_text_field("body", tokenizer_name=FOLD)
    for lang in TEXT_LANGUAGES:
        builder.add_text_field(f"title_{lang}", tokenizer_name=STEMMED[lang])
        builder.add_text_field(f"body_{lang}", tokenizer_name=STEMMED[lang])
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    # Filters match these: the collection, and each concept of the record with every broader one.
    builder.add_text_field("collection", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("concepts", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("year", indexed=True, fast=True)
    # Range filters read these columnar fast fields; no inverted index is needed for them.
    for name in ("start", "end"):
        builder.add_integer_field(name, fast=True)
    for name in ("west", "south", "east", "north"):
        builder.add_float_field(name, fast=True)
    return builder.build()


class TextIndex:
    """One tantivy index (items or collections) on disk."""

    def __init__(
        self, path: Path, writable: bool, lock_wait: float = 10.0, languages: tuple[str, ...] = ()
    ) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.schema = _schema()
        self.languages = languages
        self.was_reset = False
        self.index = self._open(path, writable)
        for name, analyzer in analyzers().items():
            self.index.register_tokenizer(name, analyzer)
        self._writer: tantivy.IndexWriter | None = None
        self._writable = writable
        self.lock_wait = lock_wait
        self._lock = threading.Lock()
        self._reloaded = 0.0

    def _open(self, path: Path, writable: bool) -> tantivy.Index:
        try:
            return tantivy.Index(self.schema, path=str(path), reuse=True)
        except ValueError as exc:
            if "schema does not match" not in str(exc):
                raise
        # An index an older terrapole built: derived data, so a writer starts it again (the
        # analyzer version recorded in the database differs too, and the index is rebuilt).
        if not writable:
            raise StorageError(
                f"text index {path} is from an older terrapole; open the catalog writable once"
            )
        TextIndex.reset(path)
        path.mkdir(parents=True, exist_ok=True)
        self.was_reset = True  # the catalog rebuilds it from the database
        return tantivy.Index(self.schema, path=str(path), reuse=True)

    @staticmethod
    def reset(path: Path) -> None:
        """Delete the index files (the caller rebuilds from the database)."""
        shutil.rmtree(path, ignore_errors=True)

    def _ensure_writer(self) -> tantivy.IndexWriter:
        if not self._writable:
            raise RuntimeError("text index opened read-only")
        deadline = time.monotonic() + self.lock_wait
        while self._writer is None:
            try:
                self._writer = self.index.writer(heap_size=128_000_000, num_threads=2)
            except ValueError as exc:  # another process holds the index's writer lock
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    busy = f"text index {self.path} is being written by another process"
                    raise TextIndexBusy(busy) from None
                time.sleep(0.1)
        return self._writer

    def add(self, docs: Sequence[TextDoc], replaced: Iterable[int] = ()) -> None:
        """Add documents; `replaced` row ids are deleted first (updated records)."""
        with self._lock:
            writer = self._ensure_writer()
            for rid in replaced:
                writer.delete_documents_by_term("rid", rid)
            for doc in docs:
                writer.add_document(tantivy.Document.from_dict(_fields(doc), self.schema))

    def delete(self, rids: Iterable[int]) -> None:
        """Remove the documents of deleted records."""
        with self._lock:
            writer = self._ensure_writer()
            for rid in rids:
                writer.delete_documents_by_term("rid", rid)

    def commit(self) -> None:
        """Make pending changes durable and visible."""
        with self._lock:
            if self._writer is not None:
                self._writer.commit()
                self._writer.wait_merging_threads()
                self._writer = None
        self.index.reload()

    def search(
        self, text: str, filters: TextFilters, limit: int, offset: int = 0
    ) -> tuple[list[tuple[float, int]], int]:
        """(score, rid) pairs in ranking order from position `offset`, and the total match count.

        The ranking order is BM25 score, ties broken by the index's own document order; it is
        deterministic while the index does not change.
        """
        query = self._query(text, filters)
        searcher = self._searcher()
        result = searcher.search(query, limit=max(limit, 1), count=True, offset=offset)
        addresses = [address for _, address in result.hits]
        rids = searcher.fast_field_values("rid", addresses) if addresses else []
        hits = [(float(score), _as_int(rid)) for (score, _), rid in zip(result.hits, rids, strict=True)]
        return hits, _count(result)

    def matching_rids(self, text: str, filters: TextFilters) -> list[int]:
        """Every matching row id (for searches ordered by something other than relevance)."""
        query = self._query(text, filters)
        searcher = self._searcher()
        count = _count(searcher.search(query, limit=1, count=True))
        if not count:
            return []
        result = searcher.search(query, limit=count, count=False)
        addresses = [address for _, address in result.hits]
        return [_as_int(rid) for rid in searcher.fast_field_values("rid", addresses)]

    def aggregate(self, text: str | None, filters: TextFilters, request: dict[str, Any]) -> dict[str, Any]:
        """Run a tantivy aggregation request over the documents a search matches."""
        query = self._query(text, filters)
        result: dict[str, Any] = self._searcher().aggregate(query, request)
        return result

    def count(self, text: str | None, filters: TextFilters) -> int:
        """How many documents a search matches."""
        return _count(self._searcher().search(self._query(text, filters), limit=1, count=True))

    def num_docs(self) -> int:
        """How many documents the index holds."""
        return int(self._searcher().num_docs)

    def _searcher(self) -> tantivy.Searcher:
        now = time.monotonic()
        if now - self._reloaded > RELOAD_SECONDS:
            self.index.reload()
            self._reloaded = now
        return self.index.searcher()

    def _query(self, text: str | None, filters: TextFilters) -> tantivy.Query:
        matching = self._text_query(text) if text else tantivy.Query.all_query()
        parts = [(tantivy.Occur.Must, matching)]
        # Filters must not change the ranking: they score zero.
        parts.extend(
            (tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0))
            for q in self._filter_queries(filters)
        )
        if filters.hidden:
            hidden = tantivy.Query.term_set_query(self.schema, "collection", list(filters.hidden))
            parts.append((tantivy.Occur.MustNot, hidden))
        if len(parts) == 1:
            return parts[0][1]
        return tantivy.Query.boolean_query(parts)

    def _text_query(self, text: str) -> tantivy.Query:
        groups = [g.strip() for g in _COMMA_OUTSIDE_QUOTES.split(text) if g.strip()]
        if not groups:
            raise InvalidParameter("q", "empty free-text query")
        expression = " OR ".join(f"({g})" for g in groups) if len(groups) > 1 else groups[0]
        suffixes = ["", *(f"_{lang}" for lang in self.languages)]
        # One reading per analysis (folded words, then each language's stems): a document matches
        # when every word of a group matches under one of them.
        readings = [self._parse(expression, f"title{s}", f"body{s}") for s in suffixes]
        if len(readings) == 1:
            return readings[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in readings])

    def _parse(self, expression: str, title: str, body: str) -> tantivy.Query:
        # Lenient parsing: what users type (stray quotes, dangling AND) never fails a search.
        query, _errors = self.index.parse_query_lenient(
            expression, [title, body], field_boosts={title: TITLE_BOOST}, conjunction_by_default=True
        )
        return query

    def _filter_queries(self, filters: TextFilters) -> list[tantivy.Query]:
        queries = []
        if filters.collections:
            queries.append(tantivy.Query.term_set_query(self.schema, "collection", list(filters.collections)))
        if filters.end is not None:
            queries.append(self._range("start", None, filters.end, tantivy.FieldType.Integer))
        if filters.start is not None:
            queries.append(self._range("end", filters.start, None, tantivy.FieldType.Integer))
        box = filters.bbox
        if box is not None and not box.crosses_antimeridian:
            queries.append(self._range("west", None, box.east, tantivy.FieldType.Float))
            queries.append(self._range("east", box.west, None, tantivy.FieldType.Float))
            queries.append(self._range("south", None, box.north, tantivy.FieldType.Float))
            queries.append(self._range("north", box.south, None, tantivy.FieldType.Float))
        if filters.concepts:
            queries.append(self._concepts(filters))
        return queries

    def _concepts(self, filters: TextFilters) -> tantivy.Query:
        own = tantivy.Query.term_set_query(self.schema, "concepts", list(filters.concepts))
        if not filters.concept_collections:
            return own
        inherited = tantivy.Query.term_set_query(self.schema, "collection", list(filters.concept_collections))
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, own), (tantivy.Occur.Should, inherited)])

    def _range(
        self, field: str, lower: float | None, upper: float | None, kind: tantivy.FieldType
    ) -> tantivy.Query:
        return tantivy.Query.range_query(self.schema, field, kind, lower, upper)


def _count(result: tantivy.SearchResult) -> int:
    # `count` is missing from the bindings' type stubs.
    return int(getattr(result, "count", 0) or 0)


def _as_int(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"text index returned a non-integer row id {value!r}")
    return value


def _fields(doc: TextDoc) -> dict[str, object]:
    box = doc.bbox
    if box is None or box.crosses_antimeridian:
        west, south, east, north = -180.0, -90.0, 180.0, 90.0
    else:
        west, south, east, north = box.west, box.south, box.east, box.north
    fields: dict[str, object] = {
        "rid": int(doc.rid),
        "title": doc.title,
        "body": doc.body,
        "collection": doc.collection,
        "start": MIN_TIME if doc.start is None else doc.start,
        "end": MAX_TIME if doc.end is None else doc.end,
        "west": float(west),
        "south": float(south),
        "east": float(east),
        "north": float(north),
    }
    for lang, (title, body) in doc.languages.items():
        fields[f"title_{lang}"], fields[f"body_{lang}"] = title, body
    # Missing values are left out: tantivy refuses null field values.
    if doc.concepts:
        fields["concepts"] = list(doc.concepts)
    fields["facet_key"] = CONCEPT_SET_SEPARATOR.join([doc.collection, *sorted(doc.own_concepts)])
    if doc.instruments:
        fields["instruments"] = list(doc.instruments)
    if doc.platform is not None:
        fields["platform"] = doc.platform
    if doc.year is not None:
        fields["year"] = doc.year
    return fields
