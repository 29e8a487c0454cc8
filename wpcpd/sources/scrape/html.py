"""Reading one page of a WordPress blog: a post with its fields, its comments, the site.

Each field has a list of places themes have put it, from the block themes back to the
2010-2013 markup of hosted blogs (`ol.commentlist`, `cite.fn`, human dates in
`.commentmetadata`); nothing here fetches anything (wpcpd/sources/scrape.py does).
"""

from __future__ import annotations

import copy
import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from wpcpd.model import Author, Comment, Media, Post, Site, Term, TermRef, site_key
from wpcpd.sources.scrape.sitemap import (
    CHANNEL,
    Page,
    normalise_url,
)


class PageProblem(Exception):
    """A page that yields no post; `failed` tells an error from a page that is not a post."""

    def __init__(self, message: str, *, failed: bool = True) -> None:
        super().__init__(message)
        self.failed = failed


# -- reading a page ----------------------------------------------------------------------


@dataclass
class ScrapedPost:
    post: Post
    lang: str = ""
    author: Author | None = None
    terms: list[Term] = field(default_factory=list)
    media: Media | None = None
    term_pages: dict[tuple[str, str], str] = field(default_factory=dict)
    """Archive pages of parent categories this page does not name (see `read_terms`)."""
    comments: list[Comment] = field(default_factory=list)
    claimed_comments: int | None = None
    comment_pages: list[str] = field(default_factory=list)
    comment_pages_done: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class CommentPage:
    comments: list[Comment]
    pages: list[str]
    current: str | None = None
    notes: list[str] = field(default_factory=list)


def parse_html(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "lxml")


def read_post_page(text: str, url: str, headers: dict[str, str] | None = None) -> ScrapedPost:
    """One post or page with its comments; PageProblem when the page holds no post."""
    soup = parse_html(text)
    _check_page(soup, url, headers or {})
    scraped = ScrapedPost(_identified_post(soup, url, headers or {}), page_language(soup))
    _add_comments(scraped, soup)
    _drop_comment_areas(soup)
    post = scraped.post
    container = post_container(soup, post.id)
    _fill_post(post, soup, container, scraped.lang)
    scraped.author = read_author(container, soup)
    post.author = scraped.author.login if scraped.author else ""
    scraped.media = read_featured_image(container, post)
    terms = read_terms(container, soup)
    post.terms = [TermRef(t.taxonomy, t.slug, t.name) for t in terms.own]
    scraped.terms = terms.ancestors + terms.own
    scraped.term_pages = terms.pages
    if post.date is None and post.type == "post":
        scraped.notes.append(f"no publication date that could be read ({scraped.lang or '?'})")
    return scraped


def _identified_post(soup: BeautifulSoup, url: str, headers: dict[str, str]) -> Post:
    post = Post(id=0, status="publish", meta=None)
    post.id, post.type = post_identity(soup, headers.get("link", ""))
    post.parent = _match_any(_PARENT_PAGE_CLASS, _classes(soup.body))
    post.link = canonical_url(soup, url)
    if not post.id:
        # No id in the markup: a stable negative id from the address, so that re-runs agree
        # and it can never meet a real (positive) WordPress id.
        post.id = stable_id(post.link)
    return post


def _add_comments(scraped: ScrapedPost, soup: BeautifulSoup) -> None:
    page = read_comments_from(soup, scraped.post.id, scraped.post.link, scraped.lang)
    scraped.comments = page.comments
    scraped.comment_pages = page.pages
    scraped.comment_pages_done = [scraped.post.link] + ([page.current] if page.current else [])
    scraped.claimed_comments = claimed_comment_count(soup)
    scraped.notes += page.notes
    open_ = soup.select_one("#respond, #commentform, .comment-respond")
    scraped.post.comment_status = "open" if open_ else "closed"


def _check_page(soup: BeautifulSoup, url: str, headers: dict[str, str]) -> None:
    if is_login_wall(soup, url):
        raise PageProblem("a login wall: the page asks for a user name and password")
    if not looks_like_wordpress(soup, headers):
        raise PageProblem("not a WordPress page (no WordPress markup, generator or API link)")
    if "error404" in _classes(soup.body):
        raise PageProblem("WordPress says this page does not exist (its 404 page)")
    if not is_singular(soup):
        raise PageProblem("a listing (archive, home or search page), not a post", failed=False)


