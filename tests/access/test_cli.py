"""The administration commands, against the same database as a running application."""

from __future__ import annotations

from typing import Any

from tests.access.conftest import World, ok
from typer.testing import CliRunner

from terrapole.cli import app as cli


def run(world: World, *args: str, input: str | None = None, code: int = 0) -> Any:
    env = {
        "TERRAPOLE_DATA_DIR": str(world.settings.data_dir),
        "TERRAPOLE_DATABASE_URL": world.settings.database_url or "",
    }
    result = CliRunner().invoke(cli, list(args), input=input, env=env)
    assert result.exit_code == code, result.output
    return result


def test_users_and_tokens(fresh_world: World) -> None:
    run(
        fresh_world,
        "users",
        "add",
        "alice",
        "--password-stdin",
        "--category",
        "french-public-actor",
        "--group",
        "pole-admins:land",
        "--group",
        "team",
        input="a long enough password\n",
    )
    listed = run(fresh_world, "users", "list").stdout
    assert "alice\tfrench-public-actor\tpole-admins:land,team" in listed
    created = run(fresh_world, "tokens", "create", "alice", "--expires", "30", "--label", "laptop")
    token = created.stdout.strip()
    assert token.startswith("tp_") and len(token.splitlines()) == 1
    me = ok(fresh_world.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}))
    assert (me["name"], me["category"]) == ("alice", "french-public-actor")
    token_id = fresh_world.store.tokens.list("alice")[0].id
    assert f"{token_id}\tlaptop\texpires 20" in run(fresh_world, "tokens", "list", "alice").stdout
    run(fresh_world, "tokens", "revoke", str(token_id))
    assert fresh_world.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    run(fresh_world, "users", "set", "alice", "--remove-group", "team", "--category", "other")
    assert fresh_world.store.accounts.get("alice").groups == frozenset({"pole-admins:land"})
    assert "user 'ghost' not found" in run(fresh_world, "tokens", "create", "ghost", code=1).output
    assert (
        "password"
        in run(fresh_world, "users", "add", "bob", "--password-stdin", input="short\n", code=2).output
    )
    assert "category" in run(fresh_world, "users", "add", "bob", "--category", "alien", code=2).output


def test_policies_and_licences(fresh_world: World) -> None:
    run(fresh_world, "licences", "add", "spot", "--version", "3", "--title", "SPOT imagery licence")
    run(fresh_world, "policy", "set", "open", "embargo", "--until", "2999-01-01")
    assert fresh_world.client.get("/data/open/open-1/data").json()["reason"] == "embargoed"
    run(fresh_world, "policy", "set", "open", "restricted", "--group", "insiders")
    assert fresh_world.client.get("/stac/collections/open").status_code == 404
    run(fresh_world, "policy", "set", "open", "licensed", "--licence", "spot")
    run(
        fresh_world,
        "policy",
        "set",
        "open",
        "eligible",
        "--categories",
        "french-public-research,french-public-actor",
    )
    run(fresh_world, "policy", "set", "open", "open", "--item", "open-2")
    shown = run(fresh_world, "policy", "show", "open").stdout.splitlines()
    assert shown[0] == 'open\teligible\t{"categories":["french-public-actor","french-public-research"]}'
    assert shown[1].startswith("open/open-2\topen")
    assert "unknown policy kind" in run(fresh_world, "policy", "set", "open", "secret", code=2).output
    assert "not found" in run(fresh_world, "policy", "set", "nowhere", "open", code=1).output
    assert (
        "not registered"
        in run(fresh_world, "policy", "set", "open", "licensed", "--licence", "x", code=1).output
    )


def test_requests(fresh_world: World) -> None:
    form = {"collection": "eligible", "purpose": "land cover", "evidence": "university lab"}
    first = ok(fresh_world.post("eligible-no-grant", "/access/requests", form), 201)
    assert (
        f"{first['id']}\tsubmitted\teligible-no-grant\teligible"
        in run(fresh_world, "requests", "list").stdout
    )
    run(fresh_world, "requests", "approve", str(first["id"]), "--expires", "10", "--quota", "3 scenes/30d")
    approved = ok(fresh_world.get("eligible-no-grant", f"/access/requests/{first['id']}"))
    assert approved["state"] == "approved" and approved["quota"] == "3 scenes/30d"
    assert approved["history"][1]["actor"] == "operator" and approved["history"][1]["quota"] == "3 scenes/30d"
    assert fresh_world.get("eligible-no-grant", "/data/eligible/eligible-1/data").status_code == 200
    run(fresh_world, "requests", "revoke", str(first["id"]), "--reason", "misuse")
    assert fresh_world.get("eligible-no-grant", "/data/eligible/eligible-1/data").status_code == 403
    assert "revoked" in run(fresh_world, "requests", "list", "--state", "revoked").stdout
    refused = run(fresh_world, "requests", "refuse", str(first["id"]), "--reason", "x", code=1)
    assert "is revoked, not submitted" in refused.output
    assert "is revoked" in run(fresh_world, "requests", "approve", str(first["id"]), code=1).output
    assert "quota" in run(fresh_world, "requests", "approve", "1", "--quota", "many", code=2).output
