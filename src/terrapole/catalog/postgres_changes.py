"""Datestamps and tombstones in the PostgreSQL catalog: the change list harvesters page through.

Writers of collections take one transaction-level advisory lock, then a datestamp a microsecond
past every datestamp already stored (the server's clock, whichever terrapole process writes).
The lock is held until the write commits, so no write can commit a datestamp below one a
reader has already seen: paging by (datestamp, id) while others write misses nothing.
Collection writes are rare; items do not take the lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from terrapole.catalog.base import ChangeKey, ChangePage, ChangeScope, ChangeSummary, CollectionChange
from terrapole.catalog.change_sql import GROUPS_SQL, after_key, conditions, count_sql, filtered
from terrapole.catalog.records import collection_from_json, collection_parent
from terrapole.core.errors import CollectionNotFound

CHANGE_LOCK = 7_412_093_512  # pg_advisory_xact_lock key: one collection writer at a time

_LIVE = "SELECT id, datestamp, false AS deleted, pole, parent, {content} AS content FROM collections"
_DEAD = (
    "SELECT id, datestamp, true AS deleted, pole, parent, NULL::text AS content FROM collection_tombstones"
)


def next_datestamp(conn: psycopg.Connection[Any]) -> datetime:
    """Lock out other collection writers until commit; the datestamp of this write."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", [CHANGE_LOCK])
    row = conn.execute(
        "SELECT greatest(clock_timestamp(), "
        "(SELECT max(datestamp) FROM collections) + interval '1 microsecond', "
        "(SELECT max(datestamp) FROM collection_tombstones) + interval '1 microsecond') AS stamp"
    ).fetchone()
    assert row is not None
    stamp: datetime = row["stamp"]
    return stamp


def bury(conn: psycopg.Connection[Any], collection_id: str, stamp: datetime) -> bool:
    """Replace a live collection by its tombstone (its items and queryables cascade away)."""
    row = conn.execute(
        "DELETE FROM collections WHERE id = %s RETURNING pole, parent", [collection_id]
    ).fetchone()
    if row is None:
        return False
    conn.execute(
        "INSERT INTO collection_tombstones (id, pole, parent, datestamp) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (id) DO UPDATE SET pole = excluded.pole, parent = excluded.parent, "
        "datestamp = excluded.datestamp",
        [collection_id, row["pole"], row["parent"], stamp],
    )
    return True


def fill_parents(conn: psycopg.Connection[Any]) -> int:
    """Set the series of every collection from its stored record (upgrading to change tracking)."""
    rows = conn.execute("SELECT rid, content::text AS content FROM collections").fetchall()
    updates = [(collection_parent(collection_from_json(r["content"])), r["rid"]) for r in rows]
    with conn.cursor() as cur:
        cur.executemany("UPDATE collections SET parent = %s WHERE rid = %s", updates)
    return len(updates)


def revive(conn: psycopg.Connection[Any], collection_ids: Sequence[str]) -> None:
    """Drop the tombstones of collections written again."""
    conn.execute("DELETE FROM collection_tombstones WHERE id = ANY(%s::text[])", [list(collection_ids)])


def changes(
    conn: psycopg.Connection[Any],
    window: tuple[datetime | None, datetime | None],
    scope: ChangeScope,
    after: ChangeKey | None,
    limit: int,
    flags: tuple[bool, bool, bool],
) -> ChangePage:
    """One page of the change list; `flags` are (deleted, content, count) as in the protocol."""
    deleted, content, count = flags
    where, params = conditions(window, scope, "%s")
    if after is not None:
        where.append(after_key("%s"))
        params.extend(after)
    live = _LIVE.format(content="content::text" if content else "NULL::text")
    parts = [filtered(live, where)]
    if deleted:
        parts.append(filtered(_DEAD, where))
    # Each branch is cut to the page size on its own index before the merge.
    sql = " UNION ALL ".join(f"({part} ORDER BY datestamp, id LIMIT %s)" for part in parts)
    rows = conn.execute(
        f"SELECT * FROM ({sql}) AS c ORDER BY datestamp, id LIMIT %s",  # noqa: S608
        [p for _ in parts for p in (*params, limit + 1)] + [limit + 1],
    ).fetchall()
    found = [_change(row) for row in rows[:limit]]
    remaining = None
    if count:
        sql, repeats = count_sql(where, deleted)
        row = conn.execute(sql, params * repeats).fetchone()
        remaining = int(row["n"]) if row else 0
    return ChangePage(found, remaining, found[-1].key if len(rows) > limit else None)


def change_of(conn: psycopg.Connection[Any], collection_id: str) -> CollectionChange:
    """The change of one collection, live or deleted."""
    for select in (_LIVE.format(content="content::text"), _DEAD):
        row = conn.execute(f"{select} WHERE id = %s", [collection_id]).fetchone()
        if row is not None:
            return _change(row)
    raise CollectionNotFound(collection_id)


def summary(conn: psycopg.Connection[Any]) -> ChangeSummary:
    """The earliest datestamp and the (pole, parent) groups, tombstones included."""
    row = conn.execute(
        "SELECT least((SELECT min(datestamp) FROM collections), "
        "(SELECT min(datestamp) FROM collection_tombstones)) AS earliest"
    ).fetchone()
    groups = conn.execute(GROUPS_SQL + " NULLS FIRST").fetchall()
    earliest = row["earliest"] if row else None
    return ChangeSummary(earliest, tuple((g["pole"], g["parent"]) for g in groups))


def _change(row: dict[str, Any]) -> CollectionChange:
    content = row["content"]
    return CollectionChange(
        id=row["id"],
        datestamp=row["datestamp"],
        deleted=bool(row["deleted"]),
        pole=row["pole"],
        parent=row["parent"],
        collection=None if content is None else collection_from_json(content),
    )
