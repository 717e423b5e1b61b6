"""The audit log of data accesses: who read (or was refused) what, when, and how many bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from terrapole.access.accounts import Clock, utc_now
from terrapole.access.db import Database
from terrapole.core.access import Principal
from terrapole.core.timeutil import format_instant, from_micros, to_micros


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One data access, allowed or refused."""

    at: datetime
    principal: str | None
    action: str
    collection: str
    item: str | None
    asset: str | None
    bytes: int | None
    allowed: bool
    reason: str  # the decision's code (open, granted, embargoed, quota-exceeded...)
    outcome: str  # refused, redirected, served or incomplete (the client stopped reading)
    client: str | None = None

    def to_json(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "at": format_instant(self.at),
            "user": self.principal,
            "action": self.action,
            "collection": self.collection,
            "item": self.item,
            "asset": self.asset,
            "bytes": self.bytes,
            "allowed": self.allowed,
            "reason": self.reason,
            "outcome": self.outcome,
            "client": self.client,
        }


class Audit:
    """Appends to, and reads, the audit log."""

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def record(
        self,
        principal: Principal,
        action: str,
        collection: str,
        item: str | None,
        asset: str | None,
        allowed: bool,
        reason: str,
        size: int | None = None,
        client: str | None = None,
        outcome: str | None = None,
    ) -> None:
        """Append one entry (the outcome defaults to "allowed" or "refused")."""
        outcome = outcome or ("allowed" if allowed else "refused")
        with self.db.transaction() as tx:
            tx.run(
                "INSERT INTO access_audit (at, user_id, principal, action, collection, item, asset, bytes, "
                "allowed, reason, outcome, client) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    to_micros(self.clock()),
                    principal.user_id,
                    principal.name,
                    action,
                    collection,
                    item,
                    asset,
                    size,
                    int(allowed),
                    reason,
                    outcome,
                    client,
                ],
            )

    def entries(self, collection: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """The latest entries, newest first (of one collection when given)."""
        clause, params = ("WHERE collection = ?", [collection]) if collection else ("", [])
        columns = "at, principal, action, collection, item, asset, bytes, allowed, reason, outcome, client"
        with self.db.transaction() as tx:
            sql = f"SELECT {columns} FROM access_audit {clause} ORDER BY id DESC LIMIT ?"  # noqa: S608
            rows = tx.all(sql, [*params, limit])
        return [
            AuditEntry(
                from_micros(r["at"]),
                r["principal"],
                r["action"],
                r["collection"],
                r["item"],
                r["asset"],
                r["bytes"],
                bool(r["allowed"]),
                r["reason"],
                r["outcome"],
                r["client"],
            )
            for r in rows
        ]
