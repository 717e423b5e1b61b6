"""Keeping the tantivy text indexes in step with the SQLite catalog.

Every row carries the change sequence number of the write that produced it; the index records
(in the database's meta table) the highest sequence it holds. Catching up indexes the rows past
that mark and applies queued deletions, so an interrupted ingest is repaired on the next open,
and `rebuild` recreates the whole index from the database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from terrapole.catalog.records import (
    TEXT_LANGUAGES,
    TextDoc,
    collection_from_json,
    collection_text,
    item_from_row,
    item_text,
)
from terrapole.catalog.textindex import ANALYZER_VERSION, TextIndex
from terrapole.core.model import BBox, Collection
from terrapole.core.vocab import Vocabulary

FETCH = 20_000


@dataclass
class TextIndexes:
    """The two indexes of a catalog: items and collections."""

    items: TextIndex
    collections: TextIndex

    def __init__(self, root: Path, writable: bool) -> None:
        self.root = root
        self.writable = writable
        self.items = TextIndex(root / "items", writable)
        self.collections = TextIndex(root / "collections", writable, languages=TEXT_LANGUAGES)

    def reset(self) -> None:
        """Delete both indexes and reopen them empty."""
        TextIndex.reset(self.root / "items")
        TextIndex.reset(self.root / "collections")
        self.items = TextIndex(self.root / "items", self.writable)
        self.collections = TextIndex(self.root / "collections", self.writable, languages=TEXT_LANGUAGES)


def catch_up(conn: sqlite3.Connection, text: TextIndexes, vocabulary: Vocabulary) -> None:
    """Bring both indexes up to the database's latest change."""
    if _meta(conn, "text_analyzer") != ANALYZER_VERSION or text.items.was_reset or text.collections.was_reset:
        rebuild(conn, text, vocabulary)
        return
    _catch_up_kind(conn, "items", text.items, _documents("items", vocabulary))
    _catch_up_kind(conn, "collections", text.collections, _documents("collections", vocabulary))


def catch_up_written(
    conn: sqlite3.Connection,
    text: TextIndexes,
    vocabulary: Vocabulary,
    collections: Sequence[Collection],
    seq: int,
) -> None:
    """`catch_up` after the write numbered `seq` of `collections`.

    When that write is the only one the collection index lacks, its rows are found by id and
    indexed from the collections in hand: the regular catch-up finds changed rows by scanning the
    whole table (change numbers have no index), once per write, which made a harvest's writes
    grow with the catalog. Otherwise (another writer's changes pending too, a reset index, a new
    analyzer), the regular catch-up.
    """
    mark = int(_meta(conn, "text_seq:collections") or 0)
    latest = int(_meta(conn, "seq:collections") or 0)
    reset = text.items.was_reset or text.collections.was_reset
    if seq != latest or latest != mark + 1 or reset or _meta(conn, "text_analyzer") != ANALYZER_VERSION:
        catch_up(conn, text, vocabulary)
        return
    _catch_up_kind(conn, "items", text.items, _documents("items", vocabulary))
    by_id = {c.id: c for c in collections}

    def collection(row: sqlite3.Row) -> TextDoc:
        doc = collection_text(by_id[row["id"]], vocabulary)
        return replace(doc, rid=row["rid"], start=row["s"], end=row["e"], bbox=_bbox(row))

    written = (
        "SELECT rid, id, s, e, minx, miny, maxx, maxy FROM collections"
        " WHERE seq = ? AND id IN (SELECT value FROM json_each(?))",
        [seq, orjson.dumps(list(by_id)).decode()],
    )
    _catch_up_kind(conn, "collections", text.collections, collection, written)


def rebuild(conn: sqlite3.Connection, text: TextIndexes, vocabulary: Vocabulary) -> int:
    """Recreate both indexes from the database."""
    text.reset()  # new indexes: was_reset is False again
    conn.execute("DELETE FROM meta WHERE key LIKE 'text_%'")
    conn.execute("DELETE FROM text_deletions")
    _set_meta(conn, "text_analyzer", ANALYZER_VERSION)
    count = _catch_up_kind(conn, "items", text.items, _documents("items", vocabulary))
    collections = _documents("collections", vocabulary)
    return count + _catch_up_kind(conn, "collections", text.collections, collections)


