"""Reading the real vocabulary files: SKOS in RDF/XML, Turtle and JSON-LD, and GCMD CSV exports."""

from __future__ import annotations

import orjson
import pytest
from rdflib import Graph
from tests.vocab.conftest import GCMD, GCMD_SCHEME, OCEAN_TEMPERATURE, SKIN_SST, SST, VOCAB

from terrapole.core.errors import InvalidRecord
from terrapole.core.vocab import BROADER, RELATED, Relation, Thesaurus
from terrapole.vocab import gcmd_csv, skos
from terrapole.vocab.reader import read_file, read_thesaurus


def concept(thesaurus: Thesaurus, uri: str):  # type: ignore[no-untyped-def]
    return next(c for c in thesaurus.concepts if c.uri == uri)


def test_gcmd_csv_holds_the_whole_hierarchy() -> None:
    thesaurus = read_file(VOCAB / "gcmd__sciencekeywords.csv")
    assert [s.uri for s in thesaurus.schemes] == [GCMD_SCHEME]
    assert thesaurus.schemes[0].title == {"en": "GCMD Science Keywords"}
    assert len(thesaurus.concepts) == 3283
    assert concept(thesaurus, SST).pref == {"en": "SEA SURFACE TEMPERATURE"}
    assert Relation(SST, BROADER, OCEAN_TEMPERATURE) in thesaurus.relations
    assert Relation(SKIN_SST, BROADER, SST) in thesaurus.relations
    # Every concept but the two categories (EARTH SCIENCE, EARTH SCIENCE SERVICES) has a broader one.
    assert len(thesaurus.relations) == 3283 - 2


def test_gcmd_platforms_csv_with_long_names_and_a_deeper_row() -> None:
    thesaurus = read_file(VOCAB / "gcmd__platforms.csv")
    assert thesaurus.schemes[0].uri.endswith("/concept_scheme/platforms")
    airbus = concept(thesaurus, GCMD + "bab77f95-aa34-42aa-9a12-922d1c9fae63")
    assert airbus.pref == {"en": "A340-600"} and airbus.alt == {"en": ("Airbus A340-600",)}
    # Line 757 has one level more than the header names: the surplus cell is that level.
    soil = concept(thesaurus, GCMD + "252a24e5-6f62-40df-86b3-59ef0d38283f")
    assert soil.pref == {"en": "Soil Characteristics"}
    modeling = GCMD + "079610fb-e4cf-4e2c-9a92-86a9b798a7d5"  # Environmental Modeling
    assert Relation(soil.uri, BROADER, modeling) in thesaurus.relations


def test_gcmd_skos_page_resolves_uris_against_its_xml_base() -> None:
    thesaurus = read_file(VOCAB / "gcmd__sciencekeywords-page1.rdf")
    assert len(thesaurus.concepts) == 2000
    assert all(c.uri.startswith(GCMD) and c.scheme == GCMD_SCHEME for c in thesaurus.concepts)
    # The page describes no scheme: the one its concepts name is implied, titled as KMS titles it.
    assert [(s.uri, s.title) for s in thesaurus.schemes] == [(GCMD_SCHEME, {"en": "GCMD Science Keywords"})]
    winds = concept(thesaurus, GCMD + "df160e31-ae45-41a4-9093-a80fe5303cea")
    assert winds.pref == {"en": "ATMOSPHERIC WINDS"}
    assert winds.definition["en"].startswith("Air in motion")
    # skos:narrower links are kept as the inverse broader links.
    assert Relation(GCMD + "10685919-bc01-43e7-901a-b62ac44627f3", BROADER, winds.uri) in thesaurus.relations


def test_inspire_themes_with_untagged_alternative_labels() -> None:
    thesaurus = read_file(VOCAB / "inspire__themes.rdf")
    assert [s.uri for s in thesaurus.schemes] == ["http://inspire.ec.europa.eu/theme"]
    assert len(thesaurus.concepts) == 34
    atmosphere = concept(thesaurus, "http://inspire.ec.europa.eu/theme/ac")
    assert atmosphere.pref == {"en": "Atmospheric conditions"}
    assert atmosphere.alt == {"und": ("ac",)}  # an untagged literal
    assert atmosphere.definition["en"].startswith("Physical conditions in the atmosphere")


