"""The embedded SQLite catalog: writes, reads, paging, and its bad states."""

from __future__ import annotations

import random
import sqlite3
from typing import Any

import pytest

from terrapole.catalog import CatalogStore
from terrapole.catalog.sqlite import SQLiteCatalog
from terrapole.core.errors import CollectionNotFound, InvalidParameter, ItemNotFound, StorageError
from terrapole.core.model import BBox
from terrapole.core.query import Interval, Query, SortField
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.settings import Settings

from .conftest import collection_doc, item_doc


def all_ids(store: CatalogStore, query: Query) -> list[str]:
    """Follow next tokens to the end and return every item id in order."""
    ids: list[str] = []
    token = query.token
    while True:
        page = store.search_items(_with_token(query, token))
        ids.extend(item.id for item in page.records)
        token = page.next_token
        if token is None:
            return ids


def _with_token(query: Query, token: str | None) -> Query:
    from dataclasses import replace

    return replace(query, token=token)


def test_upsert_is_idempotent_and_updates_in_place(
    loaded: tuple[SQLiteCatalog, list[dict[str, Any]]],
) -> None:
    store, docs = loaded
    changed = dict(docs[0], properties={**docs[0]["properties"], "eo:cloud_cover": 101})
    assert store.upsert_items([parse_item(changed), parse_item(docs[1])]) == 2
    assert store.search_items(Query(limit=1)).number_matched == 600
    assert store.get_item(docs[0]["collection"], docs[0]["id"]).properties["eo:cloud_cover"] == 101


def test_items_of_an_unknown_collection_are_refused_and_nothing_is_written(store: SQLiteCatalog) -> None:
    store.upsert_collections([parse_collection(collection_doc("alpha"))])
    rng = random.Random(1)
    batch = [parse_item(item_doc("alpha", "ok", rng)), parse_item(item_doc("missing", "bad", rng))]
    with pytest.raises(CollectionNotFound):
        store.upsert_items(batch)
    assert store.search_items(Query()).number_matched == 0


def test_get_item_distinguishes_missing_collection_from_missing_item(
    loaded: tuple[SQLiteCatalog, Any],
) -> None:
    store, _ = loaded
    with pytest.raises(CollectionNotFound):
        store.get_item("nope", "item-0001")
    with pytest.raises(ItemNotFound):
        store.get_item("alpha", "nope")


def test_default_order_is_newest_first_and_pages_have_no_gap_or_duplicate(
    loaded: tuple[SQLiteCatalog, Any],
) -> None:
    store, docs = loaded
    ids = all_ids(store, Query(limit=37))
    assert sorted(ids) == sorted(d["id"] for d in docs)
    by_id = {d["id"]: d["properties"]["datetime"] for d in docs}
    stamps = [by_id[i] for i in ids]
    assert stamps == sorted(stamps, reverse=True)


def test_prev_token_returns_the_previous_page(loaded: tuple[SQLiteCatalog, Any]) -> None:
    store, _ = loaded
    first = store.search_items(Query(limit=10, sortby=(SortField("eo:cloud_cover"),)))
    second = store.search_items(
        Query(limit=10, sortby=(SortField("eo:cloud_cover"),), token=first.next_token)
    )
    back = store.search_items(Query(limit=10, sortby=(SortField("eo:cloud_cover"),), token=second.prev_token))
    assert [i.id for i in back.records] == [i.id for i in first.records]
    assert first.prev_token is None and second.prev_token is not None


def test_keyset_paging_stays_exact_while_items_are_added(loaded: tuple[SQLiteCatalog, Any]) -> None:
    store, docs = loaded
    query = Query(limit=50, sortby=(SortField("datetime", descending=True),))
    first = store.search_items(query)
    rng = random.Random(99)
    newcomers = [item_doc("alpha", f"new-{n}", rng) for n in range(200)]
    store.upsert_items(parse_item(d) for d in newcomers)
    seen = [i.id for i in first.records] + all_ids(store, _with_token(query, first.next_token))
    originals = [i for i in seen if i.startswith("item-")]
    assert len(originals) == len(set(originals)) == len(docs)
    assert len(seen) == len(set(seen))


