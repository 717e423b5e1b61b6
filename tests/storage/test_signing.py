"""Signed download URLs and the server secret they rest on."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from terrapole.core.errors import (
    InvalidObjectKey,
    InvalidParameter,
    InvalidSignature,
    SignatureExpired,
    StorageError,
)
from terrapole.secret_key import derive_key, secret_key
from terrapole.settings import Settings
from terrapole.storage.signing import SignedDownload, UrlSigner

SECRET = b"0123456789abcdef0123456789abcdef-test-only"
NOW = 1_750_000_000.0
KEY = "land/vhr/pleiades/IMG_PHR1A_20240115.tif"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def signer(clock: Clock) -> UrlSigner:
    return UrlSigner(SECRET, clock=clock)


def test_a_signed_url_is_valid_until_it_expires(signer: UrlSigner, clock: Clock) -> None:
    params = signer.sign(KEY, expires_in=600)
    assert set(params) == {"expires", "signature"}
    assert params["expires"] == str(int(NOW) + 600)
    assert signer.verify(KEY, params) == SignedDownload(KEY, int(NOW) + 600, None)
    clock.now = NOW + 599
    assert signer.verify(KEY, params).key == KEY
    clock.now = NOW + 600
    with pytest.raises(SignatureExpired, match=f"expired at {int(NOW) + 600}"):
        signer.verify(KEY, params)


def test_a_subject_is_signed_with_the_url(signer: UrlSigner) -> None:
    params = signer.sign(KEY, expires_in=60, subject="alice@lab.example")
    assert params["subject"] == "alice@lab.example"
    assert signer.verify(KEY, params).subject == "alice@lab.example"
    assert signer.verify(KEY, params, subject="alice@lab.example").subject == "alice@lab.example"
    with pytest.raises(InvalidSignature, match="another user") as raised:
        signer.verify(KEY, params, subject="bob@lab.example")
    assert not isinstance(raised.value, SignatureExpired)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: {**p, "expires": str(int(p["expires"]) + 3600)}, id="later-expiry"),
        pytest.param(lambda p: {**p, "expires": str(int(p["expires"]) - 3600)}, id="earlier-expiry"),
        pytest.param(lambda p: {**p, "subject": "mallory"}, id="other-subject"),
        pytest.param(lambda p: {k: v for k, v in p.items() if k != "subject"}, id="subject-removed"),
        pytest.param(lambda p: {**p, "signature": p["signature"][:-2] + "AA"}, id="signature-changed"),
        pytest.param(lambda p: {**p, "signature": ""}, id="signature-empty"),
    ],
)
def test_tampered_urls_are_refused_as_tampered_not_expired(signer: UrlSigner, tamper: object) -> None:
    params = signer.sign(KEY, expires_in=60, subject="alice")
    assert callable(tamper)
    with pytest.raises(InvalidSignature, match="does not match") as raised:
        signer.verify(KEY, tamper(params))
    assert not isinstance(raised.value, SignatureExpired)


def test_a_url_signed_for_one_key_opens_no_other(signer: UrlSigner) -> None:
    params = signer.sign(KEY, expires_in=60)
    with pytest.raises(InvalidSignature, match="does not match"):
        signer.verify(KEY.replace("20240115", "20240116"), params)
    with pytest.raises(InvalidSignature, match="does not match"):
        signer.verify(KEY, params, method="DELETE")


def test_another_secret_does_not_verify(signer: UrlSigner, clock: Clock) -> None:
    params = signer.sign(KEY, expires_in=60)
    with pytest.raises(InvalidSignature):
        UrlSigner(SECRET + b"!", clock=clock).verify(KEY, params)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"signature": "abc"}, "both"),
        ({"expires": "1750000600"}, "both"),
        ({"expires": "soon", "signature": "abc"}, "Unix time"),
        ({"expires": "-5", "signature": "abc"}, "Unix time"),
        ({"expires": "\uff11\uff12\uff13", "signature": "abc"}, "Unix time"),  # full-width digits
        ({"expires": "9" * 40, "signature": "abc"}, "Unix time"),
    ],
)
def test_malformed_parameters_are_refused(signer: UrlSigner, params: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidSignature, match=message):
        signer.verify(KEY, params)


def test_signing_checks_its_arguments(signer: UrlSigner) -> None:
    for expires_in in (0, -1, 8 * 24 * 3600):
        with pytest.raises(InvalidParameter, match="expires_in"):
            signer.sign(KEY, expires_in=expires_in)
    with pytest.raises(InvalidObjectKey):
        signer.sign("../secret_key", expires_in=60)


def test_a_secret_is_generated_once_kept_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = secret_key(settings)
    path = tmp_path / "data/secret_key"
    assert len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(settings) == first
    assert secret_key(Settings(data_dir=tmp_path / "data")) == first
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["secret_key"]
    assert secret_key(Settings(data_dir=tmp_path / "other")) != first


def test_a_configured_secret_wins_and_must_be_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERRAPOLE_SECRET_KEY", "x" * 40)
    settings = Settings(data_dir=tmp_path)
    assert secret_key(settings) == b"x" * 40
    assert not (tmp_path / "secret_key").exists()
    assert "x" * 40 not in repr(settings)
    with pytest.raises(StorageError, match="too short"):
        secret_key(Settings(data_dir=tmp_path, secret_key=SecretStr("short")))


def test_keys_are_derived_per_purpose() -> None:
    assert derive_key(SECRET, "download-url-v1") != derive_key(SECRET, "session-cookie")
    assert derive_key(SECRET, "download-url-v1") == derive_key(SECRET, "download-url-v1")


def test_the_secret_never_reaches_the_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(data_dir=tmp_path)
    signer = UrlSigner.from_settings(settings)
    params = signer.sign(KEY, expires_in=60)
    signer.verify(KEY, params)
    logging.getLogger("terrapole.test").info("signer %r settings %r", signer, settings)
    secret = (tmp_path / "secret_key").read_text().strip()
    assert caplog.records  # the log line above went through
    assert secret not in caplog.text
    assert secret not in repr(signer)
