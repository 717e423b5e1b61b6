"""Object storage for data files: a local directory (default) or an S3-compatible bucket.

`open_store` picks the implementation from a URL (`s3://bucket/prefix`, `file:///path` or a plain
path); `store_from_settings` does it from the operator's settings. Every store streams, records
a SHA-256 per object and refuses keys that could leave it (see `base.check_key`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from terrapole.core.errors import InvalidParameter
from terrapole.settings import Settings
from terrapole.storage.assets import AssetRef, asset_key, asset_ref, store_asset
from terrapole.storage.base import ObjectInfo, PutResult, Store, check_key, file_chunks
from terrapole.storage.local import LocalStore

if TYPE_CHECKING:
    from terrapole.storage.s3 import S3Options


def open_store(url_or_path: str | Path, s3: S3Options | None = None) -> Store:
    """The store at `s3://bucket/prefix`, `file:///path` or a directory path.

    `s3` says how to reach the S3 endpoint (endpoint URL, region, credentials, part size).
    """
    if isinstance(url_or_path, Path):
        return LocalStore(url_or_path)
    parts = urlsplit(url_or_path)
    if parts.scheme == "s3":
        return _s3_store(url_or_path, parts.netloc, parts.path, s3)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise InvalidParameter("storage_url", f"{url_or_path!r}: file URLs must name a local path")
        return LocalStore(unquote(parts.path))
    if parts.scheme and len(parts.scheme) > 1:  # one letter: a Windows drive, so a path
        problem = f"unsupported scheme {parts.scheme!r} (use s3://, file:// or a path)"
        raise InvalidParameter("storage_url", f"{url_or_path!r}: {problem}")
    return LocalStore(url_or_path)


def store_from_settings(settings: Settings) -> Store:
    """The store the operator configured (`TERRAPOLE_STORAGE_URL` and `TERRAPOLE_S3_*`)."""
    url = settings.storage_url or settings.objects_dir
    if isinstance(url, str) and url.startswith("s3://"):
        return open_store(url, s3_options(settings))
    return open_store(url)


def s3_options(settings: Settings) -> S3Options:
    """The S3 connection options held in the settings."""
    from terrapole.storage.s3 import MIB, S3Options

    secret = settings.s3_secret_access_key
    return S3Options(
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=secret.get_secret_value() if secret is not None else None,
        addressing_style=settings.s3_addressing_style,
        part_size=settings.s3_part_size_mb * MIB,
        max_concurrency=settings.s3_max_concurrency,
    )


def _s3_store(url: str, bucket: str, prefix: str, options: S3Options | None) -> Store:
    # Imported here: boto3 takes a while to import, and a local-only server never needs it.
    from terrapole.storage.s3 import S3Store

    if len(bucket) < 3:
        raise InvalidParameter("storage_url", f"{url!r}: S3 bucket names have at least 3 characters")
    return S3Store(bucket, unquote(prefix), options)


__all__ = [
    "AssetRef",
    "LocalStore",
    "ObjectInfo",
    "PutResult",
    "Store",
    "asset_key",
    "asset_ref",
    "check_key",
    "file_chunks",
    "open_store",
    "s3_options",
    "store_asset",
    "store_from_settings",
]
