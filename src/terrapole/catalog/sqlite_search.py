"""Planning and running searches in the SQLite catalog: filters, text, keyset paging.

A search becomes one SQL statement: the WHERE clause gathers every filter as parameterised
fragments, the ORDER BY follows the requested sort with the row id as the final tie-breaker,
and pages continue from the sort keys of the last row (keyset paging, never OFFSET), so a
page token stays valid and exact while records are being added.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import shapely

from terrapole.catalog import sqlite_vocab
from terrapole.catalog.sql_filter import (
    Column,
    FilterCompiler,
    Fragment,
    membership_predicate,
    spatial_predicate,
)
from terrapole.catalog.textindex import TextFilters, TextIndex
from terrapole.core.errors import InvalidParameter, UnknownQueryable
from terrapole.core.model import BBox
from terrapole.core.query import Query, SortField, decode_token, encode_token
from terrapole.core.timeutil import to_micros

SAFE_NAME = re.compile(r"^[A-Za-z0-9_:.\-]{1,128}$")
RTREE_PROBE = 500  # above this many R*Tree matches, walking the covering time index is cheaper
PROGRESS_STEPS = 2000  # SQLite VM steps between two checks of the count deadline
TEXT_FIRST_FETCH = 64


@dataclass(frozen=True, slots=True)
class TableSpec:
    """How one searchable table is laid out."""

    table: str
    alias: str
    select: str
    default_sort: tuple[tuple[str, bool], ...]
    resolve: Callable[[str], Column]
    sort_columns: dict[str, str]
    rtree: str | None = None
    time_bounds: Callable[[], tuple[int, int]] | None = None
    not_null: frozenset[str] = frozenset()
    # Index to walk when the first sort key is its leading column, chosen by whether the
    # search names collections (SQLite cannot see that the LIMIT stops such a walk early).
    order_indexes: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Items: a record also refers to its collection's concepts.
    inherits_concepts: bool = False


@dataclass(slots=True)
class SearchOutcome:
    """Rows of one page (in order) and the paging state around them."""

    rows: list[sqlite3.Row]
    number_matched: int | None
    next_token: str | None
    prev_token: str | None


def json_property(column: str, name: str) -> Column:
    """A member of a stored JSON object as a column.

    The name is one the store already knows (the allow-list of queryables) and matches a strict
    pattern, so it can stand inside the JSON path literal.
    """
    if not SAFE_NAME.match(name) or '"' in name:
        raise UnknownQueryable("filter", name)
    path = f"'$.\"{name}\"'"
    return Column(f"json_extract({column}, {path})", "json", type_sql=f"json_type({column}, {path})")


class Searcher:
    """Runs one `Query` against one table of an open connection."""

    def __init__(
        self, spec: TableSpec, text_index: TextIndex | None, count_limit: int, count_budget_ms: float = 1000.0
    ) -> None:
        self.spec = spec
        self.text_index = text_index
        self.count_limit = count_limit
        self.count_budget = count_budget_ms / 1000.0

    def run(self, conn: sqlite3.Connection, query: Query, extra: Sequence[Fragment] = ()) -> SearchOutcome:
        """Answer the query: ranked by text relevance, or ordered by keyset."""
        token = decode_token(query.token) if query.token else {}
        where = self.where(conn, query, extra, with_text=not query.ranked)
        if query.ranked:
            return self._ranked(conn, query, where, token)
        return self._ordered(conn, query, where, token)

    def where(
        self, conn: sqlite3.Connection, query: Query, extra: Sequence[Fragment] = (), with_text: bool = True
    ) -> list[Fragment]:
        """Every condition of the query as SQL; text matches too, `with_text` (as row ids)."""
        where = [*extra, *self._where(query)]
        if query.text and with_text:
            where.append(self._text_membership(conn, query))
        return where

    # -- filters -------------------------------------------------------------------------
    def _where(self, query: Query) -> list[Fragment]:
        a = self.spec.alias
        where: list[Fragment] = []
        if query.ids:
            where.append(Fragment(f"{a}.id IN ({_marks(query.ids)})", list(query.ids)))
        if query.datetime is not None:
            where.append(self._datetime(query))
        if query.bbox is not None:
            where.append(self._bbox(query.bbox))
        if query.intersects is not None:
            geometry = _geometry(query.intersects)
            where.append(spatial_predicate(self.spec.resolve("geometry"), "intersects", geometry))
        if query.filter is not None:
            where.append(FilterCompiler(self.spec.resolve).compile(query.filter.expression))
        if query.concepts:
            member = self.spec.resolve("concept").member_sql or ""
            where.append(membership_predicate(member, "=", query.concepts, "?"))
        if query.hidden_collections:
            hidden = sorted(query.hidden_collections)
            owner = f"{a}.collection" if self.spec.table == "items" else f"{a}.id"
            where.append(Fragment(f"{owner} NOT IN ({_marks(hidden)})", hidden))
        return where

    def _datetime(self, query: Query) -> Fragment:
        assert query.datetime is not None
        column = self.spec.resolve("datetime")
        start = to_micros(query.datetime.start) if query.datetime.start else None
        end = to_micros(query.datetime.end) if query.datetime.end else None
        parts = []
        if end is not None:
            parts.append(Fragment(f"{column.sql} <= ?", [end]))
        if start is not None:
            parts.append(Fragment(f"{column.end_sql or column.sql} >= ?", [start]))
        parts.extend(self._implied_sort_range(start, end))
        return Fragment(" AND ".join(p.sql for p in parts), [x for p in parts for x in p.params])

    def _implied_sort_range(self, start: int | None, end: int | None) -> list[Fragment]:
        """Bounds on the indexed sort instant implied by the interval (longest span known)."""
        if self.spec.time_bounds is None:
            return []
        before, after = self.spec.time_bounds()
        sort_sql = self.spec.sort_columns["datetime"]
        parts = []
        if start is not None:
            parts.append(Fragment(f"{sort_sql} >= ?", [start - after]))
        if end is not None:
            parts.append(Fragment(f"{sort_sql} <= ?", [end + before]))
        return parts

    def _bbox(self, box: BBox) -> Fragment:
        column = self.spec.resolve("geometry")
        parts = []
        for part in box.parts():
            if column.kind == "geometry" and column.sql.endswith("geom"):
                parts.append(_exact_box(column, part))
            else:
                minx, miny, maxx, maxy = column.bbox_sql or ("", "", "", "")
                parts.append(
                    Fragment(
                        f"({minx} <= ? AND {maxx} >= ? AND {miny} <= ? AND {maxy} >= ?)",
                        [part.east, part.west, part.north, part.south],
                    )
                )
        return Fragment(" OR ".join(f"({p.sql})" for p in parts), [x for p in parts for x in p.params])

    def _text_membership(self, conn: sqlite3.Connection, query: Query) -> Fragment:
        assert self.text_index is not None and query.text
        rids = self.text_index.matching_rids(query.text, self.text_filters(conn, query))
        return _rid_member(self.spec.alias, rids)

    def text_filters(self, conn: sqlite3.Connection, query: Query) -> TextFilters:
        """The filters of the query that the text index applies exactly itself."""
        dt = query.datetime
        inherited = sqlite_vocab.collections_with(conn, query.concepts) if query.concepts else []
        return TextFilters(
            collections=query.collections if self.spec.table == "items" else (),
            hidden=tuple(sorted(query.hidden_collections)),
            start=to_micros(dt.start) if dt and dt.start else None,
            end=to_micros(dt.end) if dt and dt.end else None,
            bbox=query.bbox,
            concepts=query.concepts,
            concept_collections=tuple(inherited) if self.spec.inherits_concepts else (),
        )

    # -- ordered (keyset) ------------------------------------------------------------------
    def _sort_keys(self, sortby: Sequence[SortField]) -> list[tuple[str, bool]]:
        keys = []
        for sort in sortby:
            name = sort.field.removeprefix("properties.")
            sql = self.spec.sort_columns.get(name)
            if sql is None:
                column = _sortable(self.spec.resolve, name)
                sql = column.sql
            keys.append((sql, sort.descending))
        if not keys:
            keys = list(self.spec.default_sort)
        keys.append((f"{self.spec.alias}.rid", keys[-1][1]))
        return keys

    def _ordered(
        self, conn: sqlite3.Connection, query: Query, where: list[Fragment], token: dict[str, Any]
    ) -> SearchOutcome:
        keys = self._sort_keys(query.sortby)
        backwards = bool(token.get("p"))
        if "k" in token:
            where = [*where, _after(keys, token["k"], backwards, self.spec.not_null)]
        order = [(sql, desc != backwards) for sql, desc in keys]
        source = self._source(conn, query)
        walked = self._walk_index(source, keys[0][0], query)
        offset = 0 if token else query.offset
        try:
            rows = conn.execute(*_select(self.spec, walked, where, order, query.limit + 1, offset)).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such index" not in str(exc):  # a bulk load is rebuilding it
                raise
            rows = conn.execute(*_select(self.spec, source, where, order, query.limit + 1, offset)).fetchall()
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        if backwards:
            rows.reverse()
        if token:
            matched = token.get("m")
        elif not more and (rows or not offset):
            matched = offset + len(rows)  # the rest of the result fits on this page
        else:
            matched = self._count(conn, source, where)
        paged = bool(token) or offset > 0
        return SearchOutcome(rows, matched, *_tokens(rows, len(keys), more, backwards, paged, matched))

    def _source(self, conn: sqlite3.Connection, query: Query, probe: bool = True) -> Fragment:
        """Drive the join from the R*Tree when the box is selective, else from the table's indexes.

        Without `probe` (counting every match, no LIMIT to stop a walk early), any box drives
        the join from the R*Tree.
        """
        table = Fragment(f"{self.spec.table} AS {self.spec.alias}", [])
        box = query.bbox or (_geometry_box(query.intersects) if query.intersects else None)
        if self.spec.rtree is None or box is None or box.crosses_antimeridian:
            return table
        if probe:
            found = conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {self.spec.rtree} WHERE minx <= ? AND maxx >= ? "  # noqa: S608
                "AND miny <= ? AND maxy >= ? LIMIT ?)",
                [box.east, box.west, box.north, box.south, RTREE_PROBE + 1],
            ).fetchone()[0]
            if found > RTREE_PROBE:
                return table
        boxed = (
            f"SELECT rid AS r FROM {self.spec.rtree} "  # noqa: S608 - names from the spec
            "WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?"
        )
        return Fragment(
            f"({boxed}) AS rt CROSS JOIN {table.sql} ON {self.spec.alias}.rid = rt.r",
            [box.east, box.west, box.north, box.south],
        )

    def counting_source(self, conn: sqlite3.Connection, query: Query) -> Fragment:
        """The rows a count of every match reads: the R*Tree's when the query has a box."""
        return self._source(conn, query, probe=False)

    def _walk_index(self, source: Fragment, first_key: str, query: Query) -> Fragment:
        indexes = self.spec.order_indexes.get(first_key)
        # Filters and ids have better indexes of their own, which the planner finds by itself.
        if indexes is None or query.ids or query.filter or not source.sql.endswith(f" AS {self.spec.alias}"):
            return source
        index = indexes[1] if query.collections else indexes[0]
        return Fragment(f"{source.sql} INDEXED BY {index}", source.params)

    def count(self, conn: sqlite3.Connection, query: Query, extra: Sequence[Fragment] = ()) -> int:
        """The exact number of matches of the query (no count budget, no count limit)."""
        where = [*extra, *self._where(query)]
        if query.text:
            where.append(self._text_membership(conn, query))
        clause, params = _where_sql(where)
        source = self._source(conn, query)
        sql = f"SELECT count(*) FROM {source.sql} {clause}"  # noqa: S608
        return int(conn.execute(sql, [*source.params, *params]).fetchone()[0])

    def _count(self, conn: sqlite3.Connection, source: Fragment, where: list[Fragment]) -> int | None:
        """The number of matches, if it can be counted within the count budget (else None)."""
        clause, params = _where_sql(where)
        sql = f"SELECT count(*) FROM (SELECT 1 FROM {source.sql} {clause} LIMIT ?)"  # noqa: S608
        deadline = time.perf_counter() + self.count_budget
        conn.set_progress_handler(lambda: int(time.perf_counter() > deadline), PROGRESS_STEPS)
        try:
            count = int(conn.execute(sql, [*source.params, *params, self.count_limit + 1]).fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
            return None
        finally:
            conn.set_progress_handler(None, 0)
        return count if count <= self.count_limit else None

    # -- ranked by text relevance ----------------------------------------------------------
    def _ranked(
        self, conn: sqlite3.Connection, query: Query, where: list[Fragment], token: dict[str, Any]
    ) -> SearchOutcome:
        """Pages in the text index's ranking order; a token holds the position to resume from.

        Ranked pages are exact while the index is unchanged; under concurrent writes an explicit
        sortby gives keyset paging instead.
        """
        assert self.text_index is not None and query.text
        verify = bool(where) and _needs_verification(query)
        start = int(token.get("o", 0)) if token else 0
        skip = 0 if token else query.offset
        if not verify:  # index positions are result positions: skip by starting further on
            start, skip = start + skip, 0
        if start and start >= self.text_index.num_docs():  # past the end (the index would
            return SearchOutcome([], token.get("m"), None, None)  # reserve room for `start` hits)
        page, resume, count = self._collect(conn, query, where if verify else None, start, skip)
        matched = token.get("m") if token else (None if verify else count)
        rows = self._rows_by_rid(conn, [rid for _, rid in page])
        next_token = encode_token({"o": resume, "m": matched}) if resume is not None else None
        prev_token = None
        if start and not verify:
            prev_token = encode_token({"o": max(0, start - query.limit), "m": matched})
        return SearchOutcome(rows, matched, next_token, prev_token)

    def _collect(
        self, conn: sqlite3.Connection, query: Query, verify: list[Fragment] | None, start: int, skip: int
    ) -> tuple[list[tuple[float, int]], int | None, int]:
        """A page of ranked hits from index position `start`, the `skip` first accepted ones left
        out; also the index position to resume from (None at the end) and the index's count."""
        assert self.text_index is not None and query.text
        filters = self.text_filters(conn, query)
        page: list[tuple[float, int]] = []
        position, fetch = start, max(TEXT_FIRST_FETCH, 2 * (query.limit + 1))
        while True:
            hits, count = self.text_index.search(query.text, filters, fetch, offset=position)
            accepted = {rid for _, rid in self._verify(conn, hits, verify)} if verify else None
            for index, hit in enumerate(hits):
                if accepted is not None and hit[1] not in accepted:
                    continue
                if skip:
                    skip -= 1
                elif len(page) == query.limit:
                    return page, position + index, count
                else:
                    page.append(hit)
            if len(hits) < fetch:
                return page, None, count
            position, fetch = position + len(hits), fetch * 2

    def _verify(
        self, conn: sqlite3.Connection, hits: list[tuple[float, int]], where: list[Fragment]
    ) -> list[tuple[float, int]]:
        if not hits:
            return []
        a = self.spec.alias
        member = _rid_member(a, [rid for _, rid in hits])
        clause, params = _where_sql([member, *where])
        sql = f"SELECT {a}.rid FROM {self.spec.table} AS {a} {clause}"  # noqa: S608
        ok = {row[0] for row in conn.execute(sql, params)}
        return [h for h in hits if h[1] in ok]

    def _rows_by_rid(self, conn: sqlite3.Connection, rids: list[int]) -> list[sqlite3.Row]:
        if not rids:
            return []
        a = self.spec.alias
        sql = (
            f"SELECT {self.spec.select}, {a}.rid AS _rid FROM {self.spec.table} AS {a} "  # noqa: S608
            f"WHERE {a}.rid IN (SELECT value FROM json_each(?))"
        )
        by_rid = {row["_rid"]: row for row in conn.execute(sql, [orjson.dumps(rids).decode()])}
        return [by_rid[rid] for rid in rids if rid in by_rid]


def _rid_member(alias: str, rids: Sequence[int]) -> Fragment:
    """`alias.rid` is one of `rids` (bound as one JSON array parameter)."""
    member = f"{alias}.rid IN (SELECT value FROM json_each(?))"  # noqa: S608 - alias from the spec
    return Fragment(member, [orjson.dumps(list(rids)).decode()])


def _needs_verification(query: Query) -> bool:
    """The text index applies collections and time exactly; anything else is checked in SQL."""
    return bool(query.ids or query.bbox or query.intersects or query.filter)


def _sortable(resolve: Callable[[str], Column], name: str) -> Column:
    try:
        column = resolve(name)
    except UnknownQueryable:
        raise UnknownQueryable("sortby", name) from None
    if column.kind == "geometry":
        raise InvalidParameter("sortby", "cannot sort by geometry")
    return column


def _after(
    keys: list[tuple[str, bool]], values: list[Any], backwards: bool, not_null: frozenset[str]
) -> Fragment:
    """Rows strictly after (or, backwards, before) the given sort-key values."""
    if not isinstance(values, list) or len(values) != len(keys):
        raise InvalidParameter("token", "page token does not match this search")
    alternatives: list[Fragment] = []
    for index, (sql, desc) in enumerate(keys):
        ties = [Fragment(f"{s} IS ?", [v]) for (s, _), v in zip(keys[:index], values[:index], strict=True)]
        step = _strictly_after(sql, values[index], desc != backwards, sql in not_null)
        parts = [*ties, step]
        alternatives.append(
            Fragment(" AND ".join(p.sql for p in parts), [x for p in parts for x in p.params])
        )
    parts = [
        Fragment(" OR ".join(f"({f.sql})" for f in alternatives), [x for f in alternatives for x in f.params])
    ]
    first, descending = keys[0][0], keys[0][1] != backwards
    if first in not_null and values[0] is not None:
        # The same rows, plus a plain range on the first key that an index can seek to.
        parts.insert(0, Fragment(f"{first} {'<=' if descending else '>='} ?", [values[0]]))
    return Fragment(" AND ".join(f"({p.sql})" for p in parts), [x for p in parts for x in p.params])


def _strictly_after(sql: str, value: Any, descending: bool, never_null: bool) -> Fragment:
    # SQLite orders NULL before every value.
    if not descending:
        if value is None:
            return Fragment(f"{sql} IS NOT NULL", [])
        return Fragment(f"{sql} > ?", [value])
    if value is None:
        return Fragment("0", [])
    if never_null:
        return Fragment(f"{sql} < ?", [value])
    return Fragment(f"({sql} < ? OR {sql} IS NULL)", [value])


def _tokens(
    rows: list[sqlite3.Row],
    nkeys: int,
    more: bool,
    backwards: bool,
    paged: bool,
    matched: int | None,
) -> tuple[str | None, str | None]:
    """Next and previous tokens; `paged` when this page is not the first (a token or an offset)."""
    if not rows:
        return None, None
    first = [rows[0][f"_k{i}"] for i in range(nkeys)]
    last = [rows[-1][f"_k{i}"] for i in range(nkeys)]
    has_next = more if not backwards else True
    has_prev = more if backwards else paged
    next_token = encode_token({"k": last, "m": matched}) if has_next else None
    prev_token = encode_token({"k": first, "p": 1, "m": matched}) if has_prev else None
    return next_token, prev_token


def _select(
    spec: TableSpec,
    source: Fragment,
    where: list[Fragment],
    order: list[tuple[str, bool]],
    limit: int,
    offset: int = 0,
) -> tuple[str, list[Any]]:
    """Order and cut on the sort keys alone, then read the rows of the page."""
    a = spec.alias
    keys = ", ".join(f"{sql} AS _k{i}" for i, (sql, _) in enumerate(order))
    clause, params = _where_sql(where)
    inner = ", ".join(f"{sql} {'DESC' if desc else 'ASC'}" for sql, desc in order)
    outer = ", ".join(f"t._k{i} {'DESC' if desc else 'ASC'}" for i, (_, desc) in enumerate(order))
    names = ", ".join(f"t._k{i}" for i in range(len(order)))
    sql = (
        f"SELECT {spec.select}, {names} FROM (SELECT {keys}, {a}.rid AS _r FROM {source.sql} "  # noqa: S608
        f"{clause} ORDER BY {inner} LIMIT ? OFFSET ?) AS t JOIN {spec.table} AS {a} ON {a}.rid = t._r "
        f"ORDER BY {outer}"
    )
    return sql, [*source.params, *params, limit, offset]


def _where_sql(where: Sequence[Fragment]) -> tuple[str, list[Any]]:
    if not where:
        return "", []
    return "WHERE " + " AND ".join(f"({f.sql})" for f in where), [x for f in where for x in f.params]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _exact_box(column: Column, box: BBox) -> Fragment:
    """Geometry intersects the box: inside the box for sure, or the exact shapely test."""
    minx, miny, maxx, maxy = column.bbox_sql or ("", "", "", "")
    overlap = f"{minx} <= ? AND {maxx} >= ? AND {miny} <= ? AND {maxy} >= ?"
    inside = f"{minx} >= ? AND {maxx} <= ? AND {miny} >= ? AND {maxy} <= ?"
    wkb = shapely.to_wkb(shapely.box(box.west, box.south, box.east, box.north))
    return Fragment(
        f"{overlap} AND (({inside}) OR tp_spatial('intersects', {column.sql}, ?))",
        [box.east, box.west, box.north, box.south, box.west, box.east, box.south, box.north, wkb],
    )


def _geometry(geojson: Any) -> Any:
    try:
        geometry = shapely.from_geojson(orjson.dumps(geojson).decode())
    except Exception as exc:  # GEOS raises several error types
        raise InvalidParameter("intersects", f"invalid GeoJSON geometry: {exc}") from None
    if geometry.is_empty:
        raise InvalidParameter("intersects", "empty geometry")
    return geometry


def _geometry_box(geojson: Any) -> BBox:
    west, south, east, north = _geometry(geojson).bounds
    return BBox(west, south, east, north)
