"""OAI-PMH 2.0 at `/oai`: the six verbs over GET and POST, on the catalog's collections.

- Metadata formats: oai_dc, oai_datacite (DataCite's own wrapping), datacite, iso19139 and dcat
  (DCAT-AP in RDF/XML), each encoded from the collection's canonical record (`oaipmh_xml`).
- Sets: `pole` (every collection of a data centre), `pole:<pole>`, and `pole:<pole>:<series>` for
  the members of a series (collections whose record names a parent) when the series id can be
  a setSpec. A catalog where no collection has a pole has no set hierarchy.
- Datestamps are the catalog's change datestamps at second granularity; from/until also take
  days. Deleted collections stay as deleted records (`deletedRecord` persistent).
- Identifiers are `oai:<repository>:<collection id>`; the repository is `oai_repository_id`, or
  the host of the public base URL.
- Lists come in pages of `oai_page_size` with stateless resumption tokens (`oaipmh_args`).
  `completeListSize` is counted on a list's first page and carried in the token (at 100,000
  records a count on every page would cost more than the page itself); records added during a
  harvest show in it as paging reaches them, and the last page gives the exact number delivered.

Errors are OAI-PMH error elements with HTTP 200, as the protocol requires; only a catalog that
cannot answer gives an HTTP 503.

Written on FastAPI directly: the Python OAI-PMH server libraries (pyoai, oaipmh) pin old lxml
or bring their own storage and web layers, and the protocol is small.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from terrapole.catalog.base import CatalogStore, ChangeScope, CollectionChange
from terrapole.core.access import DataGate, OpenGate
from terrapole.core.errors import CollectionNotFound
from terrapole.core.record import record_from_collection
from terrapole.protocols import oaipmh_xml as xml
from terrapole.protocols import public_base_url
from terrapole.protocols.datasets import landing_page, pole_name
from terrapole.protocols.oaipmh_args import (
    GRANULARITY,
    ListState,
    OaiError,
    OaiRequest,
    collection_id_of,
    decode_token,
    encode_token,
    format_datestamp,
    oai_identifier,
    parse_request,
    parse_set,
    parse_window,
    set_specs,
)
from terrapole.protocols.oaipmh_xml import METADATA_FORMATS, MetadataFormat
from terrapole.protocols.stac_api import principal_of
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]

log = logging.getLogger(__name__)

MAX_POST_BYTES = 65_536
FORM = "application/x-www-form-urlencoded"


class Repository:
    """The OAI-PMH repository over one catalog, as seen from one request's base URL."""

    def __init__(
        self, store: CatalogStore, settings: Settings, base: str, hidden: frozenset[str] = frozenset()
    ) -> None:
        self.store = store
        self.settings = settings
        self.base = base
        self.hidden = hidden  # what access control hides from the asker: as if it did not exist
        self.base_url = f"{base}/oai"
        self.identifier = settings.oai_repository_id or urlsplit(base).hostname or "localhost"

    def answer(self, pairs: list[tuple[str, str]] | OaiError) -> bytes:
        """The response document to a request's arguments (or to a body that had none), errors included."""
        now = format_datestamp(datetime.now(UTC))
        try:
            if isinstance(pairs, OaiError):
                raise pairs
            request = parse_request(pairs)
        except OaiError as refused:
            echo = xml.request_element(self.base_url, None)
            return xml.envelope(now, echo, xml.error(refused.code, refused.message))
        echoed = {"verb": request.verb, **request.arguments}
        try:
            body = self.VERBS[request.verb](self, request)
        except OaiError as refused:
            # The request's arguments are echoed unless they were found wanting.
            echo = xml.request_element(self.base_url, None if refused.code == "badArgument" else echoed)
            return xml.envelope(now, echo, xml.error(refused.code, refused.message))
        return xml.envelope(now, xml.request_element(self.base_url, echoed), body)

    # -- verbs -------------------------------------------------------------------------------
    def identify(self, request: OaiRequest) -> bytes:
        """Identify: the repository's name, base URL, policies and earliest datestamp."""
        earliest = self.store.change_summary().earliest or datetime.now(UTC)
        parts = [
            xml.element("repositoryName", self.settings.title),
            xml.element("baseURL", self.base_url),
            xml.element("protocolVersion", "2.0"),
            xml.element("adminEmail", self.settings.admin_email),
            xml.element("earliestDatestamp", format_datestamp(earliest)),
            xml.element("deletedRecord", "persistent"),
            xml.element("granularity", GRANULARITY),
            self._identifier_description(),
        ]
        return f"<Identify>{''.join(parts)}</Identify>".encode()

    def _identifier_description(self) -> str:
        # The oai-identifier description only holds repository ids that are domain names.
        if "." not in self.identifier or not self.identifier[0].isalpha():
            return ""
        return (
            f'<description><oai-identifier xmlns="{xml.OAI_IDENTIFIER}" xsi:schemaLocation="'
            f'{xml.OAI_IDENTIFIER} {xml.OAI_IDENTIFIER}.xsd">{xml.element("scheme", "oai")}'
            f"{xml.element('repositoryIdentifier', self.identifier)}{xml.element('delimiter', ':')}"
            f"{xml.element('sampleIdentifier', oai_identifier(self.identifier, 'ocean-sst'))}"
            "</oai-identifier></description>"
        )

    def list_metadata_formats(self, request: OaiRequest) -> bytes:
        """ListMetadataFormats: every format, or those one record can be disseminated in."""
        formats = list(METADATA_FORMATS.values())
        identifier = request.arguments.get("identifier")
        if identifier is not None:
            change = self._change(identifier)
            formats = [] if change.deleted else [f for f in formats if self._encodable(change, f)]
            if not formats:
                raise OaiError("noMetadataFormats", f"no metadata format is available for {identifier}")
        return f"<ListMetadataFormats>{''.join(f.element() for f in formats)}</ListMetadataFormats>".encode()

    def list_sets(self, request: OaiRequest) -> bytes:
        """ListSets: the set hierarchy (complete in one response)."""
        if "resumptionToken" in request.arguments:
            raise OaiError("badResumptionToken", "ListSets answers in one response and issues no tokens")
        sets = self._sets()
        elements = "".join(
            f"<set>{xml.element('setSpec', spec)}{xml.element('setName', name)}</set>" for spec, name in sets
        )
        return f"<ListSets>{elements}</ListSets>".encode()

    def get_record(self, request: OaiRequest) -> bytes:
        """GetRecord: one record in one format (a header alone for a deleted record)."""
        metadata_format = self._format(request.arguments["metadataPrefix"])
        change = self._change(request.arguments["identifier"])
        document = None if change.deleted else self._document(change, metadata_format)
        if not change.deleted and document is None:
            raise OaiError(
                "cannotDisseminateFormat", f"this record cannot be written as {metadata_format.prefix}"
            )
        return b"".join((b"<GetRecord>", xml.record(self._header(change), document), b"</GetRecord>"))

    def list_identifiers(self, request: OaiRequest) -> bytes:
        """ListIdentifiers: the headers of a list, page by page."""
        return self._list(request, "ListIdentifiers", records=False)

    def list_records(self, request: OaiRequest) -> bytes:
        """ListRecords: the records of a list, page by page."""
        return self._list(request, "ListRecords", records=True)

    VERBS: dict[str, Callable[[Repository, OaiRequest], bytes]] = {
        "Identify": identify,
        "ListMetadataFormats": list_metadata_formats,
        "ListSets": list_sets,
        "GetRecord": get_record,
        "ListIdentifiers": list_identifiers,
        "ListRecords": list_records,
    }

    # -- lists -------------------------------------------------------------------------------
    def _list(self, request: OaiRequest, verb: str, records: bool) -> bytes:
        state = self._state(request)
        metadata_format = self._format(state.prefix, token="resumptionToken" in request.arguments)
        scope = self._scope(state.set_spec)
        first = state.after is None
        page = self.store.collection_changes(
            state.since,
            state.until,
            scope,
            state.after,
            self.settings.oai_page_size,
            content=records,
            count=first,
        )
        if not page.changes:
            raise OaiError("noRecordsMatch", "no record matches these arguments")
        parts = [f"<{verb}>".encode()]
        parts.extend(self._entries(page.changes, metadata_format if records else None))
        delivered = state.cursor + len(page.changes)
        if page.next_key is not None:
            size = list_size(state, page.remaining, delivered)
            token = encode_token(state.advanced(page.next_key, len(page.changes), size))
            parts.append(xml.resumption_token(token, size, state.cursor).encode())
        elif not first:
            parts.append(xml.resumption_token("", delivered, state.cursor).encode())
        parts.append(f"</{verb}>".encode())
        return b"".join(parts)

    def _entries(
        self, changes: Sequence[CollectionChange], metadata_format: MetadataFormat | None
    ) -> Iterator[bytes]:
        for change in changes:
            head = self._header(change)
            if metadata_format is None:
                yield head.encode()
                continue
            document = None if change.deleted else self._document(change, metadata_format)
            if change.deleted or document is not None:
                yield xml.record(head, document)

    def _state(self, request: OaiRequest) -> ListState:
        arguments = request.arguments
        if "resumptionToken" in arguments:
            return decode_token(arguments["resumptionToken"])
        since, until = parse_window(arguments.get("from"), arguments.get("until"))
        return ListState(arguments["metadataPrefix"], arguments.get("set"), since, until)

    def _scope(self, set_spec: str | None) -> ChangeScope:
        if set_spec is None:
            return ChangeScope(hidden=self.hidden)
        if not self._has_sets():
            raise OaiError("noSetHierarchy", "this repository has no sets (no collection belongs to a pole)")
        scope = parse_set(set_spec)
        if scope is None:
            raise OaiError("noRecordsMatch", f"no set {set_spec!r} in this repository")
        return replace(scope, hidden=self.hidden)

    def _has_sets(self) -> bool:
        """Whether any collection, live or deleted, belongs to a pole (one keyed probe)."""
        probe = ChangeScope(any_pole=True, hidden=self.hidden)
        return bool(self.store.collection_changes(scope=probe, limit=1, content=False, count=False).changes)

    # -- records -----------------------------------------------------------------------------
    def _format(self, prefix: str, token: bool = False) -> MetadataFormat:
        found = METADATA_FORMATS.get(prefix)
        if found is None:
            if token:
                raise OaiError("badResumptionToken", "the resumptionToken names an unknown metadata format")
            raise OaiError("cannotDisseminateFormat", f"metadataPrefix {prefix!r} is not supported here")
        return found

    def _change(self, identifier: str) -> CollectionChange:
        collection_id = collection_id_of(self.identifier, identifier)
        try:
            if collection_id in self.hidden:
                raise CollectionNotFound(collection_id)
            return self.store.collection_change(collection_id)
        except CollectionNotFound:
            raise OaiError("idDoesNotExist", f"no record has the identifier {identifier!r}") from None

    def _header(self, change: CollectionChange) -> str:
        return xml.header(
            oai_identifier(self.identifier, change.id),
            format_datestamp(change.datestamp),
            set_specs(change.pole, change.parent),
            change.deleted,
        )

    def _document(self, change: CollectionChange, metadata_format: MetadataFormat) -> bytes | None:
        """The record's metadata in a format; None (and a log line) when its encoder fails on it."""
        assert change.collection is not None
        context = xml.Context(landing_page(self.base, change.id), _centre(change.pole))
        try:
            return metadata_format.document(record_from_collection(change.collection), context)
        except Exception:  # an encoder failing on one record must not fail a whole list
            log.exception("OAI-PMH: cannot write collection %r as %s", change.id, metadata_format.prefix)
            return None

    def _encodable(self, change: CollectionChange, metadata_format: MetadataFormat) -> bool:
        return self._document(change, metadata_format) is not None

    def _sets(self) -> list[tuple[str, str]]:
        groups = self.store.change_summary().groups
        if not groups:
            raise OaiError("noSetHierarchy", "this repository has no sets (no collection belongs to a pole)")
        sets = {"pole": "Data centres (poles)"}
        for pole, parent in groups:
            # The series of a collection hidden from the asker is not named to them.
            for spec in set_specs(pole, None if parent in self.hidden else parent)[1:]:
                sets.setdefault(spec, self._set_name(spec, pole, parent))
        return sorted(sets.items())

    def _set_name(self, spec: str, pole: str, parent: str | None) -> str:
        if spec.count(":") == 1 or parent is None:
            return f"{pole_name(pole, 'en')} data centre"
        try:
            title = self.store.get_collection(parent).text()[0]
        except CollectionNotFound:
            title = parent
        return f"{title} (series)"


