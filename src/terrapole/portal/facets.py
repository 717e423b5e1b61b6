"""Facet counts for the portal's dataset search, from the store's aggregations.

The counts answer the same request the browser sends to the STAC API's collection search (q,
bbox, datetime, filter, concept) through the same parameter parsing, so that both agree; the
facet selections (pole, licence, concept, dataset) travel as their own parameters and become the
same CQL2 conditions and `concept` parameter the browser adds to its search. Each facet is counted
with every selection applied except its own, so that choosing a second value of a facet widens the
results rather than emptying them (the usual faceted-search behaviour).

Facets:
- `pole`, `license` and `concept`: datasets per value, as `/stac/collection-aggregate` counts them
  (the store's `aggregate_collections`). Concepts are hierarchical (a dataset counts for its
  concepts and every broader one); the portal shows them as a tree two levels deep, labelled in
  the page's language, leaving out a root every result shares (it tells nothing).
- `year`: datasets whose temporal extent covers each year (an open end runs to this year),
  counted without the period asked, so that the year chart shows the whole spread and the count
  of a year is the number of results that year's period gives. (The aggregation extension's
  `year_frequency` counts the year a dataset starts, which a period filter does not select by.)
- `collection`: for each matching dataset, its files (STAC items) in the area and period asked,
  as `/stac/aggregate`'s `collection_frequency` counts them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import QueryParams

from terrapole.catalog.base import CatalogStore
from terrapole.core.facets import Facets
from terrapole.core.model import Collection, pick_language
from terrapole.core.query import Query
from terrapole.core.vocab import Vocabulary
from terrapole.portal.i18n import Translator
from terrapole.portal.poles import pole_name
from terrapole.protocols.stac_params import ListParams, query_from_params, read_params
from terrapole.settings import Settings

SELECTIONS = ("pole", "license", "concept", "collection")
# The CQL2 queryable each selection filters on (concepts go through the `concept` parameter).
QUERYABLES = {"pole": "pole", "license": "license", "collection": "id"}
COUNTED = ("pole", "license", "concept")  # counted by the store's collection aggregation
MAX_COLLECTIONS = 5000  # datasets read for the year and dataset facets; beyond, the first ones
MAX_COLLECTION_VALUES = 100
CONCEPT_LEVELS = 2
PAGE = 1000


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet and how many results have it (`depth` places a concept in its tree)."""

    value: str
    label: str
    count: int | None
    selected: bool
    depth: int = 0


class FacetSearch:
    """The queries behind the facets of one request: its search plus the facet selections."""

    def __init__(
        self,
        settings: Settings,
        params: Mapping[str, str],
        selections: Mapping[str, Sequence[str]],
        hidden: frozenset[str],
    ) -> None:
        self.settings = settings
        self.params = _search_params(params)
        self.selections = selections
        self.hidden = hidden
        self.query("")  # bad input raises here, with the STAC API's message for it

    def query(self, skip: str, *, period: bool = True) -> Query:
        """The search with every selection but `skip`'s (and without the period if not `period`)."""
        params = dict(self.params)
        if not period:
            params.pop("datetime", None)
        conditions = [f"({params['filter']})"] if params.get("filter") else []
        for name, queryable in QUERYABLES.items():
            if name != skip and self.selections.get(name):
                each = " OR ".join(f"{queryable} = {_quoted(v)}" for v in self.selections[name])
                conditions.append(f"({each})")
        if conditions and (len(conditions) > 1 or "filter" not in params):
            params["filter"] = " AND ".join(conditions)
        if skip != "concept" and self.selections.get("concept"):
            params["concept"] = ",".join(self.selections["concept"])
        query = query_from_params(read_params(ListParams, QueryParams(params)), self.settings)
        return replace(query, hidden_collections=self.hidden)


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
    search = FacetSearch(settings, params, selections, hidden)
    everything = store.aggregate_collections(search.query(""), COUNTED)
    counted = {
        name: store.aggregate_collections(search.query(name), (name,)) if selections.get(name) else everything
        for name in COUNTED
    }
    chosen = {name: tuple(selections.get(name, ())) for name in SELECTIONS}
    vocabulary = store.vocabulary.snapshot()
    facets = [
        _facet_body(
            "pole", t, _values(counted["pole"], "pole", chosen["pole"], lambda v: pole_name(v, t.lang))
        ),
        _facet_body("concept", t, concept_values(counted["concept"], chosen["concept"], vocabulary, t.lang)),
        _facet_body("license", t, _values(counted["license"], "license", chosen["license"], str)),
        _facet_body("year", t, _year_values(_all_collections(store, search.query("", period=False)))),
        _facet_body("collection", t, _collection_values(store, search, chosen["collection"], t.lang)),
    ]
    return {"facets": facets, "datasets": everything.total}


def parse_selections(params: Mapping[str, str], getlist: Callable[[str], list[str]]) -> dict[str, list[str]]:
    """The facet selections of a request: each of `SELECTIONS`, repeated or comma-separated."""
    selections: dict[str, list[str]] = {}
    for name in SELECTIONS:
        values = [v for raw in getlist(name) for v in raw.split(",") if v]
        if values:
            selections[name] = values
    return selections


