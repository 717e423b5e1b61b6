"""STAC API core, collections, features and queryables, over HTTP against the session catalog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import Dataset, backend_settings, load
from tests.support.stac_validation import validate_stac

from terrapole.app import create_app
from terrapole.catalog import CatalogStore, open_catalog
from terrapole.settings import Settings

from .conftest import assert_problem, follow, link_of, page_ids

ROOT = "http://testserver/stac"
QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
EXPECTED_CONFORMANCE = {
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/collections",
    "https://api.stacspec.org/v1.0.0/ogcapi-features",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "https://api.stacspec.org/v1.0.0/item-search",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "https://api.stacspec.org/v1.0.0-rc.3/item-search#filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "https://api.stacspec.org/v1.0.0/item-search#sort",
    "https://api.stacspec.org/v1.0.0/ogcapi-features#sort",
    "https://api.stacspec.org/v1.0.0/item-search#fields",
    "https://api.stacspec.org/v1.0.0/ogcapi-features#fields",
    "https://api.stacspec.org/v1.0.0-rc.1/item-search#free-text",
    "https://api.stacspec.org/v1.0.0-rc.1/ogcapi-features#free-text",
    "https://api.stacspec.org/v1.0.0-rc.1/collection-search",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/simple-query",
    "https://api.stacspec.org/v1.0.0-rc.1/collection-search#free-text",
    "https://api.stacspec.org/v1.0.0-rc.1/collection-search#filter",
    "https://api.stacspec.org/v1.0.0-rc.1/collection-search#sort",
    "https://api.stacspec.org/v1.0.0-rc.1/collection-search#fields",
    "https://api.stacspec.org/v0.3.0/aggregation",
    "https://api.stacspec.org/v0.3.0/aggregation#filter",
}


def collection_ids(response: Any) -> list[str]:
    """The ids of a /collections response, in order."""
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["collections"]]


# -- core -------------------------------------------------------------------------------------
def test_landing_page_is_a_valid_catalog_with_service_links(api: TestClient) -> None:
    response = api.get("/stac")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    validate_stac(body)
    assert (body["type"], body["stac_version"], body["id"]) == ("Catalog", "1.1.0", "terrapole")
    assert set(body["conformsTo"]) == EXPECTED_CONFORMANCE
    by_rel = {(link["rel"], link.get("method")): link for link in body["links"]}
    assert by_rel[("self", None)]["href"] == ROOT
    assert by_rel[("root", None)]["href"] == ROOT
    assert by_rel[("conformance", None)]["href"] == f"{ROOT}/conformance"
    assert by_rel[("data", None)]["href"] == f"{ROOT}/collections"
    for method in ("GET", "POST"):
        search = by_rel[("search", method)]
        assert (search["href"], search["type"]) == (f"{ROOT}/search", "application/geo+json")
    desc = by_rel[("service-desc", None)]
    assert desc["href"] == "http://testserver/api"
    assert desc["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert by_rel[("service-doc", None)]["href"] == "http://testserver/api.html"
    assert by_rel[(QUERYABLES, None)]["href"] == f"{ROOT}/queryables"


def test_landing_page_has_one_child_link_per_collection(api: TestClient, dataset: Dataset) -> None:
    children = [link for link in api.get("/stac").json()["links"] if link["rel"] == "child"]
    assert sorted(link["href"] for link in children) == sorted(
        f"{ROOT}/collections/{c['id']}" for c in dataset.collections
    )
    titles = {link["href"].rsplit("/", 1)[1]: link["title"] for link in children}
    assert titles["land-s2"] == "Sentinel-2 surface reflectance"


def test_conformance_endpoint_lists_the_same_classes(api: TestClient) -> None:
    response = api.get("/stac/conformance")
    assert response.status_code == 200
    assert set(response.json()["conformsTo"]) == EXPECTED_CONFORMANCE
    assert len(response.json()["conformsTo"]) == len(EXPECTED_CONFORMANCE)


def test_openapi_document_and_docs(api: TestClient) -> None:
    document = api.get("/api").json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {"get", "post"} <= paths["/stac/search"].keys()
    assert "/stac/collections/{collection_id}/items/{item_id}" in paths
    names = {p["name"] for p in paths["/stac/search"]["get"]["parameters"]}
    assert {"bbox", "datetime", "filter", "filter-lang", "sortby", "fields", "q", "token"} <= names
    docs = api.get("/api.html")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]


def test_healthz_reports_the_catalog(api: TestClient, dataset: Dataset) -> None:
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "collections": len(dataset.collections)}


# -- collections ------------------------------------------------------------------------------
def test_collections_are_valid_and_linked(api: TestClient, dataset: Dataset) -> None:
    body = api.get("/stac/collections").json()
    assert sorted(c["id"] for c in body["collections"]) == sorted(c["id"] for c in dataset.collections)
    assert (body["numberMatched"], body["numberReturned"]) == (3, 3)
    assert link_of(body, "self")["href"] == f"{ROOT}/collections"
    assert link_of(body, QUERYABLES)["href"] == f"{ROOT}/collection-queryables"
    for collection in body["collections"]:
        validate_stac(collection)
        href = f"{ROOT}/collections/{collection['id']}"
        links = {link["rel"]: link["href"] for link in collection["links"]}
        assert links["self"] == href
        assert links["parent"] == links["root"] == ROOT
        assert links["items"] == f"{href}/items"
        assert links[QUERYABLES] == f"{href}/queryables"


def test_collection_by_id(api: TestClient, dataset: Dataset) -> None:
    response = api.get("/stac/collections/atmo-no2")
    assert response.status_code == 200
    body = response.json()
    validate_stac(body)
    expected = next(c for c in dataset.collections if c["id"] == "atmo-no2")
    for key in ("title", "description", "keywords", "license"):
        assert body[key] == expected[key]
    assert body["extent"]["spatial"]["bbox"] == [[-10.0, 35.0, 30.0, 75.0]]
    assert body["extent"]["temporal"]["interval"] == [["2022-01-01T00:00:00Z", "2023-08-31T23:59:59Z"]]


def test_unknown_collection_is_404(api: TestClient) -> None:
    body = assert_problem(api.get("/stac/collections/no-such"), 404, "no-such")
    assert body["code"] == "CollectionNotFound"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "reflectance"}, ["land-s2"]),
        ({"q": "ocean,nitrogen"}, ["atmo-no2", "ocean-sst"]),
        ({"bbox": "1,44,2,45"}, ["atmo-no2", "land-s2"]),
        ({"datetime": "2021-01-01T00:00:00Z/2021-12-31T00:00:00Z"}, ["ocean-sst"]),
        ({"datetime": "../2022-06-01T00:00:00Z"}, ["atmo-no2", "ocean-sst"]),
        ({"datetime": "2023-07-01T00:00:00Z/.."}, ["atmo-no2", "ocean-sst"]),
        ({"datetime": "2023-03-01T00:00:00Z"}, ["atmo-no2", "land-s2", "ocean-sst"]),
        ({"filter": "pole = 'land'"}, ["land-s2"]),
        (
            {
                "filter": '{"op": "in", "args": [{"property": "id"}, ["land-s2", "ocean-sst"]]}',
                "filter-lang": "cql2-json",
            },
            ["land-s2", "ocean-sst"],
        ),
        ({"filter": "title LIKE 'Sea%'"}, ["ocean-sst"]),
    ],
)
def test_collection_search(api: TestClient, params: dict[str, str], expected: list[str]) -> None:
    response = api.get("/stac/collections", params=params)
    assert sorted(collection_ids(response)) == expected
    assert response.json()["numberReturned"] == len(expected)


def test_collection_search_bbox_across_the_antimeridian(api: TestClient) -> None:
    # ocean-sst's extent is [170, -10, -172, -1]: it wraps across 180°.
    assert collection_ids(api.get("/stac/collections", params={"bbox": "175,-5,179,0"})) == ["ocean-sst"]


def test_collection_search_sortby(api: TestClient) -> None:
    assert collection_ids(api.get("/stac/collections?sortby=-id")) == ["ocean-sst", "land-s2", "atmo-no2"]
    by_title = collection_ids(api.get("/stac/collections", params={"sortby": "title"}))
    assert by_title == ["atmo-no2", "ocean-sst", "land-s2"]


def test_collection_search_fields(api: TestClient) -> None:
    body = api.get("/stac/collections", params={"fields": "keywords"}).json()
    for collection in body["collections"]:
        assert "keywords" in collection and "extent" in collection and "links" in collection
        assert "providers" not in collection and "terrapole:pole" not in collection
    body = api.get("/stac/collections", params={"fields": "-extent,-links"}).json()
    for collection in body["collections"]:
        assert "extent" not in collection and "links" not in collection and "title" in collection


def test_collection_search_pages_both_ways(api: TestClient) -> None:
    pages = follow(api, api.get("/stac/collections", params={"limit": "1"}))
    assert [len(p["collections"]) for p in pages] == [1, 1, 1]
    seen = page_ids(pages, "collections")
    assert sorted(seen) == ["atmo-no2", "land-s2", "ocean-sst"]
    assert all(p["numberMatched"] == 3 for p in pages)
    back = follow(api, api.get(link_of(pages[-1], "prev")["href"]), rel="prev")
    assert page_ids(back, "collections") == seen[-2::-1]


def test_collection_search_queryables(api: TestClient) -> None:
    response = api.get("/stac/collection-queryables")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    properties = response.json()["properties"]
    assert {"id", "title", "license", "pole", "datetime", "geometry"} <= properties.keys()


def test_every_advertised_collection_queryable_can_filter(api: TestClient) -> None:
    properties = api.get("/stac/collection-queryables").json()["properties"]
    # A concept must be one the catalog holds: 'x' is refused as unknown (tests/vocab).
    refused = [
        name
        for name, schema in properties.items()
        if schema.get("type") == "string"
        and schema.get("format") != "uri"
        and api.get("/stac/collections", params={"filter": f"{name} = 'x'"}).status_code != 200
    ]
    assert refused == []


# -- features ---------------------------------------------------------------------------------
def test_items_of_a_collection(api: TestClient, dataset: Dataset) -> None:
    response = api.get("/stac/collections/land-s2/items", params={"limit": "50"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert (body["numberMatched"], body["numberReturned"]) == (40, 40)
    assert sorted(f["id"] for f in body["features"]) == sorted(i["id"] for i in dataset.items_of("land-s2"))
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert links["self"] == f"{ROOT}/collections/land-s2/items?limit=50"
    assert links["parent"] == links["collection"] == f"{ROOT}/collections/land-s2"
    assert "next" not in links
    datetimes = [f["properties"]["datetime"] for f in body["features"]]
    assert datetimes == sorted(datetimes, reverse=True)  # newest first by default


def test_items_default_limit_and_paging(api: TestClient) -> None:
    first = api.get("/stac/collections/land-s2/items")
    assert first.json()["numberReturned"] == 10
    pages = follow(api, first)
    seen = page_ids(pages)
    assert len(seen) == len(set(seen)) == 40
    assert all(link_of(p, "self")["href"].startswith(f"{ROOT}/collections/land-s2/items") for p in pages)


def test_items_with_every_parameter(api: TestClient, dataset: Dataset) -> None:
    params = {
        "bbox": "-4.5,41.5,9.5,50",
        "datetime": "2023-02-01T00:00:00Z/2023-05-01T00:00:00Z",
        "filter": "eo:cloud_cover < 60",
        "sortby": "-eo:cloud_cover",
        "fields": "properties.eo:cloud_cover,-assets",
        "limit": "3",
    }
    pages = follow(api, api.get("/stac/collections/land-s2/items", params=params))
    features = [f for page in pages for f in page["features"]]
    expected = {
        i["id"]
        for i in dataset.items_of("land-s2")
        if "2023-02-01" <= i["properties"]["datetime"] <= "2023-05-01"
        and i["properties"].get("eo:cloud_cover", 100) < 60
    }
    assert {f["id"] for f in features} == expected and len(features) == len(expected)
    covers = [f["properties"]["eo:cloud_cover"] for f in features]
    assert covers == sorted(covers, reverse=True)
    assert all("assets" not in f and "platform" not in f["properties"] for f in features)


def test_items_free_text(api: TestClient, dataset: Dataset) -> None:
    response = api.get("/stac/collections/land-s2/items", params={"q": "glacier", "limit": "50"})
    land = dataset.items_of("land-s2")
    expected = {i["id"] for i in land if "glacier" in i["properties"].get("keywords", [])}
    assert {f["id"] for f in response.json()["features"]} == expected


def test_item_by_id(api: TestClient, dataset: Dataset) -> None:
    response = api.get("/stac/collections/land-s2/items/s2-005")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    validate_stac(body)
    expected = dataset.item("s2-005")
    for key in ("id", "collection", "geometry", "properties", "assets", "stac_extensions"):
        assert body[key] == expected[key]
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert links["self"] == f"{ROOT}/collections/land-s2/items/s2-005"
    assert links["parent"] == links["collection"] == f"{ROOT}/collections/land-s2"
    assert links["root"] == ROOT


@pytest.mark.parametrize(
    ("path", "mentions", "code"),
    [
        ("/stac/collections/land-s2/items/no-such", "no-such", "ItemNotFound"),
        ("/stac/collections/no-such/items/s2-001", "no-such", "CollectionNotFound"),
        ("/stac/collections/no-such/items", "no-such", "CollectionNotFound"),
        ("/stac/collections/ocean-sst/items/s2-001", "s2-001", "ItemNotFound"),
    ],
)
def test_unknown_items_are_404(api: TestClient, path: str, mentions: str, code: str) -> None:
    assert assert_problem(api.get(path), 404, mentions)["code"] == code


def test_every_returned_item_and_collection_is_valid_stac(api: TestClient) -> None:
    for collection in api.get("/stac/collections").json()["collections"]:
        validate_stac(collection)
    pages = follow(api, api.get("/stac/search", params={"limit": "50"}))
    features = [f for page in pages for f in page["features"]]
    assert len(features) == 70
    for feature in features:
        validate_stac(feature)


# -- queryables -------------------------------------------------------------------------------
def test_catalog_queryables(api: TestClient) -> None:
    response = api.get("/stac/queryables")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    document = response.json()
    assert document["$schema"] == "https://json-schema.org/draft/2019-09/schema"
    assert document["$id"] == f"{ROOT}/queryables"
    assert document["type"] == "object" and document["additionalProperties"] is False
    properties = document["properties"]
    assert {"id", "collection", "datetime", "geometry", "platform", "pollutant", "depth"} <= properties.keys()
    assert properties["eo:cloud_cover"]["type"] == "number"
    assert properties["datetime"]["format"] == "date-time"


def test_collection_queryables(api: TestClient) -> None:
    document = api.get("/stac/collections/land-s2/queryables").json()
    assert document["$id"] == f"{ROOT}/collections/land-s2/queryables"
    assert {"eo:cloud_cover", "platform", "gsd", "datetime"} <= document["properties"].keys()
    assert "pollutant" not in document["properties"]
    assert_problem(api.get("/stac/collections/no-such/queryables"), 404, "no-such")


# -- composition root -------------------------------------------------------------------------
def test_links_follow_the_configured_base_url(tmp_path: Path, store: CatalogStore) -> None:
    settings = Settings(data_dir=tmp_path / "data", base_url="https://data.example.org/tp/")
    with TestClient(create_app(settings, store)) as http:
        body = http.get("/stac").json()
    hrefs = {link["rel"]: link["href"] for link in body["links"]}
    assert hrefs["self"] == "https://data.example.org/tp/stac"
    assert hrefs["service-desc"] == "https://data.example.org/tp/api"


@pytest.fixture
def app_settings(
    tmp_path: Path, dataset: Dataset, backend: str, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    """Settings of a stored catalog holding the dataset, closed again before the test runs."""
    with backend_settings(request, backend, data_dir=tmp_path / "data", count_budget_ms=60_000) as settings:
        catalog = open_catalog(settings)
        load(catalog, dataset)
        catalog.close()
        yield settings


def test_app_opens_and_closes_its_own_catalog(app_settings: Settings) -> None:
    app = create_app(app_settings)
    assert_problem(TestClient(app).get("/healthz"), 503, "not open")  # lifespan not started
    with TestClient(app) as http:
        assert http.get("/stac/search").json()["numberMatched"] == 70
    assert app.state.store is None


def test_browser_clients_on_other_origins_may_read(api: TestClient) -> None:
    response = api.get("/stac", headers={"Origin": "https://radiantearth.github.io"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = api.options(
        "/stac/search",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_large_pages_are_compressed_when_gzip_is_on(loaded_settings: Settings, loaded_store: Any) -> None:
    settings = loaded_settings.model_copy(update={"gzip": True})
    with TestClient(create_app(settings, loaded_store)) as client:
        response = client.get("/stac/search", params={"limit": 50}, headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    assert response.json()["features"]  # the client decompresses transparently


def test_responses_are_not_compressed_by_default(api: TestClient) -> None:
    response = api.get("/stac/search", params={"limit": 50}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
