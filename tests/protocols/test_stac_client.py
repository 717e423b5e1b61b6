"""pystac-client, a real STAC API client, against terrapole served by uvicorn on loopback.

2,500 seeded items in one collection (some sharing a datetime, to exercise tie-breaking) are
paged through by searches that use bbox, datetime, filter and sortby together.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pystac_client import Client
from pystac_client.conformance import ConformanceClasses
from tests.conftest import backend_settings, box, collection_doc, item_doc, rfc3339
from tests.support.stac_validation import validate_stac

from terrapole.app import create_app
from terrapole.catalog import open_catalog
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.settings import Settings

BULK = 2_500
PLATFORMS = ("sentinel-2a", "sentinel-2b", "landsat-8")


def bulk_items(seed: int = 2024) -> list[dict[str, Any]]:
    """2,500 items over Europe, inserted in shuffled order; every 7th shares its predecessor's datetime."""
    rng = random.Random(seed)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    items, instant = [], start
    for n in range(BULK):
        if n % 7:
            instant = start + timedelta(hours=3 * n, minutes=rng.randint(0, 59))
        props = {
            "datetime": rfc3339(instant),
            "eo:cloud_cover": rng.randint(0, 100),
            "platform": rng.choice(PLATFORMS),
        }
        geometry = box(rng.uniform(-10, 29), rng.uniform(35, 59), rng.uniform(0.05, 0.9))
        items.append(item_doc("bulk", f"bulk-{n:05d}", geometry, props))
    rng.shuffle(items)
    return items


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run the app under uvicorn on a free loopback port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # the kernel picks a free port; uvicorn serves this very socket
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    """The bulk item documents."""
    return bulk_items()


@pytest.fixture(scope="module")
def stac_url(
    tmp_path_factory: pytest.TempPathFactory,
    documents: list[dict[str, Any]],
    backend: str,
    request: pytest.FixtureRequest,
) -> Iterator[str]:
    """The STAC API root of a server whose catalog holds the bulk collection."""
    with backend_settings(
        request, backend, data_dir=Path(tmp_path_factory.mktemp("client")) / "data", count_budget_ms=60_000
    ) as settings:
        yield from serve_bulk(settings, documents)


def serve_bulk(settings: Settings, documents: list[dict[str, Any]]) -> Iterator[str]:
    """Loads the bulk collection and serves it; yields the STAC API root."""
    store = open_catalog(settings)
    store.upsert_collections(
        [
            parse_collection(
                collection_doc(
                    "bulk",
                    "Bulk scenes",
                    "Seeded scenes over Europe",
                    ["bulk"],
                    "land",
                    [-10.0, 35.0, 30.0, 60.0],
                    ["2020-01-01T00:00:00Z", None],
                )
            )
        ]
    )
    store.upsert_items(parse_item(doc) for doc in documents)
    try:
        with serve(create_app(settings, store)) as base:
            yield f"{base}/stac"
    finally:
        store.close()


@pytest.fixture(scope="module")
def client(stac_url: str) -> Client:
    """A pystac-client Client opened on the API."""
    return Client.open(stac_url)


def test_client_sees_the_api(client: Client) -> None:
    for conformance in (
        "CORE",
        "ITEM_SEARCH",
        "FILTER",
        "SORT",
        "FIELDS",
        "COLLECTIONS",
        "FEATURES",
        "COLLECTION_SEARCH",
        "COLLECTION_SEARCH_FREE_TEXT",
    ):
        assert client.conforms_to(ConformanceClasses[conformance]), conformance
    collections = list(client.get_collections())
    assert [c.id for c in collections] == ["bulk"]
    for collection in collections:
        validate_stac(collection.to_dict())


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_page_through_a_full_search(client: Client, documents: list[dict[str, Any]], method: str) -> None:
    search = client.search(
        method=method,
        collections=["bulk"],
        bbox=[-11, 34, 31, 61],
        datetime="2019-12-31T00:00:00Z/2030-01-01T00:00:00Z",
        filter={"op": ">=", "args": [{"property": "eo:cloud_cover"}, 0]},
        sortby="-properties.datetime",
        limit=100,
    )
    assert search.matched() == BULK
    items = list(search.items_as_dicts())
    seen = [item["id"] for item in items]
    assert len(seen) == BULK and len(set(seen)) == BULK
    assert set(seen) == {doc["id"] for doc in documents}
    times = [item["properties"]["datetime"] for item in items]
    assert times == sorted(times, reverse=True)
    for item in items[::20]:  # every item is validated in the heavy test below
        validate_stac(item)


@pytest.mark.heavy
def test_every_item_the_client_gets_is_valid_stac(client: Client) -> None:
    items = list(client.search(collections=["bulk"], limit=500).items_as_dicts())
    assert len(items) == BULK
    for item in items:
        validate_stac(item)


def test_filtered_search_matches_the_documents(client: Client, documents: list[dict[str, Any]]) -> None:
    search = client.search(
        collections=["bulk"],
        filter="eo:cloud_cover < 30 AND platform = 'landsat-8'",
        filter_lang="cql2-text",
        sortby=["+eo:cloud_cover", "+id"],
        limit=100,
    )
    found = [item.id for item in search.items()]
    expected = sorted(
        (
            d
            for d in documents
            if d["properties"]["eo:cloud_cover"] < 30 and d["properties"]["platform"] == "landsat-8"
        ),
        key=lambda d: (d["properties"]["eo:cloud_cover"], d["id"]),
    )
    assert found == [d["id"] for d in expected]


def test_fields_and_items_by_collection(client: Client) -> None:
    search = client.search(
        collections=["bulk"],
        ids=["bulk-00007", "bulk-00008"],
        fields={"include": ["properties.platform"], "exclude": ["assets"]},
    )
    for item in search.items_as_dicts():
        assert set(item["properties"]) == {"datetime", "platform"} and "assets" not in item
    collection = client.get_collection("bulk")
    first = next(iter(collection.get_items()))
    assert first.collection_id == "bulk"
    validate_stac(first.to_dict())


def test_collection_search(client: Client) -> None:
    assert [c.id for c in client.collection_search(q="bulk").collections()] == ["bulk"]
    assert list(client.collection_search(q="nothing-like-it").collections()) == []


def test_concurrent_requests_agree(stac_url: str) -> None:
    queries = [
        {"limit": "20", "sortby": "-datetime"},
        {"filter": "eo:cloud_cover < 10", "limit": "30"},
        {"bbox": "0,40,10,50", "limit": "25"},
        {"q": "bulk", "limit": "5"},
    ]

    def run(params: dict[str, str]) -> list[str]:
        response = httpx.get(f"{stac_url}/search", params=params, timeout=30)
        assert response.status_code == 200, response.text
        return [feature["id"] for feature in response.json()["features"]]

    expected = [run(params) for params in queries]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, queries * 20))
    assert results == expected * 20
