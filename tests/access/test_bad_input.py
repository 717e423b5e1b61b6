"""Bad input gets a clear 4xx problem+json and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.access.conftest import World, ok
from tests.protocols.conftest import assert_problem

from terrapole.access.credentials import Tokens


def snapshot(world: World) -> dict[str, Any]:
    """Everything a refused request could have changed."""
    admin = world.headers("admin")
    return {
        "users": world.client.get("/admin/users", headers=admin).json(),
        "requests": world.client.get("/admin/requests", headers=admin).json(),
        "policies": world.client.get("/admin/policies", headers=admin).json(),
        "tokens": {
            kind: world.client.get("/auth/tokens", headers=world.headers(kind)).json()
            for kind in world.tokens
        },
        "acceptances": {
            kind: sorted(map(str, world.store.policies.acceptances(world.store.accounts.get(kind).id)))
            for kind in world.tokens
        },
    }


def test_unknown_user(fresh_world: World) -> None:
    before = snapshot(fresh_world)
    assert_problem(
        fresh_world.post("admin", "/admin/users/ghost/tokens", {"name": "x"}), 404, "user 'ghost' not found"
    )
    assert_problem(fresh_world.get("admin", "/admin/users/ghost"), 404, "ghost")
    login = fresh_world.client.post("/auth/login", json={"name": "ghost", "password": "whatever-it-is"})
    assert_problem(login, 401, "wrong user name or password")
    assert_problem(fresh_world.post("admin", "/admin/users", {"name": "bad name!"}), 400, "name")
    assert_problem(fresh_world.post("admin", "/admin/users", {"name": "ordinary"}), 409, "already exists")
    assert_problem(
        fresh_world.post("admin", "/admin/users", {"name": "x", "category": "alien"}), 400, "category"
    )
    assert snapshot(fresh_world) == before


def test_expired_and_revoked_tokens(fresh_world: World) -> None:
    store = fresh_world.store
    yesterday = store.clock() - timedelta(days=2)
    _, expired = Tokens(store.db, clock=lambda: yesterday).create("ordinary", "old", expires_days=1)
    body = assert_problem(fresh_world.client.get("/auth/me", headers=bearer(expired)), 401, "expired")
    assert body["reason"] == "expired-token"

    made = ok(fresh_world.post("ordinary", "/auth/tokens", {"name": "laptop", "expires_days": 30}), 201)
    assert ok(fresh_world.client.get("/auth/me", headers=bearer(made["token"])))["name"] == "ordinary"
    # Someone else's token: not found, and still valid.
    assert_problem(
        fresh_world.client.delete(f"/auth/tokens/{made['id']}", headers=fresh_world.headers("member")),
        404,
        "token",
    )
    assert fresh_world.client.get("/auth/me", headers=bearer(made["token"])).status_code == 200
    assert ok(
        fresh_world.client.delete(f"/auth/tokens/{made['id']}", headers=fresh_world.headers("ordinary"))
    )["revoked"]
    body = assert_problem(fresh_world.client.get("/auth/me", headers=bearer(made["token"])), 401, "revoked")
    assert body["reason"] == "revoked-token"
    for wrong in ("tp_not-a-token", "Basic abc", ""):
        header = {"Authorization": wrong if " " in wrong else f"Bearer {wrong}"}
        assert fresh_world.client.get("/stac/collections", headers=header).status_code == 401


def test_wrong_licence_version(fresh_world: World) -> None:
    before = snapshot(fresh_world)
    assert_problem(fresh_world.post("member", "/licences/lic-a/accept", {"version": "9"}), 404, "version '9'")
    assert_problem(
        fresh_world.post("member", "/licences/nope/accept", {"version": "1"}), 404, "licence 'nope'"
    )
    assert_problem(fresh_world.post("anonymous", "/licences/lic-a/accept", {"version": "1"}), 401, "sign in")
    assert snapshot(fresh_world) == before
    # A policy naming an unregistered version is refused too.
    bad = {"kind": "licensed", "licence": "lic-a", "version": "7"}
    assert_problem(fresh_world.put("admin", "/admin/policies/open", bad), 404, "not registered")
    assert snapshot(fresh_world) == before


def test_requests_only_for_eligibility_based_collections(fresh_world: World) -> None:
    before = snapshot(fresh_world)
    form = {"purpose": "study", "evidence": "lab"}
    assert_problem(
        fresh_world.post("eligible-no-grant", "/access/requests", {**form, "collection": "open"}),
        409,
        "open policy",
    )
    assert_problem(
        fresh_world.post("ordinary", "/access/requests", {**form, "collection": "eligible"}),
        409,
        "category other",
    )
    assert_problem(
        fresh_world.post("ordinary", "/access/requests", {**form, "collection": "restricted"}),
        404,
        "not found",
    )
    assert_problem(
        fresh_world.post("ordinary", "/access/requests", {**form, "collection": "nowhere"}), 404, "nowhere"
    )
    assert_problem(
        fresh_world.post("anonymous", "/access/requests", {**form, "collection": "eligible"}), 401, "sign in"
    )
    blank = {"collection": "eligible", "purpose": "  ", "evidence": "lab"}
    assert_problem(fresh_world.post("eligible-no-grant", "/access/requests", blank), 400, "purpose")
    area = {
        **form,
        "collection": "eligible",
        "area_of_interest": {"type": "Polygon", "coordinates": [[1, 2]]},
    }
    assert_problem(fresh_world.post("eligible-no-grant", "/access/requests", area), 400, "area_of_interest")
    assert snapshot(fresh_world) == before


def test_only_administrators_of_the_pole_decide_requests(fresh_world: World) -> None:
    form = {"collection": "eligible", "purpose": "forest mapping", "evidence": "INRAE unit"}
    submitted = ok(fresh_world.post("eligible-no-grant", "/access/requests", form), 201)
    approve = f"/admin/requests/{submitted['id']}/approve"
    ocean_admin = fresh_world.store.accounts.add("oscar", groups=["pole-admins:ocean"])
    oscar = fresh_world.store.tokens.create(ocean_admin.name)[1]
    before = snapshot(fresh_world)
    assert_problem(fresh_world.post("ordinary", approve, {"quota": "5 scenes/30d"}), 403, "administrators")
    assert_problem(fresh_world.post("curator", approve, {}), 403, "administrators")
    assert_problem(fresh_world.client.post(approve, json={}, headers=bearer(oscar)), 403, "pole land")
    assert_problem(fresh_world.post("anonymous", approve, {}), 401, "sign in")
    assert_problem(fresh_world.post("admin", approve, {"quota": "lots"}), 400, "quota")
    assert_problem(fresh_world.post("admin", approve, {"expires": "2001-01-01"}), 400, "expires")
    assert_problem(fresh_world.post("admin", "/admin/requests/999/approve", {}), 404, "999")
    assert_problem(
        fresh_world.post("admin", f"/admin/requests/{submitted['id']}/refuse", {"reason": ""}), 400, "reason"
    )
    assert snapshot(fresh_world) == before
    request = ok(fresh_world.get("eligible-no-grant", f"/access/requests/{submitted['id']}"))
    assert request["state"] == "submitted" and len(request["history"]) == 1
    refused = ok(
        fresh_world.post("admin", f"/admin/requests/{submitted['id']}/refuse", {"reason": "no agreement"})
    )
    assert [h["state"] for h in refused["history"]] == ["submitted", "refused"]
    assert refused["history"][1]["reason"] == "no agreement" and refused["history"][1]["actor"] == "admin"
    assert_problem(fresh_world.post("admin", approve, {}), 409, "refused, not submitted")


def test_policies_need_an_administrator_and_a_catalogued_collection(fresh_world: World) -> None:
    before = snapshot(fresh_world)
    assert_problem(
        fresh_world.put("curator", "/admin/policies/open", {"kind": "restricted", "groups": ["x"]}),
        403,
        "administrators",
    )
    assert_problem(fresh_world.put("admin", "/admin/policies/nowhere", {"kind": "open"}), 404, "nowhere")
    assert_problem(fresh_world.put("admin", "/admin/policies/open", {"kind": "sometimes"}), 400, "kind")
    assert_problem(
        fresh_world.put("admin", "/admin/policies/open", {"kind": "embargo", "until": "soon"}), 400, "until"
    )
    override = {"kind": "restricted", "groups": ["insiders"]}
    assert_problem(
        fresh_world.put("admin", "/admin/policies/open/items/open-1", override), 400, "whole collections"
    )
    assert_problem(
        fresh_world.put("admin", "/admin/policies/open/items/missing", {"kind": "open"}), 404, "missing"
    )
    assert snapshot(fresh_world) == before


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
