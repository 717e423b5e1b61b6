"""What the dataset page shows, read from a collection's canonical record in one language.

The view holds plain values only; the template escapes every one of them (harvested records are
untrusted), and URLs taken from records are kept only when they are http(s) or mailto, so that a
`javascript:` link in a record never becomes a link on the page.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from terrapole.core.model import BBox, Collection, Keyword, pick_language
from terrapole.core.record import Record, record_from_collection
from terrapole.portal.i18n import LANGUAGES, Translator
from terrapole.portal.poles import pole_name

SAFE_SCHEMES = ("http", "https", "mailto")
SPDX_LICENSES = "https://spdx.org/licenses/{}.html"
# Access levels with a state on the page; anything else shows as restricted.
ACCESS_LEVELS = ("open", "embargo", "licensed", "eligible", "restricted")


@dataclass(frozen=True, slots=True)
class KeywordView:
    """A keyword in the page's language, with its concept and vocabulary when known; its search
    is by concept (and narrower ones) when the catalog's vocabularies hold it, else by its words."""

    label: str
    search_url: str
    by_concept: bool = False
    concept_url: str | None = None
    vocabulary: str | None = None
    vocabulary_url: str | None = None


@dataclass(frozen=True, slots=True)
class ContactView:
    """A party responsible for the dataset."""

    name: str
    organisation: str | None
    roles: tuple[str, ...]
    email: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class AccessView:
    """The access state of the data and the action it allows (placeholder until access policies)."""

    level: str
    title: str
    text: str
    action_label: str | None = None
    action_url: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DatasetView:
    """Everything the dataset page displays."""

    id: str
    identifier: str
    title: str
    paragraphs: tuple[str, ...]
    pole: str | None
    pole_name: str
    keywords: tuple[KeywordView, ...]
    bboxes: tuple[BBox, ...]
    periods: tuple[str, ...]
    contacts: tuple[ContactView, ...]
    licence: str | None
    licence_url: str | None
    access_conditions: tuple[str, ...]
    use_conditions: tuple[str, ...]
    access: AccessView
    doi: str | None
    version: str | None
    data_formats: tuple[str, ...]
    dates: tuple[tuple[str, str], ...]  # (message key, ISO date)
    links: tuple[tuple[str, str | None], ...]  # (name, URL when it is a safe one)
    extent_geojson: dict[str, Any] = field(default_factory=dict)


def dataset_view(
    collection: Collection, lang: str, base: str, concepts: Container[str] = frozenset()
) -> tuple[DatasetView, Record]:
    """The view of `collection` in `lang`; `base` is the public URL prefix, `concepts` the concept
    URIs the catalog's vocabularies hold. Also gives its record."""
    record = record_from_collection(collection)
    t = Translator(lang)
    segment = quote(collection.id, safe="")
    constraints = record.constraints
    view = DatasetView(
        id=collection.id,
        identifier=record.identifier,
        title=pick_language(record.title, lang) or collection.id,
        paragraphs=_paragraphs(pick_language(record.abstract, lang)),
        pole=record.pole,
        pole_name=pole_name(record.pole, lang),
        keywords=tuple(_keywords(record.keywords, lang, concepts)),
        bboxes=record.extent.bboxes,
        periods=tuple(_period(start, end, t) for start, end in record.extent.intervals),
        contacts=tuple(_contact(c.name, c.organisation, c.roles, c.email, c.url, t) for c in record.contacts),
        licence=constraints.license or _stac_licence(collection),
        licence_url=_licence_url(record, collection),
        access_conditions=(*constraints.access, *constraints.other),
        use_conditions=(*constraints.use, *constraints.use_limitations),
        access=_access(record, t, f"{base}/stac/collections/{segment}/items"),
        doi=record.doi,
        version=record.version,
        data_formats=record.formats,
        dates=tuple(
            (f"dataset.{name}", value.isoformat()[:10])
            for name, value in (
                ("created", record.dates.created),
                ("published", record.dates.published),
                ("revised", record.dates.revised),
            )
            if value
        ),
        links=tuple((d.name or d.url, safe_url(d.url)) for d in record.distributions),
        extent_geojson=_extent_geojson(record),
    )
    return view, record


