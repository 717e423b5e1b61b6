"""Harvesting a directory of metadata files (a pole's export, a mounted share, a git checkout).

Each file is one document under its path relative to the directory; its datestamp is its
modification time. Which files: those matching the `pattern` option (default every file) with a
metadata suffix (`ingest.METADATA_SUFFIXES`: XML, RDF, Turtle, JSON-LD) or a JSON one (STAC
Collections and Items, DataCite JSON, schema.org). Listing a directory is cheap, so every run is a
full listing (unchanged files are recognised by their digest, removed files are deleted); a run
that stopped goes on after the last file of its last page, in path order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from terrapole.harvest.fetching import RECORD, STAC_COLLECTION, STAC_ITEM, FetchedPage, Harvested
from terrapole.harvest.sources import HarvestSource
from terrapole.harvest.transport import Transport
from terrapole.ingest import JSON_SUFFIXES, METADATA_SUFFIXES

_STAC_TYPE = re.compile(rb'"type"\s*:\s*"(Collection|Feature)"')
_SNIFF = 4096


class DirectoryFetcher:
    """Pages of files from one directory tree, in path order."""

    incremental = False

    def __init__(self, source: HarvestSource, root: Path) -> None:
        self.root = root
        self.pattern = source.option("pattern", "**/*")
        self.page_size = source.int_option("pageSize", 100)

    def pages(self, since: datetime | None, resume: Mapping[str, Any] | None) -> Iterator[FetchedPage]:
        """Every matching file, `pageSize` a page, after the checkpoint's last path if any."""
        if not self.root.is_dir():
            raise FileNotFoundError(f"{self.root} is not a directory")
        after = str(resume.get("after", "")) if resume else ""
        names = [name for name in self._names() if name > after]
        if not names:
            yield FetchedPage([], None, total=0)
        for start in range(0, len(names), self.page_size):
            chunk = names[start : start + self.page_size]
            documents, failures = [], []
            for name in chunk:
                try:
                    documents.append(self._document(name))
                except OSError as exc:
                    failures.append((name, f"cannot read: {exc.strerror or exc}"))
            yield FetchedPage(documents, {"after": chunk[-1]}, failures, total=len(names))

    def _names(self) -> list[str]:
        suffixes = (*METADATA_SUFFIXES, *JSON_SUFFIXES)
        files = (p for p in self.root.glob(self.pattern) if p.is_file() and p.suffix.lower() in suffixes)
        return sorted(p.relative_to(self.root).as_posix() for p in files)

    def _document(self, name: str) -> Harvested:
        path = self.root / name
        data = path.read_bytes()
        stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        kind = RECORD
        if path.suffix.lower() in JSON_SUFFIXES and (match := _STAC_TYPE.search(data[:_SNIFF])):
            kind = STAC_COLLECTION if match.group(1) == b"Collection" else STAC_ITEM
        return Harvested(name, data, kind=kind, datestamp=stamp, url=path.as_uri())


def fetcher(source: HarvestSource, transport: Transport) -> DirectoryFetcher:
    """The directory fetcher of a source (its URL is a path or a file: URL)."""
    return DirectoryFetcher(source, Path(source.url.removeprefix("file://")))
