"""Fetching a blog's pages politely for the scraping source: robots.txt, a delay between
requests, a cap on the size read, conditional requests on re-runs and a page cache (so an
interrupted scrape resumes without fetching a page twice).

The cache is whatever the caller hands in that keeps `CachedPage`s (the archive does): the
fetcher only asks it for a page and gives it the pages it fetched.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import requests

from wpcpd.http import NetworkError, PoliteSession
from wpcpd.model import CachedPage, now_iso
from wpcpd.urls import origin as _origin

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10


class PageCache(Protocol):
    """Pages fetched before, by address: what a re-scrape asks conditionally and a resumed
    one reuses. `wpcpd.archive.Archive` is one."""

    def cached_page(self, url: str) -> CachedPage | None: ...

    def store_page(self, page: CachedPage) -> None: ...


class FetchError(Exception):
    """One address could not be read; the message says why, for the report."""


@dataclass
class Page:
    url: str
    final_url: str
    status: int
    content_type: str
    text: str
    how: str = "fetched"
    """fetched, unchanged (a 304 answered from the cache) or resumed (cache, no request)."""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class CrawlLog:
    """What the fetcher did, address by address."""

    fetched: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- fetching ----------------------------------------------------------------------------


class Fetcher:
    """GETs through the shared session, with robots.txt, a delay, a size cap and a cache."""

    def __init__(
        self,
        session: PoliteSession,
        cache: PageCache | None = None,
        *,
        delay: float = 1.0,
        ignore_robots: bool = False,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.session = session
        self.cache = cache
        self.delay = delay
        self.ignore_robots = ignore_robots
        self.max_bytes = max_bytes
        self.log = CrawlLog()
        self.resume_since: str | None = None
        """Cached pages fetched at or after this time are reused without a request."""
        self.robots: dict[str, RobotFileParser] = {}
        self._last_request = 0.0

    @property
    def user_agent(self) -> str:
        return str(self.session.headers.get("User-Agent", "wpcpd"))

    def get(self, url: str) -> Page:
        """The page at `url`, or FetchError with a reason a person can act on."""
        self._check_robots(url)
        cached = self.cache.cached_page(url) if self.cache else None
        if cached and cached.body is not None and self._resumable(cached):
            self.log.resumed.append(url)
            return Page(url, url, cached.status, cached.content_type, cached.body, "resumed")
        response, final_url = self._follow(url, cached)
        with response:
            return self._page(url, final_url, response, cached)

    def try_get(self, url: str) -> Page | None:
        """For probing: a page that is not there is no failure worth reporting."""
        try:
            return self.get(url)
        except FetchError:
            return None

    def _resumable(self, cached: CachedPage) -> bool:
        return self.resume_since is not None and cached.fetched_at >= self.resume_since

    def _follow(self, url: str, cached: CachedPage | None) -> tuple[requests.Response, str]:
        """Redirects one by one, so each hop waits its turn and a loop is named as one."""
        seen = [url]
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._request(current, cached if current == url else None)
            location = response.headers.get("Location")
            if not (response.is_redirect and location):
                return response, current
            response.close()
            current = urljoin(current, location)
            if current in seen:
                raise FetchError("redirect loop: " + " -> ".join([*seen, current]))
            seen.append(current)
            self._check_robots(current)
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def _request(self, url: str, cached: CachedPage | None) -> requests.Response:
        self._wait_turn(url)
        headers = {}
        if cached and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        try:
            return self.session.get(url, headers=headers, stream=True, allow_redirects=False)
        except NetworkError as exc:
            raise FetchError(str(exc)) from exc
        except requests.RequestException as exc:
            raise FetchError(f"request failed ({type(exc).__name__})") from exc

    def _wait_turn(self, url: str) -> None:
        delay = self.delay
        robots = self.robots.get(_origin(url))
        crawl_delay = robots.crawl_delay(self.user_agent) if robots else None
        if crawl_delay and not self.ignore_robots:
            delay = max(delay, float(crawl_delay))
        wait = self._last_request + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request = time.monotonic()

    def _page(
        self, url: str, final_url: str, response: requests.Response, cached: CachedPage | None
    ) -> Page:
        status = response.status_code
        if status == 304 and cached and cached.body is not None:
            self.log.unchanged.append(url)
            return Page(url, final_url, 200, cached.content_type, cached.body, "unchanged")
        if status != 200:
            raise FetchError(_status_reason(status))
        text = _decode(self._read(response), response)
        page = Page(url, final_url, status, response.headers.get("Content-Type", ""), text)
        page.headers = {k.lower(): v for k, v in response.headers.items()}
        self.log.fetched.append(url)
        self._store(page, response)
        return page

    def _read(self, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"page is {int(declared) // 1_000_000} MB, over the size cap")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"page is over the {self.max_bytes // 1_000_000} MB cap")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise FetchError(f"the connection broke while reading ({type(exc).__name__})") from exc
        return b"".join(chunks)

    def _store(self, page: Page, response: requests.Response) -> None:
        if self.cache is None:
            return
        self.cache.store_page(
            CachedPage(
                url=page.url,
                status=page.status,
                content_type=page.content_type,
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
                body=page.text,
                fetched_at=now_iso(),
            )
        )

    # -- robots.txt ----------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        if self.ignore_robots:
            return
        robots = self.robots.get(_origin(url)) or self._load_robots(url)
        if not robots.can_fetch(self.user_agent, url):
            raise FetchError(
                "robots.txt does not allow wpcpd to read this address (override: ignore_robots)"
            )

    def _load_robots(self, url: str) -> RobotFileParser:
        origin = _origin(url)
        robots = RobotFileParser(origin + "/robots.txt")
        self.robots[origin] = robots
        try:
            self._wait_turn(origin)
            response = self.session.get(origin + "/robots.txt", timeout=(10, 30))
        except (NetworkError, requests.RequestException):
            robots.parse([])  # unreachable robots.txt: as if there were none
            return robots
        if response.status_code in (401, 403) or response.status_code >= 500:
            robots.disallow_all = True
            self.log.notes.append(
                f"{origin}/robots.txt answered HTTP {response.status_code}: "
                "treating the whole site as closed to robots"
            )
        elif response.status_code == 200 and "html" not in _content_type(response):
            robots.parse(response.text.splitlines())
        else:
            robots.parse([])
        return robots

    def sitemaps_from_robots(self, home: str) -> list[str]:
        # Read even with ignore_robots: its Sitemap: lines are the best listing there is.
        robots = self.robots.get(_origin(home)) or self._load_robots(home)
        return list(robots.site_maps() or [])


def _status_reason(status: int) -> str:
    reasons = {
        404: "not found (HTTP 404)",
        410: "gone (HTTP 410)",
        401: "needs a login (HTTP 401)",
        403: "access denied (HTTP 403): a login wall or a blocked robot",
        429: "the site kept asking us to slow down (HTTP 429)",
    }
    if status in reasons:
        return reasons[status]
    if 300 <= status < 400:
        return f"redirect (HTTP {status}) without a Location"
    return f"HTTP {status}"


def _decode(body: bytes, response: requests.Response) -> str:
    charset = requests.utils.get_encoding_from_headers(response.headers)
    if charset and charset.lower() != "iso-8859-1":  # requests' default for text/*
        return body.decode(charset, errors="replace")
    declared = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", body[:4096], re.IGNORECASE)
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return body.decode(encoding, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _content_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "")
