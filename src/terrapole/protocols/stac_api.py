"""STAC API 1.0 (core, collections, features, item search, filter, sort, fields, free text,
collection search, aggregation) over an injected catalog store, emitting STAC 1.1.0.

`stac_router(store_provider, settings, gate=...)` returns the routes; the composition root
(`app.py`) mounts them and owns the store. Endpoints that touch the store are plain `def`: the
SQLite store is synchronous, so FastAPI runs them in its thread pool.

Access control comes in through the injected `DataGate` and the principal a dependency of the
composition root leaves on `request.state`: restricted collections the principal may not
discover are left out of every listing, search and count, and answer 404 like a collection
that does not exist; assets show as the gate presents them (see `access.gate`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Body
from starlette.requests import Request
from starlette.responses import Response

from terrapole.catalog.base import CORE_COLLECTION_QUERYABLES, CatalogStore
from terrapole.core.access import ANONYMOUS, DataGate, OpenGate, Principal
from terrapole.core.errors import CollectionNotFound
from terrapole.core.model import Collection, Item
from terrapole.core.query import Page
from terrapole.core.query import Query as CatalogQuery
from terrapole.formats.stac import STAC_VERSION, encode_collection, encode_item
from terrapole.protocols import (
    GEOJSON,
    JSON,
    OPENAPI_JSON,
    SCHEMA_JSON,
    OrjsonResponse,
    public_base_url,
)
from terrapole.protocols.stac_aggregation import CONFORMANCE as AGGREGATION_CONFORMANCE
from terrapole.protocols.stac_aggregation import AggregationApi, add_aggregation_routes
from terrapole.protocols.stac_params import (
    COLLECTION_DEFAULT_FIELDS,
    ITEM_DEFAULT_FIELDS,
    ListParams,
    SearchBody,
    SearchParams,
    apply_fields,
    check_spatial,
    openapi_parameters,
    query_from_body,
    query_from_params,
    read_params,
)
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]
Responses = dict[int | str, dict[str, Any]]

STAC_API = "https://api.stacspec.org"
OGC_FEATURES = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf"
OGC_FILTER = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf"

# Each capability declares its own conformance classes (URIs as the specifications spell them).
CONFORMANCE: Mapping[str, tuple[str, ...]] = {
    "core": (f"{STAC_API}/v1.0.0/core",),
    "collections": (f"{STAC_API}/v1.0.0/collections",),
    "features": (
        f"{STAC_API}/v1.0.0/ogcapi-features",
        f"{OGC_FEATURES}/core",
        f"{OGC_FEATURES}/oas30",
        f"{OGC_FEATURES}/geojson",
    ),
    "item-search": (f"{STAC_API}/v1.0.0/item-search",),
    "filter": (
        f"{OGC_FILTER}/filter",
        f"{OGC_FILTER}/features-filter",
        f"{STAC_API}/v1.0.0-rc.3/item-search#filter",
        f"{CQL2}/cql2-text",
        f"{CQL2}/cql2-json",
        f"{CQL2}/basic-cql2",
        f"{CQL2}/advanced-comparison-operators",
        f"{CQL2}/basic-spatial-functions",
        f"{CQL2}/basic-spatial-functions-plus",
    ),
    "sort": (f"{STAC_API}/v1.0.0/item-search#sort", f"{STAC_API}/v1.0.0/ogcapi-features#sort"),
    "fields": (
        f"{STAC_API}/v1.0.0/item-search#fields",
        f"{STAC_API}/v1.0.0/ogcapi-features#fields",
    ),
    "free-text": (
        f"{STAC_API}/v1.0.0-rc.1/item-search#free-text",
        f"{STAC_API}/v1.0.0-rc.1/ogcapi-features#free-text",
    ),
    "collection-search": (
        f"{STAC_API}/v1.0.0-rc.1/collection-search",
        "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/simple-query",
        f"{STAC_API}/v1.0.0-rc.1/collection-search#free-text",
        f"{STAC_API}/v1.0.0-rc.1/collection-search#filter",
        f"{STAC_API}/v1.0.0-rc.1/collection-search#sort",
        f"{STAC_API}/v1.0.0-rc.1/collection-search#fields",
    ),
    "aggregation": AGGREGATION_CONFORMANCE,
}
CONFORMS_TO: tuple[str, ...] = tuple(uri for group in CONFORMANCE.values() for uri in group)

QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
JSON_SCHEMA = "https://json-schema.org/draft/2019-09/schema"
# The store refuses filters and sorts on anything it does not list as queryable.
ADDITIONAL_QUERYABLES = False
CATALOG_ID = "terrapole"


class StacUrls:
    """Absolute URLs of one request's STAC resources."""

    __slots__ = ("_collections", "base", "root")

    def __init__(self, base: str, prefix: str) -> None:
        self.base = base
        self.root = base + prefix
        self._collections: dict[str, str] = {}  # a page's items mostly share one collection

    def collection(self, collection_id: str) -> str:
        """The URL of a collection."""
        href = self._collections.get(collection_id)
        if href is None:
            href = self._collections[collection_id] = f"{self.root}/collections/{_segment(collection_id)}"
        return href

    def item(self, collection_id: str, item_id: str) -> str:
        """The URL of an item."""
        return f"{self.collection(collection_id)}/items/{_segment(item_id)}"


