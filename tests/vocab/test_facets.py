"""Facet counts for any search, on both stores (and on both paths of the embedded one: the text
index and SQL), checked against counts made item by item from the records themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC

import pytest
from fastapi.testclient import TestClient
from tests.conftest import box, collection_doc, item_doc
from tests.protocols.conftest import assert_problem
from tests.vocab.conftest import LAND_COVER, OCEANS, SKIN_SST, SST, collections, fixture_vocabulary, items

from terrapole.catalog import CatalogStore
from terrapole.core.facets import FACETS, collection_concepts, item_concepts
from terrapole.core.filter import parse_filter
from terrapole.core.model import BBox, Collection, Item, Keyword
from terrapole.core.query import Interval, Query
from terrapole.core.timeutil import parse_instant
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.vocab.linking import link_collection, link_item, matcher_for

Counts = dict[str, Counter[str]]


def linked_records() -> tuple[dict[str, Collection], list[Item]]:
    """The session catalog's records, linked as the catalog linked them."""
    matcher = matcher_for(fixture_vocabulary())
    linked = [link_collection(parse_collection(doc), matcher) for doc in collections()]
    parsed = {c.id: c for c in linked}
    plain = parsed["plain"]
    parsed["plain"] = replace(
        plain, keywords=(*plain.keywords, Keyword({"en": "Land cover"}, uri=LAND_COVER))
    )
    return parsed, [link_item(parse_item(doc), matcher) for doc in items()]


def expected_item_counts(selected: Callable[[Item], bool]) -> Counts:
    """Facets counted item by item: an item counts once per value, its concepts being its own and
    its collection's, each with every broader concept."""
    vocabulary = fixture_vocabulary()
    by_id, all_items = linked_records()
    counts: Counts = {name: Counter() for name in FACETS}
    for item in filter(selected, all_items):
        collection = by_id[item.collection]
        counts["collection"][collection.id] += 1
        for name, value in (
            ("pole", collection.pole),
            ("license", collection.license),
            ("access", collection.access),
        ):
            counts[name][value] += 1  # type: ignore[index]
        concepts = vocabulary.closure(item_concepts(item)) | vocabulary.closure(
            collection_concepts(collection)
        )
        counts["concept"].update(concepts)
        if isinstance(item.properties.get("platform"), str):
            counts["platform"][item.properties["platform"]] += 1
        counts["instrument"].update(set(item.properties.get("instruments") or []))
        counts["year"][str(item.sort_datetime.astimezone(UTC).year)] += 1  # type: ignore[union-attr]
    return counts


CASES: list[tuple[str, Query, Callable[[Item], bool]]] = [
    ("everything", Query(), lambda i: True),
    ("free text", Query(text="sea surface temperature"), lambda i: int(i.id[1:]) % 4 < 3),
    ("concept", Query(concepts=(SKIN_SST,)), lambda i: int(i.id[1:]) % 4 == 0),
    (
        "collection and year",
        Query(collections=("plain",), datetime=Interval.parse("2020-01-01T00:00:00Z/2020-12-31T23:59:59Z")),
        lambda i: i.collection == "plain" and i.sort_datetime.year == 2020,  # type: ignore[union-attr]
    ),
    # A box, or a CQL2 filter, is counted in SQL by the embedded store too.
    ("whole-world box", Query(bbox=BBox(-180, -90, 180, 90)), lambda i: True),
    ("box", Query(bbox=BBox(3, 39, 8.5, 45)), lambda i: int(i.id[1:]) <= 4),
    (
        "cql2",
        Query(filter=parse_filter("platform = 'sentinel-3a'")),
        lambda i: i.properties.get("platform") == "sentinel-3a",
    ),
    (
        "cql2 and text",
        Query(text="sea", filter=parse_filter(f"concept = '{SST}'")),
        lambda i: int(i.id[1:]) % 4 < 3,
    ),
]


@pytest.mark.parametrize(("name", "query", "selected"), CASES, ids=[c[0] for c in CASES])
def test_item_facets_count_each_item_once_per_value(
    vocab_store: CatalogStore, name: str, query: Query, selected: Callable[[Item], bool]
) -> None:
    expected = expected_item_counts(selected)
    facets = vocab_store.aggregate_items(query, FACETS)
    assert facets.total == sum(expected["collection"].values()) > 0
    for facet in FACETS:
        assert dict(facets.counts[facet]) == dict(expected[facet]), facet


def test_concept_counts_are_hierarchical(vocab_store: CatalogStore) -> None:
    counts = vocab_store.aggregate_items(Query(), ["concept"]).counts["concept"]
    # Every "sst-med" and "sea-ice" item, and every item with a concept of its own, is under OCEANS.
    assert counts[OCEANS] == len([k for k in range(12) if k % 3 != 1 or k % 4 < 3])
    assert counts[SST] >= counts[SKIN_SST] == 3


def test_collection_facets(vocab_store: CatalogStore) -> None:
    facets = vocab_store.aggregate_collections(Query(), FACETS)
    assert facets.total == 4
    assert facets.counts["pole"] == {"ocean": 2, "land": 2}
    assert facets.counts["access"] == {"open": 3, "restricted": 1}
    assert facets.counts["year"] == {"2019": 1, "2020": 1, "2018": 1, "2021": 1}
    assert facets.counts["platform"] == {"sentinel-3a": 1} and facets.counts["instrument"] == {"slstr": 1}
    assert facets.counts["concept"][OCEANS] == 2 and facets.counts["concept"][SST] == 1
    french = vocab_store.aggregate_collections(
        Query(text="température de surface de la mer"), ["pole", "concept"]
    )
    assert french.total == 1 and french.counts["pole"] == {"ocean": 1}


