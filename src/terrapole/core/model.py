"""Canonical records: a `Collection` describes a dataset, an `Item` one granule of it.

Every input format is parsed into these records and every output format encodes them.
Multilingual text is a mapping from a BCP 47 language tag to the text; the first entry is
the record's own language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from terrapole.core.errors import InvalidParameter

POLES: tuple[str, ...] = ("atmosphere", "ocean", "solid-earth", "land", "biodiversity")

# The field `Item.datetime` shadows the class inside `Item`'s body; this alias stays visible.
Instant = datetime
LangText = Mapping[str, str]
JSONObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class BBox:
    """A 2D bounding box in WGS 84 longitude/latitude; west may exceed east across the antimeridian."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def from_sequence(cls, values: Sequence[float], parameter: str = "bbox") -> BBox:
        """Build from 4 numbers (2D) or 6 numbers (3D, heights dropped); raise on anything else."""
        if len(values) == 6:
            values = [values[0], values[1], values[3], values[4]]
        if len(values) != 4:
            raise InvalidParameter(parameter, f"expected 4 or 6 numbers, got {len(values)}")
        try:
            west, south, east, north = map(float, values)
        except (TypeError, ValueError):
            raise InvalidParameter(parameter, "coordinates must be numbers") from None
        # Chained comparisons are False for NaN, so one test covers range and finiteness.
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            raise InvalidParameter(parameter, "longitudes must be finite and lie between -180 and 180")
        if not (-90 <= south <= 90 and -90 <= north <= 90):
            raise InvalidParameter(parameter, "latitudes must be finite and lie between -90 and 90")
        if south > north:
            raise InvalidParameter(parameter, "south (2nd value) is greater than north (4th value)")
        return cls(west, south, east, north)

    @property
    def crosses_antimeridian(self) -> bool:
        """True when the box wraps from east of 180 to west of it."""
        return self.west > self.east

    def parts(self) -> tuple[BBox, ...]:
        """The box split at the antimeridian into boxes whose west <= east."""
        if not self.crosses_antimeridian:
            return (self,)
        return (
            BBox(self.west, self.south, 180.0, self.north),
            BBox(-180.0, self.south, self.east, self.north),
        )

    def as_list(self) -> list[float]:
        """The STAC/GeoJSON list form [west, south, east, north]."""
        return [self.west, self.south, self.east, self.north]


@dataclass(frozen=True, slots=True)
class Link:
    """A typed link to a related resource."""

    href: str
    rel: str
    type: str | None = None
    title: str | None = None
    extra: JSONObject = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Keyword:
    """A keyword, with its labels per language and, when known, the concept and thesaurus it comes from."""

    label: LangText
    thesaurus: str | None = None
    uri: str | None = None
    thesaurus_uri: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """A person or organisation responsible for a dataset, with its roles (producer, host, ...).

    `kind` is "person" or "organisation" when the source says which; `identifier` is the party's
    persistent identifier (an ORCID iD, a ROR or ISNI URI) in the scheme `identifier_scheme`, and
    `organisation_identifier` that of its organisation (a person's affiliation), e.g. a ROR URI.
    """

    name: str
    roles: tuple[str, ...] = ()
    organisation: str | None = None
    email: str | None = None
    url: str | None = None
    description: str | None = None
    kind: str | None = None
    identifier: str | None = None
    identifier_scheme: str | None = None
    organisation_identifier: str | None = None


@dataclass(frozen=True, slots=True)
class Extent:
    """Where and when a dataset lies: bounding boxes, an optional exact geometry, and intervals."""

    bboxes: tuple[BBox, ...] = ()
    geometry: JSONObject | None = None
    intervals: tuple[tuple[datetime | None, datetime | None], ...] = ()

    @property
    def bbox(self) -> BBox | None:
        """The overall box (the first one, as in STAC)."""
        return self.bboxes[0] if self.bboxes else None

    @property
    def start(self) -> datetime | None:
        """Start of the overall interval, None when open."""
        return self.intervals[0][0] if self.intervals else None

    @property
    def end(self) -> datetime | None:
        """End of the overall interval, None when open."""
        return self.intervals[0][1] if self.intervals else None


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record came from: the source it was read from and in which format.

    `original_id` is the record's identifier at the source, `retrieved` when it was read there and
    `pole` the data centre whose catalog served it (for harvested records).
    """

    source: str
    format: str
    original_id: str | None = None
    retrieved: datetime | None = None
    pole: str | None = None


@dataclass(frozen=True, slots=True)
class Collection:
    """A dataset-level record (a STAC Collection, an ISO 19115 dataset or series)."""

    id: str
    title: LangText
    description: LangText
    keywords: tuple[Keyword, ...] = ()
    pole: str | None = None
    license: str = "other"
    providers: tuple[Contact, ...] = ()
    extent: Extent = field(default_factory=Extent)
    links: tuple[Link, ...] = ()
    assets: Mapping[str, JSONObject] = field(default_factory=dict)
    summaries: JSONObject = field(default_factory=dict)
    stac_extensions: tuple[str, ...] = ()
    provenance: tuple[Provenance, ...] = ()
    access: str = "open"
    extra: JSONObject = field(default_factory=dict)

    def text(self, lang: str | None = None) -> tuple[str, str]:
        """Title and description in `lang` when available, else in the record's own language."""
        return pick_language(self.title, lang), pick_language(self.description, lang)


@dataclass(frozen=True, slots=True)
class Item:
    """A granule: one scene, file, station series or observation of a collection."""

    id: str
    collection: str
    geometry: JSONObject | None
    bbox: BBox | None
    datetime: Instant | None
    start: Instant | None
    end: Instant | None
    properties: JSONObject = field(default_factory=dict)
    assets: Mapping[str, JSONObject] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    stac_extensions: tuple[str, ...] = ()
    extra: JSONObject = field(default_factory=dict)

    @property
    def sort_datetime(self) -> Instant | None:
        """The instant items are ordered by: the nominal datetime, else the start of the period."""
        return self.datetime or self.start


def pick_language(text: LangText, lang: str | None = None) -> str:
    """The text in `lang` (or its primary subtag) if present, else the first (own-language) value."""
    if not text:
        return ""
    if lang:
        if lang in text:
            return text[lang]
        primary = lang.split("-")[0]
        for key, value in text.items():
            if key.split("-")[0] == primary:
                return value
    return next(iter(text.values()))
