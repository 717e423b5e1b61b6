"""The server's secret: from `TERRAPOLE_SECRET_KEY`, else generated once and kept in the data directory.

Every use derives its own key from it (`derive_key`), so that a signature made for one purpose
(a download URL) is never valid for another (a session cookie). The secret is never logged: the
settings hold it as a `SecretStr`, and nothing here prints it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from terrapole.core.errors import StorageError
from terrapole.settings import Settings

SECRET_FILE = "secret_key"
MIN_LENGTH = 32


def secret_key(settings: Settings) -> bytes:
    """The configured secret, else the one in `<data_dir>/secret_key` (created on first use)."""
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value()
        if len(value) < MIN_LENGTH:
            raise StorageError(f"TERRAPOLE_SECRET_KEY is too short: use at least {MIN_LENGTH} characters")
        return value.encode()
    return _stored_secret(settings.data_dir / SECRET_FILE)


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose only (HMAC-SHA256 of the purpose under the secret)."""
    return hmac.new(secret, f"terrapole:{purpose}".encode(), hashlib.sha256).digest()


def _stored_secret(path: Path) -> bytes:
    if not path.exists():
        _create_secret(path)
    value = path.read_text(encoding="ascii").strip()
    if len(value) < MIN_LENGTH:
        raise StorageError(f"{path} holds no usable secret: delete it to have a new one generated")
    return value.encode()


def _create_secret(path: Path) -> None:
    """Write a new secret readable by its owner only; if another process won the race, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(secrets.token_hex(32) + "\n")
        out.flush()
        os.fsync(out.fileno())
    try:
        # A hard link never replaces an existing file: the first process to link wins, complete.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink()
