"""Fixtures for vocabulary tests: the real vocabulary files, and a session catalog (per backend)
holding them with a small set of records keyworded in English, French, by URI and by GCMD path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import backend_settings, box, collection_doc, item_doc
from tests.support.shared_fixtures import SHARED_FIXTURES

from terrapole.app import create_app
from terrapole.catalog import CatalogStore, open_catalog
from terrapole.core.model import Keyword
from terrapole.core.vocab import Thesaurus, Vocabulary
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.settings import Settings
from terrapole.vocab.importing import import_thesauri
from terrapole.vocab.linking import link_records
from terrapole.vocab.reader import read_file

VOCAB = SHARED_FIXTURES / "vocab"
DATA = Path(__file__).resolve().parents[2] / "src" / "terrapole" / "vocab" / "data"
GCMD = "https://gcmd.earthdata.nasa.gov/kms/concept/"
GCMD_SCHEME = "https://gcmd.earthdata.nasa.gov/kms/concepts/concept_scheme/sciencekeywords"
SST = GCMD + "bd24a9a9-7d52-4c29-b2a0-6cefd216ae78"  # OCEANS > OCEAN TEMPERATURE > SEA SURFACE TEMPERATURE
SKIN_SST = GCMD + "cd5a4729-ea4a-4ce1-8f5a-ec6a76d31055"  # ... > SEA SURFACE SKIN TEMPERATURE
OCEAN_TEMPERATURE = GCMD + "251c87cd-03b3-464f-8390-8ede2fec28fc"
OCEANS = GCMD + "91697b7d-8f2b-4954-850e-61d5f61c867d"
EARTH_SCIENCE = GCMD + "e9f67a66-e9fc-435c-b720-ae32a2c3d8f5"
# GCMD names SNOW COVER under two topics (one French label, "Couverture de neige", for both).
SNOW_COVERS = (GCMD + "6a08f79f-a621-4f8c-b5d5-e1335f9cbcec", GCMD + "c8ff0035-4776-4eb9-8cc9-a63d380102c8")
ICE_EXTENT_OCEANS = GCMD + "87feb47e-aee3-42f1-8c39-5109d9d5422e"  # OCEANS > SEA ICE > ICE EXTENT
LAND_COVER = "http://inspire.ec.europa.eu/theme/lc"
GEMET_WATER = "http://www.eionet.europa.eu/gemet/theme/40"


@cache
def fixture_thesauri() -> tuple[Thesaurus, ...]:
    """The real vocabularies of the shared fixtures, with terrapole's French label layers."""
    return (
        read_file(VOCAB / "gcmd__sciencekeywords.csv"),
        read_file(DATA / "gcmd-sciencekeywords-fr.ttl"),
        read_file(VOCAB / "inspire__themes.rdf"),
        read_file(DATA / "inspire-themes-fr.ttl"),
        read_file(VOCAB / "gemet__themes.rdf", base="http://www.eionet.europa.eu/gemet/"),
    )


@cache
def fixture_vocabulary() -> Vocabulary:
    """The fixture thesauri as one in-memory vocabulary (what a catalog holding them snapshots)."""
    from terrapole.catalog.vocabulary import merge

    merged = merge(Vocabulary(), _combined(fixture_thesauri()))
    return Vocabulary(merged.schemes, merged.concepts, merged.relations)


def _combined(thesauri: tuple[Thesaurus, ...]) -> Thesaurus:
    return Thesaurus(
        tuple(s for t in thesauri for s in t.schemes),
        tuple(c for t in thesauri for c in t.concepts),
        tuple(r for t in thesauri for r in t.relations),
    )


