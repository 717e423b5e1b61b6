"""Administration over HTTP (`/admin/...`): users, tokens, policies, licences, access requests
and the audit log; the same operations as the `terrapole users|tokens|policy|licences|requests`
commands. Every route needs an administrator; errors are problem+json.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from terrapole.access.operations import build_policy, require_admin, require_platform_admin, set_policy
from terrapole.access.policies import Licence
from terrapole.access.requests import RequestState
from terrapole.access.services import AccessServices, Services
from terrapole.access.web import CurrentPrincipal
from terrapole.core.access import Principal, Quota, UserCategory
from terrapole.core.errors import InvalidParameter
from terrapole.core.timeutil import parse_instant
from terrapole.protocols import OrjsonResponse


class NewUser(BaseModel):
    """A user to create."""

    name: str
    password: str | None = None
    category: str = UserCategory.OTHER.value
    groups: list[str] = Field(default_factory=list)


class UserChange(BaseModel):
    """Changes to a user."""

    category: str | None = None
    add_groups: list[str] = Field(default_factory=list)
    remove_groups: list[str] = Field(default_factory=list)


class TokenRequest(BaseModel):
    """A token to create for a user."""

    name: str = "token"
    expires_days: float | None = Field(default=None, gt=0)


class PolicyBody(BaseModel):
    """A policy: its kind and what that kind needs."""

    kind: str
    until: str | None = None
    groups: list[str] = Field(default_factory=list)
    licence: str | None = None
    version: str | None = None
    categories: list[str] = Field(default_factory=list)


class LicenceBody(BaseModel):
    """A licence version to register."""

    id: str = Field(min_length=1, max_length=100)
    version: str = Field(min_length=1, max_length=50)
    title: str = Field(min_length=1, max_length=500)
    url: str | None = None


class Approval(BaseModel):
    """An approval: when the grant expires and its quota (`50 scenes/30d`, `2000 km2/365d`)."""

    expires: str | None = Field(default=None, description="RFC 3339 date-time or date")
    expires_days: float | None = Field(default=None, gt=0)
    quota: str | None = None


class Reason(BaseModel):
    """Why a request is refused or a grant revoked."""

    reason: str = Field(min_length=1, max_length=4000)


def grant_expiry(now: datetime, expires: str | None, expires_days: float | None) -> datetime | None:
    """A grant's expiry from a date or a number of days."""
    if expires and expires_days:
        raise InvalidParameter("expires", "give expires or expires_days, not both")
    if expires:
        return parse_instant(expires, "expires")
    return now + timedelta(days=expires_days) if expires_days else None


router = APIRouter(prefix="/admin", tags=["Administration"])


# -- users, tokens, audit ------------------------------------------------------------------------
@router.post("/users", status_code=201)
def add_user(body: NewUser, principal: CurrentPrincipal, services: Services) -> Response:
    """Create a user."""
    require_platform_admin(principal)
    category = UserCategory.parse(body.category)
    user = services.store.accounts.add(body.name, body.password, category, body.groups)
    return OrjsonResponse(user.to_json(), status_code=201)


@router.get("/users")
def list_users(principal: CurrentPrincipal, services: Services) -> Response:
    """Every user."""
    require_platform_admin(principal)
    return OrjsonResponse({"users": [u.to_json() for u in services.store.accounts.list()]})


@router.get("/users/{name}")
def get_user(name: str, principal: CurrentPrincipal, services: Services) -> Response:
    """One user."""
    require_platform_admin(principal)
    return OrjsonResponse(services.store.accounts.get(name).to_json())


@router.patch("/users/{name}")
def change_user(name: str, body: UserChange, principal: CurrentPrincipal, services: Services) -> Response:
    """Change a user's category or groups."""
    require_platform_admin(principal)
    category = UserCategory.parse(body.category) if body.category else None
    changed = services.store.accounts.update(name, category, body.add_groups, body.remove_groups)
    return OrjsonResponse(changed.to_json())


