"""A real `terrapole serve` process and Debian's Chromium driven by Playwright, for end-to-end tests.

Chromium is the Debian package at /usr/bin/chromium (`scripts/run-tests` installs it when missing);
Playwright's own browser download is never used. The flags keep Chromium off the network (it
otherwise keeps trying to reach update and sync services) and work without a GPU or a sandbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tests.support.server_processes import free_port

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


@contextmanager
def portal_server(data_dir: Path, log: Path) -> Iterator[str]:
    """`terrapole serve` on a free loopback port over `data_dir`; yields its base URL, then stops it."""
    port = free_port()
    env = {**os.environ, "TERRAPOLE_DATA_DIR": str(data_dir)}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "terrapole", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
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
            raise AssertionError(
                f"terrapole serve exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(
                f"terrapole serve not ready after {READY_WAIT_S} s:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.1)


@dataclass
class PageWatch:
    """What a page did that it must not: dialogs (alert...), script errors, CSP violations."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        """Record the page's dialogs (dismissing them), uncaught errors and CSP reports."""

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_console(message: Any) -> None:
            text = message.text
            if message.type == "error" or "Content Security Policy" in text:
                self.errors.append(text)

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", on_console)


def searches(page: Any) -> int:
    """How many searches the page has shown so far (its search module counts them)."""
    return int(page.evaluate("() => Number(document.body.dataset.searches || 0)"))


def wait_for_search(page: Any, after: int) -> None:
    """Wait until the page has shown a search beyond the `after`-th."""
    page.wait_for_function(f"() => Number(document.body.dataset.searches || 0) > {after}", timeout=15_000)
