"""How to cite a dataset: a text citation, a BibTeX entry and the DataCite XML record.

All three come from the DataCite view of the record (`formats.datacite_attributes`), so that they
agree with what a DOI registration would say: creators, title, publication year, publisher,
identifier. DataCite's recommended text form is "Creator (Year). Title. Publisher. Identifier".
Where the record names no creator or publisher, the text falls back on the parties that produce
or host the data (the DataCite XML keeps DataCite's own `(:unav)`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from terrapole.core.model import pick_language
from terrapole.core.record import Record
from terrapole.formats import datacite
from terrapole.formats.datacite_attributes import attributes_from_record
from terrapole.formats.datacite_vocab import UNKNOWN_VALUES

# Roles standing in for creators and publisher when the record names none.
_MAKER_ROLES = ("producer", "principalInvestigator", "owner", "custodian")
_PUBLISHER_ROLES = ("host", "distributor", "custodian", "resourceProvider")
_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_~^])")
_BIBTEX_REPLACEMENTS = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


@dataclass(frozen=True, slots=True)
class Citation:
    """The three forms of a dataset's citation."""

    text: str
    bibtex: str
    datacite_xml: str


def cite(record: Record, lang: str, url: str, catalog_name: str) -> Citation:
    """The citation of `record`, its title in `lang`; `url` is its landing page."""
    attributes = attributes_from_record(record)
    creators = _creators(record, attributes)
    year = str(attributes.get("publicationYear", ""))
    title = pick_language(record.title, lang)
    publisher = _publisher(record, attributes) or catalog_name
    doi = record.doi
    link = f"https://doi.org/{doi}" if doi else url
    text = f"{'; '.join(creators) or publisher} ({year}). {title}"
    if record.version:
        text += f" (version {record.version})"
    text += f" [Dataset]. {publisher}. {link}"
    authors = creators or [publisher]
    fields = {
        # Braced names and title: BibTeX keeps organisation names whole and the title's case.
        "author": " and ".join(f"{{{_bibtex(name)}}}" for name in authors),
        "title": f"{{{_bibtex(title)}}}",
        "year": year,
        "publisher": _bibtex(publisher),
        "version": _bibtex(record.version or ""),
        "doi": _bibtex(doi or ""),
        "url": link,
        "note": "Dataset",
    }
    return Citation(text, _bibtex_entry(_key(creators, publisher, year), fields), _datacite_xml(record))


def _creators(record: Record, attributes: Mapping[str, Any]) -> list[str]:
    names = [c.get("name", "") for c in attributes.get("creators", ())]
    names = [n for n in names if n and n not in UNKNOWN_VALUES]
    if names:
        return names
    return list(dict.fromkeys(c.name for c in record.contacts if c.name and _has_role(c.roles, _MAKER_ROLES)))


def _publisher(record: Record, attributes: Mapping[str, Any]) -> str | None:
    name = str((attributes.get("publisher") or {}).get("name", ""))
    if name and name not in UNKNOWN_VALUES:
        return name
    return next((c.name for c in record.contacts if c.name and _has_role(c.roles, _PUBLISHER_ROLES)), None)


def _has_role(roles: Sequence[str], wanted: Sequence[str]) -> bool:
    return any(role in wanted for role in roles)


def _bibtex(text: str) -> str:
    """Text with BibTeX's special characters escaped (braces stay balanced whatever the input)."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACEMENTS.get(m.group(1), "\\" + m.group(1)), text)


def _bibtex_entry(key: str, fields: Mapping[str, str]) -> str:
    lines = [f"@misc{{{key},", *(f"  {name} = {{{value}}}," for name, value in fields.items() if value), "}"]
    return "\n".join(lines)


def _key(creators: Sequence[str], publisher: str, year: str) -> str:
    first = (creators[0] if creators else publisher).split(",")[0]
    word = re.sub(r"[^A-Za-z0-9]", "", first.split(" ")[0]) or "dataset"
    return f"{word.lower()}{year}"


def _datacite_xml(record: Record) -> str:
    return datacite.encode(record).decode("utf-8")
