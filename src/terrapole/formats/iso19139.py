"""ISO 19139 (gmd:MD_Metadata, and ISO 19115-2 gmi:MI_Metadata) to and from canonical records.

Why not OWSLib for reading: `owslib.iso.MD_Metadata` parses the shared fixtures at 400-550 records/s
on one core of the project machine (see docs/benchmarks.md), short of the 1,000 records/s the ingest of
harvested catalogues needs, and it misses records whose identification section is a national
substitute (`fra:FRA_DataIdentification` in French SINP records). So we read with our own mapping
table (canonical field -> XPath, compiled once, as pycsw does) and the shared engine of
`_iso_read`; OWSLib stays the independent reader of our output in the tests.

Dialects: the ISO 2005 namespaces, and the GeoNetwork 19115-3 plugin's rewrite of 19139 documents into
`http://standards.iso.org/iso/19115/-3/gmd`-style namespaces with the 19139 element names (its
GeoSource templates), which we read as 19139.

Mapping notes (canonical field <- ISO 19139):
- identifier <- fileIdentifier, else the first citation identifier (InvalidRecord when neither);
- contacts <- citation citedResponsibleParty, identification pointOfContact, distributorContact (one
  contact per party and role); metadata_contacts <- contact; encoded back as pointOfContact. A
  party with an individualName is a person (kind "person", its organisationName the organisation),
  else an organisation; anchors on those names are the parties' identifiers (ORCID, ROR URLs, the
  scheme read from the host); positionName is the description;
- lineage <- LI_Lineage statement, else the process step descriptions, one per line;
- resource_type <- hierarchyLevelName; service_type <- srv:serviceType; version <- citation edition;
- related <- aggregationInfo (identifier, association type, name) and srv:operatesOn (uuidref, else href);
- distributions <- every CI_OnlineResource of distributionInfo, then the services' connect points;
- sizes <- transferSize in megabytes (`12.5 MB`; other units are converted when written);
- formats <- MD_Format names (versions are dropped); language <- the ISO 639-2 code as written (a
  BCP 47 language is written as its ISO 639-2/B code); keyword thesaurus_uri <- the thesaurus title's
  anchor, else the URI of a thesaurus the INSPIRE guidelines cite; INSPIRE themes are written as
  keywords of the GEMET INSPIRE themes thesaurus when no keyword stands for them.

Anchors: a keyword's anchor is its concept URI, a thesaurus title's the thesaurus URI, a party name's
the party identifier; the anchors of texts that have no URI field (access and use statements,
protocols, format names, identifier and CRS codes; thesaurus titles too, for the formats that look
them up by title) are kept in `Record.extra["iso:anchors"]` (text -> URI) unless the encoder derives
them itself, and written back.

Fields ISO 19139 does not carry, dropped by `encode` (see DROPPED_FIELDS): pole, access, provenance,
extra (but for its anchors), the media type and format of each distribution, and metadata_standard (the
encoder writes its own); for services (srv:SV_ServiceIdentification), topic categories, resolutions
and resource languages. Keyword types, thesaurus dates (the encoder writes those of the thesauri it
knows) and srv:couplingType are not kept.
"""

from __future__ import annotations

from lxml import etree

from terrapole.core.errors import InvalidRecord
from terrapole.core.model import Contact
from terrapole.core.record import Record, Related
from terrapole.formats import _iso_write as iw
from terrapole.formats._iso_gml import GML, children, local
from terrapole.formats._iso_read import code, compiled, contact_info, named, read_record, short_text
from terrapole.formats._iso_vocab import iso639_2, iso_role, party_scheme, party_url
from terrapole.formats.xmlsafe import parse_xml

MEDIA_TYPE = "application/vnd.iso.19139+xml"
# Canonical fields ISO 19139 cannot carry (dotted paths); `extra` keeps only its "iso:anchors".
DROPPED_FIELDS: tuple[str, ...] = (
    "pole",
    "access",
    "provenance",
    "extra",
    "metadata_standard",
    "distributions.format",
    "distributions.media_type",
)