def _fill_post(post: Post, soup: BeautifulSoup, container: Tag, lang: str) -> None:
    protected = container.select_one("form.post-password-form, form[action*=postpass]")
    post.password_protected = protected is not None
    post.title = read_title(container, soup, protected=post.password_protected)
    post.date, post.date_gmt = read_date(container, soup, lang, "published")
    post.modified, post.modified_gmt = read_date(container, soup, lang, "modified")
    post.content = "" if protected else read_content(container, soup)
    post.slug = _slug_from(post.link)


# -- page kind ---------------------------------------------------------------------------


def looks_like_wordpress(soup: BeautifulSoup, headers: dict[str, str]) -> bool:
    if "api.w.org" in headers.get("link", ""):
        return True
    generator = soup.select_one("meta[name=generator]")
    if generator and "wordpress" in str(generator.get("content", "")).lower():
        return True
    if soup.select_one('link[rel="https://api.w.org/"], [class*=wp-block-], .hentry'):
        return True
    return any(
        "/wp-content/" in str(t.get(a, "")) or "/wp-includes/" in str(t.get(a, ""))
        for t in soup.select("link[href], script[src], img[src]")
        for a in ("href", "src")
    )


def is_login_wall(soup: BeautifulSoup, url: str) -> bool:
    """A page that only asks for a password (a login form in a sidebar is no wall)."""
    path = urlsplit(url).path
    if "wp-login.php" in path or path.rstrip("/").endswith(("/log-in", "/private-login")):
        return True
    if soup.select_one("body.login"):
        return True
    password = soup.select_one("input[type=password]:not([name=post_password])")
    writing = soup.select_one("article, .hentry, .entry-content, .wp-block-post-content")
    return password is not None and writing is None


def is_singular(soup: BeautifulSoup) -> bool:
    body = set(_classes(soup.body))
    if body & {"single", "singular", "page"} or any(
        c.startswith(("postid-", "page-id-")) for c in body
    ):
        return True
    if body & {"home", "blog", "archive", "category", "tag", "search", "date", "author"}:
        return False
    return len(soup.select("article, .hentry, div.post")) == 1  # themes without body classes


def page_language(soup: BeautifulSoup) -> str:
    html = soup.find("html")
    return str(html.get("lang", "")) if isinstance(html, Tag) else ""


# -- identity ----------------------------------------------------------------------------

_POST_ID_CLASS = re.compile(r"^(?:postid|page-id)-(\d+)$")
_ARTICLE_ID = re.compile(r"^post-(\d+)$")
_PARENT_PAGE_CLASS = re.compile(r"^parent-pageid-(\d+)$")
_SHORTLINK_ID = re.compile(r"[?&]p=(\d+)")
_NOT_TYPE = {"format", "template"}


def post_identity(soup: BeautifulSoup, link_header: str = "") -> tuple[int, str]:
    """The WordPress post id and type the markup shows; (0, type) when it shows no id."""
    body = _classes(soup.body)
    post_type = _post_type(body, soup)
    for found in (_match_any(_POST_ID_CLASS, body), _article_id(soup), _shortlink_id(soup)):
        if found:
            return found, post_type
    shortlink = _SHORTLINK_ID.search(link_header)
    if shortlink:
        return int(shortlink.group(1)), post_type
    field_ = soup.select_one("input[name=comment_post_ID]")
    value = str(field_.get("value", "")) if field_ else ""
    return (int(value) if value.isdigit() else 0), post_type


def _post_type(body: list[str], soup: BeautifulSoup) -> str:
    if any(c.startswith("page-id-") for c in body):
        return "page"
    article = soup.select_one("article[class*=type-], .hentry[class*=type-]")
    for cls in _classes(article):
        if cls.startswith("type-"):
            return cls.removeprefix("type-")
    for cls in body:
        kind = cls.removeprefix("single-")
        if cls.startswith("single-") and kind.split("-")[0] not in _NOT_TYPE:
            return kind
    return "post"


