"""The CSW benchmark's parts: reproducible records that survive ISO 19139, requests terrapole's CSW
answers, the matches it counts and the table it prints (the benchmark itself is not a test)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bench import csw
from terrapole.app import create_app
from terrapole.catalog import open_catalog
from terrapole.formats import iso19139
from terrapole.settings import Settings


def test_records_are_reproducible_and_survive_iso_19139() -> None:
    first, again, other = csw.record(7, 1), csw.record(7, 1), csw.record(8, 1)
    assert first == again and first.title != other.title
    back = iso19139.parse(iso19139.encode(first))
    assert (back.identifier, back.title, back.extent.bboxes) == (
        "rec-0000007",
        first.title,
        first.extent.bboxes,
    )
    assert back.contacts[0].name in csw.synthetic.POLE_PROVIDERS.values()
    box = first.extent.bboxes[0]
    assert 0.5 <= box.east - box.west <= 30 and -85 <= box.south < box.north <= 85


def test_written_files_are_loaded_into_terrapole(tmp_path: Path) -> None:
    assert csw.write_records(tmp_path / "iso", 30, seed=3, workers=1) > 0
    assert csw.write_records(tmp_path / "iso", 30, seed=3, workers=1) == 0.0  # reused
    loaded = csw.load_terrapole(tmp_path / "iso", tmp_path / "data", None, workers=1)
    assert loaded["records"] == 30
    store = open_catalog(Settings(data_dir=tmp_path / "data"))
    try:
        assert store.collection_count() == 30
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["GetRecords BBOX + AnyText", "GetRecords AnyText", "GetRecords BBOX"])
def test_the_requests_are_answered_by_terrapole(tmp_path: Path, kind: str) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = open_catalog(settings)
    try:
        with TestClient(create_app(settings, store)) as client:
            method, body = csw.query_kinds(1, 100, 3)[kind][0]
            response = client.post("/csw", content=body, headers={"content-type": "application/xml"})
    finally:
        store.close()
    assert method == "POST" and response.status_code == 200
    assert csw.MATCHED.search(response.content) is not None


def test_rows_and_table() -> None:
    row = csw._row("GetRecords BBOX + AnyText", [10.0, 20.0, 30.0], [4, 5, 6], 0)
    assert (row["p50_ms"], row["goal_p50_ms"], row["n"]) == (20.0, 30.0, 3)
    result = {"systems": {"sqlite": {"label": "terrapole-sqlite", "queries": [row]}}}
    assert "| GetRecords BBOX + AnyText | 20.00 / 29.00 (5) |" in csw.render(result)
    words = {
        csw.anytext_condition(random.Random(n)).split("<ogc:Literal>%")[1].split("%")[0] for n in range(50)
    }
    assert words <= set(csw.synthetic.words_by_rank(*csw.WORD_RANKS))
