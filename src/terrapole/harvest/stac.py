"""STAC harvesting: STAC APIs through pystac-client, static catalogs through pystac.

Both read through the source's `Transport` (retries, backoff, parallel-request limit): APIs with
`TransportStacIO`, a pystac-client `StacApiIO`, static catalogs with `StaticStacIO`, a pystac
`DefaultStacIO` that keeps the text of every document it reads, so that what is stored as
"harvested" is the file as the source served it (an API's collections and items are stored as
the objects of its listing pages).

STAC APIs: the first page is every collection (from `/collections`, or only those the
`collections` option names); then each collection's items, page by page, through item search
(`/search`, or the collection's `items` link when the API has no search). The checkpoint after
an item page is the collections still to do and the page's `next` link, so a resumed harvest
asks for the very page it had not written. Incremental harvests ask for items `updated` since
the last harvest when the API offers CQL2 filters and `updated` is a queryable, else for items
whose `datetime` is since then (what suits the usual append-only imagery collections); items
changed under an older datetime, and deletions, are found by the periodic full listing.

Static catalogs are walked from their root (a Catalog or a Collection), children depth first.
A child or item that cannot be read is reported and skipped; the walk goes on. A static catalog
has no server-side filter: every run is a full listing, unchanged documents are recognised by
their digest, and an interrupted walk starts again from the root.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import orjson
import pystac
from pystac.stac_io import DefaultStacIO
from pystac_client import Client
from pystac_client.conformance import ConformanceClasses
from pystac_client.stac_api_io import StacApiIO

from terrapole.core.errors import InvalidParameter
from terrapole.core.timeutil import format_instant, parse_instant
from terrapole.harvest.fetching import STAC_COLLECTION, STAC_ITEM, FetchedPage, Harvested
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.transport import Transport


class TransportStacIO(StacApiIO):
    """pystac-client's API I/O over a harvest `Transport`."""

    def __init__(self, transport: Transport) -> None:
        super().__init__(max_retries=None)
        self.transport = transport

    def request(
        self,
        href: str,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> str:
        """One request through the transport; the text of the response."""
        if (method or "GET").upper() == "POST":
            response = self.transport.request("POST", href, json=parameters, headers=headers)
        else:
            response = self.transport.get(href, params=parameters, headers=headers)
        return response.text


class StaticStacIO(DefaultStacIO):
    """pystac's I/O for static catalogs: files, or URLs through a harvest `Transport`; remembers
    the text of every document it read."""

    def __init__(self, transport: Transport) -> None:
        super().__init__()
        self.transport = transport
        self.texts: dict[str, str] = {}

    def read_text_from_href(self, href: str) -> str:
        """The document at `href`."""
        if href.startswith(("http://", "https://")):
            text = self.transport.get(href).text
        else:
            text = super().read_text_from_href(href)
        self.texts[href] = text
        return text


class StacApiFetcher:
    """Collections, then items collection by collection, from a STAC API."""

    incremental = True

    def __init__(self, source: HarvestSource, transport: Transport) -> None:
        self.source = source
        self.io = TransportStacIO(transport)
        self.page_size = source.int_option("pageSize", 100)
        wanted = source.options.get("collections", "")
        self.wanted = [c.strip() for c in wanted.split(",") if c.strip()]
        self.with_items = source.option("items", "true").lower() not in ("false", "no", "0")

    def pages(self, since: datetime | None, resume: Mapping[str, Any] | None) -> Iterator[FetchedPage]:
        """The collections page, then item pages; from the checkpoint's collection and link."""
        client = Client.open(self.source.url, stac_io=self.io)
        if resume and "todo" in resume:
            todo, link = list(resume["todo"]), resume.get("next")
        else:
            page = self._collections(client)
            todo, link = [d.identifier for d in page.documents], None
            yield FetchedPage(page.documents, {"todo": todo if self.with_items else []}, total=len(todo))
        if not self.with_items:
            return
        search = self._search_parameters(client, since)
        while todo:
            for features, next_link in self._item_pages(client, todo[0], search, link):
                rest = todo if next_link else todo[1:]
                documents = [_item_document(feature, todo[0]) for feature in features]
                yield FetchedPage(documents, {"todo": rest, "next": next_link})
            todo, link = todo[1:], None

    def _collections(self, client: Client) -> FetchedPage:
        documents = []
        for page in self.io.get_pages(client._collections_href()):
            for collection in page.get("collections") or ():
                if not self.wanted or collection.get("id") in self.wanted:
                    documents.append(_collection_document(collection))
        return FetchedPage(documents, None)

    def _search_parameters(self, client: Client, since: datetime | None) -> dict[str, Any]:
        parameters: dict[str, Any] = {"limit": self.page_size}
        if since is None:
            return parameters
        if client.conforms_to(ConformanceClasses.FILTER) and "updated" in _queryables(client):
            parameters["filter-lang"] = "cql2-json"
            parameters["filter"] = {
                "op": ">=",
                "args": [{"property": "updated"}, {"timestamp": format_instant(since)}],
            }
        else:
            parameters["datetime"] = f"{format_instant(since)}/.."
        return parameters

    def _item_pages(
        self, client: Client, collection_id: str, search: dict[str, Any], link: Mapping[str, Any] | None
    ) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any] | None]]:
        """(features, next link) of each page of one collection's items."""
        parameters = {**search, "collections": [collection_id]}
        if link is not None:
            page = self.io.read_json(pystac.Link.from_dict(dict(link)), parameters=parameters)
        elif client.conforms_to(ConformanceClasses.ITEM_SEARCH):
            page = self.io.read_json(client._search_href(), method="POST", parameters=parameters)
        else:
            items = f"{client._collections_href(collection_id)}/items"
            page = self.io.read_json(items, parameters={"limit": self.page_size})
        while True:
            next_link = next((dict(x) for x in page.get("links") or () if x.get("rel") == "next"), None)
            features = list(page.get("features") or ())
            if not features:
                next_link = None
            yield features, next_link
            if next_link is None:
                return
            page = self.io.read_json(pystac.Link.from_dict(next_link), parameters=parameters)


