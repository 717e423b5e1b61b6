"""The PostgreSQL/PostGIS catalog schema, versioned like the SQLite one.

Every statement is idempotent, so `upgrade` can run on an empty database or on one a crash
left half-built. The tables live in the first schema of the connection's search path.

Stored records (`content`) are `json`, not `jsonb`: `json` keeps the text as written, and key
order carries meaning in a record (the first entry of a multilingual text is the record's own
language) that `jsonb`, which reorders keys, would lose. Item properties, which filters and
sorts read, are `jsonb` (indexable, typed access).

Text columns that users sort or compare use the "C" collation: orderings are then bytewise,
as in the embedded SQLite store, whatever collation the database was created with.
"""

from __future__ import annotations

SCHEMA_VERSION = 6
CHANGE_TRACKING_VERSION = 3  # the version that added datestamps, series and tombstones
FACETS_VERSION = 4  # the version that added the record-level queryables of collections
FACET_SETS_VERSION = 6  # the version that added item facet sets and their counts

EXTENSIONS = ("postgis", "unaccent")

# Typed reads of a JSONB value: NULL when the value is missing or of another JSON type, which
# matches CQL2 (a comparison that cannot be decided selects nothing). Plain SQL functions, so
# the planner inlines them.
FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION tp_num(jsonb) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN jsonb_typeof($1) = 'number' THEN $1::float8 END $$""",
    """CREATE OR REPLACE FUNCTION tp_text(jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN jsonb_typeof($1) = 'string' THEN $1 #>> '{}' END $$""",
    """CREATE OR REPLACE FUNCTION tp_bool(jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN jsonb_typeof($1) = 'boolean' THEN $1::boolean END $$""",
    """CREATE OR REPLACE FUNCTION tp_micros(timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE
    PARALLEL SAFE AS $$ SELECT (extract(epoch FROM $1) * 1000000)::bigint $$""",
)

# French and English stemming behind accent folding (the `unaccent` filter dictionary), for
# collection text. Created only when missing: CREATE TEXT SEARCH CONFIGURATION has no IF NOT EXISTS.
# The names pasted in are the constants below.
TEXT_CONFIGS = tuple(
    f"""DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'tp_{lang}') THEN
        CREATE TEXT SEARCH CONFIGURATION tp_{lang} (COPY = {name});
        ALTER TEXT SEARCH CONFIGURATION tp_{lang}
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {name}_stem;
    END IF;
END $$"""  # noqa: S608
    for lang, name in (("fr", "french"), ("en", "english"))
)
COLLECTION_TEXT_CONFIGS = ("simple", "tp_fr", "tp_en")

TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL)",
    """CREATE TABLE IF NOT EXISTS collections (
    rid bigserial UNIQUE NOT NULL,
    id text COLLATE "C" PRIMARY KEY,
    pole text COLLATE "C",
    title text COLLATE "C" NOT NULL,
    description text,
    license text COLLATE "C",
    minx float8, miny float8, maxx float8, maxy float8,
    start_datetime timestamptz,
    end_datetime timestamptz,
    fts tsvector NOT NULL,
    content json NOT NULL
)""",
    # Schema 4: the record-level queryables of collections (`records.FACET_COLUMNS`), filled from
    # the stored records by `postgres_write.fill_collection_facets`.
    *(
        f"ALTER TABLE collections ADD COLUMN IF NOT EXISTS {name} {kind}"
        for name, kind in (
            ("type", 'text COLLATE "C"'),
            ("keywords", 'text COLLATE "C"'),
            ("organisation", 'text COLLATE "C"'),
            ("formats", 'text COLLATE "C"'),
            ("language", 'text COLLATE "C"'),
            ("parent_identifier", 'text COLLATE "C"'),
            ("created", "timestamptz"),
            ("published", "timestamptz"),
            ("revised", "timestamptz"),
            ("updated", "timestamptz"),
            ("anytext", 'text COLLATE "C"'),
        )
    ),
    """CREATE TABLE IF NOT EXISTS items (
    rid bigserial PRIMARY KEY,
    collection text COLLATE "C" NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    id text COLLATE "C" NOT NULL,
    datetime timestamptz NOT NULL,
    start_datetime timestamptz NOT NULL,
    end_datetime timestamptz NOT NULL,
    has_datetime boolean NOT NULL,
    minx float8, miny float8, maxx float8, maxy float8,
    geometry geometry(Geometry, 4326),
    platform text COLLATE "C",
    constellation text COLLATE "C",
    gsd float8,
    cloud_cover float8,
    properties jsonb NOT NULL,
    content json NOT NULL,
    fts tsvector NOT NULL,
    UNIQUE (collection, id)
)""",
    """CREATE TABLE IF NOT EXISTS queryables (
    collection text COLLATE "C" NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    name text NOT NULL,
    type text NOT NULL,
    PRIMARY KEY (collection, name)
)""",
)

