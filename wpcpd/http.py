"""The one HTTP session factory: every channel's requests go through `make_session`.

It sets a User-Agent naming wpcpd and its version, a timeout on every request, the one retry
policy (`retry_delay`: exponential backoff with jitter, honouring Retry-After) for connection
errors, 5xx, 429 and WordPress.com's 403 "throttled" on every channel, an optional minimum
interval between requests, and auth that refuses to send a password over plain http to
anything but this machine.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from wpcpd import __version__
from wpcpd.errors import UsageError, WpcpdError

log = logging.getLogger("wpcpd.http")

USER_AGENT = f"wpcpd/{__version__} (WordPress archiver; +https://pypi.org/project/wpcpd/)"
DEFAULT_TIMEOUT = (10.0, 60.0)
RETRY_STATUSES = (429, 500, 502, 503, 504)
REPEATABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods whose request has the same effect sent twice: urllib3 may resend them."""


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


def refuse_plain_http(url: str, allow_insecure: bool = False) -> None:
    """The one rule for passwords: never over plain http, except to this machine or when
    the user accepted the risk (--insecure-http)."""
    if url.startswith("http://") and not (allow_insecure or is_loopback(url)):
        raise UsageError(
            f"refusing to send a password over plain http to {urlsplit(url).hostname}; "
            "use https, or --insecure-http if you accept the risk"
        )


class SafeBasicAuth(requests.auth.HTTPBasicAuth):
    """HTTP Basic auth that never goes over plain http except to this machine."""

    def __init__(self, username: str, password: str, *, allow_insecure: bool = False) -> None:
        super().__init__(username, password)
        self.allow_insecure = allow_insecure

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        refuse_plain_http(request.url or "", self.allow_insecure)
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
    """A session with default timeouts, a rate limit and the one retry policy.

    urllib3 (below) resends what it can judge on its own: connections that never opened,
    and 5xx/429 answers to methods safe to repeat. This loop resends what needs more:
    WordPress.com's 403 "throttled", a 429 to a POST (refused before anything was done),
    and requests the caller marks `idempotent` (XML-RPC reads, POSTed), whose lost answers
    and 5xx it resends too. Both wait `retry_delay()`; each attempt here counts as a request.
    """

    def __init__(self, politeness: Politeness) -> None:
        super().__init__()
        self.politeness = politeness
        self._lock = threading.Lock()
        self._next_start = 0.0
        self.request_count = 0

    def request(  # type: ignore[override]
        self,
        method: str,
        url: str,
        *args: Any,
        idempotent: bool = False,
        retries: int | None = None,
        retry_when: Callable[[requests.Response], bool] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """`retries` overrides the politeness's count for this request; `retry_when` says
        which answers to an idempotent request are worth another try (default: 5xx, 429)."""
        kwargs.setdefault("timeout", self.politeness.timeout)
        retries = self.politeness.retries if retries is None else retries
        for attempt in range(retries + 1):
            last = attempt == retries
            self._wait_turn()
            try:
                response = super().request(method, url, *args, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last or not idempotent or _already_retried(exc):
                    raise _network_error(url, exc) from exc
                self._pause(attempt, None, f"{method} {_redact(url)}: answer lost")
                continue
            log.info("%s %s -> %s", method, _redact(url), response.status_code)
            if last or not _worth_retrying(method, response, idempotent, retry_when):
                return response
            self._pause(attempt, response, f"{method} {_redact(url)}: {response.status_code}")
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait_turn(self) -> None:
        with self._lock:
            self.request_count += 1
            now = time.monotonic()
            wait = self._next_start - now
            self._next_start = max(now, self._next_start) + self.politeness.min_interval
        if wait > 0:
            time.sleep(wait)

    def _pause(self, attempt: int, response: requests.Response | None, why: str) -> None:
        retry_after = response.headers.get("Retry-After") if response is not None else None
        delay = retry_delay(self.politeness, attempt, retry_after)
        log.debug("%s, retrying in %.2f s", why, delay)
        time.sleep(delay)


def retry_delay(politeness: Politeness, attempt: int, retry_after: str | None = None) -> float:
    """The one backoff formula: `backoff` doubled each retry plus up to as much again of
    random jitter, at least what Retry-After asks, at most `max_backoff` seconds."""
    delay = politeness.backoff * (2**attempt)
    delay += random.uniform(0, delay)
    asked = _retry_after_seconds(retry_after)
    if asked is not None:
        delay = max(delay, asked)
    return min(delay, politeness.max_backoff)


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is a number of seconds or an HTTP date."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _worth_retrying(
    method: str,
    response: requests.Response,
    idempotent: bool,
    retry_when: Callable[[requests.Response], bool] | None,
) -> bool:
    if _throttled(response):
        return True
    if idempotent:
        return retry_when(response) if retry_when else response.status_code in RETRY_STATUSES
    # urllib3 has already retried 429 for the methods it may repeat.
    return response.status_code == 429 and method.upper() not in REPEATABLE_METHODS


def _already_retried(exc: Exception) -> bool:
    """urllib3 retries failed connections for every method; a dropped answer to a POST, never."""
    return bool(exc.args and isinstance(exc.args[0], MaxRetryError))


def _network_error(url: str, exc: Exception) -> NetworkError:
    if isinstance(exc, requests.ConnectionError):  # a ConnectTimeout too
        return NetworkError(f"{_where(url)}: cannot connect ({_reason(exc)})")
    return NetworkError(f"{_where(url)}: no answer in time")


class PoliteRetry(Retry):
    """urllib3's retries, waiting what `retry_delay` says instead of urllib3's own formula."""

    politeness: Politeness = Politeness()

    def new(self, **kw: Any) -> PoliteRetry:
        retry = super().new(**kw)
        retry.politeness = self.politeness
        return retry

    def sleep(self, response: Any = None) -> None:
        retry_after = response.headers.get("Retry-After") if response is not None else None
        time.sleep(retry_delay(self.politeness, max(len(self.history) - 1, 0), retry_after))


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
    retry = PoliteRetry(
        total=politeness.retries,
        connect=politeness.retries,
        read=politeness.retries,
        status=politeness.retries,
        status_forcelist=RETRY_STATUSES,
        # Only requests that are safe to repeat: a retried POST could create a duplicate.
        allowed_methods=REPEATABLE_METHODS,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    retry.politeness = politeness
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=16)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
