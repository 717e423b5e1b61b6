"""One page of a harvest into the catalog: sort, parse, merge, write; the harvest tables follow.

For each document of a page: a deleted one is removed; one whose digest (SHA-256 of its bytes)
matches the stored one is unchanged and not parsed again; any other is parsed (a document that
does not parse is reported and skipped: the others go on) and its records replace the ones it
wrote before. Dataset-level records are merged with other poles' copies of the same dataset
(`merge`); items are written under their collections. Catalog writes are idempotent upserts by
id, made before the page is committed to the harvest tables: a harvest stopped in between writes
the same records again when resumed, never twice.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from time import perf_counter

from terrapole.catalog.base import CatalogStore, IngestReport
from terrapole.catalog.records import collection_from_json, collection_to_json
from terrapole.core.errors import CollectionNotFound, NotFound, TerrapoleError
from terrapole.core.model import Collection, Item
from terrapole.harvest import merge
from terrapole.harvest.fetching import FetchedPage, Harvested
from terrapole.harvest.parse import ParsedDocument, parse_document
from terrapole.harvest.report import Failure
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.store import DatasetCopy, HarvestStore, PageCommit
from terrapole.ingest import write_items

# Documents handed to a parsing process at a time (few enough to spread a page over the processes).
PARSE_CHUNK = 50


class PageWriter:
    """Writes the pages of one run of one source."""

    def __init__(
        self,
        catalog: CatalogStore,
        store: HarvestStore,
        source: HarvestSource,
        run_id: int,
        clock: Callable[[], datetime],
        pool: Executor | None = None,
    ) -> None:
        self.catalog = catalog
        self.pool = pool
        self.store = store
        self.source = source
        self.run_id = run_id
        self.clock = clock
        self.priority = source.int_option("priority", 0)

    def write(self, page: FetchedPage, fetch_s: float = 0.0) -> PageCommit:
        """Parse and write one page; the commit to make once the checkpoint is added."""
        started = perf_counter()
        commit = PageCommit(self.run_id, self.source.name, server_time=page.server_time)
        for identifier, reason in page.failures:
            self._fail(commit, identifier, reason)
        documents = list({d.identifier: d for d in page.documents}.values())
        parsed = self._parse([d for d in documents if not d.deleted], commit)
        removed = [d.identifier for d in documents if d.deleted]
        parsed_at = perf_counter()
        self.apply(parsed, removed, commit)
        commit.timings = (fetch_s, parsed_at - started, perf_counter() - parsed_at)
        return commit

    def remove(self, doc_ids: list[str]) -> PageCommit:
        """The commit deleting documents the source no longer lists (after a full listing)."""
        commit = PageCommit(self.run_id, self.source.name, pages=0)
        self.apply({}, doc_ids, commit)
        return commit

    def _parse(self, documents: list[Harvested], commit: PageCommit) -> dict[str, ParsedDocument]:
        digests = self.store.digests(self.source.name, [d.identifier for d in documents])
        changed: list[tuple[Harvested, str]] = []
        for document in documents:
            digest = hashlib.sha256(document.data).hexdigest()
            if document.identifier in digests:
                commit.seen.append(document.identifier)
            if digests.get(document.identifier) == digest:
                commit.counts.unchanged += 1
            else:
                changed.append((document, digest))
        parsed: dict[str, ParsedDocument] = {}
        results = self._parse_all([d for d, _ in changed])
        for (document, digest), result in zip(changed, results, strict=True):
            if isinstance(result, str):  # one bad record is reported and skipped; the others go on
                self._fail(commit, document.identifier, result)
                continue
            if document.identifier in digests:
                commit.counts.updated += 1
            else:
                commit.counts.new += 1
            parsed[document.identifier] = result
            commit.documents.append(
                (
                    document.identifier,
                    document.datestamp,
                    digest,
                    result.format,
                    result.media_type,
                    document.data,
                )
            )
        return parsed

    def _parse_all(self, documents: list[Harvested]) -> list[ParsedDocument | str]:
        """Each document parsed, or why it could not be: in worker processes when there is a pool."""
        now = self.clock()
        if self.pool is None or len(documents) < 2 * PARSE_CHUNK:
            return parse_documents(documents, self.source, now)
        shipped = [d.without_element() for d in documents]
        chunks = [shipped[n : n + PARSE_CHUNK] for n in range(0, len(shipped), PARSE_CHUNK)]
        futures = [self.pool.submit(parse_documents, chunk, self.source, now) for chunk in chunks]
        return [result for future in futures for result in future.result()]

    def apply(self, parsed: dict[str, ParsedDocument], removed: list[str], commit: PageCommit) -> None:
        """Replace what changed and removed documents wrote with what the changed ones hold now."""
        known_removed = list(self.store.digests(self.source.name, removed)) if removed else []
        commit.removed = known_removed
        commit.replaced = list(parsed)
        commit.counts.deleted += len(known_removed)
        old_copies, old_items = self.store.written_by(self.source.name, [*parsed, *known_removed])
        new_copies = [
            (doc_id, merge.copy_of(self.source.name, self.priority, c))
            for doc_id, p in parsed.items()
            for c in p.collections
        ]
        self._merge(old_copies, new_copies, commit)
        self._items(parsed, old_items, commit)

    def _merge(self, old: list[DatasetCopy], new: list[tuple[str, merge.Copy]], commit: PageCommit) -> None:
        stored = self._closure(
            {c.dataset_id for c in old} | {c.dataset_id for _, c in new},
            {c.doi for c in old if c.doi} | {c.doi for _, c in new if c.doi},
        )
        leaving = set(commit.replaced) | set(commit.removed)
        kept = [c for c in stored if not (c.source == self.source.name and c.doc_id in leaving)]
        pool = {(c.source, c.dataset_id): _copy(c) for c in kept}
        pool.update(((c.source, c.dataset_id), c) for _, c in new)
        catalog_ids: dict[tuple[str, str], str] = {}
        records: list[Collection] = []
        for group in merge.groups(pool.values()):
            records.append(merge.merged(group))
            catalog_ids.update(((c.source, c.dataset_id), merge.catalog_id(group)) for c in group)
        commit.regrouped = [
            (c.source, c.dataset_id, cid)
            for c in kept
            if (cid := catalog_ids[(c.source, c.dataset_id)]) != c.collection_id
        ]
        commit.datasets = [_stored(doc_id, c, catalog_ids[(c.source, c.dataset_id)]) for doc_id, c in new]
        self.catalog.upsert_collections(records)
        for stale in {c.collection_id for c in stored} - set(catalog_ids.values()):
            with contextlib.suppress(CollectionNotFound):
                self.catalog.delete_collection(stale)

    def _closure(self, ids: set[str], dois: set[str]) -> list[DatasetCopy]:
        """Every stored copy linked to these identifiers and DOIs, directly or through other copies."""
        found: dict[tuple[str, str], DatasetCopy] = {}
        asked_ids: set[str] = set()
        asked_dois: set[str] = set()
        while ids - asked_ids or dois - asked_dois:
            copies = self.store.copies(ids - asked_ids, dois - asked_dois)
            asked_ids |= ids
            asked_dois |= dois
            found.update(((c.source, c.dataset_id), c) for c in copies)
            ids = asked_ids | {c.dataset_id for c in copies}
            dois = asked_dois | {c.doi for c in copies if c.doi}
        return list(found.values())

    def _items(
        self, parsed: dict[str, ParsedDocument], old: list[tuple[str, str]], commit: PageCommit
    ) -> None:
        items: dict[tuple[str, str], tuple[str, Item]] = {
            (i.collection, i.id): (doc_id, i) for doc_id, p in parsed.items() for i in p.items
        }
        if items:
            report = IngestReport()
            write_items(self.catalog, [item for _, item in items.values()], report)
            for origin, reason in report.failures:
                collection, _, item_id = origin.partition("/")
                doc_id, _ = items.pop((collection, item_id))
                self._unwrite(commit, doc_id, reason)
        commit.items = [(c, i, doc_id) for (c, i), (doc_id, _) in items.items()]
        for collection, item_id in set(old) - set(items):
            with contextlib.suppress(NotFound):
                self.catalog.delete_item(collection, item_id)

    def _unwrite(self, commit: PageCommit, doc_id: str, reason: str) -> None:
        """A parsed document whose records the catalog refused: a failure, not stored as harvested
        (so the next harvest tries it again)."""
        commit.documents = [d for d in commit.documents if d[0] != doc_id]
        if doc_id in commit.seen:
            commit.counts.updated -= 1
        else:
            commit.counts.new -= 1
        self._fail(commit, doc_id, reason)

    def _fail(self, commit: PageCommit, identifier: str, reason: str) -> None:
        commit.failures.append(Failure(identifier, reason))
        commit.counts.failed += 1


def _copy(stored: DatasetCopy) -> merge.Copy:
    """A stored copy, ready to merge."""
    collection = collection_from_json(stored.content)
    return merge.Copy(stored.source, stored.dataset_id, stored.doi, stored.priority, collection)


def _stored(doc_id: str, copy: merge.Copy, collection_id: str) -> DatasetCopy:
    """A copy as the store keeps it."""
    content = collection_to_json(copy.collection).decode()
    return DatasetCopy(copy.source, copy.dataset_id, doc_id, copy.doi, collection_id, copy.priority, content)


def parse_documents(
    documents: list[Harvested], source: HarvestSource, now: datetime
) -> list[ParsedDocument | str]:
    """Each document's records, or the reason it could not be read (run in worker processes too)."""
    results: list[ParsedDocument | str] = []
    for document in documents:
        try:
            result = parse_document(document, source, now)
        except Exception as exc:
            results.append(_reason(exc))
            continue
        results.append(result if result.collections or result.items else "the document holds no record")
    return results


def _reason(exc: Exception) -> str:
    if isinstance(exc, TerrapoleError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"[:1000]
