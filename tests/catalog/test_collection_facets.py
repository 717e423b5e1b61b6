"""Record-level queryables of collections (type, keywords, organisation, dates, any text), exact
counts and offset pages, on both stores; the schema migrations that add the facet columns."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime

import psycopg
import pytest

from terrapole.catalog import CatalogStore, open_catalog
from terrapole.catalog import postgres as postgres_module
from terrapole.catalog.records import FACET_COLUMNS, collection_facets, member_patterns
from terrapole.core.errors import UnknownQueryable
from terrapole.core.filter import parse_filter
from terrapole.core.model import BBox, Contact, Extent, Keyword
from terrapole.core.query import Query, SortField
from terrapole.core.record import Dates, Record, collection_from_record
from terrapole.settings import Settings


def record(n: int) -> Record:
    """Record n of 30: every third a series, every fifth a service; keywords, contacts and dates vary."""
    level = "service" if n % 5 == 0 else "series" if n % 3 == 0 else "dataset"
    keywords = (
        [Keyword({"en": "ocean"})] if n % 2 else [Keyword({"en": "land cover"}), Keyword({"fr": "forêt"})]
    )
    return Record(
        identifier=f"rec-{n:02d}",
        title={"en": f"Record {n} about {'the sea' if n % 2 else 'forests'}"},
        abstract={"en": f"Abstract number {n}"},
        hierarchy_level=level,
        language="fre" if n % 4 == 0 else "eng",
        keywords=tuple(keywords),
        topic_categories=("oceans",) if n % 2 else (),
        contacts=(
            Contact("Jane Doe", ("author",), organisation="Ifremer" if n % 2 else "IGN", kind="person"),
            Contact("Data Terra", ("publisher",), kind="organisation"),
        ),
        extent=Extent(bboxes=(BBox(n - 20.0, 40.0, n - 10.0, 50.0),)),
        formats=("NetCDF", "GeoTIFF") if n % 2 else ("GeoTIFF",),
        dates=Dates(created=date(2000 + n % 20, 1, 1), metadata=date(2020, 1, 1 + n)),
        parent_identifier="rec-00" if n % 3 == 0 and n else None,
    )


@pytest.fixture
def filled(store: CatalogStore) -> CatalogStore:
    """The store holding the 30 records as collections."""
    store.upsert_collections(collection_from_record(record(n)) for n in range(30))
    return store


def ids(store: CatalogStore, cql2: str, **query: object) -> list[str]:
    page = store.search_collections(Query(filter=parse_filter(cql2), limit=100, **query))  # type: ignore[arg-type]
    return sorted(c.id for c in page.records)


def expected(predicate: object) -> list[str]:
    return sorted(f"rec-{n:02d}" for n in range(30) if predicate(record(n)))  # type: ignore[operator]


def test_facets_are_read_from_the_canonical_record() -> None:
    facets = collection_facets(collection_from_record(record(1)))
    assert facets.type == "dataset"
    assert facets.keywords == "ocean; oceans"
    assert facets.organisation == "Ifremer; Data Terra"
    assert facets.formats == "NetCDF; GeoTIFF"
    assert facets.language == "eng"
    assert facets.created == datetime(2001, 1, 1, tzinfo=UTC)
    assert facets.updated == datetime(2020, 1, 2, tzinfo=UTC)
    assert "record 1 about the sea" in facets.anytext and "jane doe" in facets.anytext


def test_filters_on_type_keywords_organisation_language_and_parent(filled: CatalogStore) -> None:
    assert ids(filled, "type = 'service'") == expected(lambda r: r.hierarchy_level == "service")
    assert ids(filled, "keywords LIKE '%land cover%'") == expected(lambda r: "forest" in r.title["en"])
    assert ids(filled, "organisation LIKE '%Ifremer%'") == expected(
        lambda r: r.contacts[0].organisation == "Ifremer"
    )
    assert ids(filled, "language = 'fre'") == expected(lambda r: r.language == "fre")
    assert ids(filled, "parent_identifier = 'rec-00'") == expected(lambda r: r.parent_identifier == "rec-00")
    assert ids(filled, "anytext LIKE '%forêt%'") == expected(lambda r: "forest" in r.title["en"])


def test_a_member_of_a_joined_list_is_found_by_its_four_patterns(filled: CatalogStore) -> None:
    patterns = " OR ".join(f"keywords LIKE '{p}'" for p in member_patterns("ocean"))
    assert ids(filled, patterns) == expected(lambda r: r.title["en"].endswith("the sea"))
    patterns = " OR ".join(f"formats LIKE '{p}'" for p in member_patterns("GeoTIFF"))
    assert len(ids(filled, patterns)) == 30
    # "oceans" contains "ocean" but is another member: only whole members match.
    assert member_patterns("oce") == ("oce", "oce; %", "%; oce", "%; oce; %")
    assert ids(filled, " OR ".join(f"keywords LIKE '{p}'" for p in member_patterns("oce"))) == []


def test_dates_compare_as_instants(filled: CatalogStore) -> None:
    assert ids(filled, "updated > TIMESTAMP('2020-01-25T00:00:00Z')") == expected(
        lambda r: r.dates.metadata.day > 25
    )
    assert ids(filled, "created < DATE('2003-01-01')") == expected(lambda r: r.dates.created.year < 2003)


def test_sort_by_a_facet_and_unknown_names_are_refused(filled: CatalogStore) -> None:
    page = filled.search_collections(Query(sortby=(SortField("updated", True),), limit=3))
    assert [c.id for c in page.records] == ["rec-29", "rec-28", "rec-27"]
    with pytest.raises(UnknownQueryable):
        filled.search_collections(Query(filter=parse_filter("nonsense = 'x'")))


def test_offset_pages_match_keyset_pages_and_counts_are_exact(filled: CatalogStore) -> None:
    query = Query(filter=parse_filter("type <> 'service'"), limit=7, sortby=(SortField("title"),))
    walked, token = [], None
    while True:
        page = filled.search_collections(replace(query, token=token))
        walked.extend(c.id for c in page.records)
        if not (token := page.next_token):
            break
    by_offset = [
        c.id for o in range(0, 30, 7) for c in filled.search_collections(replace(query, offset=o)).records
    ]
    assert by_offset == walked and len(walked) == 24
    assert filled.count_collections(query) == 24
    last = filled.search_collections(replace(query, offset=21))
    assert len(last.records) == 3 and last.number_matched == 24 and last.next_token is None
    assert last.prev_token is not None
    beyond = filled.search_collections(replace(query, offset=40))
    assert beyond.records == [] and beyond.number_matched == 24


def test_text_searches_count_and_skip_exactly(filled: CatalogStore) -> None:
    box = BBox(-5.0, 30.0, 20.0, 60.0)  # meets the boxes of records 6 to 29
    query = Query(text="forests", bbox=box, limit=4)
    wanted = {f"rec-{n:02d}" for n in range(6, 30) if n % 2 == 0}
    assert filled.count_collections(query) == len(wanted) == 12
    seen = [
        c.id for o in range(0, 12, 4) for c in filled.search_collections(replace(query, offset=o)).records
    ]
    assert sorted(seen) == sorted(wanted)
    assert filled.search_collections(replace(query, offset=12)).records == []


def test_distinct_values_of_a_facet(filled: CatalogStore) -> None:
    assert filled.collection_values("type") == ["dataset", "series", "service"]
    assert filled.collection_values("language", limit=1) == ["eng"]
    assert filled.collection_values("updated")[0] == datetime(2020, 1, 1, tzinfo=UTC)


@pytest.mark.backends("sqlite")
def test_sqlite_version_1_catalog_gets_its_facets_on_open(settings: Settings) -> None:
    store = open_catalog(settings)
    store.upsert_collections([collection_from_record(record(5))])
    store.close()
    with sqlite3.connect(settings.catalog_path) as conn:
        for name in FACET_COLUMNS:
            conn.execute(f"ALTER TABLE collections DROP COLUMN {name}")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    reopened = open_catalog(settings)
    try:
        assert [
            c.id for c in reopened.search_collections(Query(filter=parse_filter("type = 'service'"))).records
        ] == ["rec-05"]
    finally:
        reopened.close()


@pytest.mark.backends("postgres")
def test_postgres_upgrade_fills_the_facets_of_older_rows(settings: Settings) -> None:
    assert settings.database_url
    store = open_catalog(settings)
    store.upsert_collections([collection_from_record(record(5))])
    store.close()
    with psycopg.connect(settings.database_url) as conn:
        for name in FACET_COLUMNS:
            conn.execute(f"ALTER TABLE collections DROP COLUMN {name}")  # what a version 2 table holds
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    assert postgres_module.upgrade(settings.database_url) == postgres_module.SCHEMA_VERSION
    reopened = open_catalog(settings)
    try:
        found = reopened.search_collections(Query(filter=parse_filter("organisation LIKE '%Data Terra%'")))
        assert [c.id for c in found.records] == ["rec-05"]
    finally:
        reopened.close()
