"""How canonical records are laid out in a store's rows (shared by every backend)."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

import orjson
from pydantic import TypeAdapter

from terrapole.core.facets import collection_concepts, item_concepts, item_strings
from terrapole.core.model import BBox, Collection, Item
from terrapole.core.record import RECORD_KEY, as_datetime, catalog_id, record_from_collection
from terrapole.core.timeutil import from_micros, to_micros
from terrapole.core.vocab import Vocabulary
from terrapole.formats.stac import encode_link, parse_links

_COLLECTION = TypeAdapter(Collection)


def collection_to_json(collection: Collection) -> bytes:
    """The stored JSON form of a collection (every canonical field, provenance included)."""
    return _COLLECTION.dump_json(collection)


def collection_from_json(data: bytes | str) -> Collection:
    """Inverse of `collection_to_json`."""
    return _COLLECTION.validate_json(data)


# STAC common metadata copied into columns of their own: filters and sorts on them read a
# column instead of parsing the properties JSON of every row they scan.
PROMOTED: dict[str, str] = {
    "platform": "platform",
    "constellation": "constellation",
    "gsd": "gsd",
    "eo:cloud_cover": "cloud_cover",
}


def promoted_values(item: Item) -> list[Any]:
    """The promoted properties of an item, in `PROMOTED` order (None when absent or not scalar)."""
    props = item.properties
    values = [props.get(name) for name in PROMOTED]
    for index, value in enumerate(values):
        if value is not None and type(value) not in _SCALARS:
            values[index] = int(value) if isinstance(value, bool) else None
    return values


_SCALARS = frozenset({str, int, float})


def item_properties(item: Item) -> bytes:
    """The stored JSON of an item's properties."""
    return orjson.dumps(item.properties)


def item_content(item: Item) -> bytes:
    """The stored JSON of an item's open-ended parts (properties and indexed parts live apart)."""
    return orjson.dumps(
        {
            "g": item.geometry,
            "a": item.assets,
            "l": [encode_link(link) for link in item.links],
            "x": item.stac_extensions,
            "e": item.extra,
        }
    )


def item_times(item: Item) -> tuple[int | None, int | None, int | None]:
    """The (sort instant, start, end) of an item in microseconds, as stored in columns."""
    nominal = item.sort_datetime
    start = item.start or item.datetime
    end = item.end or item.datetime
    return (
        to_micros(nominal) if nominal else None,
        to_micros(start) if start else None,
        to_micros(end) if end else None,
    )


class Row(Protocol):
    """A database row readable by column name (sqlite3.Row, psycopg dict rows)."""

    def __getitem__(self, key: str) -> Any: ...


def collection_parent(collection: Collection) -> str | None:
    """The collection id of the series a collection belongs to (from the parent identifier of the
    record it carries)."""
    stored = collection.extra.get(RECORD_KEY)
    parent = stored.get("parent_identifier") if isinstance(stored, Mapping) else None
    return catalog_id(parent) if isinstance(parent, str) and parent.strip() else None


# The leading columns of a collection row in every store, in order (`collection_head` gives their
# values); each store follows them with its own time, record and facet columns.
COLLECTION_HEAD = ("id", "pole", "title", "description", "license", "minx", "miny", "maxx", "maxy")


def collection_head(collection: Collection) -> list[Any]:
    """The values of `COLLECTION_HEAD` for a collection."""
    return [
        collection.id,
        collection.pole,
        next(iter(collection.title.values()), collection.id),
        "\n".join(collection.description.values()),
        collection.license,
        *collection_corners(collection),
    ]


def collection_corners(collection: Collection) -> list[float | None]:
    """The collection's overall box as stored (west, south, east, north); a box across the
    antimeridian is stored as the full longitude range, and no box as four NULLs."""
    box = collection.extent.bbox
    if box is None:
        return [None] * 4
    if box.crosses_antimeridian:
        return [-180.0, box.south, 180.0, box.north]
    return [*box.as_list()]


