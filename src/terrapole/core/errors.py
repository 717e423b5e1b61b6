"""The error hierarchy of terrapole.

Errors carry domain meaning only. Each protocol maps them to its own wire format
(problem+json for the OGC APIs, OWS ExceptionReport for CSW, error codes for OAI-PMH).
"""

from __future__ import annotations


class TerrapoleError(Exception):
    """Base class of every error terrapole raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidParameter(TerrapoleError):
    """A request parameter is malformed or out of range; `parameter` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


class InvalidFilter(InvalidParameter):
    """A CQL2 filter could not be parsed, or uses an operator or type we do not support."""

    def __init__(self, message: str) -> None:
        super().__init__("filter", message)


class UnknownQueryable(InvalidParameter):
    """A filter or sort refers to a property that is not queryable."""

    def __init__(self, parameter: str, name: str) -> None:
        super().__init__(parameter, f"unknown queryable or sort property {name!r}")
        self.name = name


class InvalidRecord(TerrapoleError):
    """A record offered for ingest is not a valid record of its kind."""


class NotFound(TerrapoleError):
    """A requested resource does not exist."""


class CollectionNotFound(NotFound):
    """No collection has this id."""

    def __init__(self, collection_id: str) -> None:
        super().__init__(f"collection {collection_id!r} not found")
        self.collection_id = collection_id


class ItemNotFound(NotFound):
    """No item has this id in this collection."""

    def __init__(self, collection_id: str, item_id: str) -> None:
        super().__init__(f"item {item_id!r} not found in collection {collection_id!r}")
        self.collection_id = collection_id
        self.item_id = item_id


class Conflict(TerrapoleError):
    """The request conflicts with the current state (for example an item whose collection is missing)."""


class StorageError(TerrapoleError):
    """The catalog storage failed or is in a state we cannot work with."""


class InvalidObjectKey(InvalidParameter):
    """An object key is empty, absolute, climbs out of its store (`..`) or holds forbidden characters."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__("key", f"invalid object key {key!r}: {reason}")
        self.key = key


class ObjectNotFound(NotFound):
    """No stored object has this key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"object {key!r} not found")
        self.key = key


class ChecksumMismatch(StorageError):
    """Stored or received bytes do not hash to the SHA-256 recorded or expected for them."""

    def __init__(self, key: str, expected: str, actual: str) -> None:
        super().__init__(f"object {key!r}: SHA-256 is {actual}, expected {expected}")
        self.key = key
        self.expected = expected
        self.actual = actual


class InvalidSignature(TerrapoleError):
    """A signed URL's signature does not match its key, expiry and subject (tampered or forged)."""


class SignatureExpired(InvalidSignature):
    """A signed URL was genuine but its expiry time has passed."""

    def __init__(self, expired_at: int) -> None:
        super().__init__(f"the signed URL expired at {expired_at} (Unix time)")
        self.expired_at = expired_at


class AccessDenied(TerrapoleError):
    """The principal may not do this; `reason_code` says why in a stable, machine-readable word."""

    def __init__(self, message: str, reason_code: str = "forbidden") -> None:
        super().__init__(message)
        self.reason_code = reason_code


class AuthenticationRequired(AccessDenied):
    """Nobody is signed in, or the credentials sent are invalid, expired or revoked."""


class RateLimited(TerrapoleError):
    """Too many attempts; the client may try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
