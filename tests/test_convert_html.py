"""The HTML converter on a page recorded from the real WordPress sandbox, without WordPress.

fixtures/html/sandbox-twentytwentyone-thing-1.html is "Thing 1: Blogging" as the sandbox
served it after tests/wordpress/seed_full.php (theme Twenty Twenty-One, pretty permalinks,
time zone Europe/London), with the sandbox's address replaced by http://sandbox.example.org.
What the page should give is what the seed wrote, less what a visitor cannot see (held,
spam and trashed comments, e-mail addresses, the pingback's date and excerpt).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from wpcpd.model import Comment, TermRef
from wpcpd.sources.scrape.html import ScrapedPost, read_post_page
from wpcpd.sources.scrape.markup import stable_id
from wpcpd.text import html_to_text

PAGE = Path(__file__).resolve().parent.parent / "fixtures" / "html"
PAGE = PAGE / "sandbox-twentytwentyone-thing-1.html"
URL = "http://sandbox.example.org/thing-1-blogging/"
BADGE = "http://sandbox.example.org/wp-content/uploads/2023/01/thing-1-badge.png"


@pytest.fixture(scope="module")
def scraped() -> ScrapedPost:
    return read_post_page(PAGE.read_text(encoding="utf-8"), URL)


def test_the_post_has_its_id_address_dates_and_author(scraped: ScrapedPost) -> None:
    post = scraped.post
    assert (post.id, post.type, post.status) == (4, "post", "publish")
    assert (post.title, post.slug, post.link) == ("Thing 1: Blogging", "thing-1-blogging", URL)
    # January in London is GMT: the local time and the GMT time agree.
    assert post.date == datetime(2023, 1, 9, 10, 0)
    assert post.date_gmt == datetime(2023, 1, 9, 10, 0, tzinfo=UTC)
    assert post.comment_status == "open"
    assert post.author == "admin"
    assert scraped.author is not None and scraped.author.login == "admin"
    assert scraped.lang == "en-US"


def test_the_body_keeps_the_writing_and_its_structure(scraped: ScrapedPost) -> None:
    content = scraped.post.content
    assert content.startswith("<p>This week\u2019s thing was to set up a blog")
    for markup in ("<h2>What did I do?</h2>", "<h3>Action</h3>", "<blockquote>",
                   "<li>Post once a week.</li>", "<strong>Action:</strong>"):  # fmt: skip
        assert markup in content, markup
    text = html_to_text(content)
    # The theme's entry footer, navigation and reply form, all on the page, are not the post.
    for clutter in ("Categorized as", "Tagged", "Published", "Post navigation", "Next post",
                    "Leave a comment"):  # fmt: skip
        assert clutter not in text, clutter


def test_categories_with_their_parents_and_tags(scraped: ScrapedPost) -> None:
    terms = {(t.taxonomy, t.slug): (t.name, t.parent, t.id) for t in scraped.terms}
    assert terms == {
        ("category", "23-things"): ("", "", None),  # a parent the page does not name
        ("category", "tools"): ("Tools", "23-things", 3),
        ("category", "blogging-tools"): ("Blogging tools", "tools", 4),
        ("category", "reflections"): ("Reflections", "", 5),
        ("post_tag", "cpd"): ("CPD", "", None),
        ("post_tag", "reflection"): ("reflection", "", None),
    }
    assert scraped.post.terms == [
        TermRef("category", "blogging-tools", "Blogging tools"),
        TermRef("category", "reflections", "Reflections"),
        TermRef("post_tag", "cpd", "CPD"),
        TermRef("post_tag", "reflection", "reflection"),
    ]
    # Its own archive page names the unnamed parent (read by the source, not here).
    assert scraped.term_pages == {
        ("category", "23-things"): "http://sandbox.example.org/category/23-things/"
    }


def test_the_featured_image_is_the_original_file(scraped: ScrapedPost) -> None:
    media = scraped.media
    assert media is not None
    assert (media.url, media.file, media.mime_type) == (BADGE, "2023/01/thing-1-badge.png",
                                                        "image/png")  # fmt: skip
    assert media.alt_text == "A green \u201cThing 1\u201d badge"
    assert media.id == stable_id(BADGE) == scraped.post.featured_media
    assert media.post == 4


def test_approved_comments_keep_their_threads_and_visitors_see_no_more(
    scraped: ScrapedPost,
) -> None:
    by_id: dict[int, Comment] = {c.id: c for c in scraped.comments}
    # The seed's comments 2, 3, 4 (a thread) and 8 (a pingback); 5 held, 6 spam, 7 trashed.
    assert sorted(by_id) == [2, 3, 4, 8]
    assert {i: c.parent for i, c in by_id.items()} == {2: 0, 3: 2, 4: 3, 8: 0}
    top, reply, again, ping = (by_id[i] for i in (2, 3, 4, 8))
    assert (top.author_name, top.author_url) == ("Jo Bloggs", "https://jo.example.org")
    assert top.content == (
        "<p>Great start! I found the <strong>theme</strong> choice the hardest part.</p>"
    )
    assert top.date == datetime(2023, 1, 10, 8, 15)
    assert top.date_gmt == datetime(2023, 1, 10, 8, 15, tzinfo=UTC)
    assert reply.author_name == "admin"
    assert reply.content == "<p>Thanks Jo \u2014 which themes did you try?</p>"
    assert again.content == (
        "<p>Twenty Twenty-One, then back to the default.</p>\n<p>Two paragraphs, too.</p>"
    )
    assert (ping.type, ping.author_url) == (
        "pingback",
        "https://another.example.net/2023/01/my-thing-1/",
    )
    assert ping.author_name == "Another CPD blog \u00bb My Thing 1"
    assert all(c.post == 4 and c.status == "approved" and not c.author_email
               for c in scraped.comments)  # fmt: skip
    assert scraped.claimed_comments == len(scraped.comments) == 4
    assert scraped.comment_pages == []
