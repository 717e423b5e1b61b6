"""Dates of reduced precision (W3C-DTF: `2020`, `2020-05`, `2020-05-17`, date-times) and ISO 8601
intervals (`start/end`), as DataCite, Dublin Core and schema.org write them.

A year or a month stands for its first day when it starts something and for its last day when it
ends an interval, so that `2010/2020` covers the whole of 2020. Interval bounds are aware UTC
datetimes at midnight, the convention of `Extent.intervals`. Open bounds are written `..` (ISO
8601-2) and read from `..`, `open`, `unknown` or nothing.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time

from terrapole.core.errors import InvalidParameter
from terrapole.core.timeutil import format_instant, parse_instant

_PARTIAL = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_OPEN = frozenset({"", "..", "open", "unknown"})

Interval = tuple[datetime | None, datetime | None]


def parse_date(text: str | None) -> date | None:
    """A date (or an aware datetime when a time is given) from W3C-DTF text; None when not a date."""
    value = (text or "").strip()
    if "T" in value:
        try:
            return parse_instant(value)
        except InvalidParameter:
            return None
    bounds = _bounds(value)
    return bounds[0] if bounds else None


def parse_interval(text: str | None) -> Interval | None:
    """(start, end) from `start/end` or a single date (both bounds from it); None when unreadable."""
    value = (text or "").strip()
    first, _, second = value.partition("/") if "/" in value else (value, "", value)
    start = _bound(first, last=False)
    end = _bound(second, last=True)
    if start is None and end is None:
        return None
    return start, end


def format_date(value: date) -> str:
    """`YYYY-MM-DD` for a date, RFC 3339 for a datetime (so that each reads back as what it was)."""
    if isinstance(value, datetime):
        return format_instant(value if value.tzinfo else value.replace(tzinfo=UTC))
    return value.isoformat()


def format_interval(start: datetime | None, end: datetime | None) -> str:
    """`start/end` with `..` for an open bound; bounds at UTC midnight are written as dates."""
    return "/".join(_format_bound(bound) for bound in (start, end))


def _format_bound(bound: datetime | None) -> str:
    if bound is None:
        return ".."
    utc = (bound if bound.tzinfo else bound.replace(tzinfo=UTC)).astimezone(UTC)
    return utc.date().isoformat() if utc.time() == time() else format_instant(utc)


def _bound(text: str, last: bool) -> datetime | None:
    value = text.strip()
    if value.lower() in _OPEN:
        return None
    if "T" in value:
        try:
            return parse_instant(value)
        except InvalidParameter:
            return None
    bounds = _bounds(value)
    if bounds is None:
        return None
    day = bounds[1] if last else bounds[0]
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _bounds(text: str) -> tuple[date, date] | None:
    # First and last day of the year, month or day the text names.
    match = _PARTIAL.match(text)
    if match is None or match.group(1).startswith("-"):
        return None
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, int(month))[1]
            return date(year, int(month), 1), date(year, int(month), last)
        exact = date(year, int(month), int(day))
    except ValueError:
        return None
    return exact, exact
