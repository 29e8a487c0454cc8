"""Read a live WordPress site through its REST API: REST JSON turned into model records.

Authenticated pulls ask for `context=edit`, which gives raw titles and content, drafts,
private and trashed posts, and held, spam and trashed comments. Anonymous pulls see what a
visitor sees: published items, rendered HTML, HTML-escaped titles, which are unescaped here.
The HTTP side (paging, errors, WordPress.com) is `wpcpd.wordpress.client`.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wpcpd.errors import SourceError
from wpcpd.model import (
    Author,
    Comment,
    Media,
    Post,
    Record,
    Site,
    Term,
    TermRef,
    parse_gmt,
    site_key,
)
from wpcpd.wordpress.client import SKIPPED_TAXONOMIES, SKIPPED_TYPES, RestClient

POST_FIELDS = (
    "id", "type", "status", "slug", "title", "content", "excerpt", "date", "date_gmt",
    "modified", "modified_gmt", "author", "parent", "menu_order", "comment_status",
    "ping_status", "sticky", "password", "guid", "link", "featured_media", "format",
)  # fmt: skip
MEDIA_FIELDS = ("description", "caption", "source_url", "media_details", "alt_text", "post",
                "mime_type")  # fmt: skip
COMMENT_FIELDS = (
    "id", "post", "parent", "author", "author_name", "author_email", "author_url",
    "author_ip", "date", "date_gmt", "content", "status", "type",
)  # fmt: skip


# -- records -------------------------------------------------------------------------


@dataclass
class RestSource:
    """Yields a site's records from its REST API."""

    client: RestClient
    authenticated: bool
    language: str = ""
    channel: str = "rest"
    terms_by_id: dict[tuple[str, int], Term | TermRef] = field(default_factory=dict)
    logins: dict[int, str] = field(default_factory=dict)
    taxonomies: dict[str, str] = field(default_factory=dict)
    """rest_base -> taxonomy name, for reading a post's term id lists."""

    def __post_init__(self) -> None:
        self.client.fields["comments"] = ",".join(COMMENT_FIELDS)

    @property
    def context(self) -> dict[str, str]:
        return {"context": "edit"} if self.authenticated else {}

    def site(self) -> Site:
        index = self.client.index()
        home = index.get("home") or index.get("url") or ""
        if not home:
            raise SourceError(f"{self.client.root}: the API index names no home address")
        return Site(
            key=site_key(home),
            url=home.rstrip("/"),
            title=html.unescape(index.get("name", "")),
            description=html.unescape(index.get("description", "")),
            language=self.language or index.get("language", ""),
            channel=self.channel,
        )

    def records(self) -> Iterator[Record]:
        yield self.site()
        yield from self.authors()
        yield from self.terms()
        for rest_base in self.post_routes():
            yield from self.posts(rest_base)
        yield from self.media()
        yield from self.comments()

    def authors(self) -> Iterator[Author]:
        for user in self.client.all_items("wp/v2/users", self.context):
            login = user.get("username") or user.get("slug") or str(user["id"])
            self.logins[user["id"]] = login
            yield Author(
                login=login,
                id=user["id"],
                email=user.get("email", ""),
                display_name=html.unescape(user.get("name", "")),
                first_name=user.get("first_name", ""),
                last_name=user.get("last_name", ""),
            )

    def terms(self) -> Iterator[Term]:
        for name, rest_base in self.taxonomy_routes().items():
            yield from self.taxonomy_terms(name, rest_base)

    def taxonomy_routes(self) -> dict[str, str]:
        """Taxonomy name -> REST route base, for the taxonomies that hold writing."""
        found = {}
        for name, info in self.client.json("wp/v2/taxonomies", self.context).items():
            if name not in SKIPPED_TAXONOMIES and info.get("rest_base"):
                found[name] = info["rest_base"]
                self.taxonomies[info["rest_base"]] = name
        return found

    def taxonomy_terms(self, name: str, rest_base: str) -> Iterator[Term]:
        raw = list(self.client.all_items(f"wp/v2/{rest_base}", self.context))
        slugs = {t["id"]: t["slug"] for t in raw}
        for item in raw:
            term = Term(
                taxonomy=name,
                slug=item["slug"],
                name=html.unescape(item.get("name", "")),
                id=item["id"],
                parent=slugs.get(item.get("parent") or 0, ""),
                description=item.get("description", ""),
            )
            self.terms_by_id[(name, item["id"])] = term
            yield term

    def post_routes(self) -> list[str]:
        return list(self.post_types().values())

    def post_types(self) -> dict[str, str]:
        """Post type -> REST route base, attachments and the site's machinery left out."""
        types = self.client.json("wp/v2/types", self.context)
        routes = {
            name: info["rest_base"]
            for name, info in types.items()
            if name not in SKIPPED_TYPES and info.get("rest_base")
        }
        # Top-level names only: nested ones (title.raw) need WordPress 5.3.
        post_fields = ",".join([*POST_FIELDS, *self.taxonomies])
        self.client.fields.update({rest_base: post_fields for rest_base in routes.values()})
        self.client.fields["media"] = ",".join([*POST_FIELDS, *MEDIA_FIELDS])
        return routes

    def status_groups(self) -> dict[str, dict[str, str]]:
        # status=any leaves trash out, so trash is asked for on its own.
        if self.authenticated:
            return {"any": {"status": "any"}, "trash": {"status": "trash"}}
        return {"any": {}}

    def comment_params(self) -> dict[str, str]:
        # Without status=any and type=all, WordPress leaves out held, spam and trashed
        # comments and every pingback; anonymous callers may ask for neither.
        if self.authenticated:
            return {**self.context, "status": "any", "type": "all"}
        return {}

    def posts(self, rest_base: str, extra: dict[str, Any] | None = None) -> Iterator[Post]:
        for status in self.status_groups().values():
            params = {**self.context, **status, **(extra or {})}
            for item in self.client.all_items(f"wp/v2/{rest_base}", params):
                yield self.post(item)

    def post(self, item: dict[str, Any]) -> Post:
        terms = []
        for rest_base, taxonomy in self.taxonomies.items():
            for term_id in item.get(rest_base) or []:
                term = self.terms_by_id.get((taxonomy, term_id))
                if term:
                    terms.append(TermRef(taxonomy, term.slug, term.name))
        post_format = item.get("format")
        if post_format and post_format != "standard":
            terms.append(
                TermRef("post_format", f"post-format-{post_format}", post_format.capitalize())
            )
        return Post(
            id=item["id"],
            type=item.get("type", "post"),
            status=item.get("status", "publish"),
            slug=item.get("slug", ""),
            title=self._text(item.get("title")),
            content=self._text(item.get("content")),
            excerpt=self._text(item.get("excerpt")),
            # For unpublished posts WordPress stores no GMT dates (#38883) and REST reports
            # ones it derives; they are kept as reported.
            date=_local(item.get("date")),
            date_gmt=_gmt(item.get("date_gmt")),
            modified=_local(item.get("modified")),
            modified_gmt=_gmt(item.get("modified_gmt")),
            author=self.logins.get(item.get("author") or 0, ""),
            parent=item.get("parent") or 0,
            menu_order=item.get("menu_order") or 0,
            comment_status=item.get("comment_status", ""),
            ping_status=item.get("ping_status", ""),
            sticky=bool(item.get("sticky")),
            password_protected=bool(item.get("password"))
            or bool((item.get("content") or {}).get("protected")),
            password=item.get("password") or "",
            guid=self._text(item.get("guid")),
            link=item.get("link", ""),
            mime_type=item.get("mime_type", ""),
            featured_media=item.get("featured_media") or None,
            terms=terms,
            meta=None,  # REST shows registered meta only: keep what the archive has
        )

    def _text(self, value: Any) -> str:
        """Raw text in edit context; otherwise the rendered form, unescaped for titles."""
        if isinstance(value, dict):
            if "raw" in value:
                return value["raw"]
            return html.unescape(value.get("rendered", ""))
        return value or ""

    def media(self, extra: dict[str, Any] | None = None) -> Iterator[Record]:
        for item in self.client.all_items("wp/v2/media", {**self.context, **(extra or {})}):
            yield from self.media_records(item)

    def media_records(self, item: dict[str, Any]) -> Iterator[Record]:
        post = self.post(item)
        # An attachment's description and caption are its post content and excerpt.
        post.content = self._text(item.get("description"))
        post.excerpt = self._text(item.get("caption"))
        post.parent = item.get("post") or 0
        yield post
        yield Media(
            id=item["id"],
            post=item.get("post") or 0,
            url=item.get("source_url", ""),
            file=(item.get("media_details") or {}).get("file", ""),
            mime_type=item.get("mime_type", ""),
            alt_text=item.get("alt_text", ""),
        )

    def comments(self, extra: dict[str, Any] | None = None) -> Iterator[Comment]:
        params = {**self.comment_params(), **(extra or {})}
        for item in self.client.all_items("wp/v2/comments", params):
            yield self.comment(item)

    def comment(self, item: dict[str, Any]) -> Comment:
        return Comment(
            id=item["id"],
            post=item.get("post") or 0,
            parent=item.get("parent") or 0,
            author_name=html.unescape(item.get("author_name", "")),
            author_email=item.get("author_email", ""),
            author_url=item.get("author_url", ""),
            author_ip=item.get("author_ip", ""),
            user_id=item.get("author") or 0,
            date=_local(item.get("date")),
            date_gmt=_gmt(item.get("date_gmt")),
            content=self._text(item.get("content")),
            status=item.get("status", "approved"),
            type=item.get("type", "comment") or "comment",
            meta=None,
        )


def _local(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _gmt(text: str | None) -> datetime | None:
    return parse_gmt(text + "Z") if text and not text.endswith("Z") else parse_gmt(text)


def published_records(client: RestClient, item: dict[str, Any], language: str = "") -> list[Record]:
    """A post just written through REST (WordPress's answer, edit context), as a pull of the
    site would save it: the site, then the post with its categories and tags by slug."""
    source = RestSource(client, authenticated=True, language=language)
    for taxonomy, rest_base in (("category", "categories"), ("post_tag", "tags")):
        source.taxonomies[rest_base] = taxonomy
        ids = item.get(rest_base) or []
        if ids:
            found = client.json(f"wp/v2/{rest_base}", {"include": ",".join(map(str, ids))})
            for term in found:
                source.terms_by_id[(taxonomy, term["id"])] = TermRef(
                    taxonomy, term["slug"], html.unescape(term["name"])
                )
    return [source.site(), source.post(item)]