def concept_values(
    facets: Facets, chosen: Sequence[str], vocabulary: Vocabulary, lang: str
) -> list[FacetValue]:
    """The concept tree of the counts, depth first, `CONCEPT_LEVELS` deep (deeper chosen ones
    shown too), labelled in `lang`; a root every result shares is left out, its children taking
    its place."""
    counts = dict(facets.counts.get("concept", {}))
    for uri in chosen:
        counts.setdefault(uri, 0)  # a chosen concept stays visible (and can be unchosen)
    children: dict[str | None, list[str]] = {}
    for uri in counts:
        parent = next((b for b in sorted(vocabulary.broader(uri)) if b in counts), None)
        children.setdefault(parent, []).append(uri)
    order = sorted(counts, key=lambda u: (-counts[u], vocabulary.label(u, lang), u))
    rank = {uri: n for n, uri in enumerate(order)}
    roots = _informative_roots(children, counts, facets.total)
    keep = {a for uri in chosen for a in _ancestry(uri, children)}
    out: list[FacetValue] = []

    def visit(uri: str, depth: int) -> None:
        if depth >= CONCEPT_LEVELS and uri not in keep:
            return
        label = vocabulary.label(uri, lang) or uri
        out.append(FacetValue(uri, label, counts[uri], uri in chosen, depth))
        for child in sorted(children.get(uri, ()), key=rank.__getitem__):
            visit(child, depth + 1)

    for root in sorted(roots, key=rank.__getitem__):
        visit(root, 0)
    return out


def _informative_roots(
    children: Mapping[str | None, list[str]], counts: Mapping[str, int], total: int
) -> list[str]:
    """The tree's roots, each root that every result shares replaced by its children."""
    roots: list[str] = []
    pending = list(children.get(None, ()))
    while pending:
        uri = pending.pop()
        if counts[uri] >= total and children.get(uri):
            pending.extend(children[uri])
        else:
            roots.append(uri)
    return roots


def _ancestry(uri: str, children: Mapping[str | None, list[str]]) -> set[str]:
    """`uri` and the concepts above it in the facet's tree."""
    parent_of = {child: parent for parent, kids in children.items() for child in kids}
    found = set()
    node: str | None = uri
    while node is not None and node not in found:
        found.add(node)
        node = parent_of.get(node)
    return found


def _search_params(params: Mapping[str, str]) -> dict[str, str]:
    # `concept` is a selection here (see `FacetSearch.query`), not a search parameter.
    names = ("q", "bbox", "datetime", "filter", "filter-lang", "filter-crs")
    return {name: params[name] for name in names if params.get(name)}


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _all_collections(store: CatalogStore, query: Query) -> list[Collection]:
    found: list[Collection] = []
    token = None
    query = replace(query, token=None, sortby=(), fields=None)
    while len(found) < MAX_COLLECTIONS:
        page = store.search_collections(replace(query, limit=PAGE, token=token))
        found.extend(page.records)
        token = page.next_token
        if not token or not page.records:
            break
    return found[:MAX_COLLECTIONS]


def _values(
    facets: Facets, name: str, chosen: Sequence[str], label: Callable[[str], str]
) -> list[FacetValue]:
    counts = Counter(dict(facets.buckets(name)))
    for value in chosen:
        counts.setdefault(value, 0)  # a selected value stays visible (and can be unselected)
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return [FacetValue(v, label(v), n, v in chosen) for v, n in ordered]


def _year_values(collections: Sequence[Collection]) -> list[FacetValue]:
    this_year = datetime.now(UTC).year
    counts: Counter[int] = Counter()
    for collection in collections:
        covered: set[int] = set()
        for start, end in collection.extent.intervals:
            if start is None:
                continue
            covered.update(range(start.year, (end.year if end else this_year) + 1))
        counts.update(covered)
    return [FacetValue(str(year), str(year), counts[year], False) for year in sorted(counts, reverse=True)]


def _collection_values(
    store: CatalogStore, search: FacetSearch, chosen: Sequence[str], lang: str
) -> list[FacetValue]:
    """The matching datasets (every selection but theirs) and their files in the area and period."""
    query = search.query("collection")
    collections = _all_collections(store, query)
    ids = tuple(c.id for c in collections)
    items = Query(collections=ids, bbox=query.bbox, datetime=query.datetime, hidden_collections=search.hidden)
    files = store.aggregate_items(items, ("collection",)).counts.get("collection", {}) if ids else {}
    values = [
        FacetValue(c.id, pick_language(c.title, lang) or c.id, files.get(c.id, 0), c.id in chosen)
        for c in collections
    ]
    values.sort(key=lambda v: (not v.selected, -(v.count or 0), v.label))
    return values[: max(MAX_COLLECTION_VALUES, len(chosen))]


def _facet_body(name: str, t: Translator, values: Sequence[FacetValue]) -> dict[str, Any]:
    return {
        "name": name,
        "label": t(f"facet.{name}"),
        "values": [
            {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected, "depth": v.depth}
            for v in values
        ],
    }
