"""CSW 2.0.2 harvesting (GeoNetwork, pycsw...): paged GetRecords, ISO 19139 by default.

OWSLib's `CatalogueServiceWeb` builds the requests (GetRecords with its OGC filter constraints)
and reads the result counts; two of its steps are replaced: the HTTP exchange goes through the
source's `Transport` (retries, parallel-request limit) and the response is parsed by the guarded
`formats.xmlsafe.parse_xml` rather than OWSLib's own lxml call; and the records are left as
XML (OWSLib would otherwise build its own object for each), to be parsed by `terrapole.formats`.

Pages are asked for by position. Once the first page tells how many records match, up to
`parallel` further pages are fetched at once and handed on in order, so a checkpoint after page
k always means "every record before position k has been written".

Incremental harvests ask for records whose metadata changed on or after the day before the last
successful harvest (`apiso:Modified`, or the `modifiedProperty` option; the day before, because
catalogues compare dates and clocks differ); records that were added with an older date are
found by the periodic full listing, which also finds the deleted ones.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from lxml import etree
from owslib import fes
from owslib.catalogue.csw2 import CatalogueServiceWeb, namespaces
from owslib.util import add_namespaces, cleanup_namespaces, element_to_string

from terrapole.core.errors import InvalidParameter, InvalidRecord
from terrapole.core.timeutil import parse_instant
from terrapole.formats.xmlsafe import parse_xml
from terrapole.harvest.fetching import FetchedPage, Harvested, SourceProtocolError
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.transport import Transport

ISO_SCHEMA = "http://www.isotc211.org/2005/gmd"
CSW_NS = namespaces["csw"]
OWS_NS = namespaces["ows"]
_IDENTIFIER = (
    "string(*[local-name()='fileIdentifier']/*[1]"
    " | *[local-name()='metadataIdentifier']//*[local-name()='code']/*[1]"
    " | *[local-name()='identifier'][1])"
)
_DATESTAMP = (
    "string(*[local-name()='dateStamp']/*[1]"
    " | *[local-name()='dateInfo'][1]//*[local-name()='date']/*[1]"
    " | *[local-name()='modified'][1])"
)


class GuardedCatalogue(CatalogueServiceWeb):  # type: ignore[misc]
    """OWSLib's CSW 2.0.2 client over a harvest `Transport` and the guarded XML parser."""

    def __init__(self, url: str, transport: Transport) -> None:
        self._transport = transport
        super().__init__(url, skip_caps=True, timeout=int(transport.timeout))

    def _invoke(self) -> None:
        # OWSLib's own request serialisation, then our transport and parser.
        request: Any = cleanup_namespaces(getattr(self, "request"))  # noqa: B009 (set by OWSLib)
        for query in request.findall(f"{{{CSW_NS}}}Query"):
            request = add_namespaces(
                request, [name.split(":")[0] for name in query.get("typeNames", "").split()]
            )
        body = element_to_string(add_namespaces(request, "ows"), encoding="utf-8")
        self.request = body
        self.response = self._transport.post(self.url, body, {"Content-Type": "application/xml"}).content
        try:
            root = parse_xml(self.response, keep_layout=True)
        except InvalidRecord as exc:
            raise SourceProtocolError(f"CSW {self.url}: {exc.message}") from None
        if root.tag == f"{{{OWS_NS}}}ExceptionReport":
            text = " ".join(t.strip() for t in root.itertext() if t.strip())
            raise SourceProtocolError(f"CSW {self.url} answered with an exception: {text[:300]}")
        if root.tag != f"{{{CSW_NS}}}GetRecordsResponse":
            raise SourceProtocolError(f"CSW {self.url} answered with {root.tag}, not GetRecordsResponse")
        self._exml = etree.ElementTree(root)
        self.exceptionreport = None

    def _parserecords(self, outputschema: str, esn: str) -> None:
        """Records stay XML: `terrapole.formats` parses them (fetching is separate from parsing)."""


