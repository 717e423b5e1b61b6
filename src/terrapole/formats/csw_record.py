"""CSW 2.0.2 `csw:Record` (full), `csw:SummaryRecord` and `csw:BriefRecord`: the Dublin Core records a
catalogue serves, written from a Record; reading them is `dublincore.parse`.

The elements are those of the oai_dc mapping (`dublincore.dc_elements`, which says what Dublin Core
keeps), laid out as CSW wants them:
- dc:type is the ISO 19115 scope (dataset, series, service...), the value `dc:type` and `apiso:Type`
  filters compare with, as pycsw and GeoNetwork do;
- the abstract is dct:abstract, the metadata date (else the revision date) dct:modified, the
  distributions dct:references with their protocol as `scheme`;
- boxes are ows:BoundingBox in urn:x-ogc:def:crs:EPSG:6.11:4326, latitude first, as CSW 2.0.2
  clients (OWSLib, GDAL) read them;
- a summary keeps identifier, title, type, subject, format, relation, modified, abstract and the
  boxes; a brief record identifier, title, type and the boxes (the element sets of OGC 07-006r1).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from lxml import etree

from terrapole.core.record import UNDETERMINED, Record
from terrapole.formats import dublincore
from terrapole.formats.w3cdtf import format_date

CSW = "http://www.opengis.net/cat/csw/2.0.2"
DC = dublincore.DC
DCT = dublincore.DCT
OWS = dublincore.OWS
XML_LANG = dublincore.XML_LANG
MEDIA_TYPE = "application/xml"
NAMESPACES = {"csw": CSW, "dc": DC, "dct": DCT, "ows": OWS}
BOX_CRS = "urn:x-ogc:def:crs:EPSG:6.11:4326"

ElementSet = Literal["brief", "summary", "full"]
ELEMENT_SETS: tuple[ElementSet, ...] = ("brief", "summary", "full")
ROOTS: dict[ElementSet, str] = {"brief": "BriefRecord", "summary": "SummaryRecord", "full": "Record"}
# Which Dublin Core elements each element set keeps, in the order its schema lists them.
BRIEF = (f"{{{DC}}}identifier", f"{{{DC}}}title", f"{{{DC}}}type")
SUMMARY = (
    *BRIEF,
    f"{{{DC}}}subject",
    f"{{{DC}}}format",
    f"{{{DC}}}relation",
    f"{{{DCT}}}modified",
    f"{{{DCT}}}abstract",
)
# Dublin Core element names of the oai_dc mapping that CSW spells otherwise or leaves out.
_RENAMED = {"description": f"{{{DCT}}}abstract"}
_LEFT_OUT = frozenset({"type"})  # written as the ISO scope instead

Element = tuple[str, str, str | None, dict[str, str]]


def element(record: Record, element_set: ElementSet = "full") -> etree._Element:
    """The csw:Record, csw:SummaryRecord or csw:BriefRecord element of a record."""
    root = etree.Element(f"{{{CSW}}}{ROOTS[element_set]}", nsmap=NAMESPACES)
    for tag, text, lang, attributes in _selected(_elements(record), element_set):
        child = etree.SubElement(root, tag, attributes)
        child.text = text
        if lang and lang != UNDETERMINED:
            child.set(XML_LANG, lang)
    for box in record.extent.bboxes:
        _bounding_box(root, box.west, box.south, box.east, box.north)
    return root


def encode(record: Record) -> bytes:
    """The csw:Record document of a record."""
    document: bytes = etree.tostring(element(record), xml_declaration=True, encoding="UTF-8")
    return document


def parse(data: bytes) -> Record:
    """A Record from a csw:Record, csw:SummaryRecord or csw:BriefRecord document."""
    return dublincore.parse(data)


def _elements(record: Record) -> list[Element]:
    found: list[Element] = [(f"{{{DC}}}type", record.hierarchy_level, None, {})]
    for name, text, lang in dublincore.dc_elements(record):
        if name in _LEFT_OUT or (name == "coverage" and "=" in text):  # boxes: ows:BoundingBox
            continue
        found.append((_RENAMED.get(name, f"{{{DC}}}{name}"), text, lang, {}))
    modified = record.dates.metadata or record.dates.revised
    if modified is not None:
        found.append((f"{{{DCT}}}modified", format_date(modified), None, {}))
    for distribution in record.distributions:
        scheme = {"scheme": distribution.protocol} if distribution.protocol else {}
        found.append((f"{{{DCT}}}references", distribution.url, None, scheme))
    return found


def _selected(elements: list[Element], element_set: ElementSet) -> Iterable[Element]:
    if element_set == "full":
        # Identifiers and titles first, as every CSW writes them; the rest in mapping order.
        first = {BRIEF[0]: 0, BRIEF[1]: 1}
        return sorted(elements, key=lambda e: first.get(e[0], 2))
    kept = BRIEF if element_set == "brief" else SUMMARY
    order = {tag: index for index, tag in enumerate(kept)}
    return sorted((e for e in elements if e[0] in order), key=lambda e: order[e[0]])


def _bounding_box(root: etree._Element, west: float, south: float, east: float, north: float) -> None:
    box = etree.SubElement(root, f"{{{OWS}}}BoundingBox", crs=BOX_CRS, dimensions="2")
    etree.SubElement(box, f"{{{OWS}}}LowerCorner").text = f"{south!r} {west!r}"
    etree.SubElement(box, f"{{{OWS}}}UpperCorner").text = f"{north!r} {east!r}"
