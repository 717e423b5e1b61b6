"""DataCite's controlled lists (kernel 4.7) and how their values meet the canonical record's.

Mapping tables only, shared by `datacite_json` (the property mapping) and `datacite` (XML).
"""

from __future__ import annotations

import re

from terrapole.core.record import Record, bare_doi

# DataCite's standard values for unknown information (kernel 4, appendix 3).
UNAVAILABLE = "(:unav)"
UNKNOWN_VALUES = frozenset(
    {
        "(:unac)",
        "(:unal)",
        "(:unap)",
        "(:unas)",
        "(:unav)",
        "(:unkn)",
        "(:none)",
        "(:null)",
        "(:tba)",
        "(:etal)",
    }
)

# Creators are authors (ISO 19115 CI_RoleCode); these roles make a contact a creator when written.
CREATOR_ROLE = "author"
CREATOR_ROLES = frozenset({"author", "coAuthor", "originator", "creator"})

CONTRIBUTOR_TYPES = frozenset(
    {
        "ContactPerson",
        "DataCollector",
        "DataCurator",
        "DataManager",
        "Distributor",
        "Editor",
        "HostingInstitution",
        "Producer",
        "ProjectLeader",
        "ProjectManager",
        "ProjectMember",
        "RegistrationAgency",
        "RegistrationAuthority",
        "RelatedPerson",
        "Researcher",
        "ResearchGroup",
        "RightsHolder",
        "Sponsor",
        "Supervisor",
        "Translator",
        "WorkPackageLeader",
        "Other",
    }
)
# contributorType -> ISO 19115-1 role code where one means the same; other types stay as they are.
ROLE_OF_CONTRIBUTOR: dict[str, str] = {
    "ContactPerson": "pointOfContact",
    "DataCurator": "custodian",
    "Distributor": "distributor",
    "Editor": "editor",
    "HostingInstitution": "resourceProvider",
    "ProjectLeader": "principalInvestigator",
    "RightsHolder": "rightsHolder",
    "Sponsor": "sponsor",
    "Other": "contributor",
}
# Roles of other vocabularies (ISO 19115, STAC providers) with a close DataCite type.
_CONTRIBUTOR_OF_ROLE: dict[str, str] = {
    **{role: kind for kind, role in ROLE_OF_CONTRIBUTOR.items()},
    "owner": "RightsHolder",
    "licensor": "RightsHolder",
    "funder": "Sponsor",
    "host": "HostingInstitution",
    "producer": "Producer",
    "collaborator": "ProjectMember",
    "processor": "DataManager",
}

KIND_OF_NAME_TYPE = {"Personal": "person", "Organizational": "organisation"}

RESOURCE_TYPES_GENERAL = frozenset(
    {
        "Audiovisual",
        "Award",
        "Book",
        "BookChapter",
        "Collection",
        "ComputationalNotebook",
        "ConferencePaper",
        "ConferenceProceeding",
        "DataPaper",
        "Dataset",
        "Dissertation",
        "Event",
        "Image",
        "Instrument",
        "InteractiveResource",
        "Journal",
        "JournalArticle",
        "Model",
        "OutputManagementPlan",
        "PeerReview",
        "PhysicalObject",
        "Poster",
        "Preprint",
        "Presentation",
        "Project",
        "Report",
        "Service",
        "Software",
        "Sound",
        "Standard",
        "StudyRegistration",
        "Text",
        "Workflow",
        "Other",
    }
)
HIERARCHY_OF_TYPE = {
    "Dataset": "dataset",
    "Collection": "series",
    "Service": "service",
    "Software": "software",
    "Model": "model",
    "Text": "document",
}
_TYPE_OF_HIERARCHY = {level: kind for kind, level in HIERARCHY_OF_TYPE.items()}

TOPIC_SCHEME = "ISO 19115 Topic Category"
INSPIRE_SCHEME = "GEMET - INSPIRE themes, version 1.0"
INSPIRE_SCHEME_URI = "http://inspire.ec.europa.eu/theme"

DATE_FIELDS = {"Created": "created", "Issued": "published", "Updated": "revised"}

# Access rights as the OpenAIRE guidelines write them in DataCite's rightsList.
EU_REPO = "info:eu-repo/semantics/"
_ACCESS_RIGHTS: tuple[tuple[str, str, str], ...] = (
    ("open", "Open access", f"{EU_REPO}openAccess"),
    ("embargo", "Embargoed access", f"{EU_REPO}embargoedAccess"),
    ("licensed", "Licensed access", f"{EU_REPO}restrictedAccess"),
    ("restricted", "Restricted access", f"{EU_REPO}restrictedAccess"),
    ("closed", "Closed access", f"{EU_REPO}closedAccess"),
)