def test_the_aggregation_extension(vocab_api: TestClient) -> None:
    response = vocab_api.get(
        "/stac/aggregate",
        params={
            "concept": SKIN_SST,
            "aggregations": "total_count,pole_frequency,concept_frequency",
            "lang": "fr",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "AggregationCollection"
    by_name = {a["name"]: a for a in body["aggregations"]}
    assert list(by_name) == ["total_count", "pole_frequency", "concept_frequency"]
    assert by_name["total_count"] == {"name": "total_count", "data_type": "integer", "value": 3}
    poles = by_name["pole_frequency"]
    assert poles["data_type"] == "frequency_distribution" and poles["overflow"] == 0
    assert poles["buckets"] == [
        {"key": "ocean", "data_type": "string", "frequency": 2},  # largest counts first
        {"key": "land", "data_type": "string", "frequency": 1},
    ]
    skin = next(b for b in by_name["concept_frequency"]["buckets"] if b["key"] == SKIN_SST)
    assert skin["label"] == "Température de peau de la surface de la mer"
    assert skin["frequency"] == 3 and skin["broader"] == [SST]


def test_aggregation_endpoints_and_errors(vocab_api: TestClient) -> None:
    listing = vocab_api.get("/stac/aggregations").json()
    assert {a["name"] for a in listing["aggregations"]} == {
        "total_count",
        *(f"{f}_frequency" for f in FACETS),
    }
    posted = vocab_api.post(
        "/stac/aggregate", json={"q": "sea surface temperature", "aggregations": ["year_frequency"]}
    )
    years = posted.json()["aggregations"][0]
    assert (
        sum(b["frequency"] for b in years["buckets"]) == 9
        and years["buckets"][0]["data_type"] == "interval_year"
    )
    one = vocab_api.get("/stac/collections/plain/aggregate", params={"aggregations": "total_count"}).json()
    assert one["aggregations"][0]["value"] == 4
    assert vocab_api.get("/stac/collections/nothing/aggregate").status_code == 404
    found = vocab_api.get(
        "/stac/collection-aggregate", params={"q": "forêts", "aggregations": "collection_frequency"}
    )
    assert found.json()["aggregations"][0]["buckets"] == [
        {"key": "plain", "data_type": "string", "frequency": 1}
    ]
    assert_problem(
        vocab_api.get("/stac/aggregate", params={"aggregations": "size"}), 400, "unknown aggregation 'size'"
    )
    assert_problem(
        vocab_api.get("/stac/aggregate", params={"concept": "urn:x:nothing"}), 400, "unknown concept"
    )
    landing = vocab_api.get("/stac").json()
    assert "https://api.stacspec.org/v0.3.0/aggregation" in landing["conformsTo"]
    assert {link["rel"] for link in landing["links"]} >= {"aggregate", "aggregations"}


def test_year_of_an_instant_before_1970_is_its_own(store: CatalogStore) -> None:
    store.upsert_collections(
        [
            parse_collection(
                collection_doc("old", "t", "d", [], "land", [0, 0, 1, 1], ["1960-01-01T00:00:00Z", None])
            )
        ]
    )
    instant = "1969-12-31T23:59:59.500000Z"  # half a second before the epoch
    store.upsert_items([parse_item(item_doc("old", "a", box(0, 0, 1), {"datetime": instant}))])
    assert parse_instant(instant).year == 1969
    for query in (Query(), Query(bbox=BBox(-1, -1, 2, 2))):  # the text index and SQL
        assert store.aggregate_items(query, ["year"]).counts["year"] == {"1969": 1}


def _scene(cid: str, iid: str, when: str, platform: str, instruments: list[str]) -> Item:
    props = {"datetime": when, "platform": platform, "instruments": instruments}
    return parse_item(item_doc(cid, iid, box(0, 0, 1), props))


def test_counts_follow_replaced_and_deleted_items(store: CatalogStore) -> None:
    # The PostgreSQL store sums whole-catalog counts kept at ingest: they must follow every write.
    store.upsert_collections(
        [
            parse_collection(
                collection_doc(c, "t", "d", [], "land", [0, 0, 1, 1], ["2000-01-01T00:00:00Z", None])
            )
            for c in ("a", "b")
        ]
    )
    store.upsert_items(
        [
            _scene("a", "1", "2001-05-01T00:00:00Z", "s1", ["msi"]),
            _scene("a", "2", "2001-06-01T00:00:00Z", "s1", ["msi", "olci"]),
            _scene("a", "3", "2002-01-01T00:00:00Z", "s2", ["olci"]),
            _scene("b", "1", "2003-01-01T00:00:00Z", "s2", []),
        ]
    )
    store.upsert_items([_scene("a", "2", "2004-01-01T00:00:00Z", "s2", ["sar"])])  # replaced
    store.delete_item("a", "3")
    store.upsert_items([_scene("b", "2", "2003-02-01T00:00:00Z", "s1", ["msi"])])
    store.delete_collection("b")
    store.rebuild_text_index()  # rewrites every item row
    wanted = ["collection", "platform", "instrument", "year"]
    expected = {
        "collection": {"a": 2},
        "platform": {"s1": 1, "s2": 1},
        "instrument": {"msi": 1, "sar": 1},
        "year": {"2001": 1, "2004": 1},
    }
    for query in (Query(), Query(collections=("a",)), Query(bbox=BBox(-1, -1, 2, 2))):
        counts = store.aggregate_items(query, wanted).counts
        assert {name: dict(counts[name]) for name in wanted} == expected, query
    hidden = store.aggregate_items(Query(hidden_collections=frozenset({"a"})), wanted)
    assert hidden.total == 0
