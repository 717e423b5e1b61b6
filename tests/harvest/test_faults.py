"""Harvests against sources that misbehave: bad records, dropped connections, outages, kills.

The sources are small OAI-PMH and CSW servers on loopback threads (`local_sources`); backoff waits
go through an injected sleep, so no test waits for real.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from tests.harvest.conftest import T0, Clock, Sleeps, add_source
from tests.harvest.local_sources import OaiRepository, Reply, Request, iso_record, records, serving

from terrapole.catalog import CatalogStore, open_catalog
from terrapole.core.errors import NotFound
from terrapole.core.model import pick_language
from terrapole.core.query import Query
from terrapole.harvest.runner import Harvester
from terrapole.harvest.store import HarvestStore
from terrapole.settings import Settings


def tokens(requests: list[Request]) -> list[str | None]:
    """The resumption token of each ListRecords request (None: a new listing)."""
    return [r.query.get("resumptionToken") for r in requests if r.query.get("verb") == "ListRecords"]


def test_one_malformed_record_is_reported_and_skipped(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore
) -> None:
    listed = records(7, T0)
    listed[4].xml = listed[4].xml.replace(b"identificationInfo", b"somethingElse")  # type: ignore[union-attr]
    with serving(OaiRepository(listed)) as server:
        add_source(harvest_store, "oai", "oaipmh", f"{server.url}/oai", metadataPrefix="iso19139")
        report = harvester.run("oai")
        again = harvester.run("oai", full=True)
    assert (report.status, report.pages) == ("succeeded", 3)
    assert (report.counts.new, report.counts.failed) == (6, 1)
    (failure,) = report.failures
    assert failure.identifier == "rec-004"
    assert "no identification section" in failure.reason
    assert store.collection_count() == 6
    assert {c.id for c in store.search_collections(Query(limit=1000)).records} == {
        f"rec-{n:03d}" for n in (0, 1, 2, 3, 5, 6)
    }
    # The bad record was not kept as harvested: the next run tries it again.
    assert (again.counts.unchanged, again.counts.failed, again.counts.new) == (6, 1, 0)
    with pytest.raises(NotFound):
        harvest_store.document("oai", "rec-004")


def test_a_connection_dropped_mid_page_is_retried(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, sleeps: Sleeps
) -> None:
    repository = OaiRepository(records(7, T0), cut=frozenset({2}))
    with serving(repository) as server:
        add_source(harvest_store, "oai", "oaipmh", f"{server.url}/oai", metadataPrefix="iso19139")
        report = harvester.run("oai")
    assert (report.status, report.counts.new, report.counts.failed) == ("succeeded", 7, 0)
    assert tokens(server.requests) == [None, "3", "3", "6"]
    assert sleeps.waits == [0.5]
    assert store.collection_count() == 7


def test_an_outage_backs_off_gives_up_and_the_next_run_resumes(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, sleeps: Sleeps
) -> None:
    down = range(2, 7)  # the 2nd to the 6th request: five attempts at the second page
    repository = OaiRepository(
        records(8, T0), fault=lambda request, n: Reply(b"busy", status=503) if n in down else None
    )
    with serving(repository) as server:
        add_source(harvest_store, "oai", "oaipmh", f"{server.url}/oai", metadataPrefix="iso19139")
        failed = harvester.run("oai")
        assert (failed.status, failed.counts.new) == ("failed", 3)
        assert failed.error is not None and "gave up after 5 attempts" in failed.error
        assert sleeps.waits == [0.5, 1.0, 2.0, 4.0]
        assert harvest_store.checkpoint("oai") == (
            failed.id,
            {"token": "3", "received": 3, "complete": 8, "repeat_prefix": False},
        )
        assert store.collection_count() == 3
        resumed = harvester.run("oai")
    assert resumed.id == failed.id
    assert (resumed.status, resumed.counts.new, resumed.counts.failed, resumed.pages) == (
        "succeeded",
        8,
        0,
        3,
    )
    assert tokens(server.requests)[-3:] == ["3", "3", "6"]  # the last failed attempt, then the resumed run
    assert tokens(server.requests).count(None) == 1
    assert store.collection_count() == 8
    assert harvest_store.checkpoint("oai") is None


def test_a_killed_harvest_resumes_with_nothing_lost_and_nothing_twice(settings: Settings) -> None:
    repository = OaiRepository(records(30, T0), page_size=3, delay_s=0.2)
    with serving(repository) as server:
        harvest_store = HarvestStore.open(settings)
        add_source(harvest_store, "slow", "oaipmh", f"{server.url}/oai", metadataPrefix="iso19139")
        env = {**os.environ, "TERRAPOLE_DATA_DIR": str(settings.data_dir)}
        if settings.database_url:
            env["TERRAPOLE_DATABASE_URL"] = settings.database_url
        process = subprocess.Popen(
            [sys.executable, "-m", "terrapole", "harvest", "run", "slow"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            checkpoint = _wait_for_pages(harvest_store, "slow", process, pages=3)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        killed_at = len(tokens(server.requests))
        catalog = open_catalog(settings)
        try:
            report = Harvester(catalog, harvest_store, sleep=Sleeps()).run("slow")
            held = catalog.collection_count()
        finally:
            catalog.close()
            harvest_store.close()
    assert report.id == checkpoint[0]
    assert (report.status, report.counts.new, report.counts.failed) == ("succeeded", 30, 0)
    assert held == 30
    resumed_tokens = tokens(server.requests)[killed_at:]
    assert resumed_tokens[0] is not None and int(resumed_tokens[0]) >= int(checkpoint[1]["token"])
    assert None not in resumed_tokens


def _wait_for_pages(
    store: HarvestStore, name: str, process: subprocess.Popen[bytes], pages: int
) -> tuple[int, dict]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the harvest ended before it could be killed"
        found = store.checkpoint(name)
        if found is not None and int(found[1].get("token") or 0) >= 3 * pages:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no checkpoint after {pages} pages")


def test_deleted_and_changed_records_follow_the_source(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, clock: Clock
) -> None:
    listed = records(5, T0)
    repository = OaiRepository(listed, response_date="2030-01-01T06:00:00Z")
    with serving(repository) as server:
        add_source(harvest_store, "oai", "oaipmh", f"{server.url}/oai", metadataPrefix="iso19139")
        harvester.run("oai")
        later = T0.replace(hour=8)
        listed[1] = replace(listed[1], xml=None, datestamp=later)
        listed[2] = replace(listed[2], xml=iso_record("rec-002", "Record 2, revised"), datestamp=later)
        clock.advance(hours=9)
        report = harvester.run("oai")
    assert report.mode == "incremental"
    listing = [r for r in server.requests if r.query.get("verb") == "ListRecords"][-1]
    assert listing.query["from"] == "2030-01-01T06:00:00Z"  # the repository's clock at the last harvest
    # Only the two records changed since then are listed.
    assert (report.counts.deleted, report.counts.updated, report.counts.new, report.counts.seen) == (
        1,
        1,
        0,
        2,
    )
    assert store.collection_count() == 4
    with pytest.raises(NotFound):
        store.get_collection("rec-001")
    with pytest.raises(NotFound):
        harvest_store.document("oai", "rec-001")
    assert pick_language(store.get_collection("rec-002").title) == "Record 2, revised"
    assert b"Record 2, revised" in harvest_store.document("oai", "rec-002").original


def test_retry_after_is_honoured_and_client_errors_are_not_retried(
    harvester: Harvester, harvest_store: HarvestStore, sleeps: Sleeps
) -> None:
    def fault(request: Request, number: int) -> Reply | None:
        if number == 1:
            return Reply(b"slow down", status=429, headers={"Retry-After": "3"})
        return None

    with serving(OaiRepository(records(2, T0), fault=fault)) as server:
        add_source(harvest_store, "oai", "oaipmh", f"{server.url}/oai", metadataPrefix="iso19139")
        report = harvester.run("oai")
        add_source(harvest_store, "missing", "oaipmh", f"{server.url}/nowhere", metadataPrefix="iso19139")
        server.handler = lambda request: Reply(b"no such endpoint", status=404)
        missing = harvester.run("missing")
    assert (report.status, report.counts.new, sleeps.waits[0]) == ("succeeded", 2, 3.0)
    assert missing.status == "failed"
    assert missing.error is not None and "HTTP 404" in missing.error
    assert sleeps.waits == [3.0]  # the 404 was not retried
