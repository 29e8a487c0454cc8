"""Reading one page: hand-written fixtures in older hosted-blog markup, and small snippets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from wpcpd.sources.scrape.comments import claimed_comment_count, comment_page_links
from wpcpd.sources.scrape.html import PageProblem, ScrapedPost, read_post_page
from wpcpd.sources.scrape.markup import parse_html, stable_id
from wpcpd.sources.scrape.printed_dates import parse_human_date
from wpcpd.sources.scrape.terms import read_term_page, wp_slug
from wpcpd.text import html_to_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"
WPCOM_URL = "https://librarydays.example.com/2011/03/03/thing-3-podcasts/"


def read_fixture(name: str, url: str) -> ScrapedPost:
    return read_post_page((FIXTURES / name).read_text(encoding="utf-8"), url)


@pytest.fixture(scope="module")
def wpcom() -> ScrapedPost:
    return read_fixture("wpcom-2011-post.html", WPCOM_URL)


def page(body: str, *, lang: str = "en-US", body_class: str = "single postid-5") -> str:
    """A minimal WordPress page around `body`."""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>T</title>'
        '<meta name="generator" content="WordPress 6.1">'
        f'</head><body class="{body_class}">{body}</body></html>'
    )


# -- the WordPress.com 2011 fixture ---------------------------------------------------------


def test_wpcom_2011_post_fields(wpcom: ScrapedPost) -> None:
    post = wpcom.post
    assert post.id == 123  # from the postid-123 body class; the wp.me shortlink has none
    assert post.type == "post"
    assert post.title == "Thing 3: Podcasts \u2013 “Listening” on the go"  # entities decoded
    assert post.link == WPCOM_URL
    assert post.slug == "thing-3-podcasts"
    # Twenty Ten prints the day and hides the time in the link's title attribute.
    assert post.date == datetime(2011, 3, 3, 19, 42)
    assert post.date_gmt is None  # a human date says nothing of the time zone
    assert post.comment_status == "open"
    assert wpcom.author is not None
    assert (wpcom.author.login, wpcom.author.display_name) == ("sianob", "Siân")
    assert post.author == "sianob"


def test_wpcom_2011_terms_with_parent_from_the_address(wpcom: ScrapedPost) -> None:
    terms = {(t.taxonomy, t.slug): (t.name, t.parent) for t in wpcom.terms}
    assert terms == {
        ("category", "cpd"): ("CPD", ""),
        ("category", "23-things"): ("23 Things", "cpd"),
        ("post_tag", "podcasts"): ("podcasts", ""),
        ("post_tag", "reflection"): ("reflection", ""),
    }
    assert [(r.taxonomy, r.slug) for r in wpcom.post.terms] == list(terms)


def test_wpcom_2011_body_has_the_writing_and_none_of_the_clutter(wpcom: ScrapedPost) -> None:
    content = wpcom.post.content
    text = html_to_text(content)
    assert "This week\u2019s thing was podcasts." in text
    assert "listen — and take notes later" in text
    assert 'class="alignnone size-medium wp-image-456"' in content
    for clutter in (
        "Share this", "Like this", "bloggers like this", "Related", "Loading", "Twitter",
        "Leave a Reply", "Fill in your details", "You are commenting using your",
        "Connecting to %s", "Thing 2: RSS", "Notify me",
    ):  # fmt: skip
        assert clutter not in text, clutter
    for marker in ("jp-post-flair", "sharedaddy", "sd-like", "jp-relatedposts", "<script"):
        assert marker not in content, marker


def test_wpcom_2011_comments_keep_their_threads(wpcom: ScrapedPost) -> None:
    comments = {c.id: c for c in wpcom.comments if c.id > 0}
    assert {i: c.parent for i, c in comments.items()} == {201: 0, 202: 201, 204: 202, 203: 0}
    jo, sian, anon, pat = (comments[i] for i in (201, 202, 204, 203))
    assert (jo.author_name, jo.author_url) == ("Jo Bloggs", "http://jobloggs.example.net")
    assert (sian.author_name, sian.author_url) == ("Siân", "https://librarydays.example.com")
    assert (anon.author_name, anon.author_url) == ("Anon Reader", "")
    assert jo.date == datetime(2011, 3, 4, 9, 5)
    assert sian.date == datetime(2011, 3, 4, 12, 30)
    assert anon.date == datetime(2011, 3, 5, 0, 5)  # 12:05 am
    assert pat.date == datetime(2011, 3, 6, 18, 45)
    assert jo.content == (
        "<p>Which podcasts did you pick? I\u2019d like <em>recommendations</em>.</p>"
    )
    assert "<ol><li>Library Talk</li>" in sian.content
    assert html_to_text(anon.content) == "Thanks, both!"
    assert all(c.post == 123 and c.status == "approved" for c in wpcom.comments)
    for comment in wpcom.comments:  # widgets and the reply form never leak into comments
        for clutter in ("Like", "Reply", "says:", "March"):
            assert clutter not in html_to_text(comment.content)


def test_wpcom_2011_pingback_without_an_id_is_kept(wpcom: ScrapedPost) -> None:
    pings = [c for c in wpcom.comments if c.type == "pingback"]
    assert len(pings) == 1
    ping = pings[0]
    assert ping.id < 0  # derived from the address, as no id is shown
    assert ping.author_name == "Thing 3 round-up « Another Library Blog"
    assert ping.author_url == "http://otherblog.example.org/2011/03/07/my-thing-3/"
    assert ping.content == ""  # the theme shows where it came from, not its excerpt
    again = read_fixture("wpcom-2011-post.html", WPCOM_URL)
    assert [c.id for c in again.comments if c.type == "pingback"] == [ping.id]


def test_wpcom_2011_comment_count_claimed_matches(wpcom: ScrapedPost) -> None:
    assert wpcom.claimed_comments == 5 == len(wpcom.comments)


# -- other languages and older themes ----------------------------------------------------


def test_french_blog_dates_are_read_with_french_month_names() -> None:
    scraped = read_fixture("wpcom-2011-fr.html", "https://carnet.example.fr/?p=88")
    post = scraped.post
    assert (post.id, post.title) == (88, "Chose n°5 : les wikis")
    assert post.date == datetime(2011, 2, 14)
    assert scraped.lang == "fr-FR"
    comments = {c.id: c for c in scraped.comments}
    assert comments[301].date == datetime(2011, 2, 15, 8, 5)
    assert comments[302].date == datetime(2011, 3, 1, 21, 40)
    assert comments[302].parent == 301
    assert comments[303].type == "trackback"
    assert html_to_text(comments[303].content) == "[…] un billet sur les wikis […]"
    assert html_to_text(comments[304].content) == "Et les wikis d\u2019entreprise\xa0?"
    assert "Partager" not in post.content and "J\u2019aime" not in post.content
    assert scraped.claimed_comments == 3 < len(scraped.comments)  # the page counts 3 of 4


def test_page_without_any_id_gets_a_stable_negative_id() -> None:
    url = "http://lernblog.example.de/2009/01/ding-6/"
    scraped = read_fixture("kubrick-de-no-ids.html", url)
    post = scraped.post
    assert post.id < 0
    assert post.id == stable_id(url) == read_fixture("kubrick-de-no-ids.html", url).post.id
    assert stable_id(url) != stable_id("http://lernblog.example.de/2009/01/ding-5/")
    assert post.title == "Ding 6: Blogs lesen"
    assert post.date == datetime(2009, 1, 12, 18, 20)
    assert post.comment_status == "closed"
    # Unclosed <p> tags (broken HTML) still give both paragraphs, and no theme text.
    text = html_to_text(post.content)
    assert "fünf Blogs pro Woche" in text and "Das ist mehr" in text
    assert "veröffentlicht" not in text
    anna, ben = scraped.comments
    assert (anna.id, anna.author_name, anna.date) == (17, "Anna", datetime(2009, 1, 13, 9, 5))
    assert (ben.author_name, ben.author_url) == ("Ben", "http://ben.example.de")
    assert ben.date == datetime(2009, 1, 14, 22, 41)  # "14. Jan. 2009"
    assert html_to_text(anna.content) == "Welche Blogs denn?"  # without "Anna sagt:"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("January 10, 2023 at 8:15 am", "en-US", datetime(2023, 1, 10, 8, 15)),
        ("March 5, 2011 at 12:05 am", "en", datetime(2011, 3, 5, 0, 5)),
        ("10 January 2011 at 12:30 pm", "en-GB", datetime(2011, 1, 10, 12, 30)),
        ("Tuesday, 3rd May 2011", "en", datetime(2011, 5, 3)),
        ("1 mars 2011 à 21 h 40 min", "fr-FR", datetime(2011, 3, 1, 21, 40)),
        ("15 févr. 2011 à 8:05", "fr", datetime(2011, 2, 15, 8, 5)),
        ("le 2 juillet 2012", "fr-CA", datetime(2012, 7, 2)),
        ("10. März 2011 um 08:15", "de-DE", datetime(2011, 3, 10, 8, 15)),
        ("14. Jan. 2009 um 22:41", "de", datetime(2009, 1, 14, 22, 41)),
        ("3 de marzo de 2011 a las 18:45", "es-ES", datetime(2011, 3, 3, 18, 45)),
        ("2011-03-04 09:05", "", datetime(2011, 3, 4, 9, 5)),
        ("03/04/2011", "en-US", datetime(2011, 3, 4)),
        ("04/03/2011", "fr-FR", datetime(2011, 3, 4)),
        # The page says French, but an English date is still read.
        ("March 4, 2011", "fr-FR", datetime(2011, 3, 4)),
        ("Jan says: 10 March 2011", "en", datetime(2011, 3, 10)),  # a name is no month
        ("yesterday", "en", None),
        ("2011年3月4日", "ja", None),
    ],
)
def test_human_dates(text: str, lang: str, expected: datetime | None) -> None:
    assert parse_human_date(text, lang) == expected


# -- comment markup of other generations ---------------------------------------------------

HTML5_COMMENTS = """
<article id="post-5" class="post-5 post type-post hentry"><h1 class="entry-title">Five</h1>
<div class="entry-content"><p>Body.</p></div></article>
<div id="comments" class="comments-area"><h2 class="comments-title">One thought on “Thing 7”</h2>
<ol class="comment-list">
 <li class="comment depth-1" id="li-comment-31"><article id="comment-31" class="comment">
  <header class="comment-meta comment-author vcard"><cite><b class="fn">Kim</b></cite>
   <a href="#comment-31"><time datetime="2012-06-13T09:00:00+01:00">June 13, 2012</time></a>
  </header>
  <section class="comment-content comment"><p>Nice one.</p></section>
  <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
 </article>
 <ol class="children"><li class="comment depth-2" id="li-comment-32">
  <article id="comment-32" class="comment"><header class="comment-meta">
  <cite><b class="fn"><a href="https://lee.example" class="url">Lee</a></b></cite>
  <time datetime="2012-06-14T18:45:00+01:00">June 14, 2012</time></header>
  <section class="comment-content comment"><p>Agreed &amp; thanks.</p></section></article>
 </li></ol></li>
