"""CSW 2.0.2 over the catalogue, on both backends: capabilities laid out as pycsw's (INSPIRE
discovery extended capabilities included), DescribeRecord, GetDomain, GetRecords over KVP and XML
with Filter Encoding and CQL_TEXT, element sets, output schemas, paging, sorting, hits and validate,
and GetRecordById."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from lxml import etree
from owslib.iso import MD_Metadata

from terrapole.catalog.records import collection_facets
from terrapole.core.model import BBox, Collection
from terrapole.core.record import as_datetime, record_from_collection

from .csw_support import (
    CSW,
    FIXTURES,
    GMD,
    NS,
    SYNTHETIC,
    box_ids,
    csw_catalogue,
    csw_client,
    csw_settings,
    csw_store,
    result_ids,
    search,
    xml,
)

__all__ = ["csw_catalogue", "csw_client", "csw_settings", "csw_store"]  # fixtures used below

BASE = {"service": "CSW", "version": "2.0.2"}
ALL = {**BASE, "request": "GetRecords", "typeNames": "csw:Record", "resultType": "results"}
INSPIRE_COMMON = "http://inspire.ec.europa.eu/schemas/common/1.0"


def records(client: TestClient, **params: str) -> etree._Element:
    return xml(client.get("/csw", params={**ALL, **params}))


def post(client: TestClient, body: str) -> etree._Element:
    return xml(client.post("/csw", content=body, headers={"content-type": "application/xml"}))


def get_records_xml(query: str, **attributes: str) -> str:
    attrs = " ".join(f'{k}="{v}"' for k, v in {"service": "CSW", "version": "2.0.2", **attributes}.items())
    return (
        f'<csw:GetRecords xmlns:csw="{CSW}" xmlns:ogc="http://www.opengis.net/ogc" '
        f'xmlns:gml="http://www.opengis.net/gml" {attrs}>{query}</csw:GetRecords>'
    )


def expected(catalogue: list[Collection], keep: object) -> list[str]:
    return sorted(c.id for c in catalogue if keep(c))  # type: ignore[operator]


# --- capabilities, DescribeRecord, GetDomain ---------------------------------------------------------


def test_capabilities_follow_pycsw_layout_with_inspire_extended_capabilities(csw_client: TestClient) -> None:
    ours = xml(csw_client.get("/csw", params={"service": "CSW", "request": "GetCapabilities"}))
    theirs = etree.parse(str(FIXTURES / "csw" / "pycsw__apiso-inspire_GetCapabilities.xml")).getroot()
    assert ours.get("version") == "2.0.2"
    assert [child.tag for child in ours] == [child.tag for child in theirs]
    operations = [op.get("name") for op in ours.iterfind("ows:OperationsMetadata/ows:Operation", NS)]
    assert operations == ["GetCapabilities", "DescribeRecord", "GetDomain", "GetRecords", "GetRecordById"]
    href = ours.find("ows:OperationsMetadata/ows:Operation/ows:DCP/ows:HTTP/ows:Post", NS)
    assert href is not None and href.get("{http://www.w3.org/1999/xlink}href") == "http://testserver/csw"
    iso = ours.xpath("//ows:Constraint[@name='SupportedISOQueryables']/ows:Value/text()", namespaces=NS)
    assert {
        "apiso:Title",
        "apiso:AnyText",
        "apiso:Subject",
        "apiso:OrganisationName",
        "apiso:TempExtent_end",
    } <= set(iso)
    extended = ours.find(
        "ows:OperationsMetadata/{http://inspire.ec.europa.eu/schemas/inspire_ds/1.0}ExtendedCapabilities", NS
    )
    assert extended is not None
    reference = theirs.find(".//{http://inspire.ec.europa.eu/schemas/inspire_ds/1.0}ExtendedCapabilities")
    assert reference is not None
    assert {child.tag for child in extended} <= {child.tag for child in reference} | {
        f"{{{INSPIRE_COMMON}}}TemporalReference"
    }
    assert extended.findtext(f"{{{INSPIRE_COMMON}}}SpatialDataServiceType") == "discovery"
    assert extended.findtext(f".//{{{INSPIRE_COMMON}}}KeywordValue") == "infoCatalogueService"
    assert ours.find("{http://www.opengis.net/ogc}Filter_Capabilities") is not None


def test_capabilities_sections_and_xml_request(csw_client: TestClient) -> None:
    only = xml(
        csw_client.get(
            "/csw",
            params={"service": "CSW", "request": "GetCapabilities", "sections": "ServiceIdentification"},
        )
    )
    assert [etree.QName(child).localname for child in only] == ["ServiceIdentification"]
    body = (
        f'<csw:GetCapabilities xmlns:csw="{CSW}" xmlns:ows="http://www.opengis.net/ows" service="CSW">'
        "<ows:AcceptVersions><ows:Version>3.0.0</ows:Version><ows:Version>2.0.2</ows:Version></ows:AcceptVersions>"
        "<ows:Sections><ows:Section>OperationsMetadata</ows:Section></ows:Sections></csw:GetCapabilities>"
    )
    root = post(csw_client, body)
    assert [etree.QName(child).localname for child in root] == ["OperationsMetadata"]


def test_describe_record_gives_one_schema_per_type(csw_client: TestClient) -> None:
    both = xml(csw_client.get("/csw", params={**BASE, "request": "DescribeRecord"}))
    targets = [c.get("targetNamespace") for c in both.iterfind("csw:SchemaComponent", NS)]
    assert targets == [CSW, GMD]
    one = xml(
        csw_client.get("/csw", params={**BASE, "request": "DescribeRecord", "typeName": "gmd:MD_Metadata"})
    )
    assert [c.get("targetNamespace") for c in one.iterfind("csw:SchemaComponent", NS)] == [GMD]
    record_type = both.find(".//{http://www.w3.org/2001/XMLSchema}complexType[@name='BriefRecordType']")
    assert record_type is not None


def test_get_domain_of_parameters_and_queryables(
    csw_client: TestClient, csw_catalogue: list[Collection]
) -> None:
    def values(**params: str) -> list[str]:
        root = xml(csw_client.get("/csw", params={**BASE, "request": "GetDomain", **params}))
        return [v.text or "" for v in root.iterfind("csw:DomainValues/csw:ListOfValues/csw:Value", NS)]

    assert values(ParameterName="GetRecords.resultType") == ["hits", "results", "validate"]
    levels = sorted({record_from_collection(c).hierarchy_level for c in csw_catalogue})
    assert values(PropertyName="apiso:Type") == levels
    assert {"ocean", "forest", "biomass"} <= set(values(PropertyName="dc:subject"))
    assert "2021-01-12T00:00:00Z" in values(PropertyName="apiso:Modified")


# --- GetRecords ------------------------------------------------------------------------------------


def test_anytext_and_bbox_over_kvp_cql(csw_client: TestClient) -> None:
    root = records(
        csw_client,
        constraintLanguage="CQL_TEXT",
        constraint_language_version="1.1.0",
        constraint="csw:AnyText LIKE '%zorblax%' AND BBOX(ows:BoundingBox, -5, 39, 12, 46)",
        maxRecords="50",
    )
    # Sea records are the even ones; their boxes (west = -10 + 3n, 2 degrees wide) meet -5..12 for n in 2..7.
    assert sorted(result_ids(root)) == ["syn-02", "syn-04", "syn-06"]
    assert search(root)["numberOfRecordsMatched"] == "3"


def test_xml_filter_on_type_and_dates_equals_the_records(
    csw_client: TestClient, csw_catalogue: list[Collection]
) -> None:
    query = (
        '<csw:Query typeNames="csw:Record"><csw:ElementSetName>brief</csw:ElementSetName>'
        '<csw:Constraint version="1.1.0"><ogc:Filter><ogc:And>'
        "<ogc:PropertyIsEqualTo><ogc:PropertyName>dc:type</ogc:PropertyName><ogc:Literal>series</ogc:Literal></ogc:PropertyIsEqualTo>"
        "<ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyName>apiso:Modified</ogc:PropertyName>"
        "<ogc:Literal>2021-01-04</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo>"
        "<ogc:PropertyIsLessThan><ogc:PropertyName>apiso:Modified</ogc:PropertyName>"
        "<ogc:Literal>2021-01-11T00:00:00Z</ogc:Literal></ogc:PropertyIsLessThan>"
        "</ogc:And></ogc:Filter></csw:Constraint></csw:Query>"
    )
    root = post(csw_client, get_records_xml(query, resultType="results", maxRecords="50"))

    def keep(c: Collection) -> bool:
        record = record_from_collection(c)
        stamp = as_datetime(record.dates.metadata)
        low, high = datetime(2021, 1, 4), datetime(2021, 1, 11)
        return (
            record.hierarchy_level == "series"
            and stamp is not None
            and low <= stamp.replace(tzinfo=None) < high
        )

    assert sorted(result_ids(root)) == expected(csw_catalogue, keep) == ["syn-03", "syn-06", "syn-09"]
    assert {etree.QName(r).localname for r in root.iterfind("csw:SearchResults/*", NS)} == {"BriefRecord"}


def test_organisation_subject_and_or_not(csw_client: TestClient, csw_catalogue: list[Collection]) -> None:
    root = records(
        csw_client,
        constraintLanguage="CQL_TEXT",
        constraint="apiso:OrganisationName = 'IGN' AND (dc:subject = 'biomass' OR NOT dc:format = 'GeoTIFF')",
        maxRecords="50",
    )

    def keep(c: Collection) -> bool:
        facets = collection_facets(c)
        members = lambda text: (text or "").split("; ")  # noqa: E731
        return "IGN" in members(facets.organisation) and (
            "biomass" in members(facets.keywords) or "GeoTIFF" not in members(facets.formats)
        )

    assert sorted(result_ids(root)) == expected(csw_catalogue, keep)
    assert len(result_ids(root)) >= SYNTHETIC // 2


def test_bbox_in_latitude_first_urn_over_xml(csw_client: TestClient, csw_catalogue: list[Collection]) -> None:
    query = (
        '<csw:Query typeNames="gmd:MD_Metadata"><csw:ElementSetName>summary</csw:ElementSetName>'
        '<csw:Constraint version="1.1.0"><ogc:Filter><ogc:BBOX>'
        "<ogc:PropertyName>apiso:BoundingBox</ogc:PropertyName>"
        '<gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>43 4</gml:lowerCorner>'
        "<gml:upperCorner>48 11</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter></csw:Constraint>"
        "</csw:Query>"
    )
    root = post(csw_client, get_records_xml(query, resultType="results", maxRecords="50", outputSchema=GMD))
    wanted = box_ids(csw_catalogue, BBox(4.0, 43.0, 11.0, 48.0))
    assert sorted(result_ids(root)) == sorted(wanted)
    assert {"syn-05", "syn-06"} <= wanted
    assert search(root)["recordSchema"] == GMD


def test_paging_with_sortby_walks_every_record_once(
    csw_client: TestClient, csw_catalogue: list[Collection]
) -> None:
    seen, start, pages = [], 1, 0
    while start:
        root = records(
            csw_client,
            sortBy="dc:identifier:A",
            startPosition=str(start),
            maxRecords="7",
            ElementSetName="brief",
        )
        attributes = search(root)
        seen.extend(result_ids(root))
        assert attributes["numberOfRecordsMatched"] == str(len(csw_catalogue))
        start, pages = int(attributes["nextRecord"]), pages + 1
    assert seen == sorted(c.id for c in csw_catalogue)
    assert pages == -(-len(csw_catalogue) // 7)


def test_sort_descending_by_modified(csw_client: TestClient) -> None:
    root = records(
        csw_client,
        constraintLanguage="CQL_TEXT",
        constraint="dc:identifier LIKE 'syn-%'",
        sortBy="apiso:Modified:D",
        maxRecords="3",
    )
    assert result_ids(root) == ["syn-29", "syn-28", "syn-27"]
    assert search(root)["nextRecord"] == "4"


def test_hits_count_without_records(csw_client: TestClient, csw_catalogue: list[Collection]) -> None:
    root = records(csw_client, resultType="hits")
    assert search(root)["numberOfRecordsMatched"] == str(len(csw_catalogue))
    assert search(root)["numberOfRecordsReturned"] == "0" and result_ids(root) == []
    none = records(
        csw_client, maxRecords="0", constraintLanguage="CQL_TEXT", constraint="dc:title = 'no such title'"
    )
    assert (search(none)["numberOfRecordsMatched"], search(none)["nextRecord"]) == ("0", "0")


def test_huge_max_records_is_capped(csw_client: TestClient, csw_catalogue: list[Collection]) -> None:
    root = records(csw_client, maxRecords="99999999999999999999", sortBy="dc:identifier")
    assert search(root)["numberOfRecordsReturned"] == "50" and search(root)["nextRecord"] == "51"
    assert len(csw_catalogue) > 50


def test_validate_echoes_the_request(csw_client: TestClient) -> None:
    query = '<csw:Query typeNames="csw:Record"><csw:ElementSetName>full</csw:ElementSetName></csw:Query>'
    root = post(csw_client, get_records_xml(query, resultType="validate"))
    assert etree.QName(root).localname == "Acknowledgement"
    echoed = root.find("csw:EchoedRequest/csw:GetRecords", NS)
    assert echoed is not None and echoed.get("resultType") == "validate"


def test_element_sets_of_csw_records(csw_client: TestClient) -> None:
    constraint = {"constraintLanguage": "CQL_TEXT", "constraint": "dc:identifier = 'syn-01'"}
    brief, summary, full = (
        records(csw_client, ElementSetName=name, **constraint) for name in ("brief", "summary", "full")
    )
    names = [
        sorted({etree.QName(e).localname for e in root.find("csw:SearchResults", NS)[0]})
        for root in (brief, summary, full)
    ]  # type: ignore[index]
    assert names[0] == ["BoundingBox", "identifier", "title", "type"]
    assert {"subject", "format", "modified", "abstract"} <= set(names[1]) and "rights" not in names[1]
    assert {"rights", "references", "language"} <= set(names[2])
    record = full.find("csw:SearchResults/csw:Record", NS)
    assert record is not None
    assert record.findtext("dc:type", None, NS) == "dataset"
    assert record.findtext("ows:BoundingBox/ows:LowerCorner", None, NS) == "40.0 -7.0"


# --- GetRecordById ---------------------------------------------------------------------------------


def test_get_record_by_id_in_iso_parses_with_owslib(csw_client: TestClient) -> None:
    params = {
        **BASE,
        "request": "GetRecordById",
        "id": "syn-03,nope,syn-00",
        "outputSchema": GMD,
        "ElementSetName": "full",
    }
    root = xml(csw_client.get("/csw", params=params))
    assert etree.QName(root).localname == "GetRecordByIdResponse"
    found = [MD_Metadata(element) for element in root]
    assert [m.identifier for m in found] == ["syn-03", "syn-00"]
    assert found[0].identification[0].title == "Quuxite forest height 3"
    assert found[0].hierarchy == "series"
    assert float(found[1].identification[0].bbox.minx) == -10.0


def test_get_record_by_id_brief_iso_keeps_only_the_brief_fields(csw_client: TestClient) -> None:
    body = (
        f'<csw:GetRecordById xmlns:csw="{CSW}" service="CSW" version="2.0.2" outputSchema="{GMD}">'
        "<csw:Id>syn-02</csw:Id><csw:ElementSetName>brief</csw:ElementSetName></csw:GetRecordById>"
    )
    root = post(csw_client, body)
    metadata = MD_Metadata(root[0])
    assert metadata.identifier == "syn-02" and metadata.identification[0].abstract is None
    assert metadata.identification[0].bbox is not None


def test_iso_responses_are_laid_out_as_pycsws_and_geonetworks(csw_client: TestClient) -> None:
    ours = records(csw_client, outputSchema=GMD, ElementSetName="brief", maxRecords="5", startPosition="3")
    theirs = etree.parse(str(FIXTURES / "csw" / "pycsw__apiso_GetRecords-filter-bbox.xml")).getroot()
    assert [child.tag for child in ours] == [child.tag for child in theirs]
    ours_results, theirs_results = (root.find("csw:SearchResults", NS) for root in (ours, theirs))
    assert ours_results is not None and theirs_results is not None
    assert set(ours_results.attrib) == set(theirs_results.attrib)
    assert (ours_results.get("elementSet"), ours_results.get("nextRecord")) == ("brief", "8")
    assert {child.tag for child in ours_results} == {child.tag for child in theirs_results}
    # pycsw's brief record keeps identifier, scope, identification and distribution; ours keeps
    # the first three (brief records have no distribution in OGC 07-045) plus ISO's mandatory ones.
    brief = {child.tag for child in ours_results[0]}
    assert {
        f"{{{GMD}}}{name}" for name in ("fileIdentifier", "hierarchyLevel", "identificationInfo")
    } <= brief
    assert f"{{{GMD}}}distributionInfo" not in brief
    by_id = xml(
        csw_client.get(
            "/csw", params={**BASE, "request": "GetRecordById", "id": "syn-01", "outputSchema": GMD}
        )
    )
    for reference in ("pycsw__apiso_GetRecordById-full.xml", "geonetwork__GetRecordById-da165110.xml"):
        theirs = etree.parse(str(FIXTURES / "csw" / reference)).getroot()
        assert (by_id.tag, [c.tag for c in by_id]) == (theirs.tag, [c.tag for c in theirs])
