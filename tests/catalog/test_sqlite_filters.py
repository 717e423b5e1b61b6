"""CQL2 compiled to SQL gives the same answers as the cql2 library's own evaluator."""

from __future__ import annotations

from typing import Any

import cql2
import pytest

from terrapole.catalog.sqlite import SQLiteCatalog
from terrapole.core.errors import InvalidFilter, UnknownQueryable
from terrapole.core.filter import parse_filter
from terrapole.core.query import Query

from .test_sqlite_store import all_ids

FILTERS = [
    '"eo:cloud_cover" < 20',
    "\"eo:cloud_cover\" >= 50 AND platform = 'sentinel-2a'",
    "platform <> 'landsat-8' OR gsd = 30",
    "NOT (gsd = 10)",
    "platform LIKE 'sentinel%'",
    "platform LIKE '%-2_'",
    "platform IN ('pleiades', 'landsat-8')",
    '"eo:cloud_cover" BETWEEN 10 AND 12',
    "id = 'item-0042'",
    "collection = 'beta' AND gsd > 5",
    "datetime > TIMESTAMP('2020-01-01T00:00:00Z')",
    "datetime <= TIMESTAMP('2012-06-01T00:00:00Z') OR \"eo:cloud_cover\" = 0",
    "T_INTERSECTS(datetime, INTERVAL('2015-01-01T00:00:00Z', '2016-01-01T00:00:00Z'))",
    "T_BEFORE(datetime, TIMESTAMP('2011-01-01T00:00:00Z'))",
    "T_AFTER(datetime, TIMESTAMP('2023-06-01T00:00:00Z'))",
    "S_INTERSECTS(geometry, POLYGON((-50 -50, 50 -50, 50 50, -50 50, -50 -50)))",
    "S_INTERSECTS(geometry, BBOX(100, 0, 180, 90)) AND platform = 'pleiades'",
    "S_WITHIN(geometry, POLYGON((-100 -60, 0 -60, 0 60, -100 60, -100 -60)))",
    "S_DISJOINT(geometry, POLYGON((-180 -90, 0 -90, 0 90, -180 90, -180 -90)))",
    "S_INTERSECTS(geometry, POINT(0 0)) OR gsd = 0.5",
    "missing_property IS NULL AND gsd = 10" if False else "platform IS NULL",
]


@pytest.mark.parametrize("text", FILTERS)
def test_sql_matches_the_cql2_evaluator(
    loaded: tuple[SQLiteCatalog, list[dict[str, Any]]], text: str
) -> None:
    store, docs = loaded
    expression = cql2.parse_text(text)
    expected = {d["id"] for d in docs if expression.matches(d)}
    found = set(all_ids(store, Query(filter=parse_filter(text), limit=500)))
    assert found == expected


def test_cql2_json_and_text_agree(loaded: tuple[SQLiteCatalog, Any]) -> None:
    store, _ = loaded
    as_json = {
        "op": "and",
        "args": [
            {"op": "<", "args": [{"property": "eo:cloud_cover"}, 30]},
            {"op": "=", "args": [{"property": "platform"}, "landsat-8"]},
        ],
    }
    text = "\"eo:cloud_cover\" < 30 AND platform = 'landsat-8'"
    by_json = all_ids(store, Query(filter=parse_filter(as_json), limit=500))
    by_text = all_ids(store, Query(filter=parse_filter(text, "cql2-text"), limit=500))
    assert by_json == by_text and by_json


def test_unknown_queryable_is_refused(loaded: tuple[SQLiteCatalog, Any]) -> None:
    store, _ = loaded
    with pytest.raises(UnknownQueryable):
        store.search_items(Query(filter=parse_filter("no_such_property = 1")))


def test_malformed_filter_is_refused() -> None:
    with pytest.raises(InvalidFilter):
        parse_filter("platform = = 'x'")
    with pytest.raises(InvalidFilter):
        parse_filter('{"op": "=", "args": [', "cql2-json")


def test_injection_attempts_stay_values(loaded: tuple[SQLiteCatalog, Any]) -> None:
    store, _ = loaded
    text = "platform = 'x'' OR 1=1 --'"
    assert store.search_items(Query(filter=parse_filter(text))).number_matched == 0
    assert store.search_items(Query()).number_matched == 600
