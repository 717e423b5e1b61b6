"""The catalogue CSW and OGC API Records tests read: every ISO 19139 fixture plus thirty synthetic
records whose fields the tests know, loaded once per backend; request and report helpers.

The synthetic records carry made-up words ("zorblax", "quuxite") so that free-text expectations do
not depend on what the real records happen to say.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from tests.conftest import backend_database, backend_settings
from tests.support.server_processes import serve_processes

from terrapole.app import create_app
from terrapole.catalog import CatalogStore, open_catalog
from terrapole.core.model import BBox, Collection, Contact, Extent, Keyword
from terrapole.core.record import Dates, Distribution, Record, collection_from_record
from terrapole.formats import iso19139
from terrapole.settings import Settings

FIXTURES = Path("/work/shared/fixtures")
CSW = "http://www.opengis.net/cat/csw/2.0.2"
OWS = "http://www.opengis.net/ows"
GMD = "http://www.isotc211.org/2005/gmd"
DC = "http://purl.org/dc/elements/1.1/"
NS = {
    "csw": CSW,
    "ows": OWS,
    "gmd": GMD,
    "dc": DC,
    "dct": "http://purl.org/dc/terms/",
    "gco": "http://www.isotc211.org/2005/gco",
}
SYNTHETIC = 30


def synthetic(n: int) -> Record:
    """Synthetic record n: even ones about the sea (Ifremer), odd ones about forests (IGN); every
    third a series; boxes stepping east across Europe; metadata dated 2021-01-(n+1)."""
    sea = n % 2 == 0
    west = -10.0 + 3 * n
    return Record(
        identifier=f"syn-{n:02d}",
        title={"en": f"{'Zorblax sea temperature' if sea else 'Quuxite forest height'} {n}"},
        abstract={"en": f"Synthetic record {n} for the CSW tests."},
        hierarchy_level="series" if n % 3 == 0 else "dataset",
        language="eng",
        keywords=(
            Keyword({"en": "ocean" if sea else "forest"}),
            Keyword({"en": "oceans" if sea else "biomass"}),
        ),
        contacts=(Contact("Desk", ("pointOfContact",), organisation="Ifremer" if sea else "IGN"),),
        extent=Extent(bboxes=(BBox(west, 40.0, west + 2.0, 45.0),)),
        formats=("NetCDF",) if sea else ("GeoTIFF",),
        dates=Dates(created=date(2010 + n, 6, 1), metadata=date(2021, 1, n + 1)),
        distributions=(Distribution(f"https://data.terrapole.example/syn-{n:02d}", protocol="WWW:LINK"),),
        pole="ocean" if sea else "land",
    )


def fixture_records() -> list[Record]:
    """Every ISO 19139 fixture that parses, once per identifier."""
    found: dict[str, Record] = {}
    for path in sorted((FIXTURES / "iso19139").glob("*.xml")):
        record = iso19139.parse(path.read_bytes())
        found.setdefault(record.identifier, record)
    return list(found.values())


def catalogue() -> list[Collection]:
    """The collections the CSW tests search."""
    records = [*fixture_records(), *(synthetic(n) for n in range(SYNTHETIC))]
    return [collection_from_record(r) for r in records]


def box_ids(collections: list[Collection], box: BBox) -> set[str]:
    """The ids of collections whose box meets `box` (what a BBOX filter selects)."""
    return {
        c.id
        for c in collections
        if (b := c.extent.bbox) is not None
        and any(
            part.west <= box.east and part.east >= box.west and b.south <= box.north and b.north >= box.south
            for part in b.parts()
        )
    }


@pytest.fixture(scope="session")
def csw_catalogue() -> list[Collection]:
    """The catalogue's collections."""
    return catalogue()


@pytest.fixture(scope="session")
def csw_settings(
    tmp_path_factory: pytest.TempPathFactory, backend: str, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    """Settings of the session CSW catalogue (pages of at most 50)."""
    with backend_settings(
        request, backend, data_dir=tmp_path_factory.mktemp("csw"), max_limit=50, count_budget_ms=60_000
    ) as made:
        yield made


@pytest.fixture(scope="session")
def csw_store(csw_settings: Settings, csw_catalogue: list[Collection]) -> Iterator[CatalogStore]:
    """The session catalogue store; tests must not change it."""
    store = open_catalog(csw_settings)
    store.upsert_collections(csw_catalogue)
    yield store
    store.close()


@pytest.fixture(scope="session")
def csw_client(csw_settings: Settings, csw_store: CatalogStore) -> Iterator[TestClient]:
    """An HTTP client over the application serving the catalogue."""
    with TestClient(create_app(csw_settings, csw_store)) as http:
        yield http


def xml(response: httpx.Response, status: int = 200) -> etree._Element:
    """The parsed XML body of a response of this status."""
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith("application/xml")
    return etree.fromstring(response.content)


def report(response: httpx.Response, code: str, locator: str | None, status: int = 400) -> str:
    """The text of an OWS ExceptionReport with this exception code and locator."""
    root = xml(response, status)
    assert root.tag == f"{{{OWS}}}ExceptionReport", response.text[:500]
    exception = root.find("ows:Exception", NS)
    assert exception is not None
    assert (exception.get("exceptionCode"), exception.get("locator")) == (code, locator), response.text[:500]
    return exception.findtext("ows:ExceptionText", "", NS)


def result_ids(root: etree._Element) -> list[str]:
    """The identifiers of the records of a GetRecords or GetRecordById response, in order."""
    found = []
    for record in (
        root.iterfind(".//csw:SearchResults/*", NS)
        if root.find("csw:SearchResults", NS) is not None
        else root
    ):
        identifier = record.findtext("dc:identifier", None, NS) or record.findtext(
            "gmd:fileIdentifier/gco:CharacterString", None, NS
        )
        found.append(identifier or "")
    return found


def search(root: etree._Element) -> dict[str, str]:
    """The attributes of csw:SearchResults."""
    results = root.find("csw:SearchResults", NS)
    assert results is not None, etree.tostring(root)[:500]
    return dict(results.attrib)


Get = Callable[..., httpx.Response]


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, backend: str, request: pytest.FixtureRequest
) -> Iterator[tuple[str, list[Collection]]]:
    """The CSW URL of a `terrapole serve` process holding the catalogue (one per test module), and
    the catalogue."""
    root = tmp_path_factory.mktemp("csw-server")
    collections = catalogue()
    with backend_database(request, backend) as url:
        env = {"TERRAPOLE_DATABASE_URL": url} if url else {}
        with serve_processes(1, root, env) as servers:
            # The server's own data directory (SQLite) or database (PostgreSQL), written from here.
            store = open_catalog(Settings(data_dir=root / "server-0" / "data", database_url=url))
            try:
                store.upsert_collections(collections)
            finally:
                store.close()
            endpoint = f"{servers[0].base_url}/csw"
            _wait_for_text_index(endpoint)
            yield endpoint, collections


def _wait_for_text_index(endpoint: str) -> None:
    """Until the server's text index shows the load (it reloads its reader twice a second)."""
    params = {"service": "CSW", "version": "2.0.2", "request": "GetRecords", "typeNames": "csw:Record"}
    params |= {"constraintLanguage": "CQL_TEXT", "constraint": "csw:AnyText = 'zorblax'"}
    deadline = time.monotonic() + 20
    while 'numberOfRecordsMatched="15"' not in httpx.get(endpoint, params=params, timeout=10).text:
        assert time.monotonic() < deadline, "the served catalogue never showed the loaded records"
        time.sleep(0.1)
