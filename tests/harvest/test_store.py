"""The harvest store, on both catalog backends: sources, runs, checkpoints, documents, migration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.harvest.conftest import T0

from terrapole.core.errors import Conflict, NotFound
from terrapole.harvest import schema
from terrapole.harvest.report import Counts, Failure
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.store import HarvestStore, PageCommit, SourceNotFound
from terrapole.settings import Settings


def test_sources_are_added_read_listed_and_changed(harvest_store: HarvestStore) -> None:
    source = HarvestSource(
        "ocean-csw",
        "csw",
        "https://ocean.example/csw",
        "ocean",
        {"outputSchema": "http://www.isotc211.org/2005/gmd", "pageSize": "50"},
        timedelta(hours=6),
    )
    harvest_store.add_source(source, T0)
    harvest_store.add_source(HarvestSource("atmo-oai", "oaipmh", "https://atmo.example/oai"), T0)
    assert harvest_store.source("ocean-csw") == source.with_changes(created=T0)
    assert [s.name for s in harvest_store.sources()] == ["atmo-oai", "ocean-csw"]
    with pytest.raises(Conflict):
        harvest_store.add_source(source, T0)
    harvest_store.update_source(source.with_changes(enabled=False, interval=None))
    changed = harvest_store.source("ocean-csw")
    assert (changed.enabled, changed.interval, changed.options["pageSize"]) == (False, None, "50")
    with pytest.raises(SourceNotFound):
        harvest_store.source("nowhere")


def test_a_run_counts_its_pages_and_keeps_its_checkpoint_until_it_succeeds(
    harvest_store: HarvestStore,
) -> None:
    harvest_store.add_source(HarvestSource("s", "oaipmh", "https://s.example/oai"), T0)
    run_id = harvest_store.start_run("s", "full", None, T0)
    assert harvest_store.checkpoint("s") == (run_id, {})
    page = PageCommit(run_id, "s", counts=Counts(new=2, failed=1), timings=(1.0, 0.5, 0.25))
    page.documents = [
        ("a", T0, "digest-a", "iso19139", "application/xml", b"<a/>"),
        ("b", None, "digest-b", "iso19139", "application/xml", b"<b/>"),
    ]
    page.failures = [Failure("c", "no title")]
    page.checkpoint = {"token": "abc"}
    harvest_store.commit_page(page, T0 + timedelta(seconds=3))
    harvest_store.finish_run(run_id, "failed", T0 + timedelta(seconds=4), error="FetchError: down")
    assert harvest_store.checkpoint("s") == (run_id, {"token": "abc"})
    report = harvest_store.run(run_id)
    assert (report.status, report.error, report.pages) == ("failed", "FetchError: down", 1)
    assert (report.counts.new, report.counts.failed) == (2, 1)
    assert (report.fetch_s, report.parse_s, report.write_s) == (1.0, 0.5, 0.25)
    assert report.failures == [Failure("c", "no title")]
    assert harvest_store.digests("s", ["a", "b", "z"]) == {"a": "digest-a", "b": "digest-b"}

    harvest_store.resume_run(run_id)
    harvest_store.finish_run(run_id, "succeeded", T0 + timedelta(seconds=9), next_since=T0)
    assert harvest_store.checkpoint("s") is None
    state = harvest_store.state("s")
    assert (state.last_since, state.last_full, state.last_started) == (T0, T0, T0)
    assert harvest_store.run(run_id).duration_s == 9.0


def test_documents_come_back_byte_for_byte(harvest_store: HarvestStore) -> None:
    harvest_store.add_source(HarvestSource("s", "oaipmh", "https://s.example/oai"), T0)
    run_id = harvest_store.start_run("s", "full", None, T0)
    original = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<r>\tFor\xeat  </r>\n'.encode("latin-1")
    page = PageCommit(
        run_id, "s", documents=[("id/with:odd chars", T0, "d", "iso19139", "text/xml", original)]
    )
    harvest_store.commit_page(page, T0)
    stored = harvest_store.document("s", "id/with:odd chars")
    assert (stored.original, stored.media_type, stored.datestamp, stored.harvested) == (
        original,
        "text/xml",
        T0,
        T0,
    )
    assert harvest_store.documents("s") == [("id/with:odd chars", T0)]
    with pytest.raises(NotFound):
        harvest_store.document("s", "other")


def test_the_harvest_tables_migrate_once_on_their_own_track(
    settings: Settings, harvest_store: HarvestStore
) -> None:
    again = HarvestStore.open(settings)  # a second opening finds the tables there
    try:
        with again.db.transaction() as session:
            rows = session.execute("SELECT value FROM meta WHERE key = ?", [schema.VERSION_KEY])
            assert rows == [(str(schema.HARVEST_SCHEMA_VERSION),)]
            session.execute("DELETE FROM meta WHERE key = ?", [schema.VERSION_KEY])
    finally:
        again.close()
    harvest_store.add_source(HarvestSource("kept", "csw", "https://k.example/csw"), T0)
    rerun = HarvestStore.open(settings)  # idempotent statements over existing tables and rows
    try:
        assert [s.name for s in rerun.sources()] == ["kept"]
    finally:
        rerun.close()
