"""Harvest runs: fetch a source's pages, write each one, commit it with its checkpoint, report.

A run is full (every record listed; the ones the source no longer lists are deleted at the end)
or incremental (records changed since the last successful run). It is full when asked, when the
protocol cannot narrow a listing (static STAC, directories), on the first run, and when the
source's last full listing is older than its `fullEvery` option (a week by default).

A run that fails (the source stays unreachable after the retries, answers outside its protocol,
or the process is stopped) keeps its checkpoint; the next run of the source resumes it after the
last page it committed, with the same mode and datestamp. The next incremental run starts from
the source's clock at the first response (OAI-PMH responseDate) when the source tells it, else
from the run's start less a margin for clocks that differ.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any

import httpx

from terrapole.catalog.base import CatalogStore
from terrapole.core.errors import Conflict
from terrapole.harvest.fetching import FetchedPage, Fetcher, open_fetcher
from terrapole.harvest.report import FAILED, FULL, INCREMENTAL, SUCCEEDED, Failure, RunReport
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.store import HarvestStore, PageCommit, server_time
from terrapole.harvest.transport import RetryPolicy, Transport
from terrapole.harvest.writer import PageWriter

SINCE_MARGIN = timedelta(minutes=10)
FULL_EVERY_S = 7 * 86400
REMOVAL_BATCH = 500

Progress = Callable[[int, int | None], None]


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


@dataclass(slots=True)
class _Run:
    source: HarvestSource
    run_id: int
    mode: str
    since: datetime | None
    started: datetime
    resume: dict[str, Any] | None
    handled: int = 0


class Harvester:
    """Runs harvests of the sources in a harvest store into a catalog.

    `clock`, `sleep` and `http` (an httpx transport) are injectable so that tests control time,
    backoff waits and the network; `progress(handled, total)` is called after each page.
    """

    def __init__(
        self,
        catalog: CatalogStore,
        store: HarvestStore,
        *,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx.BaseTransport | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.clock = clock
        self.sleep = sleep
        self.http = http
        self.progress = progress
        self._running: set[str] = set()
        self._lock = threading.Lock()

    def run(self, name: str, *, full: bool | None = None) -> RunReport:
        """Harvest one source (resuming its unfinished run if it has one); the run's report."""
        with self._lock:
            if name in self._running:
                raise Conflict(f"a harvest of {name!r} is running already")
            self._running.add(name)
        try:
            return self._run(self.store.source(name), full)
        finally:
            with self._lock:
                self._running.discard(name)

    def _run(self, source: HarvestSource, full: bool | None) -> RunReport:
        transport = self._transport(source)
        try:
            fetcher = open_fetcher(source, transport)
            run = self._begin(source, fetcher, full)
            try:
                self._harvest(run, fetcher)
                if run.mode == FULL:
                    self._remove_unlisted(run)
            except Exception as exc:
                self.store.finish_run(run.run_id, FAILED, self.clock(), error=f"{type(exc).__name__}: {exc}")
                return self.store.run(run.run_id)
            except BaseException:
                self.store.finish_run(run.run_id, FAILED, self.clock(), error="interrupted")
                raise
        finally:
            transport.close()
        next_since = server_time(self.store, run.run_id) or run.started - SINCE_MARGIN
        self.store.finish_run(run.run_id, SUCCEEDED, self.clock(), next_since=next_since)
        return self.store.run(run.run_id)

    def _transport(self, source: HarvestSource) -> Transport:
        return Transport(
            parallel=source.int_option("parallel", 2),
            timeout=float(source.int_option("timeout", 60)),
            retry=RetryPolicy(attempts=max(1, source.int_option("retries", 5))),
            sleep=self.sleep,
            http=self.http,
        )

    def _begin(self, source: HarvestSource, fetcher: Fetcher, full: bool | None) -> _Run:
        now = self.clock()
        pending = self.store.checkpoint(source.name)
        if pending is not None:
            run_id, state = pending
            report = self.store.run(run_id)
            if full is None or (report.mode == FULL) == full:
                self.store.resume_run(run_id)
                return _Run(source, run_id, report.mode, report.since, report.started, state or None)
            self.store.finish_run(run_id, FAILED, now, error="superseded by a run of another mode")
        mode = self._mode(source, fetcher, full, now)
        since = self.store.state(source.name).last_since if mode == INCREMENTAL else None
        run_id = self.store.start_run(source.name, mode, since, now)
        return _Run(source, run_id, mode, since, now, None)

    def _mode(self, source: HarvestSource, fetcher: Fetcher, full: bool | None, now: datetime) -> str:
        state = self.store.state(source.name)
        if not fetcher.incremental or state.last_since is None or full:
            return FULL
        if full is False:
            return INCREMENTAL
        every = timedelta(seconds=source.int_option("fullEvery", FULL_EVERY_S))
        return FULL if state.last_full is None or now - state.last_full >= every else INCREMENTAL

    def _harvest(self, run: _Run, fetcher: Fetcher) -> None:
        with _parsing_pool(run.source.int_option("parseWorkers", 1)) as pool:
            writer = PageWriter(self.catalog, self.store, run.source, run.run_id, self.clock, pool)
            since = run.since if run.mode == INCREMENTAL else None
            for page, fetch_s in _timed(fetcher.pages(since, run.resume)):
                commit = writer.write(page, fetch_s)
                commit.checkpoint = dict(page.resume or {})
                self.store.commit_page(commit, self.clock())
                run.handled += commit.counts.seen
                if self.progress:
                    self.progress(run.handled, page.total)

    def _remove_unlisted(self, run: _Run) -> None:
        """After a full listing: delete what the source no longer lists (unless it listed nothing)."""
        unseen, seen = self.store.unseen(run.source.name, run.run_id)
        if not unseen:
            return
        writer = PageWriter(self.catalog, self.store, run.source, run.run_id, self.clock)
        if seen == 0:
            commit = PageCommit(run.run_id, run.source.name, pages=0)
            reason = f"the full listing returned no record: {len(unseen)} records kept rather than deleted"
            commit.failures.append(Failure(run.source.url, reason))
            self.store.commit_page(commit, self.clock())
            return
        for start in range(0, len(unseen), REMOVAL_BATCH):
            self.store.commit_page(writer.remove(unseen[start : start + REMOVAL_BATCH]), self.clock())


@contextmanager
def _parsing_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Processes that parse documents while this one fetches and writes (none for 1 worker)."""
    if workers <= 1:
        yield None
        return
    # Spawned, not forked: this process holds threads and database connections.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


def _timed(pages: Iterator[FetchedPage]) -> Iterator[tuple[FetchedPage, float]]:
    """Each page with the seconds spent waiting for it."""
    while True:
        started = perf_counter()
        page = next(pages, None)
        if page is None:
            return
        yield page, perf_counter() - started
