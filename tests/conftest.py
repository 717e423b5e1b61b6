"""Shared fixtures: settings in a temporary directory, a real catalog store, an HTTP client over
the application, and a small deterministic dataset loaded once per session.

The dataset is built in code. Its documents are what the tests compare the API against (with
the `cql2` library's in-memory evaluator as the oracle for filters).

Every test that uses `settings`, `store`, `client` or the `loaded_*`/`api` fixtures runs once per
catalog backend: `[sqlite]` (embedded) and `[postgres]` (PostgreSQL/PostGIS). The PostgreSQL server
comes from TERRAPOLE_TEST_DATABASE_URL, which scripts/run-tests sets after starting a private
cluster; each test (each session, for the `loaded_*` fixtures) gets its own database cloned from
the cluster's `terrapole_template` and dropped afterwards. Mark a test that only makes sense on
some backends with `@pytest.mark.backends("sqlite")`.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import shapely.geometry
from fastapi.testclient import TestClient

from terrapole.app import create_app
from terrapole.catalog import CatalogStore, open_catalog
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.settings import Settings

if TYPE_CHECKING:
    import psycopg

# Object store fixtures (`object_store`, `s3_store`, `s3_endpoint`: a moto_server started on demand).
pytest_plugins = ["tests.support.s3_server"]

EO = "https://stac-extensions.github.io/eo/v2.0.0/schema.json"
T0 = datetime(2023, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Dataset:
    """The STAC documents loaded into the session catalog."""

    collections: list[dict[str, Any]]
    items: list[dict[str, Any]]

    def items_of(self, collection_id: str) -> list[dict[str, Any]]:
        """The item documents of one collection."""
        return [item for item in self.items if item["collection"] == collection_id]

    def item(self, item_id: str) -> dict[str, Any]:
        """One item document by id."""
        return next(item for item in self.items if item["id"] == item_id)


def rfc3339(value: datetime) -> str:
    """A UTC datetime as RFC 3339 with a Z."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def collection_doc(
    cid: str,
    title: str,
    description: str,
    keywords: list[str],
    pole: str,
    bbox: list[float],
    interval: list[str | None],
    **extra: Any,
) -> dict[str, Any]:
    """A STAC 1.1 Collection document."""
    return {
        "type": "Collection",
        "stac_version": "1.1.0",
        "stac_extensions": [],
        "id": cid,
        "title": title,
        "description": description,
        "keywords": keywords,
        "license": "CC-BY-4.0",
        "extent": {"spatial": {"bbox": [bbox]}, "temporal": {"interval": [interval]}},
        "links": [],
        "terrapole:pole": pole,
        **extra,
    }


def box(west: float, south: float, size: float) -> dict[str, Any]:
    """A square polygon geometry."""
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def item_doc(
    cid: str,
    iid: str,
    geometry: dict[str, Any],
    properties: dict[str, Any],
    extensions: list[str] | None = None,
) -> dict[str, Any]:
    """A STAC 1.1 Item document with one data asset."""
    return {
        "type": "Feature",
        "stac_version": "1.1.0",
        "stac_extensions": extensions or [],
        "id": iid,
        "collection": cid,
        "geometry": geometry,
        "bbox": list(shapely.geometry.shape(geometry).bounds),
        "properties": properties,
        "links": [],
        "assets": {
            "data": {
                "href": f"https://data.terrapole.example/{cid}/{iid}.tif",
                "type": "image/tiff; application=geotiff",
                "roles": ["data"],
            }
        },
    }