def _article_id(soup: BeautifulSoup) -> int:
    for element in soup.select("article[id^=post-], div.hentry[id^=post-], div.post[id^=post-]"):
        found = _ARTICLE_ID.match(str(element.get("id", "")))
        if found:
            return int(found.group(1))
    return 0


def _shortlink_id(soup: BeautifulSoup) -> int:
    link = soup.select_one("link[rel=shortlink]")
    found = _SHORTLINK_ID.search(str(link.get("href", ""))) if link else None
    return int(found.group(1)) if found else 0


def _match_any(pattern: re.Pattern[str], values: list[str]) -> int:
    for value in values:
        found = pattern.match(value)
        if found:
            return int(found.group(1))
    return 0


def canonical_url(soup: BeautifulSoup, url: str) -> str:
    link = soup.select_one("link[rel=canonical]")
    href = str(link.get("href", "")) if link else ""
    return normalise_url(urljoin(url, href) if href else url)


def stable_id(url: str) -> int:
    digest = hashlib.sha256(normalise_url(url).encode("utf-8")).digest()
    return -(int.from_bytes(digest[:6], "big") + 1)


def _slug_from(url: str) -> str:
    parts = urlsplit(url)
    if parts.query and parts.path.strip("/") == "":
        return ""  # ?p=N addresses name no slug
    return parts.path.rstrip("/").rsplit("/", 1)[-1].lower()


# -- post fields -------------------------------------------------------------------------

_COMMENT_AREAS = (
    "#comments", ".comments-area", ".wp-block-comments", "ol.commentlist", "ol.comment-list",
    "#respond", ".comment-respond", "#disqus_thread",
)  # fmt: skip
_CONTENT = (".entry-content", ".post-content", ".wp-block-post-content", ".entrytext",
            ".post-entry", ".storycontent", "div.entry", ".post-body")  # fmt: skip
_TITLE = ("h1.entry-title", ".entry-title", ".wp-block-post-title", "h1.post-title",
          "h2.post-title", ".posttitle", "h1", "h2")  # fmt: skip
_CLUTTER = (
    "#jp-post-flair", ".sharedaddy", ".sd-sharing-enabled", ".sd-block", ".sd-like",
    ".sd-title", ".jp-relatedposts", "#jp-relatedposts", ".jetpack-likes-widget-wrapper",
    ".wpl-likebox", ".post-likes-widget-placeholder", ".wpcnt", ".wordads-ad-wrapper",
    ".sharing", ".share-buttons", ".addtoany_share_save_container", ".a2a_kit",
    ".yarpp-related", ".crp_related", ".wp_rp_wrap", ".navigation", ".post-navigation",
    ".postmetadata", ".nav-links", ".page-links", ".post-edit-link", ".edit-link", "nav",
    "script", "style", "noscript", "form", *_COMMENT_AREAS,
)  # fmt: skip
_PUBLISHED = (
    "time.published[datetime]", "time.entry-date[datetime]",
    ".wp-block-post-date:not(.wp-block-post-date__modified-date) time[datetime]",
)  # fmt: skip
_HUMAN_DATE = (".entry-date", ".posted-on", ".post-date", ".date", ".postmetadata small",
               ".postmetadata")  # fmt: skip
_MODIFIED = ("time.updated[datetime]:not(.published)",
             ".wp-block-post-date__modified-date time[datetime]")  # fmt: skip
# Whole texts of small elements that only widgets and reply forms write (several languages).
_CLUTTER_TEXT = re.compile(
    r"^(?:like this|share this|related|loading\.*|j[\u2019']aime|partager|gefällt mir|teilen"
    r"|leave a reply|laisser un commentaire|schreibe einen kommentar"
    r"|(?:%d|\d+|one) bloggers? likes? this\.?"
    r"|fill in your details below or click an icon to log in"
    r"|you are commenting using your .{1,40} account\..*|connecting to %s)\s*:?$",
    re.IGNORECASE,
)


def _drop_comment_areas(soup: BeautifulSoup) -> None:
    for element in soup.select(", ".join(_COMMENT_AREAS)):
        element.decompose()


