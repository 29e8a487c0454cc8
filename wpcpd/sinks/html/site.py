"""What the HTML export knows of a whole site before it writes one page: which posts and
pages it shows (public ones only, unless `--include-private`), where each one's file is,
its date, terms and mark, the order of posts for previous and next links, the page
hierarchy, and the category and tag archives. A few queries, one row per post and no
content: the content is read one post at a time later (`Archive.iter_threads`)."""

from __future__ import annotations

import html
import posixpath
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from wpcpd.model import parse_gmt, parse_local
from wpcpd.sinks.markdown.layouts import Entry, Layout, with_offset
from wpcpd.sinks.markdown.outline import DEFAULT_STATUSES, Outline, read_outline

if TYPE_CHECKING:
    from wpcpd.archive import Archive

MARKS = {"draft": "Draft", "pending": "Pending review", "private": "Private",
         "future": "Scheduled", "trash": "Trash"}  # fmt: skip
"""What a post the public never saw is marked with, on its page and in every list."""


@dataclass(slots=True)
class Item:
    """One post or page as the lists and its own page show it."""

    id: int
    type: str
    status: str
    title: str
    path: str
    date: datetime | None
    author: str
    protected: bool
    excerpt: str = ""
    parent: int = 0
    menu_order: int = 0
    categories: list[Archived] = field(default_factory=list)
    tags: list[Archived] = field(default_factory=list)
    text: str = ""
    """The start of its text as a reader sees it (filled in when its page is written)."""

    @property
    def mark(self) -> str:
        """Empty for a post the public saw; otherwise what it was (draft, private, ...)."""
        if self.status != "publish":
            return MARKS.get(self.status, self.status.capitalize())
        return "Password-protected" if self.protected else ""

    @property
    def year(self) -> str:
        return str(self.date.year) if self.date else "undated"


@dataclass(slots=True)
class Archived:
    """A category or tag with its archive page and the posts it holds, newest first."""

    taxonomy: str
    name: str
    path: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Catalogue:
    site: dict
    outline: Outline
    items: dict[int, Item] = field(default_factory=dict)
    posts: list[Item] = field(default_factory=list)
    """Posts, newest first."""
    pages: list[Item] = field(default_factory=list)
    terms: dict[str, dict[str, Archived]] = field(default_factory=dict)
    """"category" / "post_tag" -> slug -> its archive."""
    links: dict[str, str] = field(default_factory=dict)
    """An old address of a shown post (its permalink, ?p=N) -> its file."""
    order: dict[int, int] = field(default_factory=dict)
    """Post id -> its place in `posts`."""
    left_out: int = 0
    """Posts and pages not shown because they were not public (no --include-private)."""

    @property
    def title(self) -> str:
        return _text(self.site.get("title") or "") or self.site["key"]

    def neighbours(self, item: Item) -> tuple[Item | None, Item | None]:
        """(older, newer) post than this one."""
        if item.type != "post":
            return None, None
        at = self.order[item.id]
        older = self.posts[at + 1] if at + 1 < len(self.posts) else None
        return older, (self.posts[at - 1] if at > 0 else None)

    def years(self) -> dict[str, list[Item]]:
        found: dict[str, list[Item]] = {}
        for item in self.posts:
            found.setdefault(item.year, []).append(item)
        return found

    def children(self, page_id: int) -> list[Item]:
        return [p for p in self.pages if p.parent == page_id and p.id != page_id]

    def top_pages(self) -> list[Item]:
        return [p for p in self.pages if p.parent not in self.items]

    def ancestors(self, item: Item) -> list[Item]:
        found: list[Item] = []
        parent = self.items.get(item.parent)
        while parent is not None and parent not in found and parent is not item:
            found.insert(0, parent)
            parent = self.items.get(parent.parent)
        return found

    def local_link(self, href: str, from_path: str) -> str:
        """A link to a post of the export made relative to the page it is on."""
        key = _link_key(href)
        target = self.links.get(key) if key else None
        if not target:
            return href
        fragment = urlsplit(href.strip()).fragment
        return relative(from_path, target) + (f"#{fragment}" if fragment else "")


def read_catalogue(archive: Archive, site: dict, include_private: bool) -> Catalogue:
    """The catalogue of one site (its posts and pages without content)."""
    statuses = DEFAULT_STATUSES if include_private else ("publish",)
    outline = read_outline(archive, site, statuses)
    catalogue = Catalogue(site, outline)
    rows = archive.query(
        """SELECT id, type, status, title, excerpt, date, date_gmt, author, parent, menu_order,
                  password_protected FROM posts WHERE site_id = ? AND type IN ('post', 'page')
           ORDER BY id""",
        [site["id"]],
    )
    for row in rows:
        if row["id"] not in outline.slugs:
            continue
        if row["password_protected"] and not include_private:
            del outline.slugs[row["id"]]
            catalogue.left_out += 1
            continue
        catalogue.items[row["id"]] = _item(row, outline)
    hidden = [f"status {status}" for status in MARKS if status != "trash"]
    catalogue.left_out += sum(outline.left_out[why] for why in hidden)
    _place(catalogue)
    _read_terms(archive, catalogue)
    return catalogue


