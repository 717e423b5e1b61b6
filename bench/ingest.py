"""Bulk ingest, terrapole on PostgreSQL against pypgstac's loader, in alternating rounds:
`python -m bench.ingest --items 100000 --rounds 3`.

`bench.compare` loads each system once, one after the other, so on a shared machine the two
loads can meet very different loads. Here each round loads the same synthetic items into a
fresh database of each system, the order alternating between rounds (terrapole first in odd
rounds, pypgstac first in even ones), and the medians of the rates are compared. The loads are
those of `bench.compare`: terrapole's `store.upsert_items` in process (parsing included, item
generation excluded), pypgstac's `Loader.load_items` on an NDJSON file written beforehand
(parsing included). The 1-minute load average is recorded before each load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench import compare, search

TERRAPOLE, PGSTAC = "terrapole-postgres", "pypgstac"


def fresh_databases(cluster: compare.Cluster) -> None:
    """Drop and create both systems' databases (names are the module's constants)."""
    import psycopg

    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        for name in (compare.TERRAPOLE_DB, compare.PGSTAC_DB):
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
    compare.create_databases(cluster, ("postgres", "pgstac"))


def load_one(system: str, cluster: compare.Cluster, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One timed load of `system` into its fresh database."""
    load_average = os.getloadavg()[0]
    if system == TERRAPOLE:
        figures = compare.load_terrapole_postgres(
            cluster.url(compare.TERRAPOLE_DB), work / "terrapole", args.items, args.seed, args.batch_size
        )
        figures.pop("samples", None)
    else:
        figures = compare.load_pgstac(
            args.pgstac_venv,
            cluster.env(compare.PGSTAC_DB),
            work / "collections.ndjson",
            work / "items.ndjson",
        )
    figures["load_average_before"] = load_average
    search._say(f"{system}: {figures['items_per_s']:,.0f} items/s (load {load_average:.1f})")
    return figures


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every round, and the medians."""
    versions = compare.ensure_pgstac_venv(args.pgstac_venv)
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="terrapole-ingest-") as tmp:
        work = Path(tmp)
        compare.write_ndjson(work, args.items, args.seed)
        with compare.pg_cluster(work / "pg") as cluster:
            for number in range(args.rounds):
                order = (TERRAPOLE, PGSTAC) if number % 2 == 0 else (PGSTAC, TERRAPOLE)
                fresh_databases(cluster)
                rounds.append({system: load_one(system, cluster, work, args) for system in order})
    medians = {s: statistics.median(r[s]["items_per_s"] for r in rounds) for s in (TERRAPOLE, PGSTAC)}
    return {
        "items": args.items,
        "rounds": rounds,
        "median_items_per_s": medians,
        "ratio": medians[TERRAPOLE] / medians[PGSTAC],
        "versions": versions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--pgstac-venv", type=Path, default=compare.PGSTAC_VENV)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = run(args)
    out = args.out or Path(__file__).parent / "results" / f"ingest-{args.items}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    for number, row in enumerate(result["rounds"], 1):
        cells = ", ".join(
            f"{s} {f['items_per_s']:,.0f}/s (load {f['load_average_before']:.1f})" for s, f in row.items()
        )
        print(f"round {number}: {cells}")
    medians = result["median_items_per_s"]
    print(
        f"median: terrapole-postgres {medians[TERRAPOLE]:,.0f}, pypgstac {medians[PGSTAC]:,.0f} items/s, "
        f"ratio {result['ratio']:.2f}"
    )


if __name__ == "__main__":
    main()
