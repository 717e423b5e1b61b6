"""SKOS thesauri (RDF/XML, Turtle, JSON-LD) read with rdflib into a `Thesaurus`.

Files are untrusted: `formats.rdfsafe` checks them before rdflib parses (no DTD, no remote
JSON-LD context, a size limit). What is read:

- schemes: `skos:ConceptScheme`, titled by `skos:prefLabel`, `dcterms:title`, `dc:title` or
  `rdfs:label`;
- concepts: `skos:Concept` (and any resource with a `skos:prefLabel` and `skos:inScheme`), with
  `skos:prefLabel` and `skos:altLabel` per language (`skos:hiddenLabel` counts as alternative),
  `skos:notation` (else `dc:identifier`), `skos:definition` (else `skos:scopeNote`); the scheme
  is `skos:inScheme`, `skos:topConceptOf` or `skos:hasTopConcept`, else the file's only scheme;
- relations between any two resources: `skos:broader` and `skos:narrower` (kept as broader),
  `skos:related`, `skos:exactMatch`, `closeMatch`, `broadMatch`, `narrowMatch`, `relatedMatch`
  (so mapping files such as SEMIC's alignments are read too).

Relative URIs need a base: `base` when given, else the file's own (`xml:base`, `@base`).
Concepts whose URIs stay relative are refused, rather than named after a local path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DC, DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from terrapole.core.errors import InvalidRecord
from terrapole.core.vocab import (
    BROADER,
    MAPPINGS,
    RELATED,
    UNDETERMINED,
    Concept,
    ConceptScheme,
    Relation,
    Thesaurus,
)
from terrapole.formats import rdfsafe
from terrapole.vocab import gcmd_csv

# Relative URIs resolve against this when no base is given, so that they can be told apart.
_NO_BASE = "http://relative.invalid/"
_TITLES = (SKOS.prefLabel, DCTERMS.title, DC.title, RDFS.label)


def parse(
    data: bytes,
    syntax: rdfsafe.Syntax | None = None,
    base: str | None = None,
    scheme: str | None = None,
) -> Thesaurus:
    """The schemes, concepts and relations of a SKOS document.

    `syntax` is told from the first bytes when not given; `scheme` files concepts that name no
    scheme (and the document has several or none).
    """
    graph = rdfsafe.load_graph(data, "SKOS", syntax, base or _NO_BASE)
    schemes = tuple(_schemes(graph))
    only = scheme or (schemes[0].uri if len(schemes) == 1 else None)
    concepts = tuple(_concept(graph, subject, only) for subject in _concept_nodes(graph))
    relative = [c.uri for c in concepts if c.uri.startswith(_NO_BASE)]
    if relative:
        raise InvalidRecord(
            f"concept URI {relative[0].removeprefix(_NO_BASE)!r} is relative and the document gives "
            "no base: give its base URI (terrapole vocab import --base)"
        )
    return Thesaurus((*schemes, *_implied_schemes(schemes, concepts)), concepts, tuple(_relations(graph)))


def _schemes(graph: Graph) -> Iterator[ConceptScheme]:
    for subject in sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme)), key=str):
        if isinstance(subject, URIRef):
            title: dict[str, str] = {}
            for predicate in _TITLES:
                for lang, text in _texts(graph.objects(subject, predicate)):
                    title.setdefault(lang, text)
            yield ConceptScheme(str(subject), title)


def _implied_schemes(declared: Iterable[ConceptScheme], concepts: Iterable[Concept]) -> list[ConceptScheme]:
    """Schemes that concepts name but the document does not describe (GCMD's SKOS pages)."""
    known = {scheme.uri for scheme in declared}
    named = sorted({c.scheme for c in concepts if c.scheme and c.scheme not in known})
    return [ConceptScheme(uri, gcmd_csv.scheme_title(uri)) for uri in named]


def _concept_nodes(graph: Graph) -> list[URIRef]:
    typed = set(graph.subjects(RDF.type, SKOS.Concept))
    labelled = set(graph.subjects(SKOS.prefLabel)) & set(graph.subjects(SKOS.inScheme))
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    return sorted((n for n in typed | labelled if isinstance(n, URIRef) and n not in schemes), key=str)


def _concept(graph: Graph, subject: URIRef, default_scheme: str | None) -> Concept:
    pref: dict[str, str] = {}
    for lang, text in sorted(_texts(graph.objects(subject, SKOS.prefLabel))):
        pref.setdefault(lang, text)
    alt: dict[str, list[str]] = {}
    for predicate in (SKOS.altLabel, SKOS.hiddenLabel):
        for lang, text in sorted(_texts(graph.objects(subject, predicate))):
            alt.setdefault(lang, []).append(text)
    definition: dict[str, str] = {}
    for predicate in (SKOS.definition, SKOS.scopeNote):
        for lang, text in sorted(_texts(graph.objects(subject, predicate))):
            definition.setdefault(lang, text)
    return Concept(
        uri=str(subject),
        scheme=_scheme_of(graph, subject) or default_scheme,
        pref=pref,
        alt={lang: tuple(dict.fromkeys(labels)) for lang, labels in alt.items()},
        notation=_first_text(graph, subject, (SKOS.notation, DC.identifier, DCTERMS.identifier)),
        definition=definition,
    )


def _scheme_of(graph: Graph, subject: URIRef) -> str | None:
    candidates = [
        *graph.objects(subject, SKOS.inScheme),
        *graph.objects(subject, SKOS.topConceptOf),
        *graph.subjects(SKOS.hasTopConcept, subject),
    ]
    uris = sorted(str(c) for c in candidates if isinstance(c, URIRef))
    return uris[0] if uris else None


def _relations(graph: Graph) -> Iterator[Relation]:
    pairs: list[tuple[Node, str, Node]] = [
        *((s, BROADER, o) for s, o in graph.subject_objects(SKOS.broader)),
        *((o, BROADER, s) for s, o in graph.subject_objects(SKOS.narrower)),
        *((s, RELATED, o) for s, o in graph.subject_objects(SKOS.related)),
        *((o, RELATED, s) for s, o in graph.subject_objects(SKOS.related)),
    ]
    for kind in MAPPINGS:
        pairs.extend((s, kind, o) for s, o in graph.subject_objects(SKOS[kind]))
    found = {
        Relation(str(s), kind, str(o))
        for s, kind, o in pairs
        if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o
    }
    yield from sorted(found, key=lambda r: (r.source, r.kind, r.target))


def _texts(nodes: Iterable[Node]) -> Iterator[tuple[str, str]]:
    for node in nodes:
        if isinstance(node, Literal) and str(node).strip():
            yield (node.language or UNDETERMINED).lower(), " ".join(str(node).split())


def _first_text(graph: Graph, subject: URIRef, predicates: Iterable[URIRef]) -> str | None:
    for predicate in predicates:
        values = sorted(text for _, text in _texts(graph.objects(subject, predicate)))
        if values:
            return values[0]
    return None
