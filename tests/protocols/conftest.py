"""Helpers for protocol tests: problem assertions, page walking and an in-memory filter oracle."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import cql2
import httpx
from fastapi.testclient import TestClient
from tests.conftest import Dataset

PROBLEM_JSON = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, mentions: str) -> dict[str, Any]:
    """The response is a problem+json of this status whose text names `mentions`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "code", "description"} <= body.keys()
    assert mentions.lower() in (body["detail"] + " " + body.get("parameter", "")).lower(), body
    return body


def ids(response: httpx.Response) -> list[str]:
    """The ids of a FeatureCollection response, in order (fails on a non-200)."""
    assert response.status_code == 200, response.text
    return [feature["id"] for feature in response.json()["features"]]


def link_of(body: dict[str, Any], rel: str) -> dict[str, Any] | None:
    """The first link with this relation, if any."""
    return next((link for link in body["links"] if link["rel"] == rel), None)


def follow(client: TestClient, first: httpx.Response, rel: str = "next") -> list[dict[str, Any]]:
    """Every page from `first` on, following `rel` links (GET URLs or POST bodies) to the end."""
    pages = []
    response = first
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        assert len(pages) < 200, "paging does not end"
        step = link_of(body, rel)
        if step is None:
            return pages
        if step.get("method") == "POST":
            assert step["merge"] is False
            response = client.post(step["href"], json=step["body"])
        else:
            response = client.get(step["href"])


def page_ids(pages: Iterable[dict[str, Any]], key: str = "features") -> list[str]:
    """The ids across pages, in order."""
    return [record["id"] for page in pages for record in page[key]]


def oracle(dataset: Dataset, cql2_text: str, collections: Iterable[str] = ()) -> set[str]:
    """The ids of dataset items a CQL2 filter selects, evaluated in memory by the cql2 library."""
    expression = cql2.parse_text(cql2_text)
    wanted = set(collections)
    return {
        item["id"]
        for item in dataset.items
        if (not wanted or item["collection"] in wanted) and _matches(expression, item)
    }


def _matches(expression: cql2.Expr, item: dict[str, Any]) -> bool:
    # cql2 cannot decide a comparison on a missing property: like SQL's unknown, it selects nothing.
    try:
        return bool(expression.matches(item))
    except Exception as error:  # the cql2 binding raises a bare Exception
        assert "Could not reduce" in str(error), error
        return False
