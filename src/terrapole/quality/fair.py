"""FAIR assessment of one canonical record, after the F-UJI metrics (FAIRsFAIR, version 0.5).

F-UJI assesses a dataset by resolving its identifier and harvesting its metadata over the network;
here the assessment is pure: it reads only the `Record` (curators check a catalog of thousands of
records in one pass, offline). The metrics keep F-UJI's identifiers; each earns points out of its
weight, fully when passed, in part when partly satisfied, and says in plain words what is missing.

| metric | principle | what it checks | weight |
|---|---|---|---|
| FsF-F1-01M | F1 | a globally unique identifier (URI, UUID, DOI...) | 8 |
| FsF-F1-02M | F1 | a persistent identifier (DOI, Handle, ARK, PURL...) | 8 |
| FsF-F2-01M | F2 | title, description, keywords, a party, a date, an extent (2 each) | 12 |
| FsF-F3-01M | F3 | a link to the data itself in the metadata | 8 |
| FsF-A1-01M | A1 | the access level or access conditions are stated | 6 |
| FsF-A1-02M | A1 | the data links use standard protocols (HTTP(S), FTP, OGC services) | 6 |
| FsF-I1-01M | I1 | the metadata came in a machine-readable metadata format | 6 |
| FsF-I2-01M | I2 | keywords from registered vocabularies (concept URIs) | 8 |
| FsF-I3-01M | I3 | related resources (parent series, publications, sources) | 6 |
| FsF-R1-01MD | R1 | data type, format and size (3 each) | 9 |
| FsF-R1.1-01M | R1.1 | a licence | 11 |
| FsF-R1.2-01M | R1.2 | lineage (4), a creator or originator (2), a creation date or version (2) | 8 |
| FsF-R1.3-01M | R1.3 | a community metadata standard (ISO 19115, DataCite, DCAT, Dublin Core, STAC) | 4 |

The weights add up to 100, so the score is the sum of the points earned. Each metric reads its own
fields only, so that adding one piece of metadata moves one metric.

A1-01 credits stated access constraints (ISO accessConstraints, DCAT dct:accessRights other than the
EU access-right level) or an access level other than the catalog's default "open": a DCAT "PUBLIC"
becomes that default level and cannot be told apart from a record that says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from terrapole.core.record import Distribution, Record

Status = Literal["passed", "partial", "failed"]
# (points earned out of the denominator, what is missing)
Finding = tuple[int, int, tuple[str, ...]]

_UUID = re.compile(
    r"(?:urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)
_PERSISTENT = re.compile(
    r"^(?:hdl:|ark:/|urn:nbn:|https?://(?:hdl\.handle\.net|n2t\.net/ark:|purl\.org|w3id\.org|identifiers\.org)/)",
    re.IGNORECASE,
)
_PERSISTENT_SCHEMES = {"doi", "handle", "hdl", "ark", "purl", "urn:nbn"}
_PAGE_FUNCTIONS = {"information", "landingPage", "search", "browseGraphic", "browsing", "completeMetadata"}
_STANDARD_SCHEMES = {"http", "https", "ftp", "ftps", "sftp"}
_SERVICE_PROTOCOL = re.compile(r"OGC|OPeNDAP|THREDDS|ESRI:REST|W[MFC]T?S|CSW|SOS", re.IGNORECASE)
_PROVENANCE_ROLES = {"author", "originator", "principalInvestigator", "processor", "producer", "creator"}
_COMMUNITY_STANDARDS = re.compile(
    r"iso[ _-]?19115|iso[ _-]?19139|19115-3|datacite|dcat|dublin ?core|oai_dc|stac|inspire", re.IGNORECASE
)
_GENERIC_STANDARDS = re.compile(r"schema\.?org", re.IGNORECASE)

# What is missing, in plain words (the shorter texts are written where they are used).
_LOCAL_IDENTIFIER = (
    "The identifier {!r} is only local: give the dataset a globally unique identifier "
    "(a UUID, a URI or a DOI)."
)
_NO_PERSISTENT_IDENTIFIER = (
    "No persistent identifier: register a DOI (or a Handle or an ARK) for the dataset so that citations "
    "and links to it keep working."
)
_ONLY_PAGES = (
    "Only landing or information pages are linked: add a link to the data itself "
    "(a download or a data service)."
)
_NO_ACCESS_LEVEL = (
    "The access level is not stated: say whether the data are public, restricted or under embargo "
    "(access constraints)."
)
_NO_SOURCE_FORMAT = (
    "The record does not say which machine-readable metadata format it came in (no source format or "
    "metadata standard)."
)
_NO_CONCEPT_URIS = (
    "Keywords name their thesaurus but not their concepts: add the concept URIs "
    "(GEMET, GCMD, INSPIRE themes...)."
)
_WORDS_ONLY = (
    "Conditions of reuse are stated in words only: name a licence (an SPDX identifier or the licence's URL)."
)
_GENERIC_STANDARD = (
    "The metadata follow a generic web vocabulary (schema.org), not a community standard such as ISO 19115, "
    "DataCite or DCAT-AP."
)
_NO_STANDARD = (
    "The metadata follow no known community standard (ISO 19115, DataCite, DCAT-AP, Dublin Core, STAC)."
)


@dataclass(frozen=True, slots=True)
class MetricResult:
    """The outcome of one metric: points earned out of its weight and what is missing."""

    id: str
    principle: str
    name: str
    status: Status
    earned: int
    maximum: int
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FairAssessment:
    """A record's FAIR score (0-100), its metrics, and what is missing in plain words."""

    score: int
    metrics: tuple[MetricResult, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Every metric's explanations of what is missing, in metric order."""
        return tuple(text for metric in self.metrics for text in metric.missing)

    def metric(self, metric_id: str) -> MetricResult:
        """The result of one metric by its F-UJI identifier (FsF-R1.1-01M...)."""
        return next(m for m in self.metrics if m.id == metric_id)


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric: its F-UJI identifier, FAIR principle, name, weight and check."""

    id: str
    principle: str
    name: str
    weight: int
    check: Callable[[Record], Finding]


def assess(record: Record) -> FairAssessment:
    """The FAIR assessment of a record (pure: reads the record only)."""
    results = tuple(_result(metric, record) for metric in METRICS)
    return FairAssessment(score=sum(r.earned for r in results), metrics=results)


def _result(metric: Metric, record: Record) -> MetricResult:
    earned, out_of, missing = metric.check(record)
    status: Status = "passed" if earned == out_of else "failed" if earned == 0 else "partial"
    points = metric.weight * earned // out_of
    return MetricResult(metric.id, metric.principle, metric.name, status, points, metric.weight, missing)


# findable ---------------------------------------------------------------------------------------


def _identifiers(record: Record) -> list[str]:
    return [code for code in (record.identifier, *(i.code for i in record.identifiers)) if code.strip()]


def unique_identifier(record: Record) -> Finding:
    """F1-01: a globally unique identifier."""
    codes = _identifiers(record)
    if any(_is_global(code) for code in codes) or any(i.doi for i in record.identifiers):
        return 1, 1, ()
    if codes:
        return 1, 2, (_LOCAL_IDENTIFIER.format(codes[0]),)
    return 0, 1, ("The record has no identifier.",)


def _is_global(code: str) -> bool:
    return bool(_UUID.fullmatch(code.strip()) or re.match(r"(?:https?://|urn:)\S+$", code.strip()))


def persistent_identifier(record: Record) -> Finding:
    """F1-02: a persistent identifier (DOI, Handle, ARK, PURL, w3id, URN:NBN)."""
    schemes = {(i.scheme or "").lower() for i in record.identifiers}
    if record.doi or schemes & _PERSISTENT_SCHEMES or any(_PERSISTENT.match(c) for c in _identifiers(record)):
        return 1, 1, ()
    return 0, 1, (_NO_PERSISTENT_IDENTIFIER,)


def core_metadata(record: Record) -> Finding:
    """F2-01: the core descriptive elements (title, description, keywords, a party, a date, an extent)."""
    extent = record.extent
    elements = {
        "No title.": any(t.strip() for t in record.title.values()),
        "No description (abstract) of the dataset.": any(t.strip() for t in record.abstract.values()),
        "No keywords, so searches by subject will not find the dataset.": bool(
            record.keywords or record.topic_categories or record.inspire_themes
        ),
        "No responsible party (creator, publisher or contact).": bool(record.contacts),
        "No date of creation, publication or revision.": any(
            (record.dates.created, record.dates.published, record.dates.revised)
        ),
        "No spatial or temporal extent.": bool(extent.bboxes or extent.geometry or extent.intervals),
    }
    missing = tuple(text for text, present in elements.items() if not present)
    return len(elements) - len(missing), len(elements), missing


def _data_links(record: Record) -> list[Distribution]:
    return [d for d in record.distributions if d.function not in _PAGE_FUNCTIONS]


def data_link(record: Record) -> Finding:
    """F3-01: the metadata links to the data itself (a download or a data service)."""
    if _data_links(record):
        return 1, 1, ()
    if record.distributions:
        return 1, 2, (_ONLY_PAGES,)
    return 0, 1, ("No link to the data: say where and how the data can be downloaded or accessed.",)


# accessible -------------------------------------------------------------------------------------


def access_level(record: Record) -> Finding:
    """A1-01: the access level or access conditions are stated."""
    if record.constraints.access or record.access != "open":
        return 1, 1, ()
    return 0, 1, (_NO_ACCESS_LEVEL,)


def standard_protocol(record: Record) -> Finding:
    """A1-02: the data links use standard communication protocols."""
    links = _data_links(record)
    if not links:
        return 0, 1, ("No data link whose protocol could be checked.",)
    standard = [d for d in links if _is_standard(d)]
    if len(standard) == len(links):
        return 1, 1, ()
    others = ", ".join(sorted({d.url for d in links if d not in standard})[:3])
    text = f"Some data links do not use a standard protocol (HTTP(S), FTP or an OGC service): {others}."
    return (1, 2, (text,)) if standard else (0, 1, (text,))


def _is_standard(distribution: Distribution) -> bool:
    if distribution.protocol and _SERVICE_PROTOCOL.search(distribution.protocol):
        return True
    return urlsplit(distribution.url).scheme.lower() in _STANDARD_SCHEMES


# interoperable ----------------------------------------------------------------------------------


def machine_readable(record: Record) -> Finding:
    """I1-01: the metadata came in a machine-readable metadata format."""
    if any(p.format for p in record.provenance) or record.metadata_standard:
        return 1, 1, ()
    return 0, 1, (_NO_SOURCE_FORMAT,)


def registered_vocabularies(record: Record) -> Finding:
    """I2-01: keywords from registered vocabularies, named by concept URIs."""
    if record.inspire_themes or any(k.uri for k in record.keywords):
        return 1, 1, ()
    if record.topic_categories or any(k.thesaurus for k in record.keywords):
        return 1, 2, (_NO_CONCEPT_URIS,)
    return 0, 1, ("No keyword comes from a registered vocabulary (a thesaurus with concept URIs).",)


def related_resources(record: Record) -> Finding:
    """I3-01: links to related resources."""
    if record.related or record.parent_identifier:
        return 1, 1, ()
    return 0, 1, ("No related resources: link the parent series, the publications or the source data.",)


# reusable ---------------------------------------------------------------------------------------


def content_description(record: Record) -> Finding:
    """R1-01: the data's type, format and size."""
    elements = {
        "No resource type.": bool(record.hierarchy_level or record.resource_type),
        "No file format of the data (a format name or media type).": bool(
            record.formats or any(d.format or d.media_type for d in record.distributions)
        ),
        "No size of the data.": bool(record.sizes),
    }
    missing = tuple(text for text, present in elements.items() if not present)
    return len(elements) - len(missing), len(elements), missing


def licence(record: Record) -> Finding:
    """R1.1-01: a licence."""
    constraints = record.constraints
    if constraints.license or constraints.license_url:
        return 1, 1, ()
    if constraints.use or constraints.use_limitations or constraints.other:
        return 1, 2, (_WORDS_ONLY,)
    return 0, 1, ("No licence: users cannot tell whether they may reuse the data.",)


def provenance(record: Record) -> Finding:
    """R1.2-01: provenance: lineage, a creator or originator, a creation date or version."""
    lineage = 2 if any(t.strip() for t in record.lineage.values()) else 0
    creator = 1 if any(set(c.roles) & _PROVENANCE_ROLES for c in record.contacts) else 0
    origin = 1 if record.dates.created or record.version else 0
    missing = (
        *(() if lineage else ("No lineage: say how the data were produced and from which sources.",)),
        *(() if creator else ("No creator, originator or processor is named.",)),
        *(() if origin else ("No creation date or version of the data.",)),
    )
    return lineage + creator + origin, 4, missing


def community_standard(record: Record) -> Finding:
    """R1.3-01: the metadata follow a community standard."""
    names = [record.metadata_standard or "", *(p.format for p in record.provenance)]
    if any(_COMMUNITY_STANDARDS.search(name) for name in names):
        return 1, 1, ()
    if any(_GENERIC_STANDARDS.search(name) for name in names):
        return 1, 2, (_GENERIC_STANDARD,)
    return 0, 1, (_NO_STANDARD,)


METRICS: tuple[Metric, ...] = (
    Metric("FsF-F1-01M", "F1", "Globally unique identifier", 8, unique_identifier),
    Metric("FsF-F1-02M", "F1", "Persistent identifier", 8, persistent_identifier),
    Metric("FsF-F2-01M", "F2", "Core descriptive metadata", 12, core_metadata),
    Metric("FsF-F3-01M", "F3", "Data identifier or link in the metadata", 8, data_link),
    Metric("FsF-A1-01M", "A1", "Access level", 6, access_level),
    Metric("FsF-A1-02M", "A1", "Standard communication protocol", 6, standard_protocol),
    Metric("FsF-I1-01M", "I1", "Machine-readable metadata", 6, machine_readable),
    Metric("FsF-I2-01M", "I2", "Registered vocabularies", 8, registered_vocabularies),
    Metric("FsF-I3-01M", "I3", "Related resources", 6, related_resources),
    Metric("FsF-R1-01MD", "R1", "Type, format and size of the data", 9, content_description),
    Metric("FsF-R1.1-01M", "R1.1", "Licence", 11, licence),
    Metric("FsF-R1.2-01M", "R1.2", "Provenance", 8, provenance),
    Metric("FsF-R1.3-01M", "R1.3", "Community metadata standard", 4, community_standard),
)

WEIGHTS: dict[str, int] = {metric.id: metric.weight for metric in METRICS}
