"""What a page says about the blog as a whole: whether it is WordPress, behind a login, a
single post or a listing, its language, and (from the home page) the blog's name."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from wpcpd.model import Site, site_key
from wpcpd.sources.scrape.fetch import Page
from wpcpd.sources.scrape.markup import classes_of, first_of, parse_html, text_of

CHANNEL = "scrape"


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
    body = set(classes_of(soup.body))
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


def document_title(soup: BeautifulSoup) -> str:
    """The page's <title> without the " - Site name" WordPress adds."""
    return split_title(text_of(soup.title))[0]


def split_title(text: str) -> list[str]:
    return re.split(r"\s+[\u2013\u2014|-]\s+", text, maxsplit=1) if text else [""]


# -- site --------------------------------------------------------------------------------


SITE_TITLE = (".site-title", ".wp-block-site-title", "#site-title", "#blog-title")
_TAGLINE = (".site-description", ".wp-block-site-tagline", "#site-description", "#tagline")


def read_site(page: Page, url: str) -> Site:
    """The blog's name, tagline and language, from its home page."""
    soup = parse_html(page.text)
    home = page.final_url.rstrip("/") or url
    name = soup.select_one("meta[property='og:site_name']")
    title = str(name.get("content", "")) if name else ""
    title = title or text_of(first_of(soup, SITE_TITLE)) or document_title(soup)
    description = text_of(first_of(soup, _TAGLINE))
    parts = split_title(text_of(soup.title))
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


def primary_language(tag: str) -> str:
    """The language of a language tag: "fr" for "fr-CA"."""
    return tag.split("-")[0].lower()
