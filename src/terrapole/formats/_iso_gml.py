"""GML inside ISO 19115 records: temporal extents (gml:TimePeriod, gml:TimeInstant) and bounding polygons.

Shared by the 19139 and 19115-3 modules. Records use GML 3.1.1 or 3.2 (even both in one document),
so reading goes by local element names under the ISO element that holds the GML. Writing uses GML 3.2.

Time positions of reduced precision are widened: a begin position `2018` or `2018-05-01` starts at the
first instant of that year or day, an end position ends at its last second. Positions that are
indeterminate (`now`, `unknown`) or that a Python datetime cannot hold (years before 1 or after 9999,
as in `-10000-01-01`) are open ends (None). Everything is an aware UTC datetime.

Polygons are read as GeoJSON in longitude/latitude order: coordinates in an EPSG URN or URL CRS of
latitude-first axis order (EPSG:4326, EPSG:4258) are swapped. Writing uses CRS84 (longitude first).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from terrapole.core.timeutil import format_instant

GML = "http://www.opengis.net/gml/3.2"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_LAT_FIRST = re.compile(r"(?:urn:(?:x-)?ogc:def:crs:EPSG:[\d.]*:|/def/crs/EPSG/\d+/)(4326|4258)$")
_REDUCED = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_FRACTION = re.compile(r"(\.\d{6})\d+")
Interval = tuple[datetime | None, datetime | None]


def local(tag: Any) -> str:
    """The local name of an element tag (`{ns}name` -> `name`); empty for comments and PIs."""
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


_NAMES: dict[str, str] = {}  # tag -> local name: the hot path of reading (bounded, see below)


def children(element: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """(local name, element) for the child elements of `element`."""
    for child in element:
        tag = child.tag
        if tag.__class__ is str:
            name = _NAMES.get(tag)
            if name is None:
                name = tag[tag.rfind("}") + 1 :]
                if len(_NAMES) < 4096:  # hostile documents may invent any number of tags
                    _NAMES[tag] = name
            yield name, child


def read_interval(element: etree._Element) -> Interval | None:
    """The interval of a gml:TimePeriod or gml:TimeInstant; None for anything else."""
    name = local(element.tag)
    if name == "TimeInstant":
        instant = _instant_of(element, end=False)
        return (instant, instant)
    if name != "TimePeriod":
        return None
    start = end = None
    for child_name, child in children(element):
        if child_name in ("beginPosition", "begin"):
            start = _position_or_instant(child, end=False)
        elif child_name in ("endPosition", "end"):
            end = _position_or_instant(child, end=True)
    return (start, end)


def _position_or_instant(element: etree._Element, end: bool) -> datetime | None:
    if local(element.tag).endswith("Position"):
        return read_position(element, end)
    for _, instant in children(element):
        return _instant_of(instant, end)
    return None


def _instant_of(instant: etree._Element, end: bool) -> datetime | None:
    for name, child in children(instant):
        if name == "timePosition":
            return read_position(child, end)
    return None


def read_position(element: etree._Element, end: bool) -> datetime | None:
    """A gml time position as an aware UTC datetime; None when indeterminate or unrepresentable."""
    if element.get("indeterminatePosition") in ("now", "unknown"):
        return None
    return parse_time(element.text or "", end)


def parse_time(text: str, end: bool = False) -> datetime | None:
    """An ISO 8601 date or date-time (possibly a bare year or year-month) as a UTC datetime, or None."""
    value = text.strip()
    reduced = _REDUCED.match(value)
    try:
        if reduced:
            year, month, day = reduced.groups()
            return _widen(year, month, day, end)
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _widen(year: str, month: str | None, day: str | None, end: bool) -> datetime:
    y = int(year)
    if not end:
        return datetime(y, int(month or 1), int(day or 1), tzinfo=UTC)
    m = int(month or 12)
    d = int(day or calendar.monthrange(y, m)[1])
    return datetime(y, m, d, 23, 59, 59, tzinfo=UTC)


def write_period(parent: etree._Element, interval: Interval, gml_id: str) -> etree._Element:
    """A gml:TimePeriod under `parent`; open ends are written as indeterminate (unknown start, now end)."""
    period = etree.SubElement(parent, f"{{{GML}}}TimePeriod", {f"{{{GML}}}id": gml_id})
    for name, value, open_end in (
        ("beginPosition", interval[0], "unknown"),
        ("endPosition", interval[1], "now"),
    ):
        position = etree.SubElement(period, f"{{{GML}}}{name}")
        if value is None:
            position.set("indeterminatePosition", open_end)
        else:
            position.text = format_instant(value)
    return period


def read_geometry(element: etree._Element) -> dict[str, Any] | None:
    """GeoJSON of a GML Point, LineString, Polygon, MultiSurface or MultiPolygon; None otherwise."""
    swap = bool(_LAT_FIRST.search(element.get("srsName") or ""))
    name = local(element.tag)
    if name == "Point":
        points = _points(element, swap)
        return {"type": "Point", "coordinates": points[0]} if points else None
    if name == "LineString":
        return {"type": "LineString", "coordinates": _points(element, swap)}
    if name == "Polygon":
        return {"type": "Polygon", "coordinates": _rings(element, swap)}
    if name in ("MultiSurface", "MultiPolygon"):
        polygons = [_rings(p, swap) for p in element.iter() if local(p.tag) == "Polygon"]
        return {"type": "MultiPolygon", "coordinates": polygons}
    return None


def _rings(polygon: etree._Element, swap: bool) -> list[list[list[float]]]:
    rings = []
    for name, boundary in children(polygon):
        if name in ("exterior", "interior", "outerBoundaryIs", "innerBoundaryIs"):
            for _, ring in children(boundary):
                rings.append(_points(ring, swap))
    return rings


def _points(element: etree._Element, swap: bool) -> list[list[float]]:
    numbers: list[float] = []
    dimension = 2
    for name, child in children(element):
        if name in ("pos", "posList", "coordinates"):
            text = (child.text or "").replace(",", " ") if name == "coordinates" else child.text or ""
            numbers.extend(float(n) for n in text.split())
            dimension = int(child.get("srsDimension") or element.get("srsDimension") or 2)
    points = [numbers[i : i + 2] for i in range(0, len(numbers) - dimension + 1, dimension)]
    return [[p[1], p[0]] for p in points] if swap else points


def write_geometry(parent: etree._Element, geometry: dict[str, Any], gml_id: str) -> list[etree._Element]:
    """GML 3.2 elements (CRS84) for a GeoJSON geometry, appended to `parent` one per polygon or part."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "MultiPolygon":
        parts: list[tuple[str, Any]] = [("Polygon", rings) for rings in coordinates or ()]
    elif kind == "GeometryCollection":
        parts = [(g["type"], g["coordinates"]) for g in geometry.get("geometries") or ()]
    else:
        parts = [(str(kind), coordinates)]
    return [
        _write_part(parent, part_kind, part, f"{gml_id}-{n}")
        for n, (part_kind, part) in enumerate(parts, 1)
        if part_kind in ("Point", "LineString", "Polygon")
    ]


def _write_part(parent: etree._Element, kind: str, coordinates: Any, gml_id: str) -> etree._Element:
    shape = etree.SubElement(parent, f"{{{GML}}}{kind}", {f"{{{GML}}}id": gml_id, "srsName": CRS84})
    if kind == "Point":
        etree.SubElement(shape, f"{{{GML}}}pos").text = _pos(coordinates)
    elif kind == "LineString":
        _write_points(shape, coordinates)
    else:
        for n, ring in enumerate(coordinates):
            boundary = etree.SubElement(shape, f"{{{GML}}}{'exterior' if n == 0 else 'interior'}")
            _write_points(etree.SubElement(boundary, f"{{{GML}}}LinearRing"), ring)
    return shape


def _write_points(parent: etree._Element, points: Any) -> None:
    # One gml:pos per vertex rather than a posList: OWSLib's ISO reader only reads gml:pos.
    for point in points:
        etree.SubElement(parent, f"{{{GML}}}pos").text = _pos(point)


def _pos(point: Any) -> str:
    return " ".join(repr(float(value)) for value in point[:2])
