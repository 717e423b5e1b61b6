"""Full-text search in the embedded catalog: ranking, accents, paging, and the derived index."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest

from terrapole.catalog.sqlite import SQLiteCatalog
from terrapole.core.model import BBox
from terrapole.core.query import Interval, Query, SortField
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.settings import Settings

from .conftest import collection_doc, item_doc
from .test_sqlite_store import all_ids


def titled(store: SQLiteCatalog, titles: dict[str, str], **props: Any) -> None:
    store.upsert_collections([parse_collection(collection_doc("alpha"))])
    rng = random.Random(11)
    store.upsert_items(parse_item(item_doc("alpha", k, rng, title=v, **props)) for k, v in titles.items())


def test_accents_and_case_are_folded(store: SQLiteCatalog) -> None:
    titled(store, {"a": "Température de surface de la mer", "b": "Land cover"})
    assert [i.id for i in store.search_items(Query(text="TEMPERATURE")).records] == ["a"]
    assert [i.id for i in store.search_items(Query(text="température mer")).records] == ["a"]


def test_words_are_anded_and_commas_are_ored(store: SQLiteCatalog) -> None:
    titled(store, {"a": "sea surface temperature", "b": "sea ice", "c": "forest height"})
    assert {i.id for i in store.search_items(Query(text="sea temperature")).records} == {"a"}
    assert {i.id for i in store.search_items(Query(text="ice,forest")).records} == {"b", "c"}


def test_relevance_ranks_denser_matches_first_and_pages_without_duplicates(store: SQLiteCatalog) -> None:
    titles = {f"i{n:03d}": "snow cover" + (" snow snow" if n % 10 == 0 else " alps") for n in range(120)}
    titled(store, titles)
    first = store.search_items(Query(text="snow", limit=12))
    assert first.number_matched == 120
    assert all(i.id.endswith("0") for i in first.records[:12])
    ids = all_ids(store, Query(text="snow", limit=7))
    assert sorted(ids) == sorted(titles)


def test_text_combines_with_filters_and_explicit_sort(store: SQLiteCatalog) -> None:
    titles = {f"i{n:03d}": "glacier" if n % 2 else "lake" for n in range(100)}
    titled(store, titles)
    box = BBox(-180, -90, 0, 90)
    ranked = set(all_ids(store, Query(text="glacier", bbox=box, limit=9)))
    everything = {i.id for i in store.search_items(Query(bbox=box, limit=1000)).records}
    assert ranked == {i for i in everything if int(i[1:]) % 2}
    ordered = store.search_items(Query(text="glacier", sortby=(SortField("datetime"),), limit=1000))
    stamps = [i.datetime for i in ordered.records]
    assert stamps == sorted(stamps) and len(stamps) == 50


def test_text_with_collection_and_time_pushdown(store: SQLiteCatalog) -> None:
    titled(store, {"a": "radiosonde profile", "b": "radiosonde profile"})
    a = store.get_item("alpha", "a")
    when = Interval(a.datetime, a.datetime)
    found = store.search_items(Query(text="radiosonde", collections=("alpha",), datetime=when))
    expected = {i for i in ("a", "b") if store.get_item("alpha", i).datetime == a.datetime}
    assert {i.id for i in found.records} == expected
    assert store.search_items(Query(text="radiosonde", collections=("other",))).number_matched == 0


def test_deleted_items_leave_the_text_index(store: SQLiteCatalog) -> None:
    titled(store, {"a": "bathymetry survey", "b": "bathymetry grid"})
    store.delete_item("alpha", "a")
    assert [i.id for i in store.search_items(Query(text="bathymetry")).records] == ["b"]


@pytest.mark.backends("sqlite")  # opens SQLiteCatalog and its files directly
def test_index_catches_up_after_an_interrupted_ingest(settings: Settings) -> None:
    store = SQLiteCatalog.open(settings)
    titled(store, {"a": "coastline position"})
    rng = random.Random(4)
    late = parse_item(item_doc("alpha", "late", rng, title="coastline erosion"))
    store._write_items([late])  # written to the database, never handed to the text index
    store.close()
    reopened = SQLiteCatalog.open(settings)
    try:
        found = reopened.search_items(Query(text="coastline"))
        assert {i.id for i in found.records} == {"a", "late"}
    finally:
        reopened.close()


def test_rebuild_recreates_the_index_from_the_database(store: SQLiteCatalog) -> None:
    titled(store, {"a": "species occurrences", "b": "habitat map"})
    assert store.rebuild_text_index() == 3  # two items and one collection
    assert [i.id for i in store.search_items(Query(text="habitat")).records] == ["b"]


def test_collection_search_by_text_in_either_language(store: SQLiteCatalog) -> None:
    doc = collection_doc(
        "ocean-sst",
        title="Sea surface temperature",
        **{"terrapole:translations": {"fr": {"title": "Température de surface de la mer"}}},
    )
    store.upsert_collections([parse_collection(doc), parse_collection(collection_doc("land-cover"))])
    for words in ("sea surface", "température de surface", "temperature"):
        assert [c.id for c in store.search_collections(Query(text=words)).records] == ["ocean-sst"]
    page = store.search_collections(replace(Query(limit=1)))
    assert page.number_matched == 2 and page.next_token is not None


@pytest.mark.backends("sqlite")  # opens SQLiteCatalog and its files directly
def test_an_index_built_by_an_older_analyzer_is_rebuilt_on_open(settings: Settings) -> None:
    import sqlite3

    store = SQLiteCatalog.open(settings)
    titled(store, {"a": "ground deformation velocity"})
    store.close()
    with sqlite3.connect(settings.catalog_path) as conn:
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'text_analyzer'")
    reopened = SQLiteCatalog.open(settings)
    try:
        assert [i.id for i in reopened.search_items(Query(text="deformation")).records] == ["a"]
    finally:
        reopened.close()


@pytest.mark.backends("sqlite")
def test_a_second_writer_stores_its_rows_and_the_index_holder_catches_them_up(settings: Settings) -> None:
    """Two processes on one data directory: while one holds the text index, the other's rows
    are committed at once and become searchable when the holder next catches up."""
    holder = SQLiteCatalog.open(settings)
    titled(holder, {"a": "volcano monitoring"})
    other = SQLiteCatalog.open(settings)
    other.text.items.lock_wait = 0.2
    holder.text.items.add([])  # the holder takes the index's writer lock
    rng = random.Random(21)
    doc = item_doc("alpha", "b", rng, title="volcano deformation")
    assert other.upsert_items([parse_item(doc)]) == 1
    assert other.get_item("alpha", "b").properties["title"] == "volcano deformation"
    holder.text.items.commit()  # releases the lock
    holder.delete_item("alpha", "a")  # any write makes the holder catch up
    found = holder.search_items(Query(text="volcano"))
    assert [i.id for i in found.records] == ["b"]
    other.close()
    holder.close()


def _found(store: SQLiteCatalog, words: str) -> list[str]:
    return sorted(c.id for c in store.search_collections(Query(text=words, limit=50)).records)


@pytest.mark.backends("sqlite")  # the text index of the embedded catalog
def test_written_collections_are_indexed_as_a_rebuild_indexes_them(store: SQLiteCatalog) -> None:
    docs = [collection_doc(f"c{n}", title=f"Glacier mass balance {n}") for n in range(3)]
    store.upsert_collections([parse_collection(d) for d in docs])
    renamed = collection_doc("c1", title="Permafrost temperature")
    # An update, an unchanged collection and a new one in the same write; c3 twice (the last wins).
    store.upsert_collections(
        [
            parse_collection(renamed),
            parse_collection(docs[2]),
            parse_collection(collection_doc("c3", title="Glacier outlines")),
            parse_collection(collection_doc("c3", title="Glacier outlines and lakes")),
        ]
    )
    searches = {words: _found(store, words) for words in ("glacier", "permafrost", "lakes", "balance")}
    assert searches == {
        "glacier": ["c0", "c2", "c3"],
        "permafrost": ["c1"],
        "lakes": ["c3"],
        "balance": ["c0", "c2"],
    }
    assert store.rebuild_text_index() == 4
    assert {words: _found(store, words) for words in searches} == searches


@pytest.mark.backends("sqlite")
def test_a_write_after_another_writers_collections_indexes_both(settings: Settings) -> None:
    """Collections another process wrote while this one held the index are indexed with this
    one's next write of collections."""
    holder = SQLiteCatalog.open(settings)
    holder.upsert_collections([parse_collection(collection_doc("a", title="Sea ice extent"))])
    other = SQLiteCatalog.open(settings)
    other.text.collections.lock_wait = 0.2
    holder.text.collections.add([])  # the holder takes the index's writer lock
    assert other.upsert_collections([parse_collection(collection_doc("b", title="Sea ice thickness"))]) == 1
    holder.text.collections.commit()
    holder.upsert_collections([parse_collection(collection_doc("c", title="Sea ice drift"))])
    try:
        assert _found(holder, "sea ice") == ["a", "b", "c"]
    finally:
        other.close()
        holder.close()