</ol></div>
"""


def test_html5_comment_markup_with_time_elements() -> None:
    scraped = read_post_page(page(HTML5_COMMENTS), "https://b.example/five/")
    kim, lee = scraped.comments
    assert (kim.id, kim.parent, kim.author_name) == (31, 0, "Kim")
    assert (lee.id, lee.parent, lee.author_name, lee.author_url) == (
        32, 31, "Lee", "https://lee.example",
    )  # fmt: skip
    assert kim.date == datetime(2012, 6, 13, 9, 0)  # local wall-clock time
    assert kim.date_gmt == datetime(2012, 6, 13, 8, 0, tzinfo=UTC)
    assert kim.content == "<p>Nice one.</p>"
    assert lee.content == "<p>Agreed &amp; thanks.</p>"
    assert scraped.claimed_comments == 1  # "One thought on “Thing 7”" is one, not seven


BLOCK_THEME = """
<main><h1 class="wp-block-post-title">Block post</h1>
<div class="wp-block-post-date"><time datetime="2023-06-12T14:30:00+01:00">June 12</time></div>
<div class="entry-content wp-block-post-content"><p>Block body.</p></div>
<div class="taxonomy-category wp-block-post-terms">
 <a href="https://b.example/category/parent/child/" rel="tag">Child</a></div>
