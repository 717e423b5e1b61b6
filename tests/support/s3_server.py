"""A real S3-compatible server for tests: moto's standalone server on a free loopback port.

`moto_server` is the one S3 server installable from the package index here (MinIO and the like
are not); boto3 speaks the S3 protocol to it over HTTP exactly as to AWS or MinIO. It keeps
objects in its own process's memory; each test gets a fresh bucket, emptied and removed after.

tests/conftest.py loads this module as a plugin, so its fixtures serve every test folder and
the server starts at most once a session, and only when a test asks for it.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.support.server_processes import free_port, stop_process, wait_until_answering

from terrapole.storage import LocalStore, Store
from terrapole.storage.s3 import MIB, S3Options, S3Store, s3_client

READY_WAIT_S = 30.0
TEST_PART_SIZE = 5 * MIB  # S3's smallest part: multipart uploads start at 5 MiB


@contextmanager
def moto_server(log: Path) -> Iterator[str]:
    """`moto_server` started on a free loopback port; yields its URL once it answers."""
    port = free_port()
    executable = Path(sys.executable).with_name("moto_server")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(executable), "-H", "127.0.0.1", "-p", str(port)], stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(process, url, log, READY_WAIT_S)
        yield url
    finally:
        stop_process(process)


def s3_test_options(endpoint_url: str) -> S3Options:
    """Options for the test server: small parts, so that 12 MB already takes a multipart upload."""
    return S3Options(
        endpoint_url=endpoint_url,
        region="us-east-1",
        access_key_id="terrapole-test",
        secret_access_key="terrapole-test-secret",
        part_size=TEST_PART_SIZE,
        max_concurrency=2,
    )


@dataclass(frozen=True)
class S3TestServer:
    """The session's moto_server: its URL, store options and one shared (thread-safe) client."""

    url: str
    options: S3Options
    client: Any


@contextmanager
def fresh_bucket(server: S3TestServer) -> Iterator[str]:
    """A new empty bucket, emptied and deleted afterwards (moto keeps objects in memory)."""
    client = server.client
    bucket = f"terrapole-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    try:
        yield bucket
    finally:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for entry in page.get("Contents", ()):
                client.delete_object(Bucket=bucket, Key=entry["Key"])
        client.delete_bucket(Bucket=bucket)


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3TestServer]:
    """A moto_server running for the whole session (started when a test first needs it)."""
    with moto_server(tmp_path_factory.mktemp("moto") / "moto_server.log") as url:
        options = s3_test_options(url)
        yield S3TestServer(url, options, s3_client(options))


@pytest.fixture
def s3_store(s3_endpoint: S3TestServer) -> Iterator[S3Store]:
    """A store under a prefix of a fresh bucket of the session's moto_server."""
    with fresh_bucket(s3_endpoint) as bucket:
        yield S3Store(bucket, "centre-a/data", s3_endpoint.options, client=s3_endpoint.client)


@pytest.fixture(params=["local", "s3"])
def object_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """Each store implementation in turn: a directory, then a prefix in a fresh S3 bucket."""
    if request.param == "local":
        return LocalStore(tmp_path / "objects")
    store: Store = request.getfixturevalue("s3_store")
    return store


def raw_client(store: Store) -> Any:
    """The boto3 client behind an S3 store (to tamper with objects behind its back)."""
    assert isinstance(store, S3Store)
    return store.client
