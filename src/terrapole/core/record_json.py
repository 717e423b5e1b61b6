"""A plain-JSON form of the canonical `Record`, lossless, for storage in the catalog.

Empty fields are left out; dates keep their precision (a date stays a date, a datetime a datetime).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, fields, is_dataclass
from datetime import date, datetime
from typing import Any

from terrapole.core.model import BBox, Contact, Extent, Keyword, Provenance
from terrapole.core.record import Constraints, Dates, Distribution, Identifier, Record, Related, Resolution

JSON = dict[str, Any]
_PLAIN = frozenset({str, int, float, bool})

_ITEM_TYPES: dict[str, type] = {
    "identifiers": Identifier,
    "keywords": Keyword,
    "contacts": Contact,
    "metadata_contacts": Contact,
    "resolutions": Resolution,
    "distributions": Distribution,
    "related": Related,
    "provenance": Provenance,
}

_STRING_TUPLES = (
    "alternate_titles",
    "languages",
    "topic_categories",
    "inspire_themes",
    "reference_systems",
    "formats",
    "sizes",
    "overviews",
)


# The empty value of a required field's type, by the name of its annotation.
_EMPTY: dict[str, Any] = {"LangText": {}, "JSONObject": {}, "tuple": (), "str": ""}


def record_to_json(record: Record) -> JSON:
    """The record as JSON-compatible dicts and lists."""
    encoded: JSON = _encode(record)
    return encoded


def record_from_json(data: Mapping[str, Any]) -> Record:
    """The record back from `record_to_json`'s output."""
    values: JSON = dict(data)
    for name, kind in _ITEM_TYPES.items():
        if name in values:
            values[name] = tuple(_plain(kind, entry) for entry in values[name])
    for name in _STRING_TUPLES:
        if name in values:
            values[name] = tuple(values[name])
    if "extent" in values:
        values["extent"] = _extent(values["extent"])
    if "constraints" in values:
        values["constraints"] = _plain(Constraints, values["constraints"])
    if "dates" in values:
        values["dates"] = Dates(**{k: _date(v) for k, v in values["dates"].items()})
    return Record(**values)


def _encode(value: Any) -> Any:
    if value is None or type(value) in _PLAIN:
        return value  # most values: checked first, as the dataclass test costs more
    if isinstance(value, BBox):
        return value.as_list()
    if is_dataclass(value) and not isinstance(value, type):
        encoded = {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
        return {k: v for k, v in encoded.items() if v not in (None, (), [], {})}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def _plain(kind: type, data: Mapping[str, Any]) -> Any:
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    for required in fields(kind):
        # `_encode` leaves empty values out, required ones too (a keyword with no label).
        if (
            required.name not in values
            and required.default is MISSING
            and required.default_factory is MISSING
        ):
            values[required.name] = _EMPTY.get(str(required.type).split("[")[0], "")
    if kind is Provenance and "retrieved" in values:
        values["retrieved"] = _datetime(data["retrieved"])
    return kind(**values)


def _extent(data: Mapping[str, Any]) -> Extent:
    return Extent(
        bboxes=tuple(BBox(*box) for box in data.get("bboxes", ())),
        geometry=data.get("geometry"),
        intervals=tuple((_datetime(start), _datetime(end)) for start, end in data.get("intervals", ())),
    )


def _datetime(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _date(text: str | None) -> Any:
    if text is None:
        return None
    if "T" in text:
        return datetime.fromisoformat(text)
    return date.fromisoformat(text)
