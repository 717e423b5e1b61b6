"""DCAT-AP 2/3 and GeoDCAT-AP 2 documents (Turtle, RDF/XML, JSON-LD) as canonical records.

rdflib parses and serialises the RDF; `dcat_read` and `dcat_write` map between the graph and the
`Record`, `dcat_terms` holds the namespaces and code tables. The serialisation of a document is told
from its first bytes. RDF/XML is untrusted XML read by xml.sax, so it passes the checks of
`xmlsafe.check_untrusted` (size, no DOCTYPE or ENTITY) first; JSON-LD may not name remote
`@context`s (rdflib would fetch them).

Mapping (dataset node D, its catalog record C, linked by `D foaf:isPrimaryTopicOf C`):

- identifier: `C dct:identifier` (also `D dct:identifier` when there are no other identifiers).
- identifiers: `D dct:identifier`; with a scheme (DOI...) also `adms:identifier [skos:notation;
  adms:schemaAgency]`. The dataset URI is its first http(s) identifier, else its DOI URL.
- title, abstract, alternate_titles: `dct:title`, `dct:description` (language-tagged), `dct:alternative`.
- hierarchy_level, resource_type, service_type: `rdf:type` dcat:Dataset / dcat:DatasetSeries /
  dcat:DataService and `geodcatap:resourceType`; `dct:type` (DCMI types); `geodcatap:serviceType`.
  A service's links are also its `dcat:endpointURL` / `dcat:endpointDescription`, the datasets it
  operates on its `dcat:servesDataset`.
- language, languages: `C dct:language`, `D dct:language` (EU language authority URIs).
- keywords: `dcat:keyword` (free keywords); `dcat:theme skos:Concept` with `skos:prefLabel` and
  `skos:inScheme` (keywords with a URI or a thesaurus); `dct:subject` is read too.
- inspire_themes, topic_categories: `dcat:theme <http://inspire.ec.europa.eu/theme/..>`,
  `geodcatap:topicCategory`.
- contacts (on D), metadata_contacts (on C): pointOfContact `dcat:contactPoint` (vCard); publisher
  `dct:publisher`, author `dct:creator`, owner `dct:rightsHolder` (FOAF); custodian, distributor,
  originator, principalInvestigator, processor, resourceProvider, user `geodcatap:<role>`; any other
  role `prov:qualifiedAttribution [prov:agent; dcat:hadRole]`.
- lineage: `dct:provenance [dct:ProvenanceStatement; dct:description]`.
- extent: `dct:spatial [dct:Location; dcat:bbox]` (WKT and GeoJSON literals) and `locn:geometry`;
  `dct:temporal [dct:PeriodOfTime; dcat:startDate; dcat:endDate]`.
- resolutions: `dcat:spatialResolutionInMeters`; scales and other units as `dqv:hasQualityMeasurement`.
- reference_systems: `dct:conformsTo` and `geodcatap:referenceSystem` (OGC EPSG URIs).
- distributions: `dcat:distribution` (accessURL, downloadURL, title, description, format, mediaType,
  `dct:conformsTo` protocol, `dcat:accessService` for OGC services); `dcat:landingPage` (function
  "landingPage"); `foaf:page` (function "information").
- formats, sizes, overviews: `D dct:format`; `D dct:extent [dct:SizeOrDuration]` (distributions'
  `dcat:byteSize` are read too); `foaf:depiction`.
- constraints, access: `dct:license` (on D and on each distribution); `dct:accessRights` (the EU
  access-right URI of `access`, and the access constraints); `dct:rights` (use constraints and
  limitations, other constraints).
- dates: `dct:created`, `dct:issued`, `dct:modified`; `C dct:modified`.
- parent_identifier, related: `dct:isPartOf` (`dcat:inSeries` is read too); `dcat:qualifiedRelation`
  and `dct:relation`.
- version, metadata_standard: `owl:versionInfo`; `C dct:conformsTo`.

Texts that ISO records anchored to a URI (`Record.extra["iso:anchors"]`: INSPIRE access and use
conditions, thesauri) are written as resources named by that URI, with the text as their label.

What changes on the way through DCAT besides `DROPPED_FIELDS`: RDF is unordered, so multi-valued
fields may come back in another order (parsing keeps document order for RDF/XML and JSON-LD; Turtle
output is sorted); language codes come back as ISO 639-2/B and language tags as two-letter BCP 47
tags; INSPIRE themes come back under their English registry names; the translations of a free
keyword (one without URI or thesaurus) come back as separate keywords; the access level "licensed"
comes back as "restricted" (both are RESTRICTED in the EU table); a geometry without a bbox comes
back with its bounding box.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import orjson
from rdflib import Graph

from terrapole.core.errors import InvalidRecord
from terrapole.core.record import Record
from terrapole.formats.dcat_read import dataset_nodes, read_record
from terrapole.formats.dcat_terms import PREFIXES
from terrapole.formats.dcat_write import add_record, new_graph
from terrapole.formats.xmlsafe import MAX_BYTES, check_untrusted

Syntax = Literal["turtle", "xml", "json-ld"]

MEDIA_TYPES: dict[str, str] = {
    "turtle": "text/turtle",
    "xml": "application/rdf+xml",
    "json-ld": "application/ld+json",
}

DROPPED_FIELDS: dict[str, str] = {
    "pole": "terrapole's own grouping of datasets by data centre; no DCAT property",
    "provenance": "where terrapole read the record (harvest bookkeeping), set again at ingest",
    "extra": "other formats' leftovers (the URIs of ISO anchors name rights statements and thesauri)",
    "constraints.classification": "ISO 19115 security classification; no DCAT-AP property",
}

_RDFLIB_FORMATS: dict[str, str] = {"turtle": "turtle", "xml": "pretty-xml", "json-ld": "json-ld"}


def parse(data: bytes) -> Record:
    """The record of the first (usually only) dataset, series or service of a DCAT document."""
    graph = load_graph(data)
    return read_record(graph, _nodes(graph)[0])


def parse_many(data: bytes) -> list[Record]:
    """The records of every dataset, series and service of a DCAT document (a catalog, a feed)."""
    graph = load_graph(data)
    return [read_record(graph, node) for node in _nodes(graph)]


def encode(record: Record, syntax: Syntax = "turtle", *, dataset_uri: str | None = None) -> bytes:
    """The DCAT-AP document of one record in Turtle, RDF/XML ("xml") or JSON-LD.

    `dataset_uri` names the dataset (a landing page, say); by default it is the record's first
    http(s) identifier, or its DOI URL, else a blank node.
    """
    graph = new_graph()
    add_record(graph, record, dataset_uri)
    return serialise(graph, syntax)


def encode_many(records: Iterable[Record], syntax: Syntax = "turtle") -> bytes:
    """One DCAT-AP document describing several records."""
    graph = new_graph()
    for record in records:
        add_record(graph, record)
    return serialise(graph, syntax)


def encode_turtle(record: Record) -> bytes:
    """The record as DCAT-AP Turtle."""
    return encode(record, "turtle")


def encode_rdfxml(record: Record) -> bytes:
    """The record as DCAT-AP RDF/XML."""
    return encode(record, "xml")


def encode_jsonld(record: Record) -> bytes:
    """The record as DCAT-AP JSON-LD (compacted with the DCAT-AP prefixes)."""
    return encode(record, "json-ld")


def serialise(graph: Graph, syntax: Syntax) -> bytes:
    """The graph in one of the three syntaxes."""
    if syntax not in _RDFLIB_FORMATS:
        raise ValueError(f"unknown DCAT syntax {syntax!r}; expected one of {sorted(_RDFLIB_FORMATS)}")
    options: dict[str, Any] = {}
    if syntax == "json-ld":
        options = {"context": {prefix: str(ns) for prefix, ns in PREFIXES.items()}, "auto_compact": True}
    document: bytes = graph.serialize(format=_RDFLIB_FORMATS[syntax], encoding="utf-8", **options)
    return document


def sniff_syntax(data: bytes) -> Syntax:
    """The RDF serialisation of `data`, from its first significant byte."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "xml"
    if head.startswith((b"{", b"[")):
        return "json-ld"
    return "turtle"


def load_graph(data: bytes) -> Graph:
    """The RDF graph of an untrusted document; InvalidRecord saying why when it is refused or malformed."""
    syntax = sniff_syntax(data)
    if syntax == "xml":
        check_untrusted(data)
    elif len(data) > MAX_BYTES:
        raise InvalidRecord(f"RDF document of {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit")
    if syntax == "json-ld":
        _refuse_remote_contexts(data)
    graph = Graph()
    try:
        graph.parse(data=data, format=syntax)
    except Exception as error:  # rdflib's parsers raise many kinds of errors on bad input
        raise InvalidRecord(f"malformed DCAT {syntax} document: {error}") from None
    return graph


def _nodes(graph: Graph) -> list[Any]:
    nodes = dataset_nodes(graph)
    if not nodes:
        raise InvalidRecord("no dcat:Dataset, dcat:DatasetSeries or dcat:DataService in the document")
    return nodes


def _refuse_remote_contexts(data: bytes) -> None:
    """JSON-LD contexts given by URL would be fetched by rdflib: refuse them (no network from parsers)."""
    try:
        pending: list[Any] = [orjson.loads(data)]
    except orjson.JSONDecodeError as error:
        raise InvalidRecord(f"malformed DCAT json-ld document: {error}") from None
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
