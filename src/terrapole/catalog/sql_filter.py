"""Compile a CQL2-JSON expression tree into a parameterised SQL predicate.

The tree comes from `core.filter.parse_filter` (parsed by the `cql2` library). Property names
are resolved to SQL expressions by the store; literal values only ever travel as parameters.
Supported: basic CQL2, advanced comparison (LIKE, IN, BETWEEN), CASEI, the spatial
predicates S_INTERSECTS/S_WITHIN/S_CONTAINS/S_DISJOINT and the temporal T_* predicates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import shapely
from shapely.geometry.base import BaseGeometry

from terrapole.core.errors import InvalidFilter
from terrapole.core.timeutil import parse_instant, to_micros

COMPARISONS = {"=": "=", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
SPATIAL = {
    "s_intersects": "intersects",
    "s_within": "within",
    "s_contains": "contains",
    "s_disjoint": "disjoint",
    "s_overlaps": "overlaps",
    "s_touches": "touches",
    "s_crosses": "crosses",
    "s_equals": "equals",
}
MIN_MICROS, MAX_MICROS = -(2**62), 2**62
# The JSON types a literal of each kind compares with (names as SQLite's json_type gives them).
JSON_TYPES = {"number": ("integer", "real"), "text": ("text",), "boolean": ("true", "false")}


@dataclass(frozen=True, slots=True)
class Column:
    """A queryable as SQL: `kind` is text, number, boolean, time (integer microseconds), json,
    or geometry. A time column with `end_sql` is an interval (start in `sql`)."""

    sql: str
    kind: str
    end_sql: str | None = None
    bbox_sql: tuple[str, str, str, str] | None = None
    rtree: str | None = None
    # For a json column: SQL naming the JSON type of the value (as SQLite's json_type does).
    type_sql: str | None = None


Resolver = Callable[[str], Column]


@dataclass(slots=True)
class Fragment:
    """A piece of SQL and the parameters it binds, in order."""

    sql: str
    params: list[Any]


class FilterCompiler:
    """Walks a CQL2-JSON tree and emits SQL for the SQLite store."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve

    def compile(self, expression: Mapping[str, Any]) -> Fragment:
        """The SQL predicate of a boolean CQL2 expression."""
        return self._boolean(expression)

    def _boolean(self, node: Any) -> Fragment:
        if isinstance(node, bool):
            return Fragment("1" if node else "0", [])
        if not isinstance(node, Mapping) or "op" not in node:
            raise InvalidFilter(f"expected a boolean expression, got {describe(node)}")
        op, args = str(node["op"]).lower(), list(node.get("args") or ())
        if op in ("and", "or"):
            parts = [self._boolean(a) for a in args]
            return join_fragments(f" {op.upper()} ", parts)
        if op == "not":
            inner = self._boolean(single_arg(op, args))
            return Fragment(f"NOT ({inner.sql})", inner.params)
        handler = self._handlers().get(op)
        if handler is None:
            if op in SPATIAL:
                return self._spatial(op, args)
            if op.startswith("t_"):
                return self._temporal(op, args)
            raise InvalidFilter(f"unsupported operator {op!r}")
        return handler(op, args)

    def _handlers(self) -> dict[str, Callable[[str, list[Any]], Fragment]]:
        table: dict[str, Callable[[str, list[Any]], Fragment]] = dict.fromkeys(COMPARISONS, self._comparison)
        table.update(like=self._like, isnull=self._is_null, between=self._between, **{"in": self._in})
        return table

    def _comparison(self, op: str, args: list[Any]) -> Fragment:
        left, right = pair_args(op, args)
        column = self._column_of(left) or self._column_of(right)
        a = self._scalar(left, column, literal_kind(right))
        b = self._scalar(right, column, literal_kind(left))
        return Fragment(f"({a.sql} {COMPARISONS[op]} {b.sql})", a.params + b.params)

    def _like(self, op: str, args: list[Any]) -> Fragment:
        left, right = pair_args(op, args)
        a, b = self._scalar(left, None, "text"), self._scalar(right, None, "text")
        return Fragment(f"({a.sql} LIKE {b.sql} ESCAPE '\\')", a.params + b.params)

    def _is_null(self, op: str, args: list[Any]) -> Fragment:
        a = self._scalar(single_arg(op, args), None)
        return Fragment(f"({a.sql} IS NULL)", a.params)

    def _between(self, op: str, args: list[Any]) -> Fragment:
        if len(args) != 3:
            raise InvalidFilter("BETWEEN takes a value and two bounds")
        column = self._column_of(args[0])
        kind = literal_kind(args[1])
        a, lo, hi = (self._scalar(x, column, kind) for x in args)
        return Fragment(f"({a.sql} BETWEEN {lo.sql} AND {hi.sql})", a.params + lo.params + hi.params)

    def _in(self, op: str, args: list[Any]) -> Fragment:
        left, right = pair_args(op, args)
        if not isinstance(right, list) or not right:
            raise InvalidFilter("IN takes a non-empty list of values")
        column = self._column_of(left)
        by_kind: dict[str | None, list[Any]] = {}
        for value in right:
            by_kind.setdefault(literal_kind(value), []).append(value)
        parts = []
        for kind, values in by_kind.items():
            a = self._scalar(left, column, kind)
            bound = [self._scalar(v, column) for v in values]
            placeholders = ", ".join(v.sql for v in bound)
            params = a.params + [p for v in bound for p in v.params]
            parts.append(Fragment(f"({a.sql} IN ({placeholders}))", params))
        return join_fragments(" OR ", parts)

    def _scalar(self, node: Any, column: Column | None, other: str | None = None) -> Fragment:
        """A value as SQL; `other` is the kind of the literal it is compared with, if known."""
        if isinstance(node, Mapping):
            if "property" in node:
                return self._property(str(node["property"]), other)
            if "op" in node and str(node["op"]).lower() in ("casei", "lower", "upper"):
                inner = self._scalar(single_arg("casei", list(node.get("args") or ())), column, "text")
                return Fragment(f"lower({inner.sql})", inner.params)
            if "timestamp" in node or "date" in node:
                return Fragment("?", [_time_value(node, column)])
            if "op" in node:
                raise InvalidFilter(f"unsupported function or operator {node['op']!r} in a value")
            raise InvalidFilter(f"unsupported value {describe(node)}")
        if isinstance(node, list):
            raise InvalidFilter("a list is only allowed on the right of IN")
        if isinstance(node, float) and node.is_integer() and column and column.kind != "time":
            return Fragment("?", [int(node)])
        return Fragment("?", [node])

    def _property(self, name: str, other: str | None) -> Fragment:
        """A property; compared with a literal, only its values of the literal's JSON type.

        CQL2 compares values of one type: a value of another type is NULL here, so it neither
        matches nor fails a comparison (and NOT of the comparison selects it no more), as in
        the PostgreSQL store's typed reads.
        """
        col = self.resolve(name)
        if col.kind == "geometry":
            raise InvalidFilter("geometry can only be used in spatial predicates")
        if col.type_sql is not None and other in JSON_TYPES:
            names = ", ".join(f"'{t}'" for t in JSON_TYPES[other])
            return Fragment(f"(CASE WHEN {col.type_sql} IN ({names}) THEN {col.sql} END)", [])
        if col.kind in JSON_TYPES and other in JSON_TYPES and other != col.kind:
            return Fragment("NULL", [])
        return Fragment(col.sql, [])

    def _column_of(self, node: Any) -> Column | None:
        if isinstance(node, Mapping) and "property" in node:
            return self.resolve(str(node["property"]))
        return None

    def _spatial(self, op: str, args: list[Any]) -> Fragment:
        left, right = pair_args(op, args)
        column = self._column_of(left) or self._column_of(right)
        literal = right if self._column_of(left) else left
        if column is None or column.kind != "geometry":
            raise InvalidFilter(f"{op.upper()} needs the geometry property and a geometry literal")
        return spatial_predicate(column, SPATIAL[op], geometry_literal(literal))

    def _temporal(self, op: str, args: list[Any]) -> Fragment:
        left, right = pair_args(op, args)
        column = self._column_of(left) or self._column_of(right)
        literal = right if self._column_of(left) else left
        if column is None or column.kind != "time":
            raise InvalidFilter(f"{op.upper()} needs a temporal property such as datetime")
        start, end = _interval_literal(literal)
        return temporal_predicate(op, column, start, end)


