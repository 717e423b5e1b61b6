"""The canonical metadata record every metadata format is parsed into and encoded from.

A `Record` describes one resource (a dataset, a series of datasets or a service) with the union of
what ISO 19115 (19139 and 19115-3 encodings), DataCite, Dublin Core, DCAT-AP, schema.org and STAC
Collections can say about it. Formats map their own paths onto these fields; a field a format cannot
carry is simply dropped by its encoder (each format module lists what it drops).

Multilingual text is a `LangText` mapping from a BCP 47 language tag to the text, own language first;
`UNDETERMINED` ("und") tags text whose language the source does not say.

`collection_from_record` gives the catalog's dataset-level view of a record (a STAC Collection); the
complete record travels with it in `Collection.extra[RECORD_KEY]` as plain JSON so that every output
format can be produced from what the catalog stores.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from terrapole.core.model import Collection, Contact, Extent, Keyword, LangText, Link, Provenance

UNDETERMINED = "und"
RECORD_KEY = "terrapole:record"

HIERARCHY_LEVELS: tuple[str, ...] = (
    "dataset",
    "series",
    "service",
    "nonGeographicDataset",
    "collectionSession",
    "application",
    "model",
    "document",
    "software",
    "tile",
    "feature",
    "attribute",
    "fieldSession",
    "collectionHardware",
    "dimensionGroup",
    "featureType",
    "attributeType",
    "propertyType",
    "initiative",
    "repository",
    "aggregate",
    "product",
    "sample",
    "metadata",
)

_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,200}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._:-]+")

DOI_PREFIXES: tuple[str, ...] = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier of the resource: a code and the authority or scheme it belongs to (DOI, URI...)."""

    code: str
    scheme: str | None = None

    @property
    def doi(self) -> str | None:
        """The bare DOI (10.xxxx/yyy) when this identifier is one, else None."""
        return bare_doi(self.code) if self.scheme in (None, "DOI", "doi") else None


@dataclass(frozen=True, slots=True)
class Resolution:
    """A spatial resolution: a ground distance with its unit, or a map scale denominator."""

    distance: float | None = None
    unit: str | None = None
    scale_denominator: int | None = None


@dataclass(frozen=True, slots=True)
class Distribution:
    """One way to get at the resource: a download link, a service endpoint, a landing page."""

    url: str
    protocol: str | None = None
    name: str | None = None
    description: str | None = None
    function: str | None = None
    format: str | None = None
    media_type: str | None = None


@dataclass(frozen=True, slots=True)
class Related:
    """Another resource this one relates to (a parent series, a publication, a source dataset)."""

    identifier: str
    relation: str
    scheme: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Constraints:
    """Licence and the legal or security limits on access and use."""

    license: str | None = None
    license_url: str | None = None
    access: tuple[str, ...] = ()
    use: tuple[str, ...] = ()
    use_limitations: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    classification: str | None = None


