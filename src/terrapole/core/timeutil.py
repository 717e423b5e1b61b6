"""RFC 3339 instants: parsing, formatting and the integer microsecond form used for ordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from terrapole.core.errors import InvalidParameter

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def parse_instant(text: str, parameter: str = "datetime") -> datetime:
    """Parse an RFC 3339 date-time (or a plain date) into an aware UTC datetime."""
    value = text.strip()
    if not value:
        raise InvalidParameter(parameter, "empty date-time")
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise InvalidParameter(parameter, f"{text!r} is not an RFC 3339 date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_instant(value: datetime) -> str:
    """Format as RFC 3339 in UTC with a trailing Z, keeping sub-second digits only when present."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def to_micros(value: datetime) -> int:
    """Microseconds since 1970-01-01T00:00:00Z: a compact, exactly ordered integer key."""
    return (value - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    """Inverse of `to_micros`."""
    return _EPOCH + timedelta(microseconds=value)
