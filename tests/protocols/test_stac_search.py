"""STAC API item search (GET and POST): ids, collections, bbox, intersects, datetime, free text,
sort, fields, paging and limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import pytest
import shapely.geometry
from fastapi.testclient import TestClient
from tests.conftest import Dataset

from terrapole.core.timeutil import parse_instant

from .conftest import follow, ids, link_of, page_ids

GET_AND_POST = pytest.mark.parametrize("method", ["GET", "POST"])


def search(api: TestClient, method: str, body: dict[str, Any]) -> Any:
    """Run a search with a POST body, or its GET equivalent (lists joined by commas)."""
    if method == "POST":
        return api.post("/stac/search", json=body)
    params = {key: ",".join(map(str, v)) if isinstance(v, list) else v for key, v in body.items()}
    if "intersects" in params:
        params["intersects"] = orjson.dumps(params["intersects"]).decode()
    return api.get("/stac/search", params=params)


def all_ids(api: TestClient, method: str, body: dict[str, Any]) -> list[str]:
    """Every id a search returns, following next links to the end."""
    return page_ids(follow(api, search(api, method, {"limit": 50, **body})))


def item_interval(item: dict[str, Any]) -> tuple[datetime, datetime]:
    """An item's time span: its datetime, else start and end."""
    props = item["properties"]
    if props.get("datetime"):
        instant = parse_instant(props["datetime"])
        return instant, instant
    return parse_instant(props["start_datetime"]), parse_instant(props["end_datetime"])


# -- item search parameters -------------------------------------------------------------------
@GET_AND_POST
def test_ids(api: TestClient, method: str) -> None:
    found = ids(search(api, method, {"ids": ["s2-001", "no2-003", "nope"]}))
    assert sorted(found) == ["no2-003", "s2-001"]


@GET_AND_POST
def test_collections(api: TestClient, dataset: Dataset, method: str) -> None:
    response = search(api, method, {"collections": ["atmo-no2", "ocean-sst"], "limit": 50})
    assert response.json()["numberMatched"] == 30
    expected = {i["id"] for i in dataset.items if i["collection"] in ("atmo-no2", "ocean-sst")}
    assert set(ids(response)) == expected


@GET_AND_POST
@pytest.mark.parametrize("bbox", [[-4.2, 41.9, -3.4, 42.6], [0, 40, 2.6, 48], [-30, -30, -20, -20]])
def test_bbox(api: TestClient, dataset: Dataset, method: str, bbox: list[float]) -> None:
    area = shapely.geometry.box(*bbox)
    expected = {i["id"] for i in dataset.items if area.intersects(shapely.geometry.shape(i["geometry"]))}
    assert set(all_ids(api, method, {"bbox": bbox})) == expected


@GET_AND_POST
def test_bbox_across_the_antimeridian(api: TestClient, method: str) -> None:
    found = all_ids(api, method, {"bbox": [175, -20, -175, 20]})
    assert sorted(found) == ["sst-003", "sst-004", "sst-005", "sst-006", "sst-007"]


@GET_AND_POST
def test_intersects(api: TestClient, dataset: Dataset, method: str) -> None:
    triangle = {"type": "Polygon", "coordinates": [[[-4.5, 41.5], [3.0, 41.5], [-4.5, 47.0], [-4.5, 41.5]]]}
    shape = shapely.geometry.shape(triangle)
    expected = {i["id"] for i in dataset.items if shape.intersects(shapely.geometry.shape(i["geometry"]))}
    assert expected and set(all_ids(api, method, {"intersects": triangle})) == expected


@GET_AND_POST
@pytest.mark.parametrize(
    "interval",
    [
        "2023-01-10T10:00:00Z",
        "2023-02-01T00:00:00Z/2023-03-01T00:00:00Z",
        "../2021-06-03T00:00:00Z",
        "2023-06-01T00:00:00Z/..",
        "2022-03-15T00:00:00Z",
        "2022-12-31T00:00:00Z/2023-01-01T10:00:00Z",
    ],
)
def test_datetime(api: TestClient, dataset: Dataset, method: str, interval: str) -> None:
    parts = interval.split("/") if "/" in interval else [interval, interval]
    start = None if parts[0] == ".." else parse_instant(parts[0])
    end = None if parts[1] == ".." else parse_instant(parts[1])
    expected = {
        i["id"]
        for i in dataset.items
        if (end is None or item_interval(i)[0] <= end) and (start is None or item_interval(i)[1] >= start)
    }
    assert expected and set(all_ids(api, method, {"datetime": interval})) == expected


