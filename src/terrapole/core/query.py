"""The one typed query every protocol compiles into, and the page of results it returns.

Protocols parse their own request syntax (STAC, OGC API Records, CSW, OAI-PMH) into a `Query`;
catalog stores answer it. The parsers here cover the string forms several protocols share.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson

from terrapole.core.errors import InvalidParameter
from terrapole.core.model import BBox
from terrapole.core.timeutil import parse_instant

T = TypeVar("T")

OPEN_ENDS = ("", "..")


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed time interval; None on either side means open."""

    start: datetime | None
    end: datetime | None

    @classmethod
    def parse(cls, text: str, parameter: str = "datetime") -> Interval:
        """Parse a STAC/OGC datetime parameter: an instant, `a/b`, `../b` or `a/..`."""
        parts = text.split("/")
        if len(parts) == 1:
            instant = parse_instant(parts[0], parameter)
            return cls(instant, instant)
        if len(parts) != 2:
            raise InvalidParameter(parameter, f"{text!r} is neither an instant nor an interval")
        start = None if parts[0] in OPEN_ENDS else parse_instant(parts[0], parameter)
        end = None if parts[1] in OPEN_ENDS else parse_instant(parts[1], parameter)
        if start is None and end is None:
            raise InvalidParameter(parameter, "an interval needs at least one closed end")
        if start is not None and end is not None and start > end:
            raise InvalidParameter(parameter, f"start {parts[0]} is after end {parts[1]}")
        return cls(start, end)


@dataclass(frozen=True, slots=True)
class SortField:
    """One sort key: a queryable name and its direction."""

    field: str
    descending: bool = False

    @classmethod
    def parse_list(cls, text: str) -> tuple[SortField, ...]:
        """Parse the GET form `+a,-b,c` (a leading space is a `+` that URL-decoding turned into a space)."""
        fields = []
        for raw in text.split(","):
            token = raw.strip() if not raw.startswith(" ") else "+" + raw.strip()
            if not token or token in "+-":
                raise InvalidParameter("sortby", f"empty sort key in {text!r}")
            descending = token.startswith("-")
            name = token.lstrip("+-")
            fields.append(cls(name, descending))
        return tuple(fields)


@dataclass(frozen=True, slots=True)
class Fields:
    """The fields extension: which fields to include or exclude in returned records."""

    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> Fields:
        """Parse the GET form `a,+b,-c`."""
        include, exclude = set(), set()
        for raw in text.split(","):
            token = raw.strip()
            if not token:
                continue
            if token.startswith("-"):
                exclude.add(token[1:])
            else:
                include.add(token.lstrip("+"))
        return cls(frozenset(include), frozenset(exclude))


@dataclass(frozen=True, slots=True)
class Filter:
    """A parsed, validated CQL2 expression held in its canonical CQL2-JSON form."""

    expression: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Query:
    """A search over collections or items, whatever protocol it arrived by."""

    ids: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    bbox: BBox | None = None
    intersects: Mapping[str, Any] | None = None
    datetime: Interval | None = None
    text: str | None = None
    # Concept URIs (any of them, or a narrower concept, matches).
    concepts: tuple[str, ...] = ()
    filter: Filter | None = None
    sortby: tuple[SortField, ...] = ()
    fields: Fields | None = None
    limit: int = 10
    token: str | None = None
    # Collections the asker may not discover: left out of results and counts (set by access control).
    hidden_collections: frozenset[str] = frozenset()
    # Matches to skip before the page (CSW startPosition); a page token, when given, decides instead.
    offset: int = 0

    @property
    def ranked(self) -> bool:
        """True when results are ordered by text relevance (a text search with no explicit sort)."""
        return bool(self.text) and not self.sortby


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results, with tokens to the neighbouring pages."""

    records: Sequence[T]
    number_matched: int | None = None
    next_token: str | None = None
    prev_token: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def parse_limit(value: int | str, maximum: int, parameter: str = "limit") -> int:
    """A page size: a positive integer, clamped to the server maximum as STAC API allows."""
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise InvalidParameter(parameter, f"{value!r} is not an integer") from None
    if limit < 1:
        raise InvalidParameter(parameter, f"must be at least 1, got {limit}")
    return min(limit, maximum)


def parse_bbox_text(text: str) -> BBox:
    """Parse the GET form `west,south,east,north` (or six numbers)."""
    try:
        numbers = [float(part) for part in text.split(",")]
    except ValueError:
        raise InvalidParameter("bbox", f"{text!r} is not a list of numbers") from None
    return BBox.from_sequence(numbers)


def encode_token(payload: Mapping[str, Any]) -> str:
    """An opaque, URL-safe page token."""
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode("ascii").rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    """Inverse of `encode_token`; raises InvalidParameter for a token we did not issue."""
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        raise InvalidParameter("token", "malformed page token") from None
    if not isinstance(payload, dict):
        raise InvalidParameter("token", "malformed page token")
    return payload
