"""Side-by-side benchmark: `python -m bench.compare --items N [--systems sqlite,postgres,pgstac]`.

The query mix of `bench.client`, over loopback HTTP with one sequential client, against:

- `sqlite`: terrapole on its embedded store (loaded as `bench.search` does);
- `postgres`: terrapole on PostgreSQL (`Settings(database_url=...)`, bulk-loaded through
  `store.upsert_items`, served by `terrapole serve` with `TERRAPOLE_DATABASE_URL`);
- `pgstac`: stac-fastapi-pgstac, installed by this benchmark into its own virtualenv
  (`bench/.venv-pgstac`) from the package index, its database created by `pypgstac migrate` and
  loaded with the same collections and items (written as NDJSON) by pypgstac's loader.

One private PostgreSQL cluster (`scripts/pg-cluster`) holds one database per PostgreSQL system;
each system is served by one server process, started and stopped in turn. Ingest times exclude
the generation of the items (terrapole: generator time subtracted; pypgstac: the NDJSON file is
written before the timed `Loader.load_items`). Before the mix, a few deterministic narrow
searches check that every system returns the same items (a correctness cross-check), and a
free-text probe tells whether a system supports `q` (a word in no title must match nothing).

Prints one table (p50/p95 per system and the ratio pgstac / terrapole-postgres per query) and
writes JSON (default `bench/results/compare-N.json`). The goals are those of the scale-out
issue: terrapole on PostgreSQL at least 2x faster (p50) than stac-fastapi-pgstac on every query,
and its bulk ingest at least as fast as pypgstac's loader.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import client, search, synthetic

SYSTEMS = ("sqlite", "postgres", "pgstac")
LABELS = {"sqlite": "terrapole-sqlite", "postgres": "terrapole-postgres", "pgstac": "stac-fastapi-pgstac"}
REPO = Path(__file__).resolve().parent.parent
PG_CLUSTER = REPO / "scripts" / "pg-cluster"
PGSTAC_VENV = Path(__file__).resolve().parent / ".venv-pgstac"
# stac-fastapi-pgstac does not pin pypgstac; 0.10.0 is the pgstac release current with 7.2.0.
PGSTAC_PACKAGES = ("stac-fastapi-pgstac==7.2.0", "pypgstac[psycopg]==0.10.0", "uvicorn")
PG_PASSWORD = "postgres"  # trust authentication; pypgstac may wait on a prompt without one
TERRAPOLE_DB, PGSTAC_DB = "terrapole_bench", "pgstac_bench"
SPEEDUP_GOAL = 2.0
CROSS_CHECK_LIMIT = 500
FREE_TEXT_ROWS = ("free text, common word", "free text, two words")
NO_SUCH_WORD = "zqxjvwk"  # in no title: a server that honours `q` finds nothing
ISSUE_PYPGSTAC_ITEMS_PER_S = (10_000, 15_000)


# -- URLs ------------------------------------------------------------------------------------
def rebase(path: str, api_root: str) -> str:
    """A path of the mix (written for terrapole's `/stac` root) under another API root."""
    root = api_root.rstrip("/")
    if path == "/stac" or path.startswith("/stac/"):
        return root + path[len("/stac") :] or "/"
    return path


def rooted_client(
    base_url: str, api_root: str, timeout: float = 120.0, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """An HTTP client that sends the mix's `/stac/...` requests under `api_root` instead."""

    def move(request: httpx.Request) -> None:
        path = rebase(request.url.path, api_root)
        if path != request.url.path:
            request.url = request.url.copy_with(path=path)

    hooks = {"request": [move]} if api_root.rstrip("/") != "/stac" else {}
    return httpx.Client(base_url=base_url, timeout=timeout, event_hooks=hooks, transport=transport)


# -- cross-check and free-text probe ---------------------------------------------------------
def cross_check_requests(seed: int, items: int = 100_000) -> list[tuple[str, client.Request]]:
    """Narrow deterministic searches whose whole answer fits one page, named.

    Sized for 100,000 items (15 to 60 matches each); for larger catalogs the boxes and the
    cloud-cover bound shrink with the item count, so that every answer still fits one page."""
    rng = random.Random(seed + 1000)
    limit = str(CROSS_CHECK_LIMIT)
    scale = min(1.0, 100_000 / max(items, 1))
    side, wide_side = 5 * scale**0.5, 40 * scale**0.5
    cloud = max(0.1, round(scale, 1))
    west, south = rng.uniform(-170, 160), rng.uniform(-80, 70)
    box = f"{west:.3f},{south:.3f},{west + side:.3f},{south + side:.3f}"
    day = f"{rng.randint(2002, 2024)}-{rng.randint(1, 12):02d}-15"
    spec = max(synthetic.COLLECTIONS, key=lambda s: s.weight)
    west2, south2 = rng.uniform(-170, 130), rng.uniform(-80, 40)
    wide = f"{west2:.3f},{south2:.3f},{west2 + wide_side:.3f},{south2 + wide_side:.3f}"
    year = rng.randint(2002, 2024)
    return [
        ("small bbox", client.Request("GET", client.SEARCH, {"bbox": box, "limit": limit})),
        (
            "datetime one day",
            client.Request(
                "GET", client.SEARCH, {"datetime": f"{day}T00:00:00Z/{day}T23:59:59Z", "limit": limit}
            ),
        ),
        (
            "wide bbox + year + collection",
            client.Request(
                "GET",
                client.SEARCH,
                {
                    "bbox": wide,
                    "datetime": f"{year}-01-01T00:00:00Z/{year}-12-31T23:59:59Z",
                    "collections": spec.id,
                    "limit": limit,
                },
            ),
        ),
        (
            "CQL2 low cloud and platform",
            client.Request(
                "GET",
                client.SEARCH,
                {
                    "filter-lang": "cql2-text",
                    "filter": f"eo:cloud_cover < {cloud:g} AND platform = 'aura'",
                    "limit": limit,
                },
            ),
        ),
    ]


def answer_ids(http: httpx.Client, request: client.Request) -> dict[str, Any]:
    """The ids one search returns (sorted), or the error."""
    try:
        response = client.send(http, request)
    except httpx.HTTPError as exc:
        return {"error": f"{type(exc).__name__} {exc}"}
    problem, _ = client.check(request, response)
    if problem and "more than limit" not in problem:
        return {"error": problem}
    ids = sorted(str(f.get("id")) for f in response.json().get("features", []))
    return {"ids": ids, "count": len(ids), "full_page": len(ids) >= CROSS_CHECK_LIMIT}


def compare_answers(answers: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Whether the systems' answers to one cross-check search agree (same ids)."""
    counts = {system: answer.get("count") for system, answer in answers.items()}
    errors = {system: answer["error"] for system, answer in answers.items() if "error" in answer}
    id_sets = {system: frozenset(answer["ids"]) for system, answer in answers.items() if "ids" in answer}
    agree = not errors and len(set(id_sets.values())) <= 1
    result: dict[str, Any] = {
        "counts": counts,
        "agree": agree,
        "errors": errors,
        "full_page": any(a.get("full_page") for a in answers.values()),
    }
    if not agree and id_sets:
        union = frozenset().union(*id_sets.values())
        common = frozenset.intersection(*id_sets.values())
        result["extra"] = {system: sorted(ids - common)[:5] for system, ids in id_sets.items()}
        result["missing"] = {system: sorted(union - ids)[:5] for system, ids in id_sets.items()}
    return result


def probe_free_text(http: httpx.Client) -> str:
    """'supported', or why `q` is not: refused (status) or ignored (a word in no title matches)."""
    request = client.Request("GET", client.SEARCH, {"q": NO_SUCH_WORD, "limit": "1"})
    try:
        response = client.send(http, request)
    except httpx.HTTPError as exc:
        return f"unsupported ({type(exc).__name__})"
    if response.status_code != 200:
        return f"unsupported (status {response.status_code})"
    features = response.json().get("features") or []
    return "unsupported (q ignored: a word in no title matched)" if features else "supported"


# -- measuring -------------------------------------------------------------------------------
def measure_mix(
    http: httpx.Client,
    seed: int,
    repeat: int,
    warmup: int,
    samples: Sequence[Sequence[str]],
    skip: Mapping[str, str],
) -> list[dict[str, Any]]:
    """`bench.client.measure_mix`, with the rows in `skip` reported as their reason, not sent."""
    deep_pages, problems = [], []
    for search_request in client.deep_page_searches(seed):
        try:
            deep_pages.append(client.follow_next(http, search_request, client.DEEP_PAGE_LINKS))
        except (LookupError, httpx.HTTPError) as exc:
            problems.append(f"deep page not reached: {exc}")
    rows = []
    for kind in client.query_mix(seed, warmup + repeat, samples, deep_pages):
        if kind.name in skip:
            rows.append({**client.Timing(kind.name, kind.goal_ms).summary(), "unsupported": skip[kind.name]})
            continue
        timing = client.measure(http, kind, warmup)
        if kind.name == client.DEEP_PAGE_ROW:
            timing.errors[:0] = problems
        rows.append(timing.summary())
    if not deep_pages:
        rows.append(client.Timing(client.DEEP_PAGE_ROW, client.DEEP_PAGE_GOAL_MS, errors=problems).summary())
    return rows


# -- processes -------------------------------------------------------------------------------
@dataclass(slots=True)
class Process:
    """A server subprocess, its log and its readiness."""

    process: subprocess.Popen[bytes]
    base_url: str
    startup_s: float = 0.0
    log_path: Path | None = None


@contextmanager
def running(
    command: Sequence[str],
    env: Mapping[str, str],
    base_url: str,
    ready_path: str,
    log_path: Path,
    timeout_s: float = search.READY_TIMEOUT_S,
) -> Iterator[Process]:
    """A server subprocess answering `ready_path` with 200; stopped by its PID on exit."""
    with log_path.open("w+b") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), stdout=log, stderr=subprocess.STDOUT, env=dict(env), cwd=REPO
        )
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{command[0]} exited with status {process.returncode}:\n{search._tail(log)}"
                    )
                try:
                    if httpx.get(base_url + ready_path, timeout=5.0).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{base_url}{ready_path} not ready in {timeout_s:.0f} s:\n{search._tail(log)}"
                    )
                time.sleep(0.2)
            yield Process(process, base_url, time.perf_counter() - started, log_path)
        finally:
            search._stop(process)


