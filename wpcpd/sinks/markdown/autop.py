"""A simplified wpautop: WordPress stores classic-editor content without <p> tags and adds
them only on display. wpcpd.reflect.sections has an older, smaller one for finding
reflections (no <br> care, newlines inside tags kept); making it use this one would change
what reflection detection sees, so that waits for its own change."""

from __future__ import annotations

import re

# Block-level tags for autop; wpcpd-block is the placeholder this module parks output in.
_AUTOP_BLOCKS = (
    r"(?:p|h[1-6]|ul|ol|li|div|blockquote|pre|table|thead|tbody|tfoot|tr|td|th|figure|"
    r"figcaption|hr|dl|dt|dd|section|article|aside|header|footer|address|form|fieldset|"
    r"details|summary|iframe|script|style|object|audio|video|wpcpd-block)"
)
_AUTOP_OPEN = re.compile(rf"(<{_AUTOP_BLOCKS}\b[^>]*>)", re.I)
_AUTOP_CLOSE = re.compile(rf"(</{_AUTOP_BLOCKS}>)", re.I)
_AUTOP_START = re.compile(rf"</?{_AUTOP_BLOCKS}\b", re.I)
BLANK_LINES = re.compile(r"\n[ \t]*\n")
_IN_TAG = re.compile(r"<[^<>]*>")
_NEWLINE = re.compile(r"(?<!<br>)(?<!<br/>)(?<!<br />)\n", re.I)  # one not after a <br> already


def autop(markup: str) -> str:
    """Paragraphs for classic content: blank lines separate paragraphs, single newlines
    become <br>, and text next to block-level tags is split from them. <pre> is parked
    before this runs."""
    text = _IN_TAG.sub(lambda m: m.group(0).replace("\n", " "), markup)  # as wpautop does
    text = _AUTOP_CLOSE.sub(r"\1\n\n", _AUTOP_OPEN.sub(r"\n\n\1", text))
    chunks = [chunk.strip() for chunk in BLANK_LINES.split(text)]
    return "\n".join(
        chunk if _AUTOP_START.match(chunk) else "<p>" + _NEWLINE.sub("<br />\n", chunk) + "</p>"
        for chunk in chunks
        if chunk
    )
