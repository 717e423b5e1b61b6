"""Writing ISO 19115 documents (19139 and 19115-3): the element builder and the sections both share.

Both encodings use the same local names for keywords, constraints, extents, citation dates and online
resources; only the namespaces of those packages differ (gmd for all in 19139; mri, mco, gex, cit in
19115-3). The shared section writers take a `Packages` naming the prefix of each. Children are written
in the order the XML schemas' sequences require.

INSPIRE conventions: multilingual text as gco:CharacterString plus PT_FreeText with a PT_Locale
declared per other language; gmx/gcx anchors where a URI is known (keyword concepts, INSPIRE themes,
known thesauri and code-list values); thesaurus citations with their publication date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from lxml import etree

from terrapole.core.model import Contact, Keyword, LangText
from terrapole.core.record import Constraints, Distribution, Record, Resolution
from terrapole.core.timeutil import format_instant
from terrapole.formats import _iso_gml as gml
from terrapole.formats._iso_constraints import plan_constraints
from terrapole.formats._iso_vocab import (
    ANCHORS_KEY,
    INSPIRE_THEME_URI,
    INSPIRE_THEMES_THESAURUS,
    KNOWN_THESAURI,
    anchor_uri,
    bcp47,
    inspire_theme_code,
    inspire_theme_for,
    inspire_theme_label,
    iso639_2,
    known_thesaurus_uri,
)

XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
LANGUAGE_CODES = "http://www.loc.gov/standards/iso639-2/"
_SIZE = re.compile(r"^\s*([\d.]+)\s*([KMGT]?i?B)?\s*$", re.IGNORECASE)
_MB = {
    "b": 1 / 1024**2,
    "kb": 1 / 1024,
    "kib": 1 / 1024,
    "mb": 1,
    "mib": 1,
    "gb": 1024,
    "gib": 1024,
    "tb": 1024**2,
    "tib": 1024**2,
}


@dataclass(frozen=True, slots=True)
class Packages:
    """Which prefix each shared section is written in, and the encoding's conventions."""

    cit: str  # citations, responsible parties, online resources, dates
    ext: str  # extents
    con: str  # constraints
    ident: str  # identification (keywords, resolutions, graphic overviews)
    free_text: str  # PT_FreeText and friends
    anchor: str  # the anchor element, prefixed
    url: str  # the element a linkage URL is written in, prefixed
    codelists: str  # base of codeList attributes


class Writer:
    """Builds one document: elements from prefixed paths, texts, anchors, code list values and dates."""

    def __init__(self, namespaces: Mapping[str, str], packages: Packages, record: Record) -> None:
        main, others = record_languages(record)
        self.ns = dict(namespaces)
        self.pk = packages
        self.main = main
        self.anchors: Mapping[str, str] = record.extra.get(ANCHORS_KEY) or {}
        self.locale_ids = {lang: lang.upper().replace("-", "_") for lang in others if lang != main}

    def tag(self, qname: str) -> str:
        """Clark notation of a prefixed name."""
        prefix, _, name = qname.partition(":")
        return f"{{{self.ns[prefix]}}}{name}"

    def add(
        self, parent: etree._Element, path: str, attrib: Mapping[str, str] | None = None
    ) -> etree._Element:
        """Append the chain of elements `a:x/b:y/...` under `parent`; the last one gets `attrib`."""
        element = parent
        for part in path.split("/"):
            element = etree.SubElement(element, self.tag(part))
        element.attrib.update(attrib or {})
        return element

    def string(self, parent: etree._Element, path: str, value: str | None, href: str | None = None) -> None:
        """A character string property, as an anchor when a URI is known; nothing when `value` is None."""
        if value is None:
            return
        prop = self.add(parent, path)
        leaf = self.pk.anchor if href else "gco:CharacterString"
        self.add(prop, leaf, {f"{{{XLINK}}}href": href} if href else None).text = value

    def anchored(self, parent: etree._Element, path: str, value: str | None) -> None:
        """A character string property, as an anchor when the record or our tables know its URI."""
        self.string(parent, path, value, anchor_uri(value, self.anchors))

    def strings(self, parent: etree._Element, path: str, values: Iterable[str]) -> None:
        """One character string property per value."""
        for value in values:
            self.string(parent, path, value)

    def text(self, parent: etree._Element, path: str, text: LangText, href: str | None = None) -> None:
        """A multilingual property: the own-language (or undetermined) text, then a PT_FreeText with
        the others. A text with no own-language value is a PT_FreeText alone (the character string
        is optional), so that no language is passed off as the record's."""
        if not text:
            return
        key = self.main if self.main in text else "und" if "und" in text else None
        others = [(lang, value) for lang, value in text.items() if lang != key and lang in self.locale_ids]
        if key is not None and not others:
            self.string(parent, path, text[key], href)
            return
        ft = self.pk.free_text
        prop = self.add(parent, path, {f"{{{XSI}}}type": f"{ft}:PT_FreeText_PropertyType"})
        if href:  # an empty anchor still carries the URI
            self.add(prop, self.pk.anchor, {f"{{{XLINK}}}href": href}).text = text.get(key or "")
        elif key is not None:
            self.add(prop, "gco:CharacterString").text = text[key]
        free = self.add(prop, f"{ft}:PT_FreeText")
        for lang, value in others:
            localised = {"locale": f"#{self.locale_ids[lang]}"}
            self.add(free, f"{ft}:textGroup/{ft}:LocalisedCharacterString", localised).text = value

    def code(self, parent: etree._Element, path: str, element: str, value: str | None) -> None:
        """A code list property (`element` is the prefixed code element, e.g. `gmd:CI_RoleCode`)."""
        if value is None:
            return
        name = element.partition(":")[2]
        attrib = {"codeList": f"{self.pk.codelists}#{name}", "codeListValue": value}
        self.add(parent, f"{path}/{element}", attrib).text = value

    def date(self, parent: etree._Element, path: str, value: date | None) -> None:
        """A gco:Date, or a gco:DateTime for datetimes (date precision kept)."""
        if value is None:
            return
        if isinstance(value, datetime):
            self.add(parent, f"{path}/gco:DateTime").text = format_instant(value)
        else:
            self.add(parent, f"{path}/gco:Date").text = value.isoformat()

    def nil(self, parent: etree._Element, path: str, reason: str = "missing") -> None:
        """An empty property that says why it is empty (for mandatory properties we have no value for)."""
        self.add(parent, path, {self.tag("gco:nilReason"): reason})

    def language(self, parent: etree._Element, path: str, code: str) -> None:
        """A LanguageCode property with its ISO 639-2 code."""
        attrib = {"codeList": LANGUAGE_CODES, "codeListValue": code}
        self.add(parent, path, attrib).text = code


