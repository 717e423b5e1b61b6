"""The composition root: one FastAPI application serving every protocol over one catalog store.

`create_app(settings)` opens the catalog and the access-control store in the lifespan (or uses
those it is given, which then stay the caller's to close), mounts the protocol routers and maps
errors to problem+json. Every route that serves catalog content or data resolves the request's
principal first (`access.web`), and the STAC API asks the access gate what that principal may see.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response

from terrapole import __version__
from terrapole.access import admin_routes, auth_routes, data_routes, downloads, user_routes
from terrapole.access.services import AccessServices
from terrapole.access.store import AccessStore
from terrapole.access.web import current_principal
from terrapole.catalog import CatalogStore, open_catalog
from terrapole.core.access import Principal
from terrapole.core.errors import StorageError
from terrapole.core.model import Item
from terrapole.harvest.api import harvest_router
from terrapole.portal import add_portal
from terrapole.protocols import OrjsonResponse
from terrapole.protocols.csw import csw_router
from terrapole.protocols.dcat import dcat_router
from terrapole.protocols.downloads import download_router
from terrapole.protocols.oaipmh import oaipmh_router
from terrapole.protocols.problems import add_problem_handlers
from terrapole.protocols.records import records_router
from terrapole.protocols.sitemap import sitemap_router
from terrapole.protocols.stac_api import stac_router
from terrapole.protocols.vocab_api import vocab_router
from terrapole.settings import Settings
from terrapole.storage import store_from_settings
from terrapole.storage.signing import UrlSigner


def create_app(
    settings: Settings, store: CatalogStore | None = None, access: AccessStore | None = None
) -> FastAPI:
    """The terrapole web application; it opens the catalog and the access store itself unless given."""
    app = FastAPI(
        title=settings.title,
        description=settings.description,
        version=__version__,
        openapi_url="/api",
        docs_url="/api.html",
        redoc_url=None,
        lifespan=_lifespan(settings, store, access),
    )
    app.state.store = store
    _add_middleware(app, settings)
    add_problem_handlers(app)
    who = [Depends(current_principal)]
    app.include_router(stac_router(_store_provider(app), settings, gate=_LazyGate(app)), dependencies=who)
    app.include_router(vocab_router(_store_provider(app)))
    for module in (auth_routes, admin_routes, user_routes, data_routes):
        app.include_router(module.router)
    _add_downloads(app, settings)
    gate = _LazyGate(app)
    for harvestable in (oaipmh_router, dcat_router, sitemap_router, csw_router, records_router):
        app.include_router(harvestable(_store_provider(app), settings, gate), dependencies=who)
    app.include_router(harvest_router(_store_provider(app), settings), dependencies=who)
    _add_site_routes(app, settings)
    return app


def _add_downloads(app: FastAPI, settings: Settings) -> None:
    """`/download/{key}` from the object store, each request decided by access control."""
    objects = store_from_settings(settings)
    app.state.objects = objects
    app.state.signer = UrlSigner.from_settings(settings)
    router = download_router(
        lambda: objects,
        downloads.authorize,
        app.state.signer,
        authorize_signed=downloads.authorize_signed,
        audit=downloads.audit,
    )
    app.include_router(router)


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # Browser clients on other origins (STAC Browser, notebooks, portals) read the APIs. No
    # credentials are allowed across origins: session cookies are SameSite=Strict and only the
    # site's own pages use them; other clients send bearer tokens.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["Content-Language"],
    )
    if settings.gzip:
        # Level 4: most of the size reduction of level 9 for a fraction of its CPU time.
        app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_minimum_bytes, compresslevel=4)


def _lifespan(
    settings: Settings, given: CatalogStore | None, given_access: AccessStore | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = open_catalog(settings) if given is None else None
        if opened is not None:
            app.state.store = opened
        try:
            access = given_access or AccessStore.open(settings)
        except BaseException:
            _close(app, opened)
            raise
        services = AccessServices.build(access, settings, _store_provider(app))
        app.state.access, app.state.authenticate = services, services.authenticate
        try:
            yield
        finally:
            app.state.access = app.state.authenticate = None
            if given_access is None:
                access.close()
            _close(app, opened)

    return lifespan


def _close(app: FastAPI, opened: CatalogStore | None) -> None:
    if opened is not None:
        app.state.store = None
        opened.close()


class _LazyGate:
    """The access gate of the running application (built in the lifespan, after the routes)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def _gate(self) -> Any:
        services: AccessServices | None = getattr(self.app.state, "access", None)
        if services is None:
            raise StorageError("access control is not open (the application has not started)")
        return services.gate

    def hidden_collections(self, principal: Principal) -> frozenset[str]:
        """Delegates to the access gate."""
        hidden: frozenset[str] = self._gate().hidden_collections(principal)
        return hidden

    def item_assets(
        self, principal: Principal, items: Sequence[Item], base_url: str
    ) -> list[Mapping[str, Any] | None]:
        """Delegates to the access gate."""
        views: list[Mapping[str, Any] | None] = self._gate().item_assets(principal, items, base_url)
        return views


def _store_provider(app: FastAPI) -> Callable[[], CatalogStore]:
    def provide() -> CatalogStore:
        store: CatalogStore | None = app.state.store
        if store is None:
            raise StorageError("the catalog is not open (the application has not started)")
        return store

    return provide


def _add_site_routes(app: FastAPI, settings: Settings) -> None:
    provide = _store_provider(app)
    add_portal(app, provide, settings, _LazyGate(app), [Depends(current_principal)])

    @app.get("/healthz", tags=["Operations"])
    def healthz() -> Response:
        """Liveness and readiness: the catalog answers."""
        return OrjsonResponse({"status": "ok", "collections": provide().collection_count()})
