"""Which language a page is in, and its interface strings.

The language comes, in order, from `?lang=` (a visible switch on every page, remembered in a
cookie), from that cookie, then from the Accept-Language header; English when nothing matches.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request

from terrapole.portal.messages import MESSAGES
from terrapole.protocols.negotiation import quality

LANGUAGES: tuple[str, ...] = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "terrapole_lang"
# Keys the browser modules read (the page embeds only these, in its own language).
CLIENT_PREFIXES: tuple[str, ...] = (
    "search.",
    "sort.",
    "facet.",
    "facets.",
    "map.",
    "results.",
    "result.",
    "citation.",
    "chart.",
    "suggest.",
)


def preferred_language(accept_language: str | None) -> str:
    """The best of `LANGUAGES` for an Accept-Language header (English when nothing matches)."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        if primary not in LANGUAGES:
            continue
        q = quality(params) - position * 1e-6  # earlier wins among equal weights
        if q > best_q:
            best, best_q = primary, q
    return best


def request_language(request: Request) -> tuple[str, bool]:
    """The language of the page for `request`, and whether it was chosen with `?lang=` just now."""
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked, True
    remembered = request.cookies.get(LANGUAGE_COOKIE, "")
    if remembered in LANGUAGES:
        return remembered, False
    return preferred_language(request.headers.get("accept-language")), False


class Translator:
    """The interface strings of one language: `t("key", name=value)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def __call__(self, key: str, **values: object) -> str:
        """The message `key` with its `{name}` fields filled in (the key itself when unknown)."""
        entry = MESSAGES.get(key)
        text = entry[self.lang] if entry else key
        return text.format(**values) if values else text

    def role(self, role: str) -> str:
        """A contact role in this language (the code itself when the catalog has no label)."""
        entry = MESSAGES.get(f"role.{role}")
        return entry[self.lang] if entry else role

    def client_messages(self) -> dict[str, str]:
        """The strings the browser modules need, in this language."""
        return {key: text[self.lang] for key, text in MESSAGES.items() if key.startswith(CLIENT_PREFIXES)}


def missing_translations(messages: Mapping[str, Mapping[str, str]] = MESSAGES) -> list[str]:
    """Keys lacking a non-empty text in some language of `LANGUAGES` (the catalog test uses it)."""
    return [key for key, texts in messages.items() if any(not texts.get(lang) for lang in LANGUAGES)]
