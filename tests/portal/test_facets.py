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


GCMD = "https://gcmd.earthdata.nasa.gov/kms/concept/"


def concept_facet(body: dict[str, Any]) -> list[dict[str, Any]]:
    (found,) = [f for f in body["facets"] if f["name"] == "concept"]
    return list(found["values"])


def test_concepts_are_a_tree_labelled_in_the_page_language(portal: TestClient) -> None:
    values = concept_facet(portal.get("/portal/facets", params={"lang": "fr"}).json())
    by_label = {v["label"]: v for v in values}
    # The hostile record has no concept: GCMD's root EARTH SCIENCE is not shared by all results.
    assert by_label["Sciences de la Terre"]["depth"] == 0
    assert by_label["Océans"]["depth"] == 1 and by_label["Atmosphère"]["depth"] == 1
    assert {v["depth"] for v in values} == {0, 1}
    # Depth first: the narrower concepts follow their broader one.
    root = [v["label"] for v in values].index("Sciences de la Terre")
    assert values[root + 1]["depth"] == 1
    english = {v["value"]: v["label"] for v in concept_facet(portal.get("/portal/facets").json())}
    assert english[by_label["Océans"]["value"]] == "OCEANS"
    # Among the land datasets, a root every result shares tells nothing: its children take its place.
    land = concept_facet(portal.get("/portal/facets", params={"pole": "land", "lang": "fr"}).json())
    labels = [v["label"] for v in land]
    assert "Sciences de la Terre" not in labels
    assert {v["depth"] for v in land} == {0, 1} and land[0]["depth"] == 0


def test_concept_counts_agree_with_the_concept_search(portal: TestClient) -> None:
    values = concept_facet(portal.get("/portal/facets").json())
    for value in values[:6]:
        stac = portal.get("/stac/collections", params={"concept": value["value"], "limit": 100}).json()
        assert value["count"] == len(stac["collections"]) > 0, value["label"]
    aggregate = portal.get("/stac/collection-aggregate", params={"aggregations": "concept_frequency"}).json()
    buckets = {b["key"]: b["frequency"] for b in aggregate["aggregations"][0]["buckets"]}
    assert all(buckets[v["value"]] == v["count"] for v in values)


def test_a_chosen_concept_narrows_the_other_facets_and_stays_shown(portal: TestClient) -> None:
    oceans = next(v for v in concept_facet(portal.get("/portal/facets").json()) if v["label"] == "OCEANS")
    body = portal.get("/portal/facets", params={"concept": oceans["value"]}).json()
    assert body["datasets"] == oceans["count"]
    assert sum(n for n in facet(body, "pole").values() if n) == oceans["count"]
    chosen = [v for v in concept_facet(body) if v["selected"]]
    assert [v["value"] for v in chosen] == [oceans["value"]]
    # A deep concept chosen is shown with its broader concepts, beyond the usual two levels.
    sst = portal.get("/vocab/suggest", params={"q": "sea surface temperature", "limit": 1}).json()
    uri = sst["suggestions"][0]["uri"]
    deep = portal.get("/portal/facets", params={"concept": uri}).json()
    (shown,) = [v for v in concept_facet(deep) if v["value"] == uri]
    assert shown["selected"] and shown["depth"] >= 2 and deep["datasets"] >= 1


def test_a_years_count_is_the_number_of_results_of_that_period(portal: TestClient) -> None:
    body = portal.get(
        "/portal/facets", params={"datetime": "2000-01-01T00:00:00Z/2000-12-31T23:59:59Z"}
    ).json()
    years = facet(body, "year")
    assert min(years) == "1990"  # the period asked does not narrow the chart
    for year in ("1995", "2010", "2023"):
        period = f"{year}-01-01T00:00:00Z/{year}-12-31T23:59:59Z"
        stac = portal.get("/stac/collections", params={"datetime": period, "limit": 100}).json()
        assert years[year] == len(stac["collections"]) > 0
