"""The PostgreSQL catalog's own states: schema versions, an unreachable server, counting, batches.

Everything the two stores share (results, CQL2, sort, paging, text) is tested once for both by
the [sqlite]/[postgres] variants of the other catalog and protocol tests.
"""

from __future__ import annotations

import random
from typing import Any

import psycopg
import pytest

import terrapole.catalog.postgres as postgres_module
import terrapole.catalog.postgres_search as postgres_search
from terrapole.catalog.postgres import PostgresCatalog, open_postgres
from terrapole.core.errors import CollectionNotFound, StorageError
from terrapole.core.query import Query
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.settings import Settings

from .conftest import collection_doc, item_doc


def catalog(url: str, **options: Any) -> PostgresCatalog:
    return PostgresCatalog(url, count_budget_ms=options.pop("count_budget_ms", 60_000), **options)


def seeded(store: PostgresCatalog, count: int, seed: int = 2) -> None:
    store.upsert_collections([parse_collection(collection_doc("alpha"))])
    rng = random.Random(seed)
    store.upsert_items(parse_item(item_doc("alpha", f"i{n}", rng)) for n in range(count))


def test_an_empty_database_gets_the_current_schema(postgres_url: str) -> None:
    store = catalog(postgres_url)
    try:
        assert store.schema_version() == postgres_module.SCHEMA_VERSION
        assert store.collection_count() == 0
    finally:
        store.close()


def test_a_newer_schema_is_refused_with_a_clear_error(postgres_url: str) -> None:
    catalog(postgres_url).close()
    with psycopg.connect(postgres_url) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StorageError, match=r"newer.*upgrade terrapole"):
        catalog(postgres_url)


