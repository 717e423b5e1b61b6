"""Every CSW refusal is an OWS ExceptionReport with its exact exception code and locator, and no
request, however malformed, is answered with a 500."""

from __future__ import annotations

import random
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from terrapole.core.errors import StorageError
from terrapole.protocols.csw import csw_router
from terrapole.settings import Settings

from .csw_support import CSW, OWS, csw_catalogue, csw_client, csw_settings, csw_store, report, xml

__all__ = ["csw_catalogue", "csw_client", "csw_settings", "csw_store"]

BASE = {"service": "CSW", "version": "2.0.2"}
RECORDS = {**BASE, "request": "GetRecords", "typeNames": "csw:Record", "resultType": "results"}
CQL = {"constraintLanguage": "CQL_TEXT"}

KVP_CASES: list[tuple[dict[str, str], str, str | None]] = [
    ({"service": "CSW"}, "MissingParameterValue", "request"),
    ({"service": "CSW", "request": "Harvest"}, "OperationNotSupported", "Harvest"),
    ({"request": "GetRecords", "version": "2.0.2"}, "MissingParameterValue", "service"),
    ({"request": "GetCapabilities", "service": "WMS"}, "InvalidParameterValue", "service"),
    (
        {"service": "CSW", "request": "GetRecords", "typeNames": "csw:Record"},
        "MissingParameterValue",
        "version",
    ),
    ({**RECORDS, "version": "3.0.0"}, "InvalidParameterValue", "version"),
    (
        {"service": "CSW", "request": "GetCapabilities", "acceptVersions": "1.0.0,3.0.0"},
        "VersionNegotiationFailed",
        "acceptVersions",
    ),
    (
        {"service": "CSW", "request": "GetCapabilities", "sections": "Contents"},
        "InvalidParameterValue",
        "sections",
    ),
    ({**BASE, "request": "GetRecords"}, "MissingParameterValue", "typeNames"),
    ({**RECORDS, "typeNames": "wfs:FeatureType"}, "InvalidParameterValue", "typeNames"),
    ({**RECORDS, "outputSchema": "http://www.w3.org/2005/Atom"}, "InvalidParameterValue", "outputSchema"),
    ({**RECORDS, "outputFormat": "application/json"}, "InvalidParameterValue", "outputFormat"),
    ({**RECORDS, "ElementSetName": "everything"}, "InvalidParameterValue", "ElementSetName"),
    ({**RECORDS, "ElementName": "dc:title"}, "InvalidParameterValue", "ElementName"),
    ({**RECORDS, "resultType": "all"}, "InvalidParameterValue", "resultType"),
    ({**RECORDS, "startPosition": "0"}, "InvalidParameterValue", "startPosition"),
    ({**RECORDS, "startPosition": "first"}, "InvalidParameterValue", "startPosition"),
    ({**RECORDS, "maxRecords": "-1"}, "InvalidParameterValue", "maxRecords"),
    ({**RECORDS, "maxRecords": "1.5"}, "InvalidParameterValue", "maxRecords"),
    ({**RECORDS, "constraint": "dc:title = 'x'"}, "MissingParameterValue", "CONSTRAINTLANGUAGE"),
    (
        {**RECORDS, "constraintLanguage": "SQL", "constraint": "1=1"},
        "InvalidParameterValue",
        "CONSTRAINTLANGUAGE",
    ),
    ({**RECORDS, **CQL, "constraint": "dc:title = = 'x'"}, "InvalidParameterValue", "Constraint"),
    (
        {**RECORDS, **CQL, "constraint": "apiso:Modified > '2021-13-45'"},
        "InvalidParameterValue",
        "Constraint",
    ),
    ({**RECORDS, **CQL, "constraint": "apiso:Bands = 'x'"}, "InvalidParameterValue", "Constraint"),
    (
        {**RECORDS, **CQL, "constraint": "BBOX(ows:BoundingBox, 0, 0, 1)"},
        "InvalidParameterValue",
        "Constraint",
    ),
    (
        {**RECORDS, "constraintLanguage": "FILTER", "constraint": "<ogc:Filter"},
        "InvalidParameterValue",
        "Constraint",
    ),
    (
        {**RECORDS, "constraintLanguage": "FILTER", "constraint": "<a/>"},
        "InvalidParameterValue",
        "Constraint",
    ),
    ({**RECORDS, "sortBy": "apiso:Bands:A"}, "InvalidParameterValue", "SortBy"),
    ({**RECORDS, "sortBy": "csw:AnyText:D"}, "InvalidParameterValue", "SortBy"),
    ({**BASE, "request": "GetRecordById"}, "MissingParameterValue", "Id"),
    (
        {**BASE, "request": "GetRecordById", "id": "x", "outputSchema": "csw"},
        "InvalidParameterValue",
        "outputSchema",
    ),
    ({**BASE, "request": "GetDomain"}, "MissingParameterValue", "ParameterName"),
    (
        {**BASE, "request": "GetDomain", "ParameterName": "GetRecords.foo"},
        "InvalidParameterValue",
        "ParameterName",
    ),
    (
        {**BASE, "request": "GetDomain", "PropertyName": "ows:BoundingBox"},
        "InvalidParameterValue",
        "PropertyName",
    ),
    ({**BASE, "request": "GetDomain", "PropertyName": "dc:nothing"}, "InvalidParameterValue", "PropertyName"),
    (
        {**BASE, "request": "DescribeRecord", "typeName": "rim:RegistryObject"},
        "InvalidParameterValue",
        "typeName",
    ),
    (
        {**BASE, "request": "DescribeRecord", "schemaLanguage": "DTD"},
        "InvalidParameterValue",
        "schemaLanguage",
    ),
]


