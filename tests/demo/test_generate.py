"""The demo federation generator: deterministic, realistic and structurally valid STAC 1.1.0."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import pytest
from shapely.geometry import shape

from terrapole.demo import POLES, DemoFederation, generate_demo
from terrapole.demo.places import REGIONS

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MAINLAND = "france-mainland"
OVERSEAS = {"guadeloupe", "martinique", "guyane", "reunion", "mayotte"}


@pytest.fixture(scope="module")
def federation() -> DemoFederation:
    return generate_demo()


@pytest.fixture(scope="module")
def collections_by_id(federation: DemoFederation) -> dict[str, dict[str, Any]]:
    return {collection["id"]: collection for collection in federation.collections}


def _dump(federation: DemoFederation) -> str:
    return json.dumps([federation.collections, federation.items], sort_keys=True)


def _parse(value: str) -> datetime:
    assert ISO_UTC.match(value), value
    return datetime.fromisoformat(value)


def _inside(inner: list[float], outer: list[float], tolerance: float = 1e-9) -> bool:
    return (
        inner[0] >= outer[0] - tolerance
        and inner[1] >= outer[1] - tolerance
        and inner[2] <= outer[2] + tolerance
        and inner[3] <= outer[3] + tolerance
    )


def _item_interval(item: dict[str, Any]) -> tuple[datetime, datetime]:
    properties = item["properties"]
    if properties.get("start_datetime"):
        return _parse(properties["start_datetime"]), _parse(properties["end_datetime"])
    moment = _parse(properties["datetime"])
    return moment, moment


def _region_of(bbox: list[float]) -> str | None:
    lon, lat = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    for region in REGIONS.values():
        west, south, east, north = region.bbox
        if west <= lon <= east and south <= lat <= north:
            return region.key
    return None


def test_same_seed_gives_identical_output() -> None:
    assert _dump(generate_demo(seed=7, items_total=300)) == _dump(generate_demo(seed=7, items_total=300))


def test_different_seed_gives_different_items() -> None:
    first = generate_demo(seed=1, items_total=300)
    second = generate_demo(seed=2, items_total=300)
    assert [c["id"] for c in first.collections] == [c["id"] for c in second.collections]
    first_items = {(i["collection"], i["id"]) for i in first.items}
    second_items = {(i["collection"], i["id"]) for i in second.items}
    assert len(first_items & second_items) < len(first_items) / 10


def test_every_pole_has_at_least_three_collections(federation: DemoFederation) -> None:
    per_pole = Counter(collection["terrapole:pole"] for collection in federation.collections)
    assert set(per_pole) == set(POLES)
    assert all(count >= 3 for count in per_pole.values()), per_pole


@pytest.mark.parametrize("items_total", [0, 7, 250, 2000])
def test_items_total_is_honoured(items_total: int) -> None:
    federation = generate_demo(items_total=items_total)
    assert len(federation.items) == items_total
    assert len(federation.collections) >= 15


def test_series_collections_get_more_items_than_campaigns(federation: DemoFederation) -> None:
    counts = Counter(item["collection"] for item in federation.items)
    assert min(counts.values()) >= 1
    assert counts["land-sentinel2-l2a-reflectance"] > 4 * counts["atmosphere-across-2022-campaign"]


def test_every_item_belongs_to_an_existing_collection(
    federation: DemoFederation, collections_by_id: dict[str, dict[str, Any]]
) -> None:
    for item in federation.items:
        collection = collections_by_id[item["collection"]]
        assert item["properties"]["terrapole:pole"] == collection["terrapole:pole"]
        assert {"rel": "collection"}.items() <= item["links"][0].items()


@pytest.mark.parametrize("items_total", [2000, 20000])
def test_item_ids_are_unique_per_collection(items_total: int) -> None:
    ids: dict[str, set[str]] = defaultdict(set)
    for item in generate_demo(items_total=items_total).items:
        assert item["id"] not in ids[item["collection"]], item["id"]
        ids[item["collection"]].add(item["id"])


def test_collection_ids_are_slugs_prefixed_by_their_pole(federation: DemoFederation) -> None:
    ids = [collection["id"] for collection in federation.collections]
    assert len(ids) == len(set(ids))
    for collection in federation.collections:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", collection["id"])
        assert collection["id"].startswith(collection["terrapole:pole"] + "-")


def test_geometries_are_valid_and_match_their_bbox(federation: DemoFederation) -> None:
    for item in federation.items:
        geometry = shape(item["geometry"])
        assert geometry.is_valid, item["id"]
        assert item["geometry"]["type"] in {"Point", "Polygon"}
        if item["geometry"]["type"] == "Polygon":
            ring = item["geometry"]["coordinates"][0]
            assert ring[0] == ring[-1] and len(ring) >= 4
            assert geometry.area > 0
        assert len(item["bbox"]) == 4
        assert item["bbox"] == pytest.approx(list(geometry.bounds), abs=1e-9)
        assert -180 <= item["bbox"][0] <= item["bbox"][2] <= 180
        assert -90 <= item["bbox"][1] <= item["bbox"][3] <= 90


def test_items_fall_inside_their_collection_spatial_extent(
    federation: DemoFederation, collections_by_id: dict[str, dict[str, Any]]
) -> None:
    for item in federation.items:
        overall, *parts = collections_by_id[item["collection"]]["extent"]["spatial"]["bbox"]
        assert _inside(item["bbox"], overall), item["id"]
        if parts:
            assert any(_inside(item["bbox"], part) for part in parts), item["id"]


def test_items_fall_inside_their_collection_temporal_extent(
    federation: DemoFederation, collections_by_id: dict[str, dict[str, Any]]
) -> None:
    for item in federation.items:
        [[start, end]] = collections_by_id[item["collection"]]["extent"]["temporal"]["interval"]
        item_start, item_end = _item_interval(item)
        assert item_start >= _parse(start), item["id"]
        if end is not None:
            assert item_end <= _parse(end), item["id"]


def test_datetimes_parse_and_periods_are_ordered(federation: DemoFederation) -> None:
    for item in federation.items:
        properties = item["properties"]
        assert "datetime" in properties
        if properties["datetime"] is None:
            assert properties["start_datetime"] and properties["end_datetime"], item["id"]
        start, end = _item_interval(item)
        assert end >= start, item["id"]
        if properties["datetime"] is not None:
            assert start <= _parse(properties["datetime"]) <= end


def test_collections_are_described_in_english_and_french(federation: DemoFederation) -> None:
    for collection in federation.collections:
        french = collection["terrapole:translations"]["fr"]
        assert collection["title"] and french["title"]
        assert french["title"] != collection["title"]
        assert french["description"] != collection["description"]
        assert collection["description"].count(". ") >= 1 and french["description"].count(". ") >= 1
        assert collection["keywords"] and len(french["keywords"]) == len(collection["keywords"])
    french_text = " ".join(c["terrapole:translations"]["fr"]["description"] for c in federation.collections)
    assert "é" in french_text and "è" in french_text


def test_keywords_include_controlled_science_terms(federation: DemoFederation) -> None:
    keywords = {keyword for collection in federation.collections for keyword in collection["keywords"]}
    assert {"SEA SURFACE TEMPERATURE", "NITROGEN DIOXIDE", "LAND COVER"} <= keywords


def test_items_cover_mainland_france_and_overseas_territories(federation: DemoFederation) -> None:
    regions = {_region_of(item["bbox"]) for item in federation.items}
    assert MAINLAND in regions
    assert len(regions & OVERSEAS) >= 3, regions


def test_access_policies_are_mostly_open(federation: DemoFederation) -> None:
    access = Counter(collection["terrapole:access"] for collection in federation.collections)
    assert set(access) <= {"open", "embargo", "licensed", "restricted"}
    assert 1 <= sum(count for policy, count in access.items() if policy != "open") <= 3


def test_collections_have_the_required_stac_fields(federation: DemoFederation) -> None:
    for collection in federation.collections:
        assert collection["type"] == "Collection" and collection["stac_version"] == "1.1.0"
        assert collection["license"] and collection["description"] and collection["links"] is not None
        assert collection["providers"] and all(p["name"] and p["roles"] for p in collection["providers"])
        assert all(len(bbox) == 4 for bbox in collection["extent"]["spatial"]["bbox"])
        if collection["license"] == "other":
            assert any(link["rel"] == "license" for link in collection["links"])


def test_items_have_the_required_stac_fields_and_data_assets(federation: DemoFederation) -> None:
    for item in federation.items:
        assert item["type"] == "Feature" and item["stac_version"] == "1.1.0"
        data = [asset for asset in item["assets"].values() if "data" in asset["roles"]]
        assert data, item["id"]
        prefix = f"/data/{item['properties']['terrapole:pole']}/{item['collection']}/{item['id']}"
        assert all(asset["href"].startswith(prefix) and asset["type"] for asset in data)
        uses_eo = any("/eo/" in url for url in item["stac_extensions"])
        assert ("eo:cloud_cover" in item["properties"]) == uses_eo
        if uses_eo:
            assert 0 <= item["properties"]["eo:cloud_cover"] <= 100


def test_extensions_are_in_the_local_schema_mirror(federation: DemoFederation) -> None:
    support = pytest.importorskip("tests.support.stac_validation")
    urls = {url for doc in federation.collections + federation.items for url in doc["stac_extensions"]}
    for url in urls:
        assert (support.SCHEMAS_DIR / url.removeprefix("https://")).is_file(), url


def test_collections_and_items_validate_offline() -> None:
    support = pytest.importorskip("tests.support.stac_validation")
    federation = generate_demo(seed=3, items_total=60)
    for document in federation.collections + federation.items:
        support.validate_stac(document)
