"""The composition root: one FastAPI application serving every protocol over one catalog store.

`create_app(settings)` opens the catalog in the lifespan (or uses the store it is given, which
then stays the caller's to close), mounts the protocol routers and maps errors to problem+json.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from terrapole import __version__
from terrapole.catalog import CatalogStore, open_catalog
from terrapole.core.errors import StorageError
from terrapole.portal import home_page, preferred_language
from terrapole.protocols import OrjsonResponse, public_base_url
from terrapole.protocols.csw import csw_router
from terrapole.protocols.problems import add_problem_handlers
from terrapole.protocols.records import records_router
from terrapole.protocols.stac_api import stac_router
from terrapole.settings import Settings


def create_app(settings: Settings, store: CatalogStore | None = None) -> FastAPI:
    """The terrapole web application; it opens the catalog itself unless `store` is given."""
    app = FastAPI(
        title=settings.title,
        description=settings.description,
        version=__version__,
        openapi_url="/api",
        docs_url="/api.html",
        redoc_url=None,
        lifespan=_lifespan(settings, store),
    )
    app.state.store = store
    _add_middleware(app, settings)
    add_problem_handlers(app)
    app.include_router(stac_router(_store_provider(app), settings))
    app.include_router(csw_router(_store_provider(app), settings))
    app.include_router(records_router(_store_provider(app), settings))
    _add_site_routes(app, settings)
    return app


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # Browser clients on other origins (STAC Browser, notebooks, portals) read the APIs;
    # nothing is authenticated by cookie yet, so any origin may read.
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
    settings: Settings, given: CatalogStore | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if given is not None:
            yield
            return
        opened = open_catalog(settings)
        app.state.store = opened
        try:
            yield
        finally:
            app.state.store = None
            opened.close()

    return lifespan


def _store_provider(app: FastAPI) -> Callable[[], CatalogStore]:
    def provide() -> CatalogStore:
        store: CatalogStore | None = app.state.store
        if store is None:
            raise StorageError("the catalog is not open (the application has not started)")
        return store

    return provide


def _add_site_routes(app: FastAPI, settings: Settings) -> None:
    provide = _store_provider(app)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home(request: Request) -> Response:
        lang = preferred_language(request.headers.get("accept-language"))
        page = home_page(lang, public_base_url(request, settings), settings.title)
        return HTMLResponse(page, headers={"Content-Language": lang, "Vary": "Accept-Language"})

    @app.get("/healthz", tags=["Operations"])
    def healthz() -> Response:
        """Liveness and readiness: the catalog answers."""
        return OrjsonResponse({"status": "ok", "collections": provide().collection_count()})
