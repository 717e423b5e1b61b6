"""OAI-PMH 2.0 responses as XML text, and the metadata formats the repository disseminates.

The envelope is written as text rather than built as an lxml tree: each metadata record comes
from its format module as a finished XML document, and splicing it in (without its XML
declaration) saves parsing every record back just to serialise it again. Every value written
here goes through `text` or `attribute`, which escape it and drop the characters XML 1.0 cannot
hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from terrapole.core.record import Record
from terrapole.core.record_json import record_from_json, record_to_json
from terrapole.formats import FORMATS
from terrapole.protocols.datasets import dataset_uri

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DATACITE = "http://schema.datacite.org/oai/oai-1.1/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc"
DATACITE = "http://datacite.org/schema/kernel-4"
DATACITE_SCHEMA = "http://schema.datacite.org/meta/kernel-4"
GMD = "http://www.isotc211.org/2005/gmd"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
MEDIA_TYPE = "text/xml; charset=utf-8"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>\s*")


def text(value: str) -> str:
    """Character data: escaped, with characters XML 1.0 forbids dropped."""
    cleaned = _NOT_XML.sub("", value)
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def attribute(name: str, value: str) -> str:
    """` name="value"`, escaped."""
    return f' {name}="{text(value)}"'


def element(name: str, value: str, attributes: str = "") -> str:
    """`<name attributes>value</name>` with the value escaped."""
    return f"<{name}{attributes}>{text(value)}</{name}>"


def envelope(response_date: str, request: str, body: bytes) -> bytes:
    """The OAI-PMH document around a verb's answer (or an error element)."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI}" xmlns:xsi="{XSI}" xsi:schemaLocation="{OAI} {OAI_SCHEMA}">\n'
        f"<responseDate>{response_date}</responseDate>\n{request}\n"
    )
    return b"".join((head.encode(), body, b"\n</OAI-PMH>\n"))


def request_element(base_url: str, arguments: dict[str, str] | None) -> str:
    """The `request` element: the arguments as attributes, left out after badVerb/badArgument."""
    attributes = "".join(attribute(name, value) for name, value in (arguments or {}).items())
    return element("request", base_url, attributes)


def error(code: str, message: str) -> bytes:
    """An `error` element."""
    return element("error", message, attribute("code", code)).encode()


def header(identifier: str, datestamp: str, sets: Iterable[str], deleted: bool) -> str:
    """A record `header`."""
    status = attribute("status", "deleted") if deleted else ""
    specs = "".join(element("setSpec", spec) for spec in sets)
    stamp = element("datestamp", datestamp)
    return f"<header{status}>{element('identifier', identifier)}{stamp}{specs}</header>"


def record(head: str, metadata: bytes | None) -> bytes:
    """A `record`: its header, and its metadata document (without XML declaration) when not deleted."""
    if metadata is None:
        return f"<record>{head}</record>".encode()
    return b"".join((f"<record>{head}<metadata>".encode(), metadata, b"</metadata></record>"))


def resumption_token(token: str, complete_size: int, cursor: int) -> str:
    """A `resumptionToken` (empty on the last page of a list)."""
    attributes = attribute("completeListSize", str(complete_size)) + attribute("cursor", str(cursor))
    return element("resumptionToken", token, attributes)


# --- metadata formats -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What a metadata encoder may need beside the record: the landing page and the centre."""

    landing_page: str
    centre: str


Encoder = Callable[[Record, Context], bytes]


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    """A metadataPrefix: its XML schema, its namespace and how a record is encoded in it."""

    prefix: str
    schema: str
    namespace: str
    encode: Encoder

    def element(self) -> str:
        """Its `metadataFormat` element."""
        return (
            f"<metadataFormat>{element('metadataPrefix', self.prefix)}{element('schema', self.schema)}"
            f"{element('metadataNamespace', self.namespace)}</metadataFormat>"
        )

    def document(self, record: Record, context: Context) -> bytes:
        """The record in this format, as the content of a `metadata` element."""
        try:
            data = self.encode(record, context)
        except ValueError as refused:  # lxml refuses control characters
            if "XML compatible" not in str(refused):
                raise
            data = b"\x00"
        if _CONTROL.search(data):  # refused, or written as they are (rdflib)
            data = self.encode(xml_compatible(record), context)
        return _DECLARATION.sub(b"", data, count=1)


def xml_compatible(record: Record) -> Record:
    """The record without the characters XML 1.0 cannot hold (control characters mostly)."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _NOT_XML.sub("", value)
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return record_from_json(clean(record_to_json(record)))


def _oai_dc(record: Record, context: Context) -> bytes:
    return FORMATS["oai_dc"].encode(record)


def _datacite(record: Record, context: Context) -> bytes:
    return FORMATS["datacite"].encode(record)


def _oai_datacite(record: Record, context: Context) -> bytes:
    # DataCite's own OAI-PMH wrapping (oai.datacite.org): schema version, centre, then the resource.
    resource = _DECLARATION.sub(b"", FORMATS["datacite"].encode(record), count=1)
    head = (
        f'<oai_datacite xmlns="{OAI_DATACITE}" xmlns:xsi="{XSI}" '
        f'xsi:schemaLocation="{OAI_DATACITE} {OAI_DATACITE}oai.xsd">'
        f"<schemaVersion>4</schemaVersion>{element('datacentreSymbol', context.centre)}<payload>"
    )
    return b"".join((head.encode(), resource, b"</payload></oai_datacite>"))


def _iso19139(record: Record, context: Context) -> bytes:
    return FORMATS["iso19139"].encode(record)


def _dcat(record: Record, context: Context) -> bytes:
    from terrapole.formats.dcat import encode  # rdflib is slow to import: only when asked for

    return encode(record, "xml", dataset_uri=dataset_uri(record, context.landing_page))


METADATA_FORMATS: dict[str, MetadataFormat] = {
    f.prefix: f
    for f in (
        MetadataFormat("oai_dc", f"{OAI_DC}.xsd", f"{OAI_DC}/", _oai_dc),
        MetadataFormat("oai_datacite", f"{OAI_DATACITE}oai.xsd", OAI_DATACITE, _oai_datacite),
        MetadataFormat("datacite", f"{DATACITE_SCHEMA}/metadata.xsd", DATACITE, _datacite),
        MetadataFormat("iso19139", f"{GMD}/gmd.xsd", GMD, _iso19139),
        # RDF/XML has no XML schema of its own; OAI's rdf.xsd is the one repositories name for it.
        MetadataFormat("dcat", "http://www.openarchives.org/OAI/2.0/rdf.xsd", RDF, _dcat),
    )
}
