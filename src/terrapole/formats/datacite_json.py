"""DataCite metadata in its JSON form (the `attributes` of a DataCite REST API `dois` resource) to and
from the canonical Record.

This module and `formats.datacite_attributes` (the writing side) hold the one mapping between
DataCite properties and the Record: `formats.datacite` reads and writes DataCite XML through the
same JSON form, so the XML and the REST API documents can never disagree. A resource whose main
identifier is not a DOI carries it under our own key `identifier` (`{"identifier", "identifierType"}`).
`parse` and `encode` handle the REST API document itself
(`{"data": {"type": "dois", "attributes": {...}}}`), as DataCite serves it and as its API takes it
to register or update a DOI.

Our own code: no maintained Python library maps DataCite onto a neutral model. The `datacite`
package (Invenio) is an MDS/REST client; its `schema45` writes kernel-4.5 XML from this JSON form
but reads nothing back, stops at kernel 4.5 and pulls in werkzeug, jsonresolver, idutils and
isbnlib. Its kernel-4.5 JSON schema describes that package's own JSON flavour, not the REST API's, so
the tests check our XML against DataCite's XSD instead.

How DataCite meets the Record (see `DROPPED_FIELDS` for what DataCite cannot carry):
- the DOI is the identifier; other identifiers are alternateIdentifiers; relatedIdentifiers are
  `related`, and the first `IsPartOf` one is also the parent;
- creators are contacts with the role `author`, the publisher one with the role `publisher`,
  contributors carry their contributorType mapped onto ISO 19115 role codes where one matches
  (`ContactPerson` -> `pointOfContact`...) and kept as is otherwise; affiliations and name
  identifiers (ORCID, ROR) land on `Contact.organisation*` and `Contact.identifier*`;
- Abstract descriptions are the abstract, Methods the lineage; other descriptions, other dates,
  funding references, place names and the free-text resourceType ride in `extra` under
  `datacite:` keys and are written back unchanged;
- dates Created, Issued, Updated are the creation, publication and revision dates (publicationYear
  stands in for a missing Issued date; a record with no date at all is written with the current
  year, which DataCite requires); Coverage dates (or Collected ones, or Other ones whose
  dateInformation says Coverage) are the temporal extent, written back as Coverage;
- rights with an SPDX rightsIdentifier or a rightsURI give the licence, other rights the use
  constraints, and an `info:eu-repo/semantics/...Access` right the access level (`Record.access`),
  which is always written (OpenAIRE guidelines) so that the mandatory rightsList is never empty;
- subjects are keywords (subjectScheme -> thesaurus, schemeURI -> thesaurus_uri, valueURI -> uri),
  except those in the ISO topic category and INSPIRE theme schemes, which come back as such;
- geoLocation boxes and points (as zero-size boxes) are the bounding boxes, polygons the geometry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import orjson

from terrapole.core.errors import InvalidParameter, InvalidRecord
from terrapole.core.model import BBox, Contact, Extent, Keyword
from terrapole.core.record import (
    UNDETERMINED,
    Constraints,
    Dates,
    Distribution,
    Identifier,
    Record,
    Related,
    bare_doi,
)
from terrapole.formats import datacite_vocab as vocab
from terrapole.formats.datacite_attributes import EXTRA, attributes_from_record, compact
from terrapole.formats.w3cdtf import format_date, parse_date, parse_interval

MEDIA_TYPE = "application/vnd.api+json"
METADATA_STANDARD = "DataCite Metadata Schema 4"

# Canonical fields (dotted paths; a path through a tuple applies to each element) that DataCite
# cannot carry: the DataCite XML writer drops them, `parse` of its output gives them their default.
DROPPED_FIELDS: tuple[str, ...] = (
    "languages",
    "metadata_contacts",
    "resolutions",
    "reference_systems",
    "distributions",
    "overviews",
    "metadata_standard",
    "pole",
    "provenance",
    "dates.metadata",
    "constraints.access",
    "constraints.use_limitations",
    "constraints.other",
    "constraints.classification",
    "contacts.email",
    "contacts.url",
    "contacts.description",
)

JSON = dict[str, Any]


def parse(data: bytes) -> Record:
    """A Record from a DataCite REST API document (`{"data": {"type": "dois", "attributes": ...}}`)."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise InvalidRecord(f"DataCite JSON: not JSON: {error}") from None
    resource = document.get("data", document) if isinstance(document, Mapping) else None
    if not isinstance(resource, Mapping) or not isinstance(resource.get("attributes"), Mapping):
        raise InvalidRecord("DataCite JSON: no data.attributes object (expected a REST API dois resource)")
    attributes = dict(resource["attributes"])
    attributes.setdefault("doi", resource.get("id"))
    return record_from_attributes(attributes)


