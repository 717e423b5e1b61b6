"""Who may discover and who may read what: principals, access policies and the one decision.

Every path that touches data asks `decide` (search and item visibility, asset links, downloads,
and later tiles and processing inputs), so that a policy is enforced in one place. The function
is pure: the caller gathers the facts (the principal, the collection's policy and its item
override, the principal's grants, licence acceptances and quota usage) and the current time.

Discovery and data are distinct actions. Metadata of `open`, `embargo`, `licensed` and
`eligible` collections is visible to everyone, as in public catalogs; only their data is
controlled. A `restricted` collection is invisible, metadata included, outside its groups.
Item overrides change who may read an item's data, never who may see it: visibility belongs to
whole collections, which is what lets a catalog search leave them out (and not count them).

Roles are groups with reserved names, so that one membership table (and one OIDC groups claim)
carries them: `platform-admins`, `pole-admins:<pole>` and `pole-curators:<pole>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from terrapole.core.errors import InvalidParameter
from terrapole.core.model import Item
from terrapole.core.timeutil import format_instant, parse_instant

PLATFORM_ADMINS = "platform-admins"
POLE_ADMINS = "pole-admins:"
POLE_CURATORS = "pole-curators:"
GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,79}$")
QUOTA_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(scenes?|km2)\s*/\s*(\d+)\s*d(?:ays?)?\s*$")


class UserCategory(StrEnum):
    """Who a user works for, as eligibility rules for commercial imagery name them."""

    FRENCH_PUBLIC_RESEARCH = "french-public-research"
    FRENCH_PUBLIC_ACTOR = "french-public-actor"
    FOREIGN_PUBLIC_RESEARCH = "foreign-public-research"
    FRENCH_PRIVATE_RD = "french-private-rd"
    OTHER = "other"

    @classmethod
    def parse(cls, text: str, parameter: str = "category") -> UserCategory:
        """A category from its name; InvalidParameter listing the valid names otherwise."""
        try:
            return cls(text.strip())
        except ValueError:
            names = ", ".join(c.value for c in cls)
            raise InvalidParameter(parameter, f"unknown user category {text!r} (one of {names})") from None


class PolicyKind(StrEnum):
    """The kinds of access policy."""

    OPEN = "open"
    EMBARGO = "embargo"
    RESTRICTED = "restricted"
    LICENSED = "licensed"
    ELIGIBLE = "eligible"


class Action(StrEnum):
    """What a principal wants to do with a collection or item."""

    DISCOVER = "discover"  # see its metadata, find it (and have it counted) in searches
    READ_DATA = "read_data"  # follow an asset link, download, tiles, processing inputs


class QuotaUnit(StrEnum):
    """What a quota counts."""

    SCENES = "scenes"
    KM2 = "km2"


@dataclass(frozen=True, slots=True)
class LicenceRef:
    """One version of a named licence."""

    id: str
    version: str

    def __str__(self) -> str:
        return f"{self.id} version {self.version}"


@dataclass(frozen=True, slots=True)
class Quota:
    """How much data a grant allows per rolling period of `period_days` days."""

    limit: float
    unit: QuotaUnit
    period_days: int

    @classmethod
    def parse(cls, text: str, parameter: str = "quota") -> Quota:
        """Parse `50 scenes/30d` or `2000 km2/365d`."""
        match = QUOTA_TEXT.match(text)
        if not match:
            raise InvalidParameter(
                parameter, f"{text!r} is not a quota such as '50 scenes/30d' or '2000 km2/365d'"
            )
        unit = QuotaUnit.KM2 if match[2] == "km2" else QuotaUnit.SCENES
        return cls.of(float(match[1]), unit, int(match[3]), parameter)

    @classmethod
    def of(cls, limit: float, unit: QuotaUnit | str, period_days: int, parameter: str = "quota") -> Quota:
        """A checked quota: a positive limit over at least one day."""
        if not limit > 0 or period_days < 1:
            raise InvalidParameter(parameter, "a quota needs a positive limit and a period of at least 1 day")
        try:
            return cls(float(limit), QuotaUnit(unit), int(period_days))
        except ValueError:
            raise InvalidParameter(parameter, f"unknown quota unit {unit!r} (scenes or km2)") from None

    def __str__(self) -> str:
        return f"{self.limit:g} {self.unit.value}/{self.period_days}d"


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """A collection's (or an item's) access policy; build it with the class methods."""

    kind: PolicyKind = PolicyKind.OPEN
    until: datetime | None = None  # embargo: data released at this instant
    groups: frozenset[str] = frozenset()  # restricted: members; embargo: early readers
    licence: LicenceRef | None = None  # licensed; optional for eligible
    categories: frozenset[UserCategory] = frozenset()  # eligible

    @classmethod
    def open(cls) -> AccessPolicy:
        """Everyone may discover and read."""
        return cls()

    @classmethod
    def embargo(cls, until: datetime, readers: Iterable[str] = ()) -> AccessPolicy:
        """Metadata visible; data locked until `until` (except for `readers` groups)."""
        return cls(PolicyKind.EMBARGO, until=until, groups=_groups(readers))

    @classmethod
    def restricted(cls, groups: Iterable[str]) -> AccessPolicy:
        """Invisible, metadata included, outside these groups."""
        members = _groups(groups)
        if not members:
            raise InvalidParameter("groups", "a restricted policy needs at least one group")
        return cls(PolicyKind.RESTRICTED, groups=members)

    @classmethod
    def licensed(cls, licence: LicenceRef) -> AccessPolicy:
        """Data readable by signed-in users who accepted this licence version."""
        return cls(PolicyKind.LICENSED, licence=licence)

    @classmethod
    def eligible(cls, categories: Iterable[UserCategory], licence: LicenceRef | None = None) -> AccessPolicy:
        """Data readable by users of these categories holding an approved request (and the licence)."""
        allowed = frozenset(categories)
        if not allowed:
            raise InvalidParameter("categories", "an eligible policy needs at least one user category")
        return cls(PolicyKind.ELIGIBLE, licence=licence, categories=allowed)

    def to_json(self) -> dict[str, Any]:
        """The JSON form (stored, and served to administrators)."""
        out: dict[str, Any] = {"kind": self.kind.value}
        if self.until is not None:
            out["until"] = format_instant(self.until)
        if self.groups:
            out["groups"] = sorted(self.groups)
        if self.licence is not None:
            out["licence"] = {"id": self.licence.id, "version": self.licence.version}
        if self.categories:
            out["categories"] = sorted(c.value for c in self.categories)
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> AccessPolicy:
        """Inverse of `to_json`; InvalidParameter for anything malformed."""
        kind = str(obj.get("kind", ""))
        licence = obj.get("licence")
        ref = (
            LicenceRef(str(licence["id"]), str(licence["version"])) if isinstance(licence, Mapping) else None
        )
        groups = obj.get("groups") or ()
        if kind == PolicyKind.OPEN:
            return cls.open()
        if kind == PolicyKind.EMBARGO:
            return cls.embargo(parse_instant(str(obj.get("until") or ""), "until"), groups)
        if kind == PolicyKind.RESTRICTED:
            return cls.restricted(groups)
        if kind == PolicyKind.LICENSED and ref is not None:
            return cls.licensed(ref)
        if kind == PolicyKind.LICENSED:
            raise InvalidParameter("licence", "a licensed policy names a licence id and version")
        if kind == PolicyKind.ELIGIBLE:
            return cls.eligible(
                [UserCategory.parse(c, "categories") for c in obj.get("categories") or ()], ref
            )
        raise InvalidParameter("kind", f"unknown policy kind {kind!r} (one of {', '.join(PolicyKind)})")


OPEN = AccessPolicy.open()


def _groups(names: Iterable[str]) -> frozenset[str]:
    return frozenset(check_group(name) for name in names)


def check_group(name: str) -> str:
    """A valid group name (lower case letters, digits and . _ : -)."""
    if not GROUP_NAME.match(name):
        raise InvalidParameter("group", f"{name!r} is not a valid group name (a-z, 0-9, '.', '_', ':', '-')")
    return name


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a user with a category and groups, or anonymous (no user id)."""

    user_id: int | None = None
    name: str | None = None
    category: UserCategory = UserCategory.OTHER
    groups: frozenset[str] = frozenset()

    @property
    def anonymous(self) -> bool:
        """True when nobody signed in."""
        return self.user_id is None and self.name is None

    @property
    def platform_admin(self) -> bool:
        """True for platform administrators (every right everywhere)."""
        return PLATFORM_ADMINS in self.groups

    def administers(self, pole: str | None) -> bool:
        """May set policies and decide access requests for this pole's collections."""
        return self.platform_admin or (pole is not None and POLE_ADMINS + pole in self.groups)

    def curates(self, pole: str | None) -> bool:
        """Sees and reads everything of this pole (its curators and administrators)."""
        return self.administers(pole) or (pole is not None and POLE_CURATORS + pole in self.groups)


