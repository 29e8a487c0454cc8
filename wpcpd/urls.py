"""Web addresses, each spelt one way for one job: the blog a person typed, and the page a
scrape reads (its cache key and the seed of its stable ids).

Two jobs that look alike and must not be mixed up: `site_url` keeps what a person typed
and only completes it (a scheme, no trailing slash); `page_key` rewrites a page's address
so that every spelling of one page is one key. Neither knows about HTTP or the archive.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

_REPLY_PARAMS = re.compile(r"^(replytocom|utm_\w+|share|nb|like_comment|_wpnonce)$")
_DROPPED_PARAMS = re.compile(r"^(replytocom|utm_\w+|share|nb|like_comment|_wpnonce|cpage)$")
_COMMENT_PAGE = re.compile(r"/comment-page-\d+/?$")
WPCOM_RESIZE = frozenset({"w", "h", "resize", "fit", "crop", "zoom", "quality", "strip", "ssl",
                          "lb", "ulb", "filter", "brightness", "contrast", "colorize",
                          "smooth", "crop_strategy"})  # fmt: skip
_SIZE = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")
PHOTON_HOST = re.compile(r"^i[0-3]\.wp\.com$")


def site_url(typed: str) -> str:
    """A blog's address as a person typed it, made whole: https:// when no scheme is given,
    no trailing slash (`blog.example.org/` is `https://blog.example.org`)."""
    url = typed.strip()
    if "://" not in url:
        url = "https://" + url
    return url.rstrip("/")


def page_key(url: str, *, keep_comment_page: bool = False) -> str:
    """One spelling per page: no fragment, no tracking or reply parameters, and (unless kept)
    no comment page."""
    parts = urlsplit(url.strip())
    dropped = _REPLY_PARAMS if keep_comment_page else _DROPPED_PARAMS
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not dropped.match(k)]  # fmt: skip
    path = parts.path if keep_comment_page else _COMMENT_PAGE.sub("/", parts.path)
    path = quote(path or "/", safe="/%:@!$&'()*+,;=-._~")
    # WordPress writes percent-escapes in lower case (its slugs are lower case).
    path = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), path)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def same_blog(url: str, home: str) -> bool:
    """Whether `url` is a page of the blog at `home` (same host, under its path)."""
    target, base = urlsplit(url), urlsplit(home)
    if target.scheme not in ("http", "https"):
        return False
    host = (target.hostname or "").removeprefix("www.")
    if host != (base.hostname or "").removeprefix("www.") or target.port != base.port:
        return False
    return target.path.startswith(base.path.rstrip("/") + "/") or target.path == base.path


def with_query_param(url: str, name: str, value: str) -> str:
    """`url` with `name=value` in its query (replacing any earlier value), no fragment."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != name] + [(name, value)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def origin(url: str) -> str:
    """Scheme and host (with port) of an address: `https://blog.example.org:8080`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def unphoton(url: str) -> str | None:
    """`https://i0.wp.com/example.org/wp-content/uploads/a.jpg?w=640` -> the file itself."""
    parts = urlsplit(url)
    if not PHOTON_HOST.match((parts.hostname or "").lower()):
        return None
    rest = parts.path.lstrip("/")
    if "/" not in rest:
        return None
    return f"https://{rest}"


def strip_resize(url: str) -> str:
    """Without WordPress.com's (and Jetpack's) resize parameters: `?w=640&h=480`."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in WPCOM_RESIZE]  # fmt: skip
    return urlunsplit(parts._replace(query=urlencode(kept), fragment=""))


def original_of(url: str) -> str:
    """The address of the original a resized copy was made from (it may not exist)."""
    url = strip_resize(url)
    url = unphoton(url) or url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=_SIZE.sub("", parts.path), fragment=""))