def item_from_row(row: Row) -> Item:
    """Rebuild an item from the columns of `ITEM_COLUMNS` and its stored JSON."""
    data: dict[str, Any] = orjson.loads(row["content"])
    props = orjson.loads(row["props"])
    dt, start, end = row["dt"], row["s"], row["e"]
    west = row["minx"]
    return Item(
        id=row["id"],
        collection=row["collection"],
        geometry=data["g"],
        bbox=None if west is None else BBox(west, row["miny"], row["maxx"], row["maxy"]),
        datetime=from_micros(dt) if row["has_dt"] and dt is not None else None,
        start=from_micros(start) if start is not None and props.get("start_datetime") else None,
        end=from_micros(end) if end is not None and props.get("end_datetime") else None,
        properties=props,
        assets=data["a"],
        links=tuple(parse_links(data["l"])),
        stac_extensions=tuple(data["x"]),
        extra=data["e"],
    )


def property_types(items: Iterable[Item], core: Container[str] = ()) -> dict[tuple[str, str], str]:
    """The JSON type of each (collection, property name) the items carry, first seen wins.

    Every store records these as the item queryables; `core` names are left out.
    """
    seen: set[tuple[str, tuple[str, ...]]] = set()
    found: dict[tuple[str, str], str] = {}
    for item in items:
        signature = (item.collection, tuple(item.properties))
        if signature in seen:  # items of one collection mostly share their property names
            continue
        seen.add(signature)
        for name, value in item.properties.items():
            kind = json_type(value)
            if kind and name not in core:
                found.setdefault((item.collection, name), kind)
    return found