@dataclass(slots=True)
class Cluster:
    """The private PostgreSQL cluster of the run."""

    directory: Path
    pid: int
    port: int

    def url(self, database: str) -> str:
        return f"postgresql://postgres:{PG_PASSWORD}@127.0.0.1:{self.port}/{database}"

    def env(self, database: str) -> dict[str, str]:
        """The PG* variables of pypgstac and stac-fastapi-pgstac for `database`."""
        return {
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.port),
            "PGUSER": "postgres",
            "PGPASSWORD": PG_PASSWORD,
            "PGDATABASE": database,
        }


@contextmanager
def pg_cluster(directory: Path) -> Iterator[Cluster]:
    """`scripts/pg-cluster start DIR auto`; `stop DIR` on exit."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.parent.chmod(0o755)  # the server runs as `postgres`: it must reach DIR
    try:
        started = subprocess.run(
            [str(PG_CLUSTER), "start", str(directory), "auto"], capture_output=True, text=True
        )
        if started.returncode:
            raise RuntimeError(f"pg-cluster start failed: {started.stderr[-2000:]}")
        out = started.stdout.split()
        yield Cluster(directory, int(out[0]), int(out[1]))
    finally:
        subprocess.run([str(PG_CLUSTER), "stop", str(directory)], check=False)


def create_databases(cluster: Cluster, systems: Sequence[str]) -> str:
    """One database per PostgreSQL system: terrapole's from the PostGIS template, pgstac's empty.

    Returns the server's version."""
    import psycopg

    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        if "postgres" in systems:
            conn.execute(f"CREATE DATABASE {TERRAPOLE_DB} TEMPLATE terrapole_template")
        if "pgstac" in systems:
            conn.execute(f"CREATE DATABASE {PGSTAC_DB}")
    return str(row[0]) if row else "unknown"


