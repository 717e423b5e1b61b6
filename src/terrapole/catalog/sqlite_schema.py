"""The embedded catalog's SQLite schema, versioned."""

from __future__ import annotations

SCHEMA_VERSION = 2

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS collections (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    pole TEXT,
    title TEXT NOT NULL,
    description TEXT,
    license TEXT,
    minx REAL, miny REAL, maxx REAL, maxy REAL,
    s INTEGER, e INTEGER,
    seq INTEGER NOT NULL,
    content BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS items (
    rid INTEGER PRIMARY KEY,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    dt INTEGER NOT NULL,
    s INTEGER NOT NULL,
    e INTEGER NOT NULL,
    has_dt INTEGER NOT NULL,
    minx REAL, miny REAL, maxx REAL, maxy REAL,
    geom BLOB,
    seq INTEGER NOT NULL,
    platform, constellation, gsd, cloud_cover,
    props BLOB NOT NULL,
    content BLOB NOT NULL,
    UNIQUE (collection, id)
);

CREATE VIRTUAL TABLE IF NOT EXISTS items_rtree USING rtree (rid, minx, maxx, miny, maxy);

CREATE TRIGGER IF NOT EXISTS items_rtree_update AFTER UPDATE OF minx, miny, maxx, maxy ON items
BEGIN
    DELETE FROM items_rtree WHERE rid = old.rid;
    INSERT INTO items_rtree SELECT new.rid, new.minx, new.maxx, new.miny, new.maxy
    WHERE new.minx IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS items_delete AFTER DELETE ON items BEGIN
    DELETE FROM items_rtree WHERE rid = old.rid;
    INSERT INTO text_deletions (kind, rid) VALUES ('items', old.rid);
END;
CREATE TRIGGER IF NOT EXISTS collections_delete AFTER DELETE ON collections BEGIN
    INSERT INTO text_deletions (kind, rid) VALUES ('collections', old.rid);
END;

CREATE TABLE IF NOT EXISTS text_deletions (kind TEXT NOT NULL, rid INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS queryables (
    collection TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (collection, name)
) WITHOUT ROWID;
"""

# Secondary structures that a bulk load drops while it runs and rebuilds at its end.
DEFERRABLE = (
    # Covering the time and box columns: a scan in time order tests them in the index and
    # reads a table row only for a match.
    "CREATE INDEX IF NOT EXISTS items_dt ON items (dt, s, e, minx, maxx, miny, maxy)",
    "CREATE INDEX IF NOT EXISTS items_collection_dt ON items (collection, dt, s, e, minx, maxx, miny, maxy)",
    # The most common STAC filter: one platform, often with a cloud-cover bound, newest first.
    "CREATE INDEX IF NOT EXISTS items_platform_dt ON items (platform, dt, cloud_cover)",
    """CREATE TRIGGER IF NOT EXISTS items_rtree_insert AFTER INSERT ON items
WHEN new.minx IS NOT NULL BEGIN
    INSERT INTO items_rtree VALUES (new.rid, new.minx, new.maxx, new.miny, new.maxy);
END""",
)
DROP_DEFERRABLE = (
    "DROP INDEX IF EXISTS items_dt",
    "DROP INDEX IF EXISTS items_collection_dt",
    "DROP INDEX IF EXISTS items_platform_dt",
    "DROP TRIGGER IF EXISTS items_rtree_insert",
)

# Vocabularies (SKOS thesauri) and the concepts records refer to. Concept URIs are numbered in
# `vocab_uris` (any URI a record refers to, imported or not): the reference tables hold small
# integers. `vocab_closure` pairs every concept with itself and each of its ancestors.
VOCABULARY_DDL = """
CREATE TABLE IF NOT EXISTS vocab_uris (id INTEGER PRIMARY KEY, uri TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS vocab_schemes (uri TEXT PRIMARY KEY, title TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vocab_concepts (
    uri TEXT PRIMARY KEY,
    scheme TEXT,
    content TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vocab_relations (
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (source, kind, target)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vocab_closure (
    ancestor INTEGER NOT NULL,
    concept INTEGER NOT NULL,
    PRIMARY KEY (ancestor, concept)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vocab_closure_concept ON vocab_closure (concept);
CREATE TABLE IF NOT EXISTS collection_concepts (
    collection TEXT NOT NULL,
    concept INTEGER NOT NULL,
    PRIMARY KEY (collection, concept)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS collection_concepts_concept ON collection_concepts (concept);
CREATE TABLE IF NOT EXISTS item_concepts (
    rid INTEGER NOT NULL,
    concept INTEGER NOT NULL,
    PRIMARY KEY (rid, concept)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS item_concepts_concept ON item_concepts (concept, rid);
CREATE TRIGGER IF NOT EXISTS item_concepts_delete AFTER DELETE ON items BEGIN
    DELETE FROM item_concepts WHERE rid = old.rid;
END;
CREATE TRIGGER IF NOT EXISTS collection_concepts_delete AFTER DELETE ON collections BEGIN
    DELETE FROM collection_concepts WHERE collection = old.id;
END;
"""

# Migrations after the first version: (version, idempotent script), applied in order to a
# catalog whose schema version is below theirs.
MIGRATIONS: tuple[tuple[int, str], ...] = ((2, VOCABULARY_DDL),)
