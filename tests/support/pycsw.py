"""A real pycsw server for tests and benchmarks: its own virtualenv, repository and process.

pycsw 2.6.2 (the package index's) pins OWSLib below 0.29 and SQLAlchemy below 2, older than
terrapole's OWSLib, so it lives in a virtualenv of its own (`TERRAPOLE_PYCSW_VENV`, by default
`.venv-pycsw` at the root of the checkout), created from the package index on first use. Records
are loaded with pycsw's own `pycsw-admin.py -c load_records` into its own SQLite repository; the
server is gunicorn on a free loopback port, stopped by its PID.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pycsw==2.6.2", "gunicorn", "sqlalchemy<2")
READY_WAIT_S = 60.0

CONFIG = """[server]
home={home}
url=http://127.0.0.1:{port}/csw
mimetype=application/xml; charset=UTF-8
encoding=UTF-8
language=en-US
maxrecords={maxrecords}
loglevel=WARNING
logfile={home}/pycsw.log
pretty_print=false
domainquerytype=list
domaincounts=false
profiles=apiso

[manager]
transactions=false
allowed_ips=127.0.0.1

[metadata:main]
identification_title=pycsw under test
identification_abstract=A pole's catalog, harvested by terrapole's tests
identification_keywords=test
identification_keywords_type=theme
identification_fees=None
identification_accessconstraints=None
provider_name=terrapole tests
provider_url=http://127.0.0.1/
contact_name=tests
contact_position=tests
contact_address=-
contact_city=-
contact_stateorprovince=-
contact_postalcode=-
contact_country=-
contact_phone=-
contact_fax=-
contact_email=tests@example.org
contact_url=http://127.0.0.1/
contact_hours=-
contact_instructions=-
contact_role=pointOfContact

[repository]
database=sqlite:///{home}/records.db
table=records

[metadata:inspire]
enabled=false
"""


@dataclass(frozen=True)
class PycswServer:
    """A running pycsw: its CSW and OAI-PMH endpoints, its configuration and log."""

    process: subprocess.Popen[bytes]
    port: int
    home: Path

    @property
    def csw_url(self) -> str:
        """The CSW 2.0.2 endpoint."""
        return f"http://127.0.0.1:{self.port}/csw"

    @property
    def oai_url(self) -> str:
        """The OAI-PMH endpoint."""
        return f"{self.csw_url}?mode=oaipmh"

    def cpu_seconds(self) -> float:
        """CPU time the server (gunicorn's master and its workers) has used so far (Linux /proc)."""
        return _tree_cpu(self.process.pid)

    def log(self) -> str:
        """What the server printed (for failure messages)."""
        return (self.home / "gunicorn.log").read_text(errors="replace")[-4000:]


def pycsw_venv() -> Path:
    """The pycsw virtualenv, created from the package index when missing (one creator at a time)."""
    venv = Path(os.environ.get("TERRAPOLE_PYCSW_VENV", ROOT / ".venv-pycsw"))
    python = venv / "bin" / "python"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / ".venv-pycsw.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _usable(python):
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", *PACKAGES], check=True, timeout=1200)
    return venv


def _usable(python: Path) -> bool:
    if not python.exists():
        return False
    probe = subprocess.run([str(python), "-c", "import pycsw, gunicorn"], capture_output=True)
    return probe.returncode == 0


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def configure(home: Path, port: int, maxrecords: int) -> Path:
    """Write the server's configuration and create its empty repository; the configuration file."""
    config = configure_only(home, port, maxrecords)
    _admin(home, config, "setup_db")
    return config


def configure_only(home: Path, port: int, maxrecords: int) -> Path:
    """Write the server's configuration (for a repository that exists already)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "pycsw.cfg"
    config.write_text(CONFIG.format(home=home, port=port, maxrecords=maxrecords))
    return config


def load_records(home: Path, records: Path) -> float:
    """Load a directory of XML records with pycsw's own loader; the seconds it took."""
    started = time.perf_counter()
    _admin(home, home / "pycsw.cfg", "load_records", "-p", str(records))
    return time.perf_counter() - started


def record_count(home: Path) -> int:
    """How many records pycsw's repository holds."""
    import sqlite3

    with sqlite3.connect(home / "records.db") as conn:
        return int(conn.execute("SELECT count(*) FROM records").fetchone()[0])


def _admin(home: Path, config: Path, command: str, *args: str) -> None:
    venv = pycsw_venv()
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            str(venv / "bin" / "pycsw-admin.py"),
            "-c",
            command,
            "-f",
            str(config),
            *args,
        ],
        check=True,
        capture_output=True,
        cwd=home,
    )


@contextmanager
def pycsw_server(
    home: Path, records: Path | None, *, maxrecords: int = 10, workers: int = 1
) -> Iterator[PycswServer]:
    """pycsw serving `records` (loaded into a new repository under `home`), stopped afterwards."""
    port = free_port()
    configure(home, port, maxrecords)
    if records is not None:
        load_records(home, records)
    with started(home, port, workers) as server:
        yield server


@contextmanager
def started(home: Path, port: int, workers: int = 1) -> Iterator[PycswServer]:
    """gunicorn serving the configured pycsw in `home` on `port`; stopped by PID afterwards."""
    venv = pycsw_venv()
    env = {**os.environ, "PYCSW_CONFIG": str(home / "pycsw.cfg")}
    with (home / "gunicorn.log").open("wb") as log:
        process = subprocess.Popen(
            [
                str(venv / "bin" / "gunicorn"),
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                "pycsw.wsgi:application",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=home,
        )
    server = PycswServer(process, port, home)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        _stop(process)


def _wait_until_ready(server: PycswServer) -> None:
    deadline = time.monotonic() + READY_WAIT_S
    while True:
        if server.process.poll() is not None:
            raise AssertionError(f"pycsw exited with {server.process.returncode}:\n{server.log()}")
        try:
            params = {"service": "CSW", "version": "2.0.2", "request": "GetCapabilities"}
            if httpx.get(server.csw_url, params=params, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"pycsw not ready after {READY_WAIT_S} s:\n{server.log()}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def _tree_cpu(pid: int) -> float:
    """User plus system CPU seconds of a process and its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, IndexError):
        return total
    return total + sum(_tree_cpu(int(child)) for child in children)
