"""Datestamps and tombstones in the SQLite catalog: the change list harvesters page through.

Datestamps are microseconds since 1970 (UTC). Each write takes one a microsecond past every
datestamp already stored, even if the clock says otherwise, so a change always lands after any
key a harvester already holds. Writes are serialised by the store's write lock, which makes
that maximum safe to read and use.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence

from terrapole.catalog.base import ChangeKey, ChangePage, ChangeScope, ChangeSummary, CollectionChange
from terrapole.catalog.change_sql import GROUPS_SQL, after_key, conditions, count_sql, filtered
from terrapole.catalog.records import collection_from_json
from terrapole.core.errors import CollectionNotFound
from terrapole.core.timeutil import from_micros, to_micros

_LIVE = "SELECT id, datestamp, 0 AS deleted, pole, parent, {content} AS content FROM collections"
_DEAD = "SELECT id, datestamp, 1 AS deleted, pole, parent, NULL AS content FROM collection_tombstones"


def next_datestamp(conn: sqlite3.Connection) -> int:
    """The datestamp of a write about to happen (inside the write transaction)."""
    row = conn.execute(
        "SELECT max(coalesce((SELECT max(datestamp) FROM collections), 0), "
        "coalesce((SELECT max(datestamp) FROM collection_tombstones), 0))"
    ).fetchone()
    return max(time.time_ns() // 1000, int(row[0]) + 1)


def bury(conn: sqlite3.Connection, collection_id: str, stamp: int) -> bool:
    """Replace a live collection by its tombstone; False when there is no such collection."""
    row = conn.execute("SELECT pole, parent FROM collections WHERE id = ?", [collection_id]).fetchone()
    if row is None:
        return False
    conn.execute(
        "INSERT OR REPLACE INTO collection_tombstones (id, pole, parent, datestamp) VALUES (?, ?, ?, ?)",
        [collection_id, row[0], row[1], stamp],
    )
    conn.execute("DELETE FROM collections WHERE id = ?", [collection_id])
    return True


def revive(conn: sqlite3.Connection, collection_ids: Sequence[str]) -> None:
    """Drop the tombstones of collections written again."""
    conn.executemany("DELETE FROM collection_tombstones WHERE id = ?", [(cid,) for cid in collection_ids])


def changes(
    conn: sqlite3.Connection,
    window: tuple[int | None, int | None],
    scope: ChangeScope,
    after: ChangeKey | None,
    limit: int,
    flags: tuple[bool, bool, bool],
) -> ChangePage:
    """One page of the change list; `flags` are (deleted, content, count) as in the protocol."""
    deleted, content, count = flags
    where, params = conditions(window, scope, "?")
    if after is not None:
        where.append(after_key("?"))
        params.extend((to_micros(after[0]), after[1]))
    live = _LIVE.format(content="content" if content else "NULL")
    parts = [filtered(live, where)] + ([filtered(_DEAD, where)] if deleted else [])
    sql = " UNION ALL ".join(parts) + " ORDER BY datestamp, id LIMIT ?"
    rows = conn.execute(sql, params * len(parts) + [limit + 1]).fetchall()
    found = [_change(row) for row in rows[:limit]]
    remaining = None
    if count:
        sql, repeats = count_sql(where, deleted)
        remaining = int(conn.execute(sql, params * repeats).fetchone()[0])
    return ChangePage(found, remaining, found[-1].key if len(rows) > limit else None)


def change_of(conn: sqlite3.Connection, collection_id: str) -> CollectionChange:
    """The change of one collection, live or deleted."""
    for select in (_LIVE.format(content="content"), _DEAD):
        row = conn.execute(f"{select} WHERE id = ?", [collection_id]).fetchone()
        if row is not None:
            return _change(row)
    raise CollectionNotFound(collection_id)


def summary(conn: sqlite3.Connection) -> ChangeSummary:
    """The earliest datestamp and the (pole, parent) groups, tombstones included."""
    earliest = conn.execute(
        "SELECT min(d) FROM (SELECT min(datestamp) AS d FROM collections "
        "UNION ALL SELECT min(datestamp) FROM collection_tombstones)"
    ).fetchone()[0]
    groups = conn.execute(GROUPS_SQL).fetchall()
    return ChangeSummary(
        None if earliest is None else from_micros(earliest), tuple((g[0], g[1]) for g in groups)
    )


def _change(row: sqlite3.Row) -> CollectionChange:
    content = row["content"]
    return CollectionChange(
        id=row["id"],
        datestamp=from_micros(row["datestamp"]),
        deleted=bool(row["deleted"]),
        pole=row["pole"],
        parent=row["parent"],
        collection=None if content is None else collection_from_json(content),
    )
