"""Compile a CQL2-JSON expression tree into a parameterised PostgreSQL/PostGIS predicate.

The same tree as `sql_filter` (from `core.filter.parse_filter`), walked the same way, but
PostgreSQL is strictly typed where SQLite is not: a JSON property is read with the accessor
of the literal it is compared with (`tp_num`, `tp_text`, `tp_bool`, which give NULL for a
value of another JSON type), so a comparison across types selects nothing, as in the `cql2`
library's own evaluator. Literals only ever travel as `%s` parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from terrapole.catalog.sql_filter import (
    COMPARISONS,
    SPATIAL,
    Fragment,
    describe,
    geometry_literal,
    join_fragments,
    membership_predicate,
    pair_args,
    single_arg,
)
from terrapole.catalog.sql_filter import temporal_predicate as shared_temporal_predicate
from terrapole.core.errors import InvalidFilter
from terrapole.core.timeutil import parse_instant

# A time literal compared with a JSON property: RFC 3339 strings compared as text, as in SQLite.
TIME_TEXT = "time-as-text"
# The stored geometry's relation to the query geometry, as PostGIS functions.
RELATIONS = {
    "intersects": "ST_Intersects",
    "disjoint": "ST_Disjoint",
    "within": "ST_Within",
    "contains": "ST_Contains",
    "overlaps": "ST_Overlaps",
    "touches": "ST_Touches",
    "crosses": "ST_Crosses",
    "equals": "ST_Equals",
}
JSON_ACCESSORS = {"text": "tp_text", "number": "tp_num", "boolean": "tp_bool", TIME_TEXT: "tp_text"}
UNKNOWN = Fragment("NULL::boolean", [])
NEG_INFINITY, POS_INFINITY = "-infinity", "infinity"


@dataclass(frozen=True, slots=True)
class Queryable:
    """A queryable as PostgreSQL SQL.

    `kind` is text, number, time (timestamptz; `end_sql` makes it an interval), json (a JSONB
    expression) or geometry. A json queryable may name typed columns holding the same value
    (`typed`, by literal kind): promoted properties are read from their indexed column.
    """

    sql: str
    kind: str
    end_sql: str | None = None
    typed: Mapping[str, str] = field(default_factory=dict)
    # A set-valued queryable: a predicate true when the record holds one of `{values}`.
    member_sql: str | None = None


Resolver = Callable[[str], Queryable]


def literal_kind(value: Any) -> str | None:
    """The CQL2 type of a literal: text, number, boolean or time (None for anything else)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping) and ("timestamp" in value or "date" in value):
        return "time"
    return None


