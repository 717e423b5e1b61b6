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
from terrapole.protocols import public_base_url
from terrapole.settings import Settings


@dataclass(frozen=True, slots=True)
class AccessServices:
    """The store, the authenticator (a FastAPI dependency), the gate and the catalog."""

    store: AccessStore
    authenticate: Authenticator
    gate: AccessGate
    catalog: Callable[[], CatalogStore]
    settings: Settings

    @property
    def session_seconds(self) -> int:
        """How long a browser session lasts."""
        return int(self.settings.session_hours * 3600)

    def base_url(self, request: Request) -> str:
        """The public URL prefix of this request's links."""
        return public_base_url(request, self.settings)

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
            settings=settings,
        )


def access_services(request: Request) -> AccessServices:
    """The dependency routes declare: the services the application opened (`app.state.access`)."""
    services = getattr(request.app.state, "access", None)
    if not isinstance(services, AccessServices):
        raise StorageError("access control is not open (the application has not started)")
    return services


Services = Annotated[AccessServices, Depends(access_services)]
