"""Every real STAC file in the shared fixtures ingests and comes back equivalent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from fastapi.testclient import TestClient
from tests.conftest import backend_settings

from terrapole.app import create_app
from terrapole.catalog import open_catalog
from terrapole.core.timeutil import parse_instant
from terrapole.formats.stac import STRUCTURAL_RELS
from terrapole.ingest import ingest, read_path
from terrapole.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "stac"
ITEM_FALLBACK_COLLECTION = "collectionless"
# Fixtures that are refused, on purpose, with the reason the ingest report must give.
REFUSED = {
    "stac-spec__catalog.json": "type 'Catalog'",  # links only: static catalogs are harvested
    "pycsw__woudc-total-column-ozone.json": "datetime is null",  # invalid Item: no time at all
}


def fixture_documents() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every accepted record, the last one of each identity only (later files replace earlier)."""
    latest: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {}
    for source in read_path(FIXTURES):
        doc = source.document
        if Path(source.origin.split(":")[0]).name in REFUSED:
            continue
        if isinstance(doc, dict) and doc.get("type") in ("Feature", "Collection"):
            owner = doc.get("collection") or ITEM_FALLBACK_COLLECTION if doc["type"] == "Feature" else ""
            latest[(doc["type"], owner, doc["id"])] = (source.origin, doc)
    yield from latest.values()


def own_links(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [link for link in doc.get("links") or () if link.get("rel") not in STRUCTURAL_RELS]


def same_instant(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return parse_instant(a) == parse_instant(b)


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, backend: str, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """The fixtures ingested, and an HTTP client on the application serving them."""
    with backend_settings(request, backend, data_dir=tmp_path_factory.mktemp("fixtures")) as settings:
        yield from serve_fixtures(settings)


def serve_fixtures(settings: Settings) -> Iterator[Any]:
    """Ingests the fixtures into the settings' catalog and serves them."""
    store = open_catalog(settings)
    report = ingest(store, read_path(FIXTURES), collection=ITEM_FALLBACK_COLLECTION, create_collections=True)
    with TestClient(create_app(settings, store)) as client:
        yield client, report
    store.close()


def test_fixtures_are_present() -> None:
    kinds = [doc["type"] for _, doc in fixture_documents()]
    assert kinds.count("Feature") >= 10 and kinds.count("Collection") >= 5


def test_only_invalid_fixtures_are_refused_and_each_with_its_reason(served: Any) -> None:
    _, report = served
    refused = {Path(origin).name: reason for origin, reason in report.failures}
    assert set(refused) == set(REFUSED)
    for name, reason in REFUSED.items():
        assert reason in refused[name]


@pytest.mark.parametrize(
    "origin,doc", list(fixture_documents()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_record_is_served_back_equivalent(served: Any, origin: str, doc: dict[str, Any]) -> None:
    client, _ = served
    if doc["type"] == "Feature":
        owner = quote(doc.get("collection") or ITEM_FALLBACK_COLLECTION, safe="")
        response = client.get(f"/stac/collections/{owner}/items/{quote(doc['id'], safe='')}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/geo+json")
        out = response.json()
        for key in ("geometry", "properties", "assets"):
            assert orjson.loads(orjson.dumps(out[key])) == orjson.loads(orjson.dumps(doc[key])), key
        if "bbox" in doc:
            assert out["bbox"] == doc["bbox"]
    else:
        response = client.get(f"/stac/collections/{quote(doc['id'], safe='')}")
        assert response.status_code == 200
        out = response.json()
        for key in ("title", "description", "license", "summaries", "assets", "item_assets"):
            assert out.get(key) == doc.get(key), key
        assert out["keywords"] == doc.get("keywords", [])
        assert out["providers"] == doc.get("providers", [])
        assert out["extent"]["spatial"]["bbox"] == [
            list(map(float, b[:2] + b[-2:] if len(b) == 4 else [b[0], b[1], b[3], b[4]]))
            for b in doc["extent"]["spatial"]["bbox"]
        ]
        for got, want in zip(
            out["extent"]["temporal"]["interval"], doc["extent"]["temporal"]["interval"], strict=True
        ):
            assert same_instant(got[0], want[0]) and same_instant(got[1], want[1])
    extra = {k for k in doc if k not in out}
    assert not extra, f"fields lost: {extra}"
    assert out["stac_extensions"] == doc.get("stac_extensions", [])
    assert out["stac_version"] == "1.1.0"
    assert own_links(out) == own_links(doc)
    assert {link["rel"] for link in out["links"]} >= {"self", "root", "parent"}
