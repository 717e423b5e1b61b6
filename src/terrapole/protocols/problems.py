"""Errors as HTTP problems: one table from core error classes to status codes.

Core errors carry no HTTP knowledge; this module is the one place that decides their status
(as titiler's `errors.py` does). Bodies are RFC 9457 `application/problem+json` and also carry
the `code` and `description` members the STAC API error schema requires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from terrapole.core.errors import (
    AccessDenied,
    AuthenticationRequired,
    ChecksumMismatch,
    Conflict,
    InvalidParameter,
    InvalidRecord,
    InvalidSignature,
    NotFound,
    RateLimited,
    StorageError,
    TerrapoleError,
)
from terrapole.protocols import OrjsonResponse

PROBLEM_JSON = "application/problem+json"

STATUS_CODES: Mapping[type[TerrapoleError], int] = {
    InvalidParameter: 400,
    InvalidRecord: 400,
    AuthenticationRequired: 401,
    AccessDenied: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    InvalidSignature: 403,
    ChecksumMismatch: 500,
    StorageError: 503,
    TerrapoleError: 500,
}


def status_for(error: TerrapoleError) -> int:
    """The HTTP status of an error: that of its most specific class in `STATUS_CODES`."""
    for cls in type(error).__mro__:
        status = STATUS_CODES.get(cls)
        if status is not None:
            return status
    return 500


def problem(status: int, detail: str, code: str, **members: Any) -> OrjsonResponse:
    """A problem+json response; extra `members` (such as `parameter`) are added to the body."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "description": detail,
        **members,
    }
    return OrjsonResponse(body, status_code=status, media_type=PROBLEM_JSON)


async def terrapole_error_handler(request: Request, exc: Exception) -> Response:
    """Any `TerrapoleError` as a problem; the offending parameter is named when known."""
    assert isinstance(exc, TerrapoleError)
    members: dict[str, Any] = {"parameter": exc.parameter} if isinstance(exc, InvalidParameter) else {}
    if isinstance(exc, AccessDenied):
        members["reason"] = exc.reason_code
    response = problem(status_for(exc), exc.message, type(exc).__name__, **members)
    if isinstance(exc, AuthenticationRequired):
        response.headers["WWW-Authenticate"] = 'Bearer realm="terrapole"'
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """FastAPI's request validation errors as 400 problems (never 422)."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    parameter = _parameter_of(errors[0]) if errors else "request"
    details = "; ".join(dict.fromkeys(_describe(error) for error in errors[:6])) or "invalid request"
    return problem(400, details, "InvalidParameter", parameter=parameter)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """Starlette's HTTP errors (unknown route, method not allowed...) as problems."""
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    response = problem(exc.status_code, detail, HTTPStatus(exc.status_code).phrase.replace(" ", ""))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def add_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every expected error into problem+json."""
    app.add_exception_handler(TerrapoleError, terrapole_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(HTTPException, http_error_handler)


def _parameter_of(error: Mapping[str, Any]) -> str:
    location: Sequence[Any] = error.get("loc") or ()
    if error.get("type") == "json_invalid":
        return "body"
    # Drop list indexes and the type tags pydantic adds for union members (`str`, `list[str]`).
    names = [str(p) for p in location[1:] if isinstance(p, str) and p not in _TYPE_TAGS and "[" not in p]
    return ".".join(names) or str(location[0] if location else "request")


_TYPE_TAGS = frozenset({"str", "int", "float", "bool", "list", "dict"})
_NOT_AN_OBJECT = frozenset({"model_attributes_type", "model_type", "dict_type"})


def _describe(error: Mapping[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        return f"request body is not valid JSON{': ' + str(reason) if reason else ''}"
    if tuple(error.get("loc") or ()) == ("body",) and error.get("type") in _NOT_AN_OBJECT:
        return "body: the request body must be a JSON object sent as application/json"
    return f"{_parameter_of(error)}: {error.get('msg', 'invalid value')}"
