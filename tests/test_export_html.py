"""`wpcpd export html` read as its reader reads it: Debian's headless Chromium, driven by
Playwright for Python (pointed at /usr/bin/chromium; no browser is downloaded), opens the
exported pages from file:// and checks what a person would see or miss: no console
error, no request that leaves file://, every picture loaded, the 3-deep thread nested,
search by keyboard from the box to the post, private posts absent (or marked), a phone's
375 px without sideways scrolling, landmarks and one h1 per page. The exports are of
fixtures/wxr/markdown-site.xml (pictures from fixtures/uploads) and of the bundled
fixtures/sample-cpd23.xml. Screenshots go into the test's tmp folder;
`WPCPD_SCREENSHOTS=1` also writes docs/screenshots/html-export.png, the README's."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import assert_clean, cli_env, plain, run_cli

ROOT = Path(__file__).resolve().parent.parent
SITE_XML = ROOT / "fixtures" / "wxr" / "markdown-site.xml"
SAMPLE_XML = ROOT / "fixtures" / "sample-cpd23.xml"
UPLOADS = ROOT / "fixtures" / "uploads"
CHROMIUM = Path("/usr/bin/chromium")
PRIVATE_FILES = ("posts/thing-2-rss-feeds-103.html", "posts/thing-4-private.html",
                 "posts/thing-5-protected.html", "posts/thing-6-pending.html",
                 "posts/thing-23-looking-back.html", "pages/draft-page.html")  # fmt: skip
NEVER_WRITTEN = ("cpd-secret", "reader@example.net", "jo@example.org", "192.0.2.7")


def pull(home: Path, wxr: Path, *more: str) -> None:
    done = run_cli(["pull", str(wxr), *more], cli_env(home))
    assert done.code == 0, done.text


def export(home: Path, out: Path, *more: str, mode: str = "piped") -> Any:
    return run_cli(["export", "html", "--out", str(out), *more], cli_env(home), mode)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html-home")
    pull(folder, SITE_XML, "--media-dir", str(UPLOADS))
    return folder


@pytest.fixture(scope="module")
def sites(home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The exports the browser reads: public, with everything, and the bundled sample."""
    found = {}
    for name, args in (("public", ()), ("private", ("--include-private", "--comments", "all"))):
        out = tmp_path_factory.mktemp(f"html-{name}")
        assert_clean(export(home, out, *args), "piped")
        found[name] = out
    sample_home = tmp_path_factory.mktemp("html-sample-home")
    pull(sample_home, SAMPLE_XML)
    found["sample"] = tmp_path_factory.mktemp("html-sample")
    assert_clean(export(sample_home, found["sample"]), "piped")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM.is_file(), (
        "the HTML export's browser tests need Debian's chromium at /usr/bin/chromium "
        "(apt-get install chromium; scripts/test installs it)"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


class Visit:
    """A browser page that records every console error and every request it makes."""

    def __init__(self, browser: Any, **context: Any) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        return self.page

    def assert_offline_and_clean(self) -> None:
        assert not self.errors, self.errors
        away = [url for url in self.requests if not url.startswith("file://")]
        assert not away, away

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any) -> Iterator[Visit]:
    made = Visit(browser)
    yield made
    made.close()


def html_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.html") if ".wpcpd" not in p.parts)


_PAGE_FACTS = """() => {
  const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
  const images = [...document.images];
  return {
    h1: document.querySelectorAll('h1').length, headings,
    landmarks: ['body > header', 'body > main', 'body > footer', 'body > header nav']
      .filter(s => document.querySelectorAll(s).length === 1).length,
    skip: document.querySelector('a.skip-link')?.getAttribute('href'),
    mainId: document.querySelector('main')?.id,
    images: images.length,
    broken: images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
    noAlt: images.filter(i => !i.hasAttribute('alt')).map(i => i.src),
    viewport: !!document.querySelector('meta[name=viewport]'),
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content || '',
  };
}"""


