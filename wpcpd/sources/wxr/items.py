"""The elements of a WXR export as model records: the channel's authors and terms, and each
item's post, media, terms and comments, following the WordPress Importer's `WXR_Parser_*`.
"""

from __future__ import annotations

import heapq
import mimetypes
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any, NamedTuple

from wpcpd.model import (
    Author,
    Comment,
    Media,
    Meta,
    Post,
    Record,
    Site,
    Term,
    TermRef,
    parse_wp_date,
    parse_wp_date_gmt,
    site_key,
)
from wpcpd.sources.wxr.report import WxrReport
from wpcpd.sources.wxr.sanitize import sanitize_title, sanitize_user

VERSION_NUMBER = re.compile(r"^\d+\.\d+$")
ASSIGNED_ID_BASE = 10**12
"""Ids wpcpd gives items (and comments) whose own id is missing or already used in the file:
1000000000001 onwards, far above any id WordPress hands out, in the order of the file."""
ORIGINAL_POST_ID_META = "_wpcpd_original_post_id"
ORIGINAL_COMMENT_ID_META = "_wpcpd_original_comment_id"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"

COMMENT_STATUS = {"1": "approved", "0": "hold", "spam": "spam", "trash": "trash",
                  "": "approved"}  # fmt: skip
"""`wp:comment_approved` to the archive's status. Missing or empty, a comment is stored by
wp_insert_comment() with its default, 1 (approved); 'post-trashed' and other values naming
trash are trash; any other value, which WordPress would list under no status, is hold."""
COMMENT_TEXT_FIELDS = {
    "comment_author": "author_name",
    "comment_author_email": "author_email",
    "comment_author_url": "author_url",
    "comment_author_IP": "author_ip",
    "comment_content": "content",
    "comment_approved": "approved",
}
TAXONOMY_ALIASES = {"tag": "post_tag", "": "category"}


# -- elements ------------------------------------------------------------------------


class WxrNames:
    """Qualified tag names for one WXR version's namespace."""

    def __init__(self, wp: str, excerpt: str | None = None) -> None:
        self.wp = wp
        self.excerpt = excerpt or wp + "excerpt/"

        self._names: dict[str, str] = {}

    def __call__(self, local: str) -> str:
        name = self._names.get(local)
        if name is None:
            name = self._names[local] = f"{{{self.wp}}}{local}"
        return name


def child_text(element: Any, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "") if found is not None else ""


def _fields(element: Any) -> dict[str, str]:
    """Each child's text by tag, read in one pass: far cheaper than a find() per field."""
    return {child.tag: child.text or "" for child in element}


def _int(text: str, default: int = 0) -> int:
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        return default


def _meta_rows(element: Any, wrapper: str, wp: WxrNames) -> list[Meta]:
    key, value = wp("meta_key"), wp("meta_value")
    rows = []
    for row in element.iterfind(wrapper):
        f = _fields(row)
        rows.append((f.get(key, ""), f.get(value, "")))
    return rows


class _TermTags(NamedTuple):
    """Where one kind of channel term element keeps its fields (local names under wp:)."""

    taxonomy: str
    """The taxonomy itself, or "" when the element names it in `taxonomy_tag`."""
    taxonomy_tag: str
    slug: str
    name: str
    parent: str
    """"" when the element has no parent (tags)."""
    description: str


_CATEGORY_TAGS = _TermTags("category", "", "category_nicename", "cat_name", "category_parent",
                           "category_description")  # fmt: skip
_TAG_TAGS = _TermTags("post_tag", "", "tag_slug", "tag_name", "", "tag_description")
_TERM_TAGS = _TermTags("", "term_taxonomy", "term_slug", "term_name", "term_parent",
                       "term_description")  # fmt: skip


