"""Every page of the HTML export as bytes: the Jinja2 templates in `templates/` (escaped by
default; only content that went through `content.sanitise` is marked safe), each page
given its way back to the top folder so that every address is relative and the site
opens from any folder, or from a file:// address, as it is."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from wpcpd.model import Comment
from wpcpd.sinks.html.content import render
from wpcpd.sinks.html.site import Catalogue, Item, relative, root_of
from wpcpd.sinks.markdown.layouts import with_offset
from wpcpd.sinks.markdown.threads import kept_ancestor

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; font-src 'self'; connect-src 'none'; frame-src 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)
"""The safety net: even a page the sanitiser got wrong cannot load anything from elsewhere
(file:// pages are their own 'self' in Chromium and Firefox)."""

COMMENT_MARKS = {"hold": "Held for moderation: never shown on the blog",
                 "spam": "Spam: never shown on the blog",
                 "trash": "Trash: never shown on the blog"}  # fmt: skip
COMMENT_KINDS = {"comment": "Comment", "pingback": "Pingback", "trackback": "Trackback"}


class Pages:
    """The templates with what every page shares: the site's title and the navigation."""

    def __init__(
        self, catalogue: Catalogue, include_private: bool, extras: list[tuple[str, str]]
    ) -> None:
        self.catalogue = catalogue
        self.include_private = include_private
        self.env = Environment(
            loader=PackageLoader("wpcpd.sinks.html", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self.env.filters["long_date"] = long_date
        self.nav = [("Posts", "index.html"), ("Categories", "categories.html"),
                    ("Tags", "tags.html"), ("Pages", "pages.html"),
                    ("Search", "search.html"), *extras]  # fmt: skip

    def page(self, template: str, path: str, title: str, kind: str, **context: Any) -> bytes:
        """One page at `path` (relative to the export's folder)."""
        site = self.catalogue.site

        def href(target: str) -> str:
            return relative(path, target)

        text = self.env.get_template(template).render(
            path=path, root=root_of(path), href=href, title=title, kind=kind,
            site_title=self.catalogue.title, site_url=site.get("url") or "",
            lang=(site.get("language") or "en").replace("_", "-"), csp=CSP, nav=self.nav,
            private=self.include_private, catalogue=self.catalogue, **context,
        )  # fmt: skip
        return text.encode("utf-8")

    def post(self, item: Item, body: str, nodes: list[dict], counted: int,
             featured: dict | None) -> bytes:  # fmt: skip
        older, newer = self.catalogue.neighbours(item)
        return self.page(
            "post.html.j2", item.path, item.title, item.type, item=item, body=body,
            featured=featured, comments=nodes, comment_count=counted,
            older=older, newer=newer, ancestors=self.catalogue.ancestors(item),
            children=self.catalogue.children(item.id) if item.type == "page" else [],
        )  # fmt: skip

    def listing(self, path: str, title: str, groups: list[tuple[str, list[Item]]],
                **context: Any) -> bytes:  # fmt: skip
        context.setdefault("lead", "")
        context.setdefault("links", [])
        context.setdefault("links_label", "")
        return self.page("list.html.j2", path, title, "listing", groups=groups, **context)


def long_date(moment: datetime) -> str:
    """15 January 2013 (strftime's %-d is glibc's only)."""
    return f"{moment.day} {moment:%B %Y}"


def by_month(items: list[Item]) -> list[tuple[str, list[Item]]]:
    """A year's posts under a heading per month, newest first."""
    groups: list[tuple[str, list[Item]]] = []
    for item in items:
        heading = item.date.strftime("%B %Y") if item.date else "Undated"
        if not groups or groups[-1][0] != heading:
            groups.append((heading, []))
        groups[-1][1].append(item)
    return groups


def comment_nodes(
    kept: list[Comment], everything: list[Comment], offset: Any, links: Callable[[str], str]
) -> list[dict]:
    """The kept comments as a tree: each hangs from its nearest kept ancestor (a reply to a
    held comment stays visible, saying so), in the order they were written."""
    kept_ids = {c.id for c in kept}
    parent_of = {c.id: c.parent for c in everything}
    nodes: dict[int, dict] = {}
    top: list[dict] = []
    for comment in kept:
        parent = kept_ancestor(comment.parent, kept_ids, parent_of)
        node = {
            "id": comment.id, "status": comment.status, "type": comment.type or "comment",
            "kind": COMMENT_KINDS.get(comment.type or "comment", "Comment"),
            "author": comment.author_name or "Anonymous",
            "url": comment.author_url if _web(comment.author_url) else "",
            "date": with_offset(comment.date, comment.date_gmt, offset),
            "mark": COMMENT_MARKS.get(comment.status, "")
            if comment.status != "approved" else "",
            "replying": comment.parent if comment.parent and parent != comment.parent else 0,
            "html": render(comment.content, links=links), "children": [],
        }  # fmt: skip
        nodes[comment.id] = node
        (nodes[parent]["children"] if parent in nodes else top).append(node)
    return top


def _web(url: str) -> bool:
    return bool(re.match(r"https?://[^\s]+$", url or ""))


def title_of(document: str, fallback: str) -> str:
    """An extra page's <title>, for its link in the navigation."""
    found = re.search(r"<title[^>]*>(.*?)</title>", document, re.S | re.I)
    text = " ".join(re.sub(r"<[^>]*>", "", found.group(1)).split()) if found else ""
    text = html.unescape(text)
    return text or fallback
