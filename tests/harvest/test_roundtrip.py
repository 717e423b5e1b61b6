"""Round trip: a second terrapole instance harvests the first over CSW, over OAI-PMH and over STAC
and ends with the same records.

Node A is a `terrapole serve` process holding real records from several sources and formats
(ISO 19139 from GeoNetwork, INSPIRE, pycsw and the French SINP, among them a French/English
record; DataCite with a DOI; DCAT-AP 3). Node B harvests it with the harvest code into a fresh
catalog per protocol (in this process: what is under test is the client side of B and the
serving side of A). What a format cannot carry is left out of the comparison with the format
module's `DROPPED_FIELDS`, as the format tests do. Records that reached A in the served format come
back equal to A's; the others come back as that format's encoder writes them (its choices are
tested in tests/formats), and their core fields (ids, titles and abstracts in each language,
keywords with their thesauri, extent, contacts, licence, DOI), as far as the format carries them,
equal to A's. One known exception, left to the DataCite format's owners: a DataCite subject has
one language, so an ISO keyword labelled in several languages comes back as several keywords, and
INSPIRE theme keywords come back as themes only (`CROSS_FORMAT_CHANGES`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.conftest import backend_database
from tests.formats.metadata_fixtures import without
from tests.harvest.local_sources import iso_record
from tests.support.server_processes import ServerProcess, serve_process
from tests.support.shared_fixtures import SHARED_FIXTURES

from terrapole.catalog import CatalogStore, open_catalog
from terrapole.core.query import Query
from terrapole.core.record import Record, record_from_collection
from terrapole.formats import datacite, iso19139
from terrapole.harvest.report import RunReport
from terrapole.harvest.runner import Harvester, utc_now
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.store import HarvestStore
from terrapole.ingest import RawDocument, Source, ingest, read_path
from terrapole.settings import Settings

# fixture file -> the format it is in
FIXTURES = {
    "iso19139/geonetwork-test__forest-multilingual.xml": "iso19139",
    "iso19139/inspire-tg__basic_dataset.xml": "iso19139",
    "iso19139/pycsw-apiso__pacioos-NS06agg.xml": "iso19139",
    "iso19139/sinp__reseau132800.iso.xml": "iso19139",
    "datacite/datacite-4.7__datacite-example-full-v4.xml": "datacite",
    "dcat-ap/geonetwork-dcat-ap__mesure-hauteur-eau-wallonie.dcat-ap3.xml": "dcat-rdfxml",
}
FOREST = "837750fd-5790-4263-ad6d-cd94c43cfe5b"  # the multilingual record (en, de, fr, it)
DOI = "10.82433/B09Z-4K37"
DOI_ID = "10.82433-B09Z-4K37-68c18233"  # its catalog id
ALWAYS_DROPPED = ("pole", "access", "provenance")  # B's own: where and how it got the record
# Core fields a format changes on records that came in another format (see the module docstring).
CROSS_FORMAT_CHANGES = {datacite: ("keywords",)}


def all_records(catalog: CatalogStore) -> dict[str, Record]:
    """Every record of a catalog, by catalog id."""
    page = catalog.search_collections(Query(limit=1000))
    return {c.id: record_from_collection(c) for c in page.records}


@dataclass
class NodeA:
    """Node A: its server, its settings (to read and change its catalog beside the server) and
    the format each of its records came in."""

    server: ServerProcess
    settings: Settings
    came_as: dict[str, str]

    def records(self) -> dict[str, Record]:
        """A's records now, by catalog id."""
        with self.catalog() as catalog:
            return all_records(catalog)

    @contextmanager
    def catalog(self) -> Iterator[CatalogStore]:
        """A's catalog, opened beside its server (as another process of the node would)."""
        catalog = open_catalog(self.settings)
        try:
            yield catalog
        finally:
            catalog.close()


@pytest.fixture(scope="module")
def node_a(
    tmp_path_factory: pytest.TempPathFactory, backend: str, request: pytest.FixtureRequest
) -> Iterator[NodeA]:
    """Node A, loaded with the fixtures, serving on a free loopback port."""
    root = tmp_path_factory.mktemp("node-a")
    with backend_database(request, backend) as url:
        settings = Settings(data_dir=root / "data", database_url=url)
        catalog = open_catalog(settings)
        try:
            for name in FIXTURES:
                report = ingest(catalog, read_path(SHARED_FIXTURES / name))
                assert (report.collections, report.failures) == (1, []), name
            came_as = {i: r.provenance[-1].format for i, r in all_records(catalog).items()}
        finally:
            catalog.close()
        assert sorted(came_as.values()) == sorted(FIXTURES.values())
        env = {"TERRAPOLE_DATABASE_URL": url} if url else {}
        with serve_process(root, env) as server:
            yield NodeA(server, settings, came_as)


@dataclass
class NodeB:
    """Node B: a fresh catalog and a harvester into it."""

    catalog: CatalogStore
    harvests: HarvestStore

    def records(self) -> dict[str, Record]:
        """B's records now, by catalog id."""
        return all_records(self.catalog)

    def harvest(self, protocol: str, url: str, **options: str) -> RunReport:
        """Harvest A (registered as a source on the first call) incrementally after the first run."""
        if not self.harvests.sources():
            self.harvests.add_source(HarvestSource("node-a", protocol, url, None, options), utc_now())
        return Harvester(self.catalog, self.harvests).run("node-a")


