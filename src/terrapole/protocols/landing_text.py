"""What a landing page says, in French and English: its labels, and the facts it lists about a
dataset (plain values; the templates escape them, and only http(s) and mailto URLs from records
become links)."""

from __future__ import annotations

from dataclasses import dataclass

from terrapole.catalog.base import CollectionChange
from terrapole.core.model import pick_language
from terrapole.core.record import Record
from terrapole.protocols.datasets import pole_name
from terrapole.protocols.oaipmh_args import format_datestamp

SAFE_SCHEMES = ("http://", "https://", "mailto:")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "facts": "About this dataset",
        "formats": "This record in other formats",
        "identifier": "Identifier",
        "doi": "DOI",
        "pole": "Data centre",
        "keywords": "Keywords",
        "period": "Period",
        "extent": "Extent (W, S, E, N)",
        "license": "Licence",
        "access": "Access",
        "contacts": "Contacts",
        "links": "Access to the data",
        "updated": "Record updated",
        "open": "open",
        "until_now": "ongoing",
        "not_found": "Dataset not found",
        "not_found_text": "No dataset has the identifier",
        "gone": "Dataset withdrawn",
        "gone_text": "This dataset was withdrawn from the catalog:",
        "back": "Back to the catalog",
    },
    "fr": {
        "home": "Accueil",
        "facts": "À propos de ce jeu de données",
        "formats": "Cette fiche dans d'autres formats",
        "identifier": "Identifiant",
        "doi": "DOI",
        "pole": "Pôle de données",
        "keywords": "Mots-clés",
        "period": "Période",
        "extent": "Emprise (O, S, E, N)",
        "license": "Licence",
        "access": "Accès",
        "contacts": "Contacts",
        "links": "Accès aux données",
        "updated": "Fiche mise à jour",
        "open": "ouvert",
        "until_now": "en cours",
        "not_found": "Jeu de données introuvable",
        "not_found_text": "Aucun jeu de données n'a l'identifiant",
        "gone": "Jeu de données retiré",
        "gone_text": "Ce jeu de données a été retiré du catalogue :",
        "back": "Retour au catalogue",
    },
}


@dataclass(frozen=True, slots=True)
class Value:
    """One value of a fact: its text, and a link when it has a safe one."""

    text: str
    href: str | None = None


def facts(record: Record, change: CollectionChange, lang: str) -> list[tuple[str, list[Value]]]:
    """(label, values) pairs describing the dataset; empty facts are left out."""
    text = TEXT[lang]
    doi = record.doi
    rows = [
        (text["identifier"], [Value(record.identifier)]),
        (text["doi"], [Value(doi, f"https://doi.org/{doi}")] if doi else []),
        (text["pole"], [Value(pole_name(record.pole, lang))] if record.pole else []),
        (text["keywords"], [Value(pick_language(k.label, lang)) for k in record.keywords]),
        (text["period"], [Value(_period(a, b, text)) for a, b in record.extent.intervals]),
        (text["extent"], [Value(", ".join(f"{v:g}" for v in box.as_list())) for box in record.extent.bboxes]),
        (text["license"], _license(record)),
        (text["access"], [Value(text["open"] if record.access == "open" else record.access)]),
        (text["contacts"], [_contact(c.name, c.roles, c.url or c.email) for c in record.contacts]),
        (text["links"], [Value(d.name or d.url, _safe(d.url)) for d in record.distributions]),
        (text["updated"], [Value(format_datestamp(change.datestamp))]),
    ]
    return [(label, values) for label, values in rows if values]


def _period(start: object, end: object, text: dict[str, str]) -> str:
    first = start.isoformat()[:10] if hasattr(start, "isoformat") else "…"
    last = end.isoformat()[:10] if hasattr(end, "isoformat") else text["until_now"]
    return f"{first} \u2013 {last}"  # an en dash


def _license(record: Record) -> list[Value]:
    constraints = record.constraints
    if not constraints.license and not constraints.license_url:
        return []
    label = constraints.license or constraints.license_url or ""
    return [Value(label, _safe(constraints.license_url))]


def _contact(name: str, roles: tuple[str, ...], reach: str | None) -> Value:
    label = f"{name} ({', '.join(roles)})" if roles else name
    if reach and "@" in reach and not reach.startswith(SAFE_SCHEMES):
        reach = f"mailto:{reach}"
    return Value(label, _safe(reach))


def _safe(url: str | None) -> str | None:
    """The URL when it is http(s) or mailto (never a `javascript:` link from a record)."""
    return url if url and url.lower().startswith(SAFE_SCHEMES) else None
