"""WordPress content (classic HTML, block markup, shortcodes) to Markdown for site generators.

First string work: what is decided from the source text (code, embeds, galleries, captions,
audio and video shortcodes, `<!--more-->`) is rendered and parked in placeholder elements,
so neither wpautop nor Markdown escaping touches it; classic content (no block markup) then
goes through a simplified wpautop, as WordPress does when it shows it. Then `_Converter` (a
markdownify subclass) writes the rest, keeping as HTML what Markdown cannot say, and
`_tidy` normalises blank lines and trailing spaces. The output is meant to render alike in
goldmark (Hugo), kramdown (Jekyll), Python-Markdown (Pelican) and markdown-it (Eleventy):
hard breaks are two trailing spaces, escapes are those all four know, the rest is HTML.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag
from markdownify import ATX, MarkdownConverter

from wpcpd.sinks.markdown.autop import BLANK_LINES, autop

FLAVOURS = ("hugo", "jekyll", "pelican", "eleventy")


@dataclass(frozen=True)
class Image:
    src: str  # address to use in the output (already local)
    alt: str = ""
    caption: str = ""  # HTML or text


class Context(Protocol):
    def media_url(self, url: str) -> str:
        """The local address of a media file the content references, or `url` unchanged."""
        ...

    def gallery(self, ids: list[int] | None) -> list[Image]:
        """The images of a gallery: these attachment ids in order, or the post's own (None)."""
        ...


class _Plain:
    """Rewrites nothing and knows no galleries: for comments."""

    def media_url(self, url: str) -> str:
        return url

    def gallery(self, ids: list[int] | None) -> list[Image]:
        return []


PLAIN: Context = _Plain()


def to_markdown(content: str, flavour: str, context: Context = PLAIN) -> str:
    """Markdown for one post's or comment's content; "" for empty content."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}; one of {', '.join(FLAVOURS)}")
    if not content or not content.strip():
        return ""
    job = _Job(flavour, context)
    return _tidy(job.convert(job.prepare(content)))


_PRE = re.compile(r"<pre\b([^>]*)>(.*?)</pre>", re.I | re.S)
_LANG_BLOCK = re.compile(r"<!-- wp:[\w/-]+ (\{[^\n]*?\}) -->\s*<pre\b")
_CODE_NAMES = (
    "code|sourcecode|source|bash|shell|c|cpp|csharp|css|diff|go|html|java|javascript|js|"
    "json|jscript|perl|php|powershell|python|py|ruby|rust|scala|sql|swift|text|plain|"
    "typescript|ts|vb|xml|yaml"
)
_CODE_SHORTCODE = re.compile(rf"\[({_CODE_NAMES})\b([^\]]*)\](.*?)\[/\1\]", re.S)
_RAW_HTML_BLOCK = re.compile(r"<!-- wp:html -->\n?(.*?)\n?<!-- /wp:html -->", re.S)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S | re.I)
_MORE = re.compile(r"<!--(?:more|nextpage|noteaser)\b.*?-->", re.S)
_BLOCK_PAIR = re.compile(
    r"<!-- wp:(gallery|embed|core-embed/[\w-]+)((?:\s+\{.*?\})?)\s+-->(.*?)<!-- /wp:\1 -->", re.S
)
_DELIMITER = re.compile(r"<!-- /?wp:[\w/-]+(?:\s+\{.*?\})?\s+/?-->\n?", re.S)
_SHORTCODE = re.compile(
    r"\[(\[?)(caption|wp_caption|gallery|embed|youtube|vimeo|audio|video)(?![\w-])"
    r"([^\]/]*(?:/(?!\])[^\]/]*)*?)(?:(/)\]|\](?:([^\[]*(?:\[(?!/\2\])[^\[]*)*)\[/\2\])?)(\]?)"
)
_ATTR = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)|"""
    r"""([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"""
)
_BARE_URL = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.M)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_BR = re.compile(r"<br\s*/?>\n?", re.I)
_AUDIO_KEYS = ("src", "mp3", "m4a", "ogg", "wav", "wma")
_VIDEO_KEYS = ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv")


def _shortcode_attrs(text: str) -> tuple[dict[str, str], list[str]]:
    """WordPress's shortcode_parse_atts: named values and positional ones."""
    named: dict[str, str] = {}
    positional: list[str] = []
    for m in _ATTR.finditer(text.replace("\u00a0", " ")):
        g = m.groups()
        for key, value in ((g[0], g[1]), (g[2], g[3]), (g[4], g[5])):
            if key:
                named[key.lower()] = html.unescape(value)
                break
        else:
            positional.append(html.unescape(next(v for v in g[6:] if v is not None)))
    return named, positional