class WxrParser:
    """Turns the elements of one export into records, remembering what it has yielded."""

    def __init__(self, wp: WxrNames, report: WxrReport, version: str = "1.2") -> None:
        self.wp = wp
        self.report = report
        self.authors_seen: set[str] = set()
        self.header_pending = True
        self.terms_seen: set[tuple[str, str]] = set()
        self.legacy = _version_tuple(version) < (1, 1)
        """WXR 1.0: an item's <category> without nicename is a term, its slug from its name."""
        self.slugs_by_name: dict[tuple[str, str], str] = {}
        self.post_ids = _IdSet()
        self.comment_ids = _IdSet()
        self.comment_tags = {wp(local): field for local, field in COMMENT_TEXT_FIELDS.items()}
        self.comment_tag = SimpleNamespace(
            id=wp("comment_id"), parent=wp("comment_parent"), user_id=wp("comment_user_id"),
            date=wp("comment_date"), date_gmt=wp("comment_date_gmt"), type=wp("comment_type"),
            meta=wp("commentmeta"),
        )  # fmt: skip

    def channel_address(self, head: dict[str, str]) -> str:
        """The blog's address as the channel gives it, if it does: wp:base_blog_url, else
        <link>, else wp:base_site_url (the importer's own fallback)."""
        for tag in (self.wp("base_blog_url"), "link", self.wp("base_site_url")):
            address = head.get(tag, "").strip()
            if address:
                return address
        return ""

    def site(self, head: dict[str, str], address: str) -> Site:
        """The Site the channel's head describes (`head`: its first children's text by tag)."""
        return Site(
            key=site_key(address) if address else "",
            url=address.rstrip("/"),
            title=head.get("title", ""),
            description=head.get("description", ""),
            language=head.get("language", ""),
            channel="wxr",
        )

    def channel_records(self, children: list[Any]) -> Iterator[Record]:
        wp = self.wp
        handlers: dict[str, Callable[[Any], Record]] = {
            wp("author"): self.author,
            wp("category"): self.category,
            wp("tag"): self.tag,
            wp("term"): self.term,
        }
        for child in children:
            handler = handlers.get(child.tag)
            if handler is not None:
                yield handler(child)

    def author(self, element: Any) -> Author:
        wp = self.wp
        login = sanitize_user(child_text(element, wp("author_login")))
        self.authors_seen.add(login)
        return Author(
            login=login,
            id=_int(child_text(element, wp("author_id")), 0) or None,
            email=child_text(element, wp("author_email")),
            display_name=child_text(element, wp("author_display_name")),
            first_name=child_text(element, wp("author_first_name")),
            last_name=child_text(element, wp("author_last_name")),
        )

    def _term(self, taxonomy: str, slug: str, name: str, element: Any, **extra: Any) -> Term:
        self.terms_seen.add((taxonomy, slug))
        if self.legacy:
            self.slugs_by_name.setdefault((taxonomy, name), slug)
        return Term(
            taxonomy=taxonomy,
            slug=slug,
            name=name,
            id=_int(child_text(element, self.wp("term_id")), 0) or None,
            meta=_meta_rows(element, self.wp("termmeta"), self.wp),
            **extra,
        )

    def category(self, element: Any) -> Term:
        return self._term_element(element, _CATEGORY_TAGS)

    def tag(self, element: Any) -> Term:
        return self._term_element(element, _TAG_TAGS)

    def term(self, element: Any) -> Term:
        return self._term_element(element, _TERM_TAGS)

    def _term_element(self, element: Any, tags: _TermTags) -> Term:
        wp = self.wp
        taxonomy = tags.taxonomy or child_text(element, wp(tags.taxonomy_tag))
        return self._term(
            taxonomy,
            child_text(element, wp(tags.slug)),
            child_text(element, wp(tags.name)),
            element,
            parent=child_text(element, wp(tags.parent)) if tags.parent else "",
            description=child_text(element, wp(tags.description)),
        )

    def item(self, element: Any) -> Iterator[Record]:
        post = self.post(element)
        if post.author and post.author not in self.authors_seen:
            # WXR 1.0 has no author list: the item's dc:creator is all there is.
            self.authors_seen.add(post.author)
            yield Author(login=post.author)
        yield post
        if post.type == "attachment":
            yield self.media(element, post)
        yield from self.comments(element, post.id)

    def post(self, element: Any) -> Post:
        wp = self.wp
        f = _fields(element)
        meta = _meta_rows(element, wp("postmeta"), wp) if wp("postmeta") in f else []
        thumbnail = next((v for k, v in meta if k == "_thumbnail_id"), "")
        said = f.get(wp("post_id"))
        post_id, kept = self.post_ids.claim(_int(said or "", 0))
        if not kept:
            # No id, or one an earlier item has: a post of its own, under an assigned id.
            if _int(said or "", 0) > 0:
                self.report.posts_repeating_id += 1
            else:
                self.report.posts_without_id += 1
            meta.append((ORIGINAL_POST_ID_META, (said or "").strip()))
        post_type = f.get(wp("post_type"), "") or "post"
        return Post(
            id=post_id,
            type=post_type,
            status=f.get(wp("status"), "").strip() or _default_status(post_type),
            slug=f.get(wp("post_name"), ""),
            title=f.get("title", ""),
            content=f.get(f"{{{CONTENT_NS}}}encoded", ""),
            excerpt=f.get(f"{{{wp.excerpt}}}encoded", ""),
            date=parse_wp_date(f.get(wp("post_date"), "")),
            date_gmt=parse_wp_date_gmt(f.get(wp("post_date_gmt"), "")),
            modified=parse_wp_date(f.get(wp("post_modified"), "")),
            modified_gmt=parse_wp_date_gmt(f.get(wp("post_modified_gmt"), "")),
            author=self.login(f.get(f"{{{DC_NS}}}creator", "")),
            parent=_int(f.get(wp("post_parent"), "")),
            menu_order=_int(f.get(wp("menu_order"), "")),
            comment_status=f.get(wp("comment_status"), ""),
            ping_status=f.get(wp("ping_status"), ""),
            sticky=f.get(wp("is_sticky"), "").strip() == "1",
            password_protected=bool(f.get(wp("post_password"), "")),
            password=f.get(wp("post_password"), ""),
            guid=f.get("guid", ""),
            link=f.get("link", ""),
            mime_type=_attachment_mime(f.get(wp("attachment_url"), "")),
            featured_media=_int(thumbnail, 0) or None,
            terms=self.post_terms(element),
            meta=meta,
        )

    def login(self, creator: str) -> str:
        """An item's dc:creator as the login it names (the usual one costs a set lookup)."""
        return creator if creator in self.authors_seen else sanitize_user(creator)

    def post_terms(self, element: Any) -> list[TermRef]:
        refs: dict[tuple[str, str], TermRef] = {}
        for category in element.iterfind("category"):
            name = category.text or ""
            domain = category.get("domain", "")
            taxonomy = TAXONOMY_ALIASES.get(domain, domain)
            slug = category.get("nicename")
            if slug is None and not self.legacy:
                # Since WXR 1.1 a term always carries its slug: the importer ignores these.
                self.report.categories_ignored += 1
                continue
            if not slug:
                # WXR 1.0 lists each category twice, with and without attributes: the slug
                # is the one the channel's list gives that name, else WordPress's rule.
                slug = self.slugs_by_name.get((taxonomy, name)) or sanitize_title(name)
                if not slug:
                    continue
            refs.setdefault((taxonomy, slug), TermRef(taxonomy, slug, name))
        return list(refs.values())

    def media(self, element: Any, post: Post) -> Media:
        meta = dict(post.meta)
        return Media(
            id=post.id,
            post=post.parent,
            url=child_text(element, self.wp("attachment_url")) or post.guid,
            file=meta.get("_wp_attached_file", ""),
            mime_type=post.mime_type,
            alt_text=meta.get("_wp_attachment_image_alt", ""),
        )

    def comments(self, element: Any, post_id: int) -> list[Comment]:
        """The item's comments. One whose id is missing or already used in the file gets an
        assigned id (its replies in the same item follow it), as posts do."""
        comments = [self.comment(child, post_id) for child in element.iterfind(self.wp("comment"))]
        ids = self.comment_ids
        moved: dict[int, int] = {}
        for comment in comments:
            said = comment.id
            if said > 0 and ids.add(said):
                continue
            comment.id, _ = ids.claim(0)
            self.report.comments_reassigned += 1
            assert comment.meta is not None
            comment.meta.append((ORIGINAL_COMMENT_ID_META, str(said) if said > 0 else ""))
            if said > 0:
                moved.setdefault(said, comment.id)
        if moved:
            for comment in comments:
                comment.parent = moved.get(comment.parent, comment.parent)
        return comments

    def comment(self, element: Any, post_id: int) -> Comment:
        f = _fields(element)
        t = self.comment_tag
        text = {field: f.get(tag, "") for tag, field in self.comment_tags.items()}
        approved = text.pop("approved").strip()
        return Comment(
            **text,
            id=_int(f.get(t.id, "")),
            post=post_id,
            parent=_int(f.get(t.parent, "")),
            user_id=_int(f.get(t.user_id, "")),
            date=parse_wp_date(f.get(t.date)),
            date_gmt=parse_wp_date_gmt(f.get(t.date_gmt)),
            status=COMMENT_STATUS.get(approved) or ("trash" if "trash" in approved else "hold"),
            type=f.get(t.type) or "comment",
            # Most comments have no meta: look for it only when a child said so.
            meta=_meta_rows(element, t.meta, self.wp) if t.meta in f else [],
        )


