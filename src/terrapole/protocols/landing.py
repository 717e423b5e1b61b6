"""The record documents behind the landing pages at `/datasets/{id}`, and their JSON-LD.

The page itself is the portal's dataset page (`portal.pages`); this module gives it what makes it
a landing page for harvesters and search engines:
- the same record in other formats, served at `/datasets/{id}?f=KEY` or by Accept (HTML unless a
  client asks for another format): ISO 19139, DataCite, Dublin Core, schema.org and DCAT-AP;
- the `rel=alternate` links to them (and to the STAC Collection);
- the schema.org Dataset JSON-LD (what Google Dataset Search reads), written so that it is safe
  inside an HTML script element.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import orjson
from starlette.responses import Response

from terrapole.catalog.base import CollectionChange
from terrapole.core.errors import InvalidParameter
from terrapole.core.record import Record, record_from_collection
from terrapole.formats import FORMATS, schemaorg
from terrapole.protocols import JSON
from terrapole.protocols.datasets import dataset_uri
from terrapole.protocols.negotiation import best_offer


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
FORMAT_KEYS = tuple(a.key for a in ALTERNATES)
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


def choose_format(f: str | None, accept: str | None) -> str:
    """`html` or the key of an alternate format, from `?f=` (checked) or else the Accept header."""
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


def alternates(base: str, collection_id: str, landing: str) -> list[dict[str, str]]:
    """The rel=alternate links of a landing page: STAC, then the record formats served at `?f=`."""
    links = [
        {"href": f"{base}/stac/collections/{quote(collection_id, safe='')}", "type": JSON, "title": "STAC"}
    ]
    links.extend({"href": f"{landing}?f={a.key}", "type": a.media_type, "title": a.title} for a in ALTERNATES)
    return links
