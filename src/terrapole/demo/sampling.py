"""Random draws of item footprints and acquisition times, from a seeded ``random.Random``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

from terrapole.demo.places import Site
from terrapole.demo.spec import Footprint, Schedule

# Ongoing series stop here: the demo is a snapshot of the federation at the end of October 2026.
DEMO_LAST = datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)
_END_OF_DAY = timedelta(hours=23, minutes=59, seconds=59)
_MONTH_DRAW_ATTEMPTS = 200


@dataclass(frozen=True)
class Timing:
    """When one item was acquired: an instant, a period, or an instant within a period."""

    moment: datetime | None  # the STAC "datetime"
    start: datetime | None
    end: datetime | None
    key: str  # compact, used in item ids
    label: str  # readable, used in titles

    @property
    def reference(self) -> datetime:
        """The instant that represents the item: its datetime, else the start of its period."""
        moment = self.moment or self.start
        assert moment is not None  # every cadence sets one of them
        return moment


def iso(moment: datetime) -> str:
    """Format a UTC datetime as RFC 3339 with a ``Z`` suffix, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule_bounds(schedule: Schedule) -> tuple[datetime, datetime]:
    """First and last instants items of this schedule may have (``DEMO_LAST`` if ongoing)."""
    first = datetime.combine(date.fromisoformat(schedule.start), datetime.min.time(), UTC)
    if schedule.end is None:
        return first, DEMO_LAST
    last_day = datetime.combine(date.fromisoformat(schedule.end), datetime.min.time(), UTC)
    return first, last_day + _END_OF_DAY


def _site_bounds(schedule: Schedule, site: Site) -> tuple[datetime, datetime]:
    first, last = schedule_bounds(schedule)
    if site.since is not None:
        first = max(first, datetime(site.since, 1, 1, tzinfo=UTC))
    return first, last


def _draw_day(rng: Random, first: datetime, last: datetime, months: tuple[int, ...]) -> datetime:
    """Midnight of a random day in [first, last], in one of ``months`` when given."""
    span = (last.date() - first.date()).days
    day = first
    for _ in range(_MONTH_DRAW_ATTEMPTS):
        day = datetime.combine(first.date(), datetime.min.time(), UTC)
        day += timedelta(days=rng.randint(0, span))
        if not months or day.month in months:
            break
    return day


def _clamp(moment: datetime, first: datetime, last: datetime) -> datetime:
    return min(max(moment, first), last)


def _instant(moment: datetime, key_format: str) -> Timing:
    label = moment.strftime("%Y-%m-%d %H:%M UTC")
    return Timing(moment, None, None, moment.strftime(key_format), label)


def _period(start: datetime, end: datetime, key: str, label: str) -> Timing:
    return Timing(None, start, end, key, label)


def _scene(rng: Random, day: datetime, site: Site, bounds: tuple[datetime, datetime]) -> Timing:
    # Sun-synchronous morning passes: about 10:30 local solar time.
    hours = 10.5 - site.lon / 15.0 + rng.uniform(-0.3, 0.3)
    moment = day + timedelta(seconds=int(hours * 3600))
    return _instant(_clamp(moment, *bounds), "%Y%m%dT%H%M%S")


def _hourly(rng: Random, day: datetime, site: Site, bounds: tuple[datetime, datetime]) -> Timing:
    return _instant(day + timedelta(hours=rng.randrange(24)), "%Y%m%dT%H")


def _synoptic(rng: Random, day: datetime, site: Site, bounds: tuple[datetime, datetime]) -> Timing:
    return _instant(day + timedelta(hours=rng.choice((0, 12))), "%Y%m%dT%H")


def _event(rng: Random, day: datetime, site: Site, bounds: tuple[datetime, datetime]) -> Timing:
    return _instant(day + timedelta(seconds=rng.randrange(86400)), "%Y%m%dT%H%M%S")


def _profile(rng: Random, day: datetime, site: Site, bounds: tuple[datetime, datetime]) -> Timing:
    # One-hour averaged lidar profile, mostly in the evening and at night.
    start = day + timedelta(hours=rng.choice((0, 1, 2, 12, 18, 19, 20, 21, 22)))
    end = start + timedelta(minutes=59, seconds=59)
    label = start.strftime("%Y-%m-%d %H:%M UTC")
    return Timing(start, start, end, start.strftime("%Y%m%dT%H%M"), label)