@GET_AND_POST
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("glacier", {f"s2-{k:03d}" for k in range(0, 40, 5)}),
        ("glacier,buoy", {f"s2-{k:03d}" for k in range(0, 40, 5)} | {f"sst-{k:03d}" for k in range(10)}),
        ("nitrogen", {f"no2-{k:03d}" for k in range(20)}),
    ],
)
def test_free_text(api: TestClient, method: str, q: str, expected: set[str]) -> None:
    body: dict[str, Any] = {"q": q.split(",") if method == "POST" else q}
    assert set(all_ids(api, method, body)) == expected


@GET_AND_POST
def test_parameters_combine(api: TestClient, dataset: Dataset, method: str) -> None:
    body = {
        "collections": ["land-s2"],
        "bbox": [-5, 41, 3, 50],
        "datetime": "2023-02-01T00:00:00Z/..",
        "filter": "platform = 'sentinel-2a'",
        "q": "glacier",
    }
    if method == "POST":
        body["q"] = ["glacier"]
    expected = {
        i["id"]
        for i in dataset.items_of("land-s2")
        if i["properties"]["platform"] == "sentinel-2a"
        and "glacier" in i["properties"].get("keywords", [])
        and i["properties"]["datetime"] >= "2023-02-01"
        and i["geometry"]["coordinates"][0][0][0] <= 3
    }
    assert set(all_ids(api, method, body)) == expected


# -- sort -------------------------------------------------------------------------------------
@GET_AND_POST
@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_datetime(api: TestClient, dataset: Dataset, method: str, descending: bool) -> None:
    sign = "-" if descending else "+"
    sortby: Any = f"{sign}datetime"
    if method == "POST":
        sortby = [{"field": "properties.datetime", "direction": "desc" if descending else "asc"}]
    pages = follow(api, search(api, method, {"collections": ["land-s2"], "sortby": sortby, "limit": 7}))
    features = [f for page in pages for f in page["features"]]
    assert len({f["id"] for f in features}) == len(features) == 40
    times = [f["properties"]["datetime"] for f in features]
    assert times == sorted(times, reverse=descending)


@GET_AND_POST
def test_sort_by_a_property_pages_like_one_page(api: TestClient, dataset: Dataset, method: str) -> None:
    sortby: Any = "-eo:cloud_cover,id"
    if method == "POST":
        sortby = [{"field": "eo:cloud_cover", "direction": "desc"}, {"field": "id"}]
    body = {"collections": ["land-s2"], "sortby": sortby}
    whole = ids(search(api, method, {**body, "limit": 50}))
    paged = page_ids(follow(api, search(api, method, {**body, "limit": 6})))
    assert paged == whole
    covers = [dataset.item(i)["properties"].get("eo:cloud_cover") for i in whole]
    known = [c for c in covers if c is not None]
    assert known == sorted(known, reverse=True) and len(known) == 36
    ties = [i for i, c in zip(whole, covers, strict=True) if c is None]
    assert ties == sorted(ties)  # equal keys fall back to the next sort key


def test_sort_by_two_keys(api: TestClient, dataset: Dataset) -> None:
    found = ids(
        api.get(
            "/stac/search", params={"collections": "land-s2", "sortby": "platform,-datetime", "limit": "50"}
        )
    )
    docs = {i["id"]: i["properties"] for i in dataset.items_of("land-s2")}
    keys = [(docs[i]["platform"], docs[i]["datetime"]) for i in found]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    for platform in ("sentinel-2a", "sentinel-2b"):
        times = [t for p, t in keys if p == platform]
        assert times == sorted(times, reverse=True)


# -- fields -----------------------------------------------------------------------------------
DEFAULT_KEYS = {
    "id",
    "type",
    "geometry",
    "bbox",
    "links",
    "assets",
    "properties",
    "collection",
    "stac_version",
    "stac_extensions",
}


