"""Plain text from stored HTML, for terminals and word counts."""

from __future__ import annotations

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
