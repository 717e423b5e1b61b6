"""Harvest sources, runs, checkpoints and harvested documents, kept in the catalog database.

One `HarvestStore` for both catalog backends (see `database`). A page of a harvest is committed
by `commit_page` in one transaction: its documents, each source's copies of dataset records, the
items it wrote, the run's counts and failures, and the checkpoint to resume after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from terrapole.core.errors import Conflict, NotFound
from terrapole.core.timeutil import format_instant, parse_instant
from terrapole.harvest.database import Database, Row, open_database
from terrapole.harvest.report import RUNNING, SUCCEEDED, Counts, Failure, RunReport
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.store_write import COPY_COLUMNS, DatasetCopy, PageCommit, in_chunks, text, write_page
from terrapole.settings import Settings

_RUN_COLUMNS = (
    "id, source, mode, status, started, finished, since, n_new, n_updated, n_unchanged, n_deleted,"
    " n_failed, pages, fetch_s, parse_s, write_s, error, server_time"
)


__all__ = ["DatasetCopy", "HarvestStore", "PageCommit", "SourceNotFound", "SourceState", "StoredDocument"]


class SourceNotFound(NotFound):
    """No harvest source has this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"harvest source {name!r} not found")
        self.name = name


@dataclass(frozen=True, slots=True)
class SourceState:
    """Where the next harvest of a source starts from."""

    last_since: datetime | None
    last_full: datetime | None
    last_started: datetime | None


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document as harvested."""

    doc_id: str
    original: bytes
    media_type: str
    format: str
    datestamp: datetime | None
    harvested: datetime


class HarvestStore:
    """Harvest bookkeeping in the catalog database."""

    def __init__(self, database: Database) -> None:
        self.db = database

    @classmethod
    def open(cls, settings: Settings) -> HarvestStore:
        """The store in the catalog database the settings name (its tables created when absent)."""
        return cls(open_database(settings))

    def close(self) -> None:
        """Release the connection."""
        self.db.close()

    # -- sources ---------------------------------------------------------------------------
    def add_source(self, source: HarvestSource, now: datetime) -> HarvestSource:
        """Register a new source; Conflict when the name is taken."""
        with self.db.transaction() as s:
            if s.execute("SELECT 1 FROM harvest_sources WHERE name = ?", [source.name]):
                raise Conflict(f"a harvest source named {source.name!r} exists already")
            s.execute(
                "INSERT INTO harvest_sources"
                " (name, protocol, url, pole, options, interval_s, enabled, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [*_source_values(source), format_instant(now)],
            )
        return source.with_changes(created=now)

    def update_source(self, source: HarvestSource) -> None:
        """Replace a source's configuration (its harvest state stays)."""
        with self.db.transaction() as s:
            values = _source_values(source)
            found = s.execute(
                "UPDATE harvest_sources SET protocol = ?, url = ?, pole = ?, options = ?, interval_s = ?,"
                " enabled = ? WHERE name = ? RETURNING name",
                [*values[1:], source.name],
            )
            if not found:
                raise SourceNotFound(source.name)

    def source(self, name: str) -> HarvestSource:
        """The source with this name; SourceNotFound."""
        with self.db.transaction() as s:
            rows = s.execute(f"SELECT {_SOURCE_COLUMNS} FROM harvest_sources WHERE name = ?", [name])  # noqa: S608
        if not rows:
            raise SourceNotFound(name)
        return _source(rows[0])

    def sources(self) -> list[HarvestSource]:
        """Every source, by name."""
        with self.db.transaction() as s:
            rows = s.execute(f"SELECT {_SOURCE_COLUMNS} FROM harvest_sources ORDER BY name")  # noqa: S608
        return [_source(row) for row in rows]

    def state(self, name: str) -> SourceState:
        """Where the next harvest of the source starts from."""
        with self.db.transaction() as s:
            rows = s.execute(
                "SELECT last_since, last_full, (SELECT max(started) FROM harvest_runs WHERE source = ?)"
                " FROM harvest_sources WHERE name = ?",
                [name, name],
            )
        if not rows:
            raise SourceNotFound(name)
        return SourceState(*(_instant(value) for value in rows[0]))

    # -- runs and checkpoints --------------------------------------------------------------
    def start_run(self, name: str, mode: str, since: datetime | None, started: datetime) -> int:
        """A new run, with an empty checkpoint (a run with a checkpoint is unfinished)."""
        with self.db.transaction() as s:
            rows = s.execute(
                "INSERT INTO harvest_runs (source, mode, since, started, status)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                [name, mode, text(since), format_instant(started), RUNNING],
            )
            run_id = int(rows[0][0])
            s.execute(
                "INSERT INTO harvest_checkpoints (source, run, state, saved) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (source) DO UPDATE SET run = excluded.run, state = excluded.state,"
                " saved = excluded.saved",
                [name, run_id, "{}", format_instant(started)],
            )
        return run_id

    def checkpoint(self, name: str) -> tuple[int, dict[str, Any]] | None:
        """The unfinished run of a source and the state to resume it from, if any."""
        with self.db.transaction() as s:
            rows = s.execute("SELECT run, state FROM harvest_checkpoints WHERE source = ?", [name])
        return (int(rows[0][0]), orjson.loads(rows[0][1])) if rows else None

    def stalled(self, name: str, before: datetime) -> bool:
        """Whether the source has a run marked running whose checkpoint has not moved since `before`
        (its process ended without finishing it)."""
        with self.db.transaction() as s:
            rows = s.execute(
                "SELECT 1 FROM harvest_checkpoints AS c JOIN harvest_runs AS r ON r.id = c.run"
                " WHERE c.source = ? AND r.status = ? AND c.saved < ?",
                [name, RUNNING, format_instant(before)],
            )
        return bool(rows)

    def resume_run(self, run_id: int) -> None:
        """Mark an unfinished run as running again."""
        with self.db.transaction() as s:
            s.execute(
                "UPDATE harvest_runs SET status = ?, finished = NULL, error = NULL WHERE id = ?",
                [RUNNING, run_id],
            )

    def finish_run(
        self,
        run_id: int,
        status: str,
        finished: datetime,
        error: str | None = None,
        next_since: datetime | None = None,
    ) -> None:
        """End a run. A successful one drops the checkpoint and sets where the next harvest starts;
        a failed one keeps the checkpoint, so that the next harvest resumes it."""
        with self.db.transaction() as s:
            rows = s.execute(
                "UPDATE harvest_runs SET status = ?, finished = ?, error = ? WHERE id = ?"
                " RETURNING source, mode, started",
                [status, format_instant(finished), error, run_id],
            )
            if status != SUCCEEDED or not rows:
                return
            source, mode, started = rows[0]
            s.execute("DELETE FROM harvest_checkpoints WHERE source = ? AND run = ?", [source, run_id])
            s.execute("UPDATE harvest_sources SET last_since = ? WHERE name = ?", [text(next_since), source])
            if mode == "full":
                s.execute("UPDATE harvest_sources SET last_full = ? WHERE name = ?", [started, source])

    def run(self, run_id: int) -> RunReport:
        """The report of one run, failures included."""
        with self.db.transaction() as s:
            rows = s.execute(f"SELECT {_RUN_COLUMNS} FROM harvest_runs WHERE id = ?", [run_id])  # noqa: S608
            if not rows:
                raise NotFound(f"harvest run {run_id} not found")
            failures = s.execute(
                "SELECT identifier, reason FROM harvest_failures WHERE run = ? ORDER BY seq", [run_id]
            )
        report = _report(rows[0])
        report.failures = [Failure(str(i), str(r)) for i, r in failures]
        return report

    def runs(self, name: str, limit: int = 20) -> list[RunReport]:
        """The latest runs of a source, newest first (without their failures)."""
        with self.db.transaction() as s:
            rows = s.execute(
                f"SELECT {_RUN_COLUMNS} FROM harvest_runs WHERE source = ? ORDER BY id DESC LIMIT ?",  # noqa: S608
                [name, limit],
            )
        return [_report(row) for row in rows]

    # -- documents -------------------------------------------------------------------------
    def digests(self, name: str, doc_ids: Sequence[str]) -> dict[str, str]:
        """The stored SHA-256 of those of `doc_ids` the source has served before."""
        with self.db.transaction() as s:
            rows = in_chunks(
                s,
                "SELECT doc_id, sha256 FROM harvest_documents WHERE source = ? AND doc_id IN ({})",
                [name],
                doc_ids,
            )
        return {str(d): str(h) for d, h in rows}

    def written_by(
        self, name: str, doc_ids: Sequence[str]
    ) -> tuple[list[DatasetCopy], list[tuple[str, str]]]:
        """The dataset copies and the (collection, item) pairs these documents of the source wrote."""
        with self.db.transaction() as s:
            datasets = in_chunks(
                s,
                f"SELECT {COPY_COLUMNS} FROM harvest_datasets WHERE source = ? AND doc_id IN ({{}})",  # noqa: S608
                [name],
                doc_ids,
            )
            items = in_chunks(
                s,
                "SELECT collection_id, item_id FROM harvest_items WHERE source = ? AND doc_id IN ({})",
                [name],
                doc_ids,
            )
        return [_copy(row) for row in datasets], [(str(c), str(i)) for c, i in items]

    def copies(self, dataset_ids: Iterable[str], dois: Iterable[str]) -> list[DatasetCopy]:
        """Every source's copies with one of these identifiers or DOIs."""
        ids, doi_list = sorted(set(dataset_ids)), sorted(set(dois))
        with self.db.transaction() as s:
            select = f"SELECT {COPY_COLUMNS} FROM harvest_datasets WHERE"  # noqa: S608
            rows = in_chunks(s, select + " dataset_id IN ({})", [], ids)
            rows += in_chunks(s, select + " doi IN ({})", [], doi_list)
        return list({(c.source, c.dataset_id): c for c in map(_copy, rows)}.values())

    def unseen(self, name: str, run_id: int) -> tuple[list[str], int]:
        """Documents of the source that a full listing (run `run_id`) did not see, and how many it saw."""
        with self.db.transaction() as s:
            rows = s.execute(
                "SELECT doc_id FROM harvest_documents WHERE source = ? AND seen_run <> ? ORDER BY doc_id",
                [name, run_id],
            )
            seen = s.execute(
                "SELECT count(*) FROM harvest_documents WHERE source = ? AND seen_run = ?", [name, run_id]
            )
        return [str(row[0]) for row in rows], int(seen[0][0])

    def document(self, name: str, doc_id: str) -> StoredDocument:
        """A document as harvested; NotFound."""
        with self.db.transaction() as s:
            rows = s.execute(
                "SELECT doc_id, original, media_type, format, datestamp, harvested FROM harvest_documents"
                " WHERE source = ? AND doc_id = ?",
                [name, doc_id],
            )
        if not rows:
            raise NotFound(f"no document {doc_id!r} harvested from {name!r}")
        doc, original, media_type, fmt, datestamp, harvested = rows[0]
        return StoredDocument(
            doc, bytes(original), media_type, fmt, _instant(datestamp), parse_instant(harvested)
        )

    def documents(self, name: str, limit: int = 100, after: str = "") -> list[tuple[str, datetime | None]]:
        """Identifiers and datestamps of a source's documents, in identifier order, after `after`."""
        with self.db.transaction() as s:
            rows = s.execute(
                "SELECT doc_id, datestamp FROM harvest_documents WHERE source = ? AND doc_id > ?"
                " ORDER BY doc_id LIMIT ?",
                [name, after, limit],
            )
        return [(str(d), _instant(t)) for d, t in rows]

    def commit_page(self, page: PageCommit, now: datetime) -> None:
        """Write one page's changes, counts, failures and checkpoint in one transaction."""
        with self.db.transaction() as s:
            write_page(s, page, now)