def test_sort_by_property_ascending_with_ties_broken_stably(loaded: tuple[SQLiteCatalog, Any]) -> None:
    store, docs = loaded
    ids = all_ids(store, Query(limit=64, sortby=(SortField("platform"), SortField("eo:cloud_cover", True))))
    props = {d["id"]: d["properties"] for d in docs}
    keys = [(props[i]["platform"], -props[i]["eo:cloud_cover"]) for i in ids]
    assert keys == sorted(keys) and len(ids) == 600


def test_unknown_sort_property_is_an_error(loaded: tuple[SQLiteCatalog, Any]) -> None:
    store, _ = loaded
    with pytest.raises(InvalidParameter) as error:
        store.search_items(Query(sortby=(SortField("no_such_thing"),)))
    assert error.value.parameter == "sortby"


def test_foreign_token_is_rejected(loaded: tuple[SQLiteCatalog, Any]) -> None:
    store, _ = loaded
    with pytest.raises(InvalidParameter):
        store.search_items(Query(token="bm90LWEtdG9rZW4"))


def test_bbox_uses_the_exact_geometry_not_only_its_box(store: SQLiteCatalog) -> None:
    store.upsert_collections([parse_collection(collection_doc("alpha"))])
    triangle = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [0, 10], [0, 0]]]}
    doc = {
        "type": "Feature",
        "stac_version": "1.1.0",
        "id": "tri",
        "collection": "alpha",
        "geometry": triangle,
        "bbox": [0, 0, 10, 10],
        "properties": {"datetime": "2020-01-01T00:00:00Z"},
        "assets": {},
        "links": [],
    }
    store.upsert_items([parse_item(doc)])
    assert store.search_items(Query(bbox=BBox(8, 8, 9, 9))).number_matched == 0
    assert store.search_items(Query(bbox=BBox(1, 1, 2, 2))).number_matched == 1


def test_bbox_across_the_antimeridian(store: SQLiteCatalog) -> None:
    store.upsert_collections([parse_collection(collection_doc("alpha"))])
    rng = random.Random(3)
    east = item_doc("alpha", "east", rng)
    east["geometry"]["coordinates"] = [[[179, 0], [179.5, 0], [179.5, 1], [179, 1], [179, 0]]]
    east["bbox"] = [179, 0, 179.5, 1]
    west = item_doc("alpha", "west", rng)
    west["geometry"]["coordinates"] = [[[-10, 0], [-9, 0], [-9, 1], [-10, 1], [-10, 0]]]
    west["bbox"] = [-10, 0, -9, 1]
    store.upsert_items([parse_item(east), parse_item(west)])
    found = store.search_items(Query(bbox=BBox(170, -5, -170, 5)))
    assert [i.id for i in found.records] == ["east"]


def test_selective_and_broad_boxes_agree_with_brute_force(loaded: tuple[SQLiteCatalog, Any]) -> None:
    store, docs = loaded
    for box in (BBox(-10, -10, 10, 10), BBox(-180, -90, 180, 90), BBox(100, 20, 101, 21)):
        expected = {
            d["id"]
            for d in docs
            if d["bbox"][0] <= box.east
            and d["bbox"][2] >= box.west
            and d["bbox"][1] <= box.north
            and d["bbox"][3] >= box.south
        }
        assert set(all_ids(store, Query(bbox=box, limit=200))) == expected


def test_datetime_interval_matches_periods_that_overlap_it(store: SQLiteCatalog) -> None:
    store.upsert_collections([parse_collection(collection_doc("alpha"))])
    rng = random.Random(5)
    period = item_doc(
        "alpha",
        "decade",
        rng,
        datetime=None,
        start_datetime="2000-01-01T00:00:00Z",
        end_datetime="2010-12-31T00:00:00Z",
    )
    instant = item_doc("alpha", "instant", rng, datetime="2015-06-01T00:00:00Z")
    store.upsert_items([parse_item(period), parse_item(instant)])
    found = store.search_items(Query(datetime=Interval.parse("2005-01-01T00:00:00Z/2005-02-01T00:00:00Z")))
    assert [i.id for i in found.records] == ["decade"]
    found = store.search_items(Query(datetime=Interval.parse("2010-06-01T00:00:00Z/..")))
    assert {i.id for i in found.records} == {"decade", "instant"}
    assert store.get_item("alpha", "decade").datetime is None


def test_delete_item_and_collection(loaded: tuple[SQLiteCatalog, Any]) -> None:
    store, _ = loaded
    store.delete_item("alpha", "item-0001")
    with pytest.raises(ItemNotFound):
        store.get_item("alpha", "item-0001")
    store.delete_collection("beta")
    assert store.search_items(Query(collections=("beta",))).number_matched == 0
    assert store.search_items(Query()).number_matched == 399
    with pytest.raises(CollectionNotFound):
        store.delete_collection("beta")


