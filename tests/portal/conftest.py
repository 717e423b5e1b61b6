"""A catalog holding the demo federation plus one hostile record, and a client over the app.

The portal only reads the catalog through the `CatalogStore` protocol and the STAC API, which the
catalog tests check on both backends; the portal tests use the embedded SQLite catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.portal.hostile import hostile_collection

from terrapole.app import create_app
from terrapole.catalog import open_catalog
from terrapole.demo.generate import DemoFederation, generate_demo
from terrapole.ingest import Source, ingest
from terrapole.settings import Settings
from terrapole.vocab.bundled import import_bundled

DEMO_ITEMS = 2000


@pytest.fixture(scope="session")
def demo() -> DemoFederation:
    """The demo federation's documents (what the catalog holds, besides the hostile record)."""
    return generate_demo(items_total=DEMO_ITEMS)


def load_portal_catalog(data_dir: Path, demo: DemoFederation) -> Settings:
    """Write the bundled vocabularies, the demo federation and the hostile record into a catalog in
    `data_dir`."""
    settings = Settings(data_dir=data_dir, count_budget_ms=60_000)
    store = open_catalog(settings)
    try:
        import_bundled(store)  # first, as `terrapole demo` does: keywords link to their concepts
        documents = [Source("demo", c) for c in demo.collections] + [Source("demo", i) for i in demo.items]
        report = ingest(store, documents)
        assert not report.failures, report.failures[:3]
        store.upsert_collections([hostile_collection()])
    finally:
        store.close()
    return settings


@pytest.fixture(scope="session")
def portal_settings(tmp_path_factory: pytest.TempPathFactory, demo: DemoFederation) -> Settings:
    """Settings of a catalog holding the demo federation and the hostile record."""
    return load_portal_catalog(tmp_path_factory.mktemp("portal") / "data", demo)


@pytest.fixture(scope="session")
def portal_app_client(portal_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(portal_settings)) as client:
        yield client


@pytest.fixture
def portal(portal_app_client: TestClient) -> TestClient:
    """A client over the portal with no language cookie yet."""
    portal_app_client.cookies.clear()
    return portal_app_client


def collections_of(demo: DemoFederation, pole: str) -> list[dict[str, Any]]:
    """The demo collections of one pole."""
    return [c for c in demo.collections if c["terrapole:pole"] == pole]