def party_kind(contact: Contact) -> str:
    """How to write a contact: "person", "organisation", or "position" (a party named by its position)."""
    if contact.kind in ("person", "organisation"):
        return contact.kind
    if contact.organisation and contact.name != contact.organisation:
        return "person"
    if contact.organisation is None and contact.description == contact.name:
        return "position"
    return "organisation"


def record_languages(record: Record) -> tuple[str, list[str]]:
    """The BCP 47 tag of the record's own language and every other language its texts use."""
    main = bcp47(record.language) if record.language else next(iter(record.title), "und")
    texts: list[LangText] = [
        record.title,
        record.abstract,
        record.lineage,
        *(k.label for k in record.keywords),
    ]
    others = list(dict.fromkeys(lang for text in texts for lang in text if lang not in (main, "und")))
    return main, others


def write_locale(w: Writer, parent: etree._Element, path: str, lang: str, language_prop: str) -> None:
    """A PT_Locale declaration (`language_prop` is languageCode in 19139, language in 19115-3)."""
    ft = w.pk.free_text
    locale = w.add(parent, f"{path}/{ft}:PT_Locale", {"id": w.locale_ids[lang]})
    w.language(locale, f"{ft}:{language_prop}/{ft}:LanguageCode", iso639_2(lang))
    w.code(locale, f"{ft}:characterEncoding", f"{ft}:MD_CharacterSetCode", "utf8")


def all_keywords(record: Record, main: str) -> list[Keyword]:
    """The record's keywords, plus a keyword for each of its INSPIRE themes no keyword stands for yet."""
    present = {
        inspire_theme_code(label, k.uri, k.thesaurus) for k in record.keywords for label in k.label.values()
    }
    extra = []
    for theme in record.inspire_themes:
        code = inspire_theme_for(theme)
        if code is None or code not in present:
            label = inspire_theme_label(code, main) if code else theme
            uri = INSPIRE_THEME_URI + code if code else None
            thesaurus_uri = known_thesaurus_uri(INSPIRE_THEMES_THESAURUS)
            extra.append(Keyword({main: label}, INSPIRE_THEMES_THESAURUS, uri, thesaurus_uri))
            present.add(code)
    return [*record.keywords, *extra]


def write_keywords(w: Writer, parent: etree._Element, keywords: list[Keyword]) -> None:
    """descriptiveKeywords blocks: consecutive keywords of one thesaurus share a block."""
    i, c = w.pk.ident, w.pk.cit
    for (thesaurus, thesaurus_uri), group in groupby(keywords, key=lambda k: (k.thesaurus, k.thesaurus_uri)):
        block = w.add(parent, f"{i}:descriptiveKeywords/{i}:MD_Keywords")
        for keyword in group:
            w.text(block, f"{i}:keyword", keyword.label, keyword.uri)
        if thesaurus:
            published = KNOWN_THESAURI.get(thesaurus, (None, None))[1]
            citation = w.add(block, f"{i}:thesaurusName/{c}:CI_Citation")
            w.string(citation, f"{c}:title", thesaurus, thesaurus_uri or known_thesaurus_uri(thesaurus))
            write_ci_dates(
                w, citation, [("publication", date.fromisoformat(published) if published else None)]
            )