RELATED_IDENTIFIER_TYPES = frozenset(
    {
        "ARK",
        "arXiv",
        "bibcode",
        "CSTR",
        "DOI",
        "EAN13",
        "EISSN",
        "Handle",
        "IGSN",
        "ISBN",
        "ISSN",
        "ISTC",
        "LISSN",
        "LSID",
        "PMID",
        "PURL",
        "RAiD",
        "RRID",
        "SWHID",
        "UPC",
        "URL",
        "URN",
        "w3id",
    }
)
RELATION_TYPES = frozenset(
    {
        "IsCitedBy",
        "Cites",
        "IsSupplementTo",
        "IsSupplementedBy",
        "IsContinuedBy",
        "Continues",
        "Describes",
        "IsDescribedBy",
        "HasMetadata",
        "IsMetadataFor",
        "HasVersion",
        "IsVersionOf",
        "IsNewVersionOf",
        "IsPreviousVersionOf",
        "IsPartOf",
        "HasPart",
        "IsPublishedIn",
        "IsReferencedBy",
        "References",
        "IsDocumentedBy",
        "Documents",
        "IsCompiledBy",
        "Compiles",
        "IsVariantFormOf",
        "IsOriginalFormOf",
        "IsIdenticalTo",
        "IsReviewedBy",
        "Reviews",
        "IsDerivedFrom",
        "IsSourceOf",
        "IsRequiredBy",
        "Requires",
        "Obsoletes",
        "IsObsoletedBy",
        "Collects",
        "IsCollectedBy",
        "HasTranslation",
        "IsTranslationOf",
        "Other",
    }
)

SCHEME_URIS = {"ORCID": "https://orcid.org", "ROR": "https://ror.org", "ISNI": "https://isni.org"}
SPDX_URI = "https://spdx.org/licenses/"
_SPDX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")
_NOT_SPDX = frozenset({"other", "proprietary", "various", "none"})


def role_of_contributor(contributor_type: str | None) -> str:
    """The contact role for a contributorType: an ISO 19115 role code when one fits, else the type."""
    kind = contributor_type or "Other"
    return ROLE_OF_CONTRIBUTOR.get(kind, kind)


def contributor_type(role: str) -> str:
    """The DataCite contributorType for a contact role (`Other` when none fits)."""
    if role in CONTRIBUTOR_TYPES:
        return role
    return _CONTRIBUTOR_OF_ROLE.get(role, "Other")


def general_type(record: Record) -> str:
    """The record's resourceTypeGeneral: its own when it is one, else from its hierarchy level."""
    if record.resource_type in RESOURCE_TYPES_GENERAL:
        return record.resource_type
    return _TYPE_OF_HIERARCHY.get(record.hierarchy_level, "Dataset")


def access_of_right(uri: str, text: str | None) -> str:
    """`Record.access` from an info:eu-repo access right (its label tells licensed from restricted)."""
    if uri == f"{EU_REPO}restrictedAccess" and (text or "").strip().lower() == "licensed access":
        return "licensed"
    return next(
        (access for access, _, known in _ACCESS_RIGHTS if known == uri and access != "licensed"), "open"
    )


def right_of_access(access: str) -> tuple[str, str]:
    """The (label, URI) of the rights entry stating `Record.access`."""
    # An access level DataCite has no word for is stated as restricted: the safe reading.
    return next(
        ((label, uri) for known, label, uri in _ACCESS_RIGHTS if known == access), _ACCESS_RIGHTS[3][1:]
    )


def guess_identifier_type(identifier: str) -> str | None:
    """DataCite's identifier type for an identifier that does not say its own, when it shows it."""
    lowered = identifier.lower()
    if bare_doi(identifier):
        return "DOI"
    if lowered.startswith(("http://", "https://")):
        return "URL"
    if lowered.startswith("urn:"):
        return "URN"
    if lowered.startswith("ark:"):
        return "ARK"
    return None


def guess_party_scheme(identifier: str | None) -> str | None:
    """ORCID, ROR or ISNI from the form of a person's or organisation's identifier."""
    lowered = (identifier or "").lower()
    for scheme, host in (("ORCID", "orcid.org"), ("ROR", "ror.org"), ("ISNI", "isni.org")):
        if host in lowered:
            return scheme
    return None


def looks_like_spdx(licence: str) -> bool:
    """True when a licence reads as an SPDX identifier (`CC-BY-4.0`) rather than a title or text."""
    return bool(_SPDX.match(licence)) and licence.lower() not in _NOT_SPDX
