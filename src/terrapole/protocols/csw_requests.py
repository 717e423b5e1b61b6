"""CSW 2.0.2 requests, from KVP (GET) or XML (POST), into one typed request per operation.

Every refusal is a `CswError` carrying the OWS exception code and locator the ExceptionReport
names. KVP parameter names are case-insensitive, as OGC 07-006r1 (10.5.2) wants. `DOMAINS` lists
the values each parameter takes: validation, capabilities and GetDomain read the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from terrapole.core.errors import InvalidParameter, InvalidRecord
from terrapole.core.query import SortField
from terrapole.formats.xmlsafe import parse_xml
from terrapole.protocols.csw_fes import OGC, tree_from_cql, tree_from_fes
from terrapole.protocols.csw_filter import Constraint, constraint_from_tree, queryable

CSW = "http://www.opengis.net/cat/csw/2.0.2"
OWS = "http://www.opengis.net/ows"
GMD = "http://www.isotc211.org/2005/gmd"
VERSION = "2.0.2"
SCHEMAS = {CSW: "csw", GMD: "gmd"}
TYPE_NAMES = {"Record": "csw", "MD_Metadata": "gmd"}
XML_SCHEMA = "http://www.w3.org/XML/Schema"
# The values each operation parameter takes (capabilities and GetDomain list them).
DOMAINS: dict[str, tuple[str, ...]] = {
    "GetCapabilities.sections": (
        "All",
        "Filter_Capabilities",
        "OperationsMetadata",
        "ServiceIdentification",
        "ServiceProvider",
    ),
    "DescribeRecord.outputFormat": ("application/xml",),
    "DescribeRecord.schemaLanguage": (XML_SCHEMA, "http://www.w3.org/2001/XMLSchema", "XMLSCHEMA"),
    "DescribeRecord.typeName": ("csw:Record", "gmd:MD_Metadata"),
    "GetRecords.CONSTRAINTLANGUAGE": ("CQL_TEXT", "FILTER"),
    "GetRecords.ElementSetName": ("brief", "summary", "full"),
    "GetRecords.outputFormat": ("application/xml",),
    "GetRecords.outputSchema": (CSW, GMD),
    "GetRecords.resultType": ("hits", "results", "validate"),
    "GetRecords.typeNames": ("csw:Record", "gmd:MD_Metadata"),
    "GetRecordById.ElementSetName": ("brief", "summary", "full"),
    "GetRecordById.outputFormat": ("application/xml",),
    "GetRecordById.outputSchema": (CSW, GMD),
}
OUTPUT_FORMATS = frozenset({"application/xml", "text/xml"})


class CswError(Exception):
    """A request CSW refuses: an OWS exception code, the parameter it is about, and why."""

    def __init__(self, code: str, locator: str | None, text: str, status: int = 400) -> None:
        super().__init__(text)
        self.code = code
        self.locator = locator
        self.text = text
        self.status = status


def missing(locator: str) -> CswError:
    """MissingParameterValue for a parameter."""
    return CswError("MissingParameterValue", locator, f"missing parameter {locator!r}")


def invalid(locator: str, text: str) -> CswError:
    """InvalidParameterValue for a parameter."""
    return CswError("InvalidParameterValue", locator, text)


@dataclass(frozen=True, slots=True)
class GetCapabilities:
    """GetCapabilities: the sections wanted (None: all)."""

    sections: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class DescribeRecord:
    """DescribeRecord: the type names described ("csw", "gmd")."""

    type_names: tuple[str, ...] = ("csw", "gmd")


@dataclass(frozen=True, slots=True)
class GetDomain:
    """GetDomain of an operation parameter (`Operation.parameter`) or a queryable property."""

    parameter: str | None = None
    property: str | None = None


@dataclass(frozen=True, slots=True)
class GetRecords:
    """GetRecords, its constraint already mapped onto the catalog."""

    schema: str = "csw"
    element_set: str = "summary"
    result_type: str = "hits"
    start: int = 1
    max_records: int = 10
    constraint: Constraint = field(default_factory=Constraint)
    sortby: tuple[SortField, ...] = ()
    echo: bytes | None = None  # the request, for resultType=validate


@dataclass(frozen=True, slots=True)
class GetRecordById:
    """GetRecordById."""

    ids: tuple[str, ...]
    schema: str = "csw"
    element_set: str = "summary"


CswRequest = GetCapabilities | DescribeRecord | GetDomain | GetRecords | GetRecordById


# --- KVP -------------------------------------------------------------------------------------------


def from_kvp(pairs: Mapping[str, str]) -> CswRequest:
    """The request of a GET query string (parameter names in any case)."""
    kvp = {key.lower(): value for key, value in pairs.items()}
    operation = _operation(kvp.get("request"))
    _check_service(kvp.get("service"))
    if operation == "GetCapabilities":
        _negotiate(split(kvp.get("acceptversions")))
        return GetCapabilities(_sections(split(kvp.get("sections"))) if "sections" in kvp else None)
    _check_version(kvp.get("version"))
    return _KVP_READERS[operation](kvp)


def split(value: str | None) -> list[str]:
    """The values of a comma- (or space-) separated parameter, blanks dropped."""
    return [part.strip() for part in (value or "").replace(",", " ").split() if part.strip()]


def _operation(name: str | None) -> str:
    if not name:
        raise missing("request")
    operation = next((op for op in _KVP_READERS if op.lower() == name.strip().lower()), None)
    if operation is None and name.strip().lower() != "getcapabilities":
        raise CswError("OperationNotSupported", name[:100], f"operation {name[:100]!r} is not supported")
    return operation or "GetCapabilities"


def _check_service(service: str | None) -> None:
    if service is None or not service.strip():
        raise missing("service")
    if service.strip().upper() != "CSW":
        raise invalid("service", f"service must be CSW, not {service[:50]!r}")


def _check_version(version: str | None) -> None:
    if version is None or not version.strip():
        raise missing("version")
    if version.strip() != VERSION:
        raise invalid("version", f"this service speaks CSW {VERSION}, not {version[:20]!r}")


def _negotiate(versions: list[str]) -> None:
    if versions and VERSION not in versions:
        raise CswError("VersionNegotiationFailed", "acceptVersions", f"none of {versions[:5]} is {VERSION}")


def _sections(names: list[str]) -> frozenset[str]:
    known = {name.lower(): name for name in DOMAINS["GetCapabilities.sections"]}
    unknown = [name for name in names if name.lower() not in known]
    if unknown:
        raise invalid("sections", f"unknown section {unknown[0][:60]!r}")
    chosen = frozenset(known[name.lower()] for name in names)
    return frozenset() if "All" in chosen or not chosen else chosen


def _describe_kvp(kvp: dict[str, str]) -> DescribeRecord:
    _check_format(kvp.get("outputformat"), "outputFormat")
    _check_schema_language(kvp.get("schemalanguage"))
    names = split(kvp.get("typename"))
    return DescribeRecord(type_names(names, "typeName") if names else ("csw", "gmd"))


def _domain_kvp(kvp: dict[str, str]) -> GetDomain:
    return _domain(kvp.get("parametername"), kvp.get("propertyname"))


def _records_kvp(kvp: dict[str, str]) -> GetRecords:
    if "typenames" not in kvp:
        raise missing("typeNames")
    type_names(split(kvp["typenames"]), "typeNames")
    if "elementname" in kvp:
        raise invalid("ElementName", "ElementName is not supported: use ElementSetName")
    return GetRecords(
        schema=output_schema(kvp.get("outputschema")),
        element_set=element_set(kvp.get("elementsetname"), "summary"),
        result_type=result_type(kvp.get("resulttype")),
        start=integer(kvp.get("startposition"), "startPosition", 1, minimum=1),
        max_records=integer(kvp.get("maxrecords"), "maxRecords", 10, minimum=0),
        constraint=_kvp_constraint(kvp),
        sortby=_kvp_sortby(kvp.get("sortby")),
        echo=_kvp_echo(kvp),
    )


def _kvp_echo(kvp: dict[str, str]) -> bytes:
    """The KVP request as a csw:GetRecords element with one attribute per parameter (what
    resultType=validate echoes)."""
    element = etree.Element(f"{{{CSW}}}GetRecords", nsmap={"csw": CSW})
    for key, value in kvp.items():
        if key.isidentifier():
            element.set(key, value)
    echo: bytes = etree.tostring(element)
    return echo


def _kvp_constraint(kvp: dict[str, str]) -> Constraint:
    _check_format(kvp.get("outputformat"), "outputFormat")
    text = kvp.get("constraint")
    if text is None or not text.strip():
        return Constraint()
    language = kvp.get("constraintlanguage")
    if not language:
        raise missing("CONSTRAINTLANGUAGE")
    if language.upper() == "CQL_TEXT":
        return _constraint(lambda: tree_from_cql(text))
    if language.upper() == "FILTER":
        return _constraint(lambda: tree_from_fes(_filter_element(text.encode())))
    raise invalid("CONSTRAINTLANGUAGE", f"use CQL_TEXT or FILTER, not {language[:40]!r}")


def _kvp_sortby(text: str | None) -> tuple[SortField, ...]:
    keys = []
    for spec in split(text):
        name, _, order = spec.rpartition(":") if spec.upper().endswith((":A", ":D")) else (spec, "", "A")
        keys.append(sort_field(name, "DESC" if order.upper() == "D" else "ASC"))
    return tuple(keys)


def _record_by_id_kvp(kvp: dict[str, str]) -> GetRecordById:
    _check_format(kvp.get("outputformat"), "outputFormat")
    ids = tuple(part.strip() for part in (kvp.get("id") or "").split(",") if part.strip())
    if not ids:
        raise missing("Id")
    return GetRecordById(
        ids, output_schema(kvp.get("outputschema")), element_set(kvp.get("elementsetname"), "summary")
    )


_KVP_READERS: dict[str, Callable[[dict[str, str]], CswRequest]] = {
    "GetCapabilities": lambda kvp: GetCapabilities(),
    "DescribeRecord": _describe_kvp,
    "GetDomain": _domain_kvp,
    "GetRecords": _records_kvp,
    "GetRecordById": _record_by_id_kvp,
}


# --- shared checks -----------------------------------------------------------------------------------


def output_schema(value: str | None) -> str:
    """ "csw" or "gmd" from an outputSchema URI (csw:Record by default)."""
    if value is None or not value.strip():
        return "csw"
    schema = SCHEMAS.get(value.strip())
    if schema is None:
        raise invalid("outputSchema", f"unsupported output schema {value[:100]!r}; use {CSW} or {GMD}")
    return schema


def element_set(value: str | None, default: str) -> str:
    """brief, summary or full."""
    chosen = (value or default).strip().lower()
    if chosen not in DOMAINS["GetRecords.ElementSetName"]:
        raise invalid("ElementSetName", f"use brief, summary or full, not {chosen[:40]!r}")
    return chosen


def result_type(value: str | None) -> str:
    """hits (the CSW 2.0.2 default), results or validate."""
    chosen = (value or "hits").strip().lower()
    if chosen not in DOMAINS["GetRecords.resultType"]:
        raise invalid("resultType", f"use hits, results or validate, not {chosen[:40]!r}")
    return chosen


def type_names(names: list[str], locator: str) -> tuple[str, ...]:
    """The catalog record types ("csw", "gmd") named by `csw:Record` and `gmd:MD_Metadata`."""
    found = tuple(TYPE_NAMES.get(name.rsplit(":", 1)[-1], "") for name in names)
    if not names or "" in found:
        raise invalid(locator, f"use csw:Record or gmd:MD_Metadata, not {' '.join(names)[:100]!r}")
    return found


def integer(value: str | None, locator: str, default: int, minimum: int) -> int:
    """A whole number of at least `minimum` (arbitrarily large: callers cap it)."""
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise invalid(locator, f"{value[:40]!r} is not an integer") from None
    if number < minimum:
        raise invalid(locator, f"must be at least {minimum}, got {number}")
    return number


def sort_field(name: str, order: str) -> SortField:
    """A sort key on the catalog queryable of a CSW property."""
    try:
        target = queryable(name)
    except InvalidParameter as error:
        raise invalid("SortBy", error.message.removeprefix("Constraint: ")) from None
    if target.kind in ("geometry", "anytext"):
        raise invalid("SortBy", f"cannot sort by {name!r}")
    if order.upper() not in ("ASC", "DESC"):
        raise invalid("SortBy", f"sort order is ASC or DESC, not {order[:20]!r}")
    return SortField(target.name, order.upper() == "DESC")


def _check_format(value: str | None, locator: str) -> None:
    if value is not None and value.strip() and value.split(";")[0].strip() not in OUTPUT_FORMATS:
        raise invalid(locator, f"only application/xml is served, not {value[:60]!r}")


def _check_schema_language(value: str | None) -> None:
    if value and value.strip() not in DOMAINS["DescribeRecord.schemaLanguage"]:
        raise invalid("schemaLanguage", f"only XML Schema is served, not {value[:80]!r}")


def _domain(parameter: str | None, prop: str | None) -> GetDomain:
    if not parameter and not prop:
        raise missing("ParameterName")
    if parameter:
        known = {name.lower(): name for name in DOMAINS}
        if parameter.strip().lower() not in known:
            raise invalid("ParameterName", f"unknown parameter {parameter[:80]!r}")
        return GetDomain(parameter=known[parameter.strip().lower()])
    assert prop is not None
    try:
        queryable(prop)
    except InvalidParameter as error:
        raise invalid("PropertyName", error.message.removeprefix("Constraint: ")) from None
    return GetDomain(property=prop.strip())


def _constraint(read: Callable[[], Any]) -> Constraint:
    try:
        return constraint_from_tree(read())
    except InvalidParameter as error:
        raise invalid("Constraint", error.message.removeprefix("Constraint: ")) from None


def _filter_element(data: bytes) -> etree._Element:
    try:
        root = parse_xml(data)
    except InvalidRecord as error:
        raise invalid(
            "Constraint", f"the FILTER constraint is not well-formed XML: {error.message}"
        ) from None
    if root.tag != f"{{{OGC}}}Filter":
        raise invalid("Constraint", "a FILTER constraint is an ogc:Filter element")
    return root


# --- XML ---------------------------------------------------------------------------------------------


def from_xml(body: bytes) -> CswRequest:
    """The request of a POST body (a CSW 2.0.2 request element)."""
    try:
        root = parse_xml(body)
    except InvalidRecord as error:
        raise CswError(
            "OperationParsingFailed", None, f"the request is not well-formed XML: {error.message}"
        ) from None
    name = etree.QName(root)
    if name.namespace != CSW:
        raise CswError(
            "OperationParsingFailed",
            None,
            f"not a CSW {VERSION} request: {name.localname!r} in {name.namespace!r}",
        )
    reader = _XML_READERS.get(name.localname)
    if reader is None:
        raise CswError(
            "OperationNotSupported", name.localname, f"operation {name.localname!r} is not supported"
        )
    _check_service(root.get("service"))
    if name.localname != "GetCapabilities":
        _check_version(root.get("version"))
    return reader(root)


def _texts(root: etree._Element, path: str) -> list[str]:
    return [(e.text or "").strip() for e in root.iterfind(path, _NS)]


def _capabilities_xml(root: etree._Element) -> GetCapabilities:
    _negotiate(_texts(root, "ows:AcceptVersions/ows:Version"))
    sections = root.find("ows:Sections", _NS)
    return GetCapabilities(_sections(_texts(sections, "ows:Section")) if sections is not None else None)


def _describe_xml(root: etree._Element) -> DescribeRecord:
    _check_format(root.get("outputFormat"), "outputFormat")
    _check_schema_language(root.get("schemaLanguage"))
    names = _texts(root, "csw:TypeName")
    return DescribeRecord(type_names(names, "typeName") if names else ("csw", "gmd"))


def _domain_xml(root: etree._Element) -> GetDomain:
    return _domain(
        root.findtext("csw:ParameterName", None, _NS), root.findtext("csw:PropertyName", None, _NS)
    )


def _records_xml(root: etree._Element) -> GetRecords:
    if root.find("csw:ResponseHandler", _NS) is not None:
        raise invalid("ResponseHandler", "asynchronous responses are not supported")
    _check_format(root.get("outputFormat"), "outputFormat")
    query = root.find("csw:Query", _NS)
    if query is None:
        raise missing("Query")
    if not query.get("typeNames"):
        raise missing("typeNames")
    type_names(split(query.get("typeNames")), "typeNames")
    if query.find("csw:ElementName", _NS) is not None:
        raise invalid("ElementName", "ElementName is not supported: use ElementSetName")
    return GetRecords(
        schema=output_schema(root.get("outputSchema")),
        element_set=element_set(query.findtext("csw:ElementSetName", None, _NS), "summary"),
        result_type=result_type(root.get("resultType")),
        start=integer(root.get("startPosition"), "startPosition", 1, minimum=1),
        max_records=integer(root.get("maxRecords"), "maxRecords", 10, minimum=0),
        constraint=_xml_constraint(query.find("csw:Constraint", _NS)),
        sortby=tuple(_xml_sort(p) for p in query.iterfind("ogc:SortBy/ogc:SortProperty", _NS)),
        echo=etree.tostring(root),
    )


def _xml_constraint(element: etree._Element | None) -> Constraint:
    if element is None:
        return Constraint()
    found = element.find("ogc:Filter", _NS)
    if found is not None:
        return _constraint(lambda: tree_from_fes(found))
    text = element.findtext("csw:CqlText", None, _NS)
    if text is not None and text.strip():
        return _constraint(lambda: tree_from_cql(text))
    raise invalid("Constraint", "csw:Constraint holds neither an ogc:Filter nor a csw:CqlText")


def _xml_sort(element: etree._Element) -> SortField:
    name = element.findtext("ogc:PropertyName", "", _NS).strip()
    if not name:
        raise invalid("SortBy", "ogc:SortProperty without an ogc:PropertyName")
    return sort_field(name, element.findtext("ogc:SortOrder", "ASC", _NS).strip() or "ASC")


def _record_by_id_xml(root: etree._Element) -> GetRecordById:
    _check_format(root.get("outputFormat"), "outputFormat")
    ids = tuple(text for text in _texts(root, "csw:Id") if text)
    if not ids:
        raise missing("Id")
    esn = element_set(root.findtext("csw:ElementSetName", None, _NS), "summary")
    return GetRecordById(ids, output_schema(root.get("outputSchema")), esn)


_NS = {"csw": CSW, "ows": OWS, "ogc": OGC}
_XML_READERS: dict[str, Callable[[etree._Element], CswRequest]] = {
    "GetCapabilities": _capabilities_xml,
    "DescribeRecord": _describe_xml,
    "GetDomain": _domain_xml,
    "GetRecords": _records_xml,
    "GetRecordById": _record_by_id_xml,
}
