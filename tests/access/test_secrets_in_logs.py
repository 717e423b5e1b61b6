"""Secrets never reach the logs: passwords, personal tokens, session cookies, CSRF tokens and
Authorization headers, neither in the application's own logs (captured in process, every logger
at DEBUG) nor in a real server's output (`terrapole serve --log-level debug`)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.access.conftest import World
from tests.support.server_processes import free_port, stop_process
from typer.testing import CliRunner

from terrapole.access.web import SESSION_COOKIE
from terrapole.cli import app as cli
from terrapole.settings import Settings

PASSWORD = "Tr0ub4dor&3-horse-staple"
WRONG = "hunter2-not-the-password"


def exercise(client: httpx.Client | TestClient) -> list[str]:
    """Sign in, make a token, use it, fail once: every secret that went over the wire."""
    failed = client.post("/auth/login", json={"name": "paula", "password": WRONG})
    assert failed.status_code == 401
    signed_in = client.post("/auth/login", json={"name": "paula", "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    csrf = signed_in.json()["csrf_token"]
    session = signed_in.cookies[SESSION_COOKIE]
    made = client.post("/auth/tokens", json={"name": "laptop"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    client.cookies.clear()
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "paula"
    assert client.get("/stac/search", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    bogus = "tp_" + "x" * 43
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {bogus}"}).status_code == 401
    return [PASSWORD, WRONG, csrf, session, token, bogus, "Bearer tp_", "authorization:"]


def assert_no_secret(text: str, secrets: list[str]) -> None:
    lowered = text.lower()
    for secret in secrets:
        assert secret.lower() not in lowered, f"a secret ({secret[:6]}...) reached the logs"


def test_application_logs_hold_no_secret(fresh_world: World, caplog: pytest.LogCaptureFixture) -> None:
    created = CliRunner().invoke(
        cli,
        ["users", "add", "paula", "--password-stdin"],
        input=PASSWORD + "\n",
        env=env_of(fresh_world.settings),
    )
    assert created.exit_code == 0, created.output
    assert PASSWORD not in created.output
    with caplog.at_level(logging.DEBUG):
        secrets = exercise(fresh_world.client)
    assert "user paula signed in" in caplog.text and "failed login for user 'paula'" in caplog.text
    assert "request by paula with a personal token" in caplog.text
    assert_no_secret(caplog.text, secrets)


def test_server_output_holds_no_secret(settings: Settings, tmp_path: Path) -> None:
    environment = {**os.environ, **env_of(settings)}
    subprocess.run(
        [sys.executable, "-m", "terrapole", "users", "add", "paula", "--password-stdin"],
        input=PASSWORD.encode(),
        env=environment,
        check=True,
        capture_output=True,
    )
    port, log = free_port(), tmp_path / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "terrapole", "serve", "--port", str(port), "--log-level", "debug"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            wait_ready(client, server, log)
            secrets = exercise(client)
    finally:
        stop_process(server)
    output = log.read_text(errors="replace")
    assert '"POST /auth/login HTTP/1.1" 200' in output and "user paula signed in" in output
    assert_no_secret(output, secrets)


def env_of(settings: Settings) -> dict[str, str]:
    env = {"TERRAPOLE_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["TERRAPOLE_DATABASE_URL"] = settings.database_url
    return env


def wait_ready(client: httpx.Client, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text(errors="replace")
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"server not ready:\n{log.read_text(errors='replace')[-3000:]}")
