"""Folding labels, merging label layers and walking the hierarchy (core.vocab)."""

from __future__ import annotations

from tests.vocab.conftest import EARTH_SCIENCE, OCEAN_TEMPERATURE, OCEANS, SKIN_SST, SST, fixture_vocabulary

from terrapole.core.vocab import BROADER, Concept, Relation, Vocabulary, fold, merge_concept


def test_fold_removes_case_accents_ligatures_and_punctuation() -> None:
    assert fold("Température de l'AIR") == "temperature de l air"
    assert fold("  Œuvre — Cœur  ") == "oeuvre coeur"
    assert fold("SEA SURFACE TEMPERATURE") == fold("sea-surface temperature") == "sea surface temperature"
    assert fold("Straße") == "strasse"


def test_a_label_layer_adds_languages_and_the_newer_file_wins_per_language() -> None:
    english = Concept("http://x/a", "http://x/s", {"en": "WATER"}, {"en": ("H2O",)})
    french = Concept("http://x/a", None, {"fr": "eau", "en": "Water"}, {"en": ("aqua",)})
    merged = merge_concept(english, french)
    assert merged.pref == {"en": "Water", "fr": "eau"}
    assert merged.alt == {"en": ("H2O", "aqua")}
    assert merged.scheme == "http://x/s"  # a layer that names no scheme keeps the concept's


def test_ancestors_and_descendants_of_real_gcmd_concepts() -> None:
    vocabulary = fixture_vocabulary()
    assert vocabulary.ancestors(SKIN_SST) == {SKIN_SST, SST, OCEAN_TEMPERATURE, OCEANS, EARTH_SCIENCE}
    below = vocabulary.descendants(OCEAN_TEMPERATURE)
    assert {OCEAN_TEMPERATURE, SST, SKIN_SST} <= below and OCEANS not in below
    assert len(vocabulary.descendants(OCEANS)) == 259  # the OCEANS subtree of KMS 9.1.5
    assert vocabulary.depth(SKIN_SST) == 4 and vocabulary.depth(EARTH_SCIENCE) == 0
    assert vocabulary.closure([SKIN_SST, "http://unknown.example/c"]) == vocabulary.ancestors(SKIN_SST)


def test_cycles_in_broader_links_end_the_walk() -> None:
    relations = [Relation("a", BROADER, "b"), Relation("b", BROADER, "a")]
    vocabulary = Vocabulary(concepts=[Concept("a"), Concept("b")], relations=relations)
    assert vocabulary.ancestors("a") == {"a", "b"} == vocabulary.descendants("a")
    assert vocabulary.depth("a") <= 2  # finite: the walk stops where it meets itself
