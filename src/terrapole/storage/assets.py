"""Asset files in a store: where an item's asset is kept, and copying one in at ingest.

Asset keys follow one layout, `collections/{collection}/items/{item}/{name}`, so that whoever
holds a key (the download route, the access policy, the grid) can tell which collection and
item it belongs to without asking the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from terrapole.core.errors import InvalidObjectKey
from terrapole.storage.base import PutResult, Store, check_key, file_chunks, hash_stream


@dataclass(frozen=True)
class AssetRef:
    """The collection and item an asset key belongs to, and the file's name."""

    collection_id: str
    item_id: str
    name: str


def asset_key(collection_id: str, item_id: str, name: str) -> str:
    """The key of an item's asset file; ids and name must be single key segments."""
    for part in (collection_id, item_id, name):
        if "/" in part:
            raise InvalidObjectKey(part, "collection ids, item ids and file names cannot hold '/'")
    return check_key(f"collections/{collection_id}/items/{item_id}/{name}")


def asset_ref(key: str) -> AssetRef | None:
    """The collection, item and name of an asset key; None for keys outside the asset layout."""
    parts = key.split("/")
    if len(parts) != 5 or parts[0] != "collections" or parts[2] != "items" or not all(parts):
        return None
    return AssetRef(parts[1], parts[3], parts[4])


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
