"""A post's or comment's content as HTML that is safe to open from a backup: WordPress
content goes through the Markdown export's converter once (shortcodes, blocks, captions,
galleries, code and footnotes are understood there), is rendered by markdown-it, and is
then cut down to an allowlist of elements and attributes.

The allowlist is what keeps the site offline: nothing that could fetch anything by itself
survives. A script, style sheet, form or plugin element is dropped; an iframe, an embed
and a picture, audio or video on another site become a plain link to it (a reader may
follow it; the page never loads it); event handlers, `style` attributes (the site's
Content-Security-Policy would refuse them, with a console error) and `javascript:` links
go. Headings are renumbered to start at h2 with no level skipped, so each page keeps one
h1, its title.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from wpcpd.sinks.markdown.convert import PLAIN, Context, to_markdown

FLAVOUR = "eleventy"
"""The converter's flavour whose output markdown-it reads: HTML figures, no shortcodes."""

_MARKDOWN = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
    ["table", "strikethrough"]
)
_MARKDOWN.use(footnote_plugin)

_BLOCK = {"p", "div", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "pre", "figure",
          "figcaption", "hr", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
          "colgroup", "col", "details", "summary", "section", "aside", "address"}  # fmt: skip
_INLINE = {"a", "abbr", "b", "br", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd",
           "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var",
           "time", "wbr", "img", "audio", "video", "source", "track"}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_ALLOWED = _BLOCK | _INLINE | _HEADINGS
_DROPPED = {"script", "style", "link", "meta", "base", "noscript", "template", "form", "input",
            "button", "select", "textarea", "option", "canvas", "svg", "math", "head",
            "title", "frame", "frameset", "applet", "param"}  # fmt: skip
