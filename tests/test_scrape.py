"""The scraping source: discovery, politeness, bad pages (a small local server that plays a
blog), and the real WordPress rendered by a classic and a block theme, against its own WXR."""

from __future__ import annotations

import contextlib
import html
import itertools
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sandbox import php_literal

from wpcpd.archive import Archive
from wpcpd.errors import SourceError, UsageError
from wpcpd.http import Politeness, make_session
from wpcpd.model import CachedPage, Checkpoint, Comment, Post, Record, Term, site_key
from wpcpd.sources.scrape import ScrapeOptions, ScrapeSource
from wpcpd.sources.wxr import read_wxr
from wpcpd.text import html_to_text

FAST = Politeness(retries=0, timeout=(5, 10))
NOW = ScrapeOptions(delay=0)

# -- a blog on a local port --------------------------------------------------------------

Answer = tuple[int, dict[str, str], bytes]
Route = Answer | Callable[[BaseHTTPRequestHandler], Answer | None]


@dataclass
class FakeBlog:
    """Answers each path from `routes`; logs every request with its headers and time."""

    url: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[tuple[str, dict[str, str], float]] = field(default_factory=list)

    def page(self, path: str, body: str, status: int = 200, **headers: str) -> None:
        content_type = headers.pop("content_type", "text/html; charset=UTF-8")
        self.routes[path] = (status, {"Content-Type": content_type, **headers}, body.encode())

    def redirect(self, path: str, to: str) -> None:
        self.routes[path] = (302, {"Location": to}, b"")

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.log]

    def headers_for(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers, _ in self.log if p == path]


@pytest.fixture
def blog() -> Iterator[FakeBlog]:
    fake = FakeBlog()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.log.append((self.path, dict(self.headers), time.monotonic()))
            route = fake.routes.get(self.path, (404, {"Content-Type": "text/html"}, b"nope"))
            answer = route(self) if callable(route) else route
            if answer is None:
                return  # the route wrote its own response
            status, headers, body = answer
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # a reader at its size cap hangs up early

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_port}"
    yield fake
    httpd.shutdown()
    httpd.server_close()


def wp_page(
    post_id: int,
    title: str,
    body: str = "<p>Words.</p>",
    *,
    comments: str = "",
    lang: str = "en-US",
    link: str = "",
) -> str:
    canonical = f'<link rel="canonical" href="{link}">' if link else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>{html.escape(title)} - Blog</title>'
        f'<meta name="generator" content="WordPress 6.1">{canonical}</head>'
        f'<body class="post-template-default single single-post postid-{post_id}">'
        f'<article id="post-{post_id}" class="post-{post_id} post type-post hentry">'
        f'<h1 class="entry-title">{html.escape(title)}</h1>'
        f'<time class="entry-date published" datetime="2023-05-0{post_id % 9 + 1}T10:00:00+01:00">'
        f'May</time><div class="entry-content">{body}</div></article>{comments}</body></html>'
    )


def home_page(*links: str, older: str = "") -> str:
    items = "".join(f'<h2 class="entry-title"><a href="{u}">{u}</a></h2>' for u in links)
    nav = f'<div class="nav-previous"><a href="{older}">Older posts</a></div>' if older else ""
    return (
        '<html lang="en-GB"><head><title>Blog &#8211; A test blog</title>'
        '<meta name="generator" content="WordPress 6.1"></head>'
        f'<body class="home blog"><p class="site-title">Blog</p>{items}{nav}</body></html>'
    )


def sitemap(*urls: str, index: bool = False) -> str:
    tag, entry = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    entries = "".join(f"<{entry}><loc>{html.escape(u)}</loc></{entry}>" for u in urls)
    namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return f'<?xml version="1.0"?><{tag} xmlns="{namespace}">{entries}</{tag}>'


def feed(*items: tuple[str, str]) -> str:
    entries = "".join(
        f"<item><title>t</title><link>{u}</link><pubDate>{d}</pubDate></item>" for u, d in items
    )
    channel = f"<channel><title>Blog</title>{entries}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


def scrape(
    url: str, options: ScrapeOptions = NOW, archive: Archive | None = None
) -> tuple[ScrapeSource, list[Record]]:
    source = ScrapeSource(make_session(FAST), archive, url, options)
    return source, list(source.records())


def posts_of(records: Iterable[Record]) -> dict[int, Post]:
    return {r.id: r for r in records if isinstance(r, Post)}


