"""CSW constraints read into one CQL2-JSON tree that still names CSW queryables: OGC Filter Encoding
1.1 (XML) and CSW CQL_TEXT.

Filter Encoding is our own walk of the XML: OWSLib's `fes` module writes filters but does not read
them. CQL_TEXT is parsed by the `cql2` library after `cql_to_cql2` turns OGC CQL's own spellings
(AFTER, BEFORE, DURING on bare instants) into CQL2; `BBOX(prop, x1, y1, x2, y2[, crs])` is left as
the `cql2` library reads it and handled by `csw_filter`.
Boxes in EPSG:4326 follow the axis order of their CRS name (parsed by OWSLib's `Crs`): latitude
first for the OGC URNs and http://www.opengis.net/def/crs URIs (and for a GML box with no srsName:
CSW 2.0.2's default CRS is urn:x-ogc:def:crs:EPSG:6.11:4326), longitude first for the short
`EPSG:4326` and the GML 2 `.../gml/srs/epsg.xml#4326` forms (the convention GeoServer and GDAL keep
for them) and for CRS84.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import cql2
from lxml import etree
from owslib.crs import Crs

from terrapole.core.errors import InvalidParameter
from terrapole.core.model import BBox

OGC = "http://www.opengis.net/ogc"
GML = "http://www.opengis.net/gml"
LOCATOR = "Constraint"
Node = Any
COMPARISONS = {
    "PropertyIsEqualTo": "=",
    "PropertyIsNotEqualTo": "<>",
    "PropertyIsLessThan": "<",
    "PropertyIsGreaterThan": ">",
    "PropertyIsLessThanOrEqualTo": "<=",
    "PropertyIsGreaterThanOrEqualTo": ">=",
}
SPATIAL = {
    "Intersects": "s_intersects",
    "Within": "s_within",
    "Contains": "s_contains",
    "Disjoint": "s_disjoint",
    "Overlaps": "s_overlaps",
    "Touches": "s_touches",
    "Crosses": "s_crosses",
    "Equals": "s_equals",
}


class ConstraintError(InvalidParameter):
    """A constraint CSW cannot answer (InvalidParameterValue on the `Constraint` locator)."""

    def __init__(self, message: str) -> None:
        super().__init__(LOCATOR, message)


# --- Filter Encoding 1.1 -----------------------------------------------------------------------


def tree_from_fes(filter_element: etree._Element) -> Node:
    """The CQL2-JSON tree (CSW property names) of an ogc:Filter element."""
    children = [c for c in filter_element if isinstance(c.tag, str)]
    if len(children) != 1:
        raise ConstraintError("ogc:Filter must hold exactly one operator")
    return _fes_node(children[0])


def _fes_node(element: etree._Element) -> Node:
    name = etree.QName(element)
    if name.namespace != OGC:
        raise ConstraintError(f"unexpected element {name.localname!r} in ogc:Filter")
    handler = _FES_HANDLERS.get(name.localname)
    if handler is not None:
        return handler(element)
    if name.localname in COMPARISONS:
        return _fes_comparison(element, COMPARISONS[name.localname])
    if name.localname in SPATIAL:
        return _fes_spatial(element, SPATIAL[name.localname])
    raise ConstraintError(f"unsupported filter operator ogc:{name.localname}")


def _operands(element: etree._Element) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str)]


def _fes_logical(element: etree._Element) -> Node:
    op = etree.QName(element).localname.lower()
    args = [_fes_node(child) for child in _operands(element)]
    if not args or (op == "not" and len(args) != 1):
        raise ConstraintError(f"ogc:{etree.QName(element).localname} without the operands it needs")
    return {"op": op, "args": args}


def _property(element: etree._Element) -> Node:
    name = (element.text or "").strip()
    if not name:
        raise ConstraintError("empty ogc:PropertyName")
    return {"property": name}


def _value(element: etree._Element) -> Node:
    local = etree.QName(element).localname
    if local == "PropertyName":
        return _property(element)
    if local == "Literal":
        return "".join(element.itertext()).strip()
    raise ConstraintError(f"expected ogc:PropertyName or ogc:Literal, got {local!r}")


def _fes_comparison(element: etree._Element, op: str) -> Node:
    operands = _operands(element)
    if len(operands) != 2:
        raise ConstraintError(f"ogc:{etree.QName(element).localname} takes two operands")
    args = [_value(operand) for operand in operands]
    if element.get("matchCase", "true").lower() == "false":
        args = [{"op": "casei", "args": [arg]} for arg in args]
    return {"op": op, "args": args}


def _fes_like(element: etree._Element) -> Node:
    operands = _operands(element)
    if len(operands) != 2 or etree.QName(operands[0]).localname != "PropertyName":
        raise ConstraintError("ogc:PropertyIsLike takes an ogc:PropertyName and an ogc:Literal")
    pattern = like_pattern(
        str(_value(operands[1])),
        element.get("wildCard", "*"),
        element.get("singleChar", "?"),
        element.get("escapeChar", element.get("escape", "\\")),
    )
    args: list[Node] = [_property(operands[0]), pattern]
    if element.get("matchCase", "true").lower() == "false":
        args = [{"op": "casei", "args": [arg]} for arg in args]
    return {"op": "like", "args": args}


def like_pattern(text: str, wild: str, single: str, escape: str) -> str:
    """An FES pattern (its own wildcard, single-character and escape characters) as a SQL LIKE
    pattern whose escape character is a backslash."""
    if not wild or not single or not escape or len({wild, single, escape}) < 3:
        raise ConstraintError("wildCard, singleChar and escapeChar must be three distinct characters")
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if text.startswith(escape, index) and index + len(escape) < len(text):
            index += len(escape)
            out.append(sql_literal(text[index]))
        elif text.startswith(wild, index):
            out.append("%")
            index += len(wild) - 1
        elif text.startswith(single, index):
            out.append("_")
            index += len(single) - 1
        else:
            out.append(sql_literal(char))
        index += 1
    return "".join(out)


def sql_literal(char: str) -> str:
    return "\\" + char if char in "%_\\" else char


def _fes_between(element: etree._Element) -> Node:
    operands = _operands(element)
    bounds = {etree.QName(o).localname: o for o in operands[1:]}
    if not operands or set(bounds) != {"LowerBoundary", "UpperBoundary"}:
        raise ConstraintError("ogc:PropertyIsBetween takes a property, a LowerBoundary and an UpperBoundary")
    low, high = (_operands(bounds[n]) for n in ("LowerBoundary", "UpperBoundary"))
    if len(low) != 1 or len(high) != 1:
        raise ConstraintError("each boundary of ogc:PropertyIsBetween holds one ogc:Literal")
    return {"op": "between", "args": [_value(operands[0]), _value(low[0]), _value(high[0])]}


def _fes_null(element: etree._Element) -> Node:
    operands = _operands(element)
    if len(operands) != 1:
        raise ConstraintError("ogc:PropertyIsNull takes one ogc:PropertyName")
    return {"op": "isNull", "args": [_value(operands[0])]}


def _fes_bbox(element: etree._Element) -> Node:
    return _fes_spatial(element, "s_intersects", box_only=True)


def _fes_spatial(element: etree._Element, op: str, box_only: bool = False) -> Node:
    operands = _operands(element)
    names = [o for o in operands if etree.QName(o).localname == "PropertyName"]
    shapes = [o for o in operands if etree.QName(o).namespace == GML]
    if len(shapes) != 1 or len(names) > 1:
        raise ConstraintError(f"ogc:{etree.QName(element).localname} takes a property and one GML geometry")
    prop = _property(names[0]) if names else {"property": "ows:BoundingBox"}
    return {"op": op, "args": [prop, gml_geometry(shapes[0], box_only)]}


def _fes_ids(element: etree._Element) -> Node:
    ids = [element.get("fid") or element.get(f"{{{GML}}}id") or ""]
    return {"op": "=", "args": [{"property": "identifier"}, ids[0]]}


_FES_HANDLERS: dict[str, Callable[[etree._Element], Node]] = {
    "And": _fes_logical,
    "Or": _fes_logical,
    "Not": _fes_logical,
    "PropertyIsLike": _fes_like,
    "PropertyIsBetween": _fes_between,
    "PropertyIsNull": _fes_null,
    "BBOX": _fes_bbox,
    "FeatureId": _fes_ids,
    "GmlObjectId": _fes_ids,
}


# --- GML geometries ------------------------------------------------------------------------------


def gml_geometry(element: etree._Element, box_only: bool = False) -> Node:
    """A CQL2 geometry literal (a bbox, or GeoJSON) from a GML 3 Envelope, Box, Point, LineString
    or Polygon, in longitude/latitude order whatever the axis order of its CRS."""
    kind = etree.QName(element).localname
    swap = latitude_first(element.get("srsName"))
    if kind in ("Envelope", "Box"):
        corners = _envelope_corners(element)
        numbers = [v for corner in corners for v in (corner[::-1] if swap else corner)]
        return {"bbox": box_from_corners(numbers).as_list()}
    if box_only:
        raise ConstraintError(f"ogc:BBOX takes a gml:Envelope, not gml:{kind}")
    points = _positions(element, swap)
    if kind == "Point" and len(points) == 1:
        return {"type": "Point", "coordinates": points[0]}
    if kind == "LineString" and len(points) >= 2:
        return {"type": "LineString", "coordinates": points}
    if kind == "Polygon" and len(points) >= 4:
        return {"type": "Polygon", "coordinates": [points]}
    raise ConstraintError(f"unsupported or incomplete geometry gml:{kind}")


def box_from_corners(numbers: list[float]) -> BBox:
    """A box from west, south, east, north; a ConstraintError when they do not make one."""
    try:
        return BBox.from_sequence(numbers)
    except InvalidParameter as error:
        raise ConstraintError(f"invalid bounding box: {error.message}") from None


def latitude_first(srs_name: str | None) -> bool:
    if srs_name is None:
        return True  # urn:x-ogc:def:crs:EPSG:6.11:4326, the CSW 2.0.2 default
    if "CRS84" in srs_name.upper():
        return False
    crs = Crs(srs_name)
    if crs.code not in (4326, "CRS84"):
        raise ConstraintError(f"unsupported srsName {srs_name!r}: use EPSG:4326 or CRS84")
    if crs.encoding == "code" or "/gml/srs/epsg.xml#" in srs_name:
        return False  # EPSG:4326 and the GML 2 URL: longitude first, by long-standing convention
    return bool(crs.axisorder == "yx")


def _envelope_corners(element: etree._Element) -> list[list[float]]:
    texts = [element.findtext(f"{{{GML}}}{name}") for name in ("lowerCorner", "upperCorner")]
    if None in texts:  # GML 2 gml:Box: "x1,y1 x2,y2"
        coordinates = (element.findtext(f"{{{GML}}}coordinates") or "").split()
        texts = [pair.replace(",", " ") for pair in coordinates]
    if len(texts) != 2:
        raise ConstraintError("a gml:Envelope needs a lowerCorner and an upperCorner")
    return [_numbers(text or "", 2)[:2] for text in texts]


def _positions(element: etree._Element, latitude_first: bool) -> list[list[float]]:
    texts = [e.text or "" for e in element.iter(f"{{{GML}}}pos", f"{{{GML}}}posList")]
    numbers = [v for text in texts for v in _numbers(text, 2)]
    pairs = [numbers[i : i + 2] for i in range(0, len(numbers) - 1, 2)]
    return [pair[::-1] if latitude_first else pair for pair in pairs]


def _numbers(text: str, at_least: int) -> list[float]:
    try:
        numbers = [float(part) for part in text.split()]
    except ValueError:
        raise ConstraintError(f"coordinates {text.strip()[:60]!r} are not numbers") from None
    if len(numbers) < at_least:
        raise ConstraintError(f"coordinates {text.strip()[:60]!r} need at least {at_least} numbers")
    return numbers


# --- CQL_TEXT ----------------------------------------------------------------------------------

_STRING = r"'(?:[^']|'')*'"
_TEMPORAL = re.compile(
    r"(?P<prop>[\w:.]+)\s+(?P<op>AFTER|BEFORE|DURING)\s+(?P<a>[\d:.TZ+-]+)(?:\s*/\s*(?P<b>[\d:.TZ+-]+))?",
    re.IGNORECASE,
)


def tree_from_cql(text: str) -> Node:
    """The CQL2-JSON tree (CSW property names) of a CSW CQL_TEXT constraint."""
    try:
        return cql2.parse_text(cql_to_cql2(text)).to_json()
    except (cql2.ParseError, ValueError, TypeError) as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        raise ConstraintError(f"CQL_TEXT does not parse: {' '.join(lines)[:300]}") from None


def cql_to_cql2(text: str) -> str:
    """OGC CQL (CSW 2.0.2) spelled as CQL2 text: AFTER, BEFORE and DURING on unquoted instants
    become comparisons (string literals are left alone)."""
    parts = re.split(f"({_STRING})", text)
    return "".join(part if index % 2 else _TEMPORAL.sub(_temporal, part) for index, part in enumerate(parts))


def _temporal(match: re.Match[str]) -> str:
    prop, op, start, end = match["prop"], match["op"].upper(), match["a"], match["b"]
    if op == "DURING":
        if end is None:
            raise ConstraintError("DURING takes an interval start/end")
        return f"{prop} BETWEEN '{start}' AND '{end}'"
    return f"{prop} {'>' if op == 'AFTER' else '<'} '{start}'"
