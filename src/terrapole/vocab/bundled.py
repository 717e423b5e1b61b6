"""The vocabularies terrapole ships (see data/README.md for their sources and licences)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from terrapole.catalog.base import CatalogStore
from terrapole.core.vocab import Thesaurus
from terrapole.vocab.importing import ImportReport, import_thesauri
from terrapole.vocab.reader import read_thesaurus


@dataclass(frozen=True, slots=True)
class Bundled:
    """One shipped vocabulary file and the base its relative URIs resolve against."""

    name: str
    base: str | None = None


BUNDLED = (
    Bundled("gcmd-sciencekeywords.csv"),
    Bundled("gcmd-sciencekeywords-fr.ttl"),
    Bundled("inspire-themes.rdf"),
    Bundled("inspire-themes-fr.ttl"),
    Bundled("gemet-themes.rdf", base="http://www.eionet.europa.eu/gemet/"),
)


def bundled_thesauri() -> list[Thesaurus]:
    """Every shipped vocabulary, read."""
    data = resources.files("terrapole.vocab") / "data"
    return [read_thesaurus((data / one.name).read_bytes(), one.name, one.base) for one in BUNDLED]


def import_bundled(store: CatalogStore) -> ImportReport:
    """Import the shipped vocabularies into a catalog (again: importing twice changes nothing)."""
    return import_thesauri(store, bundled_thesauri())
