"""Rate limiting of password logins, per account and per client address.

Failures are counted in the database over a sliding window, so that every server process
sharing a PostgreSQL database sees the same counts (a per-process counter would let N processes
allow N times as many guesses). Once a limit is reached, every attempt is refused, correct
password or not, until old failures leave the window: a guesser learns nothing meanwhile.
Failures for unknown account names count as well, so the answers do not reveal which exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from terrapole.access.accounts import Clock, utc_now
from terrapole.access.db import Database
from terrapole.core.errors import RateLimited
from terrapole.core.timeutil import to_micros

ACCOUNT, ADDRESS = "account", "address"


@dataclass(frozen=True, slots=True)
class Limits:
    """How many failures each key may have within the window."""

    window_s: int = 900
    per_account: int = 5
    per_address: int = 20


class LoginThrottle:
    """Counts failed logins and refuses attempts over the limits."""

    def __init__(self, db: Database, limits: Limits = Limits(), clock: Clock = utc_now) -> None:
        self.db = db
        self.limits = limits
        self.clock = clock

    def check(self, account: str, address: str) -> None:
        """Raise RateLimited when this account or this address has failed too often lately."""
        now = self.clock()
        since = to_micros(now - timedelta(seconds=self.limits.window_s))
        with self.db.transaction() as tx:
            for scope, key, limit in (
                (ACCOUNT, account, self.limits.per_account),
                (ADDRESS, address, self.limits.per_address),
            ):
                rows = tx.all(
                    "SELECT at FROM access_login_failures WHERE scope = ? AND key = ? AND at > ? "
                    "ORDER BY at DESC",
                    [scope, key, since],
                )
                if len(rows) >= limit:
                    oldest_counted = rows[limit - 1]["at"]
                    wait = max(1, int((oldest_counted - since) / 1_000_000) + 1)
                    raise RateLimited(f"too many failed logins for this {scope}; try again later", wait)

    def failed(self, account: str, address: str) -> None:
        """Record a failed attempt (and forget failures older than the window)."""
        now = to_micros(self.clock())
        with self.db.transaction() as tx:
            tx.run(
                "DELETE FROM access_login_failures WHERE at <= ?", [now - self.limits.window_s * 1_000_000]
            )
            for scope, key in ((ACCOUNT, account), (ADDRESS, address)):
                tx.run(
                    "INSERT INTO access_login_failures (scope, key, at) VALUES (?, ?, ?)", [scope, key, now]
                )

    def succeeded(self, account: str) -> None:
        """A successful login clears the account's failures (not the address's)."""
        with self.db.transaction() as tx:
            tx.run("DELETE FROM access_login_failures WHERE scope = ? AND key = ?", [ACCOUNT, account])