# -- bad pages ---------------------------------------------------------------------------


def streamed_huge(handler: BaseHTTPRequestHandler) -> None:
    """11 MB with no Content-Length: only reading tells how big it is."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    chunk = b"<p>" + b"x" * (1 << 20) + b"</p>"
    try:
        for _ in range(11):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the reader stopped at its cap, as it should
    handler.close_connection = True


@pytest.fixture
def bad_blog(blog: FakeBlog) -> FakeBlog:
    u = blog.url
    good, broken, french = f"{u}/good/", f"{u}/broken/", f"{u}/reflexion/"
    listed = [good, f"{u}/missing/", f"{u}/not-wordpress/", f"{u}/members/", f"{u}/loop-a/",
              f"{u}/huge/", f"{u}/huge-declared/", broken, french, f"{u}/blocked/",
              f"{u}/data/"]  # fmt: skip
    blog.page("/robots.txt", "User-agent: *\nDisallow: /blocked/\n", content_type="text/plain")
    blog.page("/", home_page())
    blog.page("/wp-sitemap.xml", sitemap(*listed), content_type="application/xml")
    blog.page("/good/", wp_page(1, "Good post", link=good))
    blog.page("/not-wordpress/", "<html><body><h1>Buy shoes</h1><p>Cheap.</p></body></html>")
    blog.redirect("/members/", "/wp-login.php?redirect_to=%2Fmembers%2F")
    blog.page(
        "/wp-login.php?redirect_to=%2Fmembers%2F",
        '<html><body class="login"><form id="loginform"><input name="log">'
        '<input type="password" name="pwd"></form></body></html>',
    )
    blog.redirect("/loop-a/", "/loop-b/")
    blog.redirect("/loop-b/", "/loop-a/")
    blog.routes["/huge/"] = streamed_huge
    blog.routes["/huge-declared/"] = (200, {"Content-Type": "text/html"}, b"x" * 10_500_001)
    blog.page(
        "/broken/",
        wp_page(2, "Broken post", "<p>Half a <em>page", link=broken).removesuffix(
            "</div></article></body></html>"
        ),
    )
    blog.page(
        "/reflexion/",
        wp_page(3, "Réflexion", "<p>En français.</p>", lang="fr-FR", link=french),
    )
    blog.page("/blocked/", wp_page(4, "Secret"))
    blog.page("/data/", '{"id": 5}', content_type="application/json")
    return blog


def test_bad_pages_are_reported_one_by_one_and_the_scrape_goes_on(bad_blog: FakeBlog) -> None:
    source, records = scrape(bad_blog.url)
    assert sorted(p.title for p in posts_of(records).values()) == [
        "Broken post", "Good post", "Réflexion",
    ]  # fmt: skip
    failed = {url.removeprefix(bad_blog.url): reason for url, reason in source.report.failed}
    assert failed.keys() == {
        "/missing/", "/not-wordpress/", "/members/", "/loop-a/", "/huge/", "/huge-declared/",
        "/blocked/", "/data/",
    }  # fmt: skip
    assert failed["/missing/"] == "not found (HTTP 404)"
    assert "not a WordPress page" in failed["/not-wordpress/"]
    assert "login wall" in failed["/members/"]
    assert failed["/loop-a/"].startswith("redirect loop: ")
    assert "/loop-b/" in failed["/loop-a/"]
    assert "cap" in failed["/huge/"] and "cap" in failed["/huge-declared/"]
    assert "robots.txt" in failed["/blocked/"]
    assert failed["/data/"] == "not a web page but application/json"
    assert "/blocked/" not in bad_blog.paths()  # robots.txt is asked before, not after
    assert "8 failed" in source.report.summary()
    notes = dict(source.report.notes)
    assert "fr-FR" in notes[f"{bad_blog.url}/reflexion/"]
    warnings = source.report.warnings()
    assert len(warnings) == 9  # one line per failed address, one for the French page
    assert f"{bad_blog.url}/missing/: not found (HTTP 404)" in warnings


def test_broken_html_still_gives_title_and_body(bad_blog: FakeBlog) -> None:
    _source, records = scrape(bad_blog.url)
    broken = posts_of(records)[2]
    assert broken.title == "Broken post"
    assert html_to_text(broken.content) == "Half a page"


def test_a_blog_behind_a_login_is_one_clear_error(blog: FakeBlog) -> None:
    blog.redirect("/", "/wp-login.php")
    blog.page("/wp-login.php", '<html><body class="login"><input type="password"></body></html>')
    with pytest.raises(SourceError, match="behind a login"):
        scrape(blog.url)


def test_an_unreachable_blog_is_one_clear_error() -> None:
    with pytest.raises(SourceError, match="cannot connect"):
        scrape("http://127.0.0.1:9")


def test_a_bad_url_pattern_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not a regular expression"):
        ScrapeSource(make_session(FAST), None, "http://127.0.0.1:9", ScrapeOptions(url_pattern="("))


# -- politeness --------------------------------------------------------------------------


def small_blog(blog: FakeBlog, count: int = 3, **headers: str) -> list[str]:
    urls = [f"{blog.url}/post-{i}/" for i in range(1, count + 1)]
    blog.page("/", home_page())
    blog.page("/wp-sitemap.xml", sitemap(*urls), content_type="application/xml")
    for i, url in enumerate(urls, 1):
        blog.page(f"/post-{i}/", wp_page(i, f"Post {i}", link=url), **headers)
    return urls


def test_robots_txt_is_honoured_and_only_an_explicit_flag_overrides_it(blog: FakeBlog) -> None:
    small_blog(blog)
    blog.page("/robots.txt", "User-agent: wpcpd\nDisallow: /post-2/\n", content_type="text/plain")
    _source, records = scrape(blog.url)
    assert sorted(posts_of(records)) == [1, 3]
    assert "/post-2/" not in blog.paths()
    _source, records = scrape(blog.url, ScrapeOptions(delay=0, ignore_robots=True))
    assert sorted(posts_of(records)) == [1, 2, 3]


def test_requests_are_spaced_by_the_delay_and_name_wpcpd(blog: FakeBlog) -> None:
    small_blog(blog)
    scrape(blog.url, ScrapeOptions(delay=0.15))
    times = [t for _, _, t in blog.log]
    assert len(times) >= 5
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.14
    assert all(h["User-Agent"].startswith("wpcpd/") for _, h, _ in blog.log)


def conditional(body: str, etag: str) -> Route:
    def answer(handler: BaseHTTPRequestHandler) -> Answer:
        if handler.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "text/html", "ETag": etag}, body.encode()

    return answer


def test_a_rerun_asks_conditionally_and_304_counts_as_unchanged(
    blog: FakeBlog, tmp_path: Path
) -> None:
    urls = small_blog(blog, 2)
    blog.routes["/post-1/"] = conditional(wp_page(1, "Post 1", link=urls[0]), '"v1"')
    with Archive(tmp_path / "a.db") as archive:
        first = ScrapeSource(make_session(FAST), archive, blog.url, NOW)
        archive.save(first.records(), atomic=False, public_only=True)
        assert blog.headers_for("/post-1/")[0].get("If-None-Match") is None
        second = ScrapeSource(make_session(FAST), archive, blog.url, NOW)
        summary = archive.save(second.records(), atomic=False, public_only=True)
    assert blog.headers_for("/post-1/")[1]["If-None-Match"] == '"v1"'
    assert second.report.crawl.unchanged == [f"{blog.url}/post-1/"]
    assert f"{blog.url}/post-2/" in second.report.crawl.fetched  # no validator: fetched again
    assert summary.counts["post"]["unchanged"] == 2


def test_an_interrupted_scrape_resumes_without_fetching_again(
    blog: FakeBlog, tmp_path: Path
) -> None:
    small_blog(blog, 3)

    def until_first_post(records: Iterator[Record]) -> Iterator[Record]:
        for record in records:
            yield record
            if isinstance(record, Post):
                return  # as if the scrape were killed here

    with Archive(tmp_path / "a.db") as archive:
        first = ScrapeSource(make_session(FAST), archive, blog.url, NOW)
        archive.save(until_first_post(first.records()), atomic=False, public_only=True)
        before = len(blog.log)
        second = ScrapeSource(make_session(FAST), archive, blog.url, NOW)
        archive.save(second.records(), atomic=False, public_only=True)
        resumed_requests = blog.paths()[before:]
        third = ScrapeSource(make_session(FAST), archive, blog.url, NOW)
        archive.save(third.records(), atomic=False, public_only=True)
        assert {p.id for _, p in archive.iter_records() if isinstance(p, Post)} == {1, 2, 3}
    assert "/post-1/" not in resumed_requests and "/" not in resumed_requests
    assert {"/post-2/", "/post-3/"} <= set(resumed_requests)
    assert f"{blog.url}/post-1/" in second.report.crawl.resumed
    assert "resuming" in " ".join(second.report.discovery)
    assert third.report.crawl.resumed == []  # the second run finished: nothing to resume


@dataclass
class MemoryStub:
    """A page cache and sync state in dicts: what a scrape needs besides the network."""

    pages: dict[str, CachedPage] = field(default_factory=dict)
    state: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def cached_page(self, url: str) -> CachedPage | None:
        return self.pages.get(url)

    def store_page(self, page: CachedPage) -> None:
        self.pages[page.url] = page

    def sync_value(self, site_key_: str, channel: str, name: str) -> str | None:
        return self.state.get((site_key_, channel, name))


def test_the_source_writes_nothing_itself_its_run_state_comes_as_checkpoints(
    blog: FakeBlog,
) -> None:
    urls = small_blog(blog, 2)
    memory = MemoryStub()
    source = ScrapeSource(make_session(FAST), memory, blog.url, NOW)
    records = list(source.records())
    marks = [(i, r) for i, r in enumerate(records) if isinstance(r, Checkpoint)]
    assert [(r.channel, r.name) for _, r in marks] == [
        ("scrape", "run_started"),
        ("scrape", "run_finished"),
    ]
    assert marks[0][0] == 1 and marks[-1][0] == len(records) - 1  # after the Site; last
    assert {f"{blog.url}/", *urls} <= set(memory.pages)  # the cache got the pages it read
    # A run that began and never finished is resumed from the cache, without a new start.
    memory.state[(site_key(blog.url), "scrape", "run_started")] = marks[0][1].value
    again = ScrapeSource(make_session(FAST), memory, blog.url, NOW)
    names = [r.name for r in again.records() if isinstance(r, Checkpoint)]
    assert names == ["run_finished"]
    assert set(urls) <= set(again.report.crawl.resumed)


# -- discovery ---------------------------------------------------------------------------


def test_sitemap_index_named_in_robots_txt_is_followed_but_not_its_term_sitemaps(
    blog: FakeBlog,
) -> None:
    u = blog.url
    blog.page("/robots.txt", f"User-agent: *\nSitemap: {u}/sitemap_index.xml\n",
              content_type="text/plain")  # fmt: skip
    blog.page("/", home_page())
    index = sitemap(f"{u}/post-sitemap.xml", f"{u}/page-sitemap.xml",
                    f"{u}/category-sitemap.xml", index=True)  # fmt: skip
    blog.page("/sitemap_index.xml", index, content_type="application/xml")
    blog.page("/post-sitemap.xml", sitemap(f"{u}/a/"), content_type="application/xml")
    blog.page("/page-sitemap.xml", sitemap(f"{u}/about/"), content_type="application/xml")
    blog.page("/a/", wp_page(10, "A"))
    blog.page("/about/", wp_page(11, "About").replace("single-post postid-11", "page page-id-11"))
    source, records = scrape(u)
    posts = posts_of(records)
    assert {(i, p.type) for i, p in posts.items()} == {(10, "post"), (11, "page")}
    assert "/category-sitemap.xml" not in blog.paths()
    assert "/feed/" not in blog.paths()  # a sitemap lists everything: no need for more
    assert any("sitemap_index.xml" in note for note in source.report.discovery)


def test_feed_is_paged_and_since_stops_the_paging(blog: FakeBlog) -> None:
    u = blog.url
    blog.page("/", home_page())
    new = [(f"{u}/p{i}/", "Mon, 01 May 2023 10:00:00 +0000") for i in range(1, 3)]
    old = [(f"{u}/p{i}/", "Mon, 02 Jan 2023 10:00:00 +0000") for i in range(3, 5)]
    blog.page("/feed/", feed(*new), content_type="application/rss+xml")
    blog.page("/feed/?paged=2", feed(*old), content_type="application/rss+xml")
    blog.page("/feed/?paged=3", feed((f"{u}/p5/", "Mon, 02 Jan 2022 10:00:00 +0000")),
              content_type="application/rss+xml")  # fmt: skip
    for i in range(1, 6):
        blog.page(f"/p{i}/", wp_page(i, f"P{i}"))
    _source, records = scrape(u)
    assert sorted(posts_of(records)) == [1, 2, 3, 4, 5]
    assert "/feed/?paged=4" in blog.paths()  # paged until a page brings nothing new
    blog.log.clear()
    _source, records = scrape(u, ScrapeOptions(delay=0, since=date(2023, 3, 1)))
    assert sorted(posts_of(records)) == [1, 2]
    assert "/feed/?paged=3" not in blog.paths()  # page 2 was all older than --since
    assert "/p3/" not in blog.paths()


def test_without_sitemap_or_feed_the_older_posts_chain_is_followed(blog: FakeBlog) -> None:
    u = blog.url
    blog.page("/", home_page(f"{u}/one/", older=f"{u}/page/2/"))
    blog.page("/page/2/", home_page(f"{u}/two/", older=f"{u}/page/3/"))
    blog.page("/page/3/", home_page(f"{u}/three/", f"{u}/one/"))
    for i, slug in enumerate(("one", "two", "three"), 1):
        blog.page(f"/{slug}/", wp_page(i, slug.title()))
    source, records = scrape(u)
    assert sorted(p.title for p in posts_of(records).values()) == ["One", "Three", "Two"]
    assert source.report.found == [f"{u}/one/", f"{u}/two/", f"{u}/three/"]


def test_url_pattern_max_pages_and_duplicates(blog: FakeBlog) -> None:
    u = blog.url
    urls = [f"{u}/2023/a/", f"{u}/2023/b/", f"{u}/2022/c/", f"{u}/?p=1"]
    blog.page("/", home_page())
    blog.page("/wp-sitemap.xml", sitemap(*urls), content_type="application/xml")
    blog.page("/2023/a/", wp_page(1, "A"))
    blog.page("/?p=1", wp_page(1, "A"))  # the same post under its shortlink
    blog.page("/2023/b/", wp_page(2, "B"))
    blog.page("/2022/c/", wp_page(3, "C"))
    source, records = scrape(u)
    assert sorted(posts_of(records)) == [1, 2, 3]
    assert source.report.skipped == [(f"{u}/?p=1", f"the same post as {u}/2023/a/")]
    _source, records = scrape(u, ScrapeOptions(delay=0, url_pattern=r"/2023/"))
    assert sorted(posts_of(records)) == [1, 2]
    _source, records = scrape(u, ScrapeOptions(delay=0, max_pages=1))
    assert sorted(posts_of(records)) == [1]


def test_comment_count_that_disagrees_is_reported(blog: FakeBlog) -> None:
    comments = (
        '<div id="comments"><h2 class="comments-title">3 comments</h2><ol class="comment-list">'
        '<li id="comment-1"><b class="fn">A</b><div class="comment-content">a</div></li>'
        '<li id="comment-2"><b class="fn">B</b><div class="comment-content">b</div></li></ol></div>'
    )
    small_blog(blog, 1)
    blog.page("/post-1/", wp_page(1, "Post 1", comments=comments))
    source, records = scrape(blog.url)
    assert [c.id for c in records if isinstance(c, Comment)] == [1, 2]
    assert source.report.comment_mismatches == [(f"{blog.url}/post-1/", 3, 2)]
    assert "says 3 comments, 2 were scraped" in source.report.warnings()[0]


# -- the real WordPress, against its own export ------------------------------------------

TEXTURISED_TITLE = "Thing 3: \"Quotes\" -- and 'dashes' & ampersands"


def prepare(sandbox: Any) -> None:
    """seed_full plus comment pagination (2 per page) and enough threads to need it."""
    sandbox.seed_full()
    seed = sandbox.seed
    sandbox.php(
        "update_option('page_comments', 1); update_option('comments_per_page', 2);\n"
        f"$post = {seed['posts']['thing1']};\n"
        "foreach (['Ana', 'Bo', 'Cy'] as $i => $name) {\n"
        "  $id = wp_insert_comment(['comment_post_ID' => $post, 'comment_author' => $name,\n"
        "    'comment_author_email' => strtolower($name) . '@example.org',\n"
        "    'comment_author_url' => $i ? '' : 'https://ana.example.org',\n"
        "    'comment_date' => '2023-02-0' . ($i + 1) . ' 1' . $i . ':3' . $i . ':00',\n"
        "    'comment_date_gmt' => '2023-02-0' . ($i + 1) . ' 1' . $i . ':3' . $i . ':00',\n"
        "    'comment_content' => \"Page test $name\\n\\nwith a second paragraph.\",\n"
        "    'comment_approved' => 1]);\n"
        "  wp_insert_comment(['comment_post_ID' => $post, 'comment_author' => 'Re ' . $name,\n"
        "    'comment_date' => '2023-02-0' . ($i + 1) . ' 2' . $i . ':00:00',\n"
        "    'comment_date_gmt' => '2023-02-0' . ($i + 1) . ' 2' . $i . ':00:00',\n"
        "    'comment_content' => 'Reply to ' . $name, 'comment_parent' => $id,\n"
        "    'comment_approved' => 1]);\n"
        "}\n"
        f"wp_insert_post(['post_title' => wp_slash({php_literal(TEXTURISED_TITLE)}),\n"
        "  'post_status' => 'publish', 'post_date' => '2023-02-20 09:00:00',\n"
        "  'post_content' => 'Quotes.', 'post_category' => [1]]);\n"
    )


def export(sandbox: Any, tmp_path: Path) -> list[Record]:
    return list(read_wxr(sandbox.export_wxr(tmp_path / "export.xml")))


def scrape_into_archive(url: str, archive: Archive) -> tuple[ScrapeSource, list[Record]]:
    captured: list[Record] = []

    def keep(records: Iterator[Record]) -> Iterator[Record]:
        for record in records:
            captured.append(record)
            yield record

    source = ScrapeSource(make_session(FAST), archive, url, NOW)
    archive.save(keep(source.records()), atomic=False, public_only=True)
    return source, captured


def words(markup: str) -> str:
    return " ".join(html_to_text(markup).split())


def minute(value: datetime | None) -> datetime | None:
    return value.replace(second=0, microsecond=0, tzinfo=None) if value else None


def public_posts(records: list[Record], types: tuple[str, ...]) -> dict[int, Post]:
    return {
        r.id: r
        for r in records
        if isinstance(r, Post) and r.type in types and r.status == "publish"
    }


def approved_comments(records: list[Record], post_ids: Iterable[int]) -> dict[int, Comment]:
    wanted = set(post_ids)
    return {
        r.id: r
        for r in records
        if isinstance(r, Comment) and r.status == "approved" and r.post in wanted
    }


def check_posts_match(scraped: dict[int, Post], exported: dict[int, Post]) -> None:
    assert set(exported) <= set(scraped), "every public post is found"
    for post_id, wanted in exported.items():
        got = scraped[post_id]
        if wanted.title == TEXTURISED_TITLE:
            # A visitor sees the texturised title; the scrape can only report that.
            assert (
                got.title
                == "Thing 3: \u201cQuotes\u201d \u2014 and \u2018dashes\u2019 & ampersands"
            )
        else:
            assert got.title == wanted.title
        if got.date or wanted.type == "post":  # themes seldom show a page's date
            assert minute(got.date) == minute(wanted.date), wanted.title
            assert minute(got.date_gmt) == minute(wanted.date_gmt), wanted.title
        assert (got.type, got.parent) == (wanted.type, wanted.parent), wanted.title
        shown = {(t.taxonomy, t.slug, t.name) for t in wanted.terms
                 if t.taxonomy in ("category", "post_tag")}  # fmt: skip
        assert {(t.taxonomy, t.slug, t.name) for t in got.terms} == shown, wanted.title
        assert got.password_protected == wanted.password_protected
        assert got.link.rstrip("/") == wanted.link.rstrip("/")


def check_comments_match(
    scraped: dict[int, Comment], exported: dict[int, Comment], *, ping_text: bool
) -> None:
    assert set(scraped) == set(exported), "every approved comment, and nothing else"
    for comment_id, wanted in exported.items():
        got = scraped[comment_id]
        assert (got.post, got.parent, got.type) == (wanted.post, wanted.parent, wanted.type)
        assert got.author_name == wanted.author_name
        assert got.author_url.rstrip("/") == wanted.author_url.rstrip("/")
        if wanted.type == "comment" or ping_text:
            assert words(got.content) == words(wanted.content), comment_id
            assert minute(got.date) == minute(wanted.date), comment_id
            assert minute(got.date_gmt) == minute(wanted.date_gmt), comment_id
        else:
            assert got.content == ""  # the classic theme shows no pingback excerpt


def check_category_parents(records: list[Record], exported: list[Record]) -> None:
    parents = {t.slug: t.parent for t in exported if isinstance(t, Term)}
    seen = {t.slug: t.parent for t in records if isinstance(t, Term) and t.taxonomy == "category"}
    assert seen["blogging-tools"] == "tools" and seen["tools"] == "23-things"
    for slug, parent in seen.items():
        assert parent in ("", parents[slug])  # shown where the address names it, never wrong
    # Every term, parents the post is not in included, has the name the site shows (WXR
    # keeps it HTML-escaped, as WordPress stores it).
    wanted = {(t.taxonomy, t.slug): html.unescape(t.name) for t in exported if isinstance(t, Term)}
    named = {(t.taxonomy, t.slug): t.name for t in records if isinstance(t, Term)}
    assert named == {key: wanted[key] for key in named}


@pytest.mark.wordpress
@pytest.mark.parametrize(
    ("theme", "page_types", "ping_text"),
    [("twentytwentyone", (), False), ("twentytwentythree", ("page",), True)],
)
def test_scrape_matches_the_sites_own_export(
    wordpress_factory: Callable[..., Any],
    tmp_path: Path,
    theme: str,
    page_types: tuple[str, ...],
    ping_text: bool,
) -> None:
    sandbox = wordpress_factory(theme=theme)
    prepare(sandbox)
    exported = export(sandbox, tmp_path)
    started = time.monotonic()
    with Archive(tmp_path / "wpcpd.db") as archive:
        source, records = scrape_into_archive(sandbox.url, archive)
        seconds = time.monotonic() - started
        stored = {p.id for _, p in archive.iter_records() if isinstance(p, Post)}
    report = source.report
    assert report.failed == [] and report.comment_mismatches == [], report.warnings()
    wanted = public_posts(exported, ("post", *page_types))
    check_posts_match(public_posts(records, ("post", "page")), wanted)
    assert set(wanted) <= stored
    unseen = {p.id for p in exported if isinstance(p, Post) and p.status != "publish"}
    assert not unseen & set(posts_of(records)), "no draft, private, future or trashed post"
    check_comments_match(
        approved_comments(records, wanted),
        approved_comments(exported, wanted),
        ping_text=ping_text,
    )
    check_category_parents(records, exported)
    assert f"{sandbox.url}/wp-sitemap.xml" in report.crawl.fetched  # found as on a real site
    assert any("comment-page-" in url for url in report.crawl.fetched), "pagination exercised"
    assert seconds < 60, f"{theme}: {seconds:.1f}s, {report.summary()}"


@pytest.mark.wordpress
def test_plain_permalinks_site_is_found_through_its_sitemap(
    wordpress_factory: Callable[..., Any], tmp_path: Path
) -> None:
    sandbox = wordpress_factory(permalinks=None)
    sandbox.seed_full()
    exported = export(sandbox, tmp_path)
    source, records = scrape(sandbox.url)
    assert any("sitemap" in note for note in source.report.discovery)
    wanted = public_posts(exported, ("post", "page"))
    got = posts_of(records)
    assert set(wanted) <= set(got)
    for post_id, post in wanted.items():
        assert (got[post_id].title, got[post_id].type) == (post.title, post.type)
        assert re.search(rf"[?&](p|page_id)={post_id}\b", got[post_id].link)
    assert source.report.failed == []


@pytest.mark.wordpress
def test_a_rerun_on_wordpress_gets_304_for_the_feed(
    wordpress_factory: Callable[..., Any], tmp_path: Path
) -> None:
    sandbox = wordpress_factory()
    sandbox.seed_full()
    # Without sitemaps (WordPress before 5.5, or turned off by an SEO plugin) the feed is
    # where posts are found, and WordPress answers a conditional request for it with 304.
    sandbox.add_mu_plugin("no-sitemaps", "add_filter('wp_sitemaps_enabled', '__return_false');")
    with Archive(tmp_path / "wpcpd.db") as archive:
        scrape_into_archive(sandbox.url, archive)
        source, _records = scrape_into_archive(sandbox.url, archive)
    assert f"{sandbox.url}/feed/" in source.report.crawl.unchanged
    assert source.report.failed == []


# -- display names -------------------------------------------------------------------------


def category_page(slug: str, number: int, name: str) -> str:
    """A category archive as Twenty Twenty-One prints it."""
    return (
        '<html lang="en-GB"><head><title>' + html.escape(name) + " &#8211; Blog</title>"
        '<meta name="generator" content="WordPress 6.1"></head>'
        f'<body class="archive category category-{slug} category-{number}">'
        f'<h1 class="page-title">Category: <span>{html.escape(name)}</span></h1></body></html>'
    )


def in_categories(*links: tuple[str, str]) -> str:
    shown = ", ".join(
        f'<a href="{href}" rel="category tag">{html.escape(name)}</a>' for href, name in links
    )
    return f'<p>Words.</p><span class="cat-links">Categorized as {shown}</span>'


def test_a_parent_category_is_named_by_its_own_page_never_by_its_slug(
    blog: FakeBlog, tmp_path: Path
) -> None:
    u = blog.url
    libraries = (f"{u}/category/cpd/libraries-archives/", "Libraries & Archives")
    reading = (f"{u}/category/hobbies/reading/", "Reading")
    blog.page("/", home_page())
    blog.page("/wp-sitemap.xml", sitemap(*(f"{u}/p{i}/" for i in range(1, 6))),
              content_type="application/xml")  # fmt: skip
    blog.page("/p1/", wp_page(1, "One", in_categories(libraries)))
    blog.page("/p2/", wp_page(2, "Two", in_categories(libraries)))
    blog.page("/p3/", wp_page(3, "Three", in_categories(reading)))  # /category/hobbies/: 404
    blog.page("/p4/", wp_page(4, "Four", in_categories((f"{u}/category/hobbies/", "Hobbies"))))
    knitting = (f"{u}/category/misc/knitting/", "Knitting")  # /category/misc/: 404 too
    blog.page("/p5/", wp_page(5, "Five", in_categories(knitting)))
    blog.page("/category/cpd/", category_page("cpd", 3, "CPD"))
    with Archive(tmp_path / "a.db") as archive:
        source, records = scrape_into_archive(u, archive)
        stored = {(t.slug): (t.name, t.id, t.parent)
                  for _, t in archive.iter_records() if isinstance(t, Term)}  # fmt: skip
    assert stored == {
        "cpd": ("CPD", 3, ""),
        "libraries-archives": ("Libraries & Archives", None, "cpd"),
        "hobbies": ("Hobbies", None, ""),  # named by the first page that links to it
        "reading": ("Reading", None, "hobbies"),
        "misc": ("", None, ""),  # no page names it
        "knitting": ("Knitting", None, "misc"),
    }
    assert blog.paths().count("/category/cpd/") == 1  # read once for both posts
    assert not {t.name for t in records if isinstance(t, Term)} & {"cpd", "hobbies", "misc"}
    assert source.report.notes == [
        (f"{u}/category/misc/", "no page read names the category 'misc': it is kept unnamed")
    ]


DISPLAY_NAMES = """
$cpd = wp_insert_term('CPD', 'category', ['slug' => 'cpd'])['term_id'];
$libraries = wp_insert_term('Libraries & Archives', 'category', ['parent' => $cpd])['term_id'];
$things = wp_insert_term('23 Things', 'category', ['parent' => $libraries])['term_id'];
wp_insert_post(['post_title' => 'Thing 1', 'post_status' => 'publish',
  'post_date' => '2023-01-09 10:00:00', 'post_content' => 'Words.',
  'post_category' => [$things], 'tags_input' => ['Café & Co', 'CPD']]);
