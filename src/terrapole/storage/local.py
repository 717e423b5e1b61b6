"""Objects as files in one directory: the zero-configuration default.

Layout under the root: each object is the file at its key (`land/snow/tile.tif`); the store's
own records live under `.terrapole/` (a key prefix every store refuses): one small JSON file per
object in `.terrapole/checksums/<key>.json` with its SHA-256, size and media type, and temporary
files in `.terrapole/tmp/`. Extended attributes would be tidier but are lost by many copy tools
and unsupported on some file systems; a sidecar file survives `cp -r` and `rsync`.

Writes are atomic: bytes go to a temporary file on the same file system, are flushed to disk,
then renamed over the key, so a reader sees the old object or the new one, never a part. Two
writers of one key at the same moment: the last rename wins, and its checksum may be the other
writer's; the grid writes each key from one place, so this is left unguarded.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG
from typing import Any, BinaryIO

from terrapole.core.errors import ChecksumMismatch, Conflict, ObjectNotFound, StorageError
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


class LocalStore(Store):
    """A directory of files, with a JSON checksum record beside each object."""

    def __init__(self, root: Path | str, chunk_size: int = CHUNK_SIZE) -> None:
        self.root = Path(root).absolute()
        self.chunk_size = chunk_size
        self._records = self.root / RESERVED_PREFIX / "checksums"
        self._tmp = self.root / RESERVED_PREFIX / "tmp"

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def put(
        self,
        key: str,
        chunks: Iterable[bytes],
        *,
        media_type: str | None = None,
        sha256: str | None = None,
    ) -> PutResult:
        """Write to a temporary file while hashing, then rename it over the key."""
        target = self._path(key)
        self._tmp.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="put-")
        try:
            with open(fd, "wb") as out:
                result = _write_hashed(out, chunks)
            if sha256 is not None and result.sha256 != sha256.lower():
                raise ChecksumMismatch(key, sha256.lower(), result.sha256)
            _make_parents(target, key)
            os.replace(tmp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        record = {"sha256": result.sha256, "size": result.size, "media_type": media_type}
        self._write_record(key, record)
        return result

    def get(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Open the file now (so a missing key fails at once) and read it lazily."""
        check_range(start, end)
        file = self._open(key)
        return _read_chunks(file, start, end, self.chunk_size)

    def stat(self, key: str) -> ObjectInfo:
        """File size and time, with the checksum record's SHA-256 and media type."""
        try:
            status = self._path(key).stat()
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFound(key) from None
        if not S_ISREG(status.st_mode):
            raise ObjectNotFound(key)
        record = self._read_record(key)
        return ObjectInfo(
            key=key,
            size=status.st_size,
            last_modified=datetime.fromtimestamp(status.st_mtime, UTC),
            media_type=record.get("media_type") or guess_media_type(key),
            sha256=record.get("sha256"),
        )

    def delete(self, key: str) -> None:
        """Remove the file and its record, then the directories this left empty."""
        path = self._path(key)
        for doomed in (path, self._record_path(key)):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
                doomed.unlink()
        _remove_empty_parents(path.parent, self.root)
        _remove_empty_parents(self._record_path(key).parent, self._records)

    def exists(self, key: str) -> bool:
        """Whether a regular file is stored at the key."""
        return self._path(key).is_file()

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Walk only the deepest directory the prefix names, skipping the store's own records."""
        check_prefix(prefix)
        directory = prefix.rpartition("/")[0]
        base = self.root / directory if directory else self.root
        keys = []
        for folder, subfolders, files in os.walk(base):
            relative = Path(folder).relative_to(self.root).as_posix()
            if relative == ".":
                subfolders[:] = [name for name in subfolders if name != RESERVED_PREFIX]
                relative = ""
            for name in files:
                key = f"{relative}/{name}" if relative else name
                if key.startswith(prefix):
                    keys.append(key)
        return iter(sorted(keys))

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(key) from None

    def _record_path(self, key: str) -> Path:
        return self._records / f"{check_key(key)}.json"

    def _read_record(self, key: str) -> dict[str, Any]:
        try:
            record = json.loads(self._record_path(key).read_bytes())
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return {}
        return record if isinstance(record, dict) else {}

    def _write_record(self, key: str, record: dict[str, Any]) -> None:
        path = self._record_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="record-")
        with open(fd, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(tmp_name, path)


def _write_hashed(out: BinaryIO, chunks: Iterable[bytes]) -> PutResult:
    hashing = HashingChunks(chunks)
    for chunk in hashing:
        out.write(chunk)
    out.flush()
    # Flushed to disk before the rename: an accepted object survives a power cut.
    os.fsync(out.fileno())
    return hashing.result()


def _make_parents(target: Path, key: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise Conflict(f"cannot store {key!r}: one of its parent keys is an object") from None
    if target.is_dir():
        raise Conflict(f"cannot store {key!r}: other objects are stored under {key + '/'!r}")


def _read_chunks(file: BinaryIO, start: int, end: int | None, chunk_size: int) -> Iterator[bytes]:
    with file:
        size = os.fstat(file.fileno()).st_size
        remaining = max(0, min(size, size if end is None else end) - start)
        file.seek(start)
        while remaining > 0:
            chunk = file.read(min(chunk_size, remaining))
            if not chunk:
                raise StorageError(f"{file.name}: the file shrank while it was being read")
            remaining -= len(chunk)
            yield chunk


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty, or already gone
            return
        folder = folder.parent
