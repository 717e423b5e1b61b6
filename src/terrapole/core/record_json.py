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
_EMPTY_VALUES: tuple[Any, ...] = (None, (), [], {})
# Per dataclass: its field names, and its required fields with their empty values (the hot path
# of storing records: `dataclasses.fields` costs more than the encoding itself).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_REQUIRED: dict[type, tuple[tuple[str, Any], ...]] = {}


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
    kind = type(value)
    if value is None or kind in _PLAIN:
        return value  # most values: checked first, as the dataclass test costs more
    if kind is tuple or kind is list:
        return [_encode(v) for v in value]
    if kind is BBox:
        return value.as_list()
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(kind):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    if names is not None:
        encoded = {}
        for name in names:
            field_value = _encode(getattr(value, name))
            if field_value not in _EMPTY_VALUES:
                encoded[name] = field_value
        return encoded
    if isinstance(value, BBox):
        return value.as_list()
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def _plain(kind: type, data: Mapping[str, Any]) -> Any:
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    for name, empty in _required(kind):
        # `_encode` leaves empty values out, required ones too (a keyword with no label).
        if name not in values:
            values[name] = empty
    if kind is Provenance and "retrieved" in values:
        values["retrieved"] = _datetime(data["retrieved"])
    return kind(**values)


def _required(kind: type) -> tuple[tuple[str, Any], ...]:
    """The required fields of a dataclass and the empty value of each one's type (cached)."""
    if (required := _REQUIRED.get(kind)) is None:
        required = _REQUIRED[kind] = tuple(
            (f.name, _EMPTY.get(str(f.type).split("[")[0], ""))
            for f in fields(kind)
            if f.default is MISSING and f.default_factory is MISSING
        )
    return required


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
