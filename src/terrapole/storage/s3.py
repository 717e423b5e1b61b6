"""Objects in an S3-compatible bucket (AWS, MinIO, Ceph RGW, Garage...), under an optional prefix.

Library: boto3, the AWS-maintained SDK that every S3-compatible server tests against. Chosen
over obstore for three reasons: its managed transfers stream a Python iterator through a
multipart upload with a bounded number of parts in memory; it can copy an object server-side
while replacing its metadata, which is how a SHA-256 computed during the upload ends up in the
object's own metadata (obstore cannot set metadata on a copy); and it runs in Python, so the
memory a transfer holds is ours to bound and to measure. moto, the S3 server the tests run,
depends on it too.

Checksums: the SHA-256 is the user metadata `x-amz-meta-sha256`. When the caller knows it in
advance (`put(..., sha256=...)`, as ingest and replication do) the bytes go straight to the key
with it, and a mismatch found at the end of the stream aborts the upload before it completes,
leaving any previous object untouched. Otherwise the bytes go to a temporary key under
`.terrapole/tmp/` while being hashed, then are copied server-side to the key with the SHA-256 in
their metadata, so no reader ever sees the object without its checksum. A process killed
between the two leaves a temporary object behind: a bucket lifecycle rule on `.terrapole/tmp/`
(as for aborted multipart uploads) clears them.
"""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, Literal

import boto3
import botocore.config
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from terrapole.core.errors import ChecksumMismatch, ObjectNotFound, StorageError
from terrapole.storage.base import (
    CHUNK_SIZE,
    RESERVED_PREFIX,
    HashingChunks,
    ObjectInfo,
    PutResult,
    Store,
    check_key,
    check_prefix,
    check_range,
    guess_media_type,
)

MIB = 1024 * 1024
SHA256_METADATA = "sha256"
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})


@dataclass(frozen=True)
class S3Options:
    """How to reach the S3 endpoint; credentials left None come from boto3's usual chain
    (AWS_* variables, ~/.aws, instance roles)."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    part_size: int = 16 * MIB
    """Multipart part size: objects up to 10,000 parts, so 16 MiB allows 156 GiB."""
    max_concurrency: int = 4
    """Parts uploaded at once; an upload holds at most about `max_concurrency + 2` parts in memory."""
    chunk_size: int = CHUNK_SIZE


def s3_client(options: S3Options) -> Any:
    """A boto3 S3 client for these options (thread-safe; one per store)."""
    config = botocore.config.Config(
        s3={"addressing_style": options.addressing_style},
        retries={"max_attempts": 5, "mode": "standard"},
        # Request checksums only where S3 requires them: many S3-compatible servers reject the
        # CRC trailers recent botocore adds by default.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        max_pool_connections=max(10, 2 * options.max_concurrency),
    )
    session = boto3.session.Session(
        aws_access_key_id=options.access_key_id,
        aws_secret_access_key=options.secret_access_key,
        region_name=options.region,
    )
    return session.client("s3", endpoint_url=options.endpoint_url, config=config)


class S3Store(Store):
    """Objects in `bucket` under `prefix`; the bucket must exist."""

    def __init__(
        self, bucket: str, prefix: str = "", options: S3Options | None = None, client: Any = None
    ) -> None:
        self.bucket = bucket
        self.prefix = check_prefix(prefix.strip("/")) + "/" if prefix.strip("/") else ""
        self.options = options or S3Options()
        self.client = client if client is not None else s3_client(self.options)
        self._transfer = _transfer_config(self.options)

    def __repr__(self) -> str:
        return f"S3Store('s3://{self.bucket}/{self.prefix}')"

    def put(
        self,
        key: str,
        chunks: Iterable[bytes],
        *,
        media_type: str | None = None,
        sha256: str | None = None,
    ) -> PutResult:
        """Upload while hashing: straight to the key when `sha256` is known, else via a copy."""
        name = self._name(key)
        media_type = media_type or guess_media_type(key)
        if sha256 is not None:
            reader = _ChunkReader(key, chunks, expected=sha256.lower())
            self._upload(reader, name, media_type, sha256.lower())
            return reader.hashing.result()
        temporary = f"{self.prefix}{RESERVED_PREFIX}/tmp/{uuid.uuid4().hex}"
        reader = _ChunkReader(key, chunks)
        try:
            self._upload(reader, temporary, media_type, None)
            result = reader.hashing.result()
            self._copy_with_checksum(temporary, name, media_type, result.sha256)
        finally:
            # Best effort: a failure here must not hide the upload's own error.
            with contextlib.suppress(ClientError, BotoCoreError):
                self.client.delete_object(Bucket=self.bucket, Key=temporary)
        return result

    def get(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """One GET (with a Range header when a range is asked), streamed in chunks."""
        check_range(start, end)
        name = self._name(key)
        arguments: dict[str, Any] = {"Bucket": self.bucket, "Key": name}
        if end == start:
            self.stat(key)
            return iter(())
        if start or end is not None:
            arguments["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            response = self.client.get_object(**arguments)
        except ClientError as error:
            if _code(error) == "InvalidRange":
                return iter(())  # the range starts at or past the end: nothing to read
            raise _translated(key, error) from error
        except BotoCoreError as error:
            raise _translated(key, error) from error
        return _body_chunks(key, response["Body"], self.options.chunk_size)

    def stat(self, key: str) -> ObjectInfo:
        """One HEAD request: size, time, media type and the SHA-256 metadata."""
        name = self._name(key)
        with _s3_errors(key):
            head = self.client.head_object(Bucket=self.bucket, Key=name)
        return ObjectInfo(
            key=key,
            size=head["ContentLength"],
            last_modified=head["LastModified"].astimezone(UTC),
            media_type=head.get("ContentType") or guess_media_type(key),
            sha256=head.get("Metadata", {}).get(SHA256_METADATA),
        )

    def delete(self, key: str) -> None:
        """DELETE is idempotent in S3: an absent key is no error."""
        name = self._name(key)
        with _s3_errors(key):
            self.client.delete_object(Bucket=self.bucket, Key=name)

    def exists(self, key: str) -> bool:
        """A HEAD request that tells found from not found."""
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """ListObjectsV2 pages, in S3's (UTF-8 binary, so code point) order."""
        check_prefix(prefix)
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        reserved = self.prefix + RESERVED_PREFIX + "/"
        with _s3_errors(prefix):
            for page in pages:
                for entry in page.get("Contents", ()):
                    if not entry["Key"].startswith(reserved):
                        yield entry["Key"][len(self.prefix) :]

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _upload(self, reader: _ChunkReader, name: str, media_type: str, sha256: str | None) -> None:
        extra: dict[str, Any] = {"ContentType": media_type}
        if sha256 is not None:
            extra["Metadata"] = {SHA256_METADATA: sha256}
        with _s3_errors(reader.key):
            self.client.upload_fileobj(reader, self.bucket, name, ExtraArgs=extra, Config=self._transfer)

    def _copy_with_checksum(self, source: str, name: str, media_type: str, sha256: str) -> None:
        extra = {
            "Metadata": {SHA256_METADATA: sha256},
            "MetadataDirective": "REPLACE",
            "ContentType": media_type,
        }
        with _s3_errors(name):
            source_object = {"Bucket": self.bucket, "Key": source}
            self.client.copy(source_object, self.bucket, name, ExtraArgs=extra, Config=self._transfer)


