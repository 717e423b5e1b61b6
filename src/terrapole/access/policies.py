"""Access policies per collection (with per-item overrides), licences and their acceptances.

A collection without a stored policy is open. A policy row keeps the collection's pole, copied
when the policy is set, so that the set of collections hidden from a principal is computed from
this table alone on every search.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import orjson

from terrapole.access.accounts import Clock, utc_now
from terrapole.access.db import Database, Tx
from terrapole.core.access import OPEN, AccessPolicy, LicenceRef, PolicyKind, Principal
from terrapole.core.errors import AccessDenied, InvalidParameter, NotFound
from terrapole.core.timeutil import to_micros

COLLECTION_LEVEL = ""  # the `item` column of a collection's own policy


@dataclass(frozen=True, slots=True)
class Licence:
    """One version of a licence users accept."""

    id: str
    version: str
    title: str
    url: str | None = None

    def to_json(self) -> dict[str, object]:
        """The JSON form."""
        return {"id": self.id, "version": self.version, "title": self.title, "url": self.url}


@dataclass(frozen=True, slots=True)
class CollectionPolicies:
    """A collection's pole, policy and item overrides (those asked for)."""

    pole: str | None
    policy: AccessPolicy
    items: dict[str, AccessPolicy]


class Policies:
    """Stored policies, licences and acceptances."""

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def set(
        self,
        actor: Principal,
        collection: str,
        pole: str | None,
        policy: AccessPolicy,
        item: str | None = None,
    ) -> None:
        """Set a collection's policy (or an item's override); only its pole's administrators may."""
        if not actor.administers(pole):
            raise AccessDenied(
                f"only administrators of pole {pole} may set the policy of {collection!r}", "not-admin"
            )
        if item is not None and policy.kind is PolicyKind.RESTRICTED:
            raise InvalidParameter(
                "kind", "restricted applies to whole collections (visibility is decided per collection)"
            )
        with self.db.transaction() as tx:
            if policy.licence is not None:
                self._check_licence(tx, policy.licence)
            key = [collection, item or COLLECTION_LEVEL]
            tx.run("DELETE FROM access_policies WHERE collection = ? AND item = ?", key)
            tx.run(
                "INSERT INTO access_policies (collection, item, pole, kind, policy, updated, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    *key,
                    pole,
                    policy.kind.value,
                    orjson.dumps(policy.to_json()).decode(),
                    to_micros(self.clock()),
                    actor.name or "?",
                ],
            )

    @staticmethod
    def _check_licence(tx: Tx, licence: LicenceRef) -> None:
        if not tx.one(
            "SELECT 1 AS x FROM access_licences WHERE id = ? AND version = ?", [licence.id, licence.version]
        ):
            raise NotFound(f"licence {licence} is not registered (terrapole licences add)")

    def for_collections(
        self, collections: Iterable[str], items: Iterable[tuple[str, str]] = ()
    ) -> dict[str, CollectionPolicies]:
        """The policies of these collections and the overrides of these (collection, item) pairs."""
        wanted = sorted(set(collections))
        if not wanted:
            return {}
        pairs = set(items)
        marks = ", ".join("?" for _ in wanted)
        with self.db.snapshot() as tx:
            rows = tx.all(
                f"SELECT collection, item, pole, policy FROM access_policies WHERE collection IN ({marks})",  # noqa: S608
                wanted,
            )
        own = {r["collection"]: r for r in rows if r["item"] == COLLECTION_LEVEL}
        found = {
            c: CollectionPolicies(own[c]["pole"] if c in own else None, _policy(own.get(c)), {})
            for c in wanted
        }
        for row in rows:
            if row["item"] != COLLECTION_LEVEL and (row["collection"], row["item"]) in pairs:
                found[row["collection"]].items[row["item"]] = _policy(row)
        return found

    def restricted(self) -> list[tuple[str, str | None, AccessPolicy]]:
        """Every restricted collection: (collection, pole, policy)."""
        with self.db.snapshot() as tx:
            rows = tx.all(
                "SELECT collection, pole, policy FROM access_policies WHERE kind = ? AND item = ?",
                [PolicyKind.RESTRICTED.value, COLLECTION_LEVEL],
            )
        return [(r["collection"], r["pole"], _policy(r)) for r in rows]

    def listing(self, collection: str | None = None) -> list[dict[str, object]]:
        """Stored policies as JSON (for administrators), optionally of one collection."""
        where, params = ("WHERE collection = ?", [collection]) if collection else ("", [])
        with self.db.transaction() as tx:
            rows = tx.all(
                f"SELECT collection, item, pole, policy, updated_by FROM access_policies {where} "  # noqa: S608
                "ORDER BY collection, item",
                params,
            )
        return [
            {
                "collection": r["collection"],
                "item": r["item"] or None,
                "pole": r["pole"],
                "updated_by": r["updated_by"],
                **orjson.loads(r["policy"]),
            }
            for r in rows
        ]

    # -- licences ----------------------------------------------------------------------------
    def add_licence(self, licence: Licence) -> Licence:
        """Register a licence version (idempotent for the same id and version: the title is updated)."""
        if not licence.id.strip() or not licence.version.strip():
            raise InvalidParameter("licence", "a licence has an id and a version")
        with self.db.transaction() as tx:
            key = [licence.id, licence.version]
            tx.run("DELETE FROM access_licences WHERE id = ? AND version = ?", key)
            tx.run(
                "INSERT INTO access_licences (id, version, title, url, created) VALUES (?, ?, ?, ?, ?)",
                [*key, licence.title, licence.url, to_micros(self.clock())],
            )
        return licence

    def licence(self, licence_id: str, version: str | None = None) -> Licence:
        """A registered licence version (the latest registered when `version` is None)."""
        with self.db.transaction() as tx:
            if version is None:
                row = tx.one(
                    "SELECT id, version, title, url FROM access_licences WHERE id = ? ORDER BY created DESC",
                    [licence_id],
                )
            else:
                row = tx.one(
                    "SELECT id, version, title, url FROM access_licences WHERE id = ? AND version = ?",
                    [licence_id, version],
                )
        if row is None:
            which = f"licence {licence_id!r}" + (f" version {version!r}" if version else "")
            raise NotFound(f"{which} is not registered")
        return Licence(row["id"], row["version"], row["title"], row["url"])

    def accept(self, principal: Principal, licence_id: str, version: str) -> Licence:
        """Record that a signed-in user accepts this licence version (once; again is a no-op)."""
        if principal.user_id is None:
            raise AccessDenied("sign in to accept a licence", "sign-in")
        licence = self.licence(licence_id, version)
        with self.db.transaction() as tx:
            key = [principal.user_id, licence.id, licence.version]
            if not tx.one(
                "SELECT 1 AS x FROM access_acceptances WHERE user_id = ? AND licence = ? AND version = ?", key
            ):
                tx.run(
                    "INSERT INTO access_acceptances (user_id, licence, version, accepted) "
                    "VALUES (?, ?, ?, ?)",
                    [*key, to_micros(self.clock())],
                )
        return licence

    def acceptances(self, user_id: int) -> frozenset[LicenceRef]:
        """The licence versions a user accepted."""
        with self.db.transaction() as tx:
            rows = tx.all("SELECT licence, version FROM access_acceptances WHERE user_id = ?", [user_id])
        return frozenset(LicenceRef(r["licence"], r["version"]) for r in rows)


def _policy(row: Mapping[str, object] | None) -> AccessPolicy:
    if row is None:
        return OPEN
    return AccessPolicy.from_json(orjson.loads(str(row["policy"])))
