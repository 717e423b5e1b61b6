"""CSW queryables onto the catalog's collection queryables: one CSW constraint tree (`csw_fes`) into
the free text, box and CQL2 filter of one catalog query.

`constraint_from_tree` maps each queryable through `QUERYABLES` and types its literals:
- dates become CQL2 timestamps (a malformed date is an InvalidParameterValue, never a 500);
- a multi-valued queryable (subject, format, organisation) held joined in one column is matched
  as a whole member (`records.member_patterns`) by = and <>, and as a substring by LIKE;
- AnyText conditions of the top-level conjunction become the query's free text (words, matched by
  the text index as GeoNetwork's Lucene does, not substrings as pycsw's LIKE does); elsewhere (under
  Or or Not) a LIKE on the lowercased `anytext` column;
- the first top-level BBOX becomes the query's bbox (the text index applies it while ranking).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from terrapole.catalog.records import member_patterns
from terrapole.core.errors import InvalidParameter
from terrapole.core.filter import parse_filter
from terrapole.core.model import BBox
from terrapole.core.query import Filter
from terrapole.core.timeutil import format_instant, parse_instant
from terrapole.protocols.csw_fes import (
    LOCATOR,
    ConstraintError,
    Node,
    box_from_corners,
    latitude_first,
    sql_literal,
)


@dataclass(frozen=True, slots=True)
class Queryable:
    """A CSW queryable as the catalog knows it: its collection queryable and how it compares.

    `kind` is text, list (several values joined in one column), time, geometry or anytext.
    """

    name: str
    kind: str


# Keyed by the lower-case local name: dc:title and apiso:Title are one queryable.
QUERYABLES: dict[str, Queryable] = {
    "title": Queryable("title", "text"),
    "abstract": Queryable("description", "text"),
    "description": Queryable("description", "text"),
    "anytext": Queryable("anytext", "anytext"),
    "subject": Queryable("keywords", "list"),
    "type": Queryable("type", "text"),
    "modified": Queryable("updated", "time"),
    "identifier": Queryable("id", "text"),
    "organisationname": Queryable("organisation", "list"),
    "tempextent_begin": Queryable("start_datetime", "time"),
    "tempextent_end": Queryable("end_datetime", "time"),
    "format": Queryable("formats", "list"),
    "boundingbox": Queryable("geometry", "geometry"),
    "language": Queryable("language", "text"),
    "resourcelanguage": Queryable("language", "text"),
    "creationdate": Queryable("created", "time"),
    "publicationdate": Queryable("published", "time"),
    "revisiondate": Queryable("revised", "time"),
    "parentidentifier": Queryable("parent_identifier", "text"),
}
# The names capabilities advertise (each maps through QUERYABLES).
ISO_QUERYABLES = tuple(
    f"apiso:{name}"
    for name in (
        "Abstract",
        "AnyText",
        "BoundingBox",
        "CreationDate",
        "Format",
        "Identifier",
        "Language",
        "Modified",
        "OrganisationName",
        "ParentIdentifier",
        "PublicationDate",
        "ResourceLanguage",
        "RevisionDate",
        "Subject",
        "TempExtent_begin",
        "TempExtent_end",
        "Title",
        "Type",
    )
)
DC_QUERYABLES = (
    "csw:AnyText",
    "dc:format",
    "dc:identifier",
    "dc:language",
    "dc:subject",
    "dc:title",
    "dc:type",
    "dct:abstract",
    "dct:modified",
    "ows:BoundingBox",
)
_WORD_CHARACTERS = re.compile(r"[^\w\s]+")


@dataclass(frozen=True, slots=True)
class Constraint:
    """What a CSW constraint asks of the catalog: free text, a box and a CQL2 filter."""

    text: str | None = None
    bbox: BBox | None = None
    filter: Filter | None = None


def queryable(name: str) -> Queryable:
    """The catalog queryable of a CSW property name (`dc:title`, `apiso:Title`, `Title`)."""
    found = QUERYABLES.get(name.rsplit(":", 1)[-1].strip().lower())
    if found is None:
        raise ConstraintError(f"unknown queryable {name!r} (GetCapabilities lists the supported ones)")
    return found


# --- from the CSW tree to the catalog's query ----------------------------------------------------


def constraint_from_tree(tree: Node) -> Constraint:
    """The free text, box and CQL2 filter a CSW tree asks for (see the module docstring)."""
    conjuncts = _conjuncts(tree)
    words, box, rest = [], None, []
    for node in conjuncts:
        term = _anytext_term(node)
        if term is not None:
            words.append(term)
            continue
        found = _plain_box(node) if box is None else None
        if found is not None:
            box = found
            continue
        rest.append(_rewrite(node))
    text = " ".join(w for w in words if w) or None
    expression = rest[0] if len(rest) == 1 else {"op": "and", "args": rest} if rest else None
    return Constraint(text, box, _validated(expression) if expression is not None else None)


def _conjuncts(node: Node) -> list[Node]:
    if isinstance(node, Mapping) and str(node.get("op", "")).lower() == "and":
        return [part for arg in node.get("args", ()) for part in _conjuncts(arg)]
    if isinstance(node, Mapping) and "bbox" in node and node["bbox"] and _is_property(node["bbox"][0]):
        return [_cql_bbox(list(node["bbox"]))]  # BBOX(prop, x1, y1, x2, y2[, crs]) from CQL_TEXT
    return [node]


def _validated(expression: Node) -> Filter:
    try:
        return parse_filter(expression)
    except InvalidParameter as error:
        raise ConstraintError(error.message.removeprefix("filter: ")) from None


def _anytext_term(node: Node) -> str | None:
    """The words of an AnyText = 'words' or LIKE '%words%' condition, else None."""
    if not isinstance(node, Mapping) or str(node.get("op", "")).lower() not in ("like", "="):
        return None
    args = [_uncased(a) for a in node.get("args", ())]
    if len(args) != 2 or not isinstance(args[1], str) or not _is_property(args[0]):
        return None
    if queryable(args[0]["property"]).kind != "anytext":
        return None
    core = args[1]
    if str(node["op"]).lower() == "like":
        core = core.strip("%")
        if re.search(r"(?<!\\)[%_]", core):
            return None  # inner wildcards: matched as a pattern on the anytext column
        core = re.sub(r"\\(.)", r"\1", core)
    return _WORD_CHARACTERS.sub(" ", core).strip().lower()


def _plain_box(node: Node) -> BBox | None:
    if not isinstance(node, Mapping) or str(node.get("op", "")).lower() != "s_intersects":
        return None
    args = list(node.get("args", ()))
    if len(args) != 2 or not _is_property(args[0]) or not isinstance(args[1], Mapping):
        return None
    if queryable(args[0]["property"]).kind != "geometry" or "bbox" not in args[1]:
        return None
    return box_from_corners(list(args[1]["bbox"]))


def _rewrite(node: Node) -> Node:
    """A CSW tree node with catalog queryables and typed literals."""
    if isinstance(node, bool):
        return node
    if isinstance(node, Mapping) and "bbox" in node and node["bbox"] and _is_property(node["bbox"][0]):
        return _rewrite(_cql_bbox(list(node["bbox"])))  # BBOX(prop, x1, y1, x2, y2[, crs]) from CQL_TEXT
    if not isinstance(node, Mapping) or "op" not in node:
        raise ConstraintError(f"expected a condition, got {str(node)[:80]!r}")
    op, args = str(node["op"]).lower(), list(node.get("args") or ())
    if op in ("and", "or", "not"):
        return {"op": op, "args": [_rewrite(arg) for arg in args]}
    if op == "isnull":
        op = "isNull"
    names = [_uncased(a)["property"] for a in args if _is_property(_uncased(a))]
    if len(names) != 1:
        raise ConstraintError(f"{op} must compare one queryable with literals")
    target = queryable(names[0])
    rule = _RULES.get(target.kind)
    assert rule is not None
    return rule(op, args, target)


def _cql_bbox(values: list[Any]) -> Node:
    numbers, crs = values[1:5], values[5] if len(values) > 5 else "CRS84"
    if len(values) not in (5, 6) or not all(isinstance(v, int | float) for v in numbers):
        raise ConstraintError("BBOX takes a property, four numbers and an optional CRS")
    if queryable(values[0]["property"]).kind != "geometry":
        raise ConstraintError("BBOX applies to ows:BoundingBox (apiso:BoundingBox)")
    swap = latitude_first(str(crs))
    ordered = [numbers[1], numbers[0], numbers[3], numbers[2]] if swap else numbers
    box = {"bbox": box_from_corners(ordered).as_list()}
    return {"op": "s_intersects", "args": [values[0], box]}


def _literals(args: list[Node], convert: Callable[[Any], Any], target: Queryable) -> list[Node]:
    out = []
    for arg in args:
        inner, cased = _uncased(arg), arg is not _uncased(arg)
        value = {"property": target.name} if _is_property(inner) else convert(inner)
        out.append({"op": "casei", "args": [value]} if cased else value)
    return out


def _text_rule(op: str, args: list[Node], target: Queryable) -> Node:
    if op in ("s_intersects", "s_within", "s_contains", "s_disjoint") or op.startswith("s_"):
        raise ConstraintError(f"{target.name} is not a geometry")
    return {"op": op, "args": _literals(args, _text, target)}


def _list_rule(op: str, args: list[Node], target: Queryable) -> Node:
    if op not in ("=", "<>"):
        return _text_rule(op, args, target)
    value = next((a for a in args if not _is_property(_uncased(a))), None)
    if not isinstance(_uncased(value), str | int | float):
        raise ConstraintError(f"{op} on {target.name} needs a literal value")
    column: Node = {"property": target.name}
    cased = value is not _uncased(value)
    if cased:
        column = {"op": "casei", "args": [column]}
    tests: list[Node] = [
        {"op": "like", "args": [column, {"op": "casei", "args": [p]} if cased else p]}
        for p in member_patterns(_text(_uncased(value)))
    ]
    either = {"op": "or", "args": tests}
    return either if op == "=" else {"op": "not", "args": [either]}


def _time_rule(op: str, args: list[Node], target: Queryable) -> Node:
    if op not in ("=", "<>", "<", ">", "<=", ">=", "between", "isNull"):
        raise ConstraintError(f"{op} does not apply to the date {target.name}")
    return {"op": op, "args": [_uncased(a) for a in _literals(args, timestamp, target)]}


def _anytext_rule(op: str, args: list[Node], target: Queryable) -> Node:
    value = next((_uncased(a) for a in args if not _is_property(_uncased(a))), None)
    if op == "isNull":
        return {"op": op, "args": [{"property": target.name}]}
    if op not in ("like", "=", "<>") or not isinstance(value, str):
        raise ConstraintError("AnyText takes =, <> or LIKE with a text")
    pattern = value.lower() if op == "like" else "%" + _escape(value.lower()) + "%"
    test = {"op": "like", "args": [{"property": target.name}, pattern]}
    return {"op": "not", "args": [test]} if op == "<>" else test


def _geometry_rule(op: str, args: list[Node], target: Queryable) -> Node:
    if not op.startswith("s_"):
        raise ConstraintError("ows:BoundingBox can only be used in spatial operators")
    literal = next(a for a in args if not _is_property(a))
    return {"op": op, "args": [{"property": target.name}, literal]}


_RULES: dict[str, Callable[[str, list[Node], Queryable], Node]] = {
    "text": _text_rule,
    "list": _list_rule,
    "time": _time_rule,
    "anytext": _anytext_rule,
    "geometry": _geometry_rule,
}


def timestamp(value: Any) -> Node:
    """A CQL2 timestamp literal from a date or date-time text; ConstraintError when malformed."""
    if isinstance(value, Mapping) and ("timestamp" in value or "date" in value):
        value = value.get("timestamp", value.get("date"))
    if not isinstance(value, str):
        raise ConstraintError(f"{value!r} is not a date")
    try:
        instant = parse_instant(value, LOCATOR)
    except InvalidParameter:
        raise ConstraintError(f"{value!r} is not an ISO 8601 date or date-time") from None
    return {"timestamp": format_instant(instant)}


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise ConstraintError(f"{str(value)[:60]!r} is not a text value")


def _escape(text: str) -> str:
    return "".join(sql_literal(char) for char in text)


def _is_property(node: Node) -> bool:
    return isinstance(node, Mapping) and "property" in node


def _uncased(node: Node) -> Node:
    while isinstance(node, Mapping) and str(node.get("op", "")).lower() in ("casei", "lower", "upper"):
        args = list(node.get("args") or ())
        node = args[0] if len(args) == 1 else None
    return node
