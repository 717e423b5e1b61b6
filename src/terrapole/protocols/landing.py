"""Landing pages at `/datasets/{id}`: one plain HTML page per dataset for people and search
engines, embedding the schema.org Dataset JSON-LD (what Google Dataset Search reads), in French
or English by Accept-Language (or `?lang=`), with `rel=alternate` links to the same record as
STAC, ISO 19139, DataCite, Dublin Core, schema.org and DCAT.

The record itself in those formats is served here too, by `?f=` or by Accept (HTML unless a
client asks for another format). Unknown ids get a 404 page, deleted datasets a 410 page.

Templates (Jinja2, autoescaped) are in `protocols/templates/`: every value from a record is
escaped there, and the JSON-LD is written with `<`, `>` and `&` as JSON escapes so that no
text in a record can close its script element.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Query
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from terrapole.catalog.base import CatalogStore, CollectionChange
from terrapole.core.errors import CollectionNotFound, InvalidParameter
from terrapole.core.model import pick_language
from terrapole.core.record import Record, record_from_collection
from terrapole.formats import FORMATS, schemaorg
from terrapole.portal import LANGUAGES, preferred_language
from terrapole.protocols import JSON, public_base_url
from terrapole.protocols.datasets import dataset_uri, landing_page
from terrapole.protocols.landing_text import TEXT, facts
from terrapole.protocols.negotiation import best_offer
from terrapole.settings import Settings

StoreProvider = Callable[[], CatalogStore]

TEMPLATES = Path(__file__).parent / "templates"
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Alternate:
    """The record in another format: `?f=` value, media type and a title for the link."""

    key: str
    media_type: str
    title: str


ALTERNATES = (
    Alternate("iso19139", "application/vnd.iso.19139+xml", "ISO 19139"),
    Alternate("datacite", "application/vnd.datacite.datacite+xml", "DataCite 4"),
    Alternate("oai_dc", "application/xml", "Dublin Core (oai_dc)"),
    Alternate("schemaorg", "application/ld+json", "schema.org JSON-LD"),
    Alternate("dcat", "text/turtle", "DCAT-AP (Turtle)"),
    Alternate("dcat-rdf", "application/rdf+xml", "DCAT-AP (RDF/XML)"),
    Alternate("dcat-jsonld", "application/ld+json; profile=dcat", "DCAT-AP (JSON-LD)"),
)
_BY_KEY = {a.key: a for a in ALTERNATES}
_ACCEPT = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/vnd.iso.19139+xml": "iso19139",
    "application/vnd.datacite.datacite+xml": "datacite",
    "application/ld+json": "schemaorg",
    "text/turtle": "dcat",
    "application/rdf+xml": "dcat-rdf",
}
_DCAT_SYNTAXES = {"dcat": "turtle", "dcat-rdf": "xml", "dcat-jsonld": "json-ld"}


def landing_router(provide: StoreProvider, settings: Settings) -> APIRouter:
    """The `/datasets/{id}` pages."""
    router = APIRouter(tags=["Landing pages"])
    pages = LandingPages(settings)

    @router.get("/datasets/{collection_id}", summary="A dataset's landing page (or its record by ?f=)")
    def dataset_page(
        request: Request,
        collection_id: str,
        f: Annotated[str | None, Query(description="html or a record format: " + ", ".join(_BY_KEY))] = None,
        lang: Annotated[str | None, Query(description="fr or en (overrides Accept-Language)")] = None,
    ) -> Response:
        """The landing page of one dataset, or its record in another format."""
        chosen = _format(f, request.headers.get("accept"))
        language = lang if lang in LANGUAGES else preferred_language(request.headers.get("accept-language"))
        base = public_base_url(request, settings)
        try:
            change = provide().collection_change(collection_id)
        except CollectionNotFound:
            return pages.missing(base, language, collection_id, 404)
        if change.deleted or change.collection is None:
            return pages.missing(base, language, collection_id, 410)
        if chosen != "html":
            return record_document(change, chosen, landing_page(base, change.id))
        return pages.render(change, base, language)

    return router


def _format(f: str | None, accept: str | None) -> str:
    if f is None:
        return best_offer(accept, _ACCEPT, "html")
    if f != "html" and f not in _BY_KEY:
        raise InvalidParameter("f", f"unknown format {f!r}; expected html or one of {', '.join(_BY_KEY)}")
    return f


def record_document(change: CollectionChange, key: str, landing: str) -> Response:
    """The dataset's record in one of the `ALTERNATES` formats."""
    assert change.collection is not None
    record = record_from_collection(change.collection)
    if key in _DCAT_SYNTAXES:
        from terrapole.formats.dcat import encode  # rdflib is slow to import: only when asked for

        body = encode(record, _DCAT_SYNTAXES[key], dataset_uri=dataset_uri(record, landing))  # type: ignore[arg-type]
    elif key == "schemaorg":
        body = json_ld(record, landing, None, None).encode()
    else:
        body = FORMATS[key].encode(record)
    media_type = _BY_KEY[key].media_type.split(";")[0]
    return Response(body, media_type=media_type, headers={"Vary": "Accept, Accept-Language"})


def json_ld(record: Record, landing: str, catalog: str | None, catalog_url: str | None) -> str:
    """The schema.org Dataset of a record as JSON that is safe inside an HTML script element:
    `<`, `>` and `&` are JSON escapes, so no `</script>` or `<!--` can appear in it."""
    node = schemaorg.dataset(record, catalog, catalog_url)
    node["url"] = landing
    node.setdefault("@id", landing)
    text = orjson.dumps(node, option=orjson.OPT_INDENT_2).decode()
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


class LandingPages:
    """Renders the landing page and the 404/410 pages."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.environment = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, change: CollectionChange, base: str, lang: str) -> Response:
        """The landing page of a live dataset in `lang`."""
        assert change.collection is not None
        record = record_from_collection(change.collection)
        page = landing_page(base, change.id)
        context = {
            "lang": lang,
            "t": TEXT[lang],
            "site": self.settings.title,
            "base": base,
            "page": page,
            "title": pick_language(record.title, lang) or change.id,
            "description": [p for p in pick_language(record.abstract, lang).split("\n") if p.strip()],
            "facts": facts(record, change, lang),
            "alternates": self.alternates(base, change.id, page),
            "json_ld": json_ld(record, page, self.settings.title, f"{base}/"),
        }
        html = self.environment.get_template("landing.html").render(context)
        return _html(html, lang, 200)

    def alternates(self, base: str, collection_id: str, page: str) -> list[dict[str, str]]:
        """The rel=alternate links: STAC, then the record formats served at `?f=`."""
        links = [
            {
                "href": f"{base}/stac/collections/{quote(collection_id, safe='')}",
                "type": JSON,
                "title": "STAC",
            }
        ]
        links.extend(
            {"href": f"{page}?f={a.key}", "type": a.media_type, "title": a.title} for a in ALTERNATES
        )
        return links

    def missing(self, base: str, lang: str, collection_id: str, status: int) -> Response:
        """The page for an unknown (404) or deleted (410) dataset."""
        context: Mapping[str, Any] = {
            "lang": lang,
            "t": TEXT[lang],
            "site": self.settings.title,
            "base": base,
            "status": status,
            "id": collection_id,
        }
        return _html(self.environment.get_template("landing_missing.html").render(context), lang, status)


def _html(html: str, lang: str, status: int) -> HTMLResponse:
    headers = {"Content-Language": lang, "Vary": "Accept, Accept-Language"}
    return HTMLResponse(html, status_code=status, headers=headers)
