"""The access tables on each backend: migrations, request histories and quotas under concurrency."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from terrapole.access.db import open_database
from terrapole.access.requests import RequestState, Submission
from terrapole.access.schema import SCHEMA_VERSION
from terrapole.access.store import AccessStore
from terrapole.core.access import (
    OPERATOR,
    AccessPolicy,
    Action,
    Decision,
    Entitlements,
    Quota,
    Resource,
    UserCategory,
    decide,
)
from terrapole.core.errors import Conflict, StorageError
from terrapole.settings import Settings

RESEARCH = UserCategory.FRENCH_PUBLIC_RESEARCH
POLICY = AccessPolicy.eligible([RESEARCH])


@pytest.fixture
def access(settings: Settings) -> Iterator[AccessStore]:
    store = AccessStore.open(settings)
    yield store
    store.close()


def test_migrations_are_versioned_and_idempotent(settings: Settings, access: AccessStore) -> None:
    AccessStore.open(settings).close()  # again: nothing to do, nothing broken
    with access.db.transaction() as tx:
        row = tx.one("SELECT value FROM access_meta WHERE key = 'schema_version'")
        assert row == {"value": str(SCHEMA_VERSION)}
        tx.run("UPDATE access_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    with pytest.raises(StorageError, match="newer than this terrapole"):
        open_database(settings)


def test_every_state_change_is_kept(access: AccessStore) -> None:
    user = access.accounts.add("rita", category=RESEARCH)
    form = Submission("vhr", "urban heat study", "CNRS UMR 5245", {"type": "Point", "coordinates": [1, 45]})
    first = access.requests.submit(user.principal(), "land", POLICY, form)
    with pytest.raises(Conflict, match="already waiting"):
        access.requests.submit(user.principal(), "land", POLICY, form)
    access.requests.refuse(first.id, OPERATOR, "evidence unclear")
    second = access.requests.submit(user.principal(), "land", POLICY, form)
    expires = access.clock() + timedelta(days=90)
    access.requests.approve(second.id, OPERATOR, expires, Quota.parse("10 scenes/30d"))
    revoked = access.requests.revoke(second.id, OPERATOR, "left the laboratory")
    history = [(e.state, e.actor, e.reason) for e in revoked.events]
    assert history == [
        (RequestState.SUBMITTED, "rita", None),
        (RequestState.APPROVED, "operator", None),
        (RequestState.REVOKED, "operator", "left the laboratory"),
    ]
    assert revoked.events[1].details == {"expires": revoked.to_json()["expires"], "quota": "10 scenes/30d"}
    assert access.requests.get(first.id, OPERATOR).state is RequestState.REFUSED
    assert revoked.area_of_interest == {"type": "Point", "coordinates": [1, 45]}
    grants = access.requests.grants(user.id)
    assert [(g.id, g.active) for g in grants] == [(second.id, False)]


def test_concurrent_downloads_cannot_overrun_a_quota(access: AccessStore) -> None:
    user = access.accounts.add("rita", category=RESEARCH)
    submitted = access.requests.submit(user.principal(), "land", POLICY, Submission("vhr", "p", "e"))
    access.requests.approve(submitted.id, OPERATOR, None, Quota.parse("3 scenes/30d"))
    grants = access.requests.grants(user.id)
    principal = access.accounts.get("rita").principal()

    def download(n: int) -> Decision:
        resource = Resource("vhr", "land", POLICY, f"scene-{n}")

        def decide_with(usage: object) -> Decision:
            held = Entitlements(grants, frozenset(), usage)  # type: ignore[arg-type]
            return decide(principal, resource, Action.READ_DATA, access.clock(), held)

        return access.requests.settle(grants, f"scene-{n}", decide_with)

    with ThreadPoolExecutor(8) as pool:
        decisions = list(pool.map(download, range(12)))
    assert sum(d.allowed for d in decisions) == 3
    assert {d.code for d in decisions if not d.allowed} == {"quota-exceeded"}
    usage = access.requests.usage(grants, access.clock())
    assert usage[submitted.id].amount == 3.0
