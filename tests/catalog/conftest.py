"""Fixtures for catalog store tests: a fresh store and a seeded item generator."""

from __future__ import annotations

import random
from typing import Any

import pytest

from terrapole.catalog.sqlite import SQLiteCatalog
from terrapole.formats.stac import parse_collection, parse_item

PLATFORMS = ("sentinel-2a", "sentinel-2b", "landsat-8", "pleiades")


def collection_doc(collection_id: str, **extra: Any) -> dict[str, Any]:
    """A minimal valid STAC Collection dict."""
    return {
        "type": "Collection",
        "stac_version": "1.1.0",
        "id": collection_id,
        "title": f"Collection {collection_id}",
        "description": "Test collection",
        "license": "CC-BY-4.0",
        "extent": {
            "spatial": {"bbox": [[-180, -90, 180, 90]]},
            "temporal": {"interval": [["2000-01-01T00:00:00Z", None]]},
        },
        "links": [],
        **extra,
    }


def item_doc(collection: str, item_id: str, rng: random.Random, **props: Any) -> dict[str, Any]:
    """A STAC Item with a random small square footprint and random properties."""
    x, y, size = rng.uniform(-170, 169), rng.uniform(-80, 79), rng.uniform(0.05, 1.0)
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    properties = {
        "datetime": f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:00:00Z",
        "eo:cloud_cover": rng.randint(0, 100),
        "platform": rng.choice(PLATFORMS),
        "gsd": rng.choice((0.5, 10, 30)),
    }
    properties.update(props)
    return {
        "type": "Feature",
        "stac_version": "1.1.0",
        "id": item_id,
        "collection": collection,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "bbox": [x, y, x + size, y + size],
        "properties": properties,
        "assets": {},
        "links": [],
    }


@pytest.fixture
def loaded(store: SQLiteCatalog) -> tuple[SQLiteCatalog, list[dict[str, Any]]]:
    """A store with two collections and 600 seeded random items."""
    rng = random.Random(7)
    store.upsert_collections([parse_collection(collection_doc(c)) for c in ("alpha", "beta")])
    docs = [item_doc("alpha" if n % 3 else "beta", f"item-{n:04d}", rng) for n in range(600)]
    store.upsert_items(parse_item(d) for d in docs)
    return store, docs
