"""The DCAT-AP feed at /dcat on both stores: rdflib reads it in Turtle, RDF/XML and JSON-LD and finds
every dataset through the hydra paging links; content negotiation; deleted datasets left out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from terrapole.app import create_app
from terrapole.catalog import CatalogStore
from terrapole.core.model import Collection
from terrapole.core.record import Record, collection_from_record, record_from_collection
from terrapole.formats import dcat
from terrapole.settings import Settings

from .oai_support import harvest_collections

DCAT = Namespace("http://www.w3.org/ns/dcat#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
CATALOG = URIRef("http://testserver/dcat")
SYNTAXES = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}


@dataclass
class Feed:
    client: TestClient
    store: CatalogStore
    collections: list[Collection]


@pytest.fixture
def feed(settings: Settings, store: CatalogStore) -> Iterator[Feed]:
    collections = harvest_collections()
    store.upsert_collections(collections)
    with TestClient(create_app(settings, store)) as client:
        yield Feed(client, store, collections)


def graph_of(response: object, syntax: str) -> Graph:
    graph = Graph()
    graph.parse(data=response.content, format=syntax)  # type: ignore[attr-defined]
    return graph


def walk(client: TestClient, url: str, syntax: str) -> list[Graph]:
    """Every page from `url` on, following hydra:nextPage."""
    graphs = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        graph = graph_of(response, syntax)
        graphs.append(graph)
        following = list(graph.objects(None, HYDRA.nextPage))
        assert len(following) <= 1 and len(graphs) < 20
        url = str(following[0]) if following else ""
    return graphs


def titles(graph: Graph) -> set[str]:
    """The titles of the datasets the catalog lists."""
    return {
        str(t) for node in graph.objects(CATALOG, DCAT.dataset) for t in graph.objects(node, DCTERMS.title)
    }


@pytest.mark.parametrize("name", SYNTAXES)
def test_rdflib_reads_every_dataset_in_each_syntax_through_the_pages(feed: Feed, name: str) -> None:
    syntax, media_type = SYNTAXES[name]
    first = feed.client.get(f"/dcat?f={name}&limit=3")
    assert first.headers["content-type"].startswith(media_type)
    graphs = walk(feed.client, f"/dcat?f={name}&limit=3", syntax)
    assert len(graphs) == 4  # ten datasets, three a page
    page = next(iter(graphs[0].subjects(RDF.type, HYDRA.PagedCollection)))
    assert graphs[0].value(page, HYDRA.totalItems) == Literal(10)
    assert graphs[0].value(page, HYDRA.itemsPerPage) == Literal(3)
    assert str(graphs[0].value(page, HYDRA.firstPage)) == f"http://testserver/dcat?f={name}&limit=3"
    datasets = [node for graph in graphs for node in graph.objects(CATALOG, DCAT.dataset)]
    assert len(datasets) == len(set(datasets)) == 10
    assert all(graph.value(CATALOG, RDF.type) == DCAT.Catalog for graph in graphs)
    expected = {next(iter(record_from_collection(c).title.values())) for c in feed.collections}
    assert expected <= set().union(*(titles(graph) for graph in graphs))
    landing = {str(p) for graph in graphs for p in graph.objects(None, DCAT.landingPage)}
    assert {f"http://testserver/datasets/{c.id}" for c in feed.collections} <= landing


def test_the_feed_parses_back_into_the_records(feed: Feed) -> None:
    response = feed.client.get("/dcat?f=rdf&limit=500")
    records = dcat.parse_many(response.content)
    by_title = {next(iter(r.title.values())): r for r in records}
    for collection in feed.collections:
        record = record_from_collection(collection)
        assert next(iter(record.title.values())) in by_title
    doi = next(r for r in records if r.doi == "10.82433/B09Z-4K37")
    assert doi.identifier  # a DOI record is named by its DOI URL, not a landing page
    graph = graph_of(response, "xml")
    assert URIRef("https://doi.org/10.82433/B09Z-4K37") in set(graph.objects(CATALOG, DCAT.dataset))
    assert URIRef("http://testserver/datasets/land-s2") in set(graph.objects(CATALOG, DCAT.dataset))


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("text/html,application/xhtml+xml", "text/turtle"),
        ("", "text/turtle"),
    ],
)
def test_content_negotiation(feed: Feed, accept: str, media_type: str) -> None:
    response = feed.client.get("/dcat?limit=2", headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "Accept" in response.headers["vary"].split(", ")
    overridden = feed.client.get("/dcat?limit=2&f=jsonld", headers={"accept": accept})
    assert overridden.headers["content-type"].startswith("application/ld+json")


def test_bad_parameters_are_problems(feed: Feed) -> None:
    for query, parameter in (
        ("f=pdf", "f"),
        ("page=%%%", "page"),
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
    ):
        response = feed.client.get(f"/dcat?{query}")
        assert response.status_code == 400, query
        assert response.json()["parameter"] == parameter


def test_deleted_datasets_are_left_out_and_paging_survives_changes(feed: Feed) -> None:
    feed.store.delete_collection("ocean-sst")
    first = feed.client.get("/dcat?f=ttl&limit=4")
    graph = graph_of(first, "turtle")
    page = next(iter(graph.subjects(RDF.type, HYDRA.PagedCollection)))
    assert graph.value(page, HYDRA.totalItems) == Literal(9)
    seen = titles(graph)
    nodes = set(graph.objects(CATALOG, DCAT.dataset))
    feed.store.upsert_collections(
        [collection_from_record(Record(identifier="late", title={"en": "Late arrival"}))]
    )
    rest = walk(feed.client, str(graph.value(page, HYDRA.nextPage)), "turtle")
    seen |= set().union(*(titles(g) for g in rest))
    nodes |= {node for g in rest for node in g.objects(CATALOG, DCAT.dataset)}
    assert "Late arrival" in seen and "Sea-surface temperature" not in seen
    assert len(nodes) == 10 and URIRef("http://testserver/datasets/late") in nodes
