"""Every OAI-PMH error code, each case with the exact code it must return, over GET and POST;
and no request, however malformed, gets anything but an OAI-PMH answer (never a 500)."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from terrapole.catalog import CatalogStore
from terrapole.core.record import Record, collection_from_record

from .oai_support import NS, error_code, oai

LAND = "oai:testserver:land-s2"


def forged(*fields: object) -> str:
    """A token with our layout but chosen fields."""
    return base64.urlsafe_b64encode(json.dumps(list(fields)).encode()).decode().rstrip("=")


CASES: list[tuple[str, dict[str, str]]] = [
    # badVerb: missing, unknown, empty verb
    ("badVerb", {}),
    ("badVerb", {"verb": "ListThings"}),
    ("badVerb", {"verb": ""}),
    ("badVerb", {"verb": "identify"}),  # verbs are case-sensitive
    # badArgument: illegal, missing, malformed or contradictory arguments
    ("badArgument", {"verb": "Identify", "metadataPrefix": "oai_dc"}),
    ("badArgument", {"verb": "ListRecords"}),
    ("badArgument", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "colour": "red"}),
    ("badArgument", {"verb": "GetRecord", "metadataPrefix": "oai_dc"}),
    ("badArgument", {"verb": "GetRecord", "identifier": LAND}),
    ("badArgument", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}),
    ("badArgument", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"}),
    ("badArgument", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2024-01-01T10:00:00.5Z"}),
    (
        "badArgument",
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2024-01-01T10:00:00+01:00"},
    ),
    ("badArgument", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01T00:00:00"}),
    (
        "badArgument",
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-01", "until": "2024-02-01"},
    ),
    (
        "badArgument",
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2024-01-01",
            "until": "2024-02-01T00:00:00Z",
        },
    ),
    ("badArgument", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "pole:with space"}),
    ("badArgument", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "pole::ocean"}),
    ("badArgument", {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}),
    ("badArgument", {"verb": "ListMetadataFormats", "set": "pole"}),
    # badResumptionToken: not ours, or ours with impossible fields
    ("badResumptionToken", {"verb": "ListRecords", "resumptionToken": "not-a-token"}),
    ("badResumptionToken", {"verb": "ListIdentifiers", "resumptionToken": "!!!"}),
    ("badResumptionToken", {"verb": "ListRecords", "resumptionToken": forged(1, "oai_dc", None)}),
    (
        "badResumptionToken",
        {"verb": "ListRecords", "resumptionToken": forged(9, "oai_dc", None, None, None, 1, "a", 0, 10)},
    ),
    (
        "badResumptionToken",
        {"verb": "ListRecords", "resumptionToken": forged(1, "marc", None, None, None, 1, "a", 4, 10)},
    ),
    (
        "badResumptionToken",
        {"verb": "ListRecords", "resumptionToken": forged(1, "oai_dc", None, None, None, 10**30, "a", 4, 10)},
    ),
    (
        "badResumptionToken",
        {"verb": "ListRecords", "resumptionToken": forged(1, "oai_dc", None, None, None, 1, "a", -4, 10)},
    ),
    (
        "badResumptionToken",
        {"verb": "ListRecords", "resumptionToken": forged(1, "oai_dc", None, None, None, 1, 5, 4, 10)},
    ),
    (
        "badResumptionToken",
        {"verb": "ListRecords", "resumptionToken": forged(1, "oai_dc", None, None, None, 1, "a", 4, True)},
    ),
    ("badResumptionToken", {"verb": "ListRecords", "resumptionToken": "A" * 5000}),
    ("badResumptionToken", {"verb": "ListSets", "resumptionToken": "anything"}),
    # cannotDisseminateFormat
    ("cannotDisseminateFormat", {"verb": "ListRecords", "metadataPrefix": "marc21"}),
    ("cannotDisseminateFormat", {"verb": "ListIdentifiers", "metadataPrefix": ""}),
    ("cannotDisseminateFormat", {"verb": "GetRecord", "metadataPrefix": "OAI_DC", "identifier": LAND}),
    # idDoesNotExist
    (
        "idDoesNotExist",
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:testserver:nothing"},
    ),
    ("idDoesNotExist", {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "land-s2"}),
    ("idDoesNotExist", {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:testserver:"}),
    ("idDoesNotExist", {"verb": "ListMetadataFormats", "identifier": "oai:other.org:land-s2"}),
    # noRecordsMatch
    ("noRecordsMatch", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"}),
    (
        "noRecordsMatch",
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "1999-12-31T23:59:59Z"},
    ),
    ("noRecordsMatch", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "pole:mars"}),
    ("noRecordsMatch", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "elsewhere"}),
    ("noRecordsMatch", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "pole:land:nothing"}),
]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(("code", "arguments"), CASES, ids=[f"{c}-{n}" for n, (c, _) in enumerate(CASES)])
def test_error_code(api: TestClient, method: str, code: str, arguments: dict[str, str]) -> None:
    root = oai(api, method, **arguments)
    assert error_code(root) == code
    assert root.findtext("o:error", namespaces=NS)  # says why
    request = root.find("o:request", NS)
    assert request is not None and request.text == "http://testserver/oai"
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}  # the protocol forbids echoing arguments found wanting
    else:
        assert request.attrib == arguments


def test_repeated_arguments(api: TestClient) -> None:
    for query in (
        "verb=Identify&verb=Identify",
        "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",
    ):
        root = etree.fromstring(api.get(f"/oai?{query}").content)
        assert error_code(root) == ("badVerb" if query.count("verb=") == 2 else "badArgument")


def test_no_metadata_formats_for_a_deleted_record(client: TestClient, store: CatalogStore) -> None:
    store.upsert_collections([collection_from_record(Record(identifier="gone", title={"en": "Gone"}))])
    store.delete_collection("gone")
    root = oai(client, verb="ListMetadataFormats", identifier="oai:testserver:gone")
    assert error_code(root) == "noMetadataFormats"
    assert error_code(oai(client, verb="ListSets")) == "noSetHierarchy"
    assert (
        error_code(oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="pole")) == "noSetHierarchy"
    )


def test_the_last_representable_day_is_a_valid_until(api: TestClient) -> None:
    for until in ("9999-12-31", "9999-12-31T23:59:59Z"):
        root = oai(api, verb="ListIdentifiers", metadataPrefix="oai_dc", until=until)
        assert len(root.findall(".//o:header", NS)) == 3


def test_bad_post_bodies(api: TestClient) -> None:
    as_json = api.post("/oai", json={"verb": "Identify"})
    assert error_code(etree.fromstring(as_json.content)) == "badVerb"
    huge = api.post(
        "/oai",
        content=b"verb=Identify&x=" + b"a" * 70_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert error_code(etree.fromstring(huge.content)) == "badArgument"
    latin = api.post(
        "/oai", content=b"verb=Identify&x=\xe9", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert error_code(etree.fromstring(latin.content)) == "badArgument"
    charset = api.post(
        "/oai",
        content=b"verb=Identify",
        headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert error_code(etree.fromstring(charset.content)) is None


MALFORMED = [
    "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:%00",
    "verb=GetRecord&metadataPrefix=oai_dc&identifier=" + "%F0%9F%92%A9" * 500,
    "verb=ListRecords&metadataPrefix=%3Cx%3E&from=%00",
    "verb=ListRecords&resumptionToken=%FF%FE",
    "verb=ListRecords&resumptionToken=" + forged(1, "oai_dc", None, None, None, 1, "a\x00b", 0, 10),
    "verb=ListRecords&resumptionToken=" + forged(1, "oai_dc", "pole", "x", None, None, None, 0, 10),
    "verb=ListRecords&resumptionToken=" + forged(1, "oai_dc", None, -(10**20), None, None, None, 0, 10),
    "verb=ListRecords&resumptionToken=" + base64.urlsafe_b64encode(b"[1,2,3").decode(),
    "verb=ListRecords&resumptionToken=" + base64.urlsafe_b64encode(b'{"a": 1}').decode(),
    "verb=ListRecords&metadataPrefix=oai_dc&from=0000-00-00",
    "verb=ListRecords&metadataPrefix=oai_dc&from=9999-12-31T23:59:59Z",
    "verb=ListRecords&metadataPrefix=oai_dc&until=0001-01-01",
    "verb=ListRecords&metadataPrefix=oai_dc&set=" + "a:" * 2000 + "a",
    "verb=%3Cscript%3E",
    "verb=Identify&" + "&".join(f"k{n}=v" for n in range(300)),
    "&&&===",
    "verb",
]


@pytest.mark.parametrize("query", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_requests_get_an_oai_pmh_answer(api: TestClient, query: str) -> None:
    response = api.get(f"/oai?{query}")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == "{http://www.openarchives.org/OAI/2.0/}OAI-PMH"
    assert error_code(root) in {
        "badVerb",
        "badArgument",
        "badResumptionToken",
        "cannotDisseminateFormat",
        "idDoesNotExist",
        "noRecordsMatch",
    }


def test_a_well_formed_token_is_accepted(api: TestClient) -> None:
    # The control for the forged tokens above: the same layout with sound fields lists records.
    root = oai(
        api, verb="ListRecords", resumptionToken=forged(1, "oai_dc", "pole", None, None, None, None, 0, 3)
    )
    assert error_code(root) is None
    assert len(root.findall(".//o:record", NS)) == 3
