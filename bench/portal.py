"""Portal benchmark: `python -m bench.portal [--runs N]`.

Serves the demo catalog with `terrapole serve` and opens the pages in Debian's Chromium:
- time to first results on the home page: from the start of navigation to the moment the search
  module has shown the first results and facets (its `terrapole:first-results` performance mark),
  in a fresh browser context each run (nothing cached) and again in one warm context;
- JavaScript per page: the decoded size of every script the page loaded (the resource timing
  entries), the vendored map library included;
- server time of the requests behind the first results (the page, the collection search, the
  facet counts) and of one suggestion under the search box, measured with an HTTP client.
Prints a table; `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.browser import chromium, load_demo, portal_server, wait_for_search

PAGES = ("/", "/poles/ocean", "/datasets/ocean-sst-mediterranean-daily")
FIRST_RESULTS_GOAL_MS = 1000
JS_BUDGET_BYTES = 500_000
SCRIPT_BYTES = """() => performance.getEntriesByType('resource')
  .filter((e) => e.initiatorType === 'script' || e.name.endsWith('.js'))
  .map((e) => [e.name.split('/').pop(), e.decodedBodySize])"""


def first_results_ms(page: Any, url: str) -> float:
    """Milliseconds from navigation start until the page shows its first results."""
    page.goto(url)
    wait_for_search(page, 0)
    # The search module marks the moment; mark times count from the start of navigation.
    return float(page.evaluate("() => performance.getEntriesByName('terrapole:first-results')[0].startTime"))


def script_bytes(page: Any, url: str) -> dict[str, int]:
    """The decoded size of each script `url` loads."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return {name: size for name, size in page.evaluate(SCRIPT_BYTES)}


def server_ms(base: str, runs: int) -> dict[str, float]:
    """p50 of the server requests behind the home page's first results."""
    paths = {
        "GET / (page)": "/",
        "GET /stac/collections?limit=10": "/stac/collections?limit=10",
        "GET /portal/facets": "/portal/facets?lang=en",
        "GET /vocab/suggest?q=temp&lang=fr (a suggestion)": "/vocab/suggest?q=temp&lang=fr&limit=8",
    }
    out = {}
    with httpx.Client(base_url=base) as client:
        for label, path in paths.items():
            client.get(path)
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                client.get(path).raise_for_status()
                samples.append((time.perf_counter() - start) * 1000)
            out[label] = statistics.median(samples)
    return out


def measure(base: str, runs: int) -> dict[str, Any]:
    with chromium() as browser:
        cold = []
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            cold.append(first_results_ms(context.new_page(), base + "/"))
            context.close()
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        first_results_ms(page, base + "/")
        warm = [first_results_ms(page, base + "/") for _ in range(runs)]
        scripts = {path: script_bytes(page, base + path) for path in PAGES}
        context.close()
    return {
        "first_results_ms": {
            "cold_p50": statistics.median(cold),
            "cold_max": max(cold),
            "warm_p50": statistics.median(warm),
            "warm_max": max(warm),
        },
        "javascript_bytes": {path: sum(sizes.values()) for path, sizes in scripts.items()},
        "scripts": scripts,
        "server_p50_ms": server_ms(base, runs * 5),
    }


def _row(measure: str, value: str, goal: str = "-", met: bool | None = None) -> str:
    verdict = "" if met is None else ("yes" if met else "no")
    return f"| {measure} | {value} | {goal} | {verdict} |"


def report(figures: dict[str, Any]) -> str:
    """The figures as a Markdown table, each beside its goal."""
    first = figures["first_results_ms"]
    goal = f"<= {FIRST_RESULTS_GOAL_MS} ms"
    lines = [
        "| measure | value | goal | met |",
        "|---|---:|---|---|",
        _row(
            "home, first results, cold context, p50",
            f"{first['cold_p50']:.0f} ms",
            goal,
            first["cold_p50"] <= FIRST_RESULTS_GOAL_MS,
        ),
        _row(
            "home, first results, cold context, max",
            f"{first['cold_max']:.0f} ms",
            goal,
            first["cold_max"] <= FIRST_RESULTS_GOAL_MS,
        ),
        _row("home, first results, warm context, p50", f"{first['warm_p50']:.0f} ms"),
    ]
    for path, size in figures["javascript_bytes"].items():
        lines.append(
            _row(
                f"JavaScript on `{path}`",
                f"{size:,} bytes",
                f"<= {JS_BUDGET_BYTES:,}",
                size <= JS_BUDGET_BYTES,
            )
        )
    lines.extend(
        _row(f"server, {label}, p50", f"{value:.1f} ms") for label, value in figures["server_p50_ms"].items()
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="terrapole-bench-portal-") as tmp:
        root = Path(tmp)
        load_demo(root / "data")
        with portal_server(root / "data", root / "server.log") as base:
            figures = measure(base, args.runs)
    print(report(figures))
    print("scripts per page:", json.dumps(figures["scripts"], indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
