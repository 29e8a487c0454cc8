"""The XML-RPC source's converter on recorded structs (wp.getPosts, wp.getComments, ...).

The structs are shaped as WordPress 6.x's XML-RPC server sends them (ids as strings, dates as
xmlrpc.client.DateTime); a stand-in for the adapter (wpcpd.wordpress.xmlrpc.XmlRpcSite)
serves them, so only the struct -> model mapping is tested, without WordPress.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from xmlrpc.client import DateTime

import pytest

from wpcpd.model import Author, Comment, Media, Post, Site, Term, TermRef
from wpcpd.sources.xmlrpc import XmlRpcSource
from wpcpd.wordpress.xmlrpc import XmlRpcSite

OPTIONS = {"home_url": "https://blog.example.org", "blog_title": "CPD &amp; Me",
           "blog_tagline": "Notes on learning", "time_zone": "1"}  # fmt: skip
USERS = [
    {"user_id": "1", "username": "admin", "first_name": "Ada", "last_name": "Lovelace",
     "bio": "", "email": "ada@example.org", "nickname": "admin", "nicename": "admin",
     "url": "", "display_name": "Ada Lovelace", "registered": DateTime("20230101T09:00:00"),
     "roles": ["administrator"]},
]  # fmt: skip
TAXONOMIES = [
    {"name": "category", "label": "Categories", "hierarchical": True, "public": True,
     "show_ui": True, "_builtin": True, "labels": {}, "cap": {}, "object_type": ["post"]},
    {"name": "post_format", "label": "Formats", "hierarchical": False, "public": True,
     "show_ui": False, "_builtin": True, "labels": {}, "cap": {}, "object_type": ["post"]},
]  # fmt: skip
TERMS = {
    "category": [
        {"term_id": "3", "name": "Learning", "slug": "learning", "term_group": "0",
         "term_taxonomy_id": "3", "taxonomy": "category", "description": "What I learnt",
         "parent": "0", "count": 1, "filter": "raw",
         "custom_fields": [{"id": "9", "key": "colour", "value": "green"}]},
        {"term_id": "4", "name": "CPD 23", "slug": "cpd-23", "term_group": "0",
         "term_taxonomy_id": "4", "taxonomy": "category", "description": "", "parent": "3",
         "count": 1, "filter": "raw", "custom_fields": []},
    ],
}  # fmt: skip
POST_TYPES = {"post": {"name": "post"}, "page": {"name": "page"},
              "attachment": {"name": "attachment"}, "revision": {"name": "revision"}}  # fmt: skip
POST = {
    "post_id": "12", "post_title": "Thing 1: blogging", "post_date": DateTime("20230709T11:00:00"),
    "post_date_gmt": DateTime("20230709T10:00:00"), "post_modified": DateTime("20230710T12:00:00"),
    "post_modified_gmt": DateTime("20230710T11:00:00"), "post_status": "publish",
    "post_type": "post", "post_name": "thing-1-blogging", "post_author": "1",
    "post_password": "", "post_excerpt": "", "post_content": "<p>What?</p>",
    "post_parent": "0", "post_mime_type": "", "link": "https://blog.example.org/thing-1/",
    "guid": "https://blog.example.org/?p=12", "menu_order": 0, "comment_status": "open",
    "ping_status": "closed", "sticky": True, "post_format": "aside",
    "post_thumbnail": {"attachment_id": "20", "link": "https://blog.example.org/x.png"},
    "terms": [
        {"term_id": "4", "name": "CPD 23", "slug": "cpd-23", "term_group": "0",
         "term_taxonomy_id": "4", "taxonomy": "category", "description": "", "parent": "3",
         "count": 1, "filter": "raw"},
    ],
}  # fmt: skip
ATTACHMENT = {
    **POST, "post_id": "20", "post_title": "badge", "post_type": "attachment",
    "post_status": "inherit", "post_name": "badge", "post_parent": "12",
    "post_mime_type": "image/png", "post_content": "", "sticky": False,
    "post_format": "standard", "post_thumbnail": [], "terms": [],
}  # fmt: skip
MEDIA_LIBRARY = [
    {"attachment_id": "20", "date_created_gmt": DateTime("20230709T09:55:00"), "parent": 12,
     "link": "https://blog.example.org/wp-content/uploads/2023/07/badge.png", "title": "badge",
     "caption": "", "description": "", "type": "image/png",
     "metadata": {"width": 64, "height": 64, "file": "2023/07/badge.png", "sizes": {}},
     "thumbnail": "https://blog.example.org/wp-content/uploads/2023/07/badge.png"},
]  # fmt: skip
COMMENTS = {
    "hold": [
        {"date_created_gmt": DateTime("20230710T09:30:00"), "user_id": "0", "comment_id": "7",
         "parent": "0", "status": "hold", "content": "Nice & clear",
         "link": "https://blog.example.org/thing-1/#comment-7", "post_id": "12",
         "post_title": "Thing 1: blogging", "author": "Reader",
         "author_url": "https://reader.example.net", "author_email": "reader@example.net",
         "author_ip": "203.0.113.9", "type": ""},
    ],
    "approve": [
        {"date_created_gmt": DateTime("20230710T10:00:00"), "user_id": "1", "comment_id": "8",
         "parent": "7", "status": "approve", "content": "Thanks", "link": "", "post_id": "12",
         "post_title": "Thing 1: blogging", "author": "admin", "author_url": "",
         "author_email": "ada@example.org", "author_ip": "127.0.0.1", "type": "pingback"},
    ],
}  # fmt: skip


class RecordedSite:
    """Serves the recorded structs in place of XmlRpcSite's calls."""

    session = None
    endpoint_url = "https://blog.example.org/xmlrpc.php"
    user, password, allow_insecure = "admin", "x", False
    stray_output = 0

    def check(self) -> dict[str, Any]:
        return {"isAdmin": True, "blogid": "1"}

    def options(self, names: list[str]) -> dict[str, Any]:
        return {name: OPTIONS[name] for name in names}

    def paged(self, make: Callable[[dict[str, Any]], Any], ids: str) -> Iterator[dict[str, Any]]:
        return iter(make({"number": 100, "offset": 0}))

    def users_page(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        return USERS

    def taxonomies(self) -> list[dict[str, Any]]:
        return TAXONOMIES

    def terms_page(self, taxonomy: str, page: dict[str, Any]) -> list[dict[str, Any]]:
        return TERMS.get(taxonomy, [])

    def post_types(self) -> dict[str, Any]:
        return POST_TYPES

    def posts_page(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        return {"post": [POST], "attachment": [ATTACHMENT]}.get(query["post_type"], [])

    def media_library_page(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        return MEDIA_LIBRARY

    def comments_page(self, status: str, page: dict[str, Any]) -> list[dict[str, Any]]:
        return COMMENTS.get(status, [])


@pytest.fixture
def records() -> list[Any]:
    site: Any = RecordedSite()
    return list(XmlRpcSource.of(site, language="en-GB").records())


def of(records: list[Any], kind: type) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


def test_site_options_become_the_site(records: list[Any]) -> None:
    assert records[0] == Site(key="blog.example.org", url="https://blog.example.org",
                              title="CPD & Me", description="Notes on learning",
                              language="en-GB", channel="xmlrpc")  # fmt: skip


def test_users_become_authors(records: list[Any]) -> None:
    assert of(records, Author) == [
        Author(login="admin", id=1, email="ada@example.org", display_name="Ada Lovelace",
               first_name="Ada", last_name="Lovelace")
    ]  # fmt: skip


def test_terms_keep_parent_by_slug_and_their_custom_fields(records: list[Any]) -> None:
    assert of(records, Term) == [
        Term(taxonomy="category", slug="learning", name="Learning", id=3, parent="",
             description="What I learnt", meta=[("colour", "green")]),
        Term(taxonomy="category", slug="cpd-23", name="CPD 23", id=4, parent="learning",
             description="", meta=[]),
    ]  # post_format terms come with each post  # fmt: skip


def test_a_post_struct_becomes_a_post(records: list[Any]) -> None:
    post = next(p for p in of(records, Post) if p.type == "post")
    assert (post.id, post.slug, post.status, post.author) == (12, "thing-1-blogging",
                                                              "publish", "admin")  # fmt: skip
    assert post.date == datetime(2023, 7, 9, 11, 0)
    assert post.date_gmt == datetime(2023, 7, 9, 10, 0, tzinfo=UTC)
    assert post.modified_gmt == datetime(2023, 7, 10, 11, 0, tzinfo=UTC)
    assert post.sticky is True and post.featured_media == 20
    assert (post.comment_status, post.ping_status) == ("open", "closed")
    assert post.terms == [TermRef("category", "cpd-23", "CPD 23"),
                          TermRef("post_format", "post-format-aside", "Aside")]  # fmt: skip
    assert post.meta is None  # XML-RPC shows unprotected meta only: the archive keeps its own


def test_an_attachment_is_followed_by_its_file(records: list[Any]) -> None:
    kinds = [(type(r).__name__, getattr(r, "id", None)) for r in records]
    assert kinds.index(("Post", 20)) + 1 == kinds.index(("Media", 20))
    assert of(records, Media) == [
        Media(id=20, post=12, url="https://blog.example.org/wp-content/uploads/2023/07/badge.png",
              file="2023/07/badge.png", mime_type="image/png", alt_text="")
    ]  # fmt: skip


def test_comment_structs_get_local_dates_from_the_site_clock(records: list[Any]) -> None:
    by_id = {c.id: c for c in of(records, Comment)}
    assert by_id[7] == Comment(
        id=7, post=12, parent=0, author_name="Reader", author_email="reader@example.net",
        author_url="https://reader.example.net", author_ip="203.0.113.9", user_id=0,
        # The posts say the site is an hour ahead of GMT.
        date=datetime(2023, 7, 10, 10, 30), date_gmt=datetime(2023, 7, 10, 9, 30, tzinfo=UTC),
        content="Nice & clear", status="hold", type="comment", meta=None,
    )  # fmt: skip
    assert (by_id[8].status, by_id[8].parent, by_id[8].type) == ("approved", 7, "pingback")


def test_the_stand_in_offers_what_the_adapter_offers() -> None:
    methods = [name for name, value in vars(RecordedSite).items() if callable(value)]
    assert [name for name in methods if not callable(getattr(XmlRpcSite, name, None))] == []