# -- stac-fastapi-pgstac ---------------------------------------------------------------------
def ensure_venv(venv: Path, packages: Sequence[str], report: Sequence[str]) -> dict[str, str]:
    """A virtualenv holding `packages` from the package index, created unless there; the versions
    of the distributions named in `report`."""
    python = venv / "bin" / "python"
    if not python.exists():
        search._say(f"installing {' '.join(packages)} into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
    code = (
        "import json, sys, importlib.metadata as m; "
        "print(json.dumps({p: m.version(p) for p in sys.argv[1:]}))"
    )
    versions: dict[str, str] = json.loads(
        subprocess.run([str(python), "-c", code, *report], check=True, capture_output=True, text=True).stdout
    )
    return versions


def ensure_pgstac_venv(venv: Path) -> dict[str, str]:
    """Create the virtualenv of stac-fastapi-pgstac and pypgstac unless there; their versions."""
    report = ("stac-fastapi-pgstac", "stac-fastapi-api", "pypgstac", "psycopg", "asyncpg", "uvicorn")
    return ensure_venv(venv, PGSTAC_PACKAGES, report)


def write_ndjson(directory: Path, count: int, seed: int) -> tuple[Path, Path, float]:
    """The collections and items as NDJSON files, and the seconds writing the items took."""
    collections = directory / "collections.ndjson"
    items = directory / "items.ndjson"
    with collections.open("w") as out:
        for document in synthetic.collection_documents():
            out.write(json.dumps(document) + "\n")
    started = time.perf_counter()
    with items.open("w") as out:
        for item in synthetic.items(count, seed):
            out.write(json.dumps(item) + "\n")
    return collections, items, time.perf_counter() - started


PGSTAC_LOAD = textwrap.dedent("""
    import json, sys, time
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods
    collections, items = sys.argv[1], sys.argv[2]
    with PgstacDB() as db:
        loader = Loader(db=db)
        loader.load_collections(collections, insert_mode=Methods.insert)
        started = time.perf_counter()
        loader.load_items(items, insert_mode=Methods.insert)
        seconds = time.perf_counter() - started
        count = db.query_one("SELECT count(*) FROM items")
    print(json.dumps({"ingest_s": seconds, "items": count}))
""")


def load_pgstac(venv: Path, env: Mapping[str, str], collections: Path, items: Path) -> dict[str, Any]:
    """`pypgstac migrate`, then the collections and the (timed) items through pypgstac's Loader."""
    python = str(venv / "bin" / "python")
    full_env = {**os.environ, **env}
    migrate = subprocess.run(
        [str(venv / "bin" / "pypgstac"), "migrate"], env=full_env, capture_output=True, text=True, timeout=600
    )
    if migrate.returncode:
        raise RuntimeError(f"pypgstac migrate failed: {migrate.stderr[-2000:]}")
    load = subprocess.run(
        [python, "-c", PGSTAC_LOAD, str(collections), str(items)],
        env=full_env,
        capture_output=True,
        text=True,
    )
    if load.returncode:
        raise RuntimeError(f"pypgstac load failed: {load.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(load.stdout.strip().splitlines()[-1])
    figures["items_per_s"] = figures["items"] / figures["ingest_s"]
    figures["method"] = "pypgstac Loader.load_items(NDJSON file, insert_mode=insert)"
    figures["migrate"] = migrate.stdout.strip()[-200:]
    return figures


def analyze(url: str) -> None:
    """VACUUM ANALYZE a database after its load (untimed), for both PostgreSQL systems alike.

    ANALYZE gives the planner its statistics; VACUUM sets the visibility map that index-only
    scans need, which autovacuum would do on its own shortly after a bulk insert.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# -- terrapole on PostgreSQL -----------------------------------------------------------------
def load_terrapole_postgres(
    url: str, data_dir: Path, count: int, seed: int, batch_size: int
) -> dict[str, Any]:
    """The synthetic catalog into terrapole's PostgreSQL store, as `bench.search` loads SQLite."""
    from terrapole.catalog import open_catalog
    from terrapole.formats.stac import parse_collection, parse_item
    from terrapole.settings import Settings

    store = open_catalog(Settings(data_dir=data_dir, database_url=url))
    generated = search._GeneratedItems(count, seed)
    try:
        store.upsert_collections(parse_collection(c) for c in synthetic.collection_documents())
        started = time.perf_counter()
        written = store.upsert_items((parse_item(d) for d in generated), batch_size=batch_size)
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
        "method": "store.upsert_items (parse + store), generation excluded",
        "samples": generated.samples,
    }


# -- the run ---------------------------------------------------------------------------------
@dataclass(slots=True)
class SystemRun:
    """What one system produced."""

    name: str
    ingest: dict[str, Any] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)
    free_text: str = ""
    queries: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def serve_and_measure(
    run: SystemRun,
    command: Sequence[str],
    env: Mapping[str, str],
    port: int,
    api_root: str,
    ready_path: str,
    args: argparse.Namespace,
    samples: Sequence[Sequence[str]],
    work: Path,
    checks: dict[str, dict[str, Any]],
) -> None:
    """Start one server, probe it, cross-check, measure the mix, read its memory; stop it."""
    base_url = f"http://127.0.0.1:{port}"
    with (
        running(command, env, base_url, ready_path, work / f"{run.name}-server.log") as server,
        rooted_client(base_url, api_root) as http,
    ):
        search._say(
            f"{run.name}: server ready in {server.startup_s:.1f} s (PID "
            f"{server.process.pid}); cross-check, then the mix"
        )
        load_before = os.getloadavg()[0]
        run.free_text = probe_free_text(http)
        for name, request in cross_check_requests(args.seed, args.items):
            checks.setdefault(name, {})[run.name] = answer_ids(http, request)
        skip = {} if run.free_text == "supported" else dict.fromkeys(FREE_TEXT_ROWS, run.free_text)
        run.queries = measure_mix(http, args.seed, args.repeat, args.warmup, samples, skip)
        run.server = {
            **search.memory_mb(server.process.pid),
            "startup_s": server.startup_s,
            "pid": server.process.pid,
            "command": " ".join(command),
            # Other work on the machine during the mix (1-minute load average).
            "loadavg_1min": [load_before, os.getloadavg()[0]],
        }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Load every system, serve and measure each in turn; the whole result as JSON."""
    systems = args.systems
    work = Path(tempfile.mkdtemp(prefix="terrapole-compare-"))
    runs = {name: SystemRun(name) for name in systems}
    checks: dict[str, dict[str, Any]] = {}
    versions: dict[str, str] = {}
    samples: list[list[str]] = []
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "TERRAPOLE_"))}
    try:
        with ExitStack() as stack:
            cluster = None
            if {"postgres", "pgstac"} & set(systems):
                cluster = stack.enter_context(pg_cluster(work / "pg"))
                search._say(f"PostgreSQL cluster PID {cluster.pid} on port {cluster.port}")
                versions["postgresql"] = create_databases(cluster, systems)
            if "pgstac" in systems:
                try:
                    versions.update(ensure_pgstac_venv(args.pgstac_venv))
                except (subprocess.CalledProcessError, OSError, ValueError) as exc:
                    runs["pgstac"].error = f"installing stac-fastapi-pgstac failed: {exc}"
            # Loading: every system before any measurement.
            if "sqlite" in systems:
                marker = search.prepare_catalog(work / "sqlite", args.items, args.seed, args.batch_size)
                runs["sqlite"].ingest = {
                    **marker["ingest"],
                    "method": "store.upsert_items (parse + store + text index), generation excluded",
                }
                samples = marker["samples"]
                search._say(f"sqlite: {marker['ingest']['items_per_s']:,.0f} items/s")
            if "postgres" in systems and cluster:
                ingest = load_terrapole_postgres(
                    cluster.url(TERRAPOLE_DB), work / "postgres", args.items, args.seed, args.batch_size
                )
                samples = ingest.pop("samples")
                runs["postgres"].ingest = ingest
                analyze(cluster.url(TERRAPOLE_DB))
                search._say(f"postgres: {ingest['items_per_s']:,.0f} items/s")
            if "pgstac" in systems and cluster and not runs["pgstac"].error:
                collections, items, written_s = write_ndjson(work, args.items, args.seed)
                search._say(f"pgstac: NDJSON written in {written_s:.1f} s (untimed); loading")
                try:
                    runs["pgstac"].ingest = load_pgstac(
                        args.pgstac_venv, cluster.env(PGSTAC_DB), collections, items
                    )
                    analyze(cluster.url(PGSTAC_DB))
                    search._say(f"pgstac: {runs['pgstac'].ingest['items_per_s']:,.0f} items/s")
                except (RuntimeError, subprocess.SubprocessError, ValueError) as exc:
                    runs["pgstac"].error = str(exc)
                items.unlink(missing_ok=True)
            if not samples:
                samples = _samples(args.items, args.seed)
            # Serving and measuring: one server process at a time, or all at once, interleaved.
            commands = {
                name: server_command(name, args, work, base_env, cluster)
                for name in systems
                if not runs[name].error
            }
            if args.interleave:
                serve_interleaved(runs, commands, args, samples, work, checks)
            else:
                for name, (command, env, api_root, ready, port) in commands.items():
                    try:
                        serve_and_measure(
                            runs[name], command, env, port, api_root, ready, args, samples, work, checks
                        )
                    except (RuntimeError, httpx.HTTPError) as exc:
                        runs[name].error = str(exc)[-3000:]
                        search._say(f"{name}: {runs[name].error}")
    finally:
        if args.keep:
            search._say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return build_result(args, runs, checks, versions)


ServerSpec = tuple[list[str], dict[str, str], str, str, int]


def server_command(
    name: str, args: argparse.Namespace, work: Path, base_env: Mapping[str, str], cluster: Cluster | None
) -> ServerSpec:
    """How to serve one system: command, environment, API root, readiness path and port."""
    port = args.port or search.free_port()
    host = ["--host", "127.0.0.1", "--port", str(port)]
    if name in ("sqlite", "postgres"):
        command = [sys.executable, "-m", "terrapole", "serve", "--data-dir", str(work / name), *host]
        env = dict(base_env)
        if name == "postgres":
            assert cluster is not None
            env["TERRAPOLE_DATABASE_URL"] = cluster.url(TERRAPOLE_DB)
        return command, env, "/stac", "/stac", port
    assert cluster is not None
    command = [
        str(args.pgstac_venv / "bin" / "uvicorn"),
        "stac_fastapi.pgstac.app:create_app",
        "--factory",
        *host,
        "--workers",
        "1",
        "--log-level",
        "warning",
    ]
    return command, {**base_env, **cluster.env(PGSTAC_DB)}, "/", "/", port


def serve_interleaved(
    runs: Mapping[str, SystemRun],
    commands: Mapping[str, ServerSpec],
    args: argparse.Namespace,
    samples: Sequence[Sequence[str]],
    work: Path,
    checks: dict[str, dict[str, Any]],
) -> None:
    """Every server up at once; each request of the mix goes to every system in turn.

    On a machine whose load changes during the run, interleaving puts every system under the
    same load, so that the ratios between systems hold even when absolute figures drift.
    """
    with ExitStack() as stack:
        https: dict[str, httpx.Client] = {}
        servers: dict[str, Process] = {}
        for name, (command, env, api_root, ready, port) in commands.items():
            base_url = f"http://127.0.0.1:{port}"
            servers[name] = stack.enter_context(
                running(command, env, base_url, ready, work / f"{name}-server.log")
            )
            https[name] = stack.enter_context(rooted_client(base_url, api_root))
            search._say(f"{name}: server ready in {servers[name].startup_s:.1f} s")
        load_before = os.getloadavg()[0]
        skips = {}
        for name, http in https.items():
            runs[name].free_text = probe_free_text(http)
            for check_name, request in cross_check_requests(args.seed, args.items):
                checks.setdefault(check_name, {})[name] = answer_ids(http, request)
            supported = runs[name].free_text == "supported"
            skips[name] = {} if supported else dict.fromkeys(FREE_TEXT_ROWS, runs[name].free_text)
        rows = measure_interleaved(https, args.seed, args.repeat, args.warmup, samples, skips)
        for name, server in servers.items():
            runs[name].queries = rows[name]
            runs[name].server = {
                **search.memory_mb(server.process.pid),
                "startup_s": server.startup_s,
                "pid": server.process.pid,
                "command": " ".join(commands[name][0]),
                "loadavg_1min": [load_before, os.getloadavg()[0]],
                "interleaved": True,
            }


def measure_interleaved(
    https: Mapping[str, httpx.Client],
    seed: int,
    repeat: int,
    warmup: int,
    samples: Sequence[Sequence[str]],
    skips: Mapping[str, Mapping[str, str]],
) -> dict[str, list[dict[str, Any]]]:
    """The mix with request i of each kind sent to every system before request i + 1."""
    kinds: dict[str, list[client.QueryKind]] = {}
    for name, http in https.items():
        pages = []
        for search_request in client.deep_page_searches(seed):
            with contextlib.suppress(LookupError, httpx.HTTPError):  # reported below as not reached
                pages.append(client.follow_next(http, search_request, client.DEEP_PAGE_LINKS))
        kinds[name] = client.query_mix(seed, warmup + repeat, samples, pages)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in https}
    first = next(iter(kinds.values()))
    for position, kind in enumerate(first):
        timings = {name: client.Timing(kind.name, kind.goal_ms) for name in https}
        for index in range(len(kind.requests)):
            for name, http in https.items():
                mine = kinds[name][position] if position < len(kinds[name]) else None
                if mine is None or kind.name in skips[name]:
                    continue
                client.measure_one(http, mine.requests[index], timings[name], counted=index >= warmup)
        for name in https:
            if position >= len(kinds[name]):
                timings[name].errors.append("deep page not reached")
            row = timings[name].summary()
            if kind.name in skips[name]:
                row["unsupported"] = skips[name][kind.name]
            rows[name].append(row)
    return rows


def _samples(count: int, seed: int) -> list[list[str]]:
    every = max(1, count // search.SAMPLE_IDS)
    return [
        [item["collection"], item["id"]]
        for index, item in enumerate(synthetic.items(count, seed))
        if index % every == 0
    ]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def goals(runs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The issue's goals from the measured rows: per-query speedup, and ingest."""
    postgres, pgstac = runs.get("postgres"), runs.get("pgstac")
    result: dict[str, Any] = {
        "speedup_goal": SPEEDUP_GOAL,
        "per_query": {},
        "speedup_met": None,
        "ingest_met": None,
    }
    if not postgres or not pgstac or postgres.get("error") or pgstac.get("error"):
        return result
    theirs = {row["query"]: row for row in pgstac["queries"]}
    verdicts = []
    for row in postgres["queries"]:
        other = theirs.get(row["query"])
        if other is None or other.get("unsupported"):
            result["per_query"][row["query"]] = {
                "ratio": None,
                "met": None,
                "note": (other or {}).get("unsupported"),
            }
            continue
        value = ratio(other["p50_ms"], row["p50_ms"])
        met = None if value is None else value >= SPEEDUP_GOAL
        result["per_query"][row["query"]] = {"ratio": value, "met": met}
        verdicts.append(met)
    result["speedup_met"] = bool(verdicts) and all(v is True for v in verdicts)
    ours, loader = postgres["ingest"].get("items_per_s"), pgstac["ingest"].get("items_per_s")
    if ours and loader:
        result["ingest_met"] = ours >= loader
        result["ingest_ratio"] = ours / loader
    return result


