"""The /harvest HTTP API: sources, runs, reports, documents as harvested, errors as problems."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from lxml import etree
from tests.harvest.conftest import T0, bearer
from tests.harvest.local_sources import OaiRepository, records, serving


def test_sources_are_added_listed_and_changed(client: TestClient) -> None:
    body = {"name": "ocean-csw", "protocol": "csw", "url": "https://ocean.example/csw", "pole": "ocean"}
    created = client.post("/harvest/sources", json={**body, "options": {"pageSize": "50"}, "interval": "6h"})
    assert created.status_code == 201
    assert created.headers["location"] == "/harvest/sources/ocean-csw"
    assert created.json()["interval"] == "6h"
    listed = client.get("/harvest/sources").json()["sources"]
    assert [(s["name"], s["options"], s["latest_run"]) for s in listed] == [
        ("ocean-csw", {"pageSize": "50"}, None)
    ]
    changed = client.patch("/harvest/sources/ocean-csw", json={"enabled": False, "interval": "1d"}).json()
    assert (changed["enabled"], changed["interval"], changed["url"]) == (
        False,
        "1d",
        "https://ocean.example/csw",
    )


def test_bad_requests_are_problems_naming_what_is_wrong(client: TestClient) -> None:
    body = {"name": "x", "protocol": "ftp", "url": "ftp://x.example"}
    refused = client.post("/harvest/sources", json=body)
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["parameter"] == "protocol"
    unknown = client.post(
        "/harvest/sources", json={**body, "protocol": "csw", "url": "https://x.example", "colour": 1}
    )
    assert unknown.status_code == 400
    client.post("/harvest/sources", json={**body, "protocol": "csw", "url": "https://x.example"})
    twice = client.post("/harvest/sources", json={**body, "protocol": "csw", "url": "https://x.example"})
    assert twice.status_code == 409
    missing = client.get("/harvest/sources/nowhere/runs/latest")
    assert (missing.status_code, missing.json()["code"]) == (404, "SourceNotFound")
    assert client.get("/harvest/runs/999").status_code == 404


def test_a_run_reports_and_keeps_documents_as_harvested(client: TestClient) -> None:
    listed = records(4, T0)
    listed[3].xml = b"<unknown xmlns='urn:example'/>"
    with serving(OaiRepository(listed)) as server:
        body = {
            "name": "oai",
            "protocol": "oaipmh",
            "url": f"{server.url}/oai",
            "options": {"metadataPrefix": "iso19139"},
        }
        client.post("/harvest/sources", json=body)
        report = client.post("/harvest/sources/oai/runs", params={"wait": "true"}).json()
        started = client.post("/harvest/sources/oai/runs", params={"full": "true"})
        assert started.status_code == 202
        latest = _finished(client, started.headers["location"], after=report["id"])
    assert (report["status"], report["mode"], report["counts"]["new"], report["counts"]["failed"]) == (
        "succeeded",
        "full",
        3,
        1,
    )
    assert report["failures"][0]["identifier"] == "rec-003"
    assert "unrecognised XML metadata" in report["failures"][0]["reason"]
    assert set(report["durations"]) == {"total_s", "fetch_s", "parse_s", "write_s"}
    assert (latest["id"], latest["counts"]["unchanged"]) == (report["id"] + 1, 3)
    runs = client.get("/harvest/sources/oai/runs").json()["runs"]
    assert [r["id"] for r in runs] == [latest["id"], report["id"]]
    assert client.get(f"/harvest/runs/{report['id']}").json() == report
    documents = client.get("/harvest/sources/oai/documents", params={"limit": 2}).json()["documents"]
    assert [d["identifier"] for d in documents] == ["rec-000", "rec-001"]
    original = client.get(documents[1]["href"])
    # Cut out of the OAI-PMH envelope: the same element, with the namespaces in scope there.
    assert c14n(original.content) == c14n(listed[1].xml)
    assert original.headers["content-type"].startswith("application/vnd.iso.19139+xml")
    assert client.get("/stac/collections/rec-001").status_code == 200


def _finished(client: TestClient, location: str, after: int) -> dict:
    """The report at `location` once it is of a run after `after` and that run has ended."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = client.get(location).json()
        if found["id"] > after and found["status"] != "running":
            return dict(found)
        time.sleep(0.05)
    raise AssertionError("the background run did not finish")


