"""`terrapole harvest add|list|run|report|original` and `terrapole worker`, and the schedule."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from tests.harvest.conftest import T0, Clock, add_source
from tests.harvest.local_sources import OaiRepository, records, serving
from typer.testing import CliRunner

from terrapole.catalog import CatalogStore
from terrapole.cli import app
from terrapole.harvest.runner import Harvester
from terrapole.harvest.store import HarvestStore
from terrapole.harvest.worker import due_sources, work
from terrapole.settings import Settings


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner of the command line on the test's data directory (and database)."""
    monkeypatch.setenv("TERRAPOLE_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("TERRAPOLE_DATABASE_URL", settings.database_url)
    return CliRunner()


def test_add_run_list_report_and_original(cli: CliRunner, store: CatalogStore) -> None:
    listed = records(5, T0)
    with serving(OaiRepository(listed)) as server:
        added = cli.invoke(
            app,
            ["harvest", "add", "oai", "--protocol", "oaipmh", "--url", f"{server.url}/oai", "--pole", "ocean",
             "--option", "metadataPrefix=iso19139", "--interval", "6h"],
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        ran = cli.invoke(app, ["harvest", "run", "oai"])
    assert ran.exit_code == 0, ran.output
    assert "new 5, updated 0, unchanged 0, deleted 0, failed 0" in ran.output
    listing = cli.invoke(app, ["harvest", "list"])
    assert "oai" in listing.output and "oaipmh" in listing.output and "+5" in listing.output
    report = json.loads(cli.invoke(app, ["harvest", "report", "oai", "--json"]).stdout)
    assert (report["source"], report["status"], report["counts"]["new"], report["pages"]) == (
        "oai",
        "succeeded",
        5,
        2,
    )
    original = cli.invoke(app, ["harvest", "original", "oai", "rec-002"])
    assert b"Record 2" in original.stdout_bytes
    assert store.collection_count() == 5


def test_errors_are_reported_with_a_status(cli: CliRunner) -> None:
    refused = cli.invoke(app, ["harvest", "add", "x", "--protocol", "gopher", "--url", "http://x.example"])
    assert refused.exit_code == 2
    assert "protocol" in refused.output
    assert cli.invoke(app, ["harvest", "run", "nothing"]).exit_code == 2
    assert cli.invoke(app, ["harvest", "run"]).exit_code == 2  # neither a name nor --all
    down = cli.invoke(
        app,
        [
            "harvest",
            "add",
            "down",
            "--protocol",
            "oaipmh",
            "--url",
            "http://127.0.0.1:9/oai",
            "-o",
            "retries=1",
        ],
    )
    assert down.exit_code == 0
    failed = cli.invoke(app, ["harvest", "run", "--all"])
    assert failed.exit_code == 1
    assert "failed" in failed.output and "FetchError" in failed.output


def test_the_worker_runs_what_is_due(
    harvest_store: HarvestStore, store: CatalogStore, clock: Clock, harvester: Harvester
) -> None:
    with serving(OaiRepository(records(2, T0))) as server:
        add_source(harvest_store, "often", "oaipmh", f"{server.url}/oai", metadataPrefix="iso19139")
        add_source(harvest_store, "manual", "oaipmh", f"{server.url}/oai", metadataPrefix="iso19139")
        harvest_store.update_source(harvest_store.source("often").with_changes(interval=timedelta(hours=1)))
        assert due_sources(harvest_store, clock()) == ["often"]
        logged: list[str] = []
        assert work(harvester, harvest_store, once=True, log=logged.append, clock=clock) == 1
        assert logged == ["often: succeeded (full) new 2, updated 0, unchanged 0, deleted 0, failed 0"]
        assert due_sources(harvest_store, clock() + timedelta(minutes=59)) == []
        assert due_sources(harvest_store, clock() + timedelta(hours=1)) == ["often"]


def test_a_run_cut_off_is_due_once_stalled(harvest_store: HarvestStore, clock: Clock) -> None:
    add_source(harvest_store, "cut", "oaipmh", "http://127.0.0.1:9/oai")
    harvest_store.start_run("cut", "full", None, clock())  # its process then ends without a word
    assert due_sources(harvest_store, clock() + timedelta(minutes=5)) == []
    assert due_sources(harvest_store, clock() + timedelta(minutes=16)) == ["cut"]
