"""The portal's routes: home, thematic portals, dataset pages, and the facet counts they read.

Pages are rendered on the server (Jinja2); the search, facets and map are small browser modules
that read the STAC API (`/stac/collections`, the collection search) and `/portal/facets`.
Endpoints that touch the store are plain `def`: FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from terrapole.catalog.base import CatalogStore
from terrapole.core.errors import CollectionNotFound
from terrapole.core.filter import parse_filter
from terrapole.core.model import Collection, pick_language
from terrapole.core.query import Query
from terrapole.formats import schemaorg
from terrapole.portal.citation import cite
from terrapole.portal.dataset import dataset_view
from terrapole.portal.facets import facet_counts, parse_selections
from terrapole.portal.fair import fair_assessment
from terrapole.portal.i18n import request_language
from terrapole.portal.poles import POLE_INFO
from terrapole.portal.rendering import Pages
from terrapole.protocols import OrjsonResponse, public_base_url
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]
SERVICES = (
    ("service.stac", "/stac"),
    ("service.collections", "/stac/collections"),
    ("service.search", "/stac/search"),
    ("service.api", "/api"),
    ("service.docs", "/api.html"),
)
# Other protocols a dataset page links to, shown only when this server mounts them.
FORMAT_PREFIXES = {"format.iso19139": "/csw", "format.dcat": "/dcat"}
POLE_DATASETS_LIMIT = 200


class Portal:
    """The portal's page handlers over the store that `store_provider` returns."""

    def __init__(self, store_provider: StoreProvider, settings: Settings, pages: Pages) -> None:
        self.store = store_provider
        self.settings = settings
        self.pages = pages

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
        datasets = self._pole_datasets(pole, lang)
        context = {
            "pole": info,
            "datasets": datasets,
            "form": _form(request),
            "pole_filter": quote(f"pole = '{pole}'", safe=""),
            "client_config": {"page": "search", "pole": pole},
        }
        return self.pages.render(request, "pole.html", context)

    def dataset(self, request: Request, dataset_id: str) -> Response:
        """The landing page of one dataset."""
        try:
            collection = self.store().get_collection(dataset_id)
        except CollectionNotFound:
            return self.not_found(request, "dataset.not_found", "dataset.not_found_text", id=dataset_id)
        lang, _ = request_language(request)
        base = public_base_url(request, self.settings)
        url = f"{base}/datasets/{quote(dataset_id, safe='')}"
        view, record = dataset_view(collection, lang, base)
        served = _served_prefixes(request)
        formats = [
            (key, href)
            for key, href in view.formats
            if key not in FORMAT_PREFIXES or FORMAT_PREFIXES[key] in served
        ]
        jsonld = schemaorg.dataset(record, self.settings.title, base + "/")
        jsonld.setdefault("url", url)
        context = {
            "dataset": view,
            "formats": formats,
            "citation": cite(record, lang, url, self.settings.title),
            "fair": fair_assessment(record),
            "jsonld": jsonld,
            "canonical": url,
            "client_config": {"page": "dataset", "extent": view.extent_geojson},
        }
        return self.pages.render(request, "dataset.html", context)

    def facets(self, request: Request) -> Response:
        """Facet counts of the datasets a search matches (JSON; errors as problem+json)."""
        params = dict(request.query_params)
        selections = parse_selections(params, request.query_params.getlist)
        return OrjsonResponse(facet_counts(self.store(), self.settings, params, selections))

    def not_found(self, request: Request, title: str, text: str, **values: str) -> Response:
        """The 404 page, in the request's language."""
        context = {"title_key": title, "text_key": text, "values": values}
        return self.pages.render(request, "not_found.html", context, status_code=404)

    def _pole_datasets(self, pole: str, lang: str) -> list[dict[str, Any]]:
        query = Query(filter=parse_filter(f"pole = '{pole}'"), limit=POLE_DATASETS_LIMIT)
        page = self.store().search_collections(query)
        return [_summary(c, lang) for c in page.records]


def portal_router(store_provider: StoreProvider, settings: Settings, pages: Pages) -> APIRouter:
    """The portal's routes."""
    portal = Portal(store_provider, settings, pages)
    router = APIRouter(include_in_schema=False)
    router.add_api_route("/", portal.home, methods=["GET"])
    router.add_api_route("/poles/{pole}", portal.pole, methods=["GET"])
    router.add_api_route("/datasets/{dataset_id:path}", portal.dataset, methods=["GET"])
    router.add_api_route("/portal/facets", portal.facets, methods=["GET"])
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


def _served_prefixes(request: Request) -> set[str]:
    paths = {getattr(route, "path", "") for route in request.app.routes}
    return {"/" + path.strip("/").split("/")[0] for path in paths if path}
