"""Reading metadata documents from files, directories and URLs into the catalog.

Accepts STAC Collections, Items, FeatureCollections of Items (including API search pages) and
NDJSON of Items, and every dataset-level format of `terrapole.formats` (ISO 19139 and 19115-3,
DataCite, Dublin Core, DCAT-AP, schema.org): those become collections that carry their whole
canonical record. Keywords are linked to the concepts of the catalog's vocabularies
(`vocab.linking`). Collections are written before items; a record that does not parse is
reported and skipped, and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from terrapole import formats
from terrapole.catalog.base import CatalogStore, IngestReport
from terrapole.core.errors import CollectionNotFound, InvalidRecord
from terrapole.core.model import BBox, Collection, Extent, Item, Provenance
from terrapole.core.record import collection_from_record, own_identifier
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.vocab.linking import link_records

JSON_SUFFIXES = (".json", ".geojson")
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
METADATA_SUFFIXES = (".xml", ".rdf", ".ttl", ".jsonld", ".owl")
BATCH = 10_000


@dataclass
class Source:
    """One document read from somewhere, with where it came from."""

    origin: str
    document: Any


@dataclass(frozen=True)
class RawDocument:
    """The bytes of a document in one of `terrapole.formats`' formats, parsed when sorted."""

    data: bytes


@dataclass
class Records:
    """Documents sorted into collections and items, with parse failures."""

    collections: list[Collection] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def read_path(path: Path) -> Iterator[Source]:
    """Every JSON document under a file or directory (sorted, for reproducible ingests)."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        suffix = file.suffix.lower()
        if suffix in NDJSON_SUFFIXES:
            yield from _ndjson(file)
        elif suffix in METADATA_SUFFIXES:
            yield Source(str(file), RawDocument(file.read_bytes()))
        elif suffix in JSON_SUFFIXES or file == path:
            yield from _json_file(file)


def read_url(url: str, fetch: Callable[[str], bytes]) -> Iterator[Source]:
    """The document at a URL (`fetch` returns its bytes; injected so tests need no network)."""
    data = fetch(url)
    if data.lstrip()[:1] not in (b"{", b"["):
        yield Source(url, RawDocument(data))
        return
    try:
        yield Source(url, orjson.loads(data))
    except orjson.JSONDecodeError:
        yield from (
            Source(f"{url}#{n}", orjson.loads(line))
            for n, line in enumerate(data.splitlines(), 1)
            if line.strip()
        )


def ingest(
    store: CatalogStore,
    sources: Iterable[Source],
    *,
    collection: str | None = None,
    create_collections: bool = False,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Parse and write every record; collections first, items in large batches.

    With `create_collections`, items naming a collection the catalog does not hold get a
    minimal collection derived from them (useful for item-only sources); without it, such
    items are refused and reported.
    """
    report = IngestReport()
    records = Records()
    for source in sources:
        _sort(source, records, collection)
    report.failures.extend(records.failures)
    linked, items = link_records(store, records.collections, records.items)
    records.collections, records.items = linked, list(items)
    if create_collections:
        records.collections.extend(_missing_collections(store, records))
    report.collections = store.upsert_collections(records.collections)
    for start in range(0, len(records.items), BATCH):
        batch = records.items[start : start + BATCH]
        report.items += write_items(store, batch, report)
        if progress:
            progress(len(batch))
    return report


def write_items(store: CatalogStore, batch: list[Item], report: IngestReport) -> int:
    """Write items; each one whose collection the catalog lacks is refused and reported."""
    try:
        return store.upsert_items(batch)
    except CollectionNotFound:
        # Write what can be written; report each item whose collection is unknown.
        written = 0
        for item in batch:
            try:
                written += store.upsert_items([item])
            except CollectionNotFound as exc:
                report.failures.append((f"{item.collection}/{item.id}", exc.message))
        return written