def post_container(soup: BeautifulSoup, post_id: int) -> Tag:
    """The element that holds the post: its article, else the main area, else the body."""
    found = soup.find(id=f"post-{post_id}") or soup.select_one(f".post-{post_id}")
    for candidate in (found, soup.select_one("article.hentry, .hentry, article")):
        if isinstance(candidate, Tag) and candidate.select_one(", ".join(_CONTENT + _TITLE)):
            return candidate
    main = soup.select_one("main, #main, #content, [role=main]")
    return main or soup.body or soup


def read_title(container: Tag, soup: BeautifulSoup, *, protected: bool = False) -> str:
    title = _text_of(_first(container, _TITLE))
    if not title:
        meta = soup.select_one("meta[property='og:title']")
        title = str(meta.get("content", "")).strip() if meta else _document_title(soup)
    if protected:
        title = _unprotected_title(title, _text_of(soup.title))
    return title


def _unprotected_title(title: str, document_title: str) -> str:
    """'Protected: X' comes in the site's language; the document title has no prefix."""
    _prefix, _, rest = title.partition(": ")
    if rest and document_title.startswith(rest) and not document_title.startswith(title):
        return rest
    return title


def _document_title(soup: BeautifulSoup) -> str:
    """The page's <title> without the " - Site name" WordPress adds."""
    return _split_title(_text_of(soup.title))[0]


def _split_title(text: str) -> list[str]:
    return re.split(r"\s+[\u2013\u2014|-]\s+", text, maxsplit=1) if text else [""]


def read_content(container: Tag, soup: BeautifulSoup) -> str:
    element = _first(container, _CONTENT) or _first(soup, _CONTENT)
    if element is None:
        return ""
    element = copy.copy(element)
    remove_clutter(element)
    return _inner_html(element)


def remove_clutter(element: Tag) -> None:
    """Sharing and likes widgets, related posts, reply forms, navigation: not the writing."""
    for junk in element.select(", ".join(_CLUTTER)):
        junk.decompose()
    for junk in element.find_all(["h2", "h3", "h4", "div", "p", "span", "a"]):
        if junk.decomposed:
            continue
        text = _text_of(junk)
        if len(text) < 120 and _CLUTTER_TEXT.match(text):
            junk.decompose()


def read_date(
    container: Tag, soup: BeautifulSoup, lang: str, which: str
) -> tuple[datetime | None, datetime | None]:
    """(local wall-clock date, GMT date) as the page shows them; GMT only with an offset."""
    selectors = _PUBLISHED if which == "published" else _MODIFIED
    for scope in (container, soup):
        element = _first(scope, selectors)
        if element is not None:
            return split_iso(str(element.get("datetime", "")))
    meta = soup.select_one(f"meta[property='article:{which}_time']")
    if meta:
        return split_iso(str(meta.get("content", "")))
    if which == "modified":
        return None, None
    return _human_post_date(container, soup, lang)


def _human_post_date(
    container: Tag, soup: BeautifulSoup, lang: str
) -> tuple[datetime | None, datetime | None]:
    for scope in (container, soup):
        element = scope.select_one("time[datetime]")
        if element:
            return split_iso(str(element.get("datetime", "")))
        abbr = scope.select_one("abbr.published[title]")
        if abbr:
            return split_iso(str(abbr.get("title", "")))
        holder = _first(scope, _HUMAN_DATE)
        if holder is not None:
            return parse_human_date(_date_text(holder), lang), None
    return None, None


def _date_text(holder: Tag) -> str:
    """Twenty Ten puts the time in the title of the link around the date."""
    link = holder.find_parent("a", title=True)
    return _text_of(holder) + (" " + str(link["title"]) if link else "")


def split_iso(text: str) -> tuple[datetime | None, datetime | None]:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None, None
    if value.tzinfo is None:
        return value, None
    return value.replace(tzinfo=None), value.astimezone(UTC)


