"""The one access decision, as a pure function: every policy kind against the facts it reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from terrapole.core.access import (
    ANONYMOUS,
    NO_ENTITLEMENTS,
    AccessPolicy,
    Action,
    Decision,
    Entitlements,
    Grant,
    LicenceRef,
    PolicyKind,
    Principal,
    Quota,
    QuotaUnit,
    Resource,
    Usage,
    UserCategory,
    decide,
)
from terrapole.core.errors import InvalidParameter

NOW = datetime(2025, 6, 1, tzinfo=UTC)
RESEARCH = UserCategory.FRENCH_PUBLIC_RESEARCH
ALICE = Principal(1, "alice")
RESEARCHER = Principal(2, "rita", RESEARCH)
LICENCE = LicenceRef("spot-vhr", "2")


def read(
    principal: Principal, resource: Resource, held: Entitlements = NO_ENTITLEMENTS, now: datetime = NOW
) -> Decision:
    return decide(principal, resource, Action.READ_DATA, now, held)


def test_open_is_readable_by_anyone() -> None:
    decision = read(ANONYMOUS, Resource("c"))
    assert (decision.allowed, decision.code) == (True, "open")


def test_embargo_releases_at_its_date_and_lets_early_readers_in() -> None:
    policy = AccessPolicy.embargo(NOW + timedelta(days=1), readers=["team"])
    resource = Resource("c", policy=policy, item="i")
    before = read(ALICE, resource)
    assert (before.allowed, before.code) == (False, "embargoed")
    assert "2025-06-02T00:00:00Z" in before.reason
    assert read(ALICE, resource, now=NOW + timedelta(days=1)).allowed
    assert read(Principal(3, "tom", groups=frozenset({"team"})), resource).allowed
    anonymous = read(ANONYMOUS, resource)
    assert anonymous.sign_in and not anonymous.allowed
    assert decide(ANONYMOUS, resource, Action.DISCOVER, NOW).allowed


def test_restricted_is_invisible_outside_its_groups() -> None:
    resource = Resource("secret", "land", AccessPolicy.restricted(["insiders"]))
    member = Principal(4, "ines", groups=frozenset({"insiders"}))
    for action in Action:
        assert not decide(ALICE, resource, action, NOW).allowed
        assert decide(ALICE, resource, action, NOW).code == "restricted"
        assert decide(member, resource, action, NOW).allowed
    curator = Principal(5, "cora", groups=frozenset({"pole-curators:land"}))
    other_pole = Principal(6, "otto", groups=frozenset({"pole-curators:ocean"}))
    assert decide(curator, resource, Action.READ_DATA, NOW).allowed
    assert not decide(other_pole, resource, Action.DISCOVER, NOW).allowed


def test_licence_needs_the_exact_version_accepted() -> None:
    resource = Resource("c", policy=AccessPolicy.licensed(LICENCE), item="i")
    assert read(ALICE, resource).code == "licence-not-accepted"
    old = read(ALICE, resource, Entitlements(acceptances=frozenset({LicenceRef("spot-vhr", "1")})))
    assert (old.allowed, old.code) == (False, "licence-version")
    assert "you accepted version 1" in old.reason
    assert read(ALICE, resource, Entitlements(acceptances=frozenset({LICENCE}))).allowed
    assert read(ANONYMOUS, resource).sign_in


def eligible(unit: QuotaUnit = QuotaUnit.SCENES, limit: float = 2) -> tuple[Resource, Grant]:
    policy = AccessPolicy.eligible([RESEARCH, UserCategory.FRENCH_PUBLIC_ACTOR])
    grant = Grant(10, "vhr", NOW + timedelta(days=30), Quota(limit, unit, 30))
    return Resource("vhr", policy=policy, item="scene-1", area_km2=60.0), grant


def test_eligible_needs_category_and_a_valid_grant() -> None:
    resource, grant = eligible()
    assert read(ALICE, resource, Entitlements([grant])).code == "not-eligible"
    assert read(RESEARCHER, resource).code == "no-grant"
    expired = Grant(10, "vhr", NOW - timedelta(seconds=1), grant.quota)
    assert read(RESEARCHER, resource, Entitlements([expired])).code == "grant-expired"
    revoked = Grant(10, "vhr", grant.expires, grant.quota, active=False)
    assert not read(RESEARCHER, resource, Entitlements([revoked])).allowed
    other = Grant(11, "other-collection", grant.expires, grant.quota)
    assert read(RESEARCHER, resource, Entitlements([other])).code == "no-grant"
    allowed = read(RESEARCHER, resource, Entitlements([grant]))
    assert (allowed.allowed, allowed.grant_id, allowed.cost) == (True, 10, 1.0)


def test_quota_counts_scenes_once_and_areas_in_km2() -> None:
    resource, grant = eligible()
    full = Entitlements([grant], usage={10: Usage(2.0, frozenset({"scene-0", "scene-9"}))})
    refused = read(RESEARCHER, resource, full)
    assert (refused.allowed, refused.code) == (False, "quota-exceeded")
    counted = Entitlements([grant], usage={10: Usage(2.0, frozenset({"scene-1", "scene-9"}))})
    again = read(RESEARCHER, resource, counted)
    assert (again.allowed, again.cost) == (True, 0.0)
    area, area_grant = eligible(QuotaUnit.KM2, 100)
    half = Entitlements([area_grant], usage={10: Usage(50.0)})
    assert read(RESEARCHER, area, half).code == "quota-exceeded"  # 50 + 60 > 100
    assert read(RESEARCHER, area, Entitlements([area_grant], usage={10: Usage(40.0)})).cost == 60.0


def test_eligible_with_a_licence_checks_the_licence_first() -> None:
    policy = AccessPolicy.eligible([RESEARCH], LICENCE)
    resource = Resource("vhr", policy=policy, item="i")
    grant = Grant(1, "vhr")
    assert read(RESEARCHER, resource, Entitlements([grant])).code == "licence-not-accepted"
    assert read(RESEARCHER, resource, Entitlements([grant], frozenset({LICENCE}))).allowed


def test_item_overrides_change_data_access_not_visibility() -> None:
    embargoed = AccessPolicy.embargo(NOW + timedelta(days=3))
    resource = Resource("c", item="i", item_policy=embargoed)
    assert decide(ANONYMOUS, resource, Action.DISCOVER, NOW).allowed
    assert read(ANONYMOUS, resource).code == "embargoed"
    opened = Resource("c", policy=embargoed, item="i", item_policy=AccessPolicy.open())
    assert read(ANONYMOUS, opened).allowed


def test_platform_admins_may_do_everything() -> None:
    admin = Principal(9, "root", groups=frozenset({"platform-admins"}))
    resource = Resource("c", "ocean", AccessPolicy.restricted(["x"]))
    assert decide(admin, resource, Action.READ_DATA, NOW).code == "staff"
    assert admin.administers("land") and not ALICE.administers("land")


def test_policies_round_trip_through_json() -> None:
    policies = [
        AccessPolicy.open(),
        AccessPolicy.embargo(NOW, ["team"]),
        AccessPolicy.restricted(["a", "b"]),
        AccessPolicy.licensed(LICENCE),
        AccessPolicy.eligible([RESEARCH], LICENCE),
    ]
    for policy in policies:
        assert AccessPolicy.from_json(policy.to_json()) == policy
    assert AccessPolicy.eligible([RESEARCH]).to_json() == {"kind": "eligible", "categories": [RESEARCH.value]}


@pytest.mark.parametrize(
    ("document", "parameter"),
    [
        ({"kind": "sometimes"}, "kind"),
        ({"kind": "restricted", "groups": []}, "groups"),
        ({"kind": "restricted", "groups": ["Bad Name"]}, "group"),
        ({"kind": "embargo"}, "until"),
        ({"kind": "licensed"}, "licence"),
        ({"kind": "eligible", "categories": ["astronauts"]}, "categories"),
        ({"kind": "eligible", "categories": []}, "categories"),
    ],
)
def test_malformed_policies_name_what_is_wrong(document: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        AccessPolicy.from_json(document)
    assert caught.value.parameter == parameter


def test_quota_text() -> None:
    assert Quota.parse("50 scenes/30d") == Quota(50.0, QuotaUnit.SCENES, 30)
    assert Quota.parse("2000 km2 / 365 days") == Quota(2000.0, QuotaUnit.KM2, 365)
    assert str(Quota.parse("2.5 km2/7d")) == "2.5 km2/7d"
    for bad in ("50", "0 scenes/30d", "5 scenes/0d", "5 bananas/3d"):
        with pytest.raises(InvalidParameter):
            Quota.parse(bad)
    assert PolicyKind("eligible") is PolicyKind.ELIGIBLE