<div class="taxonomy-post_tag wp-block-post-terms">
 <a href="https://b.example/tag/t%C3%A9/" rel="tag">té</a></div>
<div class="wp-block-comments"><h3 class="wp-block-comments-title">2 responses</h3>
<ol class="wp-block-comment-template"><li id="comment-9" class="comment depth-1">
 <div class="wp-block-comment-author-name">张伟</div>
 <div class="wp-block-comment-date"><time datetime="2023-06-13T08:00:00+01:00">June 13</time></div>
 <div class="wp-block-comment-content"><p>很好的反思\uff01</p></div>
 <ol><li id="comment-10" class="comment depth-2">
  <div class="wp-block-comment-author-name"><a href="https://l.example">ليلى</a></div>
  <div class="wp-block-comment-content"><ol><li>أ</li></ol></div></li></ol>
</li></ol></div></main>
"""


def test_block_theme_post_terms_and_comments() -> None:
    scraped = read_post_page(page(BLOCK_THEME), "https://b.example/block-post/")
    post = scraped.post
    assert (post.id, post.title) == (5, "Block post")
    assert post.date == datetime(2023, 6, 12, 14, 30)
    assert post.date_gmt == datetime(2023, 6, 12, 13, 30, tzinfo=UTC)
    assert html_to_text(post.content) == "Block body."
    terms = {(t.taxonomy, t.slug, t.parent) for t in scraped.terms}
    assert terms == {("category", "child", "parent"), ("category", "parent", ""),
                     ("post_tag", "t%c3%a9", "")}  # fmt: skip
    assert {(t.taxonomy, t.slug) for t in post.terms} == {("category", "child"),
                                                          ("post_tag", "t%c3%a9")}  # fmt: skip
    first, reply = scraped.comments
    assert (first.id, first.parent, first.author_name) == (9, 0, "张伟")
    assert (reply.id, reply.parent, reply.author_url) == (10, 9, "https://l.example")
    assert reply.content == "<ol><li>أ</li></ol>"  # a list inside a comment is kept


def test_flat_comment_list_gets_parents_from_depth_classes() -> None:
    flat = """<article class="post-5 hentry"><h1 class="entry-title">F</h1>
    <div class="entry-content">x</div></article><ol class="commentlist">
    <li id="comment-1" class="comment depth-1"><cite class="fn">A</cite><p>a</p></li>
    <li id="comment-2" class="comment depth-2"><cite class="fn">B</cite><p>b</p></li>
    <li id="comment-3" class="comment depth-3"><cite class="fn">C</cite><p>c</p></li>
    <li id="comment-4" class="comment depth-2"><cite class="fn">D</cite><p>d</p></li>
    <li id="comment-5" class="comment depth-1"><cite class="fn">E</cite><p>e</p></li></ol>"""
    scraped = read_post_page(page(flat), "https://b.example/f/")
    assert [(c.id, c.parent) for c in scraped.comments] == [(1, 0), (2, 1), (3, 2), (4, 1), (5, 0)]


def test_comment_pages_come_from_the_comments_own_navigation() -> None:
    html = page(
        '<div id="comments"><ol class="comment-list"><li id="comment-8">'
        '<a class="comment-reply-link" href="/p/comment-page-2/?replytocom=8#respond">Reply</a>'
        '</li></ol><div class="nav-links">'
        '<a class="prev page-numbers" href="/p/comment-page-1/#comments">Older</a>'
        '<span aria-current="page" class="page-numbers current">Page 2</span></div></div>'
        '<aside><a href="https://b.example/p/comment-page-3/#comment-8">a recent comment</a>'
        '<a href="https://b.example/other/comment-page-3/#comment-9">elsewhere</a></aside>'
    )
    pages, current = comment_page_links(parse_html(html), "https://b.example/p/")
    assert pages == ["https://b.example/p/comment-page-1/"]
    assert current == "https://b.example/p/comment-page-2/"  # shown here: not fetched again


def test_comment_pages_of_plain_permalinks() -> None:
    html = page(
        '<div id="comments"><div class="nav-links">'
        '<a class="page-numbers" href="https://b.example/?p=5&amp;cpage=1#comments">1</a>'
        '<span aria-current="page" class="page-numbers current">2</span></div></div>'
    )
    pages, current = comment_page_links(parse_html(html), "https://b.example/?p=5")
    assert pages == ["https://b.example/?p=5&cpage=1"]
    assert current == "https://b.example/?p=5&cpage=2"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("4 comments", 4),
        ("One thought on “Thing 7”", 1),
        ("3 Responses to Thing 9", 3),
        ("Un commentaire sur « Chose 5 »", 1),
        ("12 réponses à « Chose 5 »", 12),
    ],
)
def test_claimed_comment_count(title: str, expected: int) -> None:
    html = page(f'<div id="comments"><h2 class="comments-title">{title}</h2></div>')
    assert claimed_comment_count(parse_html(html)) == expected


# -- pages that are not posts ---------------------------------------------------------------


def test_password_protected_post_keeps_title_and_date_but_no_content() -> None:
    html = page(
        '<article id="post-12" class="post-12 post post-password-required hentry">'
        '<h1 class="entry-title">Protected: Thing 12: Private thoughts</h1>'
        '<div class="entry-content"><form action="https://b.example/wp-login.php?action=postpass"'
        ' class="post-password-form" method="post"><input name="post_password" type="password">'
        '</form></div><time class="entry-date published" datetime="2023-07-24T09:00:00+01:00">'
        "July 24</time></article>",
        body_class="single postid-12",
    ).replace("<title>T</title>", "<title>Thing 12: Private thoughts &#8211; Blog</title>")
    post = read_post_page(html, "https://b.example/thing-12/").post
    assert (post.id, post.title, post.content) == (12, "Thing 12: Private thoughts", "")
    assert post.password_protected
    assert post.date == datetime(2023, 7, 24, 9, 0)


@pytest.mark.parametrize(
    ("html", "url", "message", "failed"),
    [
        (page("<h1>Posts</h1>", body_class="home blog"), "https://b.example/", "a listing", False),
        (page("<p>gone</p>", body_class="error404"), "https://b.example/x/", "does not exist",
         True),
        ("<html><body><h1>Shop</h1><p>Cheap things</p></body></html>", "https://b.example/s/",
         "not a WordPress page", True),
        ('<html><body class="login"><form id="loginform"><input type="password" name="pwd">'
         "</form></body></html>", "https://b.example/members/", "login wall", True),
        ("<html><body><form><input type=password></form></body></html>",
         "https://b.example/wp-login.php?redirect_to=x", "login wall", True),
    ],
)  # fmt: skip
def test_pages_that_hold_no_post(html: str, url: str, message: str, failed: bool) -> None:
    with pytest.raises(PageProblem, match=message) as caught:
        read_post_page(html, url)
    assert caught.value.failed is failed


def test_a_login_form_in_a_sidebar_is_no_login_wall() -> None:
    html = page(
        '<article id="post-5" class="post-5 hentry"><h1 class="entry-title">Five</h1>'
        '<div class="entry-content"><p>Open to all.</p></div></article>'
        '<aside><form id="loginform"><input type="password" name="pwd"></form></aside>'
    )
    assert read_post_page(html, "https://b.example/five/").post.title == "Five"


# -- term names as themes print them ------------------------------------------------------

BLOG = "https://blog.example.org"


def twentytwentyone_post(links: str, widget: str = "", classes: str = "") -> str:
    """A post as Twenty Twenty-One prints it: terms in the entry footer, and (as on a fresh
    install) a Categories block in the footer's widget area."""
    return page(
        f'<article id="post-5" class="post-5 post type-post hentry {classes} entry">'
        '<h1 class="entry-title">Thing 1</h1><div class="entry-content"><p>Words.</p></div>'
        f'<footer class="entry-footer default-max-width"><div class="post-taxonomies">{links}'
        '</div></footer></article><aside class="widget-area"><section id="block-5" '
        'class="widget widget_block"><ul class="wp-block-categories-list wp-block-categories">'
        f"{widget}</ul></section></aside>"
    )


