"""Finding a blog's post addresses for the scraping source.

Discovery asks the sources in order of trust: sitemaps (robots.txt, `wp-sitemap.xml`,
Yoast's `sitemap_index.xml`, Jetpack's `sitemap.xml`), then the RSS/Atom feed paged with
`paged=N`, then the home page, its "older posts" chain and its date and category archives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from lxml import etree

from wpcpd.sources.scrape.fetch import Fetcher, Page
from wpcpd.urls import page_key, same_blog, with_query_param

MAX_LISTING_PAGES = 500
"""Feed and archive pages read while looking for posts: a guard against endless paging."""
# Core's (5.5+), Yoast's and Jetpack's, then core's without rewrite rules.
SITEMAP_PATHS = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml", "/?sitemap=index")
_XML = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
_NOT_CONTENT = re.compile(
    r"/(wp-admin|wp-login\.php|wp-json|xmlrpc\.php|wp-content|wp-includes|feed|comments/feed"
    r"|trackback|author|search)(/|$)|\.(jpe?g|png|gif|webp|svg|pdf|zip|mp3|mp4|docx?|xlsx?)$",
    re.IGNORECASE,
)
_LISTING_SITEMAP = re.compile(r"taxonom|users|author|category|post_tag|tag-|image|video|news")


@dataclass
class Candidate:
    """A discovered address that may be a post, with its date when the listing gave one."""

    url: str
    via: str
    published: datetime | None = None


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
        url = page_key(candidate.url)
        if url in self.found or not self._wanted(url, candidate.published):
            return
        candidate.url = url
        self.found[url] = candidate

    def _wanted(self, url: str, published: datetime | None) -> bool:
        if not same_blog(url, self.home) or _NOT_CONTENT.search(urlsplit(url).path):
            return False
        if page_key(url) == page_key(self.home + "/"):
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
            address = feed if number == 1 else with_query_param(feed, "paged", str(number))
            page = self._listing(address)
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
