"""The FAIR assessment: each metric moves with its own metadata, scores stay within 0-100."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.formats.test_dcat import full_record
from tests.support.shared_fixtures import fixture_files

from terrapole.core.model import BBox, Contact, Extent, Keyword, Provenance
from terrapole.core.record import Constraints, Dates, Distribution, Identifier, Record, Related
from terrapole.formats import dcat, iso19139
from terrapole.quality import METRICS, WEIGHTS, assess


def described() -> Record:
    """A well described record without licence, use conditions or DOI."""
    return Record(
        identifier="5f0c1a2e-8d2b-4c1e-9a8e-1c0f7d9e2b11",
        title={"en": "Snow cover of the Alps"},
        abstract={"en": "Daily snow cover from Sentinel-2"},
        keywords=(Keyword({"en": "snow"}, "GEMET", "http://www.eionet.europa.eu/gemet/concept/7817"),),
        contacts=(Contact("CESBIO", ("originator",), "CESBIO", "snow@cesbio.fr"),),
        lineage={"en": "Computed from Sentinel-2 L2A reflectances"},
        extent=Extent(bboxes=(BBox(5.0, 43.0, 16.0, 48.5),)),
        distributions=(
            Distribution("https://data.theia-land.fr/snow.zip", function="download", format="GeoTIFF"),
        ),
        sizes=("12 GB",),
        constraints=Constraints(access=("otherRestrictions",)),
        dates=Dates(created=date(2021, 1, 1)),
        related=(Related("https://doi.org/10.1234/snow-paper", "IsDescribedBy"),),
        provenance=(Provenance("csw:https://catalogue.theia-land.fr/csw", "iso19139"),),
    )


def changed_metrics(before: Record, after: Record) -> dict[str, tuple[int, int]]:
    old, new = assess(before), assess(after)
    return {
        m.id: (m.earned, new.metric(m.id).earned) for m in old.metrics if m.earned != new.metric(m.id).earned
    }


def test_weights_add_up_to_100() -> None:
    assert sum(WEIGHTS.values()) == 100
    assert len(METRICS) == 13
    assert all(m.id.startswith("FsF-") for m in METRICS)


def test_adding_a_licence_raises_only_the_licence_metric_by_its_weight() -> None:
    record = described()
    licensed = record.with_changes(
        constraints=Constraints(access=("otherRestrictions",), license="CC-BY-4.0")
    )
    assert changed_metrics(record, licensed) == {"FsF-R1.1-01M": (0, 11)}
    assert assess(licensed).score - assess(record).score == WEIGHTS["FsF-R1.1-01M"]
    assert assess(licensed).metric("FsF-R1.1-01M").status == "passed"
    assert not any("licence" in text for text in assess(licensed).missing)
    assert any("No licence" in text for text in assess(record).missing)


def test_conditions_in_words_earn_part_of_the_licence_metric() -> None:
    record = described().with_changes(constraints=Constraints(use_limitations=("Cite CESBIO",)))
    result = assess(record).metric("FsF-R1.1-01M")
    assert (result.status, result.earned, result.maximum) == ("partial", 5, 11)


def test_adding_a_doi_raises_the_persistent_identifier_metric() -> None:
    record = described()
    with_doi = record.with_changes(identifiers=(Identifier("10.5281/zenodo.4567", "DOI"),))
    assert changed_metrics(record, with_doi) == {"FsF-F1-02M": (0, 8)}
    assert assess(with_doi).score == assess(record).score + 8
    assert any("persistent identifier" in text for text in assess(record).missing)


def test_handle_and_ark_are_persistent_too() -> None:
    for code in ("https://hdl.handle.net/20.500.12345/678", "ark:/12148/btv1b8449691v"):
        record = described().with_changes(identifiers=(Identifier(code),))
        assert assess(record).metric("FsF-F1-02M").status == "passed", code


def test_empty_record_scores_low_and_says_what_is_missing() -> None:
    result = assess(Record(identifier="x", title={}))
    assert result.score <= 10
    missing = " ".join(result.missing)
    for expected in (
        "only local",
        "No persistent identifier",
        "No title",
        "No keywords",
        "No link to the data",
    ):
        assert expected in missing
    for expected in ("No licence", "No lineage", "access level is not stated", "No related resources"):
        assert expected in missing
    assert result.metric("FsF-F1-01M").status == "partial"
    assert result.metric("FsF-R1.1-01M").status == "failed"


def test_a_fully_described_record_scores_100() -> None:
    record = full_record()
    result = assess(record)
    assert result.score == 100, result.missing
    assert result.missing == ()


def test_service_links_without_http_are_flagged() -> None:
    record = described().with_changes(
        distributions=(
            Distribution("https://data.theia-land.fr/snow.zip", function="download"),
            Distribution("s3://bucket/snow.zarr", function="download"),
        )
    )
    result = assess(record).metric("FsF-A1-02M")
    assert (result.status, result.earned) == ("partial", 3)
    assert "s3://bucket/snow.zarr" in result.missing[0]


def fixture_records() -> list[tuple[str, Record]]:
    records: list[tuple[str, Record]] = []
    for path in fixture_files("dcat-ap"):
        provenance = (Provenance(str(path), "dcat-rdfxml"),)
        records += [
            (path.name, r.with_changes(provenance=provenance)) for r in dcat.parse_many(path.read_bytes())
        ]
    for path in fixture_files("iso19139"):
        record = iso19139.parse(path.read_bytes())
        records.append((path.name, record.with_changes(provenance=(Provenance(str(path), "iso19139"),))))
    return records


FIXTURE_RECORDS = fixture_records()


@pytest.mark.parametrize(
    ("name", "record"), FIXTURE_RECORDS, ids=[f"{n}:{r.identifier[:40]}" for n, r in FIXTURE_RECORDS]
)
def test_every_fixture_gets_a_score(name: str, record: Record) -> None:
    result = assess(record)
    assert 0 <= result.score <= 100
    assert result.score == sum(m.earned for m in result.metrics)
    assert all(0 <= m.earned <= m.maximum == WEIGHTS[m.id] for m in result.metrics)
    assert all(m.missing for m in result.metrics if m.status != "passed")
    assert result.metric("FsF-I1-01M").status == "passed"  # they all came in a metadata format


def test_fixture_scores_reflect_their_metadata() -> None:
    scores = {name: assess(record) for name, record in FIXTURE_RECORDS}
    german = scores["ckanext-dcat__dataset_gov_de.rdf"]
    assert german.metric("FsF-R1.1-01M").status == "passed"
    assert german.metric("FsF-F3-01M").status == "passed"
    inspire = scores["inspire-tg__basic_dataset.xml"]
    assert inspire.metric("FsF-F1-02M").status == "failed"
    assert inspire.metric("FsF-I2-01M").status == "passed"
    assert inspire.metric("FsF-R1.1-01M").status == "partial"  # "No conditions apply", no licence named
    assert len({s.score for s in scores.values()}) > 5


def test_fixture_paths_exist() -> None:
    assert all(Path(p.source).is_file() for _, r in FIXTURE_RECORDS for p in r.provenance)
