"""The asset key layout and copying asset files in at ingest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from terrapole.core.errors import ChecksumMismatch, InvalidObjectKey
from terrapole.storage import AssetRef, LocalStore, Store, asset_key, asset_ref, store_asset


def test_asset_keys_name_their_collection_and_item() -> None:
    key = asset_key("land-snow-cover", "SNOW_20240115_T31TGL", "snow.tif")
    assert key == "collections/land-snow-cover/items/SNOW_20240115_T31TGL/snow.tif"
    assert asset_ref(key) == AssetRef("land-snow-cover", "SNOW_20240115_T31TGL", "snow.tif")
    for other in (
        "land/snow.tif",
        "collections/a/items/b",
        "collections/a/things/b/c",
        "collections//items/b/c",
    ):
        assert asset_ref(other) is None


@pytest.mark.parametrize(
    "parts", [("a/b", "i", "f"), ("c", "..", "f"), ("c", "i", "x/../../y"), ("c", "i", "")]
)
def test_asset_keys_refuse_ids_that_would_change_the_layout(parts: tuple[str, str, str]) -> None:
    with pytest.raises(InvalidObjectKey):
        asset_key(*parts)


def test_store_asset_records_size_and_checksum(object_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "S2B_T31TCJ_B04.tif"
    data = b"II*\x00" + bytes(range(256)) * 4000  # about 1 MB: several chunks
    path.write_bytes(data)
    key = asset_key("land-s2", "S2B_T31TCJ_20240115", "B04.tif")
    size, digest = store_asset(object_store, key, path, media_type="image/tiff; application=geotiff")
    assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest())
    info = object_store.stat(key)
    assert (info.size, info.sha256, info.media_type) == (size, digest, "image/tiff; application=geotiff")
    assert b"".join(object_store.get(key)) == data
    assert object_store.verify(key) is True


def test_a_file_that_changes_during_ingest_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path / "objects")
    path = tmp_path / "growing.csv"
    path.write_bytes(b"t,v\n0,1\n")
    real_put = store.put

    def put_after_an_append(key: str, chunks: object, **options: object) -> object:
        with path.open("ab") as appender:  # another process appends between the hash and the copy
            appender.write(b"1,2\n")
        return real_put(key, chunks, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "put", put_after_an_append)
    with pytest.raises(ChecksumMismatch):
        store_asset(store, "series/growing.csv", path)
    assert list(store.list_keys()) == []
