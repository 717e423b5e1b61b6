"""The measuring client of the search benchmark: a fixed query mix, sent one request at a time.

Each query kind gets `warmup + repeat` requests whose parameters are drawn in advance from a
seeded generator (different boxes, windows, words, ids), so that no cache makes a kind
trivial; only the last `repeat` are measured. Latency is the wall time from sending the request
to having read the whole response body (JSON decoding excluded), on one kept-alive connection.
"""

from __future__ import annotations

import calendar
import random
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import synthetic

SEARCH = "/stac/search"
LIMIT = 10
DEEP_PAGE_LINKS = 50  # the timed page is the one reached from the first by 50 `next` links
DEEP_PAGE_ROW = f"page {DEEP_PAGE_LINKS} deep (token)"
DEEP_PAGE_GOAL_MS = 10.0
ERROR_EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request of the mix and what a good answer holds (`item_id` for get-by-id)."""

    method: str
    url: str
    params: Mapping[str, str] | None = None
    body: Mapping[str, Any] | None = None
    item_id: str | None = None


@dataclass(frozen=True, slots=True)
class QueryKind:
    """One row of the benchmark: a name, an optional p50 goal and its requests in order."""

    name: str
    goal_ms: float | None
    requests: Sequence[Request]


@dataclass(slots=True)
class Timing:
    """The measured latencies of one query kind, with its errors and empty answers."""

    name: str
    goal_ms: float | None
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    empty: int = 0

    def summary(self) -> dict[str, Any]:
        """The row as JSON: count, p50, p95, mean (ms), goal, whether the p50 met it, errors."""
        values = self.latencies_ms
        p50 = percentile(values, 50) if values else None
        return {
            "query": self.name,
            "n": len(values),
            "p50_ms": p50,
            "p95_ms": percentile(values, 95) if values else None,
            "mean_ms": statistics.fmean(values) if values else None,
            "goal_p50_ms": self.goal_ms,
            "met": None if self.goal_ms is None or p50 is None else p50 <= self.goal_ms,
            "errors": len(self.errors),
            "error_examples": self.errors[:ERROR_EXAMPLES],
            "empty": self.empty,
        }


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of the values, interpolated between closest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# -- the query mix ---------------------------------------------------------------------------
def _box(rng: random.Random, size: float) -> str:
    west = rng.uniform(-180.0, 180.0 - size)
    south = rng.uniform(-90.0, 90.0 - size)
    return f"{west:.3f},{south:.3f},{west + size:.3f},{south + size:.3f}"


def _month(rng: random.Random) -> str:
    year, month = rng.randint(synthetic.FIRST_YEAR, synthetic.LAST_YEAR), rng.randint(1, 12)
    last = calendar.monthrange(year, month)[1]
    return f"{year}-{month:02d}-01T00:00:00Z/{year}-{month:02d}-{last}T23:59:59Z"


def _year(rng: random.Random) -> str:
    year = rng.randint(synthetic.FIRST_YEAR, synthetic.LAST_YEAR)
    return f"{year}-01-01T00:00:00Z/{year}-12-31T23:59:59Z"


def _search(**params: str) -> Request:
    return Request("GET", SEARCH, {**params, "limit": str(LIMIT)})


def _two_predicates(rng: random.Random) -> tuple[int, str]:
    return rng.randint(5, 40), rng.choice(synthetic.PLATFORMS)


def _cql2_text(rng: random.Random) -> Request:
    cloud, platform = _two_predicates(rng)
    text = f"eo:cloud_cover < {cloud} AND platform = '{platform}'"
    return _search(**{"filter-lang": "cql2-text", "filter": text})


def _cql2_json(rng: random.Random) -> Request:
    cloud, platform = _two_predicates(rng)
    expression = {
        "op": "and",
        "args": [
            {"op": "<", "args": [{"property": "eo:cloud_cover"}, cloud]},
            {"op": "=", "args": [{"property": "platform"}, platform]},
        ],
    }
    return Request("POST", SEARCH, body={"filter-lang": "cql2-json", "filter": expression, "limit": LIMIT})


def _free_text(rng: random.Random) -> Request:
    return _search(q=rng.choice(synthetic.words_by_rank(1, 10)))


def _free_text_two_words(rng: random.Random) -> Request:
    return _search(q=" ".join(rng.sample(synthetic.words_by_rank(1, 20), 2)))


def _combined(rng: random.Random) -> Request:
    collection = rng.choice(synthetic.COLLECTIONS).id
    return _search(collections=collection, bbox=_box(rng, 20.0), datetime=_year(rng))


Builder = Callable[[random.Random], Request]
MIX: tuple[tuple[str, float | None, Builder], ...] = (
    ("bbox only (10 deg)", None, lambda rng: _search(bbox=_box(rng, 10.0))),
    ("datetime only (1 month)", None, lambda rng: _search(datetime=_month(rng))),
    ("bbox + datetime + collection", 5.0, _combined),
    ("free text, common word", 20.0, _free_text),
    ("free text, two words", 20.0, _free_text_two_words),
    ("CQL2 text, two predicates", 10.0, _cql2_text),
    ("CQL2 JSON POST, two predicates", 10.0, _cql2_json),
    ("sortby -datetime + bbox", None, lambda rng: _search(bbox=_box(rng, 10.0), sortby="-datetime")),
)


def query_mix(
    seed: int, count: int, samples: Sequence[Sequence[str]], deep_pages: Sequence[Request]
) -> list[QueryKind]:
    """Every query kind with `count` requests each, parameters drawn from `seed`."""
    rng = random.Random(seed)
    kinds = [QueryKind(name, goal, [build(rng) for _ in range(count)]) for name, goal, build in MIX]
    kinds.append(QueryKind("get item by id", None, _get_by_id(rng, samples, count)))
    if deep_pages:
        pages = [deep_pages[i % len(deep_pages)] for i in range(count)]
        kinds.append(QueryKind(DEEP_PAGE_ROW, DEEP_PAGE_GOAL_MS, pages))
    return kinds


def _get_by_id(rng: random.Random, samples: Sequence[Sequence[str]], count: int) -> list[Request]:
    picked = [rng.choice(samples) for _ in range(count)]
    return [Request("GET", f"/stac/collections/{c}/items/{i}", item_id=i) for c, i in picked]


def deep_page_searches(seed: int) -> list[Request]:
    """The searches whose page 50 links past the first the deep-page row fetches (many matches)."""
    rng = random.Random(seed)
    largest = max(synthetic.COLLECTIONS, key=lambda spec: spec.weight).id
    start = rng.randint(synthetic.FIRST_YEAR, synthetic.LAST_YEAR - 5)
    return [
        _search(),
        _search(collections=largest),
        _search(datetime=f"{start}-01-01T00:00:00Z/{start + 4}-12-31T23:59:59Z"),
        _search(bbox="-180,0,180,90", sortby="-datetime"),
    ]


# -- sending and measuring -------------------------------------------------------------------
def send(client: httpx.Client, request: Request) -> httpx.Response:
    """Send one request of the mix (its body, when any, as JSON) and read the whole answer."""
    return client.request(request.method, request.url, params=request.params, json=request.body)


def check(request: Request, response: httpx.Response) -> tuple[str | None, int]:
    """What is wrong with an answer (None when nothing) and how many records it holds."""
    where = f"{request.method} {response.request.url}"
    if response.status_code != 200:
        return f"{response.status_code} from {where}: {response.text[:300]}", 0
    try:
        body = response.json()
    except ValueError:
        return f"answer of {where} is not JSON", 0
    if request.item_id is not None:
        found = isinstance(body, dict) and body.get("id") == request.item_id
        return (None if found else f"{where} did not return item {request.item_id}"), 1
    features = body.get("features") if isinstance(body, dict) else None
    if not isinstance(features, list):
        return f"answer of {where} has no features array", 0
    if len(features) > LIMIT:
        return f"{where} returned {len(features)} features, more than limit={LIMIT}", 0
    return None, len(features)


Check = Callable[[Request, httpx.Response], tuple[str | None, int]]


def measure(client: httpx.Client, kind: QueryKind, warmup: int, check: Check = check) -> Timing:
    """Send the kind's requests in order; time those after the first `warmup` that succeed.

    `check` tells what is wrong with an answer and how many records it holds.
    """
    timing = Timing(kind.name, kind.goal_ms)
    for index, request in enumerate(kind.requests):
        measure_one(client, request, timing, counted=index >= warmup, check=check)
    return timing


def measure_one(
    client: httpx.Client, request: Request, timing: Timing, counted: bool = True, check: Check = check
) -> None:
    """Send one request; when `counted`, record its latency (or its error, as `check` finds it)
    in `timing`."""
    try:
        started = time.perf_counter()
        response = send(client, request)
        elapsed_ms = (time.perf_counter() - started) * 1000
    except httpx.HTTPError as exc:
        if counted:
            timing.errors.append(f"{request.method} {request.url}: {type(exc).__name__} {exc}")
        return
    if not counted:
        return
    problem, found = check(request, response)
    if problem:
        timing.errors.append(problem)
        return
    timing.latencies_ms.append(elapsed_ms)
    timing.empty += found == 0


def follow_next(client: httpx.Client, search: Request, links: int) -> Request:
    """The request of the page `links` next-links after the first page of `search`."""
    request = search
    for step in range(links):
        response = send(client, request)
        problem, _ = check(request, response)
        if problem:
            raise LookupError(problem)
        found = [link for link in response.json().get("links", []) if link.get("rel") == "next"]
        if not found:
            raise LookupError(f"{search.url} {dict(search.params or {})}: no next link on page {step + 1}")
        request = _next_request(request, found[0])
    return request


def _next_request(previous: Request, link: Mapping[str, Any]) -> Request:
    body = link.get("body")
    if body is not None and link.get("merge") and previous.body:
        body = {**previous.body, **body}
    return Request(str(link.get("method", "GET")).upper(), str(link["href"]), body=body)


def measure_mix(
    client: httpx.Client, seed: int, repeat: int, warmup: int, samples: Sequence[Sequence[str]]
) -> list[dict[str, Any]]:
    """Measure every query kind of the mix; one summary row per kind."""
    deep_pages, problems = [], []
    for search in deep_page_searches(seed):
        try:
            deep_pages.append(follow_next(client, search, DEEP_PAGE_LINKS))
        except (LookupError, httpx.HTTPError) as exc:
            problems.append(f"deep page not reached: {exc}")
    rows = []
    for kind in query_mix(seed, warmup + repeat, samples, deep_pages):
        timing = measure(client, kind, warmup)
        if kind.name == DEEP_PAGE_ROW:
            timing.errors[:0] = problems
        rows.append(timing.summary())
    if not deep_pages:
        rows.append(Timing(DEEP_PAGE_ROW, DEEP_PAGE_GOAL_MS, errors=problems).summary())
    return rows
