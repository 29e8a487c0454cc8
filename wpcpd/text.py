"""Plain text from stored HTML, for terminals and word counts."""

from __future__ import annotations

import html
import re

from lxml import html as lxml_html
from lxml.etree import ParserError

_BLOCK_TAGS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "br", "tr")


def html_to_text(markup: str) -> str:
    """Readable text: block elements become paragraphs, block-editor comments disappear."""
    if not markup.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (ParserError, ValueError):
        return markup
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
    text = root.text_content()
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\s*\n\s*(\n\s*)+", "\n\n", text).strip()


_TAG = re.compile(r"<[^>]*>")
_UNSAFE_IN_SEARCH = re.compile(r"<[^>]*>|[&<>\"']+")


def term_name_key(name: str) -> str:
    """What two term names are compared by: WordPress stores names HTML-escaped and passed
    through kses (`Café & Co` comes back as `Café &amp; Co`, `a < b > c` as `a &lt;b&gt; c`,
    tags dropped), so compare decoded text without tags, spacing or case."""
    text = _TAG.sub(" ", html.unescape(name))
    return " ".join(text.split()).casefold()


def term_search_text(name: str) -> str:
    """A `search=` value that finds the stored form of `name`: WordPress matches the escaped
    text it stores, so search by the longest run that escaping leaves alone."""
    runs = [run.strip() for run in _UNSAFE_IN_SEARCH.split(name)]
    return max(runs, key=len) or name


_NOUNS = {"media": ("media item", "media items"), "reply": ("reply", "replies"),
          "entry": ("entry", "entries"), "category": ("category", "categories"),
          "post and page": ("post or page", "posts and pages")}  # fmt: skip


def plural(count: int, noun: str) -> str:
    """`1 comment`, `2 comments`, `1 media item`: counts as a person writes them."""
    one, many = _NOUNS.get(noun, (noun, noun + "s"))
    return f"{count} {one if count == 1 else many}"