def c14n(data: bytes | None) -> bytes:
    """Exclusive canonical XML (namespace declarations only where used)."""
    assert data is not None
    return etree.tostring(etree.fromstring(data), method="c14n", exclusive=True)


# --- who may manage sources ------------------------------------------------------------------------


def _source(name: str, pole: str | None) -> dict[str, str | None]:
    return {"name": name, "protocol": "csw", "url": f"https://{name}.example/csw", "pole": pole}


def test_nobody_signed_in_is_asked_to_sign_in_and_a_plain_user_is_refused(
    anonymous_client: TestClient, tokens: dict[str, str]
) -> None:
    http = anonymous_client
    for method, url in [
        ("GET", "/harvest/sources"),
        ("POST", "/harvest/sources"),
        ("GET", "/harvest/sources/any"),
        ("POST", "/harvest/sources/any/runs"),
        ("GET", "/harvest/runs/1"),
        ("GET", "/harvest/sources/any/documents"),
    ]:
        anonymous = http.request(method, url, json=_source("land-csw", "land"))
        assert anonymous.status_code == 401, (method, url)
        assert anonymous.headers["content-type"] == "application/problem+json"
        refused = http.request(
            method, url, json=_source("land-csw", "land"), headers=bearer(tokens["ordinary"])
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "AccessDenied"), (method, url)
    assert (
        http.post("/harvest/sources", json=_source("x", None), headers=bearer("tp_forged")).status_code == 401
    )
    admin = http.post("/harvest/sources", json=_source("any-csw", None), headers=bearer(tokens["admin"]))
    assert admin.status_code == 201
    listed = http.get("/harvest/sources", headers=bearer(tokens["admin"])).json()["sources"]
    assert [s["name"] for s in listed] == ["any-csw"]


def test_a_pole_curator_manages_the_sources_of_that_pole_only(
    anonymous_client: TestClient, tokens: dict[str, str]
) -> None:
    http = anonymous_client
    admin, land, ocean = (bearer(tokens[n]) for n in ("admin", "land-curator", "ocean-admin"))
    assert http.post("/harvest/sources", json=_source("no-pole", None), headers=admin).status_code == 201
    assert http.post("/harvest/sources", json=_source("land-csw", "land"), headers=land).status_code == 201
    assert http.post("/harvest/sources", json=_source("ocean-csw", "ocean"), headers=ocean).status_code == 201
    # Nobody but a platform administrator adds a source without a pole, or one of another pole.
    assert http.post("/harvest/sources", json=_source("x", None), headers=land).status_code == 403
    assert http.post("/harvest/sources", json=_source("y", "ocean"), headers=land).status_code == 403

    def names(headers: dict[str, str]) -> list[str]:
        return [s["name"] for s in http.get("/harvest/sources", headers=headers).json()["sources"]]

    assert (names(admin), names(land), names(ocean)) == (
        ["land-csw", "no-pole", "ocean-csw"],
        ["land-csw"],
        ["ocean-csw"],
    )
    assert http.get("/harvest/sources/land-csw", headers=land).json()["pole"] == "land"
    for url in ("/harvest/sources/ocean-csw", "/harvest/sources/no-pole", "/harvest/sources/no-pole/runs"):
        assert http.get(url, headers=land).status_code == 403, url
    assert http.post("/harvest/sources/ocean-csw/runs", headers=land).status_code == 403
    assert http.patch("/harvest/sources/ocean-csw", json={"enabled": False}, headers=land).status_code == 403
    # Moving a source to a pole one does not curate is refused, and changes nothing.
    moved = http.patch("/harvest/sources/land-csw", json={"pole": "ocean"}, headers=land)
    assert (moved.status_code, moved.json()["reason"]) == (403, "not-curator")
    assert http.get("/harvest/sources/land-csw", headers=admin).json()["pole"] == "land"
    assert http.patch("/harvest/sources/land-csw", json={"pole": "ocean"}, headers=admin).status_code == 200
    assert names(land) == []
