"""The whole catalog as a DCAT-AP feed at `/dcat`: a `dcat:Catalog` with its datasets, in
Turtle, RDF/XML or JSON-LD by content negotiation (`Accept`) or `?f=ttl|rdf|jsonld`; one dataset
alone at `/dcat/datasets/{id}`.

Each dataset is written by the DCAT format module from the collection's canonical record, named
by its own http(s) identifier or DOI when it has one, else by its landing page
(`/datasets/{id}`), which it also links as `dcat:landingPage`. Deleted collections are left out.

Paging follows the DCAT-AP convention harvesters read (ckanext-dcat, the European Data Portal):
a `hydra:PagedCollection` node for the page, with `hydra:totalItems`, `hydra:itemsPerPage`,
`hydra:firstPage` and `hydra:nextPage`. Pages are keyed by the catalog's change order (as the
OAI-PMH lists are), so following `nextPage` while the catalog changes misses no dataset; there
is no `lastPage`, which a keyed list cannot name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, XSD
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from terrapole.catalog.base import CatalogStore, ChangeKey, ChangePage, ChangeScope
from terrapole.core.access import DataGate, OpenGate
from terrapole.core.errors import CollectionNotFound, InvalidParameter
from terrapole.core.record import record_from_collection
from terrapole.formats.dcat import encode, serialise
from terrapole.formats.dcat_terms import DCAT
from terrapole.formats.dcat_write import add_record, new_graph
from terrapole.formats.rdfsafe import Syntax
from terrapole.protocols import public_base_url
from terrapole.protocols.datasets import dataset_uri, decode_key, encode_key, landing_page
from terrapole.protocols.negotiation import best_offer
from terrapole.protocols.stac_api import principal_of
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
SYNTAXES: dict[str, tuple[Syntax, str]] = {
    # ?f= value: (rdflib syntax, media type)
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}
_ALIASES = {"turtle": "ttl", "xml": "rdf", "rdfxml": "rdf", "json-ld": "jsonld", "json": "jsonld"}
_MEDIA_TYPES = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/rdf+xml": "rdf",
    "application/xml": "rdf",
    "text/xml": "rdf",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
}


def dcat_router(provide: StoreProvider, settings: Settings, gate: DataGate | None = None) -> APIRouter:
    """The `/dcat` feed; `gate` says which collections to hide from whom."""
    router = APIRouter(tags=["DCAT-AP"])
    access = gate or OpenGate()

    def changes_for(request: Request, after: ChangeKey | None, limit: int) -> ChangePage:
        # Counted on the first page only (hydra:totalItems), as OAI-PMH lists are.
        scope = ChangeScope(hidden=access.hidden_collections(principal_of(request)))
        return provide().collection_changes(
            scope=scope, after=after, limit=limit, deleted=False, count=after is None
        )

    @router.get("/dcat", summary="The catalog as DCAT-AP (Turtle, RDF/XML, JSON-LD), paged")
    async def dcat_feed(
        request: Request,
        f: Annotated[str | None, Query(description="ttl, rdf or jsonld (overrides Accept)")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Datasets per page")] = DEFAULT_LIMIT,
        page: Annotated[str | None, Query(description="Page token (from hydra:nextPage)")] = None,
    ) -> Response:
        """One page of the catalog's datasets."""
        name = choose_syntax(f, request.headers.get("accept"))
        after = decode_key(page, "page") if page else None
        base = public_base_url(request, settings)
        changes = await run_in_threadpool(changes_for, request, after, limit)
        syntax, media_type = SYNTAXES[name]
        feed = Feed(base, settings, name, limit)
        document = await run_in_threadpool(feed.document, changes, page, syntax)
        return Response(document, media_type=media_type, headers={"Vary": "Accept"})

    @router.get("/dcat/datasets/{collection_id}", summary="One dataset as DCAT-AP")
    def dcat_dataset(
        request: Request,
        collection_id: str,
        f: Annotated[str | None, Query(description="ttl, rdf or jsonld (overrides Accept)")] = None,
    ) -> Response:
        """One dataset of the catalog (404 when unknown or deleted)."""
        syntax, media_type = SYNTAXES[choose_syntax(f, request.headers.get("accept"))]
        if collection_id in access.hidden_collections(principal_of(request)):
            raise CollectionNotFound(collection_id)
        change = provide().collection_change(collection_id)
        if change.collection is None:
            raise CollectionNotFound(collection_id)
        record = record_from_collection(change.collection)
        landing = landing_page(public_base_url(request, settings), change.id)
        document = encode(record, syntax, dataset_uri=dataset_uri(record, landing))
        return Response(document, media_type=media_type, headers={"Vary": "Accept"})

    return router


