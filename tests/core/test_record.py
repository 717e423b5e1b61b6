from datetime import UTC, date, datetime

import pytest

from terrapole import formats
from terrapole.core.errors import InvalidRecord
from terrapole.core.model import BBox, Contact, Extent, Keyword, Provenance
from terrapole.core.record import (
    RECORD_KEY,
    Constraints,
    Dates,
    Distribution,
    Identifier,
    Record,
    Related,
    Resolution,
    bare_doi,
    collection_from_record,
    record_from_collection,
)
from terrapole.core.record_json import record_from_json, record_to_json


def full_record() -> Record:
    return Record(
        identifier="fr-120066022-jdd-1234",
        title={"fr": "Hauteur des forêts", "en": "Forest height"},
        abstract={"fr": "Carte de la hauteur", "en": "Map of canopy height"},
        identifiers=(Identifier("https://doi.org/10.5281/zenodo.1234", "DOI"),),
        hierarchy_level="series",
        language="fre",
        languages=("fre", "eng"),
        keywords=(
            Keyword(
                {"en": "FOREST"},
                "GCMD Science Keywords",
                "https://gcmd.example/forest",
                "https://gcmd.example",
            ),
        ),
        topic_categories=("environment",),
        inspire_themes=("Land cover",),
        contacts=(
            Contact("ONF", ("pointOfContact",), organisation="ONF", email="a@b.fr", kind="organisation"),
            Contact(
                "Dupont, Marie",
                ("author",),
                kind="person",
                identifier="https://orcid.org/0000-0002-1825-0097",
                identifier_scheme="ORCID",
                organisation_identifier="https://ror.org/03yyvd929",
            ),
        ),
        metadata_contacts=(Contact("Theia", ("custodian",)),),
        lineage={"en": "Derived from GEDI"},
        extent=Extent(
            bboxes=(BBox(-5.0, 41.0, 10.0, 51.5),),
            geometry={"type": "Point", "coordinates": [2.0, 45.0]},
            intervals=((datetime(2019, 1, 1, tzinfo=UTC), None),),
        ),
        resolutions=(Resolution(distance=10.0, unit="m"), Resolution(scale_denominator=25000)),
        reference_systems=("EPSG:2154",),
        distributions=(Distribution("https://x.fr/a.tif", "WWW:DOWNLOAD-1.0-http--download", "tif"),),
        formats=("GeoTIFF",),
        constraints=Constraints(license="CC-BY-4.0", access=("otherRestrictions",), other=("none",)),
        dates=Dates(created=date(2020, 1, 2), revised=datetime(2021, 3, 4, 5, 6, tzinfo=UTC)),
        parent_identifier="parent-1",
        related=(Related("10.1/abc", "IsCitedBy", "DOI"),),
        version="2",
        sizes=("3 GB",),
        overviews=("https://x.fr/q.png",),
        pole="land",
        provenance=(Provenance("csw:https://x.fr/csw", "iso19139", "abc"),),
    )


def test_json_form_is_lossless():
    record = full_record()
    assert record_from_json(record_to_json(record)) == record


def test_json_form_keeps_date_precision():
    dates = record_from_json(record_to_json(full_record())).dates
    assert type(dates.created) is date
    assert isinstance(dates.revised, datetime)


def test_doi_found_in_identifiers():
    assert full_record().doi == "10.5281/zenodo.1234"
    assert Record("x", {"en": "t"}).doi is None
    assert bare_doi("doi:10.1/x") == "10.1/x"
    assert bare_doi("https://example.org/10.1/x") is None


def test_collection_view_carries_whole_record():
    record = full_record()
    collection = collection_from_record(record)
    assert collection.id == record.identifier
    assert collection.license == "CC-BY-4.0"
    assert collection.links[0].href == "https://x.fr/a.tif"
    assert collection.extra[RECORD_KEY]["version"] == "2"
    assert record_from_collection(collection) == record


def test_stac_collection_format_round_trip():
    record = full_record()
    data = formats.FORMATS["stac-collection"].encode(record)
    assert formats.detect(data) == "stac-collection"
    assert formats.parse_any(data) == record


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b'<?xml version="1.0"?><gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd">', "iso19139"),
        (b'<gmi:MI_Metadata xmlns:gmi="http://www.isotc211.org/2005/gmi" x="1">', "iso19139"),
        (b'<mdb:MD_Metadata xmlns:mdb="http://standards.iso.org/iso/19115/-3/mdb/2.0">', "iso19115-3"),
        (b'<!-- c --><resource xmlns="http://datacite.org/schema/kernel-4">', "datacite"),
        (b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/">', "oai_dc"),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', "dcat-rdfxml"),
        (b"@prefix dcat: <http://www.w3.org/ns/dcat#> .", "dcat-turtle"),
        (b'{"@context": "https://schema.org/", "@type": "Dataset"}', "schemaorg"),
        (b'{"@context": {"dcat": "http://www.w3.org/ns/dcat#"}}', "dcat-jsonld"),
    ],
)
def test_detect(head, name):
    assert formats.detect(head) == name


@pytest.mark.parametrize("data", [b"", b"hello", b"<html><body/></html>", b'{"type": "Feature"}'])
def test_detect_refuses_unknown(data):
    with pytest.raises(InvalidRecord):
        formats.detect(data)


@pytest.mark.parametrize(
    ("identifier", "prefix"),
    [
        ("10.82433/pgk2-ar97", "10.82433-pgk2-ar97-"),
        ("https://doi.org/10.5281/zenodo.1", "10.5281-zenodo.1-"),
        ("http://nobelprize.org/datasets/dcat#ds1", "http:-nobelprize.org-datasets-dcat-ds1-"),
        ("{uuid}", "uuid-"),
    ],
)
def test_catalog_id_is_one_path_segment(identifier, prefix):
    from terrapole.core.record import catalog_id

    made = catalog_id(identifier)
    assert made.startswith(prefix)
    assert "/" not in made and len(made) == len(prefix) + 8
    assert catalog_id("da165110-88fd-11da-a88f-000d939bc5d8") == "da165110-88fd-11da-a88f-000d939bc5d8"
    assert catalog_id(identifier + "x") != made


def test_required_parts_left_empty_come_back_from_json() -> None:
    from terrapole.core.model import Contact, Keyword
    from terrapole.core.record import Record
    from terrapole.core.record_json import record_from_json, record_to_json

    record = Record(
        identifier="x", title={"en": "t"}, keywords=(Keyword({}, thesaurus="GEMET"),), contacts=(Contact(""),)
    )
    assert record_from_json(record_to_json(record)) == record


def test_a_record_served_under_its_catalog_id_gets_its_own_identifier_back() -> None:
    from terrapole.core.record import catalog_id, own_identifier

    doi = "10.82433/B09Z-4K37"
    identifiers = (Identifier(doi, "DOI"), Identifier("12345", "Local"))
    served = Record(identifier=catalog_id(doi), title={"en": "t"}, identifiers=identifiers)
    assert own_identifier(served) == Record(identifier=doi, title={"en": "t"}, identifiers=identifiers)
    # Only the identifier whose catalog id it is, digest included, counts.
    lookalike = Record(identifier="10.82433-B09Z-4K37-00000000", title={}, identifiers=identifiers)
    assert own_identifier(lookalike) is lookalike
    plain = Record(identifier="12345", title={}, identifiers=identifiers)
    assert own_identifier(plain) is plain
