"""OAI-PMH 2.0 harvesting with Sickle: ListRecords pages followed by their resumption tokens.

Sickle supplies the protocol: request parameters, the response iterator over resumption tokens,
its error classes and the header model. Around it:
- requests go through the source's `Transport` (retries, backoff) and responses are parsed once,
  by the guarded `formats.xmlsafe.parse_xml` (Sickle would parse each response with plain lxml,
  several times);
- deviations seen in real repositories are tolerated. pycsw answers `badArgument` to a
  resumptionToken sent alone, as the protocol says it should be, and wants metadataPrefix repeated:
  after such an answer the request is sent again with it, and so on for the rest of the listing.
  pycsw's last page also carries a non-empty token that leads back to the first page: a listing
  stops at an empty token, at a token it has already followed, or once it has received the
  `completeListSize` the server announced. Header datestamps without a time zone are read as UTC,
  and pycsw's `dateStamp` element is read as `datestamp`.
Incremental harvests send `from`, at the granularity the repository's Identify declares, set to
the server's own `responseDate` of the last successful harvest (the protocol's rule: the
harvester's clock does not matter). Deleted records (status="deleted") are passed on as such.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from lxml import etree
from sickle import Sickle, oaiexceptions
from sickle.iterator import OAIResponseIterator
from sickle.models import Header
from sickle.response import OAIResponse

from terrapole.core.errors import InvalidParameter, InvalidRecord
from terrapole.core.timeutil import parse_instant
from terrapole.formats.xmlsafe import parse_xml
from terrapole.harvest.fetching import FetchedPage, Harvested, SourceProtocolError
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.transport import Transport

OAI = "{http://www.openarchives.org/OAI/2.0/}"


class GuardedResponse(OAIResponse):  # type: ignore[misc]
    """Sickle's response, parsed once, by the guarded parser."""

    def __init__(self, http_response: Any, params: Mapping[str, Any]) -> None:
        super().__init__(http_response, params)
        try:
            self._root = parse_xml(http_response.content, keep_layout=True)
        except InvalidRecord as exc:
            raise SourceProtocolError(f"OAI-PMH response to {dict(params)}: {exc.message}") from None

    @property
    def xml(self) -> etree._Element:
        """The parsed response."""
        return self._root


class GuardedSickle(Sickle):  # type: ignore[misc]
    """Sickle over a harvest `Transport`."""

    def __init__(self, endpoint: str, transport: Transport) -> None:
        super().__init__(endpoint, iterator=OAIResponseIterator, max_retries=0)
        self.transport = transport
        self.repeat_prefix = False

    def harvest(self, **kwargs: Any) -> GuardedResponse:
        """One OAI-PMH request."""
        return GuardedResponse(self.transport.get(self.endpoint, params=kwargs), kwargs)


class Listing(OAIResponseIterator):  # type: ignore[misc]
    """ListRecords responses, one a page, with the tolerances of the module docstring."""

    def __init__(
        self, sickle: GuardedSickle, params: dict[str, Any], resume: Mapping[str, Any] | None
    ) -> None:
        self.received = int(resume["received"]) if resume else 0
        self.complete = int(resume["complete"]) if resume and resume.get("complete") else None
        self.followed: set[str] = set()
        self.first_token: str | None = resume["token"] if resume else None
        super().__init__(sickle, params)

    def _next_response(self) -> None:
        current: Any = getattr(self, "resumption_token", None)
        token = current.token if current else self.first_token
        self.first_token = None
        if token is not None:
            self.followed.add(token)
        try:
            self.oai_response = self._ask(self._params(token))
        except oaiexceptions.BadArgument:
            if token is None or self.sickle.repeat_prefix or "metadataPrefix" not in self.params:
                raise
            self.sickle.repeat_prefix = True
            self.oai_response = self._ask(self._params(token))
        self.received += len(self.oai_response.xml.findall(f".//{OAI}record"))
        self.resumption_token = self._get_resumption_token()
        if self.resumption_token is not None and self.resumption_token.complete_list_size:
            self.complete = int(self.resumption_token.complete_list_size)

    def _params(self, token: str | None) -> dict[str, Any]:
        if token is None:
            return dict(self.params)
        params = {"verb": "ListRecords", "resumptionToken": token}
        if self.sickle.repeat_prefix:
            params["metadataPrefix"] = self.params["metadataPrefix"]
        return params

    def _ask(self, params: dict[str, Any]) -> GuardedResponse:
        response: GuardedResponse = self.sickle.harvest(**params)
        error = response.xml.find(f".//{OAI}error")
        if error is not None:
            code = error.get("code", "")
            kind = getattr(oaiexceptions, code[:1].upper() + code[1:], None) or oaiexceptions.OAIError
            raise kind(f"{code}: {(error.text or '').strip()}")
        return response

    def next_token(self) -> str | None:
        """The token to follow after the current response, None when the listing is complete."""
        token = self.resumption_token.token if self.resumption_token else None
        if not token or token in self.followed:
            return None
        if self.complete is not None and self.received >= self.complete:
            return None
        return str(token)

    def next(self) -> GuardedResponse:
        """The next response, following the token only while `next_token` says so."""
        if self.oai_response is None and self.next_token() is None:
            raise StopIteration
        response: GuardedResponse = super().next()
        return response


