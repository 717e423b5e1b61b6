"""The contract every catalog store fulfils, whatever the database behind it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from terrapole.core.model import Collection, Item
from terrapole.core.query import Page, Query

CORE_ITEM_QUERYABLES: dict[str, dict[str, Any]] = {
    "id": {"description": "Item identifier", "type": "string"},
    "collection": {"description": "Collection identifier", "type": "string"},
    "datetime": {"description": "Nominal date-time", "type": "string", "format": "date-time"},
    "start_datetime": {"description": "Start of the period", "type": "string", "format": "date-time"},
    "end_datetime": {"description": "End of the period", "type": "string", "format": "date-time"},
    "geometry": {"description": "Footprint", "$ref": "https://geojson.org/schema/Geometry.json"},
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
    "type": {"description": "Resource type (ISO 19115 scope: dataset, series, service...)", "type": "string"},
    "keywords": {"description": "Keywords, topic categories and themes, joined by '; '", "type": "string"},
    "organisation": {"description": "Responsible organisations, joined by '; '", "type": "string"},
    "formats": {"description": "Distribution formats, joined by '; '", "type": "string"},
    "language": {"description": "Language of the resource", "type": "string"},
    "parent": {"description": "Identifier of the parent record (series)", "type": "string"},
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


class CatalogStore(Protocol):
    """Stores canonical records and answers typed queries over them."""

    def upsert_collections(self, collections: Iterable[Collection]) -> int:
        """Insert or replace collections by id; returns how many were written."""
        ...

    def get_collection(self, collection_id: str) -> Collection:
        """The collection with this id; raises CollectionNotFound."""
        ...

    def delete_collection(self, collection_id: str) -> None:
        """Delete a collection and all its items; raises CollectionNotFound."""
        ...

    def search_collections(self, query: Query) -> Page[Collection]:
        """Collections matching the query (text, bbox, datetime, filter, sort, paging)."""
        ...

    def count_collections(self, query: Query) -> int:
        """The exact number of collections matching the query, however long counting takes
        (searches give `number_matched` only when it is cheap; protocols that must state it, such
        as CSW, ask here)."""
        ...

    def collection_values(self, queryable: str, limit: int = 1000) -> list[Any]:
        """The distinct non-null values of a collection queryable, in order, at most `limit`
        (times as aware datetimes); raises UnknownQueryable."""
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

    def item_queryables(self, collection_id: str | None = None) -> Mapping[str, Mapping[str, Any]]:
        """JSON Schema of each property that filters and sorts may use (all collections when None)."""
        ...

    def collection_count(self) -> int:
        """How many collections the catalog holds."""
        ...

    def close(self) -> None:
        """Release connections and indexes."""
        ...
