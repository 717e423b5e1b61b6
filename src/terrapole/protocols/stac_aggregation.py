"""STAC API - Aggregation extension (v0.3.0): facet counts for any search, as an
AggregationCollection.

Endpoints (under the STAC API prefix):
- `GET|POST /aggregate`: over the items an item search (`/search`'s parameters or body) matches;
- `GET /collections/{id}/aggregate`: over one collection's items;
- `GET /collection-aggregate`: over the collections a collection search matches (terrapole's
  own endpoint, beside `/collection-queryables`: the extension covers items only);
- `GET /aggregations`, `/collections/{id}/aggregations`, `/collection-aggregations`: the
  aggregations one may ask for.

`aggregations=` names them (comma-separated; all by default): `total_count`, and one frequency
distribution per facet of `core.facets` (`pole_frequency`, `collection_frequency`,
`concept_frequency`, `platform_frequency`, `instrument_frequency`, `license_frequency`,
`access_frequency`, `year_frequency`). Concept buckets are hierarchical (a record counts for its
concepts and every broader one) and carry the concept's `label` in `lang`, its `scheme` and its
`broader` concepts, so that a client can draw the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from terrapole.catalog.base import CatalogStore
from terrapole.core.errors import CollectionNotFound, InvalidParameter
from terrapole.core.facets import FACETS, Facets
from terrapole.core.query import Query
from terrapole.core.vocab import Vocabulary
from terrapole.protocols import JSON, OrjsonResponse, public_base_url
from terrapole.protocols.stac_params import (
    ListParams,
    SearchBody,
    SearchParams,
    check_spatial,
    openapi_parameters,
    query_from_body,
    query_from_params,
    read_params,
    split_list,
)
from terrapole.protocols.vocab_api import request_language
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]

CONFORMANCE: tuple[str, ...] = (
    "https://api.stacspec.org/v0.3.0/aggregation",
    "https://api.stacspec.org/v0.3.0/aggregation#filter",
)
TOTAL = "total_count"
FREQUENCY = "_frequency"
AGGREGATIONS: dict[str, str] = {
    TOTAL: "integer",
    **{f"{f}{FREQUENCY}": "frequency_distribution" for f in FACETS},
}
BUCKET_TYPES = {"year": "interval_year"}


class AggregateParams(SearchParams):
    """Query parameters of GET /aggregate: those of /search, plus which aggregations."""

    aggregations: str | None = Field(None, description="Aggregation names, comma-separated (default: all)")
    lang: str | None = Field(None, description="Language of concept labels (en, fr)")


class CollectionAggregateParams(ListParams):
    """Query parameters of GET /collection-aggregate: those of collection search, plus which aggregations."""

    aggregations: str | None = Field(None, description="Aggregation names, comma-separated (default: all)")
    lang: str | None = Field(None, description="Language of concept labels (en, fr)")


class AggregateBody(SearchBody):
    """The JSON body of POST /aggregate."""

    aggregations: list[str] | str | None = None
    lang: str | None = None


def parse_aggregations(value: str | list[str] | None) -> tuple[str, ...]:
    """Requested aggregation names, checked (none means all)."""
    names = value if isinstance(value, list) else list(split_list(value))
    for name in names:
        if name not in AGGREGATIONS:
            raise InvalidParameter(
                "aggregations", f"unknown aggregation {name!r}; see the aggregations endpoint"
            )
    return tuple(dict.fromkeys(names)) or tuple(AGGREGATIONS)


def facets_of(names: Iterable[str]) -> tuple[str, ...]:
    """The facets the named aggregations need."""
    return tuple(n.removesuffix(FREQUENCY) for n in names if n.endswith(FREQUENCY))


def aggregation_collection(
    facets: Facets, names: Iterable[str], vocabulary: Vocabulary, lang: str, links: list[dict[str, Any]]
) -> dict[str, Any]:
    """The AggregationCollection of facet counts."""
    aggregations: list[dict[str, Any]] = []
    for name in names:
        if name == TOTAL:
            aggregations.append({"name": name, "data_type": "integer", "value": facets.total})
            continue
        facet = name.removesuffix(FREQUENCY)
        buckets = [_bucket(facet, key, n, vocabulary, lang) for key, n in facets.buckets(facet)]
        aggregations.append(
            {"name": name, "data_type": "frequency_distribution", "overflow": 0, "buckets": buckets}
        )
    return {"type": "AggregationCollection", "aggregations": aggregations, "links": links}


def _bucket(facet: str, key: str, count: int, vocabulary: Vocabulary, lang: str) -> dict[str, Any]:
    bucket: dict[str, Any] = {"key": key, "data_type": BUCKET_TYPES.get(facet, "string"), "frequency": count}
    if facet == "concept":
        concept = vocabulary.concepts.get(key)
        bucket["label"] = vocabulary.label(key, lang)
        bucket["scheme"] = concept.scheme if concept else None
        bucket["broader"] = sorted(vocabulary.broader(key))
    return bucket


def available(names: Iterable[str], links: list[dict[str, Any]]) -> dict[str, Any]:
    """The document of an aggregations endpoint: the names one may ask for and their types."""
    listed = [{"name": name, "data_type": AGGREGATIONS[name]} for name in names]
    return {"type": "AggregationCollection", "aggregations": listed, "links": links}


class AggregationApi:
    """The aggregation endpoints over the store `store_provider` returns."""

    def __init__(
        self,
        store_provider: StoreProvider,
        settings: Settings,
        prefix: str,
        hidden: Callable[[Request], frozenset[str]] = lambda _: frozenset(),
    ) -> None:
        self.store = store_provider
        self.settings = settings
        self.prefix = prefix
        self.hidden = hidden  # the collections a request's principal may not discover

    def _visible(self, request: Request, query: Query) -> Query:
        hidden = self.hidden(request)
        return replace(query, hidden_collections=hidden) if hidden else query

    def _check_visible(self, request: Request, collection_id: str) -> None:
        if collection_id in self.hidden(request):
            raise CollectionNotFound(collection_id)
        self.store().get_collection(collection_id)  # an unknown collection is a 404

    def _root(self, request: Request) -> str:
        return public_base_url(request, self.settings) + self.prefix

    def _links(self, request: Request) -> list[dict[str, Any]]:
        query = f"?{request.url.query}" if request.url.query else ""
        self_href = f"{public_base_url(request, self.settings)}{request.url.path}{query}"
        return [
            {"rel": "self", "href": self_href, "type": JSON},
            {"rel": "root", "href": self._root(request), "type": JSON},
        ]

    def items_get(self, request: Request) -> Response:
        """Aggregate the items an item search matches (GET)."""
        params = read_params(AggregateParams, request.query_params)
        query = check_spatial(query_from_params(params, self.settings))
        return self._items(request, query, params.aggregations)

    def items_post(self, request: Request, body: Annotated[AggregateBody | None, Body()] = None) -> Response:
        """Aggregate the items an item search matches (POST body)."""
        body = body or AggregateBody.model_validate({})
        query = check_spatial(query_from_body(body, self.settings))
        return self._items(request, query, body.aggregations)

    def collection_items(self, request: Request, collection_id: str) -> Response:
        """Aggregate the items of one collection."""
        self._check_visible(request, collection_id)
        params = read_params(AggregateParams, request.query_params)
        query = check_spatial(query_from_params(params, self.settings, (collection_id,)))
        return self._items(request, query, params.aggregations)

    def _items(self, request: Request, query: Query, requested: str | list[str] | None) -> Response:
        names = parse_aggregations(requested)
        lang = request_language(request)
        store = self.store()
        facets = store.aggregate_items(self._visible(request, query), facets_of(names))
        body = aggregation_collection(facets, names, store.vocabulary.snapshot(), lang, self._links(request))
        return OrjsonResponse(body)

    def collections(self, request: Request) -> Response:
        """Aggregate the collections a collection search matches."""
        params = read_params(CollectionAggregateParams, request.query_params)
        query = query_from_params(params, self.settings)
        names = parse_aggregations(params.aggregations)
        store = self.store()
        facets = store.aggregate_collections(self._visible(request, query), facets_of(names))
        body = aggregation_collection(
            facets, names, store.vocabulary.snapshot(), request_language(request), self._links(request)
        )
        return OrjsonResponse(body)

    def listing(self, request: Request) -> Response:
        """The aggregations one may ask for (the same for items and collections)."""
        return OrjsonResponse(available(AGGREGATIONS, self._links(request)))

    def collection_listing(self, request: Request, collection_id: str) -> Response:
        """The aggregations one may ask for over one collection's items."""
        self._check_visible(request, collection_id)
        return OrjsonResponse(available(AGGREGATIONS, self._links(request)))


def add_aggregation_routes(router: APIRouter, api: AggregationApi) -> None:
    """Register the aggregation endpoints on the STAC API router."""
    aggregate = {"parameters": openapi_parameters(AggregateParams)}
    collection_aggregate = {"parameters": openapi_parameters(CollectionAggregateParams)}
    routes: list[tuple[str, Callable[..., Any], str, dict[str, Any] | None]] = [
        ("/aggregate", api.items_get, "GET", aggregate),
        ("/aggregate", api.items_post, "POST", None),
        ("/aggregations", api.listing, "GET", None),
        ("/collections/{collection_id}/aggregate", api.collection_items, "GET", aggregate),
        ("/collections/{collection_id}/aggregations", api.collection_listing, "GET", None),
        ("/collection-aggregate", api.collections, "GET", collection_aggregate),
        ("/collection-aggregations", api.listing, "GET", None),
    ]
    for path, endpoint, method, extra in routes:
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            response_class=OrjsonResponse,
            openapi_extra=extra,
            name=f"stac:{endpoint.__name__}:{path}",
        )