@pytest.mark.parametrize("name", ("public", "private", "sample"))
def test_every_page_loads_offline_with_its_pictures_and_accessible_markup(
    sites: dict[str, Path], visit: Visit, name: str
) -> None:
    pictures = 0
    # The portfolio page is `export portfolio`'s document (tests/test_export_portfolio.py).
    for path in [p for p in html_files(sites[name]) if "portfolio" not in p.parts]:
        facts = visit.open(path).evaluate(_PAGE_FACTS)
        where = path.relative_to(sites[name])
        assert facts["h1"] == 1, where
        assert facts["landmarks"] == 4, where
        assert facts["skip"] == "#main" and facts["mainId"] == "main", where
        assert facts["viewport"] and "default-src 'none'" in facts["csp"], where
        steps = list(zip(facts["headings"], facts["headings"][1:], strict=False))
        assert all(b <= a + 1 for a, b in steps), (where, facts["headings"])
        assert not facts["broken"], (where, facts["broken"])
        assert not facts["noAlt"], (where, facts["noAlt"])
        pictures += facts["images"]
    visit.assert_offline_and_clean()
    if name != "sample":  # the sample's media were never fetched: its picture is a link
        assert pictures >= 4


def _ancestors(page: Any, selector: str) -> list[str]:
    return page.eval_on_selector(selector, """el => {
      const ids = [];
      for (let at = el.parentElement.closest('li.comment'); at;
           at = at.parentElement.closest('li.comment')) ids.push(at.id);
      return ids;
    }""")  # fmt: skip


def test_the_three_deep_thread_nests_and_held_comments_stay_out(
    sites: dict[str, Path], visit: Visit
) -> None:
    page = visit.open(sites["public"] / "posts/thing-1-blogging.html")
    assert _ancestors(page, "#comment-1003") == ["comment-1002", "comment-1001"]
    assert _ancestors(page, "#comment-1001") == []
    assert page.locator("#comment-1003 .comment-author").inner_text() == "Sam Reader"
    assert page.locator("#comment-1003 time").get_attribute("datetime").startswith("2013-01-16")
    assert page.locator("#comment-1004, #comment-1005").count() == 0  # held, spam
    assert "Awaiting moderation text" not in page.content()
    assert "Buy cheap things" not in page.content()
    assert page.locator("#comment-1006").is_visible()  # an approved reply to a held one
    everything = visit.open(sites["private"] / "posts/thing-1-blogging.html")
    assert "Held for moderation" in everything.locator("#comment-1004").inner_text()
    assert "Spam" in everything.locator("#comment-1005").inner_text()
    assert _ancestors(everything, "#comment-1006") == ["comment-1004"]
    visit.assert_offline_and_clean()


@pytest.mark.parametrize(
    ("name", "phrase", "post"),
    [("public", "the first sentence", "posts/thing-1-blogging.html"),
     ("sample", "subscribe to five feeds", "posts/thing-2-rss-feeds.html")],
)  # fmt: skip
def test_search_finds_a_phrase_and_opens_the_post_by_keyboard(
    sites: dict[str, Path], visit: Visit, name: str, phrase: str, post: str
) -> None:
    page = visit.open(sites[name] / "index.html")
    page.keyboard.press("Tab")  # the skip link first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.focus("#site-search-q")
    page.keyboard.type(phrase)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("?")[0].endswith("/search.html")
    results = page.locator("#search-results a.result")
    assert results.count() >= 1
    assert page.locator("#search-status").inner_text().startswith(f"{results.count()} result")
    for _ in range(12):  # Tab from the box to the first result
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('result')"):
            break
    target = (sites[name] / post).as_uri()
    assert page.evaluate("document.activeElement.href") == target
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == target
    page.go_back()
    page.fill("#search-q", "zzzz no such words")
    assert page.locator("#search-results li").count() == 0
    assert page.locator("#search-status").inner_text().startswith("0 results")
    visit.assert_offline_and_clean()


def test_private_posts_are_absent_without_the_flag_and_marked_with_it(
    sites: dict[str, Path], visit: Visit
) -> None:
    public, private = sites["public"], sites["private"]
    for relative in PRIVATE_FILES:
        assert not (public / relative).exists(), relative
        assert (private / relative).is_file(), relative
    everything_public = "\n".join(p.read_text("utf-8") for p in html_files(public))
    everything_public += (public / "search-index.js").read_text("utf-8")
    for title in ("Thing 4: private thoughts", "Thing 5: protected", "Thing 6: pending",
                  "Thing 23: looking back", "Draft page", "Only for me."):  # fmt: skip
        assert title not in everything_public, title
    page = visit.open(private / "posts/thing-4-private.html")
    assert page.locator("h1 .badge").inner_text() == "Private"
    assert "Not public on the blog" in page.locator(".notice").inner_text()
    protected = visit.open(private / "posts/thing-5-protected.html")
    assert protected.locator("h1 .badge").inner_text() == "Password-protected"
    year = visit.open(private / "years/2013.html")
    badges = year.locator(".post-list .badge").all_inner_texts()
    assert {"Draft", "Private", "Password-protected", "Pending review"} <= set(badges)
    visit.assert_offline_and_clean()
    for folder in (public, private):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".js", ".json"):
                text = path.read_text("utf-8")
                for secret in NEVER_WRITTEN:
                    assert secret not in text, (path, secret)