GMD = "http://www.isotc211.org/2005/gmd"
GMI = "http://www.isotc211.org/2005/gmi"
NAMESPACES = {
    "gmd": GMD,
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "srv": "http://www.isotc211.org/2005/srv",
    "gml": GML,
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
_GEONETWORK_19115_3 = "http://standards.iso.org/iso/19115/-3/"
DIALECTS = {
    GMD: NAMESPACES,
    GMI: NAMESPACES,
    _GEONETWORK_19115_3 + "gmd": {
        "gmd": _GEONETWORK_19115_3 + "gmd",
        "gco": _GEONETWORK_19115_3 + "gco/1.0",
        "gmx": _GEONETWORK_19115_3 + "gmx",
        "srv": _GEONETWORK_19115_3 + "srv",
    },
}

_LANGUAGE = "gmd:language/gmd:LanguageCode/@codeListValue | gmd:language/gco:CharacterString/text()"
_DISTRIBUTION = "gmd:distributionInfo/*"
# Canonical field -> path. Root-relative first, then relative to the identification section.
PATHS: dict[str, str] = {
    "file_identifier": "gmd:fileIdentifier/*/text()",
    "language": _LANGUAGE,
    "parent_identifier": "gmd:parentIdentifier/*/text()",
    "hierarchy_level": "gmd:hierarchyLevel/*/@codeListValue | gmd:hierarchyLevel/*/text()",
    "hierarchy_level_name": "gmd:hierarchyLevelName/*/text()",
    "metadata_standard": "gmd:metadataStandardName/*/text()",
    "metadata_date": "gmd:dateStamp",
    "metadata_date_any": "gmd:dateStamp",
    "locales": "gmd:locale/gmd:PT_Locale",
    "reference_systems": "gmd:referenceSystemInfo/*/gmd:referenceSystemIdentifier/*",
    "metadata_contacts": "gmd:contact/*",
    "identification": "gmd:identificationInfo/*",
    "formats": f"{_DISTRIBUTION}/gmd:distributionFormat/*/gmd:name"
    f" | {_DISTRIBUTION}/gmd:distributor/*/gmd:distributorFormat/*/gmd:name",
    "online": f"{_DISTRIBUTION}/gmd:transferOptions/*/gmd:onLine/*"
    f" | {_DISTRIBUTION}/gmd:distributor/*/gmd:distributorTransferOptions/*/gmd:onLine/*",
    "distributor_contacts": f"{_DISTRIBUTION}/gmd:distributor/*/gmd:distributorContact/*",
    "transfer_sizes": f"{_DISTRIBUTION}/gmd:transferOptions/*/gmd:transferSize/*/text()",
    "lineage": "gmd:dataQualityInfo/*/gmd:lineage/*/gmd:statement",
    "process_steps": "gmd:dataQualityInfo/*/gmd:lineage/*/gmd:processStep/*/gmd:description",
    "title": "gmd:citation/*/gmd:title",
    "alternate_titles": "gmd:citation/*/gmd:alternateTitle",
    "citation_dates": "gmd:citation/*/gmd:date/*",
    "edition": "gmd:citation/*/gmd:edition/*/text()",
    "identifiers": "gmd:citation/*/gmd:identifier/*",
    "cited_parties": "gmd:citation/*/gmd:citedResponsibleParty/*",
    "abstract": "gmd:abstract",
    "points_of_contact": "gmd:pointOfContact/*",
    "overviews": "gmd:graphicOverview/*/gmd:fileName/*/text()",
    "keyword_groups": "gmd:descriptiveKeywords/*",
    "constraints": "gmd:resourceConstraints/*",
    "aggregations": "gmd:aggregationInfo/*",
    "resolutions": "gmd:spatialResolution/*",
    "languages": _LANGUAGE,
    "topic_categories": "gmd:topicCategory/*/text()",
    "extents": "gmd:extent/* | srv:extent/*",
    "service_type": "srv:serviceType/*/text()",
    "operates_on": "srv:operatesOn",
    "connect_points": "srv:containsOperations/*/srv:connectPoint/*",
}


def parse(data: bytes) -> Record:
    """The canonical record of an ISO 19139 (or ISO 19115-2) document."""
    return read(parse_xml(data))


def read(root: etree._Element) -> Record:
    """The canonical record of an ISO 19139 root element parsed already through `xmlsafe.parse_xml`
    (a record a harvester cut out of a response: it is read where it stands, not serialised and
    parsed again)."""
    namespace = etree.QName(root).namespace or ""
    if local(root.tag) not in ("MD_Metadata", "MI_Metadata") or namespace not in DIALECTS:
        raise InvalidRecord(f"not an ISO 19139 document: root element {etree.QName(root).text!r}")
    return read_record(root, compiled("iso19139", PATHS, DIALECTS[namespace]), read_party, "ISO 19139")


def read_party(party: etree._Element) -> list[Contact]:
    """The contact of a CI_ResponsibleParty (none when it names nobody).

    A person is named by individualName, an organisation by organisationName; an anchor on either
    (INSPIRE practice) is the party's persistent identifier (ORCID, ROR...)."""
    props = dict(children(party))
    individual, person_id = named(props.get("individualName"))
    organisation, organisation_id = named(props.get("organisationName"))
    position = short_text(props.get("positionName"))
    name = individual or organisation or position
    if not name:
        return []
    email, url = contact_info(props.get("contactInfo"))
    role = code(props.get("role"))
    identifier = person_id if individual else organisation_id
    return [
        Contact(
            name=name,
            roles=(iso_role(role),) if role else (),
            organisation=organisation,
            email=email,
            url=url,
            description=position,
            kind="person" if individual else "organisation" if organisation else None,
            identifier=identifier,
            identifier_scheme=party_scheme(identifier),
            organisation_identifier=organisation_id if individual else None,
        )
    ]


# --- encoding ------------------------------------------------------------------------------------

PACKAGES = iw.Packages(
    cit="gmd",
    ext="gmd",
    con="gmd",
    ident="gmd",
    free_text="gmd",
    anchor="gmx:Anchor",
    url="gmd:URL",
    codelists="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml",
)
SCHEMA_LOCATION = f"{GMD} https://schemas.opengis.net/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd"
STANDARD = ("ISO 19115:2003/19139", "1.0")


def encode(record: Record) -> bytes:
    """The ISO 19139 document (gmd:MD_Metadata, INSPIRE conventions) of a record."""
    root = etree.Element(f"{{{GMD}}}MD_Metadata", nsmap=NAMESPACES)
    root.set(f"{{{NAMESPACES['xsi']}}}schemaLocation", SCHEMA_LOCATION)
    w = iw.Writer(NAMESPACES, PACKAGES, record)
    _header(w, root, record)
    _identification(w, root, record)
    _distribution(w, root, record)
    _quality(w, root, record)
    return iw.serialise(root)


def _header(w: iw.Writer, root: etree._Element, record: Record) -> None:
    w.string(root, "gmd:fileIdentifier", record.identifier)
    if record.language:
        w.language(root, "gmd:language/gmd:LanguageCode", iso639_2(record.language))
    w.code(root, "gmd:characterSet", "gmd:MD_CharacterSetCode", "utf8")
    w.string(root, "gmd:parentIdentifier", record.parent_identifier)
    w.code(root, "gmd:hierarchyLevel", "gmd:MD_ScopeCode", record.hierarchy_level)
    w.string(root, "gmd:hierarchyLevelName", record.resource_type)
    for contact in record.metadata_contacts:
        _party(w, root, "gmd:contact", contact)
    if not record.metadata_contacts:
        w.nil(root, "gmd:contact")
    w.date(root, "gmd:dateStamp", record.dates.metadata)
    if record.dates.metadata is None:
        w.nil(root, "gmd:dateStamp")
    w.string(root, "gmd:metadataStandardName", STANDARD[0])
    w.string(root, "gmd:metadataStandardVersion", STANDARD[1])
    for lang in w.locale_ids:
        iw.write_locale(w, root, "gmd:locale", lang, "languageCode")
    for system in record.reference_systems:
        path = (
            "gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/gmd:referenceSystemIdentifier/gmd:RS_Identifier"
        )
        w.anchored(w.add(root, path), "gmd:code", system)


def _identification(w: iw.Writer, root: etree._Element, record: Record) -> None:
    service = record.hierarchy_level == "service"
    kind = "srv:SV_ServiceIdentification" if service else "gmd:MD_DataIdentification"
    ident = w.add(root, f"gmd:identificationInfo/{kind}")
    _citation(w, ident, record)
    w.text(ident, "gmd:abstract", record.abstract)
    if not record.abstract:
        w.nil(ident, "gmd:abstract")
    for contact in record.contacts:
        _party(w, ident, "gmd:pointOfContact", contact)
    for overview in record.overviews:
        w.string(w.add(ident, "gmd:graphicOverview/gmd:MD_BrowseGraphic"), "gmd:fileName", overview)
    iw.write_keywords(w, ident, iw.all_keywords(record, w.main))
    iw.write_constraints(w, ident, "gmd:resourceConstraints", record.constraints)
    for related in record.related:
        if related.relation != "operatesOn":
            _aggregation(w, ident, related)
    (_service if service else _data)(w, ident, record)


def _citation(w: iw.Writer, ident: etree._Element, record: Record) -> None:
    citation = w.add(ident, "gmd:citation/gmd:CI_Citation")
    w.text(citation, "gmd:title", record.title)
    w.strings(citation, "gmd:alternateTitle", record.alternate_titles)
    dates = record.dates
    iw.write_ci_dates(
        w,
        citation,
        [("creation", dates.created), ("publication", dates.published), ("revision", dates.revised)],
    )
    w.string(citation, "gmd:edition", record.version)
    for identifier in record.identifiers:
        kind = "gmd:RS_Identifier" if identifier.scheme else "gmd:MD_Identifier"
        element = w.add(citation, f"gmd:identifier/{kind}")
        w.anchored(element, "gmd:code", identifier.code)
        w.string(element, "gmd:codeSpace", identifier.scheme)


def _aggregation(w: iw.Writer, ident: etree._Element, related: Related) -> None:
    aggregate = w.add(ident, "gmd:aggregationInfo/gmd:MD_AggregateInformation")
    if related.title:
        name = w.add(aggregate, "gmd:aggregateDataSetName/gmd:CI_Citation")
        w.string(name, "gmd:title", related.title)
        w.nil(name, "gmd:date", "unknown")
    kind = "gmd:RS_Identifier" if related.scheme else "gmd:MD_Identifier"
    identifier = w.add(aggregate, f"gmd:aggregateDataSetIdentifier/{kind}")
    w.string(identifier, "gmd:code", related.identifier)
    w.string(identifier, "gmd:codeSpace", related.scheme)
    w.code(aggregate, "gmd:associationType", "gmd:DS_AssociationTypeCode", related.relation)


def _data(w: iw.Writer, ident: etree._Element, record: Record) -> None:
    for resolution in record.resolutions:
        iw.write_resolution(w, ident, resolution)
    for language in record.languages:
        w.language(ident, "gmd:language/gmd:LanguageCode", language)
    if not record.languages:
        w.nil(ident, "gmd:language")
    w.code(ident, "gmd:characterSet", "gmd:MD_CharacterSetCode", "utf8")
    for category in record.topic_categories:
        w.add(ident, "gmd:topicCategory/gmd:MD_TopicCategoryCode").text = category
    iw.write_extent(w, ident, "gmd:extent", record)


def _service(w: iw.Writer, ident: etree._Element, record: Record) -> None:
    if record.service_type:
        w.add(ident, "srv:serviceType/gco:LocalName").text = record.service_type
    else:
        w.nil(ident, "srv:serviceType")
    iw.write_extent(w, ident, "srv:extent", record)
    operated = [r for r in record.related if r.relation == "operatesOn"]
    w.code(ident, "srv:couplingType", "srv:SV_CouplingType", "tight" if operated else "loose")
    w.nil(ident, "srv:containsOperations")
    for target in operated:
        key = f"{{{NAMESPACES['xlink']}}}href" if "://" in target.identifier else "uuidref"
        w.add(ident, "srv:operatesOn", {key: target.identifier})


def _distribution(w: iw.Writer, root: etree._Element, record: Record) -> None:
    sizes = [s for s in map(iw.transfer_size, record.sizes) if s]
    if not (record.formats or record.distributions or sizes):
        return
    distribution = w.add(root, "gmd:distributionInfo/gmd:MD_Distribution")
    for name in record.formats:
        element = w.add(distribution, "gmd:distributionFormat/gmd:MD_Format")
        w.anchored(element, "gmd:name", name)
        w.nil(element, "gmd:version", "unknown")
    for n in range(max(len(sizes), 1 if record.distributions else 0)):
        options = w.add(distribution, "gmd:transferOptions/gmd:MD_DigitalTransferOptions")
        if n < len(sizes):
            w.add(options, "gmd:transferSize/gco:Real").text = sizes[n]
        for link in record.distributions if n == 0 else ():
            iw.write_online(w, options, "gmd:onLine", link)


def _quality(w: iw.Writer, root: etree._Element, record: Record) -> None:
    if not record.lineage:
        return
    quality = w.add(root, "gmd:dataQualityInfo/gmd:DQ_DataQuality")
    w.code(w.add(quality, "gmd:scope/gmd:DQ_Scope"), "gmd:level", "gmd:MD_ScopeCode", record.hierarchy_level)
    w.text(w.add(quality, "gmd:lineage/gmd:LI_Lineage"), "gmd:statement", record.lineage)


def _party(w: iw.Writer, parent: etree._Element, path: str, contact: Contact) -> None:
    # CI_ResponsibleParty has one role: a contact with several is written once per role.
    kind = iw.party_kind(contact)
    for role in contact.roles or (None,):
        party = w.add(parent, f"{path}/gmd:CI_ResponsibleParty")
        if kind == "person":
            own = party_url(contact.identifier, contact.identifier_scheme)
            w.string(party, "gmd:individualName", contact.name, own)
            w.string(
                party,
                "gmd:organisationName",
                contact.organisation,
                party_url(contact.organisation_identifier, None),
            )
        elif kind == "organisation":
            w.string(
                party,
                "gmd:organisationName",
                contact.name,
                party_url(contact.identifier, contact.identifier_scheme),
            )
        w.string(party, "gmd:positionName", contact.description)
        if contact.email or contact.url:
            info = w.add(party, "gmd:contactInfo/gmd:CI_Contact")
            if contact.email:
                address = w.add(info, "gmd:address/gmd:CI_Address")
                w.string(address, "gmd:electronicMailAddress", contact.email)
            if contact.url:
                w.add(info, "gmd:onlineResource/gmd:CI_OnlineResource/gmd:linkage/gmd:URL").text = contact.url
        if role:
            w.code(party, "gmd:role", "gmd:CI_RoleCode", iso_role(role))
        else:
            w.nil(party, "gmd:role")
