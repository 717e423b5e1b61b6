"""The contract every catalog store fulfils, whatever the database behind it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from terrapole.catalog.vocabulary import CONCEPT_QUERYABLE, CONCEPT_QUERYABLE_SCHEMA, VocabularyStore
from terrapole.core.facets import Facets
from terrapole.core.model import Collection, Item
from terrapole.core.query import Page, Query

CORE_ITEM_QUERYABLES: dict[str, dict[str, Any]] = {
    "id": {"description": "Item identifier", "type": "string"},
    "collection": {"description": "Collection identifier", "type": "string"},
    "datetime": {"description": "Nominal date-time", "type": "string", "format": "date-time"},
    "start_datetime": {"description": "Start of the period", "type": "string", "format": "date-time"},
    "end_datetime": {"description": "End of the period", "type": "string", "format": "date-time"},
    "geometry": {"description": "Footprint", "$ref": "https://geojson.org/schema/Geometry.json"},
    CONCEPT_QUERYABLE: CONCEPT_QUERYABLE_SCHEMA,
}

CORE_COLLECTION_QUERYABLES: dict[str, dict[str, Any]] = {
    "id": {"description": "Collection identifier", "type": "string"},
    "title": {"description": "Title", "type": "string"},
    "description": {"description": "Description", "type": "string"},
    "license": {"description": "Licence (SPDX identifier)", "type": "string"},
    "pole": {"description": "Thematic data centre", "type": "string"},
    "datetime": {"description": "Temporal extent", "type": "string", "format": "date-time"},
    "start_datetime": {
        "description": "Start of the temporal extent",
        "type": "string",
        "format": "date-time",
    },
    "end_datetime": {"description": "End of the temporal extent", "type": "string", "format": "date-time"},
    "geometry": {"description": "Spatial extent", "$ref": "https://geojson.org/schema/Geometry.json"},
    CONCEPT_QUERYABLE: CONCEPT_QUERYABLE_SCHEMA,
    "type": {"description": "Resource type (ISO 19115 scope: dataset, series, service...)", "type": "string"},
    "keywords": {"description": "Keywords, topic categories and themes, joined by '; '", "type": "string"},
    "organisation": {"description": "Responsible organisations, joined by '; '", "type": "string"},
    "formats": {"description": "Distribution formats, joined by '; '", "type": "string"},
    "language": {"description": "Language of the resource", "type": "string"},
    "parent_identifier": {"description": "Identifier of the parent record (series)", "type": "string"},
    "created": {"description": "Creation date of the resource", "type": "string", "format": "date-time"},
    "published": {"description": "Publication date of the resource", "type": "string", "format": "date-time"},
    "revised": {"description": "Revision date of the resource", "type": "string", "format": "date-time"},
    "updated": {"description": "Date of the metadata record", "type": "string", "format": "date-time"},
    "anytext": {"description": "Every word of the record, lowercased", "type": "string"},
}


def item_queryables_schema(recorded: Iterable[tuple[str, str]]) -> dict[str, Mapping[str, Any]]:
    """The core item queryables plus the (name, JSON type) pairs a store recorded at ingest."""
    properties: dict[str, Mapping[str, Any]] = dict(CORE_ITEM_QUERYABLES)
    for name, kind in recorded:
        properties.setdefault(name, {"title": name, "type": kind})
    return properties


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: how many records were written, and which were refused and why."""

    collections: int = 0
    items: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


ChangeKey = tuple[datetime, str]
"""Where a list of changes stands: the (datestamp, id) of the last change delivered."""


@dataclass(frozen=True, slots=True)
class ChangeScope:
    """Which collections a list of changes covers (an OAI-PMH set): by default all of them.

    `pole` keeps those of one pole, `any_pole` those that belong to some pole, `parent` the
    members of one series (collections whose record names it as their parent); `hidden` names
    collections left out (those access control hides from the asker).
    """

    pole: str | None = None
    any_pole: bool = False
    parent: str | None = None
    hidden: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CollectionChange:
    """The last change of one collection: its datestamp (UTC, when it was last written or deleted),
    whether it is deleted (a tombstone), and the collection itself when it is not and was asked for."""

    id: str
    datestamp: datetime
    deleted: bool
    pole: str | None = None
    parent: str | None = None
    collection: Collection | None = None

    @property
    def key(self) -> ChangeKey:
        """Its place in a change list ordered by (datestamp, id)."""
        return (self.datestamp, self.id)


