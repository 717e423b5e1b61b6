"""Real CSW clients against `terrapole serve` in its own process on a loopback port, on both
backends: OWSLib's CatalogueServiceWeb (capabilities, filtered and paged GetRecords, GetRecordById in
ISO 19139 read into MD_Metadata, GetDomain, exception reports) and GDAL's CSW driver (`ogrinfo`).

GDAL comes from Debian's gdal-bin, which scripts/run-tests installs when missing: these tests fail,
never skip, when `ogrinfo` is absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import httpx
import pytest
from owslib import fes
from owslib.csw import CatalogueServiceWeb
from owslib.iso import MD_Metadata
from owslib.ows import ExceptionReport

from terrapole.core.model import BBox, Collection

from .csw_support import GMD, box_ids, served

__all__ = ["served"]  # the fixture of the served catalogue

OGRINFO_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def csw(served: tuple[str, list[Collection]]) -> CatalogueServiceWeb:
    """OWSLib's client, after its GetCapabilities."""
    return CatalogueServiceWeb(served[0], timeout=30)


# --- OWSLib ----------------------------------------------------------------------------------------


def test_owslib_reads_the_capabilities(csw: CatalogueServiceWeb) -> None:
    assert csw.identification.type == "CSW" and csw.identification.version == "2.0.2"
    assert [op.name for op in csw.operations] == [
        "GetCapabilities",
        "DescribeRecord",
        "GetDomain",
        "GetRecords",
        "GetRecordById",
    ]
    get_records = csw.get_operation_by_name("GetRecords")
    iso = next(c for c in get_records.constraints if c.name == "SupportedISOQueryables")
    assert "apiso:OrganisationName" in iso.values
    assert {"BBOX", "Intersects", "Within"} <= set(csw.filters.spatial_operators)
    assert csw.constraints["MaxRecordDefault"].values == ["10"]


def test_owslib_pages_through_anytext_and_bbox(
    csw: CatalogueServiceWeb, served: tuple[str, list[Collection]]
) -> None:
    box = BBox(-5.0, 38.0, 40.0, 46.0)
    wanted = {f"syn-{n:02d}" for n in range(0, 30, 2)} & box_ids(served[1], box)
    constraint = [
        fes.PropertyIsLike("csw:AnyText", "%zorblax%"),
        fes.BBox([box.south, box.west, box.north, box.east]),
    ]
    seen, start = [], 1
    while start:
        csw.getrecords2(constraints=[constraint], esn="summary", startposition=start, maxrecords=4)
        assert csw.results["matches"] == len(wanted)
        seen.extend(csw.records)
        start = csw.results["nextrecord"]
    assert sorted(seen) == sorted(wanted) and len(seen) == len(set(seen)) == 8
    record = csw.records[seen[-1]]  # on the last page
    assert record.type in ("dataset", "series") and record.title.startswith("Zorblax sea temperature")
    assert record.bbox is not None and float(record.bbox.miny) == 40.0


def test_owslib_and_of_like_and_equality_sorted(csw: CatalogueServiceWeb) -> None:
    constraint = [fes.PropertyIsLike("dc:title", "Quuxite%"), fes.PropertyIsEqualTo("apiso:Type", "series")]
    sortby = fes.SortBy([fes.SortProperty("apiso:Modified", "DESC")])
    csw.getrecords2(constraints=[constraint], sortby=sortby, esn="brief", maxrecords=50)
    assert list(csw.records) == [f"syn-{n:02d}" for n in (27, 21, 15, 9, 3)]
    assert csw.records["syn-27"].title == "Quuxite forest height 27"


def test_owslib_get_record_by_id_in_iso_19139(csw: CatalogueServiceWeb) -> None:
    csw.getrecordbyid(id=["syn-04", "syn-07"], outputschema=GMD)
    records = list(csw.records.values())
    assert [type(r) for r in records] == [MD_Metadata, MD_Metadata]
    assert [r.identifier for r in records] == ["syn-04", "syn-07"]
    identification = records[1].identification[0]
    assert identification.title == "Quuxite forest height 7"
    assert identification.contact[0].organization == "IGN"
    assert {k for group in identification.keywords for k in (kw.name for kw in group.keywords)} >= {
        "forest",
        "biomass",
    }


def test_owslib_get_domain_and_exception_reports(csw: CatalogueServiceWeb) -> None:
    csw.getdomain("GetRecords.ElementSetName")
    assert csw.results["values"] == ["brief", "summary", "full"]
    with pytest.raises(ExceptionReport) as caught:
        csw.getrecords2(constraints=[fes.PropertyIsEqualTo("apiso:Bands", "4")])
    assert (caught.value.code, caught.value.locator) == ("InvalidParameterValue", "Constraint")


# --- GDAL --------------------------------------------------------------------------------------------


def ogrinfo(endpoint: str, *arguments: str) -> str:
    """The output of GDAL's ogrinfo on the CSW endpoint (fails when gdal-bin is missing)."""
    program = shutil.which("ogrinfo")
    assert program, "ogrinfo (Debian package gdal-bin) is missing: scripts/run-tests installs it"
    done = subprocess.run(
        [program, "-ro", "-al", "--config", "CPL_DEBUG", "OFF", f"CSW:{endpoint}", *arguments],
        capture_output=True,
        text=True,
        timeout=OGRINFO_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def identifiers(output: str) -> list[str]:
    return re.findall(r"^  identifier \(String\) = (.+)$", output, flags=re.MULTILINE)


def test_gdal_counts_and_pages_through_every_record(served: tuple[str, list[Collection]]) -> None:
    endpoint, collections = served
    summary = ogrinfo(endpoint, "-so")
    assert f"Feature Count: {len(collections)}" in summary
    output = ogrinfo(endpoint, "-oo", "MAX_RECORDS=9")
    assert sorted(identifiers(output)) == sorted(c.id for c in collections)


def test_gdal_spatial_and_attribute_filters(served: tuple[str, list[Collection]]) -> None:
    endpoint, collections = served
    output = ogrinfo(endpoint, "-spat", "4", "43", "11", "48")
    assert sorted(identifiers(output)) == sorted(box_ids(collections, BBox(4.0, 43.0, 11.0, 48.0)))
    one = ogrinfo(endpoint, "-where", "identifier = 'syn-05'")
    assert identifiers(one) == ["syn-05"]
    assert "POLYGON ((5 40,5 45,7 45,7 40,5 40))" in one


def test_gdal_reads_iso_19139_output(served: tuple[str, list[Collection]]) -> None:
    output = ogrinfo(served[0], "-oo", "OUTPUT_SCHEMA=gmd", "-where", "identifier = 'syn-10'")
    assert "gmd:MD_Metadata" in output and "Zorblax sea temperature 10" in output
    assert "POLYGON ((20 40,20 45,22 45,22 40,20 40))" in output


def test_capabilities_name_the_served_endpoint(served: tuple[str, list[Collection]]) -> None:
    # The served endpoint is a real process: its capabilities name itself.
    caps = httpx.get(served[0], params={"service": "CSW", "request": "GetCapabilities"}, timeout=10).text
    assert f'href="{served[0]}"' in caps
