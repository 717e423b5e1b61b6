"""The portal: server-rendered pages. For now only a bilingual home page listing the services."""

from __future__ import annotations

from html import escape

LANGUAGES = ("en", "fr")

_TEXT = {
    "en": {
        "intro": "Earth-system data from five thematic data centres, in one catalog.",
        "services": "Services",
        "stac": "STAC API (catalog root)",
        "collections": "Collections",
        "search": "Item search",
        "api": "OpenAPI document",
        "docs": "Interactive API documentation",
    },
    "fr": {
        "intro": "Les données du système Terre de cinq pôles thématiques, dans un seul catalogue.",
        "services": "Services",
        "stac": "API STAC (racine du catalogue)",
        "collections": "Collections",
        "search": "Recherche d'items",
        "api": "Document OpenAPI",
        "docs": "Documentation interactive de l'API",
    },
}
_LINKS = (
    ("stac", "/stac"),
    ("collections", "/stac/collections"),
    ("search", "/stac/search"),
    ("api", "/api"),
    ("docs", "/api.html"),
)


def preferred_language(accept_language: str | None) -> str:
    """The best of `LANGUAGES` for an Accept-Language header (English when nothing matches)."""
    best, best_q = LANGUAGES[0], 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        if primary not in LANGUAGES:
            continue
        q = _quality(params) - position * 1e-6  # earlier wins among equal weights
        if q > best_q:
            best, best_q = primary, q
    return best


def home_page(lang: str, base: str, title: str) -> str:
    """The home page in `lang`, its links starting from `base` (the public URL prefix)."""
    text = _TEXT.get(lang, _TEXT["en"])
    items = "\n".join(
        f'    <li><a href="{escape(base + path)}">{escape(text[key])}</a></li>' for key, path in _LINKS
    )
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n<h1>{escape(title)}</h1>\n"
        f"<p>{escape(text['intro'])}</p>\n<h2>{escape(text['services'])}</h2>\n<ul>\n{items}\n"
        "</ul>\n</body>\n</html>\n"
    )


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
