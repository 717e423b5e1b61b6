"""`terrapole serve` in separate processes, as an operator runs several workers behind a proxy.

Each server gets a free loopback port, its own data directory and a log file (not a pipe: a
chatty server must never block on a full pipe). Whatever happens, every process started is
stopped by its PID: SIGTERM, then SIGKILL if it has not ended after a grace period.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

READY_WAIT_S = 60.0
STOP_WAIT_S = 10.0


@dataclass(frozen=True)
class ServerProcess:
    """One running `terrapole serve`."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def output(self) -> str:
        """What the server printed so far (for failure messages)."""
        return self.log.read_text(errors="replace")[-4000:]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_processes(count: int, root: Path, env: Mapping[str, str]) -> Iterator[list[ServerProcess]]:
    """`count` servers started together with these extra environment variables, ready to answer."""
    with ExitStack() as stack:
        servers = [stack.enter_context(_started(root / f"server-{n}", env)) for n in range(count)]
        for server in servers:
            _wait_until_ready(server)
        yield servers


@contextmanager
def serve_process(directory: Path, env: Mapping[str, str]) -> Iterator[ServerProcess]:
    """One server whose data directory is `directory`/data (which may hold a catalog already)."""
    with _started(directory, env) as server:
        _wait_until_ready(server)
        yield server


@contextmanager
def _started(directory: Path, env: Mapping[str, str]) -> Iterator[ServerProcess]:
    directory.mkdir(parents=True, exist_ok=True)
    port, log = free_port(), directory / "server.log"
    environment = {**os.environ, **env, "TERRAPOLE_DATA_DIR": str(directory / "data")}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "terrapole", "serve", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    try:
        yield ServerProcess(process, f"http://127.0.0.1:{port}", log)
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started by a test, by its PID: SIGTERM, then SIGKILL after a grace period."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_WAIT_S)


def _wait_until_ready(server: ServerProcess) -> None:
    wait_until_answering(server.process, f"{server.base_url}/healthz", server.log)


def wait_until_answering(
    process: subprocess.Popen[bytes], url: str, log: Path, wait_s: float = READY_WAIT_S
) -> None:
    """Poll `url` until it answers 200; fail with the end of the log if the process exits first
    or does not answer within `wait_s`."""
    deadline = time.monotonic() + wait_s
    while True:
        if process.poll() is not None:
            output = log.read_text(errors="replace")[-4000:]
            raise AssertionError(f"{url}: the process exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            output = log.read_text(errors="replace")[-4000:]
            raise AssertionError(f"{url} not ready after {wait_s} s:\n{output}")
        time.sleep(0.05)