def link(rel: str, href: str, media_type: str = JSON, **extra: Any) -> dict[str, Any]:
    """A link object."""
    return {"rel": rel, "href": href, "type": media_type, **extra}


def item_links(urls: StacUrls, item: Item) -> list[dict[str, Any]]:
    """The structural links of an item."""
    collection = urls.collection(item.collection)
    return [
        link("self", urls.item(item.collection, item.id), GEOJSON),
        link("parent", collection),
        link("collection", collection),
        link("root", urls.root),
    ]


def collection_links(urls: StacUrls, collection: Collection) -> list[dict[str, Any]]:
    """The structural links of a collection."""
    href = urls.collection(collection.id)
    return [
        link("self", href),
        link("parent", urls.root),
        link("root", urls.root),
        link("items", f"{href}/items", GEOJSON),
        link(QUERYABLES_REL, f"{href}/queryables", SCHEMA_JSON),
        link("aggregate", f"{href}/aggregate"),
        link("aggregations", f"{href}/aggregations"),
    ]


def queryables_document(schema_id: str, title: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    """A queryables JSON Schema document (OGC API Features part 3)."""
    return {
        "$schema": JSON_SCHEMA,
        "$id": schema_id,
        "type": "object",
        "title": title,
        "properties": dict(properties),
        "additionalProperties": ADDITIONAL_QUERYABLES,
    }


class PageLinks:
    """How next/prev links repeat a search: a GET URL, or a POST body with the token."""

    def __init__(
        self, href: str, params: Iterable[tuple[str, str]] = (), body: Mapping[str, Any] | None = None
    ) -> None:
        self.href = href
        self.params = [(k, v) for k, v in params if k != "token"]
        self.body = body

    def links(self, page: Page[Any], media_type: str) -> list[dict[str, Any]]:
        """The next and prev links of a page (none when there is no neighbour)."""
        pairs = (("next", page.next_token), ("prev", page.prev_token))
        return [self._link(rel, token, media_type) for rel, token in pairs if token]

    def _link(self, rel: str, token: str, media_type: str) -> dict[str, Any]:
        if self.body is not None:
            body = {**self.body, "token": token}
            return link(rel, self.href, media_type, method="POST", body=body, merge=False)
        return link(rel, f"{self.href}?{urlencode([*self.params, ('token', token)])}", media_type)


class StacApi:
    """The STAC API endpoints over the store that `store_provider` returns."""

    def __init__(
        self, store_provider: StoreProvider, settings: Settings, prefix: str, gate: DataGate | None = None
    ) -> None:
        self.store = store_provider
        self.settings = settings
        self.prefix = prefix
        self.gate: DataGate = gate or OpenGate()

    def hidden(self, request: Request) -> frozenset[str]:
        """The collections this request's principal may not discover."""
        return self.gate.hidden_collections(principal_of(request))

    def _visible(self, request: Request, query: CatalogQuery) -> CatalogQuery:
        hidden = self.hidden(request)
        return dataclasses.replace(query, hidden_collections=hidden) if hidden else query

    def _check_visible(self, request: Request, collection_id: str) -> None:
        if collection_id in self.hidden(request):
            raise CollectionNotFound(collection_id)

    def urls(self, request: Request) -> StacUrls:
        """The URLs of this request's resources."""
        return StacUrls(public_base_url(request, self.settings), self.prefix)

    # -- core ------------------------------------------------------------------------------
    def landing(self, request: Request) -> Response:
        """The landing page: a STAC Catalog with conformance classes and service links."""
        urls = self.urls(request)
        hidden = self.hidden(request)
        children = [
            link("child", urls.collection(c.id), title=c.text()[0]) for c in self._all_collections(hidden)
        ]
        body = {
            "type": "Catalog",
            "stac_version": STAC_VERSION,
            "stac_extensions": [],
            "id": CATALOG_ID,
            "title": self.settings.title,
            "description": self.settings.description,
            "conformsTo": list(CONFORMS_TO),
            "links": [*self._service_links(urls), *children],
        }
        return OrjsonResponse(body)

    def _service_links(self, urls: StacUrls) -> list[dict[str, Any]]:
        root = urls.root
        return [
            link("self", root),
            link("root", root),
            link("conformance", f"{root}/conformance"),
            link("data", f"{root}/collections"),
            link("search", f"{root}/search", GEOJSON, method="GET"),
            link("search", f"{root}/search", GEOJSON, method="POST"),
            link("service-desc", f"{urls.base}/api", OPENAPI_JSON),
            link("service-doc", f"{urls.base}/api.html", "text/html"),
            link(QUERYABLES_REL, f"{root}/queryables", SCHEMA_JSON),
            link("aggregate", f"{root}/aggregate", method="GET"),
            link("aggregate", f"{root}/aggregate", method="POST"),
            link("aggregations", f"{root}/aggregations"),
        ]

    def _all_collections(self, hidden: frozenset[str]) -> list[Collection]:
        store, token = self.store(), None
        found: list[Collection] = []
        while True:
            query = CatalogQuery(limit=self.settings.max_limit, token=token, hidden_collections=hidden)
            page = store.search_collections(query)
            found.extend(page.records)
            token = page.next_token
            if not token or not page.records:
                return found

    async def conformance(self) -> Response:
        """The conformance classes this API implements."""
        return OrjsonResponse({"conformsTo": list(CONFORMS_TO)})

    # -- collections -----------------------------------------------------------------------
    def collections(self, request: Request) -> Response:
        """Collection search: q, bbox, datetime, filter, sortby, fields, limit, token."""
        query = query_from_params(read_params(ListParams, request.query_params), self.settings)
        page = self.store().search_collections(self._visible(request, query))
        urls = self.urls(request)
        href = f"{urls.root}/collections"
        records = [
            apply_fields(
                encode_collection(c, collection_links(urls, c)), query.fields, COLLECTION_DEFAULT_FIELDS
            )
            for c in page.records
        ]
        links = [
            link("self", _with_query(href, request)),
            link("root", urls.root),
            link(QUERYABLES_REL, f"{urls.root}/collection-queryables", SCHEMA_JSON),
            *PageLinks(href, request.query_params.multi_items()).links(page, JSON),
        ]
        body = {"collections": records, "links": links, **_counts(page, len(records))}
        return OrjsonResponse(body)

    def collection(self, request: Request, collection_id: str) -> Response:
        """One collection."""
        self._check_visible(request, collection_id)
        found = self.store().get_collection(collection_id)
        return OrjsonResponse(encode_collection(found, collection_links(self.urls(request), found)))

    def collection_search_queryables(self, request: Request) -> Response:
        """What collection search filters may use."""
        href = f"{self.urls(request).root}/collection-queryables"
        document = queryables_document(href, "Queryables of collections", CORE_COLLECTION_QUERYABLES)
        return OrjsonResponse(document, media_type=SCHEMA_JSON)

    # -- filter: queryables ----------------------------------------------------------------
    def queryables(self, request: Request) -> Response:
        """What item filters and sorts may use, across all collections."""
        href = f"{self.urls(request).root}/queryables"
        properties = self.store().item_queryables(None, self.hidden(request))
        document = queryables_document(href, "Queryables of items", properties)
        return OrjsonResponse(document, media_type=SCHEMA_JSON)

    def collection_queryables(self, request: Request, collection_id: str) -> Response:
        """What item filters and sorts may use in one collection."""
        self._check_visible(request, collection_id)
        href = f"{self.urls(request).collection(collection_id)}/queryables"
        properties = self.store().item_queryables(collection_id)
        title = f"Queryables of items in collection {collection_id}"
        return OrjsonResponse(queryables_document(href, title, properties), media_type=SCHEMA_JSON)

    # -- features --------------------------------------------------------------------------
    def items(self, request: Request, collection_id: str) -> Response:
        """The items of one collection (OGC API Features), with filter, sort, fields and q."""
        store = self.store()
        self._check_visible(request, collection_id)
        params = read_params(ListParams, request.query_params)
        query = query_from_params(params, self.settings, (collection_id,))
        page = store.search_items(query)
        if not page.records:
            store.get_collection(collection_id)  # an unknown collection is a 404, not an empty page
        urls = self.urls(request)
        href = urls.collection(collection_id) + "/items"
        links = [
            link("self", _with_query(href, request), GEOJSON),
            link("parent", urls.collection(collection_id)),
            link("collection", urls.collection(collection_id)),
            link("root", urls.root),
            *PageLinks(href, request.query_params.multi_items()).links(page, GEOJSON),
        ]
        return self._feature_collection(request, urls, page, query, links)

    def item(self, request: Request, collection_id: str, item_id: str) -> Response:
        """One item."""
        self._check_visible(request, collection_id)
        found = self.store().get_item(collection_id, item_id)
        urls = self.urls(request)
        body = self._encode_items(request, urls, [found])[0]
        return OrjsonResponse(body, media_type=GEOJSON)

    # -- item search -----------------------------------------------------------------------
    def search_get(self, request: Request) -> Response:
        """Item search by GET."""
        params = read_params(SearchParams, request.query_params)
        query = check_spatial(query_from_params(params, self.settings))
        urls = self.urls(request)
        paging = PageLinks(f"{urls.root}/search", request.query_params.multi_items())
        return self._search(request, urls, query, paging)

    def search_post(self, request: Request, body: Annotated[SearchBody | None, Body()] = None) -> Response:
        """Item search by POST (JSON body); next/prev links repeat the body with a token."""
        body = body or SearchBody.model_validate({})
        query = check_spatial(query_from_body(body, self.settings))
        urls = self.urls(request)
        paging = PageLinks(f"{urls.root}/search", body=body.echo())
        return self._search(request, urls, query, paging)

    def _search(self, request: Request, urls: StacUrls, query: CatalogQuery, paging: PageLinks) -> Response:
        page = self.store().search_items(self._visible(request, query))
        links = [
            link("self", _with_query(f"{urls.root}/search", request), GEOJSON),
            link("root", urls.root),
            *paging.links(page, GEOJSON),
        ]
        return self._feature_collection(request, urls, page, query, links)

    def _encode_items(self, request: Request, urls: StacUrls, items: Sequence[Item]) -> list[dict[str, Any]]:
        """STAC Items, with their assets as the request's principal sees them."""
        views = self.gate.item_assets(principal_of(request), items, urls.base)
        encoded = []
        for item, assets in zip(items, views, strict=True):
            body = encode_item(item, item_links(urls, item))
            if assets is not None:
                body["assets"] = assets
            encoded.append(body)
        return encoded

    def _feature_collection(
        self,
        request: Request,
        urls: StacUrls,
        page: Page[Item],
        query: CatalogQuery,
        links: list[dict[str, Any]],
    ) -> Response:
        features = [
            apply_fields(body, query.fields, ITEM_DEFAULT_FIELDS)
            for body in self._encode_items(request, urls, page.records)
        ]
        body = {
            "type": "FeatureCollection",
            "features": features,
            "links": links,
            **_counts(page, len(features)),
        }
        return OrjsonResponse(body, media_type=GEOJSON)


def stac_router(
    store_provider: StoreProvider, settings: Settings, prefix: str = "/stac", gate: DataGate | None = None
) -> APIRouter:
    """The STAC API routes under `prefix`, answering from the store `store_provider` returns,
    with the access control of `gate` (none when it is None)."""
    api = StacApi(store_provider, settings, prefix, gate)
    router = APIRouter(prefix=prefix, tags=["STAC API"])
    geojson: Responses = {200: {"content": {GEOJSON: {}}}}
    schema: Responses = {200: {"content": {SCHEMA_JSON: {}}}}
    listing = {"parameters": openapi_parameters(ListParams)}
    searching = {"parameters": openapi_parameters(SearchParams)}
    routes: list[tuple[str, Callable[..., Any], str, Responses | None, dict[str, Any] | None]] = [
        ("", api.landing, "GET", None, None),
        ("/conformance", api.conformance, "GET", None, None),
        ("/queryables", api.queryables, "GET", schema, None),
        ("/collections", api.collections, "GET", None, listing),
        ("/collection-queryables", api.collection_search_queryables, "GET", schema, None),
        ("/collections/{collection_id}", api.collection, "GET", None, None),
        ("/collections/{collection_id}/queryables", api.collection_queryables, "GET", schema, None),
        ("/collections/{collection_id}/items", api.items, "GET", geojson, listing),
        ("/collections/{collection_id}/items/{item_id}", api.item, "GET", geojson, None),
        ("/search", api.search_get, "GET", geojson, searching),
        ("/search", api.search_post, "POST", geojson, None),
    ]
    for path, endpoint, method, responses, extra in routes:
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            responses=responses,
            response_class=OrjsonResponse,
            openapi_extra=extra,
            name=f"stac:{endpoint.__name__}",
        )
    add_aggregation_routes(router, AggregationApi(store_provider, settings, prefix, api.hidden))
    return router


def principal_of(request: Request) -> Principal:
    """Who is asking: the principal the composition root's dependency resolved (else anonymous)."""
    found = getattr(request.state, "principal", None)
    return found if isinstance(found, Principal) else ANONYMOUS


def _segment(text: str) -> str:
    """A path segment, percent-encoded only when it needs to be (quote() is slow on hot paths)."""
    return text if _SAFE_SEGMENT.fullmatch(text) else quote(text, safe="")


_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def _with_query(href: str, request: Request) -> str:
    query = request.url.query
    return f"{href}?{query}" if query else href


def _counts(page: Page[Any], returned: int) -> dict[str, int]:
    if page.number_matched is None:
        return {"numberReturned": returned}
    return {"numberMatched": page.number_matched, "numberReturned": returned}
