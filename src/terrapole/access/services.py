"""The access-control services the HTTP routes share, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from terrapole.access.gate import AccessGate
from terrapole.access.oidc import OidcConfig, OidcVerifier
from terrapole.access.store import AccessStore
from terrapole.access.web import Authenticator
from terrapole.catalog.base import CatalogStore
from terrapole.core.errors import StorageError
from terrapole.settings import Settings


@dataclass(frozen=True, slots=True)
class AccessServices:
    """The store, the authenticator (a FastAPI dependency), the gate and the catalog."""

    store: AccessStore
    authenticate: Authenticator
    gate: AccessGate
    catalog: Callable[[], CatalogStore]
    session_seconds: int

    @classmethod
    def build(
        cls, store: AccessStore, settings: Settings, catalog: Callable[[], CatalogStore]
    ) -> AccessServices:
        """Services over an open access store (OIDC when the settings configure an issuer)."""
        config = OidcConfig.from_settings(settings)
        oidc = OidcVerifier(config, store.accounts) if config else None
        return cls(
            store=store,
            authenticate=Authenticator(store, oidc),
            gate=AccessGate(store, catalog),
            catalog=catalog,
            session_seconds=int(settings.session_hours * 3600),
        )


def access_services(request: Request) -> AccessServices:
    """The dependency routes declare: the services the application opened (`app.state.access`)."""
    services = getattr(request.app.state, "access", None)
    if not isinstance(services, AccessServices):
        raise StorageError("access control is not open (the application has not started)")
    return services


Services = Annotated[AccessServices, Depends(access_services)]