_AS_LINK = {"iframe", "embed", "object"}
_GLOBAL_ATTRS = {"id", "class", "title", "lang", "dir", "role", "aria-label", "aria-hidden"}
_ATTRS = {
    "a": {"href", "name", "rel"},
    "img": {"src", "alt", "width", "height"},
    "audio": {"src", "controls"},
    "video": {"src", "controls", "poster", "width", "height"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "col": {"span"},
    "colgroup": {"span"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
RESERVED_IDS = {"main", "comments", "comments-title", "child-pages-title", "latest-title",
                "years-title", "site-search-q", "search-q", "search-status",
                "search-results"}  # fmt: skip
"""Ids the pages' templates use, which content may not take."""
_FETCHING = ("src", "poster")
"""Attributes the browser loads by itself: only a local address may stay."""
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:|tel:|#|[^:]*$)", re.I)


def render(content: str, media: Context = PLAIN, links: Callable[[str], str] | None = None) -> str:
    """WordPress content (a post's, already with its footnotes, or a comment's) as safe HTML.

    `media` rewrites media addresses to the local copies (the Markdown export's
    `MediaCopies`); `links` may rewrite other links (to another post of the export)."""
    if not _NOT_PLAIN.search(content):
        return plain_paragraphs(content)
    markdown = to_markdown(content, FLAVOUR, media)
    if not markdown:
        return ""
    return sanitise(_MARKDOWN.render(markdown), links)


_NOT_PLAIN = re.compile(r"[<>\[&]|://")
"""What only the converter understands: markup, shortcodes, entities, addresses."""


def plain_paragraphs(text: str) -> str:
    """Plain text (most comments) as the converter and markdown-it would render it, without
    them: paragraphs at blank lines, a line break at each other newline, text escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = [c.strip() for c in re.split(r"\n[ \t]*\n", text)]
    return "\n".join(
        "<p>" + "<br/>\n".join(_escape(line.strip()) for line in c.split("\n")) + "</p>"
        for c in chunks
        if c
    )


def _escape(text: str) -> str:
    return " ".join(html.escape(text, quote=False).split(" "))


def sanitise(markup: str, links: Callable[[str], str] | None = None) -> str:
    """Keep what the allowlist allows; nothing left can make a request by itself."""
    soup = BeautifulSoup(markup, "html.parser")
    for remark in soup.find_all(string=lambda s: isinstance(s, Comment)):
        remark.extract()  # <!--more--> and the like; conditional comments could load things
    for tag in list(soup.find_all(True)):
        if tag.decomposed:
            continue
        name = tag.name.lower()
        if name in _DROPPED:
            tag.decompose()
        elif name in _AS_LINK:
            _to_link(tag, _address(tag), name)
        elif name not in _ALLOWED:
            tag.unwrap()
        else:
            _clean_attrs(tag, links)
            if name in ("img", "audio", "video", "source", "track"):
                _keep_local(tag)
    _renumber_headings(soup)
    for table in soup.find_all("table"):
        wrapper = soup.new_tag("div", attrs={"class": "table-scroll", "tabindex": "0",
                                             "role": "region", "aria-label": "Table"})  # fmt: skip
        table.wrap(wrapper)
    return str(soup).strip()


def _clean_attrs(tag: Tag, links: Callable[[str], str] | None) -> None:
    allowed = _GLOBAL_ATTRS | _ATTRS.get(tag.name, set())
    for key in list(tag.attrs):
        if key.lower() not in allowed:
            del tag.attrs[key]
    own = str(tag.get("id", ""))
    if own in RESERVED_IDS or own.startswith("comment-"):
        del tag.attrs["id"]  # the page's own: the skip link and comment links must find them
    if tag.name == "a" and tag.get("href") is not None:
        href = str(tag["href"]).strip()
        if not _SAFE_LINK.match(href):
            del tag.attrs["href"]
        elif links is not None:
            tag["href"] = links(href)


def _is_local(url: str) -> bool:
    """A relative address inside the export (no scheme, no host, not from the root)."""
    if url.strip().startswith("data:image/"):
        return True  # no request: the picture is in the address
    parts = urlsplit(url.strip())
    return not parts.scheme and not parts.netloc and not url.strip().startswith("/")


def _keep_local(tag: Tag) -> None:
    """A media element that would load something from elsewhere becomes a link to it."""
    for key in _FETCHING:
        value = tag.get(key)
        if value is None:
            continue
        if not str(value).strip() or not _is_local(str(value)):
            if key == "poster":
                del tag.attrs[key]
                continue
            _to_link(tag, str(value), tag.name)
            return
    if tag.name in ("audio", "video"):
        for inner in tag.find_all(["source", "track"]):
            if not _is_local(str(inner.get("src", ""))):
                inner.decompose()
        if not tag.get("src") and not tag.find("source"):
            tag.unwrap()
        else:
            tag["controls"] = ""


def _address(tag: Tag) -> str:
    for key in ("src", "data", "href"):
        if tag.get(key):
            return str(tag[key])
    param = tag.find("param", attrs={"name": re.compile("^(movie|src)$", re.I)})
    return str(param.get("value", "")) if isinstance(param, Tag) else ""


_WORDS = {"img": "Picture", "iframe": "Embedded content", "embed": "Embedded content",
          "object": "Embedded content", "audio": "Audio", "video": "Video",
          "source": "Media", "track": "Captions"}  # fmt: skip


def _to_link(tag: Tag, url: str, kind: str) -> None:
    """Replace a fetching element with a link to what it would have fetched (or its alt
    text when the address is not one a reader could follow)."""
    label = _WORDS.get(kind, "Content")
    alt = str(tag.get("alt") or tag.get("title") or "").strip()
    text = f"{label}: {alt}" if alt else f"{label} on another site"
    if (
        url.startswith(("http://", "https://"))
        and tag.name != "source"
        and not tag.find_parent("a")
    ):
        link = BeautifulSoup("", "html.parser").new_tag(
            "a", attrs={"href": url, "class": "external-media", "rel": "nofollow noopener"}
        )
        link.string = f"[{text}]"
        tag.replace_with(link)
    elif tag.name in ("source", "track"):
        tag.decompose()
    else:
        tag.replace_with(NavigableString(f"[{text}]"))


def _renumber_headings(soup: BeautifulSoup) -> None:
    """The levels used, in order, become h2, h3, ...: the page's title is its only h1."""
    found = soup.find_all(list(_HEADINGS))
    levels = sorted({int(t.name[1]) for t in found})
    mapping = {level: min(6, 2 + i) for i, level in enumerate(levels)}
    for tag in found:
        tag.name = f"h{mapping[int(tag.name[1])]}"
