"""The access-controlled data route: `/data/{collection}/{item}/{asset}`.

Every read is decided by `core.access.decide`, counted against the reader's quota and written
to the audit log (`access.gate`). An asset stored here (its href names `/download/{key}` on this
server) is streamed at once, byte ranges included, and audited with the bytes sent; an asset
published elsewhere is a temporary redirect to where it lives. Refusals are problem+json: 401 to
sign in, 403 otherwise, 404 for what the reader may not even see.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from terrapole.access.downloads import stored_key
from terrapole.access.gate import DataRead
from terrapole.access.services import Services
from terrapole.access.web import CurrentPrincipal, client_address
from terrapole.core.errors import NotFound, StorageError
from terrapole.protocols.downloads import object_response

router = APIRouter(tags=["Data access"])


def read(
    request: Request,
    collection_id: str,
    item_id: str,
    asset: str,
    principal: CurrentPrincipal,
    services: Services,
) -> Response:
    """Read one asset of an item, if the policy allows it."""
    address = client_address(request)
    heading = request.method == "HEAD"
    allowed = services.gate.authorize_read(
        principal, collection_id, item_id, asset, address, False, not heading
    )
    href = allowed.asset.get("href")
    if not isinstance(href, str) or not href:
        raise NotFound(f"asset {asset!r} of item {item_id!r} has no location")
    key = stored_key(href, services.base_url(request))
    if key is None:
        _record(services, allowed, asset, address, "redirected", None)
        return RedirectResponse(href, status_code=307)
    objects = getattr(request.app.state, "objects", None)
    if objects is None:
        raise StorageError("this server has no object store")

    def done(status: int, sent: int, complete: bool) -> None:
        _record(services, allowed, asset, address, "served" if complete else "incomplete", sent)

    return object_response(objects, key, request, on_done=done)


def _record(
    services: Services, read: DataRead, asset: str, client: str, outcome: str, sent: int | None
) -> None:
    item = read.item
    code = read.decision.code
    services.store.audit.record(
        read.principal, "read_data", item.collection, item.id, asset, True, code, sent, client, outcome
    )


PATH = "/data/{collection_id}/{item_id}/{asset}"
router.add_api_route(PATH, read, methods=["GET"], response_class=Response, operation_id="read_data")
router.add_api_route(PATH, read, methods=["HEAD"], response_class=Response, include_in_schema=False)
