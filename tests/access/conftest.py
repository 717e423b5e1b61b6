"""A small world for access-control tests: one collection per policy, users of every kind with
personal tokens, licences accepted, grants approved and a quota used up, on the real application
over either catalog backend.

The world is set up the way people would set it up: an administrator sets policies, registers
licences and approves requests over HTTP, and users accept licences and submit requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import backend_settings, box, collection_doc, item_doc

from terrapole.access.store import AccessStore
from terrapole.app import create_app
from terrapole.catalog import CatalogStore, open_catalog
from terrapole.core.access import UserCategory
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.settings import Settings
from terrapole.storage import store_from_settings
from terrapole.storage.assets import asset_key

RESEARCH = UserCategory.FRENCH_PUBLIC_RESEARCH
WORD = "zephyrine"  # a word every world record has, for text searches

# collection id -> the policy body an administrator PUTs
POLICIES: dict[str, dict[str, Any]] = {
    "open": {"kind": "open"},
    "embargo-future": {"kind": "embargo", "until": "2999-01-01T00:00:00Z"},
    "embargo-past": {"kind": "embargo", "until": "2000-01-01T00:00:00Z"},
    "restricted": {"kind": "restricted", "groups": ["insiders"]},
    "licensed": {"kind": "licensed", "licence": "lic-a", "version": "1"},
    "licence-v2": {"kind": "licensed", "licence": "lic-b", "version": "2"},
    "eligible": {"kind": "eligible", "categories": [RESEARCH.value]},
}
# user kind -> (category, groups, accepts the licences, grant quota or None)
USERS: dict[str, tuple[UserCategory, tuple[str, ...], bool, str | None]] = {
    "ordinary": (UserCategory.OTHER, (), True, None),
    "eligible-no-grant": (RESEARCH, (), True, None),
    "eligible-grant": (RESEARCH, (), True, "5 scenes/30d"),
    "over-quota": (RESEARCH, (), True, "1 scenes/30d"),
    "member": (UserCategory.OTHER, ("insiders",), False, None),
    "curator": (UserCategory.OTHER, ("pole-curators:land",), False, None),
    "admin": (UserCategory.OTHER, ("platform-admins",), False, None),
}
KINDS = ("anonymous", *USERS)


def item_id(collection: str, n: int = 1) -> str:
    """The id of a world item."""
    return f"{collection}-{n}"


def stored_key(collection: str) -> str:
    """The object key of the data of a collection's first item, which is stored here."""
    return asset_key(collection, item_id(collection), "data.tif")


def stored_bytes(collection: str) -> bytes:
    """What that object holds."""
    return f"pixels of {collection} ".encode() * 100


def world_documents() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One land collection per policy (and an ocean one), two items each."""
    collections, items = [], []
    for n, cid in enumerate([*POLICIES, "ocean-restricted"]):
        pole = "ocean" if cid.startswith("ocean") else "land"
        collections.append(
            collection_doc(
                cid,
                f"{WORD} {cid}",
                f"World collection {cid}",
                [WORD],
                pole,
                [-5, 40, 10, 52],
                ["2020-01-01T00:00:00Z", None],
            )
        )
        for k in (1, 2):
            props = {"datetime": f"2021-0{k}-0{n % 9 + 1}T00:00:00Z", "title": f"{WORD} scene {k}"}
            items.append(item_doc(cid, item_id(cid, k), box(n, 45, 1.0), props))
        # The first item's data is stored here; the second one's is published elsewhere.
        items[-2]["assets"]["data"]["href"] = f"http://testserver/download/{stored_key(cid)}"
    return collections, items


@dataclass
class World:
    """The application and what the tests need to act in it."""

    client: TestClient
    store: AccessStore
    catalog: CatalogStore
    settings: Settings
    tokens: dict[str, str]

    def headers(self, kind: str) -> dict[str, str]:
        """Authorization headers of a user kind (none for anonymous)."""
        return {} if kind == "anonymous" else {"Authorization": f"Bearer {self.tokens[kind]}"}

    def get(self, kind: str, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """GET as a user kind (with these extra headers), without following redirects."""
        sent = {**self.headers(kind), **(headers or {})}
        return self.client.get(url, headers=sent, follow_redirects=False, **kwargs)

    def post(self, kind: str, url: str, body: Any = None) -> Any:
        """POST a JSON body as a user kind."""
        return self.client.post(url, json=body, headers=self.headers(kind))

    def put(self, kind: str, url: str, body: Any) -> Any:
        """PUT a JSON body as a user kind."""
        return self.client.put(url, json=body, headers=self.headers(kind))


def ok(response: Any, status: int = 200) -> Any:
    """The JSON body of a response that must have this status."""
    assert response.status_code == status, response.text
    return response.json()


@contextmanager
def open_world(
    request: pytest.FixtureRequest, backend: str, data_dir: Path, **fields: Any
) -> Iterator[World]:
    """A world on this backend, built in `data_dir`."""
    with backend_settings(request, backend, data_dir=data_dir, **fields) as settings:
        catalog = open_catalog(settings)
        store = AccessStore.open(settings)
        collections, items = world_documents()
        catalog.upsert_collections(parse_collection(doc) for doc in collections)
        catalog.upsert_items(parse_item(doc) for doc in items)
        objects = store_from_settings(settings)
        for doc in collections:
            objects.put(stored_key(doc["id"]), [stored_bytes(doc["id"])])
        tokens = {}
        for kind, (category, groups, _, _) in USERS.items():
            store.accounts.add(kind, category=category, groups=groups)
            tokens[kind] = store.tokens.create(kind, "tests")[1]
        try:
            with TestClient(create_app(settings, catalog, store)) as client:
                world = World(client, store, catalog, settings, tokens)
                furnish(world)
                yield world
        finally:
            store.close()
            catalog.close()


def furnish(world: World) -> None:
    """Policies, licences, acceptances, grants, and one quota used up."""
    for licence, version in (("lic-a", "1"), ("lic-b", "1"), ("lic-b", "2")):
        ok(
            world.post(
                "admin",
                "/admin/licences",
                {"id": licence, "version": version, "title": f"{licence} v{version}"},
            ),
            201,
        )
    for cid, policy in [
        *POLICIES.items(),
        ("ocean-restricted", {"kind": "restricted", "groups": ["insiders"]}),
    ]:
        ok(world.put("admin", f"/admin/policies/{cid}", policy))
    for kind, (_, _, accepts, quota) in USERS.items():
        if accepts:
            ok(world.post(kind, "/licences/lic-a/accept", {"version": "1"}))
            ok(world.post(kind, "/licences/lic-b/accept", {"version": "1"}))
        if quota:
            form = {"collection": "eligible", "purpose": "coastline study", "evidence": "CNRS laboratory"}
            submitted = ok(world.post(kind, "/access/requests", form), 201)
            approval = {"expires_days": 30, "quota": quota}
            ok(world.post("admin", f"/admin/requests/{submitted['id']}/approve", approval))
    # The over-quota user's only scene goes on another item.
    assert world.get("over-quota", f"/data/eligible/{item_id('eligible', 2)}/data").status_code == 307


@pytest.fixture(scope="module")
def world(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A world shared by a module's tests (which must not change it)."""
    with open_world(request, backend, tmp_path_factory.mktemp("world")) as built:
        yield built


@pytest.fixture
def fresh_world(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[World]:
    """A world of this test's own."""
    with open_world(request, backend, tmp_path / "world") as built:
        yield built
