"""CSW 2.0.2 response documents, laid out as pycsw and GeoNetwork write them: capabilities (with the
INSPIRE discovery service extended capabilities), DescribeRecord, GetDomain, GetRecords and
GetRecordById responses, the validate acknowledgement and the OWS 1.0.0 ExceptionReport.

Records are encoded one by one (`record_document`) and spliced as bytes into the envelope, so a
page of ISO 19139 records is never parsed back into a tree. ISO 19139 brief and summary records
are the full encoder's output for a record cut down to the fields of the element set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from lxml.builder import ElementMaker

from terrapole.core.model import Extent
from terrapole.core.record import Record
from terrapole.core.timeutil import format_instant
from terrapole.formats import csw_record, iso19139
from terrapole.protocols.csw_filter import DC_QUERYABLES, ISO_QUERYABLES
from terrapole.protocols.csw_requests import CSW, DOMAINS, GMD, OWS, VERSION
from terrapole.settings import Settings

XML = "application/xml"
DC = "http://purl.org/dc/elements/1.1/"
DCT = "http://purl.org/dc/terms/"
OGC = "http://www.opengis.net/ogc"
GML = "http://www.opengis.net/gml"
XLINK = "http://www.w3.org/1999/xlink"
XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
INSPIRE_DS = "http://inspire.ec.europa.eu/schemas/inspire_ds/1.0"
INSPIRE_COMMON = "http://inspire.ec.europa.eu/schemas/common/1.0"
NAMESPACES = {
    "csw": CSW,
    "dc": DC,
    "dct": DCT,
    "gmd": GMD,
    "gml": GML,
    "ogc": OGC,
    "ows": OWS,
    "xlink": XLINK,
    "xs": XS,
    "xsi": XSI,
    "inspire_ds": INSPIRE_DS,
    "inspire_common": INSPIRE_COMMON,
}
DISCOVERY_XSD = f"{CSW} http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd"
OPERATIONS = ("GetCapabilities", "DescribeRecord", "GetDomain", "GetRecords", "GetRecordById")
LANGUAGES = ("eng", "fre")
# The record fields each ISO 19139 element set keeps (OGC 07-045, the ISO Application Profile).
ISO_BRIEF = ("identifier", "title", "hierarchy_level", "overviews", "service_type")
ISO_SUMMARY = (
    *ISO_BRIEF,
    "abstract",
    "language",
    "languages",
    "keywords",
    "topic_categories",
    "inspire_themes",
    "contacts",
    "metadata_contacts",
    "dates",
    "formats",
    "distributions",
    "reference_systems",
    "resolutions",
    "parent_identifier",
    "extent",
)

csw = ElementMaker(namespace=CSW, nsmap=NAMESPACES)
ows = ElementMaker(namespace=OWS)
ogc = ElementMaker(namespace=OGC)
ic = ElementMaker(namespace=INSPIRE_COMMON)


def document(root: etree._Element) -> bytes:
    """An XML document with its declaration."""
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def exception_report(code: str, locator: str | None, text: str) -> bytes:
    """An OWS 1.0.0 ExceptionReport with one exception."""
    exception = ows.Exception(ows.ExceptionText(text), exceptionCode=code)
    if locator:
        exception.set("locator", locator)
    root = ows.ExceptionReport(exception, version="1.2.0", language="en")
    root.set(f"{{{XSI}}}schemaLocation", f"{OWS} http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd")
    return document(root)


# --- records -----------------------------------------------------------------------------------------


def record_document(record: Record, schema: str, element_set: str) -> bytes:
    """One record in an output schema ("csw" or "gmd") and element set, without XML declaration."""
    if schema == "csw":
        data: bytes = etree.tostring(csw_record.element(record, element_set))  # type: ignore[arg-type]
        return data
    return _without_declaration(iso19139.encode(_cut(record, element_set)))


def _cut(record: Record, element_set: str) -> Record:
    if element_set == "full":
        return record
    kept = ISO_BRIEF if element_set == "brief" else ISO_SUMMARY
    cut = Record(**{name: getattr(record, name) for name in kept})
    if element_set == "brief":
        cut = replace(cut, extent=Extent(bboxes=record.extent.bboxes))
    return cut


def _without_declaration(data: bytes) -> bytes:
    if data.startswith(b"<?xml"):
        data = data[data.index(b"?>") + 2 :]
    return data.strip()


def search_results(
    matched: int, next_record: int, schema: str, element_set: str, records: Sequence[bytes]
) -> bytes:
    """A GetRecordsResponse holding already encoded records."""
    results = csw.SearchResults(
        numberOfRecordsMatched=str(matched),
        numberOfRecordsReturned=str(len(records)),
        nextRecord=str(next_record),
        recordSchema=CSW if schema == "csw" else GMD,
        elementSet=element_set,
    )
    root = csw.GetRecordsResponse(csw.SearchStatus(timestamp=_now()), results, version=VERSION)
    root.set(f"{{{XSI}}}schemaLocation", DISCOVERY_XSD)
    return _splice(root, results, records)


def record_by_id(records: Sequence[bytes]) -> bytes:
    """A GetRecordByIdResponse holding already encoded records."""
    root = csw.GetRecordByIdResponse()
    root.set(f"{{{XSI}}}schemaLocation", DISCOVERY_XSD)
    return _splice(root, root, records)


def _splice(root: etree._Element, parent: etree._Element, records: Sequence[bytes]) -> bytes:
    if not records:
        return document(root)
    marker = "terrapole-records"
    parent.append(etree.Comment(marker))
    head, tail = document(root).split(f"<!--{marker}-->".encode(), 1)
    return b"".join((head, b"\n", b"\n".join(records), b"\n", tail))


def acknowledgement(echo: bytes) -> bytes:
    """The Acknowledgement of a GetRecords request with resultType=validate."""
    echoed = etree.fromstring(echo)  # our own serialisation of the already parsed request
    root = csw.Acknowledgement(csw.EchoedRequest(echoed), timeStamp=_now())
    return document(root)


def _now() -> str:
    return format_instant(datetime.now(UTC).replace(microsecond=0))


# --- GetDomain and DescribeRecord --------------------------------------------------------------------


def domain_values(name: str, is_parameter: bool, values: Iterable[str]) -> bytes:
    """A GetDomainResponse listing the values of a parameter or a queryable."""
    tag = "ParameterName" if is_parameter else "PropertyName"
    values_element = csw.DomainValues(
        csw(tag, name), csw.ListOfValues(*(csw.Value(v) for v in values)), type="csw:Record"
    )
    return document(csw.GetDomainResponse(values_element))


def describe_record(type_names: Sequence[str]) -> bytes:
    """A DescribeRecordResponse: one XML Schema component per record type."""
    components = [_record_schema() if name == "csw" else _iso_schema() for name in dict.fromkeys(type_names)]
    root = csw.DescribeRecordResponse(*components)
    root.set(f"{{{XSI}}}schemaLocation", DISCOVERY_XSD)
    return document(root)


def _iso_schema() -> etree._Element:
    xs = ElementMaker(namespace=XS)
    schema = xs.schema(
        xs.include(schemaLocation="http://schemas.opengis.net/iso/19139/20060504/gmd/gmd.xsd"),
        targetNamespace=GMD,
        elementFormDefault="qualified",
    )
    return csw.SchemaComponent(
        schema, schemaLanguage="XMLSCHEMA", targetNamespace=GMD, parentSchema="gmd.xsd"
    )


def _record_schema() -> etree._Element:
    """csw:Record and its brief and summary forms (after CSW 2.0.2 record.xsd)."""
    xs = ElementMaker(namespace=XS)
    dc_xsd = "http://schemas.opengis.net/csw/2.0.2/rec-dcmes.xsd"
    dct_xsd = "http://schemas.opengis.net/csw/2.0.2/rec-dcterms.xsd"
    box = xs.element(ref="ows:BoundingBox", minOccurs="0", maxOccurs="unbounded")
    brief = [
        xs.element(ref="dc:identifier", minOccurs="1", maxOccurs="unbounded"),
        xs.element(ref="dc:title", minOccurs="1", maxOccurs="unbounded"),
        xs.element(ref="dc:type", minOccurs="0"),
    ]
    summary_extra = [
        xs.element(ref=name, minOccurs="0", maxOccurs="unbounded")
        for name in ("dc:subject", "dc:format", "dc:relation", "dct:modified", "dct:abstract", "dct:spatial")
    ]
    types = {
        "BriefRecordType": [*brief, box],
        "SummaryRecordType": [*brief, *summary_extra, box],
        "RecordType": [xs.element(ref="dc:DC-element", minOccurs="0", maxOccurs="unbounded"), box],
    }
    schema = xs.schema(
        xs("import", namespace=DC, schemaLocation=dc_xsd),
        xs("import", namespace=DCT, schemaLocation=dct_xsd),
        xs("import", namespace=OWS, schemaLocation="http://schemas.opengis.net/ows/1.0.0/owsAll.xsd"),
        *(xs.element(name=n.removesuffix("Type"), type=f"csw:{n}") for n in types),
        *(xs.complexType(xs.sequence(*parts), name=n) for n, parts in types.items()),
        targetNamespace=CSW,
        elementFormDefault="qualified",
        version=VERSION,
    )
    return csw.SchemaComponent(schema, schemaLanguage="XMLSCHEMA", targetNamespace=CSW)


# --- capabilities ------------------------------------------------------------------------------------


def capabilities(endpoint: str, settings: Settings, sections: frozenset[str] | None) -> bytes:
    """The capabilities document; `sections` None or empty means all of them."""
    parts: dict[str, Callable[[str, Settings], etree._Element]] = {
        "ServiceIdentification": _identification,
        "ServiceProvider": _provider,
        "OperationsMetadata": _operations,
        "Filter_Capabilities": lambda e, s: _filter_capabilities(),
    }
    root = csw.Capabilities(version=VERSION)
    root.set(f"{{{XSI}}}schemaLocation", DISCOVERY_XSD)
    for name, build in parts.items():
        if not sections or name in sections:
            root.append(build(endpoint, settings))
    return document(root)


def _identification(endpoint: str, settings: Settings) -> etree._Element:
    return ows.ServiceIdentification(
        ows.Title(settings.title),
        ows.Abstract(settings.description),
        ows.Keywords(
            *(ows.Keyword(k) for k in ("catalogue", "discovery", "Earth system", "infoCatalogueService")),
            ows.Type("theme", codeSpace="ISOTC211/19115"),
        ),
        ows.ServiceType("CSW", codeSpace="OGC"),
        ows.ServiceTypeVersion(VERSION),
        ows.Fees("None"),
        ows.AccessConstraints("None"),
    )


def _provider(endpoint: str, settings: Settings) -> etree._Element:
    site = ows.ProviderSite()
    site.set(f"{{{XLINK}}}href", endpoint.rsplit("/", 1)[0] + "/")
    contact = ows.ServiceContact(
        ows.ContactInfo(ows.Address(ows.ElectronicMailAddress(settings.contact_email))),
        ows.Role("pointOfContact", codeSpace="ISOTC211/19115"),
    )
    return ows.ServiceProvider(ows.ProviderName(settings.title), site, contact)


def _operations(endpoint: str, settings: Settings) -> etree._Element:
    operations = [_operation(name, endpoint) for name in OPERATIONS]
    constraints = [
        _values(ows.Constraint, "MaxRecordDefault", [str(settings.default_limit)]),
        _values(ows.Constraint, "PostEncoding", ["XML"]),
    ]
    return ows.OperationsMetadata(
        *operations,
        _values(ows.Parameter, "service", ["CSW"]),
        _values(ows.Parameter, "version", [VERSION]),
        *constraints,
        _inspire(endpoint, settings),
    )


def _operation(name: str, endpoint: str) -> etree._Element:
    links = []
    for method in (ows.Get, ows.Post):
        link = method()
        link.set(f"{{{XLINK}}}type", "simple")
        link.set(f"{{{XLINK}}}href", endpoint)
        links.append(link)
    element = ows.Operation(ows.DCP(ows.HTTP(*links)), name=name)
    for key, values in DOMAINS.items():
        operation, _, parameter = key.partition(".")
        if operation == name:
            element.append(_values(ows.Parameter, parameter, values))
    if name == "GetRecords":
        element.append(_values(ows.Constraint, "SupportedISOQueryables", ISO_QUERYABLES))
        element.append(_values(ows.Constraint, "SupportedDublinCoreQueryables", DC_QUERYABLES))
    return element


def _values(maker: Any, name: str, values: Iterable[str]) -> etree._Element:
    element: etree._Element = maker(*(ows.Value(v) for v in values), name=name)
    return element


def _inspire(endpoint: str, settings: Settings) -> etree._Element:
    """INSPIRE discovery service extended capabilities (Technical Guidance for Discovery Services)."""
    today = datetime.now(UTC).date().isoformat()
    url = f"{endpoint}?service=CSW&version={VERSION}&request=GetCapabilities"
    keyword = ic.MandatoryKeyword(ic.KeywordValue("infoCatalogueService"))
    keyword.set(f"{{{XSI}}}type", "inspire_common:classificationOfSpatialDataService")
    specification = ic.Specification(
        ic.Title(
            "COMMISSION REGULATION (EU) No 1089/2010 of 23 November 2010 implementing Directive 2007/2/EC "
            "as regards interoperability of spatial data sets and services"
        ),
        ic.DateOfPublication("2010-12-08"),
    )
    specification.set(f"{{{XSI}}}type", "inspire_common:citationInspireInteroperabilityRegulation_eng")
    element = ElementMaker(namespace=INSPIRE_DS).ExtendedCapabilities(
        ic.ResourceLocator(ic.URL(url), ic.MediaType(XML)),
        ic.ResourceType("service"),
        ic.TemporalReference(ic.DateOfLastRevision(today)),
        ic.Conformity(specification, ic.Degree("notEvaluated")),
        ic.MetadataPointOfContact(
            ic.OrganisationName(settings.title), ic.EmailAddress(settings.contact_email)
        ),
        ic.MetadataDate(today),
        ic.SpatialDataServiceType("discovery"),
        keyword,
        ic.SupportedLanguages(
            ic.DefaultLanguage(ic.Language(LANGUAGES[0])),
            *(ic.SupportedLanguage(ic.Language(code)) for code in LANGUAGES),
        ),
        ic.ResponseLanguage(ic.Language(LANGUAGES[0])),
    )
    element.set(
        f"{{{XSI}}}schemaLocation",
        f"{INSPIRE_DS} http://inspire.ec.europa.eu/schemas/inspire_ds/1.0/inspire_ds.xsd",
    )
    return element


def _filter_capabilities() -> etree._Element:
    comparisons = (
        "Between EqualTo GreaterThan GreaterThanEqualTo LessThan LessThanEqualTo Like NotEqualTo NullCheck"
    )
    spatial = (
        "BBOX",
        "Contains",
        "Crosses",
        "Disjoint",
        "Equals",
        "Intersects",
        "Overlaps",
        "Touches",
        "Within",
    )
    geometry = ("gml:Envelope", "gml:Point", "gml:LineString", "gml:Polygon")
    return ogc.Filter_Capabilities(
        ogc.Spatial_Capabilities(
            ogc.GeometryOperands(*(ogc.GeometryOperand(g) for g in geometry)),
            ogc.SpatialOperators(*(ogc.SpatialOperator(name=s) for s in spatial)),
        ),
        ogc.Scalar_Capabilities(
            ogc.LogicalOperators(),
            ogc.ComparisonOperators(*(ogc.ComparisonOperator(c) for c in comparisons.split())),
        ),
        ogc.Id_Capabilities(ogc.EID(), ogc.FID()),
    )
