"""Finding a blog's post addresses, and fetching pages politely, for the scraping source.

Fetching lives beside discovery because both share one politeness policy: robots.txt, a
delay between requests, a cap on the size read, conditional requests on re-runs and the
archive's page cache (so an interrupted scrape resumes without fetching a page twice).

Discovery asks the sources in order of trust: sitemaps (robots.txt, `wp-sitemap.xml`,
Yoast's `sitemap_index.xml`, Jetpack's `sitemap.xml`), then the RSS/Atom feed paged with
`paged=N`, then the home page, its "older posts" chain and its date and category archives.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import requests
from bs4 import BeautifulSoup
from lxml import etree

from wpcpd.archive import Archive, CachedPage, now_iso
from wpcpd.http import NetworkError, PoliteSession

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
MAX_LISTING_PAGES = 500
"""Feed and archive pages read while looking for posts: a guard against endless paging."""
CHANNEL = "scrape"
# Core's (5.5+), Yoast's and Jetpack's, then core's without rewrite rules.
SITEMAP_PATHS = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml", "/?sitemap=index")
_XML = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
_NOT_CONTENT = re.compile(
    r"/(wp-admin|wp-login\.php|wp-json|xmlrpc\.php|wp-content|wp-includes|feed|comments/feed"
    r"|trackback|author|search)(/|$)|\.(jpe?g|png|gif|webp|svg|pdf|zip|mp3|mp4|docx?|xlsx?)$",
    re.IGNORECASE,
)
_LISTING_SITEMAP = re.compile(r"taxonom|users|author|category|post_tag|tag-|image|video|news")
_REPLY_PARAMS = re.compile(r"^(replytocom|utm_\w+|share|nb|like_comment|_wpnonce)$")
_DROPPED_PARAMS = re.compile(r"^(replytocom|utm_\w+|share|nb|like_comment|_wpnonce|cpage)$")
_COMMENT_PAGE = re.compile(r"/comment-page-\d+/?$")


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


@dataclass
class Candidate:
    """A discovered address that may be a post, with its date when the listing gave one."""

    url: str
    via: str
    published: datetime | None = None


# -- fetching ----------------------------------------------------------------------------


class Fetcher:
    """GETs through the shared session, with robots.txt, a delay, a size cap and a cache."""

    def __init__(
        self,
        session: PoliteSession,
        archive: Archive | None = None,
        *,
        delay: float = 1.0,
        ignore_robots: bool = False,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.session = session
        self.archive = archive
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
        cached = self.archive.cached_page(url) if self.archive else None
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
        if self.archive is None:
            return
        self.archive.store_page(
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


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# -- addresses ---------------------------------------------------------------------------


def normalise_url(url: str, *, keep_comment_page: bool = False) -> str:
    """One spelling per page: no fragment, no tracking or reply parameters, and (unless kept)
    no comment page."""
    parts = urlsplit(url.strip())
    dropped = _REPLY_PARAMS if keep_comment_page else _DROPPED_PARAMS
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not dropped.match(k)]  # fmt: skip
    path = parts.path if keep_comment_page else _COMMENT_PAGE.sub("/", parts.path)
    path = quote(path or "/", safe="/%:@!$&'()*+,;=-._~")
    # WordPress writes percent-escapes in lower case (its slugs are lower case).
    path = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), path)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def same_blog(url: str, home: str) -> bool:
    """Whether `url` is a page of the blog at `home` (same host, under its path)."""
    target, base = urlsplit(url), urlsplit(home)
    if target.scheme not in ("http", "https"):
        return False
    host = (target.hostname or "").removeprefix("www.")
    if host != (base.hostname or "").removeprefix("www.") or target.port != base.port:
        return False
    return target.path.startswith(base.path.rstrip("/") + "/") or target.path == base.path


def _with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != name] + [(name, value)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


# -- discovery ---------------------------------------------------------------------------


@dataclass
class DiscoveryOptions:
    url_pattern: re.Pattern[str] | None = None
    since: date | None = None
    limit: int | None = None


class Discovery:
    """Every post and page address of one blog, most trusted listing first."""

    def __init__(
        self, fetcher: Fetcher, home: str, options: DiscoveryOptions, home_page: Page | None
    ) -> None:
        self.fetcher = fetcher
        self.home = home.rstrip("/")
        self.options = options
        self.home_page = home_page
        self.found: dict[str, Candidate] = {}
        self.listing_pages = 0
        self.notes: list[str] = []

    def run(self) -> list[Candidate]:
        for stage in (self.sitemaps, self.feeds, self.archives):
            before = len(self.found)
            for candidate in stage():
                self._add(candidate)
                if self._full():
                    return list(self.found.values())
            self.notes.append(f"{stage.__name__}: {len(self.found) - before} new addresses")
            if stage == self.sitemaps and self.found:
                break  # a sitemap lists every public post and page: nothing to add
        return list(self.found.values())

    def _full(self) -> bool:
        return self.options.limit is not None and len(self.found) >= self.options.limit

    def _add(self, candidate: Candidate) -> None:
        url = normalise_url(candidate.url)
        if url in self.found or not self._wanted(url, candidate.published):
            return
        candidate.url = url
        self.found[url] = candidate

    def _wanted(self, url: str, published: datetime | None) -> bool:
        if not same_blog(url, self.home) or _NOT_CONTENT.search(urlsplit(url).path):
            return False
        if normalise_url(url) == normalise_url(self.home + "/"):
            return False
        if self.options.url_pattern and not self.options.url_pattern.search(url):
            return False
        since = self.options.since
        return not (since and published and published.date() < since)

    def _listing(self, url: str) -> Page | None:
        if self.listing_pages >= MAX_LISTING_PAGES:
            return None
        self.listing_pages += 1
        return self.fetcher.try_get(url)

    # -- sitemaps --------------------------------------------------------------------

    def sitemaps(self) -> Iterator[Candidate]:
        roots = self.fetcher.sitemaps_from_robots(self.home)
        roots += [self.home + path for path in SITEMAP_PATHS]
        for root in dict.fromkeys(roots):
            found = list(self._walk_sitemap(root, depth=0))
            if found:
                self.notes.append(f"sitemap {root}")
                yield from found
                return

    def _walk_sitemap(self, url: str, depth: int) -> Iterator[Candidate]:
        page = self._listing(url) if depth < 4 else None
        root = _xml_root(page.text) if page else None
        if root is None:
            return
        kind = etree.QName(root).localname
        for entry in root:
            loc, lastmod = _child_text(entry, "loc"), _child_text(entry, "lastmod")
            if not loc:
                continue
            if kind == "sitemapindex":
                if not _LISTING_SITEMAP.search(loc.rsplit("/", 1)[-1]):
                    yield from self._walk_sitemap(loc, depth + 1)
            elif kind == "urlset":
                yield Candidate(loc, "sitemap", _parse_date(lastmod))

    # -- feeds -----------------------------------------------------------------------

    def feeds(self) -> Iterator[Candidate]:
        for feed in (self.home + "/feed/", self.home + "/?feed=rss2"):
            count = 0
            for candidate in self._feed_pages(feed):
                count += 1
                yield candidate
            if count:
                self.notes.append(f"feed {feed}")
                return

    def _feed_pages(self, feed: str) -> Iterator[Candidate]:
        seen: set[str] = set()
        for number in range(1, MAX_LISTING_PAGES + 1):
            page = self._listing(feed if number == 1 else _with_param(feed, "paged", str(number)))
            items = list(_feed_items(page.text)) if page else []
            new = [c for c in items if c.url not in seen]
            if not new:
                return
            seen.update(c.url for c in new)
            yield from new
            since = self.options.since
            if since and all(c.published and c.published.date() < since for c in new):
                return  # feeds list the newest first: the rest are older still

    # -- archive pages ---------------------------------------------------------------

    def archives(self) -> Iterator[Candidate]:
        """The home page always (for pages in menus); the archives when nothing else worked."""
        home = self.home_page or self._listing(self.home + "/")
        if home is None:
            return
        listed_elsewhere = bool(self.found)
        links = listing_links(home.text, home.final_url, self.home)
        yield from (Candidate(u, "home page") for u in links.posts + links.pages)
        if listed_elsewhere:
            return
        queue, done = [*links.next, *links.archives], {home.final_url}
        while queue:
            url = queue.pop(0)
            if url in done:
                continue
            done.add(url)
            page = self._listing(url)
            if page is None:
                continue
            more = listing_links(page.text, page.final_url, self.home)
            yield from (Candidate(u, "archive page") for u in more.posts)
            queue += [u for u in more.next if u not in done]


@dataclass
class ListingLinks:
    posts: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    next: list[str] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)


_POST_LINKS = (
    "a[rel~=bookmark]", ".entry-title a", ".wp-block-post-title a", ".post-title a",
    "h2 a[href]", ".more-link", ".widget_recent_entries a", ".wp-block-latest-posts a",
)  # fmt: skip
_PAGE_LINKS = (".menu-item a", ".page_item a", ".wp-block-pages-list__item a",
               ".wp-block-navigation-item a")  # fmt: skip
_NEXT_LINKS = (
    "a[rel~=next]", "link[rel~=next]", ".nav-previous a", ".next.page-numbers",
    ".wp-block-query-pagination-next", ".older-posts a", "a.next",
)  # fmt: skip
_ARCHIVE_LINKS = (".widget_archive a", ".wp-block-archives a", ".widget_categories a",
                  ".wp-block-categories a")  # fmt: skip


def listing_links(html: str, base: str, home: str) -> ListingLinks:
    """Links an archive or home page offers: to posts, to pages, onwards, and to archives."""
    soup = BeautifulSoup(html, "lxml")

    def hrefs(selectors: tuple[str, ...]) -> list[str]:
        found = [urljoin(base, a.get("href", "")) for s in selectors for a in soup.select(s)]
        return list(dict.fromkeys(u for u in found if same_blog(u, home)))

    return ListingLinks(
        posts=hrefs(_POST_LINKS),
        pages=hrefs(_PAGE_LINKS),
        next=[u for u in hrefs(_NEXT_LINKS) if "comment-page" not in u],
        archives=hrefs(_ARCHIVE_LINKS),
    )


def _xml_root(text: str) -> etree._Element | None:
    data = text.lstrip().encode("utf-8")
    if not data.startswith(b"<"):
        return None
    try:
        root = etree.fromstring(data, _XML)
    except etree.XMLSyntaxError:
        return None
    return root if root is not None and isinstance(root.tag, str) else None


def _child_text(element: etree._Element, name: str) -> str:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return (child.text or "").strip()
    return ""


def _feed_items(text: str) -> Iterator[Candidate]:
    """Items of an RSS 2.0 or Atom feed: link and publication date."""
    root = _xml_root(text)
    if root is None:
        return
    for element in root.iter("{*}item", "{*}entry"):
        link = _child_text(element, "link")
        if not link:  # Atom: <link rel="alternate" href="…"/>
            alternates = [c.get("href") for c in element if _is_alternate(c)]
            link = next((h for h in alternates if h), "")
        published = _child_text(element, "pubDate") or _child_text(element, "published")
        if link:
            yield Candidate(link, "feed", _parse_date(published))


def _is_alternate(element: etree._Element) -> bool:
    if not isinstance(element.tag, str) or etree.QName(element).localname != "link":
        return False
    return element.get("rel", "alternate") == "alternate"


def _parse_date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