def _missing_collections(store: CatalogStore, records: Records) -> list[Collection]:
    known = {c.id for c in records.collections}
    grouped: dict[str, list[Item]] = {}
    for item in records.items:
        if item.collection not in known:
            grouped.setdefault(item.collection, []).append(item)
    created = []
    for name, items in grouped.items():
        try:
            store.get_collection(name)
        except CollectionNotFound:
            created.append(derived_collection(name, items))
    return created


def derived_collection(name: str, items: list[Item]) -> Collection:
    """A minimal collection whose extent covers the given items."""
    boxes = [i.bbox for i in items if i.bbox is not None and not i.bbox.crosses_antimeridian]
    times = [t for i in items for t in (i.start or i.datetime, i.end or i.datetime) if t is not None]
    bbox = (
        BBox(
            min(b.west for b in boxes),
            min(b.south for b in boxes),
            max(b.east for b in boxes),
            max(b.north for b in boxes),
        )
        if boxes
        else None
    )
    return Collection(
        id=name,
        title={"en": name},
        description={"en": f"Collection {name}, created on ingest from the items that name it."},
        extent=Extent(bboxes=(bbox,) if bbox else (), intervals=((min(times), max(times)),) if times else ()),
        license="other",
    )


def _sort(source: Source, records: Records, collection: str | None) -> None:
    doc = source.document
    kind = doc.get("type") if isinstance(doc, dict) else None
    try:
        if isinstance(doc, RawDocument):
            records.collections.extend(dataset_records(source.origin, doc.data))
        elif isinstance(doc, dict) and ("@context" in doc or "data" in doc):
            records.collections.extend(dataset_records(source.origin, orjson.dumps(doc)))
        elif kind == "Collection":
            records.collections.append(parse_collection(doc, Provenance(source.origin, "stac")))
        elif kind == "Feature":
            records.items.append(parse_item(doc, collection))
        elif kind == "FeatureCollection":
            for n, feature in enumerate(doc.get("features") or ()):
                _sort(Source(f"{source.origin}#{n}", feature), records, collection)
        else:
            raise InvalidRecord(f"not a STAC Collection, Item or FeatureCollection (type {kind!r})")
    except InvalidRecord as exc:
        records.failures.append((source.origin, exc.message))


def dataset_records(
    origin: str, data: bytes, *, element: Any = None, **provenance_fields: Any
) -> list[Collection]:
    """The collections of a dataset-level metadata document (a catalog may hold several).

    Each record gains a provenance entry naming `origin` and the format detected; further
    `Provenance` fields (original_id, retrieved, pole) may be given as keywords. A `pole` also
    becomes the pole of records that name none. Records another terrapole served under their
    catalog id get their own identifier back (`own_identifier`). `element`: the document's root
    element when it was parsed already through `xmlsafe.parse_xml`; formats with a
    `read(element)` read it as is.
    """
    name = formats.detect(data)
    module = formats.FORMATS[name].load()
    many = getattr(module, "parse_many", None)
    read = getattr(module, "read", None)
    if element is not None and read is not None:
        records = [read(element)]
    else:
        records = many(data) if many is not None else [module.parse(data)]
    provenance = Provenance(origin, name, **provenance_fields)
    pole = provenance_fields.get("pole")
    return [
        collection_from_record(
            own_identifier(record).with_changes(
                provenance=(*record.provenance, provenance), pole=record.pole or pole
            )
        )
        for record in records
    ]


def _json_file(file: Path) -> Iterator[Source]:
    try:
        yield Source(str(file), orjson.loads(file.read_bytes()))
    except orjson.JSONDecodeError as exc:
        yield Source(str(file), {"type": None, "error": str(exc)})


def _ndjson(file: Path) -> Iterator[Source]:
    with file.open("rb") as stream:
        for number, line in enumerate(stream, 1):
            if line.strip():
                try:
                    yield Source(f"{file}:{number}", orjson.loads(line))
                except orjson.JSONDecodeError as exc:
                    yield Source(f"{file}:{number}", {"type": None, "error": str(exc)})