def test_gemet_themes_need_a_base_for_their_relative_uris() -> None:
    with pytest.raises(InvalidRecord, match=r"'theme/1' is relative.*--base"):
        read_file(VOCAB / "gemet__themes.rdf")
    thesaurus = read_file(VOCAB / "gemet__themes.rdf", base="http://www.eionet.europa.eu/gemet/")
    water = concept(thesaurus, "http://www.eionet.europa.eu/gemet/theme/40")
    assert water.pref == {"en": "water", "fr": "eau", "de": "Wasser", "it": "acqua"}
    # Concepts that name no scheme belong to the file's only one.
    assert {c.scheme for c in thesaurus.concepts} == {"http://geonetwork-opensource.org/gemet-theme"}


def test_eu_data_themes_keep_four_languages_and_identifiers() -> None:
    thesaurus = read_file(VOCAB / "eu__data-theme.rdf")
    agri = concept(thesaurus, "http://publications.europa.eu/resource/authority/data-theme/AGRI")
    assert agri.pref["fr"] == "Agriculture, pêche, sylviculture et alimentation"
    assert set(agri.pref) == {"de", "en", "fr", "nl"}
    assert agri.notation == "AGRI"


def test_mapping_files_bring_match_relations_between_schemes() -> None:
    thesaurus = read_file(VOCAB / "semic__iso-topic-categories-to-inspire-themes.rdf")
    assert thesaurus.concepts == ()  # no concepts of its own, only alignments
    kinds = {r.kind for r in thesaurus.relations}
    assert {"exactMatch", "closeMatch", "narrowMatch", "broadMatch", "relatedMatch"} <= kinds
    exact = [r for r in thesaurus.relations if r.kind == "exactMatch"]
    assert exact == [
        Relation(
            "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/elevation",
            "exactMatch",
            "http://inspire.ec.europa.eu/theme/el",
        )
    ]


def test_sinp_vocabularies_with_french_labels_only() -> None:
    thesaurus = read_file(VOCAB / "sinp__sinp-thematique.rdf")
    assert {c.pref.get("fr") for c in thesaurus.concepts} >= {"Espaces protégés et règlementés"}
    assert all(set(c.pref) == {"fr"} for c in thesaurus.concepts)


@pytest.mark.parametrize("syntax", ["turtle", "json-ld"])
def test_turtle_and_json_ld_read_the_same_thesaurus_as_rdf_xml(syntax: str) -> None:
    original = VOCAB / "eu__data-theme.rdf"
    graph = Graph().parse(original, format="xml")
    serialised: bytes = graph.serialize(format=syntax, encoding="utf-8")
    name = "themes.ttl" if syntax == "turtle" else "themes.jsonld"
    assert read_thesaurus(serialised, name) == read_file(original)


def test_related_is_symmetric() -> None:
    document = b"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <http://x.example/a> a skos:Concept ; skos:prefLabel "A"@en ; skos:related <http://x.example/b> .
    <http://x.example/b> a skos:Concept ; skos:prefLabel "B"@en .
    """
    thesaurus = skos.parse(document, "turtle", scheme="http://x.example/scheme")
    assert set(thesaurus.relations) == {
        Relation("http://x.example/a", RELATED, "http://x.example/b"),
        Relation("http://x.example/b", RELATED, "http://x.example/a"),
    }
    assert {c.scheme for c in thesaurus.concepts} == {"http://x.example/scheme"}


def test_untrusted_rdf_is_refused_before_rdflib_reads_it() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&x;</rdf:RDF>'
    )
    with pytest.raises(InvalidRecord, match="DOCTYPE"):
        read_thesaurus(hostile, "hostile.rdf")
    remote = orjson.dumps({"@context": "https://example.org/context.jsonld", "@id": "http://x.example/a"})
    with pytest.raises(InvalidRecord, match="remote context"):
        read_thesaurus(remote, "remote.jsonld")
    with pytest.raises(InvalidRecord, match="malformed SKOS turtle"):
        read_thesaurus(b"this is not turtle <", "broken.ttl")


def test_a_csv_that_is_not_a_kms_export_is_refused() -> None:
    with pytest.raises(InvalidRecord, match="Keyword Version"):
        gcmd_csv.parse(b"a,b,c\n1,2,3\n")
    header = b'"Keyword Version: 9.1.5","x concept_scheme/sciencekeywords"\nCategory,Topic,UUID\n'
    with pytest.raises(InvalidRecord, match="line 3 has 2 fields"):
        gcmd_csv.parse(header + b'"EARTH SCIENCE","x"\n')
