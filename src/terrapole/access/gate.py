"""The catalog's side of access control: what a principal may see, and how assets look to them.

It gathers the facts `core.access.decide` needs (policies from the access tables, the
principal's grants, licence acceptances and quota usage) and asks it. Reads of data go through
`authorize_read`, which also counts quotas and writes the audit log.

Asset links: an asset of data whose policy is not `open` is served through the
access-controlled data route, `/data/{collection}/{item}/{asset}`, for everyone (so that every
read is decided, counted and audited); when the principal may not read it, the asset also
carries `"terrapole:access": {"allowed": false, "reason": ..., "code": ...}`, and the route
refuses with the same reason. Thumbnails, overviews and metadata assets are metadata, visible
wherever the item is. Open data keeps the links it was published with.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

import shapely.geometry
from pyproj import Geod

from terrapole.access.policies import CollectionPolicies
from terrapole.access.store import AccessStore
from terrapole.catalog.base import CatalogStore
from terrapole.core.access import (
    NO_ENTITLEMENTS,
    Action,
    Decision,
    Entitlements,
    PolicyKind,
    Principal,
    QuotaUnit,
    Resource,
    Usage,
    decide,
)
from terrapole.core.errors import AccessDenied, AuthenticationRequired, CollectionNotFound, NotFound
from terrapole.core.model import Item

METADATA_ROLES = frozenset({"thumbnail", "overview", "metadata"})
ACCESS_MEMBER = "terrapole:access"
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True)
class DataRead:
    """An allowed read of one asset: by whom, the item, the asset's description and the decision."""

    principal: Principal
    item: Item
    asset: Mapping[str, Any]
    decision: Decision


class AccessGate:
    """Decides discovery and data access for the catalog's routes (a `core.access.DataGate`)."""

    def __init__(self, store: AccessStore, catalog: Callable[[], CatalogStore]) -> None:
        self.store = store
        self.catalog = catalog

    # -- discovery -----------------------------------------------------------------------------
    def hidden_collections(self, principal: Principal) -> frozenset[str]:
        """The restricted collections the principal may not discover."""
        now = self.store.clock()
        return frozenset(
            collection
            for collection, pole, policy in self.store.policies.restricted()
            if not decide(principal, Resource(collection, pole, policy), Action.DISCOVER, now).allowed
        )

    def check_visible(self, principal: Principal, collection: str) -> None:
        """Raise CollectionNotFound when the principal may not discover the collection."""
        if collection in self.hidden_collections(principal):
            raise CollectionNotFound(collection)

    # -- asset links ---------------------------------------------------------------------------
    def item_assets(
        self, principal: Principal, items: Sequence[Item], base_url: str
    ) -> list[Mapping[str, Any] | None]:
        """Each item's assets as the principal sees them (None: unchanged, open data)."""
        policies = self.store.policies.for_collections(
            {i.collection for i in items}, {(i.collection, i.id) for i in items}
        )
        resources = [_resource(item, policies) for item in items]
        if all(r.data_policy.kind is PolicyKind.OPEN for r in resources):
            return [None] * len(items)
        held = self.entitlements(principal)
        now = self.store.clock()
        views: list[Mapping[str, Any] | None] = []
        for item, resource in zip(items, resources, strict=True):
            if resource.data_policy.kind is PolicyKind.OPEN:
                views.append(None)
                continue
            decision = decide(principal, _with_area(resource, item, held), Action.READ_DATA, now, held)
            views.append(_assets(item, decision, base_url))
        return views

    def entitlements(self, principal: Principal) -> Entitlements:
        """The principal's grants, licence acceptances and quota usage."""
        if principal.user_id is None:
            return NO_ENTITLEMENTS
        grants = self.store.requests.grants(principal.user_id)
        usage = self.store.requests.usage(grants, self.store.clock())
        return Entitlements(tuple(grants), self.store.policies.acceptances(principal.user_id), usage)

    # -- reads ---------------------------------------------------------------------------------
    def authorize_read(
        self,
        principal: Principal,
        collection: str,
        item_id: str,
        asset: str | None,
        client: str | None = None,
        record_allowed: bool = True,
        count: bool = True,
    ) -> DataRead:
        """Decide a read of an item's asset, count it against a quota and audit it; raise when refused.

        A principal who may not discover the collection gets CollectionNotFound, as for a
        collection that does not exist. With `record_allowed` False an allowed read is left for
        the caller to audit, once it knows the bytes sent; refusals are always recorded here. With
        `count` False (a HEAD request: no data sent) the read is decided but not counted in a quota."""
        item = self.catalog().get_item(collection, item_id)
        audit = functools.partial(
            self.store.audit.record,
            principal,
            Action.READ_DATA.value,
            collection,
            item_id,
            asset,
            client=client,
        )
        held = self.entitlements(principal)
        policies = self.store.policies.for_collections([collection], [(collection, item_id)])
        resource = _with_area(_resource(item, policies), item, held)
        now = self.store.clock()
        described = item.assets.get(asset) if asset is not None else None
        missing = _missing(principal, resource, now, asset, described)
        if missing is not None:
            audit(False, missing[0])
            raise missing[1]

        def decide_with(usage: Mapping[int, Usage]) -> Decision:
            return decide(principal, resource, Action.READ_DATA, now, replace(held, usage=usage))

        if count:
            decision = self.store.requests.settle(held.grants, item_id, decide_with)
        else:
            decision = decide_with(self.store.requests.usage(held.grants, now))
        if record_allowed or not decision.allowed:
            size = described.get("file:size") if described and decision.allowed else None
            audit(decision.allowed, decision.code, size if isinstance(size, int) else None)
        _raise_unless(decision)
        return DataRead(principal, item, described or {}, decision)


