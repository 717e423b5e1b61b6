"""Choosing a store from a URL or from the operator's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from terrapole.core.errors import InvalidParameter
from terrapole.settings import Settings
from terrapole.storage import LocalStore, open_store, store_from_settings
from terrapole.storage.s3 import MIB, S3Store


def test_paths_and_file_urls_open_a_local_store(tmp_path: Path) -> None:
    for location in (tmp_path, str(tmp_path), f"file://{tmp_path}", f"file://localhost{tmp_path}"):
        store = open_store(location)
        assert isinstance(store, LocalStore)
        assert store.root == tmp_path
    spaced = open_store(f"file://{tmp_path}/with%20space")
    assert isinstance(spaced, LocalStore)
    assert spaced.root == tmp_path / "with space"


def test_s3_urls_open_a_bucket_under_a_prefix() -> None:
    store = open_store("s3://poles-data/centre-a/land/")
    assert isinstance(store, S3Store)
    assert (store.bucket, store.prefix) == ("poles-data", "centre-a/land/")
    assert open_store("s3://poles-data").prefix == ""  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://host/data", "unsupported scheme"),
        ("s3://ab/x", "at least 3"),
        ("s3://bucket/../x", "key"),
        ("file://remote-host/data", "local path"),
    ],
)
def test_unusable_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(InvalidParameter, match=message):
        open_store(url)


def test_the_default_store_is_a_directory_in_the_data_dir(tmp_path: Path) -> None:
    store = store_from_settings(Settings(data_dir=tmp_path))
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "objects"


def test_an_operator_points_terrapole_at_an_s3_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = {
        "TERRAPOLE_STORAGE_URL": "s3://terrapole-centre-a/objects",
        "TERRAPOLE_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "TERRAPOLE_S3_REGION": "eu-west-3",
        "TERRAPOLE_S3_ACCESS_KEY_ID": "centre-a",
        "TERRAPOLE_S3_SECRET_ACCESS_KEY": "not-a-real-secret",
        "TERRAPOLE_S3_ADDRESSING_STYLE": "path",
        "TERRAPOLE_S3_PART_SIZE_MB": "32",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = Settings(data_dir=tmp_path)
    assert "not-a-real-secret" not in repr(settings)
    store = store_from_settings(settings)
    assert isinstance(store, S3Store)
    assert (store.bucket, store.prefix) == ("terrapole-centre-a", "objects/")
    assert store.options.part_size == 32 * MIB
    assert "not-a-real-secret" not in repr(store.options)
    assert store.client.meta.endpoint_url == "http://127.0.0.1:9000"
    assert store.client.meta.region_name == "eu-west-3"
    assert store.client._request_signer._credentials.access_key == "centre-a"
