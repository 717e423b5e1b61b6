"""Autocomplete of concept labels (/vocab/suggest) and the vocabulary endpoints, on both stores."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.protocols.conftest import assert_problem
from tests.vocab.conftest import GCMD, GCMD_SCHEME, OCEAN_TEMPERATURE, SKIN_SST, SST, fixture_vocabulary

from terrapole.core.errors import InvalidParameter
from terrapole.vocab.suggest import SuggestIndex

SUBSKIN_SST = GCMD + "68a09c56-be36-4100-8757-3a6eec7dc251"
# GCMD's two SKIN TEMPERATURE concepts: under ATMOSPHERE and under LAND SURFACE.
SKIN_TEMPERATURES = (
    GCMD + "25fcdcb7-efd2-4d2f-ba57-92bbcc7ba69a",
    GCMD + "40d6a3e7-89dd-4399-8fa5-bbc7a0917b4e",
)


def suggestions(api: TestClient, **params: str) -> list[dict[str, object]]:
    response = api.get("/vocab/suggest", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()["suggestions"]
    return found


def test_french_labels_first_and_concepts_in_use_before_others(vocab_api: TestClient) -> None:
    found = suggestions(vocab_api, q="temp", lang="fr")
    assert len(found) == 10
    assert all(str(s["label"]).lower().startswith("temp") and s["lang"] == "fr" for s in found)
    # The catalog's collections refer to SEA SURFACE TEMPERATURE and (through it) OCEAN TEMPERATURE.
    assert [s["uri"] for s in found[:2]] == [OCEAN_TEMPERATURE, SST]
    assert found[1]["label"] == "Température de surface de la mer" and found[1]["match"] == "prefix"
    assert found[1]["broader"] == [{"uri": OCEAN_TEMPERATURE, "label": "Température de l'océan"}]
    assert found[1]["scheme"] == GCMD_SCHEME and found[1]["schemeTitle"] == "Mots-clés scientifiques GCMD"


def test_concepts_in_use_come_before_better_matching_unused_ones(vocab_api: TestClient) -> None:
    found = suggestions(vocab_api, q="temp", lang="en")
    # Many unused GCMD labels begin with TEMPERATURE; they follow the ones the catalog uses.
    assert [s["uri"] for s in found[:2]] == [OCEAN_TEMPERATURE, SST]
    assert str(found[2]["label"]).startswith("TEMPERATURE") and len(found) == 10


@pytest.mark.parametrize("typed", ["tempé", "TEMPE", "Tempe", "tempe"])
def test_accents_and_case_are_folded(vocab_api: TestClient, typed: str) -> None:
    found = suggestions(vocab_api, q=typed, lang="fr", limit="3")
    assert [s["uri"] for s in found[:2]] == [OCEAN_TEMPERATURE, SST]


def test_word_prefixes_in_any_order(vocab_api: TestClient) -> None:
    found = suggestions(vocab_api, q="peau surf", lang="fr")
    # "Température de peau de la surface de la mer", then its longer "sous-peau" sibling.
    assert [s["uri"] for s in found] == [SKIN_SST, SUBSKIN_SST]
    assert found[0]["match"] == "words"
    english = suggestions(vocab_api, q="sea surface skin", lang="en")
    assert english[0] == {
        **english[0],
        "uri": SKIN_SST,
        "label": "SEA SURFACE SKIN TEMPERATURE",
        "lang": "en",
    }


def test_an_exact_label_comes_first(vocab_api: TestClient) -> None:
    found = suggestions(vocab_api, q="sea surface temperature", lang="en")
    assert found[0]["uri"] == SST and found[0]["match"] == "exact"


def test_english_labels_when_the_french_layer_has_none(vocab_api: TestClient) -> None:
    found = suggestions(vocab_api, q="nino", lang="fr", limit="50")
    assert found and all(s["lang"] == "en" for s in found)  # El Niño indices are not translated
    assert all(s["prefLabel"] == s["label"] for s in found)


def test_restricted_to_a_scheme_and_languages_from_the_header(vocab_api: TestClient) -> None:
    found = suggestions(vocab_api, q="hydro", scheme="http://inspire.ec.europa.eu/theme")
    assert [(s["label"], s["lang"]) for s in found] == [("Hydrography", "en")]
    french = vocab_api.get(
        "/vocab/suggest",
        params={"q": "hydro", "scheme": "http://inspire.ec.europa.eu/theme"},
        headers={"Accept-Language": "fr-FR,fr;q=0.9"},
    )
    assert [s["label"] for s in french.json()["suggestions"]] == ["Hydrographie"]


def test_bad_suggest_requests(vocab_api: TestClient) -> None:
    assert_problem(vocab_api.get("/vocab/suggest", params={"q": " ' "}), 400, "q")
    assert_problem(
        vocab_api.get("/vocab/suggest", params={"q": "a", "scheme": "urn:nothing"}),
        400,
        "unknown concept scheme",
    )
    assert_problem(vocab_api.get("/vocab/suggest", params={"q": "a", "limit": "0"}), 400, "limit")
    assert_problem(vocab_api.get("/vocab/suggest", params={"q": "a", "lang": "<fr>"}), 400, "lang")


def test_schemes_and_concepts(vocab_api: TestClient) -> None:
    schemes = vocab_api.get("/vocab/schemes", params={"lang": "fr"}).json()["schemes"]
    assert {(s["title"], s["concepts"]) for s in schemes} == {
        ("Mots-clés scientifiques GCMD", 3283),
        ("Thèmes INSPIRE", 34),
        ("GEMET themes", 40),
    }
    concept = vocab_api.get("/vocab/concept", params={"uri": SST, "lang": "fr"}).json()
    assert concept["prefLabel"] == "Température de surface de la mer"
    assert concept["prefLabels"]["en"] == "SEA SURFACE TEMPERATURE"
    assert concept["broader"] == [{"uri": OCEAN_TEMPERATURE, "label": "Température de l'océan"}]
    assert {"uri": SKIN_SST, "label": "Température de peau de la surface de la mer"} in concept["narrower"]
    assert_problem(vocab_api.get("/vocab/concept", params={"uri": "urn:x:nothing"}), 404, "not found")


def test_the_index_answers_without_a_store() -> None:
    index = SuggestIndex(fixture_vocabulary())
    assert (
        index.suggest("temperature mer surface", "fr", 1)[0].uri == SST
    )  # the shortest label with all three
    # Concepts sharing a label show once: the one more collections use.
    atmosphere, land = SKIN_TEMPERATURES
    for used in (atmosphere, land):
        found = [s.uri for s in index.suggest("skin temp", "en", usage={used: 5})]
        assert used in found and ({atmosphere, land} - {used}).isdisjoint(found)
    with pytest.raises(InvalidParameter):
        index.suggest("--", "fr")
