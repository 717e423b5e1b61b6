"""HTTP for one harvest source: retries with bounded exponential backoff, few requests at once.

Every protocol client (OWSLib, Sickle, pystac-client, pystac) is given this transport instead of
its own HTTP stack, so that all of them retry the same way, respect the source's limit on
parallel requests and can be tested against local servers with an injected `sleep`.

A request is retried when the network fails (refused or dropped connection, a response cut
short, a timeout) and on the statuses that mean "later" (429, 502, 503, 504); it is not retried
on other errors, which retrying would not mend. The body is read completely inside the retried
step: a connection dropped in the middle of a page is a failed attempt, not a short page.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from terrapole import __version__
from terrapole.harvest.fetching import FetchError

RETRY_STATUSES = frozenset({429, 502, 503, 504})
USER_AGENT = f"terrapole-harvester/{__version__}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a request is tried: delays of first, first*factor, ... up to most."""

    attempts: int = 5
    first_delay: float = 0.5
    factor: float = 2.0
    most_delay: float = 30.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th failed attempt (1-based)."""
        return float(min(self.first_delay * self.factor ** (failures - 1), self.most_delay))


class Transport:
    """An HTTP client for one source (thread-safe; at most `parallel` requests in flight)."""

    def __init__(
        self,
        *,
        parallel: int = 2,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx.BaseTransport | None = None,
    ) -> None:
        self.parallel = max(1, parallel)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.requests = 0
        self.retries = 0
        self._slots = threading.BoundedSemaphore(self.parallel)
        self._count_lock = threading.Lock()
        self._client = httpx.Client(
            transport=http or httpx.HTTPTransport(retries=0),
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=self.parallel, max_keepalive_connections=self.parallel),
        )

    def get(
        self, url: str, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        """GET `url` (with query parameters merged into its own), retried as the module says."""
        # httpx would replace the URL's own query (OAI-PMH base URLs such as pycsw's carry one).
        target = httpx.URL(url).copy_merge_params(dict(params)) if params else httpx.URL(url)
        return self.request("GET", str(target), headers=headers)

    def post(self, url: str, content: bytes, headers: Mapping[str, str] | None = None) -> httpx.Response:
        """POST `content` to `url`, retried as the module says."""
        return self.request("POST", url, content=content, headers=headers)

    def request(self, method: str, url: str, **options: Any) -> httpx.Response:
        """One request, tried up to `retry.attempts` times; FetchError when it never succeeds."""
        failures = 0
        while True:
            try:
                return self._attempt(method, url, options)
            except _Retryable as exc:
                failures += 1
                if failures >= self.retry.attempts:
                    raise FetchError(f"{method} {url}: {exc} (gave up after {failures} attempts)") from None
                with self._count_lock:
                    self.retries += 1
                self.sleep(exc.retry_after or self.retry.delay(failures))

    def _attempt(self, method: str, url: str, options: Mapping[str, Any]) -> httpx.Response:
        with self._slots:
            with self._count_lock:
                self.requests += 1
            try:
                response = self._client.request(method, url, **options)
                response.read()
            except httpx.TransportError as exc:
                raise _Retryable(f"{type(exc).__name__}: {exc}") from None
        if response.status_code in RETRY_STATUSES:
            raise _Retryable(f"HTTP {response.status_code}", _retry_after(response, self.retry.most_delay))
        if response.status_code >= 400:
            raise FetchError(f"{method} {url}: HTTP {response.status_code} {_excerpt(response)}")
        return response

    def close(self) -> None:
        """Close the connections."""
        self._client.close()


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(response: httpx.Response, most: float) -> float | None:
    value = response.headers.get("Retry-After", "")
    return min(float(value), most) if value.isdigit() else None


def _excerpt(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:200]
