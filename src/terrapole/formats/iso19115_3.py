"""ISO 19115-3 (mdb:MD_Metadata, namespaces of the 2014 "1.0" and 2018 "2.0" generations) to and from
canonical records.

Read with our own mapping table and the shared engine of `_iso_read`, for the reason given in
`iso19139` (speed, and records OWSLib's fixed paths miss); `owslib.iso3` reads our output in the
tests. The namespace of each package (mdb, cit, mri, mrl, srv...) is taken from the document's root
declarations, so records mixing versions (mdb 1.0 with cit 1.0, or mdb 2.0 with srv 2.1) are read
alike. Encoding writes the 2.0 generation (mdb/cit/mrl 2.0, srv 2.1), as OWSLib and GeoNetwork 4 do.

Mapping notes beyond those of `iso19139`: identifier <- metadataIdentifier; hierarchy level and
resource type <- metadataScope (resourceScope, name); metadata date <- the revision dateInfo, else the
first dateInfo; parent_identifier <- parentMetadata (uuidref or citation identifier); languages <-
the resource's defaultLocale and otherLocale; formats <- MD_Format specification citation titles;
related <- associatedResource (name or metadataReference, associationType). A responsible party
naming an organisation and its individuals gives one contact per individual (kind "person", with the
organisation), an organisation alone one contact (kind "organisation"); partyIdentifier (code and
codeSpace), else an anchor on the name, is the identifier and its scheme.
Dropped by `encode`: DROPPED_FIELDS as for ISO 19139, and for services the resource languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from terrapole.core.errors import InvalidRecord
from terrapole.core.model import Contact
from terrapole.core.record import Record, Related
from terrapole.formats import _iso_write as iw
from terrapole.formats._iso_gml import GML, children, local
from terrapole.formats._iso_read import code, compiled, contact_info, named, read_record, short_text, string
from terrapole.formats._iso_vocab import iso639_2, iso_role, party_scheme
from terrapole.formats.xmlsafe import parse_xml

MEDIA_TYPE = "application/vnd.iso.19115-3+xml"
# Canonical fields ISO 19115-3 cannot carry (dotted paths); `extra` keeps only its "iso:anchors".
DROPPED_FIELDS: tuple[str, ...] = (
    "pole",
    "access",
    "provenance",
    "extra",
    "metadata_standard",
    "distributions.format",
    "distributions.media_type",
)

ISO = "http://standards.iso.org/iso/19115/-3/"
_GENERATION_2 = {
    "mdb": "mdb/2.0", "cit": "cit/2.0", "mri": "mri/1.0", "gex": "gex/1.0", "gco": "gco/1.0",
    "gcx": "gcx/1.0", "lan": "lan/1.0", "mcc": "mcc/1.0", "mco": "mco/1.0", "mrd": "mrd/1.0",
    "mrl": "mrl/2.0", "mrs": "mrs/1.0", "srv": "srv/2.1",
}  # fmt: skip
_GENERATION_1 = {**_GENERATION_2, "mdb": "mdb/1.0", "cit": "cit/1.0", "mrl": "mrl/1.0", "srv": "srv/2.0"}
NAMESPACES = {
    **{prefix: ISO + path for prefix, path in _GENERATION_2.items()},
    "gml": GML,
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
ROOTS = (ISO + "mdb/2.0", ISO + "mdb/1.0")

_DIST = "mdb:distributionInfo/*"
_LOCALE = "lan:PT_Locale/lan:language/lan:LanguageCode/@codeListValue"
_DATE_INFO = "mdb:dateInfo/cit:CI_Date"
# Canonical field -> path. Root-relative first, then relative to the identification section.
PATHS: dict[str, str] = {
    "file_identifier": "mdb:metadataIdentifier/*/mcc:code/*/text()",
    "language": f"mdb:defaultLocale/{_LOCALE}",
    "parent_identifier": "mdb:parentMetadata/@uuidref"
    " | mdb:parentMetadata/*/cit:identifier/*/mcc:code/*/text()",
    "hierarchy_level": "mdb:metadataScope/*/mdb:resourceScope/*/@codeListValue"
    " | mdb:metadataScope/*/mdb:resourceScope/*/text()",
    "hierarchy_level_name": "mdb:metadataScope/*/mdb:name/*/text()",
    "metadata_standard": "mdb:metadataStandard/*/cit:title/*/text()",
    "metadata_date": f"{_DATE_INFO}[cit:dateType/*/@codeListValue='revision']/cit:date",
    "metadata_date_any": f"{_DATE_INFO}/cit:date",
    "locales": "mdb:defaultLocale/lan:PT_Locale | mdb:otherLocale/lan:PT_Locale",
    "reference_systems": "mdb:referenceSystemInfo/*/mrs:referenceSystemIdentifier/*",
    "metadata_contacts": "mdb:contact/*",
    "identification": "mdb:identificationInfo/*",
    "formats": f"{_DIST}/mrd:distributionFormat/*/mrd:formatSpecificationCitation/*/cit:title"
    f" | {_DIST}/mrd:distributor/*/mrd:distributorFormat/*/mrd:formatSpecificationCitation/*/cit:title",
    "online": f"{_DIST}/mrd:transferOptions/*/mrd:onLine/*"
    f" | {_DIST}/mrd:distributor/*/mrd:distributorTransferOptions/*/mrd:onLine/*",
    "distributor_contacts": f"{_DIST}/mrd:distributor/*/mrd:distributorContact/*",
    "transfer_sizes": f"{_DIST}/mrd:transferOptions/*/mrd:transferSize/*/text()",
    "lineage": "mdb:resourceLineage/*/mrl:statement",
    "process_steps": "mdb:resourceLineage/*/mrl:processStep/*/mrl:description",
    "title": "mri:citation/*/cit:title",
    "alternate_titles": "mri:citation/*/cit:alternateTitle",
    "citation_dates": "mri:citation/*/cit:date/*",
    "edition": "mri:citation/*/cit:edition/*/text()",
    "identifiers": "mri:citation/*/cit:identifier/*",
    "cited_parties": "mri:citation/*/cit:citedResponsibleParty/*",
    "abstract": "mri:abstract",
    "points_of_contact": "mri:pointOfContact/*",
    "overviews": "mri:graphicOverview/*/mcc:fileName/*/text()",
    "keyword_groups": "mri:descriptiveKeywords/*",
    "constraints": "mri:resourceConstraints/*",
    "aggregations": "mri:associatedResource/*",
    "resolutions": "mri:spatialResolution/*",
    "languages": f"mri:defaultLocale/{_LOCALE} | mri:otherLocale/{_LOCALE}",
    "topic_categories": "mri:topicCategory/*/text()",
    "extents": "mri:extent/*",
    "service_type": "srv:serviceType/*/text()",
    "operates_on": "srv:operatesOn",
    "connect_points": "srv:containsOperations/*/srv:connectPoint/*",
}


def parse(data: bytes) -> Record:
    """The canonical record of an ISO 19115-3 document."""
    root = parse_xml(data)
    namespace = etree.QName(root).namespace or ""
    if local(root.tag) != "MD_Metadata" or namespace not in ROOTS:
        raise InvalidRecord(f"not an ISO 19115-3 document: root element {etree.QName(root).text!r}")
    paths = compiled("iso19115-3", PATHS, _namespaces(root, namespace))
    return read_record(root, paths, read_party, "ISO 19115-3")


def _namespaces(root: etree._Element, namespace: str) -> dict[str, str]:
    # Each package at the version the document declares, else the one of its mdb generation.
    generation = _GENERATION_2 if namespace.endswith("/2.0") else _GENERATION_1
    namespaces = {prefix: ISO + path for prefix, path in generation.items()}
    for uri in root.nsmap.values():
        package, _, version = uri[len(ISO) :].partition("/") if uri.startswith(ISO) else ("", "", "")
        if package in namespaces and version[:1].isdigit():
            namespaces[package] = uri
    return namespaces


def read_party(responsibility: etree._Element) -> list[Contact]:
    """The contacts of a CI_Responsibility: its organisations, or their individuals, and individuals."""
    role = None
    parties: list[etree._Element] = []
    for name, prop in children(responsibility):
        if name == "role":
            role = code(prop)
        elif name == "party":
            parties.extend(party for _, party in children(prop))
    roles = (iso_role(role),) if role else ()
    return [contact for party in parties for contact in _party_contacts(party, roles)]


@dataclass(frozen=True, slots=True)
class _Party:
    """What a CI_Organisation or CI_Individual says of itself."""

    name: str | None
    identifier: str | None
    scheme: str | None
    email: str | None
    url: str | None
    position: str | None


def _party(element: etree._Element) -> _Party:
    props = dict(children(element))
    name, href = named(props.get("name"))
    identifier = scheme = None
    for _, mdi in children(props["partyIdentifier"]) if "partyIdentifier" in props else ():
        ids = dict(children(mdi))
        identifier, scheme = string(ids.get("code")), string(ids.get("codeSpace"))
    identifier = identifier or href  # else an anchor on the name
    email, url = contact_info(props.get("contactInfo"))
    position = short_text(props.get("positionName"))
    return _Party(name, identifier, scheme or party_scheme(identifier), email, url, position)


def _party_contacts(element: etree._Element, roles: tuple[str, ...]) -> list[Contact]:
    party = _party(element)
    if local(element.tag) != "CI_Organisation":
        return _individual(party, roles, None)
    individuals = [i for n, p in children(element) if n == "individual" for _, i in children(p)]
    found = [c for i in individuals for c in _individual(_party(i), roles, party)]
    if found or not party.name:
        return found
    return [
        Contact(
            party.name,
            roles,
            party.name,
            party.email,
            party.url,
            kind="organisation",
            identifier=party.identifier,
            identifier_scheme=party.scheme,
        )
    ]


def _individual(person: _Party, roles: tuple[str, ...], organisation: _Party | None) -> list[Contact]:
    name = person.name or person.position
    if not name:
        return []
    kind = "person" if person.name else None  # a party known by its position only
    return [
        Contact(
            name,
            roles,
            organisation.name if organisation else None,
            person.email or (organisation.email if organisation else None),
            person.url or (organisation.url if organisation else None),
            person.position,
            kind=kind,
            identifier=person.identifier,
            identifier_scheme=person.scheme,
            organisation_identifier=organisation.identifier if organisation else None,
        )
    ]


# --- encoding ------------------------------------------------------------------------------------

PACKAGES = iw.Packages(
    cit="cit",
    ext="gex",
    con="mco",
    ident="mri",
    free_text="lan",
    anchor="gcx:Anchor",
    url="gco:CharacterString",
    codelists="http://standards.iso.org/iso/19115/resources/Codelists/cat/codelists.xml",
)
SCHEMA_LOCATION = f"{ISO}mdb/2.0 https://schemas.isotc211.org/19115/-3/mdb/2.0/mdb.xsd"
STANDARD = ("ISO 19115-3", "2018")


def encode(record: Record) -> bytes:
    """The ISO 19115-3 document (mdb:MD_Metadata, 2.0 namespaces) of a record."""
    root = etree.Element(f"{{{NAMESPACES['mdb']}}}MD_Metadata", nsmap=NAMESPACES)
    root.set(f"{{{NAMESPACES['xsi']}}}schemaLocation", SCHEMA_LOCATION)
    w = iw.Writer(NAMESPACES, PACKAGES, record)
    _header(w, root, record)
    _identification(w, root, record)
    _distribution(w, root, record)
    if record.lineage:
        lineage = w.add(root, "mdb:resourceLineage/mrl:LI_Lineage")
        w.text(lineage, "mrl:statement", record.lineage)
        w.code(
            w.add(lineage, "mrl:scope/mcc:MD_Scope"), "mcc:level", "mcc:MD_ScopeCode", record.hierarchy_level
        )
    return iw.serialise(root)


def _header(w: iw.Writer, root: etree._Element, record: Record) -> None:
    w.string(w.add(root, "mdb:metadataIdentifier/mcc:MD_Identifier"), "mcc:code", record.identifier)
    if record.language:
        _locale(w, root, "mdb:defaultLocale", record.language)
    if record.parent_identifier:
        w.add(root, "mdb:parentMetadata", {"uuidref": record.parent_identifier})
    scope = w.add(root, "mdb:metadataScope/mdb:MD_MetadataScope")
    w.code(scope, "mdb:resourceScope", "mcc:MD_ScopeCode", record.hierarchy_level)
    w.string(scope, "mdb:name", record.resource_type)
    for contact in record.metadata_contacts:
        _write_party(w, root, "mdb:contact", contact)
    if not record.metadata_contacts:
        w.nil(root, "mdb:contact")
    _date_info(w, root, record)
    standard = w.add(root, "mdb:metadataStandard/cit:CI_Citation")
    w.string(standard, "cit:title", STANDARD[0])
    w.string(standard, "cit:edition", STANDARD[1])
    for lang in w.locale_ids:
        iw.write_locale(w, root, "mdb:otherLocale", lang, "language")
    for system in record.reference_systems:
        path = (
            "mdb:referenceSystemInfo/mrs:MD_ReferenceSystem/mrs:referenceSystemIdentifier/mcc:MD_Identifier"
        )
        w.anchored(w.add(root, path), "mcc:code", system)


def _date_info(w: iw.Writer, root: etree._Element, record: Record) -> None:
    if record.dates.metadata is None:
        w.nil(root, "mdb:dateInfo")
        return
    ci_date = w.add(root, "mdb:dateInfo/cit:CI_Date")
    w.date(ci_date, "cit:date", record.dates.metadata)
    w.code(ci_date, "cit:dateType", "cit:CI_DateTypeCode", "revision")


def _locale(w: iw.Writer, parent: etree._Element, path: str, language: str) -> None:
    locale = w.add(parent, f"{path}/lan:PT_Locale")
    w.language(locale, "lan:language/lan:LanguageCode", iso639_2(language))
    w.code(locale, "lan:characterEncoding", "lan:MD_CharacterSetCode", "utf8")


def _identification(w: iw.Writer, root: etree._Element, record: Record) -> None:
    service = record.hierarchy_level == "service"
    kind = "srv:SV_ServiceIdentification" if service else "mri:MD_DataIdentification"
    ident = w.add(root, f"mdb:identificationInfo/{kind}")
    _citation(w, ident, record)
    w.text(ident, "mri:abstract", record.abstract)
    if not record.abstract:
        w.nil(ident, "mri:abstract")
    for contact in record.contacts:
        _write_party(w, ident, "mri:pointOfContact", contact)
    for resolution in record.resolutions:
        iw.write_resolution(w, ident, resolution)
    for category in record.topic_categories:
        w.add(ident, "mri:topicCategory/mri:MD_TopicCategoryCode").text = category
    iw.write_extent(w, ident, "mri:extent", record)
    for overview in record.overviews:
        w.string(w.add(ident, "mri:graphicOverview/mcc:MD_BrowseGraphic"), "mcc:fileName", overview)
    iw.write_keywords(w, ident, iw.all_keywords(record, w.main))
    iw.write_constraints(w, ident, "mri:resourceConstraints", record.constraints)
    for related in record.related:
        if related.relation != "operatesOn":
            _associated(w, ident, related)
    if service:
        _service(w, ident, record)
    else:
        for n, language in enumerate(record.languages):
            _locale(w, ident, "mri:defaultLocale" if n == 0 else "mri:otherLocale", language)


def _citation(w: iw.Writer, ident: etree._Element, record: Record) -> None:
    citation = w.add(ident, "mri:citation/cit:CI_Citation")
    w.text(citation, "cit:title", record.title)
    w.strings(citation, "cit:alternateTitle", record.alternate_titles)
    dates = record.dates
    iw.write_ci_dates(
        w,
        citation,
        [("creation", dates.created), ("publication", dates.published), ("revision", dates.revised)],
    )
    w.string(citation, "cit:edition", record.version)
    for identifier in record.identifiers:
        element = w.add(citation, "cit:identifier/mcc:MD_Identifier")
        w.anchored(element, "mcc:code", identifier.code)
        w.string(element, "mcc:codeSpace", identifier.scheme)


def _associated(w: iw.Writer, ident: etree._Element, related: Related) -> None:
    resource = w.add(ident, "mri:associatedResource/mri:MD_AssociatedResource")
    citation = w.add(resource, "mri:name/cit:CI_Citation")
    if related.title:
        w.string(citation, "cit:title", related.title)
    else:
        w.nil(citation, "cit:title", "unknown")
    identifier = w.add(citation, "cit:identifier/mcc:MD_Identifier")
    w.string(identifier, "mcc:code", related.identifier)
    w.string(identifier, "mcc:codeSpace", related.scheme)
    w.code(resource, "mri:associationType", "mri:DS_AssociationTypeCode", related.relation)


def _service(w: iw.Writer, ident: etree._Element, record: Record) -> None:
    if record.service_type:
        w.add(ident, "srv:serviceType/gco:ScopedName").text = record.service_type
    else:
        w.nil(ident, "srv:serviceType")
    operated = [r for r in record.related if r.relation == "operatesOn"]
    w.code(ident, "srv:couplingType", "srv:SV_CouplingType", "tight" if operated else "loose")
    for target in operated:
        key = f"{{{NAMESPACES['xlink']}}}href" if "://" in target.identifier else "uuidref"
        w.add(ident, "srv:operatesOn", {key: target.identifier})


def _distribution(w: iw.Writer, root: etree._Element, record: Record) -> None:
    sizes = [s for s in map(iw.transfer_size, record.sizes) if s]
    if not (record.formats or record.distributions or sizes):
        return
    distribution = w.add(root, "mdb:distributionInfo/mrd:MD_Distribution")
    for name in record.formats:
        path = "mrd:distributionFormat/mrd:MD_Format/mrd:formatSpecificationCitation/cit:CI_Citation"
        w.anchored(w.add(distribution, path), "cit:title", name)
    for n in range(max(len(sizes), 1 if record.distributions else 0)):
        options = w.add(distribution, "mrd:transferOptions/mrd:MD_DigitalTransferOptions")
        if n < len(sizes):
            w.add(options, "mrd:transferSize/gco:Real").text = sizes[n]
        for link in record.distributions if n == 0 else ():
            iw.write_online(w, options, "mrd:onLine", link)


def _write_party(w: iw.Writer, parent: etree._Element, path: str, contact: Contact) -> None:
    # CI_Responsibility has one role: a contact with several is written once per role.
    kind = iw.party_kind(contact)
    person = kind != "organisation"
    for role in contact.roles or (None,):
        responsibility = w.add(parent, f"{path}/cit:CI_Responsibility")
        if role:
            w.code(responsibility, "cit:role", "cit:CI_RoleCode", iso_role(role))
        else:
            w.nil(responsibility, "cit:role")
        party = w.add(responsibility, "cit:party")
        if person and contact.organisation:
            organisation = w.add(party, "cit:CI_Organisation")
            w.string(organisation, "cit:name", contact.organisation)
            _party_identifier(w, organisation, contact.organisation_identifier, None)
            _person(w, w.add(organisation, "cit:individual/cit:CI_Individual"), contact)
        elif kind == "position":
            w.string(w.add(party, "cit:CI_Individual"), "cit:positionName", contact.description)
        elif person:
            _person(w, w.add(party, "cit:CI_Individual"), contact)
        else:
            organisation = w.add(party, "cit:CI_Organisation")
            w.string(organisation, "cit:name", contact.name)
            _contact_info(w, organisation, contact)
            _party_identifier(w, organisation, contact.identifier, contact.identifier_scheme)


def _person(w: iw.Writer, person: etree._Element, contact: Contact) -> None:
    w.string(person, "cit:name", contact.name)
    _contact_info(w, person, contact)
    _party_identifier(w, person, contact.identifier, contact.identifier_scheme)
    w.string(person, "cit:positionName", contact.description)


def _party_identifier(
    w: iw.Writer, party: etree._Element, identifier: str | None, scheme: str | None
) -> None:
    if identifier:
        element = w.add(party, "cit:partyIdentifier/mcc:MD_Identifier")
        w.string(element, "mcc:code", identifier)
        w.string(element, "mcc:codeSpace", scheme or party_scheme(identifier))


def _contact_info(w: iw.Writer, party: etree._Element, contact: Contact) -> None:
    if not (contact.email or contact.url):
        return
    info = w.add(party, "cit:contactInfo/cit:CI_Contact")
    if contact.email:
        w.string(w.add(info, "cit:address/cit:CI_Address"), "cit:electronicMailAddress", contact.email)
    if contact.url:
        w.add(
            info, "cit:onlineResource/cit:CI_OnlineResource/cit:linkage/gco:CharacterString"
        ).text = contact.url
