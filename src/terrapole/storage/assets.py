"""Asset files into a store at ingest, with the SHA-256 that downloads and replicas are checked against."""

from __future__ import annotations

from pathlib import Path

from terrapole.storage.base import PutResult, Store, file_chunks, hash_stream


def store_asset(store: Store, key: str, path: Path | str, media_type: str | None = None) -> PutResult:
    """Copy the file at `path` to `key` and return its size and SHA-256.

    The file is hashed first and the upload is checked against that hash, so a file that changes
    while it is being copied raises `ChecksumMismatch` and stores nothing (and an S3 store can
    put the checksum in the object's metadata at once, without a server-side copy).
    """
    source = Path(path)
    with source.open("rb") as file:
        expected = hash_stream(file_chunks(file))
    with source.open("rb") as file:
        return store.put(key, file_chunks(file), media_type=media_type, sha256=expected.sha256)