@pytest.fixture
def node_b(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Iterator[NodeB]:
    """Node B with an empty catalog of its own."""
    with backend_database(request, backend) as url:
        settings = Settings(data_dir=tmp_path / "node-b", database_url=url)
        catalog = open_catalog(settings)
        harvests = HarvestStore.open(settings)
        try:
            yield NodeB(catalog, harvests)
        finally:
            harvests.close()
            catalog.close()


def carried(record: Record, module: ModuleType) -> Record:
    """The record without what the format cannot carry, nor what B records of its own."""
    return without(record, (*ALWAYS_DROPPED, *module.DROPPED_FIELDS))


def core(record: Record) -> dict[str, Any]:
    """The fields every protocol must bring back unchanged, whatever format they travel in."""
    return {
        "identifier": record.identifier,
        "title": record.title,
        "abstract": record.abstract,
        "keywords": sorted(
            (k.label.get("und") or next(iter(k.label.values())), k.thesaurus or "", k.thesaurus_uri or "")
            for k in record.keywords
        ),
        "extent": record.extent,
        "contacts": sorted({(c.name, c.organisation or "", c.email or "") for c in record.contacts}),
        "licence": (record.constraints.license, record.constraints.license_url),
        "doi": sorted(i.code for i in record.identifiers if (i.scheme or "").upper() == "DOI"),
    }


def assert_same_records(a: NodeA, b: NodeB, module: ModuleType, native: str) -> None:
    """B holds A's records as `module`'s format carries them (see the module docstring)."""
    theirs, ours = a.records(), b.records()
    assert sorted(ours) == sorted(theirs)
    for identifier, record in theirs.items():
        harvested = ours[identifier]
        assert carried(harvested, module) == carried(module.parse(module.encode(record)), module), identifier
        if a.came_as[identifier] == native:
            assert carried(harvested, module) == carried(record, module), identifier
        expected, found = core(carried(record, module)), core(carried(harvested, module))
        if a.came_as[identifier] != native:
            for name in CROSS_FORMAT_CHANGES.get(module, ()):
                del expected[name], found[name]
        assert found == expected, identifier


def assert_nothing_changes(b: NodeB) -> None:
    """A second run found nothing new, changed or gone, and left B's records as they were."""
    before = b.records()
    again = b.harvest("", "")
    assert (again.status, again.mode) == ("succeeded", "incremental")
    counts = again.counts
    assert (counts.new, counts.updated, counts.deleted, counts.failed) == (0, 0, 0, 0)
    assert b.records() == before


def assert_first_run(report: RunReport, a: NodeA) -> None:
    """The first run wrote every record of A, and failed on none."""
    assert (report.status, report.mode, report.error) == ("succeeded", "full", None)
    assert (report.counts.new, report.counts.failed) == (len(a.records()), 0), report.failures


def test_csw_round_trip_in_iso19139(node_a: NodeA, node_b: NodeB) -> None:
    report = node_b.harvest("csw", f"{node_a.server.base_url}/csw", pageSize="2")
    assert_first_run(report, node_a)
    assert_same_records(node_a, node_b, iso19139, "iso19139")
    ours = node_b.records()
    assert ours[FOREST].title == {"en": "Forest", "de": "Wald", "fr": "Forêt", "it": "Bosco"}
    assert [i.code for i in ours[DOI_ID].identifiers if i.scheme == "DOI"] == [DOI]
    assert ours[DOI_ID].identifier == DOI
    assert_nothing_changes(node_b)


@pytest.mark.parametrize(
    ("prefix", "module", "native"),
    [("iso19139", iso19139, "iso19139"), ("oai_datacite", datacite, "datacite")],
)
def test_oai_pmh_round_trip(
    node_a: NodeA, node_b: NodeB, prefix: str, module: ModuleType, native: str
) -> None:
    report = node_b.harvest("oaipmh", f"{node_a.server.base_url}/oai", metadataPrefix=prefix)
    assert_first_run(report, node_a)
    assert_same_records(node_a, node_b, module, native)
    assert_nothing_changes(node_b)


def test_stac_round_trip_keeps_whole_records(node_a: NodeA, node_b: NodeB) -> None:
    report = node_b.harvest("stac-api", f"{node_a.server.base_url}/stac", pageSize="2")
    assert_first_run(report, node_a)
    theirs, ours = node_a.records(), node_b.records()
    assert {i: replace(r, provenance=()) for i, r in ours.items()} == {
        i: replace(r, provenance=()) for i, r in theirs.items()
    }
    for identifier, record in theirs.items():
        chain = ours[identifier].provenance
        assert chain[:-1] == record.provenance
        assert (chain[-1].format, chain[-1].original_id) == ("stac", identifier)
    assert_nothing_changes(node_b)


def test_a_record_deleted_on_a_disappears_from_b_at_the_next_incremental_oai_pmh_harvest(
    node_a: NodeA, node_b: NodeB
) -> None:
    extra = iso_record("roundtrip-doomed", "A record about to be deleted")
    with node_a.catalog() as catalog:
        assert ingest(catalog, [Source("test", RawDocument(extra))]).collections == 1
    url = f"{node_a.server.base_url}/oai"
    first = node_b.harvest("oaipmh", url, metadataPrefix="iso19139")
    assert_first_run(first, node_a)
    assert "roundtrip-doomed" in node_b.records()
    with node_a.catalog() as catalog:
        catalog.delete_collection("roundtrip-doomed")
    again = node_b.harvest("", "")
    assert (again.status, again.mode) == ("succeeded", "incremental")
    assert (again.counts.new, again.counts.updated, again.counts.deleted) == (0, 0, 1)
    assert sorted(node_b.records()) == sorted(node_a.records())
    assert "roundtrip-doomed" not in node_b.records()
