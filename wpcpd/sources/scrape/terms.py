"""Reading a post's categories and tags from its links, a category's own archive page, and
the slug WordPress makes of a term name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from wpcpd.model import Term
from wpcpd.sources.scrape.markup import (
    classes_of,
    first_of,
    int_or_none,
    match_any,
    parse_html,
    text_of,
)
from wpcpd.sources.scrape.site import SITE_TITLE, split_title
from wpcpd.urls import page_key

_TERM_LINKS = "a[rel~=tag], a[rel~=category]"
"""Core's term links: rel="category tag" and rel="tag" with pretty permalinks, rel="category"
on sites without them."""


@dataclass
class TermLinks:
    """A page's terms: the post's own, and the parent categories their addresses name."""

    own: list[Term]
    ancestors: list[Term]
    """Parents the post is not in itself; named only where a link on the page names them."""
    pages: dict[tuple[str, str], str] = field(default_factory=dict)
    """(taxonomy, slug) of a parent the page does not name -> its archive page, which does."""


def read_terms(container: Tag, soup: BeautifulSoup) -> TermLinks:
    """Categories and tags from their links. A name is always what a link to the term says
    (the text WordPress prints is the term's name), never made up from its slug."""
    scope = container if container.select_one(_TERM_LINKS) else soup
    listed = category_list(soup)
    terms: dict[tuple[str, str], Term] = {}
    ancestors: dict[tuple[str, str], Term] = {}
    pages: dict[tuple[str, str], str] = {}
    for link in scope.select(_TERM_LINKS):
        if link.find_parent(["aside", "footer"], class_=re.compile("widget|site-footer")):
            continue
        term = _term_from_link(link)
        if not term:
            continue
        if term.id is None:
            term.id = listed.get(page_key(str(link.get("href", ""))), ("", None))[1]
        terms.setdefault((term.taxonomy, term.slug), term)
        for ancestor, page in _ancestors(link, term):
            ancestor.name, ancestor.id = listed.get(page_key(page), ("", None))
            if not ancestor.name:
                pages.setdefault((ancestor.taxonomy, ancestor.slug), page)
            ancestors.setdefault((ancestor.taxonomy, ancestor.slug), ancestor)
    parents = {k: t for k, t in ancestors.items() if k not in terms}
    return TermLinks(list(terms.values()), list(parents.values()),
                     {k: page for k, page in pages.items() if k in parents})  # fmt: skip


def category_list(soup: BeautifulSoup) -> dict[str, tuple[str, int | None]]:
    """Category address -> (name, id) from the category lists core prints (the Categories
    widget and block: `li.cat-item.cat-item-N`), wherever they are on the page."""
    found: dict[str, tuple[str, int | None]] = {}
    for link in soup.select("li.cat-item > a[href]"):
        item = link.find_parent("li")
        number = match_any(re.compile(r"^cat-item-(\d+)$"), classes_of(item))
        name = text_of(link)
        if name:
            found.setdefault(page_key(str(link["href"])), (name, number or None))
    return found


def _ancestors(link: Tag, term: Term) -> list[tuple[Term, str]]:
    """Parent categories the address names (/category/a/b/c/), each with the address of its
    own archive: a post in c alone still carries the hierarchy. The page names them only if
    it links to them; their slugs never stand in for their names."""
    if not term.parent:
        return []
    href = str(link.get("href", ""))
    raw = [s for s in urlsplit(href).path.split("/") if s]
    segments = [_slug_text(s) for s in raw]
    start = segments.index("category") + 1
    found = []
    for i in range(start, len(segments) - 1):
        page = urljoin(href, "/" + "/".join(raw[: i + 1]) + "/")
        parent = segments[i - 1] if i > start else ""
        found.append((Term(term.taxonomy, segments[i], "", parent=parent), page))
    return found


def _term_from_link(link: Tag) -> Term | None:
    href = str(link.get("href", ""))
    parts = urlsplit(href)
    taxonomy = _taxonomy_of(link, parts.path, parts.query)
    query = parse_qs(parts.query)
    segments = [_slug_text(s) for s in parts.path.strip("/").split("/") if s]
    name = text_of(link)
    if "tag" in query:
        return Term(taxonomy, _slug_text(query["tag"][0]), name)
    if "cat" in query:  # plain permalinks name the id, not the slug
        return Term(taxonomy, wp_slug(name), name, id=int_or_none(query["cat"][0]))
    if not segments:
        return None
    return Term(taxonomy, segments[-1], name, parent=_parent_slug(taxonomy, segments))


def read_term_page(text: str) -> tuple[str, int | None]:
    """(name, id) of the category or tag whose archive page this is, ("", None) if it is
    none. The name is the archive heading's <span> (core prints "Category: <span>Name</span>"
    in every language) or else the page's title without the blog's name; the id comes from
    the REST link or the body classes (category-SLUG category-N)."""
    soup = parse_html(text)
    body = classes_of(soup.body)
    if not set(body) & {"category", "tag", "tax"}:
        return "", None
    heading = first_of(soup, _ARCHIVE_TITLE)
    span = heading.find("span") if heading else None
    name = text_of(span) if isinstance(span, Tag) else _term_title(soup)
    rest = soup.select_one('link[rel=alternate][type="application/json"]')
    found = re.search(r"/wp/v2/[\w-]+/(\d+)$", str(rest.get("href", "")) if rest else "")
    numbers = [int(c.rsplit("-", 1)[1]) for c in body
               if re.fullmatch(r"(?:category|tag|term)-\d+", c)]  # fmt: skip
    return name, int(found.group(1)) if found else (numbers[-1] if numbers else None)


_ARCHIVE_TITLE = (".page-title", ".wp-block-query-title", ".archive-title", "h1.entry-title")


def _term_title(soup: BeautifulSoup) -> str:
    """A term archive's <title> is "Name - Blog" (or "Blog - Name" in some old themes)."""
    parts = split_title(text_of(soup.title))
    site = soup.select_one("meta[property='og:site_name']")
    blog = str(site.get("content", "")) if site else text_of(first_of(soup, SITE_TITLE))
    return parts[1] if len(parts) == 2 and blog and parts[0] == blog else parts[0]


def _parent_slug(taxonomy: str, segments: list[str]) -> str:
    """/category/parent/child/: nested categories show their ancestors in the address."""
    if taxonomy != "category" or "category" not in segments[:-1]:
        return ""
    after = segments[segments.index("category") + 1 :]
    return after[-2] if len(after) > 1 else ""


def _slug_text(segment: str) -> str:
    """As WordPress stores slugs: lower case, non-ASCII percent-encoded in lower case."""
    return quote(segment, safe="%-_.~").lower()


def _taxonomy_of(link: Tag, path: str, query: str) -> str:
    holder = link.find_parent(class_=re.compile(r"^taxonomy-"))
    for cls in classes_of(holder):
        if cls.startswith("taxonomy-"):
            return cls.removeprefix("taxonomy-")
    rel = str(link.get("rel", ""))
    if "category" in rel or "/category/" in path or "cat=" in query:
        return "category"
    return "post_tag"


_LETTERS = str.maketrans({"ß": "s", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d",
                          "ł": "l", "þ": "th", "\u00d7": "x"})  # fmt: skip
# What sanitize_title turns into hyphens (spaces of every width, dashes, slashes, dots) and
# what it drops (soft hyphens, inverted marks, guillemets, curly quotes, bullets, (c), (r),
# degrees, the ellipsis, TM, acute accents, zero-width and direction marks).
_DASHES = re.compile("[\\s\u00a0\u2000-\u200a\u2013\u2014\u2028\u2029\u202f./]+")
_DROPPED = re.compile("[\u00ad\u00a1\u00bf\u00ab\u00bb\u2039\u203a\u2018-\u201f\u2022"
                      "\u00a9\u00ae\u00b0\u2026\u2122\u00b4\u200b-\u200f\u202a-\u202e"
                      "\ufeff\ufffc]")  # fmt: skip


def wp_slug(name: str) -> str:
    """The slug WordPress's sanitize_title makes of a name when saving it: accents removed,
    lower case, punctuation dropped, other letters percent-encoded, hyphens between words
    ("Libraries & Archives": libraries-archives; "Réflexion": reflexion). A close reading,
    not the whole of it: on a site linking terms by id, the archive matches by id anyway."""
    text = re.sub(r"%(?![0-9a-fA-F]{2})", "", name)  # a % that is no escape goes
    text = unicodedata.normalize("NFD", text.lower().translate(_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _DASHES.sub("-", _DROPPED.sub("", text))
    text = "".join(c if c.isascii() else quote(c).lower() for c in text)
    text = re.sub(r"[^%a-z0-9_-]", "", text)
    return re.sub(r"-+", "-", text).strip("-")