def test_an_older_schema_asks_for_db_upgrade_which_brings_it_up(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog(postgres_url).close()
    monkeypatch.setattr(postgres_module, "SCHEMA_VERSION", postgres_module.SCHEMA_VERSION + 1)
    with pytest.raises(StorageError, match="terrapole db upgrade"):
        catalog(postgres_url)
    assert postgres_module.upgrade(postgres_url) == postgres_module.SCHEMA_VERSION  # `terrapole db upgrade`
    reopened = catalog(postgres_url)
    try:
        assert reopened.schema_version() == postgres_module.SCHEMA_VERSION
    finally:
        reopened.close()


def test_read_only_on_an_empty_database_says_how_to_create_the_schema(postgres_url: str) -> None:
    with pytest.raises(StorageError, match="no terrapole catalog"):
        catalog(postgres_url, writable=False)


def test_an_unreachable_server_names_its_host_and_port() -> None:
    settings = Settings(database_url="postgresql://terrapole@127.0.0.1:1/catalog")
    with pytest.raises(StorageError, match=r"127\.0\.0\.1:1\b"):
        open_postgres(settings)


def test_count_is_left_out_above_the_count_limit(postgres_url: str) -> None:
    store = catalog(postgres_url, count_limit=10)
    try:
        seeded(store, 30)
        assert store.search_items(Query(limit=5)).number_matched is None
        assert store.search_items(Query(ids=("i1", "i2"))).number_matched == 2
    finally:
        store.close()


def test_count_is_left_out_when_it_exceeds_the_time_budget(postgres_url: str) -> None:
    store = catalog(postgres_url, count_budget_ms=0)
    try:
        seeded(store, 300)
        page = store.search_items(Query(limit=5))
        assert page.number_matched is None and len(page.records) == 5
        # A result that fits on its first page is counted for free.
        assert store.search_items(Query(ids=("i1", "i2", "i3"), limit=5)).number_matched == 3
    finally:
        store.close()


SLOW_COUNT = "SELECT count(*) FROM (SELECT NULL UNION ALL SELECT pg_sleep(0.2) LIMIT %s) AS t"


@pytest.mark.parametrize("autocommit", [True, False])
def test_a_count_over_its_budget_is_cancelled_and_leaves_the_connection_as_it_was(
    postgres_url: str, autocommit: bool
) -> None:
    from terrapole.catalog.postgres_search import _bounded_count

    with psycopg.connect(postgres_url, autocommit=autocommit) as conn:
        if not autocommit:
            conn.execute("SELECT 1")  # the caller's own transaction, which must survive
        with pytest.raises(psycopg.errors.QueryCanceled):
            _bounded_count(conn, SLOW_COUNT, [10], 20)
        assert _bounded_count(conn, SLOW_COUNT, [1], 20) == 1  # a fast count within the budget
        # No transaction left open or aborted, and the server's own timeout is back.
        expected = psycopg.pq.TransactionStatus.IDLE if autocommit else psycopg.pq.TransactionStatus.INTRANS
        assert conn.info.transaction_status == expected
        assert conn.execute("SHOW statement_timeout").fetchone() == ("0",)


def test_a_batch_naming_an_unknown_collection_is_not_written_but_earlier_batches_are(
    postgres_url: str,
) -> None:
    store = catalog(postgres_url)
    try:
        store.upsert_collections([parse_collection(collection_doc("alpha"))])
        rng = random.Random(4)
        docs = [
            item_doc("alpha", "a1", rng),
            item_doc("alpha", "a2", rng),
            item_doc("alpha", "a3", rng),
            item_doc("missing", "m1", rng),
        ]
        with pytest.raises(CollectionNotFound):
            store.upsert_items((parse_item(d) for d in docs), batch_size=2)
        assert {i.id for i in store.search_items(Query()).records} == {"a1", "a2"}
    finally:
        store.close()


def test_a_read_only_store_refuses_writes(postgres_url: str) -> None:
    catalog(postgres_url).close()
    store = catalog(postgres_url, writable=False)
    try:
        with pytest.raises(StorageError, match="read-only"):
            store.upsert_collections([parse_collection(collection_doc("alpha"))])
    finally:
        store.close()


def bilingual_collection(collection_id: str, fr: str, en: str) -> Any:
    doc = collection_doc(collection_id)
    doc["title"], doc["description"] = en, en
    doc["terrapole:translations"] = {"fr": {"title": fr, "description": fr}}
    return parse_collection(doc)


def test_collections_match_french_and_english_word_forms(postgres_url: str) -> None:
    store = catalog(postgres_url)
    try:
        store.upsert_collections(
            [
                bilingual_collection("trees", "Hauteur de la forêt", "Height of the forest"),
                bilingual_collection("ice", "Le glacier d'Argentière", "The Argentière glacier"),
            ]
        )

        def found(text: str) -> list[str]:
            return [c.id for c in store.search_collections(Query(text=text)).records]

        assert found("forêts") == ["trees"]  # French plural, accent kept
        assert found("FORETS") == ["trees"]  # French plural, accent and case folded
        assert found("forests") == ["trees"]  # English plural
        assert found("glaciers") == ["ice"]
        assert found("argentiere") == ["ice"]
        assert found("hauteurs glaciers") == []  # every word must match, in one language
    finally:
        store.close()


def test_upgrade_from_version_1_rebuilds_collection_text(postgres_url: str) -> None:
    store = catalog(postgres_url)
    store.upsert_collections([bilingual_collection("trees", "Hauteur de la forêt", "Height of the forest")])
    store.close()
    with psycopg.connect(postgres_url) as conn:
        # What a version 1 database holds: simple words only.
        conn.execute("UPDATE collections SET fts = to_tsvector('simple', title)")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(StorageError, match="terrapole db upgrade"):
        catalog(postgres_url)
    assert postgres_module.upgrade(postgres_url) == postgres_module.SCHEMA_VERSION
    reopened = catalog(postgres_url)
    try:
        assert [c.id for c in reopened.search_collections(Query(text="forêts")).records] == ["trees"]
    finally:
        reopened.close()


@pytest.mark.parametrize("candidates", [4, 1000])
def test_ranked_pages_rank_title_matches_first_and_hold_every_match_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, candidates: int
) -> None:
    # 4: fewer candidates than matches (the pages after them rank the other matches); 1000: all.
    monkeypatch.setattr(postgres_search, "RANK_CANDIDATES", candidates)
    store = catalog(postgres_url)
    try:
        store.upsert_collections([parse_collection(collection_doc("alpha"))])
        rng = random.Random(5)
        docs = [item_doc("alpha", f"t{n}", rng, title=f"Glacier scene {n}") for n in range(3)]
        docs += [item_doc("alpha", f"b{n}", rng, title=f"Scene {n}", description="glacier") for n in range(7)]
        docs += [item_doc("alpha", f"x{n}", rng, title="Sea ice") for n in range(5)]
        store.upsert_items(parse_item(d) for d in docs)
        seen, token, matched = [], None, []
        while True:
            page = store.search_items(Query(text="glacier", limit=3, token=token))
            seen += [item.id for item in page.records]
            matched.append(page.number_matched)
            token = page.next_token
            if not token:
                break
        assert sorted(seen[:3]) == ["t0", "t1", "t2"]
        assert sorted(seen) == sorted([f"t{n}" for n in range(3)] + [f"b{n}" for n in range(7)])
        assert matched == [10] * 4
        assert store.search_items(Query(text="glacier", limit=2, offset=3)).records[0].id in seen[3:]
    finally:
        store.close()


def test_ranked_title_matches_keep_the_other_conditions_and_negations(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_search, "RANK_CANDIDATES", 2)
    store = catalog(postgres_url)
    try:
        store.upsert_collections([parse_collection(collection_doc(c)) for c in ("alpha", "beta")])
        rng = random.Random(6)
        docs = [
            item_doc(c, f"{c}{n}", rng, title=f"Glacier {n}") for n in range(3) for c in ("alpha", "beta")
        ]
        docs += [item_doc("alpha", f"m{n}", rng, title="Glacier", description="moraine") for n in range(2)]
        store.upsert_items(parse_item(d) for d in docs)
        beta = store.search_items(Query(text="glacier", collections=("beta",), limit=10))
        assert sorted(i.id for i in beta.records) == ["beta0", "beta1", "beta2"]
        # A title holding the word, a body holding the excluded one: not a match.
        unmoraine = store.search_items(Query(text="glacier -moraine", collections=("alpha",), limit=10))
        assert sorted(i.id for i in unmoraine.records) == ["alpha0", "alpha1", "alpha2"]
    finally:
        store.close()