def safe_url(url: str | None) -> str | None:
    """`url` when it is an http(s) or mailto URL, else None."""
    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in SAFE_SCHEMES else None


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip())


def _keywords(keywords: Sequence[Keyword], lang: str, concepts: Container[str]) -> list[KeywordView]:
    # Sources give one keyword per language (STAC translations) or several labels per keyword:
    # show those labelled in the page's language, plus those in no interface language.
    labelled = [k for k in keywords if lang in k.label or not any(code in k.label for code in LANGUAGES)]
    chosen = labelled or list(keywords)
    out: dict[str, KeywordView] = {}
    for keyword in chosen:
        label = pick_language(keyword.label, lang)
        if not label or label in out:
            continue
        known = bool(keyword.uri) and keyword.uri in concepts
        search = {"concept": keyword.uri} if known else {"q": label}
        out[label] = KeywordView(
            label=label,
            search_url="/?" + urlencode(search),
            by_concept=known,
            concept_url=safe_url(keyword.uri),
            vocabulary=keyword.thesaurus,
            vocabulary_url=safe_url(keyword.thesaurus_uri),
        )
    return list(out.values())


def _period(start: datetime | None, end: datetime | None, t: Translator) -> str:
    if start and end:
        return t("dataset.period", start=_day(start), end=_day(end))
    if start:
        return t("dataset.since", start=_day(start))
    if end:
        return t("dataset.until", end=_day(end))
    return t("result.unknown")


def _day(value: datetime) -> str:
    return value.date().isoformat()


def _contact(
    name: str,
    organisation: str | None,
    roles: Sequence[str],
    email: str | None,
    url: str | None,
    t: Translator,
) -> ContactView:
    mail = f"mailto:{email}" if email and "@" in email and ":" not in email else None
    return ContactView(
        name=name,
        organisation=organisation if organisation != name else None,
        roles=tuple(t.role(role) for role in roles),
        email=safe_url(mail) and email,
        url=safe_url(url),
    )


def _stac_licence(collection: Collection) -> str | None:
    return None if collection.license in ("other", "proprietary", "various", "") else collection.license


def _licence_url(record: Record, collection: Collection) -> str | None:
    if url := safe_url(record.constraints.license_url):
        return url
    for link in collection.links:
        if link.rel == "license" and (url := safe_url(link.href)):
            return url
    for distribution in record.distributions:
        if distribution.function == "license" and (url := safe_url(distribution.url)):
            return url
    licence = record.constraints.license or _stac_licence(collection)
    if licence and " " not in licence and "/" not in licence:
        return SPDX_LICENSES.format(quote(licence, safe=""))
    return None


def _access(record: Record, t: Translator, items_url: str) -> AccessView:
    level = record.access if record.access in ACCESS_LEVELS else "restricted"
    title, text = t(f"access.{level}"), t(f"access.{level}_text")
    if level == "open":
        download = next(
            (safe_url(d.url) for d in record.distributions if d.function == "download" and safe_url(d.url)),
            None,
        )
        if download:
            return AccessView(level, title, text, t("access.download"), download)
        return AccessView(level, title, text, t("access.browse"), items_url)
    if level == "embargo":
        return AccessView(level, title, text)
    return AccessView(level, title, text, t("access.request"), None, t("access.pending_service"))


def _extent_geojson(record: Record) -> dict[str, Any]:
    """The extent as GeoJSON for the page's map: the geometry when known, else the boxes."""
    features: list[Mapping[str, Any]] = []
    if record.extent.geometry:
        features.append({"type": "Feature", "properties": {}, "geometry": record.extent.geometry})
    else:
        for box in record.extent.bboxes:
            features.extend(
                {"type": "Feature", "properties": {}, "geometry": _box_polygon(part)} for part in box.parts()
            )
    return {"type": "FeatureCollection", "features": features}


def _box_polygon(box: BBox) -> dict[str, Any]:
    w, s, e, n = box.west, box.south, box.east, box.north
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}
