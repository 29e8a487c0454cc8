"""The REST source's converter on recorded payloads (WordPress 6.x, context=edit), no WordPress.

tests/payloads/rest-wp6-edit.json holds one answer per route as an administrator's pull
receives them; a stand-in client serves them, so only the JSON -> model mapping is tested.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wpcpd.model import Author, Comment, Media, Post, Site, Term, TermRef
from wpcpd.sources.rest import RestSource

PAYLOADS = json.loads((Path(__file__).parent / "payloads" / "rest-wp6-edit.json").read_text())


class RecordedClient:
    """Serves the recorded answers by route, as RestClient's reading methods do."""

    root = "https://blog.example.org/wp-json/"

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def index(self) -> dict[str, Any]:
        return PAYLOADS["index"]  # type: ignore[no-any-return]

    def json(self, route: str, params: dict[str, Any] | None = None) -> Any:
        self.asked.append((route, dict(params or {})))
        return PAYLOADS[route.removeprefix("wp/v2/")]

    def all_items(self, route: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        self.asked.append((route, dict(params)))
        if params.get("status") == "trash":
            return iter([])
        return iter(PAYLOADS.get(route.removeprefix("wp/v2/"), []))  # no pages, no patterns


@pytest.fixture
def records() -> list[Any]:
    source = RestSource(RecordedClient(), authenticated=True, language="en-GB")  # type: ignore[arg-type]
    return list(source.records())


def of(records: list[Any], kind: type) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_site_comes_first_from_the_api_index(records: list[Any]) -> None:
    assert records[0] == Site(
        key="blog.example.org",
        url="https://blog.example.org",
        title="CPD & Me",
        description="Notes on learning",
        language="en-GB",
        channel="rest",
    )


def test_a_user_in_edit_context_becomes_an_author(records: list[Any]) -> None:
    assert of(records, Author) == [
        Author(login="admin", id=1, email="ada@example.org", display_name="Ada & Co",
               first_name="Ada", last_name="Lovelace")
    ]  # fmt: skip


def test_terms_name_their_parent_by_slug_and_skip_menus(records: list[Any]) -> None:
    terms = of(records, Term)
    assert [(t.taxonomy, t.slug) for t in terms] == [
        ("category", "learning"), ("category", "cpd-23"), ("post_tag", "reflection"),
    ]  # fmt: skip
    assert terms[1] == Term(taxonomy="category", slug="cpd-23", name="CPD & 23", id=4,
                            parent="learning", description="")  # fmt: skip
    assert terms[0].description == "What I learnt"


def test_a_post_keeps_raw_text_dates_terms_and_format(records: list[Any]) -> None:
    post = next(p for p in of(records, Post) if p.type == "post")
    assert post.id == 12
    assert post.title == "Thing 1: blogging & <em>why</em>"
    assert post.content == "<!-- wp:paragraph -->\n<p>What?</p>\n<!-- /wp:paragraph -->"
    assert post.excerpt == ""
    assert post.date == datetime(2023, 1, 9, 10, 0)
    assert post.date_gmt == utc("2023-01-09T10:00:00")
    assert post.modified == datetime(2023, 3, 26, 9, 30)
    assert post.modified_gmt == utc("2023-03-26T08:30:00")
    assert post.author == "admin"
    assert (post.slug, post.status, post.comment_status, post.ping_status) == (
        "thing-1-blogging", "publish", "open", "closed",
    )  # fmt: skip
    assert post.sticky is True and post.password_protected is False
    assert post.guid == "https://blog.example.org/?p=12"
    assert post.link == "https://blog.example.org/2023/01/09/thing-1-blogging/"
    assert post.featured_media == 20
    assert post.terms == [
        TermRef("category", "cpd-23", "CPD & 23"),
        TermRef("post_tag", "reflection", "reflection"),
        TermRef("post_format", "post-format-aside", "Aside"),
    ]
    assert post.meta is None  # REST shows registered meta only: the archive keeps its own


def test_media_is_an_attachment_post_and_its_file(records: list[Any]) -> None:
    attachment = next(p for p in of(records, Post) if p.type == "attachment")
    assert (attachment.id, attachment.parent, attachment.status) == (20, 12, "inherit")
    assert attachment.content == "The <b>badge</b>"  # the description
    assert attachment.excerpt == "Earned in 2023"  # the caption
    assert attachment.mime_type == "image/png"
    assert of(records, Media) == [
        Media(id=20, post=12,
              url="https://blog.example.org/wp-content/uploads/2023/01/badge.png",
              file="2023/01/badge.png", mime_type="image/png", alt_text="A round badge")
    ]  # fmt: skip


def test_comments_keep_status_thread_and_author(records: list[Any]) -> None:
    held, reply = of(records, Comment)
    assert held == Comment(
        id=7, post=12, parent=0, author_name="Reader & friend",
        author_email="reader@example.net", author_url="https://reader.example.net",
        author_ip="203.0.113.9", user_id=0, date=datetime(2023, 1, 10, 9, 30),
        date_gmt=utc("2023-01-10T09:30:00"), content="Nice & clear", status="hold",
        type="comment", meta=None,
    )  # fmt: skip
    assert (reply.parent, reply.user_id, reply.status) == (7, 1, "approved")


def test_records_come_in_archive_order(records: list[Any]) -> None:
    kinds = [type(r).__name__ for r in records]
    assert kinds == ["Site", "Author", "Term", "Term", "Term", "Post", "Post", "Media",
                     "Comment", "Comment"]  # fmt: skip


def test_an_authenticated_pull_asks_for_everything() -> None:
    client = RecordedClient()
    list(RestSource(client, authenticated=True).records())  # type: ignore[arg-type]
    asked = dict(client.asked)
    assert asked["wp/v2/comments"] == {"context": "edit", "status": "any", "type": "all"}
    assert {"context": "edit", "status": "trash"} in [p for r, p in client.asked
                                                       if r == "wp/v2/posts"]  # fmt: skip
    # Only what the converter reads is asked for (WordPress then skips the rest).
    assert "date_gmt" in client.fields["posts"] and "categories" in client.fields["posts"]
    assert "source_url" in client.fields["media"]


def test_an_anonymous_pull_unescapes_rendered_titles() -> None:
    source = RestSource(RecordedClient(), authenticated=False)  # type: ignore[arg-type]
    item = {**PAYLOADS["posts"][0], "title": {"rendered": "Thing 1: blogging &#038; more"}}
    assert source.post(item).title == "Thing 1: blogging & more"