class PostgresFilterCompiler:
    """Walks a CQL2-JSON tree and emits SQL for the PostgreSQL store."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve

    def compile(self, expression: Mapping[str, Any]) -> Fragment:
        """The SQL predicate of a boolean CQL2 expression."""
        return self._boolean(expression)

    def _boolean(self, node: Any) -> Fragment:
        if isinstance(node, bool):
            return Fragment("TRUE" if node else "FALSE", [])
        if not isinstance(node, Mapping) or "op" not in node:
            raise InvalidFilter(f"expected a boolean expression, got {describe(node)}")
        op, args = str(node["op"]).lower(), list(node.get("args") or ())
        if op in ("and", "or"):
            return join_fragments(f" {op.upper()} ", [self._boolean(a) for a in args])
        if op == "not":
            inner = self._boolean(single_arg(op, args))
            return Fragment(f"NOT ({inner.sql})", inner.params)
        if op in COMPARISONS:
            return self._comparison(op, args)
        if op in SPATIAL:
            return self._spatial(op, args)
        if op.startswith("t_"):
            return self._temporal(op, args)
        handler = {"like": self._like, "isnull": self._is_null, "between": self._between, "in": self._in}
        if op not in handler:
            raise InvalidFilter(f"unsupported operator {op!r}")
        return handler[op](op, args)

    # -- comparisons ---------------------------------------------------------------------
    def _comparison(self, op: str, args: list[Any]) -> Fragment:
        left, right = pair_args(op, args)
        for node, literal in ((left, right), (right, left)):
            if _is_property(node) and (member := self._column(node).member_sql) is not None:
                return membership_predicate(member, op, [literal], "%s")
        kind = self._kind_of(left, right)
        a, b = self._operand(left, kind), self._operand(right, kind)
        if a is None or b is None:
            return UNKNOWN
        return Fragment(f"({a.sql} {COMPARISONS[op]} {b.sql})", a.params + b.params)

    def _like(self, op: str, args: list[Any]) -> Fragment:
        left, right = pair_args(op, args)
        a, b = self._operand(left, "text"), self._operand(right, "text")
        if a is None or b is None:
            return UNKNOWN
        return Fragment(f"({a.sql} LIKE {b.sql} ESCAPE '\\')", a.params + b.params)

    def _is_null(self, op: str, args: list[Any]) -> Fragment:
        node = single_arg(op, args)
        if _is_property(node):
            column = self._column(node)
            if column.kind == "json":
                # Missing and JSON null are both null, as in the cql2 evaluator.
                return Fragment(f"(coalesce(jsonb_typeof({column.sql}), 'null') = 'null')", [])
            return Fragment(f"({column.sql} IS NULL)", [])
        value = self._operand(node, literal_kind(node))
        return Fragment("FALSE", []) if value is None else Fragment(f"({value.sql} IS NULL)", value.params)

    def _between(self, op: str, args: list[Any]) -> Fragment:
        if len(args) != 3:
            raise InvalidFilter("BETWEEN takes a value and two bounds")
        kind = self._kind_of(*args)
        parts = [self._operand(x, kind) for x in args]
        if any(p is None for p in parts):
            return UNKNOWN
        a, lo, hi = (p for p in parts if p is not None)
        return Fragment(f"({a.sql} BETWEEN {lo.sql} AND {hi.sql})", a.params + lo.params + hi.params)

    def _in(self, op: str, args: list[Any]) -> Fragment:
        left, right = pair_args(op, args)
        if not isinstance(right, list) or not right:
            raise InvalidFilter("IN takes a non-empty list of values")
        # One equality per value: each reads the property with the accessor of its own type.
        tests = [self._comparison("=", [left, value]) for value in right]
        return join_fragments(" OR ", tests)

    # -- operands ------------------------------------------------------------------------
    def _kind_of(self, *nodes: Any) -> str | None:
        """The type a comparison is made in: that of its first literal, else of its first column."""
        for node in nodes:
            kind = literal_kind(_uncased(node))
            if kind == "time" and any(self._is_json(n) for n in nodes):
                return TIME_TEXT
            if kind is not None:
                return kind
        for node in nodes:
            if _is_property(_uncased(node)):
                column = self._column(_uncased(node))
                if column.kind != "json":
                    return column.kind
        return None

    def _operand(self, node: Any, kind: str | None) -> Fragment | None:
        """SQL for one side of a comparison made in `kind`; None when the types cannot meet."""
        if isinstance(node, Mapping) and str(node.get("op", "")).lower() in ("casei", "lower", "upper"):
            inner = self._operand(single_arg("casei", list(node.get("args") or ())), kind)
            return None if inner is None else Fragment(f"lower({inner.sql})", inner.params)
        if _is_property(node):
            return self._property(self._column(node), kind)
        if isinstance(node, Mapping) and "op" in node:
            raise InvalidFilter(f"unsupported function or operator {node['op']!r} in a value")
        if isinstance(node, list):
            raise InvalidFilter("a list is only allowed on the right of IN")
        return self._literal(node, kind)

    def _property(self, column: Queryable, kind: str | None) -> Fragment | None:
        if column.kind == "geometry":
            raise InvalidFilter("geometry can only be used in spatial predicates")
        if column.member_sql is not None:
            raise InvalidFilter("a concept can only be compared with = , <> or IN")
        if column.kind == "json":
            if kind is None:
                return Fragment(column.sql, [])  # JSONB against JSONB (two properties)
            typed, accessor = column.typed.get(kind), JSON_ACCESSORS.get(kind)
            if typed is None and accessor is None:
                return None  # a JSON value against a timestamp column: selects nothing
            return Fragment(typed or f"{accessor}({column.sql})", [])
        if kind is not None and kind != column.kind:
            return None
        return Fragment(column.sql, [])

    def _literal(self, node: Any, kind: str | None) -> Fragment | None:
        own = literal_kind(node)
        if own is None:
            raise InvalidFilter(f"unsupported value {describe(node)}")
        if kind is not None and own != kind and not (own == "time" and kind == TIME_TEXT):
            return None
        if own == "time":
            text = _bound_text(node)
            if kind == TIME_TEXT:
                return Fragment("%s::text", [text])
            return Fragment("%s::timestamptz", [instant(text)])
        if own == "number":
            return Fragment("%s::float8", [node])
        if own == "boolean":
            return Fragment("%s::boolean", [node])
        return Fragment('(%s::text COLLATE "C")', [node])

    def _is_json(self, node: Any) -> bool:
        node = _uncased(node)
        return _is_property(node) and self._column(node).kind == "json"

    def _column(self, node: Mapping[str, Any]) -> Queryable:
        return self.resolve(str(node["property"]))

    # -- spatial and temporal ------------------------------------------------------------
    def _spatial(self, op: str, args: list[Any]) -> Fragment:
        left, right = pair_args(op, args)
        column = self._column(left) if _is_property(left) else None
        literal = right
        if column is None and _is_property(right):
            column, literal = self._column(right), left
        if column is None or column.kind != "geometry":
            raise InvalidFilter(f"{op.upper()} needs the geometry property and a geometry literal")
        return spatial_predicate(column.sql, SPATIAL[op], geometry_literal(literal))

    def _temporal(self, op: str, args: list[Any]) -> Fragment:
        left, right = pair_args(op, args)
        column = self._column(left) if _is_property(left) else None
        literal = right
        if column is None and _is_property(right):
            column, literal = self._column(right), left
        if column is None or column.kind != "time":
            raise InvalidFilter(f"{op.upper()} needs a temporal property such as datetime")
        start, end = _interval_literal(literal)
        return temporal_predicate(op, column, start, end)


def compile_filter(resolve: Resolver, expression: Mapping[str, Any]) -> Fragment:
    """The SQL predicate of a CQL2-JSON expression over the queryables `resolve` knows."""
    return PostgresFilterCompiler(resolve).compile(expression)


def spatial_predicate(column_sql: str, relation: str, geometry: BaseGeometry) -> Fragment:
    """A PostGIS relation between the stored geometry and a literal (the GiST index serves it)."""
    function = RELATIONS[relation]
    wkb = shapely.to_wkb(geometry)
    return Fragment(f"{function}({column_sql}, ST_GeomFromWKB(%s, 4326))", [wkb])


def temporal_predicate(op: str, column: Queryable, start: Any, end: Any) -> Fragment:
    """Allen-style relations, with time literals typed as timestamptz."""
    return shared_temporal_predicate(op, column, start, end, t="%s::timestamptz")


def instant(text: str, end_of_day: bool = False) -> datetime:
    """An RFC 3339 date or date-time; a plain date as an interval end means its last microsecond."""
    try:
        value = parse_instant(text, "filter")
    except Exception:
        raise InvalidFilter(f"{text!r} is not an RFC 3339 date or date-time") from None
    if end_of_day and len(text.strip()) == 10:
        value += timedelta(days=1, microseconds=-1)
    return value


def _interval_literal(node: Any) -> tuple[Any, Any]:
    if isinstance(node, Mapping) and "interval" in node:
        bounds = list(node["interval"])
        if len(bounds) != 2:
            raise InvalidFilter("an INTERVAL takes two bounds")
        start = NEG_INFINITY if bounds[0] == ".." else instant(_bound_text(bounds[0]))
        end = POS_INFINITY if bounds[1] == ".." else instant(_bound_text(bounds[1]), end_of_day=True)
        if isinstance(start, datetime) and isinstance(end, datetime) and start > end:
            raise InvalidFilter("interval start is after its end")
        return start, end
    if literal_kind(node) != "time":
        raise InvalidFilter(f"expected a timestamp, date or interval, got {describe(node)}")
    moment = instant(_bound_text(node))
    return moment, moment


def _bound_text(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("timestamp", value.get("date"))
    if not isinstance(value, str):
        raise InvalidFilter(f"expected a date-time string, got {describe(value)}")
    return value


def _is_property(node: Any) -> bool:
    return isinstance(node, Mapping) and "property" in node


def _uncased(node: Any) -> Any:
    """The argument of CASEI/LOWER/UPPER (the node itself otherwise)."""
    while isinstance(node, Mapping) and str(node.get("op", "")).lower() in ("casei", "lower", "upper"):
        args = list(node.get("args") or ())
        node = args[0] if len(args) == 1 else None
    return node
