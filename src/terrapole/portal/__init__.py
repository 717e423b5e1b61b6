"""The portal: server-rendered pages (Jinja2) with small browser modules and a vendored map library.

`add_portal(app, store_provider, settings)` mounts the static files (under a URL carrying their
digest, cached for a year) and the page routes: `/` (search over all poles), `/poles/{pole}`
(thematic portals), `/datasets/{id}` (dataset pages) and `/portal/facets` (facet counts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI

from terrapole.catalog.base import CatalogStore
from terrapole.core.access import DataGate
from terrapole.portal.i18n import LANGUAGES, preferred_language
from terrapole.portal.pages import portal_router
from terrapole.portal.rendering import STATIC_DIR, CachedStaticFiles, Pages, static_digest
from terrapole.settings import Settings


def add_portal(
    app: FastAPI,
    store_provider: Callable[[], CatalogStore],
    settings: Settings,
    gate: DataGate | None = None,
    dependencies: Sequence[Any] = (),
) -> None:
    """Mount the portal's static files and pages on `app`; `gate` says which collections to hide
    from whom, and `dependencies` (the principal's resolution) run before every page."""
    prefix = f"/static/{static_digest()}"
    app.mount(prefix, CachedStaticFiles(directory=STATIC_DIR), name="static")
    router = portal_router(store_provider, settings, Pages(settings, prefix), gate)
    app.include_router(router, dependencies=list(dependencies))


__all__ = ["LANGUAGES", "add_portal", "preferred_language"]
