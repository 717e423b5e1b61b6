"""OAI-PMH 2.0 requests: the arguments of each verb, datestamps, set specs, item identifiers and
resumption tokens. Every refusal is an `OaiError` carrying the protocol's own error code.

Resumption tokens are stateless (any server process on the same catalog accepts them): the
list's arguments and the (datestamp, id) key of the last record delivered, in base64url JSON.
The list is ordered by that key and a changed record takes a datestamp past every stored one,
so a token stays valid while records change: every record is delivered once, and again only
when it changes after the harvest passed it.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

import orjson

from terrapole.catalog.base import ChangeKey, ChangeScope
from terrapole.core.timeutil import from_micros, to_micros

VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # verb: (required arguments, optional arguments); resumptionToken is handled apart.
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset()),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
}
RESUMABLE = frozenset({"ListSets", "ListIdentifiers", "ListRecords"})
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
SET_ROOT = "pole"

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_SET_PART = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
# Characters an OAI identifier may hold as they are (the `oai-identifier` scheme); others are %-escaped.
_IDENTIFIER_SAFE = "-_.!~*'();/?:@&=+$,"
_TOKEN_VERSION = 1
_MAX_TOKEN = 4096


class OaiError(Exception):
    """A request the repository refuses, with its OAI-PMH error code (badArgument, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class OaiRequest:
    """A request whose verb and argument names are valid: the arguments echoed in responses."""

    verb: str
    arguments: dict[str, str]


def parse_request(pairs: list[tuple[str, str]]) -> OaiRequest:
    """Check the verb and the argument names, counts and combinations of a request."""
    verbs = [value for name, value in pairs if name == "verb"]
    if len(verbs) != 1:
        raise OaiError("badVerb", "the verb argument is missing" if not verbs else "the verb is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb")
    arguments: dict[str, str] = {}
    for name, value in pairs:
        if name == "verb":
            continue
        if name in arguments:
            raise OaiError("badArgument", f"the argument {name!r} is repeated")
        arguments[name] = value
    _check_names(verb, arguments)
    return OaiRequest(verb, arguments)


def _check_names(verb: str, arguments: dict[str, str]) -> None:
    required, optional = VERBS[verb]
    if "resumptionToken" in arguments and verb in RESUMABLE:
        others = sorted(set(arguments) - {"resumptionToken"})
        if others:
            raise OaiError("badArgument", f"resumptionToken is an exclusive argument; also given: {others}")
        return
    illegal = sorted(set(arguments) - required - optional)
    if illegal:
        raise OaiError("badArgument", f"illegal argument(s) for {verb}: {', '.join(illegal)}")
    missing = sorted(required - set(arguments))
    if missing:
        raise OaiError("badArgument", f"missing required argument(s) for {verb}: {', '.join(missing)}")


# --- datestamps -----------------------------------------------------------------------------------


def format_datestamp(value: datetime) -> str:
    """A UTC datestamp at the repository's granularity (seconds)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datestamp(text: str, name: str) -> tuple[datetime, timedelta]:
    """A from/until value (day or second granularity) as its start instant and its length."""
    if _SECOND.fullmatch(text):
        layout, length = "%Y-%m-%dT%H:%M:%SZ", timedelta(seconds=1)
    elif _DAY.fullmatch(text):
        layout, length = "%Y-%m-%d", timedelta(days=1)
    else:
        raise OaiError("badArgument", f"{name}={text!r} is neither YYYY-MM-DD nor {GRANULARITY}")
    try:
        return datetime.strptime(text, layout).replace(tzinfo=UTC), length
    except ValueError:
        raise OaiError("badArgument", f"{name}={text!r} is not a valid date") from None


def parse_window(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """from and until as a [start, end) window: until takes in its whole second or day."""
    start = parse_datestamp(since, "from") if since is not None else None
    end = parse_datestamp(until, "until") if until is not None else None
    if start and end and start[1] != end[1]:
        raise OaiError("badArgument", "from and until must have the same granularity")
    if start and end and start[0] > end[0]:
        raise OaiError("badArgument", f"from ({since}) is later than until ({until})")
    return (start[0] if start else None), (_end_of(*end) if end else None)


def _end_of(start: datetime, length: timedelta) -> datetime | None:
    try:
        return start + length
    except OverflowError:  # until 9999-12-31: no end
        return None


# --- sets -----------------------------------------------------------------------------------------


def set_specs(pole: str | None, parent: str | None) -> list[str]:
    """The sets a record belongs to: `pole`, `pole:<pole>` and, for a series member whose series
    id is a valid setSpec part, `pole:<pole>:<series id>`."""
    if pole is None or not _SET_PART.fullmatch(pole):
        return []
    specs = [SET_ROOT, f"{SET_ROOT}:{pole}"]
    if parent is not None and _SET_PART.fullmatch(parent):
        specs.append(f"{SET_ROOT}:{pole}:{parent}")
    return specs


def parse_set(spec: str) -> ChangeScope | None:
    """The scope of a setSpec; None for a well-formed spec of no set we have (matches nothing)."""
    parts = spec.split(":")
    if not all(_SET_PART.fullmatch(part) for part in parts):
        raise OaiError("badArgument", f"set={spec!r} is not a valid setSpec")
    if parts[0] != SET_ROOT or len(parts) > 3:
        return None
    if len(parts) == 1:
        return ChangeScope(any_pole=True)
    return ChangeScope(pole=parts[1], parent=parts[2] if len(parts) == 3 else None)


# --- identifiers ----------------------------------------------------------------------------------


def oai_identifier(repository: str, collection_id: str) -> str:
    """`oai:<repository>:<collection id>`, the id %-escaped where the scheme demands it."""
    return f"oai:{repository}:{quote(collection_id, safe=_IDENTIFIER_SAFE)}"


def collection_id_of(repository: str, identifier: str) -> str:
    """The collection id an OAI identifier of this repository names; idDoesNotExist otherwise."""
    prefix = f"oai:{repository}:"
    # No collection id holds a NUL (and PostgreSQL text cannot).
    if not identifier.startswith(prefix) or len(identifier) == len(prefix) or "\x00" in unquote(identifier):
        raise OaiError(
            "idDoesNotExist", f"{identifier!r} is not an identifier of this repository ({prefix}...)"
        )
    return unquote(identifier[len(prefix) :])


# --- resumption tokens ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListState:
    """Where a ListIdentifiers/ListRecords harvest stands: its arguments, the key of the last
    record delivered, how many were delivered (the cursor) and the list size announced so far."""

    prefix: str
    set_spec: str | None
    since: datetime | None
    until: datetime | None  # exclusive
    after: ChangeKey | None = None
    cursor: int = 0
    size: int = 0

    def advanced(self, key: ChangeKey, delivered: int, size: int) -> ListState:
        """The state after a page of `delivered` records ending at `key`, `size` announced."""
        return replace(self, after=key, cursor=self.cursor + delivered, size=size)


def encode_token(state: ListState) -> str:
    """The resumption token of a state."""
    after_micros, after_id = (to_micros(state.after[0]), state.after[1]) if state.after else (None, None)
    fields = [
        _TOKEN_VERSION,
        state.prefix,
        state.set_spec,
        _micros(state.since),
        _micros(state.until),
        after_micros,
        after_id,
        state.cursor,
        state.size,
    ]
    return base64.urlsafe_b64encode(orjson.dumps(fields)).decode().rstrip("=")


def decode_token(token: str) -> ListState:
    """The state a resumption token carries; badResumptionToken when it is not one of ours."""
    try:
        if len(token) > _MAX_TOKEN:
            raise ValueError("too long")
        fields = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        version, prefix, set_spec, since, until, after_micros, after_id, cursor, size = fields
        if version != _TOKEN_VERSION or not isinstance(prefix, str):
            raise ValueError("unknown layout")
        if not (set_spec is None or isinstance(set_spec, str)) or not _counts(cursor, size):
            raise ValueError("bad field")
        after = None
        if after_micros is not None or after_id is not None:
            if not isinstance(after_id, str) or "\x00" in after_id:
                raise ValueError("bad key")
            after = (_instant(after_micros), after_id)
        window = (_optional_instant(since), _optional_instant(until))
        return ListState(prefix, set_spec, *window, after, cursor, size)
    except (ValueError, TypeError, binascii.Error, OverflowError):
        raise OaiError(
            "badResumptionToken", "the resumptionToken is invalid or was not issued here"
        ) from None


def _counts(*values: object) -> bool:
    return all(isinstance(value, int) and not isinstance(value, bool) and value >= 0 for value in values)


def _micros(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)


def _instant(value: object) -> datetime:
    if type(value) is not int:
        raise ValueError("not an instant")
    return from_micros(value)


def _optional_instant(value: object) -> datetime | None:
    return None if value is None else _instant(value)
