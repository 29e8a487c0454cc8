"""Reading the comments a post page shows: threaded, paged (comment-page-N), pingbacks,
and the count the page claims, across the comment markup of themes old and new."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from wpcpd.model import Comment
from wpcpd.sources.scrape.markup import (
    classes_of,
    inner_html,
    match_any,
    parse_html,
    stable_id,
    text_of,
)
from wpcpd.sources.scrape.printed_dates import parse_human_date, split_iso
from wpcpd.sources.scrape.site import page_language
from wpcpd.urls import page_key


@dataclass
class CommentPage:
    comments: list[Comment]
    pages: list[str]
    current: str | None = None
    notes: list[str] = field(default_factory=list)


# -- comments ----------------------------------------------------------------------------

_COMMENT_ID = re.compile(r"^(?:li-|div-)?comment-(\d+)$")
_COMMENT_PAGE_LINK = re.compile(r"/comment-page-(\d+)|[?&]cpage=(\d+)")
_COMMENT_NAVIGATION = (".comment-navigation", ".wp-block-comments-pagination", "#comments",
                       ".comments-area", ".wp-block-comments", ".navigation")  # fmt: skip
_ONE = {"one", "un", "une", "ein", "eine", "einen", "uno", "una", "één", "um", "uma"}
_COMMENT_COUNT = (".comments-title", "#comments-title", ".wp-block-comments-title",
                  "#comments h2", "#comments h3", "h2#comments", "h3#comments")  # fmt: skip
_COMMENT_CONTENT = (".comment-content", ".wp-block-comment-content", ".comment-text",
                    ".comment-entry")  # fmt: skip
_BLOCK_TAGS = {"p", "div", "ol", "ul", "dl", "blockquote", "pre", "table", "figure", "h1", "h2",
               "h3", "h4", "h5", "h6", "hr"}  # fmt: skip
_COMMENT_AUTHOR = (".fn", ".wp-block-comment-author-name", ".comment-author", "cite", "a.url")
_COMMENT_DATE = (".commentmetadata", ".comment-metadata", ".wp-block-comment-date",
                 ".comment-date", ".comment-meta")  # fmt: skip
_COMMENT_NOT_TEXT = (
    ".comment-author", ".vcard", ".comment-meta", ".commentmetadata", ".comment-metadata",
    ".reply", ".comment-reply-link", ".children", "img.avatar",
    ".comment-awaiting-moderation", "footer", ".comment-likes", ".comment-edit-link",
)  # fmt: skip


def read_comment_page(text: str, post_id: int, post_url: str, lang: str) -> CommentPage:
    soup = parse_html(text)
    return read_comments_from(soup, post_id, post_url, lang or page_language(soup))


def read_comments_from(soup: BeautifulSoup, post_id: int, post_url: str, lang: str) -> CommentPage:
    owners: dict[int, Tag] = {}
    for element in soup.find_all(id=_COMMENT_ID):
        if not element.find_parent(id="respond"):
            owners.setdefault(_comment_number(element), element)
    comments, notes = [], []
    for number, element in owners.items():
        comment = read_comment(element, number, post_id, lang)
        if comment.date is None and comment.type == "comment":
            notes.append(f"comment {number}: no date that could be read (language {lang or '?'})")
        comments.append(comment)
    _parents_from_depth(comments, owners)
    comments += _pings_without_ids(soup, post_id, post_url, lang)
    pages, current = comment_page_links(soup, post_url)
    return CommentPage(comments, pages, current, notes)


def _pings_without_ids(
    soup: BeautifulSoup, post_id: int, post_url: str, lang: str
) -> list[Comment]:
    """Twenty Ten and its kin print pingbacks as <li class="pingback"> with no id."""
    pings = []
    for element in soup.select("li.pingback, li.trackback"):
        if _owner_of(element) or element.find(id=_COMMENT_ID):
            continue
        link = element.select_one("a.url, a[href]")
        key = str(link.get("href", "")) if link else text_of(element)
        number = stable_id(f"{post_url}#ping:{key}")
        pings.append(read_comment(element, number, post_id, lang, owner=0))
    return pings


def read_comment(
    element: Tag, number: int, post_id: int, lang: str, owner: int | None = None
) -> Comment:
    """One comment; `owner` is the number its markup carries (0 for id-less pingbacks)."""
    own = number if owner is None else owner
    comment = Comment(id=number, post=post_id, parent=_parent_number(element, own), meta=None)
    comment.type = _comment_type(element, own)
    comment.author_name, comment.author_url = _comment_author(element, own)
    comment.date, comment.date_gmt = _comment_date(element, own, lang)
    comment.content = _comment_content(element, own, comment.type)
    return comment


def _comment_number(element: Tag) -> int:
    found = _COMMENT_ID.match(str(element.get("id", "")))
    return int(found.group(1)) if found else 0


def _owner_of(element: Tag) -> int:
    """The comment an element belongs to: the nearest one around it (or itself)."""
    for candidate in (element, *element.parents):
        if isinstance(candidate, Tag) and _COMMENT_ID.match(str(candidate.get("id", ""))):
            return _comment_number(candidate)
    return 0


def _own(element: Tag, number: int, selectors: tuple[str, ...]) -> Tag | None:
    """The first match, in order of selectors, that belongs to this comment, not a reply."""
    for selector in selectors:
        for found in element.select(selector):
            if _owner_of(found) == number:
                return found
    return None


def _parent_number(element: Tag, number: int) -> int:
    for ancestor in element.parents:
        owner = _comment_number(ancestor) if isinstance(ancestor, Tag) else 0
        if owner and owner != number:
            return owner
    return 0


def _parents_from_depth(comments: list[Comment], owners: dict[int, Tag]) -> None:
    """Flat lists marked depth-N (no nesting): the parent is the last comment one level up."""
    last_at: dict[int, int] = {}
    for comment in comments:
        depth = match_any(re.compile(r"^depth-(\d+)$"), classes_of(owners[comment.id]))
        if depth > 1 and not comment.parent:
            comment.parent = last_at.get(depth - 1, 0)
        if depth:
            last_at[depth] = comment.id


def _comment_type(element: Tag, number: int) -> str:
    classes = set(classes_of(element))
    for kind in ("pingback", "trackback"):
        if kind in classes:
            return kind
    body = _own(element, number, (".comment-body", "p", "div"))
    text = body.get_text(" ", strip=True).lower() if body else ""
    return next((k for k in ("pingback", "trackback") if text.startswith(k + ":")), "comment")


def _comment_author(element: Tag, number: int) -> tuple[str, str]:
    holder = _own(element, number, _COMMENT_AUTHOR)
    if holder is None:
        return "", ""
    holder = copy.copy(holder)
    for junk in holder.select(".says, img, .screen-reader-text"):
        junk.decompose()
    link = holder if holder.name == "a" else holder.find("a", href=True)
    url = str(link.get("href", "")) if isinstance(link, Tag) else ""
    return text_of(holder), url


def _comment_date(element: Tag, number: int, lang: str) -> tuple[datetime | None, datetime | None]:
    stamp = _own(element, number, ("time[datetime]",))
    if stamp is not None:
        return split_iso(str(stamp.get("datetime", "")))
    holder = _own(element, number, _COMMENT_DATE)
    if holder is None:
        return None, None
    return parse_human_date(text_of(holder), lang), None


def _comment_content(element: Tag, number: int, kind: str) -> str:
    holder = _own(element, number, _COMMENT_CONTENT)
    holder = copy.copy(holder) if holder else _bare_comment_body(element, number, kind)
    if holder is None:
        return ""
    for junk in holder.select(".reply, .comment-reply-link, .comment-edit-link, .comment-likes"):
        junk.decompose()
    return inner_html(holder)


def _bare_comment_body(element: Tag, number: int, kind: str) -> Tag | None:
    """Themes without .comment-content: the comment's markup minus author, date and replies."""
    holder = copy.copy(_own(element, number, (".comment-body",)) or element)
    for junk in holder.find_all(id=_COMMENT_ID):
        junk.decompose()  # replies nested inside
    for junk in holder.select(", ".join(_COMMENT_NOT_TEXT)):
        junk.decompose()
    if kind != "comment":
        for junk in holder.select("a.url"):
            junk.decompose()
    _keep_blocks(holder)
    label = re.fullmatch(r"(pingback|trackback)\s*:?", text_of(holder), re.IGNORECASE)
    if kind != "comment" and (label or not text_of(holder)):
        return None  # most themes show a ping's source, not its excerpt
    return holder


