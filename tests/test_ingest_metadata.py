"""Ingesting dataset-level metadata (ISO 19139/19115-3, DataCite, DCAT-AP) from real records."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.shared_fixtures import fixture_files

from terrapole import formats
from terrapole.catalog import CatalogStore
from terrapole.core.query import Query
from terrapole.core.record import catalog_id, record_from_collection
from terrapole.ingest import ingest, read_path

KINDS = ("iso19139", "iso19115-3", "datacite", "dcat-ap")


def copy_fixtures(target: Path) -> list[Path]:
    copied = []
    for kind in KINDS:
        (target / kind).mkdir(parents=True)
        for file in fixture_files(kind):
            copied.append(Path(shutil.copy(file, target / kind / file.name)))
    return copied


def test_every_metadata_fixture_becomes_a_collection_with_its_record(
    tmp_path: Path, store: CatalogStore
) -> None:
    files = copy_fixtures(tmp_path / "in")
    report = ingest(store, read_path(tmp_path / "in"))
    assert report.failures == []
    expected = {}
    for file in files:
        module = formats.FORMATS[formats.detect(file.read_bytes())].load()
        many = getattr(module, "parse_many", None)
        for record in many(file.read_bytes()) if many else [module.parse(file.read_bytes())]:
            expected[catalog_id(record.identifier)] = record
    # Some records share an identifier across files (templates, a record in two encodings):
    # the last one read wins, as an upsert does.
    assert report.collections == len(files) + 21 + 1  # two catalog documents hold 22 and 2 datasets
    assert store.collection_count() == len(expected)
    sentinel = record_from_collection(store.get_collection("S2MSI2A"))
    assert sentinel.identifier == "S2MSI2A"
    assert sentinel.provenance[-1].format == "iso19139"
    assert sentinel.provenance[-1].source.endswith("pycsw-stac__S2MSI2A.xml")
    doi = store.get_collection(catalog_id("10.82433/B09Z-4K37"))
    assert record_from_collection(doi).doi == "10.82433/B09Z-4K37"


def test_metadata_collections_are_found_by_text_and_place(tmp_path: Path, store: CatalogStore) -> None:
    copy_fixtures(tmp_path / "in")
    ingest(store, read_path(tmp_path / "in"))
    found = {c.id for c in store.search_collections(Query(text="Sentinel", limit=100)).records}
    assert {"S2MSI1C", "S2MSI2A"} <= found


def test_a_hostile_document_is_reported_and_the_others_go_in(tmp_path: Path, store: CatalogStore) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    (folder / "evil.xml").write_text(
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd">&x;</gmd:MD_Metadata>'
    )
    shutil.copy(fixture_files("datacite")[0], folder / "good.xml")
    report = ingest(store, read_path(folder))
    assert report.collections == 1
    assert [origin for origin, _ in report.failures] == [str(folder / "evil.xml")]
    assert "DOCTYPE" in report.failures[0][1]
    assert "TOP-SECRET" not in report.failures[0][1]
