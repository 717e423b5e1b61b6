"""Downloads: stored objects over HTTP, streamed, with byte ranges, entity tags and signed URLs.

`object_response` turns one stored object into a response (RFC 9110): `Accept-Ranges: bytes`; a
single `Range` gets 206 with `Content-Range`; a range that starts past the end gets 416 with
`Content-Range: bytes */SIZE`; a Range header with several ranges is ignored and the whole
object served with 200, as RFC 9110 allows (multipart/byteranges bodies are rarely asked for
and would multiply the requests to S3; clients such as GDAL fall back to single ranges). The
ETag is the object's SHA-256, so `If-None-Match` gets 304 and `If-Range` guards resumed
downloads. `Repr-Digest` (RFC 9530) carries the same SHA-256 for clients that check it.

`download_router` serves `GET|HEAD /download/{key}`. Who may read what is not decided here: an
injected `authorize(request, key)` answers for ordinary requests (it must return True, or raise
a `TerrapoleError` such as 401/403, to let the request through); a request carrying a signed
URL's parameters (`expires`, `signature`, optional `subject`) is allowed by its valid signature,
and an optional `authorize_signed(request, key, grant)` can add checks (for example that the
subject still holds a grant). An optional `audit(request, event)` hears about every request,
served or refused, with the bytes actually sent.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from terrapole.core.errors import AccessDenied, InvalidSignature, TerrapoleError
from terrapole.protocols.problems import problem, status_for
from terrapole.settings import Settings
from terrapole.storage import store_from_settings
from terrapole.storage.base import ObjectInfo, Store, check_key
from terrapole.storage.signing import SignedDownload, UrlSigner, is_signed

DOWNLOAD_PREFIX = "/download"

Authorize = Callable[[Request, str], bool]
AuthorizeSigned = Callable[[Request, str, SignedDownload], bool]


@dataclass(frozen=True)
class DownloadEvent:
    """What one download request got: for the audit log."""

    key: str
    status: int
    bytes_sent: int
    outcome: Literal["served", "incomplete", "refused"]
    signed: bool = False
    subject: str | None = None
    """The user a signed URL was issued to."""
    error: str | None = None


Audit = Callable[[Request, DownloadEvent], None]
ByteRange = tuple[int, int]
"""Start (included) and end (excluded) of the bytes to send."""


class RangeNotSatisfiable(Exception):
    """The one range asked lies wholly past the end of the object."""


def object_response(
    store: Store, key: str, request: Request, on_done: Callable[[int, int, bool], None] | None = None
) -> Response:
    """The response to a GET or HEAD of `key`: 200, 206, 304 or 416, the body streamed.

    `on_done(status, bytes_sent, complete)` is called once the body has been sent or abandoned.
    """
    info = store.stat(key)
    headers = _object_headers(info)
    done = on_done or (lambda status, sent, complete: None)
    if _matches_any(request.headers.get("if-none-match"), headers["ETag"]):
        done(304, 0, True)
        return Response(status_code=304, headers=_without_body_headers(headers))
    try:
        byte_range = _range_to_serve(request, headers, info.size)
    except RangeNotSatisfiable:
        done(416, 0, True)
        response = problem(416, f"the object has {info.size} bytes", "RangeNotSatisfiable")
        response.headers["Content-Range"] = f"bytes */{info.size}"
        return response
    start, end = byte_range or (0, info.size)
    status = 206 if byte_range else 200
    headers["Content-Length"] = str(end - start)
    if byte_range:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{info.size}"
    if request.method == "HEAD":
        done(status, 0, True)
        return Response(status_code=status, headers=headers)
    body = _counted(store.get(key, start, end), end - start, lambda sent, ok: done(status, sent, ok))
    return StreamingResponse(body, status_code=status, headers=headers, media_type=info.media_type)


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range a `Range` header asks of an object of `size` bytes.

    None means serve the whole object: no header, a unit other than bytes, a malformed header
    (RFC 9110 says to ignore those) or several ranges (our choice). `RangeNotSatisfiable` when
    the range starts at or past the end (or is an empty suffix).
    """
    if not header or header[:6].lower() != "bytes=":
        return None
    specs = [spec.strip() for spec in header[6:].split(",") if spec.strip()]
    if len(specs) != 1 or _malformed(specs[0]):
        return None
    first, _, last = specs[0].partition("-")
    if not first:  # suffix: the last N bytes
        if int(last) == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - int(last)), size
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    return start, min(size, int(last) + 1) if last else size


def _malformed(spec: str) -> bool:
    """Whether one range spec is not `A-B`, `A-` or `-N` with ASCII digits."""
    first, dash, last = spec.partition("-")
    digits = (first + last).isascii() and all(part.isdigit() for part in (first, last) if part)
    return not dash or not (first or last) or not digits


