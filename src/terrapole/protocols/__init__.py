"""Served protocols: one module per protocol (STAC API, OGC API Records, CSW, OAI-PMH, ...).

Each protocol parses its own request syntax into one `core.Query`, asks the injected catalog
store, and encodes the canonical records it gets back. The two helpers here are shared by the
JSON protocols: an orjson response and the public base URL that absolute links start from.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from terrapole.core.model import Collection
from terrapole.core.record import Identifier, Record, record_from_collection
from terrapole.settings import Settings

JSON = "application/json"
GEOJSON = "application/geo+json"
SCHEMA_JSON = "application/schema+json"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"


class OrjsonResponse(Response):
    """A JSON response serialised with orjson (pass `media_type` for geo+json, problem+json...)."""

    media_type = JSON

    def render(self, content: Any) -> bytes:
        """Serialise `content` to UTF-8 JSON bytes."""
        return orjson.dumps(content)


def public_base_url(request: Request, settings: Settings) -> str:
    """The URL prefix absolute links start from: `settings.base_url`, else the request's own."""
    if settings.base_url:
        return settings.base_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def catalog_record(collection: Collection) -> Record:
    """The canonical record of a catalog collection, identified by the collection id (the id every
    protocol looks records up by); the record's own identifier, when another, is kept among its
    identifiers (as it is there, its scheme included), where a harvester finds it back
    (`core.record.own_identifier`)."""
    record = record_from_collection(collection)
    if record.identifier == collection.id:
        return record
    if any(i.code == record.identifier for i in record.identifiers):
        return record.with_changes(identifier=collection.id)
    return record.with_changes(
        identifier=collection.id, identifiers=(Identifier(record.identifier), *record.identifiers)
    )


__all__ = [
    "GEOJSON",
    "JSON",
    "OPENAPI_JSON",
    "SCHEMA_JSON",
    "OrjsonResponse",
    "catalog_record",
    "public_base_url",
]