ANONYMOUS = Principal()
# The operator at the command line: the same checks as over HTTP, with every right.
OPERATOR = Principal(user_id=None, name="operator", groups=frozenset({PLATFORM_ADMINS}))


@dataclass(frozen=True, slots=True)
class Grant:
    """An approved access request: reading one collection's data, until `expires`, within a quota."""

    id: int
    collection: str
    expires: datetime | None = None
    quota: Quota | None = None
    active: bool = True  # False once revoked

    def valid_at(self, now: datetime) -> bool:
        """Approved, not revoked and not expired at `now`."""
        return self.active and (self.expires is None or now < self.expires)


@dataclass(frozen=True, slots=True)
class Usage:
    """What a grant consumed in its current quota period: the amount and the items counted."""

    amount: float = 0.0
    items: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Entitlements:
    """What the principal holds: grants, accepted licence versions and quota usage per grant."""

    grants: Sequence[Grant] = ()
    acceptances: frozenset[LicenceRef] = frozenset()
    usage: Mapping[int, Usage] = field(default_factory=dict)


NO_ENTITLEMENTS = Entitlements()


@dataclass(frozen=True, slots=True)
class Resource:
    """A collection, or an item of it, with the policies that govern it."""

    collection: str
    pole: str | None = None
    policy: AccessPolicy = OPEN
    item: str | None = None
    item_policy: AccessPolicy | None = None  # the item's override of the collection's data policy
    area_km2: float = 0.0  # what one download of the item costs in a km² quota

    @property
    def data_policy(self) -> AccessPolicy:
        """The policy that governs reading this resource's data."""
        return self.item_policy or self.policy


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer: allowed or not, a stable code, a reason for people, and what a read consumes."""

    allowed: bool
    code: str
    reason: str
    sign_in: bool = False  # refused because nobody is signed in (HTTP 401 rather than 403)
    grant_id: int | None = None  # the grant a read is counted against
    cost: float = 0.0  # quota units the read consumes (0 for an item already counted this period)


def decide(
    principal: Principal,
    resource: Resource,
    action: Action,
    now: datetime,
    entitlements: Entitlements = NO_ENTITLEMENTS,
) -> Decision:
    """May `principal` perform `action` on `resource` at `now`? The one policy decision."""
    if principal.curates(resource.pole):
        return Decision(True, "staff", f"curator or administrator of pole {resource.pole}")
    if not _visible(principal, resource.policy):
        return Decision(False, "restricted", f"collection {resource.collection!r} not found")
    if action is Action.DISCOVER:
        return Decision(True, "visible", "metadata is visible")
    return _read(principal, resource, now, entitlements)


def _visible(principal: Principal, policy: AccessPolicy) -> bool:
    return policy.kind is not PolicyKind.RESTRICTED or bool(principal.groups & policy.groups)


def _read(principal: Principal, resource: Resource, now: datetime, held: Entitlements) -> Decision:
    policy = resource.data_policy
    kind = policy.kind
    if kind is PolicyKind.OPEN:
        return Decision(True, "open", "open data")
    if kind is PolicyKind.RESTRICTED:
        if _visible(principal, policy):
            return Decision(True, "member", "member of a group the data is restricted to")
        return _refuse(principal, "restricted", "the data is restricted to groups you are not in")
    if kind is PolicyKind.EMBARGO:
        return _embargo(principal, policy, now)
    licence = _licence(principal, policy, held)
    if kind is PolicyKind.LICENSED or not licence.allowed:
        return licence
    return _eligible(principal, resource, now, held)


def _refuse(principal: Principal, code: str, reason: str) -> Decision:
    if principal.anonymous:
        return Decision(False, code, f"{reason}; sign in first", sign_in=True)
    return Decision(False, code, reason)


def _embargo(principal: Principal, policy: AccessPolicy, now: datetime) -> Decision:
    assert policy.until is not None
    if now >= policy.until:
        return Decision(True, "released", f"embargo ended at {format_instant(policy.until)}")
    if principal.groups & policy.groups:
        return Decision(True, "early-reader", "member of a group that reads before the embargo ends")
    return _refuse(principal, "embargoed", f"data under embargo until {format_instant(policy.until)}")


def _licence(principal: Principal, policy: AccessPolicy, held: Entitlements) -> Decision:
    wanted = policy.licence
    if wanted is None:
        return Decision(True, "no-licence", "no licence to accept")
    if principal.anonymous:
        return _refuse(principal, "licence-not-accepted", f"accept licence {wanted}")
    if wanted in held.acceptances:
        return Decision(True, "licence-accepted", f"licence {wanted} accepted")
    others = sorted(a.version for a in held.acceptances if a.id == wanted.id)
    if others:
        reason = f"licence {wanted} must be accepted (you accepted version {', '.join(others)})"
        return Decision(False, "licence-version", reason)
    return Decision(False, "licence-not-accepted", f"accept licence {wanted} first")


def _eligible(principal: Principal, resource: Resource, now: datetime, held: Entitlements) -> Decision:
    policy = resource.data_policy
    if principal.anonymous:
        return _refuse(principal, "not-eligible", "data for eligible users with an approved request")
    if principal.category not in policy.categories:
        allowed = ", ".join(sorted(policy.categories))
        return Decision(False, "not-eligible", f"user category {principal.category} is not one of {allowed}")
    mine = [g for g in held.grants if g.collection == resource.collection]
    valid = [g for g in mine if g.valid_at(now)]
    if not valid:
        code = "grant-expired" if mine else "no-grant"
        return Decision(False, code, f"submit an access request for collection {resource.collection!r}")
    refusal: Decision | None = None
    for grant in valid:
        decision = _within_quota(grant, resource, held.usage.get(grant.id, Usage()))
        if decision.allowed:
            return decision
        refusal = refusal or decision
    assert refusal is not None
    return refusal


def _within_quota(grant: Grant, resource: Resource, used: Usage) -> Decision:
    quota = grant.quota
    if quota is None:
        return Decision(True, "granted", f"access request {grant.id} approved", grant_id=grant.id)
    if resource.item is not None and resource.item in used.items:
        return Decision(True, "granted", "item already counted in this quota period", grant_id=grant.id)
    cost = read_cost(quota, resource)
    if used.amount + cost > quota.limit:
        reason = f"quota of {quota} reached ({used.amount:g} used)"
        return Decision(False, "quota-exceeded", reason, grant_id=grant.id)
    return Decision(True, "granted", f"within quota {quota}", grant_id=grant.id, cost=cost)


def read_cost(quota: Quota, resource: Resource) -> float:
    """What reading the resource's data consumes of a quota: one scene, or the item's area."""
    if resource.item is None:
        return 0.0
    return 1.0 if quota.unit is QuotaUnit.SCENES else resource.area_km2


class DataGate(Protocol):
    """What the catalog protocols ask access control: which collections to hide from a principal,
    and how an item's assets look to them (None: as published)."""

    def hidden_collections(self, principal: Principal) -> frozenset[str]:
        """Collections the principal may not discover (left out of searches, 404 when asked for)."""
        ...

    def item_assets(
        self, principal: Principal, items: Sequence[Item], base_url: str
    ) -> list[Mapping[str, Any] | None]:
        """Each item's assets as the principal sees them, or None where they are unchanged."""
        ...


class OpenGate:
    """No access control: every collection visible, every asset as published."""

    def hidden_collections(self, principal: Principal) -> frozenset[str]:
        """Nothing is hidden."""
        return frozenset()

    def item_assets(
        self, principal: Principal, items: Sequence[Item], base_url: str
    ) -> list[Mapping[str, Any] | None]:
        """Assets unchanged."""
        return [None] * len(items)
