"""Helpers for the metadata-format tests: where the shared fixtures are, the metadata records that
OAI-PMH responses embed, a rich record built in code, and records compared modulo dropped fields."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import MISSING, fields, is_dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from terrapole.core.model import BBox, Contact, Extent, Keyword
from terrapole.core.record import Constraints, Dates, Distribution, Identifier, Record, Related


def _fixtures() -> Path:
    # shared/ sits beside the main checkout; helpers' worktrees are one level deeper.
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "fixtures").is_dir():
            return parent / "shared" / "fixtures"
    raise RuntimeError("shared/fixtures not found above the tests")


FIXTURES = _fixtures()
OAI = "http://www.openarchives.org/OAI/2.0/"


def oai_records(kind: str) -> Iterator[tuple[str, str, bytes]]:
    """(file name, OAI header identifier, serialised metadata element) of every record of `kind`
    ("datacite" for resource/oai_datacite, "dc" for oai_dc:dc) in the oai-pmh fixtures."""
    for path in sorted((FIXTURES / "oai-pmh").glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        for record in root.iter(f"{{{OAI}}}record"):
            metadata = record.find(f"{{{OAI}}}metadata")
            element = next(iter(metadata), None) if metadata is not None else None
            if element is None:
                continue
            local = etree.QName(element).localname
            if (kind == "dc") == (local == "dc") and local in ("dc", "resource", "oai_datacite"):
                header = record.findtext(f"{{{OAI}}}header/{{{OAI}}}identifier") or ""
                yield path.name, header.strip(), etree.tostring(element)


def without(record: Record, dropped: tuple[str, ...]) -> Record:
    """`record` with every dotted field path in `dropped` reset to its default (through tuples)."""
    for path in dropped:
        record = _reset(record, path.split("."))
    return record


def _reset(value: Any, path: list[str]) -> Any:
    if isinstance(value, tuple):
        return tuple(_reset(item, path) for item in value)
    if not is_dataclass(value) or isinstance(value, type):
        return value
    name, rest = path[0], path[1:]
    if rest:
        return replace(value, **{name: _reset(getattr(value, name), rest)})
    spec = next(f for f in fields(value) if f.name == name)
    default = spec.default_factory() if spec.default_factory is not MISSING else spec.default
    return replace(value, **{name: default})


def bilingual_record() -> Record:
    """A record with French and English text and every field DataCite can carry, in forms that
    every format writes back unchanged (one role per contact, typed identifiers)."""
    return Record(
        identifier="10.5281/zenodo.1234",
        title={"fr": "Hauteur des forêts de France", "en": "Forest height of France"},
        abstract={"fr": "Carte de la hauteur des arbres.", "en": "Map of canopy height."},
        identifiers=(Identifier("10.5281/zenodo.1234", "DOI"), Identifier("fr-onf-hf-2020", "Local")),
        alternate_titles=("FH-FR",),
        hierarchy_level="dataset",
        resource_type="Dataset",
        language="fr",
        keywords=(
            Keyword(
                {"en": "FOREST"},
                "GCMD Science Keywords",
                "https://gcmd.example/forest",
                "https://gcmd.example",
            ),
            Keyword({"fr": "hauteur de canopée"}),
        ),
        topic_categories=("environment",),
        inspire_themes=("Land cover",),
        contacts=(
            Contact(
                "Dupont, Marie",
                ("author",),
                organisation="ONF",
                kind="person",
                identifier="https://orcid.org/0000-0002-1825-0097",
                identifier_scheme="ORCID",
                organisation_identifier="https://ror.org/03yyvd929",
            ),
            Contact("ONF", ("pointOfContact",), organisation="ONF", kind="organisation"),
            Contact(
                "Theia",
                ("publisher",),
                kind="organisation",
                organisation="Theia",
                identifier="https://ror.org/02feahw73",
                identifier_scheme="ROR",
            ),
        ),
        lineage={"en": "Derived from GEDI and Sentinel-2."},
        extent=Extent(
            bboxes=(BBox(-5.0, 41.0, 10.0, 51.5), BBox(2.35, 48.85, 2.35, 48.85)),
            geometry={
                "type": "Polygon",
                "coordinates": [[[-5.0, 41.0], [10.0, 41.0], [10.0, 51.5], [-5.0, 41.0]]],
            },
            intervals=((datetime(2019, 1, 1, tzinfo=UTC), None),),
        ),
        formats=("GeoTIFF",),
        sizes=("3 GB",),
        constraints=Constraints(
            license="CC-BY-4.0",
            license_url="https://creativecommons.org/licenses/by/4.0/",
            use=("Cite the DOI.",),
        ),
        dates=Dates(
            created=date(2020, 1, 2),
            published=date(2020, 6, 1),
            revised=datetime(2021, 3, 4, 5, 6, tzinfo=UTC),
        ),
        parent_identifier="10.5281/zenodo.1000",
        related=(
            Related("10.5281/zenodo.1000", "IsPartOf", "DOI"),
            Related("https://x.fr/paper", "IsCitedBy", "URL"),
        ),
        version="2",
        distributions=(
            Distribution(
                "https://x.fr/hf", name="landing page", function="information", media_type="text/html"
            ),
            Distribution("https://x.fr/hf.tif", name="GeoTIFF", function="download", media_type="image/tiff"),
        ),
        access="embargo",
        pole="land",
    )