def _missing(
    principal: Principal, resource: Resource, now: datetime, asset: str | None, described: object
) -> tuple[str, NotFound] | None:
    """Why the asset is not there for this principal (an audit code and the error), if it is not."""
    if not decide(principal, resource, Action.DISCOVER, now).allowed:
        return "restricted", CollectionNotFound(resource.collection)
    if asset is not None and described is None:
        return "no-such-asset", NotFound(f"item {resource.item!r} has no asset {asset!r}")
    return None


def _raise_unless(decision: Decision) -> None:
    if decision.allowed:
        return
    if decision.sign_in:
        raise AuthenticationRequired(decision.reason, decision.code)
    raise AccessDenied(decision.reason, decision.code)


def _resource(item: Item, policies: Mapping[str, CollectionPolicies]) -> Resource:
    found = policies.get(item.collection)
    if found is None:
        return Resource(item.collection, item=item.id)
    return Resource(item.collection, found.pole, found.policy, item.id, found.items.get(item.id))


def _with_area(resource: Resource, item: Item, held: Entitlements) -> Resource:
    """The resource with its area in km², when a km² quota may need it."""
    counts_area = any(
        g.collection == item.collection and g.quota and g.quota.unit is QuotaUnit.KM2 for g in held.grants
    )
    if not counts_area or item.geometry is None:
        return resource
    area, _ = _GEOD.geometry_area_perimeter(shapely.geometry.shape(item.geometry))
    return Resource(
        resource.collection,
        resource.pole,
        resource.policy,
        resource.item,
        resource.item_policy,
        abs(area) / 1e6,
    )


def data_href(base_url: str, collection: str, item: str, asset: str) -> str:
    """The access-controlled URL of an item's asset."""
    parts = (quote(p, safe="") for p in (collection, item, asset))
    return f"{base_url}/data/" + "/".join(parts)


def _assets(item: Item, decision: Decision, base_url: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, asset in item.assets.items():
        if METADATA_ROLES.intersection(asset.get("roles") or ()):
            out[key] = asset
            continue
        view = {**asset, "href": data_href(base_url, item.collection, item.id, key)}
        if not decision.allowed:
            view[ACCESS_MEMBER] = {"allowed": False, "code": decision.code, "reason": decision.reason}
        out[key] = view
    return out
