"""The one model every source yields and every sink reads: plain dataclasses, no I/O.

A source yields a `Site` first and then the records that belong to it. Records carry the
ids the source site gave them, so the archive can key them by (site, source id) and a
re-pull updates instead of duplicating.

Each record type has one description (`RecordSpec`, below the dataclasses: SITE_SPEC,
POST_SPEC, ...) saying, field by field, its archive column (name, SQL declaration, how the
value converts) and its JSON key. The archive's column lists, upserts, row values, record
hashes and row readers (wpcpd/archive/columns.py) and the JSON export's objects
(wpcpd/sinks/jsonl.py) are derived from it. To add a field to a record type:

1. add it to the dataclass (with a default), and
2. add its `FieldSpec` at the END of the type's description (the column order is also the
   order the record hash covers, so existing fields never move), with an SQL declaration
   that has a default (`NOT_NULL_TEXT`, `NOT_NULL_INT`) or allows NULL
   (tests/test_archive_columns.py fails while a dataclass field has no description).

That is all: the next write-open of an archive adds the column to its table
(`wpcpd.archive.schema.missing_columns`; no migration to write), and the field is saved,
read back and exported (its JSON key goes last unless `json_order` places it). Adding a
field changes the hashes of that type, so the next pull of each site reports its records of
that type as updated, once. The MIGRATIONS in wpcpd/archive/schema.py are history: they are
never edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
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
    since_gmt: str | None = None
    """For comments: the list covers only those dated at or after this (GMT, as stored)."""


Record = Site | Author | Term | Post | Comment | Media
Control = Checkpoint | Reconcile


# -- the one description of each record type --------------------------------------------------
#
# The archive's tables, its upserts, row values, record hashes and row readers, and the JSON
# export's objects are all derived from the descriptions below (wpcpd/archive/columns.py and
# wpcpd/sinks/jsonl.py). See the module docstring for how to add a field.


class Convert(Enum):
    """How a field's value is kept in an archive column and written in JSON."""

    PLAIN = "plain"
    """As it is, both ways."""
    FLAG = "flag"
    """A bool: 0 or 1 in the archive, true or false in JSON."""
    LOCAL_TIME = "local"
    """A naive site-local datetime: 'YYYY-MM-DDTHH:MM:SS' in both (`format_local`)."""
    GMT_TIME = "gmt"
    """An aware datetime: 'YYYY-MM-DDTHH:MM:SSZ' in both (`format_gmt`)."""
    TERMS = "terms"
    """A post's terms: rows of post_terms; in JSON a list of {taxonomy, slug, name}."""
    META = "meta"
    """Meta rows: rows of the *_meta table; in JSON an object (`meta_object`)."""


NOT_NULL_TEXT = "TEXT NOT NULL DEFAULT ''"
NOT_NULL_INT = "INTEGER NOT NULL DEFAULT 0"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a record type: its dataclass attribute, archive column and JSON key."""

    name: str
    """The dataclass attribute."""
    sql: str | None = NOT_NULL_TEXT
    """The column's declaration; None for what is kept in rows of a child table (terms,
    meta), which the archive writes itself."""
    column: str = ""
    """The column's name, when it is not `name`."""
    json: str = ""
    """The JSON key, when it is not `name`."""
    convert: Convert = Convert.PLAIN
    secret: bool = False
    """Left out of JSON unless asked for (`record_to_dict(passwords=True)`), and then last."""

    @property
    def column_name(self) -> str:
        return self.column or self.name

    @property
    def json_key(self) -> str:
        return self.json or self.name


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """A record type as the archive keeps it and the JSON export writes it."""

    type: type
    kind: str
    """Its JSON "record" value, and the word save summaries count it under."""
    table: str
    key: tuple[str, ...]
    """The columns that identify a record within its site (besides site_id)."""
    fields: tuple[FieldSpec, ...]
    """In column order, which is also the order its record hash covers the values in."""
    json_order: tuple[str, ...] = ()
    """Field names in JSON order, where that is not `fields` order (kept as published)."""

    @property
    def columns(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.sql is not None)

    @property
    def children(self) -> tuple[FieldSpec, ...]:
        """Fields kept in child tables (terms, meta), in the order the hash covers them."""
        return tuple(f for f in self.fields if f.sql is None)

    @property
    def json_fields(self) -> tuple[FieldSpec, ...]:
        """In JSON order: `json_order`, then fields it does not name, secrets last."""
        by_name = {f.name: f for f in self.fields}
        ordered = [by_name[n] for n in self.json_order]
        ordered += [f for f in self.fields if f.name not in self.json_order]
        return tuple(sorted(ordered, key=lambda f: f.secret))  # a stable sort keeps the order


