"""Collections hidden from the asker are left out of both stores' searches, and of their counts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from terrapole.catalog import CatalogStore
from terrapole.core.query import Query

HIDDEN = frozenset({"land-s2"})


@pytest.mark.parametrize(
    "query",
    [
        Query(limit=5),
        Query(limit=5, text="sentinel OR nitrogen OR buoy"),
        Query(limit=5, text="monthly", sortby=()),
        Query(limit=5, ids=("s2-000", "no2-000")),
        Query(limit=5, collections=("land-s2", "ocean-sst")),
        Query(limit=5, bbox=None, text="temperature"),
    ],
)
def test_hidden_items_are_neither_returned_nor_counted(loaded_store: CatalogStore, query: Query) -> None:
    everything = walk_items(loaded_store, query)
    visible = walk_items(loaded_store, replace(query, hidden_collections=HIDDEN))
    expected = [i for i in everything if not i.startswith("s2-")]
    assert visible == expected
    first = loaded_store.search_items(replace(query, hidden_collections=HIDDEN))
    assert first.number_matched in (len(expected), None)
    if query.text is None:
        assert first.number_matched == len(expected)


def walk_items(store: CatalogStore, query: Query) -> list[str]:
    found, token = [], None
    while True:
        page = store.search_items(replace(query, token=token))
        found.extend(item.id for item in page.records)
        token = page.next_token
        if not token:
            return found


def test_hidden_collections_are_neither_listed_nor_counted(loaded_store: CatalogStore) -> None:
    for text in (None, "temperature OR reflectance OR nitrogen"):
        page = loaded_store.search_collections(Query(limit=10, text=text, hidden_collections=HIDDEN))
        assert sorted(c.id for c in page.records) == ["atmo-no2", "ocean-sst"]
        assert page.number_matched == 2
    ranked = loaded_store.search_items(Query(limit=1, text="glacier OR nitrogen", hidden_collections=HIDDEN))
    assert ranked.number_matched == 20  # the 20 NO2 grids; the 8 glacier scenes are hidden
