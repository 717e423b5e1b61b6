"""Bad input gets a 400 or 404 problem+json that names what is wrong, never a 500 or a change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import Dataset

from .conftest import assert_problem, link_of


@pytest.fixture(autouse=True)
def catalog_unchanged(api: TestClient, dataset: Dataset) -> Iterator[None]:
    """After each bad request, the catalog still holds exactly the dataset."""
    yield
    assert api.get("/stac/search").json()["numberMatched"] == len(dataset.items)
    assert api.get("/healthz").json()["collections"] == len(dataset.collections)


POLYGON = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}'

BAD_SEARCH_PARAMS: list[tuple[dict[str, str], str]] = [
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "a,b,c,d"}, "bbox"),
    ({"bbox": "0,10,1,5"}, "bbox"),
    ({"bbox": "0,0,200,1"}, "bbox"),
    ({"datetime": "2023-02-01T00:00:00Z/2023-01-01T00:00:00Z"}, "datetime"),
    ({"datetime": "yesterday"}, "datetime"),
    ({"datetime": "../.."}, "datetime"),
    ({"datetime": "2023-01-01/2023-02-01/2023-03-01"}, "datetime"),
    ({"limit": "0"}, "limit"),
    ({"limit": "-1"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"limit": "1.5"}, "limit"),
    ({"filter": "eo:cloud_cover << 3"}, "filter"),
    ({"filter": "eo:cloud_cover < 3 AND"}, "filter"),
    ({"filter": '{"op": "=", "args": [1]}', "filter-lang": "cql2-json"}, "filter"),
    ({"filter": "{not json", "filter-lang": "cql2-json"}, "filter"),
    ({"filter": "eo:cloud_cover < 3", "filter-lang": "cql3"}, "filter-lang"),
    ({"filter": "no_such_property = 1"}, "no_such_property"),
    (
        {"filter": "eo:cloud_cover < 3", "filter-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
        "filter-crs",
    ),
    ({"sortby": "no_such_property"}, "no_such_property"),
    ({"sortby": "geometry"}, "sortby"),
    ({"sortby": "+"}, "sortby"),
    ({"token": "garbage!"}, "token"),
    ({"token": "eyJrIjpbMSwyLDNdfQ"}, "token"),
    ({"intersects": "{not json"}, "intersects"),
    ({"intersects": '{"type": "Feature", "geometry": null}'}, "intersects"),
    ({"intersects": '{"type": "Polygon", "coordinates": "x"}'}, "intersects"),
    ({"intersects": POLYGON, "bbox": "0,0,1,1"}, "intersects"),
    ({"query": '{"eo:cloud_cover": {"lt": 10}}'}, "query"),
]


@pytest.mark.parametrize(
    ("params", "mentions"),
    BAD_SEARCH_PARAMS,
    ids=[next(iter(p)) + "=" + next(iter(p.values())) for p, _ in BAD_SEARCH_PARAMS],
)
def test_bad_search_parameters(api: TestClient, params: dict[str, str], mentions: str) -> None:
    assert_problem(api.get("/stac/search", params=params), 400, mentions)


BAD_BODIES: list[tuple[Any, str]] = [
    ({"limit": "ten"}, "limit"),
    ({"limit": 0}, "limit"),
    ({"limit": -1}, "limit"),
    ({"bbox": [1, 2, 3]}, "bbox"),
    ({"bbox": "1,2,3,4"}, "bbox"),
    ({"ids": "s2-001"}, "ids"),
    ({"collections": [1, {"a": 2}]}, "collections"),
    ({"intersects": {"type": "Point", "coordinates": "x"}}, "intersects"),
    ({"intersects": {"type": "Point", "coordinates": []}}, "intersects"),
    ({"intersects": {"type": "Point", "coordinates": [0, 0]}, "bbox": [0, 0, 1, 1]}, "intersects"),
    ({"datetime": "2023-02-01T00:00:00Z/2023-01-01T00:00:00Z"}, "datetime"),
    ({"filter": {"op": "=", "args": [1]}}, "filter"),
    ({"filter": {"op": "nonsense", "args": []}}, "filter"),
    ({"filter": 42}, "filter"),
    ({"filter": {"op": "<", "args": [{"property": "nope"}, 1]}}, "nope"),
    ({"sortby": [{"field": "eo:cloud_cover", "direction": "up"}]}, "sortby"),
    ({"sortby": [{"field": "nope"}]}, "nope"),
    ({"sortby": "-datetime"}, "sortby"),
    ({"fields": {"include": "id"}}, "fields"),
    ({"q": 7}, "q"),
    ({"token": "garbage!"}, "token"),
    ({"query": {"eo:cloud_cover": {"lt": 10}}}, "query"),
    ([1, 2], "body"),
    ("just a string", "body"),
]


@pytest.mark.parametrize(("body", "mentions"), BAD_BODIES, ids=[m for _, m in BAD_BODIES])
def test_bad_search_bodies(api: TestClient, body: Any, mentions: str) -> None:
    assert_problem(api.post("/stac/search", json=body), 400, mentions)


@pytest.mark.parametrize("content", [b"{bad json", b'{"limit": 1,}', b"\xff\xfe"])
def test_malformed_json_body(api: TestClient, content: bytes) -> None:
    response = api.post("/stac/search", content=content, headers={"content-type": "application/json"})
    assert_problem(response, 400, "JSON")


def test_body_that_is_not_json(api: TestClient) -> None:
    response = api.post("/stac/search", content=b"limit=1", headers={"content-type": "text/plain"})
    assert_problem(response, 400, "body")


def test_token_of_another_search(api: TestClient) -> None:
    sorted_page = api.get("/stac/search", params={"sortby": "-eo:cloud_cover,id", "limit": "2"}).json()
    token = link_of(sorted_page, "next")["href"].rsplit("token=", 1)[1]
    assert_problem(api.get("/stac/search", params={"token": token}), 400, "token")


@pytest.mark.parametrize(
    ("path", "params", "mentions"),
    [
        ("/stac/collections", {"bbox": "1,2,3"}, "bbox"),
        ("/stac/collections", {"limit": "0"}, "limit"),
        ("/stac/collections", {"datetime": "2023-02-01/2023-01-01"}, "datetime"),
        ("/stac/collections", {"filter": "pole =="}, "filter"),
        ("/stac/collections", {"filter": "no_such = 'x'"}, "no_such"),
        ("/stac/collections", {"sortby": "no_such"}, "no_such"),
        ("/stac/collections", {"token": "garbage!"}, "token"),
        ("/stac/collections/land-s2/items", {"limit": "-1"}, "limit"),
        ("/stac/collections/land-s2/items", {"bbox": "1,2,3"}, "bbox"),
        ("/stac/collections/land-s2/items", {"filter": "eo:cloud_cover <"}, "filter"),
        ("/stac/collections/land-s2/items", {"sortby": "no_such"}, "no_such"),
        ("/stac/collections/land-s2/items", {"datetime": "not-a-date"}, "datetime"),
    ],
)
def test_bad_parameters_elsewhere(api: TestClient, path: str, params: dict[str, str], mentions: str) -> None:
    assert_problem(api.get(path, params=params), 400, mentions)


@pytest.mark.parametrize(
    "path",
    [
        "/stac/nothing-here",
        "/stac/collections/no-such",
        "/stac/collections/no-such/items",
        "/stac/collections/no-such/queryables",
        "/stac/collections/land-s2/items/no-such",
        "/stac/collections/no-such/items/s2-001",
        "/nothing-here",
    ],
)
def test_not_found(api: TestClient, path: str) -> None:
    assert_problem(api.get(path), 404, "not found")


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/stac/search"), ("PUT", "/stac/collections"), ("POST", "/stac/collections/land-s2/items")],
)
def test_methods_not_allowed(api: TestClient, method: str, path: str) -> None:
    response = api.request(method, path, json={})
    assert_problem(response, 405, "not allowed")
    assert "GET" in response.headers["allow"]
