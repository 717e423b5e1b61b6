"""Access control on the harvesting endpoints, on both stores: a restricted collection is, for
everyone outside its groups, absent from OAI-PMH, the DCAT feed and the sitemap (as the STAC API
hides it), and present for its group's members."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from rdflib import Graph, Namespace, URIRef

from terrapole.access.store import AccessStore
from terrapole.app import create_app
from terrapole.catalog import CatalogStore
from terrapole.core.access import OPERATOR, AccessPolicy
from terrapole.settings import Settings

from .oai_support import error_code, harvest_collections, identifiers, oai

SECRET = "ocean-sst"
DCAT = Namespace("http://www.w3.org/ns/dcat#")


@dataclass
class Guarded:
    client: TestClient
    member: dict[str, str]  # the Authorization header of a member of the restricted group


@pytest.fixture
def guarded(settings: Settings, store: CatalogStore) -> Iterator[Guarded]:
    store.upsert_collections(harvest_collections())
    access = AccessStore.open(settings)
    try:
        access.policies.set(OPERATOR, SECRET, "ocean", AccessPolicy.restricted(["insiders"]))
        access.accounts.add("member", groups=("insiders",))
        token = access.tokens.create("member", "tests")[1]
        with TestClient(create_app(settings, store, access)) as client:
            yield Guarded(client, {"Authorization": f"Bearer {token}"})
    finally:
        access.close()


def oai_ids(client: TestClient, headers: dict[str, str] | None = None, **arguments: str) -> list[str]:
    response = client.get(
        "/oai",
        params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", **arguments},
        headers=headers or {},
    )
    return [i.rsplit(":", 1)[1] for i in identifiers(etree.fromstring(response.content))]


def test_oai_pmh_hides_a_restricted_collection_from_outsiders(guarded: Guarded) -> None:
    client = guarded.client
    assert SECRET not in oai_ids(client)
    assert SECRET not in oai_ids(client, set="pole:ocean")
    answer = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:testserver:{SECRET}")
    assert error_code(answer) == "idDoesNotExist"
    answer = oai(client, verb="ListMetadataFormats", identifier=f"oai:testserver:{SECRET}")
    assert error_code(answer) == "idDoesNotExist"
    assert len(oai_ids(client)) == 9
    assert SECRET in oai_ids(client, guarded.member)
    assert len(oai_ids(client, guarded.member)) == 10


def test_dcat_and_the_sitemap_hide_it_too(guarded: Guarded) -> None:
    client = guarded.client
    secret = URIRef(f"http://testserver/datasets/{SECRET}")

    def datasets(headers: dict[str, str]) -> set[object]:
        graph = Graph().parse(
            data=client.get("/dcat?f=ttl&limit=500", headers=headers).content, format="turtle"
        )
        return set(graph.objects(URIRef("http://testserver/dcat"), DCAT.dataset))

    assert secret not in datasets({}) and len(datasets({})) == 9
    assert secret in datasets(guarded.member)
    assert client.get(f"/dcat/datasets/{SECRET}").status_code == 404
    assert client.get(f"/dcat/datasets/{SECRET}", headers=guarded.member).status_code == 200
    sitemap = client.get("/sitemap.xml").text
    assert f"/datasets/{SECRET}<" not in sitemap and "/datasets/land-s2<" in sitemap


def test_the_landing_page_and_its_documents_hide_it(guarded: Guarded) -> None:
    client = guarded.client
    assert client.get(f"/datasets/{SECRET}").status_code == 404
    assert client.get(f"/datasets/{SECRET}?f=iso19139").status_code == 404
    assert client.get(f"/datasets/{SECRET}", headers=guarded.member).status_code == 200


def test_the_portal_lists_and_facets_leave_it_out(guarded: Guarded) -> None:
    client = guarded.client
    assert f"/datasets/{SECRET}" not in client.get("/poles/ocean").text
    assert f"/datasets/{SECRET}" in client.get("/poles/ocean", headers=guarded.member).text
    counted = client.get("/portal/facets").json()["datasets"]
    assert counted == client.get("/portal/facets", headers=guarded.member).json()["datasets"] - 1


def csw_ids(client: TestClient, headers: dict[str, str] | None = None, **arguments: str) -> list[str]:
    params = {"service": "CSW", "version": "2.0.2", "request": "GetRecords", "typeNames": "csw:Record"}
    response = client.get("/csw", params={**params, **arguments}, headers=headers or {})
    document = etree.fromstring(response.content)
    records = document.iter("{http://www.opengis.net/cat/csw/2.0.2}BriefRecord")
    return [r.findtext("{http://purl.org/dc/elements/1.1/}identifier") or "" for r in records]


def test_csw_hides_it_from_searches_counts_and_lookups(guarded: Guarded) -> None:
    client = guarded.client
    every = {"resultType": "results", "elementSetName": "brief", "maxRecords": "50"}
    assert SECRET not in csw_ids(client, **every) and len(csw_ids(client, **every)) == 9
    assert SECRET in csw_ids(client, guarded.member, **every)
    hits = etree.fromstring(
        client.get(
            "/csw",
            params={
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "typeNames": "csw:Record",
                "resultType": "hits",
            },
        ).content
    )
    results = hits.find("{http://www.opengis.net/cat/csw/2.0.2}SearchResults")
    assert results is not None and results.get("numberOfRecordsMatched") == "9"
    by_id = {"service": "CSW", "version": "2.0.2", "request": "GetRecordById", "id": SECRET}
    assert SECRET not in client.get("/csw", params=by_id).text
    assert SECRET in client.get("/csw", params=by_id, headers=guarded.member).text


def test_ogc_api_records_hides_it(guarded: Guarded) -> None:
    client = guarded.client

    def ids(headers: dict[str, str]) -> list[str]:
        found = client.get("/records/collections/ocean/items?limit=50", headers=headers).json()
        return [f["id"] for f in found["features"]]

    assert SECRET not in ids({}) and SECRET in ids(guarded.member)
    assert client.get(f"/records/collections/ocean/items/{SECRET}").status_code == 404
    assert client.get(f"/records/collections/ocean/items/{SECRET}", headers=guarded.member).status_code == 200


def test_stac_aggregations_leave_it_out(guarded: Guarded) -> None:
    client = guarded.client

    def collections(headers: dict[str, str]) -> dict[str, int]:
        params = {"aggregations": "collection_frequency"}
        found = client.get("/stac/collection-aggregate", params=params, headers=headers).json()
        return {b["key"]: b["frequency"] for b in found["aggregations"][0]["buckets"]}

    assert SECRET not in collections({}) and collections(guarded.member)[SECRET] == 1
    assert len(collections(guarded.member)) == len(collections({})) + 1
    assert client.get(f"/stac/collections/{SECRET}/aggregate").status_code == 404
    assert client.get(f"/stac/collections/{SECRET}/aggregations").status_code == 404
    answer = client.get(f"/stac/collections/{SECRET}/aggregate", headers=guarded.member)
    assert answer.status_code == 200


def test_item_queryables_do_not_name_properties_only_its_items_have(
    guarded: Guarded, store: CatalogStore
) -> None:
    from terrapole.formats.stac import parse_item

    item = {
        "type": "Feature",
        "stac_version": "1.1.0",
        "id": "probe-1",
        "collection": SECRET,
        "geometry": {"type": "Point", "coordinates": [-4.5, 48.4]},
        "bbox": [-4.5, 48.4, -4.5, 48.4],
        "properties": {"datetime": "2024-05-01T00:00:00Z", "secret:reef_depth": 12.5},
        "links": [],
        "assets": {},
    }
    store.upsert_items([parse_item(item)])
    client = guarded.client
    assert "secret:reef_depth" not in client.get("/stac/queryables").json()["properties"]
    member = client.get("/stac/queryables", headers=guarded.member).json()["properties"]
    assert member["secret:reef_depth"]["type"] == "number"


def test_csw_get_domain_lists_no_value_only_a_hidden_collection_holds(guarded: Guarded) -> None:
    client = guarded.client

    def identifiers(headers: dict[str, str]) -> list[str]:
        params = {
            "service": "CSW",
            "version": "2.0.2",
            "request": "GetDomain",
            "PropertyName": "apiso:Identifier",
        }
        root = etree.fromstring(client.get("/csw", params=params, headers=headers).content)
        return [v.text or "" for v in root.iter("{http://www.opengis.net/cat/csw/2.0.2}Value")]

    outsiders, member = identifiers({}), identifiers(guarded.member)
    assert SECRET not in outsiders and len(outsiders) == 9
    assert member == sorted([*outsiders, SECRET])
