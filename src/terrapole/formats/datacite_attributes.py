"""The canonical Record written as DataCite's JSON form (the `attributes` of a DataCite REST API
`dois` resource, with kernel-4 property names), from which `formats.datacite` writes XML and
`formats.datacite_json` the REST API document. The mapping is described in `formats.datacite_json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from terrapole.core.model import Contact
from terrapole.core.record import UNDETERMINED, Identifier, Record, Related, bare_doi
from terrapole.formats import datacite_vocab as vocab
from terrapole.formats.w3cdtf import format_date, format_interval

# Record.extra keys holding DataCite properties the Record has no field for.
EXTRA = "datacite:"

JSON = dict[str, Any]


def attributes_from_record(record: Record, today: date | None = None) -> JSON:
    """The DataCite JSON `attributes` of a Record (kernel-4 properties, REST API key names)."""
    extra = record.extra
    attributes: JSON = {
        **_identifier_attributes(record),
        "creators": _creators(record.contacts),
        "titles": _title_attributes(record),
        "publisher": _publisher(record.contacts),
        "publicationYear": _publication_year(record, today),
        "types": compact(
            {
                "resourceTypeGeneral": vocab.general_type(record),
                "resourceType": extra.get(f"{EXTRA}resourceType"),
            }
        ),
        "subjects": _subject_attributes(record),
        "contributors": _contributors(record.contacts),
        "dates": _date_attributes(record),
        "language": record.language or next(iter(record.languages), None),
        "relatedIdentifiers": _related_attributes(record),
        "sizes": list(record.sizes),
        "formats": list(record.formats),
        "version": record.version,
        "rightsList": _rights_attributes(record),
        "descriptions": _description_attributes(record),
        "geoLocations": _geolocation_attributes(record),
        "fundingReferences": list(extra.get(f"{EXTRA}fundingReferences") or ()),
    }
    return {key: value for key, value in attributes.items() if value not in (None, [], {})}


def _identifier_attributes(record: Record) -> JSON:
    doi = record.doi
    main = doi or record.identifier
    kind = "DOI" if doi else _scheme_of(record, main) or vocab.guess_identifier_type(main) or "Local"
    alternates = [
        {"alternateIdentifier": i.code, "alternateIdentifierType": i.scheme or "Local"}
        for i in dict.fromkeys((*record.identifiers, Identifier(record.identifier)))
        if i.code != main and bare_doi(i.code) != doi
    ]
    head: JSON = {"doi": doi} if doi else {"identifier": {"identifier": main, "identifierType": kind}}
    return {**head, "alternateIdentifiers": list({a["alternateIdentifier"]: a for a in alternates}.values())}


def _scheme_of(record: Record, code: str) -> str | None:
    return next((i.scheme for i in record.identifiers if i.code == code and i.scheme), None)


def _title_attributes(record: Record) -> list[JSON]:
    titles = [
        compact({"title": text, "lang": _tag(lang), "titleType": "TranslatedTitle" if n else None})
        for n, (lang, text) in enumerate(record.title.items())
    ]
    titles.extend({"title": text, "titleType": "AlternativeTitle"} for text in record.alternate_titles)
    return titles or [{"title": vocab.UNAVAILABLE}]


def _creators(contacts: Iterable[Contact]) -> list[JSON]:
    creators = [_party_attributes(c) for c in contacts if vocab.CREATOR_ROLES & set(c.roles)]
    return creators or [{"name": vocab.UNAVAILABLE}]


def _contributors(contacts: Iterable[Contact]) -> list[JSON]:
    out = []
    for contact in contacts:
        for role in contact.roles:
            if role in vocab.CREATOR_ROLES or role == "publisher" or not contact.name:
                continue
            out.append({**_party_attributes(contact), "contributorType": vocab.contributor_type(role)})
    return out


def _publisher(contacts: Iterable[Contact]) -> JSON:
    publisher = next((c for c in contacts if "publisher" in c.roles and c.name), None)
    if publisher is None:
        return {"name": vocab.UNAVAILABLE}
    scheme = publisher.identifier_scheme or vocab.guess_party_scheme(publisher.identifier)
    return compact(
        {
            "name": publisher.name,
            "publisherIdentifier": publisher.identifier,
            "publisherIdentifierScheme": scheme if publisher.identifier else None,
            "schemeUri": vocab.SCHEME_URIS.get(scheme or "") if publisher.identifier else None,
        }
    )


def _party_attributes(contact: Contact) -> JSON:
    name_type = {"person": "Personal", "organisation": "Organizational"}.get(contact.kind or "")
    party: JSON = compact({"name": contact.name, "nameType": name_type})
    family, _, given = contact.name.partition(", ")
    if contact.kind == "person" and given and "," not in given:
        party.update(givenName=given, familyName=family)
    if contact.identifier:
        scheme = contact.identifier_scheme or vocab.guess_party_scheme(contact.identifier) or "URI"
        party["nameIdentifiers"] = [
            compact(
                {
                    "nameIdentifier": contact.identifier,
                    "nameIdentifierScheme": scheme,
                    "schemeUri": vocab.SCHEME_URIS.get(scheme),
                }
            )
        ]
    own = contact.kind == "organisation" and contact.organisation == contact.name
    if contact.organisation and not own:
        party["affiliation"] = [
            _affiliation_attributes(contact.organisation, contact.organisation_identifier)
        ]
    return party


def _affiliation_attributes(name: str, identifier: str | None) -> JSON:
    scheme = vocab.guess_party_scheme(identifier)
    return compact(
        {
            "name": name,
            "affiliationIdentifier": identifier,
            "affiliationIdentifierScheme": scheme,
            "schemeUri": vocab.SCHEME_URIS.get(scheme or ""),
        }
    )


def _publication_year(record: Record, today: date | None) -> str:
    dates = record.dates
    for value in (dates.published, dates.created, dates.revised, record.extent.start, dates.metadata):
        if value is not None:
            return f"{value.year:04d}"
    return str((today or datetime.now(UTC).date()).year)


def _subject_attributes(record: Record) -> list[JSON]:
    subjects = [
        compact(
            {
                "subject": text,
                "lang": _tag(lang),
                "subjectScheme": keyword.thesaurus,
                "schemeUri": keyword.thesaurus_uri,
                "valueUri": keyword.uri,
            }
        )
        for keyword in record.keywords
        for lang, text in keyword.label.items()
    ]
    subjects.extend({"subject": t, "subjectScheme": vocab.TOPIC_SCHEME} for t in record.topic_categories)
    subjects.extend(
        {"subject": t, "subjectScheme": vocab.INSPIRE_SCHEME, "schemeUri": vocab.INSPIRE_SCHEME_URI}
        for t in record.inspire_themes
    )
    return subjects


def _date_attributes(record: Record) -> list[JSON]:
    dates = record.dates
    found = [(dates.created, "Created"), (dates.published, "Issued"), (dates.revised, "Updated")]
    out = [{"date": format_date(value), "dateType": kind} for value, kind in found if value is not None]
    out.extend(
        {"date": format_interval(*interval), "dateType": "Coverage"} for interval in record.extent.intervals
    )
    out.extend(dict(entry) for entry in record.extra.get(f"{EXTRA}dates") or ())
    return out


def _related_attributes(record: Record) -> list[JSON]:
    related = list(record.related)
    parent = record.parent_identifier
    if parent and not any(r.identifier == parent and r.relation == "IsPartOf" for r in related):
        related.append(Related(parent, "IsPartOf"))
    out = []
    for entry in related:
        kind = entry.scheme if entry.scheme in vocab.RELATED_IDENTIFIER_TYPES else None
        kind = kind or vocab.guess_identifier_type(entry.identifier)
        if kind and entry.relation in vocab.RELATION_TYPES:
            out.append(
                {
                    "relatedIdentifier": entry.identifier,
                    "relatedIdentifierType": kind,
                    "relationType": entry.relation,
                }
            )
    return out


def _rights_attributes(record: Record) -> list[JSON]:
    constraints = record.constraints
    out: list[JSON] = []
    licence = constraints.license
    if licence or constraints.license_url:
        spdx = licence if licence and vocab.looks_like_spdx(licence) else None
        entry = {"rights": licence, "rightsUri": constraints.license_url, "rightsIdentifier": spdx}
        if spdx:
            entry.update(rightsIdentifierScheme="SPDX", schemeUri=vocab.SPDX_URI)
        out.append(compact(entry))
    out.extend({"rights": text} for text in constraints.use)
    label, uri = vocab.right_of_access(record.access)
    out.append({"rights": label, "rightsUri": uri})
    return out


def _description_attributes(record: Record) -> list[JSON]:
    out = [
        compact({"description": text, "descriptionType": kind, "lang": _tag(lang)})
        for kind, texts in (("Abstract", record.abstract), ("Methods", record.lineage))
        for lang, text in texts.items()
    ]
    out.extend(dict(entry) for entry in record.extra.get(f"{EXTRA}descriptions") or ())
    return out


def _geolocation_attributes(record: Record) -> list[JSON]:
    out: list[JSON] = [
        {"geoLocationPlace": place} for place in record.extra.get(f"{EXTRA}geoLocationPlaces") or ()
    ]
    for box in record.extent.bboxes:
        if (box.west, box.south) == (box.east, box.north):
            out.append({"geoLocationPoint": {"pointLongitude": box.west, "pointLatitude": box.south}})
        else:
            edges = {"westBoundLongitude": box.west, "eastBoundLongitude": box.east}
            edges.update(southBoundLatitude=box.south, northBoundLatitude=box.north)
            out.append({"geoLocationBox": edges})
    for ring in _outer_rings(record.extent.geometry):
        points = [{"polygonPoint": {"pointLongitude": x, "pointLatitude": y}} for x, y, *_ in ring]
        out.append({"geoLocationPolygon": points})
    return out


def _outer_rings(geometry: Mapping[str, Any] | None) -> list[list[list[float]]]:
    # DataCite polygons have no holes; only (multi)polygons' outer rings of 4 points or more fit.
    kind = (geometry or {}).get("type")
    coordinates = (geometry or {}).get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return [polygon[0] for polygon in polygons if polygon and len(polygon[0]) >= 4]


def compact(mapping: Mapping[str, Any]) -> JSON:
    """`mapping` without its empty values."""
    return {key: value for key, value in mapping.items() if value not in (None, "", [], {})}


def _tag(lang: str) -> str | None:
    return None if lang == UNDETERMINED else lang
