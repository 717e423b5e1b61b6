"""A property holding values of different JSON types across items: both stores answer alike.

CQL2 compares a property with a literal of the same type only: a value of another type (or a
missing property) is neither equal, nor less, nor greater, so `level = 5` does not select the
item whose level is the string "5". Sorting puts the values of one kind together and keeps the
order total, so paging by token over a mixed property loses nothing and repeats nothing.
"""

from __future__ import annotations

from typing import Any

import cql2
import pytest

from terrapole.catalog.base import CatalogStore
from terrapole.core.filter import parse_filter
from terrapole.core.query import Query, SortField
from terrapole.formats.stac import parse_collection, parse_item

from .conftest import collection_doc
from .test_sqlite_store import all_ids

VALUES: list[Any] = [5, "5", 7.5, "seven", True, False, None, 3, "abc", 12]


def mixed_docs() -> list[dict[str, Any]]:
    docs = []
    for n, value in enumerate(VALUES):
        properties: dict[str, Any] = {"datetime": f"2020-01-{n + 1:02d}T00:00:00Z"}
        if value is not None:
            properties["level"] = value
        docs.append(
            {
                "type": "Feature",
                "stac_version": "1.1.0",
                "id": f"m{n}",
                "collection": "mixed",
                "geometry": {"type": "Point", "coordinates": [n, n]},
                "bbox": [n, n, n, n],
                "properties": properties,
                "links": [],
                "assets": {},
            }
        )
    return docs


@pytest.fixture
def mixed(store: CatalogStore) -> tuple[CatalogStore, list[dict[str, Any]]]:
    docs = mixed_docs()
    store.upsert_collections([parse_collection(collection_doc("mixed"))])
    store.upsert_items(parse_item(doc) for doc in docs)
    return store, docs


@pytest.mark.parametrize(
    "text",
    [
        "level = 5",
        "level = '5'",
        "level > 4",
        "level < 'b'",
        "level >= 'seven'",
        "level = TRUE",
        "level IS NULL",
        "level IN (5, 'abc', 12)",
        "level LIKE 'a%'",
        "level BETWEEN 3 AND 8",
        "NOT (level = 5)",
    ],
)
def test_filters_on_a_mixed_property_follow_cql2(mixed: tuple[CatalogStore, Any], text: str) -> None:
    store, docs = mixed
    expression = cql2.parse_text(text)
    expected = {d["id"] for d in docs if _matches(expression, d)}
    assert set(all_ids(store, Query(filter=parse_filter(text), limit=500))) == expected


def _matches(expression: Any, doc: dict[str, Any]) -> bool:
    try:
        return bool(expression.matches(doc))
    except Exception:  # the evaluator refuses to compare across types: not a match
        return False


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_a_mixed_property_pages_over_every_item_once(
    mixed: tuple[CatalogStore, Any], descending: bool
) -> None:
    store, docs = mixed
    query = Query(sortby=(SortField("level", descending),), limit=3)
    ids = all_ids(store, query)
    assert sorted(ids) == sorted(d["id"] for d in docs)
    # Numbers sort among numbers, strings among strings.
    numbers = [
        i
        for i in ids
        if isinstance(VALUES[int(i[1:])], int | float) and VALUES[int(i[1:])] not in (True, False)
    ]
    ordered = [VALUES[int(i[1:])] for i in numbers]
    assert ordered == sorted(ordered, reverse=descending)
