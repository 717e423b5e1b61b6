"""Reading canonical records out of an rdflib graph of DCAT-AP / GeoDCAT-AP statements.

`formats.dcat` parses the document into the graph (safely) and calls `dataset_nodes` and
`read_record`; the mapping is described in that module's docstring. Property values are read in the
graph's order, which for RDF/XML and JSON-LD is document order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import TypeVar

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME
from rdflib.term import Node

from terrapole.core.errors import InvalidRecord
from terrapole.core.model import BBox, Contact, Extent, JSONObject, Keyword
from terrapole.core.record import (
    HIERARCHY_LEVELS,
    UNDETERMINED,
    Constraints,
    Dates,
    Distribution,
    Identifier,
    Record,
    Related,
    Resolution,
    bare_doi,
)
from terrapole.formats import dcat_terms as t
from terrapole.formats.dcat_geometry import bbox_from_literal, geometry_bounds, geometry_from_literals
from terrapole.formats.dcat_terms import DCAT

_DATASET_TYPES = (DCAT.Dataset, DCAT.DatasetSeries, DCAT.DataService)
_TEXT = (SKOS.prefLabel, DCTERMS.title, RDFS.label)
_ROLE_OF: dict[URIRef, str] = {prop: role for role, prop in t.ROLE_PROPERTIES.items()}
_ROLE_OF.update({t.ADMS.contactPoint: "pointOfContact"})
_ROLE_OF.update({t.GEODCAT[role]: role for role in t.GEODCAT_ROLES})


def dataset_nodes(graph: Graph) -> list[Node]:
    """The described resources of the graph: datasets, series and services, not catalogs or services
    that only serve a distribution."""
    nodes: list[Node] = []
    for kind in _DATASET_TYPES:
        for node in graph.subjects(RDF.type, kind):
            if node in nodes or (node, RDF.type, DCAT.Catalog) in graph:
                continue
            if kind == DCAT.DataService and (None, DCAT.accessService, node) in graph:
                continue
            nodes.append(node)
    return nodes


def read_record(graph: Graph, node: Node) -> Record:
    """The canonical record of one dataset, series or service node."""
    return _Reader(graph, node).record()


class _Reader:
    """Reads one resource; holds the graph, the resource node and its catalog record node."""

    def __init__(self, graph: Graph, node: Node) -> None:
        self.graph = graph
        self.node = node
        self.catalog_record = next(
            iter((*graph.objects(node, FOAF.isPrimaryTopicOf), *graph.subjects(FOAF.primaryTopic, node))),
            None,
        )

    def objects(self, subject: Node | None, *predicates: URIRef) -> list[Node]:
        if subject is None:
            return []
        found: list[Node] = []
        for predicate in predicates:
            found.extend(o for o in self.graph.objects(subject, predicate) if o not in found)
        return found

    def text(self, subject: Node | None, *predicates: URIRef) -> str | None:
        """The first non-empty literal (or URI) value."""
        for value in self.objects(subject, *predicates):
            if isinstance(value, (Literal, URIRef)) and str(value).strip():
                return str(value).strip()
        return None

    def lang_text(self, subject: Node | None, *predicates: URIRef) -> dict[str, str]:
        texts: dict[str, str] = {}
        for value in self.objects(subject, *predicates):
            if isinstance(value, Literal) and str(value).strip():
                tag = t.language_tag(value.language) if value.language else UNDETERMINED
                texts.setdefault(tag, str(value).strip())
        return texts

    def record(self) -> Record:
        identifier = self.identifier()
        return Record(
            identifier=identifier,
            title=self.lang_text(self.node, DCTERMS.title),
            abstract=self.lang_text(self.node, DCTERMS.description),
            identifiers=self.identifiers(identifier),
            alternate_titles=tuple(str(v) for v in self.objects(self.node, DCTERMS.alternative)),
            hierarchy_level=self.hierarchy_level(),
            resource_type=self.resource_type(),
            service_type=self.service_type(),
            language=_first(self.languages(self.catalog_record)),
            languages=self.languages(self.node),
            keywords=self.keywords(),
            topic_categories=self.topic_categories(),
            inspire_themes=self.inspire_themes(),
            contacts=self.contacts(self.node),
            metadata_contacts=self.contacts(self.catalog_record),
            lineage=self.lineage(),
            extent=self.extent(),
            resolutions=self.resolutions(),
            reference_systems=self.reference_systems(),
            distributions=self.distributions(),
            formats=tuple(self.format_name(v) for v in self.objects(self.node, DCTERMS.format)),
            constraints=self.constraints(),
            dates=self.dates(),
            parent_identifier=_first(self.reference(v) for v in self.objects(self.node, *_PARENT)),
            related=self.related(),
            version=self.text(self.node, OWL.versionInfo, DCAT.version),
            sizes=self.sizes(),
            overviews=tuple(str(v) for v in self.objects(self.node, FOAF.depiction)),
            metadata_standard=_first(
                self.reference(v) for v in self.objects(self.catalog_record, DCTERMS.conformsTo)
            ),
            access=self.access_level(),
        )

    # identification ----------------------------------------------------------------------------

    def identifier(self) -> str:
        found = self.text(self.catalog_record, DCTERMS.identifier) or self.text(self.node, DCTERMS.identifier)
        if found is None and isinstance(self.node, URIRef):
            found = str(self.node)
        if not found:
            raise InvalidRecord("DCAT dataset without dct:identifier nor URI")
        return found

    def identifiers(self, identifier: str) -> tuple[Identifier, ...]:
        found: list[Identifier] = []
        for node in self.objects(self.node, t.ADMS.identifier):
            code = self.text(node, SKOS.notation) or (str(node) if isinstance(node, URIRef) else None)
            if code:
                found.append(Identifier(code, self.text(node, t.ADMS.schemaAgency, t.ADMS.schemeAgency)))
        codes = {i.code for i in found} | {identifier}
        for value in self.objects(self.node, DCTERMS.identifier):
            if str(value).strip() not in codes:
                found.append(Identifier(str(value).strip()))
                codes.add(str(value).strip())
        # The dataset URI is an identifier too, unless it is one already or the resolver URL of a DOI.
        dois = {i.doi for i in found} | {bare_doi(identifier)}
        uri = str(self.node) if isinstance(self.node, URIRef) else None
        if uri and uri not in codes and (bare_doi(uri) is None or bare_doi(uri) not in dois):
            found.append(Identifier(uri, "URI"))
        return tuple(found)

    def hierarchy_level(self) -> str:
        for value in self.objects(self.node, t.GEODCAT.resourceType):
            if (code := t.code_of(str(value))) in HIERARCHY_LEVELS:
                return code
        if (self.node, RDF.type, DCAT.DataService) in self.graph:
            return "service"
        return "series" if (self.node, RDF.type, DCAT.DatasetSeries) in self.graph else "dataset"

    def resource_type(self) -> str | None:
        for value in self.objects(self.node, DCTERMS.type):
            if isinstance(value, (URIRef, Literal)):
                return str(value).removeprefix(t.DCMI_TYPE)
        return None

    def service_type(self) -> str | None:
        value = self.text(self.node, t.GEODCAT.serviceType)
        return value.removeprefix(t.INSPIRE_SERVICE_TYPE) if value else None

    def languages(self, subject: Node | None) -> tuple[str, ...]:
        codes = [t.bibliographic_language(str(v)) for v in self.objects(subject, DCTERMS.language)]
        return tuple(dict.fromkeys(code for code in codes if code))

    def reference(self, value: Node) -> str | None:
        """A resource named by its URI, or by the identifier or title of a blank node, or a literal."""
        if isinstance(value, BNode):
            return self.text(value, DCTERMS.identifier, DCTERMS.title, RDFS.label)
        return str(value).strip() or None

    # classification ----------------------------------------------------------------------------

    def keywords(self) -> tuple[Keyword, ...]:
        keywords = [Keyword(self.lang_text_of(v)) for v in self.objects(self.node, DCAT.keyword)]
        for concept in self.objects(self.node, DCAT.theme, DCTERMS.subject, t.GEODCAT.serviceCategory):
            if isinstance(concept, Literal):
                keywords.append(Keyword(self.lang_text_of(concept)))
            elif not str(concept).startswith(t.INSPIRE_TOPIC_CATEGORY):
                keywords.extend(self.concept(concept))
        unique: list[Keyword] = []
        for keyword in keywords:
            if (keyword.label or keyword.uri) and keyword not in unique:
                unique.append(keyword)
        return tuple(unique)

    def lang_text_of(self, value: Node) -> dict[str, str]:
        tag = value.language if isinstance(value, Literal) and value.language else None
        return {t.language_tag(tag) if tag else UNDETERMINED: str(value).strip()}

    def concept(self, concept: Node) -> list[Keyword]:
        if self.inspire_theme(concept) is not None and not isinstance(concept, URIRef):
            return []  # a theme named only by its label, read by inspire_themes
        labels = self.lang_text(concept, SKOS.prefLabel, RDFS.label)
        schemes = self.objects(concept, SKOS.inScheme)
        scheme = _first(self.text(s, *_TEXT) or self.reference(s) for s in schemes)
        uri = str(concept) if isinstance(concept, URIRef) else None
        if uri and not labels and scheme is None:
            if uri.startswith(t.INSPIRE_THEME):
                return []  # an INSPIRE theme only, read by inspire_themes
            if uri.startswith(t.EU_DATA_THEME) and (name := t.EU_DATA_THEMES.get(t.code_of(uri))):
                labels = {"en": name}
        return [Keyword(labels, scheme, uri)]

    def topic_categories(self) -> tuple[str, ...]:
        values = self.objects(self.node, t.GEODCAT.topicCategory, DCTERMS.subject)
        codes = (t.code_of(str(v)) for v in values if str(v).startswith(t.INSPIRE_TOPIC_CATEGORY))
        return tuple(dict.fromkeys(codes))

    def inspire_themes(self) -> tuple[str, ...]:
        themes = (self.inspire_theme(v) for v in self.objects(self.node, DCAT.theme))
        return tuple(dict.fromkeys(theme for theme in themes if theme))

    def inspire_theme(self, concept: Node) -> str | None:
        if str(concept).startswith(t.INSPIRE_THEME):
            return t.inspire_theme_name(str(concept)) or t.code_of(str(concept))
        if (concept, SKOS.inScheme, t.INSPIRE_THEME_SCHEME) in self.graph:
            return self.text(concept, SKOS.prefLabel, RDFS.label)
        return None

    # parties -----------------------------------------------------------------------------------

    def contacts(self, subject: Node | None) -> tuple[Contact, ...]:
        """One contact per agent node with the roles it is given, less exact repetitions (GeoDCAT-AP
        repeats agents in qualified attributions)."""
        found: dict[Node, tuple[Contact, list[str]]] = {}
        for node, role in self.agents(subject):
            if node not in found and (contact := self.agent(node)) is not None:
                found[node] = (contact, [])
            if node in found and role and role not in found[node][1]:
                found[node][1].append(role)
        contacts: list[Contact] = []
        for contact, roles in found.values():
            if (with_roles := replace(contact, roles=tuple(roles))) not in contacts:
                contacts.append(with_roles)
        return tuple(contacts)

    def agents(self, subject: Node | None) -> Iterable[tuple[Node, str | None]]:
        for predicate, role in _ROLE_OF.items():
            for node in self.objects(subject, predicate):
                yield node, role
        for attribution in self.objects(subject, PROV.qualifiedAttribution):
            qualified = _first(self.role(r) for r in self.objects(attribution, DCAT.hadRole))
            for node in self.objects(attribution, PROV.agent):
                yield node, qualified

    def role(self, node: Node) -> str | None:
        if isinstance(node, URIRef):
            return t.code_of(str(node))
        return self.text(node, SKOS.notation, SKOS.prefLabel, RDFS.label)

    def agent(self, node: Node) -> Contact | None:
        if isinstance(node, Literal):
            return Contact(str(node).strip()) if str(node).strip() else None
        email = self.text(node, t.VCARD.hasEmail, FOAF.mbox)
        email = email.removeprefix("mailto:") if email else None
        organisation = self.text(node, t.VCARD["organization-name"]) or _first(
            self.text(o, FOAF.name, t.VCARD.fn) for o in self.objects(node, t.ORG.memberOf)
        )
        name = self.text(node, t.VCARD.fn, FOAF.name, SKOS.prefLabel, RDFS.label) or organisation or email
        if name is None:
            return None
        if organisation is None and self.is_organisation(node):
            organisation = name
        return Contact(
            name=name,
            organisation=organisation,
            email=email,
            url=self.text(node, t.VCARD.hasURL, FOAF.homepage, FOAF.workplaceHomepage),
            description=self.text(node, t.VCARD.note, RDFS.comment),
        )

    def is_organisation(self, node: Node) -> bool:
        return any((node, RDF.type, kind) in self.graph for kind in (t.VCARD.Organization, FOAF.Organization))

    # quality and lineage ----------------------------------------------------------------------

    def lineage(self) -> dict[str, str]:
        texts: dict[str, str] = {}
        for statement in self.objects(self.node, DCTERMS.provenance):
            for tag, text in self.lang_text(statement, DCTERMS.description, RDFS.label).items():
                texts.setdefault(tag, text)
        return texts

    def resolutions(self) -> tuple[Resolution, ...]:
        found = [
            Resolution(distance=_number(v), unit="m")
            for v in self.objects(self.node, DCAT.spatialResolutionInMeters)
        ]
        for measurement in self.objects(self.node, t.DQV.hasQualityMeasurement):
            metric = _first(str(m) for m in self.objects(measurement, t.DQV.isMeasurementOf))
            value = _number(_first(self.objects(measurement, t.DQV.value)))
            if value is None or value <= 0:
                continue
            if metric == str(t.RESOLUTION_AS_SCALE):
                found.append(Resolution(scale_denominator=round(1 / value)))
            elif metric == str(t.RESOLUTION_AS_DISTANCE):
                unit = self.text(measurement, t.SDMX_ATTRIBUTE.unitMeasure)
                found.append(Resolution(distance=value, unit=unit))
        return tuple(r for r in found if r.distance is not None or r.scale_denominator is not None)

    def reference_systems(self) -> tuple[str, ...]:
        found: list[str] = []
        for node in self.objects(self.node, t.GEODCAT.referenceSystem, DCTERMS.conformsTo):
            is_crs = (node, DCTERMS.type, t.SPATIAL_REFERENCE_SYSTEM) in self.graph
            if is_crs or str(node).startswith("http://www.opengis.net/def/crs/"):
                found.append(self.text(node, DCTERMS.identifier, SKOS.notation) or self.reference(node) or "")
        return tuple(dict.fromkeys(f for f in found if f))

    # extent ------------------------------------------------------------------------------------

    def extent(self) -> Extent:
        bboxes: list[BBox] = []
        geometry: JSONObject | None = None
        for location in self.objects(self.node, DCTERMS.spatial):
            for literal in self.objects(location, DCAT.bbox):
                if (box := bbox_from_literal(str(literal))) is not None and box not in bboxes:
                    bboxes.append(box)
            if geometry is None:
                geometry = geometry_from_literals([str(g) for g in self.objects(location, t.LOCN.geometry)])
        if geometry is not None and not bboxes and (box := geometry_bounds(geometry)):
            bboxes.append(box)  # a geometry alone still gives the box spatial search uses
        intervals = tuple(i for i in map(self.interval, self.objects(self.node, DCTERMS.temporal)) if any(i))
        return Extent(bboxes=tuple(bboxes), geometry=geometry, intervals=intervals)

    def interval(self, period: Node) -> tuple[datetime | None, datetime | None]:
        start = self.text(period, DCAT.startDate, t.SCHEMA.startDate) or _first(
            self.text(i, TIME.inXSDDateTime, TIME.inXSDDate) for i in self.objects(period, TIME.hasBeginning)
        )
        end = self.text(period, DCAT.endDate, t.SCHEMA.endDate) or _first(
            self.text(i, TIME.inXSDDateTime, TIME.inXSDDate) for i in self.objects(period, TIME.hasEnd)
        )
        return _instant(start), _instant(end)

    # distribution ------------------------------------------------------------------------------

    def distributions(self) -> tuple[Distribution, ...]:
        found = [self.distribution(node) for node in self.objects(self.node, DCAT.distribution)]
        found += [self.page(node, "landingPage") for node in self.objects(self.node, DCAT.landingPage)]
        found += [self.page(node, "information") for node in self.objects(self.node, FOAF.page)]
        urls = {d.url for d in found if d is not None}
        protocol = self.text(self.node, t.GEODCAT.serviceProtocol)
        for endpoint in self.objects(self.node, DCAT.endpointDescription) or self.objects(
            self.node, DCAT.endpointURL
        ):
            if str(endpoint) not in urls:
                found.append(Distribution(str(endpoint), protocol=protocol))
        return tuple(dict.fromkeys(d for d in found if d is not None))

    def distribution(self, node: Node) -> Distribution | None:
        download = self.text(node, DCAT.downloadURL)
        url = download or self.text(node, DCAT.accessURL)
        if url is None:
            return None
        function = (
            "download" if download else _first(self.code_or_text(v) for v in self.objects(node, DCTERMS.type))
        )
        return self.described(node, url, function)

    def page(self, node: Node, function: str) -> Distribution | None:
        if node == self.node:
            return Distribution(str(node), function=function)  # its properties are the dataset's
        return self.described(node, str(node), function) if isinstance(node, URIRef) else None

    def described(self, node: Node, url: str, function: str | None) -> Distribution:
        formats = self.objects(node, DCTERMS.format)
        media_type = self.text(node, DCAT.mediaType) or _first(
            self.text(f, RDF.value) for f in formats if not isinstance(f, Literal)
        )
        return Distribution(
            url=url,
            protocol=self.protocol(node),
            name=self.text(node, DCTERMS.title),
            description=self.text(node, DCTERMS.description),
            function=function,
            format=_first(self.format_name(f) for f in formats),
            media_type=_media_type(media_type) if media_type else None,
        )

    def protocol(self, node: Node) -> str | None:
        for standard in self.objects(node, DCTERMS.conformsTo):
            if isinstance(standard, BNode):
                return self.text(standard, DCTERMS.identifier, SKOS.notation)
            if isinstance(standard, URIRef):
                return str(standard)
        services = self.objects(node, DCAT.accessService)
        return _first(self.text(s, t.GEODCAT.serviceProtocol, DCTERMS.conformsTo) for s in services)

    def format_name(self, value: Node) -> str:
        if isinstance(value, Literal):
            return str(value).strip()
        if str(value).startswith(t.EU_FILE_TYPE):
            return t.code_of(str(value))
        return self.text(value, RDFS.label, SKOS.prefLabel, RDF.value) or str(value)

    def code_or_text(self, value: Node) -> str | None:
        if isinstance(value, URIRef) and str(value).startswith(t.ISO_CODELIST):
            return str(value).removeprefix(t.ISO_CODELIST)
        return self.reference(value)

    # constraints -------------------------------------------------------------------------------

    def constraints(self) -> Constraints:
        license_node = _first(self.objects(self.node, DCTERMS.license)) or _first(
            _first(self.objects(d, DCTERMS.license)) for d in self.objects(self.node, DCAT.distribution)
        )
        use, limitations, other = self.rights()
        return Constraints(
            license=self.text(license_node, DCTERMS.identifier, DCTERMS.title, RDFS.label, SKOS.prefLabel),
            license_url=str(license_node) if isinstance(license_node, URIRef) else None,
            access=self.access_rights(),
            use=use,
            use_limitations=limitations,
            other=other,
        )

    def rights(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """Use-restriction codes, use limitations and other constraints, from the dct:rights values."""
        use: list[str] = []
        limitations: list[str] = []
        other: list[str] = []
        for node in self.objects(self.node, DCTERMS.rights):
            if _is_iso_code(node):
                use.append(str(node).removeprefix(t.ISO_CODELIST))
            elif isinstance(node, URIRef) and not self.label(node):
                other.append(str(node))  # a rights document named by its URI only
            elif text := self.rights_text(node):
                kind = self.text(node, DCTERMS.type)
                {_OTHER_STATEMENT: other, _USE_STATEMENT: use}.get(kind or "", limitations).append(text)
        return tuple(use), tuple(limitations), tuple(other)

    def access_rights(self) -> tuple[str, ...]:
        nodes = self.objects(self.node, DCTERMS.accessRights)
        if not nodes:
            for distribution in self.objects(self.node, DCAT.distribution):
                nodes += [n for n in self.objects(distribution, DCTERMS.accessRights) if n not in nodes]
        # EU access-right URIs are the access level (see access_level), not a stated constraint.
        nodes = [n for n in nodes if not str(n).startswith(t.EU_ACCESS_RIGHT)]
        values = (self.code_or_text(n) if _is_iso_code(n) else self.rights_text(n) for n in nodes)
        return tuple(dict.fromkeys(v for v in values if v))

    def access_level(self) -> str:
        for node in self.objects(self.node, DCTERMS.accessRights):
            if str(node).startswith(t.EU_ACCESS_RIGHT):
                return t.ACCESS_LEVELS.get(t.code_of(str(node)), "restricted")
        return "open"

    def rights_text(self, node: Node) -> str:
        """A statement's text: its label (a code list value named by URI may have one), else its URI."""
        if isinstance(node, Literal):
            return str(node).strip()
        return self.label(node) or (str(node) if isinstance(node, URIRef) else "")

    def label(self, node: Node) -> str | None:
        return self.text(node, RDFS.label, DCTERMS.description, DCTERMS.title)

    # dates and relations -----------------------------------------------------------------------

    def dates(self) -> Dates:
        return Dates(
            created=_date(self.text(self.node, DCTERMS.created)),
            published=_date(self.text(self.node, DCTERMS.issued)),
            revised=_date(self.text(self.node, DCTERMS.modified)),
            metadata=_date(self.text(self.catalog_record, DCTERMS.modified)),
        )

    def related(self) -> tuple[Related, ...]:
        found: list[Related] = []
        for relationship in self.objects(self.node, DCAT.qualifiedRelation):
            relation = _first(self.role(r) for r in self.objects(relationship, DCAT.hadRole)) or "related"
            found += [self.related_one(n, relation) for n in self.objects(relationship, DCTERMS.relation)]
        seen = {r.identifier for r in found}
        for predicate, relation in ((DCAT.servesDataset, "operatesOn"), (DCTERMS.relation, "related")):
            for node in self.objects(self.node, predicate):
                if self.reference(node) not in seen:
                    found.append(self.related_one(node, relation))
                    seen.add(self.reference(node) or "")
        return tuple(r for r in found if r.identifier)

    def related_one(self, node: Node, relation: str) -> Related:
        return Related(
            identifier=self.reference(node) or "",
            relation=relation,
            scheme=self.text(node, t.ADMS.schemaAgency),
            title=self.text(node, DCTERMS.title),
        )

    def sizes(self) -> tuple[str, ...]:
        sizes = [self.text(e, RDFS.label, RDF.value) or "" for e in self.objects(self.node, DCTERMS.extent)]
        for distribution in self.objects(self.node, DCAT.distribution):
            byte_size = _number(_first(self.objects(distribution, DCAT.byteSize)))
            if byte_size is not None:
                sizes.append(f"{int(byte_size)} bytes")
        return tuple(dict.fromkeys(s for s in sizes if s))


_PARENT = (DCTERMS.isPartOf, DCAT.inSeries)
# The dct:type of textual rights statements that are not use limitations (see dcat_write).
_OTHER_STATEMENT = t.ISO_CODELIST + "otherRestrictions"
_USE_STATEMENT = t.ISO_CODELIST + "useConstraints"


_T = TypeVar("_T")


def _first(values: Iterable[_T | None]) -> _T | None:
    return next((v for v in values if v is not None), None)


def _is_iso_code(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(t.ISO_CODELIST)


def _number(value: Node | None) -> float | None:
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def _media_type(value: str) -> str:
    return re.sub(r"^https?://(?:www\.)?iana\.org/assignments/media-types/", "", value)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _instant(text: str | None) -> datetime | None:
    if text and re.fullmatch(r"\d{4}", text):
        return datetime(int(text), 1, 1)
    value = _date(text)
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)