def read_author(container: Tag, soup: BeautifulSoup) -> Author | None:
    for scope in (container, soup):
        link = scope.select_one("a[rel~=author], .author a, .byline a")
        if link:
            return _author_from_link(link)
        name = _text_of(_first(scope, (".wp-block-post-author__name", ".author", ".byline")))
        if name:
            return Author(login=name, display_name=name)
    return None


def _author_from_link(link: Tag) -> Author:
    name = link.get_text(" ", strip=True)
    parts = urlsplit(str(link.get("href", "")))
    query = parse_qs(parts.query)
    if "author" in query and query["author"][0].isdigit():
        return Author(login=name, id=int(query["author"][0]), display_name=name)
    slug = parts.path.rstrip("/").rsplit("/", 1)[-1]
    # The nicename in /author/NAME/ is the login made safe for addresses: the best we see.
    return Author(login=unquote(slug) or name, display_name=name)


def read_featured_image(container: Tag, post: Post) -> Media | None:
    """The featured image, under the attachment's id where the page shows it (the image's
    own classes, Jetpack's data-attachment-id, the same file in the post's content), else
    a stand-in id made from the file's address, the same for every size of it."""
    img = _first(container, (".wp-post-image", ".wp-block-post-featured-image img",
                             ".post-thumbnail img"))  # fmt: skip
    src = str(img.get("src", "")) if img else ""
    if img is None or not src:
        return None
    url = _original_image(img, urljoin(post.link, src))
    media_id = _attachment_id(img) or next(
        (_attachment_id(other) for other in container.select("img[class*=wp-image-]")
         if _unsized(urljoin(post.link, str(other.get("src", "")))) == _unsized(url)),
        0,
    )  # fmt: skip
    path = urlsplit(url).path
    media = Media(
        id=media_id or stable_id(_unsized(url)),
        post=post.id,
        url=url,
        file=unquote(path).split("/wp-content/uploads/")[-1].lstrip("/"),
        mime_type=mimetypes.guess_type(path)[0] or "",
        alt_text=str(img.get("alt", "")),
    )
    post.featured_media = media.id
    return media


_SIZED_NAME = re.compile(r"-\d+x\d+(?=\.\w+$)")


def _unsized(url: str) -> str:
    """The address of the full-size file an image size was made from (a-300x200.jpg: a.jpg)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, _SIZED_NAME.sub("", parts.path), "", ""))


def _original_image(img: Tag, src: str) -> str:
    """The full-size file when srcset offers it, else the size the page shows."""
    original = urlsplit(_unsized(src)).path
    for candidate in str(img.get("srcset", "")).split(","):
        words = candidate.split()
        if words and urlsplit(urljoin(src, words[0])).path == original:
            return urljoin(src, words[0])
    return src


def _attachment_id(img: Tag) -> int:
    found = re.search(r"\bwp-image-(\d+)\b", " ".join(_classes(img)))
    attachment = str(img.get("data-attachment-id", ""))
    return int(found.group(1)) if found else int(attachment) if attachment.isdigit() else 0


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
            term.id = listed.get(normalise_url(str(link.get("href", ""))), ("", None))[1]
        terms.setdefault((term.taxonomy, term.slug), term)
        for ancestor, page in _ancestors(link, term):
            ancestor.name, ancestor.id = listed.get(normalise_url(page), ("", None))
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
        number = _match_any(re.compile(r"^cat-item-(\d+)$"), _classes(item))
        name = _text_of(link)
        if name:
            found.setdefault(normalise_url(str(link["href"])), (name, number or None))
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
    name = _text_of(link)
    if "tag" in query:
        return Term(taxonomy, _slug_text(query["tag"][0]), name)
    if "cat" in query:  # plain permalinks name the id, not the slug
        return Term(taxonomy, wp_slug(name), name, id=_int(query["cat"][0]))
    if not segments:
        return None
    return Term(taxonomy, segments[-1], name, parent=_parent_slug(taxonomy, segments))


def read_term_page(text: str) -> tuple[str, int | None]:
    """(name, id) of the category or tag whose archive page this is, ("", None) if it is
    none. The name is the archive heading's <span> (core prints "Category: <span>Name</span>"
    in every language) or else the page's title without the blog's name; the id comes from
    the REST link or the body classes (category-SLUG category-N)."""
    soup = parse_html(text)
    body = _classes(soup.body)
    if not set(body) & {"category", "tag", "tax"}:
        return "", None
    heading = _first(soup, _ARCHIVE_TITLE)
    span = heading.find("span") if heading else None
    name = _text_of(span) if isinstance(span, Tag) else _term_title(soup)
    rest = soup.select_one('link[rel=alternate][type="application/json"]')
    found = re.search(r"/wp/v2/[\w-]+/(\d+)$", str(rest.get("href", "")) if rest else "")
    numbers = [int(c.rsplit("-", 1)[1]) for c in body
               if re.fullmatch(r"(?:category|tag|term)-\d+", c)]  # fmt: skip
    return name, int(found.group(1)) if found else (numbers[-1] if numbers else None)


_ARCHIVE_TITLE = (".page-title", ".wp-block-query-title", ".archive-title", "h1.entry-title")


def _term_title(soup: BeautifulSoup) -> str:
    """A term archive's <title> is "Name - Blog" (or "Blog - Name" in some old themes)."""
    parts = _split_title(_text_of(soup.title))
    site = soup.select_one("meta[property='og:site_name']")
    blog = str(site.get("content", "")) if site else _text_of(_first(soup, _SITE_TITLE))
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
    for cls in _classes(holder):
        if cls.startswith("taxonomy-"):
            return cls.removeprefix("taxonomy-")
    rel = str(link.get("rel", ""))
    if "category" in rel or "/category/" in path or "cat=" in query:
        return "category"
    return "post_tag"


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
        key = str(link.get("href", "")) if link else _text_of(element)
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
        depth = _match_any(re.compile(r"^depth-(\d+)$"), _classes(owners[comment.id]))
        if depth > 1 and not comment.parent:
            comment.parent = last_at.get(depth - 1, 0)
        if depth:
            last_at[depth] = comment.id


