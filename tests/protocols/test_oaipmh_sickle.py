"""A real OAI-PMH client (Sickle) against a real `terrapole serve` process, on both stores: full
ListRecords harvests with resumption tokens in every metadata format, the other verbs, errors
as Sickle's exceptions, and a harvest during which the catalog changes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from sickle import Sickle, oaiexceptions
from tests.conftest import backend_database
from tests.support.server_processes import ServerProcess, serve_processes

from terrapole import formats
from terrapole.catalog import CatalogStore, open_catalog
from terrapole.core.model import Collection
from terrapole.core.record import Record, collection_from_record, record_from_collection
from terrapole.settings import Settings

from .oai_support import FORMATS, OAI_NS, harvest_collections

PAGE = 3
REPOSITORY = "terrapole.example.org"
PARSERS = {
    "oai_dc": "oai_dc",
    "oai_datacite": "datacite",
    "datacite": "datacite",
    "iso19139": "iso19139",
    "dcat": "dcat-rdfxml",
}


@dataclass
class LiveRepository:
    """A server process and a store on the same catalog (the test writes, the server answers)."""

    server: ServerProcess
    store: CatalogStore
    collections: list[Collection]

    def sickle(self, method: str = "GET") -> Sickle:
        return Sickle(f"{self.server.base_url}/oai", http_method=method, max_retries=0, timeout=60)


@contextmanager
def live_repository(request: pytest.FixtureRequest, backend: str, root: Path) -> Iterator[LiveRepository]:
    """`terrapole serve` on a new catalog of ten records, pages of three."""
    with backend_database(request, backend) as database_url:
        env = {"TERRAPOLE_OAI_PAGE_SIZE": str(PAGE), "TERRAPOLE_OAI_REPOSITORY_ID": REPOSITORY}
        if database_url:
            env["TERRAPOLE_DATABASE_URL"] = database_url
        with serve_processes(1, root, env) as (server,):
            store = open_catalog(Settings(data_dir=root / "server-0" / "data", database_url=database_url))
            try:
                collections = harvest_collections()
                store.upsert_collections(collections)
                yield LiveRepository(server, store, collections)
            finally:
                store.close()


@pytest.fixture(scope="module")
def live(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveRepository]:
    """One server per backend for the read-only tests."""
    with live_repository(request, backend, tmp_path_factory.mktemp("oai-live")) as repository:
        yield repository


def local_id(identifier: str) -> str:
    return identifier.removeprefix(f"oai:{REPOSITORY}:")


@pytest.mark.parametrize("prefix", FORMATS)
def test_sickle_harvests_every_record_in_each_format(live: LiveRepository, prefix: str) -> None:
    records = list(live.sickle().ListRecords(metadataPrefix=prefix))
    expected = {c.id: record_from_collection(c) for c in live.collections}
    assert sorted(local_id(r.header.identifier) for r in records) == sorted(expected)
    parse = formats.FORMATS[PARSERS[prefix]].parse
    for record in records:
        (document,) = record.xml.find(f"{{{OAI_NS}}}metadata")
        parsed = parse(etree.tostring(document))
        wanted = expected[local_id(record.header.identifier)]
        assert next(iter(wanted.title.values())) in parsed.title.values()
        assert not record.header.deleted


def test_sickle_pages_by_post_and_reads_sets_and_formats(live: LiveRepository) -> None:
    sickle = live.sickle("POST")
    headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="pole:land"))
    assert sorted(local_id(h.identifier) for h in headers) == [
        "837750fd-5790-4263-ad6d-cd94c43cfe5b",
        "S2MSI2A",
        "land-s2",
    ]
    assert all("pole:land" in h.setSpecs for h in headers)
    identify = sickle.Identify()
    assert (identify.deletedRecord, identify.granularity) == ("persistent", "YYYY-MM-DDThh:mm:ssZ")
    assert identify.baseURL == f"{live.server.base_url}/oai"
    assert [f.metadataPrefix for f in sickle.ListMetadataFormats()] == list(FORMATS)
    assert "pole:land:land-s2" in [s.setSpec for s in sickle.ListSets()]
    record = sickle.GetRecord(identifier=f"oai:{REPOSITORY}:land-s2", metadataPrefix="oai_dc")
    assert record.metadata["title"] == ["Sentinel-2 surface reflectance", "Réflectances Sentinel-2"]


def test_sickle_raises_the_protocol_errors(live: LiveRepository) -> None:
    sickle = live.sickle()
    with pytest.raises(oaiexceptions.BadResumptionToken):
        list(sickle.ListRecords(resumptionToken="forged"))
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(sickle.ListRecords(metadataPrefix="oai_dc", **{"from": "2999-01-01"}))
    with pytest.raises(oaiexceptions.CannotDisseminateFormat):
        list(sickle.ListIdentifiers(metadataPrefix="marc21"))
    with pytest.raises(oaiexceptions.IdDoesNotExist):
        sickle.GetRecord(identifier=f"oai:{REPOSITORY}:nothing", metadataPrefix="oai_dc")
    with pytest.raises(oaiexceptions.BadArgument):
        list(sickle.ListRecords(metadataPrefix="oai_dc", until="last week"))


def test_a_harvest_during_changes_loses_nothing(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> None:
    with live_repository(request, backend, tmp_path) as repository:
        by_id = {c.id: c for c in repository.collections}
        harvest = repository.sickle().ListRecords(metadataPrefix="oai_datacite")
        delivered = [next(harvest) for _ in range(PAGE)]  # the first page
        passed = local_id(delivered[0].header.identifier)
        ahead = [cid for cid in by_id if cid not in {local_id(r.header.identifier) for r in delivered}]
        store = repository.store
        store.upsert_collections(
            [_retitled(by_id[passed], "Changed after"), _retitled(by_id[ahead[0]], "Changed ahead")]
        )
        store.upsert_collections([collection_from_record(Record(identifier="added", title={"en": "Added"}))])
        store.delete_collection(ahead[-1])
        delivered.extend(harvest)  # Sickle follows the resumption tokens to the end
        ids = [local_id(r.header.identifier) for r in delivered]
        assert set(ids) == set(by_id) | {"added"}
        assert sorted(cid for cid in set(ids) if ids.count(cid) > 1) == [passed]
        deleted = [local_id(r.header.identifier) for r in delivered if r.header.deleted]
        assert deleted == [ahead[-1]]
        assert harvest.resumption_token is not None
        assert int(harvest.resumption_token.complete_list_size) == len(ids)


def _retitled(collection: Collection, title: str) -> Collection:
    record = record_from_collection(collection)
    return collection_from_record(record.with_changes(title={"en": title}), collection.id)