def encode(record: Record) -> bytes:
    """The DataCite REST API document of a Record, ready to register or update its DOI."""
    attributes = attributes_from_record(record)
    landing = [d.url for d in record.distributions if d.function in (None, "information")]
    downloads = [d.url for d in record.distributions if d.function == "download"]
    attributes.update({"url": landing[0]} if landing else {})
    attributes.update({"contentUrl": downloads} if downloads else {})
    if record.dates.metadata is not None:
        attributes["updated"] = format_date(record.dates.metadata)
    document = {"data": {"type": "dois", "attributes": attributes}}
    if record.doi:
        document["data"]["id"] = record.doi
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)


# --- DataCite JSON -> Record --------------------------------------------------------------------


def record_from_attributes(attributes: Mapping[str, Any]) -> Record:
    """The Record of a DataCite JSON `attributes` object (REST API or kernel-4.5 JSON shape)."""
    identifier, identifiers = _identifiers(attributes)
    title, alternate_titles = _titles(_list(attributes, "titles"))
    abstract, lineage, other_descriptions = _descriptions(_list(attributes, "descriptions"))
    keywords, topics, themes = _subjects(_list(attributes, "subjects"))
    dates, intervals, other_dates = _dates(attributes)
    bboxes, geometry, places = _geolocations(_list(attributes, "geoLocations"))
    related = tuple(_related(_list(attributes, "relatedIdentifiers")))
    constraints, access = _rights(_list(attributes, "rightsList"))
    types = attributes.get("types") or {}
    general = _text(types.get("resourceTypeGeneral"))
    extra = {
        f"{EXTRA}descriptions": other_descriptions,
        f"{EXTRA}dates": other_dates,
        f"{EXTRA}geoLocationPlaces": places,
        f"{EXTRA}fundingReferences": [dict(f) for f in _list(attributes, "fundingReferences")],
        f"{EXTRA}resourceType": _text(types.get("resourceType")),
    }
    return Record(
        identifier=identifier,
        title=title,
        abstract=abstract,
        identifiers=identifiers,
        alternate_titles=alternate_titles,
        hierarchy_level=vocab.HIERARCHY_OF_TYPE.get(general or "", "dataset"),
        resource_type=general,
        language=_text(attributes.get("language")),
        keywords=keywords,
        topic_categories=topics,
        inspire_themes=themes,
        contacts=_contacts(attributes),
        lineage=lineage,
        extent=Extent(bboxes=bboxes, geometry=geometry, intervals=intervals),
        formats=tuple(_texts(attributes.get("formats"))),
        sizes=tuple(_texts(attributes.get("sizes"))),
        constraints=constraints,
        dates=dates,
        parent_identifier=next((r.identifier for r in related if r.relation == "IsPartOf"), None),
        related=related,
        version=_text(attributes.get("version")),
        distributions=_distributions(attributes),
        metadata_standard=METADATA_STANDARD,
        access=access,
        extra={key: value for key, value in extra.items() if value},
    )


def _identifiers(attributes: Mapping[str, Any]) -> tuple[str, tuple[Identifier, ...]]:
    doi = bare_doi(_text(attributes.get("doi")) or "")
    main = attributes.get("identifier") or {}
    code = doi or _text(main.get("identifier"))
    if not code:
        raise InvalidRecord("DataCite: the resource has no identifier")
    identifiers = [Identifier(code, "DOI" if doi else _text(main.get("identifierType")))]
    alternates = [
        (_text(a.get("alternateIdentifier") or a.get("identifier")), _text(a.get("alternateIdentifierType")))
        for a in (*_list(attributes, "alternateIdentifiers"), *_list(attributes, "identifiers"))
    ]
    for value, kind in alternates:
        kind = kind or None
        if value and bare_doi(value) != code and value != code:
            identifiers.append(Identifier(value, kind))
    return code, tuple(dict.fromkeys(identifiers))


def _titles(entries: Iterable[Mapping[str, Any]]) -> tuple[dict[str, str], tuple[str, ...]]:
    title: dict[str, str] = {}
    alternates: list[str] = []
    for entry in entries:
        text, lang = _text(entry.get("title")), _lang(entry)
        kind = entry.get("titleType") or entry.get("type")
        if not text or text in vocab.UNKNOWN_VALUES:
            continue
        if kind in (None, "TranslatedTitle") and lang not in title:
            title[lang] = text
        else:
            alternates.append(text)
    return title, tuple(alternates)


