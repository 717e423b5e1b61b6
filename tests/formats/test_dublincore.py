"""Dublin Core: oai_dc records from DataCite's and pycsw's OAI-PMH servers, CSW 2.0.2 records,
round trips (modulo the documented losses) and multilingual output."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from lxml import etree

from terrapole import formats
from terrapole.core.errors import InvalidRecord
from terrapole.core.model import BBox, Keyword
from terrapole.formats import dublincore

from .metadata_fixtures import bilingual_record, oai_records, without

OAI_DC = list(oai_records("dc"))
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {"dc": dublincore.DC, "oai_dc": dublincore.OAI_DC}

CSW_RECORD = b"""<csw:Record xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dct="http://purl.org/dc/terms/"
    xmlns:ows="http://www.opengis.net/ows">
  <dc:identifier>urn:uuid:9a669547-b69b-469f-a11f-2d875366bbdc</dc:identifier>
  <dc:title xml:lang="fr">Niveaux des lacs</dc:title>
  <dc:title xml:lang="en">Lake water levels</dc:title>
  <dc:type>dataset</dc:type>
  <dc:subject>Hydrography</dc:subject>
  <dc:format>application/x-netcdf</dc:format>
  <dct:modified>2023-05-04</dct:modified>
  <dct:abstract xml:lang="en">Altimetry-derived water levels.</dct:abstract>
  <dc:rights>etalab-2.0</dc:rights>
  <dct:references scheme="OGC:WMS">https://example.org/wms</dct:references>
  <ows:BoundingBox crs="urn:ogc:def:crs:EPSG::4326">
    <ows:LowerCorner>42.3 -4.8</ows:LowerCorner>
    <ows:UpperCorner>51.1 8.2</ows:UpperCorner>
  </ows:BoundingBox>
</csw:Record>"""


@pytest.mark.parametrize(("name", "header", "data"), OAI_DC, ids=lambda v: v if isinstance(v, str) else "")
def test_oai_dc_records_in_oai_pmh_responses_are_detected_and_parse(name, header, data):
    assert formats.detect(data) == "oai_dc"
    record = dublincore.parse(data)
    assert record.identifier == header.removeprefix("doi:")
    assert dublincore.parse(dublincore.encode(record)) == record


def test_datacite_oai_dc_fields():
    data = next(d for name, _, d in OAI_DC if name == "datacite-viringo__oai_getrecord_dc.xml")
    record = dublincore.parse(data)
    assert record.doi == "10.5072/not-a-real-doi"
    assert record.title == {"und": "This is a fake DOI with fake metadata."}
    assert [(c.name, c.roles) for c in record.contacts] == [
        ("Fenner, Martin", ("author",)),
        ("Hallett, Richard", ("author",)),
        ("DataCite", ("publisher",)),
    ]
    # "Issued: 2018-01-18" wins over the bare publication year "2018".
    assert record.dates.published == date(2018, 1, 18)
    assert record.dates.created == date(2018, 1, 18) and record.dates.revised == date(2018, 1, 18)
    assert record.resource_type == "Text" and record.hierarchy_level == "document"
    assert [(r.identifier, r.relation) for r in record.related] == [
        ("10.5072/related-not-a-real-doi", "related")
    ]


def test_pycsw_oai_dc_fields():
    by_header = {
        header: dublincore.parse(data) for name, header, data in OAI_DC if name.startswith("pycsw__List")
    }
    service = by_header["urn:uuid:1ef30a8b-876d-4828-9246-c37ab4510bbd"]
    # ows:BoundingBox in EPSG:4326 lists latitude first.
    assert service.extent.bboxes == (BBox(13.754, 60.042, 17.92, 68.41),)
    assert service.hierarchy_level == "service" and service.resource_type == "Service"
    assert service.abstract == {"und": "Proin sit amet justo. In justo. Aenean adipiscing nulla id tellus."}
    image = by_header["urn:uuid:19887a8a-f6b0-4a63-ae56-7fba0e17801f"]
    assert image.title == {"und": "Lorem ipsum"} and image.formats == ("image/svg+xml",)
    assert image.extra == {"dc:coverage": ["GR-22"]}


def test_csw_record_parses_with_bbox_links_and_languages():
    assert formats.detect(CSW_RECORD) == "csw-record"
    record = formats.parse_any(CSW_RECORD)
    assert record.title == {"fr": "Niveaux des lacs", "en": "Lake water levels"}
    assert record.abstract == {"en": "Altimetry-derived water levels."}
    assert record.extent.bboxes == (BBox(-4.8, 42.3, 8.2, 51.1),)
    assert record.dates.revised == date(2023, 5, 4)
    assert record.constraints.license == "etalab-2.0"
    assert [(d.url, d.protocol) for d in record.distributions] == [("https://example.org/wms", "OGC:WMS")]
    brief = CSW_RECORD.replace(b"csw:Record", b"csw:BriefRecord")
    assert formats.detect(brief) == "csw-record" and formats.parse_any(brief).identifier == record.identifier


def test_french_and_english_text_carries_xml_lang():
    root = etree.fromstring(dublincore.encode(bilingual_record()))
    titles = {t.get(XML_LANG): t.text for t in root.iterfind("dc:title", NS)}
    assert titles == {"fr": "Hauteur des forêts de France", "en": "Forest height of France"}
    descriptions = {d.get(XML_LANG): d.text for d in root.iterfind("dc:description", NS)}
    assert descriptions == {"fr": "Carte de la hauteur des arbres.", "en": "Map of canopy height."}
    assert (
        "westlimit=-5.0; southlimit=41.0; eastlimit=10.0; northlimit=51.5;"
        in root.findall("dc:coverage", NS)[0].text
    )
    subjects = [s.text for s in root.iterfind("dc:subject", NS)]
    assert subjects[-2:] == ["environment", "Land cover"]
    assert formats.detect(etree.tostring(root)) == "oai_dc"


def test_round_trip_keeps_all_but_documented_losses():
    record = bilingual_record()
    again = dublincore.parse(dublincore.encode(record))
    # The documented losses that are not whole fields: roles, relation types, topic/theme subjects.
    expected = record.with_changes(
        contacts=tuple(
            replace(c, roles=(c.roles[0] if c.roles[0] in ("author", "publisher") else "contributor",))
            for c in record.contacts
        ),
        related=tuple(replace(r, relation="related") for r in record.related),
        keywords=record.keywords + tuple(Keyword({"und": t}) for t in ("environment", "Land cover")),
    )
    assert without(again, dublincore.DROPPED_FIELDS) == without(expected, dublincore.DROPPED_FIELDS)
    assert again.access == "embargo" and again.constraints.license_url == record.constraints.license_url


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<oai_dc:dc xmlns:oai_dc='http://www.openarchives.org/OAI/2.0/oai_dc/'/>", "without dc:identifier"),
        (b"<dc xmlns='urn:not-dc'/>", "unrecognised XML metadata"),
        (
            b"<oai_dc:dc xmlns:oai_dc='http://www.openarchives.org/OAI/2.0/oai_dc/' "
            b"xmlns:dc='http://purl.org/dc/elements/1.1/'><dc:identifier>x</dc:identifier>"
            b"<dc:coverage>westlimit=1; southlimit=95; eastlimit=2; northlimit=96;</dc:coverage></oai_dc:dc>",
            "latitudes must be finite and lie between -90 and 90",
        ),
    ],
)
def test_invalid_dublin_core_gets_a_specific_error(data, message):
    with pytest.raises(InvalidRecord, match=message):
        formats.parse_any(data)
