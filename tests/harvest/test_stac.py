"""STAC harvests: static catalogs from the shared fixtures, and a two-node federation in which one
`terrapole serve` harvests another's STAC API."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import backend_database, demo_dataset, load
from tests.harvest.conftest import add_source, bearer, user_tokens
from tests.harvest.local_sources import ISO_DIR, STAC_DIR
from tests.support.server_processes import ServerProcess, serve_process

from terrapole.catalog import CatalogStore, open_catalog
from terrapole.core.model import Provenance
from terrapole.core.record import RECORD_KEY
from terrapole.harvest.runner import Harvester
from terrapole.harvest.store import HarvestStore
from terrapole.ingest import ingest, read_path
from terrapole.settings import Settings


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """The STAC specification's example catalog, laid out as its links expect, from the fixtures
    (two of its children are not among them: links to missing documents, as in the wild)."""
    root = tmp_path / "examples"
    (root / "collection-only").mkdir(parents=True)
    shutil.copy(STAC_DIR / "catalogs" / "stac-spec__catalog.json", root / "catalog.json")
    shutil.copy(
        STAC_DIR / "collections" / "stac-spec__collection-only_collection.json",
        root / "collection-only" / "collection.json",
    )
    shutil.copy(STAC_DIR / "items" / "stac-spec__collectionless-item.json", root / "collectionless-item.json")
    (root / "simple").mkdir()
    shutil.copy(STAC_DIR / "collections" / "stac-spec__collection.json", root / "simple" / "collection.json")
    for name in ("simple", "core", "extended"):
        shutil.copy(
            STAC_DIR / "items" / f"stac-spec__{name}-item.json", root / "simple" / f"{name}-item.json"
        )
    return root


def test_a_static_catalog_is_walked_and_its_broken_links_reported(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, examples: Path
) -> None:
    add_source(harvest_store, "examples", "stac-static", str(examples / "catalog.json"), pole="land")
    report = harvester.run("examples")
    assert (report.status, report.mode, report.counts.new, report.counts.failed) == (
        "succeeded",
        "full",
        1,
        3,
    )
    reasons = {f.identifier.removeprefix(str(examples)): f.reason for f in report.failures}
    assert set(reasons) == {
        "/extensions-collection/collection.json",
        "/collection-only/collection-with-schemas.json",
        "CS3-20160503_132131_08",
    }
    assert "does not resolve" in reasons["/extensions-collection/collection.json"]
    assert "names no collection" in reasons["CS3-20160503_132131_08"]
    collection = store.get_collection("sentinel-2")
    assert (collection.pole, collection.license) == ("land", "other")
    (provenance,) = collection.provenance
    assert provenance == Provenance(
        str(examples / "collection-only" / "collection.json"),
        "stac",
        "sentinel-2",
        provenance.retrieved,
        "land",
    )
    stored = harvest_store.document("examples", "sentinel-2")
    assert stored.original == (examples / "collection-only" / "collection.json").read_bytes()


def test_a_static_collection_with_items_is_harvested_once_per_item(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, examples: Path
) -> None:
    add_source(harvest_store, "simple", "stac-static", str(examples / "simple" / "collection.json"))
    report = harvester.run("simple")
    # Three example files describe one item (the same id): the catalog holds it once, as the last file says.
    assert (report.status, report.counts.new, report.counts.failed) == ("succeeded", 2, 0)
    item = store.get_item("simple-collection", "20201211_223832_CS2")
    assert item.properties["title"] == "Extended Item"
    again = harvester.run("simple")
    assert (again.counts.unchanged, again.counts.new, again.counts.deleted) == (2, 0, 0)


# --- two nodes ------------------------------------------------------------------------------------


def all_pages(client: httpx.Client, url: str, key: str) -> list[dict[str, Any]]:
    """Every object of a paged STAC listing."""
    found: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        page = client.get(next_url).raise_for_status().json()
        found.extend(page[key])
        next_url = next((link["href"] for link in page.get("links", []) if link["rel"] == "next"), None)
    return found


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """A served STAC document without what differs from node to node (its links, the record's provenance)."""
    kept = {k: v for k, v in document.items() if k != "links"}
    if RECORD_KEY in kept:
        kept[RECORD_KEY] = {k: v for k, v in kept[RECORD_KEY].items() if k != "provenance"}
    return kept


@pytest.fixture
def two_nodes(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> Iterator[tuple[ServerProcess, ServerProcess, dict[str, str]]]:
    """Node A (a catalog of STAC collections and items and of ISO records) and an empty node B,
    each a `terrapole serve` process with its own data directory (and database); and the
    headers of B's platform administrator (the harvest API is for curators)."""
    with ExitStack() as stack:
        nodes = []
        for name in ("a", "b"):
            url = stack.enter_context(backend_database(request, backend))
            settings = Settings(data_dir=tmp_path / name / "data", database_url=url)
            if name == "a":
                catalog = open_catalog(settings)
                load(catalog, demo_dataset())
                ingest(catalog, read_path(ISO_DIR))
                catalog.close()
            else:
                admin = bearer(user_tokens(settings)["admin"])
            env = {"TERRAPOLE_DATABASE_URL": url} if url else {}
            nodes.append(stack.enter_context(serve_process(tmp_path / name, env)))
        yield nodes[0], nodes[1], admin


def test_a_node_harvesting_another_nodes_stac_api_holds_identical_records(
    two_nodes: tuple[ServerProcess, ServerProcess, dict[str, str]],
) -> None:
    a, b, admin = two_nodes
    with httpx.Client(timeout=120) as client:
        source = {
            "name": "node-a",
            "protocol": "stac-api",
            "url": f"{a.base_url}/stac",
            "options": {"pageSize": "25"},
        }
        added = client.post(f"{b.base_url}/harvest/sources", json=source, headers=admin)
        assert added.status_code == 201
        run = f"{b.base_url}/harvest/sources/node-a/runs"
        report = client.post(run, params={"wait": "true"}, headers=admin).json()
        collections_a = all_pages(client, f"{a.base_url}/stac/collections", "collections")
        collections_b = all_pages(client, f"{b.base_url}/stac/collections", "collections")
        items_a = {
            c["id"]: all_pages(client, f"{a.base_url}/stac/collections/{c['id']}/items?limit=50", "features")
            for c in collections_a
        }
        items_b = {
            c["id"]: all_pages(client, f"{b.base_url}/stac/collections/{c['id']}/items?limit=50", "features")
            for c in collections_b
        }
    item_count = sum(len(v) for v in items_a.values())
    assert (report["status"], report["error"], report["counts"]["failed"]) == ("succeeded", None, 0)
    assert report["counts"]["new"] == len(collections_a) + item_count
    assert len(collections_a) > 20 and item_count == 70
    assert [comparable(c) for c in collections_b] == [comparable(c) for c in collections_a]
    # Items of equal datetime may be listed in another order: compared by id.
    assert {k: {i["id"]: comparable(i) for i in v} for k, v in items_b.items()} == {
        k: {i["id"]: comparable(i) for i in v} for k, v in items_a.items()
    }
    with_records = [(ca, cb) for ca, cb in zip(collections_a, collections_b, strict=True) if RECORD_KEY in ca]
    assert with_records
    for ca, cb in with_records:
        chain_a, chain_b = ca[RECORD_KEY]["provenance"], cb[RECORD_KEY]["provenance"]
        assert chain_b[:-1] == chain_a
        assert chain_b[-1]["source"].startswith(f"{a.base_url}/stac/collections/")
        assert chain_b[-1]["format"] == "stac"
