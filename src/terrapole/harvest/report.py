"""The report of one harvest run: what it found, how long it took, and each failure with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from terrapole.core.timeutil import format_instant

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
FULL, INCREMENTAL = "full", "incremental"


@dataclass(frozen=True, slots=True)
class Failure:
    """A record that could not be harvested, and why."""

    identifier: str
    reason: str


@dataclass(slots=True)
class Counts:
    """How many documents a run (or one page of it) found in each state."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0

    def add(self, other: Counts) -> None:
        """Add another page's counts to these."""
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.failed += other.failed

    @property
    def seen(self) -> int:
        """Documents handled, whatever their state."""
        return self.new + self.updated + self.unchanged + self.deleted + self.failed


@dataclass(slots=True)
class RunReport:
    """One run of one source. Durations are seconds; `fetch_s` is time spent waiting for the source."""

    id: int
    source: str
    mode: str
    status: str
    started: datetime
    finished: datetime | None = None
    since: datetime | None = None
    counts: Counts = field(default_factory=Counts)
    pages: int = 0
    fetch_s: float = 0.0
    parse_s: float = 0.0
    write_s: float = 0.0
    error: str | None = None
    failures: list[Failure] = field(default_factory=list)

    @property
    def duration_s(self) -> float | None:
        """Wall-clock seconds from start to end (None while running)."""
        return (self.finished - self.started).total_seconds() if self.finished else None

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (the API's and `harvest report --json`'s form)."""
        return {
            "id": self.id,
            "source": self.source,
            "mode": self.mode,
            "status": self.status,
            "started": format_instant(self.started),
            "finished": format_instant(self.finished) if self.finished else None,
            "since": format_instant(self.since) if self.since else None,
            "counts": {
                "new": self.counts.new,
                "updated": self.counts.updated,
                "unchanged": self.counts.unchanged,
                "deleted": self.counts.deleted,
                "failed": self.counts.failed,
            },
            "pages": self.pages,
            "durations": {
                "total_s": self.duration_s,
                "fetch_s": round(self.fetch_s, 3),
                "parse_s": round(self.parse_s, 3),
                "write_s": round(self.write_s, 3),
            },
            "error": self.error,
            "failures": [{"identifier": f.identifier, "reason": f.reason} for f in self.failures],
        }
