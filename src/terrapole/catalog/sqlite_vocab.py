"""Vocabularies and concept references in the SQLite catalog (tables in `sqlite_schema.VOCABULARY_DDL`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager

import orjson

from terrapole.catalog import sqlite_text
from terrapole.catalog.vocabulary import (
    GENERATION_KEY,
    NARROWER,
    Merged,
    StoredVocabulary,
    concept_from_row,
    concept_json,
    scheme_from_row,
)
from terrapole.core.facets import collection_concepts
from terrapole.core.model import Collection
from terrapole.core.vocab import Relation, Vocabulary

Connect = Callable[[], AbstractContextManager[sqlite3.Connection]]


class SQLiteVocabulary(StoredVocabulary[sqlite3.Connection]):
    """The `VocabularyStore` of the SQLite catalog, over the catalog's own connections.

    Records whose concepts changed get a new change number in the import's transaction; the
    text index catches up on them (`after_write`) once it is committed.
    """

    def __init__(self, read: Connect, transaction: Connect, after_write: Callable[[], None]) -> None:
        super().__init__(read, transaction)
        self._after_write = after_write

    def saved(self) -> None:
        """Index the records the import gave a new change number."""
        self._after_write()

    def load(self, conn: sqlite3.Connection, generation: int | None) -> Vocabulary:
        """The tables as a snapshot."""
        return load(conn, generation)

    def generation(self, conn: sqlite3.Connection) -> int:
        """The generation counter."""
        return _generation(conn)

    def set_generation(self, conn: sqlite3.Connection, generation: int) -> None:
        """Store the generation counter."""
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [GENERATION_KEY, str(generation)])

    def write(self, conn: sqlite3.Connection, merged: Merged) -> int:
        """Write the merged rows; returns the relations added."""
        return _write(conn, merged)

    def write_closure(self, conn: sqlite3.Connection, vocabulary: Vocabulary) -> None:
        """Replace the closure table."""
        _write_closure(conn, vocabulary)

    def reindex(self, conn: sqlite3.Connection, changed: list[str], vocabulary: Vocabulary) -> int:
        """Give the records that refer to changed concepts a new change number."""
        return _mark_for_reindex(conn, changed)


def load(conn: sqlite3.Connection, generation: int | None = None) -> Vocabulary:
    """The vocabulary tables as a snapshot."""
    schemes = [scheme_from_row(r[0], r[1]) for r in conn.execute("SELECT uri, title FROM vocab_schemes")]
    rows = conn.execute("SELECT uri, scheme, content FROM vocab_concepts")
    concepts = [concept_from_row(r[0], r[1], r[2]) for r in rows]
    relations = [Relation(*r) for r in conn.execute("SELECT source, kind, target FROM vocab_relations")]
    found = _generation(conn) if generation is None else generation
    return Vocabulary(schemes, concepts, relations, found)


def _generation(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [GENERATION_KEY]).fetchone()
    return int(row[0]) if row else 0


def _write(conn: sqlite3.Connection, merged: Merged) -> int:
    conn.executemany(
        "INSERT OR REPLACE INTO vocab_schemes VALUES (?, ?)",
        [(s.uri, orjson.dumps(s.title).decode()) for s in merged.schemes],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO vocab_concepts VALUES (?, ?, ?)",
        [(c.uri, c.scheme, concept_json(c)) for c in merged.concepts],
    )
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO vocab_relations VALUES (?, ?, ?)",
        [(r.source, r.kind, r.target) for r in merged.relations],
    )
    return conn.total_changes - before


def _write_closure(conn: sqlite3.Connection, vocabulary: Vocabulary) -> None:
    rows = vocabulary.closure_rows()
    number_uris(conn, {uri for row in rows for uri in row})
    conn.execute("DELETE FROM vocab_closure")
    conn.execute(
        "INSERT INTO vocab_closure SELECT a.id, c.id FROM json_each(?) AS j "
        "JOIN vocab_uris AS a ON a.uri = j.value ->> 0 JOIN vocab_uris AS c ON c.uri = j.value ->> 1",
        [orjson.dumps(rows).decode()],
    )


def _mark_for_reindex(conn: sqlite3.Connection, changed: list[str]) -> int:
    """Give the records referring to changed concepts a new change number: the text index
    catches up on them (their concept labels and ancestors are indexed with them)."""
    if not changed:
        return 0
    uris = orjson.dumps(changed).decode()
    members = "SELECT u.id FROM vocab_uris AS u WHERE u.uri IN (SELECT value FROM json_each(?))"
    items = conn.execute(
        f"UPDATE items SET seq = ? WHERE rid IN (SELECT rid FROM item_concepts WHERE concept IN ({members}))",  # noqa: S608
        [sqlite_text.next_seq(conn, "items"), uris],
    ).rowcount
    collections = conn.execute(
        "UPDATE collections SET seq = ? WHERE id IN "  # noqa: S608
        f"(SELECT collection FROM collection_concepts WHERE concept IN ({members}))",
        [sqlite_text.next_seq(conn, "collections"), uris],
    ).rowcount
    return int(items) + int(collections)


def number_uris(conn: sqlite3.Connection, uris: Iterable[str]) -> None:
    """Give every URI an id in `vocab_uris` (inside the caller's transaction)."""
    conn.execute(
        "INSERT OR IGNORE INTO vocab_uris (uri) SELECT value FROM json_each(?)",
        [orjson.dumps(sorted(set(uris))).decode()],
    )


def write_collection_concepts(conn: sqlite3.Connection, collections: Sequence[Collection]) -> None:
    """Replace the concept references of these collections (inside the caller's transaction)."""
    ids = orjson.dumps([c.id for c in collections]).decode()
    conn.execute(
        "DELETE FROM collection_concepts WHERE collection IN (SELECT value FROM json_each(?))", [ids]
    )
    pairs = [(c.id, uri) for c in collections for uri in collection_concepts(c)]
    _insert_pairs(conn, "collection_concepts", pairs)


def write_item_concepts(conn: sqlite3.Connection, pairs: list[tuple[int, str]], replaced: list[int]) -> None:
    """Record (row id, concept URI) references; the references of `replaced` rows go first."""
    if replaced:
        rids = orjson.dumps(replaced).decode()
        conn.execute("DELETE FROM item_concepts WHERE rid IN (SELECT value FROM json_each(?))", [rids])
    _insert_pairs(conn, "item_concepts", pairs)


def _insert_pairs(conn: sqlite3.Connection, table: str, pairs: Sequence[tuple[object, str]]) -> None:
    if not pairs:
        return
    number_uris(conn, (uri for _, uri in pairs))
    # The table name is one of this module's two constants.
    conn.execute(
        f"INSERT OR IGNORE INTO {table} SELECT j.value ->> 0, u.id FROM json_each(?) AS j "  # noqa: S608
        "JOIN vocab_uris AS u ON u.uri = j.value ->> 1",
        [orjson.dumps(pairs).decode()],
    )


def collections_with(conn: sqlite3.Connection, uris: Sequence[str]) -> list[str]:
    """Collections that refer to one of the concepts or to a narrower one."""
    marks = ", ".join("?" for _ in uris)
    sql = (
        "SELECT DISTINCT cc.collection FROM collection_concepts AS cc "  # noqa: S608
        f"WHERE cc.concept IN ({NARROWER}) ORDER BY 1"
    )
    return [row[0] for row in conn.execute(sql.format(values=marks), list(uris))]
