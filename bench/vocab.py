"""Vocabulary benchmark: `python -m bench.vocab --items N`.

Loads (or reuses, see `bench.search`) the synthetic catalog with its GCMD keywords linked to
concepts, serves it with `terrapole serve` and measures, over HTTP, one request at a time:
facet counts (`/stac/aggregate`, every aggregation) for typical searches, concept suggestions
(`/vocab/suggest`) for prefixes users type, and ranked free-text searches, including French
queries that only concept labels answer. The machine's load average is recorded around each
query kind: other processes share the cores. Writes JSON (default
`bench/results/vocab-<N>.json`) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench import client, search, synthetic

RESULTS_DIR = Path(__file__).parent / "results"
GCMD = "https://gcmd.earthdata.nasa.gov/kms/concept/"
# GCMD concepts the synthetic items carry (themselves or through their collection), and above them.
CONCEPTS = {
    "OCEANS": GCMD + "91697b7d-8f2b-4954-850e-61d5f61c867d",
    "OCEAN TEMPERATURE": GCMD + "251c87cd-03b3-464f-8390-8ede2fec28fc",
    "SEA SURFACE TEMPERATURE": GCMD + "bd24a9a9-7d52-4c29-b2a0-6cefd216ae78",
    "ATMOSPHERE": GCMD + "c47f6052-634e-40ef-a5ac-13f69f6f4c2a",
    "LAND SURFACE": GCMD + "6a426480-c58f-4b6b-8e35-0975b7f6edb5",
    "BIOSPHERE": GCMD + "91c64c46-d040-4daa-b26c-61952fdfaf50",
}
# What users type into a concept search box, French and English, 2 to 6 letters.
PREFIXES = (
    "te", "temp", "tempé", "sur", "surf", "mer", "oc", "océ", "sal", "nei", "neig", "sol", "for", "forê",
    "vég", "aer", "aéro", "clo", "nua", "glac", "sea", "ozo", "hum", "préc", "vent", "wind", "ice",
    "chl", "séis", "earth", "pla", "ref", "alb", "biom", "habi", "eau", "wat", "air", "pol", "co",
)  # fmt: skip
FRENCH_QUERIES = (
    "température de surface de la mer",
    "humidité du sol",
    "dioxyde d'azote",
    "couverture végétale",
    "épaisseur optique des aérosols",
)
GOALS = {"facets": 50.0, "suggest": 10.0, "text": 20.0}
CONCEPT_URIS = tuple(CONCEPTS.values())


def _aggregate(**params: str) -> client.Request:
    return client.Request("GET", "/stac/aggregate", params=params)


def _year(rng: random.Random) -> str:
    year = rng.randint(synthetic.FIRST_YEAR, synthetic.LAST_YEAR)
    return f"{year}-01-01T00:00:00Z/{year}-12-31T23:59:59Z"


def _box(rng: random.Random, size: float) -> str:
    west, south = rng.uniform(-180.0, 180.0 - size), rng.uniform(-85.0, 85.0 - size)
    return f"{west:.3f},{south:.3f},{west + size:.3f},{south + size:.3f}"


def _common_word(rng: random.Random) -> str:
    return rng.choice(synthetic.words_by_rank(1, 10))


def _search(q: str) -> client.Request:
    return client.Request("GET", client.SEARCH, params={"q": q, "limit": "10"})


def _suggest(q: str, lang: str) -> client.Request:
    return client.Request("GET", "/vocab/suggest", params={"q": q, "lang": lang})


def _collection_aggregate(q: str) -> client.Request:
    return client.Request("GET", "/stac/collection-aggregate", params={"q": q})


TWO_WORDS = ("sea surf", "soil moi", "cloud top", "veg ind", "land cov")
ENGLISH_LABELS = ("sea surface temperature", "soil moisture", "vegetation index", "cloud top height")
COLLECTION_WORDS = ("temperature", "température", "sol", "ocean")
Builder = Callable[[random.Random], client.Request]
MIX: tuple[tuple[str, str, Builder], ...] = (
    ("facets: free text, common word", "facets", lambda r: _aggregate(q=_common_word(r))),
    ("facets: free text + one year", "facets", lambda r: _aggregate(q=_common_word(r), datetime=_year(r))),
    ("facets: concept (with narrower)", "facets", lambda r: _aggregate(concept=r.choice(CONCEPT_URIS))),
    ("facets: French concept words", "facets", lambda r: _aggregate(q=r.choice(FRENCH_QUERIES))),
    ("facets: 10 deg box + year, SQL", "facets", lambda r: _aggregate(bbox=_box(r, 10.0), datetime=_year(r))),
    ("facets: everything", "facets", lambda r: _aggregate()),
    ("facets: collection search", "facets", lambda r: _collection_aggregate(r.choice(COLLECTION_WORDS))),
    ("suggest: prefix, lang=fr", "suggest", lambda r: _suggest(r.choice(PREFIXES), "fr")),
    ("suggest: two words, lang=en", "suggest", lambda r: _suggest(r.choice(TWO_WORDS), "en")),
    ("text: common word, ranked", "text", lambda r: _search(_common_word(r))),
    ("text: French concept label, ranked", "text", lambda r: _search(r.choice(FRENCH_QUERIES))),
    ("text: English GCMD label, ranked", "text", lambda r: _search(r.choice(ENGLISH_LABELS))),
)  # fmt: skip


def query_mix(seed: int, count: int) -> list[tuple[str, client.QueryKind]]:
    """Every kind with `count` requests, parameters drawn from `seed`, with its goal group."""
    rng = random.Random(seed)
    return [
        (goal, client.QueryKind(name, GOALS[goal], [build(rng) for _ in range(count)]))
        for name, goal, build in MIX
    ]


def check(request: client.Request, response: httpx.Response) -> tuple[str | None, int]:
    """What is wrong with an answer (None when nothing), and how many things it holds."""
    if request.url == client.SEARCH:
        return client.check(request, response)
    where = f"{response.request.method} {response.request.url}"
    if response.status_code != 200:
        return f"{response.status_code} from {where}: {response.text[:300]}", 0
    body = response.json()
    if "suggestions" in body:
        return None, len(body["suggestions"])
    total = next(
        (a.get("value") for a in body.get("aggregations", []) if a.get("name") == "total_count"), None
    )
    return (None, int(total)) if isinstance(total, int) else (f"{where}: no total_count", 0)


def measure(http: httpx.Client, goal: str, kind: client.QueryKind, warmup: int) -> dict[str, Any]:
    """Measure one kind, recording the 1-minute load average before and after it."""
    load_before = os.getloadavg()[0]
    timing = client.measure(http, kind, warmup, check)
    return {**timing.summary(), "goal_group": goal, "load_1min": [load_before, os.getloadavg()[0]]}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Load (or reuse) the catalog, serve it, measure the mix."""
    temporary = args.data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="terrapole-bench-")) if temporary else args.data_dir
    try:
        marker = search.prepare_catalog(data_dir, args.items, args.seed, args.batch_size)
        _say(f"catalog of {args.items:,} items in {data_dir} ({'reused' if marker['reused'] else 'loaded'})")
        with (
            search.running_server(data_dir, args.port or search.free_port()) as server,
            httpx.Client(base_url=server.base_url, timeout=120.0) as http,
        ):
            rows = []
            for goal, kind in query_mix(args.seed, args.warmup + args.repeat):
                rows.append(measure(http, goal, kind, args.warmup))
                _say(f"{kind.name}: p50 {rows[-1]['p50_ms']} ms")
            memory = search.memory_mb(server.process.pid)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "benchmark": "vocab",
        "items": args.items,
        "seed": args.seed,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "machine": search.machine_facts(),
        "ingest": {**marker["ingest"], "reused": marker["reused"]},
        "server": memory,
        "queries": rows,
    }