def _keep_blocks(holder: Tag) -> None:
    """Loose words beside paragraphs ("Anna says:") are the theme's, not the commenter's."""
    children = list(holder.children)
    if not any(isinstance(c, Tag) and c.name in _BLOCK_TAGS for c in children):
        return
    for child in children:
        if isinstance(child, Tag) and child.name not in _BLOCK_TAGS:
            child.decompose()
        elif not isinstance(child, Tag) and str(child).strip():
            child.extract()


def comment_page_links(soup: BeautifulSoup, post_url: str) -> tuple[list[str], str | None]:
    """Other pages of this post's comments (from the comments' own navigation), and the
    address of the page this one shows, so that it is not fetched again."""
    scope, pages = soup, []
    for candidate in soup.select(", ".join(_COMMENT_NAVIGATION)):
        pages = _comment_page_hrefs(candidate, post_url)
        if pages:
            scope = candidate
            break
    current = scope.select_one(".page-numbers.current, [aria-current=page]")
    number = re.search(r"\d+", current.get_text()) if current else None
    shown = _COMMENT_PAGE_LINK.sub(
        lambda m: m.group().replace(m.group(1) or m.group(2), number.group()), pages[0]
    ) if pages and number else None  # fmt: skip
    return list(dict.fromkeys(pages)), shown


def _comment_page_hrefs(scope: Tag, post_url: str) -> list[str]:
    base, pages = page_key(post_url), []
    for link in scope.select("a[href]:not(.comment-reply-link)"):
        href = urljoin(post_url, str(link.get("href", "")))
        if re.search(r"#comment-\d+$", href):
            continue  # a comment's own permalink, not the navigation
        if _COMMENT_PAGE_LINK.search(href) and page_key(href) == base:
            pages.append(page_key(href, keep_comment_page=True))
    return pages


def claimed_comment_count(soup: BeautifulSoup) -> int | None:
    """The number in "4 comments" / "One thought on …" / "3 Responses to …"."""
    for selector in _COMMENT_COUNT:
        element = soup.select_one(selector)
        text = element.get_text(" ", strip=True) if element else ""
        first = text.split(" ", 1)[0].lower()
        if first.isdigit():
            return int(first)
        if first in _ONE:
            return 1
        number = re.search(r"\d+", text)
        if number:
            return int(number.group())
    return None
