"""Vocabularies and concept references in the PostgreSQL catalog (tables in
`postgres_schema.VOCABULARY`), as the SQLite store keeps them (`sqlite_vocab`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import orjson
import psycopg

from terrapole.catalog.vocabulary import (
    GENERATION_KEY,
    Merged,
    StoredVocabulary,
    concept_from_row,
    concept_json,
    scheme_from_row,
)
from terrapole.core.facets import collection_concepts
from terrapole.core.model import Collection
from terrapole.core.vocab import Relation, Vocabulary

Connection = psycopg.Connection[dict[str, Any]]
Connect = Callable[[], AbstractContextManager[Connection]]
# Refreshes the text vectors of the records that refer to changed concepts; returns how many.
Refresh = Callable[[Connection, list[str], Vocabulary], int]
IMPORT_LOCK = 7_412_093_512  # pg_advisory_xact_lock key: one vocabulary import at a time


class PostgresVocabulary(StoredVocabulary[Connection]):
    """The `VocabularyStore` of the PostgreSQL catalog, over the catalog's connection pool.

    The text vectors of records whose concepts changed are recomputed in the import's
    transaction (`refresh`).
    """

    def __init__(self, read: Connect, transaction: Connect, refresh: Refresh) -> None:
        super().__init__(read, transaction)
        self._refresh = refresh

    def lock(self, conn: Connection) -> None:
        """One import at a time (each rewrites the closure table)."""
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])

    def load(self, conn: Connection, generation: int | None) -> Vocabulary:
        """The tables as a snapshot."""
        return load(conn, generation)

    def generation(self, conn: Connection) -> int:
        """The generation counter."""
        return _generation(conn)

    def set_generation(self, conn: Connection, generation: int) -> None:
        """Store the generation counter."""
        conn.execute(
            "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [GENERATION_KEY, str(generation)],
        )

    def write(self, conn: Connection, merged: Merged) -> int:
        """Write the merged rows; returns the relations added."""
        return _write(conn, merged)

    def write_closure(self, conn: Connection, vocabulary: Vocabulary) -> None:
        """Replace the closure table."""
        _write_closure(conn, vocabulary)

    def reindex(self, conn: Connection, changed: list[str], vocabulary: Vocabulary) -> int:
        """Recompute the text vectors of the records that refer to changed concepts."""
        return self._refresh(conn, changed, vocabulary)


def load(conn: Connection, generation: int | None = None) -> Vocabulary:
    """The vocabulary tables as a snapshot."""
    schemes = [
        scheme_from_row(r["uri"], r["title"])
        for r in conn.execute("SELECT uri, title::text AS title FROM vocab_schemes").fetchall()
    ]
    rows = conn.execute("SELECT uri, scheme, content::text AS content FROM vocab_concepts").fetchall()
    concepts = [concept_from_row(r["uri"], r["scheme"], r["content"]) for r in rows]
    relations = [
        Relation(r["source"], r["kind"], r["target"])
        for r in conn.execute("SELECT source, kind, target FROM vocab_relations").fetchall()
    ]
    found = _generation(conn) if generation is None else generation
    return Vocabulary(schemes, concepts, relations, found)


def _generation(conn: Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = %s", [GENERATION_KEY]).fetchone()
    return int(row["value"]) if row else 0


def _write(conn: Connection, merged: Merged) -> int:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO vocab_schemes VALUES (%s, %s) "
            "ON CONFLICT (uri) DO UPDATE SET title = excluded.title",
            [(s.uri, orjson.dumps(s.title).decode()) for s in merged.schemes],
        )
        cur.executemany(
            "INSERT INTO vocab_concepts VALUES (%s, %s, %s) ON CONFLICT (uri) DO UPDATE "
            "SET scheme = excluded.scheme, content = excluded.content",
            [(c.uri, c.scheme, concept_json(c)) for c in merged.concepts],
        )
    relations = merged.relations
    added = conn.execute(
        "INSERT INTO vocab_relations SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]) "
        "ON CONFLICT DO NOTHING",
        [[r.source for r in relations], [r.kind for r in relations], [r.target for r in relations]],
    ).rowcount
    return int(added)


def _write_closure(conn: Connection, vocabulary: Vocabulary) -> None:
    rows = vocabulary.closure_rows()
    number_uris(conn, {uri for row in rows for uri in row})
    conn.execute("DELETE FROM vocab_closure")
    conn.execute(
        "INSERT INTO vocab_closure SELECT a.id, c.id FROM unnest(%s::text[], %s::text[]) AS p(a, c) "
        "JOIN vocab_uris AS a ON a.uri = p.a JOIN vocab_uris AS c ON c.uri = p.c",
        [[a for a, _ in rows], [c for _, c in rows]],
    )


def number_uris(conn: Connection, uris: Iterable[str]) -> None:
    """Give every URI an id in `vocab_uris` (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO vocab_uris (uri) SELECT unnest(%s::text[]) ORDER BY 1 ON CONFLICT DO NOTHING",
        [sorted(set(uris))],
    )


def write_collection_concepts(conn: Connection, collections: Sequence[Collection]) -> None:
    """Replace the concept references of these collections (inside the caller's transaction)."""
    ids = [c.id for c in collections]
    conn.execute("DELETE FROM collection_concepts WHERE collection = ANY(%s::text[])", [ids])
    pairs = sorted({(c.id, uri) for c in collections for uri in collection_concepts(c)})
    if not pairs:
        return
    number_uris(conn, (uri for _, uri in pairs))
    conn.execute(
        "INSERT INTO collection_concepts SELECT p.collection, u.id "
        "FROM unnest(%s::text[], %s::text[]) AS p(collection, uri) JOIN vocab_uris AS u ON u.uri = p.uri "
        "ON CONFLICT DO NOTHING",
        [[c for c, _ in pairs], [uri for _, uri in pairs]],
    )


def write_item_concepts(conn: Connection, refs: Sequence[tuple[str, str, str]]) -> None:
    """Replace the references of the items in `tp_load` by `refs`: (collection, item id, concept URI)."""
    conn.execute(
        "DELETE FROM item_concepts AS ic USING tp_load AS t, items AS i "
        "WHERE i.collection = t.collection AND i.id = t.id AND ic.rid = i.rid"
    )
    if not refs:
        return
    number_uris(conn, (uri for _, _, uri in refs))
    conn.execute(
        "INSERT INTO item_concepts SELECT i.rid, u.id "
        "FROM unnest(%s::text[], %s::text[], %s::text[]) AS p(collection, id, uri) "
        "JOIN items AS i ON i.collection = p.collection AND i.id = p.id "
        "JOIN vocab_uris AS u ON u.uri = p.uri ORDER BY 1, 2 ON CONFLICT DO NOTHING",
        [[r[0] for r in refs], [r[1] for r in refs], [r[2] for r in refs]],
    )
