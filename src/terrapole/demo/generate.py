"""Generate the demo federation: five poles, their STAC collections and items.

Pure and deterministic: no files, no network, no clock. Each collection draws from its own
``random.Random`` seeded with the federation seed and the collection id, so adding a collection
does not change the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random
from typing import Any

from terrapole.demo.catalogue import COLLECTION_SPECS, POLES
from terrapole.demo.items import STAC_VERSION, build_items, extension_urls
from terrapole.demo.places import REGIONS, Site
from terrapole.demo.sampling import iso, schedule_bounds
from terrapole.demo.spec import PNG, PROVIDERS, CollectionSpec

__all__ = ["POLES", "DemoFederation", "generate_demo"]

BBox = list[float]


@dataclass(frozen=True)
class DemoFederation:
    """The generated federation: STAC 1.1.0 Collection and Item dicts."""

    collections: list[dict[str, Any]]
    items: list[dict[str, Any]]


def generate_demo(seed: int = 20261124, items_total: int = 2000) -> DemoFederation:
    """Generate the demo federation: the same ``seed`` always gives the same output.

    ``items_total`` items are shared among the collections by weight (long series get more),
    with at least one item each when there are enough.
    """
    if items_total < 0:
        raise ValueError(f"items_total must be >= 0, got {items_total}")
    counts = allocate_counts(items_total, [spec.weight for spec in COLLECTION_SPECS])
    collections: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for spec, count in zip(COLLECTION_SPECS, counts, strict=True):
        spec_items = build_items(Random(f"{seed}/{spec.id}"), spec, count)
        collections.append(build_collection(spec, spec_items))
        items.extend(spec_items)
    return DemoFederation(collections=collections, items=items)


def allocate_counts(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), one each first."""
    counts = [1 if total >= len(weights) else 0 for _ in weights]
    remaining = total - sum(counts)
    weight_sum = sum(weights)
    quotas = [remaining * weight / weight_sum for weight in weights]
    floors = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (floors[i] - quotas[i], i))
    for index in by_remainder[: remaining - sum(floors)]:
        floors[index] += 1
    return [count + extra for count, extra in zip(counts, floors, strict=True)]


def _union(boxes: list[BBox]) -> BBox:
    return [
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    ]


def _region_of(item: dict[str, Any], sites: tuple[Site, ...]) -> str:
    """The region of the site nearest to the item's bbox centre."""
    west, south, east, north = item["bbox"]
    lon, lat = (west + east) / 2, (south + north) / 2
    nearest = min(sites, key=lambda site: (site.lon - lon) ** 2 + (site.lat - lat) ** 2)
    return nearest.region


def spatial_extent(spec: CollectionSpec, items: list[dict[str, Any]]) -> list[BBox]:
    """The overall bbox of the items, then one bbox per territory they cover."""
    if not items:
        regions = sorted({site.region for site in spec.sites})
        return [_union([list(REGIONS[key].bbox) for key in regions])]
    by_region: dict[str, list[BBox]] = {}
    for item in items:
        by_region.setdefault(_region_of(item, spec.sites), []).append(item["bbox"])
    overall = _union([item["bbox"] for item in items])
    if len(by_region) == 1:
        return [overall]
    return [overall, *(_union(boxes) for _, boxes in sorted(by_region.items()))]


def temporal_extent(spec: CollectionSpec) -> list[list[str | None]]:
    """The product's declared interval; an ongoing series has an open end."""
    first, last = schedule_bounds(spec.schedule)
    return [[iso(first), iso(last) if spec.schedule.end is not None else None]]


def _providers(spec: CollectionSpec) -> list[dict[str, Any]]:
    providers = []
    for key, roles in spec.providers:
        provider = PROVIDERS[key]
        entry: dict[str, Any] = {"name": provider.name, "roles": list(roles)}
        if provider.url:
            entry["url"] = provider.url
        providers.append(entry)
    return providers


def _summaries(spec: CollectionSpec, items: list[dict[str, Any]]) -> dict[str, Any]:
    summaries: dict[str, Any] = {}
    if spec.platforms:
        summaries["platform"] = list(spec.platforms)
    if spec.instruments:
        summaries["instruments"] = list(spec.instruments)
    gsds = sorted({item["properties"]["gsd"] for item in items if "gsd" in item["properties"]})
    if gsds:
        summaries["gsd"] = gsds
    clouds = [item["properties"]["eo:cloud_cover"] for item in items if "eo" in spec.extensions]
    if clouds:
        summaries["eo:cloud_cover"] = {"minimum": min(clouds), "maximum": max(clouds)}
    return summaries


def _links(spec: CollectionSpec) -> list[dict[str, Any]]:
    if spec.license_href is None:
        return []
    return [{"rel": "license", "href": spec.license_href, "type": "text/html", "title": "Licence"}]


def _collection_assets(spec: CollectionSpec) -> dict[str, Any]:
    base = f"/data/{spec.pole}/{spec.id}"
    return {
        "thumbnail": {
            "href": f"{base}/thumbnail.png",
            "type": PNG,
            "title": "Collection overview",
            "roles": ["thumbnail"],
        },
        "documentation": {
            "href": f"{base}/documentation.pdf",
            "type": "application/pdf",
            "title": "Product user manual",
            "roles": ["metadata"],
        },
    }


def _item_assets(spec: CollectionSpec) -> dict[str, Any]:
    return {
        asset.key: {"type": asset.media_type, "title": asset.title, "roles": list(asset.roles)}
        for asset in spec.assets
    }


def _translations(spec: CollectionSpec) -> dict[str, Any]:
    return {
        "fr": {
            "title": spec.title.fr,
            "description": spec.description.fr,
            "keywords": list(spec.keywords_fr),
        }
    }


def build_collection(spec: CollectionSpec, items: list[dict[str, Any]]) -> dict[str, Any]:
    """The STAC 1.1.0 Collection dict of ``spec``, with an extent covering ``items``."""
    summaries = _summaries(spec, items)
    return {
        "type": "Collection",
        "stac_version": STAC_VERSION,
        "stac_extensions": extension_urls(spec),
        "id": spec.id,
        "title": spec.title.en,
        "description": spec.description.en,
        "keywords": list(spec.keywords_en),
        "license": spec.license,
        "providers": _providers(spec),
        "extent": {
            "spatial": {"bbox": spatial_extent(spec, items)},
            "temporal": {"interval": temporal_extent(spec)},
        },
        **({"summaries": summaries} if summaries else {}),
        "links": _links(spec),
        "assets": _collection_assets(spec),
        "item_assets": _item_assets(spec),
        "terrapole:pole": spec.pole,
        "terrapole:access": spec.access,
        "terrapole:translations": _translations(spec),
    }