@dataclass(frozen=True, slots=True)
class Dates:
    """Resource dates (creation, publication, revision) and the metadata record's own date."""

    created: date | None = None
    published: date | None = None
    revised: date | None = None
    metadata: date | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """The canonical metadata record; see the module docstring."""

    identifier: str
    title: LangText
    abstract: LangText = field(default_factory=dict)
    identifiers: tuple[Identifier, ...] = ()
    alternate_titles: tuple[str, ...] = ()
    hierarchy_level: str = "dataset"
    resource_type: str | None = None
    service_type: str | None = None  # for services: view, download, discovery, OGC:WMS...
    language: str | None = None
    languages: tuple[str, ...] = ()
    keywords: tuple[Keyword, ...] = ()
    topic_categories: tuple[str, ...] = ()
    inspire_themes: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    metadata_contacts: tuple[Contact, ...] = ()
    lineage: LangText = field(default_factory=dict)
    extent: Extent = field(default_factory=Extent)
    resolutions: tuple[Resolution, ...] = ()
    reference_systems: tuple[str, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    formats: tuple[str, ...] = ()
    constraints: Constraints = field(default_factory=Constraints)
    dates: Dates = field(default_factory=Dates)
    parent_identifier: str | None = None
    related: tuple[Related, ...] = ()
    version: str | None = None
    sizes: tuple[str, ...] = ()
    overviews: tuple[str, ...] = ()
    metadata_standard: str | None = None
    pole: str | None = None
    access: str = "open"
    provenance: tuple[Provenance, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def doi(self) -> str | None:
        """The first DOI among the identifiers (the main identifier included), bare (10.xxxx/yyy)."""
        for candidate in (Identifier(self.identifier), *self.identifiers):
            if doi := candidate.doi:
                return doi
        return None

    def with_changes(self, **changes: Any) -> Record:
        """A copy with some fields replaced."""
        return replace(self, **changes)


def bare_doi(text: str) -> str | None:
    """`10.1234/abc` from any of the usual DOI spellings (URL, `doi:` prefix), else None."""
    value = text.strip()
    for prefix in DOI_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    return value if value.startswith("10.") and "/" in value else None


def as_datetime(value: date | None) -> datetime | None:
    """Dates widened to datetimes at midnight, datetimes unchanged."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


def catalog_id(identifier: str) -> str:
    """A collection id for a record identifier, usable as one URL path segment.

    Identifiers made only of letters, digits and `._:-` are kept. Others (DOIs and URIs hold
    slashes, templates braces) have each run of other characters replaced by `-`, and a short
    digest of the original appended so that two identifiers never meet on one id.
    """
    value = identifier.strip()
    if _SAFE_ID.fullmatch(value):
        return value
    slug = _UNSAFE_RUN.sub("-", bare_doi(value) or value).strip("-")[:80] or "record"
    digest = hashlib.sha256(value.encode()).hexdigest()[:8]
    return f"{slug}-{digest}"


def own_identifier(record: Record) -> Record:
    """The record under its own identifier, when it comes from a catalog that served it under its
    catalog id (terrapole's protocols do: `protocols.catalog_record`) with its own identifier kept
    among its identifiers; else the record as it is. Through any number of harvesting nodes a
    record thus keeps its identifier (a DOI, say) and the same catalog id. An identifier is
    recognised as the origin of the catalog id only when the id is its `catalog_id`, digest
    included, and differs from it: a coincidence is out of reach."""
    for candidate in record.identifiers:
        if candidate.code != record.identifier and catalog_id(candidate.code) == record.identifier:
            return record.with_changes(identifier=candidate.code)
    return record


def collection_from_record(record: Record, collection_id: str | None = None) -> Collection:
    """The catalog's dataset-level view of `record`; the whole record rides along in `extra`."""
    from terrapole.core.record_json import record_to_json

    links = tuple(
        Link(href=d.url, rel=_distribution_rel(d), type=d.media_type, title=d.name)
        for d in record.distributions
    )
    return Collection(
        id=collection_id or catalog_id(record.identifier),
        title=record.title,
        description=record.abstract or record.title,
        keywords=record.keywords,
        pole=record.pole,
        license=_stac_license(record.constraints),
        providers=record.contacts,
        extent=_aware(record.extent),
        links=links,
        provenance=record.provenance,
        access=record.access,
        extra={RECORD_KEY: record_to_json(record)},
    )


def record_from_collection(collection: Collection) -> Record:
    """The canonical record of a catalog collection: the stored one when present, else a mapping."""
    from terrapole.core.record_json import record_from_json

    stored = collection.extra.get(RECORD_KEY)
    if isinstance(stored, Mapping):
        return record_from_json(stored)
    distributions = tuple(
        Distribution(url=link.href, name=link.title, media_type=link.type, function=link.rel)
        for link in collection.links
        if link.rel not in ("self", "root", "parent", "child", "items", "collection")
    )
    license = None if collection.license in ("other", "proprietary", "various") else collection.license
    return Record(
        identifier=collection.id,
        title=collection.title,
        abstract=collection.description,
        hierarchy_level="series",
        keywords=collection.keywords,
        contacts=collection.providers,
        extent=collection.extent,
        distributions=distributions,
        constraints=Constraints(license=license),
        pole=collection.pole,
        access=collection.access,
        provenance=collection.provenance,
    )


def _aware(extent: Extent) -> Extent:
    """The extent with naive instants read as UTC: the catalog orders instants, naive ones included."""

    def utc(value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    if all(v is None or v.tzinfo is not None for interval in extent.intervals for v in interval):
        return extent
    return replace(extent, intervals=tuple((utc(a), utc(b)) for a, b in extent.intervals))


def _distribution_rel(distribution: Distribution) -> str:
    if distribution.function in ("download", "information", "offlineAccess", "order", "search"):
        return {"download": "data", "information": "about"}.get(distribution.function, "related")
    return "related"


def _stac_license(constraints: Constraints) -> str:
    # STAC wants an SPDX identifier, or "other" with a license link.
    license = constraints.license
    if license and " " not in license and len(license) <= 64 and "/" not in license:
        return license
    return "other"