class Feed:
    """The graph of one page of the feed."""

    def __init__(self, base: str, settings: Settings, syntax_name: str, limit: int) -> None:
        self.base = base
        self.settings = settings
        self.syntax_name = syntax_name
        self.limit = limit
        self.catalog = URIRef(f"{base}/dcat")

    def document(self, changes: ChangePage, page: str | None, syntax: Syntax) -> bytes:
        """The page serialised in `syntax`."""
        graph = new_graph()
        graph.bind("hydra", HYDRA)
        self.describe_catalog(graph, changes)
        for change in changes.changes:
            assert change.collection is not None
            record = record_from_collection(change.collection)
            landing = landing_page(self.base, change.id)
            node = add_record(graph, record, dataset_uri(record, landing))
            graph.add((self.catalog, DCAT.dataset, node))
            graph.add((node, DCAT.landingPage, URIRef(landing)))
        self.describe_page(graph, changes, page)
        return serialise(graph, syntax)

    def describe_catalog(self, graph: Graph, changes: ChangePage) -> None:
        """The dcat:Catalog node (DCAT-AP's mandatory title, description and publisher)."""
        publisher = URIRef(f"{self.base}/#publisher")
        for predicate, value in (
            (RDF.type, DCAT.Catalog),
            (DCTERMS.title, Literal(self.settings.title)),
            (DCTERMS.description, Literal(self.settings.description)),
            (DCTERMS.publisher, publisher),
            (FOAF.homepage, URIRef(f"{self.base}/")),
        ):
            graph.add((self.catalog, predicate, value))
        graph.add((publisher, RDF.type, FOAF.Agent))
        graph.add((publisher, FOAF.name, Literal(self.settings.title)))
        if changes.changes:
            latest = max(change.datestamp for change in changes.changes)
            graph.add((self.catalog, DCTERMS.modified, Literal(latest.isoformat(), datatype=XSD.dateTime)))

    def describe_page(self, graph: Graph, changes: ChangePage, page: str | None) -> None:
        """The hydra:PagedCollection node of this page."""
        here = URIRef(self.page_url(page))
        graph.add((here, RDF.type, HYDRA.PagedCollection))
        graph.add((here, HYDRA.itemsPerPage, Literal(self.limit)))
        graph.add((here, HYDRA.firstPage, URIRef(self.page_url(None))))
        if changes.remaining is not None:
            graph.add((here, HYDRA.totalItems, Literal(changes.remaining)))
        if changes.next_key is not None:
            graph.add((here, HYDRA.nextPage, URIRef(self.page_url(encode_key(changes.next_key)))))

    def page_url(self, page: str | None) -> str:
        """The URL of a page of this feed, in this syntax and page size."""
        query = {"f": self.syntax_name, "limit": str(self.limit)}
        if page:
            query["page"] = page
        return f"{self.base}/dcat?{urlencode(query)}"


def choose_syntax(f: str | None, accept: str | None) -> str:
    """The `SYNTAXES` key for `?f=` (which wins) or the Accept header; Turtle by default."""
    if f is not None:
        name = _ALIASES.get(f.lower(), f.lower())
        if name not in SYNTAXES:
            raise InvalidParameter("f", f"unknown format {f!r}; expected one of {', '.join(SYNTAXES)}")
        return name
    return best_offer(accept, _MEDIA_TYPES, "ttl")