def collections() -> list[dict[str, Any]]:
    """Four collections: keyworded in English only, in French only, by GCMD path, and not at all."""
    return [
        collection_doc(
            "sst-med",
            "Mediterranean daily analyses",
            "Level-4 gap-free grids from infrared radiometers",
            ["SEA SURFACE TEMPERATURE"],  # English only, as GCMD publishes it
            "ocean",
            [3.0, 38.0, 12.0, 45.0],
            ["2019-01-01T00:00:00Z", "2021-12-31T23:59:59Z"],
            summaries={"platform": ["sentinel-3a"], "instruments": ["slstr"]},
        ),
        collection_doc(
            "snow-alps",
            "Enneigement des Alpes",
            "Cartes journalières",
            [],
            "land",
            [5.0, 43.0, 16.0, 48.0],
            ["2020-01-01T00:00:00Z", None],
            **{
                "terrapole:translations": {"fr": {"keywords": ["COUVERTURE DE NEIGE"]}},
                "terrapole:access": "restricted",
            },
        ),
        collection_doc(
            "sea-ice",
            "Sea ice extent",
            "Arctic",
            ["EARTH SCIENCE > OCEANS > SEA ICE > ICE EXTENT"],
            "ocean",
            [-180.0, 60.0, 180.0, 90.0],
            ["2018-01-01T00:00:00Z", "2018-12-31T23:59:59Z"],
        ),
        collection_doc(
            "plain",
            "Hauteur des forêts",
            "Forest height of France",
            ["trees"],
            "land",
            [-5.0, 41.0, 10.0, 51.0],
            ["2021-01-01T00:00:00Z", None],
        ),
    ]


def items() -> list[dict[str, Any]]:
    """Items with and without keywords of their own, platforms, instruments, over three years."""
    found = []
    for k in range(12):
        collection = ("sst-med", "plain", "sea-ice")[k % 3]
        props: dict[str, Any] = {"datetime": f"{2019 + k % 3}-0{1 + k % 9}-15T10:00:00Z"}
        if k % 4 == 0:
            props["keywords"] = ["Sea Surface Skin Temperature"]  # any case
        if k % 4 == 1:
            props["keywords"] = ["température de surface de la mer"]  # the French layer's label
        if k % 4 == 2:
            props["keywords"] = ["SEA SURFACE TEMPERATURE"]  # English only, as GCMD publishes it
        if k % 2 == 0:
            props["platform"] = "sentinel-3a" if k % 3 else "sentinel-3b"
        if k % 5 == 0:
            props["instruments"] = ["slstr", "olci"]
        found.append(item_doc(collection, f"i{k:02d}", box(4.0 + k, 40.0, 1.0), props))
    return found


def load_vocabulary_dataset(store: CatalogStore) -> None:
    """The fixture vocabularies, then the records linked as ingest links them."""
    import_thesauri(store, fixture_thesauri())
    parsed = [parse_collection(doc) for doc in collections()]
    # One keyword given by its concept URI, as ISO and DCAT records give them.
    forest = next(c for c in parsed if c.id == "plain")
    by_uri = Keyword({"en": "Land cover"}, uri=LAND_COVER)
    parsed[parsed.index(forest)] = replace(forest, keywords=(*forest.keywords, by_uri))
    linked, linked_items = link_records(store, parsed, [parse_item(doc) for doc in items()])
    store.upsert_collections(linked)
    store.upsert_items(list(linked_items))


@pytest.fixture(scope="session")
def vocab_settings(
    tmp_path_factory: pytest.TempPathFactory, backend: str, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    """Settings of the session vocabulary catalog."""
    with backend_settings(
        request, backend, data_dir=tmp_path_factory.mktemp("vocab"), count_budget_ms=60_000
    ) as made:
        yield made


@pytest.fixture(scope="session")
def vocab_store(vocab_settings: Settings) -> Iterator[CatalogStore]:
    """A catalog holding the fixture vocabularies and the records above; tests must not change it."""
    store = open_catalog(vocab_settings)
    load_vocabulary_dataset(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def vocab_api(vocab_settings: Settings, vocab_store: CatalogStore) -> Iterator[TestClient]:
    """An HTTP client over the application serving the vocabulary catalog."""
    with TestClient(create_app(vocab_settings, vocab_store)) as http:
        yield http
