"""Landing pages at /datasets/{id} (the portal's dataset pages) on both stores: schema.org JSON-LD
the schema.org module reads back, alternate links that serve the record in each format, French and
English, 404 and 410 pages, hostile text kept inert; and the sitemap of every landing page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from lxml import etree, html

from terrapole import formats
from terrapole.app import create_app
from terrapole.catalog import CatalogStore
from terrapole.core.model import Collection
from terrapole.core.record import Distribution, Record, collection_from_record
from terrapole.formats import schemaorg
from terrapole.settings import Settings

from .oai_support import harvest_collections

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PARSERS = {
    "iso19139": "iso19139",
    "datacite": "datacite",
    "oai_dc": "oai_dc",
    "schemaorg": "schemaorg",
    "dcat": "dcat-turtle",
    "dcat-rdf": "dcat-rdfxml",
    "dcat-jsonld": "dcat-jsonld",
}


@dataclass
class Site:
    client: TestClient
    store: CatalogStore
    collections: list[Collection]


@pytest.fixture
def site(settings: Settings, store: CatalogStore) -> Iterator[Site]:
    collections = harvest_collections()
    store.upsert_collections(collections)
    with TestClient(create_app(settings.model_copy(update={"sitemap_urls_per_file": 4}), store)) as client:
        yield Site(client, store, collections)


def json_ld_of(page: str) -> tuple[str, Record]:
    """The JSON-LD script text of a page and the record the schema.org module reads from it."""
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert len(scripts) == 1
    return scripts[0], schemaorg.parse(scripts[0].encode())


def test_the_page_embeds_schema_org_json_ld_and_links_every_format(site: Site) -> None:
    response = site.client.get("/datasets/S2MSI2A")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    _, record = json_ld_of(response.text)
    assert "Sentinel-2 MSI Level 2A" in record.title.values()
    document = html.fromstring(response.content)
    assert document.findtext(".//h1") == "Sentinel-2 MSI Level 2A"
    assert document.xpath("//link[@rel='canonical']/@href") == ["http://testserver/datasets/S2MSI2A"]
    alternates = {link.get("title"): link.get("href") for link in document.xpath("//link[@rel='alternate']")}
    assert alternates["STAC"] == "http://testserver/stac/collections/S2MSI2A"
    assert site.client.get(alternates["STAC"]).json()["id"] == "S2MSI2A"
    for key, name in PARSERS.items():
        href = next(h for h in alternates.values() if h.endswith(f"?f={key}"))
        served = site.client.get(href)
        assert served.status_code == 200, key
        parsed = formats.FORMATS[name].parse(served.content)
        assert "Sentinel-2 MSI Level 2A" in parsed.title.values(), key


def test_json_ld_is_a_google_dataset_of_the_catalog(site: Site) -> None:
    text, record = json_ld_of(site.client.get("/datasets/10.82433-B09Z-4K37-68c18233").text)
    assert record.doi == "10.82433/B09Z-4K37"
    node = __import__("orjson").loads(text)
    assert node["@type"] == "Dataset"
    assert node["url"] == "http://testserver/datasets/10.82433-B09Z-4K37-68c18233"
    assert node["includedInDataCatalog"] == {
        "@type": "DataCatalog",
        "name": "terrapole",
        "url": "http://testserver/",
    }
    assert node["@id"] == "https://doi.org/10.82433/B09Z-4K37"  # a DOI names the dataset


def test_french_and_english(site: Site) -> None:
    french = site.client.get("/datasets/land-s2", headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert french.headers["content-language"] == "fr"
    page = html.fromstring(french.content)
    assert page.get("lang") == "fr"
    assert page.findtext(".//h1") == "Réflectances Sentinel-2"
    assert "Surfaces continentales" in page.xpath("//dd/text()")
    assert "À propos de ce jeu de données" in page.xpath("//h2/text()")
    english = html.fromstring(
        site.client.get("/datasets/land-s2", headers={"accept-language": "de, en"}).content
    )
    assert english.get("lang") == "en"
    assert english.findtext(".//h1") == "Sentinel-2 surface reflectance"
    assert "Continental surfaces" in english.xpath("//dd/text()")
    chosen = html.fromstring(
        site.client.get("/datasets/land-s2?lang=fr", headers={"accept-language": "en"}).content
    )
    assert chosen.get("lang") == "fr"


def test_unknown_and_deleted_datasets(site: Site) -> None:
    missing = site.client.get("/datasets/nothing-here", headers={"accept-language": "fr"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert html.fromstring(missing.content).findtext(".//h1") == "Jeu de données introuvable"
    site.store.delete_collection("ocean-sst")
    gone = site.client.get("/datasets/ocean-sst")
    assert gone.status_code == 410
    assert html.fromstring(gone.content).findtext(".//h1") == "Dataset withdrawn"
    assert site.client.get("/datasets/ocean-sst?f=iso19139").status_code == 410
    assert site.client.get("/dcat/datasets/ocean-sst").status_code == 404


def test_formats_by_accept_and_bad_formats(site: Site) -> None:
    iso = site.client.get("/datasets/land-s2", headers={"accept": "application/vnd.iso.19139+xml"})
    assert iso.headers["content-type"].startswith("application/vnd.iso.19139+xml")
    assert formats.detect(iso.content) == "iso19139"
    browser = site.client.get(
        "/datasets/land-s2", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert browser.headers["content-type"].startswith("text/html")
    bad = site.client.get("/datasets/land-s2?f=pdf")
    assert bad.status_code == 400 and bad.json()["parameter"] == "f"


def test_one_dataset_as_dcat(site: Site) -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCTERMS

    response = site.client.get("/dcat/datasets/land-s2", headers={"accept": "application/rdf+xml"})
    assert response.headers["content-type"].startswith("application/rdf+xml")
    graph = Graph().parse(data=response.content, format="xml")
    titles = {str(t) for t in graph.objects(URIRef("http://testserver/datasets/land-s2"), DCTERMS.title)}
    assert "Sentinel-2 surface reflectance" in titles
    assert site.client.get("/dcat/datasets/nothing").status_code == 404


def test_hostile_text_stays_text(settings: Settings, store: CatalogStore) -> None:
    title = "</script><script>alert('title')</script><!-- & -->"
    record = Record(
        identifier="hostile",
        title={"en": title},
        abstract={"en": '<img src=x onerror="alert(1)"> ]]> \u2028 </SCRIPT >'},
        distributions=(Distribution(url="javascript:alert(2)", name="Click me"),),
    )
    store.upsert_collections([collection_from_record(record)])
    with TestClient(create_app(settings, store)) as client:
        page = client.get("/datasets/hostile").text
    # The portal's page has its own scripts (data blocks, the map library, its modules): as many
    # elements as script tags, and one JSON-LD block, so that no record text opened or closed one.
    scripts = html.fromstring(page).xpath("//script")
    assert page.count("<script") == page.lower().count("</script") == len(scripts) == 6
    assert [s.get("type") for s in scripts].count("application/ld+json") == 1
    assert "<img" not in page and "javascript:" not in page.replace("javascript:alert(2)", "")
    text, parsed = json_ld_of(page)
    assert "</" not in text and "<!--" not in text
    assert parsed.title == {"en": title}
    assert parsed.abstract["en"].startswith('<img src=x onerror="alert(1)">')
    document = html.fromstring(page)
    assert document.findtext(".//h1") == title
    assert not document.xpath("//a[starts-with(@href, 'javascript')]")
    assert "Click me" in document.xpath("//dd/text()")


# --- sitemap --------------------------------------------------------------------------------------


def test_sitemap_lists_every_landing_page_with_its_datestamp(settings: Settings, store: CatalogStore) -> None:
    store.upsert_collections(harvest_collections())
    store.delete_collection("ocean-sst")
    with TestClient(create_app(settings, store)) as client:
        response = client.get("/sitemap.xml")
        assert response.headers["content-type"].startswith("application/xml")
        root = etree.fromstring(response.content)
        assert root.tag == f"{SITEMAP}urlset"
        entries = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root}
        changes = store.collection_changes(deleted=False, limit=100).changes
        assert entries == {
            f"http://testserver/datasets/{c.id}": c.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ") for c in changes
        }
        assert len(entries) == 9 and "http://testserver/datasets/ocean-sst" not in entries
        assert all(client.get(loc).status_code == 200 for loc in entries)


def test_a_large_catalog_gets_a_sitemap_index(site: Site) -> None:
    index = etree.fromstring(site.client.get("/sitemap.xml").content)
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = [(s.findtext(f"{SITEMAP}loc"), s.findtext(f"{SITEMAP}lastmod")) for s in index]
    assert len(parts) == 3  # ten pages, four a file
    assert parts[0][0] == "http://testserver/sitemaps/first.xml"
    pages: list[str] = []
    for loc, lastmod in parts:
        urlset = etree.fromstring(site.client.get(loc).content)
        assert urlset.tag == f"{SITEMAP}urlset"
        stamps = [u.findtext(f"{SITEMAP}lastmod") for u in urlset]
        assert lastmod == max(stamps)
        pages.extend(u.findtext(f"{SITEMAP}loc") for u in urlset)
    assert sorted(pages) == sorted(f"http://testserver/datasets/{c.id}" for c in site.collections)
    assert site.client.get("/sitemaps/garbage.xml").status_code == 400