INDEXES = (
    "CREATE INDEX IF NOT EXISTS collections_fts ON collections USING gin (fts)",
    # Collection boxes, found by && on the same expression (CSW and Records box searches at
    # 100,000 records: the GIN text index and this one are combined before any row is read).
    "CREATE INDEX IF NOT EXISTS collections_envelope ON collections "
    "USING gist (ST_MakeEnvelope(minx, miny, maxx, maxy, 4326))",
    "CREATE INDEX IF NOT EXISTS items_geometry ON items USING gist (geometry)",
    # The default order (newest first, row id as the tie-breaker) is a walk of these indexes.
    # The span and box columns are key columns, not INCLUDEd ones: a btree tests conditions on
    # any key column inside the index, so a time range, a box and a collection are narrowed
    # down there before any table row is read (PostgreSQL 15 tests INCLUDEd columns only in
    # index-only scans).
    "DROP INDEX IF EXISTS items_datetime",
    "DROP INDEX IF EXISTS items_collection_datetime",
    "CREATE INDEX IF NOT EXISTS items_datetime_bounds ON items "
    "(datetime, rid, start_datetime, end_datetime, minx, maxx, miny, maxy)",
    "CREATE INDEX IF NOT EXISTS items_collection_datetime_bounds ON items "
    "(collection, datetime, rid, start_datetime, end_datetime, minx, maxx, miny, maxy)",
    "CREATE INDEX IF NOT EXISTS items_platform_datetime ON items (platform, datetime)",
    # Sorting by cloud cover, either way: NULLs first ascending and last descending, as searches
    # order them, so one index serves both directions.
    "CREATE INDEX IF NOT EXISTS items_cloud_cover ON items (cloud_cover NULLS FIRST, rid)",
    "CREATE INDEX IF NOT EXISTS items_fts ON items USING gin (fts)",
    # Items mostly arrive in time order, so a block range index on their spans is a few pages
    # that lets interval searches skip most of the table when the btree is not the better plan.
    "CREATE INDEX IF NOT EXISTS items_span_brin ON items USING brin (start_datetime, end_datetime)",
)


# Version 5: vocabularies (SKOS thesauri) and the concepts records refer to, as in the SQLite
# store (`sqlite_schema.VOCABULARY_DDL`): concept URIs numbered in `vocab_uris`, the hierarchy's
# closure in `vocab_closure`, references in `collection_concepts` and `item_concepts` (removed
# with their record by the foreign keys).
VOCABULARY = (
    'CREATE TABLE IF NOT EXISTS vocab_uris (id serial PRIMARY KEY, uri text COLLATE "C" NOT NULL UNIQUE)',
    'CREATE TABLE IF NOT EXISTS vocab_schemes (uri text COLLATE "C" PRIMARY KEY, title json NOT NULL)',
    """CREATE TABLE IF NOT EXISTS vocab_concepts (
    uri text COLLATE "C" PRIMARY KEY,
    scheme text COLLATE "C",
    content json NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS vocab_relations (
    source text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    target text COLLATE "C" NOT NULL,
    PRIMARY KEY (source, kind, target)
)""",
    """CREATE TABLE IF NOT EXISTS vocab_closure (
    ancestor integer NOT NULL,
    concept integer NOT NULL,
    PRIMARY KEY (ancestor, concept)
)""",
    "CREATE INDEX IF NOT EXISTS vocab_closure_concept ON vocab_closure (concept)",
    """CREATE TABLE IF NOT EXISTS collection_concepts (
    collection text COLLATE "C" NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    concept integer NOT NULL,
    PRIMARY KEY (collection, concept)
)""",
    "CREATE INDEX IF NOT EXISTS collection_concepts_concept ON collection_concepts (concept)",
    """CREATE TABLE IF NOT EXISTS item_concepts (
    rid bigint NOT NULL REFERENCES items (rid) ON DELETE CASCADE,
    concept integer NOT NULL,
    PRIMARY KEY (rid, concept)
)""",
    "CREATE INDEX IF NOT EXISTS item_concepts_concept ON item_concepts (concept, rid)",
)

