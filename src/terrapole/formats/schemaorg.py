"""schema.org `Dataset` JSON-LD, as Google Dataset Search reads it, to and from Record.

`encode` writes what Google's Dataset guidelines ask for: name, description, url, identifier (a DOI as
a PropertyValue, with sameAs https://doi.org/...), keywords (DefinedTerm when a thesaurus or concept
is known), license, creator and publisher (Person/Organization with ORCID/ROR identifiers and
affiliations), contributors (schema.org Role, keeping the role name), dates, temporalCoverage
(`start/end`, `..` when open), spatialCoverage (Place with a GeoShape box `S W N E`, GeoCoordinates
for points, a GeoShape polygon), distribution (DataDownload with encodingFormat and contentUrl),
includedInDataCatalog, inLanguage, version and isAccessibleForFree from the access level.

`parse` reads the same shape back from plain JSON (a Dataset node, alone, in a list or in an
`@graph`); keys may carry a `schema:` prefix. Our own code rather than rdflib: the documents are
compact JSON-LD with one known context, and Google's shape (plain strings, nested objects) maps more
directly from the JSON than from triples.

Multilingual text: `name` and `description` hold the first language (`inLanguage` tells which);
titles and abstracts in other languages ride as `alternateName` and `abstract` JSON-LD value
objects (`{"@value": ..., "@language": ...}`). Besides `DROPPED_FIELDS`, schema.org keeps one label
per keyword (read back with an undetermined language), writes contacts of unknown kind as Person,
and a contact with several roles as a creator or publisher plus one contributor Role per other role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from terrapole.core.errors import InvalidParameter, InvalidRecord
from terrapole.core.model import BBox, Contact, Extent, Keyword
from terrapole.core.record import UNDETERMINED, Constraints, Dates, Distribution, Identifier, Record, bare_doi
from terrapole.formats import datacite_vocab as vocab
from terrapole.formats.w3cdtf import format_date, format_interval, parse_date, parse_interval

MEDIA_TYPE = "application/ld+json"
CONTEXT = "https://schema.org/"
DOI_REGISTRY = "https://registry.identifiers.org/registry/doi"
METADATA_STANDARD = "schema.org Dataset"

DROPPED_FIELDS: tuple[str, ...] = (
    "hierarchy_level",
    "resource_type",
    "languages",
    "topic_categories",
    "inspire_themes",
    "metadata_contacts",
    "lineage",
    "resolutions",
    "reference_systems",
    "sizes",
    "overviews",
    "parent_identifier",
    "related",
    "metadata_standard",
    "pole",
    "provenance",
    "extra",
    "dates.metadata",
    "constraints.access",
    "constraints.use",
    "constraints.use_limitations",
    "constraints.other",
    "constraints.classification",
    "distributions.protocol",
    "distributions.function",
    "contacts.email",
    "contacts.description",
    "contacts.identifier_scheme",
)

JSON = dict[str, Any]
_ACCESS_LEVELS = frozenset({"open", "embargo", "restricted", "licensed", "closed"})


def parse(data: bytes) -> Record:
    """A Record from a schema.org Dataset JSON-LD document."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise InvalidRecord(f"schema.org: not JSON: {error}") from None
    node = _dataset_node(document)
    if node is None:
        raise InvalidRecord("schema.org: no node of @type Dataset in the document")
    return record_from_dataset(node)


def encode(record: Record) -> bytes:
    """The schema.org Dataset JSON-LD document of a Record."""
    return orjson.dumps(dataset(record), option=orjson.OPT_INDENT_2)


# --- Record -> schema.org -----------------------------------------------------------------------


def dataset(record: Record, catalog_name: str | None = None, catalog_url: str | None = None) -> JSON:
    """The Dataset node of a Record; the catalog it belongs to defaults to the record's pole."""
    titles, abstracts = list(record.title.items()), list(record.abstract.items())
    doi = record.doi
    node: JSON = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": f"https://doi.org/{doi}" if doi else None,
        "name": titles[0][1] if titles else None,
        "alternateName": [_value(t, lang) for lang, t in titles[1:]] + list(record.alternate_titles),
        "description": abstracts[0][1] if abstracts else None,
        "abstract": [_value(t, lang) for lang, t in abstracts[1:]],
        "url": _landing_page(record),
        "sameAs": f"https://doi.org/{doi}" if doi else None,
        "identifier": _identifiers(record),
        "keywords": [_keyword(k) for k in record.keywords],
        "license": _license(record.constraints),
        "creator": [_party(c) for c in record.contacts if vocab.CREATOR_ROLES & set(c.roles)],
        "contributor": list(_contributors(record.contacts)),
        "publisher": next((_party(c) for c in record.contacts if "publisher" in c.roles), None),
        "dateCreated": _date(record.dates.created),
        "datePublished": _date(record.dates.published),
        "dateModified": _date(record.dates.revised),
        "temporalCoverage": [format_interval(*interval) for interval in record.extent.intervals],
        "spatialCoverage": _places(record.extent),
        "distribution": [_download(d) for d in record.distributions if d.function != "information"],
        "encodingFormat": list(record.formats),
        "includedInDataCatalog": _catalog(record, catalog_name, catalog_url),
        "inLanguage": record.language or next((lang for lang, _ in titles if lang != UNDETERMINED), None),
        "version": record.version,
        "isAccessibleForFree": record.access == "open",
        "conditionsOfAccess": None if record.access == "open" else record.access,
    }
    return {key: _single(value) for key, value in node.items() if value not in (None, [], {}, "")}