class _ChunkReader(io.RawIOBase):
    """A readable file over an iterator of chunks, hashing as it goes, for boto3's transfers.

    With `expected`, reaching the end of the stream with another SHA-256 raises
    `ChecksumMismatch` from `read`, before the upload is completed: boto3 then aborts it.
    """

    def __init__(self, key: str, chunks: Iterable[bytes], expected: str | None = None) -> None:
        super().__init__()
        self.key = key
        self.hashing = HashingChunks(chunks)
        self._chunks = iter(self.hashing)
        self._expected = expected
        self._pending: list[bytes] = []  # chunks read ahead, kept whole: joined once per part
        self._pending_size = 0
        self._ended = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        wanted = None if size is None or size < 0 else size
        while not self._ended and (wanted is None or self._pending_size < wanted):
            chunk = next(self._chunks, None)
            if chunk is None:
                self._end()
            else:
                self._pending.append(chunk)
                self._pending_size += len(chunk)
        if wanted is None or self._pending_size <= wanted:
            parts, self._pending, self._pending_size = self._pending, [], 0
            return b"".join(parts)
        # Only the last chunk read crosses the boundary: split it, keep its tail for the next read.
        over = self._pending_size - wanted
        last = self._pending.pop()
        parts = [*self._pending, last[: len(last) - over]]
        self._pending, self._pending_size = [last[len(last) - over :]], over
        return b"".join(parts)

    def _end(self) -> None:
        self._ended = True
        actual = self.hashing.sha256
        if self._expected is not None and actual != self._expected:
            raise ChecksumMismatch(self.key, self._expected, actual)


def _body_chunks(key: str, body: Any, chunk_size: int) -> Iterator[bytes]:
    try:
        with _s3_errors(key):
            yield from body.iter_chunks(chunk_size)
    finally:
        body.close()


def _transfer_config(options: S3Options) -> TransferConfig:
    config = TransferConfig(
        multipart_threshold=options.part_size,
        multipart_chunksize=options.part_size,
        max_concurrency=options.max_concurrency,
    )
    # Parts of a non-seekable stream read ahead of the uploads (s3transfer's default is 10).
    config.max_in_memory_upload_chunks = options.max_concurrency
    return config


@contextlib.contextmanager
def _s3_errors(key: str) -> Iterator[None]:
    """boto3's errors as terrapole's, for the operation in the block."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise _translated(key, error) from error


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _translated(key: str, error: ClientError | BotoCoreError) -> StorageError | ObjectNotFound:
    """Not found, or a storage failure naming the S3 error code (never the credentials)."""
    if isinstance(error, BotoCoreError):
        return StorageError(f"S3 is unreachable or misconfigured ({type(error).__name__}): {error}")
    code = _code(error)
    if code in _NOT_FOUND:
        return ObjectNotFound(key)
    message = error.response.get("Error", {}).get("Message") or ""
    return StorageError(f"S3 refused an operation on {key!r}: {code} {message}".strip())
