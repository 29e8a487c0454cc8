"""Read a WordPress eXtended RSS (WXR) export as a stream of model records.

The file is parsed with lxml's iterparse and every item is cleared once read, so memory
stays flat however large the export is. The bytes pass through `CleanReader` first, which
refuses DTDs (no entity expansion, no external entities) and repairs what WordPress exports
are known to contain: control characters and stray non-UTF-8 bytes.
"""

from __future__ import annotations

import codecs
import gzip
import mimetypes
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from lxml import etree

from wpcpd.errors import SourceError
from wpcpd.model import (
    Author,
    Comment,
    Media,
    Meta,
    Post,
    Record,
    Site,
    Term,
    TermRef,
    parse_wp_date,
    parse_wp_date_gmt,
    site_key,
)

KNOWN_VERSIONS = ("1.0", "1.1", "1.2")
WP_NAMESPACE = re.compile(r"^http://wordpress\.org/export/(\d+\.\d+)/$")
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
CHUNK = 1 << 20
HEAD = 64 * 1024

COMMENT_STATUS = {"1": "approved", "0": "hold", "spam": "spam", "trash": "trash"}
COMMENT_TEXT_FIELDS = {
    "comment_author": "author_name",
    "comment_author_email": "author_email",
    "comment_author_url": "author_url",
    "comment_author_IP": "author_ip",
    "comment_content": "content",
    "comment_approved": "approved",
}
TAXONOMY_ALIASES = {"tag": "post_tag", "": "category"}


@dataclass
class WxrReport:
    """What reading one file found besides records: the version and what was repaired."""

    version: str = ""
    repaired: int = 0
    warnings: list[str] | None = None

    def warn(self, message: str) -> None:
        self.warnings = [*(self.warnings or []), message]


# -- bytes ----------------------------------------------------------------------------


