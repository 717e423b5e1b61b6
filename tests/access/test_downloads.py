"""Stored data under access control: `/download/{key}` and `/data/...` decide, count and audit
each read of a catalogued object, byte ranges included; signed URLs follow their user's rights."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from tests.access.conftest import World, ok
from tests.conftest import box, item_doc

from terrapole.formats.stac import parse_item
from terrapole.storage import store_from_settings
from terrapole.storage.assets import asset_key

BODY = bytes(range(256)) * 400  # 102,400 bytes
KEY = asset_key("eligible", "eligible-3", "scene.tif")


@pytest.fixture
def stored(fresh_world: World) -> World:
    """The fresh world plus an eligible scene stored here, and a loose object outside the catalog."""
    objects = store_from_settings(fresh_world.settings)
    objects.put(KEY, [BODY[:50_000], BODY[50_000:]])
    objects.put("loose/notes.txt", [b"not catalogued"])
    doc = item_doc("eligible", "eligible-3", box(6, 45, 1), {"datetime": "2021-03-01T00:00:00Z"})
    doc["assets"] = {"data": {"href": f"http://testserver/download/{KEY}", "roles": ["data"]}}
    fresh_world.catalog.upsert_items([parse_item(doc)])
    return fresh_world


def test_stored_scene_is_refused_then_streamed_with_ranges(stored: World) -> None:
    assert stored.get("anonymous", f"/download/{KEY}").status_code == 401
    refused = stored.get("eligible-no-grant", f"/download/{KEY}")
    assert (refused.status_code, refused.json()["reason"]) == (403, "no-grant")
    assert stored.get("over-quota", "/data/eligible/eligible-3/data").json()["reason"] == "quota-exceeded"

    part = stored.get(
        "eligible-grant", "/data/eligible/eligible-3/data", headers={"Range": "bytes=1000-1999"}
    )
    assert part.status_code == 206, part.text
    assert part.content == BODY[1000:2000]
    whole = stored.get("eligible-grant", f"/download/{KEY}")
    assert whole.status_code == 200 and whole.content == BODY

    entries = ok(stored.get("admin", "/admin/audit", params={"collection": "eligible", "limit": 5}))[
        "entries"
    ]
    served = [(e["user"], e["bytes"], e["outcome"], e["reason"], e["asset"]) for e in entries if e["allowed"]]
    assert served[:2] == [
        ("eligible-grant", len(BODY), "served", "granted", "data"),
        ("eligible-grant", 1000, "served", "granted", "data"),
    ]
    refusals = [(e["user"], e["reason"]) for e in entries if not e["allowed"]]
    assert ("eligible-no-grant", "no-grant") in refusals and (None, "not-eligible") in refusals


def test_a_scene_counts_once_however_many_ranges_are_read(stored: World) -> None:
    user = stored.store.accounts.get("eligible-grant")
    grants = stored.store.requests.grants(user.id)
    head = stored.client.head(f"/download/{KEY}", headers=stored.headers("eligible-grant"))
    assert (head.status_code, head.headers["content-length"]) == (200, str(len(BODY)))
    assert (
        stored.client.head(
            "/data/eligible/eligible-3/data", headers=stored.headers("eligible-grant")
        ).status_code
        == 200
    )
    assert [u.amount for u in stored.store.requests.usage(grants, stored.store.clock()).values()] == [0.0]
    for start in (0, 100, 200):
        headers = {"Range": f"bytes={start}-{start + 99}"}
        assert stored.get("eligible-grant", f"/download/{KEY}", headers).status_code == 206
    usage = stored.store.requests.usage(grants, stored.store.clock())
    assert [(u.amount, sorted(u.items)) for u in usage.values()] == [(1.0, ["eligible-3"])]


def test_objects_outside_the_catalog_are_for_platform_admins(stored: World) -> None:
    hidden = stored.get("ordinary", "/download/loose/notes.txt")
    assert hidden.status_code == 404 and hidden.headers["content-type"].startswith("application/problem+json")
    assert stored.get("admin", "/download/loose/notes.txt").content == b"not catalogued"


def test_signed_urls_follow_their_users_rights(stored: World) -> None:
    signer = stored.client.app.state.signer  # type: ignore[attr-defined]
    url = f"/download/{KEY}?" + urlencode(signer.sign(KEY, 600, subject="eligible-grant"))
    assert stored.client.get(url).content == BODY  # no credentials: the signature stands for them
    tampered = url.replace("subject=eligible-grant", "subject=eligible-no-grant")
    assert stored.client.get(tampered).status_code == 403
    approved = ok(stored.get("admin", "/admin/requests", params={"state": "approved"}))["requests"]
    grant = next(r for r in approved if r["user"] == "eligible-grant")
    ok(stored.post("admin", f"/admin/requests/{grant['id']}/revoke", {"reason": "project ended"}))
    after = stored.client.get(url)
    assert (after.status_code, after.json()["reason"]) == (403, "grant-expired")
    anonymous_url = f"/download/{KEY}?" + urlencode(signer.sign(KEY, 600))
    assert stored.client.get(anonymous_url).status_code == 200
