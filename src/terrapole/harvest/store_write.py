"""Writing one page of a harvest run to the harvest tables (see `HarvestStore.commit_page`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from terrapole.core.timeutil import format_instant
from terrapole.harvest.database import Row, Session
from terrapole.harvest.report import Counts, Failure

CHUNK = 500  # parameters per IN list
COPY_COLUMNS = "source, dataset_id, doc_id, doi, collection_id, priority, content"
_DOCUMENT_UPSERT = (
    "INSERT INTO harvest_documents (source, doc_id, datestamp, sha256, format, media_type, original,"
    " seen_run, harvested) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, doc_id) DO UPDATE SET"
    " datestamp = excluded.datestamp, sha256 = excluded.sha256, format = excluded.format,"
    " media_type = excluded.media_type, original = excluded.original, seen_run = excluded.seen_run,"
    " harvested = excluded.harvested"
)


@dataclass(frozen=True, slots=True)
class DatasetCopy:
    """A source's stored copy of a dataset-level record (`content`: the collection's stored JSON)."""

    source: str
    dataset_id: str
    doc_id: str
    doi: str | None
    collection_id: str
    priority: int
    content: str


@dataclass(slots=True)
class PageCommit:
    """Everything one page of a run changes in the harvest tables (see `HarvestStore.commit_page`)."""

    run_id: int
    source: str
    documents: list[tuple[str, datetime | None, str, str, str, bytes]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    datasets: list[DatasetCopy] = field(default_factory=list)
    regrouped: list[tuple[str, str, str]] = field(default_factory=list)
    items: list[tuple[str, str, str]] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    failures: list[Failure] = field(default_factory=list)
    timings: tuple[float, float, float] = (0.0, 0.0, 0.0)
    pages: int = 1
    checkpoint: Mapping[str, Any] | None = None
    server_time: datetime | None = None


def write_page(s: Session, page: PageCommit, now: datetime) -> None:
    """A page's documents, copies, items, counts, failures and checkpoint, in the session's transaction."""
    _forget(s, page.source, page.replaced, page.removed)
    s.executemany(
        _DOCUMENT_UPSERT,
        [
            (page.source, d, text(t), h, f, m, o, page.run_id, format_instant(now))
            for d, t, h, f, m, o in page.documents
        ],
    )
    for chunk in chunks(page.seen):
        marks = ", ".join("?" for _ in chunk)
        s.execute(
            f"UPDATE harvest_documents SET seen_run = ? WHERE source = ? AND doc_id IN ({marks})",  # noqa: S608
            [page.run_id, page.source, *chunk],
        )
    _write_copies(s, page)
    _count(s, page)
    if page.checkpoint is not None:
        s.execute(
            "UPDATE harvest_checkpoints SET state = ?, saved = ? WHERE source = ? AND run = ?",
            [orjson.dumps(page.checkpoint).decode(), format_instant(now), page.source, page.run_id],
        )


def _forget(s: Session, source: str, replaced: Sequence[str], removed: Sequence[str]) -> None:
    for table in ("harvest_datasets", "harvest_items"):
        sql = f"DELETE FROM {table} WHERE source = ? AND doc_id IN ({{}})"  # noqa: S608
        in_chunks(s, sql, [source], [*replaced, *removed])
    in_chunks(s, "DELETE FROM harvest_documents WHERE source = ? AND doc_id IN ({})", [source], removed)


def _write_copies(s: Session, page: PageCommit) -> None:
    s.executemany(
        f"INSERT INTO harvest_datasets ({COPY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
        " ON CONFLICT (source, dataset_id) DO UPDATE SET doc_id = excluded.doc_id, doi = excluded.doi,"
        " collection_id = excluded.collection_id, priority = excluded.priority, content = excluded.content",
        [
            (c.source, c.dataset_id, c.doc_id, c.doi, c.collection_id, c.priority, c.content)
            for c in page.datasets
        ],
    )
    s.executemany(
        "UPDATE harvest_datasets SET collection_id = ? WHERE source = ? AND dataset_id = ?",
        [(cid, source, dataset) for source, dataset, cid in page.regrouped],
    )
    s.executemany(
        "INSERT INTO harvest_items (source, collection_id, item_id, doc_id) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (source, collection_id, item_id) DO UPDATE SET doc_id = excluded.doc_id",
        [(page.source, c, i, d) for c, i, d in page.items],
    )


def _count(s: Session, page: PageCommit) -> None:
    c, (fetch_s, parse_s, write_s) = page.counts, page.timings
    s.execute(
        "UPDATE harvest_runs SET n_new = n_new + ?, n_updated = n_updated + ?, n_unchanged = n_unchanged + ?,"
        " n_deleted = n_deleted + ?, n_failed = n_failed + ?, pages = pages + ?, fetch_s = fetch_s + ?,"
        " parse_s = parse_s + ?, write_s = write_s + ?, server_time = coalesce(server_time, ?) WHERE id = ?",
        [
            c.new,
            c.updated,
            c.unchanged,
            c.deleted,
            c.failed,
            page.pages,
            fetch_s,
            parse_s,
            write_s,
            text(page.server_time),
            page.run_id,
        ],
    )
    if page.failures:
        rows = s.execute("SELECT coalesce(max(seq), 0) FROM harvest_failures WHERE run = ?", [page.run_id])
        first = int(rows[0][0]) + 1
        s.executemany(
            "INSERT INTO harvest_failures (run, seq, identifier, reason) VALUES (?, ?, ?, ?)",
            [(page.run_id, first + n, f.identifier, f.reason) for n, f in enumerate(page.failures)],
        )


def in_chunks(s: Session, sql: str, before: list[Any], values: Sequence[str]) -> list[Row]:
    """Run `sql` (its `{}` an IN list) over `values` a chunk at a time, after the `before` parameters."""
    rows: list[Row] = []
    for chunk in chunks(values):
        rows += s.execute(sql.format(", ".join("?" for _ in chunk)), [*before, *chunk])
    return rows


def chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    """`values` in slices of at most `CHUNK`."""
    return (values[start : start + CHUNK] for start in range(0, len(values), CHUNK))


def text(value: datetime | None) -> str | None:
    """A time as stored (RFC 3339, UTC), or None."""
    return format_instant(value) if value else None
