"""ISO 19115-3 records: every real fixture parses, concrete values, round trips, and OWSLib's iso3 reader
as an independent reader of what we write."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from owslib import iso3
from tests.support.shared_fixtures import SHARED_FIXTURES, fixture_files, source_of

from terrapole import formats
from terrapole.core.errors import InvalidRecord
from terrapole.core.model import BBox, Contact, Keyword
from terrapole.core.record import Record, Resolution
from terrapole.formats import iso19115_3
from terrapole.formats.xmlsafe import parse_xml

from .metadata_fixtures import bilingual_record, without
from .test_iso19139 import INSPIRE_LC, INSPIRE_THEMES, INSPIRE_THEMES_URI, full_record

FILES = fixture_files("iso19115-3")
# Every fixture parses: no file of the directory is refused (a refused one would be listed here).
REFUSED: dict[str, str] = {}


def load(name: str) -> Record:
    return iso19115_3.parse((SHARED_FIXTURES / "iso19115-3" / name).read_bytes())


def carried(record: Record) -> Record:
    """The record without the fields ISO 19115-3 cannot carry (`extra` is compared on its own)."""
    return without(record, iso19115_3.DROPPED_FIELDS)


def first(text: Mapping[str, str]) -> str:
    return next(iter(text.values()), "")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fixture_parses_and_is_detected(path: Path) -> None:
    data = path.read_bytes()
    assert formats.detect(data) == "iso19115-3"
    record = iso19115_3.parse(data)
    assert record.identifier and record.title
    assert formats.parse_any(data) == record


def test_fixtures_come_from_several_sources() -> None:
    assert len({source_of(p) for p in FILES}) >= 4
    assert not REFUSED


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip_keeps_every_carried_field(path: Path) -> None:
    record = iso19115_3.parse(path.read_bytes())
    encoded = iso19115_3.encode(record)
    again = iso19115_3.parse(encoded)
    assert again.metadata_standard == iso19115_3.STANDARD[0]
    assert carried(again) == carried(record)
    assert again.extra == record.extra
    assert iso19115_3.encode(again) == encoded


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_owslib_iso3_reads_our_output(path: Path) -> None:
    record = iso19115_3.parse(path.read_bytes())
    md = iso3.MD_Metadata(parse_xml(iso19115_3.encode(record)))
    ident = md.identification[0]
    assert md.identifier == record.identifier
    assert md.hierarchy == record.hierarchy_level
    assert ident.title == first(record.title)
    assert (ident.abstract or "") == first(record.abstract)
    assert [k.name for group in ident.keywords for k in group.keywords] == [
        first(k.label) for k in record.keywords
    ]
    assert len(ident.contact) == len(record.contacts)
    assert [c.role for c in ident.contact] == [c.roles[0] if c.roles else None for c in record.contacts]
    box = getattr(ident, "bbox", None)
    if record.extent.bboxes:
        assert [float(v) for v in (box.minx, box.miny, box.maxx, box.maxy)] == record.extent.bboxes[
            0
        ].as_list()


def test_full_record_round_trip() -> None:
    record = full_record()
    again = iso19115_3.parse(iso19115_3.encode(record))
    assert carried(again) == carried(record)
    assert again.extent.geometry == record.extent.geometry
    assert type(again.dates.created) is date and isinstance(again.dates.revised, datetime)


def test_shared_bilingual_record_round_trip() -> None:
    record = bilingual_record()
    again = iso19115_3.parse(iso19115_3.encode(record))
    theme = Keyword({"fr": "Occupation des terres"}, INSPIRE_THEMES, INSPIRE_LC, INSPIRE_THEMES_URI)
    expected = record.with_changes(language="fre", sizes=("3072 MB",), keywords=(*record.keywords, theme))
    assert carried(again) == carried(expected)


def test_walous_french_record_with_organisations_and_individuals() -> None:
    record = load("geonetwork-test__metadata.iso19115-3.xml")
    assert record.title == {"fr": "Utilisation du Sol en Wallonie - WALOUS 2018"}
    assert record.language == "fre" and record.languages == ("fre",)
    assert record.alternate_titles == ("WALOUS_UTS__2018",)
    assert record.extent.bboxes == (BBox(2.75, 49.45, 6.5, 50.85),)
    assert record.extent.intervals == ((utc(2018, 1, 1), utc(2018, 12, 31, 23, 59, 59)),)
    assert record.keywords[0] == Keyword(
        {"fr": "Données de base"},
        "Thèmes du géoportail wallon",  # pretty-printed over two lines in the source
        "https://metawal.wallonie.be/thesaurus/theme-geoportail-wallon#ThemesGeoportailWallon/50",
        "https://metawal.wallonie.be/thesaurus/theme-geoportail-wallon",
    )
    # One contact per individual of an organisation, with the organisation's address when they have none.
    ulb = "Université Libre de Bruxelles (ULB)"
    assert Contact("Taïs Grippa", ("processor",), ulb, "ewolff@ulb.ac.be", kind="person") in record.contacts
    assert len(record.contacts) == 20
    assert record.resolutions == (Resolution(distance=1.0, unit="m"),)
    assert record.reference_systems == ("EPSG:3812",)
    assert record.formats == ("ESRI File Geodatabase (.fgdb)", "OGC GeoPackage (.gpkg)")
    assert record.constraints.access == ("No limitations to public access",)
    assert record.dates.metadata == utc(2023, 7, 4, 7, 51, 35, 236000)  # the revision dateInfo
    assert record.dates.created == date(2020, 9, 28)
    assert record.lineage["fr"].startswith("Les étapes principales de production de la donnée WAL_UTS__2018")


def test_auscope_licence_from_use_limitation() -> None:
    record = load("pycsw-iso19115p3__auscope-3d-model.xml")
    assert record.title == {"en": "3D geological model of the Otway and Torquay Basin 2011"}
    assert record.constraints.license == "https://creativecommons.org/licenses/by/4.0/"
    assert record.constraints.license_url == "https://creativecommons.org/licenses/by/4.0/"
    assert record.constraints.use == ("license",)
    assert record.constraints.classification == "unclassified"
    assert record.contacts[0] == Contact(
        "AuScope",
        ("funder",),
        "AuScope",
        "info@auscope.org.au",
        kind="organisation",
        identifier="https://ror.org/04s1m4564",  # cit:partyIdentifier
        identifier_scheme="ROR",
    )
    assert record.contacts[2] == Contact("P.B. SKLADZIEN", ("author",), kind="person")
    assert (
        record.metadata_contacts[0].description == "Executive Director, Earth Resources Policy and Programs"
    )
    assert record.extent.bboxes == (BBox(143.0, -39.4, 144.0, -38.4),)


def test_metawal_view_service() -> None:
    record = load("pycsw-iso19115p3__metawal.wallonie.be-srv.xml")
    assert record.title["fr"].startswith("INSPIRE - Santé et sécurité des personnes en Wallonie (BE)")
    assert record.hierarchy_level == "service" and record.service_type == "view"
    assert len(record.related) == 11 and {r.relation for r in record.related} == {"operatesOn"}
    assert record.keywords[2].label == {"fr": "Santé et sécurité des personnes"}
    assert record.inspire_themes == ("Human health and safety",)
    assert record.reference_systems[:2] == ("EPSG:31370", "EPSG:4326")
    assert record.distributions[0].protocol == "OGC:WMS"
    assert record.extent.bboxes == (BBox(2.75, 49.45, 6.51, 50.85),)


def test_metawal_template_french_theme_labels_and_licence_in_text() -> None:
    record = load("metawal-template__metawal-sample.xml")
    # French theme labels without anchors are recognised through the INSPIRE registry labels.
    assert record.inspire_themes == ("Habitats and biotopes", "Environmental monitoring facilities")
    assert (
        record.constraints.license_url == "http://environnement.wallonie.be/cartosig/pg_menu/convention.asp"
    )
    assert record.constraints.license is not None and record.constraints.license.startswith(
        "Les termes de la licence"
    )
    assert record.resolutions == (Resolution(scale_denominator=10000),)


def test_catchment_series_and_geonetwork_service_sample() -> None:
    series = load("pycsw-iso19115p3__metawal.wallonie.be-catchments.xml")
    assert series.hierarchy_level == "series"
    assert series.resource_type == "Collection de données thématiques"
    assert series.dates.revised == date(2023, 7, 31)
    service = load("geonetwork-sample__service_record.xml")
    assert service.service_type == "discovery"
    assert service.inspire_themes == ("Human health and safety", "Protected sites")
    assert service.distributions[0].protocol == "OGC:CSW"


def test_iso19139_record_is_not_19115_3() -> None:
    data = (SHARED_FIXTURES / "iso19139" / "inspire-tg__basic_dataset.xml").read_bytes()
    with pytest.raises(InvalidRecord, match="not an ISO 19115-3 document"):
        iso19115_3.parse(data)
