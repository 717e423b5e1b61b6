"""CSW benchmark: `python -m bench.csw --records 100000 [--systems sqlite,postgres,pycsw]`.

Generates N synthetic dataset records (seeded: titles and abstracts from `bench.synthetic`'s Zipf
vocabulary, keywords, a pole's organisation, boxes of 0.5 to 30 degrees worldwide, a temporal
extent, a metadata date), writes each as ISO 19139 through terrapole's encoder, and loads the same
files into:

- `sqlite`: terrapole on its embedded store (files parsed by `formats.iso19139`, then
  `store.upsert_collections`), served by `terrapole serve`;
- `postgres`: the same on PostgreSQL (a private cluster, `scripts/pg-cluster`);
- `pycsw`: pycsw 2.6 from the package index in its own virtualenv (`bench/.venv-pycsw`, git-ignored),
  its SQLite repository loaded by `pycsw-admin.py -c load_records`, served by gunicorn.

Then one sequential client over loopback HTTP sends each system the same CSW requests (XML POST
GetRecords, csw:Record full, maxRecords 10; GetRecordById by KVP), warm-up requests first, and
reports p50/p95 per query and system, and the numbers of matches each system found (AnyText is
words in terrapole and substrings in pycsw, so these may differ). Then the same client harvests
each system over OAI-PMH (ListRecords in oai_dc, pages of 100, following resumption tokens; pycsw's
OAI-PMH is its CSW endpoint with `mode=oaipmh`, its page size its `maxrecords`). The goals are the
issue's: BBOX + AnyText p50 <= 30 ms and an OAI-PMH page of 100 p50 <= 50 ms at 100,000 records.
Writes JSON (default `bench/results/csw-N.json`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import client, compare, search, synthetic

SYSTEMS = ("sqlite", "postgres", "pycsw")
LABELS = {"sqlite": "terrapole-sqlite", "postgres": "terrapole-postgres", "pycsw": "pycsw"}
PYCSW_VENV = Path(__file__).resolve().parent / ".venv-pycsw"
PYCSW_PACKAGES = (
    "pycsw==2.6.2",
    "gunicorn",
    "sqlalchemy<2",
    "lxml",
    "owslib",
    "pyproj",
    "shapely",
    "xmltodict",
    "geolinks",
    "dateparser",
)
GOAL_MS = 30.0
OAI_GOAL_MS = 50.0
CHUNK = 1000  # records per generated directory and per parsing task
WRITE_BATCH = 10_000  # collections per store.upsert_collections call
BOX_DEGREES = 20.0
WORD_RANKS = (5, 60)  # AnyText words: common, not the most common
CSW = "http://www.opengis.net/cat/csw/2.0.2"
FES = 'xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"'
MATCHED = re.compile(rb'numberOfRecordsMatched="(\d+)"')
RECORD = re.compile(rb"<csw:Record[\s>]")
LEVELS = ("dataset", "dataset", "dataset", "series")
FORMATS = ("NetCDF", "GeoTIFF", "CSV", "HDF5", "GeoPackage")


# -- records ----------------------------------------------------------------------------------
def record(index: int, seed: int) -> Any:
    """Synthetic record `index` (the same for a given seed, whatever the process)."""
    from terrapole.core.model import BBox, Contact, Extent, Keyword
    from terrapole.core.record import Dates, Distribution, Record

    rng = random.Random(seed * 1_000_003 + index)
    pole = rng.choice(sorted(synthetic.POLE_PROVIDERS))
    width, height = rng.uniform(0.5, 30.0), rng.uniform(0.5, 20.0)
    west, south = rng.uniform(-180.0, 180.0 - width), rng.uniform(-85.0, 85.0 - height)
    start = datetime(2001, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(9000))
    return Record(
        identifier=f"rec-{index:07d}",
        title={"en": synthetic.title(rng)},
        abstract={"en": f"{synthetic.title(rng)}. {synthetic.title(rng)}."},
        hierarchy_level=rng.choice(LEVELS),
        language="eng",
        keywords=tuple(Keyword({"en": word}) for word in rng.sample(synthetic.VOCABULARY, 3)),
        topic_categories=(rng.choice(("environment", "oceans", "climatologyMeteorologyAtmosphere")),),
        contacts=(Contact(synthetic.POLE_PROVIDERS[pole], ("pointOfContact",), kind="organisation"),),
        extent=Extent(
            bboxes=(BBox(round(west, 4), round(south, 4), round(west + width, 4), round(south + height, 4)),),
            intervals=((start, start + timedelta(days=rng.randrange(1, 3000))),),
        ),
        formats=(rng.choice(FORMATS),),
        distributions=(Distribution(f"https://data.terrapole.example/{index}", function="download"),),
        dates=Dates(metadata=date(2015, 1, 1) + timedelta(days=rng.randrange(3000))),
        pole=pole,
    )


def _write_chunk(task: tuple[Path, int, int, int]) -> int:
    from terrapole.formats import iso19139

    directory, first, last, seed = task
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(first, last):
        (directory / f"rec-{index:07d}.xml").write_bytes(iso19139.encode(record(index, seed)))
    return last - first


def write_records(directory: Path, count: int, seed: int, workers: int) -> float:
    """The records as ISO 19139 files, CHUNK per subdirectory; the seconds it took."""
    marker = directory / "records.json"
    wanted = {"records": count, "seed": seed}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return 0.0
    started = time.perf_counter()
    tasks = [
        (directory / f"{n // CHUNK:04d}", n, min(n + CHUNK, count), seed) for n in range(0, count, CHUNK)
    ]
    with ProcessPoolExecutor(workers) as pool:
        written = sum(pool.map(_write_chunk, tasks))
    assert written == count
    marker.write_text(json.dumps(wanted))
    return time.perf_counter() - started


def _parse_chunk(paths: Sequence[Path]) -> list[Any]:
    from terrapole.core.record import collection_from_record
    from terrapole.formats import iso19139

    return [collection_from_record(iso19139.parse(path.read_bytes())) for path in paths]


def load_terrapole(files: Path, data_dir: Path, database_url: str | None, workers: int) -> dict[str, Any]:
    """Parse every file (in `workers` processes) and write the collections; the seconds of each."""
    from terrapole.catalog import open_catalog
    from terrapole.settings import Settings

    paths = sorted(files.glob("*/*.xml"))
    chunks = [paths[n : n + CHUNK] for n in range(0, len(paths), CHUNK)]
    shutil.rmtree(data_dir, ignore_errors=True)
    store = open_catalog(Settings(data_dir=data_dir, database_url=database_url))
    parse_s = store_s = 0.0
    try:
        with ProcessPoolExecutor(workers) as pool:
            started, pending = time.perf_counter(), []
            for index, collections in enumerate(pool.map(_parse_chunk, chunks), 1):
                pending.extend(collections)
                if len(pending) >= WRITE_BATCH or index == len(chunks):
                    parsed = time.perf_counter()
                    store.upsert_collections(pending)  # one text-index commit per batch
                    store_s += time.perf_counter() - parsed
                    pending = []
            parse_s = time.perf_counter() - started - store_s
    finally:
        store.close()
    return {
        "records": len(paths),
        "parse_s": parse_s,
        "store_s": store_s,
        "records_per_s": len(paths) / (parse_s + store_s),
    }


# -- pycsw --------------------------------------------------------------------------------------
def ensure_pycsw(venv: Path) -> dict[str, str]:
    """pycsw's virtualenv, created unless there; the versions of its main packages."""
    return compare.ensure_venv(venv, PYCSW_PACKAGES, ("pycsw", "SQLAlchemy", "OWSLib", "gunicorn"))