def render_table(result: dict[str, Any]) -> str:
    """The result as the printed table."""
    lines = [
        f"terrapole vocabulary benchmark: {result['items']:,} items, {result['repeat']} measured requests "
        f"per query after {result['warmup']} warm-up",
        f"{'query':<40} {'p50 ms':>8} {'p95 ms':>8} {'goal':>8} {'met?':>5} {'empty':>5} {'errors':>6} "
        f"{'load':>11}",
    ]
    for row in result["queries"]:
        load = "{:.1f}-{:.1f}".format(*row["load_1min"])
        met = "-" if row["met"] is None else ("yes" if row["met"] else "NO")
        goal = f"<= {row['goal_p50_ms']:g}"
        lines.append(
            f"{row['query']:<40} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} {goal:>8} "
            f"{met:>5} {row['empty']:>5} {row['errors']:>6} {load:>11}"
        )
    lines += [f"  {row['query']}: {error}" for row in result["queries"] for error in row["error_examples"]]
    return "\n".join(lines)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when a measured request failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.vocab", description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--data-dir", type=Path, help="load here, or reuse the catalog loaded here")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = run(args)
    print(render_table(result))
    out: Path = args.out or RESULTS_DIR / f"vocab-{args.items}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 1 if any(row["errors"] for row in result["queries"]) else 0


if __name__ == "__main__":
    sys.exit(main())
