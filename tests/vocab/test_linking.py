"""Linking keywords to concepts: by URI, by label in any language, case and accents folded."""

from __future__ import annotations

import pytest
from tests.conftest import box, collection_doc, item_doc
from tests.vocab.conftest import (
    GCMD_SCHEME,
    GEMET_WATER,
    ICE_EXTENT_OCEANS,
    LAND_COVER,
    SKIN_SST,
    SNOW_COVERS,
    SST,
    fixture_vocabulary,
)

from terrapole.core.facets import THEMES_EXTENSION, item_concepts
from terrapole.core.model import Keyword
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.vocab.linking import ConceptMatcher, link_collection, link_item, matcher_for


@pytest.fixture(scope="module")
def matcher() -> ConceptMatcher:
    return matcher_for(fixture_vocabulary())


@pytest.mark.parametrize(
    "label",
    [
        "SEA SURFACE TEMPERATURE",
        "sea surface temperature",
        "Sea-Surface Temperature",
        "Température de surface de la mer",
        "TEMPERATURE DE SURFACE DE LA MER",
        "temperature de surface de la mer",
        "EARTH SCIENCE > OCEANS > OCEAN TEMPERATURE > SEA SURFACE TEMPERATURE",
    ],
)
def test_labels_in_any_language_case_and_accents_name_the_concept(
    matcher: ConceptMatcher, label: str
) -> None:
    assert matcher.concept_of_label(label) == SST


def test_a_gcmd_path_picks_the_concept_under_its_broader_labels(matcher: ConceptMatcher) -> None:
    # GCMD has an ICE EXTENT under OCEANS > SEA ICE, CRYOSPHERE > SEA ICE and TERRESTRIAL HYDROSPHERE.
    assert matcher.concept_of_label("EARTH SCIENCE > OCEANS > SEA ICE > ICE EXTENT") == ICE_EXTENT_OCEANS
    assert matcher.concept_of_label("OCEANS > SEA ICE > ICE EXTENT") == ICE_EXTENT_OCEANS
    assert matcher.concept_of_label("ATMOSPHERE > SEA ICE > ICE EXTENT") is None


def test_among_concepts_sharing_a_label_the_choice_is_stable(matcher: ConceptMatcher) -> None:
    first = matcher.concept_of_label("Couverture de neige")
    assert first in SNOW_COVERS
    assert all(matcher.concept_of_label("SNOW COVER") == first for _ in range(3))


def test_keywords_by_uri_and_within_their_thesaurus(matcher: ConceptMatcher) -> None:
    assert matcher.concept_of(Keyword({"en": "anything"}, uri=LAND_COVER)) == LAND_COVER
    assert matcher.concept_of(Keyword({"en": "anything"}, uri="http://unknown.example/c")) is None
    water = Keyword({"fr": "eau"}, thesaurus="GEMET themes")
    assert matcher.concept_of(water) == GEMET_WATER
    inspire = Keyword({"fr": "Hydrographie"}, thesaurus_uri="http://inspire.ec.europa.eu/theme")
    assert matcher.concept_of(inspire) == "http://inspire.ec.europa.eu/theme/hy"
    # A keyword of a known thesaurus is not linked to another thesaurus's concept.
    assert matcher.concept_of(Keyword({"fr": "eau"}, thesaurus="GCMD Science Keywords")) is None
    assert matcher.concept_of(Keyword({"en": "no such concept"})) is None


def test_linking_a_collection_fills_uris_and_thesauri(matcher: ConceptMatcher) -> None:
    doc = collection_doc(
        "c",
        "t",
        "d",
        ["Sea surface temperature", "Mediterranean"],
        "ocean",
        [0, 0, 1, 1],
        ["2020-01-01T00:00:00Z", None],
    )
    linked = link_collection(parse_collection(doc), matcher)
    sst, other = linked.keywords
    assert (sst.uri, sst.thesaurus_uri, sst.thesaurus) == (SST, GCMD_SCHEME, "GCMD Science Keywords")
    assert sst.label == {"en": "Sea surface temperature"}  # the record's own words stay
    assert other.uri is None
    assert link_collection(linked, matcher) is linked  # linking twice changes nothing


def test_linking_an_item_adds_stac_themes(matcher: ConceptMatcher) -> None:
    props = {"datetime": "2021-01-01T00:00:00Z", "keywords": ["sea surface skin temperature", "buoy", "SST"]}
    item = parse_item(item_doc("c", "i", box(0, 0, 1), props))
    linked = link_item(item, matcher)
    assert linked.properties["themes"] == [
        {"scheme": GCMD_SCHEME, "concepts": [{"id": SKIN_SST, "title": "SEA SURFACE SKIN TEMPERATURE"}]}
    ]
    assert THEMES_EXTENSION in linked.stac_extensions
    assert item_concepts(linked) == (SKIN_SST,)
    assert link_item(linked, matcher) is linked
    bare = parse_item(item_doc("c", "j", box(0, 0, 1), {"datetime": "2021-01-01T00:00:00Z"}))
    assert link_item(bare, matcher) is bare  # no keywords, nothing to link