def _fence(code: str, language: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{language}\n{code}\n{fence}"


def _clean_language(language: str) -> str:
    return re.sub(r"[^\w+#.-]", "", language.strip().lower())


def _pre_language(attrs: str, inner: str) -> str:
    """The language a <pre> says: data-lang, lang=, class "brush: x", language-x on it or <code>."""
    found = re.search(r"""\b(?:data-lang|lang)=["']([^"']+)""", attrs) or re.search(
        r"brush:\s*([\w+#-]+)", attrs
    )
    if not found:
        head = attrs + (inner[: inner.find(">") + 1] if inner.lstrip().startswith("<code") else "")
        found = re.search(r"\blang(?:uage)?-([\w+#-]+)", head)
    return _clean_language(found.group(1)) if found else ""


def _code_text(inner: str, *, markup: bool) -> str:
    """The code exactly as written: tags (if it is HTML) dropped, entities decoded."""
    if markup:
        inner = _TAG.sub("", _BR.sub("\n", inner))
    code = html.unescape(inner)
    return re.sub(r"^[ \t]*\n", "", code).rstrip()


def _video_id(url: str) -> tuple[str, str] | None:
    """("youtube"|"vimeo", id) when the address names one video there."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    found = None
    if host in ("youtube.com", "youtube-nocookie.com"):
        query = parse_qs(parts.query).get("v")
        path = re.match(r"/(?:embed|shorts|v|live)/([\w-]+)", parts.path)
        found = ("youtube", query[0] if query else path.group(1) if path else "")
    elif host == "youtu.be":
        found = ("youtube", parts.path.strip("/").split("/")[0])
    elif host in ("vimeo.com", "player.vimeo.com"):
        path = re.search(r"/(?:video/)?(\d+)(?:/|$)", parts.path)
        found = ("vimeo", path.group(1) if path else "")
    if found and re.fullmatch(r"[\w-]{4,}", found[1]):
        return found
    return None


def _link_target(url: str) -> str:
    """A link destination every Markdown parser reads: no spaces or parentheses."""
    return url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _quote(text: str) -> str:
    return text.replace('"', '\\"')


def _hugo_value(key: str, value: str) -> str:
    """A Hugo shortcode parameter. Hugo drops every backslash of a value holding \\", so the
    caption (which Hugo renders as Markdown) says " as &quot; and keeps its escapes."""
    if key == "caption":
        return value.replace('"', "&quot;")
    return value.replace('"', "%22") if key in ("src", "link") else _quote(value)


def _back_link(tag: Tag) -> bool:
    """A footnote's link back to its reference, which Markdown footnotes make themselves."""
    href = str(tag.get("href", ""))
    return href.endswith("-link") and bool(tag.find_parent("ol", class_="wp-block-footnotes"))


def _json_attrs(text: str) -> dict[str, Any]:
    """A block delimiter's attributes ({} when there are none or they do not parse)."""
    try:
        attrs = json.loads(text) if text.strip() else {}
    except ValueError:
        return {}
    return attrs if isinstance(attrs, dict) else {}


def _one_block(markup: str) -> str:
    """HTML as one Markdown HTML block: a blank line would end it early."""
    return BLANK_LINES.sub("\n", markup.strip())


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


class _Job:
    """One conversion: the flavour, the context and the output parked so far."""

    def __init__(self, flavour: str, context: Context) -> None:
        self.flavour = flavour
        self.context = context
        self.parked: list[tuple[str, str]] = []  # (Markdown, the source it replaces)

    def park(self, markdown: str, source: str) -> str:
        self.parked.append((markdown, source))
        return f'<wpcpd-block data-i="{len(self.parked) - 1}"></wpcpd-block>'

    def prepare(self, content: str) -> str:
        text = content.replace("\r\n", "\n").replace("\r", "\n").replace("<wpcpd-", "&lt;wpcpd-")
        blocks = "<!-- wp:" in text
        if blocks:
            text = _LANG_BLOCK.sub(self._block_language, text)
        # A script or style keeps its lines (wpautop leaves them alone too), and a Custom
        # HTML block is the author's HTML, kept as it is.
        text = _RAW_HTML_BLOCK.sub(lambda m: self.park(_one_block(m.group(1)), m[0]), text)
        text = _SCRIPT.sub(lambda m: self.park(m.group(0), m.group(0)), text)
        text = _PRE.sub(self._pre, text)
        text = _CODE_SHORTCODE.sub(self._code_shortcode, text)
        text = _MORE.sub(lambda m: self.park(m.group(0), m.group(0)), text)
        if blocks:
            text = _DELIMITER.sub("", _BLOCK_PAIR.sub(self._block, text))
        text = _SHORTCODE.sub(self._shortcode, text)
        if blocks:
            return text
        return autop(_BARE_URL.sub(lambda m: self.park(self.embed(m.group(1)), m[0]), text))

    def convert(self, markup: str, rewrite: bool = True, markdown: bool = True) -> str:
        """Markdown for HTML, or (markdown=False) the HTML with its media addresses rewritten."""
        soup = BeautifulSoup(markup, "html.parser")
        converter = _Converter(self)
        converter.prepare(soup, rewrite)
        return converter.convert_soup(soup) if markdown else str(soup)

    # String-level pieces ------------------------------------------------------------------

    def _block_language(self, m: re.Match[str]) -> str:
        language = _json_attrs(m.group(1)).get("language")
        if not isinstance(language, str) or not language:
            return m.group(0)
        return f'{m.group(0)} data-lang="{_attr(_clean_language(language))}"'

    def _pre(self, m: re.Match[str]) -> str:
        code = _code_text(m.group(2), markup=True)
        return self.park(_fence(code, _pre_language(m.group(1), m.group(2))), m.group(0))

    def _code_shortcode(self, m: re.Match[str]) -> str:
        named, _ = _shortcode_attrs(m.group(2))
        name = m.group(1)
        language = named.get("language") or named.get("lang") or ""
        if not language and name not in ("code", "sourcecode", "source"):
            language = name
        code = _code_text(m.group(3), markup=False)
        return self.park(_fence(code, _clean_language(language)), m.group(0))

    def _block(self, m: re.Match[str]) -> str:
        name, attrs, body = m.group(1), _json_attrs(m.group(2)), m.group(3)
        if name == "gallery":
            if "<img" in body:
                return body  # the block's own images and captions, as the author saw them
            ids = attrs.get("ids") or re.findall(r'wp:image \{"id":(\d+)', body)
            numbers = [int(i) for i in ids if str(i).isdigit()] if isinstance(ids, list) else []
            images = self.context.gallery(numbers) if numbers else []
            return self.park(self.images(images), m.group(0)) if images else body
        url = attrs.get("url") or _TAG.sub("", body.split("<figcaption")[0]).strip()
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return body
        caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", body, re.S)
        after = f"<p>{caption.group(1)}</p>" if caption else ""
        return self.park(self.embed(html.unescape(url)), m.group(0)) + after

    def _shortcode(self, m: re.Match[str]) -> str:
        if m.group(1) == "[" and m.group(6) == "]":
            return m.group(0)[1:-1]  # [[gallery]] is how WordPress writes a literal [gallery]
        name, content = m.group(2), m.group(5) or ""
        named, positional = _shortcode_attrs(m.group(3))
        if name in ("caption", "wp_caption"):
            result = self.caption(named, content)
        elif name == "gallery":
            ids = named.get("ids") or named.get("include")
            numbers = [int(i) for i in re.findall(r"\d+", ids)] if ids else None
            result = self.images(self.context.gallery(numbers))
        elif name in ("audio", "video"):
            result = self.media_element(name, named)
        else:
            result = self.embed(self._embed_url(name, named, positional, content))
        return self.park(result, m.group(0)) if result else m.group(0)

    def _embed_url(self, name: str, named: dict[str, str], positional: list[str], body: str) -> str:
        url = named.get("url") or named.get("id") or (positional[0] if positional else "")
        if name == "embed" or not url:
            url = html.unescape(_TAG.sub("", body)).strip() or url
        url = url.lstrip("=")  # old WordPress.com form: [youtube=http://...]
        if name == "youtube" and re.fullmatch(r"[\w-]{11}", url):
            url = f"https://www.youtube.com/watch?v={url}"
        elif name == "vimeo" and url.isdigit():
            url = f"https://vimeo.com/{url}"
        return url

    # Output pieces ------------------------------------------------------------------------

    def embed(self, url: str) -> str:
        """An oEmbed: Hugo's own shortcode for YouTube and Vimeo, else an autolink."""
        url = url.strip()
        if not url.startswith(("http://", "https://")):
            return ""
        video = _video_id(url)
        if video and self.flavour == "hugo":
            return f"{{{{< {video[0]} {video[1]} >}}}}"
        return f"<{_link_target(url).replace('<', '%3C').replace('>', '%3E')}>"

    def caption(self, named: dict[str, str], content: str) -> str:
        soup = BeautifulSoup(content, "html.parser")
        img = soup.find("img")
        if not isinstance(img, Tag):
            return ""
        link = img.parent if isinstance(img.parent, Tag) and img.parent.name == "a" else None
        (link or img).extract()
        text = named.get("caption") or str(soup).strip()
        href = self.context.media_url(str(link.get("href", ""))) if link else ""
        src = self.context.media_url(str(img.get("src", "")))
        image = Image(src, str(img.get("alt", "")), text)
        return self.figure(image, href, str(img.get("title", "")))

    def images(self, images: list[Image]) -> str:
        return "\n\n".join(self.figure(image) for image in images)

    def figure(self, image: Image, link: str = "", title: str = "", rewrite: bool = True) -> str:
        """An image with its caption: a Hugo figure, an HTML <figure>, or a Markdown image."""
        if not image.caption.strip():
            alt = _one_line(image.alt).replace("[", r"\[").replace("]", r"\]")
            title_part = f' "{_quote(title)}"' if title else ""
            md = f"![{alt}]({_link_target(image.src)}{title_part})"
            return f"[{md}]({_link_target(link)})" if link else md
        if self.flavour == "hugo":
            params = {"src": image.src, "link": link, "alt": image.alt, "title": title}
            params["caption"] = _one_line(self.convert(image.caption, rewrite))
            pairs = (f'{k}="{_hugo_value(k, _one_line(v))}"' for k, v in params.items() if v)
            return f"{{{{< figure {' '.join(pairs)} >}}}}"
        img = f'<img src="{_attr(image.src)}" alt="{_attr(_one_line(image.alt))}"'
        img += f' title="{_attr(title)}">' if title else ">"
        if link:
            img = f'<a href="{_attr(link)}">{img}</a>'
        caption = _one_line(self.convert(image.caption, rewrite, markdown=False))
        return f"<figure>{img}<figcaption>{caption}</figcaption></figure>"

    def media_element(self, name: str, named: dict[str, str]) -> str:
        keys = _AUDIO_KEYS if name == "audio" else _VIDEO_KEYS
        src = next((named[k] for k in keys if named.get(k)), "")
        if not src:
            return ""
        parts = [f"<{name} controls", f'src="{_attr(self.context.media_url(src))}"']
        if named.get("poster"):
            parts.append(f'poster="{_attr(self.context.media_url(named["poster"]))}"')
        parts += [f'{k}="{_attr(named[k])}"' for k in ("width", "height") if named.get(k)]
        return " ".join(parts) + f"></{name}>"


# Inline elements Markdown has no syntax for (or not in all four parsers), kept as HTML.
_KEEP_INLINE = {"u", "mark", "abbr", "ins", "del", "s", "strike", "small", "sub"}  # and sup
_KEEP_VERBATIM = {"kbd", "samp", "var"}
# Elements kept whole as HTML: Markdown cannot say them and their parts mean nothing alone.
_KEEP_HTML = {"iframe", "video", "audio", "object", "embed", "svg", "math", "canvas"}
_KEEP_HTML_BLOCK = {"details", "form", "script", "noscript", "dl"}
_MEDIA_ATTRS = ("src", "href", "poster", "data")
_CLUTTER = re.compile(r"\b(?:sharedaddy|sd-sharing|jp-relatedposts|jp-post-flair)\b")
_LINE_START = re.compile(r"(^|\n)([ \t]*)(?:(#{1,6}|[-+]+|>)(?=[ \t\n]|$)|(\d{1,9})([.)])(?=\s|$))")
_PLACEHOLDER = re.compile(r'<wpcpd-block data-i="(\d+)"></wpcpd-block>')


class _Converter(MarkdownConverter):
    """markdownify with WordPress's conventions and this module's escaping."""

    def __init__(self, job: _Job) -> None:
        super().__init__(
            heading_style=ATX,
            bullets="-",
            strong_em_symbol="*",
            table_infer_header=True,
            escape_asterisks=False,  # escape() below does all of it
            escape_underscores=False,
        )
        self.job = job
        self.notes: dict[str, int] = {}  # footnote id -> its number

    def prepare(self, soup: BeautifulSoup, rewrite: bool = True) -> None:
        """Rewrite media addresses, drop srcset, number footnotes, drop their back links."""
        media_url = self.job.context.media_url if rewrite else str
        for tag in soup.find_all(True):
            candidates = [c.split() for c in str(tag.get("srcset", "")).split(",") if c.strip()]
            if candidates and not tag.get("src"):  # the largest one
                tag["src"] = max(candidates, key=lambda c: int(re.sub(r"\D", "", c[-1]) or 0))[0]
            for key in ("srcset", "sizes"):
                tag.attrs.pop(key, None)
            for key in _MEDIA_ATTRS:
                value = tag.get(key)
                if isinstance(value, str) and value and not value.startswith("#"):
                    tag[key] = media_url(value)
            if tag.name == "sup" and tag.get("data-fn"):
                self.notes.setdefault(str(tag["data-fn"]), len(self.notes) + 1)
            elif tag.name == "a" and _back_link(tag):
                tag.decompose()

    def escape(self, text: str, parent_tags: Any) -> str:
        """Backslash escapes all four parsers know; entities where one of them does not."""
        if not text:
            return ""
        text = text.replace("\\", "\\\\")
        for char in "*_`[]":
            text = text.replace(char, "\\" + char)
        text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
        text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
        if "td" in parent_tags or "th" in parent_tags:
            text = text.replace("|", "\\|")
        if self.job.flavour == "hugo":  # Hugo reads {{< and {{% anywhere as a shortcode
            text = text.replace("{{<", "{&#123;<").replace("{{%", "{&#123;%")
        text = re.sub(r"(^|\n)([ \t]*)=(=*)(?=[ \t]*(?:\n|$))", r"\1\2&#61;\3", text)
        return _LINE_START.sub(self._escape_line_start, text)

    @staticmethod
    def _escape_line_start(m: re.Match[str]) -> str:
        if m.group(4):
            return f"{m.group(1)}{m.group(2)}{m.group(4)}\\{m.group(5)}"
        return f"{m.group(1)}{m.group(2)}\\{m.group(3)}"

    def html(self, el: Tag) -> str:
        """An element kept as HTML: on one block (no blank line inside), parked parts restored."""
        text = _PLACEHOLDER.sub(lambda m: self.job.parked[int(m.group(1))][1], str(el))
        return BLANK_LINES.sub("\n", text.strip())

    # Conversions markdownify calls, convert_<tag>(el, text, parent_tags) ---------------------

    def get_conv_fn(self, tag_name: str) -> Any:
        if tag_name in _KEEP_INLINE:
            return self._keep_inline
        if tag_name in _KEEP_VERBATIM:
            return lambda el, text, parent_tags: str(el)
        if tag_name in _KEEP_HTML:
            return lambda el, text, parent_tags: self.html(el)
        if tag_name in _KEEP_HTML_BLOCK:
            return lambda el, text, parent_tags: f"\n\n{self.html(el)}\n\n"
        return super().get_conv_fn(tag_name)

    def convert_wpcpd_block(self, el: Tag, text: str, parent_tags: Any) -> str:
        return "\n\n" + self.job.parked[int(str(el.get("data-i")))][0] + "\n\n"

    def convert_img(self, el: Tag, text: str, parent_tags: Any) -> str:
        image = Image(str(el.get("src", "")), str(el.get("alt", "")))
        return self.job.figure(image, title=str(el.get("title", "")))

    def convert_a(self, el: Tag, text: str, parent_tags: Any) -> str:
        if not el.get("href") and (el.get("id") or el.get("name")):
            anchor = _attr(str(el.get("id") or el.get("name")))
            return f'<a id="{anchor}"></a>{text}'
        if el.get("href"):
            el["href"] = _link_target(str(el["href"]))
        return super().convert_a(el, text, parent_tags)

    def convert_br(self, el: Tag, text: str, parent_tags: Any) -> str:
        return "<br>" if "_inline" in parent_tags else "  \n"

    def convert_span(self, el: Tag, text: str, parent_tags: Any) -> str:
        # A span says something only through its style; classes mean nothing without the theme.
        if not el.get("style"):
            return text
        return self._keep_inline(el, text, parent_tags)

    def _keep_inline(self, el: Tag, text: str, parent_tags: Any) -> str:
        attrs = "".join(
            f' {k}="{_attr(" ".join(v) if isinstance(v, list) else str(v))}"'
            for k, v in el.attrs.items()
        )
        return f"<{el.name}{attrs}>{text}</{el.name}>"

    def convert_sup(self, el: Tag, text: str, parent_tags: Any) -> str:
        number = self.notes.get(str(el.get("data-fn", "")))
        return f"[^{number}]" if number else self._keep_inline(el, text, parent_tags)

    def convert_ol(self, el: Tag, text: str, parent_tags: Any) -> str:
        if "wp-block-footnotes" not in (el.get("class") or []):
            return super().convert_ol(el, text, parent_tags)
        notes = []
        for li in el.find_all("li", recursive=False):
            number = self.notes.get(str(li.get("id", "")))
            body = self.process_tag(li, parent_tags=set(parent_tags) | {"ol"}).strip()
            body = re.sub(r"^\d+\.\s*", "", body).replace("\n", "\n    ")
            notes.append(f"[^{number}]: {body}" if number else f"{len(notes) + 1}. {body}")
        return "\n\n" + "\n".join(notes) + "\n\n"

    def convert_figure(self, el: Tag, text: str, parent_tags: Any) -> str:
        img = el.find("img")
        if isinstance(img, Tag) and not el.find(["table", "blockquote", "figure"]):
            return "\n\n" + self._captioned(el, img, "figcaption") + "\n\n"
        return "\n\n" + text.strip() + "\n\n"

    def convert_div(self, el: Tag, text: str, parent_tags: Any) -> str:
        # Divs are dropped to their content (style, id and class mean nothing here), except
        # WordPress's rendered captions and WordPress.com's sharing and related-posts clutter.
        classes = " ".join(el.get("class") or [])
        if _CLUTTER.search(classes) or el.get("id") == "jp-post-flair":
            return ""
        img = el.find("img")
        if "wp-caption" in classes.split() and isinstance(img, Tag):
            return "\n\n" + self._captioned(el, img, "p") + "\n\n"
        return super().convert_div(el, text, parent_tags)

    def _captioned(self, el: Tag, img: Tag, caption_tag: str) -> str:
        caption = el.find(caption_tag)
        link = img.parent if isinstance(img.parent, Tag) and img.parent.name == "a" else None
        text = caption.decode_contents() if isinstance(caption, Tag) else ""
        image = Image(str(img.get("src", "")), str(img.get("alt", "")), text)
        href = str(link.get("href", "")) if link else ""
        return self.job.figure(image, href, str(img.get("title", "")), rewrite=False)

    def convert_table(self, el: Tag, text: str, parent_tags: Any) -> str:
        if _pipe_table(el):
            return super().convert_table(el, text, parent_tags)
        return "\n\n" + self.html(el) + "\n\n"

    def convert_pre(self, el: Tag, text: str, parent_tags: Any) -> str:
        # <pre> is parked before parsing; one made up by the parser still keeps its text exact.
        return "\n\n" + _fence(el.get_text().strip("\n"), "") + "\n\n"


_NOT_IN_CELLS = ["table", "ul", "ol", "pre", "blockquote", "figure", "div", "wpcpd-block", "h1"]
_NOT_IN_CELLS += ["h2", "h3", "h4", "h5", "h6", "hr", "iframe", "video", "audio", "details"]


def _pipe_table(table: Tag) -> bool:
    """Whether a table can be a pipe table: one cell per column and nothing block-level."""
    cells = table.find_all(["td", "th"])
    return bool(cells) and not any(
        str(c.get("colspan", "1")) != "1"
        or str(c.get("rowspan", "1")) != "1"
        or c.find(_NOT_IN_CELLS)
        or len(c.find_all("p")) > 1
        for c in cells
    )


_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def _tidy(text: str) -> str:
    """At most one blank line in a row, no trailing spaces but hard breaks; code untouched."""
    out: list[str] = []
    fence = ""
    for line in text.split("\n"):
        if fence:
            out.append(line)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
            continue
        opening = _FENCE_OPEN.match(line)
        if opening:
            fence = opening.group(1)
            out.append(line)
            continue
        stripped = line.rstrip()
        if not stripped:
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(stripped + "  " if line.endswith("  ") else stripped)
    for i, line in enumerate(out):  # a hard break at the end of a block breaks nothing
        if line.endswith("  ") and (i + 1 == len(out) or not out[i + 1].strip()):
            out[i] = line.rstrip()
    text = "\n".join(out).strip("\n")
    return text + "\n" if text else ""