def _comment_type(element: Tag, number: int) -> str:
    classes = set(_classes(element))
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
    return _text_of(holder), url


def _comment_date(element: Tag, number: int, lang: str) -> tuple[datetime | None, datetime | None]:
    stamp = _own(element, number, ("time[datetime]",))
    if stamp is not None:
        return split_iso(str(stamp.get("datetime", "")))
    holder = _own(element, number, _COMMENT_DATE)
    if holder is None:
        return None, None
    return parse_human_date(_text_of(holder), lang), None


def _comment_content(element: Tag, number: int, kind: str) -> str:
    holder = _own(element, number, _COMMENT_CONTENT)
    holder = copy.copy(holder) if holder else _bare_comment_body(element, number, kind)
    if holder is None:
        return ""
    for junk in holder.select(".reply, .comment-reply-link, .comment-edit-link, .comment-likes"):
        junk.decompose()
    return _inner_html(holder)


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
    label = re.fullmatch(r"(pingback|trackback)\s*:?", _text_of(holder), re.IGNORECASE)
    if kind != "comment" and (label or not _text_of(holder)):
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
    base, pages = normalise_url(post_url), []
    for link in scope.select("a[href]:not(.comment-reply-link)"):
        href = urljoin(post_url, str(link.get("href", "")))
        if re.search(r"#comment-\d+$", href):
            continue  # a comment's own permalink, not the navigation
        if _COMMENT_PAGE_LINK.search(href) and normalise_url(href) == base:
            pages.append(normalise_url(href, keep_comment_page=True))
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


# -- site --------------------------------------------------------------------------------


_SITE_TITLE = (".site-title", ".wp-block-site-title", "#site-title", "#blog-title")
_TAGLINE = (".site-description", ".wp-block-site-tagline", "#site-description", "#tagline")


def read_site(page: Page, url: str) -> Site:
    """The blog's name, tagline and language, from its home page."""
    soup = parse_html(page.text)
    home = page.final_url.rstrip("/") or url
    name = soup.select_one("meta[property='og:site_name']")
    title = str(name.get("content", "")) if name else ""
    title = title or _text_of(_first(soup, _SITE_TITLE)) or _document_title(soup)
    description = _text_of(_first(soup, _TAGLINE))
    parts = _split_title(_text_of(soup.title))
    if not description and len(parts) == 2 and parts[0] == title:
        description = parts[1]  # the home page's title is "Name - Tagline"
    return Site(
        key=site_key(home),
        url=home,
        title=title,
        description=description,
        language=page_language(soup),
        channel=CHANNEL,
    )


