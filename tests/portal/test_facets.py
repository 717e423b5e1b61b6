"""Facet counts against the demo catalog, and their agreement with the STAC API's answers."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi.testclient import TestClient

from terrapole.demo.generate import DemoFederation


def facet(body: dict[str, Any], name: str) -> dict[str, int | None]:
    (found,) = [f for f in body["facets"] if f["name"] == name]
    return {v["value"]: v["count"] for v in found["values"]}


def test_counts_without_criteria_cover_the_whole_catalog(portal: TestClient, demo: DemoFederation) -> None:
    body = portal.get("/portal/facets").json()
    poles = Counter(c["terrapole:pole"] for c in demo.collections)
    poles["ocean"] += 1  # the hostile record
    assert facet(body, "pole") == dict(poles)
    assert body["datasets"] == len(demo.collections) + 1
    items = Counter(i["collection"] for i in demo.items)
    collections = facet(body, "collection")
    assert {k: v for k, v in collections.items() if k in items} == dict(items)
    assert (
        facet(body, "year")["2022"] == sum(1 for c in demo.collections if _covers(c, 2022)) + 0
    )  # the hostile record covers 2020 only
    assert facet(body, "year")["2020"] == sum(1 for c in demo.collections if _covers(c, 2020)) + 1


def _covers(collection: dict[str, Any], year: int) -> bool:
    start, end = collection["extent"]["temporal"]["interval"][0]
    return int(start[:4]) <= year <= (int(end[:4]) if end else 9999)


def test_a_selection_narrows_the_other_facets_only(portal: TestClient, demo: DemoFederation) -> None:
    everything = portal.get("/portal/facets").json()
    ocean = portal.get("/portal/facets", params={"pole": "ocean"}).json()
    assert facet(ocean, "pole") == facet(everything, "pole")  # a second pole can still be added
    licences = Counter(c["license"] for c in demo.collections if c["terrapole:pole"] == "ocean")
    licences["other"] += 1  # the hostile record's free-text licence is "other" in STAC
    assert facet(ocean, "license") == dict(licences)
    assert [v["selected"] for v in ocean["facets"][0]["values"] if v["value"] == "ocean"] == [True]
    both = portal.get("/portal/facets", params=[("pole", "ocean"), ("pole", "land")]).json()
    assert both["datasets"] == sum(facet(everything, "pole")[p] for p in ("ocean", "land"))


def test_counts_agree_with_the_stac_collection_search(portal: TestClient) -> None:
    params = {"q": "temperature", "bbox": "0,40,10,50", "datetime": "2020-01-01T00:00:00Z/.."}
    body = portal.get("/portal/facets", params={**params, "license": "CC-BY-4.0"}).json()
    stac = portal.get(
        "/stac/collections", params={**params, "filter": "license = 'CC-BY-4.0'", "limit": 100}
    ).json()
    assert body["datasets"] == len(stac["collections"]) > 0
    assert sum(n for n in facet(body, "pole").values() if n) == len(stac["collections"])
    items = portal.get(
        "/stac/search",
        params={
            "collections": "ocean-sst-mediterranean-daily",
            "bbox": params["bbox"],
            "datetime": params["datetime"],
            "limit": 1,
        },
    ).json()
    assert facet(body, "collection")["ocean-sst-mediterranean-daily"] == items["numberMatched"]


def test_bad_input_is_refused_as_the_stac_api_refuses_it(portal: TestClient) -> None:
    for params in (
        {"bbox": "1,2"},
        {"datetime": "2020-01-01T00:00:00Z/2010-01-01T00:00:00Z"},
        {"filter": "pole ="},
    ):
        ours = portal.get("/portal/facets", params=params)
        theirs = portal.get("/stac/collections", params=params)
        assert ours.status_code == theirs.status_code == 400
        assert ours.headers["content-type"] == "application/problem+json"
        assert ours.json()["detail"] == theirs.json()["detail"]


def test_labels_follow_the_language(portal: TestClient) -> None:
    body = portal.get("/portal/facets", params={"lang": "fr"}).json()
    labels = {f["name"]: f["label"] for f in body["facets"]}
    assert labels["pole"] == "Pôle thématique"
    (poles,) = [f for f in body["facets"] if f["name"] == "pole"]
    assert {v["value"]: v["label"] for v in poles["values"]}["solid-earth"] == "Terre solide"


def test_an_unknown_language_falls_back_on_english(portal: TestClient) -> None:
    body = portal.get("/portal/facets", params={"lang": "de"}).json()
    (poles,) = [f for f in body["facets"] if f["name"] == "pole"]
    assert poles["label"] == "Thematic pole"
    assert {v["value"]: v["label"] for v in poles["values"]}["land"] == "Continental surfaces"