@GET_AND_POST
def test_fields_include(api: TestClient, method: str) -> None:
    include = "properties.eo:cloud_cover"
    fields: Any = {"include": [include]} if method == "POST" else include
    body = {"collections": ["land-s2"], "ids": ["s2-001", "s2-003"], "fields": fields}
    features = {f["id"]: f for f in search(api, method, body).json()["features"]}
    assert set(features["s2-001"]) == DEFAULT_KEYS
    assert set(features["s2-001"]["properties"]) == {"datetime", "eo:cloud_cover"}
    assert set(features["s2-003"]["properties"]) == {"datetime"}  # it has no cloud cover


@GET_AND_POST
def test_fields_exclude(api: TestClient, method: str) -> None:
    fields: Any = (
        {"exclude": ["assets", "properties.platform"]} if method == "POST" else "-assets,-properties.platform"
    )
    feature = search(api, method, {"ids": ["s2-001"], "fields": fields}).json()["features"][0]
    assert "assets" not in feature and "links" in feature and "geometry" in feature
    assert "platform" not in feature["properties"] and feature["properties"]["gsd"] == 10


@GET_AND_POST
def test_fields_include_and_exclude(api: TestClient, method: str) -> None:
    fields: Any = (
        {"include": ["properties"], "exclude": ["properties.gsd", "links"]}
        if method == "POST"
        else "properties,-properties.gsd,-links"
    )
    feature = search(api, method, {"ids": ["s2-001"], "fields": fields}).json()["features"][0]
    assert set(feature) == DEFAULT_KEYS - {"links"}
    assert set(feature["properties"]) == {"datetime", "platform", "eo:cloud_cover"}


def test_empty_fields_mean_whole_items(api: TestClient, dataset: Dataset) -> None:
    by_get = api.get("/stac/search", params={"ids": "s2-001", "fields": ""}).json()["features"][0]
    by_post = api.post("/stac/search", json={"ids": ["s2-001"], "fields": {}}).json()["features"][0]
    assert by_get == by_post
    assert by_get["properties"] == dataset.item("s2-001")["properties"]


# -- paging and limits ------------------------------------------------------------------------
@GET_AND_POST
def test_paging_to_the_end_without_gaps_or_duplicates(api: TestClient, dataset: Dataset, method: str) -> None:
    pages = follow(api, search(api, method, {"limit": 7}))
    seen = page_ids(pages)
    assert len(seen) == len(set(seen)) == len(dataset.items)
    assert set(seen) == {i["id"] for i in dataset.items}
    assert all(p["numberMatched"] == 70 for p in pages)
    assert [p["numberReturned"] for p in pages] == [7] * 10
    assert link_of(pages[-1], "next") is None and link_of(pages[0], "prev") is None


def test_post_page_links_repeat_the_body(api: TestClient) -> None:
    body = {
        "collections": ["land-s2"],
        "limit": 5,
        "filter": "eo:cloud_cover > 10",
        "fields": {"include": ["properties.platform"]},
    }
    first = api.post("/stac/search", json=body).json()
    following = link_of(first, "next")
    assert following["method"] == "POST" and following["merge"] is False
    assert following["href"] == "http://testserver/stac/search"
    assert {k: v for k, v in following["body"].items() if k != "token"} == body
    assert following["body"]["token"]


def test_get_page_links_keep_the_parameters(api: TestClient) -> None:
    first = api.get("/stac/search", params={"collections": "land-s2", "limit": "5", "sortby": "-id"}).json()
    href = link_of(first, "next")["href"]
    assert href.startswith("http://testserver/stac/search?")
    assert "collections=land-s2" in href and "limit=5" in href and "sortby=-id" in href
    second = api.get(href).json()
    assert ids_of(second) == [f"s2-{k:03d}" for k in range(34, 29, -1)]
    previous = api.get(link_of(second, "prev")["href"]).json()
    assert ids_of(previous) == ids_of(first)


def ids_of(body: dict[str, Any]) -> list[str]:
    """The ids of a FeatureCollection body."""
    return [f["id"] for f in body["features"]]


@pytest.mark.parametrize(
    ("limit", "returned"), [(None, 10), ("1", 1), ("50", 50), ("51", 50), ("100000", 50)]
)
def test_limit_default_and_clamp(api: TestClient, limit: str | None, returned: int) -> None:
    params = {"limit": limit} if limit else {}
    assert len(ids(api.get("/stac/search", params=params))) == returned
    body = {"limit": int(limit)} if limit else {}
    assert len(ids(api.post("/stac/search", json=body))) == returned
