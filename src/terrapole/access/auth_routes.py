"""Signing in and out, the signed-in user, and their personal API tokens: `/auth/...`."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from terrapole.access.services import Services
from terrapole.access.web import (
    SESSION_COOKIE,
    CurrentPrincipal,
    clear_session_cookies,
    client_address,
    require_user,
    set_session_cookies,
)
from terrapole.core.errors import AuthenticationRequired
from terrapole.protocols import OrjsonResponse

log = logging.getLogger("terrapole.access")


class Login(BaseModel):
    """A password login (JSON only: a cross-site HTML form cannot send it)."""

    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class NewToken(BaseModel):
    """A personal API token to create."""

    name: str = Field(default="token", min_length=1, max_length=100)
    expires_days: float | None = Field(default=None, gt=0, description="Days until it expires (none: never)")


router = APIRouter(prefix="/auth", tags=["Accounts"])


@router.post("/login")
def login(request: Request, body: Login, services: Services) -> Response:
    """Sign in with a password: a session cookie and, in the body and a cookie, its CSRF token."""
    store = services.store
    address = client_address(request)
    store.throttle.check(body.name, address)
    user = store.accounts.verify_password(body.name, body.password)
    if user is None:
        store.throttle.failed(body.name, address)
        log.info("failed login for user %r from %s", body.name, address)
        raise AuthenticationRequired("wrong user name or password", "bad-credentials")
    store.throttle.succeeded(body.name)
    session, csrf = store.sessions.open(user)
    log.info("user %s signed in from %s", user.name, address)
    response = OrjsonResponse({"user": user.to_json(), "csrf_token": csrf})
    set_session_cookies(response, request, session, csrf, services.session_seconds)
    return response


@router.post("/logout")
def logout(request: Request, principal: CurrentPrincipal, services: Services) -> Response:
    """Sign out (the CSRF token is required, as for every change made with the session cookie)."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        services.store.sessions.close(session)
    response = Response(status_code=204)
    clear_session_cookies(response)
    return response


@router.get("/me")
def me(principal: CurrentPrincipal, services: Services) -> Response:
    """Who the request's credentials stand for."""
    require_user(principal)
    assert principal.name is not None
    body = services.store.accounts.get(principal.name).to_json()
    body["groups"] = sorted(principal.groups)  # with those an OIDC token adds
    return OrjsonResponse(body)


@router.post("/tokens", status_code=201)
def create_token(body: NewToken, principal: CurrentPrincipal, services: Services) -> Response:
    """A personal API token for the signed-in user; the secret is in this response only."""
    require_user(principal)
    assert principal.name is not None
    info, secret = services.store.tokens.create(principal.name, body.name, body.expires_days)
    log.info("user %s created token %d", principal.name, info.id)
    return OrjsonResponse({**info.to_json(), "token": secret}, status_code=201)


@router.get("/tokens")
def list_tokens(principal: CurrentPrincipal, services: Services) -> Response:
    """The signed-in user's tokens (never their secrets)."""
    require_user(principal)
    assert principal.name is not None
    return OrjsonResponse({"tokens": [t.to_json() for t in services.store.tokens.list(principal.name)]})


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: int, principal: CurrentPrincipal, services: Services) -> Response:
    """Revoke one of the signed-in user's tokens."""
    require_user(principal)
    return OrjsonResponse(services.store.tokens.revoke(token_id, principal).to_json())
