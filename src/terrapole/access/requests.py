"""Access requests to eligibility-based collections: submitted, approved (a grant with an expiry
and a quota), refused with a reason, revoked; every state change is kept as an event.

Quota usage is recorded per grant and item: a scene counts once per quota period however many
times (or in however many byte ranges) it is downloaded. Deciding and counting a read happen in
one transaction holding the grant's row, so that concurrent downloads cannot overrun a quota.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import orjson
import shapely.geometry

from terrapole.access.accounts import Clock, utc_now
from terrapole.access.db import Database, Row, Tx
from terrapole.core.access import (
    AccessPolicy,
    Decision,
    Grant,
    PolicyKind,
    Principal,
    Quota,
    Usage,
    UserCategory,
)
from terrapole.core.errors import AccessDenied, AuthenticationRequired, Conflict, InvalidParameter, NotFound
from terrapole.core.timeutil import format_instant, from_micros, to_micros

MAX_TEXT = 4000


class RequestState(StrEnum):
    """Where an access request stands."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REFUSED = "refused"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class Event:
    """One state change of a request."""

    state: RequestState
    at: datetime
    actor: str
    reason: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """A user's request to read an eligibility-based collection."""

    id: int
    user: str
    user_id: int
    collection: str
    pole: str | None
    category: UserCategory
    purpose: str
    area_of_interest: Mapping[str, Any] | None
    evidence: str
    state: RequestState
    created: datetime
    expires: datetime | None = None
    quota: Quota | None = None
    reason: str | None = None
    events: tuple[Event, ...] = ()

    def grant(self) -> Grant:
        """The grant an approved (or since revoked) request gives."""
        return Grant(self.id, self.collection, self.expires, self.quota, self.state is RequestState.APPROVED)

    def to_json(self) -> dict[str, Any]:
        """The JSON form, with its history."""
        return {
            "id": self.id,
            "user": self.user,
            "collection": self.collection,
            "category": self.category.value,
            "purpose": self.purpose,
            "area_of_interest": self.area_of_interest,
            "evidence": self.evidence,
            "state": self.state.value,
            "created": format_instant(self.created),
            "expires": format_instant(self.expires) if self.expires else None,
            "quota": str(self.quota) if self.quota else None,
            "reason": self.reason,
            "history": [
                {
                    "state": e.state.value,
                    "at": format_instant(e.at),
                    "actor": e.actor,
                    "reason": e.reason,
                    **e.details,
                }
                for e in self.events
            ],
        }


@dataclass(frozen=True, slots=True)
class Submission:
    """What a user submits."""

    collection: str
    purpose: str
    evidence: str
    area_of_interest: Mapping[str, Any] | None = None
    category: UserCategory | None = None  # the category the evidence supports (default: the user's)


