"""DCAT-AP / GeoDCAT-AP: real documents parse, records survive the trip through each syntax, rdflib
reads our output, hostile documents are refused."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns
from tests.support.shared_fixtures import fixture_files, source_of

from terrapole import formats
from terrapole.core.errors import InvalidRecord
from terrapole.core.model import BBox, Contact, Extent, Keyword, Provenance
from terrapole.core.record import (
    Constraints,
    Dates,
    Distribution,
    Identifier,
    Record,
    Related,
    Resolution,
)
from terrapole.formats import dcat
from terrapole.formats.dcat_terms import DCAT, GEODCAT, VCARD

DCAT_FILES = fixture_files("dcat-ap")
SYNTAXES = ("turtle", "xml", "json-ld")
RDFLIB_FORMATS = {"turtle": "turtle", "xml": "xml", "json-ld": "json-ld"}


def by_name(name: str) -> bytes:
    return next(p for p in DCAT_FILES if p.name == name).read_bytes()


def full_record() -> Record:
    """A record using every field DCAT carries, in French and English, in canonical spelling (ISO
    639-2/B language codes, two-letter language tags, INSPIRE themes by English name)."""
    return Record(
        identifier="fr-120066022-jdd-1234",
        title={"fr": "Hauteur des forêts", "en": "Forest height"},
        abstract={"fr": "Carte de la hauteur de canopée", "en": "Map of canopy height"},
        identifiers=(
            Identifier("https://doi.org/10.5281/zenodo.1234", "DOI"),
            Identifier("urn:uuid:5f0c1a2e-8d2b-4c1e-9a8e-1c0f7d9e2b11"),
        ),
        alternate_titles=("HF-10",),
        hierarchy_level="series",
        resource_type="Dataset",
        language="fre",
        languages=("fre", "eng"),
        keywords=(
            Keyword(
                {"fr": "forêt", "en": "forest"}, "GEMET", "http://www.eionet.europa.eu/gemet/concept/3378"
            ),
            Keyword({"en": "EARTH SCIENCE > BIOSPHERE > VEGETATION"}, "GCMD Science Keywords"),
            Keyword({"fr": "hauteur de canopée"}),
            Keyword({"und": "lidar"}),
        ),
        topic_categories=("environment", "imageryBaseMapsEarthCover"),
        inspire_themes=("Land cover", "Soil"),
        contacts=(
            Contact("ONF", ("pointOfContact", "publisher"), "ONF", "contact@onf.fr", "https://www.onf.fr"),
            Contact("Marie Curie", ("author",), organisation="IGN", email="marie@ign.fr"),
            Contact("Theia", ("custodian",)),
            Contact("CNES", ("funder",), organisation="CNES"),
            Contact("GRICAD", ("host",), organisation="GRICAD", description="Centre de calcul"),
            Contact("Anonyme", ()),
        ),
        metadata_contacts=(Contact("Theia", ("pointOfContact",), email="meta@theia-land.fr"),),
        lineage={"fr": "Dérivée de GEDI et Sentinel-2", "en": "Derived from GEDI and Sentinel-2"},
        extent=Extent(
            bboxes=(BBox(-5.0, 41.0, 10.0, 51.5), BBox(55.2, -21.4, 55.9, -20.8)),
            geometry={
                "type": "Polygon",
                "coordinates": [[[-5.0, 41.0], [10.0, 41.0], [2.0, 51.5], [-5.0, 41.0]]],
            },
            intervals=(
                (datetime(2019, 1, 1, tzinfo=UTC), None),
                (datetime(2000, 1, 1), datetime(2005, 12, 31)),
            ),
        ),
        resolutions=(
            Resolution(distance=10.0, unit="m"),
            Resolution(scale_denominator=25000),
            Resolution(distance=0.0001, unit="deg"),
        ),
        reference_systems=("EPSG:2154", "http://www.opengis.net/def/crs/EPSG/0/4326", "RGF93 / Lambert-93"),
        distributions=(
            Distribution(
                "https://data.theia-land.fr/hf/2020.tif",
                "WWW:DOWNLOAD-1.0-http--download",
                "Carte 2020",
                "GeoTIFF de la carte",
                "download",
                "GeoTIFF",
                "image/tiff",
            ),
            Distribution(
                "https://ows.theia-land.fr/wms?SERVICE=WMS&REQUEST=GetCapabilities", "OGC:WMS", "Vue"
            ),
            Distribution("https://shop.theia-land.fr/hf", name="Commande", function="order"),
            Distribution(
                "https://www.theia-land.fr/product/hf", name="Page du produit", function="landingPage"
            ),
            Distribution("https://doc.theia-land.fr/hf", name="Documentation", function="information"),
        ),
        formats=("GeoTIFF", "CSV"),
        constraints=Constraints(
            license="Licence Ouverte / Open Licence v2.0",
            license_url="https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            access=(
                "otherRestrictions",
                "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations",
            ),
            use=("license",),
            use_limitations=("Ne pas utiliser pour la navigation",),
            other=("Citer Theia dans les publications",),
            classification="unclassified",
        ),
        dates=Dates(
            created=date(2020, 1, 2),
            published=date(2020, 6, 1),
            revised=datetime(2021, 3, 4, 5, 6, tzinfo=UTC),
            metadata=date(2021, 3, 5),
        ),
        parent_identifier="https://catalogue.theia-land.fr/series/forest",
        related=(
            Related("10.1234/paper", "IsCitedBy", "DOI", "Un article"),
            Related("https://example.org/gedi", "isDerivedFrom"),
        ),
        version="2.1",
        sizes=("3 GB",),
        overviews=("https://www.theia-land.fr/hf.png",),
        metadata_standard="ISO 19115-3",
        pole="land",
        access="open",
        provenance=(Provenance("csw:https://x.fr/csw", "iso19115-3", "abc"),),
        extra={"source-only": 1},
    )


def service_record() -> Record:
    """A view service (GeoDCAT-AP dcat:DataService) serving the full record's dataset."""
    return Record(
        identifier="svc-hauteur-forets",
        title={"fr": "Service de visualisation des hauteurs", "en": "Forest height view service"},
        abstract={"fr": "WMS des cartes de hauteur", "en": "WMS of the height maps"},
        hierarchy_level="service",
        resource_type="Service",
        service_type="view",
        keywords=(
            Keyword(
                {"en": "infoMapAccessService"},
                "Classification of spatial data services",
                "http://inspire.ec.europa.eu/metadata-codelist/SpatialDataServiceCategory/infoMapAccessService",
            ),
        ),
        contacts=(Contact("Theia", ("pointOfContact",), "Theia", "contact@theia-land.fr"),),
        extent=Extent(bboxes=(BBox(-5.0, 41.0, 10.0, 51.5),)),
        distributions=(
            Distribution(
                "https://ows.theia-land.fr/wms?SERVICE=WMS&REQUEST=GetCapabilities",
                "OGC:WMS-1.3.0-http-get-capabilities",
                "Capacités",
                function="information",
            ),
            Distribution("https://ows.theia-land.fr/wms", "OGC:WMS-http-get-map"),
        ),
        related=(Related("https://doi.org/10.5281/zenodo.1234", "operatesOn"),),
        access="restricted",
    )


