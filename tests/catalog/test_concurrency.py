"""Concurrency (issue 3): stateless server workers on one database, writes while clients page,
and writers racing on the same items.

- Several `terrapole serve` processes on one PostgreSQL database: a search paged by sending each
  next link to another worker returns every item exactly once (page tokens are portable), and
  concurrent requests to all workers get the same answers.
- A writer on its own store instance upserts between page fetches (new items on both sides of
  the page boundary, updates of non-sort properties): every item that existed before is seen
  exactly once, nothing twice, new items appear exactly when they sort after the boundary, and
  each record is the version current when its page was read. SQLite and PostgreSQL.
- Two PostgreSQL writers upserting overlapping batches at once.

Writes are interleaved by handshakes and locks, never by sleeping; no assertion is about time.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from tests.conftest import backend_settings, postgres_database, rfc3339
from tests.support.server_processes import ServerProcess, serve_processes

from terrapole.catalog import CatalogStore, open_catalog
from terrapole.catalog.postgres import PostgresCatalog
from terrapole.core.filter import parse_filter
from terrapole.core.model import Item
from terrapole.core.query import Query, SortField
from terrapole.formats.stac import parse_collection, parse_item

from .conftest import collection_doc, item_doc
from .test_sqlite_store import all_ids

COLLECTION = "swath"
ORIGINALS = 480
LIMIT = 25
T0 = datetime(2020, 1, 1, tzinfo=UTC)
ORBITS = 40


def scene(n: int, hour: int, orbit: int, version: int = 0, **props: Any) -> dict[str, Any]:
    """An item whose two sort keys are given: datetime (T0 + `hour` hours) and `orbit`."""
    when = rfc3339(T0 + timedelta(hours=hour))
    return item_doc(
        COLLECTION, f"scene-{n:05d}", random.Random(n), datetime=when, orbit=orbit, version=version, **props
    )


def original(n: int) -> dict[str, Any]:
    """The items present before any concurrent write: datetimes and orbits come in ties."""
    return scene(n, hour=n // 3, orbit=n % ORBITS)


def seed(store: CatalogStore, docs: list[dict[str, Any]]) -> None:
    store.upsert_collections([parse_collection(collection_doc(COLLECTION))])
    store.upsert_items(parse_item(doc) for doc in docs)


# --- several server processes on one database ---------------------------------------------------


@pytest.fixture(scope="module")
def workers_url(postgres_admin: psycopg.Connection[Any], postgres_server_url: str) -> Iterator[str]:
    """The database the workers share (one for the module: the workers only read it)."""
    with postgres_database(postgres_admin, postgres_server_url) as url:
        yield url


@pytest.fixture(scope="module")
def workers(workers_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    """Three `terrapole serve` processes started together on one new, empty database (so they
    also create its schema concurrently), then the original items loaded in-process."""
    root = tmp_path_factory.mktemp("workers")
    with serve_processes(3, root, {"TERRAPOLE_DATABASE_URL": workers_url}) as servers:
        store = PostgresCatalog(workers_url)
        try:
            seed(store, [original(n) for n in range(ORIGINALS)])
        finally:
            store.close()
        yield servers


Step = tuple[str, str, dict[str, Any] | None]  # method, path and query, JSON body


def page_through_workers(servers: list[ServerProcess], first: Step) -> list[list[str]]:
    """Follow next links to the end, sending each one to the next worker round the ring."""
    pages: list[list[str]] = []
    step: Step | None = first
    with httpx.Client(timeout=30) as http:
        while step is not None:
            server = servers[len(pages) % len(servers)]
            method, path, body = step
            response = http.request(method, server.base_url + path, json=body)
            assert response.status_code == 200, response.text
            answer = response.json()
            pages.append([feature["id"] for feature in answer["features"]])
            assert len(pages) <= ORIGINALS, "paging does not end"
            step = _next_step(answer, server)
    return pages


def _next_step(answer: dict[str, Any], server: ServerProcess) -> Step | None:
    link = next((link for link in answer["links"] if link["rel"] == "next"), None)
    if link is None:
        return None
    assert link["href"].startswith(server.base_url)  # absolute links name the worker that answered
    path = link["href"].removeprefix(server.base_url)
    return (link["method"], path, link["body"]) if link.get("method") == "POST" else ("GET", path, None)


def expected_order(url: str, query: Query) -> list[str]:
    store = PostgresCatalog(url, writable=False)
    try:
        return all_ids(store, query)
    finally:
        store.close()


def test_one_search_paged_across_workers_returns_every_item_once(
    workers: list[ServerProcess], workers_url: str
) -> None:
    newest_first = expected_order(workers_url, Query(collections=(COLLECTION,), limit=200))
    by_orbit = expected_order(
        workers_url, Query(collections=(COLLECTION,), sortby=(SortField("orbit"),), limit=200)
    )
    assert len(newest_first) == len(set(newest_first)) == ORIGINALS

    first = ("GET", f"/stac/search?collections={COLLECTION}&limit={LIMIT}", None)
    pages = page_through_workers(workers, first)
    assert [i for page in pages for i in page] == newest_first
    assert len(pages) == ORIGINALS // LIMIT + 1  # 19 full pages and one of 5, on three workers

    sortby = [{"field": "properties.orbit", "direction": "asc"}]
    body = {"collections": [COLLECTION], "limit": LIMIT, "sortby": sortby}
    pages = page_through_workers(workers, ("POST", "/stac/search", body))
    assert [i for page in pages for i in page] == by_orbit


def test_concurrent_requests_to_every_worker_get_the_same_answers(workers: list[ServerProcess]) -> None:
    # Every page of one search, each fetched from every worker three times by 12 threads at once.
    pages = _page_urls(workers[0])
    calls = [(server, path, ids) for path, ids in pages for server in workers for _ in range(3)]
    random.Random(5).shuffle(calls)

    with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=12)) as http:

        def fetch(call: tuple[ServerProcess, str, list[str]]) -> tuple[int, list[str], list[str]]:
            server, path, ids = call
            response = http.get(server.base_url + path)
            found = [f["id"] for f in response.json()["features"]] if response.status_code == 200 else []
            return response.status_code, found, ids

        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(fetch, calls))
    assert len(answers) == len(pages) * len(workers) * 3 >= 60
    assert [status for status, _, _ in answers] == [200] * len(answers)
    assert all(found == ids for _, found, ids in answers)


def _page_urls(server: ServerProcess) -> list[tuple[str, list[str]]]:
    """(path and query, item ids) of every page of a search sorted by cloud cover, then datetime."""
    path = f"/stac/search?collections={COLLECTION}&limit={LIMIT}&sortby=-eo:cloud_cover,datetime"
    found: list[tuple[str, list[str]]] = []
    with httpx.Client(timeout=30) as http:
        while path:
            body = http.get(server.base_url + path).json()
            found.append((path, [feature["id"] for feature in body["features"]]))
            step = _next_step(body, server)
            path = step[1] if step else ""
    assert sum(len(ids) for _, ids in found) == ORIGINALS
    return found


# --- writes between page fetches ----------------------------------------------------------------


@dataclass(frozen=True)
class Ordering:
    """A search order over the scenes: the sort value of a record, the values the originals take,
    where a new scene of a given sort value goes, and how to change a scene in place."""

    sortby: SortField
    value: Callable[[Item], int]
    span: int  # the originals' sort values are 0 .. span - 1
    place: Callable[[int, random.Random], tuple[int, int]]  # sort value -> (hour, orbit)
    keeping_place: Callable[[dict[str, Any], random.Random], dict[str, Any]]  # -> new properties

    def after(self, value: int, boundary: int) -> bool:
        """`value` sorts strictly after the page boundary (on the side not read yet)."""
        return value < boundary if self.sortby.descending else value > boundary


def _hour(item: Item) -> int:
    assert item.datetime is not None
    return int((item.datetime - T0) / timedelta(hours=1))


def _orbit(item: Item) -> int:
    return int(item.properties["orbit"])


def _other_orbit(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    return {**doc["properties"], "orbit": rng.randrange(ORBITS), "eo:cloud_cover": rng.randrange(101)}


def _other_datetime(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    when = rfc3339(T0 + timedelta(hours=rng.randrange(-99, 999)))
    return {**doc["properties"], "datetime": when, "eo:cloud_cover": rng.randrange(101)}


NEWEST_FIRST = Ordering(
    SortField("datetime", descending=True),
    _hour,
    ORIGINALS // 3,
    lambda value, rng: (value, rng.randrange(ORBITS)),
    _other_orbit,
)
BY_ORBIT = Ordering(
    SortField("orbit"),
    _orbit,
    ORBITS,
    lambda value, rng: (rng.randrange(ORIGINALS // 3), value),
    _other_datetime,
)


@dataclass
class Written:
    """What the writer did: every version of every item, by the step that wrote it (-1: before
    paging started), and the new items it knew to sort after or before the boundary."""

    versions: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    unread_side: set[str] = field(default_factory=set)
    read_side: set[str] = field(default_factory=set)

    def record(self, step: int, doc: dict[str, Any]) -> None:
        self.versions.setdefault(doc["id"], []).append((step, doc))

    def current(self, item_id: str, before_page: int) -> dict[str, Any] | None:
        """The version of an item a page read after the writes of steps < `before_page`."""
        older = [doc for step, doc in self.versions.get(item_id, []) if step < before_page]
        return older[-1] if older else None


class WriterThread:
    """A writer with its own store instance, in its own thread: told the page boundary, it writes
    one batch and reports back before the reader asks for the next page."""

    def __init__(self, store: CatalogStore, ordering: Ordering, written: Written) -> None:
        self.store, self.ordering, self.written = store, ordering, written
        self.rng = random.Random(11)
        self._orders: queue.Queue[tuple[int, int] | None] = queue.Queue()
        self._reports: queue.Queue[BaseException | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def write_between_pages(self, step: int, boundary: int) -> None:
        """Have the writer write batch `step` around this boundary value, and wait until it has."""
        self._orders.put((step, boundary))
        error = self._reports.get(timeout=60)
        if error is not None:
            raise error

    def stop(self) -> None:
        self._orders.put(None)
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while (order := self._orders.get()) is not None:
            try:
                self.store.upsert_items(parse_item(doc) for doc in self._batch(*order))
            except BaseException as error:
                self._reports.put(error)
            else:
                self._reports.put(None)

    def _batch(self, step: int, boundary: int) -> list[dict[str, Any]]:
        """New items just after, just before, on and anywhere around the boundary; updates of
        every item that ties with the boundary (read or not) and of three others, each keeping
        its sort value (a store that gave an updated row a new place would repeat or lose it)."""
        rng, ordering, batch = self.rng, self.ordering, []
        sides = [boundary + rng.choice((-1, 1)) * (1 + rng.randrange(20)) for _ in range(3)]
        anywhere = rng.randrange(-10, ordering.span + 10)
        for k, value in enumerate([*sides, boundary, anywhere]):
            hour, orbit = ordering.place(value, rng)
            batch.append(scene(10_000 + 10 * step + k, hour=hour, orbit=orbit, version=step + 1))
            if value != boundary:
                side = self.written.unread_side if ordering.after(value, boundary) else self.written.read_side
                side.add(batch[-1]["id"])
        latest = {item_id: versions[-1][1] for item_id, versions in self.written.versions.items()}
        ties = [i for i, doc in latest.items() if ordering.value(parse_item(doc)) == boundary]
        for item_id in sorted({*ties, *rng.sample(sorted(latest), 3)}):
            properties = {**ordering.keeping_place(latest[item_id], rng), "version": step + 1}
            batch.append({**latest[item_id], "properties": properties})
        for doc in batch:
            self.written.record(step, doc)
        return batch


@pytest.fixture
def two_stores(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[CatalogStore, CatalogStore]]:
    """Two stores on one catalog, opened as `terrapole ingest` and `terrapole serve` open theirs
    (SQLite: two instances on one data directory, in WAL mode; PostgreSQL: two connection pools
    on one database): the first writes, the second pages."""
    with backend_settings(request, backend, data_dir=tmp_path / "data", count_budget_ms=60_000) as settings:
        writer = open_catalog(settings)
        reader = open_catalog(settings)
        try:
            yield writer, reader
        finally:
            reader.close()
            writer.close()


@pytest.mark.parametrize("ordering", [NEWEST_FIRST, BY_ORBIT], ids=["datetime-desc", "orbit-asc"])
def test_writes_between_page_fetches_lose_and_repeat_nothing(
    two_stores: tuple[CatalogStore, CatalogStore], ordering: Ordering
) -> None:
    writer_store, reader = two_stores
    written = Written()
    originals = [original(n) for n in range(ORIGINALS)]
    seed(writer_store, originals)
    for doc in originals:
        written.record(-1, doc)
    writer = WriterThread(writer_store, ordering, written)
    seen: list[tuple[int, Item]] = []
    try:
        query, token = Query(collections=(COLLECTION,), sortby=(ordering.sortby,), limit=LIMIT), None
        for number in range(ORIGINALS):
            page = reader.search_items(replace(query, token=token))
            seen.extend((number, item) for item in page.records)
            token = page.next_token
            if token is None:
                break
            writer.write_between_pages(number, ordering.value(page.records[-1]))
    finally:
        writer.stop()
    _check(seen, written, ordering, {doc["id"] for doc in originals})


def _check(seen: list[tuple[int, Item]], written: Written, ordering: Ordering, originals: set[str]) -> None:
    ids = [item.id for _, item in seen]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert not repeated, f"seen on two pages: {repeated}"
    assert not originals - set(ids), f"lost: {sorted(originals - set(ids))}"
    missed = written.unread_side - set(ids)
    assert not missed, f"written ahead of the reader, never seen: {sorted(missed)}"
    behind = written.read_side & set(ids)
    assert not behind, f"written behind the reader, yet seen: {sorted(behind)}"
    values = [ordering.value(item) for _, item in seen]
    assert values == sorted(values, reverse=ordering.sortby.descending), "pages out of order"
    for number, item in seen:
        current = written.current(item.id, number)
        assert current is not None, f"{item.id} on page {number} before it was written"
        assert item.properties == parse_item(current).properties, f"{item.id}: stale or mixed version"
    # The writer did write on both sides and did update existing items.
    assert written.unread_side and written.read_side
    assert sum(len(v) > 1 for v in written.versions.values()) >= 10


# --- concurrent writers -------------------------------------------------------------------------


def run_together(*writes: Callable[[], int]) -> list[int]:
    """Run the writes in threads released at once; re-raise the first error any raised."""
    barrier, results, errors = threading.Barrier(len(writes)), [0] * len(writes), []

    def run(k: int) -> None:
        barrier.wait()
        try:
            results[k] = writes[k]()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(writes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def writer_version(n: int, writer: str) -> dict[str, Any]:
    """Item n as `writer` writes it: its mark in a plain property and in a promoted one."""
    cloud_cover = 10 if writer == "a" else 90
    return scene(n, hour=n // 3, orbit=n % ORBITS, writer=writer, **{"eo:cloud_cover": cloud_cover})


def test_two_writers_upserting_overlapping_batches_leave_each_item_once(postgres_url: str) -> None:
    stores = [PostgresCatalog(postgres_url, count_budget_ms=60_000) for _ in range(3)]
    try:
        seed(stores[0], [original(n) for n in range(300)])
        batch_a = [parse_item(writer_version(n, "a")) for n in range(800)]
        batch_b = [parse_item(writer_version(n, "b")) for n in range(400, 1200)]

        def write(store: PostgresCatalog, batch: list[Item]) -> Callable[[], int]:
            return lambda: sum(store.upsert_items(batch, batch_size=100) for _ in range(3))

        assert run_together(write(stores[1], batch_a), write(stores[2], batch_b)) == [2400, 2400]

        every = all_ids(stores[0], Query(collections=(COLLECTION,), limit=500))
        assert sorted(every) == [f"scene-{n:05d}" for n in range(1200)]
        writers = {item.id: item.properties["writer"] for item in _items(stores[0], every)}
        assert {writers[f"scene-{n:05d}"] for n in range(400)} == {"a"}
        assert {writers[f"scene-{n:05d}"] for n in range(400, 800)} <= {"a", "b"}
        assert {writers[f"scene-{n:05d}"] for n in range(800, 1200)} == {"b"}
        # The promoted cloud-cover column was written with the same version as the record.
        by_a = all_ids(stores[0], Query(filter=parse_filter('"eo:cloud_cover" = 10'), limit=500))
        assert sorted(by_a) == sorted(i for i, w in writers.items() if w == "a")
        with psycopg.connect(postgres_url) as conn:
            assert conn.execute("SELECT count(*), count(DISTINCT rid) FROM items").fetchone() == (1200, 1200)
    finally:
        for store in stores:
            store.close()


def _items(store: CatalogStore, ids: list[str]) -> list[Item]:
    return [store.get_item(COLLECTION, item_id) for item_id in ids]


def test_two_writers_of_the_same_items_in_opposite_orders_do_not_deadlock(postgres_url: str) -> None:
    stores = [PostgresCatalog(postgres_url) for _ in range(3)]
    try:
        seed(stores[0], [original(n) for n in range(200)])
        ascending = [parse_item(writer_version(n, "a")) for n in range(200)]
        descending = [parse_item(writer_version(n, "b")) for n in reversed(range(200))]
        with psycopg.connect(postgres_url) as holder:
            # Hold the middle item so that each writer locks its half of the batch and then
            # waits: when the hold is released, the orders decide the outcome, not timing.
            holder.execute("SELECT 1 FROM items WHERE id = 'scene-00100' FOR UPDATE")
            release = threading.Thread(target=_release_when_waiting, args=(holder, postgres_url, 2))
            release.start()
            try:
                run_together(
                    lambda: stores[1].upsert_items(ascending), lambda: stores[2].upsert_items(descending)
                )
            finally:
                release.join(timeout=60)
        assert len(all_ids(stores[0], Query(collections=(COLLECTION,), limit=500))) == 200
    finally:
        for store in stores:
            store.close()


def _release_when_waiting(holder: psycopg.Connection[Any], url: str, waiters: int) -> None:
    """Commit the holder's transaction once `waiters` other sessions wait for a lock."""
    with psycopg.connect(url) as watch:
        watch.autocommit = True
        for _ in range(600):
            waiting = watch.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).fetchone()
            if waiting and waiting[0] >= waiters:
                break
            time.sleep(0.05)
    holder.commit()
