"""Everything access control keeps, behind one object opened from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher

from terrapole.access.accounts import Accounts, Clock, utc_now
from terrapole.access.audit import Audit
from terrapole.access.credentials import Sessions, Tokens
from terrapole.access.db import Database, open_database
from terrapole.access.policies import Policies
from terrapole.access.requests import Requests
from terrapole.access.throttle import Limits, LoginThrottle
from terrapole.settings import Settings


@dataclass(frozen=True, slots=True)
class AccessStore:
    """Users, credentials, policies, requests and the audit log, over one database."""

    db: Database
    accounts: Accounts
    tokens: Tokens
    sessions: Sessions
    throttle: LoginThrottle
    policies: Policies
    requests: Requests
    audit: Audit
    clock: Clock

    @classmethod
    def open(
        cls, settings: Settings, clock: Clock = utc_now, hasher: PasswordHasher | None = None
    ) -> AccessStore:
        """Open (creating or upgrading) the access tables of the settings' catalog backend."""
        db = open_database(settings)
        limits = Limits(
            settings.login_window_s, settings.login_failures_per_account, settings.login_failures_per_address
        )
        return cls(
            db=db,
            accounts=Accounts(db, clock, hasher),
            tokens=Tokens(db, clock),
            sessions=Sessions(db, clock, settings.session_hours),
            throttle=LoginThrottle(db, limits, clock),
            policies=Policies(db, clock),
            requests=Requests(db, clock),
            audit=Audit(db, clock),
            clock=clock,
        )

    def close(self) -> None:
        """Release the database."""
        self.db.close()
