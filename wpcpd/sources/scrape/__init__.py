"""Read a WordPress blog from its public HTML: posts, pages and threaded comments.

For blogs with no API and no export. A page is read without trusting one theme: each field
has a list of places themes have put it, from the block themes back to the 2010-2013
markup of hosted blogs (`ol.commentlist`, `cite.fn`, human dates in `.commentmetadata`).
What a visitor cannot see cannot be scraped: drafts, private posts, held comments, e-mail
addresses, post meta, and whatever the theme leaves out (custom taxonomies, pingback text).

    source = ScrapeSource(session, archive, "https://blog.example.org", ScrapeOptions())
    archive.save(source.records(), atomic=False, public_only=True)
    print(source.report.summary())

Like every source it yields records and writes nothing itself: the state of a run (when it
began and ended, so that an interrupted run resumes) comes out as `Checkpoint`s. What it
keeps between runs, its page cache and that state, it reads through `ScrapeMemory`, which
the archive is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from wpcpd.errors import SourceError, UsageError
from wpcpd.http import PoliteSession
from wpcpd.model import Checkpoint, Comment, Control, Record, Term, site_key
from wpcpd.sources.scrape.comments import read_comment_page
from wpcpd.sources.scrape.discovery import Candidate, Discovery, DiscoveryOptions
from wpcpd.sources.scrape.fetch import (
    MAX_BYTES,
    CrawlLog,
    Fetcher,
    FetchError,
    Page,
    PageCache,
    now_iso,
)
from wpcpd.sources.scrape.html import PageProblem, ScrapedPost, read_post_page
from wpcpd.sources.scrape.markup import parse_html
from wpcpd.sources.scrape.site import (
    CHANNEL,
    is_login_wall,
    looks_like_wordpress,
    primary_language,
    read_site,
)
from wpcpd.sources.scrape.terms import read_term_page
from wpcpd.text import plural

MAX_COMMENT_PAGES = 200

# -- options and report ------------------------------------------------------------------


@dataclass
class ScrapeOptions:
    max_pages: int | None = None
    """Post and page addresses to read at most (comment pages and listings not counted)."""
    since: date | None = None
    """Leave out posts published before this day."""
    url_pattern: str | None = None
    """Only addresses this regular expression finds something in."""
    delay: float = 1.0
    """Seconds between two requests."""
    ignore_robots: bool = False
    max_bytes: int = MAX_BYTES


@dataclass
class ScrapeReport:
    """What a scrape found, read, skipped and failed, address by address."""

    found: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(address, remark) for pages read with a caveat, e.g. dates not understood."""
    comment_mismatches: list[tuple[str, int, int]] = field(default_factory=list)
    """(address, comments the page claims, comments scraped)."""
    discovery: list[str] = field(default_factory=list)
    crawl: CrawlLog = field(default_factory=CrawlLog)
    posts: int = 0
    comments: int = 0

    def warnings(self) -> list[str]:
        """One line per address that failed or needs a second look, then site-wide notes."""
        lines = [f"{url}: {reason}" for url, reason in self.failed]
        lines += [
            f"{url}: the page says {claimed} comments, {got} were scraped"
            for url, claimed, got in self.comment_mismatches
        ]
        lines += [f"{url}: {note}" for url, note in self.notes]
        return lines + self.crawl.notes

    def summary(self) -> str:
        return (
            f"scraped {plural(self.posts, 'post')} and pages, {plural(self.comments, 'comment')}; "
            f"{len(self.found)} addresses found, {len(self.crawl.fetched)} fetched, "
            f"{len(self.crawl.unchanged)} unchanged, {len(self.crawl.resumed)} from the cache, "
            f"{len(self.skipped)} skipped, {len(self.failed)} failed"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "found": len(self.found),
            "fetched": len(self.crawl.fetched),
            "unchanged": len(self.crawl.unchanged),
            "resumed": len(self.crawl.resumed),
            "posts": self.posts,
            "comments": self.comments,
            "skipped": [{"url": u, "reason": r} for u, r in self.skipped],
            "failed": [{"url": u, "reason": r} for u, r in self.failed],
            "notes": [{"url": u, "note": n} for u, n in self.notes],
            "comment_mismatches": [
                {"url": u, "claimed": c, "scraped": s} for u, c, s in self.comment_mismatches
            ],
            "discovery": self.discovery,
        }


# -- the source --------------------------------------------------------------------------


