"""End-to-end: Debian's Chromium drives the portal served by a real `terrapole serve` process.

One browser for the session, one fresh context (cookies, storage) per test; every test fails if
the page opened a dialog, threw an error or violated its Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from bench.browser import CHROMIUM, chromium, portal_server, searches, wait_for_search
from tests.portal.browser import PageWatch
from tests.portal.conftest import collections_of, load_portal_catalog
from tests.portal.hostile import HOSTILE_ID, HOSTILE_TITLE

from terrapole.demo.generate import DemoFederation

SST = "ocean-sst-mediterranean-daily"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, demo: DemoFederation) -> Iterator[str]:
    root = tmp_path_factory.mktemp("portal-e2e")
    load_portal_catalog(root / "data", demo)
    with portal_server(root / "data", root / "server.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/run-tests (it installs Debian's chromium)")
    with chromium() as launched:
        yield launched


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def page(browser: Any, watch: PageWatch) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    opened = context.new_page()
    watch.attach(opened)
    yield opened
    context.close()
    assert watch.dialogs == []
    assert watch.errors == []


def open_search(page: Any, url: str) -> None:
    page.goto(url)
    wait_for_search(page, 0)


def result_ids(page: Any) -> list[str]:
    return page.locator("#results > li").evaluate_all("items => items.map(i => i.dataset.id)")


def api_ids(server: str, **params: str) -> list[str]:
    body = httpx.get(f"{server}/stac/collections", params={**params, "limit": "100"}).json()
    return [c["id"] for c in body["collections"]]


def test_search_facet_area_dataset_and_french(page: Any, server: str, demo: DemoFederation) -> None:
    open_search(page, server + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert len(result_ids(page)) == 10

    before = searches(page)
    page.fill("#q", "temperature")
    page.press("#q", "Enter")
    wait_for_search(page, before)
    assert SST in result_ids(page)
    assert result_ids(page) == api_ids(server, q="temperature")

    before = searches(page)
    page.check("[data-facet-group=pole] input[value=ocean]")
    wait_for_search(page, before)
    ocean = {c["id"] for c in collections_of(demo, "ocean")}
    assert SST in result_ids(page) and set(result_ids(page)) <= ocean
    assert set(page.locator("#results .badge").all_inner_texts()) == {"Ocean"}
    assert page.is_checked("[data-facet-group=pole] input[value=ocean]")

    # Draw a box around the SST footprints on the map (measured once the button has scrolled into view).
    before = searches(page)
    page.click("#draw-area")
    assert page.get_attribute("#draw-area", "aria-pressed") == "true"
    boxes = [p.bounding_box() for p in page.locator(f"path.footprint[data-id='{SST}']").all()]
    left, top = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    right = max(b["x"] + b["width"] for b in boxes)
    bottom = max(b["y"] + b["height"] for b in boxes)
    footprint = {"x": left, "y": top, "width": right - left, "height": bottom - top}
    page.mouse.move(footprint["x"] - 4, footprint["y"] - 4)
    page.mouse.down()
    page.mouse.move(
        footprint["x"] + footprint["width"] / 2, footprint["y"] + footprint["height"] / 2, steps=4
    )
    page.mouse.move(
        footprint["x"] + footprint["width"] + 4, footprint["y"] + footprint["height"] + 4, steps=4
    )
    page.mouse.up()
    wait_for_search(page, before)
    query = parse_qs(urlsplit(page.url).query)
    west, south, east, north = map(float, query["bbox"][0].split(","))
    sst = next(c for c in demo.collections if c["id"] == SST)["extent"]["spatial"]["bbox"][0]
    assert west < sst[0] and south < sst[1] and east > sst[2] and north > sst[3]
    assert east - west < 30 and north - south < 20
    assert query["q"] == ["temperature"] and query["pole"] == ["ocean"]
    expected = api_ids(server, q="temperature", bbox=query["bbox"][0], filter="(pole = 'ocean')")
    assert result_ids(page) == expected and SST in expected
    assert page.get_attribute("#draw-area", "aria-pressed") == "false"
    assert query["bbox"][0].replace(",", ", ") in page.inner_text("#area-text")

    page.click(f"#results li[data-id='{SST}'] a")
    page.wait_for_url(f"**/datasets/{SST}")
    source = next(c for c in demo.collections if c["id"] == SST)
    assert page.inner_text("h1") == source["title"]
    page.wait_for_selector("#extent-map path.extent")

    page.click("#lang-fr")
    page.wait_for_url(f"**/datasets/{SST}?lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.inner_text("h1") == source["terrapole:translations"]["fr"]["title"]
    assert page.inner_text("#access-heading") == "Accès aux données"


def test_a_thematic_portal_shows_only_its_pole(page: Any, server: str, demo: DemoFederation) -> None:
    open_search(page, server + "/poles/land")
    land = sorted(c["id"] for c in collections_of(demo, "land"))
    assert sorted(result_ids(page)) == land == sorted(api_ids(server, filter="pole = 'land'"))
    assert set(page.locator("#results .badge").all_inner_texts()) == {"Continental surfaces"}
    assert page.locator("[data-facet-group=pole]").count() == 0
    assert page.locator("[data-facet-group=license]").count() == 1
    # A text search in the portal stays within the pole.
    before = searches(page)
    page.fill("#q", "temperature")
    page.press("#q", "Enter")
    wait_for_search(page, before)
    assert result_ids(page) == []
    assert page.inner_text("#results-status") == "No dataset matches these criteria."
    assert "pole=" not in page.url


def test_hostile_record_is_shown_as_text(page: Any, server: str) -> None:
    open_search(page, server + "/?q=Hostile")
    assert page.locator("#results .result__link").all_inner_texts() == [HOSTILE_TITLE]
    assert HOSTILE_TITLE in page.locator("[data-facet-group=collection] label").all_inner_texts()[0]
    assert page.locator("#results img, #results svg, #results iframe, #facets img, #facets svg").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    page.hover(f"path.footprint[data-id='{HOSTILE_ID}']")  # its tooltip shows the title as text too
    assert page.locator(".leaflet-tooltip").inner_text() == HOSTILE_TITLE
    assert page.locator(".leaflet-tooltip img").count() == 0

    page.click("#results .result__link")
    page.wait_for_url(f"**/datasets/{quote(HOSTILE_ID, safe='')}")
    assert page.inner_text("h1") == HOSTILE_TITLE
    assert page.locator("main img, main iframe, main svg:not(.leaflet-zoom-animated)").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    scripts = page.locator("script").evaluate_all("s => s.map(x => x.id || x.src.split('/').pop() || x.type)")
    assert sorted(scripts) == sorted(
        ["application/ld+json", "tp-config", "tp-messages", "leaflet.js", "topojson-client.min.js", "main.js"]
    )


def test_a_refused_search_shows_the_apis_message(page: Any, server: str, watch: PageWatch) -> None:
    open_search(page, server + "/?from=2020&to=2010")
    error = page.locator("#results-error")
    assert error.is_visible()
    assert error.inner_text().startswith("The catalog refused this search: ")
    assert "is after end" in error.inner_text()
    assert result_ids(page) == []

    before = searches(page)
    page.fill("#from", "")
    page.fill("#to", "")
    page.click(".advanced summary")
    page.fill("#filter", "license = ")
    page.press("#filter", "Enter")
    wait_for_search(page, before)
    assert page.locator("#results-error").is_visible()
    before = searches(page)
    page.fill("#filter", "license = 'ODbL-1.0'")
    page.press("#filter", "Enter")
    wait_for_search(page, before)
    assert page.locator("#results-error").is_hidden()
    assert result_ids(page) == ["biodiversity-species-occurrences"]
    # The browser logs each refused request; those are the point of this test.
    refused = "the server responded with a status of 400"
    assert any(refused in e for e in watch.errors)
    watch.errors[:] = [e for e in watch.errors if refused not in e]


def test_search_and_results_work_from_the_keyboard(page: Any, server: str) -> None:
    open_search(page, server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.focus("#q")
    before = searches(page)
    page.keyboard.type("snow")
    page.keyboard.press("Enter")
    wait_for_search(page, before)
    assert result_ids(page)[0] == "land-snow-cover-daily"
    # Tab on from the search box reaches the first result's link, and Enter opens it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('result__link')"):
            break
    assert page.evaluate("() => document.activeElement.closest('li').dataset.id") == "land-snow-cover-daily"
    page.keyboard.press("Enter")
    page.wait_for_url("**/datasets/land-snow-cover-daily")


def test_a_facet_toggles_from_the_keyboard_and_keeps_focus(page: Any, server: str) -> None:
    open_search(page, server + "/")
    before = searches(page)
    page.focus("[data-facet-group=license] input[value='CC-BY-4.0']")
    page.keyboard.press("Space")
    wait_for_search(page, before)
    focused = page.evaluate("() => [document.activeElement.dataset.facet, document.activeElement.value]")
    assert focused == ["license", "CC-BY-4.0"]
    assert page.is_checked("[data-facet-group=license] input[value='CC-BY-4.0']")
    assert set(page.locator("#results .result__meta .result__licence").all_inner_texts()) == {"CC-BY-4.0"}


def test_paging_with_next_and_previous(page: Any, server: str, demo: DemoFederation) -> None:
    open_search(page, server + "/")
    first = result_ids(page)
    before = searches(page)
    page.click("#next")
    wait_for_search(page, before)
    second = result_ids(page)
    assert len(first) == 10 and second and not set(first) & set(second)
    assert len(first) + len(second) == len(demo.collections) + 1
    assert page.inner_text("#page-number") == "Page 2"
    before = searches(page)
    page.click("#prev")
    wait_for_search(page, before)
    assert result_ids(page) == first


@pytest.mark.parametrize("path", ["/", f"/datasets/{SST}", "/poles/ocean"])
def test_pages_fit_a_375_px_screen(browser: Any, server: str, path: str, watch: PageWatch) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})
    narrow = context.new_page()
    watch.attach(narrow)
    narrow.goto(server + path)
    narrow.wait_for_load_state("networkidle")
    assert narrow.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert narrow.locator("#lang-fr").is_visible()
    context.close()
    assert watch.errors == [] and watch.dialogs == []


def test_switching_language_keeps_the_search(page: Any, server: str) -> None:
    open_search(page, server + "/?q=forest&sort=newest")
    page.click("#lang-fr")
    wait_for_search(page, 0)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.input_value("#q") == "forest"
    assert page.input_value("#sort") == "newest"
    assert page.inner_text("#results-heading") == "Résultats"


# WCAG 2.1 relative luminance and contrast ratio, computed in the page on the rendered colours.
CONTRAST = """(selectors) => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const [r, g, b, a = 1] = rgba(getComputedStyle(n).backgroundColor);
      if (a > 0.5) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const selector of selectors) {
    for (const node of document.querySelectorAll(selector)) {
      // Disabled controls are exempt (WCAG 1.4.3), such as Leaflet's zoom-out at the widest view.
      if (!node.textContent.trim() || !node.getClientRects().length) continue;
      if (node.matches('[disabled], .leaflet-disabled')) continue;
      const fg = luminance(rgba(getComputedStyle(node).color));
      const bg = luminance(background(node));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      out.push([selector, Math.round(ratio * 100) / 100]);
    }
  }
  return out;
}"""
TEXT_SELECTORS = [
    "body",
    "a",
    "label",
    "legend",
    "button",
    ".hint",
    ".area-text",
    ".badge",
    ".facet__count",
    ".result__meta span",
    ".results__status",
    ".site-header a",
    ".eyebrow",
    ".site-footer p",
    "h1",
    "h2",
]


@pytest.mark.parametrize("path", ["/", "/poles/biodiversity", f"/datasets/{SST}"])
def test_text_contrast_meets_wcag_aa(page: Any, server: str, path: str) -> None:
    page.goto(server + path)
    if path != f"/datasets/{SST}":
        wait_for_search(page, 0)
    ratios = page.evaluate(CONTRAST, TEXT_SELECTORS)
    assert len({selector for selector, _ in ratios}) >= 8
    assert [(s, r) for s, r in ratios if r < 4.5] == []


@pytest.mark.parametrize("path", ["/", f"/datasets/{SST}"])
def test_every_control_has_an_accessible_name(page: Any, server: str, path: str) -> None:
    page.goto(server + path)
    if path == "/":
        wait_for_search(page, 0)
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
          .filter((n) => n.getClientRects().length)
          .filter((n) => !((n.labels && n.labels.length) || n.getAttribute('aria-label')
                           || n.getAttribute('title') || n.textContent.trim()))
          .map((n) => n.outerHTML.slice(0, 80))"""
    )
    assert unnamed == []
    assert page.locator("main#main").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_suggested_concept_becomes_the_search(page: Any, server: str) -> None:
    open_search(page, server + "/")
    params = {"q": "ocean", "lang": "en", "limit": "8"}
    expected = httpx.get(f"{server}/vocab/suggest", params=params).json()["suggestions"]
    page.click("#q")
    page.keyboard.type("ocean")
    page.wait_for_selector("#q-suggestions [role=option]")
    box = page.locator("#q")
    assert (box.get_attribute("role"), box.get_attribute("aria-expanded")) == ("combobox", "true")
    assert page.get_attribute("#q-suggestions", "aria-label") == "Suggested topics"
    labels = page.locator("#q-suggestions [role=option] .suggestion__label").all_inner_texts()
    assert labels == [s["label"] for s in expected] and len(labels) >= 3
    assert page.inner_text("#q-suggestions-status").startswith(f"{len(labels)} suggested topics")
    # Escape closes the list and keeps the text; the down arrow opens it again and moves in it.
    page.keyboard.press("Escape")
    assert page.locator("#q-suggestions").is_hidden() and box.get_attribute("aria-expanded") == "false"
    assert page.input_value("#q") == "ocean"
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-expanded") == "true"
    # The first suggestion some dataset uses (suggestions rank the catalog's concepts first).
    chosen = next(i for i, s in enumerate(expected) if api_ids(server, concept=s["uri"]))
    for _ in range(chosen + 1):
        page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert page.get_attribute(f"#{active}", "aria-selected") == "true"
    assert page.get_attribute(f"#{active}", "data-uri") == expected[chosen]["uri"]
    before = searches(page)
    page.keyboard.press("Enter")
    wait_for_search(page, before)
    uri = expected[chosen]["uri"]
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"concept": [uri]} and page.input_value("#q") == ""
    assert result_ids(page) == api_ids(server, concept=uri) != []
    assert page.is_checked(f"[data-facet-group=concept] input[value='{uri}']")
    assert page.locator("#q-suggestions").is_hidden()


