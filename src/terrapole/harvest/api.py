"""The harvest HTTP API under `/harvest`: sources, runs, reports and the documents as harvested.

All routes are in one router, guarded by one dependency: curators and administrators only. Nobody
signed in gets 401, a user who curates no pole 403. Platform administrators manage every source;
a pole's curators and administrators manage the sources of that pole only, and see no other
(listed sources, runs and documents alike); a source with no pole is the platform
administrators' alone, since its records may land in any pole. Moving a source to another pole
needs the right over both. Errors are problem+json through the application's handlers.

- `GET /harvest/sources`, `POST /harvest/sources` (a JSON source), `GET|PATCH /harvest/sources/{name}`
- `POST /harvest/sources/{name}/runs?full=true|false&wait=true`: a run, in the background (202,
  `Location` of the report) or, with `wait`, before answering (200, the report)
- `GET /harvest/sources/{name}/runs` (latest first), `GET /harvest/sources/{name}/runs/latest`,
  `GET /harvest/runs/{id}`: reports, with each failure and its reason
- `GET /harvest/sources/{name}/documents?after=&limit=`, and
  `GET /harvest/sources/{name}/documents/{identifier}`: a document exactly as harvested
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from terrapole.access.web import CurrentPrincipal, require_user
from terrapole.catalog.base import CatalogStore
from terrapole.core.access import POLE_ADMINS, POLE_CURATORS, Principal
from terrapole.core.errors import AccessDenied, Conflict, NotFound
from terrapole.core.timeutil import format_instant
from terrapole.harvest.runner import Harvester, utc_now
from terrapole.harvest.sources import HarvestSource, format_interval, parse_interval
from terrapole.harvest.store import HarvestStore
from terrapole.protocols import OrjsonResponse
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]


class SourceBody(BaseModel):
    """A harvest source to add."""

    model_config = ConfigDict(extra="forbid")

    name: str
    protocol: str = Field(description="csw, oaipmh, stac-api, stac-static or directory")
    url: str
    pole: str | None = None
    options: dict[str, str] = Field(default_factory=dict)
    interval: str | None = Field(None, description="Schedule: 90s, 15m, 6h, 1d (none: on demand)")
    enabled: bool = True


class SourceChanges(BaseModel):
    """Changes to a harvest source (absent fields stay as they are)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    pole: str | None = None
    options: dict[str, str] | None = None
    interval: str | None = None
    enabled: bool | None = None


class HarvestService:
    """Opens the harvest store per request and runs harvests, at most one per source at a time."""

    def __init__(self, store_provider: StoreProvider, settings: Settings) -> None:
        self.catalog = store_provider
        self.settings = settings
        self._running: set[str] = set()
        self._lock = threading.Lock()

    @contextmanager
    def store(self) -> Iterator[HarvestStore]:
        """The harvest store, closed afterwards."""
        store = HarvestStore.open(self.settings)
        try:
            yield store
        finally:
            store.close()

    def run(self, name: str, full: bool | None) -> dict[str, Any]:
        """Harvest a source now; its report."""
        self._claim(name)
        try:
            with self.store() as store:
                return Harvester(self.catalog(), store).run(name, full=full).to_json()
        finally:
            self._release(name)

    def start(self, name: str, full: bool | None) -> None:
        """Harvest a source in a background thread."""
        with self.store() as store:
            store.source(name)  # SourceNotFound before anything starts
        self._claim(name)

        def harvest() -> None:
            try:
                with self.store() as store:
                    Harvester(self.catalog(), store).run(name, full=full)
            finally:
                self._release(name)

        threading.Thread(target=harvest, name=f"terrapole-harvest-{name}", daemon=True).start()

    def _claim(self, name: str) -> None:
        with self._lock:
            if name in self._running:
                raise Conflict(f"a harvest of {name!r} is running already")
            self._running.add(name)

    def _release(self, name: str) -> None:
        with self._lock:
            self._running.discard(name)


def curator(principal: CurrentPrincipal) -> Principal:
    """The principal, if a platform administrator or some pole's curator or administrator;
    AuthenticationRequired (401) when nobody signed in, AccessDenied (403) otherwise."""
    require_user(principal)
    roles = (POLE_ADMINS, POLE_CURATORS)
    if principal.platform_admin or any(group.startswith(roles) for group in principal.groups):
        return principal
    raise AccessDenied("harvest sources are managed by curators and administrators", "not-curator")


Curator = Annotated[Principal, Depends(curator)]


def check_manages(principal: Principal, pole: str | None) -> None:
    """AccessDenied unless the principal may manage the sources of this pole (None: no pole)."""
    if not principal.curates(pole):
        whose = f"pole {pole!r}" if pole else "no pole"
        raise AccessDenied(f"you may not manage harvest sources of {whose}", "not-curator")


def managed_source(store: HarvestStore, name: str, principal: Principal) -> HarvestSource:
    """The source with this name, if the principal manages it; SourceNotFound, AccessDenied."""
    source = store.source(name)
    check_manages(principal, source.pole)
    return source