def _item(row: dict, outline: Outline) -> Item:
    date = with_offset(parse_local(row["date"]), parse_gmt(row["date_gmt"]), outline.offset)
    return Item(
        row["id"], row["type"], row["status"], _text(row["title"]) or "(no title)", "", date,
        outline.authors.get(row["author"], row["author"]), bool(row["password_protected"]),
        excerpt=_text(row["excerpt"] or ""), parent=row["parent"] or 0,
        menu_order=row["menu_order"] or 0,
    )  # fmt: skip


def _place(catalogue: Catalogue) -> None:
    """Each item's file, the posts' order and the old addresses that lead to them."""
    outline = catalogue.outline
    for item in catalogue.items.values():
        name = outline.slugs[item.id]
        if item.type == "page":
            folders = [outline.slugs[a.id] for a in catalogue.ancestors(item)]
            item.path = posixpath.join("pages", *folders, f"{name}.html")
        else:
            item.path = f"posts/{name}.html"
    posts = [i for i in catalogue.items.values() if i.type == "post"]
    catalogue.posts = sorted(posts, key=lambda i: (i.date.timestamp() if i.date else 0, i.id),
                             reverse=True)  # fmt: skip
    catalogue.order = {item.id: at for at, item in enumerate(catalogue.posts)}
    pages = [i for i in catalogue.items.values() if i.type == "page"]
    catalogue.pages = sorted(pages, key=lambda i: (i.menu_order, i.title.casefold(), i.id))
    links: dict[str, str] = {}
    site_url = catalogue.site["url"].rstrip("/")
    for item in catalogue.items.values():
        short = "page_id" if item.type == "page" else "p"
        links[_link_key(f"{site_url}/?{short}={item.id}")] = item.path
    catalogue.links = links


def _read_terms(archive: Archive, catalogue: Catalogue) -> None:
    rows = archive.query(
        """SELECT pt.post_id, pt.taxonomy, pt.slug, t.name FROM post_terms pt
           JOIN terms t USING (site_id, taxonomy, slug)
           WHERE pt.site_id = ? AND pt.taxonomy IN ('category', 'post_tag')
           ORDER BY pt.post_id, pt.position""",
        [catalogue.site["id"]],
    )
    names: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        item = catalogue.items.get(row["post_id"])
        if item is None:
            continue
        found = catalogue.terms.setdefault(row["taxonomy"], {})
        term = found.get(row["slug"])
        if term is None:
            folder = "category" if row["taxonomy"] == "category" else "tag"
            name = _unique(_file_name(row["slug"] or row["name"]), names[folder])
            term = Archived(row["taxonomy"], _text(row["name"]), f"{folder}/{name}.html")
            found[row["slug"]] = term
        term.items.append(item)
        (item.categories if row["taxonomy"] == "category" else item.tags).append(term)
    for found in catalogue.terms.values():
        for term in found.values():
            term.items.sort(key=lambda i: catalogue.order.get(i.id, 0))
    _links_of_pages(archive, catalogue)


def _links_of_pages(archive: Archive, catalogue: Catalogue) -> None:
    """Every shown post's and page's own address leads to its file."""
    rows = archive.query(
        "SELECT id, link FROM posts WHERE site_id = ? AND type IN ('post', 'page')",
        [catalogue.site["id"]],
    )
    for row in rows:
        item = catalogue.items.get(row["id"])
        if item is not None and row["link"]:
            catalogue.links.setdefault(_link_key(row["link"]), item.path)


def relative(from_path: str, to_path: str) -> str:
    """The address of `to_path` from the page at `from_path` (both inside the export)."""
    start = posixpath.dirname(from_path) or "."
    return quote(posixpath.relpath(to_path, start), safe="/#")


def root_of(path: str) -> str:
    """The way up from a page to the export's top folder ("" or "../../")."""
    return "../" * path.count("/")


def _link_key(href: str) -> str:
    """An address as links to it are compared: without scheme, www., fragment or final /."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return ""
    if not parts.netloc:
        return ""
    host = parts.netloc.lower().removeprefix("www.")
    path = unquote(parts.path).rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def _text(markup: str) -> str:
    """A title or excerpt as one line of text."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", markup)).split())


def _file_name(slug: str) -> str:
    name = unicodedata.normalize("NFKC", unquote(slug)).strip().lower()
    name = re.sub(r"[\s/\\:*?\"<>|#%{}^~\[\]`'.]+", "-", name).strip("-")
    return name[:100] or "term"


def _unique(name: str, taken: set[str]) -> str:
    chosen, n = name, 2
    while chosen in taken:
        chosen, n = f"{name}-{n}", n + 1
    taken.add(chosen)
    return chosen


class HtmlLayout(Layout):
    """The Markdown export's layout contract, for its media copies: pictures go to
    media/ (by their upload path), and a page refers to them relatively."""

    name = "html"

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def markdown_path(self, entry: Entry) -> str:
        return self.catalogue.items[entry.post.id].path

    def media_path(self, entry: Entry, upload: str) -> tuple[str, str]:
        path = f"media/{upload}"
        return path, relative(self.markdown_path(entry), path)

    def site_media_path(self, upload: str) -> str:
        return f"media/{upload}"
