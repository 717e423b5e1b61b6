"""The FAIR score a dataset page shows, from the assessment of `quality.fair`.

The assessment's explanations of what is missing are written in English by `quality.fair`; the
page marks them `lang="en"` so that screen readers read them right inside a French page.
"""

from __future__ import annotations

from dataclasses import dataclass

from terrapole.core.record import Record
from terrapole.quality.fair import assess


@dataclass(frozen=True, slots=True)
class FairView:
    """A record's FAIR score out of 100, per-metric points and what is missing."""

    score: int
    metrics: tuple[tuple[str, str, int, int, str], ...]  # principle, name, earned, maximum, status
    missing: tuple[str, ...]


def fair_assessment(record: Record) -> FairView:
    """The FAIR view of `record`."""
    result = assess(record)
    metrics = tuple((m.principle, m.name, m.earned, m.maximum, m.status) for m in result.metrics)
    return FairView(result.score, metrics, result.missing)
