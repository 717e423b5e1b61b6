"""The geometry literals of DCAT-AP / GeoDCAT-AP locations, both ways.

`dcat:bbox` and `locn:geometry` values are GeoSPARQL literals: WKT, GeoJSON or GML. We write boxes as
WKT and GeoJSON polygons (what GeoDCAT-AP's reference conversion writes) and geometries as GeoJSON and
WKT, and read any of the three (GML only as an Envelope's corners). shapely reads WKT and GeoJSON.
"""

from __future__ import annotations

import re

import orjson
import shapely
import shapely.errors
import shapely.geometry
import shapely.wkt

from terrapole.core.errors import InvalidParameter
from terrapole.core.model import BBox, JSONObject

_GML_CORNER = re.compile(r"<(?:gml:)?(lower|upper)Corner>\s*([^\s<]+)\s+([^\s<]+)\s*<")
# A GeoSPARQL WKT literal may start with its CRS URI; we read CRS84 (lon/lat) coordinates only.
_WKT_CRS = re.compile(r"^<[^>]*>\s*")


def bbox_from_literal(text: str) -> BBox | None:
    """The box a WKT, GeoJSON or GML literal covers; None when it is not a valid geometry."""
    text = text.strip()
    try:
        if corners := {m[0]: (float(m[1]), float(m[2])) for m in _GML_CORNER.findall(text)}:
            (west, south), (east, north) = corners["lower"], corners["upper"]
            return BBox.from_sequence([west, south, east, north])
        shape = _shape(text)
        return bounds(shape) if shape is not None else None
    except (InvalidParameter, KeyError, ValueError):
        return None


def geometry_from_literals(literals: list[str]) -> JSONObject | None:
    """The GeoJSON geometry of the first readable literal, GeoJSON ones first (they come back as
    written; WKT goes through shapely)."""
    for text in sorted((t.strip() for t in literals), key=lambda text: not text.startswith("{")):
        if text.startswith("{"):
            try:
                geometry: JSONObject = orjson.loads(text)
                return geometry
            except orjson.JSONDecodeError:
                continue
        if (shape := _shape(text)) is not None:
            mapped: JSONObject = orjson.loads(orjson.dumps(shapely.geometry.mapping(shape)))
            return mapped  # tuples made lists, as GeoJSON read from JSON
    return None


def bounds(shape: shapely.Geometry) -> BBox | None:
    """The bounding box of a shapely geometry, None when empty or outside longitude/latitude."""
    if shape.is_empty:
        return None
    try:
        return BBox.from_sequence(list(shape.bounds))
    except InvalidParameter:
        return None


def geometry_bounds(geometry: JSONObject) -> BBox | None:
    """The bounding box of a GeoJSON geometry."""
    try:
        return bounds(shapely.geometry.shape(geometry))
    except (shapely.errors.ShapelyError, ValueError, TypeError, KeyError, AttributeError):
        return None


def geometry_wkt(geometry: JSONObject) -> str | None:
    """The WKT of a GeoJSON geometry, None when shapely cannot read it."""
    try:
        return str(shapely.geometry.shape(geometry).wkt)
    except (shapely.errors.ShapelyError, ValueError, TypeError, KeyError, AttributeError):
        return None


def box_wkt(box: BBox) -> str:
    """The box as a WKT polygon (north-west corner first, as GeoDCAT-AP's conversion writes it)."""
    return "POLYGON((" + ",".join(f"{x!r} {y!r}" for x, y in _ring(box)) + "))"


def box_geojson(box: BBox) -> str:
    """The box as a GeoJSON polygon."""
    return to_json({"type": "Polygon", "coordinates": [[list(point) for point in _ring(box)]]})


def to_json(value: object) -> str:
    """Compact JSON text."""
    return orjson.dumps(value).decode()


def _ring(box: BBox) -> list[tuple[float, float]]:
    return [
        (box.west, box.north),
        (box.east, box.north),
        (box.east, box.south),
        (box.west, box.south),
        (box.west, box.north),
    ]


def _shape(text: str) -> shapely.Geometry | None:
    try:
        if text.startswith("{"):
            return shapely.geometry.shape(orjson.loads(text))
        return shapely.wkt.loads(_WKT_CRS.sub("", text))
    except (shapely.errors.ShapelyError, orjson.JSONDecodeError, ValueError, TypeError, KeyError):
        return None
