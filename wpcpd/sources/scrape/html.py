"""Reading one post page of a WordPress blog into model records: the post with its fields,
its author, featured image, terms and comments (`read_post_page`).

Each field has a list of places themes have put it, from the block themes back to the
2010-2013 markup of hosted blogs (`ol.commentlist`, `cite.fn`, human dates in
`.commentmetadata`). Nothing here fetches anything (fetch.py does, for the source in
__init__.py); comments, terms, printed dates and the site's own fields are read by the
modules beside this one.
"""

from __future__ import annotations

import copy
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, unquote, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from wpcpd.model import Author, Comment, Media, Post, Term, TermRef
from wpcpd.sources.scrape.comments import claimed_comment_count, read_comments_from
from wpcpd.sources.scrape.markup import (
    classes_of,
    first_of,
    inner_html,
    match_any,
    parse_html,
    stable_id,
    text_of,
)
from wpcpd.sources.scrape.printed_dates import parse_human_date, split_iso
from wpcpd.sources.scrape.site import (
    document_title,
    is_login_wall,
    is_singular,
    looks_like_wordpress,
    page_language,
)
from wpcpd.sources.scrape.terms import read_terms
from wpcpd.urls import page_key


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
    post.parent = match_any(_PARENT_PAGE_CLASS, classes_of(soup.body))
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
    if "error404" in classes_of(soup.body):
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


# -- identity ----------------------------------------------------------------------------

_POST_ID_CLASS = re.compile(r"^(?:postid|page-id)-(\d+)$")
_ARTICLE_ID = re.compile(r"^post-(\d+)$")
_PARENT_PAGE_CLASS = re.compile(r"^parent-pageid-(\d+)$")
_SHORTLINK_ID = re.compile(r"[?&]p=(\d+)")
_NOT_TYPE = {"format", "template"}


def post_identity(soup: BeautifulSoup, link_header: str = "") -> tuple[int, str]:
    """The WordPress post id and type the markup shows; (0, type) when it shows no id."""
    body = classes_of(soup.body)
    post_type = _post_type(body, soup)
    for found in (match_any(_POST_ID_CLASS, body), _article_id(soup), _shortlink_id(soup)):
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
    for cls in classes_of(article):
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


def canonical_url(soup: BeautifulSoup, url: str) -> str:
    link = soup.select_one("link[rel=canonical]")
    href = str(link.get("href", "")) if link else ""
    return page_key(urljoin(url, href) if href else url)


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
    title = text_of(first_of(container, _TITLE))
    if not title:
        meta = soup.select_one("meta[property='og:title']")
        title = str(meta.get("content", "")).strip() if meta else document_title(soup)
    if protected:
        title = _unprotected_title(title, text_of(soup.title))
    return title


def _unprotected_title(title: str, document_title: str) -> str:
    """'Protected: X' comes in the site's language; the document title has no prefix."""
    _prefix, _, rest = title.partition(": ")
    if rest and document_title.startswith(rest) and not document_title.startswith(title):
        return rest
    return title


def read_content(container: Tag, soup: BeautifulSoup) -> str:
    element = first_of(container, _CONTENT) or first_of(soup, _CONTENT)
    if element is None:
        return ""
    element = copy.copy(element)
    remove_clutter(element)
    return inner_html(element)


def remove_clutter(element: Tag) -> None:
    """Sharing and likes widgets, related posts, reply forms, navigation: not the writing."""
    for junk in element.select(", ".join(_CLUTTER)):
        junk.decompose()
    for junk in element.find_all(["h2", "h3", "h4", "div", "p", "span", "a"]):
        if junk.decomposed:
            continue
        text = text_of(junk)
        if len(text) < 120 and _CLUTTER_TEXT.match(text):
            junk.decompose()


def read_date(
    container: Tag, soup: BeautifulSoup, lang: str, which: str
) -> tuple[datetime | None, datetime | None]:
    """(local wall-clock date, GMT date) as the page shows them; GMT only with an offset."""
    selectors = _PUBLISHED if which == "published" else _MODIFIED
    for scope in (container, soup):
        element = first_of(scope, selectors)
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
        holder = first_of(scope, _HUMAN_DATE)
        if holder is not None:
            return parse_human_date(_date_text(holder), lang), None
    return None, None


def _date_text(holder: Tag) -> str:
    """Twenty Ten puts the time in the title of the link around the date."""
    link = holder.find_parent("a", title=True)
    return text_of(holder) + (" " + str(link["title"]) if link else "")


def read_author(container: Tag, soup: BeautifulSoup) -> Author | None:
    for scope in (container, soup):
        link = scope.select_one("a[rel~=author], .author a, .byline a")
        if link:
            return _author_from_link(link)
        name = text_of(first_of(scope, (".wp-block-post-author__name", ".author", ".byline")))
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
    img = first_of(container, (".wp-post-image", ".wp-block-post-featured-image img",
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
    found = re.search(r"\bwp-image-(\d+)\b", " ".join(classes_of(img)))
    attachment = str(img.get("data-attachment-id", ""))
    return int(found.group(1)) if found else int(attachment) if attachment.isdigit() else 0
