"""Reading ISO 19115 records (ISO 19139 and ISO 19115-3 encodings) into canonical records.

One engine, one path table per encoding: each format module maps canonical fields to XPath expressions
(as pycsw's mapping tables do), compiled once per thread and per namespace set. The expressions locate
ISO structures (a keyword group, an online resource, a constraints block, a citation date); the engine
then reads each structure's properties by local element name, and those names are the same in both
encodings (`keyword`, `thesaurusName`, `linkage`, `otherConstraints`, `westBoundLongitude`...).

The property readers accept what real catalogues write: gco:CharacterString or an anchor (gmx:Anchor,
gcx:Anchor, with its xlink:href kept where the record has a place for it), a code list element's
codeListValue or its text, gco:Date (kept as a date) or gco:DateTime (an aware UTC datetime).
Multilingual values (PT_FreeText/LocalisedCharacterString) are kept per language with BCP 47 keys, the
record's own language first; locale references (`#FR`) are resolved through the record's PT_Locale
declarations. Unparseable dates are left out rather than refusing a whole harvested record.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree

from terrapole.core.errors import InvalidParameter, InvalidRecord
from terrapole.core.model import BBox, Contact, Extent, Keyword
from terrapole.core.record import Dates, Distribution, Identifier, Record, Related, Resolution
from terrapole.formats import _iso_gml as gml
from terrapole.formats._iso_constraints import read_constraints
from terrapole.formats._iso_gml import children, local
from terrapole.formats._iso_vocab import (
    ANCHORS_KEY,
    bcp47,
    derived_anchor,
    inspire_theme_code,
    inspire_theme_label,
    known_thesaurus_uri,
)

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_TEXT_LEAVES = frozenset({"PT_FreeText"})
_DATE = re.compile(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?(?:Z|[+-]\d{2}:\d{2})?$")
_MAX_COMPILED = 32  # namespace sets compiled per thread (documents choose their namespaces)


class Paths:
    """A path table compiled for one namespace set: canonical field -> XPath."""

    def __init__(self, table: Mapping[str, str], namespaces: Mapping[str, str]) -> None:
        ns = dict(namespaces)
        self._paths = {k: etree.XPath(v, namespaces=ns, smart_strings=False) for k, v in table.items()}

    def nodes(self, key: str, context: etree._Element | None) -> list[Any]:
        """The nodes (elements, or strings for text() and @attribute paths) `key` selects under `context`."""
        if context is None:
            return []
        return self._paths[key](context)  # type: ignore[no-any-return]

    def strings(self, key: str, context: etree._Element | None) -> list[str]:
        """The non-empty stripped strings `key` selects."""
        return [s for s in (str(v).strip() for v in self.nodes(key, context)) if s]

    def first(self, key: str, context: etree._Element | None) -> str | None:
        """The first non-empty string `key` selects, else None."""
        for value in self.nodes(key, context):
            if text := str(value).strip():
                return text
        return None


_LOCAL = threading.local()


def compiled(name: str, table: Mapping[str, str], namespaces: Mapping[str, str]) -> Paths:
    """The table compiled for these namespaces, cached per thread (compiled XPath is not shared)."""
    cache: dict[tuple[str, tuple[tuple[str, str], ...]], Paths] = _LOCAL.__dict__.setdefault("paths", {})
    key = (name, tuple(sorted(namespaces.items())))
    if (paths := cache.get(key)) is None:
        if len(cache) >= _MAX_COMPILED:
            cache.clear()
        paths = cache[key] = Paths(table, namespaces)
    return paths


# --- property readers ----------------------------------------------------------------------------


def string(prop: etree._Element | None) -> str | None:
    """The text of a property: its CharacterString, Anchor, URL, LocalName... child, or its own text."""
    if prop is None:
        return None
    for name, child in children(prop):
        if name not in _TEXT_LEAVES:
            return (child.text or "").strip() or None
    return (prop.text or "").strip() or None


def short_text(prop: etree._Element | None) -> str | None:
    """A title, name or label: `string` with runs of white space (pretty-printing) made single spaces."""
    text = string(prop)
    return " ".join(text.split()) if text else None


def named(prop: etree._Element | None) -> tuple[str | None, str | None]:
    """(name, anchor URI) of a name property."""
    if prop is None:
        return None, None
    text, href = anchor(prop)
    return (" ".join(text.split()) if text else None), href


def anchor(prop: etree._Element) -> tuple[str | None, str | None]:
    """(text, xlink:href) of a property whose value may be an anchor."""
    for name, child in children(prop):
        if name not in _TEXT_LEAVES:
            return (child.text or "").strip() or None, child.get(XLINK_HREF) or None
    return (prop.text or "").strip() or None, prop.get(XLINK_HREF) or None


def code(prop: etree._Element | None) -> str | None:
    """The value of a code list property (codeListValue, else the code element's text)."""
    if prop is None:
        return None
    for _, child in children(prop):
        return (child.get("codeListValue") or child.text or "").strip() or None
    return None


def date_value(prop: etree._Element) -> date | datetime | None:
    """A gco:Date as a date, a gco:DateTime as an aware UTC datetime; None when absent or unreadable."""
    for name, child in children(prop):
        text = (child.text or "").strip()
        if name == "Date" and (match := _DATE.match(text)):
            year, month, day = match.groups()
            try:  # a year or year-month (xs:gYear, xs:gYearMonth) stands for its first day
                return date(int(year), int(month or 1), int(day or 1))
            except ValueError:
                return None
        return gml.parse_time(text)
    return None


@dataclass(frozen=True, slots=True)
class Texts:
    """How to read multilingual text in one record: its own language and its locale declarations."""

    main: str
    locales: Mapping[str, str]

    def read(self, prop: etree._Element | None, short: bool = False) -> dict[str, str]:
        """The text of a property per language, own language first; `short` collapses white space."""
        if prop is None:
            return {}
        main = None
        others: dict[str, str] = {}
        for name, child in children(prop):
            if name == "PT_FreeText":
                for _, group in children(child):
                    for _, localised in children(group):
                        language = self.locales.get(localised.get("locale") or "", "")
                        if (text := (localised.text or "").strip()) and language:
                            others.setdefault(language, text)
            elif main is None:
                main = (child.text or "").strip() or None
        main = main or others.get(self.main)
        texts = {self.main: main} if main else {}
        texts.update((k, v) for k, v in others.items() if k != self.main)
        return {k: " ".join(v.split()) for k, v in texts.items()} if short else texts

    def first(self, props: Iterable[etree._Element], short: bool = False) -> dict[str, str]:
        """The first non-empty multilingual text among `props`."""
        for prop in props:
            if texts := self.read(prop, short):
                return texts
        return {}


def read_locales(paths: Paths, root: etree._Element) -> dict[str, str]:
    """PT_Locale ids (as `#ID` references) -> BCP 47 tags."""
    locales: dict[str, str] = {}
    for locale in paths.nodes("locales", root):
        language = next((code(c) for n, c in children(locale) if n in ("languageCode", "language")), None)
        if language and (locale_id := locale.get("id")):
            locales[f"#{locale_id}"] = bcp47(language)
    return locales


def contact_info(prop: etree._Element | None) -> tuple[str | None, str | None]:
    """(first e-mail address, first online resource URL) of a contactInfo property."""
    email = url = None
    contacts = [c for _, c in children(prop)] if prop is not None else []
    for name, sub in (pair for contact in contacts for pair in children(contact)):
        inner = dict(children(next((c for _, c in children(sub)), sub)))
        if name == "address" and email is None:
            email = string(inner.get("electronicMailAddress"))
        elif name == "onlineResource" and url is None:
            url = string(inner.get("linkage"))
    return email, url


# --- the record ----------------------------------------------------------------------------------

PartyReader = Callable[[etree._Element], list[Contact]]


@dataclass(frozen=True, slots=True)
class Source:
    """One ISO document being read: its root, identification section and compiled paths."""

    root: etree._Element
    ident: etree._Element | None
    paths: Paths
    texts: Texts
    parties: PartyReader
    label: str
    anchors: dict[str, str]

    def strings(self, key: str, on_ident: bool = False) -> list[str]:
        """Strings of `key` under the identification section or the root."""
        return self.paths.strings(key, self.ident if on_ident else self.root)

    def nodes(self, key: str, on_ident: bool = False) -> list[Any]:
        """Nodes of `key` under the identification section or the root."""
        return self.paths.nodes(key, self.ident if on_ident else self.root)

    def note_anchor(self, text: str | None, href: str | None) -> None:
        """Keep the URI of an anchored text, unless the encoders derive it from the text anyway."""
        if text and href and href != text and href != derived_anchor(text):
            self.anchors[text] = href

    def anchored(self, prop: etree._Element | None, short: bool = False) -> str | None:
        """The text of a property that may be an anchor, its URI noted."""
        if prop is None:
            return None
        text, href = anchor(prop)
        text = " ".join(text.split()) if text and short else text
        self.note_anchor(text, href)
        return text

    def contacts(self, key: str, on_ident: bool = False) -> list[Contact]:
        """The contacts of every responsible party `key` selects."""
        return [c for party in self.nodes(key, on_ident) for c in self.parties(party)]


def read_record(root: etree._Element, paths: Paths, parties: PartyReader, label: str) -> Record:
    """The canonical record of an ISO 19115 document, given its encoding's compiled paths."""
    idents = paths.nodes("identification", root)
    ident = idents[0] if idents else None
    language = paths.first("language", root)
    texts = Texts(bcp47(language), read_locales(paths, root))
    src = Source(root, ident, paths, texts, parties, label, {})
    identifiers = _identifiers(src)
    keywords = tuple(_keywords(src))
    record = Record(
        identifier=_record_id(src, identifiers),
        title=_title(src),
        abstract=texts.first(src.nodes("abstract", True)),
        identifiers=identifiers,
        alternate_titles=tuple(filter(None, map(short_text, src.nodes("alternate_titles", True)))),
        hierarchy_level=_hierarchy_level(src),
        resource_type=paths.first("hierarchy_level_name", root),
        service_type=paths.first("service_type", ident),
        language=language,
        languages=tuple(_unique(src.strings("languages", True))),
        keywords=keywords,
        topic_categories=tuple(_unique(src.strings("topic_categories", True))),
        inspire_themes=tuple(_unique(_themes(keywords))),
        contacts=tuple(_unique(_contacts(src))),
        metadata_contacts=tuple(src.contacts("metadata_contacts")),
        lineage=texts.first(src.nodes("lineage")) or _process_steps(src),
        extent=_extent(src),
        resolutions=tuple(_unique(_resolutions(src.nodes("resolutions", True)))),
        reference_systems=tuple(_unique(_reference_systems(src))),
        distributions=tuple(_unique(_distributions(src))),
        formats=tuple(_unique(filter(None, (src.anchored(f, short=True) for f in src.nodes("formats"))))),
        constraints=read_constraints(src.nodes("constraints", True), src.note_anchor),
        dates=_dates(src),
        parent_identifier=paths.first("parent_identifier", root),
        related=tuple(_unique(_related(src))),
        version=paths.first("edition", ident),
        sizes=tuple(f"{size} MB" for size in _unique(src.strings("transfer_sizes"))),
        overviews=tuple(_unique(src.strings("overviews", True))),
        metadata_standard=paths.first("metadata_standard", root),
    )
    # Anchor URIs without a canonical field of their own ride along (see _iso_vocab.ANCHORS_KEY).
    return record.with_changes(extra={ANCHORS_KEY: src.anchors}) if src.anchors else record


def _unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _record_id(src: Source, identifiers: tuple[Identifier, ...]) -> str:
    if file_id := src.paths.first("file_identifier", src.root):
        return file_id
    if identifiers:
        return identifiers[0].code
    raise InvalidRecord(f"{src.label} record has neither a file identifier nor a resource identifier")


def _title(src: Source) -> dict[str, str]:
    if src.ident is None:
        raise InvalidRecord(f"{src.label} record has no identification section (identificationInfo)")
    if title := src.texts.first(src.nodes("title", True), short=True):
        return title
    raise InvalidRecord(f"{src.label} record has no title (identificationInfo citation title)")


def _hierarchy_level(src: Source) -> str:
    if level := src.paths.first("hierarchy_level", src.root):
        return level
    is_service = src.ident is not None and local(src.ident.tag) == "SV_ServiceIdentification"
    return "service" if is_service else "dataset"


def _identifiers(src: Source) -> tuple[Identifier, ...]:
    found = []
    for identifier in src.nodes("identifiers", True):
        props = dict(children(identifier))
        if value := src.anchored(props.get("code")):
            found.append(Identifier(value, string(props.get("codeSpace"))))
    return tuple(_unique(found))


def _keywords(src: Source) -> Iterable[Keyword]:
    for group in src.nodes("keyword_groups", True):
        thesaurus = thesaurus_uri = None
        for name, child in children(group):
            if name == "thesaurusName":
                titles = [anchor(t) for _, c in children(child) for n, t in children(c) if n == "title"]
                thesaurus, thesaurus_uri = next((t for t in titles if t[0]), (None, None))
        if thesaurus:
            thesaurus = " ".join(thesaurus.split())
            src.note_anchor(thesaurus, thesaurus_uri)  # also kept by title, for formats that look it up
            thesaurus_uri = thesaurus_uri or known_thesaurus_uri(thesaurus)
        for name, child in children(group):
            if name == "keyword" and (label := src.texts.read(child, short=True)):
                yield Keyword(label, thesaurus, anchor(child)[1], thesaurus_uri)


def _themes(keywords: Iterable[Keyword]) -> Iterable[str]:
    # Canonical theme names are the registry's English labels, whatever language the record uses.
    for keyword in keywords:
        for label in keyword.label.values():
            if theme := inspire_theme_code(label, keyword.uri, keyword.thesaurus):
                yield inspire_theme_label(theme, "en")
                break


def _contacts(src: Source) -> Iterable[Contact]:
    yield from src.contacts("cited_parties", True)
    yield from src.contacts("points_of_contact", True)
    yield from src.contacts("distributor_contacts")


def _process_steps(src: Source) -> dict[str, str]:
    steps = [t for t in (src.texts.read(p) for p in src.nodes("process_steps")) if t]
    if not steps:
        return {}
    languages = _unique(language for step in steps for language in step)
    return {lang: "\n".join(s[lang] for s in steps if lang in s) for lang in languages}


def _extent(src: Source) -> Extent:
    boxes: list[BBox] = []
    geometries: list[dict[str, Any]] = []
    intervals: list[gml.Interval] = []
    for extent in src.nodes("extents", True):
        for name, element in children(extent):
            for _, part in children(element):
                if name == "geographicElement":
                    _geographic(src, part, boxes, geometries)
                elif name == "temporalElement":
                    intervals.extend(_temporal(part))
    return Extent(tuple(_unique(boxes)), _one_geometry(geometries), tuple(_unique(intervals)))


def _geographic(src: Source, part: etree._Element, boxes: list[BBox], shapes: list[dict[str, Any]]) -> None:
    props = dict(children(part))
    if code(props.get("extentTypeCode")) in ("0", "false"):
        return  # an exclusion zone, not where the data lies
    kind = local(part.tag)
    if kind == "EX_GeographicBoundingBox":
        sides = ("westBoundLongitude", "southBoundLatitude", "eastBoundLongitude", "northBoundLatitude")
        try:
            boxes.append(BBox.from_sequence([float(string(props.get(s)) or "nan") for s in sides]))
        except (InvalidParameter, ValueError) as error:
            raise InvalidRecord(f"{src.label} record has an invalid bounding box: {error}") from None
    elif kind == "EX_BoundingPolygon":
        for name, polygon in children(part):
            if name == "polygon":
                shapes.extend(g for _, el in children(polygon) if (g := gml.read_geometry(el)))


def _one_geometry(geometries: list[dict[str, Any]]) -> dict[str, Any] | None:
    if len(geometries) <= 1:
        return geometries[0] if geometries else None
    if all(g["type"] == "Polygon" for g in geometries):
        return {"type": "MultiPolygon", "coordinates": [g["coordinates"] for g in geometries]}
    return {"type": "GeometryCollection", "geometries": geometries}


def _temporal(part: etree._Element) -> Iterable[gml.Interval]:
    for name, holder in children(part):
        if name == "extent":
            for _, element in children(holder):
                interval = gml.read_interval(element)
                if interval is not None and interval != (None, None):
                    yield interval


def _resolutions(resolutions: Iterable[etree._Element]) -> Iterable[Resolution]:
    for resolution in resolutions:
        for name, prop in children(resolution):
            value = next((c for _, c in children(prop)), None)
            if name == "equivalentScale" and value is not None:
                denominator = next((string(p) for n, p in children(value) if n == "denominator"), None)
                if denominator and denominator.isdigit():
                    yield Resolution(scale_denominator=int(denominator))
            elif name == "distance" and value is not None and _is_number(value.text):
                yield Resolution(distance=float(value.text or ""), unit=value.get("uom"))


def _is_number(text: str | None) -> bool:
    return bool(text and re.fullmatch(r"\s*[-+]?\d+(\.\d*)?([eE][-+]?\d+)?\s*", text))


def _reference_systems(src: Source) -> Iterable[str]:
    for identifier in src.nodes("reference_systems"):
        props = dict(children(identifier))
        value = src.anchored(props.get("code"))
        space = string(props.get("codeSpace"))
        if value and value.isdigit() and space:
            yield f"{space}:{value}"
        elif value:
            yield value


def _distributions(src: Source) -> Iterable[Distribution]:
    for resource in [*src.nodes("online"), *src.nodes("connect_points", True)]:
        props = dict(children(resource))
        if url := string(props.get("linkage")):
            yield Distribution(
                url=url,
                protocol=src.anchored(props.get("protocol")),
                name=string(props.get("name")),
                description=string(props.get("description")),
                function=code(props.get("function")),
            )


def _dates(src: Source) -> Dates:
    found: dict[str, date | datetime] = {}
    for ci_date in src.nodes("citation_dates", True):
        props = dict(children(ci_date))
        kind = code(props.get("dateType"))
        if kind and "date" in props and (value := date_value(props["date"])) is not None:
            found.setdefault(kind.lower(), value)
    # The metadata date: the preferred path (19115-3: the revision date), else any.
    stamp = next(filter(None, map(date_value, src.nodes("metadata_date"))), None)
    stamp = stamp or next(filter(None, map(date_value, src.nodes("metadata_date_any"))), None)
    return Dates(
        created=found.get("creation"),
        published=found.get("publication"),
        revised=found.get("revision"),
        metadata=stamp,
    )


def _related(src: Source) -> Iterable[Related]:
    for association in src.nodes("aggregations", True):
        identifier = scheme = title = relation = None
        for name, prop in children(association):
            if name in ("aggregateDataSetIdentifier", "metadataReference", "aggregateDataSetName", "name"):
                found = _citation_or_identifier(prop)
                identifier, scheme = identifier or found[0], scheme or found[1]
                title = title or found[2]
            elif name == "associationType":
                relation = code(prop)
        if identifier:
            yield Related(identifier, relation or "crossReference", scheme, title)
    for operated in src.nodes("operates_on", True):
        if target := operated.get("uuidref") or operated.get(XLINK_HREF):
            yield Related(target, "operatesOn")


def _citation_or_identifier(prop: etree._Element) -> tuple[str | None, str | None, str | None]:
    if target := prop.get("uuidref") or prop.get(XLINK_HREF):
        return target, None, None
    for name, element in children(prop):
        props = dict(children(element))
        if name in ("MD_Identifier", "RS_Identifier"):
            return string(props.get("code")), string(props.get("codeSpace")), None
        if name == "CI_Citation":
            ids = [
                dict(children(i)) for n, p in children(element) if n == "identifier" for _, i in children(p)
            ]
            first = ids[0] if ids else {}
            return string(first.get("code")), string(first.get("codeSpace")), string(props.get("title"))
    return None, None, None
