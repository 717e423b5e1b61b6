"""The access-controlled data route: `/data/{collection}/{item}/{asset}`.

Every read is decided by `core.access.decide`, counted against the reader's quota and written
to the audit log (`access.gate`). An allowed read of an asset published elsewhere is a
temporary redirect to where it lives; refusals are problem+json (401 to sign in, 403 otherwise,
404 for what the reader may not even see).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from terrapole.access.services import Services
from terrapole.access.web import CurrentPrincipal, client_address
from terrapole.core.errors import NotFound

router = APIRouter(tags=["Data access"])


@router.get("/data/{collection_id}/{item_id}/{asset}")
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
    allowed = services.gate.authorize_read(principal, collection_id, item_id, asset, address)
    href = allowed.asset.get("href")
    if not isinstance(href, str) or not href:
        raise NotFound(f"asset {asset!r} of item {item_id!r} has no location")
    return RedirectResponse(href, status_code=307)
