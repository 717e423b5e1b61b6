"""DataCite Metadata Schema 4.x XML (namespace http://datacite.org/schema/kernel-4) to and from Record.

`parse` reads a `resource` document (also one wrapped in an OAI-PMH `oai_datacite` payload, and the
namespace-less `resource` some servers emit) into DataCite's JSON form, and `formats.datacite_json`
maps that onto the Record; `encode` goes the other way. Keeping one property mapping for the XML and
the REST API JSON means the two cannot drift apart. What DataCite cannot carry is listed in
`DROPPED_FIELDS`; the output validates against the kernel-4 XSD (checked in the tests).

Our own code with lxml and mapping tables: no maintained Python library parses DataCite XML into a
neutral model. The `datacite` package (Invenio) is an MDS/REST client whose XML writer takes its
own JSON, stops at kernel 4.5 and reads nothing back; see `formats.datacite_json`.

XML and JSON differ only in spelling: an XML attribute `fooURI` is the JSON key `fooUri`, `xml:lang`
is `lang`, and an element's text is the key named after the element.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree
from lxml.builder import ElementMaker

from terrapole.core.errors import InvalidRecord
from terrapole.core.record import Record
from terrapole.formats.datacite_attributes import attributes_from_record
from terrapole.formats.datacite_json import DROPPED_FIELDS, record_from_attributes
from terrapole.formats.xmlsafe import parse_xml

MEDIA_TYPE = "application/vnd.datacite.datacite+xml"
KERNEL = "http://datacite.org/schema/kernel-4"
KERNEL_PREFIX = "http://datacite.org/schema/kernel-"
OAI_DATACITE = "http://schema.datacite.org/oai/oai-1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{KERNEL} https://schema.datacite.org/meta/kernel-4/metadata.xsd"

__all__ = ["DROPPED_FIELDS", "encode", "parse", "parse_resource"]

# JSON list property -> (XML wrapper, XML element); the element's text is the JSON key of its name.
_LISTS: dict[str, tuple[str, str]] = {
    "titles": ("titles", "title"),
    "subjects": ("subjects", "subject"),
    "dates": ("dates", "date"),
    "alternateIdentifiers": ("alternateIdentifiers", "alternateIdentifier"),
    "relatedIdentifiers": ("relatedIdentifiers", "relatedIdentifier"),
    "rightsList": ("rightsList", "rights"),
    "descriptions": ("descriptions", "description"),
}
_TEXT_LISTS = {"sizes": "size", "formats": "format"}
_TEXTS = ("publicationYear", "language", "version")
_BOX = ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude")
_FUNDING = ("funderName", "funderIdentifier", "awardNumber", "awardTitle")


def parse(data: bytes) -> Record:
    """A Record from a DataCite XML document (a `resource`, or an `oai_datacite` wrapping one)."""
    return parse_resource(parse_xml(data))


def parse_resource(root: etree._Element) -> Record:
    """A Record from an already parsed DataCite `resource` (or `oai_datacite`) element."""
    return record_from_attributes(_attributes(_resource(root)))


def encode(record: Record) -> bytes:
    """The DataCite kernel-4 XML document of a Record."""
    document: bytes = etree.tostring(
        _element(attributes_from_record(record)), xml_declaration=True, encoding="UTF-8"
    )
    return document


# --- XML -> DataCite JSON -----------------------------------------------------------------------


def _resource(root: etree._Element) -> etree._Element:
    namespace, local = _split(root.tag)
    if local == "oai_datacite":
        payload = next(iter(_kids(root, "payload")), None)
        inner = next(iter(_kids(payload, "resource")), None) if payload is not None else None
        if inner is None:
            raise InvalidRecord("oai_datacite document without a payload/resource element")
        return inner
    if local == "resource" and (namespace is None or namespace.startswith(KERNEL_PREFIX)):
        return root
    raise InvalidRecord(f"not DataCite XML: root element {local!r} in namespace {namespace!r}")


def _attributes(resource: etree._Element) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for identifier in _kids(resource, "identifier"):
        entry = _entry(identifier, "identifier")
        if (entry.get("identifierType") or "").upper() == "DOI":
            attributes["doi"] = entry.get("identifier")
        else:
            attributes["identifier"] = entry
    attributes["creators"] = [_party(c, "creatorName") for c in _path(resource, "creators", "creator")]
    attributes["contributors"] = [
        {**_party(c, "contributorName"), **_xml_attributes(c)}
        for c in _path(resource, "contributors", "contributor")
    ]
    for publisher in _kids(resource, "publisher"):
        attributes["publisher"] = {**_entry(publisher, "name")}
    for resource_type in _kids(resource, "resourceType"):
        attributes["types"] = _entry(resource_type, "resourceType")
    for key, (wrapper, element) in _LISTS.items():
        attributes[key] = [_entry(e, element) for e in _path(resource, wrapper, element)]
    for key, element in _TEXT_LISTS.items():
        attributes[key] = [_text(e) for e in _path(resource, key, element)]
    for key in _TEXTS:
        attributes[key] = _first_text(resource, key)
    attributes["geoLocations"] = [
        g for e in _path(resource, "geoLocations", "geoLocation") for g in _geolocation(e)
    ]
    attributes["fundingReferences"] = [
        _funding(e) for e in _path(resource, "fundingReferences", "fundingReference")
    ]
    return attributes


def _party(element: etree._Element, name_element: str) -> dict[str, Any]:
    party: dict[str, Any] = {}
    for name in _kids(element, name_element):
        party.update(_entry(name, "name"))
    for key in ("givenName", "familyName"):
        party[key] = _first_text(element, key)
    party["nameIdentifiers"] = [_entry(e, "nameIdentifier") for e in _kids(element, "nameIdentifier")]
    party["affiliation"] = [_entry(e, "name") for e in _kids(element, "affiliation")]
    return party


def _geolocation(element: etree._Element) -> list[dict[str, Any]]:
    # One JSON geoLocation per polygon: the REST API form holds one polygon per geoLocation.
    location: dict[str, Any] = {}
    for place in _kids(element, "geoLocationPlace"):
        location["geoLocationPlace"] = _text(place)
    for point in _kids(element, "geoLocationPoint"):
        location["geoLocationPoint"] = _numbers(point)
    for box in _kids(element, "geoLocationBox"):
        location["geoLocationBox"] = _numbers(box)
    polygons = [
        [{_split(p.tag)[1]: _numbers(p)} for p in polygon if isinstance(p.tag, str)]
        for polygon in _kids(element, "geoLocationPolygon")
    ]
    if polygons:
        location["geoLocationPolygon"] = polygons[0]
    return [location, *({"geoLocationPolygon": polygon} for polygon in polygons[1:])]


def _funding(element: etree._Element) -> dict[str, Any]:
    funding: dict[str, Any] = {}
    for child in element:
        if isinstance(child.tag, str):
            funding.update(_entry(child, _split(child.tag)[1]))
    return funding


def _entry(element: etree._Element, text_key: str) -> dict[str, Any]:
    return {text_key: _text(element), **_xml_attributes(element)}


def _xml_attributes(element: etree._Element) -> dict[str, str]:
    out = {}
    for name, value in element.attrib.items():
        key = "lang" if name == XML_LANG else _split(name)[1]
        if _split(name)[0] in (None, "http://www.w3.org/XML/1998/namespace"):
            out[key[:-3] + "Uri" if key.endswith("URI") else key] = value.strip()
    return out


def _numbers(element: etree._Element) -> dict[str, str | None]:
    return {_split(child.tag)[1]: _text(child) for child in element if isinstance(child.tag, str)}


def _text(element: etree._Element) -> str | None:
    # Descriptions may break lines with <br/>; other elements hold plain text.
    parts = [element.text or ""]
    for child in element:
        parts.append(("\n" if _split(child.tag)[1] == "br" else "") + (child.tail or ""))
    text = "".join(parts).strip()
    return text or None


def _first_text(element: etree._Element, local: str) -> str | None:
    return next((_text(child) for child in _kids(element, local)), None)


def _kids(element: etree._Element, local: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and _split(child.tag)[1] == local]


def _path(element: etree._Element, wrapper: str, local: str) -> list[etree._Element]:
    return [item for outer in _kids(element, wrapper) for item in _kids(outer, local)]


def _split(tag: Any) -> tuple[str | None, str]:
    text = str(tag)
    if text.startswith("{"):
        namespace, _, local = text[1:].partition("}")
        return namespace, local
    return None, text


# --- DataCite JSON -> XML -----------------------------------------------------------------------

_E = ElementMaker(namespace=KERNEL, nsmap={None: KERNEL, "xsi": XSI})


def _element(attributes: Mapping[str, Any]) -> etree._Element:
    resource = _E.resource({f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})
    doi = attributes.get("doi")
    main = {"identifier": doi, "identifierType": "DOI"} if doi else attributes["identifier"]
    resource.append(_leaf("identifier", main, "identifier"))
    resource.append(_parties("creators", "creator", "creatorName", attributes.get("creators") or ()))
    resource.append(_wrapped("titles", "title", attributes.get("titles") or ()))
    resource.append(_leaf("publisher", attributes["publisher"], "name"))
    resource.append(_E.publicationYear(str(attributes["publicationYear"])))
    resource.append(_leaf("resourceType", attributes["types"], "resourceType"))
    for key, (wrapper, element) in _LISTS.items():
        if key != "titles" and attributes.get(key):
            resource.append(_wrapped(wrapper, element, attributes[key]))
    if attributes.get("contributors"):
        resource.append(
            _parties("contributors", "contributor", "contributorName", attributes["contributors"])
        )
    for key, element in _TEXT_LISTS.items():
        if attributes.get(key):
            resource.append(_E(key, *(_E(element, str(v)) for v in attributes[key])))
    for key in ("language", "version"):
        if attributes.get(key):
            resource.append(_E(key, str(attributes[key])))
    if attributes.get("geoLocations"):
        resource.append(_E.geoLocations(*(_geolocation_element(g) for g in attributes["geoLocations"])))
    if attributes.get("fundingReferences"):
        resource.append(_E.fundingReferences(*(_funding_element(f) for f in attributes["fundingReferences"])))
    return resource


def _leaf(name: str, entry: Mapping[str, Any], text_key: str) -> etree._Element:
    element = _E(name, str(entry.get(text_key) or ""))
    for key, value in entry.items():
        if key != text_key and value not in (None, "") and not isinstance(value, (list, dict)):
            element.set(
                XML_LANG if key == "lang" else key[:-3] + "URI" if key.endswith("Uri") else key, str(value)
            )
    return element


def _wrapped(wrapper: str, element: str, entries: Iterable[Mapping[str, Any]]) -> etree._Element:
    return _E(wrapper, *(_leaf(element, entry, element) for entry in entries))


def _parties(
    wrapper: str, element: str, name_element: str, parties: Iterable[Mapping[str, Any]]
) -> etree._Element:
    out = _E(wrapper)
    for party in parties:
        attributes = {"contributorType": party["contributorType"]} if "contributorType" in party else {}
        item = _E(element, attributes)
        item.append(_leaf(name_element, {k: party.get(k) for k in ("name", "nameType", "lang")}, "name"))
        item.extend(_E(key, party[key]) for key in ("givenName", "familyName") if party.get(key))
        item.extend(_leaf("nameIdentifier", n, "nameIdentifier") for n in party.get("nameIdentifiers") or ())
        item.extend(_leaf("affiliation", a, "name") for a in party.get("affiliation") or ())
        out.append(item)
    return out


def _geolocation_element(location: Mapping[str, Any]) -> etree._Element:
    element = _E.geoLocation()
    if place := location.get("geoLocationPlace"):
        element.append(_E.geoLocationPlace(place))
    if point := location.get("geoLocationPoint"):
        element.append(_point("geoLocationPoint", point))
    if box := location.get("geoLocationBox"):
        element.append(_E.geoLocationBox(*(_E(edge, _number(box[edge])) for edge in _BOX)))
    if polygon := location.get("geoLocationPolygon"):
        vertices = [_point(kind, point) for vertex in polygon for kind, point in vertex.items()]
        element.append(_E.geoLocationPolygon(*vertices))
    return element


def _point(name: str, point: Mapping[str, Any]) -> etree._Element:
    return _E(
        name,
        _E.pointLongitude(_number(point["pointLongitude"])),
        _E.pointLatitude(_number(point["pointLatitude"])),
    )


def _number(value: Any) -> str:
    return repr(float(value)).removesuffix(".0") if not isinstance(value, str) else value


def _funding_element(funding: Mapping[str, Any]) -> etree._Element:
    element = _E.fundingReference()
    attributes = {"funderIdentifier": ("funderIdentifierType", "schemeUri"), "awardNumber": ("awardUri",)}
    for key in _FUNDING:
        if funding.get(key):
            entry = {key: funding[key], **{a: funding.get(a) for a in attributes.get(key, ())}}
            element.append(_leaf(key, entry, key))
    return element
