"""Personal API tokens and browser sessions: random secrets of which only a digest is stored.

A token (`tp_` and 43 URL-safe characters, 256 random bits) is shown once, when it is created;
the database keeps its SHA-256, which is enough for a secret of that entropy (a slow password
hash protects guessable secrets, and would cost every API request tens of milliseconds). A
session is the same kind of secret in an HttpOnly cookie, paired with a CSRF token that the
client sends back in a header for every unsafe request (see `access.web`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from terrapole.access.accounts import Clock, User, load_user, user_named, utc_now
from terrapole.access.db import Database, Row, Tx
from terrapole.core.access import Principal
from terrapole.core.errors import AccessDenied, AuthenticationRequired, InvalidParameter, NotFound
from terrapole.core.timeutil import format_instant, from_micros, to_micros

TOKEN_PREFIX = "tp_"
MAX_TOKEN_DAYS = 3650


def digest(secret: str) -> str:
    """The stored form of a high-entropy secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret(prefix: str = "") -> str:
    """A fresh random secret of 256 bits."""
    return prefix + secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known of a personal token once created (everything but the secret)."""

    id: int
    user: str
    name: str
    created: datetime
    expires: datetime | None
    revoked: datetime | None

    def to_json(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "id": self.id,
            "user": self.user,
            "name": self.name,
            "created": format_instant(self.created),
            "expires": format_instant(self.expires) if self.expires else None,
            "revoked": format_instant(self.revoked) if self.revoked else None,
        }


class Tokens:
    """Personal API tokens."""

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def create(
        self, user_name: str, name: str = "token", expires_days: float | None = None
    ) -> tuple[TokenInfo, str]:
        """A new token for the user: its description and the secret (shown only now)."""
        if expires_days is not None and not 0 < expires_days <= MAX_TOKEN_DAYS:
            raise InvalidParameter("expires", f"a token expires after 1 to {MAX_TOKEN_DAYS} days")
        if not name.strip() or len(name) > 100:
            raise InvalidParameter("name", "a token name has 1 to 100 characters")
        now = self.clock()
        expires = to_micros(now + timedelta(days=expires_days)) if expires_days is not None else None
        secret = new_secret(TOKEN_PREFIX)
        with self.db.transaction() as tx:
            user = user_named(tx, user_name)
            token_id = tx.insert(
                "INSERT INTO access_tokens (user_id, name, digest, created, expires) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                [user.id, name.strip(), digest(secret), to_micros(now), expires],
            )
            return self._info(self._row(tx, token_id)), secret

    def list(self, user_name: str) -> list[TokenInfo]:
        """A user's tokens, newest first (secrets are not kept, so not listed)."""
        with self.db.transaction() as tx:
            user = user_named(tx, user_name)
            rows = tx.all(f"{_TOKEN_SELECT} WHERE t.user_id = ? ORDER BY t.id DESC", [user.id])
        return [self._info(row) for row in rows]

    def revoke(self, token_id: int, actor: Principal) -> TokenInfo:
        """Revoke a token: its owner or a platform administrator may; NotFound for others."""
        with self.db.transaction() as tx:
            row = self._row(tx, token_id)
            if row is None or not (actor.platform_admin or row["user_id"] == actor.user_id):
                raise NotFound(f"token {token_id} not found")
            if row["revoked"] is None:
                tx.run(
                    "UPDATE access_tokens SET revoked = ? WHERE id = ?", [to_micros(self.clock()), token_id]
                )
            return self._info(self._row(tx, token_id))

    def user_for(self, secret: str) -> User:
        """The owner of a valid token; AuthenticationRequired for unknown, expired or revoked ones."""
        with self.db.transaction() as tx:
            row = tx.one(
                "SELECT user_id, expires, revoked FROM access_tokens WHERE digest = ?", [digest(secret)]
            )
            if row is None:
                raise AuthenticationRequired("unknown API token", "invalid-token")
            if row["revoked"] is not None:
                raise AuthenticationRequired("this API token has been revoked", "revoked-token")
            if row["expires"] is not None and to_micros(self.clock()) >= row["expires"]:
                raise AuthenticationRequired("this API token has expired", "expired-token")
            return load_user(tx, int(row["user_id"]))

    def _row(self, tx: Tx, token_id: int) -> Row | None:
        return tx.one(f"{_TOKEN_SELECT} WHERE t.id = ?", [token_id])

    @staticmethod
    def _info(row: Row | None) -> TokenInfo:
        assert row is not None
        return TokenInfo(
            id=int(row["id"]),
            user=row["user_name"],
            name=row["name"],
            created=from_micros(row["created"]),
            expires=from_micros(row["expires"]) if row["expires"] is not None else None,
            revoked=from_micros(row["revoked"]) if row["revoked"] is not None else None,
        )


_TOKEN_SELECT = (
    "SELECT t.id, t.user_id, u.name AS user_name, t.name, t.created, t.expires, t.revoked "
    "FROM access_tokens AS t JOIN access_users AS u ON u.id = t.user_id"
)


class Sessions:
    """Signed-in browser sessions, shared by every server process through the database."""

    def __init__(self, db: Database, clock: Clock = utc_now, hours: float = 12.0) -> None:
        self.db = db
        self.clock = clock
        self.lifetime = timedelta(hours=hours)

    def open(self, user: User) -> tuple[str, str]:
        """A new session for the user: (session secret, CSRF token)."""
        session, csrf = new_secret(), new_secret()
        now = self.clock()
        with self.db.transaction() as tx:
            tx.run("DELETE FROM access_sessions WHERE expires <= ?", [to_micros(now)])
            tx.run(
                "INSERT INTO access_sessions (digest, user_id, csrf, created, expires) "
                "VALUES (?, ?, ?, ?, ?)",
                [digest(session), user.id, digest(csrf), to_micros(now), to_micros(now + self.lifetime)],
            )
        return session, csrf

    def user_for(self, session: str) -> tuple[User, str] | None:
        """The user of a live session and the digest of its CSRF token; None when there is none."""
        with self.db.transaction() as tx:
            row = tx.one(
                "SELECT user_id, csrf, expires FROM access_sessions WHERE digest = ?", [digest(session)]
            )
            if row is None or to_micros(self.clock()) >= row["expires"]:
                return None
            return load_user(tx, int(row["user_id"])), str(row["csrf"])

    def close(self, session: str) -> None:
        """End a session (sign out)."""
        with self.db.transaction() as tx:
            tx.run("DELETE FROM access_sessions WHERE digest = ?", [digest(session)])


def csrf_matches(sent: str | None, stored_digest: str) -> bool:
    """Whether the CSRF token a client sent is its session's (compared in constant time)."""
    return bool(sent) and hmac.compare_digest(digest(sent or ""), stored_digest)


def forbid_unless(condition: bool, message: str, code: str = "forbidden") -> None:
    """Raise AccessDenied unless `condition` holds."""
    if not condition:
        raise AccessDenied(message, code)