def _daily(rng: Random, day: datetime, site: Site, bounds: tuple[datetime, datetime]) -> Timing:
    return _period(day, day + _END_OF_DAY, day.strftime("%Y%m%d"), day.strftime("%Y-%m-%d"))


_Cadence = Callable[[Random, datetime, Site, tuple[datetime, datetime]], Timing]
_DAY_CADENCES: dict[str, _Cadence] = {
    "scene": _scene,
    "hourly": _hourly,
    "synoptic": _synoptic,
    "event": _event,
    "profile": _profile,
    "daily": _daily,
}


def _yearly(rng: Random, schedule: Schedule, first: datetime, last: datetime) -> Timing:
    years = schedule.years or tuple(range(first.year, last.year + 1))
    year = rng.choice(years)
    start = max(first, datetime(year, 1, 1, tzinfo=UTC))
    end = min(last, datetime(year, 12, 31, tzinfo=UTC) + _END_OF_DAY)
    return _period(start, end, str(year), str(year))


def _span(rng: Random, schedule: Schedule, first: datetime, last: datetime) -> Timing:
    shortest, longest = schedule.span_days
    latest_start = max(first, last - timedelta(days=shortest))
    start = _draw_day(rng, first, latest_start, schedule.months)
    end = min(last, start + timedelta(days=rng.randint(shortest, longest)) + _END_OF_DAY)
    key = f"{start:%Y%m%d}-{end:%Y%m%d}"
    return _period(start, end, key, f"{start:%Y-%m-%d} to {end:%Y-%m-%d}")


def draw_timing(rng: Random, schedule: Schedule, site: Site) -> Timing:
    """Draw the acquisition time of one item of ``schedule`` at ``site``."""
    first, last = _site_bounds(schedule, site)
    if schedule.cadence == "yearly":
        return _yearly(rng, schedule, first, last)
    if schedule.cadence == "span":
        return _span(rng, schedule, first, last)
    day = _draw_day(rng, first, last, schedule.months)
    return _DAY_CADENCES[schedule.cadence](rng, day, site, (first, last))


def _box_ring(west: float, south: float, east: float, north: float) -> list[list[float]]:
    """A closed, counter-clockwise exterior ring (RFC 7946)."""
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def _frame_ring(lon: float, lat: float, width: float, height: float, code: str) -> list[list[float]]:
    # Sentinel-1 frames lean along the track: ascending passes head north-north-west, so the
    # northern edge is shifted west; descending passes head south-south-west, the reverse.
    shift = 0.12 * width if code.startswith("A") else -0.12 * width
    south, north = lat - height / 2, lat + height / 2
    west, east = lon - width / 2, lon + width / 2
    return [
        [west + shift, south],
        [east + shift, south],
        [east - shift, north],
        [west - shift, north],
        [west + shift, south],
    ]


def _rounded(ring: list[list[float]]) -> list[list[float]]:
    return [[round(x, 6), round(y, 6)] for x, y in ring]


def _size(footprint: Footprint, site: Site) -> tuple[float, float]:
    for code, width, height in footprint.sizes:
        if code == site.code:
            return width, height
    return footprint.width, footprint.height


def draw_geometry(rng: Random, footprint: Footprint, site: Site) -> dict[str, Any]:
    """Draw a GeoJSON geometry (Point or Polygon, WGS84) for one item at ``site``."""
    jitter = footprint.jitter
    lon = site.lon + (rng.uniform(-jitter, jitter) if jitter else 0.0)
    lat = site.lat + (rng.uniform(-jitter, jitter) if jitter else 0.0)
    if footprint.kind == "point":
        return {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}
    width, height = _size(footprint, site)
    if footprint.kind == "frame":
        ring = _frame_ring(lon, lat, width, height, site.code)
    else:
        ring = _box_ring(lon - width / 2, lat - height / 2, lon + width / 2, lat + height / 2)
    return {"type": "Polygon", "coordinates": [_rounded(ring)]}


def geometry_bbox(geometry: dict[str, Any]) -> list[float]:
    """The [west, south, east, north] bounds of a Point or Polygon geometry."""
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        return [lon, lat, lon, lat]
    xs = [x for ring in geometry["coordinates"] for x, _ in ring]
    ys = [y for ring in geometry["coordinates"] for _, y in ring]
    return [min(xs), min(ys), max(xs), max(ys)]