PYCSW_CONFIG = textwrap.dedent("""
    [server]
    home={home}
    url={url}
    mimetype=application/xml; charset=UTF-8
    encoding=UTF-8
    language=en-US
    maxrecords=100
    loglevel=ERROR
    logfile={home}/pycsw-server.log
    pretty_print=false
    profiles=apiso

    [manager]
    transactions=false
    allowed_ips=127.0.0.1

    [metadata:main]
    identification_title=pycsw benchmark
    identification_abstract=pycsw on the records terrapole serves
    identification_keywords=catalogue
    identification_keywords_type=theme
    identification_fees=None
    identification_accessconstraints=None
    provider_name=terrapole benchmark
    provider_url=https://pycsw.org/
    contact_name=bench
    contact_position=bench
    contact_address=none
    contact_city=none
    contact_stateorprovince=none
    contact_postalcode=0
    contact_country=none
    contact_phone=0
    contact_fax=0
    contact_email=bench@terrapole.invalid
    contact_url=https://pycsw.org/
    contact_hours=always
    contact_instructions=none
    contact_role=pointOfContact

    [repository]
    database=sqlite:///{database}
    table=records

    [metadata:inspire]
    enabled=false
""")


# pycsw's own parsing (metadata.parse_record, as its load_records does) in one process per share
# of the files, committed 500 records at a time rather than one by one (pycsw-admin's
# load_records commits each record: about 25 records/s here, hours for 100,000).
PYCSW_LOAD = textwrap.dedent("""
    import glob, sys
    from lxml import etree
    from pycsw.core import metadata, repository
    from pycsw.core.config import StaticContext
    database, directories = sys.argv[1], sys.argv[2:]
    context = StaticContext()
    repo = repository.Repository(database, context, table="records")
    batch, loaded = [], 0
    def flush():
        repo.session.begin()
        repo.session.add_all(batch)
        repo.session.commit()
        batch.clear()
    for directory in directories:
        for path in sorted(glob.glob(directory + "/*.xml")):
            for record in metadata.parse_record(context, etree.parse(path, context.parser), repo):
                record.xml = record.xml.decode() if isinstance(record.xml, bytes) else record.xml
                batch.append(record)
                loaded += 1
            if len(batch) >= 500:
                flush()
    flush()
    print(loaded)
""")


