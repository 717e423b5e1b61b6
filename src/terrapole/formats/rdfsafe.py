"""Reading untrusted RDF (Turtle, RDF/XML, JSON-LD) into an rdflib graph.

Shared by every reader of harvested or uploaded RDF (DCAT documents, SKOS thesauri). RDF/XML is
untrusted XML read by xml.sax, so it passes the checks of `xmlsafe.check_untrusted` (size, no
DOCTYPE or ENTITY) before rdflib sees it; JSON-LD may not name remote `@context`s or `@import`s
(rdflib would fetch them); every syntax is held to the same size limit.
"""

from __future__ import annotations

from typing import Any, Literal

import orjson
from rdflib import Graph

from terrapole.core.errors import InvalidRecord
from terrapole.formats.xmlsafe import MAX_BYTES, check_untrusted

Syntax = Literal["turtle", "xml", "json-ld"]
SYNTAXES: tuple[Syntax, ...] = ("turtle", "xml", "json-ld")


def sniff_syntax(data: bytes) -> Syntax:
    """The RDF serialisation of `data`, from its first significant byte."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "xml"
    if head.startswith((b"{", b"[")):
        return "json-ld"
    return "turtle"


def load_graph(
    data: bytes, what: str = "RDF", syntax: Syntax | None = None, base: str | None = None
) -> Graph:
    """The graph of an untrusted document; InvalidRecord naming `what` when refused or malformed.

    `base` resolves relative URIs (rdflib would otherwise resolve them against the current
    directory); `syntax` defaults to the one `sniff_syntax` tells.
    """
    syntax = syntax or sniff_syntax(data)
    if syntax == "xml":
        check_untrusted(data)
    elif len(data) > MAX_BYTES:
        raise InvalidRecord(f"{what} document of {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit")
    if syntax == "json-ld":
        refuse_remote_contexts(data, what)
    graph = Graph()
    try:
        graph.parse(data=data, format=syntax, publicID=base)
    except Exception as error:  # rdflib's parsers raise many kinds of errors on bad input
        raise InvalidRecord(f"malformed {what} {syntax} document: {error}") from None
    return graph


def refuse_remote_contexts(data: bytes, what: str = "RDF") -> None:
    """JSON-LD contexts given by URL would be fetched by rdflib: refuse them (no network from parsers)."""
    try:
        pending: list[Any] = [orjson.loads(data)]
    except orjson.JSONDecodeError as error:
        raise InvalidRecord(f"malformed {what} json-ld document: {error}") from None
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                remote = item if isinstance(item, list) else [item]
                if key in ("@context", "@import") and any(isinstance(r, str) for r in remote):
                    raise InvalidRecord(f"JSON-LD remote context {item!r} refused: contexts must be inline")
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)