def _descriptions(entries: Iterable[Mapping[str, Any]]) -> tuple[dict[str, str], dict[str, str], list[JSON]]:
    abstract: dict[str, str] = {}
    lineage: dict[str, str] = {}
    others: list[JSON] = []
    for entry in entries:
        text, lang = _text(entry.get("description")), _lang(entry)
        kind = entry.get("descriptionType") or "Abstract"
        if not text:
            continue
        target = {"Abstract": abstract, "Methods": lineage}.get(kind)
        if target is not None and lang not in target:
            target[lang] = text
        else:
            others.append(compact({"description": text, "descriptionType": kind, "lang": entry.get("lang")}))
    return abstract, lineage, others


def _subjects(
    entries: Iterable[Mapping[str, Any]],
) -> tuple[tuple[Keyword, ...], tuple[str, ...], tuple[str, ...]]:
    keywords: list[Keyword] = []
    topics: list[str] = []
    themes: list[str] = []
    for entry in entries:
        text, scheme = _text(entry.get("subject")), _text(entry.get("subjectScheme"))
        if not text:
            continue
        if scheme == vocab.TOPIC_SCHEME:
            topics.append(text)
        elif scheme == vocab.INSPIRE_SCHEME:
            themes.append(text)
        else:
            label = {_lang(entry): text}
            keywords.append(
                Keyword(label, scheme, _text(entry.get("valueUri")), _text(entry.get("schemeUri")))
            )
    return tuple(keywords), tuple(topics), tuple(themes)


def _contacts(attributes: Mapping[str, Any]) -> tuple[Contact, ...]:
    creators = [_party(c, vocab.CREATOR_ROLE) for c in _list(attributes, "creators")]
    contributors = [
        _party(c, vocab.role_of_contributor(c.get("contributorType")))
        for c in _list(attributes, "contributors")
    ]
    publisher = attributes.get("publisher")
    if isinstance(publisher, str):
        publisher = {"name": publisher}
    # DataCite's publisher is the organisation that makes the resource available.
    publishers = (
        [_party({"nameType": "Organizational", **publisher}, "publisher")]
        if isinstance(publisher, Mapping)
        else []
    )
    return tuple(c for c in (*creators, *contributors, *publishers) if c is not None)


def _party(entry: Mapping[str, Any], role: str) -> Contact | None:
    name = _text(entry.get("name"))
    if not name or name in vocab.UNKNOWN_VALUES:
        return None
    kind = vocab.KIND_OF_NAME_TYPE.get(entry.get("nameType") or "")
    affiliation = next(iter(_affiliations(entry.get("affiliation"))), {})
    name_id = next(iter(_list(entry, "nameIdentifiers")), {})
    identifier = _text(name_id.get("nameIdentifier") or entry.get("publisherIdentifier"))
    scheme = _text(name_id.get("nameIdentifierScheme") or entry.get("publisherIdentifierScheme"))
    organisation = affiliation.get("name") or (name if kind == "organisation" else None)
    return Contact(
        name=name,
        roles=(role,),
        organisation=organisation,
        kind=kind,
        identifier=identifier,
        identifier_scheme=scheme if identifier else None,
        organisation_identifier=affiliation.get("affiliationIdentifier"),
    )


def _affiliations(value: Any) -> list[dict[str, str]]:
    # The REST API gives names only, the XML and kernel-4.5 JSON objects with identifiers.
    entries = value if isinstance(value, list) else [value] if value else []
    out = []
    for entry in entries:
        item = {"name": entry} if isinstance(entry, str) else dict(entry)
        item = {k: text for k, v in item.items() if (text := _text(v))}
        if item.get("name"):
            out.append(item)
    return out


def _dates(attributes: Mapping[str, Any]) -> tuple[Dates, tuple[Any, ...], list[JSON]]:
    found: dict[str, date] = {}
    coverage: list[tuple[datetime | None, datetime | None]] = []
    collected: list[tuple[datetime | None, datetime | None]] = []
    others: list[JSON] = []
    for entry in _list(attributes, "dates"):
        kind, text = entry.get("dateType"), _text(entry.get("date"))
        field = vocab.DATE_FIELDS.get(kind or "")
        is_coverage = kind == "Coverage" or (
            kind == "Other" and (entry.get("dateInformation") or "").strip().lower() == "coverage"
        )
        if field and field not in found and (value := parse_date(text)) is not None:
            found[field] = value
        elif is_coverage and (interval := parse_interval(text)) is not None:
            coverage.append(interval)
        elif kind == "Collected" and (interval := parse_interval(text)) is not None:
            collected.append(interval)
            others.append(compact(dict(entry)))
        else:
            others.append(compact(dict(entry)))
    if not coverage and collected:
        others = [o for o in others if o.get("dateType") != "Collected"]
    year = _text(attributes.get("publicationYear"))
    if "published" not in found and year and year.isdigit() and len(year) == 4:
        found["published"] = date(int(year), 1, 1)
    if attributes.get("updated") and (metadata := parse_date(str(attributes["updated"]))) is not None:
        found["metadata"] = metadata
    return Dates(**found), tuple(coverage or collected), others