def build_result(
    args: argparse.Namespace,
    runs: Mapping[str, SystemRun],
    checks: Mapping[str, Mapping[str, Any]],
    versions: Mapping[str, str],
) -> dict[str, Any]:
    """The JSON document of the run."""
    systems = {
        name: {
            "label": LABELS[name],
            "ingest": r.ingest,
            "server": r.server,
            "free_text": r.free_text,
            "queries": r.queries,
            "error": r.error,
        }
        for name, r in runs.items()
    }
    return {
        "benchmark": "compare",
        "items": args.items,
        "seed": args.seed,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "machine": {**search.machine_facts(), "versions": dict(versions)},
        "systems": systems,
        "cross_check": {name: compare_answers(answers) for name, answers in checks.items()},
        "goals": goals(systems),
    }


# -- the table -------------------------------------------------------------------------------
def _cell(row: Mapping[str, Any] | None) -> str:
    if row is None:
        return "-"
    if row.get("unsupported"):
        return "unsupported"
    if row["p50_ms"] is None:
        return f"ERR x{row['errors']}" if row["errors"] else "-"
    text = f"{row['p50_ms']:.1f}/{row['p95_ms']:.1f}"
    if row["errors"]:
        text += f" E{row['errors']}"
    if row["empty"]:
        text += f" e{row['empty']}"
    return text