@pytest.mark.parametrize(
    ("params", "code", "locator"), KVP_CASES, ids=[f"{c[1]}-{c[2]}-{i}" for i, c in enumerate(KVP_CASES)]
)
def test_kvp_errors(csw_client: TestClient, params: dict[str, str], code: str, locator: str | None) -> None:
    text = report(csw_client.get("/csw", params=params), code, locator)
    assert text


def wrap(inner: str, root: str = "GetRecords", **attributes: str) -> str:
    attrs = " ".join(f'{k}="{v}"' for k, v in {"service": "CSW", "version": "2.0.2", **attributes}.items())
    return (
        f'<csw:{root} xmlns:csw="{CSW}" xmlns:ogc="http://www.opengis.net/ogc" {attrs}>{inner}</csw:{root}>'
    )


QUERY = '<csw:Query typeNames="csw:Record"><csw:ElementSetName>brief</csw:ElementSetName>{}</csw:Query>'
XML_CASES: list[tuple[str, str, str | None]] = [
    ("", "OperationParsingFailed", None),
    ("<csw:GetRecords", "OperationParsingFailed", None),
    ("not xml at all", "OperationParsingFailed", None),
    ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "OperationParsingFailed", None),
    ('<GetRecords service="CSW" version="2.0.2"/>', "OperationParsingFailed", None),
    (wrap("", root="Harvest"), "OperationNotSupported", "Harvest"),
    (wrap("", service="WFS"), "InvalidParameterValue", "service"),
    (wrap("", version="2.0.0"), "InvalidParameterValue", "version"),
    (wrap(""), "MissingParameterValue", "Query"),
    (
        wrap("<csw:Query><csw:ElementSetName>brief</csw:ElementSetName></csw:Query>"),
        "MissingParameterValue",
        "typeNames",
    ),
    (
        wrap("<csw:ResponseHandler>ftp://x</csw:ResponseHandler>" + QUERY.format("")),
        "InvalidParameterValue",
        "ResponseHandler",
    ),
    (wrap(QUERY.format("<csw:Constraint version='1.1.0'/>")), "InvalidParameterValue", "Constraint"),
    (
        wrap(
            QUERY.format(
                "<csw:Constraint version='1.1.0'><ogc:Filter><ogc:PropertyIsEqualTo>"
                "<ogc:PropertyName>apiso:Modified</ogc:PropertyName><ogc:Literal>soon</ogc:Literal>"
                "</ogc:PropertyIsEqualTo></ogc:Filter></csw:Constraint>"
            )
        ),
        "InvalidParameterValue",
        "Constraint",
    ),
    (
        wrap(
            QUERY.format(
                "<ogc:SortBy><ogc:SortProperty><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:SortOrder>UP</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>"
            )
        ),
        "InvalidParameterValue",
        "SortBy",
    ),
    (wrap(QUERY.format(""), maxRecords="many"), "InvalidParameterValue", "maxRecords"),
    (wrap("", root="GetRecordById"), "MissingParameterValue", "Id"),
    (
        wrap("<csw:ParameterName>GetRecords.nothing</csw:ParameterName>", root="GetDomain"),
        "InvalidParameterValue",
        "ParameterName",
    ),
    (
        wrap(
            '<ows:AcceptVersions xmlns:ows="'
            + OWS
            + '"><ows:Version>9.9.9</ows:Version></ows:AcceptVersions>',
            root="GetCapabilities",
        ),
        "VersionNegotiationFailed",
        "acceptVersions",
    ),
]


