"""Page rendering: the Jinja2 environment, the static files and the security headers of pages.

Records are harvested from other catalogs, so every text they carry is untrusted: templates are
autoescaped, JSON is embedded only in non-executable `<script type="application/...json">`
blocks through Jinja's `tojson` (which escapes `<`, `>`, `&` and `'`), and the
Content-Security-Policy forbids inline scripts, inline event handlers and inline styles.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from terrapole import __version__
from terrapole.portal.i18n import LANGUAGE_COOKIE, LANGUAGES, Translator, request_language
from terrapole.portal.poles import POLE_INFO
from terrapole.protocols import public_base_url
from terrapole.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"
# Static URLs carry a digest of the files, so browsers may keep them for a year: a new release
# changes the digest and thus every URL (module imports are relative, so they follow).
STATIC_CACHE = "public, max-age=31536000, immutable"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


class CachedStaticFiles(StaticFiles):
    """Static files answered with long-lived cache headers."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        """The file, with `Cache-Control` and `X-Content-Type-Options` added."""
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = STATIC_CACHE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file at `path`; JavaScript modules are served as text/javascript whatever the OS says."""
        response = await super().get_response(path, scope)
        if path.endswith(".js"):
            response.headers["Content-Type"] = "text/javascript; charset=utf-8"
        return response


def static_digest(directory: Path = STATIC_DIR) -> str:
    """A short digest of every static file's path and content."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def content_security_policy(settings: Settings) -> str:
    """The pages' CSP: only this origin's scripts, no inline code; basemap tiles when configured."""
    images = "'self' data:"
    if settings.basemap_url:
        parts = urlsplit(settings.basemap_url.replace("{s}", "a"))
        if parts.scheme in ("http", "https") and parts.netloc:
            images += f" {parts.scheme}://{parts.netloc.split('@')[-1]}"
            if "{s}" in settings.basemap_url:  # subdomains a, b, c of the tile server
                host = parts.netloc.split("@")[-1].split(".", 1)[-1]
                images += f" {parts.scheme}://*.{host}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


class Pages:
    """Renders the portal's templates into responses with their language and security headers."""

    def __init__(self, settings: Settings, static_prefix: str) -> None:
        self.settings = settings
        self.static_prefix = static_prefix
        self.csp = content_security_policy(settings)
        self.env = Environment(
            loader=PackageLoader("terrapole.portal", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # Every module is announced up front: the browser then fetches them in parallel rather
        # than discovering them import by import (a waterfall of round trips before the search).
        modules = sorted(p.name for p in (STATIC_DIR / "js").glob("*.js"))
        self.env.globals.update(
            version=__version__, static=self.static_url, pole_nav=POLE_INFO.values(), modules=modules
        )

    def static_url(self, path: str) -> str:
        """The URL of a static file."""
        return f"{self.static_prefix}/{path}"

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """The page `template` in the request's language, with CSP, language and cache headers."""
        lang, chosen = request_language(request)
        t = Translator(lang)
        page = self.env.get_template(template).render(
            **{key: value for key, value in context.items() if key != "client_config"},
            lang=lang,
            t=t,
            site_title=self.settings.title,
            path=request.url.path,
            base_url=public_base_url(request, self.settings),
            language_links=_language_links(request),
            client_config={**context.get("client_config", {}), **self._client_config(lang)},
            client_messages=t.client_messages(),
        )
        response = HTMLResponse(page, status_code=status_code)
        self._headers(response, lang)
        response.headers.update(headers or {})
        if chosen:
            response.set_cookie(
                LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_AGE, httponly=True, samesite="lax"
            )
        return response

    def _client_config(self, lang: str) -> dict[str, Any]:
        return {
            "lang": lang,
            "static": self.static_prefix,
            "basemapUrl": self.settings.basemap_url,
            "basemapAttribution": self.settings.basemap_attribution,
            "poles": {code: pole.name[lang] for code, pole in POLE_INFO.items()},
        }

    def _headers(self, response: Response, lang: str) -> None:
        headers = response.headers
        headers["Content-Security-Policy"] = self.csp
        headers["Content-Language"] = lang
        headers["Vary"] = "Accept-Language, Cookie"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cache-Control"] = "no-cache"


def _language_links(request: Request) -> dict[str, str]:
    """This page's URL in each language (its other query parameters kept)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return {lang: f"{request.url.path}?{urlencode([*params, ('lang', lang)])}" for lang in LANGUAGES}
