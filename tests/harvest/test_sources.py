"""Harvest sources: checks, options and schedules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.harvest.conftest import T0

from terrapole.core.errors import InvalidParameter
from terrapole.harvest.sources import HarvestSource, format_interval, parse_interval, parse_options


def test_options_are_read_from_key_value_pairs() -> None:
    assert parse_options(["metadataPrefix=iso19139", "constraint=a = b"]) == {
        "metadataPrefix": "iso19139",
        "constraint": "a = b",
    }
    with pytest.raises(InvalidParameter, match="not KEY=VALUE"):
        parse_options(["pageSize"])


@pytest.mark.parametrize(
    ("text", "seconds", "shortest"),
    [("90s", 90, "90s"), ("15m", 900, "15m"), ("6h", 21600, "6h"), ("1d", 86400, "1d"), ("120", 120, "2m")],
)
def test_intervals_read_and_print_back(text: str, seconds: int, shortest: str) -> None:
    interval = parse_interval(text)
    assert interval == timedelta(seconds=seconds)
    assert format_interval(interval) == shortest
    assert parse_interval(shortest) == interval


@pytest.mark.parametrize(
    ("fields", "parameter"),
    [
        ({"name": "bad name"}, "name"),
        ({"protocol": "ftp"}, "protocol"),
        ({"pole": "mars"}, "pole"),
        ({"url": "/data/catalog"}, "url"),
        ({"options": {"pagesize": "10"}}, "option"),
        ({"interval": timedelta(0)}, "interval"),
    ],
)
def test_a_wrong_field_is_refused_and_named(fields: dict[str, object], parameter: str) -> None:
    values: dict[str, object] = {"name": "ocean-csw", "protocol": "csw", "url": "https://ocean.example/csw"}
    with pytest.raises(InvalidParameter) as caught:
        HarvestSource(**{**values, **fields})  # type: ignore[arg-type]
    assert caught.value.parameter == parameter


def test_local_paths_suit_directories_and_static_catalogs_only() -> None:
    assert HarvestSource("exports", "directory", "/srv/exports").url == "/srv/exports"
    assert HarvestSource("static", "stac-static", "/srv/stac/catalog.json").protocol == "stac-static"


def test_a_source_is_due_when_its_interval_has_passed() -> None:
    source = HarvestSource("s", "csw", "https://x.example/csw", interval=timedelta(hours=6))
    assert source.due(T0, None)
    assert not source.due(T0 + timedelta(hours=5), T0)
    assert source.due(T0 + timedelta(hours=6), T0)
    assert not source.with_changes(enabled=False).due(T0, None)
    assert not source.with_changes(interval=None).due(T0, None)
