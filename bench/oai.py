"""OAI-PMH benchmark: `python -m bench.oai --records N [--database-url URL]`.

Loads N synthetic dataset-level records (canonical Records with bilingual titles and abstracts,
keywords, contacts, extents, a DOI and a download link, spread over the five poles) as catalog
collections, serves them with `terrapole serve` in a subprocess and measures, one request at a
time on one kept-alive connection:

- a whole ListRecords harvest in oai_dc, page after page by resumption token (the issue's goal:
  a page of 100 records, p50 <= 50 ms at 100,000 records), and the same for ListIdentifiers;
- the first ListRecords page of a set (`pole:ocean`) and of a from/until window;
- GetRecord of records drawn at random.

Latency is from sending the request to having read the whole body. Prints a table and writes
JSON (default `bench/results/oai-<N>.json`). A loaded `--data-dir` (or database) is reused when
its marker says it holds the same records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench import client as timing
from bench import synthetic
from bench.search import free_port, running_server

MARKER = "bench-oai.json"
GENERATOR_VERSION = "1"
PAGE_GOAL_MS = 50.0
LOAD_BATCH = 5_000
RESULTS_DIR = Path(__file__).parent / "results"
_TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]*)</resumptionToken>")
_RECORD = re.compile(rb"<header[ >]")  # one header a record, in both verbs


def records(count: int, seed: int) -> Iterator[Any]:
    """`count` reproducible canonical Records."""
    from terrapole.core.model import POLES, BBox, Contact, Extent, Keyword
    from terrapole.core.record import Constraints, Dates, Distribution, Identifier, Record

    rng = random.Random(seed)
    for n in range(count):
        pole = POLES[n % len(POLES)]
        words = [synthetic.title(rng) for _ in range(8)]
        start = dt.datetime(2001 + rng.randrange(20), 1 + rng.randrange(12), 1, tzinfo=dt.UTC)
        west, south = rng.uniform(-180, 170), rng.uniform(-80, 70)
        yield Record(
            identifier=f"bench-{n:06d}",
            title={"en": f"{words[0]} ({n})", "fr": f"{words[1]} ({n})"},
            abstract={"en": ". ".join(words[2:5]) + ".", "fr": ". ".join(words[5:8]) + "."},
            identifiers=(Identifier(f"10.99999/bench.{n}", "DOI"),),
            keywords=tuple(Keyword({"en": w}) for w in words[2].split()[:5]),
            contacts=(
                Contact(name=synthetic.POLE_PROVIDERS[pole], roles=("publisher", "distributor")),
                Contact(name=f"{words[3].split()[0]}, A.", roles=("author",), kind="person"),
            ),
            extent=Extent(
                bboxes=(BBox(west, south, west + rng.uniform(0.1, 10), south + rng.uniform(0.1, 10)),),
                intervals=((start, start + dt.timedelta(days=rng.randrange(30, 3000))),),
            ),
            distributions=(
                Distribution(
                    url=f"https://data.terrapole.example/{pole}/bench-{n:06d}.nc",
                    name="NetCDF file",
                    function="download",
                    media_type="application/x-netcdf",
                ),
            ),
            constraints=Constraints(license="CC-BY-4.0"),
            dates=Dates(published=start.date()),
            pole=pole,
        )


def prepare(data_dir: Path, database_url: str | None, count: int, seed: int) -> dict[str, Any]:
    """Load the records unless the marker says the catalog already holds them."""
    from terrapole.catalog import open_catalog
    from terrapole.core.record import collection_from_record
    from terrapole.settings import Settings

    marker_path = data_dir / MARKER
    wanted = {"generator": GENERATOR_VERSION, "count": count, "seed": seed, "database": bool(database_url)}
    if marker_path.exists():
        marker: dict[str, Any] = json.loads(marker_path.read_text())
        if {key: marker.get(key) for key in wanted} == wanted:
            return {**marker, "reused": True}
        raise SystemExit(f"{data_dir} holds another catalog ({MARKER}); use another --data-dir")
    store = open_catalog(Settings(data_dir=data_dir, database_url=database_url))
    started = time.perf_counter()
    try:
        batch: list[Any] = []
        for record in records(count, seed):
            batch.append(collection_from_record(record))
            if len(batch) == LOAD_BATCH:
                store.upsert_collections(batch)
                batch = []
        store.upsert_collections(batch)
    finally:
        store.close()
    if database_url:
        vacuum(database_url)
    marker = {**wanted, "load_s": time.perf_counter() - started}
    marker_path.write_text(json.dumps(marker))
    return {**marker, "reused": False}


def vacuum(database_url: str) -> None:
    """VACUUM ANALYZE the collection tables, as autovacuum would soon after a load: counts then
    run on index-only scans."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE collections")
        conn.execute("VACUUM ANALYZE collection_tombstones")


