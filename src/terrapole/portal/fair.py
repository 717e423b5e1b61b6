"""The FAIR score a dataset page shows: the assessment of `quality.fair`, when this server has it.

The assessment's explanations of what is missing are written in English by `quality.fair`; the
page marks them `lang="en"` so that screen readers read them right inside a French page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from terrapole.core.record import Record


@dataclass(frozen=True, slots=True)
class FairView:
    """A record's FAIR score out of 100, per-principle points and what is missing."""

    score: int
    metrics: tuple[tuple[str, str, int, int, str], ...]  # principle, name, earned, maximum, status
    missing: tuple[str, ...]


def fair_assessment(record: Record) -> FairView | None:
    """The FAIR view of `record`, or None while the FAIR assessment module is not installed."""
    assess = _assessor()
    if assess is None:
        return None
    result = assess(record)
    metrics = tuple((m.principle, m.name, m.earned, m.maximum, m.status) for m in result.metrics)
    return FairView(result.score, metrics, tuple(result.missing))


def _assessor() -> Any:
    try:
        from terrapole.quality.fair import assess
    except ImportError:
        return None
    return assess
