"""CSW 2.0.2 (OGC 07-006r1) with the ISO Application Profile (OGC 07-045) at `/csw`, over the
catalog's dataset-level records (collections).

Operations: GetCapabilities (with INSPIRE discovery extended capabilities), DescribeRecord,
GetDomain, GetRecords and GetRecordById, over GET (KVP) and POST (XML, or KVP form-encoded).
Requests are read by `csw_requests` (constraints by `csw_fes` and `csw_filter`) into one
`core.Query`; records are encoded by `formats.csw_record` (csw:Record) and `formats.iso19139`
(gmd:MD_Metadata); documents are laid out by `csw_responses`. Every refusal is an OWS
ExceptionReport with its exception code and locator; none is a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from terrapole.catalog.base import CatalogStore
from terrapole.catalog.records import LIST_SEPARATOR
from terrapole.core.access import DataGate, OpenGate
from terrapole.core.errors import InvalidParameter, StorageError
from terrapole.core.model import Collection
from terrapole.core.query import Query
from terrapole.core.timeutil import format_instant
from terrapole.protocols import catalog_record, public_base_url
from terrapole.protocols import csw_responses as responses
from terrapole.protocols.csw_filter import queryable
from terrapole.protocols.csw_requests import (
    DOMAINS,
    CswError,
    CswRequest,
    DescribeRecord,
    GetCapabilities,
    GetDomain,
    GetRecordById,
    GetRecords,
    from_kvp,
    from_xml,
    invalid,
)
from terrapole.protocols.stac_api import principal_of
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]
FORM = "application/x-www-form-urlencoded"
DOMAIN_LIMIT = 1000  # values listed by GetDomain for a queryable
MAX_OFFSET = 2**62  # startPosition beyond any catalog, still a 64-bit integer for the databases


class CswService:
    """The CSW endpoints over the store that `store_provider` returns."""

    def __init__(
        self, store_provider: StoreProvider, settings: Settings, path: str, gate: DataGate | None = None
    ) -> None:
        self.store = store_provider
        self.settings = settings
        self.gate: DataGate = gate or OpenGate()
        self.path = path

    async def get(self, request: Request) -> Response:
        """A KVP request."""
        pairs = dict(reversed(request.query_params.multi_items()))  # the first of repeated names
        return await run_in_threadpool(self.answer, lambda: from_kvp(pairs), *self._context(request))

    async def post(self, request: Request) -> Response:
        """An XML request, or KVP sent as a form."""
        body = await request.body()
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == FORM:
            pairs = dict(reversed(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)))
            return await run_in_threadpool(self.answer, lambda: from_kvp(pairs), *self._context(request))
        return await run_in_threadpool(self.answer, lambda: from_xml(body), *self._context(request))

    def _context(self, request: Request) -> tuple[str, frozenset[str]]:
        """This endpoint's public URL, and the collections the request's principal may not discover."""
        hidden = self.gate.hidden_collections(principal_of(request))
        return public_base_url(request, self.settings) + self.path, hidden

    def answer(
        self, read: Callable[[], CswRequest], endpoint: str, hidden: frozenset[str] = frozenset()
    ) -> Response:
        """The response to a request, or the ExceptionReport saying why there is none."""
        try:
            body = self.dispatch(read(), endpoint, hidden)
        except CswError as error:
            return _report(error)
        except InvalidParameter as error:
            locator = "Constraint" if error.parameter == "filter" else error.parameter
            return _report(invalid(locator, error.message.removeprefix(f"{error.parameter}: ")))
        except StorageError as error:
            return _report(CswError("NoApplicableCode", None, error.message, status=503))
        return Response(body, media_type=responses.XML)

    def dispatch(self, request: CswRequest, endpoint: str, hidden: frozenset[str] = frozenset()) -> bytes:
        """The response document of a parsed request."""
        if isinstance(request, GetCapabilities):
            return responses.capabilities(endpoint, self.settings, request.sections)
        if isinstance(request, DescribeRecord):
            return responses.describe_record(request.type_names)
        if isinstance(request, GetDomain):
            return self.domain(request, hidden)
        if isinstance(request, GetRecords):
            return self.records(request, hidden)
        return self.record_by_id(request, hidden)

    def domain(self, request: GetDomain, hidden: frozenset[str] = frozenset()) -> bytes:
        """GetDomain: the values of an operation parameter, or those the collections the requester
        may discover hold for a queryable."""
        if request.parameter is not None:
            return responses.domain_values(request.parameter, True, DOMAINS[request.parameter])
        assert request.property is not None
        target = queryable(request.property)
        if target.kind in ("geometry", "anytext"):
            raise invalid("PropertyName", f"{request.property!r} has no list of values")
        found = self.store().collection_values(target.name, DOMAIN_LIMIT, hidden)
        if target.kind == "time":
            values = [format_instant(v) for v in found]
        elif target.kind == "list":
            values = sorted({part for v in found for part in str(v).split(LIST_SEPARATOR)})
        else:
            values = [str(v) for v in found]
        return responses.domain_values(request.property, False, values[:DOMAIN_LIMIT])

    def records(self, request: GetRecords, hidden: frozenset[str] = frozenset()) -> bytes:
        """GetRecords: a count (hits), a page of records (results), or an acknowledgement (validate)."""
        if request.result_type == "validate":
            assert request.echo is not None
            return responses.acknowledgement(request.echo)
        limit = min(request.max_records, self.settings.max_limit)
        constraint = request.constraint
        query = Query(
            text=constraint.text,
            bbox=constraint.bbox,
            filter=constraint.filter,
            sortby=request.sortby,
            limit=max(limit, 1),
            offset=min(request.start - 1, MAX_OFFSET),
            hidden_collections=hidden,
        )
        store = self.store()
        if request.result_type == "hits" or limit == 0:
            matched = store.count_collections(query)
            following = request.start if request.start <= matched else 0
            return responses.search_results(matched, following, request.schema, request.element_set, [])
        page = store.search_collections(query)
        matched = page.number_matched if page.number_matched is not None else store.count_collections(query)
        records = [self._encode(c, request.schema, request.element_set) for c in page.records]
        end = request.start - 1 + len(records)
        following = end + 1 if records and end < matched else 0
        return responses.search_results(matched, following, request.schema, request.element_set, records)

    def record_by_id(self, request: GetRecordById, hidden: frozenset[str] = frozenset()) -> bytes:
        """GetRecordById: the records with these identifiers, in the order asked (unknown ones left out)."""
        if len(request.ids) > self.settings.max_limit:
            raise invalid("Id", f"at most {self.settings.max_limit} identifiers per request")
        page = self.store().search_collections(
            Query(ids=request.ids, limit=len(request.ids), hidden_collections=hidden)
        )
        found = {c.id: c for c in page.records}
        ordered = [found[i] for i in dict.fromkeys(request.ids) if i in found]
        return responses.record_by_id([self._encode(c, request.schema, request.element_set) for c in ordered])

    def _encode(self, collection: Collection, schema: str, element_set: str) -> bytes:
        return responses.record_document(catalog_record(collection), schema, element_set)


def _report(error: CswError) -> Response:
    body = responses.exception_report(error.code, error.locator, error.text)
    return Response(body, status_code=error.status, media_type=responses.XML)


def csw_router(
    store_provider: StoreProvider, settings: Settings, gate: DataGate | None = None, path: str = "/csw"
) -> APIRouter:
    """The CSW routes: GET and POST on one endpoint; `gate` says which collections to hide from whom."""
    service = CswService(store_provider, settings, path, gate)
    router = APIRouter(tags=["CSW 2.0.2"])
    xml: dict[int | str, dict[str, Any]] = {
        200: {"content": {responses.XML: {}}, "description": "A CSW response or an OWS ExceptionReport"}
    }
    router.add_api_route(
        path, service.get, methods=["GET"], response_class=Response, responses=xml, name="csw:get"
    )
    router.add_api_route(
        path, service.post, methods=["POST"], response_class=Response, responses=xml, name="csw:post"
    )
    return router