def indexed_directly(
    conn: sqlite3.Connection,
    kind: str,
    index: TextIndex,
    seqs: list[int],
    top_rid: int,
    vocabulary: Vocabulary,
) -> None:
    """Record that the writes numbered `seqs` were indexed from memory (and committed).

    When they directly follow the index's mark, the mark moves past them; when another writer
    interleaved its own writes, the regular catch-up indexes whatever is still missing.
    """
    mark = int(_meta(conn, f"text_seq:{kind}") or 0)
    if seqs and seqs == list(range(mark + 1, mark + 1 + len(seqs))):
        _set_meta(conn, f"text_seq:{kind}", str(seqs[-1]))
        max_rid = int(_meta(conn, f"text_rid:{kind}") or 0)
        _set_meta(conn, f"text_rid:{kind}", str(max(top_rid, max_rid)))
    _catch_up_kind(conn, kind, index, _documents(kind, vocabulary))


def next_seq(conn: sqlite3.Connection, kind: str) -> int:
    """The next change number of a table (call inside the write transaction)."""
    seq = int(_meta(conn, f"seq:{kind}") or 0) + 1
    _set_meta(conn, f"seq:{kind}", str(seq))
    return seq


def _catch_up_kind(
    conn: sqlite3.Connection,
    kind: str,
    index: TextIndex,
    to_doc: Callable[[sqlite3.Row], TextDoc],
    written: tuple[str, list[Any]] | None = None,
) -> int:
    """Index the rows of `kind` past the index's mark (`written`: the query that selects them, when
    the caller knows a cheaper one than the scan for change numbers past the mark)."""
    mark = int(_meta(conn, f"text_seq:{kind}") or 0)
    max_rid = int(_meta(conn, f"text_rid:{kind}") or 0)
    latest = int(_meta(conn, f"seq:{kind}") or 0)
    deletions = [r[0] for r in conn.execute("SELECT rid FROM text_deletions WHERE kind = ?", [kind])]
    if latest <= mark and not deletions:
        return 0
    index.delete(deletions)
    select = written or (f"SELECT * FROM {kind} WHERE seq > ?", [mark])  # noqa: S608
    count, top = _index_rows(conn, select, index, to_doc, max_rid)
    index.commit()
    conn.execute("DELETE FROM text_deletions WHERE kind = ?", [kind])
    _set_meta(conn, f"text_seq:{kind}", str(max(latest, mark)))
    _set_meta(conn, f"text_rid:{kind}", str(max(top, max_rid)))
    return count


def _index_rows(
    conn: sqlite3.Connection,
    select: tuple[str, list[Any]],
    index: TextIndex,
    to_doc: Callable[[sqlite3.Row], TextDoc],
    max_rid: int,
) -> tuple[int, int]:
    cursor = conn.execute(*select)
    count = top = 0
    while rows := cursor.fetchmany(FETCH):
        docs = [to_doc(row) for row in rows]
        index.add(docs, replaced=[d.rid for d in docs if d.rid <= max_rid])
        count += len(docs)
        top = max(top, max(d.rid for d in docs))
    return count, top


def _documents(kind: str, vocabulary: Vocabulary) -> Callable[[sqlite3.Row], TextDoc]:
    """How a row of `kind` (items or collections) becomes its text document."""

    def item(row: sqlite3.Row) -> TextDoc:
        return item_text(row["rid"], item_from_row(row), row["s"], row["e"], vocabulary)

    def collection(row: sqlite3.Row) -> TextDoc:
        doc = collection_text(collection_from_json(row["content"]), vocabulary)
        return replace(doc, rid=row["rid"], start=row["s"], end=row["e"], bbox=_bbox(row))

    return item if kind == "items" else collection


def _bbox(row: sqlite3.Row) -> BBox | None:
    if row["minx"] is None:
        return None
    return BBox(row["minx"], row["miny"], row["maxx"], row["maxy"])


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
