"""Writing canonical records into an rdflib graph as DCAT-AP / GeoDCAT-AP statements.

`formats.dcat` serialises the graph; the mapping is described in that module's docstring, and
`formats.dcat_read` reads back exactly what is written here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from terrapole.core.model import Contact, LangText
from terrapole.core.record import UNDETERMINED, Distribution, Record, Related
from terrapole.formats import dcat_terms as t
from terrapole.formats._iso_vocab import ANCHORS_KEY, RESTRICTION_CODES, anchor_uri
from terrapole.formats.dcat_geometry import box_geojson, box_wkt, geometry_wkt, to_json
from terrapole.formats.dcat_terms import DCAT

_OTHER_STATEMENT = URIRef(t.ISO_CODELIST + "otherRestrictions")
_USE_STATEMENT = URIRef(t.ISO_CODELIST + "useConstraints")
_OGC_PROTOCOL = re.compile(r"\b(WMS|WMTS|WFS|WCS|CSW|SOS|WPS)\b", re.IGNORECASE)
_OGC_NAMES = {
    "web map service": "WMS",
    "web map tile service": "WMTS",
    "web feature service": "WFS",
    "web coverage service": "WCS",
    "catalogue service": "CSW",
    "sensor observation service": "SOS",
    "web processing service": "WPS",
}
_MEDIA_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+")


def new_graph() -> Graph:
    """An empty graph with the DCAT-AP prefixes bound (for readable serialisations)."""
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in t.PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def add_record(graph: Graph, record: Record, dataset_uri: str | None = None) -> Node:
    """Add the statements describing `record` to `graph`; returns the dataset's node."""
    writer = _Writer(graph, record, dataset_uri)
    writer.write()
    return writer.node