@pytest.mark.parametrize(
    ("body", "code", "locator"), XML_CASES, ids=[f"{c[1]}-{c[2]}-{i}" for i, c in enumerate(XML_CASES)]
)
def test_xml_errors(csw_client: TestClient, body: str, code: str, locator: str | None) -> None:
    response = csw_client.post("/csw", content=body.encode(), headers={"content-type": "application/xml"})
    assert report(response, code, locator)


def test_form_encoded_kvp_is_read_like_get(csw_client: TestClient) -> None:
    form = {**RECORDS, "maxRecords": "2"}
    ok = xml(csw_client.post("/csw", data=form))
    assert ok.find(f"{{{CSW}}}SearchResults") is not None
    report(
        csw_client.post("/csw", data={**RECORDS, "maxRecords": "x"}), "InvalidParameterValue", "maxRecords"
    )


def test_a_failing_catalog_is_no_applicable_code() -> None:
    def broken() -> Any:
        raise StorageError("the catalog database is unreachable")

    app = FastAPI()
    app.include_router(csw_router(broken, Settings()))
    with TestClient(app) as client:
        text = report(client.get("/csw", params={**RECORDS}), "NoApplicableCode", None, status=503)
    assert "unreachable" in text


def _mutations(rng: random.Random, valid: str) -> list[bytes]:
    out = []
    for _ in range(60):
        cut = rng.randrange(len(valid))
        choice = rng.randrange(4)
        if choice == 0:
            out.append(valid[:cut].encode())
        elif choice == 1:
            out.append((valid[:cut] + rng.choice("<>&\"'/=\x00é") + valid[cut + 1 :]).encode())
        elif choice == 2:
            out.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
        else:
            out.append(
                valid.replace(
                    rng.choice(["brief", "csw:Record", "1.1.0", "dc:title", "2.0.2"]),
                    rng.choice(["", "x", "%", "9" * 30]),
                ).encode()
            )
    return out


def test_fuzzed_requests_never_get_a_500(csw_client: TestClient) -> None:
    rng = random.Random(20240607)
    filter_xml = (
        "<csw:Constraint version='1.1.0'><ogc:Filter><ogc:And>"
        "<ogc:PropertyIsLike wildCard='*' singleChar='?' "
        "escapeChar='!'><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:Literal>*sea*</ogc:Literal>"
        "</ogc:PropertyIsLike><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>"
        "<gml:Envelope xmlns:gml='http://www.opengis.net/gml'><gml:lowerCorner>40 -5</gml:lowerCorner>"
        "<gml:upperCorner>50 10</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:And></ogc:Filter>"
        "</csw:Constraint>"
    )
    valid = wrap(QUERY.format(filter_xml), resultType="results")
    statuses = set()
    for body in _mutations(rng, valid):
        response = csw_client.post("/csw", content=body, headers={"content-type": "application/xml"})
        statuses.add(response.status_code)
        assert response.status_code in (200, 400), (body[:300], response.text[:500])
    names = [
        "request",
        "service",
        "version",
        "typeNames",
        "constraint",
        "maxRecords",
        "startPosition",
        "sortBy",
        "id",
        "outputSchema",
        "ElementSetName",
        "constraintLanguage",
        "resultType",
    ]
    values = [
        "GetRecords",
        "GetRecordById",
        "GetDomain",
        "CSW",
        "2.0.2",
        "",
        "-0",
        "1e309",
        "9" * 40,
        "dc:title:Q",
        "'",
        "<",
        "BBOX(",
        "AnyText like '%'",
        "gmd:MD_Metadata",
        "%00",
        "\u202e",
        "FILTER",
        "CQL_TEXT",
    ]
    for _ in range(150):
        params = {rng.choice(names): rng.choice(values) for _ in range(rng.randrange(1, 8))}
        response = csw_client.get("/csw", params=params)
        statuses.add(response.status_code)
        assert response.status_code in (200, 400), (params, response.text[:500])
    assert statuses == {200, 400}


@pytest.mark.parametrize("constraint", [None, "csw:AnyText = 'zorblax'"])
def test_a_start_position_past_any_catalog_is_an_empty_page(
    csw_client: TestClient, constraint: str | None
) -> None:
    params = {**RECORDS, "startPosition": "9" * 40}
    if constraint:
        params.update(CQL, constraint=constraint)
    root = xml(csw_client.get("/csw", params=params))
    results = root.find(f"{{{CSW}}}SearchResults")
    assert results is not None
    assert (results.get("numberOfRecordsReturned"), results.get("nextRecord")) == ("0", "0")
    assert int(results.get("numberOfRecordsMatched") or 0) == (15 if constraint else 58)
