"""A real S3-compatible server for tests: moto's standalone server on a free loopback port.

`moto_server` is the one S3 server installable from the package index here (MinIO and the like
are not); boto3 speaks the S3 protocol to it over HTTP exactly as to AWS or MinIO. It keeps
objects in its own process's memory; each test gets a fresh bucket, emptied and removed after.

The fixtures are imported by the conftest files of the test folders that need them
(`from tests.support.s3_server import ...`).
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.server_processes import free_port, stop_process

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
        _wait_until_ready(process, url, log)
        yield url
    finally:
        stop_process(process)


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_WAIT_S
    while True:
        if process.poll() is not None:
            raise AssertionError(f"moto_server exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"moto_server not ready after {READY_WAIT_S} s:\n{log.read_text()[-2000:]}")
        time.sleep(0.05)


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


@contextmanager
def fresh_bucket(options: S3Options) -> Iterator[str]:
    """A new empty bucket, emptied and deleted afterwards (moto keeps objects in memory)."""
    client = s3_client(options)
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
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a moto_server running for the whole session."""
    with moto_server(tmp_path_factory.mktemp("moto") / "moto_server.log") as url:
        yield url


@pytest.fixture
def s3_store(s3_endpoint: str) -> Iterator[S3Store]:
    """A store under a prefix of a fresh bucket of the session's moto_server."""
    options = s3_test_options(s3_endpoint)
    with fresh_bucket(options) as bucket:
        yield S3Store(bucket, "centre-a/data", options)


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