def _geolocations(
    entries: Iterable[Mapping[str, Any]],
) -> tuple[tuple[BBox, ...], dict[str, Any] | None, list[str]]:
    boxes: list[BBox] = []
    points: list[BBox] = []
    polygons: list[list[list[float]]] = []
    places: list[str] = []
    for entry in entries:
        if place := _text(entry.get("geoLocationPlace")):
            places.append(place)
        if box := entry.get("geoLocationBox"):
            edges = ("westBoundLongitude", "southBoundLatitude", "eastBoundLongitude", "northBoundLatitude")
            boxes.append(_bbox("geoLocationBox", [box.get(edge) for edge in edges]))
        if point := entry.get("geoLocationPoint"):
            lon, lat = point.get("pointLongitude"), point.get("pointLatitude")
            points.append(_bbox("geoLocationPoint", [lon, lat, lon, lat]))
        if polygon := entry.get("geoLocationPolygon"):
            polygons.append(_ring(polygon))
    geometry: dict[str, Any] | None = None
    if len(polygons) == 1:
        geometry = {"type": "Polygon", "coordinates": [polygons[0]]}
    elif polygons:
        geometry = {"type": "MultiPolygon", "coordinates": [[ring] for ring in polygons]}
    return (*boxes, *points), geometry, places


def _bbox(what: str, values: list[Any]) -> BBox:
    try:
        return BBox.from_sequence([float(v) for v in values], what)
    except (TypeError, ValueError):
        raise InvalidRecord(f"DataCite {what}: coordinates must be numbers, got {values}") from None
    except InvalidParameter as error:
        raise InvalidRecord(f"DataCite {error.message}") from None


def _ring(polygon: Iterable[Mapping[str, Any]]) -> list[list[float]]:
    ring = []
    for vertex in polygon:
        if "inPolygonPoint" in vertex:
            continue
        point = vertex.get("polygonPoint", vertex)
        box = _bbox("polygonPoint", [point.get("pointLongitude"), point.get("pointLatitude")] * 2)
        ring.append([box.west, box.south])
    if len(ring) < 4:
        raise InvalidRecord(f"DataCite geoLocationPolygon: {len(ring)} points, at least 4 are needed")
    return ring


def _related(entries: Iterable[Mapping[str, Any]]) -> Iterable[Related]:
    for entry in entries:
        identifier, relation = _text(entry.get("relatedIdentifier")), _text(entry.get("relationType"))
        if identifier and relation:
            yield Related(identifier, relation, _text(entry.get("relatedIdentifierType")))


def _rights(entries: Iterable[Mapping[str, Any]]) -> tuple[Constraints, str]:
    access = "open"
    licences: list[Mapping[str, Any]] = []
    statements: list[Mapping[str, Any]] = []
    for entry in entries:
        uri, text = _text(entry.get("rightsUri")), _text(entry.get("rights"))
        if uri and uri.startswith(vocab.EU_REPO):
            access = vocab.access_of_right(uri, text)
        elif uri or _text(entry.get("rightsIdentifier")):
            licences.append(entry)
        elif text:
            statements.append(entry)
    chosen = licences[0] if licences else {}
    uses = [_text(e.get("rights")) or _text(e.get("rightsUri")) for e in (*licences[1:], *statements)]
    constraints = Constraints(
        license=_text(chosen.get("rightsIdentifier")) or _text(chosen.get("rights")),
        license_url=_text(chosen.get("rightsUri")),
        use=tuple(u for u in uses if u),
    )
    return constraints, access


def _distributions(attributes: Mapping[str, Any]) -> tuple[Distribution, ...]:
    # Only the REST API knows where the landing page and the content are.
    out = []
    if url := _text(attributes.get("url")):
        out.append(Distribution(url, name="landing page", function="information", media_type="text/html"))
    out.extend(Distribution(u, function="download") for u in _texts(attributes.get("contentUrl")))
    return tuple(out)


# --- small helpers ------------------------------------------------------------------------------


def _list(mapping: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = mapping.get(key)
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _texts(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [text for v in values if (text := _text(v))]


def _lang(entry: Mapping[str, Any]) -> str:
    return _text(entry.get("lang")) or UNDETERMINED
