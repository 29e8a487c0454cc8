"""The rules push and verify share: what is carried and what is not (and why), the status
WordPress will give a pushed post, how text and terms compare once WordPress has stored
them, and the order items go in (parents before children)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Protocol

from wpcpd.model import Comment, Post
from wpcpd.text import term_name_key
from wpcpd.wordpress.client import SKIPPED_TYPES

PLACEHOLDER_EMAIL = "wpcpd-placeholder@example.invalid"
PLACEHOLDER_NAME = "wpcpd placeholder"
# Appended to a repeated comment so WordPress does not refuse it as a duplicate, then taken
# off by an update (an invisible character is no use: MySQL's collation ignores it).
DUPLICATE_MARK = "<!-- -->"
PINGBACK_REASON = (
    "WordPress cannot create {type}s through its APIs (REST refuses any comment type but "
    "'comment'; XML-RPC's wp.newComment makes plain comments)"
)


class CarryOptions(Protocol):
    """The options that decide what is carried (push's options have them)."""

    include_spam: bool
    include_trash: bool


def post_kind(post: Post) -> str:
    return "page" if post.type == "page" else "post"


def post_skip_reason(post: Post, include_trash: bool) -> str:
    """Why a post is not carried whatever the target, or "" when it is."""
    if post.type in SKIPPED_TYPES or post.status in ("auto-draft", "inherit"):
        return f"a {post.type} ({post.status}) is site machinery, not carried"
    if post.status == "trash" and not include_trash:
        return "in the trash (--include-trash carries it)"
    return ""


def comment_skip_reason(comment: Comment, post: Post | None, options: CarryOptions) -> str:
    """Why a comment is not carried whatever the target, or "" when it is."""
    if comment.type != "comment":
        return PINGBACK_REASON.format(type=comment.type)
    if comment.status == "spam" and not options.include_spam:
        return "spam (--include-spam carries it)"
    if comment.status == "trash" and not options.include_trash:
        return "in the trash (--include-trash carries it)"
    if post is not None and post.status in ("draft", "trash"):
        return (
            f"its post is a {post.status}: WordPress's REST API refuses comments on "
            f"{post.status}s (rest_comment_{post.status}_post)"
        )
    if not comment.content.strip():
        return "empty: WordPress refuses comments without content"
    return ""


def expected_status(post: Post, now: datetime) -> str:
    """The status WordPress will give a pushed post: a scheduled date that has passed
    means published."""
    if post.status == "future" and post.date_gmt and post.date_gmt <= now:
        return "publish"
    return post.status


def same_term_name(name: str, other: str) -> bool:
    """Names as WordPress compares them (it stores some escaped: "&amp;" for "&")."""
    return term_name_key(name) == term_name_key(other)


def same_term(existing: dict[str, Any], fields: dict[str, Any]) -> bool:
    """A term the target has (REST JSON) is already what push would send."""
    return (
        same_term_name(existing.get("name", ""), fields["name"])
        and existing.get("description", "") == fields["description"]
        and existing.get("parent", 0) == fields.get("parent", 0)
    )


_ANCHOR = re.compile(r"<a\s([^>]*)>", re.I)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_PARAGRAPH_MARKUP = re.compile(r"</?p(?:\s[^>]*)?>|<br\s*/?>", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def comparable_html(text: str) -> str:
    """Text as compared: WordPress adds rel="nofollow ugc" to links in comments and
    rel="noopener" to links opening a new window, rewriting the link's other attributes
    with double quotes; neither changes what the link is. Paragraph markup is presentation
    too: WordPress stores comments without <p> (kses strips it) and adds it when showing
    them, so a scraped comment's <p>text</p> and the stored text are the same words; and
    the line breaks kses leaves behind are whitespace like any other."""
    text = _WHITESPACE.sub(" ", _PARAGRAPH_MARKUP.sub(" ", text)).strip()
    return _ANCHOR.sub(_anchor, text) if "<a" in text.lower() else text


def _anchor(match: re.Match[str]) -> str:
    attributes = {
        m[1].lower(): html.unescape(m[2] if m[2] is not None else m[3] or m[4] or "")
        for m in _ATTRIBUTE.finditer(match[1])
        if m[1].lower() != "rel"
    }
    return "<a " + " ".join(f'{k}="{v}"' for k, v in sorted(attributes.items())) + ">"


def levels(
    items: list[Any], key: Callable[[Any], Any], parent: Callable[[Any], Any]
) -> Iterator[list[Any]]:
    """Items in generations: those whose parent is not among them first, then their
    children, and so on; a cycle (broken data) ends up in the last generation."""
    keys = {key(item) for item in items}
    depth: dict[Any, int] = {}
    by_key = {key(item): item for item in items}

    def depth_of(item: Any, seen: frozenset[Any] = frozenset()) -> int:
        k = key(item)
        if k in depth:
            return depth[k]
        up = parent(item)
        if up is None or up not in keys or up in seen:
            depth[k] = 0
        else:
            depth[k] = depth_of(by_key[up], seen | {k}) + 1
        return depth[k]

    generations: dict[int, list[Any]] = {}
    for item in items:
        generations.setdefault(depth_of(item), []).append(item)
    for number in sorted(generations):
        yield generations[number]
