"""Helpers for the OAI-PMH, DCAT feed and landing page tests: a catalog of real and STAC records,
OAI-PMH requests and their parsed answers, and datestamps set to known instants."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx
from lxml import etree
from tests.conftest import demo_dataset
from tests.support.shared_fixtures import SHARED_FIXTURES

from terrapole import formats
from terrapole.core.model import Collection
from terrapole.core.record import collection_from_record
from terrapole.core.timeutil import to_micros
from terrapole.formats.stac import parse_collection
from terrapole.settings import Settings

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
NS = {"o": OAI_NS}
FORMATS = ("oai_dc", "oai_datacite", "datacite", "iso19139", "dcat")

# Real dataset records (file under shared/fixtures, pole, parent series id or None).
REAL_RECORDS = (
    ("iso19139/geonetwork-test__forest-multilingual.xml", "land", "land-s2"),
    ("iso19139/inspire-tg__basic_dataset.xml", "solid-earth", None),
    ("iso19139/pycsw-stac__S2MSI2A.xml", "land", "land-s2"),
    ("iso19139/geonetwork-sample__basins_in_africa.xml", "ocean", None),
    ("datacite/datacite-4.7__datacite-example-full-v4.xml", "biodiversity", None),
    ("datacite/datacite-4__datacite-example-GeoLocation-v4.xml", "ocean", None),
    ("datacite/datacite-4.7__datacite-example-dataset-v4.xml", None, None),
)


def harvest_collections() -> list[Collection]:
    """Three STAC collections of the demo dataset and seven real records (ISO 19139, DataCite);
    two are members of the series `land-s2`, one belongs to no pole."""
    collections = [parse_collection(doc) for doc in demo_dataset().collections]
    for path, pole, parent in REAL_RECORDS:
        record = formats.parse_any((SHARED_FIXTURES / path).read_bytes())
        collections.append(collection_from_record(record.with_changes(pole=pole, parent_identifier=parent)))
    return collections


def oai(client: httpx.Client | Any, method: str = "GET", **arguments: str) -> etree._Element:
    """The parsed OAI-PMH answer to a request (HTTP 200 and text/xml checked)."""
    if method == "GET":
        response = client.get("/oai", params=arguments)
    else:
        response = client.post("/oai", data=arguments)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    return etree.fromstring(response.content)


def error_code(root: etree._Element) -> str | None:
    """The code of the answer's error element, None when there is none."""
    found = root.find("o:error", NS)
    return None if found is None else found.get("code")


def headers(root: etree._Element) -> list[etree._Element]:
    """The record headers of a ListIdentifiers, ListRecords or GetRecord answer."""
    return root.findall(".//o:header", NS)


def identifiers(root: etree._Element) -> list[str]:
    """The identifiers of the answer's headers, in order."""
    return [h.findtext("o:identifier", namespaces=NS) or "" for h in headers(root)]


def token_of(root: etree._Element) -> etree._Element | None:
    """The resumptionToken element, if any."""
    return root.find(".//o:resumptionToken", NS)


def set_datestamps(settings: Settings, stamps: Mapping[str, datetime]) -> None:
    """Give collections known datestamps (a catalog whose records were written at those instants)."""
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            for cid, when in stamps.items():
                conn.execute("UPDATE collections SET datestamp = %s WHERE id = %s", [when, cid])
        return
    import sqlite3

    with sqlite3.connect(settings.catalog_path) as conn:
        conn.executemany(
            "UPDATE collections SET datestamp = ? WHERE id = ?",
            [(to_micros(when), cid) for cid, when in stamps.items()],
        )


def shape(element: etree._Element, depth: int = 3) -> list[Any]:
    """The tag names of an element's descendants down to `depth`, for comparing structures."""
    if depth == 0:
        return []
    return [(etree.QName(child).localname, shape(child, depth - 1)) for child in element]
