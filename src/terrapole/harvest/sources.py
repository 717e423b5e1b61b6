"""Harvest sources: a remote catalog of one pole, how to reach it and how often.

A `HarvestSource` is configuration only; what a harvest found (checkpoints, documents, runs)
lives in the harvest store. Options are strings, as typed on the command line
(`--option outputSchema=http://www.isotc211.org/2005/gmd`); each protocol module reads the ones it
knows, and `OPTIONS` lists them all so that a mistyped option is refused when the source is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from terrapole.core.errors import InvalidParameter
from terrapole.core.model import POLES

PROTOCOLS: tuple[str, ...] = ("csw", "oaipmh", "stac-api", "stac-static", "directory")
# Protocols whose URL may also be a local path (or a file: URL).
LOCAL_PROTOCOLS = frozenset({"stac-static", "directory"})

# Every option a source may carry, with what it means (shown by `terrapole harvest add --help`).
OPTIONS: dict[str, str] = {
    "outputSchema": "CSW: output schema of GetRecords (default ISO 19139, http://www.isotc211.org/2005/gmd)",
    "typeNames": "CSW: type names queried (default gmd:MD_Metadata)",
    "constraint": "CSW: a CQL text constraint every GetRecords carries (e.g. apiso:Subject like '%ocean%')",
    "modifiedProperty": "CSW: queryable of the metadata modification date (default apiso:Modified)",
    "metadataPrefix": "OAI-PMH: metadata format asked for (default oai_dc)",
    "set": "OAI-PMH: set to harvest",
    "collections": "STAC: comma-separated collection ids to harvest (default: all)",
    "items": "STAC: harvest items as well as collections (true/false, default true)",
    "pattern": "directory: glob of the files to read (default **/*)",
    "pageSize": "records asked for per request (default 100)",
    "parallel": "most requests in flight to this source at once (default 2)",
    "parseWorkers": "processes parsing records beside the harvesting one (default 1: none)",
    "retries": "attempts for a request that fails on the network (default 5)",
    "timeout": "seconds to wait for a response (default 60)",
    "fullEvery": "seconds between full listings that detect deletions (default 604800: a week)",
    "priority": "merge priority of this source's records over other poles' copies (default 0)",
}

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_INTERVAL = re.compile(r"^(\d+)\s*([smhd]?)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class HarvestSource:
    """One catalog to harvest: `name` is its id; `interval` its schedule (None: on demand only)."""

    name: str
    protocol: str
    url: str
    pole: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    interval: timedelta | None = None
    enabled: bool = True
    created: datetime | None = None

    def __post_init__(self) -> None:
        check_source(self)

    def option(self, name: str, default: str) -> str:
        """An option's value, or `default` when the source does not set it."""
        return self.options.get(name) or default

    def int_option(self, name: str, default: int) -> int:
        """An integer option; InvalidParameter naming it when it is not an integer."""
        text = self.options.get(name)
        if text is None or text == "":
            return default
        try:
            return int(text)
        except ValueError:
            raise InvalidParameter(f"option {name}", f"{text!r} is not an integer") from None

    def with_changes(self, **changes: Any) -> HarvestSource:
        """A copy with some fields replaced (checked again)."""
        return replace(self, **changes)

    def due(self, now: datetime, last_started: datetime | None) -> bool:
        """Whether the schedule calls for a run at `now`, the last run having started then."""
        if not self.enabled or self.interval is None:
            return False
        return last_started is None or now - last_started >= self.interval


def check_source(source: HarvestSource) -> None:
    """Raise InvalidParameter naming the first field of `source` that is not acceptable."""
    if not _NAME.match(source.name):
        raise InvalidParameter(
            "name", "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    if source.protocol not in PROTOCOLS:
        raise InvalidParameter("protocol", f"{source.protocol!r} is not one of {', '.join(PROTOCOLS)}")
    if source.pole is not None and source.pole not in POLES:
        raise InvalidParameter("pole", f"{source.pole!r} is not one of {', '.join(POLES)}")
    if not source.url:
        raise InvalidParameter("url", "empty")
    local = source.protocol in LOCAL_PROTOCOLS and not source.url.startswith(("http://", "https://"))
    if not local and not source.url.startswith(("http://", "https://")):
        raise InvalidParameter("url", f"{source.url!r} is not an http(s) URL")
    unknown = sorted(set(source.options) - set(OPTIONS))
    if unknown:
        raise InvalidParameter("option", f"unknown option {unknown[0]!r}; known: {', '.join(OPTIONS)}")
    if source.interval is not None and source.interval <= timedelta(0):
        raise InvalidParameter("interval", "must be positive")


def parse_options(pairs: Iterable[str]) -> dict[str, str]:
    """`["K=V", ...]` as a dict; InvalidParameter on a pair without '='."""
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidParameter("option", f"{pair!r} is not KEY=VALUE")
        options[key.strip()] = value.strip()
    return options


def parse_interval(text: str | None) -> timedelta | None:
    """`"90s"`, `"15m"`, `"6h"`, `"1d"` or a number of seconds as a timedelta; None for none."""
    if text is None or text.strip() in ("", "none", "off"):
        return None
    match = _INTERVAL.match(text.strip().lower())
    if match is None:
        raise InvalidParameter("interval", f"{text!r} is not like 90s, 15m, 6h or 1d")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def format_interval(interval: timedelta | None) -> str | None:
    """The shortest exact text `parse_interval` reads back into `interval`."""
    if interval is None:
        return None
    seconds = int(interval.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"
