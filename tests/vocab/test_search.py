"""Concept-aware search on both stores: the concept parameter and CQL2 queryable with narrower
concepts, French and English text over concept labels, stemming, and unknown concepts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.protocols.conftest import assert_problem, ids
from tests.vocab.conftest import (
    EARTH_SCIENCE,
    ICE_EXTENT_OCEANS,
    LAND_COVER,
    OCEAN_TEMPERATURE,
    OCEANS,
    SKIN_SST,
    SST,
    items,
)

from terrapole.catalog import CatalogStore
from terrapole.core.filter import parse_filter
from terrapole.core.query import Query, SortField
from terrapole.core.vocab import UnknownConcept

FRENCH_SST = "température de surface de la mer"
ALL_ITEMS = [doc["id"] for doc in items()]


def collections(store: CatalogStore, **query: object) -> list[str]:
    return sorted(c.id for c in store.search_collections(Query(**query)).records)  # type: ignore[arg-type]


def found_items(store: CatalogStore, **query: object) -> list[str]:
    page = store.search_items(Query(limit=100, **query))  # type: ignore[arg-type]
    return sorted(i.id for i in page.records)


def items_where(test: object) -> list[str]:
    """Ids of the dataset items whose number k passes `test` (see conftest.items)."""
    return sorted(f"i{k:02d}" for k in range(12) if test(k))  # type: ignore[operator]


def test_a_french_query_finds_records_keyworded_only_with_the_english_gcmd_concept(
    vocab_store: CatalogStore,
) -> None:
    # "sst-med" has one keyword, SEA SURFACE TEMPERATURE, and no temperature word in its text.
    assert collections(vocab_store, text=FRENCH_SST) == ["sst-med"]
    assert collections(vocab_store, text="TEMPERATURE DE SURFACE DE LA MER") == ["sst-med"]
    # Items keyworded in English only (k % 4 == 2), in French, or with the narrower skin temperature.
    english_only = items_where(lambda k: k % 4 == 2)
    matched = found_items(vocab_store, text=FRENCH_SST)
    assert set(english_only) <= set(matched)
    assert matched == items_where(lambda k: k % 4 in (0, 1, 2))


def test_an_english_query_finds_records_keyworded_in_french(vocab_store: CatalogStore) -> None:
    # "snow-alps" has one keyword, in French: the concept's English label is indexed with it.
    assert collections(vocab_store, text="snow cover") == ["snow-alps"]
    assert found_items(vocab_store, text="sea surface temperature") == items_where(
        lambda k: k % 4 in (0, 1, 2)
    )


def test_text_ranking_stays_the_default_order(vocab_store: CatalogStore) -> None:
    # Both groups match the skin temperature's labels, one group the others': they rank first.
    page = vocab_store.search_items(
        Query(text="sea surface skin temperature, sea surface temperature", limit=3)
    )
    assert sorted(i.id for i in page.records) == items_where(lambda k: k % 4 == 0)
    assert page.next_token is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("forêts", ["plain"]),  # French plural, accent kept
        ("FORETS", ["plain"]),  # accent and case folded
        ("forests", ["plain"]),  # English plural
        ("hauteur forêt", ["plain"]),
        ("hauteurs glaciers", []),  # every word must match, in one language
        ("occupation des terres", ["plain"]),  # French label of an INSPIRE theme given by URI
    ],
)
def test_french_and_english_stemming_and_folding(
    vocab_store: CatalogStore, text: str, expected: list[str]
) -> None:
    assert collections(vocab_store, text=text) == expected


def test_a_concept_matches_itself_and_every_narrower_concept(vocab_store: CatalogStore) -> None:
    assert collections(vocab_store, concepts=(SST,)) == ["sst-med"]
    assert collections(vocab_store, concepts=(OCEAN_TEMPERATURE,)) == ["sst-med"]
    assert collections(vocab_store, concepts=(OCEANS,)) == ["sea-ice", "sst-med"]
    assert collections(vocab_store, concepts=(ICE_EXTENT_OCEANS, LAND_COVER)) == ["plain", "sea-ice"]
    assert collections(vocab_store, concepts=(EARTH_SCIENCE,)) == ["sea-ice", "snow-alps", "sst-med"]
    assert collections(vocab_store, concepts=(SKIN_SST,)) == []


def test_items_match_their_own_concepts_and_their_collections(vocab_store: CatalogStore) -> None:
    own_skin = items_where(lambda k: k % 4 == 0)
    assert found_items(vocab_store, concepts=(SKIN_SST,)) == own_skin
    in_sst_med = items_where(lambda k: k % 3 == 0)
    assert found_items(vocab_store, concepts=(SST,)) == sorted(
        set(in_sst_med) | set(items_where(lambda k: k % 4 < 3))
    )
    # Items of the two ocean collections, and those of "plain" (k % 3 == 1) with an ocean concept.
    assert found_items(vocab_store, concepts=(OCEANS,)) == items_where(lambda k: k % 3 != 1 or k % 4 < 3)
    # With free text (ranked by the text index), and with an explicit sort (SQL): the same items.
    ranked = found_items(vocab_store, concepts=(SKIN_SST,), text="sentinel")
    assert ranked == found_items(
        vocab_store, concepts=(SKIN_SST,), text="sentinel", sortby=(SortField("id"),)
    )
    assert ranked == sorted(set(own_skin) & set(found_items(vocab_store, text="sentinel")))


@pytest.mark.parametrize(
    ("cql2", "expected"),
    [
        (f"concept = '{OCEANS}'", ["sea-ice", "sst-med"]),
        (f"concept IN ('{SST}', '{LAND_COVER}')", ["plain", "sst-med"]),
        (f"NOT concept = '{OCEANS}'", ["plain", "snow-alps"]),
        (f"concept <> '{OCEANS}'", ["plain", "snow-alps"]),
        (f"concept = '{OCEANS}' AND pole = 'ocean' AND title LIKE 'Sea%'", ["sea-ice"]),
    ],
)
def test_the_concept_queryable_in_cql2(vocab_store: CatalogStore, cql2: str, expected: list[str]) -> None:
    assert collections(vocab_store, filter=parse_filter(cql2)) == expected


def test_the_concept_queryable_on_items(vocab_store: CatalogStore) -> None:
    by_filter = found_items(vocab_store, filter=parse_filter(f"concept = '{SKIN_SST}'"))
    assert by_filter == found_items(vocab_store, concepts=(SKIN_SST,))


def test_an_unknown_concept_is_a_clear_error(vocab_store: CatalogStore) -> None:
    with pytest.raises(UnknownConcept, match=r"unknown concept 'http://example\.org/nothing'"):
        vocab_store.search_items(Query(concepts=("http://example.org/nothing",)))
    with pytest.raises(UnknownConcept) as raised:
        vocab_store.search_collections(Query(filter=parse_filter("concept = 'nothing'")))
    assert raised.value.parameter == "filter"


def test_concept_parameter_of_the_stac_api(vocab_api: TestClient) -> None:
    assert sorted(
        c["id"] for c in vocab_api.get("/stac/collections", params={"concept": OCEANS}).json()["collections"]
    ) == [
        "sea-ice",
        "sst-med",
    ]
    response = vocab_api.get("/stac/search", params={"concept": SKIN_SST, "limit": "50"})
    assert sorted(ids(response)) == items_where(lambda k: k % 4 == 0)
    posted = vocab_api.post("/stac/search", json={"concept": [SKIN_SST], "limit": 50})
    assert sorted(ids(posted)) == items_where(lambda k: k % 4 == 0)
    one = vocab_api.get("/stac/collections/plain/items", params={"concept": SST, "limit": "50"})
    assert sorted(ids(one)) == sorted(i for i in items_where(lambda k: k % 4 < 3) if int(i[1:]) % 3 == 1)
    french = vocab_api.get("/stac/search", params={"q": FRENCH_SST, "limit": "50"})
    assert sorted(ids(french)) == items_where(lambda k: k % 4 in (0, 1, 2))


def test_an_unknown_concept_is_a_problem_naming_the_parameter(vocab_api: TestClient) -> None:
    response = vocab_api.get("/stac/search", params={"concept": "http://example.org/nothing"})
    body = assert_problem(response, 400, "unknown concept 'http://example.org/nothing'")
    assert body["parameter"] == "concept" and body["code"] == "UnknownConcept"
    response = vocab_api.get("/stac/collections", params={"filter": "concept = 'http://example.org/nothing'"})
    assert assert_problem(response, 400, "unknown concept")["parameter"] == "filter"
    response = vocab_api.get("/stac/collections", params={"filter": f"concept > '{OCEANS}'"})
    assert_problem(response, 400, "can only be compared")


def test_concept_is_an_advertised_queryable(vocab_api: TestClient) -> None:
    for path in ("/stac/queryables", "/stac/collection-queryables"):
        schema = vocab_api.get(path).json()["properties"]["concept"]
        assert schema["format"] == "uri"