def render_table(result: Mapping[str, Any]) -> str:
    """The result as the printed table: p50/p95 ms per system, ratio pgstac / terrapole-pg."""
    systems = result["systems"]
    names = list(systems)
    width = 20
    lines = [
        f"compare: {result['items']:,} items, seed {result['seed']}, {result['repeat']} "
        f"measured requests per query after {result['warmup']} warm-up; cells p50/p95 ms "
        f"(E = errors, e = empty answers)",
        f"{'query':<32}"
        + "".join(f"{systems[n]['label']:>{width}}" for n in names)
        + f"{'pgstac/pg':>11}{'>=2x?':>7}",
    ]
    by_name = {n: {row["query"]: row for row in systems[n]["queries"]} for n in names}
    queries: list[str] = []
    for n in names:
        queries += [row["query"] for row in systems[n]["queries"] if row["query"] not in queries]
    per_query = result["goals"]["per_query"]
    for query in queries:
        verdict = per_query.get(query, {})
        value = verdict.get("ratio")
        met = verdict.get("met")
        lines.append(
            f"{query:<32}"
            + "".join(f"{_cell(by_name[n].get(query)):>{width}}" for n in names)
            + f"{'-' if value is None else f'{value:.2f}':>11}"
            + f"{'-' if met is None else search._yes_no(met):>7}"
        )
    lines.append(
        f"{'ingest items/s':<32}"
        + "".join(f"{_rate(systems[n]['ingest']):>{width}}" for n in names)
        + f"{_ingest_ratio(result['goals']):>11}"
    )
    lines.append(
        f"{'server RSS MB (peak)':<32}" + "".join(f"{_memory(systems[n]['server']):>{width}}" for n in names)
    )
    lines.append(
        f"{'free text q':<32}"
        + "".join(f"{(systems[n]['free_text'] or '-').split(' (')[0]:>{width}}" for n in names)
    )
    for name, check in result["cross_check"].items():
        counts = ", ".join(f"{LABELS[s]} {c}" for s, c in check["counts"].items())
        state = "agree" if check["agree"] else "DIFFER"
        lines.append(
            f"cross-check {name}: {state} ({counts})"
            + (" [a full page: compared on one page only]" if check["full_page"] else "")
        )
    g = result["goals"]
    lines.append(
        f"goal: terrapole-postgres >= {SPEEDUP_GOAL:g}x faster p50 on every query: "
        f"{_verdict(g['speedup_met'])}; ingest at least pypgstac's: "
        f"{_verdict(g['ingest_met'])}"
    )
    for n in names:
        if systems[n]["error"]:
            lines.append(f"{LABELS[n]} FAILED: {systems[n]['error'][:500]}")
        for row in systems[n]["queries"]:
            lines += [f"  {LABELS[n]} {row['query']}: {e[:300]}" for e in row["error_examples"]]
    return "\n".join(lines)


