"""OAI-PMH 2.0 at /oai on both stores: the six verbs over GET and POST, every metadata format,
sets, from/until, resumption tokens while records change, deleted records, and every error code.

Structures are compared with real servers' answers (DataCite's viringo, pycsw) in shared/fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from tests.support.shared_fixtures import SHARED_FIXTURES

from terrapole import formats
from terrapole.app import create_app
from terrapole.catalog import CatalogStore
from terrapole.core.model import Collection
from terrapole.core.record import Record, collection_from_record, record_from_collection
from terrapole.settings import Settings

from .oai_support import (
    FORMATS,
    NS,
    error_code,
    harvest_collections,
    headers,
    identifiers,
    oai,
    set_datestamps,
    shape,
    token_of,
)

REPOSITORY = "terrapole.example.org"
PAGE = 4
PARSERS = {
    "oai_dc": "oai_dc",
    "oai_datacite": "datacite",
    "datacite": "datacite",
    "iso19139": "iso19139",
    "dcat": "dcat-rdfxml",
}


@dataclass
class Harvest:
    """A catalog of ten collections served with pages of four records."""

    client: TestClient
    store: CatalogStore
    settings: Settings
    collections: list[Collection]

    def oai_id(self, collection_id: str) -> str:
        return f"oai:{REPOSITORY}:{collection_id}"


@pytest.fixture
def harvest(settings: Settings, store: CatalogStore) -> Iterator[Harvest]:
    collections = harvest_collections()
    store.upsert_collections(collections)
    served = settings.model_copy(update={"oai_page_size": PAGE, "oai_repository_id": REPOSITORY})
    with TestClient(create_app(served, store)) as client:
        yield Harvest(client, store, served, collections)


def fixture(name: str) -> etree._Element:
    return etree.fromstring((SHARED_FIXTURES / "oai-pmh" / name).read_bytes())


def walk(client: TestClient, verb: str, method: str = "GET", **arguments: str) -> list[etree._Element]:
    """Every answer of a list, following resumption tokens to the end."""
    pages = [oai(client, method, verb=verb, **arguments)]
    while (token := token_of(pages[-1])) is not None and token.text:
        pages.append(oai(client, method, verb=verb, resumptionToken=token.text))
        assert len(pages) < 50, "the list does not end"
    return pages


# --- Identify, ListMetadataFormats, ListSets -------------------------------------------------------


def test_identify_answers_as_datacite_does_with_our_policies(harvest: Harvest) -> None:
    root = oai(harvest.client, verb="Identify")
    ours = [tag for tag, _ in shape(root.find("o:Identify", NS))]
    theirs = [tag for tag, _ in shape(fixture("datacite-viringo__oai_identify.xml").find("o:Identify", NS))]
    assert ours == [tag for tag in theirs if tag != "compression"]
    assert root.find("o:request", NS).attrib == {"verb": "Identify"}
    assert root.findtext("o:request", namespaces=NS) == "http://testserver/oai"
    found = {child.tag.split("}")[1]: child.text for child in root.find("o:Identify", NS)}
    earliest = min(c.datestamp for c in harvest.store.collection_changes(limit=100).changes)
    assert found["earliestDatestamp"] == earliest.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (found["deletedRecord"], found["granularity"], found["protocolVersion"]) == (
        "persistent",
        "YYYY-MM-DDThh:mm:ssZ",
        "2.0",
    )
    assert found["baseURL"] == "http://testserver/oai"
    described = root.find(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}repositoryIdentifier")
    assert described is not None and described.text == REPOSITORY


def test_metadata_formats_all_and_per_record(harvest: Harvest) -> None:
    root = oai(harvest.client, verb="ListMetadataFormats")
    prefixes = [e.text for e in root.findall(".//o:metadataPrefix", NS)]
    assert prefixes == list(FORMATS)
    viringo = fixture("datacite-viringo__oai_listmetadataformats.xml")
    assert (
        shape(root.find("o:ListMetadataFormats", NS))[0]
        == shape(viringo.find("o:ListMetadataFormats", NS))[0]
    )
    namespaces = [e.text for e in root.findall(".//o:metadataNamespace", NS)]
    assert namespaces[:2] == [
        "http://www.openarchives.org/OAI/2.0/oai_dc/",
        "http://schema.datacite.org/oai/oai-1.1/",
    ]

    one = oai(harvest.client, verb="ListMetadataFormats", identifier=harvest.oai_id("S2MSI2A"))
    assert [e.text for e in one.findall(".//o:metadataPrefix", NS)] == list(FORMATS)
    harvest.store.delete_collection("S2MSI2A")
    gone = oai(harvest.client, verb="ListMetadataFormats", identifier=harvest.oai_id("S2MSI2A"))
    assert error_code(gone) == "noMetadataFormats"


def test_sets_are_the_poles_and_the_series_of_the_catalog(harvest: Harvest) -> None:
    root = oai(harvest.client, verb="ListSets")
    specs = [e.text for e in root.findall(".//o:setSpec", NS)]
    assert specs == [
        "pole",
        "pole:atmosphere",
        "pole:biodiversity",
        "pole:land",
        "pole:land:land-s2",
        "pole:ocean",
        "pole:solid-earth",
    ]
    names = dict(zip(specs, [e.text for e in root.findall(".//o:setName", NS)], strict=True))
    assert names["pole:land:land-s2"] == "Sentinel-2 surface reflectance (series)"
    assert names["pole:ocean"] == "Ocean data centre"

    def members(spec: str) -> list[str]:
        pages = walk(harvest.client, "ListIdentifiers", metadataPrefix="oai_dc", set=spec)
        return sorted(i.rsplit(":", 1)[1] for page in pages for i in identifiers(page))

    assert members("pole:land:land-s2") == ["837750fd-5790-4263-ad6d-cd94c43cfe5b", "S2MSI2A"]
    assert members("pole:land") == ["837750fd-5790-4263-ad6d-cd94c43cfe5b", "S2MSI2A", "land-s2"]
    assert len(members("pole")) == 9  # every record but the one without a pole
    header = headers(
        oai(harvest.client, verb="GetRecord", metadataPrefix="oai_dc", identifier=harvest.oai_id("S2MSI2A"))
    )[0]
    assert [e.text for e in header.findall("o:setSpec", NS)] == ["pole", "pole:land", "pole:land:land-s2"]


def test_a_catalog_without_poles_has_no_set_hierarchy(settings: Settings, store: CatalogStore) -> None:
    with TestClient(create_app(settings, store)) as client:
        assert error_code(oai(client, verb="ListSets")) == "noSetHierarchy"
        store.upsert_collections([collection_from_record(Record(identifier="plain", title={"en": "Plain"}))])
        assert error_code(oai(client, verb="ListSets")) == "noSetHierarchy"
        answer = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="pole:ocean")
        assert error_code(answer) == "noSetHierarchy"
        assert identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")) == [
            "oai:testserver:plain"
        ]


# --- records ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", FORMATS)
def test_list_records_pages_through_every_record_in_each_format(harvest: Harvest, prefix: str) -> None:
    pages = walk(harvest.client, "ListRecords", metadataPrefix=prefix)
    assert len(pages) == 3  # ten records, four a page
    tokens = [token_of(page) for page in pages]
    assert [(t.get("cursor"), t.get("completeListSize")) for t in tokens if t is not None] == [
        ("0", "10"),
        ("4", "10"),
        ("8", "10"),
    ]
    assert tokens[-1] is not None and not tokens[-1].text
    records = [record for page in pages for record in page.findall(".//o:record", NS)]
    stored = {c.id: record_from_collection(c) for c in harvest.collections}
    assert sorted(
        r.findtext("o:header/o:identifier", namespaces=NS).rsplit(":", 1)[1] for r in records
    ) == sorted(stored)
    parse = formats.FORMATS[PARSERS[prefix]].parse
    for record in records:
        cid = record.findtext("o:header/o:identifier", namespaces=NS).rsplit(":", 1)[1]
        (document,) = record.find("o:metadata", NS)
        parsed = parse(etree.tostring(document))
        expected = next(iter(stored[cid].title.values()))
        assert expected in parsed.title.values(), (prefix, cid, parsed.title)


def test_list_records_matches_the_structure_of_real_servers(harvest: Harvest) -> None:
    ours = oai(harvest.client, verb="ListRecords", metadataPrefix="oai_dc", set="pole:land:land-s2")
    theirs = fixture("datacite-viringo__oai_listrecords_dc.xml")
    our_record = shape(ours.find("o:ListRecords", NS), depth=2)[0]
    their_record = shape(theirs.find("o:ListRecords", NS), depth=2)[0]
    assert our_record[0] == their_record[0] == "record"
    assert [tag for tag, _ in our_record[1]] == ["header", "metadata"]
    assert [tag for tag, _ in shape(ours.find(".//o:header", NS))] == [
        "identifier",
        "datestamp",
        "setSpec",
        "setSpec",
        "setSpec",
    ]
    dc = ours.find(".//o:metadata/{http://www.openarchives.org/OAI/2.0/oai_dc/}dc", NS)
    pycsw = fixture("pycsw__ListRecords_oai_dc.xml").find(
        ".//{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
    )
    assert dc is not None and pycsw is not None


def test_get_record_in_each_format_and_its_errors(harvest: Harvest) -> None:
    for prefix in FORMATS:
        root = oai(
            harvest.client, verb="GetRecord", metadataPrefix=prefix, identifier=harvest.oai_id("land-s2")
        )
        assert error_code(root) is None
        assert root.find("o:request", NS).attrib == {
            "verb": "GetRecord",
            "metadataPrefix": prefix,
            "identifier": harvest.oai_id("land-s2"),
        }
        (document,) = root.find(".//o:metadata", NS)
        parsed = formats.FORMATS[PARSERS[prefix]].parse(etree.tostring(document))
        assert "Sentinel-2 surface reflectance" in parsed.title.values()
    unknown = oai(
        harvest.client, verb="GetRecord", metadataPrefix="oai_dc", identifier=harvest.oai_id("nope")
    )
    assert error_code(unknown) == "idDoesNotExist"
    assert unknown.find("o:request", NS).get("identifier") == harvest.oai_id("nope")  # echoed
    foreign = oai(
        harvest.client, verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:elsewhere.org:land-s2"
    )
    assert error_code(foreign) == "idDoesNotExist"
    bad = oai(harvest.client, verb="GetRecord", metadataPrefix="marc21", identifier=harvest.oai_id("land-s2"))
    assert error_code(bad) == "cannotDisseminateFormat"


def test_deleted_records_stay_as_deleted_headers(harvest: Harvest) -> None:
    harvest.store.delete_collection("ocean-sst")
    oai_id = harvest.oai_id("ocean-sst")
    record = oai(harvest.client, verb="GetRecord", metadataPrefix="iso19139", identifier=oai_id)
    (header,) = headers(record)
    assert header.get("status") == "deleted"
    assert record.find(".//o:metadata", NS) is None
    assert [e.text for e in header.findall("o:setSpec", NS)] == ["pole", "pole:ocean"]  # sets still hold it
    listed = [
        h for page in walk(harvest.client, "ListRecords", metadataPrefix="oai_dc") for h in headers(page)
    ]
    assert [(h.findtext("o:identifier", namespaces=NS), h.get("status")) for h in listed][-1] == (
        oai_id,
        "deleted",
    )
    in_set = walk(harvest.client, "ListIdentifiers", metadataPrefix="oai_dc", set="pole:ocean")
    assert oai_id in [i for page in in_set for i in identifiers(page)]


def test_identifiers_escape_what_the_oai_scheme_cannot_hold(settings: Settings, store: CatalogStore) -> None:
    store.upsert_collections(
        [collection_from_record(Record(identifier="a b%c", title={"en": "Spaced"}), "a b%c")]
    )
    with TestClient(create_app(settings, store)) as client:
        (listed,) = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
        assert listed == "oai:testserver:a%20b%25c"
        root = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=listed)
        assert root.findtext(".//{http://purl.org/dc/elements/1.1/}title") == "Spaced"


# --- from / until -----------------------------------------------------------------------------------


def test_from_and_until_select_by_datestamp_at_day_and_second_granularity(harvest: Harvest) -> None:
    set_datestamps(
        harvest.settings,
        {
            c.id: datetime(2024, 3, 1 + n // 4, 10, 0, n % 4, 500_000, tzinfo=UTC)
            for n, c in enumerate(harvest.collections)
        },
    )  # 4 records on 1 March (10:00:00.5 to 10:00:03.5), 4 on the 2nd, 2 on the 3rd

    def count(**window: str) -> int | str:
        root = oai(harvest.client, verb="ListIdentifiers", metadataPrefix="oai_dc", **window)
        token = token_of(root)
        if error_code(root):
            return error_code(root) or ""
        return int(token.get("completeListSize")) if token is not None else len(headers(root))

    assert count(**{"from": "2024-03-02"}) == 6
    assert count(until="2024-03-02") == 8  # the whole of the 2nd
    assert count(**{"from": "2024-03-02", "until": "2024-03-02"}) == 4
    assert count(**{"from": "2024-03-01T10:00:01Z", "until": "2024-03-01T10:00:02Z"}) == 2  # .5 s inside
    assert count(**{"from": "2024-03-03T10:00:01Z"}) == 1
    assert count(**{"from": "2024-03-04"}) == "noRecordsMatch"
    assert count(until="2024-02-29") == "noRecordsMatch"
    root = oai(harvest.client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2024-03-01")
    assert [h.findtext("o:datestamp", namespaces=NS) for h in headers(root)] == [
        "2024-03-01T10:00:00Z",
        "2024-03-01T10:00:01Z",
        "2024-03-01T10:00:02Z",
        "2024-03-01T10:00:03Z",
    ]
    identify = oai(harvest.client, verb="Identify")
    assert identify.findtext(".//o:earliestDatestamp", namespaces=NS) == "2024-03-01T10:00:00Z"


# --- resumption tokens while the catalog changes --------------------------------------------------------


def test_tokens_stay_valid_while_records_are_added_changed_and_deleted(harvest: Harvest) -> None:
    first = oai(harvest.client, verb="ListRecords", metadataPrefix="oai_dc")
    seen = identifiers(first)
    passed, ahead = seen[0].rsplit(":", 1)[1], "atmo-no2" if "atmo-no2" not in str(seen) else "ocean-sst"
    by_id = {c.id: c for c in harvest.collections}
    # Between pages: a record already harvested changes, one not yet reached changes, one is
    # added, one not yet reached is deleted.
    harvest.store.upsert_collections(
        [_retitled(by_id[passed], "changed after"), _retitled(by_id[ahead], "changed ahead")]
    )
    harvest.store.upsert_collections(
        [collection_from_record(Record(identifier="added", title={"en": "Added"}, pole="ocean"))]
    )
    later = [c for c in by_id if c not in {passed, ahead} and harvest.oai_id(c) not in seen]
    harvest.store.delete_collection(later[-1])
    pages = [first]
    while (token := token_of(pages[-1])) is not None and token.text:
        pages.append(oai(harvest.client, verb="ListRecords", resumptionToken=token.text))
    delivered = [i.rsplit(":", 1)[1] for page in pages for i in identifiers(page)]
    assert set(delivered) == set(by_id) | {"added"}
    # Only the record changed after the harvest passed it comes twice, in both versions.
    assert sorted(c for c in set(delivered) if delivered.count(c) > 1) == [passed]
    statuses = {
        h.findtext("o:identifier", namespaces=NS): h.get("status") for page in pages for h in headers(page)
    }
    assert statuses[harvest.oai_id(later[-1])] == "deleted"
    titles = [t.text for page in pages for t in page.iter("{http://purl.org/dc/elements/1.1/}title")]
    assert "changed after" in titles and "changed ahead" in titles
    last = token_of(pages[-1])
    assert last is not None and int(last.get("completeListSize")) == len(delivered)
    assert int(last.get("cursor")) == len(delivered) - len(identifiers(pages[-1]))


def _retitled(collection: Collection, title: str) -> Collection:
    record = record_from_collection(collection)
    return collection_from_record(record.with_changes(title={"en": title}), collection.id)


def test_post_requests_answer_as_get_requests_do(harvest: Harvest) -> None:
    by_get = [
        identifiers(p) for p in walk(harvest.client, "ListIdentifiers", metadataPrefix="datacite", set="pole")
    ]
    by_post = [
        identifiers(p)
        for p in walk(harvest.client, "ListIdentifiers", "POST", metadataPrefix="datacite", set="pole")
    ]
    assert by_post == by_get and sum(map(len, by_get)) == 9
    identify = oai(harvest.client, "POST", verb="Identify")
    assert identify.findtext(".//o:repositoryName", namespaces=NS) == harvest.settings.title


def test_hostile_titles_stay_inside_their_elements(settings: Settings, store: CatalogStore) -> None:
    title = 'Evil </dc:title></oai_dc:dc></metadata><x a="1"> & \x01\x0b ]]> "quoted"'
    store.upsert_collections(
        [collection_from_record(Record(identifier="evil", title={"en": title}, pole="land"))]
    )
    with TestClient(create_app(settings, store)) as client:
        root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
        assert root.findtext(".//{http://purl.org/dc/elements/1.1/}title") == title.replace(
            "\x01", ""
        ).replace("\x0b", "")
        assert len(root.findall(".//o:record", NS)) == 1
