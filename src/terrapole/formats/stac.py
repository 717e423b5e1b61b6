"""STAC 1.x Collections and Items to and from canonical records.

Written by hand rather than through pystac objects: ingest runs at tens of thousands of items
per second and pystac's object model costs more than the whole store write. pystac remains the
oracle in the tests (validation and round trips).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson
import shapely

from terrapole.core.errors import InvalidParameter, InvalidRecord
from terrapole.core.model import BBox, Collection, Contact, Extent, Item, Keyword, Link, Provenance
from terrapole.core.timeutil import format_instant, parse_instant

STAC_VERSION = "1.1.0"
# Links the serving catalog builds itself; those of a source catalog point into the source.
STRUCTURAL_RELS = frozenset(
    {
        "self",
        "root",
        "parent",
        "collection",
        "items",
        "child",
        "item",
        "http://www.opengis.net/def/rel/ogc/1.0/queryables",
        "aggregate",
        "aggregations",
    }
)
ITEM_KEYS = frozenset(
    {
        "type",
        "stac_version",
        "stac_extensions",
        "id",
        "collection",
        "geometry",
        "bbox",
        "properties",
        "assets",
        "links",
    }
)
COLLECTION_KEYS = frozenset(
    {
        "type",
        "stac_version",
        "stac_extensions",
        "id",
        "title",
        "description",
        "keywords",
        "license",
        "providers",
        "extent",
        "summaries",
        "links",
        "assets",
        "terrapole:pole",
        "terrapole:access",
        "terrapole:translations",
    }
)
DEFAULT_LANGUAGE = "en"
RAW_BBOX = "bbox"


def parse_item(obj: Mapping[str, Any], collection: str | None = None) -> Item:
    """A canonical Item from a STAC Item (GeoJSON Feature) dict."""
    if not isinstance(obj, Mapping) or obj.get("type") != "Feature":
        raise InvalidRecord("a STAC Item must be a GeoJSON Feature object")
    item_id = _required_str(obj, "id")
    collection_id = obj.get("collection") or collection
    if not isinstance(collection_id, str) or not collection_id:
        raise InvalidRecord(f"item {item_id!r} names no collection")
    properties = obj.get("properties")
    if not isinstance(properties, Mapping):
        raise InvalidRecord(f"item {item_id!r} has no properties object")
    geometry = obj.get("geometry")
    bbox, raw_bbox = _item_bbox(item_id, obj.get("bbox"), geometry)
    nominal, start, end = _item_times(item_id, properties)
    extra = {key: value for key, value in obj.items() if key not in ITEM_KEYS}
    if raw_bbox is not None:
        extra[RAW_BBOX] = raw_bbox
    return Item(
        id=item_id,
        collection=collection_id,
        geometry=geometry,
        bbox=bbox,
        datetime=nominal,
        start=start,
        end=end,
        properties=properties,
        assets=obj.get("assets") or {},
        links=tuple(parse_links(obj.get("links"))),
        stac_extensions=tuple(obj.get("stac_extensions") or ()),
        extra=extra,
    )


def encode_item(item: Item, links: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The STAC 1.1 Item dict of a canonical Item, with `links` placed before its own links."""
    bbox = item.extra.get(RAW_BBOX) or (item.bbox.as_list() if item.bbox else None)
    out: dict[str, Any] = {
        "type": "Feature",
        "stac_version": STAC_VERSION,
        "stac_extensions": list(item.stac_extensions),
        "id": item.id,
        "collection": item.collection,
        "geometry": item.geometry,
    }
    if bbox is not None:
        out["bbox"] = bbox
    out["properties"] = item.properties
    out["links"] = [*links, *(encode_link(link) for link in item.links)]
    out["assets"] = item.assets
    out.update((k, v) for k, v in item.extra.items() if k != RAW_BBOX)
    return out


def parse_collection(obj: Mapping[str, Any], provenance: Provenance | None = None) -> Collection:
    """A canonical Collection from a STAC Collection dict (translations kept per language)."""
    if not isinstance(obj, Mapping) or obj.get("type") != "Collection":
        raise InvalidRecord("a STAC Collection must have type 'Collection'")
    collection_id = _required_str(obj, "id")
    lang = _own_language(obj)
    translations = obj.get("terrapole:translations") or {}
    title = {lang: str(obj.get("title") or collection_id)}
    description = {lang: str(obj.get("description") or "")}
    keywords = [Keyword({lang: str(k)}) for k in obj.get("keywords") or ()]
    for other, text in translations.items():
        if text.get("title"):
            title[other] = text["title"]
        if text.get("description"):
            description[other] = text["description"]
        keywords.extend(Keyword({other: str(k)}) for k in text.get("keywords") or ())
    return Collection(
        id=collection_id,
        title=title,
        description=description,
        keywords=tuple(keywords),
        pole=obj.get("terrapole:pole"),
        license=str(obj.get("license") or "other"),
        providers=tuple(_parse_provider(p) for p in obj.get("providers") or ()),
        extent=_parse_extent(collection_id, obj.get("extent")),
        links=tuple(parse_links(obj.get("links"))),
        assets=obj.get("assets") or {},
        summaries=obj.get("summaries") or {},
        stac_extensions=tuple(obj.get("stac_extensions") or ()),
        provenance=(provenance,) if provenance else (),
        access=str(obj.get("terrapole:access") or "open"),
        extra={key: value for key, value in obj.items() if key not in COLLECTION_KEYS},
    )


