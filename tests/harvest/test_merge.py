"""The merge rule for copies of one dataset from several poles (pure: no database)."""

from __future__ import annotations

import itertools
from datetime import date

from terrapole.core.model import Provenance
from terrapole.core.record import Dates, Identifier, Record, collection_from_record, record_from_collection
from terrapole.harvest.merge import Copy, catalog_id, copy_of, groups, merged, primary


def copy(
    source: str, identifier: str, doi: str | None = None, revised: str | None = None, priority: int = 0
) -> Copy:
    record = Record(
        identifier=identifier,
        title={"en": f"{identifier} from {source}"},
        identifiers=(Identifier(f"https://doi.org/{doi}", "DOI"),) if doi else (),
        dates=Dates(metadata=date.fromisoformat(revised) if revised else None),
        provenance=(Provenance(f"https://{source}.example/csw", "iso19139", identifier, pole=source),),
    )
    return copy_of(source, priority, collection_from_record(record))


def test_copies_are_grouped_by_identifier_or_doi_transitively() -> None:
    a = copy("ocean", "A", doi="10.1/x")
    b = copy("land", "B", doi="10.1/X")  # DOIs compare case-folded
    c = copy("atmosphere", "B")  # same identifier as b, no DOI
    d = copy("land", "D")
    found = sorted(sorted(x.dataset_id + "@" + x.source for x in g) for g in groups([a, b, c, d]))
    assert found == [["A@ocean", "B@atmosphere", "B@land"], ["D@land"]]


def test_the_primary_copy_is_chosen_by_priority_then_latest_revision_then_source_name() -> None:
    older = copy("atmosphere", "X", revised="2020-01-01")
    newer = copy("ocean", "X", revised="2024-06-30")
    undated = copy("land", "X")
    assert primary([older, newer, undated]).source == "ocean"
    assert primary([older, undated]).source == "atmosphere"
    assert primary([copy("ocean", "X"), copy("land", "X")]).source == "land"
    favoured = copy("land", "X", revised="2001-01-01", priority=5)
    assert primary([older, newer, favoured]).source == "land"


def test_the_merged_record_keeps_every_provenance_under_the_smallest_identifier() -> None:
    ocean = copy("ocean", "ocean-17", doi="10.5281/zenodo.1", revised="2024-01-01")
    land = copy("land", "land-03", doi="10.5281/zenodo.1", revised="2023-01-01")
    group = next(iter(groups([ocean, land])))
    result = merged(group)
    assert catalog_id(group) == result.id == "land-03"
    assert result.title == {"en": "ocean-17 from ocean"}  # the primary copy (latest revision)
    assert [p.pole for p in result.provenance] == ["ocean", "land"]
    record = record_from_collection(result)
    assert record.identifier == "land-03"
    assert [p.pole for p in record.provenance] == ["ocean", "land"]
    assert [i.code for i in record.identifiers] == ["https://doi.org/10.5281/zenodo.1", "ocean-17"]


def test_the_result_does_not_depend_on_the_order_copies_arrive_in() -> None:
    copies = [
        copy("ocean", "X", doi="10.9/a", revised="2022-02-02"),
        copy("land", "Y", doi="10.9/a", revised="2022-02-02"),
        copy("atmosphere", "X"),
        copy("biodiversity", "Z", doi="10.9/a", priority=-1),
    ]
    results = {repr(merged(g)) for order in itertools.permutations(copies) for g in groups(order)}
    assert len(results) == 1
