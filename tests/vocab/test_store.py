"""Vocabularies stored in the catalog, on both stores: import, merge, re-link and re-index."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from tests.conftest import collection_doc
from tests.vocab.conftest import DATA, GCMD_SCHEME, OCEANS, SST, VOCAB, fixture_thesauri

from terrapole.catalog import CatalogStore
from terrapole.catalog.sqlite import SQLiteCatalog
from terrapole.core.errors import StorageError
from terrapole.core.query import Query
from terrapole.formats.stac import parse_collection
from terrapole.settings import Settings
from terrapole.vocab.importing import import_thesauri
from terrapole.vocab.linking import link_records
from terrapole.vocab.reader import read_file


def ids(store: CatalogStore, query: Query) -> list[str]:
    return sorted(c.id for c in store.search_collections(query).records)


def test_import_holds_the_schemes_and_importing_again_changes_nothing(store: CatalogStore) -> None:
    first = import_thesauri(store, fixture_thesauri())
    assert (first.schemes, first.concepts) == (3, 3283 + 34 + 40)
    before = store.vocabulary.snapshot()
    assert before.counts == {
        GCMD_SCHEME: 3283,
        "http://inspire.ec.europa.eu/theme": 34,
        "http://geonetwork-opensource.org/gemet-theme": 40,
    }
    assert before.label(SST, "fr") == "Température de surface de la mer"
    assert len(before.descendants(OCEANS)) == 259
    again = import_thesauri(store, fixture_thesauri())
    assert (again.relations, again.reindexed, again.relinked) == (0, 0, 0)
    after = store.vocabulary.snapshot()
    assert after.generation == before.generation + 1
    assert after.concepts == before.concepts and after.schemes == before.schemes


def test_mappings_between_schemes_are_kept(store: CatalogStore) -> None:
    import_thesauri(store, [read_file(VOCAB / "iso__TopicCategory.rdf")])
    import_thesauri(store, [read_file(VOCAB / "semic__iso-topic-categories-to-inspire-themes.rdf")])
    vocabulary = store.vocabulary.snapshot()
    elevation = "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/elevation"
    assert vocabulary.related(elevation)["exactMatch"] == ("http://inspire.ec.europa.eu/theme/el",)
    assert vocabulary.label(elevation, "fr") == "Altitude"


def test_a_label_layer_imported_later_links_and_reindexes_stored_records(store: CatalogStore) -> None:
    english = read_file(VOCAB / "gcmd__sciencekeywords.csv")
    import_thesauri(store, [english])
    docs = [
        collection_doc(
            "en",
            "Analyses",
            "Grids",
            ["SEA SURFACE TEMPERATURE"],
            "ocean",
            [0, 0, 1, 1],
            ["2020-01-01T00:00:00Z", None],
        ),
        collection_doc(
            "fr",
            "Analyses",
            "Grilles",
            ["Température de surface de la mer"],
            "ocean",
            [0, 0, 1, 1],
            ["2020-01-01T00:00:00Z", None],
        ),
    ]
    linked, _ = link_records(store, [parse_collection(d) for d in docs])
    store.upsert_collections(linked)
    assert ids(store, Query(concepts=(SST,))) == ["en"]  # the French keyword names no concept yet
    assert ids(store, Query(text="température de surface de la mer")) == ["fr"]

    report = import_thesauri(store, [read_file(DATA / "gcmd-sciencekeywords-fr.ttl")])
    assert report.relinked == 1  # "fr" now names SEA SURFACE TEMPERATURE
    assert report.reindexed >= 1  # "en" refers to a concept whose labels changed
    assert ids(store, Query(concepts=(SST,))) == ["en", "fr"]
    assert ids(store, Query(text="température de surface de la mer")) == ["en", "fr"]
    assert store.get_collection("fr").keywords[0].uri == SST


def test_deleting_records_deletes_their_concept_references(store: CatalogStore) -> None:
    import_thesauri(store, [read_file(VOCAB / "gcmd__sciencekeywords.csv")])
    doc = collection_doc(
        "c", "t", "d", ["SEA SURFACE TEMPERATURE"], "ocean", [0, 0, 1, 1], ["2020-01-01T00:00:00Z", None]
    )
    linked, _ = link_records(store, [parse_collection(doc)])
    store.upsert_collections(linked)
    assert ids(store, Query(concepts=(OCEANS,))) == ["c"]
    store.delete_collection("c")
    store.upsert_collections([parse_collection({**doc, "keywords": []})])
    assert ids(store, Query(concepts=(OCEANS,))) == []


@pytest.mark.backends("sqlite")  # the embedded store's derived text index
def test_a_text_index_of_an_older_schema_is_rebuilt_on_open(settings: Settings) -> None:
    import tantivy

    store = SQLiteCatalog.open(settings)
    import_thesauri(store, [read_file(VOCAB / "gcmd__sciencekeywords.csv")])
    doc = collection_doc(
        "c", "t", "d", ["SEA SURFACE TEMPERATURE"], "ocean", [0, 0, 1, 1], ["2020-01-01T00:00:00Z", None]
    )
    store.upsert_collections(link_records(store, [parse_collection(doc)])[0])
    store.close()
    # What terrapole 0.1 left: an index of two fields, and its analyzer version.
    for kind in ("items", "collections"):
        old = tantivy.SchemaBuilder()
        old.add_integer_field("rid", indexed=True, fast=True)
        old.add_text_field("title")
        shutil.rmtree(settings.text_index_path / kind)
        (settings.text_index_path / kind).mkdir()
        tantivy.Index(old.build(), path=str(settings.text_index_path / kind))
    with sqlite3.connect(settings.catalog_path) as conn:
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'text_analyzer'")
    with pytest.raises(StorageError, match="open the catalog writable once"):
        SQLiteCatalog.open(settings, writable=False)
    reopened = SQLiteCatalog.open(settings)
    try:
        assert ids(reopened, Query(text="sea surface temperature")) == ["c"]
        assert ids(reopened, Query(concepts=(SST,))) == ["c"]
    finally:
        reopened.close()
