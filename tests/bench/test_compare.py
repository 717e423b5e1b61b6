"""The side-by-side benchmark's pure parts: URL roots, cross-check, goals, table (no servers)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench import client, compare


def row(query: str, p50: float | None, **extra: Any) -> dict[str, Any]:
    return {
        "query": query,
        "n": 0 if p50 is None else 200,
        "p50_ms": p50,
        "p95_ms": None if p50 is None else p50 * 1.5,
        "mean_ms": p50,
        "goal_p50_ms": None,
        "met": None,
        "errors": 0,
        "error_examples": [],
        "empty": 0,
        **extra,
    }


def system(
    queries: list[dict[str, Any]], items_per_s: float | None = None, error: str | None = None
) -> dict[str, Any]:
    return {"queries": queries, "ingest": {"items_per_s": items_per_s} if items_per_s else {}, "error": error}


# -- URL roots -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        ("/stac/search", "/", "/search"),
        ("/stac/collections/c/items/i", "/", "/collections/c/items/i"),
        ("/stac", "/", "/"),
        ("/stac/search", "/stac", "/stac/search"),
        ("/stac/search", "/api/", "/api/search"),
        ("/search", "/", "/search"),  # a next link of the other server: left alone
        ("/stacks/x", "/", "/stacks/x"),
    ],
)
def test_rebase_moves_only_the_stac_root(path: str, root: str, expected: str) -> None:
    assert compare.rebase(path, root) == expected


def test_rooted_client_sends_the_mix_under_another_root() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"features": []})

    with compare.rooted_client("http://h:1", "/", transport=httpx.MockTransport(handler)) as http:
        client.send(http, client.Request("GET", client.SEARCH, {"bbox": "0,0,1,1"}))
        client.send(http, client.Request("GET", "http://h:1/search?token=next:x"))
    assert seen == ["http://h:1/search?bbox=0%2C0%2C1%2C1", "http://h:1/search?token=next:x"]


# -- free-text probe and cross-check ---------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "features", "expected"),
    [
        (200, [], "supported"),
        (200, [{"id": "x"}], "unsupported (q ignored: a word in no title matched)"),
        (400, None, "unsupported (status 400)"),
    ],
)
def test_probe_free_text(status: int, features: Any, expected: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["q"] == compare.NO_SUCH_WORD
        return httpx.Response(status, json={"features": features})

    with httpx.Client(base_url="http://h", transport=httpx.MockTransport(handler)) as http:
        assert compare.probe_free_text(http) == expected


def test_cross_check_requests_are_deterministic_and_one_page() -> None:
    first, second = compare.cross_check_requests(1), compare.cross_check_requests(1)
    assert first == second
    assert compare.cross_check_requests(2) != first
    for _, request in first:
        assert request.url == client.SEARCH
        assert request.params is not None
        assert request.params["limit"] == str(compare.CROSS_CHECK_LIMIT)


def test_cross_check_requests_shrink_with_the_catalog() -> None:
    small = dict(compare.cross_check_requests(1, 100_000))
    large = dict(compare.cross_check_requests(1, 1_000_000))
    assert small.keys() == large.keys()

    def side(request: client.Request) -> float:
        assert request.params is not None
        west, _, east, _ = (float(v) for v in request.params["bbox"].split(","))
        return east - west

    assert side(small["small bbox"]) == pytest.approx(5.0, abs=0.01)
    assert side(large["small bbox"]) == pytest.approx(5.0 / 10**0.5, abs=0.01)
    assert "< 1 AND" in str(small["CQL2 low cloud and platform"].params)
    assert "< 0.1 AND" in str(large["CQL2 low cloud and platform"].params)


def test_compare_answers_agree_on_the_same_ids_in_any_order() -> None:
    result = compare.compare_answers(
        {"a": {"ids": ["x", "y"], "count": 2}, "b": {"ids": ["y", "x"], "count": 2}}
    )
    assert result["agree"] is True
    assert result["counts"] == {"a": 2, "b": 2}


def test_compare_answers_name_the_differences() -> None:
    result = compare.compare_answers(
        {"a": {"ids": ["x", "y"], "count": 2}, "b": {"ids": ["x", "z"], "count": 2}}
    )
    assert result["agree"] is False
    assert result["extra"] == {"a": ["y"], "b": ["z"]}
    assert result["missing"] == {"a": ["z"], "b": ["y"]}


def test_compare_answers_an_error_is_a_disagreement() -> None:
    result = compare.compare_answers({"a": {"ids": [], "count": 0}, "b": {"error": "500"}})
    assert result["agree"] is False
    assert result["errors"] == {"b": "500"}


# -- goals and table -------------------------------------------------------------------------
def test_goals_per_query_ratio_and_ingest() -> None:
    systems = {
        "postgres": system([row("bbox", 5.0), row("text", 4.0), row("cql2", 10.0)], 12_000),
        "pgstac": system(
            [row("bbox", 20.0), row("text", None, unsupported="unsupported (x)"), row("cql2", 15.0)], 10_000
        ),
    }
    result = compare.goals(systems)
    assert result["per_query"]["bbox"] == {"ratio": 4.0, "met": True}
    assert result["per_query"]["cql2"] == {"ratio": 1.5, "met": False}
    assert result["per_query"]["text"]["met"] is None
    assert result["speedup_met"] is False
    assert result["ingest_met"] is True
    assert result["ingest_ratio"] == pytest.approx(1.2)


def test_goals_met_only_when_every_measured_query_is_twice_as_fast() -> None:
    systems = {
        "postgres": system([row("a", 1.0), row("b", 2.0)], 1.0),
        "pgstac": system([row("a", 2.0), row("b", 4.5)], 2.0),
    }
    result = compare.goals(systems)
    assert result["speedup_met"] is True
    assert result["ingest_met"] is False


def test_goals_not_measured_without_both_postgres_systems() -> None:
    result = compare.goals(
        {"postgres": system([row("a", 1.0)], 1.0), "pgstac": system([], error="install failed")}
    )
    assert result["speedup_met"] is None
    assert result["ingest_met"] is None
    assert compare.goals({"sqlite": system([row("a", 1.0)])})["speedup_met"] is None


def test_ratio_handles_missing_values() -> None:
    assert compare.ratio(10.0, 4.0) == 2.5
    assert compare.ratio(None, 4.0) is None
    assert compare.ratio(1.0, 0.0) is None


def test_render_table_has_a_column_per_system_and_the_ratio() -> None:
    systems = {
        "sqlite": {
            **system([row("bbox", 3.0), row("text", 2.0)], 11_000),
            "label": "terrapole-sqlite",
            "server": {"rss_mb": 150.0, "peak_rss_mb": 160.0},
            "free_text": "supported",
        },
        "postgres": {
            **system([row("bbox", 5.0), row("text", 4.0)], 12_000),
            "label": "terrapole-postgres",
            "server": {"rss_mb": 90.0, "peak_rss_mb": 95.0},
            "free_text": "supported",
        },
        "pgstac": {
            **system([row("bbox", 20.0), row("text", None, unsupported="unsupported (q)")], 10_000),
            "label": "stac-fastapi-pgstac",
            "server": {"rss_mb": 150.0, "peak_rss_mb": 151.0},
            "free_text": "unsupported (q)",
        },
    }
    result = {
        "items": 1000,
        "seed": 1,
        "repeat": 200,
        "warmup": 20,
        "systems": systems,
        "cross_check": {
            "small bbox": compare.compare_answers(
                {"postgres": {"ids": ["a"], "count": 1}, "pgstac": {"ids": ["a"], "count": 1}}
            )
        },
        "goals": compare.goals(systems),
    }
    table = compare.render_table(result)
    header = table.splitlines()[1]
    for label in ("terrapole-sqlite", "terrapole-postgres", "stac-fastapi-pgstac", "pgstac/pg"):
        assert label in header
    bbox = next(line for line in table.splitlines() if line.startswith("bbox"))
    assert "5.0/7.5" in bbox and "20.0/30.0" in bbox and "4.00" in bbox and "yes" in bbox
    text = next(line for line in table.splitlines() if line.startswith("text"))
    assert "unsupported" in text
    assert "cross-check small bbox: agree" in table
    assert "ingest at least pypgstac's: yes" in table
    json.dumps(result)  # the result stays JSON


def test_parse_systems() -> None:
    assert compare.parse_systems("pgstac, postgres,pgstac") == ["pgstac", "postgres"]
    with pytest.raises(argparse.ArgumentTypeError):
        compare.parse_systems("sqlite,elastic")
    with pytest.raises(argparse.ArgumentTypeError):
        compare.parse_systems(",")


def test_parse_args_defaults() -> None:
    args = compare.parse_args(["--items", "500", "--systems", "postgres,pgstac"])
    assert args.items == [500]
    assert args.systems == ["postgres", "pgstac"]
    assert args.pgstac_venv == compare.PGSTAC_VENV


def test_write_ndjson_holds_the_synthetic_catalog(tmp_path: Path) -> None:
    collections, items, _ = compare.write_ndjson(tmp_path, 25, seed=3)
    assert len(collections.read_text().splitlines()) == 15
    lines = [json.loads(line) for line in items.read_text().splitlines()]
    assert len(lines) == 25
    assert [item["id"] for item in lines] == [s[1] for s in compare._samples(25, 3)]


def test_parse_args_takes_several_sizes_for_one_run() -> None:
    assert compare.parse_args(["--items", "100000,1000000"]).items == [100_000, 1_000_000]
    with pytest.raises(SystemExit):
        compare.parse_args(["--items", "100000,lots"])
    with pytest.raises(SystemExit):
        compare.parse_args(["--items", "0"])
