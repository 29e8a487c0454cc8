"""A reflection file (front matter + Markdown) into what WordPress stores.

`to_blocks` emits block-editor markup exactly as WordPress 6.1's own serialiser writes the
core blocks (paragraph, heading, list with list-item, image, quote, code, separator, table,
html), so a published post opens in the block editor without "invalid block" warnings.
`to_classic` emits plain HTML for the classic editor and XML-RPC.

Placeholder lines that `wpcpd new` writes under each prompt ("TODO: …") are never published:
`load_document` reports them as unanswered prompts, and both renderers leave them out.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from wpcpd.errors import UsageError
from wpcpd.reflect.frontmatter import FrontMatter, parse_front_matter, split_front_matter

PLACEHOLDER_PREFIX = "TODO:"
"""A paragraph starting with this is a prompt still waiting for its answer."""

_COMMENT_ONLY = re.compile(r"\s*(?:<!--.*?-->\s*)+", re.DOTALL)
_TEXT_ALIGN = re.compile(r"text-align:\s*(left|center|right)")


@dataclass(frozen=True, slots=True)
class ImageRef:
    """Where an image in the Markdown ended up on the site (for publishing)."""

    url: str
    id: int | None = None


@dataclass(frozen=True, slots=True)
class LocalImage:
    src: str
    """As the Markdown names it (URL-normalised by markdown-it): the key for `ImageRef` maps."""
    path: Path
    line: int


@dataclass(slots=True)
class Document:
    path: Path
    front: FrontMatter
    body: str
    warnings: list[str] = field(default_factory=list)
    images: list[LocalImage] = field(default_factory=list)
    """Local image files the body shows, in order, each once."""
    featured_image: Path | None = None
    """The featured image as a local file; None when there is none or it is a URL."""

    def to_blocks(self, images: Mapping[str, ImageRef] | None = None) -> str:
        return to_blocks(self.body, images)

    def to_classic(self, images: Mapping[str, ImageRef] | None = None) -> str:
        return to_classic(self.body, images)


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # A newline inside a paragraph is just a space: WordPress would otherwise keep it in
    # block content, and wpautop turns it into <br> in classic content.
    md.add_render_rule("softbreak", lambda *args: " ")
    # Write text the way the block editor does ('"' stays, <br> is not XHTML), so opening the
    # post in the editor and saving it again changes nothing.
    md.add_render_rule("hardbreak", lambda *args: "<br>\n")
    md.add_render_rule("text", lambda self, tokens, i, *args: _text(tokens[i].content))
    md.add_render_rule(
        "code_inline", lambda self, tokens, i, *args: f"<code>{_text(tokens[i].content)}</code>"
    )
    return md


def _text(content: str) -> str:
    return html.escape(content, quote=False)


_MD = make_markdown()


# -- loading ------------------------------------------------------------------------------


def load_document(path: Path | str, strict: bool = False) -> Document:
    """Read and check a reflection file.

    Errors (`UsageError`): unreadable file, missing or malformed front matter, no title, a bad
    status/date/thing, a local image file that does not exist. Unanswered prompts, a
    placeholder title and a missing uid are warnings, or one error with `strict=True`.
    """
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{name}: not a UTF-8 text file") from None
    except OSError as exc:
        raise UsageError(f"{name}: cannot read: {exc.strerror or exc}") from None
    data, body, body_line = split_front_matter(text, name)
    front = parse_front_matter(data, name)
    tokens = _MD.parse(body)
    images = _local_images(tokens, path.parent, name, body_line)
    featured = None
    if front.featured_image and _is_local(front.featured_image):
        featured = _resolve(front.featured_image, path.parent)
        if not featured.is_file():
            raise UsageError(f"{name}: featured_image file not found: {front.featured_image}")
    warnings = _front_warnings(front, name) + _prompt_warnings(tokens, name, body_line)
    if strict and warnings:
        count = f"{len(warnings)} problem{'s' if len(warnings) > 1 else ''}"
        details = "; ".join(_without_name(w, name) for w in warnings)
        raise UsageError(f"{name}: {count} (--strict): {details}")
    return Document(path, front, body, warnings, images, featured)


def _front_warnings(front: FrontMatter, name: str) -> list[str]:
    warnings = []
    if front.title.upper().startswith(PLACEHOLDER_PREFIX):
        warnings.append(f"{name}: the title is still a placeholder: {front.title!r}")
    if not front.uid:
        warnings.append(f"{name}: no uid in the front matter; publishing will add one")
    return warnings


def _prompt_warnings(tokens: list[Token], name: str, body_line: int) -> list[str]:
    """Placeholders left in, and headings with nothing under them before the next heading."""
    warnings = []
    heading: tuple[str, int, int] | None = None  # text, level, line
    answered = True
    for index, token in enumerate(tokens):
        line = body_line + token.map[0] if token.map else body_line
        if token.type == "heading_open":
            level = int(token.tag[1])
            if heading and not answered and level <= heading[1]:
                warnings.append(f"{name}:{heading[2]}: nothing under heading {heading[0]!r}")
            heading, answered = (tokens[index + 1].content.strip(), level, line), False
        elif token.type == "paragraph_open" and _is_placeholder(tokens[index + 1]):
            where = f"unanswered prompt {heading[0]!r}" if heading else "placeholder not replaced"
            warnings.append(f"{name}:{line}: {where}")
            answered = True  # reported once is enough
        elif token.level == 0 and token.nesting != -1 and not _is_comment(token):
            answered = True
    if heading and not answered:
        warnings.append(f"{name}:{heading[2]}: nothing under heading {heading[0]!r}")
    return warnings


def _is_comment(token: Token) -> bool:
    return token.type == "html_block" and _COMMENT_ONLY.fullmatch(token.content) is not None


def _without_name(warning: str, name: str) -> str:
    """A warning for the one-line strict error, which names the file once: 'line 11: ...'."""
    rest = warning.removeprefix(f"{name}:")
    line, _, message = rest.partition(": ")
    return f"line {line}: {message}" if line.isdigit() else rest.strip()


def _local_images(tokens: list[Token], base: Path, name: str, body_line: int) -> list[LocalImage]:
    found: dict[str, LocalImage] = {}
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = body_line + token.map[0] if token.map else body_line
        for child in _walk_inline(token.children):
            src = str(child.attrs.get("src", ""))
            if child.type != "image" or not _is_local(src) or src in found:
                continue
            path = _resolve(unquote(src), base)
            if not path.is_file():
                raise UsageError(f"{name}:{line}: image file not found: {unquote(src)}")
            found[src] = LocalImage(src, path, line)
    return list(found.values())


def _walk_inline(children: list[Token]) -> list[Token]:
    result = []
    for child in children:
        result.append(child)
        if child.children:
            result += _walk_inline(child.children)
    return result


def _is_local(src: str) -> bool:
    return bool(src) and not urlsplit(src).scheme and not src.startswith("//")


def _resolve(src: str, base: Path) -> Path:
    path = Path(src).expanduser()
    return path if path.is_absolute() else base / path


# -- token clean-up shared by both renderers --------------------------------------------------


def _tokens(markdown: str, images: Mapping[str, ImageRef] | None) -> list[Token]:
    """Parsed tokens without placeholders or comment-only HTML, with images pointed at the site."""
    tokens = _MD.parse(markdown)
    kept: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "paragraph_open" and _is_placeholder(tokens[index + 1]):
            index += 3  # open, inline, close
            continue
        if _is_comment(token):
            index += 1  # private notes; a "<!-- wp:" inside would also corrupt the blocks
            continue
        if token.type == "inline" and token.children:
            _point_images(token.children, images or {})
        kept.append(token)
        index += 1
    return kept


def _is_placeholder(token: Token) -> bool:
    return token.type == "inline" and token.content.lstrip().startswith(PLACEHOLDER_PREFIX)


def _point_images(children: list[Token], images: Mapping[str, ImageRef]) -> None:
    for child in _walk_inline(children):
        if child.type != "image":
            continue
        ref = images.get(str(child.attrs.get("src", "")))
        if ref is None:
            continue
        child.attrs["src"] = ref.url
        if ref.id:
            child.attrs["class"] = f"wp-image-{ref.id}"
            child.meta["wp_id"] = ref.id


# -- classic HTML ---------------------------------------------------------------------------


def to_classic(markdown: str, images: Mapping[str, ImageRef] | None = None) -> str:
    """Plain HTML, for the classic editor and XML-RPC."""
    return _MD.renderer.render(_tokens(markdown, images), _MD.options, {}).strip()


# -- block markup --------------------------------------------------------------------------


def to_blocks(markdown: str, images: Mapping[str, ImageRef] | None = None) -> str:
    """WordPress block markup, serialised the way WordPress 6.1's editor saves it."""
    tree = SyntaxTreeNode(_tokens(markdown, images))
    return _join(_block(node) for node in tree.children)