def without_dropped(record: Record) -> Record:
    """The record as DCAT can carry it: DROPPED_FIELDS back to their defaults."""
    default = Record(identifier="", title={})
    changes: dict[str, Any] = {}
    for path in dcat.DROPPED_FIELDS:
        top, _, sub = path.partition(".")
        if sub:
            part = changes.get(top, getattr(record, top))
            changes[top] = replace(part, **{sub: getattr(getattr(default, top), sub)})
        else:
            changes[top] = getattr(default, top)
    return replace(record, **changes)


def unordered(value: Any) -> Any:
    """RDF graphs are unordered: multi-valued fields compared as sorted tuples."""
    if isinstance(value, tuple):
        return tuple(sorted((unordered(v) for v in value), key=lambda v: repr(_sort_key(v))))
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: unordered(getattr(value, f.name)) for f in fields(value)})
    return value


def _sort_key(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return tuple(_sort_key(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, dict):
        return tuple(sorted((str(k), _sort_key(v)) for k, v in value.items()))
    if isinstance(value, tuple):
        return tuple(_sort_key(v) for v in value)
    return repr(value)


def assert_same(actual: Record, expected: Record) -> None:
    actual, expected = unordered(actual), unordered(expected)
    differing = [f.name for f in fields(Record) if getattr(actual, f.name) != getattr(expected, f.name)]
    assert not differing, {name: (getattr(actual, name), getattr(expected, name)) for name in differing}


# parsing real documents ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", DCAT_FILES, ids=lambda p: p.name)
def test_every_fixture_parses(path: Path) -> None:
    records = dcat.parse_many(path.read_bytes())
    assert records
    for record in records:
        assert record.identifier.strip()
        assert any(text.strip() for text in record.title.values())
    assert dcat.parse(path.read_bytes()) == records[0]


def test_fixtures_cover_several_sources() -> None:
    assert {source_of(p) for p in DCAT_FILES} >= {
        "ckanext-dcat",
        "geonetwork",
        "geonetwork-dcat-ap",
        "inspire-tg",
    }


def test_ckan_germany() -> None:
    record = dcat.parse(by_name("ckanext-dcat__dataset_gov_de.rdf"))
    assert record.identifier == "c1be4007-d811-48fb-8818-2cb358b06a63"
    assert record.title == {"und": "Liefer- und Abholservices (Gastronomie)"}
    assert record.languages == ("ger",)
    assert Keyword({"und": "gastronomiebetriebe"}) in record.keywords
    assert (
        Keyword(
            {"en": "Economy and finance"},
            None,
            "http://publications.europa.eu/resource/authority/data-theme/ECON",
        )
        in record.keywords
    )
    contact = next(c for c in record.contacts if "pointOfContact" in c.roles)
    assert contact.email == "geodienste@rostock.de"
    assert replace(contact, roles=("author",)) in record.contacts  # dct:creator, another node
    assert record.constraints.license_url == "http://dcat-ap.de/def/licenses/cc-zero"
    assert record.access == "open"
    assert record.extent.bboxes == (BBox(11.9936, 54.0486, 12.3045, 54.2466),)
    assert record.extent.geometry is not None and record.extent.geometry["type"] == "Polygon"
    geojson = record.distributions[0]
    assert (geojson.function, geojson.format, geojson.media_type) == (
        "download",
        "GEOJSON",
        "application/geo+json",
    )
    assert record.dates.published == datetime(2020, 4, 21, 11, 59, 39, 642528)
    assert "147253 bytes" in record.sizes


def test_ckan_sweden_temporal_and_vcard_contact() -> None:
    record = dcat.parse(by_name("ckanext-dcat__dataset_sweden.rdf"))
    assert record.title == {"en": "Linked Nobel prizes"}
    assert record.abstract.keys() == {"und"}
    assert record.extent.intervals == ((datetime(1905, 3, 1), datetime(2013, 1, 5)),)
    assert (
        Contact("Nobel Media AB", ("pointOfContact",), "Nobel Media AB", "info@nobelmedia.org")
        in record.contacts
    )
    assert record.constraints.license_url == "http://creativecommons.org/licenses/by-nc/3.0/"
    assert [k.label for k in record.keywords[:3]] == [
        {"und": "Nobel prize"},
        {"und": "prize"},
        {"und": "science"},
    ]
    assert record.dates.published == date(2014, 1, 15)
    assert Distribution("http://data.nobelprize.org/", function="landingPage") in record.distributions


def test_ckan_spain_turtle() -> None:
    record = dcat.parse(by_name("ckanext-dcat__dataset_gob_es.ttl"))
    assert record.identifier == "https://datos.madrid.es/egob/catalogo/300676-0-deporte-encuesta-escuelas"
    assert record.abstract.keys() == {"es"}
    assert Keyword({"es": "deporte escolar"}) in record.keywords
    assert record.contacts == (Contact("Ayuntamiento de Madrid", ("publisher",)),)
    assert record.constraints.license_url == "https://datos.madrid.es/egob/catalogo/aviso-legal"
    assert record.languages == ("spa",)
    (distribution,) = record.distributions
    assert (distribution.format, distribution.media_type) == ("XLS", "application/vnd.ms-excel")
    assert record.sizes == ("43008 bytes",)


def test_ckan_catalog_has_two_datasets() -> None:
    records = dcat.parse_many(by_name("ckanext-dcat__catalog.rdf"))
    assert [r.title for r in records] == [{"und": "Example dataset 1"}, {"und": "Example dataset 2"}]
    assert records[0].contacts[0].email == "contact@some.org"
    assert [d.media_type for d in records[0].distributions] == ["text/csv", "application/pdf", None]


def test_geonetwork_valais_multilingual_series() -> None:
    record = dcat.parse(by_name("geonetwork-dcat-ap__cartographie-sols-agricoles-valais.xml"))
    assert record.identifier == "a8b5e6c0-c21d-4c32-b8f9-10830215890a"
    assert record.title["fr"] == "Cartographie des sols agricoles de la plaine du Rhône"
    assert record.abstract.keys() == {"fr", "de"}
    assert record.hierarchy_level == "series"
    assert record.language == "fre"
    assert all(
        k in record.keywords
        for k in (Keyword({"fr": "sol"}), Keyword({"en": "soil"}), Keyword({"it": "suolo"}))
    )
    assert record.extent.bboxes == (BBox(6.771418, 45.859978, 8.47962, 46.655923),)
    assert record.lineage["fr"].startswith("Mandat du groupement Catena Rhône")
    assert record.dates.metadata == datetime(2023, 1, 5, 9, 44, 38, 224000, tzinfo=UTC)


def test_geonetwork_wallonia_dcat_ap3() -> None:
    record = dcat.parse(by_name("geonetwork-dcat-ap__mesure-hauteur-eau-wallonie.dcat-ap3.xml"))
    assert record.identifier == "urn:uuid:a06b1f40-f85f-469e-a1af-ede1b578553d"
    assert record.inspire_themes == ("Environmental monitoring facilities",)
    assert Keyword({"fr": "hauteur d'eau"}) in record.keywords
    owner = next(c for c in record.contacts if "owner" in c.roles)
    assert (owner.name, owner.email) == ("Service public de Wallonie (SPW)", "helpdesk.carto@spw.wallonie.be")
    assert any(
        c.roles == ("custodian",) and c.email == "sebastien.gailliez@spw.wallonie.be" for c in record.contacts
    )
    assert record.extent.bboxes == (BBox(2.75, 49.45, 6.5, 50.85),)
    assert record.constraints.access == (
        "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations",
    )
    assert (
        record.parent_identifier
        == "https://metawal.wallonie.be/geonetwork/srv/api/records/49373603-418d-451b-afb5-7badc8783a43"
    )
    wms = record.distributions[0]
    assert wms.protocol == "http://www.opengeospatial.org/standards/wms"
    assert record.lineage["fr"].startswith("La Direction des Cours d'eau non navigables")


def test_flemish_feed_reads_licence_from_distributions() -> None:
    records = dcat.parse_many(by_name("geonetwork__dcat-feed-mow.rdf"))
    assert len(records) == 22
    first = records[0]
    assert first.title == {"nl": "aantal ton gelost op de waterwegen"}
    assert first.languages == ("dut",)
    licence = "https://data.vlaanderen.be/doc/licentie/modellicentie-gratis-hergebruik/v1.0"
    assert all(r.constraints.license_url == licence for r in records)


def test_geodcat_expected_output_reads_as_inspire_record() -> None:
    record = dcat.parse(by_name("inspire-tg__basic_dataset.expected-geodcat.rdf"))
    assert record.identifier == "123e4567-e89b-12d3-a456-426655440000"
    assert record.identifiers == (Identifier("http://www.my-organisation.eu/so/lu/land-use-map"),)
    assert record.inspire_themes == ("Land use",)
    assert record.topic_categories == ("planningCadastre",)
    assert record.resolutions == (Resolution(scale_denominator=50000),)
    assert record.reference_systems == ("http://www.opengis.net/def/crs/EPSG/0/4258",)
    assert record.extent.intervals == ((datetime(2019, 4, 29), None),)
    assert record.metadata_contacts[0].roles == ("pointOfContact",)
    service = dcat.parse(by_name("inspire-tg__network-service.expected-geodcat.rdf"))
    assert service.hierarchy_level == "service"
    assert service.distributions[0].url.endswith("REQUEST=GetCapabilities")


# round trips --------------------------------------------------------------------------------------


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_full_record_round_trip(syntax: dcat.Syntax) -> None:
    record = full_record()
    assert_same(dcat.parse(dcat.encode(record, syntax)), without_dropped(record))


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_service_round_trip(syntax: dcat.Syntax) -> None:
    record = service_record()
    data = dcat.encode(record, syntax)
    assert_same(dcat.parse(data), record)
    graph = Graph().parse(data=data, format=RDFLIB_FORMATS[syntax])
    (service,) = graph.subjects(GEODCAT.serviceType, None)
    assert (service, DCAT.endpointURL, URIRef("https://ows.theia-land.fr/wms")) in graph
    assert (service, DCAT.servesDataset, URIRef("https://doi.org/10.5281/zenodo.1234")) in graph
    restricted = URIRef("http://publications.europa.eu/resource/authority/access-right/RESTRICTED")
    assert (service, ns.DCTERMS.accessRights, restricted) in graph


def test_inspire_themes_come_back_under_their_english_names() -> None:
    record = Record("x", {"fr": "x"}, inspire_themes=("Usage des sols", "lc", "Thème sans URI"))
    graph = Graph().parse(data=dcat.encode(record), format="turtle")
    assert {str(o) for o in graph.objects(None, DCAT.theme) if isinstance(o, URIRef)} == {
        "http://inspire.ec.europa.eu/theme/lu",
        "http://inspire.ec.europa.eu/theme/lc",
    }
    themes = dcat.parse(dcat.encode(record)).inspire_themes
    assert sorted(themes) == ["Land cover", "Land use", "Thème sans URI"]


def test_dropped_fields_are_really_dropped() -> None:
    back = dcat.parse(dcat.encode(full_record()))
    assert (back.pole, back.provenance, back.extra, back.constraints.classification) == (None, (), {}, None)


@pytest.mark.parametrize("syntax", SYNTAXES)
@pytest.mark.parametrize("path", DCAT_FILES, ids=lambda p: p.name)
def test_fixture_round_trip(path: Path, syntax: dcat.Syntax) -> None:
    for record in dcat.parse_many(path.read_bytes()):
        assert_same(dcat.parse(dcat.encode(record, syntax)), without_dropped(record))


def test_many_records_in_one_document() -> None:
    records = dcat.parse_many(by_name("geonetwork__dcat-feed-mow.rdf"))
    back = dcat.parse_many(dcat.encode_many(records, "xml"))
    assert sorted(r.identifier for r in back) == sorted(r.identifier for r in records)


# our output read by rdflib alone ------------------------------------------------------------------


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_rdflib_finds_key_triples(syntax: dcat.Syntax) -> None:
    graph = Graph().parse(data=dcat.encode(full_record(), syntax), format=RDFLIB_FORMATS[syntax])
    dataset = URIRef("https://doi.org/10.5281/zenodo.1234")
    assert (dataset, ns.RDF.type, DCAT.Dataset) in graph
    assert (dataset, ns.RDF.type, DCAT.DatasetSeries) in graph
    assert (dataset, ns.DCTERMS.title, Literal("Hauteur des forêts", lang="fr")) in graph
    assert (dataset, ns.DCTERMS.title, Literal("Forest height", lang="en")) in graph
    licence = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
    assert (dataset, ns.DCTERMS.license, licence) in graph
    downloads = {graph.value(d, DCAT.downloadURL) for d in graph.objects(dataset, DCAT.distribution)}
    assert URIRef("https://data.theia-land.fr/hf/2020.tif") in downloads
    assert all((d, ns.DCTERMS.license, licence) in graph for d in graph.objects(dataset, DCAT.distribution))
    boxes = {
        str(b) for loc in graph.objects(dataset, ns.DCTERMS.spatial) for b in graph.objects(loc, DCAT.bbox)
    }
    assert "POLYGON((-5.0 51.5,10.0 51.5,10.0 41.0,-5.0 41.0,-5.0 51.5))" in boxes
    starts = {graph.value(p, DCAT.startDate) for p in graph.objects(dataset, ns.DCTERMS.temporal)}
    assert Literal("2019-01-01T00:00:00+00:00", datatype=ns.XSD.dateTime) in starts
    emails = {graph.value(c, VCARD.hasEmail) for c in graph.objects(dataset, DCAT.contactPoint)}
    assert emails == {URIRef("mailto:contact@onf.fr")}
    assert (
        dataset,
        ns.DCTERMS.accessRights,
        URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
    ) in graph
    assert (dataset, GEODCAT.referenceSystem, URIRef("http://www.opengis.net/def/crs/EPSG/0/2154")) in graph


# registry ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dcat-turtle", "dcat-rdfxml", "dcat-jsonld"])
def test_registry_encodes_and_detects_each_syntax(name: str) -> None:
    data = formats.FORMATS[name].encode(full_record())
    assert formats.detect(data) == name
    assert_same(formats.parse_any(data), without_dropped(full_record()))


# hostile and broken input -----------------------------------------------------------------------

RDF_HEAD = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">'
)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + RDF_HEAD
        + b'<rdf:Description rdf:about="urn:x"><dct:title>&b;</dct:title></rdf:Description></rdf:RDF>',
        b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + RDF_HEAD
        + b'<rdf:Description rdf:about="urn:x"><dct:title>&xxe;</dct:title></rdf:Description></rdf:RDF>',
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_rdfxml_with_entities_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidRecord, match="DOCTYPE"):
        dcat.parse(data)


@pytest.mark.parametrize("head", [b"<rdf:RDF>", b"@prefix dct: <http://purl.org/dc/terms/> .", b"{"])
def test_oversize_document_is_refused_before_parsing(head: bytes) -> None:
    with pytest.raises(InvalidRecord, match="over the"):
        dcat.parse(head + b" " * (21 * 1024 * 1024))


def test_jsonld_remote_context_is_refused() -> None:
    data = b'{"@context": "https://example.org/context.jsonld", "@id": "urn:x", "@type": "dcat:Dataset"}'
    with pytest.raises(InvalidRecord, match="remote context"):
        dcat.parse(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<urn:x> a dcat:Dataset ;", "malformed DCAT turtle"),
        (RDF_HEAD + b"<rdf:Description>", "malformed DCAT xml"),
        (b'{"@graph": [', "malformed DCAT json-ld"),
        (b"@prefix dct: <http://purl.org/dc/terms/> .\n<urn:x> dct:title 'no dataset' .", "no dcat:Dataset"),
    ],
)
def test_broken_documents_get_specific_errors(data: bytes, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        dcat.parse(data)