def _value(text: str, lang: str) -> Any:
    return text if lang == UNDETERMINED else {"@value": text, "@language": lang}


def _landing_page(record: Record) -> str | None:
    pages = [d.url for d in record.distributions if d.function == "information"]
    return pages[0] if pages else f"https://doi.org/{record.doi}" if record.doi else None


def _identifiers(record: Record) -> list[Any]:
    out: list[Any] = []
    for identifier in dict.fromkeys((Identifier(record.identifier), *record.identifiers)):
        doi = bare_doi(identifier.code)
        if doi:
            entry = {"propertyID": DOI_REGISTRY, "value": f"doi:{doi}", "url": f"https://doi.org/{doi}"}
            out.append({"@type": "PropertyValue", **entry})
        elif identifier.scheme:
            out.append({"@type": "PropertyValue", "propertyID": identifier.scheme, "value": identifier.code})
        else:
            out.append(identifier.code)
    unique = {orjson.dumps(entry): entry for entry in out}
    return list(unique.values())


def _keyword(keyword: Keyword) -> Any:
    text = next(iter(keyword.label.values()), "")
    if not (keyword.thesaurus or keyword.uri or keyword.thesaurus_uri):
        return text
    term: JSON = {"@type": "DefinedTerm", "name": text, "url": keyword.uri}
    if keyword.thesaurus or keyword.thesaurus_uri:
        term["inDefinedTermSet"] = _compact(
            {"@type": "DefinedTermSet", "name": keyword.thesaurus, "url": keyword.thesaurus_uri}
        )
    return _compact(term)


def _license(constraints: Constraints) -> Any:
    licence, url = constraints.license, constraints.license_url
    if licence and url:
        return {"@type": "CreativeWork", "name": licence, "url": url}
    if licence and vocab.looks_like_spdx(licence):
        return f"{vocab.SPDX_URI}{licence}"
    return url or licence


def _party(contact: Contact) -> JSON:
    kind = "Organization" if contact.kind == "organisation" else "Person"
    party: JSON = {"@type": kind, "name": contact.name, "identifier": contact.identifier, "url": contact.url}
    if contact.organisation and not (kind == "Organization" and contact.organisation == contact.name):
        party["affiliation"] = _compact(
            {
                "@type": "Organization",
                "name": contact.organisation,
                "identifier": contact.organisation_identifier,
            }
        )
    return _compact(party)


def _contributors(contacts: Iterable[Contact]) -> Iterable[JSON]:
    for contact in contacts:
        for role in contact.roles:
            if role not in vocab.CREATOR_ROLES and role != "publisher":
                yield {"@type": "Role", "roleName": role, "contributor": _party(contact)}


def _date(value: Any) -> str | None:
    return None if value is None else format_date(value)


def _places(extent: Extent) -> list[JSON]:
    places = []
    for box in extent.bboxes:
        if (box.west, box.south) == (box.east, box.north):
            geo: JSON = {"@type": "GeoCoordinates", "latitude": box.south, "longitude": box.west}
        else:
            geo = {"@type": "GeoShape", "box": f"{box.south} {box.west} {box.north} {box.east}"}
        places.append({"@type": "Place", "geo": geo})
    geometry = extent.geometry or {}
    if geometry.get("type") == "Polygon" and geometry.get("coordinates"):
        ring = " ".join(f"{lat} {lon}" for lon, lat, *_ in geometry["coordinates"][0])
        places.append({"@type": "Place", "geo": {"@type": "GeoShape", "polygon": ring}})
    return places


def _download(distribution: Distribution) -> JSON:
    return _compact(
        {
            "@type": "DataDownload",
            "contentUrl": distribution.url,
            "encodingFormat": distribution.media_type or distribution.format,
            "name": distribution.name,
            "description": distribution.description,
        }
    )


def _catalog(record: Record, name: str | None, url: str | None) -> JSON | None:
    name = name or (f"terrapole {record.pole} data centre" if record.pole else None)
    return _compact({"@type": "DataCatalog", "name": name, "url": url}) if name or url else None


# --- schema.org -> Record -----------------------------------------------------------------------


