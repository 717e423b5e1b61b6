"""The command line as a newcomer uses it: `demo` serves the five poles, `ingest` loads files."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from terrapole.catalog import open_catalog
from terrapole.cli import app
from terrapole.core.model import POLES
from terrapole.core.query import Query
from terrapole.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "stac"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`terrapole demo` in its own process, as `make demo` runs it."""
    port = free_port()
    data_dir = tmp_path_factory.mktemp("demo")
    process = subprocess.Popen(
        [sys.executable, "-m", "terrapole", "demo", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/stac")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@pytest.mark.parametrize("path", ["/", "/stac", "/stac/collections", "/stac/search"])
def test_demo_answers_the_main_urls(demo_server: str, path: str) -> None:
    response = httpx.get(demo_server + path, timeout=10)
    assert response.status_code == 200
    if path != "/":
        assert response.json()["links"]


def test_demo_holds_every_pole_with_three_collections_and_about_2000_items(demo_server: str) -> None:
    collections = httpx.get(f"{demo_server}/stac/collections", params={"limit": 100}).json()["collections"]
    poles = [c["terrapole:pole"] for c in collections]
    assert all(poles.count(pole) >= 3 for pole in POLES)
    assert all(c.get("terrapole:translations", {}).get("fr", {}).get("title") for c in collections)
    matched = httpx.get(f"{demo_server}/stac/search", params={"limit": 1}).json()["numberMatched"]
    assert 1900 <= matched <= 2100


def test_demo_loads_the_vocabularies_and_links_its_keywords(demo_server: str) -> None:
    schemes = httpx.get(f"{demo_server}/vocab/schemes").json()["schemes"]
    assert {s["concepts"] for s in schemes} == {3283, 34, 40}  # GCMD, INSPIRE themes, GEMET themes
    french = httpx.get(f"{demo_server}/stac/collections", params={"q": "température de surface de la mer"})
    assert "ocean-sst-mediterranean-daily" in [c["id"] for c in french.json()["collections"]]
    suggested = httpx.get(f"{demo_server}/vocab/suggest", params={"q": "temp", "lang": "fr"}).json()
    assert suggested["suggestions"][0]["label"].startswith("Temp")


def test_ingest_command_loads_files_and_reports_refusals(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "ingest",
            str(FIXTURES),
            "--data-dir",
            str(tmp_path),
            "--create-collections",
            "--collection",
            "loose-items",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "refused" in result.output
    store = open_catalog(Settings(data_dir=tmp_path))
    try:
        # 14 valid item documents, of which three share one identity: 12 distinct items.
        assert store.search_items(Query(limit=1)).number_matched == 12
        assert store.get_collection("naip").title["en"] == "NAIP: National Agriculture Imagery Program"
    finally:
        store.close()


def test_ingest_of_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "nope.json"), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "does not exist" in " ".join(result.output.replace("│", " ").split())


def test_reindex_rebuilds_the_text_index(tmp_path: Path) -> None:
    CliRunner().invoke(app, ["ingest", str(FIXTURES / "collections"), "--data-dir", str(tmp_path)])
    result = CliRunner().invoke(app, ["reindex", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0 and "indexed" in result.output
    store = open_catalog(Settings(data_dir=tmp_path))
    try:
        assert [c.id for c in store.search_collections(Query(text="agriculture imagery")).records] == ["naip"]
    finally:
        store.close()


def test_db_upgrade_and_version_on_the_embedded_catalog(tmp_path: Path) -> None:
    runner = CliRunner()
    before = runner.invoke(app, ["db", "version", "--data-dir", str(tmp_path)])
    assert before.exit_code == 0 and "version 0" in before.output
    upgraded = runner.invoke(app, ["db", "upgrade", "--data-dir", str(tmp_path)])
    assert upgraded.exit_code == 0, upgraded.output
    after = runner.invoke(app, ["db", "version", "--data-dir", str(tmp_path)])
    from terrapole.catalog.sqlite_schema import SCHEMA_VERSION

    assert f"version {SCHEMA_VERSION} (this terrapole: {SCHEMA_VERSION})" in after.output