@dataclass(frozen=True, slots=True)
class ChangePage:
    """One page of a change list; `remaining` counts the changes from this page's first to the
    list's end (None when not counted), `next_key` is where the next page starts after."""

    changes: Sequence[CollectionChange]
    remaining: int | None
    next_key: ChangeKey | None


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """What a harvester is told first: the earliest datestamp, and every (pole, parent) pair that
    live or deleted collections carry (parent None when a collection names none)."""

    earliest: datetime | None
    groups: tuple[tuple[str, str | None], ...]


class CatalogStore(Protocol):
    """Stores canonical records and answers typed queries over them."""

    @property
    def vocabulary(self) -> VocabularyStore:
        """The controlled vocabularies (SKOS thesauri) the catalog holds."""
        ...

    def upsert_collections(self, collections: Iterable[Collection]) -> int:
        """Insert or replace collections by id; returns how many were given.

        A collection that is new or differs from the stored one gets a new datestamp; one
        identical to the stored one keeps its own.
        """
        ...

    def get_collection(self, collection_id: str) -> Collection:
        """The collection with this id; raises CollectionNotFound."""
        ...

    def delete_collection(self, collection_id: str) -> None:
        """Delete a collection and all its items, leaving a tombstone; raises CollectionNotFound."""
        ...

    def search_collections(self, query: Query) -> Page[Collection]:
        """Collections matching the query (text, bbox, datetime, filter, sort, paging)."""
        ...

    def count_collections(self, query: Query) -> int:
        """The exact number of collections matching the query, however long counting takes
        (searches give `number_matched` only when it is cheap; protocols that must state it, such
        as CSW, ask here)."""
        ...

    def collection_values(
        self, queryable: str, limit: int = 1000, hidden: frozenset[str] = frozenset()
    ) -> list[Any]:
        """The distinct non-null values of a collection queryable, in order, at most `limit`
        (times as aware datetimes), leaving out the collections in `hidden` (those the
        requester may not discover); raises UnknownQueryable."""
        ...

    def upsert_items(self, items: Iterable[Item], batch_size: int = 10_000) -> int:
        """Insert or replace items by (collection, id) in large transactions; returns the count.

        Raises CollectionNotFound when an item names a collection the catalog does not hold;
        the batch it was in is not written.
        """
        ...

    def get_item(self, collection_id: str, item_id: str) -> Item:
        """The item with this id in this collection; raises CollectionNotFound or ItemNotFound."""
        ...

    def delete_item(self, collection_id: str, item_id: str) -> None:
        """Delete one item; raises ItemNotFound."""
        ...

    def search_items(self, query: Query) -> Page[Item]:
        """Items matching the query, ordered and paged by keyset tokens."""
        ...

    def aggregate_items(self, query: Query, facets: Sequence[str]) -> Facets:
        """Facet counts (see `core.facets`) over the items matching the query (paging ignored)."""
        ...

    def aggregate_collections(self, query: Query, facets: Sequence[str]) -> Facets:
        """Facet counts over the collections matching the query (paging ignored)."""
        ...

    def item_queryables(
        self, collection_id: str | None = None, hidden: frozenset[str] = frozenset()
    ) -> Mapping[str, Mapping[str, Any]]:
        """JSON Schema of each property that filters and sorts may use (all collections when None,
        but those in `hidden`, whose items' property names are not for everyone's eyes)."""
        ...

    def collection_changes(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        scope: ChangeScope | None = None,
        after: ChangeKey | None = None,
        limit: int = 100,
        *,
        deleted: bool = True,
        content: bool = True,
        count: bool = True,
    ) -> ChangePage:
        """Collections written or deleted at `since` <= datestamp < `until`, in `scope`, ordered by
        (datestamp, id), the first `limit` after the key `after`.

        Every write of a collection that changes it moves it to the end of the list (datestamps
        only grow), so paging by key while others write misses nothing that existed when the
        list started. `deleted=False` leaves tombstones out, `content=False` leaves the
        collections out (ids and datestamps only), `count=False` leaves `remaining` uncounted.
        """
        ...

    def collection_change(self, collection_id: str) -> CollectionChange:
        """The last change of one collection, live or deleted; raises CollectionNotFound."""
        ...

    def change_summary(self) -> ChangeSummary:
        """The earliest datestamp and the (pole, parent) groups of live and deleted collections."""
        ...

    def collection_count(self) -> int:
        """How many collections the catalog holds."""
        ...

    def close(self) -> None:
        """Release connections and indexes."""
        ...