def _attachment_mime(url: str) -> str:
    return (mimetypes.guess_type(url)[0] or "") if url else ""


def _default_status(post_type: str) -> str:
    """What wp_insert_post() stores for an item without wp:status."""
    return "inherit" if post_type == "attachment" else "draft"


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")) if VERSION_NUMBER.match(version) else ()


class _IdSet:
    """The ids one file has used, and new ones for records whose own id is missing or
    taken, in little memory: a bitmap for the low ids WordPress gives (a bit each), an
    array for higher ones arriving in rising order (8 bytes each), and a sorted array for
    the rest (8 bytes each too, merged in from a small set in batches: a set of Python ints
    costs about 60 bytes an id, which made a 330,000-comment pull 20 MB larger). Ids
    handed out are BASE + 1, + 2, ...: everything up to `next` above BASE is taken."""

    DENSE = 1 << 22
    BATCH = 1 << 16
    """How many out-of-order ids wait in `recent` before they are merged into `merged`."""
    _FITS = 1 << 63

    def __init__(self) -> None:
        self.bits = bytearray()
        self.rising = array("q")
        self.merged = array("q")
        self.recent: set[int] = set()
        self.huge: set[int] = set()
        """Ids beyond a signed 64-bit integer: never seen from WordPress, kept as they come."""
        self.next = ASSIGNED_ID_BASE

    def add(self, value: int) -> bool:
        """Record an id the file gives; False if it was already taken."""
        if ASSIGNED_ID_BASE < value <= self.next:
            return False
        if 0 <= value < self.DENSE:
            byte, bit = value >> 3, 1 << (value & 7)
            if byte >= len(self.bits):
                self.bits.extend(bytes(max(byte + 1, 2 * len(self.bits)) - len(self.bits)))
            if self.bits[byte] & bit:
                return False
            self.bits[byte] |= bit
            return True
        if value >= self._FITS:
            fresh = value not in self.huge
            self.huge.add(value)
            return fresh
        rising = self.rising
        if not rising or value > rising[-1]:
            rising.append(value)
            return True
        # Written out rather than through _has: this runs once per out-of-order id.
        recent, merged = self.recent, self.merged
        if value in recent:
            return False
        at = bisect_left(merged, value)
        if at < len(merged) and merged[at] == value:
            return False
        at = bisect_left(rising, value)
        if at < len(rising) and rising[at] == value:
            return False
        recent.add(value)
        if len(recent) >= self.BATCH:
            self.merged = array("q", heapq.merge(merged, sorted(recent)))
            recent.clear()
        return True

    def _has(self, value: int) -> bool:
        if 0 <= value < self.DENSE:
            byte = value >> 3
            return byte < len(self.bits) and bool(self.bits[byte] & (1 << (value & 7)))
        if value in self.recent or value in self.huge:
            return True
        return _in_sorted(self.rising, value) or _in_sorted(self.merged, value)

    def claim(self, value: int) -> tuple[int, bool]:
        """`value` if it is a usable id not taken before (True), else a new id (False)."""
        if value > 0 and self.add(value):
            return value, True
        while True:
            self.next += 1
            if not self._has(self.next):
                return self.next, False


def _in_sorted(values: array, value: int) -> bool:
    at = bisect_left(values, value)
    return at < len(values) and values[at] == value
