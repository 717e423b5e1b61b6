"""Ingesting STAC documents from files, directories and URLs: what is refused is reported,
and everything else goes in."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from tests.conftest import box, collection_doc, item_doc

from terrapole.catalog import CatalogStore
from terrapole.core.query import Query
from terrapole.ingest import ingest, read_path, read_url


def alpha() -> dict[str, Any]:
    return collection_doc(
        "alpha", "Alpha", "Test", ["x"], "land", [-10, -10, 10, 10], ["2020-01-01T00:00:00Z", None]
    )


def items(count: int) -> list[dict[str, Any]]:
    return [
        item_doc(
            "alpha", f"i{n}", box(n % 9, n % 7, 0.5), {"datetime": f"2021-01-{n % 28 + 1:02d}T00:00:00Z"}
        )
        for n in range(count)
    ]


def test_feature_collection_and_ndjson_with_a_broken_line(tmp_path: Path, store: CatalogStore) -> None:
    tmp_path = tmp_path / "inputs"
    tmp_path.mkdir()
    (tmp_path / "a-collection.json").write_bytes(orjson.dumps(alpha()))
    (tmp_path / "b-page.json").write_bytes(orjson.dumps({"type": "FeatureCollection", "features": items(5)}))
    lines = [orjson.dumps(doc) for doc in items(12)[5:]]
    lines.insert(3, b'{"type": "Feature", "id": ')  # truncated line
    lines.insert(
        5,
        orjson.dumps(
            {
                "type": "Feature",
                "id": "no-time",
                "collection": "alpha",
                "geometry": None,
                "properties": {},
                "assets": {},
                "links": [],
            }
        ),
    )
    (tmp_path / "c-items.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    report = ingest(store, read_path(tmp_path))
    assert (report.collections, report.items) == (1, 12)
    refused = dict(report.failures)
    assert len(refused) == 2
    assert any(origin.endswith("c-items.ndjson:4") for origin in refused)
    assert "datetime" in next(reason for origin, reason in refused.items() if origin.endswith(":6"))
    assert store.search_items(Query(limit=1)).number_matched == 12


def test_items_of_an_unknown_collection_are_reported_and_the_rest_written(store: CatalogStore) -> None:
    from terrapole.ingest import Source

    docs = [
        alpha(),
        *items(3),
        item_doc("nowhere", "lost", box(0, 0, 1), {"datetime": "2021-01-01T00:00:00Z"}),
    ]
    report = ingest(store, (Source("memory", d) for d in docs))
    assert report.items == 3
    assert report.failures == [("nowhere/lost", "collection 'nowhere' not found")]


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on loopback serving `tmp_path`."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_ingest_from_urls(tmp_path: Path, file_server: str, store: CatalogStore) -> None:
    # The file server serves tmp_path; the store lives in tmp_path / "data", which is not read.
    (tmp_path / "collection.json").write_bytes(orjson.dumps(alpha()))
    (tmp_path / "items.ndjson").write_bytes(b"\n".join(orjson.dumps(d) for d in items(4)))

    def fetch(url: str) -> bytes:
        response = httpx.get(url)
        response.raise_for_status()
        return response.content

    sources = [
        *read_url(f"{file_server}/collection.json", fetch),
        *read_url(f"{file_server}/items.ndjson", fetch),
    ]
    report = ingest(store, sources)
    assert (report.collections, report.items, report.failures) == (1, 4, [])
    assert store.get_item("alpha", "i3").collection == "alpha"
