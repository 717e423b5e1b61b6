"""Harvest benchmark: `python -m bench.harvest --records 100000 --work-dir /dev/shm/tp-harvest-100k`.

End to end, as an operator meets it: a local pycsw 2.6.2 (its own virtualenv, see
`tests/support/pycsw.py`) holds N ISO 19139 records, generated from a real GeoNetwork sample record
(`geonetwork-sample__basins_in_africa.xml`, 15 KB) with a new fileIdentifier, title, box and
dateStamp each (`bench.harvest_records`). The first `--pycsw-load` records (2,000 by default) are
loaded with pycsw's own `pycsw-admin.py -c load_records`, whose rate is measured and reported; the
rest of pycsw's SQLite repository is filled by cloning the row pycsw wrote for record 0, the
columns that differ rewritten as pycsw writes them, after the clone was checked column by column
against every row pycsw's loader wrote (`bench.harvest_records`: pycsw's loader commits one record
at a time, half an hour or more for 100,000). Before the harvest the benchmark checks that pycsw
serves all N: GetRecords hits = N, and GetRecordById of several records, loaded and cloned, parses
to their own identifier, title and box.

terrapole then harvests it over CSW 2.0.2 (paged GetRecords, ISO outputSchema, `--parallel`
requests in flight) into a new catalog: every record fetched, cut out of the response, parsed into
the canonical record, written to the catalog and kept as harvested. The rate is records per second
of wall-clock time from the first request to the last commit; beside it the CPU seconds of
terrapole's process and of pycsw's server, and the load average sampled during the harvest (the
machine may be shared). Beside them: GeoNetwork's published re-harvest of 220,000 records in over
10 hours (at most about 6 records/s).

Results go to bench/results/harvest-<time>.json; the summary is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support import pycsw

from bench import harvest_records as records
from terrapole.catalog import open_catalog
from terrapole.harvest.runner import Harvester
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.store import HarvestStore
from terrapole.settings import Settings

GOAL_PER_S = 500
GEONETWORK_PER_S = 220_000 / (10 * 3600)  # "220,000 records in over 10 hours": an upper bound
LOAD_SAMPLE_S = 5.0
RESULTS = Path(__file__).resolve().parent / "results"


def harvest(
    data_dir: Path, database_url: str | None, url: str, page_size: int, parallel: int, parse_workers: int = 1
) -> dict[str, Any]:
    """Harvest the CSW into a new catalog; the run's report, wall-clock and CPU seconds."""
    shutil.rmtree(data_dir, ignore_errors=True)  # a new catalog every run
    settings = Settings(data_dir=data_dir, database_url=database_url)
    catalog = open_catalog(settings)
    store = HarvestStore.open(settings)
    try:
        options = {"pageSize": str(page_size), "parallel": str(parallel), "parseWorkers": str(parse_workers)}
        source = HarvestSource("bench", "csw", url, "land", options)
        store.add_source(source, datetime.now(UTC))
        with _load_average() as load_samples:
            started, cpu = time.perf_counter(), _cpu()
            report = Harvester(catalog, store).run("bench")
            seconds, cpu = time.perf_counter() - started, _cpu() - cpu
        held = catalog.collection_count()
    finally:
        store.close()
        catalog.close()
    load = {"min": min(load_samples), "mean": sum(load_samples) / len(load_samples), "max": max(load_samples)}
    return {"report": report.to_json(), "seconds": seconds, "cpu_s": cpu, "held": held, "load": load}


@contextmanager
def _load_average() -> Iterator[list[float]]:
    """The 1-minute load average, sampled every LOAD_SAMPLE_S seconds while the block runs."""
    samples, stop = [os.getloadavg()[0]], threading.Event()

    def sample() -> None:
        while not stop.wait(LOAD_SAMPLE_S):
            samples.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield samples
    finally:
        stop.set()
        sampler.join()
        samples.append(os.getloadavg()[0])


def load(work: Path, count: int, measured: int, page_size: int) -> dict[str, Any]:
    """A pycsw repository of `count` records: the first `measured` loaded by pycsw's own
    `load_records` (its rate is the one reported), the rest cloned from pycsw's row of record 0
    after the clone is checked against every row pycsw wrote (see `bench.harvest_records`). Kept
    under `--work-dir`: a later run with the same counts reads its figures back from load.json."""
    done, measured = work / "load.json", min(measured, count)
    if done.exists() and json.loads(done.read_text())["key"] == [count, measured]:
        figures: dict[str, Any] = json.loads(done.read_text())
        figures["port"] = pycsw.free_port()
        pycsw.configure_only(work / "pycsw", figures["port"], page_size)
        return figures
    shutil.rmtree(work / "pycsw", ignore_errors=True)
    shutil.rmtree(work / "records", ignore_errors=True)
    size = records.write_files(work / "records", measured)
    port = pycsw.free_port()
    pycsw.configure(work / "pycsw", port, maxrecords=page_size)
    load_s = pycsw.load_records(work / "pycsw", work / "records")
    by_pycsw = pycsw.record_count(work / "pycsw")
    if by_pycsw != measured:
        raise SystemExit(f"pycsw's load_records loaded {by_pycsw} of {measured} records")
    database = work / "pycsw" / "records.db"
    started = time.perf_counter()
    clones_checked = records.check_clones(database, measured)
    filled = records.fill(database, measured, count)
    fill_s = time.perf_counter() - started
    figures = {
        "key": [count, measured],
        "bytes_loaded": size,
        "load_s": load_s,
        "loaded_by_pycsw": by_pycsw,
        "clones_checked": clones_checked,
        "filled": filled,
        "fill_s": fill_s,
        "held": pycsw.record_count(work / "pycsw"),
    }
    done.write_text(json.dumps(figures))
    return {**figures, "port": port}