def land_items() -> list[dict[str, Any]]:
    """40 Sentinel-2 scenes over France: pairs share a datetime, every tenth has no cloud cover,
    every fifth has the keyword glacier."""
    items = []
    for k in range(40):
        props: dict[str, Any] = {
            "datetime": rfc3339(T0 + timedelta(days=9 * (k // 2), hours=10)),
            "platform": "sentinel-2a" if k % 2 else "sentinel-2b",
            "gsd": 10,
        }
        if k % 10 != 3:
            props["eo:cloud_cover"] = (k * 37) % 101
        if k % 5 == 0:
            props["keywords"] = ["glacier", "snow"]
        geometry = box(-4.0 + (k % 13), 42.0 + (k % 8), 0.5)
        extensions = [EO] if "eo:cloud_cover" in props else []
        items.append(item_doc("land-s2", f"s2-{k:03d}", geometry, props, extensions))
    return items


def atmosphere_items() -> list[dict[str, Any]]:
    """20 monthly NO2 grids over Europe (start/end datetimes, null datetime)."""
    items = []
    for k in range(20):
        start = datetime(2022 + k // 12, k % 12 + 1, 1, tzinfo=UTC)
        end = datetime(2022 + (k + 1) // 12, (k + 1) % 12 + 1, 1, tzinfo=UTC) - timedelta(seconds=1)
        props = {
            "datetime": None,
            "start_datetime": rfc3339(start),
            "end_datetime": rfc3339(end),
            "pollutant": "NO2",
            "unit": "µg/m³",
            "coverage": round(0.5 + k / 40, 3),
            "description": "Monthly mean of nitrogen dioxide",
        }
        items.append(item_doc("atmo-no2", f"no2-{k:03d}", box(-10, 35, 40), props))
    return items


def ocean_items() -> list[dict[str, Any]]:
    """10 sea-surface temperature points in the Pacific, some on the antimeridian side."""
    items = []
    for k in range(10):
        lon = 170.0 + 2 * k if k < 5 else -180.0 + 2 * (k - 5)
        props = {
            "datetime": rfc3339(datetime(2021, 6, 1 + k, tzinfo=UTC)),
            "sea": "pacific",
            "depth": k * 5,
            "title": f"Buoy {k} temperature",
        }
        geometry = {"type": "Point", "coordinates": [lon, -10.0 + k]}
        items.append(item_doc("ocean-sst", f"sst-{k:03d}", geometry, props))
    return items


def demo_dataset() -> Dataset:
    """Three collections (land, atmosphere, ocean) and their 70 items."""
    collections = [
        collection_doc(
            "land-s2",
            "Sentinel-2 surface reflectance",
            "Optical reflectances of French land surfaces",
            ["reflectance", "optical"],
            "land",
            [-4.0, 42.0, 9.5, 49.5],
            ["2023-01-01T00:00:00Z", "2023-06-30T00:00:00Z"],
            language={"code": "en"},
            **{"terrapole:translations": {"fr": {"title": "Réflectances Sentinel-2"}}},
        ),
        collection_doc(
            "atmo-no2",
            "Nitrogen dioxide air quality",
            "Monthly NO2 concentration grids over Europe",
            ["air quality", "NO2"],
            "atmosphere",
            [-10.0, 35.0, 30.0, 75.0],
            ["2022-01-01T00:00:00Z", "2023-08-31T23:59:59Z"],
        ),
        collection_doc(
            "ocean-sst",
            "Sea-surface temperature",
            "Pacific buoys",
            ["ocean"],
            "ocean",
            [170.0, -10.0, -172.0, -1.0],
            ["2021-06-01T00:00:00Z", None],
        ),
    ]
    return Dataset(collections, [*land_items(), *atmosphere_items(), *ocean_items()])


def load(store: CatalogStore, dataset: Dataset) -> None:
    """Write the dataset into a store."""
    store.upsert_collections(parse_collection(doc) for doc in dataset.collections)
    store.upsert_items(parse_item(doc) for doc in dataset.items)


# --- catalog backends ---------------------------------------------------------------------------

BACKENDS = ("sqlite", "postgres")
TEMPLATE_DATABASE = "terrapole_template"  # created by scripts/pg-cluster: postgis, unaccent, pg_trgm
DATABASE_URL_VARIABLE = "TERRAPOLE_TEST_DATABASE_URL"


@functools.cache
def postgres_not_tested() -> str | None:
    """Why the [postgres] variants cannot run in this checkout or environment, or None."""
    if importlib.util.find_spec("terrapole.catalog.postgres") is None:
        return "the PostgreSQL catalog (terrapole.catalog.postgres) does not exist yet"
    if not os.environ.get(DATABASE_URL_VARIABLE):
        return f"{DATABASE_URL_VARIABLE} is not set (`make test` and scripts/run-tests set it)"
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Runs every test that (indirectly) uses `backend` once per backend, with ids [sqlite] and
    [postgres]; session scope, so that session fixtures are built once per backend. Variants that
    cannot run are left out (one line in the header and the summary says why), not skipped one by
    one: hundreds of identical skip lines would hide the real ones."""
    if "backend" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    wanted = marker.args if marker else BACKENDS
    names: list[Any] = [name for name in wanted if name != "postgres" or not postgres_not_tested()]
    if not names:  # a PostgreSQL-only test
        names = [pytest.param(name, marks=pytest.mark.skip(reason=postgres_not_tested())) for name in wanted]
    metafunc.parametrize("backend", names, indirect=True, scope="session")


def pytest_report_header(config: pytest.Config) -> str:
    reason = postgres_not_tested()
    return f"catalog backends: sqlite only ({reason})" if reason else "catalog backends: sqlite, postgres"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if reason := postgres_not_tested():
        terminalreporter.write_line(f"[postgres] variants not run: {reason}", yellow=True)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The catalog backend of this test: "sqlite" or "postgres"."""
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The URL of the test PostgreSQL server (its maintenance database)."""
    url = os.environ.get(DATABASE_URL_VARIABLE)
    if not url:
        pytest.skip(
            f"{DATABASE_URL_VARIABLE} is not set: run the tests with `make test` or "
            "scripts/run-tests, which start a PostgreSQL server"
        )
    return url


@pytest.fixture(scope="session")
def postgres_admin(postgres_server_url: str) -> Iterator[psycopg.Connection[Any]]:
    """One autocommit connection for creating and dropping test databases."""
    import psycopg

    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        yield conn


def database_url(server_url: str, name: str) -> str:
    """The server URL with another database name."""
    return urlsplit(server_url)._replace(path=f"/{name}").geturl()


@contextmanager
def postgres_database(admin: psycopg.Connection[Any], server_url: str) -> Iterator[str]:
    """A new database cloned from the template (PostGIS ready, no terrapole tables), as a URL;
    dropped afterwards, even when connections to it are left open."""
    from psycopg import sql

    name = f"terrapole_test_{uuid.uuid4().hex[:16]}"  # unique across pytest-xdist workers too
    # FILE_COPY: with fsync off, cloning plus dropping is about 70 ms (WAL_LOG: about 100 ms).
    admin.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
            sql.Identifier(name), sql.Identifier(TEMPLATE_DATABASE)
        )
    )
    try:
        yield database_url(server_url, name)
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def backend_database(request: pytest.FixtureRequest, backend: str) -> Iterator[str | None]:
    """The `database_url` setting of a backend: None for SQLite, a fresh database for PostgreSQL.
    The server fixtures are only requested for PostgreSQL, so SQLite runs never need a server."""
    if backend == "sqlite":
        yield None
        return
    admin = request.getfixturevalue("postgres_admin")
    with postgres_database(admin, request.getfixturevalue("postgres_server_url")) as url:
        yield url


@contextmanager
def backend_settings(request: pytest.FixtureRequest, backend: str, **fields: Any) -> Iterator[Settings]:
    """Settings with these fields on this backend (for fixtures that build their own settings)."""
    with backend_database(request, backend) as url:
        yield Settings(database_url=url, **fields)


@pytest.fixture
def postgres_url(postgres_admin: psycopg.Connection[Any], postgres_server_url: str) -> Iterator[str]:
    """The URL of a fresh PostgreSQL database for this test (for PostgreSQL-only tests)."""
    with postgres_database(postgres_admin, postgres_server_url) as url:
        yield url


# --- stores and applications ---------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Settings whose data directory is this test's temporary directory (and, for PostgreSQL,
    whose database is this test's own)."""
    with backend_settings(request, backend, data_dir=tmp_path / "data", count_budget_ms=60_000) as made:
        yield made


@pytest.fixture
def store(settings: Settings) -> Iterator[CatalogStore]:
    """An empty catalog store opened from the settings."""
    catalog = open_catalog(settings)
    yield catalog
    catalog.close()


@pytest.fixture
def client(settings: Settings, store: CatalogStore) -> Iterator[TestClient]:
    """An HTTP client over the application on the empty store."""
    with TestClient(create_app(settings, store)) as http:
        yield http


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The small deterministic dataset."""
    return demo_dataset()


@pytest.fixture(scope="session")
def loaded_settings(
    tmp_path_factory: pytest.TempPathFactory, backend: str, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    """Settings of the session catalog (small page limits, to exercise clamping and paging)."""
    with backend_settings(
        request,
        backend,
        data_dir=tmp_path_factory.mktemp("loaded"),
        default_limit=10,
        max_limit=50,
        count_budget_ms=60_000,
    ) as made:
        yield made


@pytest.fixture(scope="session")
def loaded_store(loaded_settings: Settings, dataset: Dataset) -> Iterator[CatalogStore]:
    """The session catalog, holding the dataset; tests must not change it."""
    catalog = open_catalog(loaded_settings)
    load(catalog, dataset)
    yield catalog
    catalog.close()


@pytest.fixture(scope="session")
def api(loaded_settings: Settings, loaded_store: CatalogStore) -> Iterator[TestClient]:
    """An HTTP client over the application serving the session catalog."""
    with TestClient(create_app(loaded_settings, loaded_store)) as http:
        yield http
