"""How the SQLite catalog's tables are searched: queryables as columns, sort keys, indexes,
and the SQL functions the searches call (exact geometry tests with shapely)."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from typing import Any

import shapely

from terrapole.catalog.records import FACET_COLUMNS, FACET_TIMES, PROMOTED
from terrapole.catalog.sql_filter import Column
from terrapole.catalog.sqlite_search import TableSpec, json_property
from terrapole.catalog.vocabulary import COLLECTION_MEMBERSHIP, CONCEPT_QUERYABLE, ITEM_MEMBERSHIP
from terrapole.core.errors import UnknownQueryable

ITEM_SELECT = (
    "i.collection, i.id, i.minx, i.miny, i.maxx, i.maxy, i.content, i.props, i.has_dt, i.dt, i.s, i.e"
)
COLLECTION_SELECT = "c.content"
# Facets a search may sort by (the free-text column is only for matching).
SORTABLE_FACETS = tuple(name for name in FACET_COLUMNS if name != "anytext")


def queryable_rows(
    conn: sqlite3.Connection, collections: Sequence[str], hidden: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """The (name, JSON type) pairs recorded for these collections' items (for all collections but
    `hidden` ones when none are named)."""
    chosen, operator = (list(collections), "IN") if collections else (sorted(hidden), "NOT IN")
    marks = ", ".join("?" for _ in chosen)
    sql = f"SELECT DISTINCT name, type FROM queryables WHERE collection {operator} ({marks})"  # noqa: S608
    return [(r[0], r[1]) for r in conn.execute(sql, chosen)]


def item_spec(known: frozenset[str], spans: tuple[int, int]) -> TableSpec:
    core = {
        "id": Column("i.id", "text"),
        "collection": Column("i.collection", "text"),
        "datetime": Column("i.s", "time", end_sql="i.e"),
        "geometry": Column(
            "i.geom", "geometry", bbox_sql=("i.minx", "i.miny", "i.maxx", "i.maxy"), rtree="items_rtree:i.rid"
        ),
        CONCEPT_QUERYABLE: Column("", "membership", member_sql=ITEM_MEMBERSHIP),
    }

    def resolve(name: str) -> Column:
        name = name.removeprefix("properties.")
        if name in core:
            return core[name]
        if name in PROMOTED and name in known:
            column = f"i.{PROMOTED[name]}"
            return Column(column, "json", type_sql=f"typeof({column})")
        if name in known or name in ("start_datetime", "end_datetime"):
            return json_property("i.props", name)
        raise UnknownQueryable("filter", name)

    return TableSpec(
        table="items",
        alias="i",
        select=ITEM_SELECT,
        default_sort=(("i.dt", True),),
        resolve=resolve,
        sort_columns={"datetime": "i.dt", "id": "i.id", "collection": "i.collection"},
        rtree="items_rtree",
        time_bounds=lambda: spans,
        not_null=frozenset({"i.dt", "i.rid", "i.id", "i.collection"}),
        order_indexes={"i.dt": ("items_dt", "items_collection_dt")},
        inherits_concepts=True,
    )


@functools.cache
def collection_spec() -> TableSpec:
    core = {
        "id": Column("c.id", "text"),
        "title": Column("c.title", "text"),
        "description": Column("c.description", "text"),
        "license": Column("c.license", "text"),
        "pole": Column("c.pole", "text"),
        "datetime": Column(
            "coalesce(c.s, -4611686018427387904)", "time", end_sql="coalesce(c.e, 4611686018427387904)"
        ),
        "geometry": Column(
            "tp_box(c.minx, c.miny, c.maxx, c.maxy)",
            "geometry",
            bbox_sql=("c.minx", "c.miny", "c.maxx", "c.maxy"),
        ),
        CONCEPT_QUERYABLE: Column("", "membership", member_sql=COLLECTION_MEMBERSHIP),
        "start_datetime": Column("c.s", "time"),
        "end_datetime": Column("c.e", "time"),
        **{name: Column(f"c.{name}", "time" if name in FACET_TIMES else "text") for name in FACET_COLUMNS},
    }

    def resolve(name: str) -> Column:
        if name in core:
            return core[name]
        raise UnknownQueryable("filter", name)

    return TableSpec(
        table="collections",
        alias="c",
        select=COLLECTION_SELECT,
        default_sort=(("c.id", False),),
        resolve=resolve,
        sort_columns={
            "id": "c.id",
            "title": "c.title",
            "datetime": "c.s",
            "license": "c.license",
            "pole": "c.pole",
            **{name: f"c.{name}" for name in SORTABLE_FACETS},
        },
        not_null=frozenset({"c.id", "c.rid", "c.title"}),
    )


@functools.lru_cache(maxsize=64)
def _prepared(wkb: bytes) -> Any:
    geometry = shapely.from_wkb(wkb)
    shapely.prepare(geometry)
    return geometry


_RELATIONS = {
    "intersects": lambda q, g: shapely.intersects(q, g),
    "disjoint": lambda q, g: shapely.disjoint(q, g),
    "within": lambda q, g: shapely.contains(q, g),
    "contains": lambda q, g: shapely.within(q, g),
    "overlaps": lambda q, g: shapely.overlaps(q, g),
    "touches": lambda q, g: shapely.touches(q, g),
    "crosses": lambda q, g: shapely.crosses(q, g),
    "equals": lambda q, g: shapely.equals(q, g),
}


def spatial_relation(relation: str, wkb: bytes | None, query_wkb: bytes) -> int:
    """SQL function tp_spatial(relation, stored geometry WKB, query geometry WKB)."""
    if wkb is None:
        return 0
    return int(bool(_RELATIONS[relation](_prepared(query_wkb), shapely.from_wkb(wkb))))


def box_wkb(west: float | None, south: float | None, east: float | None, north: float | None) -> bytes | None:
    """SQL function tp_box(minx, miny, maxx, maxy): the WKB polygon of a bounding box."""
    if west is None or south is None or east is None or north is None:
        return None
    return bytes(shapely.to_wkb(shapely.box(west, south, east, north)))
