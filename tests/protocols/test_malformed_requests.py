"""No request, however malformed, is answered with a 5xx: bad XML (truncated, DOCTYPE with
external or expanding entities, deep nesting, binary junk), unknown verbs and parameters, huge and
negative numbers, bad dates, bad CQL, unknown formats, thrown at every harvestable protocol of the
whole application. Each gets a refusal in the protocol's own format (an OWS ExceptionReport, an
OAI-PMH error element, problem+json) with its exact code, or, where the protocol says to clamp
(page sizes, offsets past the end), a normal answer. The protocol-by-protocol error tests are in
test_csw_errors.py, test_oaipmh_errors.py, test_stac_errors.py and test_records.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from terrapole.formats.xmlsafe import parse_xml

HUGE = "9" * 40  # past any integer type
JUNK = bytes(range(256)) * 4
XML = "application/xml"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
CSW_NS = "http://www.opengis.net/cat/csw/2.0.2"
OWS_NS = "http://www.opengis.net/ows"
OAI_NS = "{http://www.openarchives.org/OAI/2.0/}"
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2">'
    b"&e;</csw:GetRecords>"
)
EXPANDING_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2">'
    b"&c;</csw:GetRecords>"
)
GET_RECORDS = (
    '<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"'
    ' resultType="results" maxRecords="{0}" startPosition="{1}"><csw:Query typeNames="csw:Record">'
    "<csw:ElementSetName>brief</csw:ElementSetName></csw:Query></csw:GetRecords>"
)
CSW = {"service": "CSW", "version": "2.0.2", "request": "GetRecords", "typeNames": "csw:Record"}
CQL = {**CSW, "constraintLanguage": "CQL_TEXT"}
LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
ITEMS = "/records/collections/datasets/items"


@dataclass(frozen=True)
class Case:
    """A request and the answer it must get: the HTTP status and the protocol's error code
    (`exceptionCode`/`locator`, OAI-PMH `code`, problem `code`), or None for a normal answer."""

    name: str
    path: str
    status: int
    code: str | None
    params: Any = None
    body: bytes | None = None
    content_type: str | None = None
    locator: str | None = field(default=None)


def post(
    name: str,
    path: str,
    body: bytes,
    content_type: str,
    status: int,
    code: str | None,
    locator: str | None = None,
) -> Case:
    """A POST case."""
    return Case(name, path, status, code, None, body, content_type, locator)


CSW_CASES = [
    post(
        "truncated XML",
        "/csw",
        b"<csw:GetRecords xmlns:csw='" + CSW_NS.encode() + b"'",
        XML,
        400,
        "OperationParsingFailed",
    ),
    post("external entity", "/csw", EXTERNAL_ENTITY, XML, 400, "OperationParsingFailed"),
    post("expanding entities", "/csw", EXPANDING_ENTITY, XML, 400, "OperationParsingFailed"),
    post("deep nesting", "/csw", b"<a>" * 100_000 + b"</a>" * 100_000, XML, 400, "OperationParsingFailed"),
    post("binary junk", "/csw", JUNK, XML, 400, "OperationParsingFailed"),
    post("empty body", "/csw", b"", XML, 400, "OperationParsingFailed"),
    post("XML of another kind", "/csw", b"<a/>", XML, 400, "OperationParsingFailed"),
    post(
        "negative startPosition (XML)",
        "/csw",
        GET_RECORDS.format(10, -3).encode(),
        XML,
        400,
        "InvalidParameterValue",
        "startPosition",
    ),
    post("huge maxRecords (XML)", "/csw", GET_RECORDS.format(HUGE, 1).encode(), XML, 200, None),
    Case("huge maxRecords", "/csw", 200, None, {**CSW, "maxRecords": HUGE}),
    Case("huge startPosition", "/csw", 200, None, {**CSW, "startPosition": HUGE}),
    Case(
        "negative maxRecords",
        "/csw",
        400,
        "InvalidParameterValue",
        {**CSW, "maxRecords": "-10"},
        locator="maxRecords",
    ),
    Case(
        "bad CQL",
        "/csw",
        400,
        "InvalidParameterValue",
        {**CQL, "constraint": "dc:title = = 'x"},
        locator="Constraint",
    ),
    Case(
        "bad date in CQL",
        "/csw",
        400,
        "InvalidParameterValue",
        {**CQL, "constraint": "apiso:Modified > '2020-99-99'"},
        locator="Constraint",
    ),
    Case(
        "unknown queryable",
        "/csw",
        400,
        "InvalidParameterValue",
        {**CQL, "constraint": "foo:bar = 1"},
        locator="Constraint",
    ),
    Case(
        "bad BBOX",
        "/csw",
        400,
        "InvalidParameterValue",
        {**CQL, "constraint": "BBOX(ows:BoundingBox, a, b, c)"},
        locator="Constraint",
    ),
    Case(
        "unknown output schema",
        "/csw",
        400,
        "InvalidParameterValue",
        {**CSW, "outputSchema": "urn:x"},
        locator="outputSchema",
    ),
    Case(
        "unknown request",
        "/csw",
        400,
        "OperationNotSupported",
        {**CSW, "request": "Explode"},
        locator="Explode",
    ),
    Case(
        "GetRecordById without Id",
        "/csw",
        400,
        "MissingParameterValue",
        {**CSW, "request": "GetRecordById"},
        locator="Id",
    ),
    Case(
        "GetDomain of no property",
        "/csw",
        400,
        "InvalidParameterValue",
        {**CSW, "request": "GetDomain", "PropertyName": "x:y"},
        locator="PropertyName",
    ),
]
OAI_CASES = [
    Case("unknown verb", "/oai", 200, "badVerb", {"verb": "Explode"}),
    Case("no verb", "/oai", 200, "badVerb", {}),
    Case("repeated verb", "/oai", 200, "badVerb", [("verb", "Identify"), ("verb", "Identify")]),
    Case("unknown argument", "/oai", 200, "badArgument", {"verb": "Identify", "colour": "red"}),
    Case("impossible date", "/oai", 200, "badArgument", {**LIST, "from": "2020-13-45"}),
    Case("words for a date", "/oai", 200, "badArgument", {**LIST, "until": "yesterday"}),
    Case(
        "mixed granularities",
        "/oai",
        200,
        "badArgument",
        {**LIST, "from": "2020-01-01", "until": "2021-01-01T00:00:00Z"},
    ),
    Case("five-digit year", "/oai", 200, "badArgument", {**LIST, "from": "99999-01-01"}),
    Case("unknown format", "/oai", 200, "cannotDisseminateFormat", {**LIST, "metadataPrefix": "marc21"}),
    Case(
        "junk token",
        "/oai",
        200,
        "badResumptionToken",
        {"verb": "ListRecords", "resumptionToken": "\x00\x01junk"},
    ),
    Case(
        "huge token",
        "/oai",
        200,
        "badResumptionToken",
        {"verb": "ListIdentifiers", "resumptionToken": "A" * 5000},
    ),
    Case(
        "GetRecord without identifier",
        "/oai",
        200,
        "badArgument",
        {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
    ),
    Case(
        "long unknown identifier",
        "/oai",
        200,
        "idDoesNotExist",
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "\u2603" * 300},
    ),
    Case("set of no records", "/oai", 200, "noRecordsMatch", {**LIST, "set": "pole:mars"}),
    post("binary junk form", "/oai", JUNK, FORM, 200, "badArgument"),
    post("XML instead of a form", "/oai", EXTERNAL_ENTITY, XML, 200, "badVerb"),
    post("broken percent escapes", "/oai", b"verb=" + b"%" * 1000, FORM, 200, "badVerb"),
]
RECORDS_CASES = [
    Case("negative limit", ITEMS, 400, "InvalidParameter", {"limit": "-1"}),
    Case("huge limit", ITEMS, 200, None, {"limit": HUGE}),
    Case("huge offset", ITEMS, 200, None, {"offset": HUGE}),
    Case("impossible datetime", ITEMS, 400, "InvalidParameter", {"datetime": "2020-02-30"}),
    Case("year 0", ITEMS, 400, "InvalidParameter", {"datetime": "0000-01-01T00:00:00Z"}),
    Case("bbox with words", ITEMS, 400, "InvalidParameter", {"bbox": "1,2,three"}),
    Case("bbox out of range", ITEMS, 400, "InvalidParameter", {"bbox": "-500,-100,500,100"}),
    Case("bad CQL2", ITEMS, 400, "InvalidFilter", {"filter": "title = = 'x"}),
    Case("unknown format", ITEMS, 400, "InvalidParameter", {"f": "marc21"}),
    Case("unknown sort property", ITEMS, 400, "UnknownQueryable", {"sortby": "+nothing"}),
    post("binary junk", ITEMS, JUNK, JSON, 400, "InvalidParameter"),
    post(
        "unknown CQL2 operator",
        ITEMS,
        b'{"filter": {"op": "explode", "args": []}}',
        JSON,
        400,
        "InvalidFilter",
    ),
]
DCAT_CASES = [
    Case("unknown format", "/dcat", 400, "InvalidParameter", {"f": "marc21"}),
    Case("negative limit", "/dcat", 400, "InvalidParameter", {"limit": "-5"}),
    Case("huge limit", "/dcat", 400, "InvalidParameter", {"limit": HUGE}),
    Case("huge page", "/dcat", 400, "InvalidParameter", {"page": HUGE}),
    Case("junk page", "/dcat", 400, "InvalidParameter", {"page": "first"}),
]
STAC_CASES = [
    Case("negative limit", "/stac/search", 400, "InvalidParameter", {"limit": "-1"}),
    Case("huge limit", "/stac/search", 200, None, {"limit": HUGE}),
    Case(
        "impossible datetime", "/stac/search", 400, "InvalidParameter", {"datetime": "2020-13-01T00:00:00Z"}
    ),
    Case(
        "reversed interval",
        "/stac/search",
        400,
        "InvalidParameter",
        {"datetime": "2021-01-01T00:00:00Z/2020-01-01T00:00:00Z"},
    ),
    Case("three-number bbox", "/stac/search", 400, "InvalidParameter", {"bbox": "1,2,3"}),
    Case("huge bbox number", "/stac/search", 400, "InvalidParameter", {"bbox": f"{HUGE},0,1,1"}),
    Case("NaN in bbox", "/stac/search", 400, "InvalidParameter", {"bbox": "nan,0,1,1"}),
    Case(
        "bad CQL2",
        "/stac/search",
        400,
        "InvalidFilter",
        {"filter": "eo:cloud_cover < < 3", "filter-lang": "cql2-text"},
    ),
    Case(
        "unknown filter language",
        "/stac/search",
        400,
        "InvalidParameter",
        {"filter": "x", "filter-lang": "sql"},
    ),
    Case("junk token", "/stac/search", 400, "InvalidParameter", {"token": "\x00junk"}),
    Case("intersects not JSON", "/stac/search", 400, "InvalidParameter", {"intersects": "{"}),
    Case("unknown sort property", "/stac/search", 400, "UnknownQueryable", {"sortby": "+nothing"}),
    Case("negative collections limit", "/stac/collections", 400, "InvalidParameter", {"limit": "-3"}),
    post("binary junk", "/stac/search", JUNK, JSON, 400, "InvalidParameter"),
    post("truncated JSON", "/stac/search", b'{"limit": ', JSON, 400, "InvalidParameter"),
    post("deeply nested JSON", "/stac/search", b"[" * 100_000 + b"]" * 100_000, JSON, 400, "BadRequest"),
    post(
        "polygon of one point",
        "/stac/search",
        b'{"intersects": {"type": "Polygon", "coordinates": [[1, 2]]}}',
        JSON,
        400,
        "InvalidParameter",
    ),
    post("infinite limit", "/stac/search", b'{"limit": 1e400}', JSON, 400, "InvalidParameter"),
    post("year 0", "/stac/search", b'{"datetime": "0000-01-01T00:00:00Z/.."}', JSON, 400, "InvalidParameter"),
    post(
        "CQL2-JSON of one argument",
        "/stac/search",
        b'{"filter": {"op": "<", "args": [{"property": "x"}]}}',
        JSON,
        400,
        "InvalidFilter",
    ),
]
CASES = [
    *(pytest.param(c, id=f"csw: {c.name}") for c in CSW_CASES),
    *(pytest.param(c, id=f"oai: {c.name}") for c in OAI_CASES),
    *(pytest.param(c, id=f"records: {c.name}") for c in RECORDS_CASES),
    *(pytest.param(c, id=f"dcat: {c.name}") for c in DCAT_CASES),
    *(pytest.param(c, id=f"stac: {c.name}") for c in STAC_CASES),
]


@pytest.fixture(scope="module")
def answering(api: TestClient) -> TestClient:
    """The session application, answering even a request that raises (as a 500 to be caught)."""
    return TestClient(api.app, raise_server_exceptions=False)


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_request_is_refused_in_the_protocols_own_format(
    answering: TestClient, case: Case
) -> None:
    headers = {"content-type": case.content_type} if case.content_type else {}
    method = "GET" if case.body is None else "POST"
    response = answering.request(method, case.path, params=case.params, content=case.body, headers=headers)
    assert response.status_code == case.status, response.text[:500]
    media_type = response.headers["content-type"]
    if case.path == "/csw":
        root = parse_xml(response.content)
        if case.code:
            assert (root.tag, media_type) == (f"{{{OWS_NS}}}ExceptionReport", XML)
            exception = root[0]
            assert (exception.get("exceptionCode"), exception.get("locator")) == (case.code, case.locator)
        else:
            assert root.tag == f"{{{CSW_NS}}}GetRecordsResponse"
    elif case.path == "/oai":
        root = etree.fromstring(response.content)
        assert media_type.startswith("text/xml")
        assert [e.get("code") for e in root.iter(f"{OAI_NS}error")] == [case.code]
    elif case.code:
        assert media_type == "application/problem+json"
        assert (response.json()["status"], response.json()["code"]) == (case.status, case.code)
    else:
        page = response.json()
        assert page["type"] == "FeatureCollection"
        assert len(page["features"]) <= 50  # clamped to the catalog's largest page (none past the end)
