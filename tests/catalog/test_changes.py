"""Change tracking for harvesters, on both stores: datestamps, tombstones, the keyed change list,
and the upgrade of a database written before datestamps existed."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.conftest import box, item_doc

from terrapole.catalog import CatalogStore, open_catalog
from terrapole.catalog.base import ChangeKey, ChangeScope, CollectionChange
from terrapole.catalog.sqlite_schema import SCHEMA_VERSION as SQLITE_SCHEMA_VERSION
from terrapole.core.errors import CollectionNotFound
from terrapole.core.model import BBox, Collection
from terrapole.core.record import Record, collection_from_record
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.settings import Settings

from .conftest import collection_doc


def dataset(cid: str, pole: str | None = "ocean", parent: str | None = None, title: str = "") -> Collection:
    """A collection carrying a record, in a pole and optionally a series."""
    record = Record(
        identifier=cid, title={"en": title or f"Dataset {cid}"}, pole=pole, parent_identifier=parent
    )
    return collection_from_record(record)


def walk(store: CatalogStore, limit: int, **options: Any) -> list[CollectionChange]:
    """Every change of a list, page by page."""
    found: list[CollectionChange] = []
    after: ChangeKey | None = None
    while True:
        page = store.collection_changes(after=after, limit=limit, **options)
        found.extend(page.changes)
        if page.next_key is None:
            return found
        after = page.next_key


def test_writes_get_growing_utc_datestamps_and_an_unchanged_write_keeps_its_own(store: CatalogStore) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    store.upsert_collections([dataset("a"), dataset("b")])
    first = {c.id: c for c in walk(store, 10)}
    assert set(first) == {"a", "b"}
    assert first["a"].datestamp == first["b"].datestamp  # one write, one datestamp
    assert first["a"].datestamp.tzinfo is not None and first["a"].datestamp >= before
    assert first["a"].collection is not None and first["a"].collection.title == {"en": "Dataset a"}

    store.upsert_collections([dataset("a"), dataset("b", title="Renamed")])
    second = {c.id: c for c in walk(store, 10)}
    assert second["a"].datestamp == first["a"].datestamp
    assert second["b"].datestamp > first["b"].datestamp
    assert [c.id for c in walk(store, 10)] == ["a", "b"]
    store.upsert_collections([dataset("a", title="Renamed too")])
    assert [c.id for c in walk(store, 10)] == ["b", "a"]  # a change moves to the end


def test_a_deletion_leaves_a_tombstone_that_keeps_pole_and_series(store: CatalogStore) -> None:
    store.upsert_collections([dataset("s1", "ocean", "series-x"), dataset("keep", "land")])
    live = store.collection_change("s1")
    store.delete_collection("s1")
    dead = store.collection_change("s1")
    assert (dead.deleted, dead.pole, dead.parent, dead.collection) == (True, "ocean", "series-x", None)
    assert dead.datestamp > live.datestamp
    assert [(c.id, c.deleted) for c in walk(store, 10)] == [("keep", False), ("s1", True)]
    assert [c.id for c in walk(store, 10, deleted=False)] == ["keep"]
    assert [c.id for c in walk(store, 10, scope=ChangeScope(parent="series-x"))] == ["s1"]
    with pytest.raises(CollectionNotFound):
        store.delete_collection("s1")
    with pytest.raises(CollectionNotFound):
        store.collection_change("never")

    store.upsert_collections([dataset("s1", "ocean")])  # written again: alive, tombstone gone
    again = store.collection_change("s1")
    assert (again.deleted, again.parent) == (False, None)
    assert again.datestamp > dead.datestamp
    assert [(c.id, c.deleted) for c in walk(store, 1)] == [("keep", False), ("s1", False)]


def test_windows_scopes_and_counts(store: CatalogStore) -> None:
    store.upsert_collections([dataset("o1", "ocean"), dataset("l1", "land"), dataset("x1", None)])
    middle = store.collection_change("o1").datestamp
    store.upsert_collections([dataset("o2", "ocean", "o1"), dataset("l2", "land")])
    later = store.collection_change("o2").datestamp
    store.delete_collection("l1")

    def ids(**options: Any) -> list[str]:
        return [c.id for c in walk(store, 2, **options)]

    assert ids() == ["o1", "x1", "l2", "o2", "l1"]
    assert ids(since=later) == ["l2", "o2", "l1"]
    assert ids(until=later) == ["o1", "x1"]
    assert ids(since=middle, until=later + timedelta(microseconds=1)) == ["o1", "x1", "l2", "o2"]
    assert ids(scope=ChangeScope(pole="land")) == ["l2", "l1"]
    assert ids(scope=ChangeScope(any_pole=True)) == ["o1", "l2", "o2", "l1"]
    assert ids(scope=ChangeScope(pole="ocean", parent="o1")) == ["o2"]

    page = store.collection_changes(limit=2)
    assert (page.remaining, [c.id for c in page.changes]) == (5, ["o1", "x1"])
    assert page.next_key == store.collection_change("x1").key
    rest = store.collection_changes(after=page.next_key, limit=2, scope=ChangeScope(any_pole=True))
    assert (rest.remaining, [c.id for c in rest.changes]) == (3, ["l2", "o2"])
    last = store.collection_changes(after=rest.next_key, limit=2)
    assert (last.remaining, [c.id for c in last.changes], last.next_key) == (1, ["l1"], None)
    bare = store.collection_changes(content=False, count=False, deleted=False, limit=10)
    assert bare.remaining is None
    assert [(c.id, c.collection) for c in bare.changes][:2] == [("o1", None), ("x1", None)]

    summary = store.change_summary()
    assert summary.earliest == store.collection_change("o1").datestamp
    assert summary.groups == (("land", None), ("ocean", None), ("ocean", "o1"))


def test_paging_by_key_while_others_write_misses_nothing(store: CatalogStore) -> None:
    store.upsert_collections([dataset(f"d{n:02d}") for n in range(20)])
    seen: list[str] = []
    after: ChangeKey | None = None
    round_ = 0
    while True:
        page = store.collection_changes(after=after, limit=3)
        seen.extend(c.id for c in page.changes)
        # Between pages: change one already seen, one not yet seen, add one, delete one ahead.
        round_ += 1
        if round_ <= 3:
            store.upsert_collections(
                [dataset(seen[0], title=f"v{round_}"), dataset(f"d{19 - round_:02d}", title=f"w{round_}")]
            )
            store.upsert_collections([dataset(f"new{round_}")])
            store.delete_collection(f"d{10 + round_:02d}")
        if page.next_key is None:
            break
        after = page.next_key
    assert {f"d{n:02d}" for n in range(20)} | {"new1", "new2", "new3"} <= set(seen)
    final = {c.id: c for c in walk(store, 100)}
    # An id comes again only when it changed after the harvest passed it: d00 changed three
    # times, but only its last version was still ahead when the harvest reached the end.
    assert seen.count("d00") == 2
    assert all(seen.count(i) == 1 for i in final if i not in ("d00",))
    assert {i for i, c in final.items() if c.deleted} == {"d11", "d12", "d13"}


def test_upgrading_a_sqlite_catalog_fills_datestamps(tmp_path: Any) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = open_catalog(settings)
    store.upsert_collections(
        [parse_collection(collection_doc("old-a")), parse_collection(collection_doc("old-b"))]
    )
    store.close()
    # Take the catalog back to schema version 1, as terrapole wrote it before datestamps existed.
    with sqlite3.connect(settings.catalog_path) as conn:
        for index in ("collections_datestamp", "collections_pole_datestamp", "collections_pole_parent"):
            conn.execute(f"DROP INDEX {index}")
        conn.execute("DROP TABLE collection_tombstones")
        conn.execute("ALTER TABLE collections DROP COLUMN datestamp")
        conn.execute("ALTER TABLE collections DROP COLUMN parent")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    before = datetime.now(UTC) - timedelta(seconds=1)
    store = open_catalog(settings)
    try:
        changes = walk(store, 10)
        assert [c.id for c in changes] == ["old-a", "old-b"]
        assert all(c.datestamp >= before and not c.deleted for c in changes)
        store.delete_collection("old-a")
        assert store.collection_change("old-a").deleted
    finally:
        store.close()
    with sqlite3.connect(settings.catalog_path) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert version == str(SQLITE_SCHEMA_VERSION)


@pytest.mark.backends("postgres")
def test_upgrading_a_postgres_catalog_fills_datestamps_and_parents(settings: Settings) -> None:
    import psycopg

    from terrapole.catalog.postgres import PostgresCatalog, upgrade
    from terrapole.catalog.postgres_schema import SCHEMA_VERSION

    assert settings.database_url
    store = PostgresCatalog(settings.database_url)
    store.upsert_collections([dataset("child", "ocean", "series-x"), dataset("plain", "land")])
    store.close()
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute("DROP TABLE collection_tombstones")
        conn.execute("ALTER TABLE collections DROP COLUMN datestamp, DROP COLUMN parent")
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    before = datetime.now(UTC) - timedelta(seconds=1)
    assert upgrade(settings.database_url) == SCHEMA_VERSION
    store = PostgresCatalog(settings.database_url)
    try:
        changes = {c.id: c for c in walk(store, 10)}
        assert set(changes) == {"child", "plain"}
        assert changes["child"].parent == "series-x" and changes["plain"].parent is None
        assert all(c.datestamp >= before for c in changes.values())
        assert upgrade(settings.database_url) == SCHEMA_VERSION  # a second run changes nothing
        assert {c.id: c for c in walk(store, 10)} == changes
    finally:
        store.close()


def test_a_collection_without_a_record_has_no_series(store: CatalogStore) -> None:
    plain = parse_collection(collection_doc("stac-only", **{"terrapole:pole": "land"}))
    store.upsert_collections([plain, dataset("rec", "land", "stac-only")])
    changes = {c.id: c for c in walk(store, 10)}
    assert (changes["stac-only"].pole, changes["stac-only"].parent) == ("land", None)
    assert changes["rec"].parent == "stac-only"


@pytest.mark.backends("postgres")
def test_upgrading_a_postgres_catalog_fills_item_facet_sets(settings: Settings) -> None:
    import psycopg

    from terrapole.catalog.postgres import PostgresCatalog, upgrade
    from terrapole.catalog.postgres_schema import SCHEMA_VERSION
    from terrapole.core.query import Query

    assert settings.database_url
    store = PostgresCatalog(settings.database_url)
    store.upsert_collections([dataset("ocean-a", "ocean"), dataset("land-b", "land")])
    themes = [{"scheme": "https://example.org/s", "concepts": [{"id": "https://example.org/c/1"}]}]
    items = [
        parse_item(
            item_doc(
                cid,
                f"i{n}",
                box(n, 0, 1),
                {
                    "datetime": f"20{10 + n % 3}-03-01T00:00:00Z",
                    "platform": f"p{n % 2}",
                    "instruments": ["x", "y"][: n % 3],
                    **({"themes": themes} if n % 2 else {}),
                },
            )
        )
        for n in range(6)
        for cid in ("ocean-a", "land-b")
    ]
    store.upsert_items(items)
    facets = ["collection", "platform", "instrument", "year", "concept"]
    queries = [Query(), Query(collections=("land-b",)), Query(bbox=BBox(-1, -1, 4.5, 2))]
    before = [store.aggregate_items(q, facets).counts for q in queries]
    store.close()
    # Take the catalog back to schema version 5, as terrapole wrote it before facet sets.
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute("DROP TABLE item_facet_sets, item_facet_counts")
        conn.execute("DROP FUNCTION tp_item_facet_counts CASCADE")
        conn.execute("ALTER TABLE items DROP COLUMN facet_set, DROP COLUMN year")
        conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    assert upgrade(settings.database_url) == SCHEMA_VERSION
    store = PostgresCatalog(settings.database_url)
    try:
        assert [store.aggregate_items(q, facets).counts for q in queries] == before
        assert before[0]["collection"] == {"ocean-a": 6, "land-b": 6}
        assert before[2]["instrument"] == {"x": 6, "y": 2}  # items 0-4 of both collections
        store.delete_item("land-b", "i1")  # the counts kept at ingest follow writes after the upgrade
        assert store.aggregate_items(Query(), ["platform"]).counts["platform"] == {"p0": 6, "p1": 5}
    finally:
        store.close()
