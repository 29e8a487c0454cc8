"""Talk to a WordPress REST API: self-hosted (`/wp-json/wp/v2/...`) or WordPress.com's.

GETs with WordPress's error bodies turned into messages, paging (concurrent after the first
page), and the kinds of refusal a reader must tell apart (no API, a closed API, an error).
Writes go through `wpcpd.wordpress.writer.RestWriter`; logging in through
`wpcpd.wordpress.connect`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests

from wpcpd.errors import SourceError
from wpcpd.http import PoliteSession
from wpcpd.wordpress.discover import SiteApi, route_url

PER_PAGE = 100
# Post types that hold the site's machinery rather than its writing.
SKIPPED_TYPES = frozenset(
    {"attachment", "nav_menu_item", "wp_template", "wp_template_part", "wp_global_styles",
     "wp_navigation"}
)  # fmt: skip
SKIPPED_TAXONOMIES = frozenset({"nav_menu", "wp_theme", "wp_template_part_area"})
T = TypeVar("T")
R = TypeVar("R")


class RestError(SourceError):
    def __init__(self, message: str, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class _RestUnusable(SourceError):
    """REST cannot serve this caller; `api` and `session` say what discovery found, so
    that a reader can go another way (XML-RPC, scraping) without asking again."""

    api: SiteApi | None = None
    session: PoliteSession | None = None


class NoRestApi(_RestUnusable):
    """The site shows no WordPress REST API at all."""


class RestBlocked(_RestUnusable):
    """The REST API is there but closed to this caller (a security plugin, a filter)."""


BLOCKED_CODES = frozenset({"rest_cannot_access", "rest_disabled", "rest_login_required",
                           "rest_forbidden"})  # fmt: skip


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    total_pages: int


class RestClient:
    """GETs against one REST root, with WordPress's error bodies turned into messages."""

    def __init__(self, session: PoliteSession, root: str, concurrency: int = 4) -> None:
        self.session = session
        self.root = root
        self.concurrency = max(1, concurrency)
        self._index: dict[str, Any] | None = None
        self.fields: dict[str, str] = {}
        """Route base -> the `_fields` to ask for: only what wpcpd reads. WordPress then
        skips work nobody uses (rendered content, links, avatars), which halves a pull."""
        self.server_time: str | None = None
        """The site's own clock at its first answer (UTC, ISO): high-water marks use it,
        so a difference between this machine's clock and the site's cannot hide edits."""

    def get(self, route: str, params: dict[str, Any] | None = None) -> requests.Response:
        url = self.url_for(route)
        response = self.session.get(url, params=params)
        if self.server_time is None and response.headers.get("Date"):
            self.server_time = _utc_iso(response.headers["Date"])
        if response.status_code >= 400:
            raise _error(url, response)
        if "json" not in response.headers.get("Content-Type", ""):
            raise RestError(f"{url}: answered with {_kind(response)}, not JSON", 200, "not_json")
        return response

    def json(self, route: str, params: dict[str, Any] | None = None) -> Any:
        return self.get(route, params).json()

    def url_for(self, route: str) -> str:
        return route_url(self.root, route)

    def index(self) -> dict[str, Any]:
        """The API root's description of the site, fetched once."""
        if self._index is None:
            self._index = self.json("")
        return self._index

    def page(self, route: str, params: dict[str, Any], number: int) -> Page:
        query = {**params, "per_page": PER_PAGE, "page": number}
        fields = self.fields.get(route.removeprefix("wp/v2/").split("/")[0])
        if fields and "_fields" not in query:
            query["_fields"] = fields
        try:
            response = self.get(route, query)
        except RestError as exc:
            if exc.code == "rest_post_invalid_page_number":
                return Page([], 0, 0)  # past the end: the list shrank while we read it
            raise
        headers = response.headers
        return Page(
            response.json(),
            int(headers.get("X-WP-Total", 0) or 0),
            int(headers.get("X-WP-TotalPages", 1) or 1),
        )

    def all_items(self, route: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every item of a collection: page 1 says how many pages; the rest come concurrently."""
        for _, page in self.pages(route, params):
            yield from page.items

    def pages(
        self, route: str, params: dict[str, Any], start: int = 1
    ) -> Iterator[tuple[int, Page]]:
        """(number, page) from `start` on, in order; pages after the first are concurrent."""
        first = self.page(route, params, start)
        yield start, first
        numbers = range(start + 1, first.total_pages + 1)
        fetch = lambda n: (n, self.page(route, params, n))  # noqa: E731
        yield from bounded_map(fetch, numbers, self.concurrency)

    def count(self, route: str, params: dict[str, Any]) -> int:
        response = self.get(route, {**params, "per_page": 1, "_fields": "id"})
        return int(response.headers.get("X-WP-Total", 0) or 0)


class WpcomClient(RestClient):
    """WordPress.com's public API: core's wp/v2 routes under /wp/v2/sites/{site}/.

    The site's description comes from the older /rest/v1.1/sites/{site} endpoint, shaped
    into what a self-hosted API index says. The API base can be pointed elsewhere (tests
    replay the documented responses from a local server).
    """

    def __init__(self, session: PoliteSession, api_base: str, site: str, concurrency: int = 4):
        super().__init__(session, f"{api_base.rstrip('/')}/wp/v2/sites/{site}/", concurrency)
        self.api_base = api_base.rstrip("/")
        self.site = site

    def url_for(self, route: str) -> str:
        return self.root + route.removeprefix("wp/v2/").lstrip("/")

    def index(self) -> dict[str, Any]:
        if self._index is None:
            url = f"{self.api_base}/rest/v1.1/sites/{self.site}"
            response = self.session.get(url)
            if response.status_code >= 400:
                raise _error(url, response)
            info = response.json()
            options = info.get("options") or {}
            self._index = {
                "name": info.get("name", ""),
                "description": info.get("description", ""),
                "home": info.get("URL", ""),
                "url": info.get("URL", ""),
                "timezone_string": options.get("timezone", ""),
                "gmt_offset": options.get("gmt_offset", 0),
                "language": info.get("lang", ""),
            }
        return self._index


def bounded_map(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """Like Executor.map, in order, but with at most 2 x workers results waiting in memory."""
    pending = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= workers * 2:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def _utc_iso(http_date: str) -> str | None:
    try:
        moment = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _kind(response: requests.Response) -> str:
    content_type = response.headers.get("Content-Type", "nothing").split(";")[0]
    return "an HTML page" if "html" in content_type else content_type


def _error(url: str, response: requests.Response) -> RestError:
    try:
        body = response.json()
        code = body.get("code") or body.get("error") or ""  # core's shape, or WordPress.com's
        message = body.get("message", "")
    except (ValueError, AttributeError):
        code, message = "", ""
    message = html.unescape(message) if message else response.reason
    return RestError(
        f"{url}: HTTP {response.status_code}"
        + (f" {code}" if code else "")
        + (f": {message}" if message else ""),
        response.status_code,
        code,
    )