def _local(name: str) -> FieldSpec:
    return FieldSpec(name, "TEXT", convert=Convert.LOCAL_TIME)


def _gmt(name: str) -> FieldSpec:
    return FieldSpec(name, "TEXT", convert=Convert.GMT_TIME)


_META = FieldSpec("meta", None, convert=Convert.META)

SITE_SPEC = RecordSpec(Site, "site", "sites", ("key",), (
    FieldSpec("key", "TEXT NOT NULL UNIQUE", json="site"), FieldSpec("url", "TEXT NOT NULL"),
    FieldSpec("title"), FieldSpec("description"), FieldSpec("language"), FieldSpec("channel"),
))  # fmt: skip
AUTHOR_SPEC = RecordSpec(Author, "author", "authors", ("login",), (
    FieldSpec("login", "TEXT NOT NULL"), FieldSpec("id", "INTEGER"), FieldSpec("email"),
    FieldSpec("display_name"), FieldSpec("first_name"), FieldSpec("last_name"),
), json_order=("id", "login", "email", "display_name", "first_name", "last_name"))  # fmt: skip
TERM_SPEC = RecordSpec(Term, "term", "terms", ("taxonomy", "slug"), (
    FieldSpec("taxonomy", "TEXT NOT NULL"), FieldSpec("slug", "TEXT NOT NULL"),
    FieldSpec("id", "INTEGER"), FieldSpec("name"), FieldSpec("description"), FieldSpec("parent"),
    _META,
), json_order=("id", "taxonomy", "slug", "name", "parent", "description", "meta"))  # fmt: skip
POST_SPEC = RecordSpec(Post, "post", "posts", ("id",), (
    FieldSpec("id", "INTEGER NOT NULL"), FieldSpec("type", "TEXT NOT NULL"),
    FieldSpec("status", "TEXT NOT NULL"), FieldSpec("slug"), FieldSpec("title"),
    FieldSpec("content"), FieldSpec("excerpt"), _local("date"), _gmt("date_gmt"),
    _local("modified"), _gmt("modified_gmt"), FieldSpec("author"),
    FieldSpec("parent", NOT_NULL_INT), FieldSpec("menu_order", NOT_NULL_INT),
    FieldSpec("comment_status"), FieldSpec("ping_status"),
    FieldSpec("sticky", NOT_NULL_INT, convert=Convert.FLAG),
    FieldSpec("password_protected", NOT_NULL_INT, convert=Convert.FLAG),
    FieldSpec("guid"), FieldSpec("link"), FieldSpec("mime_type"),
    FieldSpec("featured_media", "INTEGER"), FieldSpec("password", secret=True),
    FieldSpec("terms", None, convert=Convert.TERMS), _META,
))  # fmt: skip
COMMENT_SPEC = RecordSpec(Comment, "comment", "comments", ("id",), (
    FieldSpec("id", "INTEGER NOT NULL"), FieldSpec("post", "INTEGER NOT NULL", column="post_id"),
    FieldSpec("parent", NOT_NULL_INT), FieldSpec("author_name"), FieldSpec("author_email"),
    FieldSpec("author_url"), FieldSpec("author_ip"), FieldSpec("user_id", NOT_NULL_INT),
    _local("date"), _gmt("date_gmt"), FieldSpec("content"), FieldSpec("status", "TEXT NOT NULL"),
    FieldSpec("type", "TEXT NOT NULL"), _META,
))  # fmt: skip
MEDIA_SPEC = RecordSpec(Media, "media", "media", ("id",), (
    FieldSpec("id", "INTEGER NOT NULL"), FieldSpec("post", NOT_NULL_INT, column="post_id"),
    FieldSpec("url"), FieldSpec("file"), FieldSpec("mime_type"), FieldSpec("alt_text"),
))  # fmt: skip

RECORD_SPECS: dict[type, RecordSpec] = {
    s.type: s for s in (SITE_SPEC, AUTHOR_SPEC, TERM_SPEC, POST_SPEC, COMMENT_SPEC, MEDIA_SPEC)
}


def spec_of(record: Record) -> RecordSpec:
    try:
        return RECORD_SPECS[type(record)]
    except KeyError:
        raise TypeError(f"not a record: {record!r}") from None


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


def now_iso() -> str:
    """The time now as the archive stores times (GMT, ISO 8601 with `Z`)."""
    return format_gmt(datetime.now(UTC)) or ""


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


@dataclass
class CachedPage:
    """A page a scrape fetched, kept so that a re-scrape asks conditionally (its validators)
    and an interrupted one resumes without fetching it again (its body)."""

    url: str
    status: int
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    body: str | None = None
    fetched_at: str = ""