def list_size(state: ListState, counted: int | None, delivered: int) -> int:
    """completeListSize of a page that is not the last: the count made on the first page (one
    count a harvest, not one a page), raised to what paging has shown when records were added
    since; the last page announces exactly how many records the list delivered."""
    if counted is not None:
        return max(counted, delivered + 1)
    return max(state.size, delivered + 1)


def _centre(pole: str | None) -> str:
    return f"TERRAPOLE.{pole.upper()}" if pole else "TERRAPOLE"


def oaipmh_router(provide: StoreProvider, settings: Settings, gate: DataGate | None = None) -> APIRouter:
    """The `/oai` endpoint (GET and POST); `gate` says which collections to hide from whom."""
    router = APIRouter(tags=["OAI-PMH"])
    access = gate or OpenGate()

    def answer(request: Request, pairs: list[tuple[str, str]] | OaiError) -> Response:
        hidden = access.hidden_collections(principal_of(request))
        repository = Repository(provide(), settings, public_base_url(request, settings), hidden)
        return Response(repository.answer(pairs), media_type=xml.MEDIA_TYPE)

    @router.get("/oai", summary="OAI-PMH 2.0 (GET)")
    async def oai_get(request: Request) -> Response:
        """An OAI-PMH request in the query string."""
        return await run_in_threadpool(answer, request, list(request.query_params.multi_items()))

    @router.post("/oai", summary="OAI-PMH 2.0 (POST, application/x-www-form-urlencoded)")
    async def oai_post(request: Request) -> Response:
        """An OAI-PMH request as a form body."""
        pairs = await _form_pairs(request)
        return await run_in_threadpool(answer, request, pairs)

    return router


async def _form_pairs(request: Request) -> list[tuple[str, str]] | OaiError:
    """The arguments of a POST body, or the error that leaves the request without a verb."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_POST_BYTES:
            return OaiError("badArgument", f"the request body is over {MAX_POST_BYTES} bytes")
    if content_type != FORM:
        return OaiError("badVerb", f"no verb: a POST request carries its arguments as {FORM}")
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return OaiError("badArgument", "the request body is not UTF-8")
