"""OGC API - Records Part 1 (OGC 20-004r1) at `/records`, over the catalog's dataset-level records.

Record collections: `datasets` (every record) and one per pole (the records of one data centre).
Records are searched with q, bbox, datetime, filter (CQL2 text or JSON, also as a POST body),
sortby, limit, offset and next/prev links, the GET parameters read by `stac_params` into one
`core.Query`. Records come as GeoJSON (`records_geojson`), HTML (`records_html`), ISO 19139 and
DCAT-AP (Turtle, RDF/XML, JSON-LD), chosen by `f=` or by content negotiation. Errors are
problem+json (the application's handlers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from terrapole.catalog.base import CORE_COLLECTION_QUERYABLES, CatalogStore
from terrapole.core.access import DataGate, OpenGate
from terrapole.core.errors import CollectionNotFound, InvalidParameter
from terrapole.core.filter import parse_filter
from terrapole.core.model import POLES, Collection
from terrapole.core.query import Filter, Query
from terrapole.core.record import Record
from terrapole.core.timeutil import format_instant
from terrapole.formats import FORMATS
from terrapole.protocols import (
    GEOJSON,
    JSON,
    OPENAPI_JSON,
    SCHEMA_JSON,
    OrjsonResponse,
    catalog_record,
    public_base_url,
)
from terrapole.protocols import records_html as html
from terrapole.protocols.records_geojson import record_feature
from terrapole.protocols.stac_api import PageLinks, link, principal_of, queryables_document
from terrapole.protocols.stac_params import ListParams, query_from_params, read_params
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]
RECORDS = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf"
FEATURES = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf"
FILTERING = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf"
CONFORMS_TO: tuple[str, ...] = (
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    *(
        f"{RECORDS}/{name}"
        for name in (
            "core",
            "record-core",
            "record-collection",
            "record-core-query-parameters",
            "record-api",
            "searchable-catalog",
            "searchable-catalog-filtering",
            "searchable-catalog-sorting",
            "sorting",
            "json",
            "html",
            "oas30",
        )
    ),
    f"{FEATURES}/core",
    f"{FEATURES}/geojson",
    f"{FEATURES}/oas30",
    f"{FILTERING}/queryables",
    f"{FILTERING}/filter",
    f"{FILTERING}/features-filter",
    *(f"{CQL2}/{name}" for name in ("cql2-text", "cql2-json", "basic-cql2", "advanced-comparison-operators")),
)
ALL = "datasets"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
HTML = "text/html"
# Output formats: the `f` values that name them, and the media type each is served as.
MEDIA_TYPES = {
    "json": GEOJSON,
    "html": HTML,
    "iso19139": FORMATS["iso19139"].media_type,
    "dcat-turtle": "text/turtle",
    "dcat-rdfxml": "application/rdf+xml",
    "dcat-jsonld": "application/ld+json",
}
F_VALUES = {
    **{name: name for name in MEDIA_TYPES},
    "geojson": "json",
    "iso": "iso19139",
    "xml": "iso19139",
    "gmd": "iso19139",
    "dcat": "dcat-turtle",
    "ttl": "dcat-turtle",
    "turtle": "dcat-turtle",
    "rdf": "dcat-rdfxml",
    "rdfxml": "dcat-rdfxml",
    "jsonld": "dcat-jsonld",
    "json-ld": "dcat-jsonld",
}
ACCEPTED = {
    "application/geo+json": "json",
    "application/json": "json",
    HTML: "html",
    "application/vnd.iso.19139+xml": "iso19139",
    "application/xml": "iso19139",
    "text/xml": "iso19139",
    "text/turtle": "dcat-turtle",
    "application/rdf+xml": "dcat-rdfxml",
    "application/ld+json": "dcat-jsonld",
}
PAGE = ("json", "html")
LIST = ("json", "html", "dcat-turtle", "dcat-rdfxml", "dcat-jsonld")
ONE = tuple(MEDIA_TYPES)


def negotiate(request: Request, offered: Sequence[str]) -> str:
    """The output format: `f` when given (400 when unknown or not offered), else the first offered
    format the Accept header ranks highest, else the first offered."""
    requested = request.query_params.get("f")
    if requested:
        chosen = F_VALUES.get(requested.strip().lower())
        if chosen is None or chosen not in offered:
            choices = ", ".join(sorted(k for k, v in F_VALUES.items() if v in offered))
            raise InvalidParameter("f", f"{requested[:40]!r} is not offered here; use one of {choices}")
        return chosen
    ranked = []
    for position, part in enumerate(request.headers.get("accept", "").split(",")):
        media, _, params = part.strip().partition(";")
        quality = next((p.split("=")[1] for p in params.split(";") if p.strip().startswith("q=")), "1")
        ranked.append((-_float(quality), position, media.strip().lower()))
    for _, _, media in sorted(ranked):
        if media == "*/*":
            return offered[0]
        if ACCEPTED.get(media) in offered:
            return ACCEPTED[media]
    return offered[0]


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


class RecordsApi:
    """The OGC API - Records endpoints over the store that `store_provider` returns."""

    def __init__(
        self, store_provider: StoreProvider, settings: Settings, prefix: str, gate: DataGate | None = None
    ) -> None:
        self.store = store_provider
        self.settings = settings
        self.prefix = prefix
        self.gate: DataGate = gate or OpenGate()

    def root(self, request: Request) -> str:
        """The absolute URL of the API's landing page."""
        return public_base_url(request, self.settings) + self.prefix

    # -- landing, conformance, collections ---------------------------------------------------------
    def landing(self, request: Request) -> Response:
        """The landing page."""
        root, base = self.root(request), public_base_url(request, self.settings)
        document = {
            "title": f"{self.settings.title}: records",
            "description": self.settings.description,
            "links": [
                link("self", root),
                link("alternate", f"{root}?f=html", HTML),
                link("conformance", f"{root}/conformance"),
                link("http://www.opengis.net/def/rel/ogc/1.0/conformance", f"{root}/conformance"),
                link("data", f"{root}/collections"),
                link("http://www.opengis.net/def/rel/ogc/1.0/data", f"{root}/collections"),
                link("service-desc", f"{base}/api", OPENAPI_JSON),
                link("service-doc", f"{base}/api.html", HTML),
            ],
        }
        return _respond(request, document, PAGE, html.described)

    def conformance(self, request: Request) -> Response:
        """The conformance classes."""
        document = {"conformsTo": list(CONFORMS_TO)}
        return _respond(request, document, PAGE, lambda d: html.page("Conformance", html.link_list(_uris(d))))

    def collections(self, request: Request) -> Response:
        """The record collections: every record, then one per pole."""
        root = self.root(request)
        document = {
            "collections": [self._collection(root, cid) for cid in (ALL, *POLES)],
            "links": [
                link("self", f"{root}/collections"),
                link("alternate", f"{root}/collections?f=html", HTML),
            ],
        }
        return _respond(request, document, PAGE, html.collections)

    def collection(self, request: Request, collection_id: str) -> Response:
        """One record collection."""
        _check_collection(collection_id)
        return _respond(request, self._collection(self.root(request), collection_id), PAGE, html.described)

    def _collection(self, root: str, collection_id: str) -> dict[str, Any]:
        href = f"{root}/collections/{collection_id}"
        every = collection_id == ALL
        return {
            "id": collection_id,
            "title": "All datasets" if every else f"Datasets of the {collection_id} pole",
            "description": "Dataset-level records of every data centre"
            if every
            else f"Dataset-level records of the {collection_id} data centre",
            "itemType": "record",
            "type": "Catalog",
            "links": [
                link("self", href),
                link("alternate", f"{href}?f=html", HTML),
                link("items", f"{href}/items", GEOJSON),
                link("items", f"{href}/items?f=html", HTML),
                link(QUERYABLES_REL, f"{href}/queryables", SCHEMA_JSON),
                link("root", root),
            ],
        }

    def queryables(self, request: Request, collection_id: str) -> Response:
        """What record filters and sorts may use."""
        _check_collection(collection_id)
        href = f"{self.root(request)}/collections/{collection_id}/queryables"
        document = queryables_document(href, f"Queryables of {collection_id}", CORE_COLLECTION_QUERYABLES)
        return OrjsonResponse(document, media_type=SCHEMA_JSON)

    # -- records -----------------------------------------------------------------------------------
    def items(self, request: Request, collection_id: str) -> Response:
        """A page of records (GET): q, bbox, datetime, filter, sortby, limit, offset, token."""
        return self._search(request, collection_id, None)

    async def items_post(self, request: Request, collection_id: str) -> Response:
        """A page of records whose filter is the CQL2-JSON request body (as OWSLib sends it)."""
        body = await request.body()
        try:
            expression = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise InvalidParameter("body", "the request body is not JSON (send a CQL2-JSON filter)") from None
        extra = parse_filter(expression, "cql2-json") if expression else None
        return await run_in_threadpool(self._search, request, collection_id, extra)

    def _search(self, request: Request, collection_id: str, extra: Filter | None) -> Response:
        _check_collection(collection_id)
        chosen = negotiate(request, LIST)
        query = self._query(request, collection_id, extra)
        hidden = self.gate.hidden_collections(principal_of(request))
        page = self.store().search_collections(replace(query, hidden_collections=hidden))
        records = [catalog_record(c) for c in page.records]
        if chosen.startswith("dcat"):
            return _dcat(records, chosen)
        root = self.root(request)
        href = f"{root}/collections/{collection_id}/items"
        document = {
            "type": "FeatureCollection",
            "features": [
                self._feature(root, collection_id, r, c) for r, c in zip(records, page.records, strict=True)
            ],
            "numberReturned": len(records),
            "timeStamp": format_instant(datetime.now(UTC).replace(microsecond=0)),
            "links": [
                link("self", _with_query(href, request), GEOJSON),
                link("alternate", f"{href}?f=html", HTML),
                link("collection", f"{root}/collections/{collection_id}"),
                *PageLinks(href, request.query_params.multi_items()).links(page, GEOJSON),
            ],
        }
        if page.number_matched is not None:
            document["numberMatched"] = page.number_matched
        return _respond(request, document, LIST, lambda d: html.items(d, collection_id), chosen)

    def _query(self, request: Request, collection_id: str, extra: Filter | None) -> Query:
        query = query_from_params(read_params(ListParams, request.query_params), self.settings)
        offset = request.query_params.get("offset")
        if offset is not None:
            query = replace(query, offset=_offset(offset))
        parts = [f.expression for f in (query.filter, extra) if f is not None]
        if collection_id != ALL:
            parts.insert(0, {"op": "=", "args": [{"property": "pole"}, collection_id]})
        if len(parts) > 1:
            return replace(query, filter=Filter({"op": "and", "args": parts}))
        return replace(query, filter=Filter(parts[0]) if parts else None)

    def item(self, request: Request, collection_id: str, record_id: str) -> Response:
        """One record, in the format `f` or the Accept header asks for."""
        _check_collection(collection_id)
        if record_id in self.gate.hidden_collections(principal_of(request)):
            raise CollectionNotFound(record_id)
        found = self.store().get_collection(record_id)
        if collection_id != ALL and found.pole != collection_id:
            raise CollectionNotFound(record_id)
        chosen = negotiate(request, ONE)
        record = catalog_record(found)
        if chosen == "iso19139":
            return Response(FORMATS["iso19139"].encode(record), media_type=MEDIA_TYPES[chosen])
        href = self._item_href(self.root(request), collection_id, found.id)
        if chosen.startswith("dcat"):
            return _dcat([record], chosen, href)
        feature = self._feature(self.root(request), collection_id, record, found)
        return _respond(request, feature, ONE, html.record, chosen)

    def _item_href(self, root: str, collection_id: str, record_id: str) -> str:
        return f"{root}/collections/{collection_id}/items/{quote(record_id, safe='')}"

    def _feature(self, root: str, collection_id: str, record: Record, found: Collection) -> dict[str, Any]:
        href = self._item_href(root, collection_id, found.id)
        links = [
            link("self", href, GEOJSON),
            link("alternate", f"{href}?f=html", HTML),
            link("alternate", f"{href}?f=iso19139", MEDIA_TYPES["iso19139"], title="ISO 19139"),
            link("alternate", f"{href}?f=dcat", "text/turtle", title="DCAT-AP"),
            link("collection", f"{root}/collections/{collection_id}"),
        ]
        return record_feature(record, links)


