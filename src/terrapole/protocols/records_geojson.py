"""The GeoJSON encoding of a record in OGC API - Records Part 1 (recordGeoJSON): a Feature whose
geometry is the record's extent, whose top-level `time` is its temporal extent, and whose
properties carry type, title, description, keywords, themes, language, contacts, formats, rights,
license, dates and external identifiers.

Keywords from a thesaurus, or with a concept URI, become `themes` (one per scheme, with ISO topic
categories and INSPIRE themes as schemes of their own); free keywords stay `keywords`.
Distributions become links, their relation told by their function.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from terrapole.core.model import BBox, Contact, Keyword, pick_language
from terrapole.core.record import Record
from terrapole.core.timeutil import format_instant

RECORD_CORE = "http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"
TOPIC_CATEGORIES = (
    "https://standards.iso.org/iso/19115/resources/Codelists/cat/codelists.xml#MD_TopicCategoryCode"
)
INSPIRE_THEMES = "http://inspire.ec.europa.eu/theme"
# The link relation of a distribution, by its ISO 19115 online function.
RELATIONS = {
    "download": "enclosure",
    "information": "describedby",
    "landingPage": "related",
    "search": "search",
    "browseGraphic": "preview",
}


def record_feature(record: Record, links: list[dict[str, Any]], lang: str | None = None) -> dict[str, Any]:
    """The recordGeoJSON Feature of a record; `links` are its structural links (self, collection...)."""
    return {
        "id": record.identifier,
        "type": "Feature",
        "conformsTo": [RECORD_CORE],
        "time": record_time(record),
        "geometry": record_geometry(record),
        "properties": record_properties(record, lang),
        "links": [*links, *distribution_links(record)],
    }


def record_properties(record: Record, lang: str | None = None) -> dict[str, Any]:
    """The `properties` member of a record; empty members are left out."""
    constraints = record.constraints
    rights = [*constraints.use, *constraints.use_limitations, *constraints.access, *constraints.other]
    dates = record.dates
    properties: dict[str, Any] = {
        "type": record.hierarchy_level,
        "title": pick_language(record.title, lang),
        "description": pick_language(record.abstract, lang) or None,
        "keywords": [pick_language(k.label, lang) for k in record.keywords if _free(k)] or None,
        "themes": themes(record, lang) or None,
        "language": {"code": record.language} if record.language else None,
        "languages": [{"code": code} for code in record.languages] or None,
        "contacts": [contact(c) for c in record.contacts] or None,
        "formats": [{"name": name} for name in record.formats] or None,
        "rights": " ".join(rights) or None,
        "license": constraints.license or None,
        "created": _date(dates.created),
        "updated": _date(dates.metadata or dates.revised),
        "externalIds": [
            {"scheme": i.scheme, "value": i.code} if i.scheme else {"value": i.code}
            for i in record.identifiers
        ]
        or None,
    }
    return {key: value for key, value in properties.items() if value is not None}


def themes(record: Record, lang: str | None = None) -> list[dict[str, Any]]:
    """Keywords grouped by their thesaurus, then topic categories and INSPIRE themes."""
    schemes: dict[str, list[dict[str, Any]]] = {}
    for keyword in record.keywords:
        if _free(keyword):
            continue
        scheme = keyword.thesaurus_uri or keyword.thesaurus or "keywords"
        concept = {"id": pick_language(keyword.label, lang)}
        if keyword.uri:
            concept["url"] = keyword.uri
        schemes.setdefault(scheme, []).append(concept)
    if record.topic_categories:
        schemes[TOPIC_CATEGORIES] = [{"id": code} for code in record.topic_categories]
    if record.inspire_themes:
        schemes[INSPIRE_THEMES] = [{"id": name} for name in record.inspire_themes]
    return [{"concepts": concepts, "scheme": scheme} for scheme, concepts in schemes.items()]


def contact(party: Contact) -> dict[str, Any]:
    """A contact of the Records encoding."""
    found: dict[str, Any] = {"name": party.name, "roles": list(party.roles)}
    if party.kind == "organisation" and not party.organisation:
        found = {"organization": party.name, "roles": list(party.roles)}
    elif party.organisation:
        found["organization"] = party.organisation
    if party.email:
        found["emails"] = [{"value": party.email}]
    if party.url:
        found["links"] = [{"href": party.url, "rel": "about"}]
    if party.identifier:
        found["identifier"] = party.identifier
    return found


def record_time(record: Record) -> dict[str, Any] | None:
    """The `time` member: the first temporal interval, open ends as "..", or None."""
    if not record.extent.intervals:
        return None
    start, end = record.extent.intervals[0]
    if start is not None and start == end:
        return {"timestamp": format_instant(start)} if isinstance(start, datetime) else {"date": str(start)}
    return {"interval": [_moment(start), _moment(end)]}


def record_geometry(record: Record) -> dict[str, Any] | None:
    """The exact geometry when the record has one, else its box as a polygon (split at the
    antimeridian), else None."""
    if record.extent.geometry:
        return dict(record.extent.geometry)
    box = record.extent.bbox
    if box is None:
        return None
    polygons = [_ring(part) for part in box.parts()]
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def distribution_links(record: Record) -> Iterable[dict[str, Any]]:
    """The record's distributions as links."""
    for distribution in record.distributions:
        link: dict[str, Any] = {
            "href": distribution.url,
            "rel": RELATIONS.get(distribution.function or "", "related"),
        }
        if distribution.media_type:
            link["type"] = distribution.media_type
        if distribution.name or distribution.description:
            link["title"] = distribution.name or distribution.description
        if distribution.protocol:
            link["protocol"] = distribution.protocol
        yield link


def _free(keyword: Keyword) -> bool:
    return not (keyword.thesaurus or keyword.thesaurus_uri or keyword.uri)


def _ring(box: BBox) -> list[list[list[float]]]:
    w, s, e, n = box.west, box.south, box.east, box.north
    return [[[w, s], [e, s], [e, n], [w, n], [w, s]]]


def _moment(value: datetime | date | None) -> str:
    if value is None:
        return ".."
    return format_instant(value) if isinstance(value, datetime) else value.isoformat()


def _date(value: date | None) -> str | None:
    if value is None:
        return None
    return format_instant(value) if isinstance(value, datetime) else value.isoformat()