class StaticFetcher:
    """Every collection and item of a static STAC catalog, one page per catalog node."""

    incremental = False

    def __init__(self, source: HarvestSource, transport: Transport) -> None:
        self.source = source
        self.io = StaticStacIO(transport)

    def pages(self, since: datetime | None, resume: Mapping[str, Any] | None) -> Iterator[FetchedPage]:
        """A depth-first walk from the root; `since` and `resume` do not narrow it (see module)."""
        root = pystac.read_file(_href(self.source.url), stac_io=self.io)
        if not isinstance(root, pystac.Catalog):
            raise InvalidParameter("url", "a static STAC harvest starts at a Catalog or a Collection")
        yield from self._walk(root, None)

    def _walk(self, node: pystac.Catalog, parent_collection: str | None) -> Iterator[FetchedPage]:
        documents: list[Harvested] = []
        failures: list[tuple[str, str]] = []
        own = node.id if isinstance(node, pystac.Collection) else parent_collection
        if isinstance(node, pystac.Collection):
            raw, data = self._raw(node)
            documents.append(_collection_document(raw, node.get_self_href(), data))
        for link in node.get_item_links():
            try:
                item = link.resolve_stac_object(root=node.get_root()).target
                assert isinstance(item, pystac.STACObject)
                raw, data = self._raw(item)
                documents.append(
                    _item_document(raw, raw.get("collection") or own, item.get_self_href(), data)
                )
            except Exception as exc:  # a missing or unreadable item is reported, the walk goes on
                failures.append((link.get_absolute_href() or str(link.target), _reason(exc)))
        yield FetchedPage(documents, {})
        for link in node.get_child_links():
            try:
                child = link.resolve_stac_object(root=node.get_root()).target
            except Exception as exc:
                yield FetchedPage([], {}, [(link.get_absolute_href() or str(link.target), _reason(exc))])
                continue
            if isinstance(child, pystac.Catalog):
                yield from self._walk(child, own)

    def _raw(self, obj: pystac.STACObject) -> tuple[dict[str, Any], bytes]:
        """The document as read, and its bytes (pystac's object, links resolved, is not the document)."""
        text = self.io.texts.pop(obj.get_self_href() or "", None)
        if text is None:
            raw = obj.to_dict(include_self_link=False)
            return raw, orjson.dumps(raw)
        return orjson.loads(text), text.encode()


def _collection_document(
    collection: Mapping[str, Any], url: str | None = None, data: bytes | None = None
) -> Harvested:
    return Harvested(
        str(collection.get("id")),
        data or orjson.dumps(collection),
        kind=STAC_COLLECTION,
        datestamp=_stamp(collection),
        url=url or _self_href(collection),
    )


def _item_document(
    feature: Mapping[str, Any], collection: str | None, url: str | None = None, data: bytes | None = None
) -> Harvested:
    properties = feature.get("properties") or {}
    return Harvested(
        f"{collection}/{feature.get('id')}" if collection else str(feature.get("id")),
        data or orjson.dumps(feature),
        kind=STAC_ITEM,
        datestamp=_stamp(properties),
        collection=collection,
        url=url or _self_href(feature),
    )


def _stamp(properties: Mapping[str, Any]) -> datetime | None:
    for key in ("updated", "created", "datetime"):
        value = properties.get(key)
        if isinstance(value, str):
            try:
                return parse_instant(value)
            except InvalidParameter:
                continue
    return None


def _self_href(obj: Mapping[str, Any]) -> str | None:
    return next((str(x["href"]) for x in obj.get("links") or () if x.get("rel") == "self"), None)


def _queryables(client: Client) -> Mapping[str, Any]:
    try:
        properties: Mapping[str, Any] = client.get_queryables().get("properties") or {}
    except Exception:  # an API that does not serve queryables has none to filter on
        return {}
    return properties


def _href(url: str) -> str:
    return url.removeprefix("file://")


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def fetcher(source: HarvestSource, transport: Transport) -> StacApiFetcher | StaticFetcher:
    """The STAC API or static-catalog fetcher of a source."""
    if source.protocol == "stac-static":
        return StaticFetcher(source, transport)
    return StacApiFetcher(source, transport)