class CswFetcher:
    """Pages of GetRecords results from one CSW."""

    incremental = True

    def __init__(self, source: HarvestSource, transport: Transport) -> None:
        self.source = source
        self.transport = transport
        self.page_size = source.int_option("pageSize", 100)
        self.output_schema = source.option("outputSchema", ISO_SCHEMA)
        self.type_names = source.option(
            "typeNames", "gmd:MD_Metadata" if self.output_schema == ISO_SCHEMA else "csw:Record"
        )
        self.modified = source.option(
            "modifiedProperty", "apiso:Modified" if self.output_schema == ISO_SCHEMA else "dct:modified"
        )

    def pages(self, since: datetime | None, resume: Mapping[str, Any] | None) -> Iterator[FetchedPage]:
        """GetRecords pages from position 1 (or the checkpoint's), `parallel` in flight after the first."""
        start = int(resume["start"]) if resume else 1
        query = self._query(since)
        first, total, following = self._page(start, query)
        yield first
        if following == 0:
            return
        # The server may serve fewer records a page than asked: step by what it served.
        positions = iter(range(following, total + 1, following - start))
        with ThreadPoolExecutor(self.transport.parallel, thread_name_prefix="terrapole-csw") as pool:
            pending: deque[Future[tuple[FetchedPage, int, int]]] = deque()
            for position in positions:
                pending.append(pool.submit(self._page, position, query))
                if len(pending) >= self.transport.parallel:
                    break
            while pending:
                page = pending.popleft().result()[0]
                if (following_position := next(positions, None)) is not None:
                    pending.append(pool.submit(self._page, following_position, query))
                yield page

    def _query(self, since: datetime | None) -> dict[str, Any]:
        user = self.source.options.get("constraint")
        day = (since - timedelta(days=1)).date().isoformat() if since else None
        if user and day:
            # Without parentheses, which pycsw's CQL does not read: a constraint with a top-level
            # OR must be written so that the AND below still applies to all of it.
            return {"cql": f"{user} AND {self.modified} >= '{day}'"}
        if user:
            return {"cql": user}
        if day:
            return {"constraints": [fes.PropertyIsGreaterThanOrEqualTo(self.modified, day)]}
        return {}

    def _page(self, start: int, query: Mapping[str, Any]) -> tuple[FetchedPage, int, int]:
        """One GetRecords page: the page, how many records match, and the next position (0: none)."""
        csw = GuardedCatalogue(self.source.url, self.transport)
        csw.getrecords2(
            typenames=self.type_names,
            esn="full",
            outputschema=self.output_schema,
            startposition=start,
            maxrecords=self.page_size,
            **query,
        )
        total, following = int(csw.results["matches"]), int(csw.results.get("nextrecord") or 0)
        if following and following <= start:
            following = 0  # a server that points back cannot be followed
        results = csw._exml.getroot().find(f"{{{CSW_NS}}}SearchResults")
        documents, failures = _records(results, start)
        resume = {"start": following} if following else None
        return FetchedPage(documents, resume, failures, total=total), total, following


_COMPILED = threading.local()  # compiled XPath is not shared between the fetching threads


def _xpath(expression: str) -> etree.XPath:
    cache: dict[str, etree.XPath] = _COMPILED.__dict__.setdefault("paths", {})
    if (compiled := cache.get(expression)) is None:
        compiled = cache[expression] = etree.XPath(expression)
    return compiled


def _records(results: etree._Element | None, start: int) -> tuple[list[Harvested], list[tuple[str, str]]]:
    documents: list[Harvested] = []
    failures: list[tuple[str, str]] = []
    identifier_of = _xpath(_IDENTIFIER)
    for position, element in enumerate(() if results is None else results, start):
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions between records
        identifier = str(identifier_of(element)).strip()
        if not identifier:
            failures.append((f"position {position}", "record without an identifier (fileIdentifier)"))
            continue
        data = etree.tostring(element)
        documents.append(Harvested(identifier, data, datestamp=_datestamp(element), element=element))
    return documents, failures


def _datestamp(element: etree._Element) -> datetime | None:
    text = str(_xpath(_DATESTAMP)(element)).strip()
    try:
        return parse_instant(text) if text else None
    except InvalidParameter:
        return None


def fetcher(source: HarvestSource, transport: Transport) -> CswFetcher:
    """The CSW fetcher of a source."""
    return CswFetcher(source, transport)
