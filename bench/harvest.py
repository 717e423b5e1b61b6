"""Harvest benchmark: `python -m bench.harvest --records 100000`.

End to end, as an operator meets it: a local pycsw 2.6.2 (its own virtualenv, see
`tests/support/pycsw.py`) holds N ISO 19139 records, generated from a real GeoNetwork sample record
(`geonetwork-sample__basins_in_africa.xml`, 15 KB) with a new fileIdentifier, title, box and
dateStamp each, and loaded with pycsw's own `pycsw-admin.py -c load_records`, whose rate is measured
in the same run. terrapole then harvests it over CSW 2.0.2 (paged GetRecords, ISO outputSchema,
`--parallel` requests in flight) into a new catalog: every record fetched, cut out of the response,
parsed into the canonical record, written to the catalog and kept as harvested. The rate is records
per second of wall-clock time from the first request to the last commit. Beside it: GeoNetwork's
published re-harvest of 220,000 records in over 10 hours (at most about 6 records/s).

Results go to bench/results/harvest-<time>.json and are printed as a Markdown table row.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lxml import etree
from tests.support import pycsw

from terrapole.catalog import open_catalog
from terrapole.harvest.runner import Harvester
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.store import HarvestStore
from terrapole.settings import Settings

GOAL_PER_S = 500
GEONETWORK_PER_S = 220_000 / (10 * 3600)  # "220,000 records in over 10 hours": an upper bound
TEMPLATE = "geonetwork-sample__basins_in_africa.xml"
NS = {"gmd": "http://www.isotc211.org/2005/gmd", "gco": "http://www.isotc211.org/2005/gco"}
RESULTS = Path(__file__).resolve().parent / "results"


def fixtures_root() -> Path:
    """`shared/fixtures` beside the repository (or above a worktree)."""
    for parent in Path(__file__).resolve().parents:
        if (candidate := parent / "shared" / "fixtures").is_dir():
            return candidate
    raise SystemExit("shared/fixtures not found")


def generate(directory: Path, count: int, seed: int = 7) -> int:
    """Write `count` ISO records derived from the template; their total size in bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    template = etree.parse(str(fixtures_root() / "iso19139" / TEMPLATE)).getroot()
    identifier = template.find("gmd:fileIdentifier/gco:CharacterString", NS)
    stamp = template.find("gmd:dateStamp/gco:DateTime", NS)
    title = template.find(".//gmd:citation/gmd:CI_Citation/gmd:title/gco:CharacterString", NS)
    sides = ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude")
    box = [template.find(f".//gmd:EX_GeographicBoundingBox/gmd:{side}/gco:Decimal", NS) for side in sides]
    rng = random.Random(seed)
    total = 0
    for n in range(count):
        identifier.text = f"bench-{n:07d}"
        title.text = f"Hydrological basins, tile {n}"
        stamp.text = (datetime(2015, 1, 1) + timedelta(minutes=n)).isoformat()
        west, south = rng.uniform(-180, 170), rng.uniform(-90, 80)
        for element, value in zip(box, (west, west + 10, south, south + 10), strict=True):
            element.text = f"{value:.4f}"
        data = etree.tostring(template, xml_declaration=True, encoding="UTF-8")
        (directory / f"bench-{n:07d}.xml").write_bytes(data)
        total += len(data)
    return total


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
        started, cpu = time.perf_counter(), _cpu()
        report = Harvester(catalog, store).run("bench")
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu
        held = catalog.collection_count()
    finally:
        store.close()
        catalog.close()
    return {"report": report.to_json(), "seconds": seconds, "cpu_s": cpu, "held": held}


def load(work: Path, count: int, page_size: int) -> dict[str, Any]:
    """Generate the records and load them into a new pycsw repository, unless a previous run with
    the same `--work-dir` and count did (its figures are then read back from load.json)."""
    done = work / "load.json"
    if done.exists() and json.loads(done.read_text())["loaded"] == count:
        figures: dict[str, Any] = json.loads(done.read_text())
        figures["port"] = pycsw.free_port()
        pycsw.configure_only(work / "pycsw", figures["port"], page_size)
        return figures
    generated_at = time.perf_counter()
    size = generate(work / "records", count)
    generate_s = time.perf_counter() - generated_at
    port = pycsw.free_port()
    pycsw.configure(work / "pycsw", port, maxrecords=page_size)
    load_s = pycsw.load_records(work / "pycsw", work / "records")
    figures = {
        "bytes": size,
        "generate_s": generate_s,
        "load_s": load_s,
        "loaded": pycsw.record_count(work / "pycsw"),
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
    """Generate, load into pycsw, serve, harvest; every figure of the run."""
    home = work / "pycsw"
    loading = load(work, args.records, args.page_size)
    size, generate_s, load_s, loaded, port = (
        loading["bytes"], loading["generate_s"], loading["load_s"], loading["loaded"], loading["port"]
    )  # fmt: skip
    with pycsw.started(home, port, workers=args.workers) as server:
        serving_cpu = server.cpu_seconds()
        harvested = harvest(
            work / "terrapole", args.database_url, server.csw_url, args.page_size, args.parallel
        )
        serving_cpu = server.cpu_seconds() - serving_cpu
    count = harvested["report"]["counts"]["new"]
    rate = count / harvested["seconds"]
    summary = {
        "records": args.records,
        "loaded_by_pycsw": loaded,
        "harvested": harvested["report"]["counts"]["new"],
        "failed": harvested["report"]["counts"]["failed"],
        "held_in_catalog": harvested["held"],
        "harvest_s": round(harvested["seconds"], 1),
        "harvest_per_s": round(rate, 1),
        "terrapole_cpu_s": round(harvested["cpu_s"], 1),
        "terrapole_per_cpu_s": round(count / harvested["cpu_s"], 1),
        "pycsw_serving_cpu_s": round(serving_cpu, 1),
        "pycsw_serving_per_cpu_s": round(count / serving_cpu, 1) if serving_cpu else None,
        "pycsw_load_s": round(load_s, 1),
        "pycsw_load_per_s": round(loaded / load_s, 1),
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
    return {
        "summary": summary,
        "generated_bytes": size,
        "generate_s": generate_s,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "report": harvested["report"],
    }


if __name__ == "__main__":
    main()
