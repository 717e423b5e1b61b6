"""One catalog record for a dataset that several poles' catalogs describe.

The rule, applied whenever one of the copies changes (so the result never depends on the order
in which sources were harvested):

1. Copies describe the same dataset when they share their identifier (ISO fileIdentifier, STAC
   collection id...) or a DOI (compared bare and case-folded, e.g. `10.5281/zenodo.1234`), directly
   or through other copies.
2. One copy is primary: the one from the source with the highest `priority` option; among those,
   the one whose metadata was revised last (the record's metadata date; a copy without one counts
   as oldest); among those, the one from the source whose name sorts first.
3. The catalog record is the primary copy, under the smallest catalog id of the group (in code
   point order; a catalog id is the identifier made URL-safe, `core.record.catalog_id`), its record
   taking that copy's identifier, with the provenance of every copy (the primary's first, then
   the others by source name) and, as further identifiers, the other copies' identifiers and DOIs
   it lacks.

Each copy stays stored as harvested, so that when a copy changes or disappears the group is
merged again from what remains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from terrapole.core.model import Collection
from terrapole.core.record import RECORD_KEY, Identifier, Record
from terrapole.core.record_json import record_from_json, record_to_json


@dataclass(frozen=True, slots=True)
class Copy:
    """One source's copy of a dataset-level record."""

    source: str
    dataset_id: str
    doi: str | None
    priority: int
    collection: Collection


def copy_of(source: str, priority: int, collection: Collection) -> Copy:
    """A source's copy of `collection`, keyed by its identifier and DOI."""
    return Copy(source, collection.id, dataset_doi(collection), priority, collection)


def dataset_doi(collection: Collection) -> str | None:
    """The bare, case-folded DOI of the dataset a collection describes, if it has one: the first
    DOI among its record's identifiers (read from the stored JSON), else its STAC `sci:doi`."""
    stored = collection.extra.get(RECORD_KEY)
    codes: list[tuple[str, str | None]] = []
    if isinstance(stored, Mapping):
        codes.append((str(stored.get("identifier") or ""), None))
        codes += [(str(i.get("code") or ""), i.get("scheme")) for i in stored.get("identifiers") or ()]
    codes.append((str(collection.extra.get("sci:doi") or ""), "DOI"))
    for code, scheme in codes:
        doi = Identifier(code, scheme).doi if code else None
        if doi:
            return doi.casefold()
    return None


def groups(copies: Iterable[Copy]) -> list[list[Copy]]:
    """The copies gathered into datasets (rule 1), each group sorted by source and identifier."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    listed = list(copies)
    for copy in listed:
        keys = [f"id:{copy.dataset_id}", *([f"doi:{copy.doi}"] if copy.doi else [])]
        for key in keys[1:]:
            parent[find(key)] = find(keys[0])
    gathered: dict[str, list[Copy]] = {}
    for copy in listed:
        gathered.setdefault(find(f"id:{copy.dataset_id}"), []).append(copy)
    return [sorted(group, key=lambda c: (c.source, c.dataset_id)) for group in gathered.values()]


def primary(group: list[Copy]) -> Copy:
    """The copy the catalog record is made from (rule 2)."""
    if len(group) == 1:
        return group[0]
    return min(group, key=lambda c: (-c.priority, _negated(_metadata_date(c.collection)), c.source))


def merged(group: list[Copy]) -> Collection:
    """The catalog record of a group of copies (rule 3)."""
    first = primary(group)
    if len(group) == 1:
        return first.collection  # one copy: the record as harvested
    others = [c for c in group if c is not first]
    provenance = tuple(dict.fromkeys(p for c in (first, *others) for p in c.collection.provenance))
    smallest = min(group, key=lambda c: c.dataset_id)
    extra: dict[str, Any] = dict(first.collection.extra)
    stored = extra.get(RECORD_KEY)
    if isinstance(stored, dict):
        record = record_from_json(stored)
        identifier = original_id(smallest)
        record = record.with_changes(
            identifier=identifier,
            identifiers=_identifiers(record, identifier, others),
            provenance=provenance,
        )
        extra[RECORD_KEY] = record_to_json(record)
    return replace(first.collection, id=smallest.dataset_id, provenance=provenance, extra=extra)


def catalog_id(group: list[Copy]) -> str:
    """The id the group's record has in the catalog."""
    return min(c.dataset_id for c in group)


def original_id(copy: Copy) -> str:
    """The identifier a copy has in its own record (its catalog id is a URL-safe form of it)."""
    stored = copy.collection.extra.get(RECORD_KEY)
    return (
        str(stored.get("identifier") or copy.dataset_id) if isinstance(stored, Mapping) else copy.dataset_id
    )


def _identifiers(record: Record, identifier: str, others: list[Copy]) -> tuple[Identifier, ...]:
    """The primary's identifiers, then the identifiers and DOIs of the group it does not carry."""
    known = {identifier, *(i.code for i in record.identifiers)}
    own_doi = (record.doi or "").casefold()
    added: list[Identifier] = list(record.identifiers)
    candidates: list[tuple[str | None, str | None]] = [(record.identifier, None)]
    candidates += [
        (code, scheme) for c in others for code, scheme in ((original_id(c), None), (c.doi, "DOI"))
    ]
    for code, scheme in candidates:
        if code and code not in known and not (scheme and code == own_doi):
            added.append(Identifier(code, scheme))
            known.add(code)
    return tuple(added)


def _metadata_date(collection: Collection) -> str:
    stored = collection.extra.get(RECORD_KEY)
    if isinstance(stored, dict):
        return str((stored.get("dates") or {}).get("metadata") or "")
    return str(collection.extra.get("updated") or "")


def _negated(text: str) -> tuple[int, ...]:
    # Latest first under `min`: compare the negated code points (ISO dates sort as text).
    return (*tuple(-ord(ch) for ch in text), 1)