def _join(blocks: Any) -> str:
    return "\n\n".join(b for b in blocks if b)


def _delimit(name: str, inner: str, attrs: Mapping[str, Any] | None = None) -> str:
    """One block: comment delimiters around its HTML, as the editor's serializer writes them."""
    attributes = f"{_json_attrs(attrs)} " if attrs else ""
    return f"<!-- wp:{name} {attributes}-->\n{inner}\n<!-- /wp:{name} -->"


def _json_attrs(attrs: Mapping[str, Any]) -> str:
    # The editor escapes these so attributes can never close the HTML comment.
    text = json.dumps(attrs, separators=(",", ":"), ensure_ascii=False)
    for raw, escaped in (("--", "\\u002d\\u002d"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("&", "\\u0026"), ('\\"', "\\u0022")):  # fmt: skip
        text = text.replace(raw, escaped)
    return text


def _block(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind == "paragraph":
        return _paragraph(node)
    if kind == "heading":
        level = int(node.tag[1])
        attrs = {"level": level} if level != 2 else None
        return _delimit("heading", f"<h{level}>{_inline(node)}</h{level}>", attrs)
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind == "blockquote":
        inner = _join(_block(child) for child in node.children)
        return _delimit("quote", f'<blockquote class="wp-block-quote">{inner}</blockquote>')
    if kind in ("fence", "code_block"):
        return _delimit(
            "code", f'<pre class="wp-block-code"><code>{_code(node.content)}</code></pre>'
        )
    if kind == "hr":
        hr = '<hr class="wp-block-separator has-alpha-channel-opacity"/>'
        return _delimit("separator", hr)
    if kind == "html_block":
        return _delimit("html", node.content.strip())
    if kind == "table":
        return _delimit("table", f'<figure class="wp-block-table">{_table(node)}</figure>')
    return ""


def _inline(node: SyntaxTreeNode) -> str:
    """The HTML of a paragraph's or heading's inline content."""
    inline = node.children[0] if node.children else None
    if inline is None or inline.token is None or not inline.token.children:
        return ""
    return _MD.renderer.renderInline(inline.token.children, _MD.options, {}).strip()


def _paragraph(node: SyntaxTreeNode) -> str:
    image = _lone_image(node)
    if image is not None:
        return image
    content = _inline(node)
    return _delimit("paragraph", f"<p>{content}</p>") if content else ""


def _lone_image(node: SyntaxTreeNode) -> str | None:
    """An image block for a paragraph holding only an image (optionally linked)."""
    inline = node.children[0].token if node.children else None
    if inline is None or not inline.children:
        return None
    parts = [t for t in inline.children if not (t.type == "text" and not t.content.strip())]
    link = None
    if [t.type for t in parts] == ["link_open", "image", "link_close"]:
        link, image = parts[0], parts[1]
    elif [t.type for t in parts] == ["image"]:
        image = parts[0]
    else:
        return None
    wp_id = image.meta.get("wp_id")
    attrs: dict[str, Any] = {}
    if wp_id:
        attrs = {"id": wp_id, "sizeSlug": "full", "linkDestination": "none"}
    if link is not None:
        attrs["linkDestination"] = "custom"
    alt = _MD.renderer.renderInlineAsText(image.children or [], _MD.options, {})
    img = f'<img src="{_attr(image.attrs["src"])}" alt="{_attr(alt)}"'
    if wp_id:
        img += f' class="wp-image-{wp_id}"'
    img += "/>"
    if link is not None:
        img = f'<a href="{_attr(link.attrs["href"])}">{img}</a>'
    title = str(image.attrs.get("title") or "")
    if title:  # Markdown has no captions; an image's title becomes one
        caption = html.escape(title, quote=False)
        img += f'<figcaption class="wp-element-caption">{caption}</figcaption>'
    classes = "wp-block-image size-full" if wp_id else "wp-block-image"
    return _delimit("image", f'<figure class="{classes}">{img}</figure>', attrs or None)


def _list(node: SyntaxTreeNode) -> str:
    ordered = node.type == "ordered_list"
    attrs: dict[str, Any] = {}
    tag = "ol" if ordered else "ul"
    opening = f"<{tag}>"
    if ordered:
        attrs["ordered"] = True
        start = int(node.attrs.get("start", 1))
        if start != 1:
            attrs["start"] = start
            opening = f'<{tag} start="{start}">'
    items = _join(_list_item(item) for item in node.children)
    return _delimit("list", f"{opening}{items}</{tag}>", attrs or None)


def _list_item(node: SyntaxTreeNode) -> str:
    """A list item: its text inline, nested lists as inner list blocks (WordPress 6.1 list v2)."""
    texts: list[str] = []
    nested: list[str] = []
    for child in node.children:
        if child.type == "paragraph":
            texts.append(_inline(child))
        elif child.type in ("bullet_list", "ordered_list"):
            nested.append(_list(child))
        else:  # a list item can only hold text and lists: keep anything else as inline HTML
            texts.append(_MD.renderer.render(child.to_tokens(), _MD.options, {}).strip())
    content = "<br>".join(t for t in texts if t)
    return _delimit("list-item", f"<li>{content}{''.join(nested)}</li>")


def _code(text: str) -> str:
    """Code as the code block saves it: HTML-escaped, shortcodes and lone URLs defused."""
    escaped = html.escape(text.removesuffix("\n"), quote=False)
    escaped = escaped.replace("[", "&#91;")
    isolated_url = re.compile(r"^(\s*https?:)//([^\s<>\"]+\s*)$", re.MULTILINE)
    return isolated_url.sub(r"\1&#47;&#47;\2", escaped, count=1)


def _table(node: SyntaxTreeNode) -> str:
    sections = []
    for section in node.children:  # thead, tbody
        rows = []
        for row in section.children:
            cells = [_cell(cell) for cell in row.children]
            rows.append(f"<tr>{''.join(cells)}</tr>")
        sections.append(f"<{section.tag}>{''.join(rows)}</{section.tag}>")
    return f"<table>{''.join(sections)}</table>"


def _cell(node: SyntaxTreeNode) -> str:
    align = _TEXT_ALIGN.search(str(node.attrs.get("style", "")))
    attrs = f' class="has-text-align-{align[1]}" data-align="{align[1]}"' if align else ""
    return f"<{node.tag}{attrs}>{_inline(node)}</{node.tag}>"


def _attr(value: Any) -> str:
    return html.escape(str(value), quote=True)
