"""Search benchmark: `python -m bench.search --items N`.

Generates the reproducible synthetic catalog of `bench.synthetic`, bulk-loads it in-process
(timing parsing and store writes, not the generator), serves it with `terrapole serve` in a
subprocess and measures the query mix of `bench.client` over HTTP. Prints a table and writes
JSON (default `bench/results/search-<N>.json`). The goals are the issue's, stated for
1,000,000 items on a 2-core machine; smaller runs are compared with them all the same.

A loaded `--data-dir` is reused when its marker file says it holds the same items (count, seed,
generator version), so that large sizes are loaded once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from bench import client, synthetic

MARKER = "bench-search.json"
SAMPLE_IDS = 1000
INGEST_GOAL_PER_S = 30_000
RSS_GOAL_MB = 300
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 10.0
RESULTS_DIR = Path(__file__).parent / "results"


# -- loading ---------------------------------------------------------------------------------
class _GeneratedItems:
    """The generated item dicts, timing their generation and keeping every k-th (collection, id)."""

    def __init__(self, count: int, seed: int) -> None:
        self._items = synthetic.items(count, seed)
        self._every = max(1, count // SAMPLE_IDS)
        self._index = 0
        self.seconds = 0.0
        self.samples: list[list[str]] = []

    def __iter__(self) -> _GeneratedItems:
        return self

    def __next__(self) -> dict[str, Any]:
        started = time.perf_counter()
        item = next(self._items)
        self.seconds += time.perf_counter() - started
        if self._index % self._every == 0:
            self.samples.append([item["collection"], item["id"]])
        self._index += 1
        return item


def load_catalog(data_dir: Path, count: int, seed: int, batch_size: int) -> dict[str, Any]:
    """Load the synthetic catalog into `data_dir`; the ingest figures and sampled item ids.

    The vocabularies terrapole ships are imported first, and records are linked to their
    concepts as ingest links them (the linking is timed with the ingest).
    """
    from terrapole.catalog import open_catalog
    from terrapole.formats.stac import parse_collection, parse_item
    from terrapole.settings import Settings
    from terrapole.vocab.bundled import import_bundled
    from terrapole.vocab.linking import link_records

    store = open_catalog(Settings(data_dir=data_dir))
    generated = _GeneratedItems(count, seed)
    try:
        import_bundled(store)
        parsed = [parse_collection(c) for c in synthetic.collection_documents()]
        store.upsert_collections(link_records(store, parsed)[0])
        started = time.perf_counter()
        _, linked = link_records(store, (), (parse_item(d) for d in generated))
        written = store.upsert_items(linked, batch_size=batch_size)
        wall = time.perf_counter() - started
    finally:
        store.close()
    ingest_s = wall - generated.seconds
    return {
        "items": written,
        "batch_size": batch_size,
        "ingest_s": ingest_s,
        "items_per_s": written / ingest_s,
        "generation_s": generated.seconds,
        "wall_items_per_s": written / wall,
        "disk_mb": _size_mb(data_dir),
        "loaded_at": _now(),
        "samples": generated.samples,
    }


def prepare_catalog(data_dir: Path, count: int, seed: int, batch_size: int) -> dict[str, Any]:
    """The marker of a directory holding the synthetic catalog, loading it unless already there."""
    marker_path = data_dir / MARKER
    wanted = {"generator": synthetic.GENERATOR_VERSION, "count": count, "seed": seed}
    if marker_path.exists():
        marker: dict[str, Any] = json.loads(marker_path.read_text())
        if {key: marker.get(key) for key in wanted} == wanted:
            return {**marker, "reused": True}
        raise SystemExit(
            f"{data_dir} holds another synthetic catalog ({MARKER}: "
            f"{ {key: marker.get(key) for key in wanted} }); use another --data-dir"
        )
    if data_dir.exists() and any(data_dir.iterdir()):
        raise SystemExit(f"{data_dir} is not empty and has no {MARKER}; use an empty --data-dir")
    marker = {**wanted, "ingest": load_catalog(data_dir, count, seed, batch_size)}
    marker["samples"] = marker["ingest"].pop("samples")
    marker_path.write_text(json.dumps(marker))
    return {**marker, "reused": False}


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- the server ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Server:
    """A running `terrapole serve` subprocess."""

    process: subprocess.Popen[bytes]
    base_url: str
    startup_s: float


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(data_dir: Path, port: int, ready_path: str = "/stac") -> Iterator[Server]:
    """`terrapole serve` on `data_dir` in a subprocess, answering `ready_path`; stopped on exit."""
    command = [
        sys.executable,
        "-m",
        "terrapole",
        "serve",
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_ready(process, base_url + ready_path, log)
            yield Server(process, base_url, time.perf_counter() - started)
        finally:
            _stop(process)


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log: IO[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(url, timeout=5.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {READY_TIMEOUT_S:.0f} s:\n{_tail(log)}")


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read()[-3000:].decode(errors="replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of a process now (VmRSS) and at its peak (VmHWM), in MiB."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return {"rss_mb": fields["VmRSS"], "peak_rss_mb": fields["VmHWM"]}


# -- the machine -----------------------------------------------------------------------------
def machine_facts() -> dict[str, Any]:
    """What the numbers depend on: CPUs, memory, versions, date."""
    from importlib.metadata import version

    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name") or platform.processor(),
        "memory_total_mb": int((_proc_field("/proc/meminfo", "MemTotal") or "0 kB").split()[0]) // 1024,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "terrapole": version("terrapole"),
        "platform": platform.platform(),
        "date": _now(),
    }


def _proc_field(path: str, name: str) -> str | None:
    for line in Path(path).read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return None


# -- the run ---------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    """Load (or reuse) the catalog, serve it, measure the mix; the whole result as JSON."""
    temporary = args.data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="terrapole-bench-")) if temporary else args.data_dir
    try:
        _say(f"catalog of {args.items:,} synthetic items in {data_dir}")
        marker = prepare_catalog(data_dir, args.items, args.seed, args.batch_size)
        _say(
            f"ingest: {marker['ingest']['items_per_s']:,.0f} items/s"
            + (" (measured when loaded, reused)" if marker["reused"] else "")
        )
        with (
            running_server(data_dir, args.port or free_port()) as server,
            httpx.Client(base_url=server.base_url, timeout=60.0) as http,
        ):
            _say(f"server ready in {server.startup_s:.1f} s; measuring the query mix")
            queries = client.measure_mix(http, args.seed, args.repeat, args.warmup, marker["samples"])
            memory = memory_mb(server.process.pid)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif temporary:
            _say(f"kept {data_dir}")
    return _result(args, marker, queries, {**memory, "startup_s": server.startup_s})


def _result(
    args: argparse.Namespace, marker: dict[str, Any], queries: list[dict[str, Any]], server: dict[str, float]
) -> dict[str, Any]:
    ingest = {**marker["ingest"], "reused": marker["reused"], "goal_items_per_s": INGEST_GOAL_PER_S}
    ingest["met"] = ingest["items_per_s"] >= INGEST_GOAL_PER_S
    return {
        "benchmark": "search",
        "items": args.items,
        "seed": args.seed,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "goals_stated_for_items": 1_000_000,
        "machine": machine_facts(),
        "ingest": ingest,
        "server": {**server, "goal_rss_mb": RSS_GOAL_MB, "met": server["rss_mb"] <= RSS_GOAL_MB},
        "queries": queries,
    }


def render_table(result: dict[str, Any]) -> str:
    """The result as the printed table."""
    ingest, server = result["ingest"], result["server"]
    lines = [
        f"terrapole search benchmark: {result['items']:,} items, seed {result['seed']}, "
        f"{result['repeat']} measured requests per query after {result['warmup']} warm-up "
        f"(goals are for 1,000,000 items)",
        f"{'query':<32} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'goal':>8} "
        f"{'met?':>5} {'empty':>5} {'errors':>6}",
    ]
    lines += [_table_row(row) for row in result["queries"]]
    reused = f", measured at load on {ingest['loaded_at']}" if ingest["reused"] else ""
    lines.append(
        f"ingest: {ingest['items']:,} items in {ingest['ingest_s']:.1f} s = "
        f"{ingest['items_per_s']:,.0f} items/s (parse + store; generation "
        f"{ingest['generation_s']:.1f} s excluded{reused}); goal >= "
        f"{INGEST_GOAL_PER_S:,}: {_yes_no(ingest['met'])}"
    )
    lines.append(
        f"server RSS after the mix: {server['rss_mb']:.0f} MB (peak {server['peak_rss_mb']:.0f}"
        f" MB); goal <= {RSS_GOAL_MB} MB: {_yes_no(server['met'])}"
    )
    lines += [f"  {row['query']}: {error}" for row in result["queries"] for error in row["error_examples"]]
    return "\n".join(lines)


def _table_row(row: dict[str, Any]) -> str:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    goal = "-" if row["goal_p50_ms"] is None else f"<= {row['goal_p50_ms']:g}"
    met = "-" if row["met"] is None else _yes_no(row["met"])
    return (
        f"{row['query']:<32} {row['n']:>4} {ms(row['p50_ms']):>8} {ms(row['p95_ms']):>8} "
        f"{ms(row['mean_ms']):>8} {goal:>8} {met:>5} {row['empty']:>5} {row['errors']:>6}"
    )


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "NO"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--items", type=int, default=100_000, help="catalog size (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="generator and query seed (default 1)")
    parser.add_argument("--repeat", type=int, default=200, help="measured requests per query")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per query first")
    parser.add_argument("--batch-size", type=int, default=10_000, help="items per transaction")
    parser.add_argument("--data-dir", type=Path, help="load here, or reuse the catalog loaded here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--out", type=Path, help="JSON output (default bench/results/search-N.json)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when any measured request failed (goals do not count)."""
    args = parse_args(argv)
    result = run(args)
    print(render_table(result))
    out: Path = args.out or RESULTS_DIR / f"search-{args.items}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    _say(f"results written to {out}")
    return 1 if any(row["errors"] for row in result["queries"]) else 0


if __name__ == "__main__":
    sys.exit(main())
