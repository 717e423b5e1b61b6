"""Operations that need both the access tables and the catalog, shared by the CLI and the HTTP API.

The CLI acts as `core.access.OPERATOR` and goes through the same checks as an administrator
over HTTP, so that both change state the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from terrapole.access.requests import AccessRequest, Submission
from terrapole.access.store import AccessStore
from terrapole.catalog.base import CatalogStore
from terrapole.core.access import POLE_ADMINS, AccessPolicy, LicenceRef, PolicyKind, Principal, UserCategory
from terrapole.core.errors import AccessDenied, AuthenticationRequired, CollectionNotFound, InvalidParameter
from terrapole.core.timeutil import parse_instant


def build_policy(
    store: AccessStore,
    kind: str,
    until: str | None = None,
    groups: Iterable[str] = (),
    licence: str | None = None,
    version: str | None = None,
    categories: Iterable[str] = (),
) -> AccessPolicy:
    """A policy from its parts as people type them; the licence version defaults to the latest registered."""
    try:
        chosen = PolicyKind(kind)
    except ValueError:
        raise InvalidParameter(
            "kind", f"unknown policy kind {kind!r} (one of {', '.join(PolicyKind)})"
        ) from None
    ref = None
    if licence:
        found = store.policies.licence(licence, version)
        ref = LicenceRef(found.id, found.version)
    if chosen is PolicyKind.EMBARGO:
        if not until:
            raise InvalidParameter("until", "an embargo needs the date it ends (--until)")
        return AccessPolicy.embargo(parse_instant(until, "until"), groups)
    if chosen is PolicyKind.RESTRICTED:
        return AccessPolicy.restricted(groups)
    if chosen is PolicyKind.LICENSED:
        if ref is None:
            raise InvalidParameter("licence", "a licensed policy names a licence (--licence)")
        return AccessPolicy.licensed(ref)
    if chosen is PolicyKind.ELIGIBLE:
        return AccessPolicy.eligible([UserCategory.parse(c, "categories") for c in categories], ref)
    return AccessPolicy.open()


def set_policy(
    store: AccessStore,
    catalog: CatalogStore,
    actor: Principal,
    collection: str,
    policy: AccessPolicy,
    item: str | None = None,
) -> None:
    """Set the policy of a catalogued collection (or the override of one of its items)."""
    require_admin(actor)
    pole = catalog.get_collection(collection).pole
    if item is not None:
        catalog.get_item(collection, item)
    store.policies.set(actor, collection, pole, policy, item)


def submit_request(
    store: AccessStore, catalog: CatalogStore, principal: Principal, form: Submission
) -> AccessRequest:
    """Submit an access request to a collection the principal can see."""
    if principal.user_id is None:
        raise AuthenticationRequired("sign in to request access", "sign-in")
    pole = catalog.get_collection(form.collection).pole
    found = store.policies.for_collections([form.collection])[form.collection]
    if found.policy.kind is PolicyKind.RESTRICTED and not (principal.groups & found.policy.groups):
        raise CollectionNotFound(form.collection)
    return store.requests.submit(principal, pole, found.policy, form)


def require_admin(principal: Principal) -> Principal:
    """The principal, if signed in as an administrator (of the platform or of a pole)."""
    if principal.anonymous:
        raise AuthenticationRequired("sign in (or send a bearer token) first", "sign-in")
    if not (principal.platform_admin or any(g.startswith(POLE_ADMINS) for g in principal.groups)):
        raise AccessDenied("this operation is for administrators", "not-admin")
    return principal


def require_platform_admin(principal: Principal) -> Principal:
    """The principal, if signed in as a platform administrator."""
    require_admin(principal)
    if not principal.platform_admin:
        raise AccessDenied("this operation is for platform administrators", "not-admin")
    return principal
