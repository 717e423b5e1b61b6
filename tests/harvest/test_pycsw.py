"""Harvesting a real pycsw (2.6.2, from the package index) over CSW 2.0.2 and over its OAI-PMH endpoint.

What pycsw serves is read independently with OWSLib's own CSW client and ISO reader (the test
environment's OWSLib, not pycsw's): the harvested catalog must hold the same records with the
same identifiers, titles and boxes, and keep each record exactly as pycsw served it.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

import httpx
import pytest
from lxml import etree
from owslib.catalogue.csw2 import CatalogueServiceWeb
from owslib.iso import MD_Metadata
from tests.harvest.conftest import add_source
from tests.support.pycsw import PycswServer, record_count

from terrapole.catalog import CatalogStore
from terrapole.core.model import Collection, pick_language
from terrapole.core.record import catalog_id
from terrapole.harvest.runner import Harvester
from terrapole.harvest.store import HarvestStore

GMD = "http://www.isotc211.org/2005/gmd"
CSW = "http://www.opengis.net/cat/csw/2.0.2"


@functools.cache
def served(csw_url: str) -> dict[str, Any]:
    """Every record pycsw serves, as OWSLib's `MD_Metadata`, by identifier.

    Read from OWSLib's response tree: its own record list misses the ISO 19115-2 `gmi:MI_Metadata`
    records of a page that also holds `gmd:MD_Metadata` ones.
    """
    csw = CatalogueServiceWeb(csw_url)
    records: dict[str, Any] = {}
    position = 1
    while position:
        csw.getrecords2(
            typenames="gmd:MD_Metadata", outputschema=GMD, esn="full", startposition=position, maxrecords=10
        )
        for element in csw._exml.getroot().find(f"{{{CSW}}}SearchResults"):
            md = MD_Metadata(element)
            records[md.identifier] = md
        position = int(csw.results["nextrecord"] or 0)
    return records


def check_fields(collection: Collection, md: Any) -> None:
    """The catalog record says what pycsw's record says (title, box)."""
    identification = md.identification[0]
    assert " ".join(pick_language(collection.title).split()) == " ".join(identification.title.split())
    box = getattr(identification, "bbox", None)
    if box is not None and box.minx not in (None, ""):
        expected = [float(box.minx), float(box.miny), float(box.maxx), float(box.maxy)]
        assert collection.extent.bbox is not None
        assert collection.extent.bbox.as_list() == pytest.approx(expected)


def c14n(data: bytes) -> bytes:
    """Exclusive canonical XML: the record whatever namespace declarations surround it."""
    return etree.tostring(etree.fromstring(data), method="c14n", exclusive=True)


def test_csw_harvest_holds_what_pycsw_serves(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, pycsw: PycswServer
) -> None:
    add_source(harvest_store, "ocean-csw", "csw", pycsw.csw_url, pole="ocean", pageSize=10)
    report = harvester.run("ocean-csw")
    oracle = served(pycsw.csw_url)
    assert len(oracle) == record_count(pycsw.home) == 24
    assert (report.status, report.mode, report.error) == ("succeeded", "full", None)
    assert (report.counts.new, report.counts.failed, report.pages) == (24, 0, 3)
    assert report.failures == []
    assert store.collection_count() == 24
    for identifier, md in oracle.items():
        collection = store.get_collection(catalog_id(identifier))
        check_fields(collection, md)
        assert collection.pole == "ocean"
        (provenance,) = collection.provenance
        assert (provenance.source, provenance.format) == (f"{pycsw.csw_url}#{identifier}", "iso19139")
        assert (provenance.original_id, provenance.pole) == (identifier, "ocean")


def test_csw_keeps_each_record_as_pycsw_served_it(
    harvester: Harvester, harvest_store: HarvestStore, pycsw: PycswServer
) -> None:
    add_source(harvest_store, "ocean-csw", "csw", pycsw.csw_url, pageSize=10)
    harvester.run("ocean-csw")
    for identifier in ("3e9a8c05", "da165110-88fd-11da-a88f-000d939bc5d8"):
        params = {"service": "CSW", "version": "2.0.2", "request": "GetRecordById", "id": identifier}
        response = httpx.get(pycsw.csw_url, params={**params, "outputschema": GMD, "elementsetname": "full"})
        by_id = etree.fromstring(response.content)[0]
        stored = harvest_store.document("ocean-csw", identifier)
        assert stored.format == "iso19139"
        assert stored.media_type == "application/vnd.iso.19139+xml"
        assert c14n(stored.original) == c14n(etree.tostring(by_id))


def test_csw_reharvest_is_incremental_then_full(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, pycsw: PycswServer, clock: Any
) -> None:
    add_source(harvest_store, "ocean-csw", "csw", pycsw.csw_url, pageSize=10)
    first = harvester.run("ocean-csw")
    clock.advance(hours=1)
    incremental = harvester.run("ocean-csw")
    # Every fixture record was last modified years ago: nothing changed since the first run.
    assert (incremental.mode, incremental.status) == ("incremental", "succeeded")
    assert incremental.since == first.started - timedelta(minutes=10)
    assert incremental.counts.seen == 0
    clock.advance(days=8)  # past the weekly full listing
    full = harvester.run("ocean-csw")
    assert full.mode == "full"
    assert (full.counts.new, full.counts.unchanged, full.counts.updated, full.counts.deleted) == (0, 24, 0, 0)
    assert store.collection_count() == 24


def test_oai_pmh_harvest_of_pycsw_follows_its_tokens(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, pycsw: PycswServer
) -> None:
    add_source(harvest_store, "land-oai", "oaipmh", pycsw.oai_url, pole="land", metadataPrefix="iso19139")
    report = harvester.run("land-oai")
    oracle = served(pycsw.csw_url)
    # pycsw refuses a resumptionToken sent alone and ends its listing with a token back to the
    # start: three pages of 10, 10 and 4 records mean both were handled.
    assert (report.status, report.error, report.pages) == ("succeeded", None, 3)
    assert (report.counts.new, report.counts.failed) == (24, 0)
    assert store.collection_count() == 24
    for identifier, md in oracle.items():
        check_fields(store.get_collection(catalog_id(identifier)), md)
    stamp = harvest_store.documents("land-oai", limit=1, after="3e9a8c04")[0]
    assert stamp[0] == "3e9a8c05"
    assert stamp[1] is not None and stamp[1].year == 2011


def test_two_poles_serving_the_same_records_make_one_catalog_record_each(
    harvester: Harvester, harvest_store: HarvestStore, store: CatalogStore, pycsw: PycswServer
) -> None:
    add_source(harvest_store, "ocean-csw", "csw", pycsw.csw_url, pole="ocean", pageSize=10)
    add_source(harvest_store, "land-oai", "oaipmh", pycsw.oai_url, pole="land", metadataPrefix="iso19139")
    harvester.run("ocean-csw")
    harvester.run("land-oai")
    assert store.collection_count() == 24
    for identifier in served(pycsw.csw_url):
        collection = store.get_collection(catalog_id(identifier))
        # Same metadata dates and priorities: the source whose name sorts first is primary.
        assert collection.pole == "land"
        assert [p.pole for p in collection.provenance] == ["land", "ocean"]
        assert {p.source.split("#")[0] for p in collection.provenance} == {pycsw.oai_url, pycsw.csw_url}
