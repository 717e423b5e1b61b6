"""The benchmark's synthetic catalog: reproducible, valid-looking STAC, the intended distribution."""

from __future__ import annotations

import itertools
import json
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench import search, synthetic
from terrapole.catalog import open_catalog
from terrapole.core.query import Query
from terrapole.formats.stac import parse_collection, parse_item
from terrapole.settings import Settings

ITEM_KEYS = {"type", "stac_version", "id", "collection", "geometry", "bbox", "properties", "links", "assets"}
FIRST = datetime(2001, 1, 1, tzinfo=UTC)
LAST = datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)


def first(count: int, seed: int) -> list[dict[str, Any]]:
    return list(itertools.islice(synthetic.items(10 * count, seed), count))


def positions(geometry: dict[str, Any]) -> Iterator[list[float]]:
    if geometry["type"] == "Point":
        yield geometry["coordinates"]
    else:
        for ring in geometry["coordinates"]:
            yield from ring


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_same_seed_same_items_and_other_seed_other_items() -> None:
    assert json.dumps(first(100, 7)) == json.dumps(first(100, 7))
    assert first(100, 7) != first(100, 8)


def test_the_stream_is_lazy() -> None:
    assert next(synthetic.items(10**12, 1))["id"].endswith("-00000000")


def test_items_look_like_valid_stac() -> None:
    known = {spec.id: spec for spec in synthetic.COLLECTIONS}
    for item in synthetic.items(2000, 3):
        assert item.keys() >= ITEM_KEYS and item["type"] == "Feature"
        assert item["stac_version"] == "1.1.0"
        spec = known[item["collection"]]
        xs, ys = zip(*positions(item["geometry"]), strict=True)
        assert item["bbox"] == [min(xs), min(ys), max(xs), max(ys)]
        assert -180 <= min(xs) <= max(xs) <= 180 and -90 <= min(ys) <= max(ys) <= 90
        props = item["properties"]
        times = [props[k] for k in ("datetime", "start_datetime", "end_datetime") if props.get(k)]
        assert times and all(FIRST <= instant(t) <= LAST for t in times)
        assert 3 <= len(props["title"].split()) <= 6
        assert 0 <= props["eo:cloud_cover"] <= 100
        assert props["platform"] in spec.platforms and props["gsd"] in spec.gsd
        assert props["terrapole:pole"] == spec.pole and len(item["assets"]) == 1
        parse_item(item)


def test_shares_of_points_and_intervals() -> None:
    sample = list(synthetic.items(5000, 4))
    points = sum(item["geometry"]["type"] == "Point" for item in sample) / len(sample)
    intervals = sum(item["properties"]["datetime"] is None for item in sample) / len(sample)
    assert 0.06 <= points <= 0.13
    assert 0.08 <= intervals <= 0.12


def test_vocabulary_is_400_distinct_words_in_two_languages() -> None:
    def folded(word: str) -> str:
        return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()

    assert len(synthetic.ENGLISH_WORDS) == len(synthetic.FRENCH_WORDS) == 200
    assert len({folded(word) for word in synthetic.VOCABULARY}) == 400


def test_most_common_title_word_is_in_a_fifth_to_a_quarter_of_titles() -> None:
    counts: Counter[str] = Counter()
    for item in synthetic.items(5000, 5):
        counts.update(set(item["properties"]["title"].lower().split()))
    word, count = counts.most_common(1)[0]
    assert word == synthetic.words_by_rank(1, 1)[0]
    assert 0.19 <= count / 5000 <= 0.27
    assert counts.most_common(50)[-1][1] / 5000 < 0.06


def test_collections_parse_with_their_french_translations() -> None:
    documents = synthetic.collection_documents()
    assert len(documents) == 15
    assert {doc["terrapole:pole"] for doc in documents} == set(synthetic.POLE_PROVIDERS)
    collection = parse_collection(documents[0])
    assert set(collection.title) == {"en", "fr"}


def test_loader_writes_every_item_and_a_reusable_marker(tmp_path: Path) -> None:
    marker = search.prepare_catalog(tmp_path / "cat", 300, seed=2, batch_size=128)
    assert not marker["reused"] and marker["ingest"]["items"] == 300
    assert marker["samples"] and all(len(pair) == 2 for pair in marker["samples"])
    store = open_catalog(Settings(data_dir=tmp_path / "cat"))
    try:
        assert store.search_items(Query(limit=1)).number_matched == 300
        collection, item_id = marker["samples"][-1]
        assert store.get_item(collection, item_id).id == item_id
    finally:
        store.close()
    assert search.prepare_catalog(tmp_path / "cat", 300, seed=2, batch_size=128)["reused"]
    with pytest.raises(SystemExit):
        search.prepare_catalog(tmp_path / "cat", 301, seed=2, batch_size=128)