class ScrapeMemory(PageCache, Protocol):
    """What a scrape keeps between runs: the pages it fetched, and the sync state its
    `Checkpoint`s wrote (`wpcpd.archive.Archive` is one)."""

    def sync_value(self, site_key_: str, channel: str, name: str) -> str | None: ...


class ScrapeSource:
    """Yields a blog's `Site`, then its authors, terms, posts, media and comments."""

    def __init__(
        self,
        session: PoliteSession,
        memory: ScrapeMemory | None,
        url: str,
        options: ScrapeOptions | None = None,
    ) -> None:
        self.options = options or ScrapeOptions()
        self.memory = memory
        self.home = url.strip().rstrip("/")
        self.report = ScrapeReport()
        self.fetcher = Fetcher(
            session,
            memory,
            delay=self.options.delay,
            ignore_robots=self.options.ignore_robots,
            max_bytes=self.options.max_bytes,
        )
        self.fetcher.log = self.report.crawl
        self.pattern = _pattern(self.options.url_pattern)
        self.seen_posts: dict[int, str] = {}
        self.seen_authors: set[str] = set()
        self.seen_terms: dict[tuple[str, str], Term] = {}
        self.term_pages: dict[str, tuple[str, int | None]] = {}
        """A parent category's archive page -> (name, id) it shows, read once a run."""
        self.parent_pages: dict[tuple[str, str], str] = {}
        """Parent categories looked for on their own archive page, and that page."""

    def records(self) -> Iterator[Record | Control]:
        self._check_resume(site_key(self.home))
        home_page = self._home_page()
        site = read_site(home_page, self.home)
        yield site
        yield from self._mark_start()
        candidates = self._discover(home_page)
        for candidate in candidates[: self.options.max_pages]:
            yield from self._scrape(candidate, site.language)
        self._note_unnamed()
        yield Checkpoint(CHANNEL, "run_finished", now_iso())

    def _home_page(self) -> Page:
        try:
            page = self.fetcher.get(self.home + "/")
        except FetchError as exc:
            raise SourceError(f"{self.home}: {exc}") from exc
        self.home = page.final_url.rstrip("/")
        soup = parse_html(page.text)
        if is_login_wall(soup, page.final_url):
            raise SourceError(f"{self.home}: the blog is behind a login; nothing is public")
        if not looks_like_wordpress(soup, page.headers):
            self.report.notes.append((self.home, "the home page shows no sign of WordPress"))
        return page

    def _discover(self, home_page: Page) -> list[Candidate]:
        options = DiscoveryOptions(self.pattern, self.options.since, self.options.max_pages)
        discovery = Discovery(self.fetcher, self.home, options, home_page)
        candidates = discovery.run()
        self.report.found = [c.url for c in candidates]
        self.report.discovery += discovery.notes
        return candidates

    # -- resuming ------------------------------------------------------------------------

    def _check_resume(self, key: str) -> None:
        """A run that never finished is resumed: pages it fetched are not fetched again."""
        if self.memory is None:
            return
        started = self.memory.sync_value(key, CHANNEL, "run_started")
        finished = self.memory.sync_value(key, CHANNEL, "run_finished")
        if started and (not finished or finished < started):
            self.fetcher.resume_since = started
            self.report.discovery.append(f"resuming the scrape begun at {started}")

    def _mark_start(self) -> Iterator[Checkpoint]:
        # After the Site: the sync state hangs off its row. A resumed run keeps the start of
        # the run it resumes, so that pages fetched since then still count as fresh.
        if self.fetcher.resume_since is None:
            yield Checkpoint(CHANNEL, "run_started", now_iso())

    # -- one post --------------------------------------------------------------------

    def _scrape(self, candidate: Candidate, site_language: str) -> Iterator[Record]:
        url = candidate.url
        try:
            page = self.fetcher.get(url)
            _check_html(page)
            scraped = read_post_page(page.text, page.final_url, page.headers)
        except FetchError as exc:
            self.report.failed.append((url, str(exc)))
            return
        except PageProblem as exc:
            (self.report.failed if exc.failed else self.report.skipped).append((url, str(exc)))
            return
        if self._skip(url, scraped):
            return
        self._more_comments(scraped)
        self._check_count(url, scraped)
        self._note_language(url, scraped, site_language)
        self._name_parents(scraped)
        yield from self._records_of(scraped)

    def _skip(self, url: str, scraped: ScrapedPost) -> bool:
        post = scraped.post
        reason = ""
        if post.id in self.seen_posts:
            reason = f"the same post as {self.seen_posts[post.id]}"
        elif self.options.since and post.date and post.date.date() < self.options.since:
            reason = f"published {post.date.date()}, before {self.options.since}"
        if reason:
            self.report.skipped.append((url, reason))
            return True
        self.seen_posts[post.id] = url
        return False

    def _more_comments(self, scraped: ScrapedPost) -> None:
        """Comments split over pages (comment-page-N): every page, each comment once."""
        by_id = {c.id: c for c in scraped.comments}
        queue, done = list(scraped.comment_pages), set(scraped.comment_pages_done)
        while queue and len(done) < MAX_COMMENT_PAGES:
            url = queue.pop(0)
            if url in done:
                continue
            done.add(url)
            try:
                page = self.fetcher.get(url)
            except FetchError as exc:
                self.report.failed.append((url, f"comment page: {exc}"))
                continue
            more = read_comment_page(page.text, scraped.post.id, scraped.post.link, scraped.lang)
            for comment in more.comments:
                by_id.setdefault(comment.id, comment)
            scraped.notes += more.notes
            queue += [u for u in more.pages if u not in done]
        scraped.comments = sorted(by_id.values(), key=_comment_order)

    def _check_count(self, url: str, scraped: ScrapedPost) -> None:
        claimed, got = scraped.claimed_comments, len(scraped.comments)
        if claimed is not None and claimed != got:
            self.report.comment_mismatches.append((url, claimed, got))

    def _note_language(self, url: str, scraped: ScrapedPost, site_language: str) -> None:
        for note in scraped.notes:
            self.report.notes.append((url, note))
        page_lang, site_lang = primary_language(scraped.lang), primary_language(site_language)
        if page_lang and site_lang and page_lang != site_lang:
            self.report.notes.append(
                (url, f"written in '{scraped.lang}' while the blog says '{site_language}'")
            )

    def _name_parents(self, scraped: ScrapedPost) -> None:
        """A parent category the page does not name is named by its own archive page (read
        once a run), unless an earlier page of this run named it: never by its slug."""
        for term in scraped.terms:
            key = (term.taxonomy, term.slug)
            page = scraped.term_pages.get(key)
            seen = self.seen_terms.get(key)
            if term.name or page is None or (seen and seen.name):
                continue
            if page not in self.term_pages:
                self.term_pages[page] = self._read_term_page(page)
            term.name, found_id = self.term_pages[page]
            term.id = term.id if found_id is None else found_id
            self.parent_pages.setdefault(key, page)

    def _note_unnamed(self) -> None:
        """Categories no page of the run named (their own page missing or not readable)."""
        for key, page in self.parent_pages.items():
            if not self.seen_terms[key].name:
                self.report.notes.append(
                    (page, f"no page read names the category '{key[1]}': it is kept unnamed")
                )

    def _read_term_page(self, url: str) -> tuple[str, int | None]:
        try:
            page = self.fetcher.get(url)
            _check_html(page)
        except (FetchError, PageProblem):
            return "", None
        return read_term_page(page.text)

    def _records_of(self, scraped: ScrapedPost) -> Iterator[Record]:
        if scraped.author and scraped.author.login not in self.seen_authors:
            self.seen_authors.add(scraped.author.login)
            yield scraped.author
        for term in scraped.terms:
            yield from self._term_news(term)
        # The image before the post that names it, so that the archive knows it by then.
        if scraped.media:
            yield scraped.media
        yield scraped.post
        yield from scraped.comments
        self.report.posts += 1
        self.report.comments += len(scraped.comments)

    def _term_news(self, term: Term) -> Iterator[Term]:
        """A term once, and again only when a later page shows what the first did not (a
        name, an id, a parent): the archive fills in, it never blanks."""
        key = (term.taxonomy, term.slug)
        seen = self.seen_terms.get(key)
        if seen is None:
            self.seen_terms[key] = term
            yield term
            return
        merged = replace(
            seen,
            name=seen.name or term.name,
            id=term.id if seen.id is None else seen.id,
            parent=seen.parent or term.parent,
        )
        if merged != seen:
            self.seen_terms[key] = merged
            yield merged


def _check_html(page: Page) -> None:
    kind = page.content_type.split(";")[0].strip().lower()
    if kind and "html" not in kind:
        raise PageProblem(f"not a web page but {kind}")


def _pattern(text: str | None) -> re.Pattern[str] | None:
    try:
        return re.compile(text) if text else None
    except re.error as exc:
        raise UsageError(f"--url-pattern {text!r} is not a regular expression: {exc}") from exc


def _comment_order(comment: Comment) -> tuple[datetime, int]:
    return (comment.date or datetime.min, comment.id)
