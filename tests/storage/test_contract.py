"""The Store contract, on the local store and on an S3 bucket of a real S3 server (moto_server)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.support.s3_server import raw_client

from terrapole.core.errors import (
    ChecksumMismatch,
    Conflict,
    InvalidObjectKey,
    InvalidParameter,
    ObjectNotFound,
)
from terrapole.storage import LocalStore, Store
from terrapole.storage.s3 import S3Store

TEXT = b"Snow cover, Alps, 2024-01-15: 63 % of the massif above 1500 m.\n"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(store: Store, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join(store.get(key, start, end))


def pieces(data: bytes, size: int = 7) -> Iterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


def test_put_returns_size_and_sha256_and_get_gives_the_bytes_back(object_store: Store) -> None:
    result = object_store.put("land/snow/alps.txt", pieces(TEXT))
    assert result == (len(TEXT), sha(TEXT))
    size, digest = result
    assert (size, digest) == (len(TEXT), sha(TEXT))
    assert read(object_store, "land/snow/alps.txt") == TEXT


def test_stat_reports_size_checksum_media_type_and_time(object_store: Store) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    object_store.put("land/snow/alps.txt", [TEXT])
    object_store.put("land/snow/alps.tif", [b"II*\x00"], media_type="image/tiff; application=geotiff")
    info = object_store.stat("land/snow/alps.txt")
    assert (info.key, info.size, info.sha256, info.media_type) == (
        "land/snow/alps.txt",
        len(TEXT),
        sha(TEXT),
        "text/plain",
    )
    assert before <= info.last_modified <= datetime.now(UTC) + timedelta(seconds=5)
    assert info.last_modified.tzinfo is UTC
    assert object_store.stat("land/snow/alps.tif").media_type == "image/tiff; application=geotiff"


def test_an_empty_object(object_store: Store) -> None:
    assert object_store.put("empty.bin", []) == (0, EMPTY_SHA256)
    assert read(object_store, "empty.bin") == b""
    assert object_store.stat("empty.bin").size == 0
    assert object_store.verify("empty.bin") is True


def test_byte_ranges(object_store: Store) -> None:
    object_store.put("r.txt", pieces(TEXT))
    assert read(object_store, "r.txt", 0, 4) == TEXT[:4]
    assert read(object_store, "r.txt", 5, 9) == TEXT[5:9]
    assert read(object_store, "r.txt", 10) == TEXT[10:]
    assert read(object_store, "r.txt", len(TEXT) - 3, len(TEXT) + 100) == TEXT[-3:]
    assert read(object_store, "r.txt", len(TEXT)) == b""
    assert read(object_store, "r.txt", len(TEXT) + 10) == b""
    assert read(object_store, "r.txt", 6, 6) == b""


def test_a_bad_range_is_refused(object_store: Store) -> None:
    object_store.put("r.txt", [TEXT])
    with pytest.raises(InvalidParameter, match="start"):
        object_store.get("r.txt", -1)
    with pytest.raises(InvalidParameter, match="end"):
        object_store.get("r.txt", 5, 4)


def test_put_replaces_an_object_and_its_checksum(object_store: Store) -> None:
    object_store.put("a.txt", [b"first version"])
    object_store.put("a.txt", [b"second"])
    assert read(object_store, "a.txt") == b"second"
    assert object_store.stat("a.txt").sha256 == sha(b"second")
    assert object_store.verify("a.txt") is True


def test_missing_objects_fail_at_once(object_store: Store) -> None:
    with pytest.raises(ObjectNotFound, match=r"nothing/here\.txt"):
        object_store.get("nothing/here.txt")  # raised by the call, before any iteration
    with pytest.raises(ObjectNotFound):
        object_store.get("nothing/here.txt", 3, 3)
    with pytest.raises(ObjectNotFound):
        object_store.stat("nothing/here.txt")
    with pytest.raises(ObjectNotFound):
        object_store.verify("nothing/here.txt")
    assert object_store.exists("nothing/here.txt") is False


def test_delete(object_store: Store) -> None:
    object_store.put("ocean/sst/day1.nc", [TEXT])
    object_store.put("ocean/sst/day2.nc", [TEXT])
    assert object_store.exists("ocean/sst/day1.nc") is True
    object_store.delete("ocean/sst/day1.nc")
    assert object_store.exists("ocean/sst/day1.nc") is False
    with pytest.raises(ObjectNotFound):
        object_store.stat("ocean/sst/day1.nc")
    object_store.delete("ocean/sst/day1.nc")  # deleting again is no error
    assert list(object_store.list_keys()) == ["ocean/sst/day2.nc"]


def test_list_keys_by_prefix_in_order(object_store: Store) -> None:
    keys = ["a/b", "a-c", "a/a/z.txt", "b.txt", "a/ä.txt", "ab", "land/x y.tif"]
    for key in keys:
        object_store.put(key, [key.encode()])
    assert list(object_store.list_keys()) == sorted(keys)
    assert list(object_store.list_keys("a/")) == ["a/a/z.txt", "a/b", "a/ä.txt"]
    assert list(object_store.list_keys("a")) == ["a-c", "a/a/z.txt", "a/b", "a/ä.txt", "ab"]
    assert list(object_store.list_keys("a/a")) == ["a/a/z.txt"]
    assert list(object_store.list_keys("zzz")) == []
    assert list(object_store.list_keys("land/x")) == ["land/x y.tif"]


def test_keys_with_spaces_and_accents_round_trip(object_store: Store) -> None:
    key = "biodiversité/relevés 2024/espèce #1.csv"
    object_store.put(key, [b"lat,lon\n"])
    assert read(object_store, key) == b"lat,lon\n"
    assert list(object_store.list_keys("biodiversité/")) == [key]


def test_verify_detects_a_corrupted_object(object_store: Store) -> None:
    object_store.put("solid-earth/gnss/BRST.pos", [TEXT])
    assert object_store.verify("solid-earth/gnss/BRST.pos") is True
    corrupted = TEXT.replace(b"63", b"36")
    overwrite_behind_the_stores_back(object_store, "solid-earth/gnss/BRST.pos", corrupted)
    with pytest.raises(ChecksumMismatch) as raised:
        object_store.verify("solid-earth/gnss/BRST.pos")
    assert raised.value.expected == sha(TEXT)
    assert raised.value.actual == sha(corrupted)
    assert "solid-earth/gnss/BRST.pos" in raised.value.message


def test_verify_is_false_without_a_recorded_checksum(object_store: Store) -> None:
    write_without_checksum(object_store, "legacy/file.dat", b"written by another tool")
    assert object_store.stat("legacy/file.dat").sha256 is None
    assert object_store.verify("legacy/file.dat") is False


def test_expected_checksum_is_checked_and_a_mismatch_changes_nothing(object_store: Store) -> None:
    object_store.put("a.txt", [b"old"])
    assert object_store.put("b.txt", pieces(TEXT), sha256=sha(TEXT).upper()) == (len(TEXT), sha(TEXT))
    with pytest.raises(ChecksumMismatch, match="expected " + sha(b"other")):
        object_store.put("a.txt", pieces(TEXT), sha256=sha(b"other"))
    with pytest.raises(ChecksumMismatch):
        object_store.put("c.txt", pieces(TEXT), sha256=sha(b"other"))
    assert read(object_store, "a.txt") == b"old"
    assert object_store.stat("a.txt").sha256 == sha(b"old")
    assert list(object_store.list_keys()) == ["a.txt", "b.txt"]
    assert leftovers(object_store) == []


def test_a_stream_that_fails_stores_nothing(object_store: Store) -> None:
    object_store.put("a.txt", [b"old"])

    def broken() -> Iterator[bytes]:
        yield b"part of the new version"
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        object_store.put("a.txt", broken())
    with pytest.raises(ConnectionResetError):
        object_store.put("new.txt", broken())
    assert read(object_store, "a.txt") == b"old"
    assert list(object_store.list_keys()) == ["a.txt"]
    assert leftovers(object_store) == []


BAD_KEYS = [
    "",
    "../outside.txt",
    "a/../../outside.txt",
    "a/..",
    "/etc/passwd",
    "a//b",
    "./a",
    "a/./b",
    "a\x00b",
    "a\nb",
    "a\\..\\b",
    ".terrapole/checksums/a.txt.json",
    "x" * 1025,
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_that_could_escape_are_refused_everywhere(object_store: Store, key: str, tmp_path: Path) -> None:
    for operation in (
        lambda: object_store.put(key, [b"x"]),
        lambda: object_store.get(key),
        lambda: object_store.stat(key),
        lambda: object_store.delete(key),
        lambda: object_store.exists(key),
        lambda: object_store.verify(key),
    ):
        with pytest.raises(InvalidObjectKey) as raised:
            operation()
        assert raised.value.parameter == "key"
    assert list(object_store.list_keys()) == []
    assert not (tmp_path / "outside.txt").exists()


def test_listing_prefixes_that_could_escape_are_refused(object_store: Store) -> None:
    for prefix in ("../", "/etc", ".terrapole/", "a/../.."):
        with pytest.raises(InvalidObjectKey):
            list(object_store.list_keys(prefix))


def test_local_store_keeps_checksums_in_a_sidecar_and_refuses_file_directory_clashes(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    store.put("a/b.txt", [TEXT])
    record = tmp_path / "objects/.terrapole/checksums/a/b.txt.json"
    assert sha(TEXT) in record.read_text()
    with pytest.raises(Conflict, match="parent"):
        store.put("a/b.txt/c", [b"x"])
    with pytest.raises(Conflict, match="under"):
        store.put("a", [b"x"])
    store.delete("a/b.txt")
    assert not record.exists()
    assert not (tmp_path / "objects/a").exists()  # emptied directories go too


def test_s3_store_keeps_the_checksum_in_object_metadata(s3_store: S3Store) -> None:
    s3_store.put("a.txt", pieces(TEXT))  # hashed on the way, then copied with its metadata
    s3_store.put("b.txt", pieces(TEXT), sha256=sha(TEXT))  # metadata sent with the upload
    for key in ("a.txt", "b.txt"):
        head = raw_client(s3_store).head_object(Bucket=s3_store.bucket, Key=f"centre-a/data/{key}")
        assert head["Metadata"] == {"sha256": sha(TEXT)}
        assert head["ContentType"] == "text/plain"


def overwrite_behind_the_stores_back(store: Store, key: str, data: bytes) -> None:
    """Change an object's bytes but not its recorded checksum, as bit rot or a careless tool would."""
    if isinstance(store, LocalStore):
        (store.root / key).write_bytes(data)
        return
    assert isinstance(store, S3Store)
    name = store.prefix + key
    metadata = raw_client(store).head_object(Bucket=store.bucket, Key=name)["Metadata"]
    raw_client(store).put_object(Bucket=store.bucket, Key=name, Body=data, Metadata=metadata)


def write_without_checksum(store: Store, key: str, data: bytes) -> None:
    if isinstance(store, LocalStore):
        (store.root / key).parent.mkdir(parents=True, exist_ok=True)
        (store.root / key).write_bytes(data)
        return
    assert isinstance(store, S3Store)
    raw_client(store).put_object(Bucket=store.bucket, Key=store.prefix + key, Body=data)


def leftovers(store: Store) -> list[str]:
    """Temporary files or objects, and unfinished multipart uploads, a failed put left behind."""
    if isinstance(store, LocalStore):
        tmp = store.root / ".terrapole/tmp"
        return sorted(path.name for path in tmp.iterdir()) if tmp.exists() else []
    assert isinstance(store, S3Store)
    client = raw_client(store)
    temporary = client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix + ".terrapole/")
    uploads = client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
    return [entry["Key"] for entry in temporary.get("Contents", [])] + [u["Key"] for u in uploads]