class CleanReader:
    """A file-like object giving lxml clean UTF-8, counting every repair it makes.

    Works on bytes where it can: control characters are single bytes in UTF-8, and a
    strict decode only to validate is far cheaper than decoding and re-encoding.
    """

    _CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
    _NONCHARACTERS = re.compile(rb"\xef\xbf[\xbe\xbf]")
    _UNDECODABLE = re.compile("[\udc80-\udcff]+")

    def __init__(self, raw: IO[bytes], name: str, report: WxrReport) -> None:
        self.raw = raw
        self.name = name
        self.report = report
        self.head_done = False
        self.encoding = "utf-8"
        self.decoder: codecs.IncrementalDecoder | None = None
        self.carry = b""
        self.lines = 1
        self.at_end = False

    def read(self, size: int = CHUNK) -> bytes:
        data = self._raw_read(HEAD if not self.head_done else CHUNK)
        if not self.head_done:
            if not data:
                raise SourceError(f"{self.name}: the file is empty")
            data = self._check_head(data)
        self.at_end = not data
        data = self._as_utf8(data)
        cleaned = data.translate(None, self._CONTROL_BYTES)
        if b"\xef\xbf" in cleaned:
            cleaned = self._NONCHARACTERS.sub(b"", cleaned)
        self.report.repaired += len(data) - len(cleaned)
        self.lines += cleaned.count(b"\n")
        return cleaned

    def _as_utf8(self, data: bytes) -> bytes:
        if self.encoding != "utf-8":
            if self.decoder is None:
                self.decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
            return self.decoder.decode(data, final=not data).encode("utf-8")
        data, self.carry = _split_incomplete(self.carry + data, final=not data)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", "surrogateescape")
            data = self._UNDECODABLE.sub(self._as_cp1252, text).encode("utf-8")
        return data

    def _as_cp1252(self, match: re.Match[str]) -> str:
        """Read bytes that are not UTF-8 as Windows-1252, the usual source of such bytes."""
        raw = match.group().encode("utf-8", "surrogateescape")
        self.report.repaired += len(raw)
        return raw.decode("cp1252", "replace")

    def _raw_read(self, size: int) -> bytes:
        try:
            return self.raw.read(size)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise SourceError(f"{self.name}: the compressed file is damaged ({exc})") from exc

    def _check_head(self, data: bytes) -> bytes:
        """Refuse DTDs and honour a declared non-UTF-8 encoding, before lxml sees a byte."""
        self.head_done = True
        head = data.lstrip(b"\xef\xbb\xbf")
        prolog = head.split(b"<rss", 1)[0] if b"<rss" in head else head
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
            raise SourceError(
                f"{self.name}: refusing a file with a DTD or entity declarations "
                "(WordPress never writes one; it is how entity-expansion attacks work)"
            )
        declared = re.match(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", head)
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            try:
                self.encoding = codecs.lookup(declared.group(1).decode("ascii")).name
            except LookupError as exc:
                raise SourceError(
                    f"{self.name}: unknown character encoding {declared.group(1).decode()!r}"
                ) from exc
            head = head.replace(declared.group(1), b"UTF-8", 1)
        return head


def _split_incomplete(data: bytes, final: bool) -> tuple[bytes, bytes]:
    """Hold back a UTF-8 sequence cut by the chunk boundary, to join it to the next chunk."""
    if final:
        return data, b""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # the lead byte of the last sequence
            length = 1 if byte < 0x80 else 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return (data[:-back], data[-back:]) if length > back else (data, b"")
    return data, b""


def open_export(path: Path) -> IO[bytes]:
    """Open a plain or gzip-compressed export, by its content rather than its name."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise SourceError(f"{path}: cannot open ({exc.strerror or exc})") from exc
    if handle.read(2) == b"\x1f\x8b":
        handle.seek(0)
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    handle.seek(0)
    return handle


# -- elements ------------------------------------------------------------------------


class _Names:
    """Qualified tag names for one WXR version's namespace."""

    def __init__(self, wp: str) -> None:
        self.wp = wp
        self.excerpt = wp + "excerpt/"

        self._names: dict[str, str] = {}

    def __call__(self, local: str) -> str:
        name = self._names.get(local)
        if name is None:
            name = self._names[local] = f"{{{self.wp}}}{local}"
        return name


def _text(element: Any, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "") if found is not None else ""


def _fields(element: Any) -> dict[str, str]:
    """Each child's text by tag, read in one pass: far cheaper than a find() per field."""
    return {child.tag: child.text or "" for child in element}


def _int(text: str, default: int = 0) -> int:
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        return default


def _meta_rows(element: Any, wrapper: str, wp: _Names) -> list[Meta]:
    key, value = wp("meta_key"), wp("meta_value")
    rows = []
    for row in element.iterfind(wrapper):
        f = _fields(row)
        rows.append((f.get(key, ""), f.get(value, "")))
    return rows


class WxrParser:
    """Turns the elements of one export into records, remembering what it has yielded."""

    def __init__(self, wp: _Names, report: WxrReport) -> None:
        self.wp = wp
        self.report = report
        self.authors_seen: set[str] = set()
        self.header_pending = True
        self.terms_seen: set[tuple[str, str]] = set()
        self.comment_tags = {wp(local): field for local, field in COMMENT_TEXT_FIELDS.items()}
        self.comment_tag = SimpleNamespace(
            id=wp("comment_id"), parent=wp("comment_parent"), user_id=wp("comment_user_id"),
            date=wp("comment_date"), date_gmt=wp("comment_date_gmt"), type=wp("comment_type"),
            meta=wp("commentmeta"),
        )  # fmt: skip

    def site(self, channel: Any) -> Site:
        wp = self.wp
        link = _text(channel, "link")
        base = _text(channel, wp("base_blog_url")) or link
        if not base:
            raise SourceError("the export names no blog address (no <link> or base_blog_url)")
        return Site(
            key=site_key(base),
            url=base.rstrip("/"),
            title=_text(channel, "title"),
            description=_text(channel, "description"),
            language=_text(channel, "language"),
            channel="wxr",
        )

    def channel_records(self, children: list[Any]) -> Iterator[Record]:
        wp = self.wp
        handlers: dict[str, Callable[[Any], Record]] = {
            wp("author"): self.author,
            wp("category"): self.category,
            wp("tag"): self.tag,
            wp("term"): self.term,
        }
        for child in children:
            handler = handlers.get(child.tag)
            if handler is not None:
                yield handler(child)

    def author(self, element: Any) -> Author:
        wp = self.wp
        login = _text(element, wp("author_login"))
        self.authors_seen.add(login)
        return Author(
            login=login,
            id=_int(_text(element, wp("author_id")), 0) or None,
            email=_text(element, wp("author_email")),
            display_name=_text(element, wp("author_display_name")),
            first_name=_text(element, wp("author_first_name")),
            last_name=_text(element, wp("author_last_name")),
        )

    def _term(self, taxonomy: str, slug: str, name: str, element: Any, **extra: Any) -> Term:
        self.terms_seen.add((taxonomy, slug))
        return Term(
            taxonomy=taxonomy,
            slug=slug,
            name=name,
            id=_int(_text(element, self.wp("term_id")), 0) or None,
            meta=_meta_rows(element, self.wp("termmeta"), self.wp),
            **extra,
        )

    def category(self, element: Any) -> Term:
        wp = self.wp
        return self._term(
            "category",
            _text(element, wp("category_nicename")),
            _text(element, wp("cat_name")),
            element,
            parent=_text(element, wp("category_parent")),
            description=_text(element, wp("category_description")),
        )

    def tag(self, element: Any) -> Term:
        wp = self.wp
        return self._term(
            "post_tag",
            _text(element, wp("tag_slug")),
            _text(element, wp("tag_name")),
            element,
            description=_text(element, wp("tag_description")),
        )

    def term(self, element: Any) -> Term:
        wp = self.wp
        return self._term(
            _text(element, wp("term_taxonomy")),
            _text(element, wp("term_slug")),
            _text(element, wp("term_name")),
            element,
            parent=_text(element, wp("term_parent")),
            description=_text(element, wp("term_description")),
        )

    def item(self, element: Any) -> Iterator[Record]:
        post = self.post(element)
        if post.author and post.author not in self.authors_seen:
            # WXR 1.0 has no author list: the item's dc:creator is all there is.
            self.authors_seen.add(post.author)
            yield Author(login=post.author)
        yield post
        if post.type == "attachment":
            yield self.media(element, post)
        wp = self.wp
        for comment in element.iterfind(wp("comment")):
            yield self.comment(comment, post.id)

    def post(self, element: Any) -> Post:
        wp = self.wp
        f = _fields(element)
        meta = _meta_rows(element, wp("postmeta"), wp)
        thumbnail = next((v for k, v in meta if k == "_thumbnail_id"), "")
        post_id = _int(f.get(wp("post_id"), ""), -1)
        if post_id < 0:
            raise SourceError(f"an item has no wp:post_id (title {_text(element, 'title')!r})")
        return Post(
            id=post_id,
            type=f.get(wp("post_type"), "") or "post",
            status=f.get(wp("status"), "") or "publish",
            slug=f.get(wp("post_name"), ""),
            title=f.get("title", ""),
            content=f.get(f"{{{CONTENT_NS}}}encoded", ""),
            excerpt=f.get(f"{{{wp.excerpt}}}encoded", ""),
            date=parse_wp_date(f.get(wp("post_date"), "")),
            date_gmt=parse_wp_date_gmt(f.get(wp("post_date_gmt"), "")),
            modified=parse_wp_date(f.get(wp("post_modified"), "")),
            modified_gmt=parse_wp_date_gmt(f.get(wp("post_modified_gmt"), "")),
            author=f.get(f"{{{DC_NS}}}creator", ""),
            parent=_int(f.get(wp("post_parent"), "")),
            menu_order=_int(f.get(wp("menu_order"), "")),
            comment_status=f.get(wp("comment_status"), ""),
            ping_status=f.get(wp("ping_status"), ""),
            sticky=f.get(wp("is_sticky"), "").strip() == "1",
            password_protected=bool(f.get(wp("post_password"), "")),
            guid=f.get("guid", ""),
            link=f.get("link", ""),
            mime_type=_attachment_mime(f.get(wp("attachment_url"), "")),
            featured_media=_int(thumbnail, 0) or None,
            terms=self.post_terms(element),
            meta=meta,
        )

    def post_terms(self, element: Any) -> list[TermRef]:
        refs: dict[tuple[str, str], TermRef] = {}
        for category in element.iterfind("category"):
            name = category.text or ""
            domain = category.get("domain", "")
            taxonomy = TAXONOMY_ALIASES.get(domain, domain)
            slug = category.get("nicename") or _slugify(name)
            # WXR 1.0 lists each category twice, with and without attributes.
            refs.setdefault((taxonomy, slug), TermRef(taxonomy, slug, name))
        return list(refs.values())

    def media(self, element: Any, post: Post) -> Media:
        meta = dict(post.meta)
        return Media(
            id=post.id,
            post=post.parent,
            url=_text(element, self.wp("attachment_url")) or post.guid,
            file=meta.get("_wp_attached_file", ""),
            mime_type=post.mime_type,
            alt_text=meta.get("_wp_attachment_image_alt", ""),
        )

    def comment(self, element: Any, post_id: int) -> Comment:
        f = _fields(element)
        t = self.comment_tag
        text = {field: f.get(tag, "") for tag, field in self.comment_tags.items()}
        approved = text.pop("approved").strip()
        return Comment(
            **text,
            id=_int(f.get(t.id, "")),
            post=post_id,
            parent=_int(f.get(t.parent, "")),
            user_id=_int(f.get(t.user_id, "")),
            date=parse_wp_date(f.get(t.date)),
            date_gmt=parse_wp_date_gmt(f.get(t.date_gmt)),
            status=COMMENT_STATUS.get(approved, "trash" if "trash" in approved else approved),
            type=f.get(t.type) or "comment",
            # Most comments have no meta: look for it only when a child said so.
            meta=_meta_rows(element, t.meta, self.wp) if t.meta in f else [],
        )


def _attachment_mime(url: str) -> str:
    return (mimetypes.guess_type(url)[0] or "") if url else ""


def _slugify(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name.lower(), flags=re.UNICODE).strip("-")


# -- the stream ----------------------------------------------------------------------


def read_wxr(
    path: Path,
    report: WxrReport | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[Record]:
    """Yield the Site, then authors, terms, posts, media and comments of one export."""
    report = report or WxrReport()
    raw = open_export(path)
    position = raw.fileobj if isinstance(raw, gzip.GzipFile) else raw  # type: ignore[attr-defined]
    reader = CleanReader(raw, str(path), report)
    try:
        events = etree.iterparse(
            reader,
            events=("start-ns", "end"),
            tag=("item", "channel"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
        )
        yield from _walk(events, path, report, lambda: on_progress and on_progress(position.tell()))
    except etree.XMLSyntaxError as exc:
        raise SourceError(_syntax_message(path, exc, reader)) from exc
    finally:
        raw.close()


def _walk(events: Any, path: Path, report: WxrReport, tick: Callable[[], Any]) -> Iterator[Record]:
    parser: WxrParser | None = None
    namespaces: list[str] = []
    for event, element in events:
        if event == "start-ns":
            namespaces.append(element[1])
            continue
        channel = element if element.tag == "channel" else element.getparent()
        if parser is None:
            parser = _start(element, namespaces, path, report)
            yield parser.site(channel)
        if element.tag == "channel" or parser.header_pending:
            # Authors and terms come before the first item; anything after the last item
            # is read when the channel closes.
            parser.header_pending = False
            header = [child for child in channel if child.tag != "item"]
            yield from parser.channel_records(header)
            for child in header:
                channel.remove(child)
        if element.tag == "item":
            yield from parser.item(element)
            element.clear()
            channel.remove(element)
            tick()
    if parser is None:
        raise SourceError(f"{path}: not a WordPress export (no <channel> with <item>s found)")


def _start(element: Any, namespaces: list[str], path: Path, report: WxrReport) -> WxrParser:
    root = element.getroottree().getroot()
    if root.tag != "rss":
        raise SourceError(f"{path}: not a WordPress export (root element is <{root.tag}>)")
    versions = [m.group(1) for m in map(WP_NAMESPACE.match, namespaces) if m]
    if not versions:
        raise SourceError(f"{path}: not a WordPress export (RSS without the wp: namespace)")
    report.version = versions[0]
    if report.version not in KNOWN_VERSIONS:
        report.warn(
            f"WXR version {report.version} is newer than this wpcpd knows "
            f"({', '.join(KNOWN_VERSIONS)}); reading it as {KNOWN_VERSIONS[-1]}"
        )
    return WxrParser(_Names(f"http://wordpress.org/export/{report.version}/"), report)


def _syntax_message(path: Path, exc: etree.XMLSyntaxError, reader: CleanReader) -> str:
    line = exc.position[0] if exc.position else exc.lineno
    message = exc.msg or str(exc)
    if reader.at_end and line >= reader.lines and "mismatch" not in message:
        return f"{path}: line {line}: the file ends too early (truncated export?): {message}"
    return f"{path}: line {line}: not well-formed XML: {message}"