def load_pycsw(venv: Path, work: Path, files: Path, port: int, workers: int) -> tuple[Path, dict[str, Any]]:
    """pycsw's configuration and repository, loaded from the same files (kept from an earlier run
    on the same records: pycsw's load is the slow part of a run); the load's figures."""
    config = work / "pycsw.cfg"
    database = work / "pycsw.db"
    marker = work / "pycsw.json"
    config.write_text(PYCSW_CONFIG.format(home=work, url=f"http://127.0.0.1:{port}/csw", database=database))
    source = json.loads((files / "records.json").read_text())
    if database.exists() and marker.exists() and json.loads(marker.read_text())["source"] == source:
        kept: dict[str, Any] = json.loads(marker.read_text())["ingest"]
        return config, {**kept, "reused": True}
    python = str(venv / "bin" / "python")
    if database.exists():
        database.unlink()
    subprocess.run(
        [python, str(venv / "bin" / "pycsw-admin.py"), "-c", "setup_db", "-f", str(config)], check=True
    )
    subprocess.run(
        [
            python,
            "-c",
            "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode=WAL')",
            str(database),
        ],
        check=True,
    )
    directories = sorted(str(d) for d in files.iterdir() if d.is_dir())
    started = time.perf_counter()
    loaders = [
        subprocess.Popen(
            [python, "-c", PYCSW_LOAD, f"sqlite:///{database}", *directories[share::workers]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for share in range(workers)
    ]
    outputs = [loader.communicate() for loader in loaders]
    seconds = time.perf_counter() - started
    for loader, (_, error) in zip(loaders, outputs, strict=True):
        if loader.returncode:
            raise RuntimeError(f"loading pycsw failed: {error[-2000:]}")
    loaded = sum(int(out.strip().splitlines()[-1]) for out, _ in outputs)
    method = f"pycsw metadata.parse_record in {workers} processes, commits of 500"
    ingest = {"records": loaded, "load_s": seconds, "records_per_s": loaded / seconds, "method": method}
    marker.write_text(json.dumps({"source": source, "ingest": ingest}))
    return config, ingest


# -- requests ---------------------------------------------------------------------------------
def get_records(condition: str) -> bytes:
    """A GetRecords XML request (csw:Record, full, 10 records) with one filter condition."""
    return (
        f'<csw:GetRecords xmlns:csw="{CSW}" {FES} service="CSW" version="2.0.2" resultType="results" '
        f'maxRecords="10" outputSchema="{CSW}"><csw:Query typeNames="csw:Record">'
        '<csw:ElementSetName>full</csw:ElementSetName><csw:Constraint version="1.1.0"><ogc:Filter>'
        f"{condition}</ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>"
    ).encode()


def bbox_condition(rng: random.Random) -> str:
    """A 20-degree BBOX, latitude first in urn:ogc:def:crs:EPSG::4326 (as GDAL sends it)."""
    west, south = rng.uniform(-180, 180 - BOX_DEGREES), rng.uniform(-80, 80 - BOX_DEGREES)
    return (
        "<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>"
        f'<gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>{south:.3f} {west:.3f}'
        f"</gml:lowerCorner><gml:upperCorner>{south + BOX_DEGREES:.3f} {west + BOX_DEGREES:.3f}"
        "</gml:upperCorner></gml:Envelope></ogc:BBOX>"
    )


def anytext_condition(rng: random.Random) -> str:
    word = rng.choice(synthetic.words_by_rank(*WORD_RANKS))
    return (
        '<ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="\\">'
        f"<ogc:PropertyName>csw:AnyText</ogc:PropertyName><ogc:Literal>%{word}%</ogc:Literal></ogc:PropertyIsLike>"
    )


def query_kinds(seed: int, count: int, n: int) -> dict[str, list[tuple[str, Any]]]:
    """Each query kind's requests, (method, body or params), drawn in advance from a seeded generator."""
    rng = random.Random(seed + 7)
    return {
        "GetRecords BBOX + AnyText": [
            ("POST", get_records(f"<ogc:And>{anytext_condition(rng)}{bbox_condition(rng)}</ogc:And>"))
            for _ in range(n)
        ],
        "GetRecords AnyText": [("POST", get_records(anytext_condition(rng))) for _ in range(n)],
        "GetRecords BBOX": [("POST", get_records(bbox_condition(rng))) for _ in range(n)],
        "GetRecordById (full)": [
            (
                "GET",
                {
                    "service": "CSW",
                    "version": "2.0.2",
                    "request": "GetRecordById",
                    "ElementSetName": "full",
                    "id": f"rec-{rng.randrange(count):07d}",
                },
            )
            for _ in range(n)
        ],
    }


def measure(endpoint: str, kinds: dict[str, list[tuple[str, Any]]], warmup: int) -> list[dict[str, Any]]:
    """p50/p95 per kind (the first `warmup` requests of each unmeasured), matches and errors."""
    rows = []
    with httpx.Client(timeout=120.0) as http:
        for name, requests in kinds.items():
            latencies, matched, errors = [], [], 0
            for position, (method, payload) in enumerate(requests):
                started = time.perf_counter()
                if method == "POST":
                    response = http.post(
                        endpoint, content=payload, headers={"content-type": "application/xml"}
                    )
                else:
                    response = http.get(endpoint, params=payload)
                body = response.content
                elapsed = (time.perf_counter() - started) * 1000
                ok = response.status_code == 200 and b"ExceptionReport" not in body
                errors += not ok
                found = MATCHED.search(body)
                if position >= warmup:
                    latencies.append(elapsed)
                    matched.append(int(found.group(1)) if found else len(RECORD.findall(body)))
            rows.append(_row(name, latencies, matched, errors))
    return rows


OAI_ROW = "OAI-PMH ListRecords oai_dc (page of 100, through the list)"
TOKEN = re.compile(rb"<(?:oai:)?resumptionToken[^>]*>([^<]+)</(?:oai:)?resumptionToken>")
OAI_RECORD = re.compile(rb"<(?:oai:)?record[\s>]")


def measure_oai(endpoint: str, system: str, n: int, warmup: int) -> dict[str, Any]:
    """ListRecords pages in oai_dc, following resumption tokens from the first page on (and
    starting again at the end of the list): latency and records of each page.

    pycsw serves OAI-PMH on its CSW endpoint with `mode=oaipmh` and wants metadataPrefix repeated
    beside each resumptionToken; terrapole's /oai follows the protocol (a token is exclusive)."""
    first: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    extra: dict[str, str] = {"mode": "oaipmh"} if system == "pycsw" else {}
    latencies, counts, errors, token = [], [], 0, None
    with httpx.Client(timeout=120.0) as http:
        for position in range(n):
            if token is None:
                params = {**extra, **first}
            elif system == "pycsw":
                params = {**extra, **first, "resumptionToken": token}
            else:
                params = {"verb": "ListRecords", "resumptionToken": token}
            started = time.perf_counter()
            response = http.get(endpoint, params=params)
            body = response.content
            elapsed = (time.perf_counter() - started) * 1000
            errors += response.status_code != 200 or b"<error" in body
            found = TOKEN.search(body)
            token = found.group(1).decode() if found else None
            if position >= warmup:
                latencies.append(elapsed)
                counts.append(len(OAI_RECORD.findall(body)))
    row = _row(OAI_ROW, latencies, counts, errors)
    row["goal_p50_ms"] = OAI_GOAL_MS
    return row


def _row(name: str, latencies: list[float], matched: list[int], errors: int) -> dict[str, Any]:
    return {
        "query": name,
        "n": len(latencies),
        "p50_ms": client.percentile(latencies, 50),
        "p95_ms": client.percentile(latencies, 95),
        "matched": matched,
        "errors": errors,
        "goal_p50_ms": GOAL_MS if name == "GetRecords BBOX + AnyText" else None,
    }


# -- the run ------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    """Generate, load every system, measure each in turn; the result as JSON-ready data."""
    work: Path = args.work
    files = work / "iso19139"
    result: dict[str, Any] = {"records": args.records, "seed": args.seed, "machine": search.machine_facts()}
    search._say(f"writing {args.records} ISO 19139 records into {files}")
    result["generate_s"] = write_records(files, args.records, args.seed, args.workers)
    kinds = query_kinds(args.seed, args.records, args.warmup + args.repeat)
    result["systems"] = {}
    with ExitStack() as stack:
        for system in args.systems:
            search._say(f"{LABELS[system]}: loading")
            result["systems"][system] = _run_system(system, args, work, files, kinds, stack)
    return result


def _run_system(
    system: str,
    args: argparse.Namespace,
    work: Path,
    files: Path,
    kinds: dict[str, list[tuple[str, Any]]],
    stack: ExitStack,
) -> dict[str, Any]:
    port = search.free_port()
    base = f"http://127.0.0.1:{port}"
    if system == "pycsw":
        versions = ensure_pycsw(args.pycsw_venv)
        config, ingest = load_pycsw(args.pycsw_venv, work, files, port, args.workers)
        command = [
            str(args.pycsw_venv / "bin" / "gunicorn"),
            "-b",
            f"127.0.0.1:{port}",
            "pycsw.wsgi:application",
        ]
        env = {"PYCSW_CONFIG": str(config), "PATH": f"{args.pycsw_venv / 'bin'}:{os.environ.get('PATH', '')}"}
        endpoint, ready = f"{base}/csw", "/csw?service=CSW&request=GetCapabilities"
        oai_endpoint = endpoint
    else:
        url = None
        if system == "postgres":
            shutil.rmtree(work / "pg", ignore_errors=True)  # a new cluster for each run
            cluster = stack.enter_context(compare.pg_cluster(work / "pg"))
            compare.create_databases(cluster, ("postgres",))
            url = cluster.url(compare.TERRAPOLE_DB)
        data_dir = work / f"terrapole-{system}"
        ingest = load_terrapole(files, data_dir, url, args.workers)
        if url:
            compare.analyze(url)
        versions = {}
        command = [
            sys.executable,
            "-m",
            "terrapole",
            "serve",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
        ]
        env = {"TERRAPOLE_DATABASE_URL": url} if url else {}
        endpoint, ready = f"{base}/csw", "/healthz"
        oai_endpoint = f"{base}/oai"
    search._say(f"{LABELS[system]}: loaded in {json.dumps(ingest)}; measuring")
    with compare.running(
        command, {**os.environ, **env}, base, ready, work / f"{system}.log", timeout_s=600
    ) as server:
        rows = measure(endpoint, kinds, args.warmup)
        rows.append(measure_oai(oai_endpoint, system, args.warmup + args.repeat, args.warmup))
        memory = search.memory_mb(server.process.pid)
    return {
        "label": LABELS[system],
        "versions": versions,
        "ingest": ingest,
        "queries": rows,
        "memory_mb": memory,
    }


def render(result: dict[str, Any]) -> str:
    """The table: p50 and p95 per query and system, with the median number of matches."""
    systems = list(result["systems"])
    header = "| query | " + " | ".join(
        f"{result['systems'][s]['label']} p50 / p95 ms (median matches)" for s in systems
    )
    lines = [header + " |", "|---|" + "---:|" * len(systems)]
    names = [row["query"] for row in result["systems"][systems[0]]["queries"]]
    for index, name in enumerate(names):
        cells = []
        for system in systems:
            row = result["systems"][system]["queries"][index]
            middle = sorted(row["matched"])[len(row["matched"]) // 2] if row["matched"] else 0
            errors = f", {row['errors']} errors" if row["errors"] else ""
            cells.append(f"{row['p50_ms']:.2f} / {row['p95_ms']:.2f} ({middle}{errors})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=100, help="measured requests per query")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="processes generating and parsing records")
    parser.add_argument("--systems", default="sqlite,pycsw", help=f"comma-separated, of {','.join(SYSTEMS)}")
    parser.add_argument("--work", type=Path, default=None, help="directory for records and databases")
    parser.add_argument("--pycsw-venv", type=Path, default=PYCSW_VENV)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(args.systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems {sorted(unknown)}")
    args.work = args.work or Path(f"/tmp/terrapole-bench-csw-{args.records}")
    args.out = args.out or search.RESULTS_DIR / f"csw-{args.records}.json"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    result = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str))
    print(render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