@router.post("/users/{name}/tokens", status_code=201)
def create_token(name: str, body: TokenRequest, principal: CurrentPrincipal, services: Services) -> Response:
    """A personal API token for a user; the secret is in this response only."""
    require_platform_admin(principal)
    info, secret = services.store.tokens.create(name, body.name, body.expires_days)
    return OrjsonResponse({**info.to_json(), "token": secret}, status_code=201)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(token_id: int, principal: CurrentPrincipal, services: Services) -> Response:
    """Revoke any token."""
    require_platform_admin(principal)
    return OrjsonResponse(services.store.tokens.revoke(token_id, principal).to_json())


@router.get("/audit")
def audit(
    principal: CurrentPrincipal,
    services: Services,
    collection: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """The latest data accesses, newest first."""
    require_platform_admin(principal)
    entries = services.store.audit.entries(collection, limit)
    return OrjsonResponse({"entries": [e.to_json() for e in entries]})


# -- policies and licences -----------------------------------------------------------------------
@router.get("/policies")
def list_policies(principal: CurrentPrincipal, services: Services, collection: str | None = None) -> Response:
    """Stored policies (collections without one are open)."""
    require_admin(principal)
    return OrjsonResponse({"policies": services.store.policies.listing(collection)})


@router.put("/policies/{collection}")
def put_policy(
    collection: str, body: PolicyBody, principal: CurrentPrincipal, services: Services
) -> Response:
    """Set a collection's policy."""
    return _set_policy(services, principal, collection, None, body)


@router.put("/policies/{collection}/items/{item}")
def put_item_policy(
    collection: str, item: str, body: PolicyBody, principal: CurrentPrincipal, services: Services
) -> Response:
    """Set an item's override of its collection's data policy."""
    return _set_policy(services, principal, collection, item, body)


def _set_policy(
    services: AccessServices, principal: Principal, collection: str, item: str | None, body: PolicyBody
) -> Response:
    require_admin(principal)
    store = services.store
    policy = build_policy(
        store, body.kind, body.until, body.groups, body.licence, body.version, body.categories
    )
    set_policy(store, services.catalog(), principal, collection, policy, item)
    return OrjsonResponse({"collection": collection, "item": item, **policy.to_json()})


@router.post("/licences", status_code=201)
def add_licence(body: LicenceBody, principal: CurrentPrincipal, services: Services) -> Response:
    """Register a licence version."""
    require_admin(principal)
    licence = services.store.policies.add_licence(Licence(body.id, body.version, body.title, body.url))
    return OrjsonResponse(licence.to_json(), status_code=201)


# -- access requests -----------------------------------------------------------------------------
@router.get("/requests")
def list_requests(principal: CurrentPrincipal, services: Services, state: str | None = None) -> Response:
    """Access requests to the collections of the poles the administrator administers."""
    require_admin(principal)
    found = services.store.requests.listing(principal, _state(state))
    return OrjsonResponse({"requests": [r.to_json() for r in found]})


@router.post("/requests/{request_id}/approve")
def approve(request_id: int, body: Approval, principal: CurrentPrincipal, services: Services) -> Response:
    """Approve a submitted request."""
    require_admin(principal)
    expires = grant_expiry(services.store.clock(), body.expires, body.expires_days)
    quota = Quota.parse(body.quota) if body.quota else None
    return OrjsonResponse(services.store.requests.approve(request_id, principal, expires, quota).to_json())


@router.post("/requests/{request_id}/refuse")
def refuse(request_id: int, body: Reason, principal: CurrentPrincipal, services: Services) -> Response:
    """Refuse a submitted request, with a reason."""
    require_admin(principal)
    return OrjsonResponse(services.store.requests.refuse(request_id, principal, body.reason).to_json())


@router.post("/requests/{request_id}/revoke")
def revoke(request_id: int, body: Reason, principal: CurrentPrincipal, services: Services) -> Response:
    """Withdraw an approved grant, with a reason."""
    require_admin(principal)
    return OrjsonResponse(services.store.requests.revoke(request_id, principal, body.reason).to_json())


def _state(text: str | None) -> RequestState | None:
    if text is None:
        return None
    try:
        return RequestState(text)
    except ValueError:
        raise InvalidParameter(
            "state", f"unknown state {text!r} (one of {', '.join(RequestState)})"
        ) from None
