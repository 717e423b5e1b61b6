"""Downloads over HTTP: byte ranges, entity tags, signed URLs, authorisation hooks and the audit trail.

Each test runs on the local store and on an S3 bucket of a real moto_server, through FastAPI's
TestClient over a small app with only the download routes and the problem+json handlers.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request
from tests.protocols.conftest import assert_problem

from terrapole.app import create_app
from terrapole.protocols.downloads import (
    DownloadEvent,
    RangeNotSatisfiable,
    download_router,
    parse_range,
    signed_download_url,
)
from terrapole.protocols.problems import add_problem_handlers
from terrapole.settings import Settings
from terrapole.storage import Store, store_from_settings
from terrapole.storage.signing import SignedDownload, UrlSigner

DATA = bytes(range(256)) * 4  # 1024 bytes
KEY = "ocean/sst/2024/sst_20240115.nc"
SHA = hashlib.sha256(DATA).hexdigest()
ETAG = f'"{SHA}"'
NOW = 1_750_000_000.0


@dataclass
class Gate:
    """The injected authorisation: allows the keys it holds and remembers what it was asked."""

    allowed: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)
    signed_ok: bool = True
    events: list[DownloadEvent] = field(default_factory=list)

    def authorize(self, request: Request, key: str) -> bool:
        self.asked.append(key)
        return key in self.allowed

    def authorize_signed(self, request: Request, key: str, grant: SignedDownload) -> bool:
        return self.signed_ok

    def audit(self, request: Request, event: DownloadEvent) -> None:
        self.events.append(event)


@dataclass
class Setup:
    client: TestClient
    gate: Gate
    signer: UrlSigner
    clock: list[float]


@pytest.fixture
def setup(object_store: Store) -> Iterator[Setup]:
    object_store.put(KEY, [DATA[:300], DATA[300:]], media_type="application/x-netcdf")
    gate, clock = Gate(allowed={KEY}), [NOW]
    signer = UrlSigner(b"download-test-secret-0123456789abcdef", clock=lambda: clock[0])
    app = FastAPI()
    add_problem_handlers(app)
    router = download_router(
        lambda: object_store,
        gate.authorize,
        signer,
        authorize_signed=gate.authorize_signed,
        audit=gate.audit,
    )
    app.include_router(router)
    with TestClient(app) as client:
        yield Setup(client, gate, signer, clock)


def url(key: str = KEY) -> str:
    return f"/download/{quote(key)}"


def test_a_whole_download_with_its_headers(setup: Setup) -> None:
    response = setup.client.get(url())
    assert response.status_code == 200
    assert response.content == DATA
    headers = response.headers
    assert headers["content-length"] == "1024"
    assert headers["accept-ranges"] == "bytes"
    assert headers["etag"] == ETAG
    assert headers["content-type"] == "application/x-netcdf"
    assert headers["repr-digest"] == f"sha-256=:{base64.b64encode(bytes.fromhex(SHA)).decode()}:"
    assert (
        headers["content-disposition"]
        == "attachment; filename=\"sst_20240115.nc\"; filename*=UTF-8''sst_20240115.nc"
    )
    assert headers["cache-control"] == "private"
    assert "GMT" in headers["last-modified"]
    assert setup.gate.asked == [KEY]


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-0", 0, 1),
        ("bytes=10-19", 10, 20),
        ("bytes=1000-", 1000, 1024),
        ("bytes=-24", 1000, 1024),
        ("bytes=-5000", 0, 1024),
        ("bytes=1020-99999", 1020, 1024),
        ("BYTES = 5-6".replace(" ", ""), 5, 7),
    ],
)
def test_one_range_gets_206_with_exactly_those_bytes(setup: Setup, header: str, start: int, end: int) -> None:
    response = setup.client.get(url(), headers={"Range": header})
    assert response.status_code == 206
    assert response.content == DATA[start:end]
    assert response.headers["content-range"] == f"bytes {start}-{end - 1}/1024"
    assert response.headers["content-length"] == str(end - start)
    assert response.headers["etag"] == ETAG


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_an_unsatisfiable_range_gets_416(setup: Setup, header: str) -> None:
    response = setup.client.get(url(), headers={"Range": header})
    assert_problem(response, 416, "1024 bytes")
    assert response.headers["content-range"] == "bytes */1024"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=0-1,4-5",
        "bytes=0-1, 10-",
        "items=0-5",
        "bytes=5-2",
        "bytes=a-b",
        "bytes=-",
        "bytes=",
        "bytes=1-2-3",
    ],
)
def test_several_or_malformed_ranges_get_the_whole_object(setup: Setup, header: str) -> None:
    response = setup.client.get(url(), headers={"Range": header})
    assert response.status_code == 200
    assert response.content == DATA
    assert "content-range" not in response.headers


def test_if_none_match_gets_304(setup: Setup) -> None:
    for tag in (ETAG, f"W/{ETAG}", f'"other", {ETAG}', "*"):
        response = setup.client.get(url(), headers={"If-None-Match": tag})
        assert response.status_code == 304, tag
        assert response.content == b""
        assert response.headers["etag"] == ETAG
    response = setup.client.get(url(), headers={"If-None-Match": '"an-older-version"'})
    assert (response.status_code, response.content) == (200, DATA)


def test_if_range_resumes_only_the_same_version(setup: Setup) -> None:
    same = setup.client.get(url(), headers={"Range": "bytes=100-", "If-Range": ETAG})
    assert (same.status_code, same.content) == (206, DATA[100:])
    changed = setup.client.get(url(), headers={"Range": "bytes=100-", "If-Range": '"an-older-version"'})
    assert (changed.status_code, changed.content) == (200, DATA)


def test_head_gives_the_headers_without_the_body(setup: Setup) -> None:
    whole = setup.client.head(url())
    assert (whole.status_code, whole.content, whole.headers["content-length"]) == (200, b"", "1024")
    part = setup.client.head(url(), headers={"Range": "bytes=0-99"})
    assert (part.status_code, part.headers["content-range"], part.headers["content-length"]) == (
        206,
        "bytes 0-99/1024",
        "100",
    )


def test_a_missing_object_is_a_404_problem(setup: Setup) -> None:
    setup.gate.allowed.add("ocean/none.nc")
    assert_problem(setup.client.get(url("ocean/none.nc")), 404, "ocean/none.nc")


@pytest.mark.parametrize(
    "path",
    [
        "/download/..%2F..%2Fetc%2Fpasswd",
        "/download/ocean/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/download/%2Fetc%2Fpasswd",
        "/download/ocean/a%00b.nc",
        "/download/.terrapole/checksums/ocean.json",
    ],
)
def test_keys_that_escape_are_refused_before_anything_else(setup: Setup, path: str) -> None:
    response = setup.client.get(path)
    assert_problem(response, 400, "key")
    assert setup.gate.asked == []


def test_authorisation_is_asked_and_a_refusal_is_a_403_problem(setup: Setup) -> None:
    setup.gate.allowed.clear()
    response = setup.client.get(url(), headers={"Range": "bytes=0-9"})
    body = assert_problem(response, 403, KEY)
    assert body["code"] == "AccessDenied"
    assert setup.gate.asked == [KEY]
    assert setup.gate.events[-1] == DownloadEvent(KEY, 403, 0, "refused", error="AccessDenied")


def test_an_authorize_that_returns_nothing_refuses(object_store: Store) -> None:
    object_store.put(KEY, [DATA])
    app = FastAPI()
    add_problem_handlers(app)
    careless: Callable[[Request, str], bool] = lambda request, key: None  # type: ignore[assignment,return-value]  # noqa: E731
    app.include_router(download_router(lambda: object_store, careless))
    with TestClient(app) as client:
        assert_problem(client.get(url()), 403, KEY)
        assert_problem(client.get(url() + "?expires=1&signature=x"), 403, "signed URLs")


def test_a_signed_url_opens_the_object_without_the_authorisation(setup: Setup) -> None:
    setup.gate.allowed.clear()
    params = setup.signer.sign(KEY, expires_in=300, subject="alice")
    link = signed_download_url("http://testserver", KEY, params)
    assert link.startswith(f"http://testserver/download/{KEY}?expires=")
    response = setup.client.get(link)
    assert (response.status_code, response.content) == (200, DATA)
    ranged = setup.client.get(link, headers={"Range": "bytes=-10"})
    assert (ranged.status_code, ranged.content) == (206, DATA[-10:])
    assert setup.client.head(link).status_code == 200
    assert setup.gate.asked == []
    assert setup.gate.events[0] == DownloadEvent(KEY, 200, 1024, "served", signed=True, subject="alice")
    assert setup.gate.events[1] == DownloadEvent(KEY, 206, 10, "served", signed=True, subject="alice")


def test_a_signed_url_for_a_key_with_spaces_and_accents(setup: Setup, object_store: Store) -> None:
    key = "biodiversité/relevés 2024/espèce #1+2.csv"
    object_store.put(key, [b"lat,lon\n"])
    link = signed_download_url("http://testserver", key, setup.signer.sign(key, expires_in=60))
    response = setup.client.get(link)
    assert (response.status_code, response.content) == (200, b"lat,lon\n")


def test_expired_and_tampered_signed_urls_are_refused_distinctly(setup: Setup) -> None:
    params = setup.signer.sign(KEY, expires_in=60, subject="alice")
    other = "ocean/sst/2024/sst_20240116.nc"
    cases = {
        "tampered key": (url(other), params),
        "tampered expiry": (url(), {**params, "expires": str(int(params["expires"]) + 86400)}),
        "tampered subject": (url(), {**params, "subject": "bob"}),
        "no signature": (url(), {"expires": params["expires"]}),
    }
    for name, (path, query) in cases.items():
        body = assert_problem(setup.client.get(path, params=query), 403, "signature")
        assert body["code"] == "InvalidSignature", name
    setup.clock[0] = NOW + 61
    body = assert_problem(setup.client.get(url(), params=params), 403, "expired")
    assert body["code"] == "SignatureExpired"
    assert setup.gate.events[-1] == DownloadEvent(
        KEY, 403, 0, "refused", signed=True, subject="alice", error="SignatureExpired"
    )


def test_a_signed_url_can_be_refused_by_the_signed_hook(setup: Setup) -> None:
    setup.gate.signed_ok = False
    params = setup.signer.sign(KEY, expires_in=60, subject="alice")
    assert_problem(setup.client.get(url(), params=params), 403, "no longer")


def test_the_audit_counts_the_bytes_sent(setup: Setup) -> None:
    setup.client.get(url())
    setup.client.get(url(), headers={"Range": "bytes=0-99"})
    setup.client.get(url(), headers={"If-None-Match": ETAG})
    setup.client.get(url(), headers={"Range": "bytes=4096-"})
    assert [(e.status, e.bytes_sent, e.outcome) for e in setup.gate.events] == [
        (200, 1024, "served"),
        (206, 100, "served"),
        (304, 0, "served"),
        (416, 0, "served"),
    ]


def test_parse_range_edge_cases() -> None:
    assert parse_range(None, 10) is None
    assert parse_range("bytes=0-", 10) == (0, 10)
    assert parse_range("bytes=-3", 2) == (0, 2)
    assert parse_range("bytes=٣-5", 10) is None  # non-ASCII digits
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=-1", 0)  # nothing to suffix in an empty object
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=0-", 0)


def test_wiring_into_the_application(tmp_path: Path) -> None:
    """How app.py plugs downloads in: the configured store, the server's signer, and access control's
    hooks (`access.downloads`; KEY lies outside the asset layout, so no catalogued item holds it and
    only platform administrators may read it without a signed URL)."""
    settings = Settings(data_dir=tmp_path)
    store_from_settings(settings).put(KEY, [DATA])
    app = create_app(settings)
    with TestClient(app) as client:
        assert_problem(client.get(url()), 404, KEY)
        signer = app.state.signer
        link = signed_download_url("http://testserver", KEY, signer.sign(KEY, expires_in=60))
        response = client.get(link, headers={"Range": "bytes=0-9"})
        assert (response.status_code, response.content) == (206, DATA[:10])
        assert "/download/{key}" in client.get("/api").json()["paths"]
