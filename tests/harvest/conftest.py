"""Fixtures of the harvest tests: a harvest store beside the catalog store (on both backends), a
harvester whose clock and backoff waits the tests control, and a real pycsw server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.harvest.local_sources import ISO_DIR
from tests.support.pycsw import PycswServer, pycsw_server

from terrapole.access.store import AccessStore
from terrapole.app import create_app
from terrapole.catalog import CatalogStore
from terrapole.harvest.runner import Harvester
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.store import HarvestStore
from terrapole.settings import Settings

T0 = datetime(2030, 1, 1, tzinfo=UTC)
# user name -> groups; each gets a personal token (`user_tokens`)
HARVEST_USERS: dict[str, tuple[str, ...]] = {
    "admin": ("platform-admins",),
    "ordinary": (),
    "land-curator": ("pole-curators:land",),
    "ocean-admin": ("pole-admins:ocean",),
}


@dataclass
class Clock:
    """A clock the test moves."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)


@dataclass
class Sleeps:
    """Records the backoff waits instead of waiting."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def harvest_store(settings: Settings, store: CatalogStore) -> Iterator[HarvestStore]:
    """The harvest store in the test's catalog database."""
    opened = HarvestStore.open(settings)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    """The harvester's clock."""
    return Clock()


@pytest.fixture
def sleeps() -> Sleeps:
    """The harvester's backoff waits."""
    return Sleeps()


@pytest.fixture
def harvester(store: CatalogStore, harvest_store: HarvestStore, clock: Clock, sleeps: Sleeps) -> Harvester:
    """A harvester into the test's catalog."""
    return Harvester(store, harvest_store, clock=clock, sleep=sleeps)


def add_source(
    harvest_store: HarvestStore, name: str, protocol: str, url: str, pole: str | None = None, **options: Any
) -> HarvestSource:
    """Register a source (options given as keywords)."""
    source = HarvestSource(name, protocol, url, pole, {k: str(v) for k, v in options.items()})
    return harvest_store.add_source(source, T0)


@pytest.fixture(scope="session")
def pycsw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PycswServer]:
    """A real pycsw 2.6.2 holding the ISO 19139 fixtures (loaded by pycsw's own loader), 10 records a page."""
    home: Path = tmp_path_factory.mktemp("pycsw")
    with pycsw_server(home, ISO_DIR, maxrecords=10) as server:
        yield server


def user_tokens(settings: Settings) -> dict[str, str]:
    """Personal tokens of `HARVEST_USERS`, created in the access store of these settings."""
    store = AccessStore.open(settings)
    try:
        tokens = {}
        for name, groups in HARVEST_USERS.items():
            store.accounts.add(name, groups=groups)
            tokens[name] = store.tokens.create(name, "tests")[1]
        return tokens
    finally:
        store.close()


def bearer(token: str) -> dict[str, str]:
    """Authorization headers for a personal token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(settings: Settings, store: CatalogStore) -> dict[str, str]:
    """Tokens of the harvest users, by user name."""
    return user_tokens(settings)


@pytest.fixture
def anonymous_client(settings: Settings, store: CatalogStore) -> Iterator[TestClient]:
    """An HTTP client over the application on the empty store, sending no credentials."""
    with TestClient(create_app(settings, store)) as http:
        yield http


@pytest.fixture
def client(anonymous_client: TestClient, tokens: dict[str, str]) -> TestClient:
    """The same client, signed in as a platform administrator."""
    anonymous_client.headers.update(bearer(tokens["admin"]))
    return anonymous_client