def source_json(source: HarvestSource, store: HarvestStore) -> dict[str, Any]:
    """A source, where its next harvest starts from and its latest run."""
    state = store.state(source.name)
    latest = store.runs(source.name, limit=1)
    return {
        "name": source.name,
        "protocol": source.protocol,
        "url": source.url,
        "pole": source.pole,
        "options": dict(source.options),
        "interval": format_interval(source.interval),
        "enabled": source.enabled,
        "created": format_instant(source.created) if source.created else None,
        "last_since": format_instant(state.last_since) if state.last_since else None,
        "last_full": format_instant(state.last_full) if state.last_full else None,
        "latest_run": latest[0].to_json() if latest else None,
    }


def harvest_router(store_provider: StoreProvider, settings: Settings) -> APIRouter:
    """The `/harvest` routes (see the module docstring)."""
    service = HarvestService(store_provider, settings)
    router = APIRouter(prefix="/harvest", tags=["Harvest"])
    _source_routes(router, service)
    _run_routes(router, service)
    _document_routes(router, service)
    return router


def _source_routes(router: APIRouter, service: HarvestService) -> None:
    @router.get("/sources")
    def list_sources(principal: Curator) -> Response:
        """Every harvest source the principal manages."""
        with service.store() as store:
            sources = [s for s in store.sources() if principal.curates(s.pole)]
            return OrjsonResponse({"sources": [source_json(s, store) for s in sources]})

    @router.post("/sources", status_code=201)
    def add_source(body: SourceBody, principal: Curator) -> Response:
        """Add a harvest source."""
        check_manages(principal, body.pole)
        source = HarvestSource(
            body.name,
            body.protocol,
            body.url,
            body.pole,
            body.options,
            parse_interval(body.interval),
            body.enabled,
        )
        with service.store() as store:
            store.add_source(source, utc_now())
            content = source_json(store.source(source.name), store)
        return OrjsonResponse(
            content, status_code=201, headers={"Location": f"/harvest/sources/{source.name}"}
        )

    @router.get("/sources/{name}")
    def get_source(name: str, principal: Curator) -> Response:
        """One harvest source."""
        with service.store() as store:
            return OrjsonResponse(source_json(managed_source(store, name, principal), store))

    @router.patch("/sources/{name}")
    def change_source(name: str, body: SourceChanges, principal: Curator) -> Response:
        """Change a harvest source's URL, pole, options, schedule or whether it is enabled."""
        changes = body.model_dump(exclude_unset=True)
        if "interval" in changes:
            changes["interval"] = parse_interval(changes["interval"])
        with service.store() as store:
            source = managed_source(store, name, principal)
            if "pole" in changes:
                check_manages(principal, changes["pole"])
            store.update_source(source.with_changes(**changes))
            return OrjsonResponse(source_json(store.source(name), store))


def _run_routes(router: APIRouter, service: HarvestService) -> None:
    @router.post("/sources/{name}/runs")
    def run_source(
        name: str,
        principal: Curator,
        full: bool | None = Query(
            None, description="true: full listing; false: incremental; absent: by schedule"
        ),
        wait: bool = Query(False, description="Answer with the report once the run is over"),
    ) -> Response:
        """Harvest a source now."""
        with service.store() as store:
            managed_source(store, name, principal)
        if wait:
            return OrjsonResponse(service.run(name, full))
        service.start(name, full)
        location = f"/harvest/sources/{name}/runs/latest"
        return OrjsonResponse({"status": "started", "report": location}, 202, headers={"Location": location})

    @router.get("/sources/{name}/runs")
    def list_runs(name: str, principal: Curator, limit: int = Query(20, ge=1, le=1000)) -> Response:
        """The latest runs of a source, newest first."""
        with service.store() as store:
            managed_source(store, name, principal)
            return OrjsonResponse({"runs": [r.to_json() for r in store.runs(name, limit)]})

    @router.get("/sources/{name}/runs/latest")
    def latest_run(name: str, principal: Curator) -> Response:
        """The report of the latest run of a source, failures included."""
        with service.store() as store:
            managed_source(store, name, principal)
            runs = store.runs(name, limit=1)
            if not runs:
                raise NotFound(f"{name!r} has not been harvested yet")
            return OrjsonResponse(store.run(runs[0].id).to_json())

    @router.get("/runs/{run_id}")
    def get_run(run_id: int, principal: Curator) -> Response:
        """The report of one run, failures included."""
        with service.store() as store:
            report = store.run(run_id)
            managed_source(store, report.source, principal)
            return OrjsonResponse(report.to_json())


def _document_routes(router: APIRouter, service: HarvestService) -> None:
    @router.get("/sources/{name}/documents")
    def list_documents(
        name: str, principal: Curator, after: str = "", limit: int = Query(100, ge=1, le=10_000)
    ) -> Response:
        """Identifiers and datestamps of the documents harvested from a source."""
        with service.store() as store:
            managed_source(store, name, principal)
            rows = store.documents(name, limit, after)
        documents = [
            {
                "identifier": d,
                "datestamp": format_instant(t) if t else None,
                "href": f"/harvest/sources/{quote(name)}/documents/{quote(d, safe='')}",
            }
            for d, t in rows
        ]
        return OrjsonResponse({"documents": documents})

    @router.get("/sources/{name}/documents/{identifier:path}")
    def get_document(name: str, identifier: str, principal: Curator) -> Response:
        """A document exactly as it was harvested."""
        with service.store() as store:
            managed_source(store, name, principal)
            document = store.document(name, identifier)
        return Response(
            document.original, media_type=document.media_type, headers={"X-Format": document.format}
        )