"""


@pytest.mark.wordpress
@pytest.mark.parametrize(
    ("theme", "permalinks"),
    [("twentytwentyone", "/%postname%/"), ("twentytwentythree", "/%postname%/"),
     ("twentytwentyone", None)],
)  # fmt: skip
def test_scraped_terms_keep_the_names_the_site_shows(
    wordpress_factory: Callable[..., Any], tmp_path: Path, theme: str, permalinks: str | None
) -> None:
    """Capitals, spaces and ampersands; parents the post is not in are named too (where the
    addresses show the hierarchy)."""
    sandbox = wordpress_factory(theme=theme, permalinks=permalinks)
    sandbox.php(DISPLAY_NAMES)
    with Archive(tmp_path / "wpcpd.db") as archive:
        source, _records = scrape_into_archive(sandbox.url, archive)
        terms = {(t.taxonomy, t.slug): (t.name, t.parent)
                 for _, t in archive.iter_records() if isinstance(t, Term)}  # fmt: skip
    assert source.report.failed == [] and source.report.notes == [], source.report.warnings()
    parent = "libraries-archives" if permalinks else ""  # ?cat=N shows no hierarchy
    assert terms[("category", "23-things")] == ("23 Things", parent)
    assert terms[("post_tag", "cafe-co")] == ("Café & Co", "")
    assert terms[("post_tag", "cpd")] == ("CPD", "")
    if permalinks:  # the addresses name the parents, their pages their names
        assert terms[("category", "libraries-archives")] == ("Libraries & Archives", "cpd")
        assert terms[("category", "cpd")] == ("CPD", "")