def spatial_predicate(column: Column, relation: str, geometry: BaseGeometry) -> Fragment:
    """Bounding-box prefilter (R*Tree when the column has one) plus the exact shapely test."""
    wkb = shapely.to_wkb(geometry)
    exact = Fragment(f"tp_spatial(?, {column.sql}, ?)", [relation, wkb])
    if relation == "disjoint" or column.bbox_sql is None:
        return exact
    west, south, east, north = geometry.bounds
    minx, miny, maxx, maxy = column.bbox_sql
    box = Fragment(f"{minx} <= ? AND {maxx} >= ? AND {miny} <= ? AND {maxy} >= ?", [east, west, north, south])
    parts = [box]
    if column.rtree:
        table, key = column.rtree.split(":")
        # Table and key names come from the store's own spec, never from a request.
        subquery = f"SELECT rid FROM {table} WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?"  # noqa: S608
        parts.append(Fragment(f"{key} IN ({subquery})", [east, west, north, south]))
    return join_fragments(" AND ", [*parts, exact])


class TimeColumn(Protocol):
    """A time queryable of any store: its start expression and, for intervals, its end."""

    @property
    def sql(self) -> str: ...

    @property
    def end_sql(self) -> str | None: ...


def temporal_predicate(op: str, column: TimeColumn, start: Any, end: Any, t: str = "?") -> Fragment:
    """Allen-style relations between a stored interval [s, e] and a literal [start, end].

    `t` is the placeholder for a time literal in the store's SQL dialect.
    """
    s, e = column.sql, column.end_sql or column.sql
    rules = {
        "t_intersects": (f"({s} <= {t} AND {e} >= {t})", [end, start]),
        "t_disjoint": (f"NOT ({s} <= {t} AND {e} >= {t})", [end, start]),
        "t_before": (f"({e} < {t})", [start]),
        "t_after": (f"({s} > {t})", [end]),
        "t_equals": (f"({s} = {t} AND {e} = {t})", [start, end]),
        "t_during": (f"({s} > {t} AND {e} < {t})", [start, end]),
        "t_contains": (f"({s} < {t} AND {e} > {t})", [start, end]),
        "t_starts": (f"({s} = {t} AND {e} < {t})", [start, end]),
        "t_finishes": (f"({s} > {t} AND {e} = {t})", [start, end]),
        "t_meets": (f"({e} = {t})", [start]),
        "t_metby": (f"({s} = {t})", [end]),
        "t_overlaps": (f"({s} < {t} AND {e} > {t} AND {e} < {t})", [start, start, end]),
        "t_overlappedby": (f"({s} > {t} AND {s} < {t} AND {e} > {t})", [start, end, end]),
    }
    if op not in rules:
        raise InvalidFilter(f"unsupported temporal operator {op!r}")
    sql, params = rules[op]
    return Fragment(sql, list(params))


