"""Who is asking: the principal of an HTTP request, from a bearer token or a session cookie.

`Authorization: Bearer tp_...` is a personal API token; any other bearer token is an OIDC JWT
(when an issuer is configured). Without a header, the session cookie of a signed-in browser is
used; a request that changes state (POST, PUT, PATCH, DELETE) on the strength of that cookie must
also send the session's CSRF token in the `X-CSRF-Token` header (the token is also in a cookie
that the site's own scripts can read: the double-submit pattern, bound to the session on the
server). Both cookies are SameSite=Strict. Bearer requests need no CSRF token: a browser never
adds an Authorization header by itself.

Nothing here logs a credential: tokens, cookies and headers appear in no message.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from terrapole.access.credentials import TOKEN_PREFIX, csrf_matches
from terrapole.access.oidc import OidcVerifier
from terrapole.access.store import AccessStore
from terrapole.core.access import ANONYMOUS, Principal
from terrapole.core.errors import AccessDenied, AuthenticationRequired

SESSION_COOKIE = "terrapole_session"
CSRF_COOKIE = "terrapole_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = logging.getLogger("terrapole.access")


class Authenticator:
    """A FastAPI dependency that resolves (once per request) and returns the request's principal."""

    def __init__(self, store: AccessStore, oidc: OidcVerifier | None = None) -> None:
        self.store = store
        self.oidc = oidc

    def __call__(self, request: Request) -> Principal:
        """The principal; AuthenticationRequired for invalid credentials, AccessDenied for a
        cookie-authenticated change without its CSRF token."""
        cached = getattr(request.state, "principal", None)
        if isinstance(cached, Principal):
            return cached
        header = request.headers.get("authorization")
        principal = self._bearer(header) if header is not None else self._session(request)
        request.state.principal = principal
        return principal

    def _bearer(self, header: str) -> Principal:
        scheme, _, credentials = header.strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials:
            raise AuthenticationRequired("send credentials as 'Authorization: Bearer TOKEN'", "invalid-token")
        if credentials.startswith(TOKEN_PREFIX):
            principal = self.store.tokens.user_for(credentials).principal()
            log.debug("request by %s with a personal token", principal.name)
            return principal
        if self.oidc is not None and credentials.count(".") == 2:
            principal = self.oidc.principal(credentials)
            log.debug("request by %s with an OIDC token", principal.name)
            return principal
        raise AuthenticationRequired("unknown bearer token", "invalid-token")

    def _session(self, request: Request) -> Principal:
        session = request.cookies.get(SESSION_COOKIE)
        if not session:
            return ANONYMOUS
        found = self.store.sessions.user_for(session)
        if found is None:
            return ANONYMOUS  # an expired or closed session: the browser is simply signed out
        user, csrf_digest = found
        if request.method not in SAFE_METHODS and not csrf_matches(
            request.headers.get(CSRF_HEADER), csrf_digest
        ):
            log.info("refused a %s by %s without a valid CSRF token", request.method, user.name)
            raise AccessDenied(f"send the session's CSRF token in the {CSRF_HEADER} header", "csrf")
        return user.principal()


async def current_principal(request: Request) -> Principal:
    """The dependency routes declare: the principal, by the app's authenticator (anonymous when the
    application runs without access control).

    A request with neither credentials nor a session cookie is anonymous without any lookup, so
    it is answered on the event loop; the others are resolved in the thread pool (the access
    store and an OIDC issuer's keys may be read), as a synchronous dependency would be.
    """
    if "authorization" not in request.headers and SESSION_COOKIE not in request.cookies:
        return ANONYMOUS
    return await run_in_threadpool(resolve_principal, request)


def resolve_principal(request: Request) -> Principal:
    """The request's principal, by the app's authenticator (synchronous: may read the access store)."""
    authenticate = getattr(request.app.state, "authenticate", None)
    principal: Principal = authenticate(request) if authenticate is not None else ANONYMOUS
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def set_session_cookies(response: Response, request: Request, session: str, csrf: str, max_age: int) -> None:
    """Put a new session and its CSRF token in cookies (Secure when the request came over HTTPS)."""
    secure = request.url.scheme == "https"
    common = {"max_age": max_age, "secure": secure, "samesite": "strict", "path": "/"}
    response.set_cookie(SESSION_COOKIE, session, httponly=True, **common)  # type: ignore[arg-type]
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, **common)  # type: ignore[arg-type]


def clear_session_cookies(response: Response) -> None:
    """Remove the session cookies (sign out)."""
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def require_user(principal: Principal) -> Principal:
    """The principal, if signed in; AuthenticationRequired otherwise."""
    if principal.user_id is None:
        raise AuthenticationRequired("sign in (or send a bearer token) first", "sign-in")
    return principal


def client_address(request: Request) -> str:
    """The client's address, as the server sees it (a reverse proxy's uvicorn --proxy-headers sets it)."""
    return request.client.host if request.client else "unknown"
