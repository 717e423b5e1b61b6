"""The filter extension: CQL2 text and JSON, by GET and POST, on /search and on /items, checked
against the `cql2` library's in-memory evaluation of the same filter over the dataset."""

from __future__ import annotations

import cql2
import orjson
import pytest
from fastapi.testclient import TestClient
from tests.conftest import Dataset

from .conftest import follow, oracle, page_ids

# (CQL2 text, collections the comparison is limited to). Filters on datetime are limited to
# collections whose items have a datetime: the store treats an item's datetime as its whole
# start/end span, which the cql2 evaluator does not know about.
CASES: list[tuple[str, tuple[str, ...]]] = [
    ("eo:cloud_cover = 37", ()),
    ("eo:cloud_cover <> 37", ("land-s2",)),
    ("eo:cloud_cover < 20", ()),
    ("eo:cloud_cover <= 20", ()),
    ("eo:cloud_cover > 80", ()),
    ("eo:cloud_cover >= 80", ()),
    ("platform LIKE 'sentinel-2%'", ()),
    ("platform LIKE '%2a'", ()),
    ("platform IN ('sentinel-2a', 'landsat-8')", ()),
    ("depth IN (0, 10, 45)", ()),
    ("eo:cloud_cover BETWEEN 10 AND 30", ()),
    ("eo:cloud_cover IS NULL", ("land-s2",)),
    ("eo:cloud_cover IS NOT NULL", ()),
    ("NOT (eo:cloud_cover IS NULL)", ("land-s2",)),
    ("platform = 'sentinel-2a' AND eo:cloud_cover < 50", ()),
    ("platform = 'sentinel-2a' OR depth > 30", ()),
    ("NOT (platform = 'sentinel-2b') AND gsd = 10", ()),
    ("(eo:cloud_cover < 10 OR eo:cloud_cover > 90) AND NOT platform LIKE '%b'", ()),
    ("unit = 'µg/m³' AND coverage >= 0.8", ()),
    ("id = 's2-004' OR collection = 'ocean-sst'", ()),
    ("S_INTERSECTS(geometry, BBOX(-4.1, 41.9, 0, 45))", ()),
    ("S_INTERSECTS(geometry, POINT(172 -9))", ()),
    ("S_INTERSECTS(geometry, POLYGON((-4.5 41.5, 3 41.5, -4.5 47, -4.5 41.5)))", ()),
    ("NOT S_INTERSECTS(geometry, BBOX(-180, -90, 0, 90))", ()),
    (
        "T_INTERSECTS(datetime, INTERVAL('2023-02-01T00:00:00Z', '2023-03-01T00:00:00Z'))",
        ("land-s2", "ocean-sst"),
    ),
    ("datetime > TIMESTAMP('2023-05-01T00:00:00Z')", ("land-s2", "ocean-sst")),
    ("datetime = TIMESTAMP('2023-01-10T10:00:00Z')", ("land-s2", "ocean-sst")),
    ("datetime <= TIMESTAMP('2021-06-03T00:00:00Z')", ("land-s2", "ocean-sst")),
]
IDS = [text for text, _ in CASES]


def found(api: TestClient, first: object) -> set[str]:
    """All ids across the pages of a search, checked for duplicates."""
    seen = page_ids(follow(api, first))  # type: ignore[arg-type]
    assert len(seen) == len(set(seen))
    return set(seen)


def get_params(filter_value: str, lang: str, collections: tuple[str, ...]) -> dict[str, str]:
    """GET parameters of a filtered search."""
    params = {"filter": filter_value, "filter-lang": lang, "limit": "50"}
    if collections:
        params["collections"] = ",".join(collections)
    return params


@pytest.mark.parametrize(("text", "collections"), CASES, ids=IDS)
def test_cql2_text_by_get(api: TestClient, dataset: Dataset, text: str, collections: tuple[str, ...]) -> None:
    expected = oracle(dataset, text, collections)
    response = api.get("/stac/search", params=get_params(text, "cql2-text", collections))
    assert found(api, response) == expected


@pytest.mark.parametrize(("text", "collections"), CASES, ids=IDS)
def test_cql2_json_by_get(api: TestClient, dataset: Dataset, text: str, collections: tuple[str, ...]) -> None:
    as_json = orjson.dumps(cql2.parse_text(text).to_json()).decode()
    response = api.get("/stac/search", params=get_params(as_json, "cql2-json", collections))
    assert found(api, response) == oracle(dataset, text, collections)


@pytest.mark.parametrize(("text", "collections"), CASES, ids=IDS)
def test_cql2_json_by_post(
    api: TestClient, dataset: Dataset, text: str, collections: tuple[str, ...]
) -> None:
    body = {
        "filter": cql2.parse_text(text).to_json(),
        "filter-lang": "cql2-json",
        "limit": 50,
        "collections": list(collections),
    }
    assert found(api, api.post("/stac/search", json=body)) == oracle(dataset, text, collections)


def test_cql2_text_by_post(api: TestClient, dataset: Dataset) -> None:
    body = {
        "filter": "eo:cloud_cover < 20 AND platform = 'sentinel-2b'",
        "filter-lang": "cql2-text",
        "limit": 50,
    }
    assert found(api, api.post("/stac/search", json=body)) == oracle(dataset, body["filter"])


def test_filter_lang_defaults(api: TestClient, dataset: Dataset) -> None:
    text = "eo:cloud_cover < 30"
    by_get = api.get("/stac/search", params={"filter": text, "limit": "50"})
    as_json = {"op": "<", "args": [{"property": "eo:cloud_cover"}, 30]}
    by_post = api.post("/stac/search", json={"filter": as_json, "limit": 50})
    assert found(api, by_get) == found(api, by_post) == oracle(dataset, text)


def test_properties_prefix_is_accepted(api: TestClient, dataset: Dataset) -> None:
    response = api.get("/stac/search", params={"filter": "properties.eo:cloud_cover < 30", "limit": "50"})
    assert found(api, response) == oracle(dataset, "eo:cloud_cover < 30")


def test_filter_on_the_items_of_a_collection(api: TestClient, dataset: Dataset) -> None:
    text = "eo:cloud_cover > 50 OR platform = 'sentinel-2a'"
    response = api.get("/stac/collections/land-s2/items", params={"filter": text, "limit": "50"})
    assert found(api, response) == oracle(dataset, text, ("land-s2",))


def test_filter_pages_stay_filtered(api: TestClient, dataset: Dataset) -> None:
    text = "eo:cloud_cover >= 20"
    response = api.get("/stac/search", params={"filter": text, "limit": "4"})
    assert response.json()["numberMatched"] == len(oracle(dataset, text))
    assert found(api, response) == oracle(dataset, text)
