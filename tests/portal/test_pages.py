"""The portal's pages over a real catalog: status, language, escaping, security headers, 404."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from tests.portal.conftest import collections_of
from tests.portal.hostile import (
    HOSTILE_ABSTRACT,
    HOSTILE_ID,
    HOSTILE_IDENTIFIER,
    HOSTILE_KEYWORDS,
    HOSTILE_TITLE,
)
from tests.portal.pages import inline_code, json_block, json_ld, parse, texts

from terrapole.demo.generate import DemoFederation
from terrapole.portal.poles import POLE_INFO

SST = "ocean-sst-mediterranean-daily"
PAGES = ["/", "/poles/ocean", f"/datasets/{SST}", f"/datasets/{quote(HOSTILE_ID, safe='')}"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_forbid_inline_scripts_and_carry_none(portal: TestClient, path: str) -> None:
    response = portal.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert inline_code(response.text) == []


@pytest.mark.parametrize(
    ("header", "lang", "phrase"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr", "Recherche d'items"),
        ("en-GB,en;q=0.9", "en", "Item search"),
        ("de-DE, fr;q=0.5, en;q=0.4", "fr", "Collections"),
        ("en;q=0.3, fr;q=0.7", "fr", "Document OpenAPI"),
        (None, "en", "OpenAPI document"),
    ],
)
def test_home_page_speaks_the_requested_language(
    portal: TestClient, header: str | None, lang: str, phrase: str
) -> None:
    response = portal.get("/", headers={"accept-language": header} if header else {})
    assert response.status_code == 200
    assert response.headers["content-language"] == lang
    assert parse(response.text).get("lang") == lang
    assert phrase in texts(response.text, "//section[@class='services']//a")
    hrefs = parse(response.text).xpath("//section[@class='services']//a/@href")
    for href in ("/stac", "/stac/collections", "/stac/search", "/api"):
        assert f"http://testserver{href}" in hrefs


def test_the_language_switch_is_remembered(portal: TestClient) -> None:
    english = portal.get("/poles/land", headers={"accept-language": "en"})
    switch = dict(
        zip(
            parse(english.text).xpath("//ul[@class='lang-switch']//a/@hreflang"),
            parse(english.text).xpath("//ul[@class='lang-switch']//a/@href"),
            strict=True,
        )
    )
    assert switch == {"en": "/poles/land?lang=en", "fr": "/poles/land?lang=fr"}
    french = portal.get(switch["fr"], headers={"accept-language": "en"})
    assert parse(french.text).get("lang") == "fr"
    assert "terrapole_lang=fr" in french.headers["set-cookie"]
    # Later pages follow the cookie rather than the browser's Accept-Language...
    later = portal.get("/", headers={"accept-language": "en"})
    assert parse(later.text).get("lang") == "fr"
    assert texts(later.text, "//h1") == ["Rechercher dans le catalogue"]
    # ...until the switch is used again; the page's other parameters are kept.
    again = portal.get("/?q=neige&lang=en")
    assert parse(again.text).get("lang") == "en"
    assert parse(again.text).xpath("//input[@id='q']/@value") == ["neige"]
    assert "/?q=neige&lang=fr" in parse(again.text).xpath("//ul[@class='lang-switch']//a/@href")


def test_pages_embed_their_strings_and_settings_for_the_browser(portal: TestClient) -> None:
    page = portal.get("/poles/ocean?lang=fr").text
    config = json_block(page, "tp-config")
    assert (config["page"], config["pole"], config["lang"]) == ("search", "ocean", "fr")
    assert config["static"].startswith("/static/")
    assert config["poles"]["solid-earth"] == "Terre solide"
    messages = json_block(page, "tp-messages")
    assert messages["results.next"] == "Page suivante"
    assert "dataset.contacts" not in messages  # only what the browser modules use


def test_a_thematic_portal_lists_its_pole_only(portal: TestClient, demo: DemoFederation) -> None:
    page = portal.get("/poles/land", headers={"accept-language": "en"}).text
    listed = texts(page, "//ul[@id='pole-datasets']/li/a")
    assert sorted(listed) == sorted(c["title"] for c in collections_of(demo, "land"))
    assert texts(page, "//p[@id='pole-description']") == [POLE_INFO["land"].description["en"]]
    french = portal.get("/poles/land?lang=fr").text
    assert texts(french, "//p[@id='pole-description']") == [POLE_INFO["land"].description["fr"]]
    assert sorted(texts(french, "//ul[@id='pole-datasets']/li/a")) == sorted(
        c["terrapole:translations"]["fr"]["title"] for c in collections_of(demo, "land")
    )


def test_every_pole_has_texts_in_both_languages() -> None:
    from terrapole.core.model import POLES

    assert tuple(POLE_INFO) == POLES
    for pole in POLE_INFO.values():
        for lang in ("en", "fr"):
            assert pole.name[lang] and pole.description[lang] and pole.themes[lang]


def test_the_dataset_page_shows_the_record(portal: TestClient, demo: DemoFederation) -> None:
    source = next(c for c in demo.collections if c["id"] == SST)
    page = portal.get(f"/datasets/{SST}", headers={"accept-language": "en"}).text
    assert texts(page, "//h1") == [source["title"]]
    assert texts(page, "//div[@id='dataset-description']/p") == [source["description"]]
    assert texts(page, "//ul[@id='dataset-keywords']/li/a[1]") == source["keywords"]
    assert texts(page, "//ul[@id='dataset-periods']/li") == ["since 2008-01-01 (ongoing)"]
    assert texts(page, "//table[@class='contacts']/tbody/tr/td[1]") == [
        p["name"] for p in source["providers"]
    ]
    assert parse(page).xpath("//*[@id='dataset-licence']/@href") == [
        "https://spdx.org/licenses/CC-BY-4.0.html"
    ]
    assert texts(page, "//*[@id='access-action']") == ["Browse the files"]
    formats = dict(
        zip(
            texts(page, "//ul[@id='dataset-formats']/li/a"),
            parse(page).xpath("//ul[@id='dataset-formats']/li/a/@href"),
            strict=True,
        )
    )
    assert formats["STAC"] == f"http://testserver/stac/collections/{SST}"
    assert formats["ISO 19139"] == f"http://testserver/datasets/{SST}?f=iso19139"
    assert formats["DCAT-AP (Turtle)"] == f"http://testserver/datasets/{SST}?f=dcat"
    assert formats["Its files as STAC items"] == f"http://testserver/stac/collections/{SST}/items"
    assert (
        portal.get(formats["ISO 19139"]).headers["content-type"].startswith("application/vnd.iso.19139+xml")
    )
    citation = texts(page, "//p[@id='citation-text']")[0]
    assert citation.startswith("Ifremer (2008). Daily sea-surface temperature")
    assert citation.endswith(f"http://testserver/datasets/{SST}")
    assert "<creatorName>(:unav)</creatorName>" in texts(page, "//pre[@id='citation-datacite']")[0]
    jsonld = json_ld(page)
    assert (jsonld["@type"], jsonld["name"]) == ("Dataset", source["title"])
    assert jsonld["url"] == f"http://testserver/datasets/{SST}"
    assert json_block(page, "tp-config")["extent"]["features"][0]["geometry"]["type"] == "Polygon"


def test_the_dataset_page_speaks_french(portal: TestClient, demo: DemoFederation) -> None:
    source = next(c for c in demo.collections if c["id"] == SST)
    page = portal.get(f"/datasets/{SST}?lang=fr").text
    french = source["terrapole:translations"]["fr"]
    assert texts(page, "//h1") == [french["title"]]
    assert texts(page, "//ul[@id='dataset-keywords']/li/a[1]") == french["keywords"]
    assert texts(page, "//ul[@id='dataset-periods']/li") == ["depuis le 2008-01-01 (en cours)"]
    assert texts(page, "//*[@id='access-action']") == ["Parcourir les fichiers"]


@pytest.mark.parametrize(
    ("collection", "state"),
    [
        ("atmosphere-across-2022-campaign", "Under embargo"),
        ("ocean-bathymetry-lidar", "Licensed data"),
        ("land-cover-oso-yearly", "Open data"),
    ],
)
def test_the_access_box_follows_the_access_level(portal: TestClient, collection: str, state: str) -> None:
    page = portal.get(f"/datasets/{collection}", headers={"accept-language": "en"}).text
    assert texts(page, "//section[contains(@class, 'access')]//p[@class='access__state']") == [state]
    action = parse(page).xpath("//*[@id='access-action']")
    if state == "Open data":
        assert action[0].tag == "a"
    elif state == "Licensed data":
        assert action[0].tag == "button" and action[0].get("disabled") is not None
    else:
        assert action == []


def test_an_unknown_dataset_is_a_404_page(portal: TestClient) -> None:
    response = portal.get("/datasets/no-such-<b>dataset</b>", headers={"accept-language": "fr"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert texts(response.text, "//h1") == ["Jeu de données introuvable"]
    assert texts(response.text, "//main//p[1]") == [
        "Le catalogue ne contient aucun jeu de données d'identifiant no-such-<b>dataset</b>."
    ]
    assert "<b>dataset</b>" not in response.text


def test_an_unknown_pole_is_a_404_page(portal: TestClient) -> None:
    response = portal.get("/poles/mars", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert texts(response.text, "//h1") == ["Page not found"]


def test_hostile_record_is_plain_text_on_its_page(portal: TestClient) -> None:
    page = portal.get(f"/datasets/{quote(HOSTILE_ID, safe='')}", headers={"accept-language": "en"}).text
    assert texts(page, "//h1") == [HOSTILE_TITLE]
    assert texts(page, "//div[@id='dataset-description']/p") == [HOSTILE_ABSTRACT]
    assert texts(page, "//ul[@id='dataset-keywords']/li/a[1]") == list(HOSTILE_KEYWORDS)
    tree = parse(page)
    assert tree.xpath("//img | //iframe | //svg | //b | //u") == []
    scripts = [(s.get("id"), s.get("src")) for s in tree.iter("script")]
    assert [i for i, src in scripts if src is None] == [None, "tp-config", "tp-messages"]  # JSON-LD first
    assert json_ld(page)["name"] == HOSTILE_TITLE
    assert texts(page, "//code[@id='dataset-identifier']") == [HOSTILE_IDENTIFIER]
    assert "</script><script>" not in page
    assert inline_code(page) == []
    # javascript: URLs from the record never become links
    assert not [h for h in tree.xpath("//a/@href") if "javascript" in h.lower()]
    assert texts(page, "//ul[@id='dataset-keywords']//a[@class='keyword__concept']") == []


def test_hostile_record_is_plain_text_in_the_pole_list(portal: TestClient) -> None:
    page = portal.get("/poles/ocean", headers={"accept-language": "en"}).text
    assert HOSTILE_TITLE in texts(page, "//ul[@id='pole-datasets']/li/a")
    assert parse(page).xpath("//main//img | //main//script") == []
    assert inline_code(page) == []


def test_the_dataset_page_shows_the_fair_score_and_what_is_missing(portal: TestClient) -> None:
    from terrapole.core.record import record_from_collection
    from terrapole.quality.fair import assess

    expected = assess(record_from_collection(portal.app.state.store.get_collection(SST)))
    assert expected.missing  # the demo records lack DOIs, lineage...
    page = portal.get(f"/datasets/{SST}", headers={"accept-language": "fr"}).text
    assert texts(page, "//*[@id='fair-score']") == [f"{expected.score} sur 100"]
    assert parse(page).xpath("//*[@id='fair-score']/meter/@value") == [str(expected.score)]
    assert texts(page, "//ul[@class='fair__missing']/li") == list(expected.missing)
    assert parse(page).xpath("//ul[@class='fair__missing']/@lang") == ["en"]


def test_keywords_linked_to_concepts_search_by_concept(portal: TestClient) -> None:
    page = portal.get(f"/datasets/{SST}", headers={"accept-language": "en"}).text
    tree = parse(page)
    concepts = tree.xpath("//ul[@id='dataset-keywords']/li[a[@class='keyword__concept']]")
    assert concepts, "the demo's keywords are linked to GCMD concepts at ingest"
    for item in concepts:
        uri = item.xpath("a[@class='keyword__concept']/@href")[0]
        assert uri.startswith("https://gcmd.earthdata.nasa.gov/kms/concept/")
        (search,) = item.xpath("a[1]/@href")
        assert search == "/?" + urlencode({"concept": uri})
        assert item.xpath("a[1]/@title") == ["Search by this concept and its narrower ones"]
        found = portal.get("/stac/collections", params={"concept": uri}).json()["collections"]
        assert SST in [c["id"] for c in found]
    # A keyword no vocabulary holds searches by its words.
    words = [h for h in tree.xpath("//ul[@id='dataset-keywords']/li/a[1]/@href") if h.startswith("/?q=")]
    assert len(words) + len(concepts) == len(tree.xpath("//ul[@id='dataset-keywords']/li"))