# How many pixels of the chart's canvas have the colour `#rrggbb` (the bars are drawn in it).
PAINTED = """(colour) => {
  const canvas = document.querySelector('#year-chart canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const rgb = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 200 && rgb.every((c, k) => Math.abs(data[i + k] - c) < 8)) n += 1;
  }
  return n;
}"""


def bar_x(page: Any, first: int, last: int, year: int) -> float:
    """The horizontal middle of a year's bar (the x scale runs from first - 0.5 to last + 0.5)."""
    area = page.locator("#year-chart .u-over").bounding_box()
    return float(area["x"] + (year - first + 0.5) / (last - first + 1) * area["width"])


def test_the_year_chart_shows_the_year_facet_and_chooses_the_period(page: Any, server: str) -> None:
    open_search(page, server + "/")
    body = httpx.get(f"{server}/portal/facets", params={"lang": "en"}).json()
    (years,) = [f for f in body["facets"] if f["name"] == "year"]
    counts = {int(v["value"]): v["count"] for v in years["values"]}
    first, last = min(counts), max(counts)
    assert page.get_attribute("#year-chart", "data-years") == str(last - first + 1)
    assert page.get_attribute("#year-chart", "data-total") == str(sum(counts.values()))
    canvas = page.locator("#year-chart canvas")
    assert canvas.count() == 1 and canvas.bounding_box()["width"] > 300
    assert page.evaluate(PAINTED, "#0b4f8a") > 500  # bars drawn, headless, no GPU
    label = page.get_attribute("#year-chart .year-chart__plot", "aria-label")
    assert (
        f"from {first} to {last}" in label
        and page.get_attribute("#year-chart .year-chart__plot", "role") == "img"
    )

    # A click on a bar chooses its year; as many results as the bar counts.
    area = page.locator("#year-chart .u-over").bounding_box()
    bottom = area["y"] + area["height"] - 2
    before = searches(page)
    page.mouse.click(bar_x(page, first, last, 2016), bottom)
    wait_for_search(page, before)
    assert (page.input_value("#from"), page.input_value("#to")) == ("2016", "2016")
    assert page.inner_text("#results-status") == f"{counts[2016]} datasets found"
    assert page.evaluate(PAINTED, "#8b949e") > 100  # the years outside the period in grey

    # Dragging across the bars chooses a period.
    before = searches(page)
    page.mouse.move(bar_x(page, first, last, 2000), bottom - 10)
    page.mouse.down()
    page.mouse.move(bar_x(page, first, last, 2005), bottom - 10, steps=5)
    page.mouse.up()
    wait_for_search(page, before)
    assert (page.input_value("#from"), page.input_value("#to")) == ("2000", "2005")
    period = "2000-01-01T00:00:00Z/2005-12-31T23:59:59Z"
    assert result_ids(page) == api_ids(server, datetime=period)[:10]
    assert parse_qs(urlsplit(page.url).query) == {"from": ["2000"], "to": ["2005"]}