# -- human dates -------------------------------------------------------------------------

MONTHS = {
    "en": "january february march april may june july august september october november december",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre "
    "novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
}
_TIME = re.compile(
    r"(\d{1,2})\s*(?::|h)\s*(\d{2})(?:\s*min)?(?:\s*([ap])\.?\s?m\.?(?![a-z]))?", re.IGNORECASE
)
_ISO_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC_DAY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


def parse_human_date(text: str, lang: str = "") -> datetime | None:
    """A date as themes print it ("January 10, 2011 at 8:15 am", "10. Januar 2011 um 08:15",
    "10 janvier 2011 à 8 h 15 min"), read with the page's language first."""
    text = " ".join(text.split())
    clock = _TIME.search(text)
    rest = text[: clock.start()] + " " + text[clock.end() :] if clock else text
    day = _numeric_day(rest, lang) or _worded_day(rest, lang)
    if day is None:
        return None
    hour, minute = _clock(clock) if clock else (0, 0)
    try:
        return datetime(day[0], day[1], day[2], hour, minute)
    except ValueError:
        return None


def _clock(found: re.Match[str]) -> tuple[int, int]:
    hour, minute, half = int(found.group(1)), int(found.group(2)), (found.group(3) or "").lower()
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    return hour, minute


def _numeric_day(text: str, lang: str) -> tuple[int, int, int] | None:
    iso = _ISO_DAY.search(text)
    if iso:
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    numeric = _NUMERIC_DAY.search(text)
    if not numeric:
        return None
    first, second, year = (int(g) for g in numeric.groups())
    month_first = lang.lower() in ("en-us", "en_us")
    return (year, first, second) if month_first else (year, second, first)


def _worded_day(text: str, lang: str) -> tuple[int, int, int] | None:
    year = re.search(r"\b(\d{4})\b", text)
    if not year:
        return None
    without_year = text[: year.start()] + " " + text[year.end() :]
    day = re.search(r"\b(\d{1,2})(?:st|nd|rd|th|er|\.|º)?(?!\d)", without_year)
    month = _month_in(text, lang)
    if not (day and month):
        return None
    return int(year.group(1)), month, int(day.group(1))


def _month_in(text: str, lang: str) -> int | None:
    """Full month names first, then abbreviations ("janv.", "Mär"), the page's language first."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
    order = [primary_language(lang)] if primary_language(lang) in MONTHS else []
    order += [code for code in MONTHS if code not in order]
    for whole in (True, False):
        for code in order:
            month = _month_of(words, MONTHS[code].split(), whole)
            if month:
                return month
    return None


def _month_of(words: list[str], names: list[str], whole: bool) -> int | None:
    for word in words:
        matches = [
            i
            for i, name in enumerate(names)
            if name == word or (not whole and len(word) >= 3 and name.startswith(word))
        ]
        if len(matches) == 1:
            return matches[0] + 1
    return None


# -- small helpers -----------------------------------------------------------------------


def primary_language(tag: str) -> str:
    """The language of a language tag: "fr" for "fr-CA"."""
    return tag.split("-")[0].lower()


def _classes(element: Any) -> list[str]:
    if not isinstance(element, Tag):
        return []
    value = element.get("class") or []
    return list(value) if isinstance(value, list) else str(value).split()


def _first(scope: Tag | BeautifulSoup, selectors: tuple[str, ...]) -> Tag | None:
    for selector in selectors:
        found = scope.select_one(selector)
        if found is not None:
            return found
    return None


def _text_of(element: Tag | None) -> str:
    """Text as a reader sees it: markup gone, runs of white space made one space."""
    return " ".join(element.get_text().split()) if element is not None else ""


def _inner_html(element: Tag) -> str:
    return "".join(str(child) for child in element.contents).strip()


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


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None
