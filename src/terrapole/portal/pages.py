"""The portal's routes: home, thematic portals, dataset pages, and the facet counts they read.

Pages are rendered on the server (Jinja2); the search, facets and map are small browser modules
that read the STAC API (`/stac/collections`, the collection search) and `/portal/facets`.
Endpoints that touch the store are plain `def`: FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from terrapole.catalog.base import CatalogStore
from terrapole.core.access import DataGate, OpenGate
from terrapole.core.errors import CollectionNotFound
from terrapole.core.filter import parse_filter
from terrapole.core.model import Collection, pick_language
from terrapole.core.query import Query as CatalogQuery
from terrapole.portal.citation import cite
from terrapole.portal.dataset import dataset_view
from terrapole.portal.facets import facet_counts, parse_selections
from terrapole.portal.fair import fair_assessment
from terrapole.portal.i18n import request_language
from terrapole.portal.poles import POLE_INFO
from terrapole.portal.rendering import Pages
from terrapole.protocols import OrjsonResponse, public_base_url
from terrapole.protocols.datasets import landing_page
from terrapole.protocols.landing import FORMAT_KEYS, alternates, choose_format, json_ld, record_document
from terrapole.protocols.stac_api import principal_of
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]
SERVICES = (
    ("service.stac", "/stac"),
    ("service.collections", "/stac/collections"),
    ("service.search", "/stac/search"),
    ("service.api", "/api"),
    ("service.docs", "/api.html"),
)
POLE_DATASETS_LIMIT = 200


class Portal:
    """The portal's page handlers over the store that `store_provider` returns."""

    def __init__(
        self, store_provider: StoreProvider, settings: Settings, pages: Pages, gate: DataGate | None = None
    ) -> None:
        self.store = store_provider
        self.settings = settings
        self.pages = pages
        self.gate: DataGate = gate or OpenGate()

    def _hidden(self, request: Request) -> frozenset[str]:
        """The collections access control hides from this request's principal."""
        return self.gate.hidden_collections(principal_of(request))

    def home(self, request: Request) -> Response:
        """The single entry over all poles: search box, facets, map and results."""
        context = {"poles": POLE_INFO.values(), "services": SERVICES, "pole": None, "form": _form(request)}
        return self.pages.render(request, "home.html", {**context, "client_config": {"page": "search"}})

    def pole(self, request: Request, pole: str) -> Response:
        """A thematic portal: the pole's description, its datasets and the search prefiltered on it."""
        info = POLE_INFO.get(pole)
        if info is None:
            return self.not_found(request, "page.not_found", "page.not_found_text", name=pole)
        lang, _ = request_language(request)
        datasets = self._pole_datasets(pole, lang, self._hidden(request))
        context = {
            "pole": info,
            "datasets": datasets,
            "form": _form(request),
            "pole_filter": quote(f"pole = '{pole}'", safe=""),
            "client_config": {"page": "search", "pole": pole},
        }
        return self.pages.render(request, "pole.html", context)

    def dataset(
        self,
        request: Request,
        dataset_id: str,
        f: Annotated[
            str | None, Query(description="html, or a record format: " + ", ".join(FORMAT_KEYS))
        ] = None,
        lang: Annotated[
            str | None, Query(description="fr or en (else the cookie, then Accept-Language)")
        ] = None,
    ) -> Response:
        """A dataset's landing page, or its record in another format (by `?f=` or Accept)."""
        chosen = choose_format(f, request.headers.get("accept"))
        try:
            if dataset_id in self._hidden(request):
                raise CollectionNotFound(dataset_id)
            change = self.store().collection_change(dataset_id)
        except CollectionNotFound:
            return self.not_found(request, "dataset.not_found", "dataset.not_found_text", id=dataset_id)
        if change.deleted or change.collection is None:
            return self.not_found(
                request, "dataset.gone", "dataset.gone_text", status_code=410, id=dataset_id
            )
        base = public_base_url(request, self.settings)
        url = landing_page(base, change.id)
        if chosen != "html":
            return record_document(change, chosen, url)
        return self._dataset_page(request, change.collection, change.datestamp, base, url)

    def _dataset_page(
        self, request: Request, collection: Collection, updated: datetime, base: str, url: str
    ) -> Response:
        lang, _ = request_language(request)
        concepts = self.store().vocabulary.snapshot().concepts
        view, record = dataset_view(collection, lang, base, concepts)
        context = {
            "dataset": view,
            "updated": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "alternates": alternates(base, collection.id, url),
            "items_url": f"{base}/stac/collections/{quote(collection.id, safe='')}/items",
            "citation": cite(record, lang, url, self.settings.title),
            "fair": fair_assessment(record),
            "json_ld": json_ld(record, url, self.settings.title, base + "/"),
            "canonical": url,
            "client_config": {"page": "dataset", "extent": view.extent_geojson},
        }
        headers = {"Vary": "Accept, Accept-Language, Cookie"}
        return self.pages.render(request, "dataset.html", context, headers=headers)

    def facets(self, request: Request) -> Response:
        """Facet counts of the datasets a search matches (JSON; errors as problem+json)."""
        params = dict(request.query_params)
        selections = parse_selections(params, request.query_params.getlist)
        hidden = self._hidden(request)
        return OrjsonResponse(facet_counts(self.store(), self.settings, params, selections, hidden))

    def not_found(
        self, request: Request, title: str, text: str, status_code: int = 404, **values: str
    ) -> Response:
        """The page for something the catalog does not have (404) or no longer has (410)."""
        context = {"title_key": title, "text_key": text, "values": values}
        return self.pages.render(request, "not_found.html", context, status_code=status_code)

    def _pole_datasets(self, pole: str, lang: str, hidden: frozenset[str]) -> list[dict[str, Any]]:
        query = CatalogQuery(
            filter=parse_filter(f"pole = '{pole}'"), limit=POLE_DATASETS_LIMIT, hidden_collections=hidden
        )
        page = self.store().search_collections(query)
        return [_summary(c, lang) for c in page.records]


def portal_router(
    store_provider: StoreProvider, settings: Settings, pages: Pages, gate: DataGate | None = None
) -> APIRouter:
    """The portal's routes."""
    portal = Portal(store_provider, settings, pages, gate)
    router = APIRouter()
    router.add_api_route("/", portal.home, methods=["GET"], include_in_schema=False)
    router.add_api_route("/poles/{pole}", portal.pole, methods=["GET"], include_in_schema=False)
    router.add_api_route(
        "/datasets/{dataset_id:path}",
        portal.dataset,
        methods=["GET"],
        include_in_schema=True,
        tags=["Landing pages"],
        summary="A dataset's landing page (or its record in another format by ?f= or Accept)",
    )
    router.add_api_route("/portal/facets", portal.facets, methods=["GET"], include_in_schema=False)
    return router


def _form(request: Request) -> dict[str, str]:
    """The search form's values from the page's query string (the browser modules keep it up to date)."""
    names = ("q", "sort", "from", "to", "filter")
    return {name: request.query_params.get(name, "") for name in names}


def _summary(collection: Collection, lang: str) -> dict[str, Any]:
    return {
        "id": collection.id,
        "url": f"/datasets/{quote(collection.id, safe='')}",
        "title": pick_language(collection.title, lang) or collection.id,
        "description": pick_language(collection.description, lang),
    }