def _cpu() -> float:
    """CPU seconds of this process and of its ended children (the parsing processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=500, help="records per GetRecords page")
    parser.add_argument("--parallel", type=int, default=2, help="GetRecords requests in flight")
    parser.add_argument("--workers", type=int, default=2, help="pycsw (gunicorn) worker processes")
    parser.add_argument("--parse-workers", type=int, default=1, help="terrapole's parsing processes")
    parser.add_argument("--pycsw-load", type=int, default=2000,
                        help="records pycsw's load_records loads (its rate); rest cloned")  # fmt: skip
    parser.add_argument("--database-url", default=os.environ.get("TERRAPOLE_BENCH_DATABASE_URL"),
                        help="harvest into this PostgreSQL catalog instead of SQLite")  # fmt: skip
    parser.add_argument(
        "--work-dir", type=Path, default=None, help="keep the pycsw repository and records here"
    )
    args = parser.parse_args(argv)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="terrapole-bench-harvest-"))
    try:
        result = run(args, work)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"harvest-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result["summary"], indent=2))
    print(f"written to {out}")


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Load pycsw, check what it serves, harvest it; every figure of the run."""
    loading = load(work, args.records, args.pycsw_load, args.page_size)
    with pycsw.started(work / "pycsw", loading["port"], workers=args.workers) as server:
        served = records.check_serving(server.csw_url, args.records)
        serving_cpu = server.cpu_seconds()
        harvested = harvest(
            work / "terrapole",
            args.database_url,
            server.csw_url,
            args.page_size,
            args.parallel,
            args.parse_workers,
        )
        serving_cpu = server.cpu_seconds() - serving_cpu
    return {
        "summary": _summary(args, loading, harvested, serving_cpu),
        "loading": loading,
        "served": served,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "report": harvested["report"],
    }


def _summary(
    args: argparse.Namespace, loading: dict[str, Any], harvested: dict[str, Any], serving_cpu: float
) -> dict[str, Any]:
    count = harvested["report"]["counts"]["new"]
    rate = count / harvested["seconds"]
    terrapole_cpu = harvested["cpu_s"]
    # With both on their own CPU, the slower of the two processes bounds the harvest.
    bound = count / max(terrapole_cpu, serving_cpu)
    return {
        "records": args.records,
        "loaded_by_pycsw": loading["loaded_by_pycsw"],
        "cloned": loading["filled"],
        "harvested": count,
        "failed": harvested["report"]["counts"]["failed"],
        "held_in_catalog": harvested["held"],
        "harvest_s": round(harvested["seconds"], 1),
        "harvest_per_s": round(rate, 1),
        "terrapole_cpu_s": round(terrapole_cpu, 1),
        "terrapole_cpu_ms_per_record": round(1000 * terrapole_cpu / count, 3),
        "terrapole_per_cpu_s": round(count / terrapole_cpu, 1),
        "pycsw_serving_cpu_s": round(serving_cpu, 1),
        "pycsw_serving_cpu_ms_per_record": round(1000 * serving_cpu / count, 3),
        "cpu_bound_per_s": round(bound, 1),
        "load_average": {k: round(v, 2) for k, v in harvested["load"].items()},
        "pycsw_load_s": round(loading["load_s"], 1),
        "pycsw_load_per_s": round(loading["loaded_by_pycsw"] / loading["load_s"], 1),
        "pycsw_fill_s": round(loading["fill_s"], 1),
        "geonetwork_reharvest_per_s_at_most": round(GEONETWORK_PER_S, 1),
        "goal_per_s": GOAL_PER_S,
        "met": rate >= GOAL_PER_S,
        "backend": "postgres" if args.database_url else "sqlite",
        "page_size": args.page_size,
        "parallel": args.parallel,
        "pycsw_workers": args.workers,
        "parse_workers": args.parse_workers,
        "durations": harvested["report"]["durations"],
    }


if __name__ == "__main__":
    main()