class _Writer:
    def __init__(self, graph: Graph, record: Record, dataset_uri: str | None) -> None:
        self.graph = graph
        self.record = record
        self.node: Node = URIRef(dataset_uri) if dataset_uri else _subject(record)
        # The URIs ISO anchors gave texts that have no canonical field (INSPIRE code list values...).
        anchors = record.extra.get(ANCHORS_KEY)
        self.anchors: dict[str, str] = dict(anchors) if isinstance(anchors, dict) else {}
        self.license = self.license_node()

    def add(self, subject: Node, predicate: URIRef, value: Node | None) -> None:
        if value is not None:
            self.graph.add((subject, predicate, value))

    def resource(self, predicate: URIRef, kind: URIRef, subject: Node | None = None) -> BNode:
        """A new blank node of type `kind`, the value of `predicate` (on the dataset by default)."""
        node = BNode()
        self.add(self.node if subject is None else subject, predicate, node)
        self.add(node, RDF.type, kind)
        return node

    def texts(self, subject: Node, predicate: URIRef, text: LangText) -> None:
        for tag, value in text.items():
            self.add(subject, predicate, _literal(value, tag))

    def write(self) -> None:
        record = self.record
        self.write_type()
        self.texts(self.node, DCTERMS.title, record.title)
        self.texts(self.node, DCTERMS.description, record.abstract)
        for title in record.alternate_titles:
            self.add(self.node, DCTERMS.alternative, Literal(title))
        self.write_identifiers()
        self.write_classification()
        self.write_contacts(self.node, record.contacts)
        self.write_catalog_record()
        self.write_lineage()
        self.write_extent()
        self.write_resolutions()
        self.write_reference_systems()
        self.write_distributions()
        self.write_constraints()
        self.write_dates_and_relations()

    def write_type(self) -> None:
        level = self.record.hierarchy_level
        kinds = {"service": (DCAT.DataService,), "series": (DCAT.Dataset, DCAT.DatasetSeries)}
        for kind in kinds.get(level, (DCAT.Dataset,)):
            self.add(self.node, RDF.type, kind)
        prefix = t.INSPIRE_RESOURCE_TYPE if level in ("dataset", "series", "service") else t.ISO_CODELIST
        self.add(self.node, t.GEODCAT.resourceType, _uri_or_literal(prefix + level))
        if (service_type := self.record.service_type) is not None:
            inspire = service_type in t.INSPIRE_SERVICE_TYPES
            service = URIRef(t.INSPIRE_SERVICE_TYPE + service_type) if inspire else Literal(service_type)
            self.add(self.node, t.GEODCAT.serviceType, service)
        if (resource_type := self.record.resource_type) is not None:
            is_dcmi = resource_type in t.DCMI_TYPES
            value = URIRef(t.DCMI_TYPE + resource_type) if is_dcmi else _uri_or_literal(resource_type)
            self.add(self.node, DCTERMS.type, value)

    def write_identifiers(self) -> None:
        record = self.record
        for identifier in record.identifiers:
            self.add(self.node, DCTERMS.identifier, Literal(identifier.code))
            # adms:identifier also for the record's own identifier, which a dct:identifier alone
            # would not tell apart from it
            if identifier.scheme or identifier.code == record.identifier:
                node = self.resource(t.ADMS.identifier, t.ADMS.Identifier)
                self.add(node, SKOS.notation, Literal(identifier.code))
                self.add(node, t.ADMS.schemaAgency, _optional_literal(identifier.scheme))
        if not record.identifiers:
            self.add(self.node, DCTERMS.identifier, Literal(record.identifier))
        if record.version:
            self.add(self.node, OWL.versionInfo, Literal(record.version))

    def write_classification(self) -> None:
        record = self.record
        for keyword in record.keywords:
            if keyword.uri or keyword.thesaurus:
                concept = self.concept(keyword.uri, keyword.label)
                if keyword.thesaurus:
                    self.add(concept, SKOS.inScheme, self.scheme(keyword.thesaurus))
                if str(concept).startswith(t.INSPIRE_SERVICE_CATEGORY):
                    self.add(self.node, t.GEODCAT.serviceCategory, concept)
            else:
                self.texts(self.node, DCAT.keyword, keyword.label)
        for theme in record.inspire_themes:
            if (uri := t.inspire_theme_uri(theme)) is not None:
                self.add(self.node, DCAT.theme, uri)
            else:
                concept = self.concept(None, {UNDETERMINED: theme})
                self.add(concept, SKOS.inScheme, t.INSPIRE_THEME_SCHEME)
        for category in record.topic_categories:
            self.add(self.node, t.GEODCAT.topicCategory, _uri_or_literal(t.INSPIRE_TOPIC_CATEGORY + category))
        for code in record.languages:
            self.add(self.node, DCTERMS.language, t.language_uri(code) or Literal(code))
        for name in record.formats:
            self.add(self.node, DCTERMS.format, _format(name))

    def concept(self, uri: str | None, labels: LangText) -> Node:
        concept: Node = URIRef(uri) if uri and t.is_uri(uri) else BNode()
        self.add(self.node, DCAT.theme, concept)
        self.add(concept, RDF.type, SKOS.Concept)
        self.texts(concept, SKOS.prefLabel, labels)
        return concept

    def scheme(self, thesaurus: str) -> Node:
        if t.is_uri(thesaurus):
            return URIRef(thesaurus)
        uri = anchor_uri(thesaurus, self.anchors)
        scheme = URIRef(uri) if uri and t.is_uri(uri) else BNode()
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.add(scheme, DCTERMS.title, Literal(thesaurus))
        return scheme

    # parties -----------------------------------------------------------------------------------

    def write_contacts(self, subject: Node, contacts: tuple[Contact, ...]) -> None:
        for contact in contacts:
            agent = self.agent(contact)
            for role in contact.roles:
                predicate = t.ROLE_PROPERTIES.get(role) or (
                    t.GEODCAT[role] if role in t.GEODCAT_ROLES else None
                )
                if predicate is not None:
                    self.add(subject, predicate, agent)
                else:
                    self.attribution(subject, agent, role)
            if not contact.roles:
                self.attribution(subject, agent, None)

    def attribution(self, subject: Node, agent: Node, role: str | None) -> None:
        attribution = self.resource(PROV.qualifiedAttribution, PROV.Attribution, subject)
        self.add(attribution, PROV.agent, agent)
        if role is not None:
            self.add(attribution, DCAT.hadRole, self.role(role))

    def role(self, role: str) -> Node:
        if role in t.INSPIRE_ROLES:
            return URIRef(t.INSPIRE_ROLE + role)
        if role in t.ISO_ROLES:
            return URIRef(t.ISO_CODELIST + role)
        node = BNode()
        self.add(node, RDF.type, DCAT.Role)
        self.add(node, SKOS.notation, Literal(role))
        return node

    def agent(self, contact: Contact) -> Node:
        """One node per contact, so that its roles come back together: a vCard (what
        dcat:contactPoint wants) for a point of contact, a FOAF agent for the other roles, or both."""
        node = BNode()
        if "pointOfContact" in contact.roles:
            self.vcard(node, contact)
        if any(role != "pointOfContact" for role in contact.roles) or not contact.roles:
            self.foaf(node, contact)
        return node

    def vcard(self, node: Node, contact: Contact) -> None:
        kind = t.VCARD.Kind if contact.organisation is None else t.VCARD.Individual
        self.add(node, RDF.type, t.VCARD.Organization if contact.organisation == contact.name else kind)
        self.add(node, t.VCARD.fn, Literal(contact.name))
        if contact.organisation not in (None, contact.name):
            self.add(node, t.VCARD["organization-name"], Literal(contact.organisation))
        self.add(node, t.VCARD.hasEmail, _email(contact.email))
        self.add(node, t.VCARD.hasURL, _uri_or_literal(contact.url))
        self.add(node, t.VCARD.note, _optional_literal(contact.description))

    def foaf(self, node: Node, contact: Contact) -> None:
        kind = FOAF.Agent if contact.organisation is None else FOAF.Person
        self.add(node, RDF.type, FOAF.Organization if contact.organisation == contact.name else kind)
        self.add(node, FOAF.name, Literal(contact.name))
        if contact.organisation not in (None, contact.name):
            organisation = self.resource(t.ORG.memberOf, FOAF.Organization, node)
            self.add(organisation, FOAF.name, _optional_literal(contact.organisation))
        self.add(node, FOAF.mbox, _email(contact.email))
        self.add(node, FOAF.homepage, _uri_or_literal(contact.url))
        self.add(node, RDFS.comment, _optional_literal(contact.description))

    def write_catalog_record(self) -> None:
        record = self.record
        entry = self.resource(FOAF.isPrimaryTopicOf, DCAT.CatalogRecord)
        if isinstance(self.node, URIRef):  # rdflib's JSON-LD writer loses cycles of blank nodes
            self.add(entry, FOAF.primaryTopic, self.node)
        self.add(entry, DCTERMS.identifier, Literal(record.identifier))
        if record.language:
            self.add(entry, DCTERMS.language, t.language_uri(record.language) or Literal(record.language))
        self.add(entry, DCTERMS.modified, _date(record.dates.metadata))
        if (standard := record.metadata_standard) is not None:
            self.add(entry, DCTERMS.conformsTo, self.named(standard, DCTERMS.Standard, DCTERMS.title))
        self.write_contacts(entry, record.metadata_contacts)

    def named(self, name: str, kind: URIRef, predicate: URIRef) -> Node:
        """A resource named by its URI, else a blank node of type `kind` with `name` as `predicate`."""
        if t.is_uri(name):
            return URIRef(name)
        node = BNode()
        self.add(node, RDF.type, kind)
        self.add(node, predicate, Literal(name))
        return node

    # quality, lineage, extent ------------------------------------------------------------------

    def write_lineage(self) -> None:
        if self.record.lineage:
            statement = self.resource(DCTERMS.provenance, DCTERMS.ProvenanceStatement)
            self.texts(statement, DCTERMS.description, self.record.lineage)

    def write_extent(self) -> None:
        extent = self.record.extent
        for box in extent.bboxes:
            location = self.resource(DCTERMS.spatial, DCTERMS.Location)
            self.add(location, DCAT.bbox, Literal(box_wkt(box), datatype=t.WKT_LITERAL))
            self.add(location, DCAT.bbox, Literal(box_geojson(box), datatype=t.GEOJSON_LITERAL))
        if extent.geometry is not None:
            location = self.resource(DCTERMS.spatial, DCTERMS.Location)
            self.add(location, t.LOCN.geometry, Literal(to_json(extent.geometry), datatype=t.GEOJSON_LITERAL))
            if (wkt := geometry_wkt(extent.geometry)) is not None:
                self.add(location, t.LOCN.geometry, Literal(wkt, datatype=t.WKT_LITERAL))
        for start, end in extent.intervals:
            period = self.resource(DCTERMS.temporal, DCTERMS.PeriodOfTime)
            self.add(period, DCAT.startDate, _date(start))
            self.add(period, DCAT.endDate, _date(end))

    def write_resolutions(self) -> None:
        for resolution in self.record.resolutions:
            if resolution.distance is not None and resolution.unit == "m":
                self.add(self.node, DCAT.spatialResolutionInMeters, _decimal(resolution.distance))
            elif resolution.distance is not None:
                measurement = self.measurement(t.RESOLUTION_AS_DISTANCE, resolution.distance)
                self.add(measurement, t.SDMX_ATTRIBUTE.unitMeasure, _optional_literal(resolution.unit))
            if resolution.scale_denominator:
                self.measurement(t.RESOLUTION_AS_SCALE, Decimal(1) / Decimal(resolution.scale_denominator))

    def measurement(self, metric: URIRef, value: float | Decimal) -> Node:
        measurement = self.resource(t.DQV.hasQualityMeasurement, t.DQV.QualityMeasurement)
        self.add(measurement, t.DQV.isMeasurementOf, metric)
        self.add(measurement, t.DQV.value, _decimal(value))
        return measurement

    def write_reference_systems(self) -> None:
        for system in self.record.reference_systems:
            node: Node = t.epsg_uri(system) or (URIRef(system) if t.is_uri(system) else BNode())
            self.add(self.node, t.GEODCAT.referenceSystem, node)
            self.add(self.node, DCTERMS.conformsTo, node)
            self.add(node, RDF.type, DCTERMS.Standard)
            self.add(node, DCTERMS.type, t.SPATIAL_REFERENCE_SYSTEM)
            if str(node) != system:
                self.add(node, DCTERMS.identifier, Literal(system))

    # distributions -----------------------------------------------------------------------------

    def write_distributions(self) -> None:
        pages = {"landingPage": DCAT.landingPage, "information": FOAF.page}
        for distribution in self.record.distributions:
            if self.record.hierarchy_level == "service":
                self.endpoint(self.node, distribution.url, _ogc_standard(distribution.protocol))
            page = URIRef(distribution.url) if t.is_uri(distribution.url) else None
            if page is None or distribution.function not in pages:
                self.write_distribution(distribution)
                continue
            self.add(self.node, pages[distribution.function], page)
            if page != self.node:  # a landing page that is the dataset URI has the dataset's properties
                self.add(page, RDF.type, FOAF.Document)
                self.describe(page, distribution)
        for overview in self.record.overviews:
            self.add(self.node, FOAF.depiction, _uri_or_literal(overview))

    def write_distribution(self, distribution: Distribution) -> None:
        node = self.resource(DCAT.distribution, DCAT.Distribution)
        url = _uri_or_literal(distribution.url)
        self.add(node, DCAT.accessURL, url)
        if distribution.function == "download":
            self.add(node, DCAT.downloadURL, url)
        elif distribution.function:
            self.add(node, DCTERMS.type, _uri_or_literal(t.ISO_CODELIST + distribution.function))
        self.add(node, DCTERMS.license, self.license)
        self.describe(node, distribution)
        if (standard := _ogc_standard(distribution.protocol)) is not None:
            service = self.resource(DCAT.accessService, DCAT.DataService, node)
            self.add(service, DCTERMS.title, _optional_literal(distribution.name))
            self.endpoint(service, distribution.url, standard)

    def endpoint(self, service: Node, url: str, standard: URIRef | None) -> None:
        """GeoDCAT-AP's service endpoint: the base URL, and the capabilities request as description."""
        if not t.is_uri(url):
            return
        parts = urlsplit(url)
        if parts.query:
            self.add(service, DCAT.endpointURL, URIRef(urlunsplit((*parts[:3], "", ""))))
            self.add(service, DCAT.endpointDescription, URIRef(url))
        else:
            self.add(service, DCAT.endpointURL, URIRef(url))
        self.add(service, t.GEODCAT.serviceProtocol, standard)

    def describe(self, node: Node, distribution: Distribution) -> None:
        self.add(node, DCTERMS.title, _optional_literal(distribution.name))
        self.add(node, DCTERMS.description, _optional_literal(distribution.description))
        if distribution.format:
            self.add(node, DCTERMS.format, _format(distribution.format))
        if (media_type := distribution.media_type) is not None:
            is_token = _MEDIA_TYPE.fullmatch(media_type)
            self.add(
                node,
                DCAT.mediaType,
                URIRef(t.IANA_MEDIA_TYPES + media_type) if is_token else Literal(media_type),
            )
        if (protocol := distribution.protocol) is not None:
            self.add(node, DCTERMS.conformsTo, self.named(protocol, DCTERMS.Standard, DCTERMS.identifier))

    # constraints, dates, relations -------------------------------------------------------------

    def license_node(self) -> Node | None:
        constraints = self.record.constraints
        if constraints.license_url and t.is_uri(constraints.license_url):
            node: Node = URIRef(constraints.license_url)
        elif constraints.license:
            node = BNode()
        else:
            return None
        self.add(node, RDF.type, DCTERMS.LicenseDocument)
        self.add(node, DCTERMS.title, _optional_literal(constraints.license))
        return node

    def write_constraints(self) -> None:
        record = self.record
        constraints = record.constraints
        self.add(self.node, DCTERMS.license, self.license)
        if (level := t.ACCESS_RIGHTS.get(record.access)) is not None:
            self.add(self.node, DCTERMS.accessRights, URIRef(t.EU_ACCESS_RIGHT + level))
        for value in constraints.access:
            self.add(self.node, DCTERMS.accessRights, self.statement(value, None))
        for value in constraints.use:
            self.add(self.node, DCTERMS.rights, self.statement(value, _USE_STATEMENT))
        for value in constraints.use_limitations:
            self.add(self.node, DCTERMS.rights, self.statement(value, None))
        for value in constraints.other:
            self.add(self.node, DCTERMS.rights, self.statement(value, _OTHER_STATEMENT))

    def statement(self, value: str, kind: URIRef | None) -> Node:
        """A rights statement: an ISO restriction code, a URI, or a text (typed when it is not a use
        limitation), named by the URI an ISO anchor gave it when there is one."""
        if value in RESTRICTION_CODES and kind in (None, _USE_STATEMENT):
            return URIRef(t.ISO_CODELIST + value)
        if t.is_uri(value) and kind != _USE_STATEMENT:
            return URIRef(value)
        uri = anchor_uri(value, self.anchors)
        node: Node = URIRef(uri) if uri and t.is_uri(uri) and uri != value else BNode()
        self.add(node, RDF.type, DCTERMS.RightsStatement)
        self.add(node, RDFS.label, Literal(value))
        self.add(node, DCTERMS.type, kind)
        return node

    def write_dates_and_relations(self) -> None:
        record = self.record
        self.add(self.node, DCTERMS.created, _date(record.dates.created))
        self.add(self.node, DCTERMS.issued, _date(record.dates.published))
        self.add(self.node, DCTERMS.modified, _date(record.dates.revised))
        if record.parent_identifier:
            self.add(
                self.node,
                DCTERMS.isPartOf,
                self.named(record.parent_identifier, RDFS.Resource, DCTERMS.identifier),
            )
        for related in record.related:
            self.write_related(related)
        for size in record.sizes:
            extent = self.resource(DCTERMS.extent, DCTERMS.SizeOrDuration)
            self.add(extent, RDFS.label, Literal(size))

    def write_related(self, related: Related) -> None:
        target = self.named(related.identifier, RDFS.Resource, DCTERMS.identifier)
        self.add(target, t.ADMS.schemaAgency, _optional_literal(related.scheme))
        self.add(target, DCTERMS.title, _optional_literal(related.title))
        relationship = self.resource(DCAT.qualifiedRelation, DCAT.Relationship)
        self.add(relationship, DCTERMS.relation, target)
        self.add(relationship, DCAT.hadRole, self.role(related.relation))
        self.add(self.node, DCTERMS.relation, target)
        if related.relation == "operatesOn":  # GeoDCAT-AP: the data a service serves
            self.add(self.node, DCAT.servesDataset, target)


