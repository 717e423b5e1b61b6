"""schema.org Dataset JSON-LD: the shape Google Dataset Search reads, round trips, and parsing of
documents written the way publishers write them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import orjson
import pytest
import rdflib

from terrapole import formats
from terrapole.core.errors import InvalidRecord
from terrapole.core.model import BBox
from terrapole.formats import datacite, schemaorg

from .metadata_fixtures import FIXTURES, bilingual_record, without

SDO = rdflib.Namespace("https://schema.org/")


def encoded() -> dict:
    return orjson.loads(schemaorg.encode(bilingual_record()))


def test_encoding_has_what_google_dataset_search_reads():
    node = encoded()
    assert (node["@context"], node["@type"], node["name"]) == (
        "https://schema.org/",
        "Dataset",
        "Hauteur des forêts de France",
    )
    assert node["description"] == "Carte de la hauteur des arbres."
    assert node["url"] == "https://x.fr/hf"
    assert node["sameAs"] == "https://doi.org/10.5281/zenodo.1234"
    assert node["identifier"][0] == {
        "@type": "PropertyValue",
        "propertyID": "https://registry.identifiers.org/registry/doi",
        "value": "doi:10.5281/zenodo.1234",
        "url": "https://doi.org/10.5281/zenodo.1234",
    }
    assert node["keywords"][1] == "hauteur de canopée"
    assert node["keywords"][0]["inDefinedTermSet"]["name"] == "GCMD Science Keywords"
    assert node["license"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert node["creator"] == {
        "@type": "Person",
        "name": "Dupont, Marie",
        "identifier": "https://orcid.org/0000-0002-1825-0097",
        "affiliation": {"@type": "Organization", "name": "ONF", "identifier": "https://ror.org/03yyvd929"},
    }
    assert node["publisher"]["@type"] == "Organization" and node["publisher"]["name"] == "Theia"
    assert (node["datePublished"], node["dateModified"]) == ("2020-06-01", "2021-03-04T05:06:00Z")
    assert node["temporalCoverage"] == "2019-01-01/.."
    assert node["spatialCoverage"][0] == {
        "@type": "Place",
        "geo": {"@type": "GeoShape", "box": "41.0 -5.0 51.5 10.0"},
    }
    assert node["distribution"] == {
        "@type": "DataDownload",
        "contentUrl": "https://x.fr/hf.tif",
        "encodingFormat": "image/tiff",
        "name": "GeoTIFF",
    }
    assert node["includedInDataCatalog"] == {"@type": "DataCatalog", "name": "terrapole land data centre"}
    assert (node["inLanguage"], node["version"], node["isAccessibleForFree"]) == ("fr", "2", False)
    assert formats.detect(schemaorg.encode(bilingual_record())) == "schemaorg"


def test_encoding_is_json_ld_that_rdflib_reads():
    # An independent reader: the JSON-LD gives the expected triples (context served locally).
    node = encoded()
    node["@context"] = {"@vocab": "https://schema.org/"}
    graph = rdflib.Graph().parse(data=orjson.dumps(node), format="json-ld")
    dataset = rdflib.URIRef("https://doi.org/10.5281/zenodo.1234")
    assert (dataset, rdflib.RDF.type, SDO.Dataset) in graph
    assert (dataset, SDO.name, rdflib.Literal("Hauteur des forêts de France")) in graph
    assert (dataset, SDO.alternateName, rdflib.Literal("Forest height of France", lang="en")) in graph


def test_round_trip_keeps_all_but_dropped_fields():
    record = bilingual_record()
    again = schemaorg.parse(schemaorg.encode(record))
    # Keywords keep one label, read back with an undetermined language.
    expected = record.with_changes(
        keywords=tuple(replace(k, label={"und": next(iter(k.label.values()))}) for k in record.keywords)
    )
    assert without(again, schemaorg.DROPPED_FIELDS) == without(expected, schemaorg.DROPPED_FIELDS)
    assert again.title == record.title and again.access == "embargo"


@pytest.mark.parametrize(
    "name",
    ["datacite-4.7__datacite-example-dataset-v4.xml", "datacite-4__datacite-example-GeoLocation-v4.xml"],
)
def test_datacite_records_through_schema_org(name):
    record = datacite.parse((FIXTURES / "datacite" / name).read_bytes())
    again = schemaorg.parse(schemaorg.encode(record))
    assert again.doi == record.doi and again.title == record.title and again.abstract == record.abstract
    assert again.extent.bboxes == record.extent.bboxes
    assert again.constraints.license_url == record.constraints.license_url
    assert [c.name for c in again.contacts] == [c.name for c in record.contacts]


def test_publisher_style_document_parses():
    document = {
        "@context": {"@vocab": "http://schema.org/"},
        "@graph": [
            {"@type": "WebPage", "name": "not this"},
            {
                "@type": "schema:Dataset",
                "@id": "https://data.example.org/ds/42",
                "name": "Snow cover of the Alps",
                "description": "Daily snow cover maps.",
                "keywords": ["snow", "Alps"],
                "license": "https://spdx.org/licenses/CC0-1.0",
                "creator": [{"@type": "Organization", "name": "CNES"}, "Jane Doe"],
                "temporalCoverage": "2000-02-24/..",
                "spatialCoverage": {
                    "@type": "Place",
                    "geo": {"@type": "GeoCoordinates", "latitude": 45.9, "longitude": 6.9},
                },
                "distribution": [
                    {
                        "@type": "DataDownload",
                        "contentUrl": "https://data.example.org/42.nc",
                        "encodingFormat": "netCDF",
                    }
                ],
                "datePublished": "2021",
            },
        ],
    }
    record = formats.parse_any(orjson.dumps(document))
    assert record.identifier == "https://data.example.org/ds/42"
    assert record.title == {"und": "Snow cover of the Alps"}
    assert [k.label for k in record.keywords] == [{"und": "snow"}, {"und": "Alps"}]
    assert record.constraints.license == "CC0-1.0"
    assert [(c.name, c.kind) for c in record.contacts] == [("CNES", "organisation"), ("Jane Doe", None)]
    assert record.extent.intervals == ((datetime(2000, 2, 24, tzinfo=UTC), None),)
    assert record.extent.bboxes == (BBox(6.9, 45.9, 6.9, 45.9),)
    assert record.distributions[0].format == "netCDF"
    assert record.dates.published == date(2021, 1, 1) and record.access == "open"


def test_document_without_dataset_gets_a_specific_error():
    with pytest.raises(InvalidRecord, match="no node of @type Dataset"):
        schemaorg.parse(b'{"@context": "https://schema.org/", "@type": "WebPage"}')
