"""Large objects stream through every store in bounded memory, both ways.

The bytes are generated chunk by chunk and hashed on the fly, never held whole; `tracemalloc`
measures the peak of Python allocations during the put and during the get (boto3 and its HTTP
stack run in Python, so their buffers are counted). The bound depends on the store's chunk or
part size, not on the object's size: 12 MiB takes three multipart parts on S3 (5 MiB each in
these tests); 128 MiB checks the peak stays a small fraction of the size (through moto_server
it takes 6 to 11 s; it runs in the default suite because the access issue's acceptance asks for
a file over 100 MB through the S3 store).
"""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from tests.support.s3_server import raw_client

from terrapole.storage import LocalStore, Store
from terrapole.storage.base import CHUNK_SIZE
from terrapole.storage.s3 import MIB, S3Store

T = TypeVar("T")


class GeneratedFile:
    """`size` pseudo-random bytes made one chunk at a time, hashed as they are made."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.sha256 = hashlib.sha256()

    def chunks(self) -> Iterator[bytes]:
        for offset in range(0, self.size, MIB):
            chunk = os.urandom(min(MIB, self.size - offset))
            self.sha256.update(chunk)
            yield chunk


def peak_python_memory(action: Callable[[], T]) -> tuple[T, int]:
    """The action's result and the peak of Python allocations while it ran."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def memory_bound(store: Store) -> int:
    """What a transfer may hold at once: a few chunks locally; on S3, the parts in flight."""
    if isinstance(store, S3Store):
        return (2 * store.options.max_concurrency + 1) * store.options.part_size
    assert isinstance(store, LocalStore)
    return 4 * CHUNK_SIZE


def stream_through(store: Store, size: int) -> tuple[int, int]:
    """Put then get `size` bytes; checks sizes and digests; returns the two memory peaks."""
    generated = GeneratedFile(size)
    result, put_peak = peak_python_memory(lambda: store.put("big/cube.nc", generated.chunks()))
    assert result == (size, generated.sha256.hexdigest())
    assert store.stat("big/cube.nc").sha256 == generated.sha256.hexdigest()

    def read_back() -> tuple[int, str]:
        digest, received = hashlib.sha256(), 0
        for chunk in store.get("big/cube.nc"):
            digest.update(chunk)
            received += len(chunk)
        return received, digest.hexdigest()

    (received, digest), get_peak = peak_python_memory(read_back)
    assert (received, digest) == (size, generated.sha256.hexdigest())
    return put_peak, get_peak


def multipart_count(store: S3Store, key: str) -> int:
    """The number of parts an S3 object was uploaded in (its ETag ends with -N; none: 1)."""
    etag = raw_client(store).head_object(Bucket=store.bucket, Key=store.prefix + key)["ETag"]
    return int(etag.strip('"').partition("-")[2] or 1)


def test_a_12_mib_object_streams_in_parts_in_bounded_memory(object_store: Store) -> None:
    put_peak, get_peak = stream_through(object_store, 12 * MIB)
    bound = memory_bound(object_store)
    assert put_peak < bound, f"put held {put_peak / MIB:.1f} MiB"
    assert get_peak < 4 * CHUNK_SIZE, f"get held {get_peak / MIB:.1f} MiB"
    if isinstance(object_store, S3Store):
        assert multipart_count(object_store, "big/cube.nc") == 3  # 12 MiB in 5 MiB parts
    else:
        assert put_peak < 12 * MIB / 4


def test_multipart_upload_with_a_known_checksum_goes_straight_to_the_key(s3_store: S3Store) -> None:
    generated = GeneratedFile(11 * MIB)
    data = b"".join(generated.chunks())
    expected = generated.sha256.hexdigest()
    pieces = (data[offset : offset + MIB] for offset in range(0, len(data), MIB))
    assert s3_store.put("cube.nc", pieces, sha256=expected) == (len(data), expected)
    assert multipart_count(s3_store, "cube.nc") == 3
    assert s3_store.verify("cube.nc") is True


@pytest.mark.parametrize("object_store", ["local", "s3"], indirect=True)
def test_a_128_mib_object_streams_without_being_held_in_memory(object_store: Store) -> None:
    size = 128 * MIB
    put_peak, get_peak = stream_through(object_store, size)
    assert put_peak < min(size / 4, memory_bound(object_store)), f"put held {put_peak / MIB:.1f} MiB"
    assert get_peak < 4 * CHUNK_SIZE, f"get held {get_peak / MIB:.1f} MiB"
    assert object_store.verify("big/cube.nc") is True
