"""Full listings (deletions found by comparison), parallel requests, and copies of one dataset from
two poles, against local CSW and OAI-PMH servers."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from tests.harvest.conftest import T0, Clock, add_source
from tests.harvest.local_sources import CswCatalogue, OaiRepository, Record, iso_record, records, serving

from terrapole.catalog import CatalogStore
from terrapole.catalog.records import collection_from_json
from terrapole.core.errors import NotFound
from terrapole.core.model import Collection
from terrapole.core.record import RECORD_KEY, record_from_collection
from terrapole.harvest.runner import Harvester
from terrapole.harvest.store import HarvestStore


def test_a_full_listing_deletes_what_the_catalogue_no_longer_lists(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore
) -> None:
    catalogue = CswCatalogue(records(6, T0))
    with serving(catalogue) as server:
        add_source(harvest_store, "csw", "csw", f"{server.url}/csw", pageSize=4)
        first = harvester.run("csw")
        del catalogue.records[1:3]
        second = harvester.run("csw", full=True)
    assert (first.counts.new, first.pages) == (6, 2)
    assert (second.mode, second.counts.unchanged, second.counts.deleted) == ("full", 4, 2)
    assert store.collection_count() == 4
    for gone in ("rec-001", "rec-002"):
        with pytest.raises(NotFound):
            store.get_collection(gone)
        with pytest.raises(NotFound):
            harvest_store.document("csw", gone)


def test_an_empty_full_listing_deletes_nothing(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore
) -> None:
    catalogue = CswCatalogue(records(3, T0))
    with serving(catalogue) as server:
        add_source(harvest_store, "csw", "csw", f"{server.url}/csw")
        harvester.run("csw")
        catalogue.records.clear()
        report = harvester.run("csw", full=True)
    assert (report.status, report.counts.deleted) == ("succeeded", 0)
    (failure,) = report.failures
    assert "3 records kept rather than deleted" in failure.reason
    assert store.collection_count() == 3


@pytest.mark.parametrize("parallel", [1, 2, 3])
def test_requests_in_flight_stay_within_the_source_limit(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, parallel: int
) -> None:
    catalogue = CswCatalogue(records(9, T0), delay_s=0.05)
    with serving(catalogue) as server:
        add_source(harvest_store, "csw", "csw", f"{server.url}/csw", pageSize=1, parallel=parallel)
        report = harvester.run("csw")
    assert (report.counts.new, report.pages) == (9, 9)
    assert 1 <= server.most_in_flight <= parallel
    assert store.collection_count() == 9


def test_pages_are_fetched_in_parallel(harvester: Harvester, harvest_store: HarvestStore) -> None:
    # Every page after the first waits at a barrier for a second request: the harvest succeeds
    # only if two requests are in flight at once.
    catalogue = CswCatalogue(records(5, T0), barrier=threading.Barrier(2, timeout=10))
    with serving(catalogue) as server:
        add_source(harvest_store, "csw", "csw", f"{server.url}/csw", pageSize=1, parallel=2, retries=1)
        report = harvester.run("csw")
    assert (report.status, report.counts.new) == ("succeeded", 5)
    assert server.most_in_flight == 2


def test_copies_sharing_a_doi_make_one_record_until_one_goes(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, clock: Clock
) -> None:
    doi = "10.1234/forest-height"
    ocean = OaiRepository([Record("o-7", T0, iso_record("o-7", "Forest height (ocean copy)", doi))])
    land = OaiRepository([Record("l-3", T0, iso_record("l-3", "Forest height (land copy)", doi))])
    with serving(ocean) as ocean_server, serving(land) as land_server:
        add_source(
            harvest_store, "ocean", "oaipmh", f"{ocean_server.url}/oai", "ocean", metadataPrefix="iso19139"
        )
        add_source(
            harvest_store, "land", "oaipmh", f"{land_server.url}/oai", "land", metadataPrefix="iso19139"
        )
        harvester.run("ocean")
        harvester.run("land")
        assert store.collection_count() == 1
        merged = store.get_collection("l-3")  # the smaller identifier of the two
        record = record_from_collection(merged)
        assert merged.pole == "land"  # same priority and date: "land" sorts before "ocean"
        assert [p.pole for p in merged.provenance] == ["land", "ocean"]
        assert record.doi == doi
        assert "o-7" in {i.code for i in record.identifiers}
        ocean.records[0] = Record("o-7", T0.replace(hour=2), None)
        ocean.response_date = "2030-01-01T03:00:00Z"
        clock.advance(hours=4)
        report = harvester.run("ocean")
    assert report.counts.deleted == 1
    alone = store.get_collection("l-3")
    assert [p.pole for p in alone.provenance] == ["land"]
    assert store.collection_count() == 1


def test_records_parsed_in_worker_processes_are_the_same(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore
) -> None:
    listed = records(100, T0)
    listed[77].xml = b"<unknown xmlns='urn:example'/>"
    with serving(OaiRepository(listed, page_size=100)) as server:
        add_source(harvest_store, "one", "oaipmh", f"{server.url}/oai", "ocean", metadataPrefix="iso19139")
        add_source(
            harvest_store,
            "two",
            "oaipmh",
            f"{server.url}/oai",
            "land",
            metadataPrefix="iso19139",
            parseWorkers=2,
        )
        alone = harvester.run("one")
        pooled = harvester.run("two")
    assert (pooled.status, pooled.counts.new, pooled.counts.failed) == ("succeeded", 99, 1)
    assert pooled.failures == alone.failures
    assert pooled.failures[0].identifier == "rec-077"
    assert store.collection_count() == 99
    for copy_one, copy_two in (
        sorted(harvest_store.copies([f"rec-0{n}"], []), key=lambda c: c.source) for n in (10, 42)
    ):
        one, two = (collection_from_json(c.content) for c in (copy_one, copy_two))
        assert (one.pole, two.pole) == ("ocean", "land")
        assert replace(two, pole="ocean", provenance=one.provenance, extra=one.extra) == one
        assert _without_provenance(two) == _without_provenance(one)


def _without_provenance(collection: Collection) -> dict[str, object]:
    record = dict(collection.extra[RECORD_KEY])
    return {k: v for k, v in record.items() if k not in ("provenance", "pole")}