def test_a_phone_never_scrolls_sideways_and_screenshots_are_saved(
    sites: dict[str, Path], browser: Any, tmp_path: Path
) -> None:
    folder = sites["public"]
    for label, size in (("desktop", {"width": 1280, "height": 900}),
                        ("phone", {"width": 375, "height": 740})):  # fmt: skip
        visit = Visit(browser, viewport=size, device_scale_factor=1)
        for path in [*html_files(folder), *html_files(sites["sample"])]:
            page = visit.open(path)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= size["width"], (label, path, wide)
        page = visit.open(folder / "posts/thing-1-blogging.html")
        shot = tmp_path / f"html-export-{label}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        if label == "desktop" and os.environ.get("WPCPD_SCREENSHOTS") == "1":
            target = ROOT / "docs" / "screenshots" / "html-export.png"
            target.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(target), full_page=True)
        visit.assert_offline_and_clean()
        visit.close()


HOSTILE = """<p>Hostile: <img src="https://tracker.example.com/pixel.gif" alt="a tracker">
<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>
<script>document.title = "owned"</script><style>body{background:url(https://x.example.com/a.png)}</style>
<a href="javascript:alert(1)" onclick="alert(2)">click</a>
<span style="background:url(https://x.example.com/b.png)">styled</span>
<video src="https://cdn.example.com/film.mp4" poster="https://cdn.example.com/p.jpg"></video>
<object data="https://x.example.com/flash.swf"></object>
<link rel="stylesheet" href="https://cdn.example.com/font.css">
<form action="https://x.example.com/"><input name="a"></form>
<a href="https://reflect.example.org/2013/01/22/thing-2-rss-feeds/">next thing</a>
<a href="http://www.reflect.example.org/?p=102#comments">by id</a>
<a href="https://reflect.example.org/?p=104">a private one</a></p>"""


def test_content_that_would_fetch_from_elsewhere_becomes_links_and_featured_images_show(
    tmp_path: Path, visit: Visit
) -> None:
    text = SITE_XML.read_text("utf-8").replace("Notes for later.", HOSTILE, 1)
    thumbnail = ("<wp:postmeta>\n\t\t<wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key>"
                 "<wp:meta_value><![CDATA[203]]></wp:meta_value></wp:postmeta>\n")  # fmt: skip
    at = text.index("<wp:post_id>102</wp:post_id>")
    at = text.index("<wp:postmeta>", at)
    text = text[:at] + thumbnail + text[at:]  # post 102's featured image, not in its text
    hostile = tmp_path / "hostile.xml"
    hostile.write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    pull(home, hostile, "--media-dir", str(UPLOADS))
    out = tmp_path / "out"
    assert_clean(export(home, out), "piped")
    page = visit.open(out / "posts/thing-1-blogging.html")
    assert page.title() != "owned"
    content = page.locator(".entry-content")
    hrefs = content.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert "https://tracker.example.com/pixel.gif" in hrefs
    assert "https://www.youtube.com/embed/dQw4w9WgXcQ" in hrefs
    assert "https://cdn.example.com/film.mp4" in hrefs
    assert not [h for h in hrefs if h.startswith("javascript:")]
    markup = content.inner_html()
    for gone in ("<script", "<iframe", "<style", "<object", "<form", "onclick", "style=",
                 "<link"):  # fmt: skip
        assert gone not in markup, gone
    assert "styled" in markup and "click" in markup
    local = (out / "posts/thing-2-rss-feeds.html").as_uri()
    assert content.get_by_text("next thing").evaluate("a => a.href") == local
    assert content.get_by_text("by id").evaluate("a => a.href") == local + "#comments"
    private = content.get_by_text("a private one").evaluate("a => a.href")
    assert private == "https://reflect.example.org/?p=104"  # not in this export
    featured = visit.open(out / "posts/thing-2-rss-feeds.html").locator("figure.featured img")
    assert featured.get_attribute("alt") == "How the Things fit together"
    assert featured.evaluate("img => img.naturalWidth") > 0
    visit.assert_offline_and_clean()


