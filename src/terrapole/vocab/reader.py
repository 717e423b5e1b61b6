"""Reading a vocabulary file of any supported kind: SKOS (RDF/XML, Turtle, JSON-LD) or GCMD CSV."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from terrapole.core.vocab import Thesaurus
from terrapole.vocab import gcmd_csv

if TYPE_CHECKING:
    from terrapole.formats.rdfsafe import Syntax

SKOS_SUFFIXES: dict[str, Syntax] = {
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".ttl": "turtle",
    ".n3": "turtle",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}


def read_thesaurus(
    data: bytes, name: str = "", base: str | None = None, scheme: str | None = None
) -> Thesaurus:
    """The thesaurus in `data`; `name` (a file name) tells the RDF syntax by its suffix.

    GCMD CSV exports are recognised by their first line; anything else is read as SKOS, its
    syntax told by the suffix or, failing that, by its first bytes. `base` resolves relative
    URIs; `scheme` files concepts that name no scheme.
    """
    if gcmd_csv.looks_like_gcmd_csv(data):
        return gcmd_csv.parse(data)
    from terrapole.vocab import skos  # rdflib is slow to import: only when needed

    syntax = SKOS_SUFFIXES.get(PurePath(name).suffix.lower()) if name else None
    return skos.parse(data, syntax, base, scheme)


def read_file(path: Path, base: str | None = None, scheme: str | None = None) -> Thesaurus:
    """The thesaurus in a file."""
    return read_thesaurus(path.read_bytes(), path.name, base, scheme)