def encode_collection(collection: Collection, links: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The STAC 1.1 Collection dict of a canonical Collection."""
    lang = next(iter(collection.title), DEFAULT_LANGUAGE)
    out: dict[str, Any] = {
        "type": "Collection",
        "stac_version": STAC_VERSION,
        "stac_extensions": list(collection.stac_extensions),
        "id": collection.id,
        "title": collection.title.get(lang, collection.id),
        "description": collection.description.get(lang, ""),
        "keywords": [k.label[lang] for k in collection.keywords if lang in k.label],
        "license": collection.license,
        "providers": [_encode_provider(p) for p in collection.providers],
        "extent": _encode_extent(collection.extent),
        "links": [*links, *(encode_link(link) for link in collection.links)],
    }
    if collection.summaries:
        out["summaries"] = collection.summaries
    if collection.assets:
        out["assets"] = collection.assets
    if collection.pole:
        out["terrapole:pole"] = collection.pole
    out["terrapole:access"] = collection.access
    translations = _translations(collection, lang)
    if translations:
        out["terrapole:translations"] = translations
    out.update(collection.extra)
    return out


def parse_links(raw: Any) -> Iterable[Link]:
    """The non-structural links of a STAC object (self, root, parent... are rebuilt by the server)."""
    for link in raw or ():
        if not isinstance(link, Mapping) or "href" not in link or "rel" not in link:
            continue
        if link["rel"] in STRUCTURAL_RELS:
            continue
        extra = {k: v for k, v in link.items() if k not in ("href", "rel", "type", "title")}
        yield Link(str(link["href"]), str(link["rel"]), link.get("type"), link.get("title"), extra)


def encode_link(link: Link) -> dict[str, Any]:
    """A STAC link object."""
    out: dict[str, Any] = {"rel": link.rel, "href": link.href}
    if link.type:
        out["type"] = link.type
    if link.title:
        out["title"] = link.title
    out.update(link.extra)
    return out


def _required_str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidRecord(f"missing or empty {key!r}")
    return value


def _item_bbox(item_id: str, raw: Any, geometry: Any) -> tuple[BBox | None, list[float] | None]:
    if raw is not None:
        try:
            box = BBox.from_sequence(raw)
        except (InvalidParameter, TypeError, ValueError) as exc:
            raise InvalidRecord(f"item {item_id!r} has an invalid bbox: {exc}") from None
        return box, (list(raw) if len(raw) == 6 else None)
    if geometry is None:
        return None, None
    try:
        west, south, east, north = shapely.from_geojson(orjson.dumps(geometry).decode()).bounds
    except Exception as exc:  # shapely raises several GEOS error types
        raise InvalidRecord(f"item {item_id!r} has an invalid geometry: {exc}") from None
    return BBox(west, south, east, north), None


def _item_times(
    item_id: str, properties: Mapping[str, Any]
) -> tuple[datetime | None, datetime | None, datetime | None]:
    try:
        nominal = _instant(properties.get("datetime"), "datetime")
        start = _instant(properties.get("start_datetime"), "start_datetime")
        end = _instant(properties.get("end_datetime"), "end_datetime")
    except InvalidParameter as exc:
        raise InvalidRecord(f"item {item_id!r}: {exc.message}") from None
    if nominal is None and (start is None or end is None):
        raise InvalidRecord(f"item {item_id!r}: datetime is null and start/end_datetime are not both set")
    if start is not None and end is not None and start > end:
        raise InvalidRecord(f"item {item_id!r}: start_datetime is after end_datetime")
    return nominal, start, end


def _instant(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidParameter(name, "must be an RFC 3339 string")
    return parse_instant(value, name)


def _own_language(obj: Mapping[str, Any]) -> str:
    language = obj.get("language")
    if isinstance(language, Mapping) and isinstance(language.get("code"), str):
        return str(language["code"])
    return DEFAULT_LANGUAGE


def _parse_provider(raw: Mapping[str, Any]) -> Contact:
    return Contact(
        name=str(raw.get("name", "")),
        roles=tuple(raw.get("roles") or ()),
        url=raw.get("url"),
        description=raw.get("description"),
    )


def _encode_provider(contact: Contact) -> dict[str, Any]:
    out: dict[str, Any] = {"name": contact.name}
    if contact.description:
        out["description"] = contact.description
    if contact.roles:
        out["roles"] = list(contact.roles)
    if contact.url:
        out["url"] = contact.url
    return out


def _parse_extent(collection_id: str, raw: Any) -> Extent:
    if not isinstance(raw, Mapping):
        raise InvalidRecord(f"collection {collection_id!r} has no extent")
    try:
        boxes = tuple(BBox.from_sequence(b) for b in (raw.get("spatial") or {}).get("bbox") or ())
        intervals = tuple(
            (_instant(a, "interval"), _instant(b, "interval"))
            for a, b in (raw.get("temporal") or {}).get("interval") or ()
        )
    except (InvalidParameter, TypeError, ValueError) as exc:
        raise InvalidRecord(f"collection {collection_id!r} has an invalid extent: {exc}") from None
    return Extent(bboxes=boxes, intervals=intervals)


def _encode_extent(extent: Extent) -> dict[str, Any]:
    boxes = [b.as_list() for b in extent.bboxes] or [[-180.0, -90.0, 180.0, 90.0]]
    intervals = [
        [format_instant(a) if a else None, format_instant(b) if b else None] for a, b in extent.intervals
    ] or [[None, None]]
    return {"spatial": {"bbox": boxes}, "temporal": {"interval": intervals}}


def _translations(collection: Collection, lang: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for other in [*collection.title, *collection.description]:
        if other == lang:
            continue
        entry = out.setdefault(other, {})
        if other in collection.title:
            entry["title"] = collection.title[other]
        if other in collection.description:
            entry["description"] = collection.description[other]
    for keyword in collection.keywords:
        for other, label in keyword.label.items():
            if other != lang:
                out.setdefault(other, {}).setdefault("keywords", []).append(label)
    return out
