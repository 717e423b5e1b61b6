"""ISO 19139 (and ISO 19115-2) records: every real fixture parses, concrete values from several sources,
round trips, and OWSLib as an independent reader of what we write."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from owslib.iso import MD_Metadata
from tests.support.shared_fixtures import SHARED_FIXTURES, fixture_files, source_of

from terrapole import formats
from terrapole.core.errors import InvalidRecord
from terrapole.core.model import BBox, Contact, Extent, Keyword
from terrapole.core.record import Constraints, Dates, Distribution, Identifier, Record, Related, Resolution
from terrapole.core.timeutil import format_instant
from terrapole.formats import iso19139
from terrapole.formats._iso_vocab import ANCHORS_KEY, anchor_uri
from terrapole.formats.xmlsafe import parse_xml

from .metadata_fixtures import bilingual_record, without

FILES = fixture_files("iso19139")
# Every fixture parses: no file of the directory is refused (a refused one would be listed here).
REFUSED: dict[str, str] = {}
INSPIRE_THEMES = "GEMET - INSPIRE themes, version 1.0"
INSPIRE_LC = "http://inspire.ec.europa.eu/theme/lc"
INSPIRE_THEMES_URI = "http://www.eionet.europa.eu/gemet/inspire_themes"
THEIA = "https://ror.org/02feahw73"


def load(name: str) -> Record:
    return iso19139.parse((SHARED_FIXTURES / "iso19139" / name).read_bytes())


def carried(record: Record) -> Record:
    """The record without the fields ISO 19139 cannot carry (`extra` is compared on its own)."""
    return without(record, iso19139.DROPPED_FIELDS)


def first(text: Mapping[str, str]) -> str:
    """The own-language value of a multilingual text."""
    return next(iter(text.values()), "")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fixture_parses_and_is_detected(path: Path) -> None:
    data = path.read_bytes()
    assert formats.detect(data) == "iso19139"
    record = iso19139.parse(data)
    assert record.identifier and record.title
    assert all(value.strip() for value in record.title.values())
    assert formats.parse_any(data) == record


def test_fixtures_come_from_many_sources() -> None:
    assert len({source_of(p) for p in FILES}) >= 8
    assert not REFUSED


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip_keeps_every_carried_field(path: Path) -> None:
    record = iso19139.parse(path.read_bytes())
    encoded = iso19139.encode(record)
    again = iso19139.parse(encoded)
    assert again.metadata_standard == iso19139.STANDARD[0]
    assert carried(again) == carried(record)
    assert again.extra == record.extra  # the anchors without a canonical field
    assert iso19139.encode(again) == encoded  # encoding is stable


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_owslib_reads_our_output(path: Path) -> None:
    record = iso19139.parse(path.read_bytes())
    md = MD_Metadata(parse_xml(iso19139.encode(record)))
    ident = md.identification[0]
    assert md.identifier == record.identifier
    assert ident.title == first(record.title)
    assert (ident.abstract or "") == first(record.abstract)
    assert [k.name for group in ident.keywords for k in group.keywords] == [
        first(k.label) for k in record.keywords
    ]
    assert [(c.name, c.organization, c.email, c.role) for c in ident.contact] == [
        (
            c.name if c.name != c.organisation else None,
            c.organisation,
            c.email,
            c.roles[0] if c.roles else None,
        )
        for c in record.contacts
    ]
    if record.extent.intervals:
        start, end = record.extent.intervals[0]
        assert ident.temporalextent_start == (format_instant(start) if start else None)
        assert ident.temporalextent_end == (format_instant(end) if end else None)
    box = getattr(ident, "bbox", None)
    if record.extent.bboxes:
        expected = record.extent.bboxes[0]
        assert [float(v) for v in (box.minx, box.miny, box.maxx, box.maxy)] == expected.as_list()
    else:
        assert box is None


def test_multilingual_forest_keeps_french_and_english() -> None:
    record = load("geonetwork-test__forest-multilingual.xml")
    assert record.identifier == "837750fd-5790-4263-ad6d-cd94c43cfe5b"
    assert record.language == "eng"
    assert record.languages == ("eng", "ger", "fre", "ita")
    assert record.title == {"en": "Forest", "de": "Wald", "fr": "Forêt", "it": "Bosco"}
    assert record.abstract["fr"].startswith("Forêt. Type de carte: Choroplètes.")
    assert record.abstract["en"].startswith("Forest. Map type: Choropleths.")
    assert record.extent.bboxes == (
        BBox(5.606041613827549, 45.53396348515653, 10.988229452947234, 47.97997376576611),
    )
    assert record.extent.intervals == ((utc(2010, 1, 1), utc(2010, 12, 31, 23, 59, 59)),)
    land_cover = record.keywords[2]
    assert land_cover.thesaurus == "GEMET - INSPIRE themes, version 1.0"
    assert land_cover.label["fr"] == "Couverture du sol" and land_cover.label["en"] == "Land cover"
    assert record.inspire_themes == ("Land cover",)
    assert (
        Contact(
            "Swiss Federal Office of Topography",
            ("owner",),
            "Swiss Federal Office of Topography",
            "info@swisstopo.ch",
            "http://www.swisstopo.admin.ch/",
            kind="organisation",
        )
        in record.contacts
    )
    assert record.constraints.access == (
        "There are no limitations on public access to spatial data sets and services.",
    )
    assert record.constraints.use == ("The conditions applying to access and use are unknown.",)
    assert record.constraints.use_limitations == ("See end-user license agreement",)
    assert record.constraints.license is None
    assert record.lineage["fr"].startswith("Données originales: Office fédéral de topographie.")
    assert record.dates.created == date(2014, 11, 17) and type(record.dates.created) is date
    assert record.resolutions == (Resolution(scale_denominator=200000),)


def test_multilingual_holocene_open_start_before_year_one() -> None:
    record = load("geonetwork-test__holocene-multilingual.xml")
    assert record.title["fr"] == "Eruptions volcaniques durant l'Holocène"
    assert record.title["en"] == "Volcanic eruptions in the holocene"
    assert record.alternate_titles == ("Volcanoes: eruptions",)
    assert record.extent.bboxes == (BBox(-179.97, -78.5, 179.58, 88.27),)
    # The period starts in -10000, which no datetime holds: an open start.
    assert record.extent.intervals == ((None, utc(2021, 12, 31, 23, 59, 59)),)
    assert record.inspire_themes == ("Geology",)
    assert record.contacts[1].name == "Smithsonian Institution's Global Volcanism Program"
    assert record.contacts[1].roles == ("owner",)


def test_iso_19115_2_sentinel2_scene() -> None:
    record = load("pycsw-apiso__iso_19115-2_Sentinel-2-scene.xml")
    assert record.identifier == "S2B_MSIL2A_20200902T090559_N0214_R050_T34SFG_20200902T113910.SAFE"
    assert record.title == {"en": record.identifier}
    assert record.parent_identifier == "TBD"
    assert record.extent.bboxes == (
        BBox(22.241087944581203, 36.95084163397443, 22.316296604618408, 37.21692395594552),
    )
    instant = utc(2020, 9, 2, 9, 5, 59, 24000)
    assert record.extent.intervals == ((instant, instant),)
    assert record.dates.created == utc(2020, 9, 2, 11, 39, 10)  # a gco:DateTime stays a datetime
    assert record.keywords[:2] == (Keyword({"en": "Orthoimagery"}), Keyword({"en": "Land cover"}))
    assert record.topic_categories == ("imageryBaseMapsEarthCover",)
    assert record.reference_systems == ("urn:ogc:def:crs:EPSG:4326",)
    assert len(record.distributions) == 36
    assert record.distributions[0].protocol == "enclosure" and record.distributions[0].function == "download"
    assert record.constraints.access == ("otherRestrictions",)


def test_inspire_tg_dataset() -> None:
    record = load("inspire-tg__basic_dataset.xml")
    assert record.title == {"en": "Land Use map of MyCountry"}
    assert record.identifiers[0].code == "http://www.my-organisation.eu/so/lu/land-use-map"
    assert record.extent.bboxes == (BBox(14.18, 35.81, 14.58, 36.08),)
    assert record.extent.intervals == ((utc(2019, 4, 29), None),)  # end "now": open
    assert record.keywords[0] == Keyword(
        {"en": "Land use"}, INSPIRE_THEMES, "http://inspire.ec.europa.eu/theme/lu", INSPIRE_THEMES_URI
    )
    assert record.inspire_themes == ("Land use",)
    assert (
        Keyword(
            {"en": "National"},
            "Spatial scope",
            "http://inspire.ec.europa.eu/metadata-codelist/SpatialScope/national",
            "http://inspire.ec.europa.eu/metadata-codelist/SpatialScope",
        )
        in record.keywords
    )
    assert record.contacts == (
        Contact(
            "MyOrganisation", ("owner",), "MyOrganisation", "info@my-organisation.eu", kind="organisation"
        ),
    )
    assert record.constraints.use == ("No conditions apply to access and use",)
    assert record.constraints.access[0].startswith(
        "Public access to spatial data sets and services would adversely"
    )
    assert record.reference_systems == ("EPSG:4258",)
    assert record.resolutions == (Resolution(scale_denominator=50000),)
    assert record.distributions[0].protocol == "OGC Web Map Service"
    assert record.formats == ("gml+xml",)
    assert record.lineage["en"].startswith("The Land Use Map is built with the privileged support")
    # Anchor URIs with no canonical field of their own ride along, for GeoDCAT-AP and our own output.
    anchors = record.extra[ANCHORS_KEY]
    assert anchors["gml+xml"] == "https://www.iana.org/assignments/media-types/application/gml+xml"
    article_13 = "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/INSPIRE_Directive_Article13_1d"
    assert anchor_uri(record.constraints.access[0], anchors) == article_13
    no_conditions = (
        "http://inspire.ec.europa.eu/metadata-codelist/ConditionsApplyingToAccessAndUse/noConditionsApply"
    )
    assert anchor_uri(record.constraints.use[0], anchors) == no_conditions
    encoded = iso19139.encode(record)
    assert f'<gmx:Anchor xlink:href="{article_13}">Public access'.encode() in encoded
    assert f'<gmx:Anchor xlink:href="{no_conditions}">No conditions apply'.encode() in encoded


def test_inspire_tg_view_service() -> None:
    record = load("inspire-tg__network-service.xml")
    assert record.hierarchy_level == "service"
    assert record.service_type == "view"
    assert record.related == (
        Related(
            "https://geonetwork.epsilon-italia.it/geonetwork/srv/api/records/"
            "65273ef8-d29a-41d2-bbe6-308f8379dd05/formatters/xml?approved=true",
            "operatesOn",
        ),
    )
    assert [d.protocol for d in record.distributions] == [
        "OGC:WMS-1.3.0-http-get-capabilities",
        "OGC:WMS-http-get-capabilities",
        "OGC:WMS-http-get-map",
        "OGC:WMS-http-get-featureinfo",
    ]
    assert record.keywords[0].label == {"en": "infoMapAccessService"}
    assert record.extent.bboxes == (BBox(14.18, 35.81, 14.58, 36.08),)


def test_sinp_french_biodiversity_records() -> None:
    guyane = load("sinp__reseau261800.iso.xml")
    assert guyane.title == {
        "fr": "1ère mission entomologique sur le site de la Roche Bénitier (réserve de la Trinité) "
        "en 2010 - GUYANE"
    }
    assert guyane.language == "fre"
    assert guyane.hierarchy_level == "series"
    assert guyane.resource_type == "Ensemble de séries de données"
    assert guyane.topic_categories == ("biota",)
    assert guyane.extent.bboxes == (BBox(-54.586, 2.114, -51.165, 6.159),)
    # The identification section is a French national substitute (fra:FRA_DataIdentification).
    assert guyane.contacts[0] == Contact(
        "ONF Guyane - service Sylvétude",
        ("originator",),  # written "Originator"
        "ONF Guyane - service Sylvétude",
        "nicolas.miramond@onf.fr",
        description="Etablissement public de l'Etat",
        kind="organisation",
    )
    assert Keyword({"fr": "INSECTE"}, "environnement") in guyane.keywords
    # No lineage statement: the process steps stand for it.
    assert guyane.lineage == {
        "fr": "au 10/10/2010 : 1ere mission entomologique sur le site de la roche Bénitier\n"
        "au 01/06/2012 : 2nde mission entomologique sur le site"
    }
    normandie = load("sinp__reseau132800.iso.xml")
    assert normandie.title["fr"].startswith("Etat des lieux sur la faune, la flore et les habitats")
    assert normandie.extent.bboxes == (BBox(-0.326, 48.657, 1.792, 50.156),)
    assert [c.name for c in normandie.metadata_contacts] == ["Charles Bouteiller", "Karine Moreno"]
    assert normandie.reference_systems == ("epsg:2154",)
    assert normandie.dates.created == date(1993, 1, 1)


def test_corine_doi_boxes_and_licence_free_constraints() -> None:
    record = load("geonetwork-test__corine-land-cover-change.xml")
    assert record.doi == "10.2909/f30f1000-7cf8-43bb-872c-5eb093911b24"
    assert record.title["en"].endswith("version 2020_20u1, May 2020")  # pretty-printing collapsed
    assert len(record.extent.bboxes) == 6
    assert record.extent.bboxes[0] == BBox(-31.561261, 27.405827, 44.820775, 71.409109)
    assert record.extent.intervals == ((utc(2017, 1, 1), utc(2018, 12, 31, 23, 59, 59)),)
    assert record.resolutions == (Resolution(distance=100.0, unit="m"),)
    assert record.reference_systems == ("EPSG:3035",)
    assert record.related == (Related("68e79f63-d64a-463a-895c-0a15a2adfee0", "revisionOf"),)
    assert record.version == "20.01"


def test_locality_licence_and_custodian() -> None:
    record = load("geonetwork-sample__locality_polygons_comprehensive.xml")
    assert record.constraints.license is not None
    assert record.constraints.license.startswith(
        "The data is available under licence from Spatial Information"
    )
    assert record.constraints.access == ("intellectualPropertyRights",)
    assert record.contacts[0].roles == ("custodian",)
    assert record.contacts[0].organisation == "Department of Sustainability and Environment (DSE)"
    assert record.extent.bboxes == (BBox(141.0, -39.0, 150.0, -34.0),)
    assert record.extent.intervals == ((utc(2005, 5, 15), None),)
    assert record.resolutions == (Resolution(distance=25.0, unit="meters"),)


def test_pacioos_gcmd_keywords_and_distributor() -> None:
    record = load("pycsw-apiso__pacioos-NS06agg.xml")
    assert record.title == {"en": "PacIOOS Nearshore Sensor 06: Pohnpei, Micronesia"}
    assert record.keywords[0] == Keyword(
        {"en": "Oceans > Ocean Chemistry > Chlorophyll"}, "GCMD Science Keywords"
    )
    assert Contact("Jim Potemra", ("distributor",), kind="person") in record.contacts
    assert record.extent.bboxes[0].west == record.extent.bboxes[0].east == 158.22402954101562
    assert record.extent.intervals == ((utc(2010, 5, 7), utc(2014, 3, 17, 23, 56)),)
    assert record.formats == ("OPeNDAP",)


def test_geonetwork_19115_3_style_namespaces_read_as_19139() -> None:
    record = load("geosource-template__iso19139_dataset.xml")
    assert record.identifier == "c034cd24-3eb4-4530-b3ed-0e250d476bba"
    assert record.title == {"fr": "Modèle pour la saisie d'une série de données INSPIRE"}
    assert record.extent.bboxes == (BBox(-5.79028, 41.3649, 9.56222, 51.0911),)
    assert record.topic_categories == ("environment",)


def full_record() -> Record:
    """A record using fields no fixture exercises: polygon, two languages, licence link, sizes..."""
    polygon = {"type": "Polygon", "coordinates": [[[-5.0, 41.0], [10.0, 41.0], [10.0, 51.5], [-5.0, 41.0]]]}
    return Record(
        identifier="fr-theia-forest-height",
        title={"fr": "Hauteur des forêts", "en": "Forest height"},
        abstract={"fr": "Carte de la hauteur des forêts", "en": "Map of canopy height"},
        identifiers=(Identifier("10.5281/zenodo.1234", "DOI"),),
        hierarchy_level="series",
        resource_type="Série de données",
        language="fre",
        languages=("fre", "eng"),
        keywords=(
            Keyword({"fr": "forêt", "en": "forest"}, "GEMET", "https://x.eu/c/1", "https://x.eu/gemet"),
            Keyword({"en": "Land cover"}, INSPIRE_THEMES, INSPIRE_LC, INSPIRE_THEMES_URI),
            Keyword({"fr": "hauteur"}),
        ),
        topic_categories=("environment",),
        inspire_themes=("Land cover",),
        contacts=(
            Contact(
                "Martin, Jeanne",
                ("originator",),
                "ONF",
                "j@onf.fr",
                "https://onf.fr",
                "Chargée d'études",
                kind="person",
                identifier="https://orcid.org/0000-0002-1825-0097",
                identifier_scheme="ORCID",
                organisation_identifier="https://ror.org/03yyvd929",
            ),
            Contact("Données ouvertes", ("distributor",), description="Données ouvertes"),  # a position
        ),
        metadata_contacts=(
            Contact(
                "Theia",
                ("custodian",),
                "Theia",
                kind="organisation",
                identifier=THEIA,
                identifier_scheme="ROR",
            ),
        ),
        lineage={"fr": "Dérivé de GEDI", "en": "Derived from GEDI"},
        extent=Extent(
            bboxes=(BBox(-5.0, 41.0, 10.0, 51.5),),
            geometry=polygon,
            intervals=((utc(2019, 1, 1), None), (utc(2020, 1, 1), utc(2020, 12, 31, 23, 59, 59))),
        ),
        resolutions=(Resolution(distance=10.0, unit="m"), Resolution(scale_denominator=25000)),
        reference_systems=("EPSG:2154",),
        distributions=(
            Distribution("https://x.fr/a.tif", "WWW:DOWNLOAD-1.0-http--download", "a.tif", "COG", "download"),
        ),
        formats=("GeoTIFF",),
        constraints=Constraints(
            license="Licence Ouverte / Open Licence 2.0",
            license_url="https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            access=("No limitations to public access",),
            use=("license",),
            use_limitations=("Not for navigation",),
            other=("Cite the producer",),
            classification="unclassified",
        ),
        dates=Dates(date(2020, 1, 2), date(2020, 2, 3), utc(2021, 3, 4, 5, 6), date(2024, 1, 1)),
        parent_identifier="theia-forests",
        related=(Related("10.1/abc", "crossReference", "DOI", "A paper"),),
        version="2",
        sizes=("3.5 MB",),
        overviews=("https://x.fr/q.png",),
    )


def test_full_record_round_trip() -> None:
    record = full_record()
    again = iso19139.parse(iso19139.encode(record))
    assert carried(again) == carried(record)
    assert again.doi == "10.5281/zenodo.1234"
    assert type(again.dates.created) is date and isinstance(again.dates.revised, datetime)


def test_shared_bilingual_record_round_trip() -> None:
    # The record every format helper round-trips (tests/formats/metadata_fixtures.py).
    record = bilingual_record()
    again = iso19139.parse(iso19139.encode(record))
    theme = Keyword({"fr": "Occupation des terres"}, INSPIRE_THEMES, INSPIRE_LC, INSPIRE_THEMES_URI)
    expected = record.with_changes(
        language="fre",  # ISO 639-2/B in ISO records
        sizes=("3072 MB",),  # transferSize is in megabytes
        keywords=(*record.keywords, theme),  # INSPIRE themes are keywords too
    )
    assert carried(again) == carried(expected)


def test_inspire_themes_without_keyword_get_one() -> None:
    record = full_record().with_changes(keywords=())
    again = iso19139.parse(iso19139.encode(record))
    assert again.inspire_themes == ("Land cover",)
    assert again.keywords == (
        Keyword({"fr": "Occupation des terres"}, INSPIRE_THEMES, INSPIRE_LC, INSPIRE_THEMES_URI),
    )


def test_owslib_reads_polygon_period_and_own_language() -> None:
    source = full_record()
    record = Record(
        "x",
        source.title,
        language="fre",
        extent=Extent(geometry=source.extent.geometry, intervals=source.extent.intervals),
    )
    ident = MD_Metadata(parse_xml(iso19139.encode(record))).identification[0]
    ring = ident.extent.boundingPolygon.polygons[0].exterior_ring
    assert [list(point) for point in ring] == source.extent.geometry["coordinates"][0]
    assert ident.temporalextent_start == "2019-01-01T00:00:00Z"
    assert ident.title == "Hauteur des forêts"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<a/>", "not an ISO 19139 document"),
        (b'<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"/>', "neither a file identifier"),
    ],
)
def test_invalid_documents_say_what_is_wrong(data: bytes, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        iso19139.parse(data)


def _minimal(body: str) -> bytes:
    ident = _wrap("identificationInfo/MD_DataIdentification", body)
    return (
        '<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco">'
        f"<gmd:fileIdentifier><gco:CharacterString>m-1</gco:CharacterString></gmd:fileIdentifier>{ident}"
        "</gmd:MD_Metadata>"
    ).encode()


def _wrap(path: str, inner: str) -> str:
    for name in reversed(path.split("/")):
        inner = f"<gmd:{name}>{inner}</gmd:{name}>"
    return inner


_TITLE = _wrap("citation/CI_Citation/title", "<gco:CharacterString>T</gco:CharacterString>")


def test_missing_title_and_bad_box_are_refused() -> None:
    with pytest.raises(InvalidRecord, match="no title"):
        iso19139.parse(_minimal(""))
    sides = (
        ("westBoundLongitude", 0),
        ("eastBoundLongitude", 1),
        ("southBoundLatitude", 50),
        ("northBoundLatitude", 10),
    )
    box = "".join(_wrap(side, f"<gco:Decimal>{value}</gco:Decimal>") for side, value in sides)
    extent = _wrap("extent/EX_Extent/geographicElement/EX_GeographicBoundingBox", box)
    with pytest.raises(InvalidRecord, match=r"invalid bounding box: .*south"):
        iso19139.parse(_minimal(_TITLE + extent))
    assert iso19139.parse(_minimal(_TITLE)).title == {"und": "T"}
