"""Records cut out of a CSW response are read where they stand, and read the same as parsed again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree
from tests.formats.metadata_fixtures import FIXTURES

from terrapole import formats
from terrapole.formats import iso19139
from terrapole.formats.xmlsafe import parse_xml
from terrapole.harvest.csw import CSW_NS, _records
from terrapole.harvest.parse import parse_document
from terrapole.harvest.sources import HarvestSource

ISO_FILES = sorted(
    path for path in (FIXTURES / "iso19139").glob("*.xml") if formats.detect(path.read_bytes()) == "iso19139"
)
SOURCE = HarvestSource("pole", "csw", "http://127.0.0.1:1/csw", "ocean", {})


def _page(*documents: bytes) -> etree._Element:
    """The SearchResults of a GetRecords response holding the documents, pretty-printed (its layout
    kept, as harvesters parse responses)."""
    response = etree.Element(f"{{{CSW_NS}}}GetRecordsResponse", nsmap={"csw": CSW_NS})
    results = etree.SubElement(response, f"{{{CSW_NS}}}SearchResults", numberOfRecordsMatched="2")
    for document in documents:
        results.append(etree.fromstring(document))
    data = etree.tostring(response, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    found = parse_xml(data, keep_layout=True).find(f"{{{CSW_NS}}}SearchResults")
    assert found is not None
    return found


def test_there_are_iso_19139_fixtures() -> None:
    assert len(ISO_FILES) >= 10


@pytest.mark.parametrize("path", ISO_FILES, ids=lambda p: p.stem)
def test_a_record_read_in_its_response_equals_the_record_parsed_from_its_bytes(path: object) -> None:
    data = path.read_bytes()  # type: ignore[attr-defined]
    other = (FIXTURES / "iso19139" / "geonetwork-sample__basins_in_africa.xml").read_bytes()
    documents, failures = _records(_page(other, data), 1)
    assert failures == []
    harvested = documents[1]
    assert harvested.element is not None
    expected = iso19139.parse(data)
    assert iso19139.read(harvested.element) == expected
    assert iso19139.parse(harvested.data) == expected
    now = datetime(2026, 1, 2, tzinfo=UTC)
    read_in_place = parse_document(harvested, SOURCE, now)
    parsed_again = parse_document(harvested.without_element(), SOURCE, now)
    assert read_in_place == parsed_again
    assert read_in_place.collections[0].id == parsed_again.collections[0].id
    assert read_in_place.collections[0].extra == parsed_again.collections[0].extra


def test_a_document_leaves_its_element_behind_for_other_processes() -> None:
    data = (FIXTURES / "iso19139" / "geonetwork-sample__basins_in_africa.xml").read_bytes()
    documents, _ = _records(_page(data), 1)
    shipped = documents[0].without_element()
    assert shipped.element is None
    assert shipped.data == documents[0].data
    assert shipped == documents[0]  # the element takes no part in comparisons