PRETTY_LINKS = (
    f'<span class="cat-links">Categorized as <a href="{BLOG}/category/cpd/libraries-archives/"'
    ' rel="category tag">Libraries &amp; Archives</a>, '
    f'<a href="{BLOG}/category/cpd/" rel="category tag">CPD</a> </span>'
    f'<span class="tags-links">Tagged <a href="{BLOG}/tag/cafe-co/" rel="tag">Café &amp; Co</a>,'
    f' <a href="{BLOG}/tag/23-things/" rel="tag">23 Things</a></span>'
)
CPD_LINK = f', <a href="{BLOG}/category/cpd/" rel="category tag">CPD</a>'


def names(scraped: ScrapedPost) -> dict[tuple[str, str], tuple[str, str, int | None]]:
    return {(t.taxonomy, t.slug): (t.name, t.parent, t.id) for t in scraped.terms}


def test_term_names_are_the_link_text_with_capitals_spaces_and_ampersands() -> None:
    scraped = read_post_page(twentytwentyone_post(PRETTY_LINKS), BLOG + "/thing-1/")
    assert names(scraped) == {
        ("category", "libraries-archives"): ("Libraries & Archives", "cpd", None),
        ("category", "cpd"): ("CPD", "", None),
        ("post_tag", "cafe-co"): ("Café & Co", "", None),
        ("post_tag", "23-things"): ("23 Things", "", None),
    }
    assert [r.name for r in scraped.post.terms] == [
        "Libraries & Archives", "CPD", "Café & Co", "23 Things",
    ]  # fmt: skip
    assert scraped.term_pages == {}


