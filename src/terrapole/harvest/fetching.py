"""What fetchers hand over: raw documents, in pages, with the state needed to resume after each.

Fetching is separate from parsing: a fetcher (one module per protocol) speaks the protocol and
yields the documents as the source served them; `harvest.parse` turns them into catalog records
through `terrapole.formats`. A page is the unit of progress: the runner commits a page's records
and then its `resume` state, so a harvest stopped at any point goes on after the last page it
committed.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from terrapole.core.errors import TerrapoleError

if TYPE_CHECKING:
    from terrapole.harvest.sources import HarvestSource
    from terrapole.harvest.transport import Transport

# How a document is to be read: a dataset-level metadata record in one of `terrapole.formats`,
# or a STAC Collection or Item (JSON).
RECORD, STAC_COLLECTION, STAC_ITEM = "record", "stac-collection", "stac-item"


class HarvestError(TerrapoleError):
    """A harvest could not go on (the source failed, or answered outside its protocol)."""


class FetchError(HarvestError):
    """The source could not be reached or kept failing after the retries."""


class SourceProtocolError(HarvestError):
    """The source answered with a protocol error (an OWS ExceptionReport, an OAI-PMH error...)."""


@dataclass(frozen=True, slots=True)
class Harvested:
    """One document as the source served it, under the source's identifier for it."""

    identifier: str
    data: bytes
    kind: str = RECORD
    datestamp: datetime | None = None
    deleted: bool = False
    collection: str | None = None  # the collection of a STAC Item
    url: str | None = None  # where it can be read again, when it has an address of its own
    # The document's root element when the fetcher cut it out of a response it parsed already
    # (through `xmlsafe.parse_xml`): read as is rather than parsed again from `data`. Never sent
    # to parsing processes (see `without_element`).
    element: Any = field(default=None, compare=False, repr=False)

    def without_element(self) -> Harvested:
        """The document without its parsed element (lxml elements cannot cross processes)."""
        return self if self.element is None else replace(self, element=None)


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """Documents fetched in one request, and where a stopped listing goes on after them.

    `resume` is handed back to the fetcher's `pages` by a harvest that resumes after this page;
    None or an empty mapping means "from the beginning" (the listing ends when `pages` does).
    `failures` are records the fetcher could not even cut out of the response (identifier, reason);
    `total` is how many documents the whole listing holds, when the source says.
    """

    documents: list[Harvested]
    resume: Mapping[str, Any] | None
    failures: list[tuple[str, str]] = field(default_factory=list)
    total: int | None = None
    server_time: datetime | None = None


class Fetcher(Protocol):
    """Lists a source's documents, modified since a datestamp when it can, page by page."""

    incremental: bool  # whether `since` narrows the listing (else every run is a full listing)

    def pages(self, since: datetime | None, resume: Mapping[str, Any] | None) -> Iterator[FetchedPage]:
        """The pages of the listing, from the start or from a page's `resume` state."""
        ...


# One module per protocol, each with `fetcher(source, transport) -> Fetcher`.
FETCHERS: dict[str, str] = {
    "csw": "csw",
    "oaipmh": "oaipmh",
    "stac-api": "stac",
    "stac-static": "stac",
    "directory": "directory",
}


def open_fetcher(source: HarvestSource, transport: Transport) -> Fetcher:
    """The fetcher of the source's protocol."""
    module = importlib.import_module(f"terrapole.harvest.{FETCHERS[source.protocol]}")
    fetcher: Fetcher = module.fetcher(source, transport)
    return fetcher