def download_router(
    store_provider: Callable[[], Store],
    authorize: Authorize,
    signer: UrlSigner | None = None,
    *,
    authorize_signed: AuthorizeSigned | None = None,
    audit: Audit | None = None,
    prefix: str = DOWNLOAD_PREFIX,
) -> APIRouter:
    """`GET|HEAD {prefix}/{key}`: the object, if `authorize` or a valid signed URL allows it."""
    router = APIRouter(prefix=prefix, tags=["Downloads"])

    def download(key: str, request: Request) -> Response:
        """Download a stored object (whole or one byte range), if allowed."""
        params = dict(request.query_params)
        signed = is_signed(params)
        subject = params.get("subject") if signed else None
        report = _Reporter(request, key, signed, subject, audit)
        try:
            check_key(key)
            if signed:
                _allow_signed(request, key, params, signer, authorize_signed)
            elif authorize(request, key) is not True:
                raise AccessDenied(f"you may not download {key!r}")
            return object_response(store_provider(), key, request, on_done=report.done)
        except TerrapoleError as error:
            report.refused(error)
            raise

    path = "/{key:path}"
    router.add_api_route(path, download, methods=["GET"], response_class=Response, operation_id="download")
    router.add_api_route(path, download, methods=["HEAD"], response_class=Response, include_in_schema=False)
    return router


def add_download_routes(
    app: FastAPI,
    settings: Settings,
    authorize: Authorize,
    *,
    authorize_signed: AuthorizeSigned | None = None,
    audit: Audit | None = None,
) -> UrlSigner:
    """Serve `/download` from the configured store; returns the signer that makes its signed URLs."""
    store = store_from_settings(settings)
    signer = UrlSigner.from_settings(settings)
    router = download_router(lambda: store, authorize, signer, authorize_signed=authorize_signed, audit=audit)
    app.include_router(router)
    return signer


def signed_download_url(
    base_url: str, key: str, params: dict[str, str], prefix: str = DOWNLOAD_PREFIX
) -> str:
    """The absolute URL of a signed download (`params` from `UrlSigner.sign`)."""
    return f"{base_url.rstrip('/')}{prefix}/{quote(key, safe='/')}?{urlencode(params)}"


def _allow_signed(
    request: Request,
    key: str,
    params: dict[str, str],
    signer: UrlSigner | None,
    authorize_signed: AuthorizeSigned | None,
) -> None:
    if signer is None:
        raise InvalidSignature("this server does not accept signed URLs")
    grant = signer.verify(key, params, method="GET")  # HEAD is a GET without the body
    if authorize_signed is not None and authorize_signed(request, key, grant) is not True:
        raise AccessDenied(f"the signed URL no longer allows downloading {key!r}")


@dataclass
class _Reporter:
    request: Request
    key: str
    signed: bool
    subject: str | None
    audit: Audit | None

    def done(self, status: int, sent: int, complete: bool) -> None:
        outcome: Literal["served", "incomplete"] = "served" if complete else "incomplete"
        self._emit(DownloadEvent(self.key, status, sent, outcome, self.signed, self.subject))

    def refused(self, error: TerrapoleError) -> None:
        status = status_for(error)
        event = DownloadEvent(self.key, status, 0, "refused", self.signed, self.subject, type(error).__name__)
        self._emit(event)

    def _emit(self, event: DownloadEvent) -> None:
        if self.audit is not None:
            self.audit(self.request, event)


def _object_headers(info: ObjectInfo) -> dict[str, str]:
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": entity_tag(info),
        "Last-Modified": format_datetime(info.last_modified, usegmt=True),
        "Content-Disposition": _attachment(info.key),
        # Downloads may be restricted: shared caches must not keep them for other users.
        "Cache-Control": "private",
    }
    if info.sha256:
        digest = base64.b64encode(bytes.fromhex(info.sha256)).decode()
        headers["Repr-Digest"] = f"sha-256=:{digest}:"
    return headers


def entity_tag(info: ObjectInfo) -> str:
    """The object's ETag: its SHA-256 (strong), else a weak tag from its size and time."""
    if info.sha256:
        return f'"{info.sha256}"'
    return f'W/"{info.size:x}-{int(info.last_modified.timestamp() * 1e6):x}"'


def _matches_any(if_none_match: str | None, etag: str) -> bool:
    """`If-None-Match` uses the weak comparison: W/ prefixes are ignored."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def _range_to_serve(request: Request, headers: dict[str, str], size: int) -> ByteRange | None:
    """The Range to honour; `If-Range` must name the current strong ETag or Last-Modified."""
    if_range = request.headers.get("if-range")
    if if_range is not None:
        etag = headers["ETag"]
        current = if_range.strip() in (headers["Last-Modified"], etag) and not etag.startswith("W/")
        if not current:
            return None
    return parse_range(request.headers.get("range"), size)


def _without_body_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name != "Content-Disposition"}


def _attachment(key: str) -> str:
    name = key.rpartition("/")[2]
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _counted(chunks: Iterable[bytes], expected: int, done: Callable[[int, bool], None]) -> Iterator[bytes]:
    """Pass the chunks on, then report how many bytes went out and whether all of them did."""
    sent = 0
    try:
        for chunk in chunks:
            yield chunk
            sent += len(chunk)
    finally:
        done(sent, sent == expected)