def test_a_parent_category_the_post_is_not_in_gets_no_name_from_its_slug() -> None:
    links = PRETTY_LINKS.replace(CPD_LINK, "")
    scraped = read_post_page(twentytwentyone_post(links), BLOG + "/thing-1/")
    assert names(scraped)[("category", "cpd")] == ("", "", None)  # never "cpd"
    assert scraped.term_pages == {("category", "cpd"): BLOG + "/category/cpd/"}
    assert ("category", "cpd") not in {(r.taxonomy, r.slug) for r in scraped.post.terms}


def test_the_category_list_on_the_page_names_parents_and_gives_ids() -> None:
    links = PRETTY_LINKS.replace(CPD_LINK, "")
    widget = (
        f'<li class="cat-item cat-item-3"><a href="{BLOG}/category/cpd/">CPD</a> (2)\n</li>'
        f'<li class="cat-item cat-item-7"><a href="{BLOG}/category/cpd/libraries-archives/">'
        "Libraries &amp; Archives</a>\n</li>"
    )
    scraped = read_post_page(twentytwentyone_post(links, widget), BLOG + "/thing-1/")
    found = names(scraped)
    assert found[("category", "cpd")] == ("CPD", "", 3)
    assert found[("category", "libraries-archives")] == ("Libraries & Archives", "cpd", 7)
    assert scraped.term_pages == {}