@pytest.mark.backends("sqlite")  # opens SQLiteCatalog and its files directly
def test_a_newer_schema_is_refused_with_a_clear_error(settings: Settings) -> None:
    SQLiteCatalog.open(settings).close()
    with sqlite3.connect(settings.catalog_path) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StorageError, match="newer"):
        SQLiteCatalog.open(settings)


def test_count_is_left_out_above_the_count_limit(tmp_path: Any) -> None:
    settings = Settings(data_dir=tmp_path, count_limit=10, count_budget_ms=60_000)
    store = SQLiteCatalog.open(settings)
    store.upsert_collections([parse_collection(collection_doc("alpha"))])
    rng = random.Random(2)
    store.upsert_items(parse_item(item_doc("alpha", f"i{n}", rng)) for n in range(30))
    assert store.search_items(Query(limit=5)).number_matched is None
    assert store.search_items(Query(ids=("i1", "i2"))).number_matched == 2
    store.close()


def test_count_is_left_out_when_it_exceeds_the_time_budget(tmp_path: Any) -> None:
    store = SQLiteCatalog.open(Settings(data_dir=tmp_path, count_budget_ms=0))
    store.upsert_collections([parse_collection(collection_doc("alpha"))])
    rng = random.Random(8)
    store.upsert_items(parse_item(item_doc("alpha", f"i{n}", rng)) for n in range(3000))
    page = store.search_items(Query(limit=5))
    assert page.number_matched is None and len(page.records) == 5
    # A result that fits on its first page is counted for free.
    assert store.search_items(Query(ids=("i1", "i2", "i3"), limit=5)).number_matched == 3
    store.close()


@pytest.mark.backends("sqlite")  # opens SQLiteCatalog and its files directly
def test_an_interrupted_bulk_load_is_repaired_on_open(settings: Settings) -> None:
    store = SQLiteCatalog.open(settings)
    store.upsert_collections([parse_collection(collection_doc("alpha"))])
    rng = random.Random(12)
    docs = [item_doc("alpha", f"b{n}", rng) for n in range(50)]
    store._begin_bulk()
    store.upsert_items(parse_item(d) for d in docs)  # a short call: it does not end the bulk load
    store.close()  # stops before the end of the load: indexes dropped, R*Tree not filled
    with sqlite3.connect(settings.catalog_path) as conn:
        assert conn.execute("SELECT count(*) FROM items_rtree").fetchone()[0] == 0
    reopened = SQLiteCatalog.open(settings)
    try:
        box = BBox(-180, -90, 180, 90)
        assert reopened.search_items(Query(bbox=box, limit=100)).number_matched == 50
        with sqlite3.connect(settings.catalog_path) as conn:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
            assert {"items_dt", "items_collection_dt", "items_platform_dt"} <= names
            assert conn.execute("SELECT count(*) FROM items_rtree").fetchone()[0] == 50
    finally:
        reopened.close()


@pytest.mark.backends("sqlite")  # opens SQLiteCatalog and its files directly
def test_a_large_ingest_goes_through_bulk_mode_and_ends_complete(
    settings: Settings, monkeypatch: Any
) -> None:
    import terrapole.catalog.sqlite as sqlite_module

    monkeypatch.setattr(sqlite_module, "BULK_AFTER_BATCHES", 1)
    store = SQLiteCatalog.open(settings)
    store.upsert_collections([parse_collection(collection_doc("alpha"))])
    rng = random.Random(13)
    docs = [item_doc("alpha", f"k{n}", rng) for n in range(300)]
    assert store.upsert_items((parse_item(d) for d in docs), batch_size=100) == 300
    expected = {d["id"] for d in docs if d["bbox"][0] <= 0 and d["bbox"][1] <= 0}
    found = all_ids(store, Query(bbox=BBox(-180, -90, 0, 0), limit=100))
    # Footprints are squares inside the world: these are exactly the ones meeting the box.
    assert set(found) == expected and len(found) == len(expected)
    with sqlite3.connect(settings.catalog_path) as conn:
        assert conn.execute("SELECT count(*) FROM meta WHERE key = 'bulk_from_rid'").fetchone()[0] == 0
    store.close()
