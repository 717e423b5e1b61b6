"""Importing vocabularies into a catalog: the thesauri, then the links of stored collections.

After an import, collections already in the catalog are linked again (a keyword that named no
known concept may name one now), and the store re-indexes the records whose concepts changed
labels or place in the hierarchy. Items are linked when they are ingested: ingest them again to
link items stored before their vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from terrapole.catalog.base import CatalogStore
from terrapole.catalog.facets import all_collections
from terrapole.core.query import Query
from terrapole.core.vocab import Thesaurus
from terrapole.vocab.linking import link_collection, matcher_for
from terrapole.vocab.reader import read_file


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did."""

    schemes: int
    concepts: int
    relations: int
    reindexed: int
    relinked: int


def import_thesauri(store: CatalogStore, thesauri: Iterable[Thesaurus]) -> ImportReport:
    """Merge thesauri into the catalog (as one import), then link the stored collections again."""
    combined = Thesaurus()
    for one in thesauri:
        combined = Thesaurus(
            (*combined.schemes, *one.schemes),
            (*combined.concepts, *one.concepts),
            (*combined.relations, *one.relations),
        )
    saved = store.vocabulary.save(combined)
    relinked = relink_collections(store)
    return ImportReport(saved.schemes, saved.concepts, saved.relations, saved.reindexed, relinked)


def import_files(
    store: CatalogStore, paths: Iterable[Path], base: str | None = None, scheme: str | None = None
) -> ImportReport:
    """Read vocabulary files (SKOS or GCMD CSV) and import them as one."""
    return import_thesauri(store, [read_file(path, base, scheme) for path in paths])


def relink_collections(store: CatalogStore) -> int:
    """Link the keywords of every stored collection again; returns how many collections changed."""
    matcher = matcher_for(store.vocabulary.snapshot())
    changed = []
    for collection in all_collections(store.search_collections, Query()):
        linked = link_collection(collection, matcher)
        if linked != collection:
            changed.append(linked)
    return store.upsert_collections(changed) if changed else 0
