"""Harvested documents into catalog records, through `terrapole.formats` and `terrapole.ingest`.

Dataset-level metadata (ISO 19139 and 19115-3, DataCite, Dublin Core, DCAT, schema.org...) goes
through `ingest.dataset_records`, the path every ingest takes; STAC Collections and Items through
`formats.stac`, which keeps what only STAC says (assets, summaries, item properties). Each
collection gains a provenance entry naming the source, the record's identifier there, when it was
harvested and the source's pole; the pole also becomes the record's own when it names none.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from terrapole import formats
from terrapole.core.errors import InvalidRecord
from terrapole.core.model import Collection, Item, Provenance
from terrapole.core.record import RECORD_KEY
from terrapole.core.record_json import record_from_json, record_to_json
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.harvest.fetching import STAC_COLLECTION, STAC_ITEM, Harvested
from terrapole.harvest.sources import HarvestSource
from terrapole.ingest import dataset_records

STAC_FORMAT = "stac"


@dataclass(slots=True)
class ParsedDocument:
    """What one harvested document holds, and the format and media type it came in."""

    format: str
    media_type: str
    collections: list[Collection] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


def parse_document(document: Harvested, source: HarvestSource, retrieved: datetime) -> ParsedDocument:
    """The records of one document; InvalidRecord saying why it cannot be read."""
    origin = document.url or f"{source.url}#{document.identifier}"
    if document.kind == STAC_ITEM:
        item = parse_item(_json(document.data), document.collection)
        return ParsedDocument(STAC_FORMAT, "application/geo+json", items=[item])
    if document.kind == STAC_COLLECTION:
        provenance = Provenance(origin, STAC_FORMAT, document.identifier, retrieved, source.pole)
        collection = with_provenance(parse_collection(_json(document.data)), (provenance,))
        return ParsedDocument(
            STAC_FORMAT, "application/json", collections=[_with_pole(collection, source.pole)]
        )
    name = formats.detect(document.data)
    collections = dataset_records(
        origin,
        document.data,
        element=document.element,
        original_id=document.identifier,
        retrieved=retrieved,
        pole=source.pole,
    )
    return ParsedDocument(name, formats.FORMATS[name].media_type, collections=collections)


def with_provenance(collection: Collection, added: tuple[Provenance, ...]) -> Collection:
    """The collection with provenance entries added, in the record it carries too (if any).

    A collection that carries a record takes the record's provenance (the chain of catalogs it
    came through) followed by `added`.
    """
    record = _record(collection)
    if record is None:
        return replace(collection, provenance=_unique((*collection.provenance, *added)))
    provenance = _unique((*record.provenance, *added))
    extra = {**collection.extra, RECORD_KEY: record_to_json(record.with_changes(provenance=provenance))}
    return replace(collection, provenance=provenance, extra=extra)


def _with_pole(collection: Collection, pole: str | None) -> Collection:
    if pole is None or collection.pole is not None:
        return collection
    record = _record(collection)
    extra: dict[str, Any] = dict(collection.extra)
    if record is not None:
        extra[RECORD_KEY] = record_to_json(record.with_changes(pole=pole))
    return replace(collection, pole=pole, extra=extra)


def _record(collection: Collection) -> Any:
    stored = collection.extra.get(RECORD_KEY)
    return record_from_json(stored) if isinstance(stored, dict) else None


def _unique(entries: tuple[Provenance, ...]) -> tuple[Provenance, ...]:
    return tuple(dict.fromkeys(entries))


def _json(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidRecord(f"not JSON: {exc}") from None
