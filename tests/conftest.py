"""Shared fixtures: settings in a temporary directory, a real catalog store, an HTTP client over
the application, and a small deterministic dataset loaded once per session.

The dataset is built in code. Its documents are what the tests compare the API against (with
the `cql2` library's in-memory evaluator as the oracle for filters).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import shapely.geometry
from fastapi.testclient import TestClient

from terrapole.app import create_app
from terrapole.catalog import CatalogStore, open_catalog
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.settings import Settings

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


def collection_doc(cid: str, title: str, description: str, keywords: list[str], pole: str,
                   bbox: list[float], interval: list[str | None], **extra: Any) -> dict[str, Any]:
    """A STAC 1.1 Collection document."""
    return {
        "type": "Collection", "stac_version": "1.1.0", "stac_extensions": [], "id": cid,
        "title": title, "description": description, "keywords": keywords, "license": "CC-BY-4.0",
        "extent": {"spatial": {"bbox": [bbox]}, "temporal": {"interval": [interval]}},
        "links": [], "terrapole:pole": pole, **extra,
    }


def box(west: float, south: float, size: float) -> dict[str, Any]:
    """A square polygon geometry."""
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size],
            [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def item_doc(cid: str, iid: str, geometry: dict[str, Any], properties: dict[str, Any],
             extensions: list[str] | None = None) -> dict[str, Any]:
    """A STAC 1.1 Item document with one data asset."""
    return {
        "type": "Feature", "stac_version": "1.1.0", "stac_extensions": extensions or [],
        "id": iid, "collection": cid, "geometry": geometry,
        "bbox": list(shapely.geometry.shape(geometry).bounds), "properties": properties,
        "links": [],
        "assets": {"data": {"href": f"https://data.terrapole.example/{cid}/{iid}.tif",
                            "type": "image/tiff; application=geotiff", "roles": ["data"]}},
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
        props = {"datetime": None, "start_datetime": rfc3339(start), "end_datetime": rfc3339(end),
                 "pollutant": "NO2", "unit": "µg/m³", "coverage": round(0.5 + k / 40, 3),
                 "description": "Monthly mean of nitrogen dioxide"}
        items.append(item_doc("atmo-no2", f"no2-{k:03d}", box(-10, 35, 40), props))
    return items


def ocean_items() -> list[dict[str, Any]]:
    """10 sea-surface temperature points in the Pacific, some on the antimeridian side."""
    items = []
    for k in range(10):
        lon = 170.0 + 2 * k if k < 5 else -180.0 + 2 * (k - 5)
        props = {"datetime": rfc3339(datetime(2021, 6, 1 + k, tzinfo=UTC)), "sea": "pacific",
                 "depth": k * 5, "title": f"Buoy {k} temperature"}
        geometry = {"type": "Point", "coordinates": [lon, -10.0 + k]}
        items.append(item_doc("ocean-sst", f"sst-{k:03d}", geometry, props))
    return items


def demo_dataset() -> Dataset:
    """Three collections (land, atmosphere, ocean) and their 70 items."""
    collections = [
        collection_doc("land-s2", "Sentinel-2 surface reflectance",
                       "Optical reflectances of French land surfaces", ["reflectance", "optical"],
                       "land", [-4.0, 42.0, 9.5, 49.5], ["2023-01-01T00:00:00Z", "2023-06-30T00:00:00Z"],
                       language={"code": "en"},
                       **{"terrapole:translations": {"fr": {"title": "Réflectances Sentinel-2"}}}),
        collection_doc("atmo-no2", "Nitrogen dioxide air quality",
                       "Monthly NO2 concentration grids over Europe", ["air quality", "NO2"],
                       "atmosphere", [-10.0, 35.0, 30.0, 75.0],
                       ["2022-01-01T00:00:00Z", "2023-08-31T23:59:59Z"]),
        collection_doc("ocean-sst", "Sea-surface temperature", "Pacific buoys", ["ocean"], "ocean",
                       [170.0, -10.0, -172.0, -1.0], ["2021-06-01T00:00:00Z", None]),
    ]
    return Dataset(collections, [*land_items(), *atmosphere_items(), *ocean_items()])


def load(store: CatalogStore, dataset: Dataset) -> None:
    """Write the dataset into a store."""
    store.upsert_collections(parse_collection(doc) for doc in dataset.collections)
    store.upsert_items(parse_item(doc) for doc in dataset.items)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data directory is this test's temporary directory."""
    return Settings(data_dir=tmp_path / "data", count_budget_ms=60_000)


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
def loaded_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the session catalog (small page limits, to exercise clamping and paging)."""
    return Settings(data_dir=tmp_path_factory.mktemp("loaded"), default_limit=10, max_limit=50,
                    count_budget_ms=60_000)


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