_SOURCE_COLUMNS = "name, protocol, url, pole, options, interval_s, enabled, created"


def _source_values(source: HarvestSource) -> list[Any]:
    interval = int(source.interval.total_seconds()) if source.interval else None
    options = orjson.dumps(dict(source.options), option=orjson.OPT_SORT_KEYS).decode()
    return [source.name, source.protocol, source.url, source.pole, options, interval, int(source.enabled)]


def _source(row: Row) -> HarvestSource:
    name, protocol, url, pole, options, interval, enabled, created = row
    return HarvestSource(
        name=name,
        protocol=protocol,
        url=url,
        pole=pole,
        options=orjson.loads(options),
        interval=timedelta(seconds=interval) if interval else None,
        enabled=bool(enabled),
        created=_instant(created),
    )


def _copy(row: Row) -> DatasetCopy:
    source, dataset_id, doc_id, doi, collection_id, priority, content = row
    return DatasetCopy(source, dataset_id, doc_id, doi, collection_id, int(priority), content)


def _report(row: Row) -> RunReport:
    (
        run_id,
        source,
        mode,
        status,
        started,
        finished,
        since,
        new,
        updated,
        unchanged,
        deleted,
        failed,
        pages,
        fetch_s,
        parse_s,
        write_s,
        error,
        _server_time,
    ) = row
    return RunReport(
        id=int(run_id),
        source=source,
        mode=mode,
        status=status,
        started=parse_instant(started),
        finished=_instant(finished),
        since=_instant(since),
        counts=Counts(new, updated, unchanged, deleted, failed),
        pages=int(pages),
        fetch_s=float(fetch_s),
        parse_s=float(parse_s),
        write_s=float(write_s),
        error=error,
    )


def server_time(store: HarvestStore, run_id: int) -> datetime | None:
    """The source's own clock at the first response of a run (OAI-PMH responseDate), if it said."""
    with store.db.transaction() as s:
        rows = s.execute("SELECT server_time FROM harvest_runs WHERE id = ?", [run_id])
    return _instant(rows[0][0]) if rows else None


def _instant(value: str | None) -> datetime | None:
    return parse_instant(value) if value else None