class OaiFetcher:
    """Pages of ListRecords from one OAI-PMH repository."""

    incremental = True

    def __init__(self, source: HarvestSource, transport: Transport) -> None:
        self.source = source
        self.sickle = GuardedSickle(source.url, transport)
        self.prefix = source.option("metadataPrefix", "oai_dc")

    def pages(self, since: datetime | None, resume: Mapping[str, Any] | None) -> Iterator[FetchedPage]:
        """ListRecords pages, from the start (records changed since `since`) or from a token."""
        self.sickle.repeat_prefix = bool(resume and resume.get("repeat_prefix"))
        params: dict[str, Any] = {"verb": "ListRecords", "metadataPrefix": self.prefix}
        if set_spec := self.source.options.get("set"):
            params["set"] = set_spec
        if since is not None:
            params["from"] = self._from(since)
        try:
            listing = Listing(self.sickle, params, resume)
        except oaiexceptions.NoRecordsMatch:
            yield FetchedPage([], None)
            return
        except oaiexceptions.BadResumptionToken:
            # The token expired: list again from `since`; writes are idempotent.
            yield from self.pages(since, None)
            return
        except Exception as exc:
            raise _protocol_error(exc) from None
        yield from self._pages(listing)

    def _pages(self, listing: Listing) -> Iterator[FetchedPage]:
        while True:
            try:
                response = next(listing)
            except StopIteration:
                return
            except oaiexceptions.NoRecordsMatch:
                yield FetchedPage([], None)
                return
            except Exception as exc:
                raise _protocol_error(exc) from None
            documents, failures = _records(response.xml)
            token = listing.next_token()
            resume = None
            if token is not None:
                resume = {"token": token, "received": listing.received, "complete": listing.complete}
                resume["repeat_prefix"] = self.sickle.repeat_prefix
            yield FetchedPage(documents, resume, failures, listing.complete, _response_date(response.xml))

    def _from(self, since: datetime) -> str:
        granularity = ""
        try:
            identify = self.sickle.harvest(verb="Identify").xml
            granularity = identify.findtext(f".//{OAI}granularity") or ""
        except SourceProtocolError:
            pass
        if "hh" in granularity:
            return since.strftime("%Y-%m-%dT%H:%M:%SZ")
        return since.date().isoformat()


def _protocol_error(exc: Exception) -> Exception:
    if isinstance(exc, SourceProtocolError) or not type(exc).__module__.startswith("sickle"):
        return exc
    return SourceProtocolError(f"OAI-PMH error {exc}")


def _records(root: etree._Element) -> tuple[list[Harvested], list[tuple[str, str]]]:
    documents: list[Harvested] = []
    failures: list[tuple[str, str]] = []
    for number, record in enumerate(root.iterfind(f".//{OAI}record"), 1):
        header_element = record.find(f"{OAI}header")
        header = Header(header_element) if header_element is not None else None
        if header is None or not header.identifier:
            failures.append((f"record {number} of a page", "OAI-PMH record without a header identifier"))
            continue
        assert header_element is not None
        stamp = header.datestamp or header_element.findtext(f"{OAI}dateStamp")
        datestamp = _instant(stamp)
        if header.deleted:
            documents.append(Harvested(header.identifier, b"", datestamp=datestamp, deleted=True))
            continue
        metadata = record.find(f"{OAI}metadata")
        content = (
            next((child for child in metadata if isinstance(child.tag, str)), None)
            if metadata is not None
            else None
        )
        if content is None:
            failures.append((header.identifier, "OAI-PMH record without metadata"))
            continue
        documents.append(Harvested(header.identifier, etree.tostring(content), datestamp=datestamp))
    return documents, failures


def _instant(text: str | None) -> datetime | None:
    try:
        return parse_instant(text) if text else None
    except InvalidParameter:
        return None


def _response_date(root: etree._Element) -> datetime | None:
    return _instant(root.findtext(f"{OAI}responseDate"))


def fetcher(source: HarvestSource, transport: Transport) -> OaiFetcher:
    """The OAI-PMH fetcher of a source."""
    return OaiFetcher(source, transport)