class Requests:
    """Stored access requests, their history and the quota usage of grants."""

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def submit(
        self, principal: Principal, pole: str | None, policy: AccessPolicy, form: Submission
    ) -> AccessRequest:
        """Record a request; Conflict when the collection needs none or the user's category cannot qualify."""
        category = _check_submission(principal, policy, form)
        now = to_micros(self.clock())
        with self.db.transaction() as tx:
            pending = tx.one(
                "SELECT id FROM access_requests WHERE user_id = ? AND collection = ? AND state = ?",
                [principal.user_id, form.collection, RequestState.SUBMITTED.value],
            )
            if pending:
                raise Conflict(
                    f"request {pending['id']} for {form.collection!r} is already waiting for a decision"
                )
            request_id = tx.insert(
                "INSERT INTO access_requests (user_id, collection, pole, category, purpose, aoi, evidence, "
                "state, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    principal.user_id,
                    form.collection,
                    pole,
                    category.value,
                    form.purpose.strip(),
                    _json(form.area_of_interest),
                    form.evidence.strip(),
                    RequestState.SUBMITTED.value,
                    now,
                ],
            )
            _event(tx, request_id, RequestState.SUBMITTED, now, principal.name or "?")
            return _load(tx, request_id)

    def get(self, request_id: int, actor: Principal) -> AccessRequest:
        """A request its author or an administrator of its pole may read; NotFound for anyone else."""
        with self.db.transaction() as tx:
            found = _load(tx, request_id)
        if found.user_id != actor.user_id and not actor.administers(found.pole):
            raise NotFound(f"access request {request_id} not found")
        return found

    def listing(
        self, actor: Principal, state: RequestState | None = None, mine: bool = False
    ) -> list[AccessRequest]:
        """The actor's own requests (`mine`), or those of the poles the actor administers."""
        clause, params = ("WHERE state = ?", [state.value]) if state else ("", [])
        with self.db.transaction() as tx:
            rows = tx.all(f"SELECT id FROM access_requests {clause} ORDER BY id", params)  # noqa: S608
            found = [_load(tx, int(r["id"])) for r in rows]
        if mine:
            return [r for r in found if r.user_id == actor.user_id]
        return [r for r in found if actor.administers(r.pole)]

    def approve(
        self, request_id: int, actor: Principal, expires: datetime | None = None, quota: Quota | None = None
    ) -> AccessRequest:
        """Approve a submitted request: a grant until `expires` within `quota`; the user's category
        becomes the one the request's evidence supports."""
        now = self.clock()
        if expires is not None and expires <= now:
            raise InvalidParameter("expires", "a grant must expire in the future")
        details = {
            "expires": format_instant(expires) if expires else None,
            "quota": str(quota) if quota else None,
        }

        def change(tx: Tx, found: AccessRequest) -> None:
            tx.run(
                "UPDATE access_requests SET state = ?, expires = ?, quota = ? WHERE id = ?",
                [
                    RequestState.APPROVED.value,
                    to_micros(expires) if expires else None,
                    _quota_json(quota),
                    request_id,
                ],
            )
            tx.run("UPDATE access_users SET category = ? WHERE id = ?", [found.category.value, found.user_id])

        return self._change(
            request_id, actor, RequestState.SUBMITTED, RequestState.APPROVED, None, details, change
        )

    def refuse(self, request_id: int, actor: Principal, reason: str) -> AccessRequest:
        """Refuse a submitted request, saying why."""
        _check_text("reason", reason)
        return self._change(request_id, actor, RequestState.SUBMITTED, RequestState.REFUSED, reason.strip())

    def revoke(self, request_id: int, actor: Principal, reason: str) -> AccessRequest:
        """Withdraw an approved grant, saying why."""
        _check_text("reason", reason)
        return self._change(request_id, actor, RequestState.APPROVED, RequestState.REVOKED, reason.strip())

    def _change(
        self,
        request_id: int,
        actor: Principal,
        expected: RequestState,
        new: RequestState,
        reason: str | None,
        details: Mapping[str, Any] | None = None,
        change: Callable[[Tx, AccessRequest], None] | None = None,
    ) -> AccessRequest:
        with self.db.transaction() as tx:
            tx.lock("access_requests", request_id)
            found = _load(tx, request_id)
            if not actor.administers(found.pole):
                raise AccessDenied(
                    f"only administrators of pole {found.pole} decide access requests to it", "not-admin"
                )
            if found.state is not expected:
                raise Conflict(f"access request {request_id} is {found.state.value}, not {expected.value}")
            if change is not None:
                change(tx, found)
            else:
                tx.run(
                    "UPDATE access_requests SET state = ?, reason = ? WHERE id = ?",
                    [new.value, reason, request_id],
                )
            if reason is not None:
                tx.run("UPDATE access_requests SET reason = ? WHERE id = ?", [reason, request_id])
            _event(tx, request_id, new, to_micros(self.clock()), actor.name or "?", reason, details)
            return _load(tx, request_id)

    # -- grants and quotas -------------------------------------------------------------------
    def grants(self, user_id: int, collections: Sequence[str] | None = None) -> list[Grant]:
        """The user's grants (approved or revoked requests), of these collections when given."""
        states = [RequestState.APPROVED.value, RequestState.REVOKED.value]
        with self.db.transaction() as tx:
            rows = tx.all(
                "SELECT id FROM access_requests WHERE user_id = ? AND state IN (?, ?)", [user_id, *states]
            )
            grants = [_load(tx, int(r["id"])).grant() for r in rows]
        return [g for g in grants if collections is None or g.collection in collections]

    def usage(self, grants: Sequence[Grant], now: datetime) -> dict[int, Usage]:
        """What each grant with a quota consumed in its current period."""
        with self.db.transaction() as tx:
            return {g.id: _usage(tx, g, now) for g in grants if g.quota is not None}

    def settle(
        self, grants: Sequence[Grant], item: str, decide: Callable[[Mapping[int, Usage]], Decision]
    ) -> Decision:
        """Decide a read with fresh usage and count it against its grant, atomically."""
        now = self.clock()
        counted = [g for g in grants if g.quota is not None and g.valid_at(now)]
        with self.db.transaction() as tx:
            for grant in counted:
                tx.lock("access_requests", grant.id)
            usage = {g.id: _usage(tx, g, now) for g in counted}
            decision = decide(usage)
            used = usage.get(decision.grant_id or -1)
            if decision.allowed and used is not None and item not in used.items:
                tx.run(
                    "INSERT INTO access_usage (request_id, item, amount, at) VALUES (?, ?, ?, ?)",
                    [decision.grant_id, item, decision.cost, to_micros(now)],
                )
        return decision


