"""Static files: served by the app with long cache headers, versioned URLs, the JavaScript budget."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest
from fastapi.testclient import TestClient
from tests.portal.hostile import HOSTILE_ID
from tests.portal.pages import json_block, parse

from terrapole.app import create_app
from terrapole.portal.rendering import STATIC_DIR, content_security_policy, static_digest
from terrapole.settings import Settings

JS_BUDGET = 500_000  # bytes of JavaScript per page, uncompressed, map library included
IMPORT = re.compile(r"""(?:^|\n)\s*import\s[^'"]*?from\s+['"](\.[^'"]+)['"]""")


def page_javascript(client: TestClient, path: str) -> dict[str, int]:
    """Every script a page loads (its script elements and their module imports) and their sizes."""
    page = client.get(path).text
    pending = [urljoin(path, src) for src in parse(page).xpath("//script/@src")]
    sizes: dict[str, int] = {}
    while pending:
        url = pending.pop()
        if url in sizes:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = len(response.content)
        pending.extend(urljoin(url, target) for target in IMPORT.findall(response.text))
    return sizes


@pytest.mark.parametrize("path", ["/", "/poles/ocean", "/datasets/ocean-sst-mediterranean-daily"])
def test_each_page_ships_less_than_500_kb_of_javascript(portal: TestClient, path: str) -> None:
    sizes = page_javascript(portal, path)
    names = {url.rsplit("/", 1)[-1] for url in sizes}
    assert {"leaflet.js", "topojson-client.min.js", "main.js", "search.js", "map.js", "state.js"} <= names
    assert {"chart.js", "suggest.js"} <= names
    # The chart library only where there is a chart: the search pages.
    assert ("uPlot.iife.min.js" in names) == (not path.startswith("/datasets/"))
    assert sum(sizes.values()) <= JS_BUDGET, sizes


def test_static_files_are_versioned_and_cached(portal: TestClient) -> None:
    page = portal.get("/").text
    prefix = f"/static/{static_digest()}/"
    sources = parse(page).xpath("//script/@src | //link[@rel='stylesheet']/@href")
    assert sources and all(s.startswith(prefix) for s in sources)
    module = portal.get(prefix + "js/main.js")
    assert module.headers["content-type"] == "text/javascript; charset=utf-8"
    assert module.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert module.headers["x-content-type-options"] == "nosniff"
    basemap = portal.get(prefix + "vendor/world-atlas/countries-110m.json")
    assert basemap.status_code == 200 and basemap.json()["type"] == "Topology"
    assert portal.get(prefix + "../../app.py").status_code == 404
    assert portal.get("/static/000000000000/js/main.js").status_code == 404


def test_vendored_libraries_carry_their_licences() -> None:
    vendor = STATIC_DIR / "vendor"
    for library in ("leaflet", "topojson-client", "world-atlas", "uplot"):
        assert (vendor / library / "LICENSE").read_text().strip()
    readme = (vendor / "README.md").read_text()
    assert "leaflet | 1.9.4" in readme and "uplot | 1.6.32" in readme and "npm pack" in readme
    assert b"uPlot (v1.6.32)" in (vendor / "uplot" / "uPlot.iife.min.js").read_bytes()[:100]
    assert b"Leaflet 1.9.4" in (vendor / "leaflet" / "leaflet.js").read_bytes()[:200]


def test_browser_modules_never_parse_data_as_html() -> None:
    for module in (STATIC_DIR / "js").glob("*.js"):
        source = module.read_text()
        for sink in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ):
            assert sink not in source, f"{module.name} uses {sink}"


def test_the_hostile_page_loads_the_same_scripts(portal: TestClient) -> None:
    ordinary = set(page_javascript(portal, "/datasets/ocean-sst-mediterranean-daily"))
    hostile = set(page_javascript(portal, f"/datasets/{quote(HOSTILE_ID, safe='')}"))
    assert hostile == ordinary


def test_an_xyz_basemap_is_allowed_by_the_policy_and_given_to_the_maps(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        basemap_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png",
        basemap_attribution="© Example",
    )
    policy = dict(d.strip().split(" ", 1) for d in content_security_policy(settings).split(";"))
    assert policy["img-src"] == "'self' data: https://a.tiles.example.org https://*.tiles.example.org"
    assert policy["script-src"] == "'self'" and policy["connect-src"] == "'self'"
    assert "example" not in content_security_policy(Settings(data_dir=tmp_path))
    with TestClient(create_app(settings)) as client:
        page = client.get("/")
    assert page.headers["content-security-policy"] == content_security_policy(settings)
    config = json_block(page.text, "tp-config")
    assert (config["basemapUrl"], config["basemapAttribution"]) == (settings.basemap_url, "© Example")
