"""Parsing untrusted XML: harvested and uploaded metadata is hostile until parsed this way.

Every XML format module parses through `parse_xml`. It refuses, before any parsing work:
- documents over `MAX_BYTES` (a 200 MB document is refused without being read into a tree);
- any document type declaration (`<!DOCTYPE`): metadata records never need one, and refusing it
  closes entity expansion (billion laughs), external entities (local files, URLs) and DTD fetches
  in one place.
The lxml parser is also configured not to resolve entities, not to touch the network and to keep
libxml2's limits on tree depth and text size (no `huge_tree`), as a second line of defence.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from terrapole.core.errors import InvalidRecord

MAX_BYTES = 20 * 1024 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _parser(remove_blank_text: bool = True) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=remove_blank_text,
    )


# lxml parser objects must not be shared between threads.
_LOCAL = threading.local()


def check_untrusted(data: bytes, max_bytes: int = MAX_BYTES) -> None:
    """Raise InvalidRecord when `data` is over `max_bytes` or declares a document type or entities.

    For XML that another parser reads (rdflib's RDF/XML parser uses xml.sax): the same refusals as
    `parse_xml` makes before parsing.
    """
    if len(data) > max_bytes:
        raise InvalidRecord(f"XML document of {len(data):,} bytes is over the {max_bytes:,}-byte limit")
    if b"<!" in data and (_DOCTYPE.search(data) or _ENTITY.search(data)):
        raise InvalidRecord("XML document type declarations (<!DOCTYPE>, <!ENTITY>) are refused")


def parse_xml(data: bytes, max_bytes: int = MAX_BYTES, *, keep_layout: bool = False) -> etree._Element:
    """The root element of `data`; InvalidRecord saying why when too big, with a DTD or malformed.

    `keep_layout` keeps the whitespace between elements (harvesters cut records out of a response
    and keep them as the source wrote them).
    """
    check_untrusted(data, max_bytes)
    try:
        name = "layout_parser" if keep_layout else "parser"
        parser = getattr(_LOCAL, name, None) or _parser(remove_blank_text=not keep_layout)
        setattr(_LOCAL, name, parser)
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise InvalidRecord(f"malformed XML: {error}") from None
    if root is None:
        raise InvalidRecord("empty XML document")
    return root
