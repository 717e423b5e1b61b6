"""The contract every object store keeps, and the pieces the stores share.

A store holds objects under `/`-separated keys (`land/snow/2024/tile.tif`). Bytes go in and out
as iterators of chunks, never as one buffer, so that a 100 GB file costs a few MB of memory. A
SHA-256 is computed while the bytes stream in and recorded with the object; `verify` reads the
object again and compares.

`Store` is an abstract base class rather than a `typing.Protocol` so that `verify`, written once
here over `get` and `stat`, is shared by every store.
"""

from __future__ import annotations

import hashlib
import mimetypes
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, NamedTuple

from terrapole.core.errors import ChecksumMismatch, InvalidObjectKey, InvalidParameter

CHUNK_SIZE = 1024 * 1024
"""Default size of the chunks `get` yields: large enough for throughput, small for memory."""

OCTET_STREAM = "application/octet-stream"
MAX_KEY_LENGTH = 1024  # S3's limit, in UTF-8 bytes
RESERVED_PREFIX = ".terrapole"
"""First key segment kept for the stores' own records (the local store's checksums and temp files)."""


@dataclass(frozen=True)
class ObjectInfo:
    """What a store knows about one object without reading it."""

    key: str
    size: int
    last_modified: datetime
    media_type: str
    sha256: str | None = None
    """Hex SHA-256 recorded when the object was written; None when it never went through `put`."""


class PutResult(NamedTuple):
    """The size and SHA-256 of the bytes a `put` stored (unpacks as `size, sha256`)."""

    size: int
    sha256: str


class Store(ABC):
    """An object store: put, get (whole or a byte range), stat, delete, exists, list_keys, verify."""

    @abstractmethod
    def put(
        self,
        key: str,
        chunks: Iterable[bytes],
        *,
        media_type: str | None = None,
        sha256: str | None = None,
    ) -> PutResult:
        """Store the streamed bytes at `key`, replacing any object there, all or nothing.

        `sha256`, when given, is the checksum the bytes must have: on a mismatch nothing is
        stored and `ChecksumMismatch` is raised. `media_type` defaults to a guess from the key.
        """

    @abstractmethod
    def get(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes `start` (included) to `end` (excluded, default the end) as chunks.

        Raises `ObjectNotFound` at once (not on the first chunk) when there is no such object.
        A range past the end of the object is cut at the end and may be empty.
        """

    @abstractmethod
    def stat(self, key: str) -> ObjectInfo:
        """Size, last modification, media type and recorded SHA-256; `ObjectNotFound` if absent."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object and its recorded checksum; deleting an absent key is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is stored at `key`."""

    @abstractmethod
    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """The keys that start with `prefix`, in lexicographic order."""

    def verify(self, key: str) -> bool:
        """Read the object back and check it against its recorded SHA-256.

        True when it matches; False when no checksum was recorded (nothing to check against);
        `ChecksumMismatch` when the stored bytes differ from what was written.
        """
        info = self.stat(key)
        if info.sha256 is None:
            return False
        actual = hash_stream(self.get(key))
        if actual.sha256 != info.sha256:
            raise ChecksumMismatch(key, info.sha256, actual.sha256)
        return True


def check_key(key: str) -> str:
    """The key itself when it is safe in every store; `InvalidObjectKey` otherwise.

    A key is relative, `/`-separated, with no empty, `.` or `..` segment, no backslash and no
    control character: it can never name anything outside its store, on disk or in a bucket.
    Every store refuses the same keys, so that an object can be copied between any two stores.
    """
    if not key:
        raise InvalidObjectKey(key, "empty")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
        raise InvalidObjectKey(key, "control characters (NUL, newline...) are not allowed")
    if "\\" in key:
        raise InvalidObjectKey(key, "backslashes are not allowed")
    if key.startswith("/"):
        raise InvalidObjectKey(key, "absolute keys are not allowed")
    if len(key.encode()) > MAX_KEY_LENGTH:
        raise InvalidObjectKey(key, f"longer than {MAX_KEY_LENGTH} bytes")
    segments = key.split("/")
    for segment in segments:
        if segment in ("", ".", ".."):
            raise InvalidObjectKey(key, f"segment {segment!r} is not allowed")
    if segments[0] == RESERVED_PREFIX:
        raise InvalidObjectKey(key, f"{RESERVED_PREFIX}/ is reserved for the store's own records")
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a key (possibly ending with `/`)."""
    if prefix:
        check_key(prefix.removesuffix("/"))
    return prefix


def check_range(start: int, end: int | None) -> None:
    """Refuse a negative start or an end before the start."""
    if start < 0:
        raise InvalidParameter("start", f"must not be negative, got {start}")
    if end is not None and end < start:
        raise InvalidParameter("end", f"must not be before start ({start}), got {end}")


def guess_media_type(key: str) -> str:
    """The media type the key's extension suggests, else application/octet-stream."""
    guessed, _ = mimetypes.guess_type(key, strict=False)
    return guessed or OCTET_STREAM


class HashingChunks:
    """Passes chunks through while counting and hashing them."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._hash = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self._hash.update(chunk)
            self.size += len(chunk)
            yield chunk

    @property
    def sha256(self) -> str:
        """Hex digest of what went through so far."""
        return self._hash.hexdigest()

    def result(self) -> PutResult:
        """Size and digest of everything that went through."""
        return PutResult(self.size, self.sha256)


def hash_stream(chunks: Iterable[bytes]) -> PutResult:
    """Size and SHA-256 of a stream of chunks, read once."""
    hashing = HashingChunks(chunks)
    for _ in hashing:
        pass
    return hashing.result()


def file_chunks(file: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """An open binary file as chunks, to hand to `Store.put`."""
    while chunk := file.read(chunk_size):
        yield chunk
