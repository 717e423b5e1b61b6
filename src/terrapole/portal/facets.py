"""Facet counts for the portal's dataset search, computed from the catalog for now.

The counts answer the same request the browser sends to the STAC API's collection search (q,
bbox, datetime, filter) through the same parameter parsing, so that both agree; the facet
selections (pole, licence, dataset) travel as their own parameters. Each facet is counted with
every selection applied except its own, so that choosing a second value of a facet widens the
results rather than emptying them (the usual faceted-search behaviour). A facets endpoint of the
vocabulary work may later replace this one: the browser only reads `{facets: [{name, values}]}`.

Facets:
- `pole` and `license`: datasets per value.
- `year`: datasets whose temporal extent covers each year (an open end runs to this year).
- `collection`: for each matching dataset, its files (STAC items) in the area and period asked;
  counted only for the first `MAX_ITEM_COUNTS` datasets, each count being one store query.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import QueryParams

from terrapole.catalog.base import CatalogStore
from terrapole.core.model import Collection, pick_language
from terrapole.core.query import Query
from terrapole.portal.i18n import Translator
from terrapole.portal.poles import pole_name
from terrapole.protocols.stac_params import ListParams, query_from_params, read_params
from terrapole.settings import Settings

SELECTIONS = ("pole", "license", "collection")
MAX_COLLECTIONS = 5000  # datasets read to count facets; beyond, counts cover the first ones
MAX_ITEM_COUNTS = 50
PAGE = 1000


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet and how many results have it."""

    value: str
    label: str
    count: int | None
    selected: bool


def facet_counts(
    store: CatalogStore,
    settings: Settings,
    params: Mapping[str, str],
    selections: Mapping[str, Sequence[str]],
    hidden: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The facets of the datasets matching `params` (STAC collection-search parameters), those
    in `hidden` (access control's) left out.

    Raises the same `InvalidParameter` errors as the STAC API for the same bad input.
    """
    t = Translator(params.get("lang", "en"))  # an unknown language falls back on English
    lang = t.lang
    query = query_from_params(read_params(ListParams, QueryParams(_search_params(params))), settings)
    query = replace(query, hidden_collections=hidden)
    matching = _all_collections(store, replace(query, token=None, sortby=(), fields=None))

    def keep(collection: Collection, *, skip: str) -> bool:
        return all(
            not values or _value_of(collection, name) in values
            for name, values in selections.items()
            if name != skip
        )

    facets = [
        _facet("pole", [c.pole or "" for c in matching if keep(c, skip="pole")], selections, t, lang),
        _facet("license", [c.license for c in matching if keep(c, skip="license")], selections, t, lang),
        _year_facet([c for c in matching if keep(c, skip="year")], t),
        _collection_facet(
            store, query, [c for c in matching if keep(c, skip="collection")], selections, t, lang
        ),
    ]
    return {"facets": facets, "datasets": sum(1 for c in matching if keep(c, skip=""))}


def parse_selections(params: Mapping[str, str], getlist: Callable[[str], list[str]]) -> dict[str, list[str]]:
    """The facet selections of a request: each of `SELECTIONS`, repeated or comma-separated."""
    selections: dict[str, list[str]] = {}
    for name in SELECTIONS:
        values = [v for raw in getlist(name) for v in raw.split(",") if v]
        if values:
            selections[name] = values
    return selections


def _search_params(params: Mapping[str, str]) -> dict[str, str]:
    names = ("q", "bbox", "datetime", "filter", "filter-lang", "filter-crs")
    return {name: params[name] for name in names if params.get(name)}


def _all_collections(store: CatalogStore, query: Query) -> list[Collection]:
    found: list[Collection] = []
    token = None
    while len(found) < MAX_COLLECTIONS:
        page = store.search_collections(replace(query, limit=PAGE, token=token))
        found.extend(page.records)
        token = page.next_token
        if not token or not page.records:
            break
    return found[:MAX_COLLECTIONS]


def _value_of(collection: Collection, name: str) -> str:
    if name == "pole":
        return collection.pole or ""
    if name == "license":
        return collection.license
    return collection.id


def _facet(
    name: str, values: Iterable[str], selections: Mapping[str, Sequence[str]], t: Translator, lang: str
) -> dict[str, Any]:
    counts = Counter(v for v in values if v)
    chosen = selections.get(name, ())
    for value in chosen:
        counts.setdefault(value, 0)  # a selected value stays visible (and can be unselected)
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    label = (lambda v: pole_name(v, lang)) if name == "pole" else (lambda v: v)
    return _facet_body(name, t, [FacetValue(v, label(v), n, v in chosen) for v, n in ordered])


def _year_facet(collections: Sequence[Collection], t: Translator) -> dict[str, Any]:
    this_year = datetime.now(UTC).year
    counts: Counter[int] = Counter()
    for collection in collections:
        covered: set[int] = set()
        for start, end in collection.extent.intervals:
            if start is None:
                continue
            covered.update(range(start.year, (end.year if end else this_year) + 1))
        counts.update(covered)
    values = [FacetValue(str(year), str(year), counts[year], False) for year in sorted(counts, reverse=True)]
    return _facet_body("year", t, values)


def _collection_facet(
    store: CatalogStore,
    query: Query,
    collections: Sequence[Collection],
    selections: Mapping[str, Sequence[str]],
    t: Translator,
    lang: str,
) -> dict[str, Any]:
    chosen = selections.get("collection", ())
    values = []
    for n, collection in enumerate(collections):
        count = _item_count(store, query, collection.id) if n < MAX_ITEM_COUNTS else None
        title = pick_language(collection.title, lang) or collection.id
        values.append(FacetValue(collection.id, title, count, collection.id in chosen))
    values.sort(key=lambda v: (-(v.count or 0), v.label))
    return _facet_body("collection", t, values)


def _item_count(store: CatalogStore, query: Query, collection_id: str) -> int | None:
    items = Query(collections=(collection_id,), bbox=query.bbox, datetime=query.datetime, limit=1)
    return store.search_items(items).number_matched


def _facet_body(name: str, t: Translator, values: Sequence[FacetValue]) -> dict[str, Any]:
    return {
        "name": name,
        "label": t(f"facet.{name}"),
        "values": [
            {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected} for v in values
        ],
    }