def test_block_theme_post_terms_are_named_by_their_links() -> None:
    terms = (
        f'<div class="taxonomy-category wp-block-post-terms"><a href="{BLOG}/category/'
        'libraries-archives/" rel="tag">Libraries &amp; Archives</a><span class="wp-block-post-'
        f'terms__separator">, </span><a href="{BLOG}/category/cpd/" rel="tag">CPD</a></div>'
        f'<div class="taxonomy-post_tag wp-block-post-terms"><a href="{BLOG}/tag/cafe-co/" '
        'rel="tag">Café &amp; Co</a></div>'
    )
    html = page(f'<main><h1 class="wp-block-post-title">Thing 1</h1><div class="entry-content '
                f'wp-block-post-content"><p>Words.</p></div>{terms}</main>')  # fmt: skip
    assert names(read_post_page(html, BLOG + "/thing-1/")) == {
        ("category", "libraries-archives"): ("Libraries & Archives", "", None),
        ("category", "cpd"): ("CPD", "", None),
        ("post_tag", "cafe-co"): ("Café & Co", "", None),
    }


def test_plain_permalinks_categories_are_read_by_id_and_named_by_their_links() -> None:
    """Without pretty permalinks core prints rel="category" (no "tag") and ?cat=ID."""
    links = (
        f'<span class="cat-links">Categorized as <a href="{BLOG}/?cat=12" rel="category">'
        f'Libraries &amp; Archives</a>, <a href="{BLOG}/?cat=3" rel="category">Réflexion</a>'
        f'</span><span class="tags-links">Tagged <a href="{BLOG}/?tag=cafe-co" rel="tag">'
        "Café &amp; Co</a></span>"
    )
    scraped = read_post_page(twentytwentyone_post(links), BLOG + "/?p=5")
    assert names(scraped) == {
        ("category", "libraries-archives"): ("Libraries & Archives", "", 12),
        ("category", "reflexion"): ("Réflexion", "", 3),  # as WordPress makes slugs
        ("post_tag", "cafe-co"): ("Café & Co", "", None),
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Twenty Twenty-One
        ('<body class="archive category category-cpd category-3 wp-embed-responsive">'
         '<h1 class="page-title">Category: <span>CPD</span></h1>', ("CPD", 3)),
        # Twenty Twenty-Three, with the REST link core prints in the head
        (f'<link rel="alternate" type="application/json" href="{BLOG}/wp-json/wp/v2/'
         'categories/7" /><body class="archive category category-libraries-archives category-7">'
         '<h1 class="alignwide wp-block-query-title">Category: <span>Libraries &amp; Archives'
         "</span></h1>", ("Libraries & Archives", 7)),
        # Twenty Ten in French: the prefix is translated, the name is in the span
        ('<body class="archive category category-2011 category-15"><h1 class="page-title">'
         "Archives de catégorie&nbsp;: <span>2011</span></h1>", ("2011", 15)),
        # no heading with a span: the title without the blog's name
        ('<title>23 Things | Library Days</title><body class="archive category category-23-'
         'things"><p class="site-title">Library Days</p><h1>Archives</h1>', ("23 Things", None)),
        ('<body class="home blog"><h1 class="page-title">Latest</h1>', ("", None)),
    ],
)  # fmt: skip
def test_a_term_archive_page_names_its_term(body: str, expected: tuple[str, int | None]) -> None:
    assert read_term_page(f"<html><head>{body}</body></html>") == expected