def _check_collection(collection_id: str) -> None:
    if collection_id != ALL and collection_id not in POLES:
        raise CollectionNotFound(collection_id)


def _offset(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InvalidParameter("offset", f"{text[:40]!r} is not an integer") from None
    if value < 0:
        raise InvalidParameter("offset", "must be 0 or more")
    return min(value, 2**62)


def _dcat(records: list[Record], chosen: str, uri: str | None = None) -> Response:
    """Records as one DCAT-AP document; a single record's dataset is named by `uri`."""
    from terrapole.formats import dcat  # rdflib is slow to import: only when DCAT is asked for

    syntax: Any = {"dcat-turtle": "turtle", "dcat-rdfxml": "xml", "dcat-jsonld": "json-ld"}[chosen]
    if uri is not None and len(records) == 1:
        body = dcat.encode(records[0], syntax, dataset_uri=uri)
    else:
        body = dcat.encode_many(records, syntax)
    return Response(body, media_type=MEDIA_TYPES[chosen])


def _respond(
    request: Request,
    document: Mapping[str, Any],
    offered: Sequence[str],
    render: Callable[[Any], str],
    chosen: str | None = None,
) -> Response:
    chosen = chosen or negotiate(request, offered)
    if chosen == "html":
        return HTMLResponse(render(document))
    return OrjsonResponse(
        document, media_type=GEOJSON if "features" in document or "properties" in document else JSON
    )


def _uris(document: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"href": uri, "rel": "conformance"} for uri in document["conformsTo"]]


def _with_query(href: str, request: Request) -> str:
    return f"{href}?{request.url.query}" if request.url.query else href


def records_router(
    store_provider: StoreProvider, settings: Settings, gate: DataGate | None = None, prefix: str = "/records"
) -> APIRouter:
    """The OGC API - Records routes; `gate` says which collections to hide from whom."""
    api = RecordsApi(store_provider, settings, prefix, gate)
    router = APIRouter(prefix=prefix, tags=["OGC API - Records"])
    routes: list[tuple[str, Callable[..., Any], str]] = [
        ("", api.landing, "GET"),
        ("/conformance", api.conformance, "GET"),
        ("/collections", api.collections, "GET"),
        ("/collections/{collection_id}", api.collection, "GET"),
        ("/collections/{collection_id}/queryables", api.queryables, "GET"),
        ("/collections/{collection_id}/items", api.items, "GET"),
        ("/collections/{collection_id}/items", api.items_post, "POST"),
        ("/collections/{collection_id}/items/{record_id}", api.item, "GET"),
    ]
    for path, endpoint, method in routes:
        router.add_api_route(
            path, endpoint, methods=[method], response_class=Response, name=f"records:{endpoint.__name__}"
        )
    return router
