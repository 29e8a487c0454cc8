"""The one model every source yields and every sink reads: plain dataclasses, no I/O.

A source yields a `Site` first and then the records that belong to it. Records carry the
ids the source site gave them, so the archive can key them by (site, source id) and a
re-pull updates instead of duplicating.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import phpserialize

Meta = tuple[str, str]
"""One meta row: (key, value as stored). Lists of these keep order and repeated keys."""

POST_STATUSES = ("publish", "future", "draft", "pending", "private", "trash", "inherit")
COMMENT_STATUSES = ("approved", "hold", "spam", "trash")
COMMENT_TYPES = ("comment", "pingback", "trackback")


@dataclass(slots=True)
class Site:
    key: str
    """Stable identity: host and path of the blog's address, e.g. ``blog.example.org/cpd``."""
    url: str
    title: str = ""
    description: str = ""
    language: str = ""
    channel: str = ""
    """How it was read: wxr, rest, wpcom, xmlrpc or scrape."""


@dataclass(slots=True)
class Author:
    login: str
    id: int | None = None
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(slots=True)
class TermRef:
    """A post's link to a term: enough to find or create the term."""

    taxonomy: str
    slug: str
    name: str


@dataclass(slots=True)
class Term:
    taxonomy: str
    slug: str
    name: str
    id: int | None = None
    parent: str = ""
    """The parent term's slug (WXR names parents by slug, not id)."""
    description: str = ""
    meta: list[Meta] = field(default_factory=list)


@dataclass(slots=True)
class Post:
    """Any post type: post, page, attachment, or a custom type."""

    id: int
    type: str = "post"
    status: str = "publish"
    slug: str = ""
    title: str = ""
    content: str = ""
    excerpt: str = ""
    date: datetime | None = None
    """Site-local wall-clock time, naive, as WordPress stores it."""
    date_gmt: datetime | None = None
    modified: datetime | None = None
    modified_gmt: datetime | None = None
    author: str = ""
    """The author's login."""
    parent: int = 0
    menu_order: int = 0
    comment_status: str = "open"
    ping_status: str = "open"
    sticky: bool = False
    password_protected: bool = False
    """Whether a post password is set (all a visitor's channel can tell)."""
    password: str = field(default="", repr=False)
    """The post's own password: content, kept as WordPress's exporter keeps it, never printed."""
    guid: str = ""
    link: str = ""
    mime_type: str = ""
    featured_media: int | None = None
    terms: list[TermRef] = field(default_factory=list)
    meta: list[Meta] | None = field(default_factory=list)
    """None when the channel cannot see meta (REST shows registered keys only)."""


@dataclass(slots=True)
class Comment:
    id: int
    post: int
    parent: int = 0
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    user_id: int = 0
    date: datetime | None = None
    date_gmt: datetime | None = None
    content: str = ""
    status: str = "approved"
    type: str = "comment"
    meta: list[Meta] | None = field(default_factory=list)


@dataclass(slots=True)
class Media:
    """The file behind an attachment post (which is also kept as a `Post`)."""

    id: int
    post: int = 0
    url: str = ""
    file: str = ""
    mime_type: str = ""
    alt_text: str = ""


@dataclass(slots=True)
class Checkpoint:
    """Not a record: sync state to store once everything yielded before it is committed.

    Live sources yield these between pages, so an interrupted pull resumes after the last
    page that reached the archive.
    """

    channel: str
    name: str
    value: str


@dataclass(slots=True)
class Reconcile:
    """Not a record: the complete list of ids a site still has for one kind of item.

    The archive marks the items of that scope it holds but the site no longer lists as
    removed (it never deletes them).
    """

    kind: str
    """post or comment."""
    present: set[int]
    post_type: str | None = None
    """For posts: the post type the list covers."""
    public_only: bool = False
    """A visitor's list: only marks public-only copies, never fuller ones."""


Record = Site | Author | Term | Post | Comment | Media
Control = Checkpoint | Reconcile


def site_key(url: str) -> str:
    """The identity of a blog by its address: scheme and trailing slash do not matter."""
    parts = urlsplit(url.strip() if "://" in url else "//" + url.strip())
    host = (parts.hostname or "").lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    return host + parts.path.rstrip("/")


def parse_wp_date(text: str | None) -> datetime | None:
    """A WordPress 'Y-m-d H:i:s' date; the all-zero date means 'none' (drafts)."""
    if not text or text.startswith("0000-00-00"):
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_wp_date_gmt(text: str | None) -> datetime | None:
    value = parse_wp_date(text)
    return value.replace(tzinfo=UTC) if value else None


def format_local(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds")[:19]


def format_gmt(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")[:19] + "Z"


def parse_local(text: str | None) -> datetime | None:
    """A stored ISO 8601 local date back into the model."""
    return datetime.fromisoformat(text) if text else None


def parse_gmt(text: str | None) -> datetime | None:
    """A stored ISO 8601 GMT date (with its Z) back into the model."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


_SERIALISED = re.compile(r"^(?:[aO]:\d+:|s:\d+:\"|[idb]:[-\d.]+;|N;)")


def decode_meta_value(value: str) -> Any | None:
    """The decoded form of a PHP-serialised meta value, or None when it is not one.

    Decoding is for reading only: the stored text stays as it was, since re-serialising
    could change string lengths and break the value for WordPress.
    """
    if not _SERIALISED.match(value):
        return None
    try:
        decoded = phpserialize.loads(
            value.encode("utf-8"), decode_strings=True, object_hook=phpserialize.phpobject
        )
    except (ValueError, TypeError, EOFError):
        return None
    return _jsonable(decoded)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        if (
            value
            and all(isinstance(k, int) for k in value)
            and list(value) == list(range(len(value)))
        ):
            return [_jsonable(v) for v in value.values()]
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, phpserialize.phpobject):
        return {"__class__": value.__name__, **_jsonable(value.__php_vars__)}
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def meta_object(meta: list[Meta] | None) -> dict[str, str | list[str]]:
    """Meta as a JSON object: a key's value, or the list of its values when it repeats."""
    result: dict[str, str | list[str]] = {}
    for key, value in meta or ():
        if key not in result:
            result[key] = value
        elif isinstance(result[key], list):
            result[key].append(value)  # type: ignore[union-attr]
        else:
            result[key] = [result[key], value]  # type: ignore[list-item]
    return result
