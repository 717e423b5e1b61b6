"""Time-limited signed download URLs.

A signed URL carries `expires` (Unix seconds), an optional `subject` (the user it was issued to)
and `signature`: HMAC-SHA256, under a key derived from the server's secret, over the method, the
object key, the expiry and the subject. Anyone holding the URL may download until it expires;
changing any part of it breaks the signature. Verification checks the signature before the
expiry, so a forged expiry is reported as tampering, and a genuine but late URL as expired.

`hmac` from the standard library does the work: signing a few fields needs no other library.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from terrapole.core.errors import InvalidParameter, InvalidSignature, SignatureExpired
from terrapole.secret_key import derive_key, secret_key
from terrapole.settings import Settings
from terrapole.storage.base import check_key

PURPOSE = "download-url-v1"
MAX_EXPIRES_IN = timedelta(days=7)
EXPIRES, SIGNATURE, SUBJECT = "expires", "signature", "subject"


@dataclass(frozen=True)
class SignedDownload:
    """A verified signed URL: which object, until when, for whom."""

    key: str
    expires: int
    subject: str | None


class UrlSigner:
    """Signs and verifies download URLs with one secret; `clock` is injectable for tests."""

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self._key = derive_key(secret, PURPOSE)
        self._clock = clock

    def __repr__(self) -> str:
        return "UrlSigner(<secret>)"

    @classmethod
    def from_settings(cls, settings: Settings) -> UrlSigner:
        """A signer with the server's secret (generated and kept in the data dir when unset)."""
        return cls(secret_key(settings))

    def sign(
        self, key: str, expires_in: float | timedelta, subject: str | None = None, method: str = "GET"
    ) -> dict[str, str]:
        """The query parameters that make a URL to `key` valid for `expires_in` (at most 7 days)."""
        seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else float(expires_in)
        if not 0 < seconds <= MAX_EXPIRES_IN.total_seconds():
            raise InvalidParameter("expires_in", f"must be between 1 s and 7 days, got {seconds} s")
        expires = int(self._clock() + seconds)
        params = {EXPIRES: str(expires)}
        if subject is not None:
            params[SUBJECT] = subject
        params[SIGNATURE] = self._signature(method, check_key(key), expires, subject)
        return params

    def verify(
        self, key: str, params: Mapping[str, str], method: str = "GET", subject: str | None = None
    ) -> SignedDownload:
        """The signed download these parameters grant for `key`.

        Raises `InvalidSignature` when a parameter is missing or malformed, or the signature does
        not match (tampered key, expiry or subject); `SignatureExpired` when it matched but the
        time is past; `InvalidSignature` too when `subject` is given and the URL was signed for
        someone else.
        """
        expires = _expiry(params)
        signed_subject = params.get(SUBJECT)
        expected = self._signature(method, key, expires, signed_subject)
        if not hmac.compare_digest(expected.encode(), params.get(SIGNATURE, "").encode()):
            raise InvalidSignature("the URL's signature does not match its key, expiry and subject")
        if self._clock() >= expires:
            raise SignatureExpired(expires)
        if subject is not None and signed_subject != subject:
            raise InvalidSignature("the URL was signed for another user")
        return SignedDownload(key, expires, signed_subject)

    def _signature(self, method: str, key: str, expires: int, subject: str | None) -> str:
        # A JSON array keeps the fields apart whatever characters the subject holds.
        message = json.dumps([PURPOSE, method.upper(), key, expires, subject]).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _expiry(params: Mapping[str, str]) -> int:
    if SIGNATURE not in params or EXPIRES not in params:
        raise InvalidSignature("a signed URL needs both `expires` and `signature`")
    raw = params[EXPIRES]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise InvalidSignature(f"`expires` must be a Unix time in seconds, got {raw!r}")
    return int(raw)


def is_signed(params: Mapping[str, str]) -> bool:
    """Whether these query parameters try to be a signed URL."""
    return SIGNATURE in params or EXPIRES in params


__all__ = ["SignedDownload", "UrlSigner", "is_signed"]