# Version 3: change tracking for harvesters (OAI-PMH, sitemaps). Every collection carries the
# datestamp of its last change and the series it belongs to (the parent identifier of its
# record); a deleted collection leaves a tombstone with the same, so sets and incremental
# harvests still see it. Self-contained and idempotent: on an older database the datestamps of
# existing rows are filled with the time of the upgrade.
CHANGE_TRACKING = (
    "ALTER TABLE collections ADD COLUMN IF NOT EXISTS datestamp timestamptz",
    'ALTER TABLE collections ADD COLUMN IF NOT EXISTS parent text COLLATE "C"',
    # `fill_parents` (postgres_changes) then sets the series of these rows.
    "UPDATE collections SET datestamp = now() WHERE datestamp IS NULL",
    "ALTER TABLE collections ALTER COLUMN datestamp SET NOT NULL",
    """CREATE TABLE IF NOT EXISTS collection_tombstones (
    id text COLLATE "C" PRIMARY KEY,
    pole text COLLATE "C",
    parent text COLLATE "C",
    datestamp timestamptz NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS collections_datestamp ON collections (datestamp, id)",
    "CREATE INDEX IF NOT EXISTS collections_pole_datestamp ON collections (pole, datestamp, id)",
    "CREATE INDEX IF NOT EXISTS collection_tombstones_datestamp ON collection_tombstones (datestamp, id)",
    # The (pole, series) groups a harvester's set list is made of.
    "CREATE INDEX IF NOT EXISTS collections_pole_parent ON collections (pole, parent)",
    "CREATE INDEX IF NOT EXISTS collection_tombstones_pole_parent ON collection_tombstones (pole, parent)",
)


# Version 6: what item facets count, kept per item in two small columns, so that counting the
# facets of a search reads no JSON and joins nothing (`postgres_facets`). `facet_set` numbers
# the distinct (collection, own concepts, platform, instruments) of items in `item_facet_sets`
# (concept URIs and instrument names sorted and joined by a newline; a catalog holds a few per
# collection), `year` is the year of the item's datetime in UTC. `items_facets` holds both for
# every row id: a search driven by row ids (a concept) counts from the index alone.
# `item_facet_counts` holds signed deltas of items per (facet set, year), appended by
# statement triggers and folded by `postgres_write.fold_facet_counts`: the facets of the
# whole catalog (or of whole collections) are summed from it without reading any item.
# `postgres_write.fill_facet_sets` fills all three for items written before version 6. Version 6
# also indexes the title words of items (`items_title_fts`).
FACET_SETS = (
    """CREATE TABLE IF NOT EXISTS item_facet_sets (
    id serial PRIMARY KEY,
    collection text COLLATE "C" NOT NULL,
    concepts text COLLATE "C" NOT NULL,
    platform text COLLATE "C",
    instruments text COLLATE "C" NOT NULL,
    UNIQUE NULLS NOT DISTINCT (collection, concepts, platform, instruments)
)""",
    "ALTER TABLE items ADD COLUMN IF NOT EXISTS facet_set integer",
)
# The rest of version 6. An upgrade fills `facet_set` before these: adding the year rewrites the
# table, which leaves out the row versions the fill replaced (a 1,000,000-item table would
# otherwise keep twice its size), and the triggers then count only what follows.
FACET_COUNTS = (
    "ALTER TABLE items ADD COLUMN IF NOT EXISTS year integer "
    "GENERATED ALWAYS AS (extract(year FROM datetime AT TIME ZONE 'UTC')::integer) STORED",
    "CREATE INDEX IF NOT EXISTS items_facets ON items (rid) INCLUDE (facet_set, year)",
    # Title words (weight A) alone: ranked searches rank their title matches first
    # (`postgres_search.Searcher._ranked`).
    "CREATE INDEX IF NOT EXISTS items_title_fts ON items USING gin (ts_filter(fts, '{a}'))",
    "CREATE TABLE IF NOT EXISTS item_facet_counts "
    "(facet_set integer NOT NULL, year integer NOT NULL, n bigint NOT NULL)",
    # Appends only (no upsert): concurrent writers never wait on, or deadlock over, a count row.
    """CREATE OR REPLACE FUNCTION tp_item_facet_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO item_facet_counts SELECT facet_set, year, -count(*) FROM old_rows
        WHERE facet_set IS NOT NULL GROUP BY 1, 2;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO item_facet_counts SELECT facet_set, year, count(*) FROM new_rows
        WHERE facet_set IS NOT NULL GROUP BY 1, 2;
    END IF;
    RETURN NULL;
END $$""",
    # One trigger per event: PostgreSQL allows transition tables only on single-event triggers.
    *(
        f"""DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'items_facet_counts_{event}') THEN
        CREATE TRIGGER items_facet_counts_{event} AFTER {event} ON items REFERENCING {tables}
        FOR EACH STATEMENT EXECUTE FUNCTION tp_item_facet_counts();
    END IF;
END $$"""  # noqa: S608
        for event, tables in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        )
    ),
)


def statements() -> list[str]:
    """Every statement that brings a database to `SCHEMA_VERSION`, in order."""
    extensions = [f"CREATE EXTENSION IF NOT EXISTS {name}" for name in EXTENSIONS]
    tables = [*TABLES, *INDEXES, *CHANGE_TRACKING, *VOCABULARY, *FACET_SETS, *FACET_COUNTS]
    return [*extensions, *FUNCTIONS, *TEXT_CONFIGS, *tables]