def geometry_literal(node: Any) -> BaseGeometry:
    """A shapely geometry from a CQL2 geometry literal (GeoJSON object or {"bbox": [...]})."""
    if isinstance(node, Mapping) and "bbox" in node:
        box = list(node["bbox"])
        if len(box) == 6:
            box = [box[0], box[1], box[3], box[4]]
        if len(box) != 4:
            raise InvalidFilter("a BBOX literal takes 4 or 6 numbers")
        return shapely.box(*box)
    if isinstance(node, Mapping) and "type" in node:
        import orjson

        try:
            return shapely.from_geojson(orjson.dumps(node).decode())
        except Exception as exc:  # GEOS raises several error types
            raise InvalidFilter(f"invalid geometry literal: {exc}") from None
    raise InvalidFilter(f"expected a geometry literal, got {describe(node)}")


def _interval_literal(node: Any) -> tuple[int, int]:
    if isinstance(node, Mapping) and "interval" in node:
        bounds = list(node["interval"])
        if len(bounds) != 2:
            raise InvalidFilter("an INTERVAL takes two bounds")
        start = MIN_MICROS if bounds[0] == ".." else _micros(bounds[0])
        end = MAX_MICROS if bounds[1] == ".." else _micros(bounds[1], end_of_day=True)
        if start > end:
            raise InvalidFilter("interval start is after its end")
        return start, end
    instant = _time_value(node, None)
    if not isinstance(instant, int):
        raise InvalidFilter(f"expected a timestamp, date or interval, got {describe(node)}")
    return instant, instant


def _time_value(node: Any, column: Column | None) -> Any:
    """Microseconds for time columns, else an RFC 3339 string (JSON properties hold strings)."""
    text = node.get("timestamp", node.get("date")) if isinstance(node, Mapping) else node
    if not isinstance(text, str):
        raise InvalidFilter(f"expected a timestamp or date, got {describe(node)}")
    if column is not None and column.kind != "time":
        return text
    return _micros(text)


def _micros(value: Any, end_of_day: bool = False) -> int:
    if isinstance(value, Mapping):
        value = value.get("timestamp", value.get("date"))
    if not isinstance(value, str):
        raise InvalidFilter(f"expected a date-time string, got {describe(value)}")
    try:
        micros = to_micros(parse_instant(value, "filter"))
    except Exception:
        raise InvalidFilter(f"{value!r} is not an RFC 3339 date or date-time") from None
    if end_of_day and len(value) == 10:
        micros += 86_400_000_000 - 1
    return micros


def pair_args(op: str, args: Sequence[Any]) -> tuple[Any, Any]:
    """The two arguments of a binary operator; InvalidFilter otherwise."""
    if len(args) != 2:
        raise InvalidFilter(f"{op!r} takes two arguments")
    return args[0], args[1]


def single_arg(op: str, args: Sequence[Any]) -> Any:
    """The one argument of a unary operator; InvalidFilter otherwise."""
    if len(args) != 1:
        raise InvalidFilter(f"{op!r} takes one argument")
    return args[0]


def join_fragments(separator: str, parts: Sequence[Fragment]) -> Fragment:
    """Fragments joined by AND or OR, parenthesised."""
    if not parts:
        raise InvalidFilter("empty logical expression")
    sql = separator.join(f"({p.sql})" for p in parts)
    return Fragment(f"({sql})", [x for p in parts for x in p.params])


def literal_kind(node: Any) -> str | None:
    """The CQL2 kind of a literal (number, text, boolean, time), None for anything else."""
    if isinstance(node, bool):
        return "boolean"
    if isinstance(node, int | float):
        return "number"
    if isinstance(node, str):
        return "text"
    if isinstance(node, Mapping) and ("timestamp" in node or "date" in node or "interval" in node):
        return "time"
    return None


def describe(node: Any) -> str:
    """A short representation of a filter node for error messages."""
    text = repr(node)
    return text if len(text) < 80 else text[:77] + "..."
