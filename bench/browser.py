"""The portal served by a real `terrapole serve` process over the demo catalog, seen in Debian's
Chromium through Playwright. Shared by `bench.portal`, `scripts/screenshots` and the portal's
end-to-end tests.

Chromium is the Debian package at /usr/bin/chromium (`scripts/run-tests` installs it when
missing); Playwright's own browser download is never used. The flags keep Chromium off the
network (it otherwise keeps trying to reach update and sync services) and let it run without a
GPU or a sandbox; Playwright gives every launch a fresh user-data-dir.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY_WAIT_S = 60.0
# The server runs this checkout's code, whatever terrapole the virtualenv has installed.
SOURCE = Path(__file__).resolve().parents[1] / "src"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_demo(data_dir: Path, items: int = 2000) -> None:
    """Ingest the demo federation into a catalog in `data_dir`, after the bundled vocabularies
    (as `terrapole demo` does: the keywords are linked to their concepts)."""
    from terrapole.catalog import open_catalog
    from terrapole.demo.generate import generate_demo
    from terrapole.ingest import Source, ingest
    from terrapole.settings import Settings
    from terrapole.vocab.bundled import import_bundled

    federation = generate_demo(items_total=items)
    store = open_catalog(Settings(data_dir=data_dir))
    try:
        import_bundled(store)
        sources = [Source("demo", c) for c in federation.collections]
        ingest(store, sources + [Source("demo", i) for i in federation.items])
    finally:
        store.close()


@contextmanager
def portal_server(data_dir: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`terrapole serve` on a free loopback port over `data_dir`; yields its base URL, then stops it."""
    port = free_port()
    path = os.pathsep.join(p for p in (str(SOURCE), os.environ.get("PYTHONPATH", "")) if p)
    environment = {**os.environ, **(env or {}), "TERRAPOLE_DATA_DIR": str(data_dir), "PYTHONPATH": path}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "terrapole", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, base, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_ready(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + READY_WAIT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"terrapole serve exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"terrapole serve not ready after {READY_WAIT_S} s:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.1)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright (headless)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium (scripts/run-tests does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def searches(page: Any) -> int:
    """How many searches the page has shown so far (its search module counts them)."""
    return int(page.evaluate("() => Number(document.body.dataset.searches || 0)"))


def wait_for_search(page: Any, after: int = 0) -> None:
    """Wait until the page has shown a search beyond the `after`-th (results and facets)."""
    page.wait_for_function(f"() => Number(document.body.dataset.searches || 0) > {after}", timeout=15_000)