def write_ci_dates(w: Writer, citation: etree._Element, dates: list[tuple[str, date | None]]) -> None:
    """CI_Date entries of a citation; a nil date when there is none (the property is mandatory)."""
    c = w.pk.cit
    written = False
    for kind, value in dates:
        if value is not None:
            ci_date = w.add(citation, f"{c}:date/{c}:CI_Date")
            w.date(ci_date, f"{c}:date", value)
            w.code(ci_date, f"{c}:dateType", f"{c}:CI_DateTypeCode", kind)
            written = True
    if not written:
        w.nil(citation, f"{c}:date", "unknown")


def write_constraints(w: Writer, parent: etree._Element, path: str, constraints: Constraints) -> None:
    """resourceConstraints blocks (`path` is the prefixed property name) in the order of plan_constraints."""
    k = w.pk.con
    for block in plan_constraints(constraints, w.anchors):
        element = w.add(parent, f"{path}/{k}:{block.kind}")
        w.strings(element, f"{k}:useLimitation", block.limitations)
        for value in block.access:
            w.code(element, f"{k}:accessConstraints", f"{k}:MD_RestrictionCode", value)
        for value in block.use:
            w.code(element, f"{k}:useConstraints", f"{k}:MD_RestrictionCode", value)
        for text, href in block.statements:
            w.string(element, f"{k}:otherConstraints", text, href)
        w.code(element, f"{k}:classification", f"{k}:MD_ClassificationCode", block.classification)


def write_extent(w: Writer, parent: etree._Element, path: str, record: Record) -> None:
    """One EX_Extent with the boxes, the polygon and the temporal extents of the record."""
    extent = record.extent
    if not (extent.bboxes or extent.geometry or extent.intervals):
        return
    x = w.pk.ext
    element = w.add(parent, f"{path}/{x}:EX_Extent")
    for box in extent.bboxes:
        geo = w.add(element, f"{x}:geographicElement/{x}:EX_GeographicBoundingBox")
        for side, value in (
            ("west", box.west),
            ("east", box.east),
            ("south", box.south),
            ("north", box.north),
        ):
            name = f"{side}BoundLongitude" if side in ("west", "east") else f"{side}BoundLatitude"
            w.add(geo, f"{x}:{name}/gco:Decimal").text = repr(float(value))
    if extent.geometry:
        polygon = w.add(element, f"{x}:geographicElement/{x}:EX_BoundingPolygon")
        shapes = gml.write_geometry(w.add(polygon, f"{x}:polygon"), dict(extent.geometry), "extent-polygon")
        for shape in shapes[1:]:  # one GML geometry per polygon property
            w.add(polygon, f"{x}:polygon").append(shape)
    for n, interval in enumerate(extent.intervals, 1):
        holder = w.add(element, f"{x}:temporalElement/{x}:EX_TemporalExtent/{x}:extent")
        gml.write_period(holder, interval, f"extent-period-{n}")


def write_online(w: Writer, parent: etree._Element, path: str, link: Distribution) -> None:
    """A CI_OnlineResource property."""
    c = w.pk.cit
    resource = w.add(parent, f"{path}/{c}:CI_OnlineResource")
    w.add(resource, f"{c}:linkage/{w.pk.url}").text = link.url
    w.anchored(resource, f"{c}:protocol", link.protocol)
    w.string(resource, f"{c}:name", link.name)
    w.string(resource, f"{c}:description", link.description)
    w.code(resource, f"{c}:function", f"{c}:CI_OnLineFunctionCode", link.function)


def write_resolution(w: Writer, parent: etree._Element, resolution: Resolution) -> None:
    """A spatialResolution: a scale denominator or a ground distance (MD_Resolution is one or the other)."""
    i = w.pk.ident
    element = w.add(parent, f"{i}:spatialResolution/{i}:MD_Resolution")
    if resolution.scale_denominator is not None:
        path = f"{i}:equivalentScale/{i}:MD_RepresentativeFraction/{i}:denominator/gco:Integer"
        w.add(element, path).text = str(resolution.scale_denominator)
    elif resolution.distance is not None:
        attrib = {"uom": resolution.unit or "m"}
        w.add(element, f"{i}:distance/gco:Distance", attrib).text = repr(float(resolution.distance))


def transfer_size(size: str) -> str | None:
    """The transferSize (megabytes) text of a size like `12.5 MB` or `3 GB`; None when not a size."""
    match = _SIZE.match(size)
    if not match:
        return None
    number, unit = match.group(1), (match.group(2) or "MB").lower()
    if unit in ("mb", "mib"):
        return number
    factor = _MB.get(unit)
    return f"{float(number) * factor:g}" if factor else None


def serialise(root: etree._Element) -> bytes:
    """The document as UTF-8 bytes with an XML declaration."""
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
