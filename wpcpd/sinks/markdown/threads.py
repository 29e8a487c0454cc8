"""A post's comment thread as the data file the generators' partials read: every kept
comment with its id and parent, so the thread nests as it did on WordPress.

What is kept is chosen by `--comments`: approved ones (the default, what readers saw),
all of them with their status (the shipped partials still show only approved ones), or
none. A kept reply whose parent is not kept (an approved reply to a held comment) hangs
from its nearest kept ancestor, and `wp_parent` records the parent it really had, so no
kept comment disappears from the built thread. No e-mail address or IP is ever written.

A comment is what a stranger typed: it keeps only the markup WordPress lets commenters use
(links, emphasis, quotes, code; `$allowedtags` in kses), an author link only when it is
http(s), and never a script, frame or event handler, so a built page cannot run it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bs4 import BeautifulSoup

from wpcpd.errors import UsageError
from wpcpd.model import Comment

COMMENT_CHOICES = ("approved", "all", "none")


def comment_choice(text: str | None) -> str:
    """`--comments` as given ("approved" when not): a one-line error for anything else."""
    choice = text or "approved"
    if choice not in COMMENT_CHOICES:
        raise UsageError(f"unknown --comments {choice!r}: choose {', '.join(COMMENT_CHOICES)}")
    return choice


def kept_comments(comments: list[Comment], choice: str, removed: set[int]) -> list[Comment]:
    """The comments `--comments` keeps, in id order (none the site has deleted)."""
    if choice == "none":
        return []
    alive = [c for c in comments if c.id not in removed]
    if choice == "all":
        return alive
    return [c for c in alive if c.status == "approved"]


def thread_data(
    comments: list[Comment],
    everything: list[Comment],
    to_markdown: Callable[[str], str],
    offset: timedelta,
    dated: Callable[..., Any],
) -> bytes:
    """The JSON file of one thread: a list in id order."""
    kept = {c.id for c in comments}
    parent_of = {c.id: c.parent for c in everything}
    rows = []
    for comment in comments:
        parent = kept_ancestor(comment.parent, kept, parent_of)
        row: dict[str, Any] = {
            "id": comment.id, "parent": parent,
            "author": comment.author_name, "author_url": _web_address(comment.author_url),
            "date": _iso(dated(comment.date, comment.date_gmt, offset)),
            "status": comment.status, "type": comment.type,
            "content": to_markdown(commenter_markup(comment.content)),
        }  # fmt: skip
        if parent != comment.parent:
            row["wp_parent"] = comment.parent
        rows.append(row)
    return (json.dumps(rows, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def kept_ancestor(parent: int, kept: set[int], parent_of: dict[int, int]) -> int:
    """The nearest ancestor of a comment that is kept (0: it hangs from the post)."""
    seen: set[int] = set()
    while parent and parent not in kept and parent not in seen:
        seen.add(parent)
        parent = parent_of.get(parent, 0)
    return parent if parent in kept else 0


def _iso(moment: Any) -> str:
    return moment.isoformat() if moment is not None else ""


# kses's $allowedtags: what WordPress lets a commenter write (with their attributes).
COMMENT_TAGS = {"a": ("href", "title"), "abbr": ("title",), "acronym": ("title",), "b": (),
                "blockquote": ("cite",), "cite": (), "code": (), "del": ("datetime",),
                "em": (), "i": (), "q": ("cite",), "s": (), "strike": (), "strong": (),
                "p": (), "br": ()}  # fmt: skip
_DROPPED_WHOLE = ("script", "style", "iframe", "object", "embed", "svg", "math", "form",
                  "noscript", "template", "textarea", "select")  # fmt: skip


def commenter_markup(content: str) -> str:
    """A comment with only the markup a commenter may use: other tags give their text,
    scripts and frames go, links only to web or mail addresses."""
    if "<" not in content:
        return content
    soup = BeautifulSoup(content, "html.parser")
    for tag in soup.find_all(_DROPPED_WHOLE):
        tag.decompose()
    for tag in soup.find_all(True):
        allowed = COMMENT_TAGS.get(tag.name)
        if allowed is None:
            tag.unwrap()
            continue
        tag.attrs = {k: v for k, v in tag.attrs.items() if k in allowed}
        if "href" in tag.attrs and not _web_address(str(tag["href"]), mail=True):
            del tag.attrs["href"]
    return str(soup)


def _web_address(url: str, mail: bool = False) -> str:
    """The address if it is http(s) (or mailto:), else "" (javascript: and the like)."""
    found = url.strip()
    schemes = ("http://", "https://", "mailto:") if mail else ("http://", "https://")
    return found if found.lower().startswith(schemes) else ""