def _usage(tx: Tx, grant: Grant, now: datetime) -> Usage:
    assert grant.quota is not None
    since = to_micros(now - timedelta(days=grant.quota.period_days))
    rows = tx.all("SELECT item, amount FROM access_usage WHERE request_id = ? AND at > ?", [grant.id, since])
    return Usage(sum(float(r["amount"]) for r in rows), frozenset(r["item"] for r in rows))


def _event(
    tx: Tx,
    request_id: int,
    state: RequestState,
    at: int,
    actor: str,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    tx.run(
        "INSERT INTO access_request_events (request_id, state, at, actor, reason, details) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [request_id, state.value, at, actor, reason, _json(details)],
    )


def _load(tx: Tx, request_id: int) -> AccessRequest:
    row = tx.one(
        "SELECT r.*, u.name AS user_name FROM access_requests AS r "
        "JOIN access_users AS u ON u.id = r.user_id "
        "WHERE r.id = ?",
        [request_id],
    )
    if row is None:
        raise NotFound(f"access request {request_id} not found")
    events = tx.all(
        "SELECT state, at, actor, reason, details FROM access_request_events "
        "WHERE request_id = ? ORDER BY id",
        [request_id],
    )
    return _request(row, tuple(_event_of(e) for e in events))


def _request(row: Row, events: tuple[Event, ...]) -> AccessRequest:
    quota = orjson.loads(row["quota"]) if row["quota"] else None
    return AccessRequest(
        id=int(row["id"]),
        user=row["user_name"],
        user_id=int(row["user_id"]),
        collection=row["collection"],
        pole=row["pole"],
        category=UserCategory(row["category"]),
        purpose=row["purpose"],
        area_of_interest=orjson.loads(row["aoi"]) if row["aoi"] else None,
        evidence=row["evidence"],
        state=RequestState(row["state"]),
        created=from_micros(row["created"]),
        expires=from_micros(row["expires"]) if row["expires"] is not None else None,
        quota=Quota.of(quota["limit"], quota["unit"], quota["period_days"]) if quota else None,
        reason=row["reason"],
        events=events,
    )


def _event_of(row: Row) -> Event:
    details = orjson.loads(row["details"]) if row["details"] else {}
    return Event(RequestState(row["state"]), from_micros(row["at"]), row["actor"], row["reason"], details)


def _quota_json(quota: Quota | None) -> str | None:
    if quota is None:
        return None
    return _json({"limit": quota.limit, "unit": quota.unit.value, "period_days": quota.period_days})


def _json(value: Mapping[str, Any] | None) -> str | None:
    return orjson.dumps(value).decode() if value else None


def _check_submission(principal: Principal, policy: AccessPolicy, form: Submission) -> UserCategory:
    """The category the request is for, once the submission is known to make sense."""
    if principal.user_id is None:
        raise AuthenticationRequired("sign in to request access", "sign-in")
    if policy.kind is not PolicyKind.ELIGIBLE:
        raise Conflict(
            f"collection {form.collection!r} has an {policy.kind.value} policy: access requests apply "
            "only to eligibility-based collections"
        )
    category = form.category or principal.category
    if category not in policy.categories:
        allowed = ", ".join(sorted(policy.categories))
        raise Conflict(
            f"user category {category} cannot be granted {form.collection!r} (eligible: {allowed})"
        )
    _check_text("purpose", form.purpose)
    _check_text("evidence", form.evidence)
    _check_area(form.area_of_interest)
    return category


def _check_area(geometry: Mapping[str, Any] | None) -> None:
    if geometry is None:
        return
    try:
        shape = shapely.geometry.shape(geometry)
    except Exception as exc:  # shapely raises several error types for malformed GeoJSON
        raise InvalidParameter("area_of_interest", f"not a GeoJSON geometry: {exc}") from None
    if shape.is_empty or not shape.is_valid:
        raise InvalidParameter("area_of_interest", "the area of interest is empty or invalid")


def _check_text(name: str, value: str) -> None:
    if not value or not value.strip():
        raise InvalidParameter(name, f"{name} must not be empty")
    if len(value) > MAX_TEXT:
        raise InvalidParameter(name, f"{name} is longer than {MAX_TEXT} characters")