def record_from_dataset(node: Mapping[str, Any]) -> Record:
    """The Record of one schema.org Dataset node (plain JSON-LD, compact form)."""
    node = {_key(k): v for k, v in node.items()}
    lang = _string(node.get("inLanguage")) or UNDETERMINED
    title, alternates = _lang_texts(node.get("name"), node.get("alternateName"), lang)
    abstract, _ = _lang_texts(node.get("description"), node.get("abstract"), lang)
    identifier, identifiers = _parse_identifiers(node)
    free = node.get("isAccessibleForFree")
    access = "open" if free in (True, "true", "True", None) else _string(node.get("conditionsOfAccess"))
    return Record(
        identifier=identifier,
        title=title,
        abstract=abstract,
        identifiers=identifiers,
        alternate_titles=alternates,
        language=None if lang == UNDETERMINED else lang,
        keywords=tuple(_parse_keyword(k) for k in _list(node.get("keywords")) if k),
        contacts=_parse_contacts(node),
        extent=Extent(
            bboxes=tuple(_parse_places(node.get("spatialCoverage"))),
            geometry=_parse_polygon(node.get("spatialCoverage")),
            intervals=_intervals(node),
        ),
        distributions=tuple(_parse_distributions(node)),
        formats=tuple(_texts(node.get("encodingFormat"))),
        constraints=_parse_license(node.get("license")),
        dates=Dates(
            created=parse_date(_string(node.get("dateCreated"))),
            published=parse_date(_string(node.get("datePublished"))),
            revised=parse_date(_string(node.get("dateModified"))),
        ),
        version=_string(node.get("version")),
        metadata_standard=METADATA_STANDARD,
        access=access if access in _ACCESS_LEVELS else "restricted",
    )


def _dataset_node(document: Any) -> Mapping[str, Any] | None:
    nodes = document.get("@graph", [document]) if isinstance(document, Mapping) else document
    for node in nodes if isinstance(nodes, list) else []:
        if isinstance(node, Mapping) and "Dataset" in {_key(t) for t in _list(node.get("@type"))}:
            return node
    return None


def _lang_texts(main: Any, others: Any, lang: str) -> tuple[dict[str, str], tuple[str, ...]]:
    texts: dict[str, str] = {}
    plain: list[str] = []
    for n, value in enumerate((*_list(main), *_list(others))):
        if isinstance(value, Mapping) and _string(value.get("@value")):
            texts.setdefault(_string(value.get("@language")) or lang, str(value["@value"]).strip())
        elif (text := _string(value)) and n < len(_list(main)):
            texts.setdefault(lang, text)
        elif text:
            plain.append(text)
    return texts, tuple(plain)


def _parse_identifiers(node: Mapping[str, Any]) -> tuple[str, tuple[Identifier, ...]]:
    found = []
    for value in _list(node.get("identifier")):
        mapping = value if isinstance(value, Mapping) else {"value": value}
        code = _string(mapping.get("value")) or _string(mapping.get("url"))
        if code:
            doi = bare_doi(code)
            found.append(
                Identifier(doi, "DOI") if doi else Identifier(code, _string(mapping.get("propertyID")))
            )
    for value in (*_texts(node.get("sameAs")), _string(node.get("@id"))):
        if value and (doi := bare_doi(value)):
            found.append(Identifier(doi, "DOI"))
    unique = tuple(dict.fromkeys(found))
    main = unique[0].code if unique else _string(node.get("@id")) or _string(node.get("url"))
    if not main:
        raise InvalidRecord("schema.org Dataset without identifier, @id or url")
    # The main identifier written as a plain string is the record's own, not one of its identifiers.
    return main, tuple(i for i in unique if i.scheme or i.code != main)


def _parse_keyword(value: Any) -> Keyword:
    if not isinstance(value, Mapping):
        return Keyword({UNDETERMINED: str(value).strip()})
    term_set = value.get("inDefinedTermSet")
    term_set = term_set if isinstance(term_set, Mapping) else {"url": term_set} if term_set else {}
    return Keyword(
        {UNDETERMINED: _string(value.get("name")) or ""},
        _string(term_set.get("name")),
        _string(value.get("url")) or _string(value.get("@id")),
        _string(term_set.get("url")) or _string(term_set.get("@id")),
    )


def _parse_contacts(node: Mapping[str, Any]) -> tuple[Contact, ...]:
    contacts = [
        _parse_party(p, vocab.CREATOR_ROLE) for p in _list(node.get("creator")) + _list(node.get("author"))
    ]
    for entry in _list(node.get("contributor")):
        if isinstance(entry, Mapping) and _key(entry.get("@type")) == "Role":
            contacts.append(
                _parse_party(entry.get("contributor"), _string(entry.get("roleName")) or "contributor")
            )
        else:
            contacts.append(_parse_party(entry, "contributor"))
    contacts.extend(_parse_party(p, "publisher") for p in _list(node.get("publisher")))
    return tuple(c for c in contacts if c is not None)