def test_wordpress_slugs_for_names() -> None:
    assert [wp_slug(n) for n in ("Libraries & Archives", "Réflexion", "23 Things", "学习",
                                 "Straße \u2013 “quoted”", "CPD")] == [
        "libraries-archives", "reflexion", "23-things", "%e5%ad%a6%e4%b9%a0", "strase-quoted",
        "cpd",
    ]  # fmt: skip


def test_the_featured_image_is_the_full_size_file_under_the_attachment_id() -> None:
    thumb = BLOG + "/wp-content/uploads/2023/01/badge-300x200.png"
    original = BLOG + "/wp-content/uploads/2023/01/badge.png"
    html = page(
        '<article id="post-5" class="post-5 post hentry"><h1 class="entry-title">T</h1>'
        f'<figure class="post-thumbnail"><img src="{thumb}" srcset="{thumb} 300w, {original} '
        '600w" class="attachment-post-thumbnail size-post-thumbnail wp-post-image" alt="A badge">'
        f'</figure><div class="entry-content"><p><img src="{thumb}" class="wp-image-42"></p>'
        "</div></article>"
    )
    media = read_post_page(html, BLOG + "/t/").media
    assert media is not None
    assert (media.id, media.url, media.file, media.alt_text) == (
        42, original, "2023/01/badge.png", "A badge",
    )  # fmt: skip
    alone = html.replace('class="wp-image-42"', "").replace(f", {original} 600w", "")
    stand_in = read_post_page(alone, BLOG + "/t/").media
    assert stand_in is not None and stand_in.id < 0
    assert stand_in.id == stable_id(original)  # the same for every size of the file
    assert stand_in.file == "2023/01/badge-300x200.png"
