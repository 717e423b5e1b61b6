"""Build the STAC 1.1.0 Item dicts of one demo collection."""

from __future__ import annotations

from random import Random
from typing import Any

from terrapole.demo.places import Site
from terrapole.demo.properties import (
    ITEM_ID_PREFIXES,
    PROFILES,
    choose_platform,
    platform_instruments,
)
from terrapole.demo.sampling import Timing, draw_geometry, draw_timing, geometry_bbox, iso
from terrapole.demo.spec import EXTENSION_SCHEMAS, AssetSpec, CollectionSpec

STAC_VERSION = "1.1.0"
# Products acquired by one satellite at one instant name their platform; composites do not.
_SINGLE_PLATFORM_CADENCES = frozenset({"scene", "event"})
_UNIQUE_ID_ATTEMPTS = 25


def extension_urls(spec: CollectionSpec) -> list[str]:
    """Schema URLs of the STAC extensions the collection and its items use."""
    return [EXTENSION_SCHEMAS[name] for name in spec.extensions]


def _time_properties(timing: Timing) -> dict[str, Any]:
    fields: dict[str, Any] = {"datetime": iso(timing.moment) if timing.moment else None}
    if timing.start is not None and timing.end is not None:
        fields["start_datetime"] = iso(timing.start)
        fields["end_datetime"] = iso(timing.end)
    return fields


def _utm_code(geometry: dict[str, Any]) -> str:
    west, south, east, north = geometry_bbox(geometry)
    lon, lat = (west + east) / 2, (south + north) / 2
    zone = int((lon + 180) // 6) + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def _platform_properties(rng: Random, spec: CollectionSpec, timing: Timing) -> dict[str, Any]:
    if spec.platforms and spec.schedule.cadence in _SINGLE_PLATFORM_CADENCES:
        platform = choose_platform(rng, spec.platforms, timing.reference)
        return {"platform": platform, "instruments": platform_instruments(platform, spec.instruments)}
    return {"instruments": list(spec.instruments)} if spec.instruments else {}


def _base_properties(
    rng: Random, spec: CollectionSpec, site: Site, timing: Timing, geometry: dict[str, Any]
) -> dict[str, Any]:
    properties: dict[str, Any] = {"title": f"{spec.item_title}, {site.name}, {timing.label}"}
    properties |= _time_properties(timing)
    properties |= _platform_properties(rng, spec, timing)
    if spec.gsd is not None:
        properties["gsd"] = spec.gsd
    if "eo" in spec.extensions:
        properties["eo:cloud_cover"] = round(100 * rng.betavariate(0.7, 1.3), 1)
    if spec.crs is not None:
        properties["proj:code"] = _utm_code(geometry) if spec.crs == "UTM" else spec.crs
    properties["terrapole:pole"] = spec.pole
    return properties


def _item_id(spec: CollectionSpec, site: Site, timing: Timing, properties: dict[str, Any]) -> str:
    prefix = ITEM_ID_PREFIXES[spec.profile]
    if "platform" in properties:
        prefix += "_" + properties["platform"].upper().replace("-", "")
    return f"{prefix}_{site.code}_{timing.key}"


def _asset(spec: CollectionSpec, item_id: str, asset: AssetSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "href": f"/data/{spec.pole}/{spec.id}/{item_id}{asset.suffix}",
        "type": asset.media_type,
        "title": asset.title,
        "roles": list(asset.roles),
    }
    if asset.bands:
        entry["bands"] = [
            {"name": name, "eo:common_name": common, "eo:center_wavelength": wavelength}
            for name, common, wavelength in asset.bands
        ]
    return entry


def _draw(rng: Random, spec: CollectionSpec) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """One random item: its id, geometry and properties."""
    site = rng.choice(spec.sites)
    timing = draw_timing(rng, spec.schedule, site)
    geometry = draw_geometry(rng, spec.footprint, site)
    properties = _base_properties(rng, spec, site, timing, geometry)
    properties |= PROFILES[spec.profile](rng, site, timing, properties)
    return _item_id(spec, site, timing, properties), geometry, properties


def _draw_unique(
    rng: Random, spec: CollectionSpec, taken: set[str]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    for _ in range(_UNIQUE_ID_ATTEMPTS):
        item_id, geometry, properties = _draw(rng, spec)
        if item_id not in taken:
            return item_id, geometry, properties
    # The collection is saturated (huge items_total): number the reprocessed versions.
    version = 2
    while f"{item_id}_v{version}" in taken:
        version += 1
    return f"{item_id}_v{version}", geometry, properties


def _collection_link(spec: CollectionSpec) -> dict[str, Any]:
    # STAC 1.1.0 forbids the "collection" field unless a "collection" link accompanies it.
    # The href follows the static-catalog layout <collection>/<item>/<item>.json.
    return {
        "rel": "collection",
        "href": "../collection.json",
        "type": "application/json",
        "title": spec.title.en,
    }


def build_item(rng: Random, spec: CollectionSpec, taken: set[str]) -> dict[str, Any]:
    """Draw one STAC 1.1.0 Item of ``spec`` whose id is not in ``taken`` (and add it there)."""
    item_id, geometry, properties = _draw_unique(rng, spec, taken)
    taken.add(item_id)
    return {
        "type": "Feature",
        "stac_version": STAC_VERSION,
        "stac_extensions": extension_urls(spec),
        "id": item_id,
        "collection": spec.id,
        "geometry": geometry,
        "bbox": geometry_bbox(geometry),
        "properties": properties,
        "links": [_collection_link(spec)],
        "assets": {asset.key: _asset(spec, item_id, asset) for asset in spec.assets},
    }


def _sort_key(item: dict[str, Any]) -> tuple[str, str]:
    properties = item["properties"]
    return properties["datetime"] or properties["start_datetime"], item["id"]


def build_items(rng: Random, spec: CollectionSpec, count: int) -> list[dict[str, Any]]:
    """``count`` Items of ``spec`` with unique ids, in chronological order."""
    taken: set[str] = set()
    items = [build_item(rng, spec, taken) for _ in range(count)]
    return sorted(items, key=_sort_key)