def _subject(record: Record) -> Node:
    """The dataset's URI: its first http(s) identifier, else its DOI resolver URL, else a blank node."""
    for code in (record.identifier, *(i.code for i in record.identifiers)):
        if code.startswith(("http://", "https://")) and t.is_uri(code):
            return URIRef(code)
    return URIRef(t.DOI_RESOLVER + record.doi) if record.doi else BNode()


def _literal(value: str, tag: str) -> Literal:
    if tag == UNDETERMINED:
        return Literal(value)
    try:
        return Literal(value, lang=tag)
    except ValueError:
        return Literal(value)  # not a well-formed language tag: keep the text


def _optional_literal(value: str | None) -> Literal | None:
    return Literal(value) if value else None


def _uri_or_literal(value: str | None) -> Node | None:
    if not value:
        return None
    return URIRef(value) if t.is_uri(value) else Literal(value)


def _email(email: str | None) -> Node | None:
    if not email:
        return None
    return URIRef("mailto:" + email) if t.is_uri("mailto:" + email) else Literal(email)


def _format(name: str) -> Node:
    # EU file-type codes are upper-case tokens (CSV, GEOJSON, TIFF); other names stay literals.
    if re.fullmatch(r"[A-Z0-9_]+", name):
        return URIRef(t.EU_FILE_TYPE + name)
    return _uri_or_literal(name) or Literal(name)


def _ogc_standard(protocol: str | None) -> URIRef | None:
    """The OGC standard URI of an OGC service protocol (OGC:WMS, OGC:WMS-1.3.0-http-get-map, "OGC Web
    Map Service", the standard's URI)."""
    if not protocol:
        return None
    if protocol in t.OGC_SERVICES.values():
        return URIRef(protocol)
    name = next((code for words, code in _OGC_NAMES.items() if words in protocol.lower()), None)
    if name is None and protocol.upper().startswith("OGC") and (match := _OGC_PROTOCOL.search(protocol)):
        name = match.group(1).upper()
    return URIRef(t.OGC_SERVICES[name]) if name else None


def _date(value: date | None) -> Literal | None:
    """xsd:date for dates and naive midnights (the precision they were given with), else xsd:dateTime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == datetime.min.time():
            return Literal(value.date().isoformat(), datatype=XSD.date)
        return Literal(value.isoformat(), datatype=XSD.dateTime)
    return Literal(value.isoformat(), datatype=XSD.date)


def _decimal(value: float | Decimal) -> Literal:
    return Literal(f"{Decimal(str(value)):f}", datatype=XSD.decimal)
