"""The message catalog: every key in both languages, every key the pages and modules use exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from terrapole.portal.i18n import LANGUAGES, Translator, missing_translations, preferred_language
from terrapole.portal.messages import MESSAGES

PORTAL = Path(__file__).resolve().parents[2] / "src" / "terrapole" / "portal"
# t('key') in templates and modules; keys built from parts are checked through their prefixes.
USED_KEY = re.compile(r"""\bt\(\s*['"]([a-z_]+\.[A-Za-z_.]+)['"]""")


def test_every_message_has_both_languages() -> None:
    assert LANGUAGES == ("en", "fr")
    assert missing_translations() == []
    assert missing_translations({"x": {"en": "only English"}, "y": {"en": "a", "fr": ""}}) == ["x", "y"]


# Names and words spelt the same in both languages; any other identical pair is a forgotten translation.
SAME_IN_BOTH = {
    "lang.en",
    "lang.fr",
    "home.services",
    "service.collections",
    "facet.license",
    "results.page",
    "dataset.description",
    "dataset.contacts",
    "dataset.licence_name",
    "dataset.doi",
    "dataset.version",
    "citation.bibtex",
    "citation.datacite",
}


def test_french_and_english_differ_unless_spelt_the_same() -> None:
    same = {key for key, texts in MESSAGES.items() if texts["en"] == texts["fr"]}
    assert same == SAME_IN_BOTH


def test_every_key_used_by_templates_and_modules_exists() -> None:
    sources = [*PORTAL.joinpath("templates").glob("*.html"), *PORTAL.joinpath("static", "js").glob("*.js")]
    used = {key for source in sources for key in USED_KEY.findall(source.read_text())}
    assert len(used) > 60
    assert sorted(used - set(MESSAGES)) == []


def test_keys_built_at_run_time_exist() -> None:
    for prefix, names in {
        "sort.": ("relevance", "newest", "oldest"),
        "access.": ("open", "embargo", "licensed", "eligible", "restricted"),
        "facet.": ("pole", "license", "year", "collection"),
    }.items():
        for name in names:
            assert prefix + name in MESSAGES
            if prefix == "access.":
                assert f"access.{name}_text" in MESSAGES


def test_translator_fills_fields_and_translates_roles() -> None:
    fr = Translator("fr")
    assert fr("results.count", count=3) == "3 jeux de données trouvés"
    assert fr.role("pointOfContact") == "point de contact"
    assert fr.role("someNewRole") == "someNewRole"
    assert Translator("de")("search.submit") == "Search"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CA", "fr"),
        ("de, en;q=0.1", "en"),
        ("fr;q=0, en;q=0.5", "en"),
        ("fr;q=bad, en;q=0.5", "en"),
        ("", "en"),
        ("FR", "fr"),
    ],
)
def test_preferred_language(header: str, expected: str) -> None:
    assert preferred_language(header) == expected
