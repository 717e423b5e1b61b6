"""Access control for stored objects: the hooks of the `/download/{key}` router (see
`protocols.downloads`) and the link from catalogued assets to the objects they name.

Objects that hold an item's data are stored under `collections/{collection}/items/{item}/{name}`
(`storage.assets`), and the item's asset names them by an href to `/download/{key}` on this
server (absolute or relative). A download of
such a key is decided like any read of the item's asset (`access.gate`): policy, grant, quota,
and one audit record with the bytes actually sent. Keys outside that layout, or whose item the
catalog does not hold, belong to no catalogued item: only platform administrators read those,
and everyone else gets 404.

A signed URL was issued to someone already allowed; its signature stands for the decision. When
it names a `subject` (a user), the decision is taken again for that user, so that a revoked
grant or a used-up quota also stops URLs signed earlier.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from starlette.requests import Request

from terrapole.access.accounts import UserNotFound
from terrapole.access.services import access_services
from terrapole.access.web import client_address, resolve_principal
from terrapole.core.access import Principal
from terrapole.core.errors import AccessDenied, NotFound, ObjectNotFound
from terrapole.core.model import Item
from terrapole.protocols.downloads import DOWNLOAD_PREFIX, DownloadEvent
from terrapole.storage.assets import asset_ref
from terrapole.storage.signing import SignedDownload

log = logging.getLogger("terrapole.access")


@dataclass(frozen=True, slots=True)
class Grab:
    """An allowed download in progress: who, and which item's asset (audited once it ends)."""

    principal: Principal
    collection: str
    item: str
    asset: str | None
    code: str  # the decision's code


def stored_key(href: str, base_url: str, prefix: str = DOWNLOAD_PREFIX) -> str | None:
    """The object key an asset href names on this server, or None for data published elsewhere."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        if not href.startswith(base_url.rstrip("/") + prefix + "/"):
            return None
        parts = urlsplit(href[len(base_url.rstrip("/")) :])
    if parts.query or not parts.path.startswith(prefix + "/"):
        return None
    return unquote(parts.path[len(prefix) + 1 :]) or None


def asset_of(item: Item, key: str, base_url: str) -> str | None:
    """The name of the item's asset whose href names this key, if any."""
    for name, asset in item.assets.items():
        href = asset.get("href")
        if isinstance(href, str) and stored_key(href, base_url) == key:
            return name
    return None


def authorize(request: Request, key: str) -> bool:
    """The router's `authorize(request, key)`: True, or a refusal (audited) raised."""
    return _authorize(request, key, resolve_principal(request))


def authorize_signed(request: Request, key: str, grant: SignedDownload) -> bool:
    """The router's `authorize_signed`: a URL signed for a user still needs that user's right."""
    if grant.subject is None:
        return True
    services = access_services(request)
    try:
        principal = services.store.accounts.get(grant.subject).principal()
    except UserNotFound:
        raise AccessDenied("the user this URL was signed for no longer exists", "unknown-user") from None
    return _authorize(request, key, principal)


def _authorize(request: Request, key: str, principal: Principal) -> bool:
    services = access_services(request)
    ref = asset_ref(key)
    try:
        item = services.catalog().get_item(ref.collection_id, ref.item_id) if ref else None
    except NotFound:
        item = None
    if item is None:
        if principal.platform_admin:
            request.state.grab = None
            return True
        raise ObjectNotFound(key)
    asset = asset_of(item, key, services.base_url(request))
    client = client_address(request)
    count = request.method != "HEAD"  # a HEAD sends no data: decided, not counted in a quota
    read = services.gate.authorize_read(principal, item.collection, item.id, asset, client, False, count)
    request.state.grab = Grab(principal, item.collection, item.id, asset, read.decision.code)
    return True


def audit(request: Request, event: DownloadEvent) -> None:
    """The router's `audit`: one record per allowed download, with the bytes actually sent."""
    grab = getattr(request.state, "grab", None)
    if event.outcome == "refused" or not isinstance(grab, Grab):
        # Refusals by policy were recorded when decided; the others (bad key, bad signature)
        # never reached an item.
        log.info("download of %r refused: %s", event.key, event.error)
        return
    services = access_services(request)
    services.store.audit.record(
        grab.principal,
        "read_data",
        grab.collection,
        grab.item,
        grab.asset,
        True,
        grab.code,
        event.bytes_sent,
        client_address(request),
        event.outcome,
    )