def _rate(ingest: Mapping[str, Any]) -> str:
    return f"{ingest['items_per_s']:,.0f}" if ingest.get("items_per_s") else "-"


def _ingest_ratio(g: Mapping[str, Any]) -> str:
    return f"{1 / g['ingest_ratio']:.2f}" if g.get("ingest_ratio") else "-"


def _memory(server: Mapping[str, Any]) -> str:
    return f"{server['rss_mb']:.0f} ({server['peak_rss_mb']:.0f})" if server else "-"


def _verdict(flag: bool | None) -> str:
    return "not measured" if flag is None else search._yes_no(flag)


# -- the command -----------------------------------------------------------------------------
def parse_systems(text: str) -> list[str]:
    """The comma-separated systems, in the given order, checked against SYSTEMS."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SYSTEMS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"systems are among {','.join(SYSTEMS)}; got {text!r}")
    return list(dict.fromkeys(names))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.compare",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--items",
        type=parse_sizes,
        default=[100_000],
        help="catalog sizes, comma-separated, each run in turn in this one run (default 100000)",
    )
    parser.add_argument(
        "--systems",
        type=parse_systems,
        default=list(SYSTEMS),
        help="comma-separated, among sqlite,postgres,pgstac (default: all)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator and query seed (default 1)")
    parser.add_argument("--repeat", type=int, default=200, help="measured requests per query")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per query first")
    parser.add_argument("--batch-size", type=int, default=10_000, help="items per transaction")
    parser.add_argument(
        "--pgstac-venv",
        type=Path,
        default=PGSTAC_VENV,
        help="virtualenv of stac-fastapi-pgstac (created when missing)",
    )
    parser.add_argument(
        "--interleave",
        action="store_true",
        help="serve every system at once and alternate the requests between them",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--out", type=Path, help="JSON output (default bench/results/compare-N.json)")
    return parser.parse_args(argv)


def parse_sizes(text: str) -> list[int]:
    """`100000,1000000` -> [100000, 1000000]."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"sizes are whole numbers separated by commas; got {text!r}"
        ) from None
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(f"give at least one positive size; got {text!r}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    """Run the comparison at each size in turn; exit status 1 when a system or a request failed."""
    args = parse_args(argv)
    sizes: list[int] = args.items
    results = []
    for size in sizes:
        result = run(argparse.Namespace(**{**vars(args), "items": size}))
        print(render_table(result), flush=True)
        results.append(result)
    out: Path = args.out or search.RESULTS_DIR / f"compare-{'-'.join(map(str, sizes))}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    document = results[0] if len(results) == 1 else {"benchmark": "compare", "runs": results}
    out.write_text(json.dumps(document, indent=2) + "\n")
    search._say(f"results written to {out}")
    failed = any(
        s["error"] or any(row["errors"] for row in s["queries"])
        for result in results
        for s in result["systems"].values()
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
