"""STAC Collection documents as canonical records (the `stac-collection` entry of the format registry).

A STAC Collection is parsed with `formats.stac` into the catalog's Collection and mapped to a Record;
a Collection that terrapole wrote itself carries the whole record and comes back unchanged.
"""

from __future__ import annotations

import orjson

from terrapole.core.errors import InvalidRecord
from terrapole.core.record import Record, collection_from_record, record_from_collection
from terrapole.formats.stac import encode_collection, parse_collection

MEDIA_TYPE = "application/json"


def parse(data: bytes) -> Record:
    """A Record from the bytes of a STAC Collection JSON document."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise InvalidRecord(f"not JSON: {error}") from None
    return record_from_collection(parse_collection(obj))


def encode(record: Record) -> bytes:
    """The STAC Collection JSON document of a Record."""
    return orjson.dumps(encode_collection(collection_from_record(record)), option=orjson.OPT_INDENT_2)
