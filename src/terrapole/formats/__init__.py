"""Metadata formats: one module per format, each with `parse(data) -> Record` and `encode(record) -> bytes`.

`detect(data)` names the format of a document by sniffing its first bytes (the XML root element and
namespace, the RDF serialisation, the JSON-LD or STAC shape) without parsing the whole of it;
`parse_any(data)` detects and parses. A new format is one module plus one line in `FORMATS`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from terrapole.core.errors import InvalidRecord
from terrapole.core.record import Record


@dataclass(frozen=True, slots=True)
class Format:
    """A registered metadata format: its name, the module implementing it and its media type.

    `encoder` names the module's encoding function when one module writes several formats (DCAT's
    three syntaxes).
    """

    name: str
    module: str
    media_type: str
    encoder: str = "encode"

    def load(self) -> ModuleType:
        """The implementing module (imported on first use: rdflib and OWSLib are slow to import)."""
        return importlib.import_module(f"terrapole.formats.{self.module}")

    @property
    def parse(self) -> Callable[[bytes], Record]:
        """The module's `parse`."""
        return self.load().parse  # type: ignore[no-any-return]

    @property
    def encode(self) -> Callable[[Record], bytes]:
        """The module's encoding function (`encode` unless told otherwise)."""
        return getattr(self.load(), self.encoder)  # type: ignore[no-any-return]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("iso19139", "iso19139", "application/vnd.iso.19139+xml"),
        Format("iso19115-3", "iso19115_3", "application/vnd.iso.19115-3+xml"),
        Format("datacite", "datacite", "application/vnd.datacite.datacite+xml"),
        Format("datacite-json", "datacite_json", "application/vnd.api+json"),
        Format("oai_dc", "dublincore", "application/xml"),
        Format("csw-record", "csw_record", "application/xml"),
        Format("dcat-turtle", "dcat", "text/turtle", "encode_turtle"),
        Format("dcat-rdfxml", "dcat", "application/rdf+xml", "encode_rdfxml"),
        Format("dcat-jsonld", "dcat", "application/ld+json", "encode_jsonld"),
        Format("schemaorg", "schemaorg", "application/ld+json"),
        Format("stac-collection", "stac_record", "application/json"),
    )
}

_SNIFF_BYTES = 8192
_ROOT = re.compile(rb"<(?!\?|!)(?:([\w.-]+):)?([\w.-]+)[\s>/]")
_XMLNS = rb"""xmlns(?::%s)?\s*=\s*["']([^"']+)["']"""

_XML_ROOTS: dict[tuple[str, str], str] = {
    ("http://www.isotc211.org/2005/gmd", "MD_Metadata"): "iso19139",
    ("http://www.isotc211.org/2005/gmi", "MI_Metadata"): "iso19139",
    # GeoNetwork's 19115-3 plugin writes some 19139 documents in this namespace (19139 element names).
    ("http://standards.iso.org/iso/19115/-3/gmd", "MD_Metadata"): "iso19139",
    ("http://standards.iso.org/iso/19115/-3/mdb/2.0", "MD_Metadata"): "iso19115-3",
    ("http://standards.iso.org/iso/19115/-3/mdb/1.0", "MD_Metadata"): "iso19115-3",
    ("http://www.openarchives.org/OAI/2.0/oai_dc/", "dc"): "oai_dc",
    ("http://www.opengis.net/cat/csw/2.0.2", "Record"): "csw-record",
    ("http://www.opengis.net/cat/csw/2.0.2", "SummaryRecord"): "csw-record",
    ("http://www.opengis.net/cat/csw/2.0.2", "BriefRecord"): "csw-record",
    ("http://schema.datacite.org/oai/oai-1.1/", "oai_datacite"): "datacite",
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "RDF"): "dcat-rdfxml",
}


def detect(data: bytes) -> str:
    """The name (a key of FORMATS) of the format `data` is in; InvalidRecord when none matches."""
    head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return _detect_xml(head)
    if head.startswith((b"{", b"[")):
        return _detect_json(head)
    if re.search(rb"^\s*@prefix|^\s*PREFIX\s|\bdcat:Dataset\b", head, re.MULTILINE | re.IGNORECASE):
        return "dcat-turtle"
    raise InvalidRecord("unrecognised metadata format: neither XML, JSON nor Turtle")


def parse_any(data: bytes) -> Record:
    """Detect the format of `data` and parse it into a Record."""
    return FORMATS[detect(data)].parse(data)


def _detect_xml(head: bytes) -> str:
    root = _first_element(head)
    if root is None:
        raise InvalidRecord("XML document without a root element in its first 8 KB")
    prefix, local = root
    namespace = _namespace(head, prefix)
    if namespace and namespace.startswith("http://datacite.org/schema/kernel-"):
        return "datacite"
    if local == "resource" and not namespace and b"datacite.org/schema/kernel-" in head:
        # A namespace-less DataCite resource, as some OAI-PMH servers (pycsw) write it.
        return "datacite"
    if (name := _XML_ROOTS.get((namespace or "", local))) is not None:
        return name
    raise InvalidRecord(f"unrecognised XML metadata: root element {local!r} in namespace {namespace!r}")


def _first_element(head: bytes) -> tuple[str | None, str] | None:
    # Skip comments, processing instructions and DOCTYPE before the root element.
    cleaned = re.sub(rb"<!--.*?-->", b"", head, flags=re.DOTALL)
    match = _ROOT.search(cleaned)
    if match is None:
        return None
    prefix = match.group(1).decode() if match.group(1) else None
    return prefix, match.group(2).decode()


def _namespace(head: bytes, prefix: str | None) -> str | None:
    pattern = _XMLNS % (re.escape(prefix.encode()) if prefix else b"(?!)")
    if prefix is None:
        pattern = rb"""xmlns\s*=\s*["']([^"']+)["']"""
    match = re.search(pattern, head)
    return match.group(1).decode() if match else None


def _detect_json(head: bytes) -> str:
    if re.search(rb'"type"\s*:\s*"dois"', head):
        return "datacite-json"
    if b'"@context"' in head or b'"@graph"' in head:
        if re.search(rb"schema\.org", head) and not re.search(rb"dcat", head, re.IGNORECASE):
            return "schemaorg"
        return "dcat-jsonld"
    if re.search(rb'"type"\s*:\s*"Collection"', head):
        return "stac-collection"
    raise InvalidRecord("unrecognised JSON metadata: neither JSON-LD, a STAC Collection nor a DataCite DOI")
