"""The harvest tables, in the catalog database, on their own migration track.

The catalog's schema (`catalog/sqlite_schema.py`, `catalog/postgres_schema.py`) is versioned by the
`schema_version` entry of the `meta` table; the harvest tables are versioned beside it by
`harvest_schema_version`, so that the two evolve without renumbering each other. Every statement
is idempotent: a migration that stopped half-way is finished by the next one. The same text serves
both databases; only the types of a few columns differ (`{blob}`, `{serial}`).

Times are stored as RFC 3339 text in UTC (they sort as they compare) on both databases.
"""

from __future__ import annotations

HARVEST_SCHEMA_VERSION = 1
VERSION_KEY = "harvest_schema_version"

SQLITE_TYPES = {"blob": "BLOB", "serial": "INTEGER"}
POSTGRES_TYPES = {"blob": "bytea", "serial": "bigserial"}

_TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # One row per source: its configuration, then what the next harvest starts from.
    """CREATE TABLE IF NOT EXISTS harvest_sources (
    name TEXT PRIMARY KEY,
    protocol TEXT NOT NULL,
    url TEXT NOT NULL,
    pole TEXT,
    options TEXT NOT NULL,
    interval_s INTEGER,
    enabled INTEGER NOT NULL,
    created TEXT NOT NULL,
    last_since TEXT,
    last_full TEXT
)""",
    """CREATE TABLE IF NOT EXISTS harvest_runs (
    id {serial} PRIMARY KEY,
    source TEXT NOT NULL,
    mode TEXT NOT NULL,
    since TEXT,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    n_new INTEGER NOT NULL DEFAULT 0,
    n_updated INTEGER NOT NULL DEFAULT 0,
    n_unchanged INTEGER NOT NULL DEFAULT 0,
    n_deleted INTEGER NOT NULL DEFAULT 0,
    n_failed INTEGER NOT NULL DEFAULT 0,
    pages INTEGER NOT NULL DEFAULT 0,
    fetch_s REAL NOT NULL DEFAULT 0,
    parse_s REAL NOT NULL DEFAULT 0,
    write_s REAL NOT NULL DEFAULT 0,
    server_time TEXT,
    error TEXT
)""",
    "CREATE INDEX IF NOT EXISTS harvest_runs_source ON harvest_runs (source, id)",
    """CREATE TABLE IF NOT EXISTS harvest_failures (
    run INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    identifier TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (run, seq)
)""",
    # The state a stopped harvest resumes from; present only while a run is unfinished.
    """CREATE TABLE IF NOT EXISTS harvest_checkpoints (
    source TEXT PRIMARY KEY,
    run INTEGER NOT NULL,
    state TEXT NOT NULL,
    saved TEXT NOT NULL
)""",
    # Every document as the source served it; `seen_run` finds the ones a full listing missed.
    """CREATE TABLE IF NOT EXISTS harvest_documents (
    source TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    datestamp TEXT,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    media_type TEXT NOT NULL,
    original {blob} NOT NULL,
    seen_run INTEGER NOT NULL,
    harvested TEXT NOT NULL,
    PRIMARY KEY (source, doc_id)
)""",
    "CREATE INDEX IF NOT EXISTS harvest_documents_seen ON harvest_documents (source, seen_run)",
    # Each source's copy of a dataset-level record (merged across poles into one collection).
    """CREATE TABLE IF NOT EXISTS harvest_datasets (
    source TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    doi TEXT,
    collection_id TEXT NOT NULL,
    priority INTEGER NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (source, dataset_id)
)""",
    "CREATE INDEX IF NOT EXISTS harvest_datasets_id ON harvest_datasets (dataset_id)",
    "CREATE INDEX IF NOT EXISTS harvest_datasets_doi ON harvest_datasets (doi)",
    "CREATE INDEX IF NOT EXISTS harvest_datasets_doc ON harvest_datasets (source, doc_id)",
    # The items each document wrote (their content lives in the catalog).
    """CREATE TABLE IF NOT EXISTS harvest_items (
    source TEXT NOT NULL,
    collection_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (source, collection_id, item_id)
)""",
    "CREATE INDEX IF NOT EXISTS harvest_items_doc ON harvest_items (source, doc_id)",
)


def statements(types: dict[str, str]) -> list[str]:
    """Every statement that brings a database to `HARVEST_SCHEMA_VERSION`, in order."""
    return [statement.format(**types) for statement in _TABLES]
