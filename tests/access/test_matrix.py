"""The authorisation matrix: every policy x every kind of user x every endpoint (search, item,
asset link, download), on the real application over each catalog backend.

`EXPECTED` says, per policy, who may see the metadata and who may read the data; everything
else is refused: restricted metadata is a 404 (as if it did not exist), refused data a 401 for
anonymous users (sign in) and a 403 for signed-in ones.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.access.conftest import KINDS, POLICIES, WORD, World, item_id, stored_bytes, stored_key

EVERYONE = frozenset(KINDS)
STAFF = frozenset({"curator", "admin"})
LICENSEES = frozenset({"ordinary", "eligible-no-grant", "eligible-grant", "over-quota"})

# policy -> (who sees the metadata, who reads the data)
EXPECTED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "open": (EVERYONE, EVERYONE),
    "embargo-future": (EVERYONE, STAFF),
    "embargo-past": (EVERYONE, EVERYONE),
    "restricted": (STAFF | {"member"}, STAFF | {"member"}),
    "licensed": (EVERYONE, STAFF | LICENSEES),
    "licence-v2": (EVERYONE, STAFF),  # the licensees accepted version 1 only
    "eligible": (EVERYONE, STAFF | {"eligible-grant"}),
}
# Why data is refused, per policy, for signed-in users (anonymous users are asked to sign in).
REFUSAL = {
    "embargo-future": "embargoed",
    "licensed": "licence-not-accepted",
    "licence-v2": "licence-version",
}
ELIGIBLE_REFUSAL = {
    "ordinary": "not-eligible",
    "member": "not-eligible",
    "eligible-no-grant": "no-grant",
    "over-quota": "quota-exceeded",
}


def test_the_matrix_covers_every_policy_kind() -> None:
    assert {p["kind"] for p in POLICIES.values()} == {"open", "embargo", "restricted", "licensed", "eligible"}
    assert set(EXPECTED) == set(POLICIES)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("policy", list(POLICIES))
def test_matrix(world: World, policy: str, kind: str) -> None:
    sees, reads = EXPECTED[policy]
    target = item_id(policy)
    assert search_finds(world, kind, policy, target) == (kind in sees)
    assert item_found(world, kind, policy, target) == (kind in sees)
    assert asset_link_usable(world, kind, policy, target) == (kind in reads)
    assert download(world, kind, policy, target, refusal(policy, kind)) == (kind in reads)


def refusal(policy: str, kind: str) -> str | None:
    if kind == "member" and policy.startswith("licen"):
        return "licence-not-accepted"  # members accepted no licence at all
    if policy == "eligible":
        return ELIGIBLE_REFUSAL.get(kind)
    return REFUSAL.get(policy)


def search_finds(world: World, kind: str, policy: str, target: str) -> bool:
    """Item search (GET and POST, with and without text) and collection search agree."""
    by_get = world.get(kind, "/stac/search", params={"collections": policy, "limit": 50})
    assert by_get.status_code == 200, by_get.text
    found = [f["id"] for f in by_get.json()["features"]]
    assert by_get.json()["numberMatched"] == len(found)
    by_post = world.client.post("/stac/search", json={"q": WORD, "limit": 50}, headers=world.headers(kind))
    in_text = target in {f["id"] for f in by_post.json()["features"]}
    listed = world.get(kind, "/stac/collections", params={"q": WORD, "limit": 50}).json()
    in_listing = policy in {c["id"] for c in listed["collections"]}
    assert len({target in found, in_text, in_listing}) == 1, (found, in_text, in_listing)
    return target in found


def item_found(world: World, kind: str, policy: str, target: str) -> bool:
    item = world.get(kind, f"/stac/collections/{policy}/items/{target}")
    collection = world.get(kind, f"/stac/collections/{policy}")
    assert item.status_code in (200, 404) and collection.status_code == item.status_code
    if item.status_code == 404:
        assert item.headers["content-type"].startswith("application/problem+json")
        assert item.json()["detail"] == f"collection {policy!r} not found"  # as if it did not exist
    return bool(item.status_code == 200)


def asset_link_usable(world: World, kind: str, policy: str, target: str) -> bool:
    item = world.get(kind, f"/stac/collections/{policy}/items/{target}")
    if item.status_code != 200:
        return False
    asset = item.json()["assets"]["data"]
    if policy == "open":  # open data keeps its published link
        assert asset["href"] == f"http://testserver/download/{stored_key(policy)}"
    else:
        assert asset["href"] == f"http://testserver/data/{policy}/{target}/data"
    marker = asset.get("terrapole:access")
    if marker is not None:
        assert marker["allowed"] is False and marker["reason"]
    return marker is None


def download(world: World, kind: str, policy: str, target: str, reason: str | None) -> bool:
    """The stored data by the data route and by its object key, and the other item's data published
    elsewhere (a redirect): all three allowed or all three refused alike."""
    by_route = world.get(kind, f"/data/{policy}/{target}/data")
    by_key = world.get(kind, f"/download/{stored_key(policy)}")
    elsewhere = world.get(kind, f"/data/{policy}/{item_id(policy, 2)}/data")
    if by_route.status_code == 200:
        assert by_route.content == by_key.content == stored_bytes(policy)
        assert elsewhere.status_code == 307
        assert (
            elsewhere.headers["location"]
            == f"https://data.terrapole.example/{policy}/{item_id(policy, 2)}.tif"
        )
        return True
    refused = [by_route, by_key, elsewhere]
    if kind == "over-quota" and policy == "eligible":
        # The second item is the one its quota was spent on: already counted, still readable.
        assert refused.pop().status_code == 307
    for response in refused:
        assert (response.status_code, response.json()) == (
            by_route.status_code,
            by_route.json() | body_of(response),
        )
        check_refusal(response, kind, policy, reason)
    return False


def body_of(response: Any) -> dict[str, Any]:
    """The members of a refusal that name what was asked for (the rest must agree)."""
    return {k: v for k, v in response.json().items() if k in ("detail", "description")}


def check_refusal(response: Any, kind: str, policy: str, reason: str | None) -> None:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    if policy == "restricted":
        assert response.status_code == 404
    elif kind == "anonymous":
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
    else:
        assert response.status_code == 403
        assert response.json()["reason"] == reason, response.json()


def test_curators_of_another_pole_do_not_see_a_restricted_collection(world: World) -> None:
    assert world.get("curator", "/stac/collections/ocean-restricted").status_code == 404
    assert world.get("member", "/stac/collections/ocean-restricted").status_code == 200
    assert world.get("admin", "/stac/collections/ocean-restricted").status_code == 200


def test_restricted_collections_are_not_counted_in_searches(world: World) -> None:
    """numberMatched and the landing page leave out what the principal may not see."""
    everyone = world.get("admin", "/stac/collections", params={"limit": 2}).json()
    outsider = world.get("ordinary", "/stac/collections", params={"limit": 2}).json()
    assert everyone["numberMatched"] == len(POLICIES) + 1
    assert outsider["numberMatched"] == len(POLICIES) - 1
    items = world.get("ordinary", "/stac/search", params={"limit": 1}).json()
    assert items["numberMatched"] == 2 * (len(POLICIES) - 1)
    ranked = world.get("ordinary", "/stac/search", params={"q": WORD, "limit": 1}).json()
    assert ranked["numberMatched"] == 2 * (len(POLICIES) - 1)
    landing = world.get("anonymous", "/stac").json()
    children = {link["href"].rsplit("/", 1)[-1] for link in landing["links"] if link["rel"] == "child"}
    assert "restricted" not in children and "open" in children
    assert world.get("anonymous", "/stac/collections/restricted/queryables").status_code == 404
    assert world.get("anonymous", "/stac/collections/restricted/items").status_code == 404


def test_every_data_read_is_audited(world: World) -> None:
    world.get("eligible-no-grant", f"/data/eligible/{item_id('eligible')}/data")
    world.get("eligible-grant", f"/data/eligible/{item_id('eligible')}/data")
    entries = world.get("admin", "/admin/audit", params={"collection": "eligible", "limit": 2}).json()[
        "entries"
    ]
    newest, before = entries
    assert (newest["user"], newest["allowed"], newest["reason"]) == ("eligible-grant", True, "granted")
    assert (before["user"], before["allowed"], before["reason"]) == ("eligible-no-grant", False, "no-grant")
    assert newest["item"] == item_id("eligible") and newest["asset"] == "data"
    assert (newest["client"], newest["outcome"], newest["bytes"]) == (
        "testclient",
        "served",
        len(stored_bytes("eligible")),
    )