def json_type(value: Any) -> str | None:
    """The JSON Schema type of a JSON value (None for null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


ITEM_TEXT_FIELDS = ("description", "keywords", "platform", "instruments", "constellation", "mission")
# Languages whose words collections also index stemmed (French and English text searches).
TEXT_LANGUAGES = ("fr", "en")


@dataclass(frozen=True, slots=True)
class TextDoc:
    """What the index holds of one record.

    `title` and `body` hold the words of every language; `languages` maps a language of
    `TEXT_LANGUAGES` to its own (title, body), for stemmed search. `concepts` is the closure of
    the record's concepts (each one and every broader one), which concept filters match;
    `own_concepts` the concepts themselves, and `platform`, `instruments` and `year`, what
    facets count.
    """

    rid: int
    title: str
    body: str
    collection: str = ""
    start: int | None = None
    end: int | None = None
    bbox: BBox | None = None
    concepts: tuple[str, ...] = ()
    own_concepts: tuple[str, ...] = ()
    platform: str | None = None
    instruments: tuple[str, ...] = ()
    year: int | None = None
    languages: Mapping[str, tuple[str, str]] = field(default_factory=dict)


def item_text(
    rid: int, item: Item, start: int | None, end: int | None, vocabulary: Vocabulary | None = None
) -> TextDoc:
    """What the text index holds of an item: its words and the labels of its concepts."""
    props = item.properties
    words = [item.id, item.collection]
    for name in ITEM_TEXT_FIELDS:
        value = props.get(name)
        if value is None:
            continue
        if isinstance(value, str):
            words.append(value)
        else:
            words.extend(_strings(value))
    concepts = item_concepts(item)
    if vocabulary is not None:
        words.extend(label for _, label in concept_labels(vocabulary, concepts))
    platform = props.get("platform")
    when = item.sort_datetime
    return TextDoc(
        rid,
        str(props.get("title") or ""),
        " ".join(words),
        item.collection,
        start,
        end,
        item.bbox,
        concepts=tuple(sorted(vocabulary.closure(concepts))) if vocabulary is not None else concepts,
        own_concepts=concepts,
        platform=platform if isinstance(platform, str) else None,
        instruments=item_strings(item, "instruments"),
        year=when.astimezone(UTC).year if when else None,
    )


def collection_text(collection: Collection, vocabulary: Vocabulary | None = None) -> TextDoc:
    """What the text index holds of a collection (row id, time and box left to the store)."""
    concepts = collection_concepts(collection)
    labels = concept_labels(vocabulary, concepts) if vocabulary is not None else []
    words = [collection.id, collection.pole or "", *collection.description.values()]
    words.extend(label for keyword in collection.keywords for label in keyword.label.values())
    words.extend(provider.name for provider in collection.providers)
    words.extend(label for _, label in labels)
    return TextDoc(
        rid=0,
        title=" ".join(collection.title.values()),
        body=" ".join(words),
        collection=collection.id,
        concepts=tuple(sorted(vocabulary.closure(concepts))) if vocabulary is not None else concepts,
        languages={lang: _language_text(collection, lang, labels) for lang in TEXT_LANGUAGES},
    )


def concept_labels(vocabulary: Vocabulary, uris: Iterable[str]) -> list[tuple[str, str]]:
    """(language, label) of every preferred and alternative label of the concepts."""
    return [pair for uri in uris for pair in vocabulary.all_labels(uri)]


def _language_text(collection: Collection, lang: str, labels: list[tuple[str, str]]) -> tuple[str, str]:
    def ours(tag: str) -> bool:
        return tag.split("-")[0].lower() == lang

    title = " ".join(text for tag, text in collection.title.items() if ours(tag))
    body = [text for tag, text in collection.description.items() if ours(tag)]
    body.extend(text for k in collection.keywords for tag, text in k.label.items() if ours(tag))
    body.extend(text for tag, text in labels if ours(tag))
    return title, " ".join(body)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield from (str(v) for v in value if isinstance(v, str | int | float))


# Multi-valued record fields (keywords, organisations, formats) are stored joined by this
# separator in one text column: LIKE finds a value in them, and a protocol that needs an exact
# member test (CSW's dc:subject = 'x') spells it as the four LIKE patterns of `member_patterns`.
LIST_SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class CollectionFacets:
    """The record-level queryables of a collection (from its canonical record), stored in columns.

    `anytext` is every word of the record a free-text match may look at, lowercased, so that a
    case-insensitive LIKE on it needs no function on the column.
    """

    type: str
    keywords: str | None
    organisation: str | None
    formats: str | None
    language: str | None
    parent_identifier: str | None
    created: datetime | None
    published: datetime | None
    revised: datetime | None
    updated: datetime | None
    anytext: str

    def values(self) -> tuple[Any, ...]:
        """The values in `FACET_COLUMNS` order."""
        return tuple(getattr(self, name) for name in FACET_COLUMNS)


FACET_COLUMNS: tuple[str, ...] = (
    "type",
    "keywords",
    "organisation",
    "formats",
    "language",
    "parent_identifier",
    "created",
    "published",
    "revised",
    "updated",
    "anytext",
)
FACET_TIMES = frozenset({"created", "published", "revised", "updated"})


def collection_facets(collection: Collection) -> CollectionFacets:
    """The record-level queryables of a collection, read from its canonical record."""
    record = record_from_collection(collection)
    keywords = _unique(
        [label for k in record.keywords for label in k.label.values()]
        + [*record.topic_categories, *record.inspire_themes]
    )
    organisations = _unique(
        [c.organisation or "" for c in record.contacts]
        + [
            c.name
            for c in record.contacts
            if c.kind == "organisation" or (c.kind != "person" and not c.organisation)
        ]
    )
    dates = record.dates
    words = [
        collection.id,
        *record.title.values(),
        *record.abstract.values(),
        *record.alternate_titles,
        *keywords,
        *organisations,
        *(c.name for c in record.contacts),
        *record.formats,
        *(i.code for i in record.identifiers),
        record.pole or "",
    ]
    return CollectionFacets(
        type=record.hierarchy_level,
        keywords=_joined(keywords),
        organisation=_joined(organisations),
        formats=_joined(_unique(list(record.formats))),
        language=record.language,
        parent_identifier=record.parent_identifier,
        created=_instant(dates.created),
        published=_instant(dates.published),
        revised=_instant(dates.revised),
        updated=_instant(dates.metadata),
        anytext=" ".join(word for word in words if word).lower(),
    )


def member_patterns(value: str) -> tuple[str, str, str, str]:
    """LIKE patterns (escape character `\\`) that together find `value` as a whole member of a
    `LIST_SEPARATOR`-joined column: alone, first, last or in the middle."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sep = LIST_SEPARATOR
    return escaped, f"{escaped}{sep}%", f"%{sep}{escaped}", f"%{sep}{escaped}{sep}%"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def _joined(values: list[str]) -> str | None:
    return LIST_SEPARATOR.join(values) if values else None


def _instant(value: date | None) -> datetime | None:
    moment = as_datetime(value)
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
