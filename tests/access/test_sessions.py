"""Password logins: argon2 hashes, session cookies with a CSRF token, and rate limiting per
account and per client address shared by every server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.access.conftest import World, open_world
from tests.protocols.conftest import assert_problem

from terrapole.access.web import CSRF_COOKIE, SESSION_COOKIE
from terrapole.app import create_app

PASSWORD = "correct horse battery staple"


@pytest.fixture
def world(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[World]:
    """A world with small login limits and a user who has a password."""
    with open_world(
        request, backend, tmp_path / "w", login_failures_per_account=3, login_failures_per_address=5
    ) as built:
        built.store.accounts.add("paula", PASSWORD, groups=["platform-admins"])
        yield built


def login(client: TestClient, name: str = "paula", password: str = PASSWORD) -> object:
    return client.post("/auth/login", json={"name": name, "password": password})


def test_a_session_needs_its_csrf_token_for_every_change(world: World) -> None:
    client = world.client
    signed_in = login(client)
    assert signed_in.status_code == 200, signed_in.text
    csrf = signed_in.json()["csrf_token"]
    cookies = signed_in.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in session_cookie and "samesite=strict" in session_cookie.lower()
    csrf_cookie = next(c for c in cookies if c.startswith(CSRF_COOKIE + "="))
    assert "HttpOnly" not in csrf_cookie and csrf in csrf_cookie
    assert world.store.accounts.get("paula").has_password
    assert client.get("/auth/me").json()["name"] == "paula"

    before = client.get("/auth/tokens").json()
    refused = client.post("/auth/tokens", json={"name": "cli"})
    assert assert_problem(refused, 403, "csrf")["reason"] == "csrf"
    wrong = client.post("/auth/tokens", json={"name": "cli"}, headers={"X-CSRF-Token": "forged"})
    assert_problem(wrong, 403, "csrf")
    other_session = TestClient(client.app)
    assert_problem(
        other_session.post("/auth/tokens", json={}, headers={"X-CSRF-Token": csrf}), 401, "sign in"
    )
    assert client.get("/auth/tokens").json() == before

    made = client.post("/auth/tokens", json={"name": "cli"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201 and made.json()["token"].startswith("tp_")
    # Administration by session follows the same rule.
    assert_problem(client.put("/admin/policies/open", json={"kind": "open"}), 403, "csrf")
    assert assert_problem(client.post("/auth/logout"), 403, "csrf")["reason"] == "csrf"
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert_problem(client.get("/auth/me"), 401, "sign in")


def test_login_takes_json_only(world: World) -> None:
    form = world.client.post("/auth/login", data={"name": "paula", "password": PASSWORD})
    assert_problem(form, 400, "body")
    assert SESSION_COOKIE not in form.cookies


def test_logins_are_rate_limited_per_account(world: World) -> None:
    for _ in range(2):
        assert login(world.client, password="wrong password!").status_code == 401
    assert login(world.client).status_code == 200  # a success clears the account's failures
    for _ in range(3):
        assert_problem(login(world.client, password="wrong password!"), 401, "wrong user name or password")
    limited = login(world.client)  # the right password, but too late
    assert_problem(limited, 429, "too many failed logins for this account")
    assert 0 < int(limited.headers["retry-after"]) <= 900
    # Another server process on the same database sees the same count.
    with TestClient(create_app(world.settings, world.catalog)) as second:
        assert login(second).status_code == 429


def test_logins_are_rate_limited_per_client_address(world: World) -> None:
    world.store.accounts.add("quentin", PASSWORD)
    for name in ("a1", "a2", "a3", "a4", "a5"):  # unknown names count as failures too
        assert login(world.client, name).status_code == 401
    assert_problem(login(world.client, "quentin"), 429, "this address")