def timed(http: httpx.Client, params: dict[str, str]) -> tuple[float, bytes]:
    """Milliseconds to get and read one OAI-PMH answer, and its body (an error fails the run)."""
    started = time.perf_counter()
    response = http.get("/oai", params=params)
    body = response.content
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or b"<error " in body:
        raise RuntimeError(f"{params}: {response.status_code} {body[:500]!r}")
    return elapsed, body


def harvest(http: httpx.Client, verb: str, first: dict[str, str]) -> tuple[list[float], int]:
    """Every page of a list by resumption token: the page latencies and the records delivered."""
    latencies: list[float] = []
    delivered = 0
    params = {"verb": verb, **first}
    while True:
        elapsed, body = timed(http, params)
        latencies.append(elapsed)
        delivered += len(_RECORD.findall(body))
        token = _TOKEN.search(body)
        if token is None or not token.group(1):
            return latencies, delivered
        params = {"verb": verb, "resumptionToken": token.group(1).decode()}


def row(name: str, latencies: list[float], goal: float | None = None, **extra: Any) -> dict[str, Any]:
    """One result row: count, p50, p95 and mean in ms, and whether the p50 met its goal."""
    p50 = timing.percentile(latencies, 50)
    return {
        "query": name,
        "n": len(latencies),
        "p50_ms": p50,
        "p95_ms": timing.percentile(latencies, 95),
        "mean_ms": sum(latencies) / len(latencies),
        "goal_p50_ms": goal,
        "met": None if goal is None else p50 <= goal,
        **extra,
    }


def server_cpu_s(pid: int) -> float:
    """CPU time (user + system) the server process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(base_url: str, pid: int, count: int, repeat: int, seed: int) -> list[dict[str, Any]]:
    """The benchmark rows, measured against a running server (process `pid`)."""
    rng = random.Random(seed + 1)
    with httpx.Client(base_url=base_url, timeout=120) as http:
        for _ in range(5):  # warm-up: connections, caches, first imports
            timed(http, {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
        cpu = server_cpu_s(pid)
        pages, delivered = harvest(http, "ListRecords", {"metadataPrefix": "oai_dc"})
        # CPU per page, which other processes on the machine do not inflate as they do wall time.
        cpu_ms = (server_cpu_s(pid) - cpu) * 1000 / len(pages)
        name = "ListRecords oai_dc, page of 100 (whole harvest)"
        rows = [row(name, pages, PAGE_GOAL_MS, records=delivered, server_cpu_ms_per_page=cpu_ms)]
        ids, listed = harvest(http, "ListIdentifiers", {"metadataPrefix": "oai_dc"})
        rows.append(row("ListIdentifiers, page of 100 (whole harvest)", ids, records=listed))
        first = [timed(http, {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "pole:ocean"})[0]]
        first.extend(
            timed(http, {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "pole:ocean"})[0]
            for _ in range(repeat - 1)
        )
        rows.append(row("ListRecords oai_dc, set pole:ocean, first page", first))
        since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
        window = [
            timed(
                http,
                {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2000-01-01", "until": since},
            )[0]
            for _ in range(repeat)
        ]
        rows.append(row("ListRecords oai_dc, from/until, first page", window))
        gets = [
            timed(
                http,
                {
                    "verb": "GetRecord",
                    "metadataPrefix": "oai_dc",
                    "identifier": f"oai:127.0.0.1:bench-{rng.randrange(count):06d}",
                },
            )[0]
            for _ in range(repeat)
        ]
        rows.append(row("GetRecord oai_dc", gets))
    return rows


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print and save its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=100, help="requests per single-page row")
    parser.add_argument("--data-dir", type=Path, help="reuse a loaded catalog here (default: a new temp dir)")
    parser.add_argument("--database-url", help="a PostgreSQL catalog instead of the embedded SQLite one")
    parser.add_argument("--out", type=Path, help="JSON results file")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="terrapole-bench-oai-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    loaded = prepare(data_dir, args.database_url, args.records, args.seed)
    if args.database_url:
        os.environ["TERRAPOLE_DATABASE_URL"] = args.database_url  # the server inherits it
    # Ready when /healthz answers: the STAC landing page links every collection, slow at 100,000.
    with running_server(data_dir, free_port(), "/healthz") as server:
        rows = measure(server.base_url, server.process.pid, args.records, args.repeat, args.seed)
    result = {
        "load_average": os.getloadavg(),
        "records": args.records,
        "backend": "postgres" if args.database_url else "sqlite",
        "load": loaded,
        "python": sys.version.split()[0],
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rows": rows,
    }
    out = args.out or RESULTS_DIR / f"oai-{result['backend']}-{args.records}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"{args.records:,} records, {result['backend']}, loaded in {loaded.get('load_s', 0):.0f} s")
    for r in rows:
        goal = f"goal {r['goal_p50_ms']:.0f} ms {'met' if r['met'] else 'MISSED'}" if r["goal_p50_ms"] else ""
        print(f"{r['query']:<52} n={r['n']:>5}  p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  {goal}")
    print(f"server CPU per ListRecords page: {rows[0]['server_cpu_ms_per_page']:.1f} ms")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
