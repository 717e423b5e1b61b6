"""Planning and running searches in the PostgreSQL catalog: filters, text, keyset paging.

The same plan as the SQLite store (`sqlite_search`), in one statement per page: every filter
is a parameterised fragment of the WHERE clause, the ORDER BY follows the requested sort with
the row id as the final tie-breaker, and a page continues from the sort keys of the previous
page's edge row (keyset paging), with the same token payloads: `{"k": keys, "m": matched}`,
`"p": 1` for a previous page, `{"o": offset, "m": matched}` for pages ranked by relevance.

NULLs sort first ascending and last descending, as in SQLite, so both stores page alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import psycopg
import shapely
from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from terrapole.catalog.postgres_filter import Queryable, compile_filter, spatial_predicate
from terrapole.catalog.sql_filter import Fragment, membership_predicate
from terrapole.core.errors import InvalidParameter, UnknownQueryable
from terrapole.core.model import BBox
from terrapole.core.query import Query, SortField, decode_token, encode_token
from terrapole.core.timeutil import from_micros, to_micros

SAFE_NAME = re.compile(r"^[A-Za-z0-9_:.\-]{1,128}$")
COMMA_OUTSIDE_QUOTES = re.compile(r',(?=(?:[^"]*"[^"]*")*[^"]*$)')
# Text search configurations a query is matched under (see postgres_schema.TEXT_CONFIGS): `simple`
# over unaccented words everywhere, plus the French and English stemmers where a table has them.
SIMPLE_CONFIG = "simple"
# Above this many spatial-index matches (as the planner estimates them), a box search walks the
# time-ordered indexes instead.
RTREE_PROBE = 500
# Back to the session's own statement timeout (as configured for the role or database).
_RESTORE_TIMEOUT = (
    "SELECT set_config('statement_timeout', reset_val, true) "
    "FROM pg_settings WHERE name = 'statement_timeout'"
)
# How many matches a ranked search ranks (when the table indexes its title words): title matches
# first, then others. Ranking every match of a common word cost 0.9-1.8 s at 1,000,000 items.
RANK_CANDIDATES = 1000
# How a sort-key value is bound back from a page token.
PLACEHOLDERS = {
    "time": "%s::timestamptz",
    "text": '(%s::text COLLATE "C")',
    "number": "%s::float8",
    "int": "%s::bigint",
    "json": "%s::jsonb",
}


@dataclass(frozen=True, slots=True)
class SortKey:
    """One ORDER BY expression: its SQL, direction, value kind and whether it can be NULL."""

    sql: str
    descending: bool
    kind: str
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class TableSpec:
    """How one searchable table is laid out."""

    table: str
    alias: str
    select: str
    default_sort: tuple[SortKey, ...]
    resolve: Callable[[str], Queryable]
    sort_columns: dict[str, SortKey]
    # Column bounds of the bounding box, and whether a geometry column refines it.
    bbox_sql: tuple[str, str, str, str] | None = None
    geometry_exact: bool = False
    # A GiST-indexed expression of the row's box: box searches also test it with &&, so that the
    # index finds the rows (a btree on the bounds cannot narrow a two-sided overlap test).
    box_index_sql: str | None = None
    # Largest distances (before, after) between a row's sort instant and its start and end.
    # SQL for those distances in microseconds (read by the query itself: no extra round trip).
    time_bounds: tuple[str, str] | None = None
    # The text search configurations the table's text vectors were built with.
    text_configs: tuple[str, ...] = (SIMPLE_CONFIG,)
    # A GIN-indexed expression of the row's title words alone: ranked searches then rank a
    # bounded set of candidates, title matches first (see `Searcher._ranked`).
    title_text_sql: str | None = None


@dataclass(slots=True)
class SearchOutcome:
    """Rows of one page (in order) and the paging state around them."""

    rows: list[dict[str, Any]]
    number_matched: int | None
    next_token: str | None
    prev_token: str | None


def json_property(column: str, name: str, typed: dict[str, str] | None = None) -> Queryable:
    """A member of a stored JSONB object as a queryable.

    The name is one the store already knows (the allow-list of queryables) and matches a strict
    pattern, so it can stand in a quoted SQL literal.
    """
    if not SAFE_NAME.match(name) or "'" in name:
        raise UnknownQueryable("filter", name)
    return Queryable(f"({column} -> '{name}')", "json", typed=typed or {})


def text_query(text: str, configs: tuple[str, ...] = (SIMPLE_CONFIG,)) -> Fragment:
    """A tsquery: words ANDed, comma-separated groups ORed, accents and case folded.

    With several configurations a group matches when all its words match under any one of them
    (exact words, or French or English stems).
    """
    groups = [g.strip() for g in COMMA_OUTSIDE_QUOTES.split(text) if g.strip()]
    if not groups:
        raise InvalidParameter("q", "empty free-text query")
    # The configuration names are constants of this package, never user input.
    ones = [
        "websearch_to_tsquery('simple', unaccent(%s))"
        if config == SIMPLE_CONFIG
        else f"websearch_to_tsquery('{config}', %s)"
        for config in configs
    ]
    sql = " || ".join(one for _ in groups for one in ones)
    return Fragment(f"({sql})", [group for group in groups for _ in ones])


class Searcher:
    """Runs one `Query` against one table over an open connection."""

    def __init__(self, spec: TableSpec, count_limit: int, count_budget_ms: float) -> None:
        self.spec = spec
        self.count_limit = count_limit
        self.count_budget_ms = count_budget_ms

    def run(
        self, conn: psycopg.Connection[Any], query: Query, extra: Sequence[Fragment] = ()
    ) -> SearchOutcome:
        """Answer the query: ranked by text relevance, or ordered by keyset."""
        token = decode_token(query.token) if query.token else {}
        driven = self._time_driven(conn, query)
        where = [*extra, *self._where(query, driven)]
        if query.ranked:
            return self._ranked(conn, query, where, token)
        # A count wants no order: the spatial index serves it better than a walk in time order.
        count_where = [*extra, *self._where(query)] if driven else where
        return self._ordered(conn, query, where, token, count_where)

    # -- filters -------------------------------------------------------------------------
    def where(self, query: Query, extra: Sequence[Fragment] = ()) -> list[Fragment]:
        """Every condition of the query as SQL, text included."""
        return [*extra, *self._where(query)]

    def _time_driven(self, conn: psycopg.Connection[Any], query: Query) -> bool:
        """Whether a box search should walk the time-ordered indexes rather than the spatial one.

        Yes when the query also names collections or a time range, or when the box is large: a
        walk in time order that tests the box on the index's bound columns finds a page after
        reading a few thousand index entries and about as many table rows as the page holds,
        where the spatial index hands every match (thousands of table rows) to a sort. A small
        box (under RTREE_PROBE matches, found by a bounded probe of the spatial index) is
        better served by the spatial index, as in the SQLite store.
        """
        if query.bbox is None or not self.spec.geometry_exact:
            return False
        if query.collections or query.datetime is not None:
            return True
        if query.ranked or (query.sortby and query.sortby[0].field.removeprefix("properties.") != "datetime"):
            return False
        geometry = self.spec.resolve("geometry").sql
        boxes = " OR ".join(
            f"{geometry} && ST_MakeEnvelope(%s, %s, %s, %s, 4326)" for _ in query.bbox.parts()
        )
        corners = [x for part in query.bbox.parts() for x in (part.west, part.south, part.east, part.north)]
        # The planner's estimate (PostGIS keeps a spatial histogram): no index or table read.
        table = f"{self.spec.table} AS {self.spec.alias}"
        probe = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} WHERE {boxes}"  # noqa: S608 - spec constants
        row = conn.execute(probe, corners).fetchone()
        plan = row["QUERY PLAN"] if row else None
        estimate = plan[0]["Plan"]["Plan Rows"] if plan else 0
        return int(estimate) >= RTREE_PROBE

    def _where(self, query: Query, driven: bool = False) -> list[Fragment]:
        a = self.spec.alias
        where: list[Fragment] = []
        if query.ids:
            where.append(Fragment(f"{a}.id = ANY(%s::text[])", [list(query.ids)]))
        if query.datetime is not None:
            where.append(self._datetime(query))
        if query.bbox is not None:
            where.append(self._bbox(query.bbox, driven))
        if query.intersects is not None:
            geometry = _geometry(query.intersects)
            where.append(spatial_predicate(self.spec.resolve("geometry").sql, "intersects", geometry))
        if query.filter is not None:
            where.append(compile_filter(self.spec.resolve, query.filter.expression))
        if query.concepts:
            member = self.spec.resolve("concept").member_sql or ""
            where.append(membership_predicate(member, "=", query.concepts, "%s"))
        if query.hidden_collections:
            owner = f"{a}.collection" if self.spec.table == "items" else f"{a}.id"
            where.append(Fragment(f"{owner} <> ALL(%s::text[])", [sorted(query.hidden_collections)]))
        if query.text:
            match = text_query(query.text, self.spec.text_configs)
            where.append(Fragment(f"{a}.fts @@ {match.sql}", match.params))
        return where

    def _datetime(self, query: Query) -> Fragment:
        assert query.datetime is not None
        column = self.spec.resolve("datetime")
        start, end = query.datetime.start, query.datetime.end
        parts = []
        if end is not None:
            parts.append(Fragment(f"{column.sql} <= %s", [end]))
        if start is not None:
            parts.append(Fragment(f"{column.end_sql or column.sql} >= %s", [start]))
        parts.extend(self._implied_sort_range(start, end))
        return _all(parts)

    def _implied_sort_range(self, start: datetime | None, end: datetime | None) -> list[Fragment]:
        """Bounds on the indexed sort instant implied by the interval (longest span known)."""
        if self.spec.time_bounds is None:
            return []
        before, after = self.spec.time_bounds
        sort_sql = self.spec.sort_columns["datetime"].sql
        parts = []
        # The spans are scalar subqueries: the planner turns them into parameters it can still
        # use as index bounds.
        if start is not None:
            parts.append(
                Fragment(f"{sort_sql} >= %s::timestamptz - {after} * interval '1 microsecond'", [start])
            )
        if end is not None:
            parts.append(
                Fragment(f"{sort_sql} <= %s::timestamptz + {before} * interval '1 microsecond'", [end])
            )
        return parts

    def _bbox(self, box: BBox, driven: bool = False) -> Fragment:
        """Rows whose box, and geometry when the table has one, meet `box`.

        `driven` (see `_time_driven`): the (collection, datetime, bounds) indexes drive the search
        and test the box columns inside the index, and the exact geometry test runs on the few
        rows left, through the unindexed form of ST_Intersects: otherwise the planner also scans
        the spatial index and intersects the two bitmaps, which costs more than it saves
        (bbox + year + collection at 1,000,000 items: 3.1 ms with the bitmaps, 0.9 ms without).
        """
        parts = [self._box_part(part, driven) for part in box.parts()]
        return Fragment(" OR ".join(f"({p.sql})" for p in parts), [x for p in parts for x in p.params])

    def _box_part(self, part: BBox, driven: bool) -> Fragment:
        tests = []
        if self.spec.bbox_sql is not None:
            minx, miny, maxx, maxy = self.spec.bbox_sql
            tests.append(
                Fragment(
                    f"{minx} <= %s AND {maxx} >= %s AND {miny} <= %s AND {maxy} >= %s",
                    [part.east, part.west, part.north, part.south],
                )
            )
        if self.spec.box_index_sql is not None:
            envelope = f"{self.spec.box_index_sql} && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
            tests.append(Fragment(envelope, [part.west, part.south, part.east, part.north]))
        if self.spec.geometry_exact:
            geometry = self.spec.resolve("geometry").sql
            function = "_ST_Intersects" if driven else "ST_Intersects"
            envelope = "ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
            corners = [part.west, part.south, part.east, part.north]
            tests.append(Fragment(f"{function}({geometry}, {envelope})", corners))
        return _all(tests)

    # -- ordered (keyset) ------------------------------------------------------------------
    def _sort_keys(self, sortby: Sequence[SortField]) -> list[SortKey]:
        keys = []
        for sort in sortby:
            name = sort.field.removeprefix("properties.")
            known = self.spec.sort_columns.get(name)
            if known is None:
                known = _sortable(self.spec.resolve, name)
            keys.append(SortKey(known.sql, sort.descending, known.kind, known.nullable))
        if not keys:
            keys = list(self.spec.default_sort)
        keys.append(SortKey(f"{self.spec.alias}.rid", keys[-1].descending, "int", nullable=False))
        return keys

    def _ordered(
        self,
        conn: psycopg.Connection[Any],
        query: Query,
        where: list[Fragment],
        token: dict[str, Any],
        count_where: list[Fragment],
    ) -> SearchOutcome:
        keys = self._sort_keys(query.sortby)
        backwards = bool(token.get("p"))
        if "k" in token:
            where = [*where, _after(keys, _token_values(keys, token["k"]), backwards)]
        order = [SortKey(k.sql, k.descending != backwards, k.kind, k.nullable) for k in keys]
        offset = 0 if token else query.offset
        sql, params = _select(self.spec, where, order, query.limit + 1, offset)
        rows = conn.execute(sql, params).fetchall()
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        if backwards:
            rows.reverse()
        if token:
            matched = token.get("m")
        elif not more and (rows or not offset):
            matched = offset + len(rows)  # the rest of the result fits on this page
        else:
            matched = self._count(conn, count_where)
        paged = bool(token) or offset > 0
        return SearchOutcome(rows, matched, *_tokens(rows, keys, more, backwards, paged, matched))

    def count(self, conn: psycopg.Connection[Any], query: Query, extra: Sequence[Fragment] = ()) -> int:
        """The exact number of matches of the query (no count budget, no count limit)."""
        clause, params = _where_sql(self.where(query, extra))
        sql = f"SELECT count(*) AS n FROM {self.spec.table} AS {self.spec.alias} {clause}"  # noqa: S608
        return int(_scalar(conn, sql, params))

    def _count(self, conn: psycopg.Connection[Any], where: list[Fragment]) -> int | None:
        """The number of matches, if it can be counted within the count budget (else None)."""
        if self.count_budget_ms <= 0:
            return None
        clause, params = _where_sql(where)
        sql = (
            f"SELECT count(*) AS n FROM (SELECT 1 FROM {self.spec.table} AS {self.spec.alias} "  # noqa: S608
            f"{clause} LIMIT %s) AS t"
        )
        budget = max(1, round(self.count_budget_ms))
        try:
            count = _bounded_count(conn, sql, [*params, self.count_limit + 1], budget)
        except pg_errors.QueryCanceled:
            return None
        return count if count <= self.count_limit else None

    # -- ranked by text relevance ----------------------------------------------------------
    def _ranked(
        self, conn: psycopg.Connection[Any], query: Query, where: list[Fragment], token: dict[str, Any]
    ) -> SearchOutcome:
        """Pages in relevance order (title words weigh most); a token holds the offset to resume from.

        Ranked pages are exact while the catalog is unchanged; under concurrent writes an explicit
        sortby gives keyset paging instead.
        """
        assert query.text
        start = _offset(token) if token else query.offset
        match = text_query(query.text, self.spec.text_configs)
        if self.spec.title_text_sql is not None:
            ids, every_match = self._ranked_ids(conn, match, where, start, query.limit + 1)
            rows = _rows_by_id(conn, self.spec, ids)
        else:
            rows, every_match = self._ranked_rows(conn, match, where, start, query.limit + 1), None
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        if token:
            matched = token.get("m")
        elif every_match is not None:
            matched = every_match
        elif not more and (rows or not start):
            matched = start + len(rows)
        else:
            matched = self._count(conn, where)
        next_token = encode_token({"o": start + query.limit, "m": matched}) if more else None
        prev_token = encode_token({"o": max(0, start - query.limit), "m": matched}) if start else None
        return SearchOutcome(rows, matched, next_token, prev_token)

    def _ranked_rows(
        self, conn: psycopg.Connection[Any], match: Fragment, where: list[Fragment], start: int, count: int
    ) -> list[dict[str, Any]]:
        """`count` rows from `start` of every match ranked by ts_rank."""
        a = self.spec.alias
        clause, params = _where_sql(where)
        sql = (
            f"SELECT {self.spec.select} FROM {self.spec.table} AS {a} {clause} "  # noqa: S608
            f"ORDER BY ts_rank({a}.fts, {match.sql}) DESC, {a}.rid LIMIT %s OFFSET %s"
        )
        return conn.execute(sql, [*params, *match.params, count, start]).fetchall()

    def _ranked_ids(
        self, conn: psycopg.Connection[Any], match: Fragment, where: list[Fragment], start: int, count: int
    ) -> tuple[list[int], int | None]:
        """Row ids `start` to `start + count` in relevance order, and the number of matches when
        they were all ranked (else None).

        The order ranks RANK_CANDIDATES matches first: the title matches (found through the
        title-word index) and, when there are fewer, other matches, as the indexes hand them
        over. When a search has fewer matches, every one is ranked and the order is exact; with
        more, the first pages hold the best ranked of those candidates (a document whose title
        holds the words ranks above one whose body alone does, see ts_rank's weights), and the
        pages after them the other matches, ranked. An item of the catalog counts once.
        """
        # The query's tsquery, made once: `unaccent` is only STABLE, so PostgreSQL would make it
        # again for every row it ranks (a third of the time of ranking 1,000 rows).
        words = _scalar(conn, f"SELECT ({match.sql})::text", match.params)
        a, table, rank = self.spec.alias, self.spec.table, f"ts_rank({self.spec.alias}.fts, %s::tsquery)"
        clause, params = _where_sql(where)
        title = f"{self.spec.title_text_sql} @@ %s::tsquery"
        # Title matches through the title-word index alone: the text condition (the last of
        # `where`, see `_where`) would add the bitmap of every match, as long again to build.
        # Title words match only words of the whole text, except under a negation: then the whole
        # text is tested on each candidate, in a form no index serves.
        others, others_params = _where_sql(where[:-1])
        title_only = [*(["(" + others.removeprefix("WHERE ") + ")"] if others else []), title]
        title_params = [*others_params, words]
        if "!" in words:
            title_only.append(f"ts_filter({a}.fts, '{{a,b,c,d}}') @@ %s::tsquery")
            title_params.append(words)
        first = (
            f"SELECT {a}.rid, {rank} AS rank FROM {table} AS {a} WHERE {' AND '.join(title_only)} LIMIT %s"  # noqa: S608
        )
        second = f"SELECT {a}.rid, {rank} AS rank FROM {table} AS {a} {clause} AND NOT ({title}) LIMIT %s"  # noqa: S608
        sql = f"SELECT t.rid, t.rank FROM (({first}) UNION ALL ({second})) AS t LIMIT %s"  # noqa: S608
        found = conn.execute(
            sql,
            [words, *title_params, RANK_CANDIDATES, words, *params, words, RANK_CANDIDATES, RANK_CANDIDATES],
        ).fetchall()
        ranked = [r["rid"] for r in sorted(found, key=lambda r: (-r["rank"], r["rid"]))]
        if len(found) < RANK_CANDIDATES:
            return ranked[start : start + count], len(found)
        ids = ranked[start : start + count]
        if start + count > len(ranked):  # past the candidates: the other matches, ranked
            rest = (
                f"SELECT {a}.rid FROM {table} AS {a} {clause} AND {a}.rid <> ALL(%s::bigint[]) "  # noqa: S608
                f"ORDER BY {rank} DESC, {a}.rid LIMIT %s OFFSET %s"
            )
            skip, wanted = max(0, start - len(ranked)), start + count - max(start, len(ranked))
            more = conn.execute(rest, [*params, ranked, words, wanted, skip]).fetchall()
            ids += [r["rid"] for r in more]
        return ids, None


def _rows_by_id(conn: psycopg.Connection[Any], spec: TableSpec, ids: list[int]) -> list[dict[str, Any]]:
    """The rows of these ids, in that order."""
    if not ids:
        return []
    sql = f"SELECT {spec.select}, {spec.alias}.rid AS _rid FROM {spec.table} AS {spec.alias} "  # noqa: S608
    rows = conn.execute(sql + f"WHERE {spec.alias}.rid = ANY(%s::bigint[])", [ids]).fetchall()
    by_id = {row["_rid"]: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _bounded_count(conn: psycopg.Connection[Any], sql: str, params: list[Any], budget_ms: int) -> int:
    """The count `sql` returns, cancelled (QueryCanceled) when it runs longer than `budget_ms`.

    Outside a transaction (the store's reads are autocommit), the count runs in a transaction of
    its own whose local timeout ends with it: BEGIN and SET LOCAL go in one simple-protocol
    message (the budget is an integer from the settings, never input), so the count costs three
    round trips (the transaction only reads: it is rolled back). Inside the caller's
    transaction, a savepoint keeps a cancelled count from spoiling it, and the timeout is
    restored by hand.
    """
    if conn.autocommit:
        conn.execute(f"BEGIN; SET LOCAL statement_timeout = {int(budget_ms)}")
        try:
            return int(_scalar(conn, sql, params))
        finally:
            # Ends the read either way (and its timeout, which may still fire between statements).
            conn.execute("ROLLBACK")
    with conn.transaction():
        conn.execute("SELECT set_config('statement_timeout', %s, true)", [f"{budget_ms}ms"])
        count = int(_scalar(conn, sql, params))
        conn.execute(_RESTORE_TIMEOUT)
    return count


def _scalar(conn: psycopg.Connection[Any], sql: str, params: list[Any]) -> Any:
    """The first column of the one row a statement returns."""
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


def _offset(token: dict[str, Any]) -> int:
    value = token.get("o", 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidParameter("token", "page token does not match this search")
    return value


def _sortable(resolve: Callable[[str], Queryable], name: str) -> SortKey:
    try:
        column = resolve(name)
    except UnknownQueryable:
        raise UnknownQueryable("sortby", name) from None
    if column.kind == "geometry":
        raise InvalidParameter("sortby", "cannot sort by geometry")
    if column.kind == "json":
        # JSON null sorts as a missing value; the typed column of a promoted property wins.
        for kind in ("number", "text"):
            if kind in column.typed:
                return SortKey(column.typed[kind], False, kind)
        return SortKey(f"nullif({column.sql}, 'null'::jsonb)", False, "json")
    return SortKey(column.sql, False, column.kind)


def _token_values(keys: list[SortKey], values: Any) -> list[Any]:
    """Sort-key values from a token, typed for binding; raises InvalidParameter on a mismatch."""
    if not isinstance(values, list) or len(values) != len(keys):
        raise InvalidParameter("token", "page token does not match this search")
    return [_typed_value(key, value) for key, value in zip(keys, values, strict=True)]


def _typed_value(key: SortKey, value: Any) -> Any:
    if value is None:
        return None
    if key.kind == "json":
        return Jsonb(value)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    integer = number and isinstance(value, int)
    if key.kind == "time" and integer:
        return from_micros(value)
    if (key.kind == "int" and integer) or (key.kind == "number" and number):
        return value
    if key.kind == "text" and isinstance(value, str):
        return value
    raise InvalidParameter("token", "page token does not match this search")


def _after(keys: list[SortKey], values: list[Any], backwards: bool) -> Fragment:
    """Rows strictly after (or, backwards, before) the given sort-key values."""
    alternatives: list[Fragment] = []
    for index, key in enumerate(keys):
        ties = [
            Fragment(f"{k.sql} IS NOT DISTINCT FROM {PLACEHOLDERS[k.kind]}", [v])
            for k, v in zip(keys[:index], values[:index], strict=True)
        ]
        step = _strictly_after(key, values[index], key.descending != backwards)
        alternatives.append(_all([*ties, step]))
    parts = [
        Fragment(" OR ".join(f"({f.sql})" for f in alternatives), [x for f in alternatives for x in f.params])
    ]
    first, descending = keys[0], keys[0].descending != backwards
    # The same rows, plus a plain range on the first key that an index can seek to (ascending,
    # the NULLs that sort first are already behind a non-NULL value).
    if values[0] is not None and (not first.nullable or not descending):
        bound = f"{first.sql} {'<=' if descending else '>='} {PLACEHOLDERS[first.kind]}"
        parts.insert(0, Fragment(bound, [values[0]]))
    return _all(parts)


def _strictly_after(key: SortKey, value: Any, descending: bool) -> Fragment:
    # NULL sorts before every value (NULLS FIRST ascending, NULLS LAST descending).
    mark = PLACEHOLDERS[key.kind]
    if not descending:
        if value is None:
            return Fragment(f"{key.sql} IS NOT NULL", [])
        return Fragment(f"{key.sql} > {mark}", [value])
    if value is None:
        return Fragment("FALSE", [])
    if not key.nullable:
        return Fragment(f"{key.sql} < {mark}", [value])
    return Fragment(f"({key.sql} < {mark} OR {key.sql} IS NULL)", [value])


def _tokens(
    rows: list[dict[str, Any]],
    keys: list[SortKey],
    more: bool,
    backwards: bool,
    paged: bool,
    matched: int | None,
) -> tuple[str | None, str | None]:
    """Next and previous tokens; `paged` when this page is not the first (a token or an offset)."""
    if not rows:
        return None, None
    first = [_token_value(rows[0][f"_k{i}"]) for i in range(len(keys))]
    last = [_token_value(rows[-1][f"_k{i}"]) for i in range(len(keys))]
    has_next = more if not backwards else True
    has_prev = more if backwards else paged
    next_token = encode_token({"k": last, "m": matched}) if has_next else None
    prev_token = encode_token({"k": first, "p": 1, "m": matched}) if has_prev else None
    return next_token, prev_token


def _token_value(value: Any) -> Any:
    """A sort-key value as JSON: instants as integer microseconds (as in the SQLite store)."""
    if isinstance(value, datetime):
        return to_micros(value)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return float(value)  # a huge JSON number, which jsonb prints without an exponent
    return value


def _select(
    spec: TableSpec, where: list[Fragment], order: list[SortKey], limit: int, offset: int = 0
) -> tuple[str, list[Any]]:
    """Order and cut on the sort keys alone, then read (and convert) only the page's rows."""
    a = spec.alias
    keys = ", ".join(f"{k.sql} AS _k{i}" for i, k in enumerate(order))
    names = ", ".join(f"t._k{i}" for i in range(len(order)))
    outer = [SortKey(f"t._k{i}", k.descending, k.kind, k.nullable) for i, k in enumerate(order)]
    clause, params = _where_sql(where)
    sql = (
        f"SELECT {spec.select}, {names} FROM (SELECT {keys}, {a}.rid AS _r "  # noqa: S608
        f"FROM {spec.table} AS {a} {clause} "
        f"ORDER BY {', '.join(_order_term(k) for k in order)} LIMIT %s OFFSET %s) AS t "
        f"JOIN {spec.table} AS {a} ON {a}.rid = t._r "
        f"ORDER BY {', '.join(_order_term(k) for k in outer)}"
    )
    return sql, [*params, limit, offset]


def _order_term(key: SortKey) -> str:
    if not key.nullable:
        # Plain directions on NOT NULL keys: the planner matches them to a btree index.
        return f"{key.sql} {'DESC' if key.descending else 'ASC'}"
    return f"{key.sql} {'DESC NULLS LAST' if key.descending else 'ASC NULLS FIRST'}"


def _where_sql(where: Sequence[Fragment]) -> tuple[str, list[Any]]:
    if not where:
        return "", []
    return "WHERE " + " AND ".join(f"({f.sql})" for f in where), [x for f in where for x in f.params]


def _all(parts: Sequence[Fragment]) -> Fragment:
    if not parts:
        return Fragment("TRUE", [])
    return Fragment(" AND ".join(f"({p.sql})" for p in parts), [x for p in parts for x in p.params])


def _geometry(geojson: Any) -> Any:
    try:
        geometry = shapely.from_geojson(orjson.dumps(geojson).decode())
    except Exception as exc:  # GEOS raises several error types
        raise InvalidParameter("intersects", f"invalid GeoJSON geometry: {exc}") from None
    if geometry.is_empty:
        raise InvalidParameter("intersects", "empty geometry")
    return geometry
