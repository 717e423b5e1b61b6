"""Users, their category and groups, and their passwords (argon2id hashes).

Roles are groups with reserved names (see `core.access`): adding a user to `platform-admins` or
`pole-curators:land` is how one appoints an administrator or a curator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from terrapole.access.db import Database, Row, Tx
from terrapole.core.access import Principal, UserCategory, check_group
from terrapole.core.errors import Conflict, InvalidParameter, NotFound
from terrapole.core.timeutil import to_micros

Clock = Callable[[], datetime]
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
MIN_PASSWORD = 10


def utc_now() -> datetime:
    """The current instant (the default clock; tests inject their own)."""
    return datetime.now(UTC)


class UserNotFound(NotFound):
    """No user has this name (or id)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"user {name!r} not found")
        self.name = name


@dataclass(frozen=True, slots=True)
class User:
    """An account."""

    id: int
    name: str
    category: UserCategory
    groups: frozenset[str]
    has_password: bool = False
    subject: str | None = None  # issuer#sub of an account created from an OIDC token

    def principal(self, extra_groups: Iterable[str] = ()) -> Principal:
        """The principal this user acts as (with groups from a token's claims, if any)."""
        return Principal(self.id, self.name, self.category, self.groups | frozenset(extra_groups))

    def to_json(self) -> dict[str, object]:
        """The public JSON form (never the password hash)."""
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category.value,
            "groups": sorted(self.groups),
            "password": self.has_password,
        }


def check_name(name: str) -> str:
    """A valid user name."""
    if not USER_NAME.match(name):
        raise InvalidParameter("name", f"{name!r} is not a valid user name (letters, digits, . _ @ + -)")
    return name


class Accounts:
    """Users and passwords."""

    def __init__(self, db: Database, clock: Clock = utc_now, hasher: PasswordHasher | None = None) -> None:
        self.db = db
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        # Verified against when the user is unknown, so that a miss takes as long as a wrong password.
        self._decoy = self.hasher.hash("terrapole-decoy-password")

    def add(
        self,
        name: str,
        password: str | None = None,
        category: UserCategory = UserCategory.OTHER,
        groups: Iterable[str] = (),
        subject: str | None = None,
    ) -> User:
        """Create a user; Conflict when the name (or OIDC subject) is taken."""
        check_name(name)
        members = sorted({check_group(g) for g in groups})
        hashed = self._hash(password) if password is not None else None
        with self.db.transaction() as tx:
            if tx.one("SELECT 1 AS x FROM access_users WHERE name = ?", [name]):
                raise Conflict(f"user {name!r} already exists")
            user_id = tx.insert(
                "INSERT INTO access_users (name, category, password, subject, created) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                [name, category.value, hashed, subject, to_micros(self.clock())],
            )
            for group in members:
                tx.run("INSERT INTO access_memberships (user_id, grp) VALUES (?, ?)", [user_id, group])
            return load_user(tx, user_id)

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD:
            raise InvalidParameter("password", f"a password has at least {MIN_PASSWORD} characters")
        return self.hasher.hash(password)

    def get(self, name: str) -> User:
        """The user with this name; UserNotFound otherwise."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT id FROM access_users WHERE name = ?", [name])
            if row is None:
                raise UserNotFound(name)
            return load_user(tx, int(row["id"]))

    def by_id(self, user_id: int) -> User:
        """The user with this id; UserNotFound otherwise."""
        with self.db.transaction() as tx:
            return load_user(tx, user_id)

    def by_subject(self, subject: str) -> User | None:
        """The account linked to an OIDC subject (issuer#sub), if any."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT id FROM access_users WHERE subject = ?", [subject])
            return load_user(tx, int(row["id"])) if row else None

    def list(self) -> list[User]:
        """Every user, by name."""
        with self.db.transaction() as tx:
            rows = tx.all("SELECT id FROM access_users ORDER BY name")
            return [load_user(tx, int(row["id"])) for row in rows]

    def update(
        self,
        name: str,
        category: UserCategory | None = None,
        add_groups: Iterable[str] = (),
        remove_groups: Iterable[str] = (),
        password: str | None = None,
    ) -> User:
        """Change a user's category, groups or password."""
        added = sorted({check_group(g) for g in add_groups})
        removed = sorted(set(remove_groups))
        hashed = self._hash(password) if password is not None else None
        with self.db.transaction() as tx:
            user = user_named(tx, name)
            if category is not None:
                tx.run("UPDATE access_users SET category = ? WHERE id = ?", [category.value, user.id])
            if hashed is not None:
                tx.run("UPDATE access_users SET password = ? WHERE id = ?", [hashed, user.id])
            for group in added:
                if group not in user.groups:
                    tx.run("INSERT INTO access_memberships (user_id, grp) VALUES (?, ?)", [user.id, group])
            for group in removed:
                tx.run("DELETE FROM access_memberships WHERE user_id = ? AND grp = ?", [user.id, group])
            return load_user(tx, user.id)

    def verify_password(self, name: str, password: str) -> User | None:
        """The user when `password` is theirs; None otherwise (unknown user included)."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT id, password FROM access_users WHERE name = ?", [name])
        stored = row["password"] if row else None
        try:
            self.hasher.verify(stored or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or stored is None:
            return None
        if self.hasher.check_needs_rehash(stored):
            with self.db.transaction() as tx:
                tx.run(
                    "UPDATE access_users SET password = ? WHERE id = ?",
                    [self.hasher.hash(password), row["id"]],
                )
        return self.by_id(int(row["id"]))


def load_user(tx: Tx, user_id: int) -> User:
    """A user and their groups, read inside `tx`."""
    row = tx.one("SELECT id, name, category, password, subject FROM access_users WHERE id = ?", [user_id])
    if row is None:
        raise UserNotFound(f"#{user_id}")
    return _user(tx, row)


def user_named(tx: Tx, name: str) -> User:
    """The user with this name, read inside `tx`; UserNotFound otherwise."""
    row = tx.one("SELECT id, name, category, password, subject FROM access_users WHERE name = ?", [name])
    if row is None:
        raise UserNotFound(name)
    return _user(tx, row)


def _user(tx: Tx, row: Row) -> User:
    groups = frozenset(
        r["grp"] for r in tx.all("SELECT grp FROM access_memberships WHERE user_id = ?", [row["id"]])
    )
    return User(
        id=int(row["id"]),
        name=row["name"],
        category=UserCategory(row["category"]),
        groups=groups,
        has_password=row["password"] is not None,
        subject=row["subject"],
    )
