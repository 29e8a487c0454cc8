"""The one HTTP session factory: every channel's requests go through `make_session`.

It sets a User-Agent naming wpcpd and its version, a timeout on every request, retries with
exponential backoff and jitter (honouring Retry-After) on connection errors, 5xx, 429 and
WordPress.com's 403 "throttled", an optional minimum interval between requests, and auth
that refuses to send a password over plain http to anything but this machine.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from wpcpd import __version__
from wpcpd.errors import UsageError, WpcpdError

log = logging.getLogger("wpcpd.http")

USER_AGENT = f"wpcpd/{__version__} (WordPress archiver; +https://pypi.org/project/wpcpd/)"
DEFAULT_TIMEOUT = (10.0, 60.0)
RETRY_STATUSES = (429, 500, 502, 503, 504)


class NetworkError(WpcpdError):
    """A site could not be reached, or kept failing after the retries."""


@dataclass(frozen=True)
class Politeness:
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    retries: int = 5
    backoff: float = 0.5
    """Seconds; doubled each retry, plus up to as much again of random jitter."""
    min_interval: float = 0.0
    """Seconds between the starts of two requests (a global rate limit); 0 for none."""
    max_backoff: float = 60.0


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SafeBasicAuth(requests.auth.HTTPBasicAuth):
    """HTTP Basic auth that never goes over plain http except to this machine."""

    def __init__(self, username: str, password: str, *, allow_insecure: bool = False) -> None:
        super().__init__(username, password)
        self.allow_insecure = allow_insecure

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = request.url or ""
        if url.startswith("http://") and not (self.allow_insecure or is_loopback(url)):
            raise UsageError(
                f"refusing to send a password over plain http to {urlsplit(url).hostname}; "
                "use https, or --insecure-http if you accept the risk"
            )
        return super().__call__(request)

    def __repr__(self) -> str:
        return f"SafeBasicAuth({self.username!r}, '***')"


class BearerAuth(requests.auth.AuthBase):
    """An OAuth2 bearer token (WordPress.com), never sent over plain http off this machine."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = request.url or ""
        if url.startswith("http://") and not is_loopback(url):
            raise UsageError(f"refusing to send a token over plain http to {_where(url)}")
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth('***')"


class PoliteSession(requests.Session):
    """A session with default timeouts, a rate limit and throttling-aware retries."""

    def __init__(self, politeness: Politeness) -> None:
        super().__init__()
        self.politeness = politeness
        self._lock = threading.Lock()
        self._next_start = 0.0
        self.request_count = 0

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.politeness.timeout)
        for attempt in range(self.politeness.retries + 1):
            self._wait_turn()
            try:
                response = super().request(method, url, *args, **kwargs)
            except requests.ConnectionError as exc:
                raise NetworkError(f"{_where(url)}: cannot connect ({_reason(exc)})") from exc
            except requests.Timeout as exc:
                raise NetworkError(f"{_where(url)}: no answer in time") from exc
            log.info("%s %s -> %s", method, _redact(url), response.status_code)
            if not _throttled(response) or attempt == self.politeness.retries:
                return response
            self._sleep(attempt, response.headers.get("Retry-After"))
        return response

    def _wait_turn(self) -> None:
        with self._lock:
            self.request_count += 1
            now = time.monotonic()
            wait = self._next_start - now
            self._next_start = max(now, self._next_start) + self.politeness.min_interval
        if wait > 0:
            time.sleep(wait)

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.politeness.backoff * (2**attempt)
        delay += random.uniform(0, delay)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        time.sleep(min(delay, self.politeness.max_backoff))


def _throttled(response: requests.Response) -> bool:
    """WordPress.com answers 403 {"error": "throttled"} when it means 429."""
    if response.status_code != 403:
        return False
    try:
        return response.json().get("error") == "throttled"
    except (ValueError, AttributeError):
        return False


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _redact(url: str) -> str:
    """URLs never carry secrets in wpcpd, but strip any user:password a person typed."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in (
        "Connection refused",
        "Name or service not known",
        "timed out",
        "Connection reset",
        "Remote end closed",
        "Max retries exceeded",
    ):
        if marker in text:
            return marker.lower()
    return type(exc).__name__  # fmt: skip


def make_session(
    politeness: Politeness | None = None,
    auth: requests.auth.AuthBase | None = None,
) -> PoliteSession:
    """A session for one site: User-Agent, timeouts, retries with backoff, optional auth."""
    politeness = politeness or Politeness()
    session = PoliteSession(politeness)
    session.headers["User-Agent"] = USER_AGENT
    session.auth = auth
    retry = Retry(
        total=politeness.retries,
        connect=politeness.retries,
        read=politeness.retries,
        status=politeness.retries,
        backoff_factor=politeness.backoff,
        backoff_jitter=politeness.backoff,
        backoff_max=politeness.max_backoff,
        status_forcelist=RETRY_STATUSES,
        # Only requests that are safe to repeat: a retried POST could create a duplicate.
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=16)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
