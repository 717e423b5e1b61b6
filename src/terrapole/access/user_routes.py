"""What signed-in users do themselves: request access (`/access/requests`) and accept licences
(`/licences/{id}/accept`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from terrapole.access.operations import submit_request
from terrapole.access.requests import Submission
from terrapole.access.services import Services
from terrapole.access.web import CurrentPrincipal, require_user
from terrapole.core.access import UserCategory
from terrapole.protocols import OrjsonResponse


class RequestForm(BaseModel):
    """An access request: which collection, why, where, and what shows the user's category."""

    collection: str = Field(min_length=1)
    purpose: str = Field(min_length=1, max_length=4000)
    evidence: str = Field(min_length=1, max_length=4000, description="What supports the user category")
    area_of_interest: dict[str, Any] | None = Field(default=None, description="A GeoJSON geometry")
    category: str | None = Field(default=None, description="The category claimed (default: the user's)")


class Acceptance(BaseModel):
    """The licence version the user accepts."""

    version: str = Field(min_length=1, max_length=50)


router = APIRouter(tags=["Data access"])


@router.post("/access/requests", status_code=201)
def submit(body: RequestForm, principal: CurrentPrincipal, services: Services) -> Response:
    """Submit an access request to an eligibility-based collection."""
    require_user(principal)
    category = UserCategory.parse(body.category) if body.category else None
    form = Submission(body.collection, body.purpose, body.evidence, body.area_of_interest, category)
    found = submit_request(services.store, services.catalog(), principal, form)
    return OrjsonResponse(found.to_json(), status_code=201)


@router.get("/access/requests")
def mine(principal: CurrentPrincipal, services: Services) -> Response:
    """The signed-in user's requests, with their history."""
    require_user(principal)
    found = services.store.requests.listing(principal, mine=True)
    return OrjsonResponse({"requests": [r.to_json() for r in found]})


@router.get("/access/requests/{request_id}")
def one(request_id: int, principal: CurrentPrincipal, services: Services) -> Response:
    """One request (its author's, or for an administrator of its pole)."""
    require_user(principal)
    return OrjsonResponse(services.store.requests.get(request_id, principal).to_json())


@router.get("/licences/{licence_id}")
def licence(licence_id: str, services: Services, version: str | None = None) -> Response:
    """A licence (its latest registered version unless one is asked for)."""
    return OrjsonResponse(services.store.policies.licence(licence_id, version).to_json())


@router.post("/licences/{licence_id}/accept")
def accept(licence_id: str, body: Acceptance, principal: CurrentPrincipal, services: Services) -> Response:
    """Accept a licence version (recorded once)."""
    require_user(principal)
    found = services.store.policies.accept(principal, licence_id, body.version)
    return OrjsonResponse({"accepted": found.to_json(), "user": principal.name})