def _parse_party(value: Any, role: str) -> Contact | None:
    if isinstance(value, str):
        return Contact(value.strip(), (role,)) if value.strip() else None
    if not isinstance(value, Mapping) or not _string(value.get("name")):
        return None
    affiliation = next(iter(_list(value.get("affiliation"))), None)
    affiliation = {"name": affiliation} if isinstance(affiliation, str) else affiliation or {}
    kind = "organisation" if _key(value.get("@type")) == "Organization" else "person"
    name = str(_string(value.get("name")))
    identifier = _string(value.get("identifier")) or _string(value.get("@id"))
    return Contact(
        name=name,
        roles=(role,),
        organisation=_string(affiliation.get("name")) or (name if kind == "organisation" else None),
        url=_string(value.get("url")),
        kind=kind,
        identifier=identifier,
        identifier_scheme=vocab.guess_party_scheme(identifier),
        organisation_identifier=_string(affiliation.get("identifier")),
    )


def _intervals(node: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(
        i for text in _texts(node.get("temporalCoverage")) if (i := parse_interval(text)) is not None
    )


def _parse_places(value: Any) -> Iterable[BBox]:
    for place in _list(value):
        geo = place.get("geo") if isinstance(place, Mapping) else None
        for shape in _list(geo):
            if not isinstance(shape, Mapping):
                continue
            if box := _string(shape.get("box")):
                south, west, north, east = _numbers(box.replace(",", " ").split(), 4)
                yield _bbox([west, south, east, north])
            elif shape.get("latitude") is not None and shape.get("longitude") is not None:
                lat, lon = _numbers([shape["latitude"], shape["longitude"]], 2)
                yield _bbox([lon, lat, lon, lat])


def _parse_polygon(value: Any) -> dict[str, Any] | None:
    # The first GeoShape polygon ("lat lon lat lon ..."), as a GeoJSON polygon.
    for place in _list(value):
        for shape in _list(place.get("geo") if isinstance(place, Mapping) else None):
            text = _string(shape.get("polygon")) if isinstance(shape, Mapping) else None
            if text:
                numbers = text.replace(",", " ").split()
                pairs = _numbers(numbers, len(numbers) - len(numbers) % 2 or 2)
                ring = [[pairs[n + 1], pairs[n]] for n in range(0, len(pairs), 2)]
                return {"type": "Polygon", "coordinates": [ring]}
    return None


def _numbers(values: list[Any], count: int) -> list[float]:
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):
        numbers = []
    if len(numbers) != count:
        raise InvalidRecord(f"schema.org spatialCoverage: expected {count} numbers, got {values}")
    return numbers


def _bbox(values: list[float]) -> BBox:
    try:
        return BBox.from_sequence(values, "spatialCoverage")
    except InvalidParameter as error:
        raise InvalidRecord(f"schema.org {error.message}") from None


def _parse_distributions(node: Mapping[str, Any]) -> Iterable[Distribution]:
    url = _string(node.get("url"))
    if url and url not in _texts(node.get("sameAs")):
        yield Distribution(url, name="landing page", function="information", media_type="text/html")
    for entry in _list(node.get("distribution")):
        if isinstance(entry, Mapping) and (
            url := _string(entry.get("contentUrl")) or _string(entry.get("url"))
        ):
            media = _string(entry.get("encodingFormat"))
            yield Distribution(
                url,
                name=_string(entry.get("name")),
                description=_string(entry.get("description")),
                function="download",
                media_type=media if media and "/" in media else None,
                format=media if media and "/" not in media else None,
            )


def _parse_license(value: Any) -> Constraints:
    entry = next(iter(_list(value)), None)
    if isinstance(entry, Mapping):
        return Constraints(license=_string(entry.get("name")), license_url=_string(entry.get("url")))
    text = _string(entry) or ""
    if text.startswith(vocab.SPDX_URI):
        return Constraints(license=text.removeprefix(vocab.SPDX_URI).removesuffix(".html"))
    if text.startswith(("http://", "https://")):
        return Constraints(license_url=text)
    return Constraints(license=text or None)


# --- small helpers ------------------------------------------------------------------------------


def _key(value: Any) -> str:
    text = str(value)
    for prefix in ("schema:", "http://schema.org/", "https://schema.org/"):
        text = text.removeprefix(prefix)
    return text


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, (Mapping, list)):
        return None
    text = str(value).strip()
    return text or None


def _texts(value: Any) -> list[str]:
    return [text for v in _list(value) if (text := _string(v))]


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _compact(mapping: Mapping[str, Any]) -> JSON:
    return {key: value for key, value in mapping.items() if value not in (None, "", [], {})}
