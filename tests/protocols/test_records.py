"""OGC API - Records over the catalogue, on both backends: landing page, conformance, record
collections (all datasets and one per pole), record search with q, bbox, datetime, CQL2 filters
(text, JSON, POST body), sortby, limit, offset and next links; records as GeoJSON, HTML, ISO 19139
and DCAT by `f=` and by Accept; queryables; problems for bad requests; OWSLib's Records client
against a served process."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from lxml import etree
from owslib.iso import MD_Metadata
from owslib.ogcapi.records import Records

from terrapole.catalog import CatalogStore
from terrapole.core.model import BBox, Collection, Keyword
from terrapole.core.record import Record, collection_from_record, record_from_collection

from .conftest import assert_problem
from .csw_support import SYNTHETIC, box_ids, csw_catalogue, csw_client, csw_settings, csw_store, served

__all__ = ["csw_catalogue", "csw_client", "csw_settings", "csw_store", "served"]

ITEMS = "/records/collections/datasets/items"
SEA = {f"syn-{n:02d}" for n in range(0, SYNTHETIC, 2)}


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text[:1000]
    return [feature["id"] for feature in response.json()["features"]]


def walk(client: TestClient | None, first: str, params: dict[str, Any]) -> list[str]:
    """Every record id from the first page on, following next links."""
    response = client.get(first, params=params) if client else httpx.get(first, params=params)
    found: list[str] = []
    for _ in range(100):
        found.extend(ids(response))
        following = next((link["href"] for link in response.json()["links"] if link["rel"] == "next"), None)
        if following is None:
            return found
        response = client.get(following) if client else httpx.get(following)
    raise AssertionError("paging does not end")


# --- landing, conformance, collections, queryables ------------------------------------------------------


def test_landing_conformance_and_collections(csw_client: TestClient) -> None:
    landing = csw_client.get("/records").json()
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert rels["conformance"] == "http://testserver/records/conformance"
    assert rels["data"] == "http://testserver/records/collections"
    conforms = csw_client.get("/records/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core" in conforms
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in conforms
    listed = csw_client.get("/records/collections").json()["collections"]
    assert [c["id"] for c in listed] == [
        "datasets",
        "atmosphere",
        "ocean",
        "solid-earth",
        "land",
        "biodiversity",
    ]
    assert {c["itemType"] for c in listed} == {"record"}


def test_html_by_accept_header_and_by_f(csw_client: TestClient) -> None:
    browser = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = csw_client.get("/records", headers=browser)
    assert page.headers["content-type"].startswith("text/html") and "<h1>terrapole: records</h1>" in page.text
    listing = csw_client.get(ITEMS, params={"f": "html", "q": "zorblax", "limit": "4"})
    assert listing.text.count("<tr>") == 5 and "Zorblax sea temperature" in listing.text
    assert 'rel="next"' not in listing.text and "(next" in listing.text


def test_queryables_list_record_fields(csw_client: TestClient) -> None:
    document = csw_client.get("/records/collections/datasets/queryables").json()
    assert {"type", "keywords", "organisation", "updated", "geometry", "datetime"} <= set(
        document["properties"]
    )
    assert document["additionalProperties"] is False


# --- searching -------------------------------------------------------------------------------------


def test_q_with_limit_pages_through_next_links(csw_client: TestClient) -> None:
    assert sorted(walk(csw_client, ITEMS, {"q": "zorblax", "limit": "4"})) == sorted(SEA)
    first = csw_client.get(ITEMS, params={"q": "zorblax", "limit": "4"}).json()
    assert (first["numberMatched"], first["numberReturned"]) == (15, 4)


def test_offset_pages_equal_next_link_pages(csw_client: TestClient) -> None:
    params = {"filter": "organisation = 'IGN'", "sortby": "-updated", "limit": "6"}
    walked = walk(csw_client, ITEMS, params)
    by_offset = [
        i for o in range(0, 15, 6) for i in ids(csw_client.get(ITEMS, params={**params, "offset": str(o)}))
    ]
    assert walked == by_offset == [f"syn-{n:02d}" for n in range(SYNTHETIC - 1, 0, -2)]


def test_bbox_and_datetime(csw_client: TestClient, csw_catalogue: list[Collection]) -> None:
    box = BBox(4.0, 43.0, 11.0, 48.0)
    found = walk(csw_client, ITEMS, {"bbox": "4,43,11,48", "limit": "50"})
    assert sorted(found) == sorted(box_ids(csw_catalogue, box))
    dated = walk(csw_client, ITEMS, {"datetime": "2000-01-01/2005-12-31", "limit": "50"})

    def meets(c: Collection) -> bool:  # a record without a temporal extent is not ruled out by time
        start, end = c.extent.start, c.extent.end
        return (start is None or start.year <= 2005) and (end is None or end.year >= 2000)

    assert sorted(dated) == sorted(c.id for c in csw_catalogue if meets(c))
    assert len(dated) < len(csw_catalogue)


def test_cql2_text_json_and_post_body_filters(
    csw_client: TestClient, csw_catalogue: list[Collection]
) -> None:
    text = "type = 'series' AND updated >= TIMESTAMP('2021-01-10T00:00:00Z')"
    wanted = sorted(
        c.id
        for c in csw_catalogue
        if (r := record_from_collection(c)).hierarchy_level == "series"
        and r.dates.metadata is not None
        and str(r.dates.metadata) >= "2021-01-10"
    )
    assert sorted(ids(csw_client.get(ITEMS, params={"filter": text, "limit": "50"}))) == wanted
    expression = {
        "op": "and",
        "args": [
            {"op": "=", "args": [{"property": "type"}, "series"]},
            {"op": ">=", "args": [{"property": "updated"}, {"timestamp": "2021-01-10T00:00:00Z"}]},
        ],
    }
    as_json = csw_client.get(
        ITEMS,
        params={"filter": __import__("json").dumps(expression), "filter-lang": "cql2-json", "limit": "50"},
    )
    assert sorted(ids(as_json)) == wanted
    posted = csw_client.post(ITEMS, params={"limit": "50"}, json=expression)
    assert sorted(ids(posted)) == wanted and wanted


def test_a_pole_collection_holds_only_its_records(csw_client: TestClient) -> None:
    assert sorted(walk(csw_client, "/records/collections/ocean/items", {"limit": "50"})) == sorted(SEA)
    both = ids(csw_client.get("/records/collections/land/items", params={"q": "zorblax"}))
    assert both == []
    assert_problem(csw_client.get("/records/collections/ocean/items/syn-01"), 404, "syn-01")


# --- one record ----------------------------------------------------------------------------------------


def test_record_geojson_properties(csw_client: TestClient) -> None:
    feature = csw_client.get(f"{ITEMS}/syn-04").json()
    properties = feature["properties"]
    assert feature["type"] == "Feature" and feature["geometry"]["coordinates"][0][0] == [2.0, 40.0]
    assert properties["type"] == "dataset" and properties["title"] == "Zorblax sea temperature 4"
    assert properties["keywords"] == ["ocean", "oceans"]
    assert properties["contacts"] == [
        {"name": "Desk", "roles": ["pointOfContact"], "organization": "Ifremer"}
    ]
    assert properties["formats"] == [{"name": "NetCDF"}] and properties["updated"] == "2021-01-05"
    rels = {(link["rel"], link.get("type")) for link in feature["links"]}
    assert {("self", "application/geo+json"), ("alternate", "text/html"), ("related", None)} <= rels


def test_record_time_and_themes_of_a_real_iso_record(
    csw_client: TestClient, csw_catalogue: list[Collection]
) -> None:
    record = next(
        record_from_collection(c) for c in csw_catalogue if c.id == "837750fd-5790-4263-ad6d-cd94c43cfe5b"
    )
    feature = csw_client.get(f"{ITEMS}/{record.identifier}").json()
    assert feature["time"] == {"interval": ["2010-01-01T00:00:00Z", "2010-12-31T23:59:59Z"]}
    schemes = {theme["scheme"] for theme in feature["properties"]["themes"]}
    thesauri = {
        k.thesaurus_uri or k.thesaurus for k in record.keywords if k.thesaurus or k.thesaurus_uri or k.uri
    }
    assert thesauri and thesauri <= schemes


def test_record_as_iso_19139_and_dcat_by_f_and_accept(csw_client: TestClient) -> None:
    by_f = csw_client.get(f"{ITEMS}/syn-07", params={"f": "iso19139"})
    by_accept = csw_client.get(f"{ITEMS}/syn-07", headers={"accept": "application/vnd.iso.19139+xml"})
    assert by_f.content == by_accept.content
    metadata = MD_Metadata(etree.fromstring(by_f.content))
    assert metadata.identifier == "syn-07" and metadata.identification[0].title == "Quuxite forest height 7"
    graph = rdflib.Graph().parse(
        data=csw_client.get(f"{ITEMS}/syn-07", headers={"accept": "text/turtle"}).text, format="turtle"
    )
    dataset = rdflib.URIRef("http://testserver/records/collections/datasets/items/syn-07")
    assert (dataset, rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/dcat#Dataset")) in graph
    jsonld = csw_client.get(f"{ITEMS}/syn-07", params={"f": "dcat-jsonld"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=jsonld.text, format="json-ld")) > 5


def test_html_escapes_record_text(client: TestClient, store: CatalogStore) -> None:
    hostile = Record(
        identifier="x<1>",
        title={"en": "<script>alert('t')</script>"},
        abstract={"en": "a & b"},
        keywords=(Keyword({"en": '"><img src=x>'}),),
    )
    collection = collection_from_record(hostile)
    store.upsert_collections([collection])
    for url in (
        f"/records/collections/datasets/items/{collection.id}",
        "/records/collections/datasets/items",
    ):
        page = client.get(url, params={"f": "html"})
        assert page.status_code == 200
        assert "<script>" not in page.text and "<img" not in page.text
        assert "&lt;script&gt;" in page.text


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status", "mentions"),
    [
        ("/records/collections/nowhere", {}, 404, "nowhere"),
        ("/records/collections/nowhere/items", {}, 404, "nowhere"),
        (f"{ITEMS}/no-such-record", {}, 404, "no-such-record"),
        (ITEMS, {"f": "iso19139"}, 400, "f"),
        (ITEMS, {"f": "pdf"}, 400, "f"),
        (ITEMS, {"bbox": "1,2,3"}, 400, "bbox"),
        (ITEMS, {"datetime": "yesterday"}, 400, "datetime"),
        (ITEMS, {"filter": "type = "}, 400, "filter"),
        (ITEMS, {"filter": "nonsense = 1"}, 400, "nonsense"),
        (ITEMS, {"sortby": "geometry"}, 400, "sortby"),
        (ITEMS, {"offset": "-3"}, 400, "offset"),
        (ITEMS, {"limit": "zero"}, 400, "limit"),
    ],
)
def test_bad_requests_are_problems(
    csw_client: TestClient, path: str, params: dict[str, str], status: int, mentions: str
) -> None:
    assert_problem(csw_client.get(path, params=params), status, mentions)


def test_a_post_body_that_is_not_a_filter_is_a_problem(csw_client: TestClient) -> None:
    assert_problem(csw_client.post(ITEMS, content=b"{not json"), 400, "body")
    assert_problem(csw_client.post(ITEMS, json={"op": "frobnicate", "args": []}), 400, "filter")


# --- OWSLib's OGC API Records client ----------------------------------------------------------------


@pytest.fixture(scope="module")
def records_api(served: tuple[str, list[Collection]]) -> Records:
    """OWSLib's client on the served API's landing page."""
    return Records(served[0].removesuffix("/csw") + "/records", timeout=30)


def test_owslib_records_client(records_api: Records) -> None:
    assert (
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-api"
        in records_api.conformance()["conformsTo"]
    )
    assert records_api.records() == ["datasets", "atmosphere", "ocean", "solid-earth", "land", "biodiversity"]
    found = records_api.collection_items("datasets", q="zorblax", limit=50, sortby=("updated", "desc"))
    assert [f["id"] for f in found["features"]] == [f"syn-{n:02d}" for n in range(SYNTHETIC - 2, -1, -2)]
    boxed = records_api.collection_items("ocean", bbox=[-5, 38, 12, 46], filter="type = 'series'")
    assert [f["id"] for f in boxed["features"]] == ["syn-06"]
    second = records_api.collection_items("datasets", q="zorblax", limit=5, offset=5, sortby=("id", "asc"))
    assert [f["id"] for f in second["features"]] == sorted(SEA)[5:10]
    record = records_api.collection_item("datasets", "syn-01")
    assert record["properties"]["title"] == "Quuxite forest height 1"
    assert "updated" in records_api.collection_queryables("datasets")["properties"]


def test_owslib_records_client_posts_cql2_json(records_api: Records) -> None:
    expression = {"op": "like", "args": [{"property": "title"}, "Quuxite%"]}
    found = records_api.collection_items("land", cql=expression, limit=50)
    assert sorted(f["id"] for f in found["features"]) == sorted(
        {f"syn-{n:02d}" for n in range(1, SYNTHETIC, 2)}
    )
