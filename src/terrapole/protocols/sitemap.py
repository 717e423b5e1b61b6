"""`/sitemap.xml` (sitemaps.org 0.9): every dataset's landing page with its datestamp as lastmod.

Up to `sitemap_urls_per_file` pages (at most 50,000, the protocol's limit) it is one `urlset`;
above, it is a `sitemapindex` of files `/sitemaps/{part}.xml`, each holding the next run of
datasets in the catalog's change order, the part named by the key it starts after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from xml.sax.saxutils import escape

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from terrapole.catalog.base import CatalogStore, ChangeKey, ChangePage, ChangeScope
from terrapole.core.access import DataGate, OpenGate
from terrapole.protocols import public_base_url
from terrapole.protocols.datasets import decode_key, encode_key, landing_page
from terrapole.protocols.oaipmh_args import format_datestamp
from terrapole.protocols.stac_api import principal_of
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]

SITEMAPS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MEDIA_TYPE = "application/xml"
FIRST = "first"  # the part that starts at the beginning of the catalog


def sitemap_router(provide: StoreProvider, settings: Settings, gate: DataGate | None = None) -> APIRouter:
    """`/sitemap.xml` and, for large catalogs, its parts; `gate` says what to hide from whom."""
    router = APIRouter(tags=["Sitemap"])
    per_file = settings.sitemap_urls_per_file
    access = gate or OpenGate()

    def visible(request: Request) -> ChangeScope:
        return ChangeScope(hidden=access.hidden_collections(principal_of(request)))

    @router.get("/sitemap.xml", summary="Sitemap of the datasets' landing pages")
    def sitemap(request: Request) -> Response:
        """The sitemap, or the sitemap index of a catalog over the per-file limit."""
        base = public_base_url(request, settings)
        store, scope = provide(), visible(request)
        page = _page(store, scope, None, per_file)
        if page.next_key is None:
            return _xml(urlset(base, page))
        return _xml(sitemap_index(base, _parts(store, scope, per_file)))

    @router.get("/sitemaps/{part}.xml", summary="One part of a large catalog's sitemap")
    def sitemap_part(request: Request, part: str) -> Response:
        """The landing pages of one part of the sitemap index."""
        after = None if part == FIRST else decode_key(part, "part")
        page = _page(provide(), visible(request), after, per_file)
        return _xml(urlset(public_base_url(request, settings), page))

    return router


def urlset(base: str, page: ChangePage) -> bytes:
    """A `urlset` of the landing pages of a page of changes."""
    entries = "".join(
        f"<url><loc>{escape(landing_page(base, change.id))}</loc>"
        f"<lastmod>{format_datestamp(change.datestamp)}</lastmod></url>\n"
        for change in page.changes
    )
    return _document("urlset", entries)


def sitemap_index(base: str, parts: Iterator[tuple[str, str]]) -> bytes:
    """A `sitemapindex` of (part name, lastmod) pairs."""
    entries = "".join(
        f"<sitemap><loc>{escape(f'{base}/sitemaps/{name}.xml')}</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
        for name, lastmod in parts
    )
    return _document("sitemapindex", entries)


def _document(root: str, entries: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{SITEMAPS}">\n{entries}</{root}>\n'.encode()
    )


def _parts(store: CatalogStore, scope: ChangeScope, per_file: int) -> Iterator[tuple[str, str]]:
    """(name, lastmod) of each part: a walk over the catalog's ids and datestamps only."""
    after: ChangeKey | None = None
    while True:
        page = _page(store, scope, after, per_file)
        if page.changes:
            latest = max(change.datestamp for change in page.changes)
            yield (FIRST if after is None else encode_key(after)), format_datestamp(latest)
        if page.next_key is None:
            return
        after = page.next_key


def _page(store: CatalogStore, scope: ChangeScope, after: ChangeKey | None, per_file: int) -> ChangePage:
    return store.collection_changes(
        scope=scope, after=after, limit=per_file, deleted=False, content=False, count=False
    )


def _xml(body: bytes) -> Response:
    return Response(body, media_type=MEDIA_TYPE)
