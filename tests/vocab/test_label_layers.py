"""The French label layers terrapole ships: on real concept URIs, covering what the issue asks."""

from __future__ import annotations

from tests.vocab.conftest import DATA, EARTH_SCIENCE, GCMD_SCHEME, SST, VOCAB, fixture_vocabulary

from terrapole.core.vocab import BROADER
from terrapole.vocab.reader import read_file

TOPICS = (
    "ATMOSPHERE",
    "OCEANS",
    "LAND SURFACE",
    "SOLID EARTH",
    "BIOSPHERE",
    "CRYOSPHERE",
    "TERRESTRIAL HYDROSPHERE",
)


def test_gcmd_french_layer_covers_the_top_three_levels_of_the_seven_topics() -> None:
    english = read_file(VOCAB / "gcmd__sciencekeywords.csv")
    layer = read_file(DATA / "gcmd-sciencekeywords-fr.ttl")
    labelled = {c.uri: c.pref["fr"] for c in layer.concepts}
    parent = {r.source: r.target for r in english.relations if r.kind == BROADER}
    label = {c.uri: c.pref["en"] for c in english.concepts}
    topics = {uri for uri, p in parent.items() if p == EARTH_SCIENCE and label[uri] in TOPICS}
    assert len(topics) == 7
    terms = {uri for uri, p in parent.items() if p in topics}
    variables = {uri for uri, p in parent.items() if p in terms}
    assert len(terms | variables) == 776  # 66 terms, 710 first-level variables
    assert topics | terms | variables <= labelled.keys()
    assert len(labelled) >= 850  # with the category and common deeper variables
    # Every URI of the layer is a GCMD concept, every label a non-empty French text.
    assert labelled.keys() <= label.keys()
    assert all(text.strip() and text == " ".join(text.split()) for text in labelled.values())
    assert labelled[SST] == "Température de surface de la mer"
    assert {c.scheme for c in layer.concepts} == {GCMD_SCHEME}


def test_inspire_french_layer_names_all_34_themes() -> None:
    themes = read_file(VOCAB / "inspire__themes.rdf")
    layer = read_file(DATA / "inspire-themes-fr.ttl")
    assert {c.uri for c in layer.concepts} == {c.uri for c in themes.concepts}
    assert all(set(c.pref) == {"fr"} for c in layer.concepts)
    assert next(c.pref["fr"] for c in layer.concepts if c.uri.endswith("/hy")) == "Hydrographie"


def test_layers_merge_with_the_english_labels() -> None:
    vocabulary = fixture_vocabulary()
    assert vocabulary.concepts[SST].pref == {
        "en": "SEA SURFACE TEMPERATURE",
        "fr": "Température de surface de la mer",
    }
    assert vocabulary.label("http://inspire.ec.europa.eu/theme/lc", "fr") == "Occupation des terres"
    assert vocabulary.label("http://inspire.ec.europa.eu/theme/lc", "en") == "Land cover"
    assert vocabulary.scheme_title("http://inspire.ec.europa.eu/theme", "fr") == "Thèmes INSPIRE"


def test_bundled_copies_are_the_fixture_files() -> None:
    copies = {
        "gcmd-sciencekeywords.csv": "gcmd__sciencekeywords.csv",
        "inspire-themes.rdf": "inspire__themes.rdf",
        "gemet-themes.rdf": "gemet__themes.rdf",
    }
    for shipped, fixture in copies.items():
        assert (DATA / shipped).read_bytes() == (VOCAB / fixture).read_bytes()