def test_a_re_run_rewrites_nothing_unchanged(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert_clean(export(home, out), "piped")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = export(home, out)
    assert_clean(again, "piped")
    assert "0 files written, 21 unchanged, 0 removed" in plain(again.err)  # with the portfolio
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    changed = [p for p in before if after.get(p) != before[p] and p.name != "manifest.json"]
    assert not changed, changed
    assert_clean(export(home, out, "--include-private"), "piped")
    assert (out / "posts/thing-4-private.html").is_file()
    back = export(home, out)  # without the flag again: the private pages go
    assert_clean(back, "piped")
    assert not (out / "posts/thing-4-private.html").exists()


def test_the_cpd_portfolio_is_a_page_of_the_site_and_linked_from_every_page(
    tmp_path: Path, visit: Visit
) -> None:
    """The reflection blog's cpd23 portfolio, as `export portfolio` renders it, in the site."""
    own = tmp_path / "home"
    own.mkdir()
    pull(own, ROOT / "fixtures" / "reflections" / "cpd23-blog.xml")
    out = tmp_path / "site"
    assert_clean(export(own, out), "piped")
    page = out / "portfolio" / "cpd23.html"
    standalone = tmp_path / "portfolio.html"
    done = run_cli(["export", "portfolio", "--programme", "cpd23", "--out", str(standalone)],
                   cli_env(own))  # fmt: skip
    assert done.code == 0, done.text
    assert page.read_text("utf-8") == standalone.read_text("utf-8")
    title = re.search(r"<title>(.*?)</title>", page.read_text("utf-8")).group(1)
    index = (out / "index.html").read_text("utf-8")
    assert f'<a href="portfolio/cpd23.html">{title}</a>' in index
    loaded = visit.open(page)
    assert loaded.locator("h1").count() == 1 and loaded.locator("h2").count() >= 2
    visit.assert_offline_and_clean()


@pytest.mark.parametrize("mode", ("terminal", "piped"))
def test_the_summary_says_what_was_written_and_left_out(
    home: Path, tmp_path: Path, mode: str
) -> None:
    run = export(home, tmp_path / "out", mode=mode)
    assert_clean(run, mode)
    text = " ".join(plain(run.text).split())
    assert f"wrote 4 posts and pages to {tmp_path / 'out'}" in text
    assert "2 posts and 2 pages; 6 not public left out (--include-private" in text
    assert "6 comments in 2 threads; 2 left out by --comments approved" in text
    assert "3 media files copied" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--comments", "some"), "unknown --comments 'some'"),
     (("--site", "nowhere.example"), "nowhere.example")],
)  # fmt: skip
def test_bad_options_are_one_line_and_write_nothing(
    home: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    run = export(home, tmp_path / "out", *args)
    assert_clean(run, "piped", ok=False)
    assert message in run.err
    assert not (tmp_path / "out").exists()


def test_a_folder_export_needs_a_folder_not_a_markdown_one(home: Path, tmp_path: Path) -> None:
    run = export(home, Path("-"))
    assert_clean(run, "piped", ok=False)
    assert "writes a folder: name it with --out DIR" in run.err
    markdown = tmp_path / "md"
    assert run_cli(["export", "markdown", "--out", str(markdown), "--layout", "hugo"],
                   cli_env(home)).code == 0  # fmt: skip
    run = export(home, markdown)
    assert_clean(run, "piped", ok=False)
    assert "holds a hugo export" in run.err


def test_json_output_is_refused_as_every_export_refuses_it(home: Path, tmp_path: Path) -> None:
    run = export(home, tmp_path / "out", mode="json")
    assert_clean(run, "json", ok=False)
    assert "No such option: --json" in run.err
    assert not (tmp_path / "out").exists()


def test_headings_renumber_and_addresses_without_a_scheme_load_nothing() -> None:
    from wpcpd.sinks.html.content import sanitise

    cleaned = sanitise(
        '<h1>A</h1><h4>B</h4><img src="//cdn.example.com/x.png" alt="x">'
        '<img src="../media/a.png" alt="kept"><img src="/wp-content/b.png">'
    )
    assert cleaned.startswith("<h2>A</h2><h3>B</h3>")
    assert "[Picture: x]" in cleaned and "cdn.example.com" not in cleaned
    assert '<img alt="kept" src="../media/a.png"/>' in cleaned
    assert "/wp-content/b.png" not in cleaned


@pytest.mark.parametrize(
    "text",
    ["Welcome to the programme! *Great* start.", "Two lines\nin one paragraph.",
     "First paragraph.\n\nSecond, with _under_ and `ticks` and # hash.\r\n\r\nThird.",
     "  1. not a list\n- nor this\n> nor a quote", "Ünïcödé — and “quotes” 'single'"],
)  # fmt: skip
def test_plain_comments_skip_the_converter_and_render_alike(text: str) -> None:
    """Most comments are plain text: the quick path must give what the full one gives."""
    from wpcpd.sinks.html.content import _MARKDOWN, FLAVOUR, plain_paragraphs, sanitise
    from wpcpd.sinks.markdown.convert import to_markdown

    full = sanitise(_MARKDOWN.render(to_markdown(text, FLAVOUR)))
    assert plain_paragraphs(text) == full


def test_content_cannot_take_the_pages_own_ids_or_nest_links() -> None:
    from wpcpd.sinks.html.content import sanitise

    cleaned = sanitise(
        '<p id="main">x</p><p id="comment-1001">y</p><p id="mine">z</p>'
        '<a href="https://elsewhere.example/"><img src="https://cdn.example/p.png" alt="p"></a>'
    )
    assert 'id="main"' not in cleaned and 'id="comment-1001"' not in cleaned
    assert 'id="mine"' in cleaned
    assert '<a href="https://elsewhere.example/">[Picture: p]</a>' in cleaned


def test_comments_none_shows_no_thread(home: Path, tmp_path: Path) -> None:
    assert_clean(export(home, tmp_path / "out", "--comments", "none"), "piped")
    post = (tmp_path / "out/posts/thing-1-blogging.html").read_text("utf-8")
    assert 'class="comments"' not in post and "Sam Reader" not in post


def test_pages_keep_their_hierarchy_and_posts_link_older_and_newer(
    sites: dict[str, Path], visit: Visit
) -> None:
    folder = sites["public"]
    child = visit.open(folder / "pages/about/programme.html")
    crumbs = child.locator("nav.breadcrumb a")
    assert crumbs.all_inner_texts() == ["About"]
    assert crumbs.first.evaluate("a => a.href") == (folder / "pages/about.html").as_uri()
    parent = visit.open(folder / "pages/about.html")
    assert parent.locator(".child-pages a").all_inner_texts() == ["The programme"]
    assert "The programme" in visit.open(folder / "pages.html").locator("main").inner_text()
    first = visit.open(folder / "posts/thing-1-blogging.html")
    assert first.locator("a[rel=prev]").count() == 0
    assert first.locator("a[rel=next]").inner_text() == "Thing 2: RSS feeds"
    second = visit.open(folder / "posts/thing-2-rss-feeds.html")
    older = (folder / "posts/thing-1-blogging.html").as_uri()
    assert second.locator("a[rel=prev]").evaluate("a => a.href") == older
    year = visit.open(folder / "years/2013.html")
    assert year.locator("main h2").all_inner_texts() == ["January 2013"]
    assert year.locator(".post-list a").all_inner_texts() == [
        "Thing 2: RSS feeds", "Thing 1: Blogging"]  # fmt: skip
    tag = visit.open(folder / "tag/rss.html")
    assert tag.locator(".post-list a").all_inner_texts() == ["Thing 2: RSS feeds"]
    visit.assert_offline_and_clean()


def test_print_leaves_out_navigation_and_search(sites: dict[str, Path], visit: Visit) -> None:
    page = visit.open(sites["public"] / "posts/thing-1-blogging.html")
    page.emulate_media(media="print")
    for selector in (".site-nav", ".site-search", ".post-nav"):
        assert not page.locator(selector).is_visible(), selector
    assert page.locator("#comment-1003").is_visible()
    page.emulate_media(media="screen")
    assert page.locator(".site-nav").is_visible()


def test_an_archive_of_two_sites_needs_site(home: Path, tmp_path: Path) -> None:
    both = tmp_path / "both"
    both.mkdir()
    pull(both, SITE_XML)
    pull(both, SAMPLE_XML)
    run = export(both, tmp_path / "out")
    assert_clean(run, "piped", ok=False)
    assert "an HTML export holds one site: name one with --site" in run.err
    assert_clean(export(both, tmp_path / "out", "--site", "reflect.example.org"), "piped")
    assert (tmp_path / "out/posts/thing-1-blogging.html").is_file()
