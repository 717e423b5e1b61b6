"""ISO metadata parsing benchmark: `python -m bench.parse_iso`.

Parses every ISO 19139 fixture of `shared/fixtures/iso19139` (real records, 1 to 64 KB) over and over
on one core (the process is pinned to one CPU where the OS allows it) and prints records per second:
- terrapole's `formats.iso19139.parse` (guarded XML parse + extraction into a canonical Record);
- OWSLib's `owslib.iso.MD_Metadata` alone on the same guarded parse, for comparison;
- the guarded XML parse alone (`formats.xmlsafe.parse_xml`), the floor under both;
- terrapole's `formats.iso19115_3.parse` on the ISO 19115-3 fixtures, for information.
Each measure runs `--rounds` rounds of at least `--seconds` seconds; the median and best rounds are
printed, per wall-clock second and per second of the process's own CPU time (the project machine is
shared: other processes on the same core lower the first, not the second). The goal (issue 4) is
1,000 ISO 19139 records/s on one core.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from owslib.iso import MD_Metadata

from terrapole.formats import iso19115_3, iso19139
from terrapole.formats.xmlsafe import parse_xml

GOAL_PER_S = 1000


def fixtures_root() -> Path:
    """`shared/fixtures` beside the repository (or above a worktree)."""
    for parent in Path(__file__).resolve().parents:
        if (candidate := parent / "shared" / "fixtures").is_dir():
            return candidate
    raise SystemExit("shared/fixtures not found; pass --fixtures")


def rate(parse: Callable[[bytes], Any], documents: list[bytes], seconds: float) -> tuple[float, float]:
    """Records per second of `parse` over `documents` repeated for at least `seconds`: per wall-clock
    second, and per second of this process's CPU time (what other processes on a shared core don't skew)."""
    count = 0
    wall, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < seconds:
        for data in documents:
            parse(data)
        count += len(documents)
    return count / (time.perf_counter() - wall), count / (time.process_time() - cpu)


def measure(
    parse: Callable[[bytes], Any], documents: list[bytes], rounds: int, seconds: float
) -> list[tuple[float, float]]:
    """(wall, CPU) rates, one per round, after one warm-up pass (XPath compilation, imports)."""
    for data in documents:
        parse(data)
    return [rate(parse, documents, seconds) for _ in range(rounds)]


def pin_to_one_cpu() -> str:
    """Pin the process to the first CPU it may use; say which (or why not)."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=None, help="the shared fixtures directory")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum duration of one round")
    args = parser.parse_args(argv)
    root = args.fixtures or fixtures_root()
    iso = [p.read_bytes() for p in sorted((root / "iso19139").glob("*.xml"))]
    iso3 = [p.read_bytes() for p in sorted((root / "iso19115-3").glob("*.xml"))]
    print(f"{platform.python_implementation()} {platform.python_version()}, {pin_to_one_cpu()}")
    print(f"{len(iso)} ISO 19139 files ({sum(map(len, iso)) / 1024:.0f} KiB), {len(iso3)} ISO 19115-3 files")
    measures: list[tuple[str, Callable[[bytes], Any], list[bytes]]] = [
        ("terrapole iso19139.parse", iso19139.parse, iso),
        ("OWSLib owslib.iso.MD_Metadata", lambda data: MD_Metadata(parse_xml(data)), iso),
        ("guarded XML parse alone", parse_xml, iso),
        ("terrapole iso19115_3.parse", iso19115_3.parse, iso3),
    ]
    print(f"{'records/s':34} {'wall median':>12} {'wall best':>10} {'CPU median':>11} {'CPU best':>9}")
    for name, parse, documents in measures:
        wall, cpu = zip(*measure(parse, documents, args.rounds, args.seconds), strict=True)
        figures = (statistics.median(wall), max(wall), statistics.median(cpu), max(cpu))
        print(f"{name:34} {figures[0]:12,.0f} {figures[1]:10,.0f} {figures[2]:11,.0f} {figures[3]:9,.0f}")
    print(f"goal: >= {GOAL_PER_S:,} ISO 19139 records/s on one core")


if __name__ == "__main__":
    main()
