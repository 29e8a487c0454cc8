"""Read a WordPress eXtended RSS (WXR) export as a stream of model records.

The file is parsed with lxml's iterparse and every item is cleared once read, so memory
stays flat however large the export is. The bytes pass through `CleanReader` first, which
refuses DTDs (no entity expansion, no external entities) and repairs what WordPress exports
are known to contain: control characters and stray non-UTF-8 bytes.

What the reader accepts follows the WordPress Importer plugin's parsers (`WXR_Parser_*`):
http and https namespaces, a blog address from wherever the file gives one, a required
`wp:wxr_version`, logins as `sanitize_user` leaves them, category slugs as `sanitize_title`
makes them, and the files old WordPress wrote with a raw `]]>` inside CDATA, which are not
well-formed XML: those are read again by the same parser over bytes `CdataRepair` mends.
Items whose `wp:post_id` is missing or repeats an earlier one keep their own records under
ids assigned from `ASSIGNED_ID_BASE` upwards, in file order, so a re-pull gives the same ids.
"""

from __future__ import annotations

import codecs
import gzip
import mimetypes
import re
import unicodedata
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import islice, takewhile
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any
from urllib.parse import urlsplit

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
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/(\d+\.\d+)/$")
EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
VERSION_NUMBER = re.compile(r"^\d+\.\d+$")
ASSIGNED_ID_BASE = 10**12
"""Ids wpcpd gives items (and comments) whose own id is missing or already used in the file:
1000000000001 onwards, far above any id WordPress hands out, in the order of the file."""
ORIGINAL_POST_ID_META = "_wpcpd_original_post_id"
ORIGINAL_COMMENT_ID_META = "_wpcpd_original_comment_id"
ADDRESS_SEARCH_LIMIT = 1000
"""Items read, at most, looking for a link or guid when the channel names no address."""
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
CHUNK = 1 << 20
HEAD = 64 * 1024

COMMENT_STATUS = {"1": "approved", "0": "hold", "spam": "spam", "trash": "trash",
                  "": "approved"}  # fmt: skip
"""`wp:comment_approved` to the archive's status. Missing or empty, a comment is stored by
wp_insert_comment() with its default, 1 (approved); 'post-trashed' and other values naming
trash are trash; any other value, which WordPress would list under no status, is hold."""
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
    posts_without_id: int = 0
    """Items without a usable wp:post_id, kept under assigned ids."""
    posts_repeating_id: int = 0
    """Items whose wp:post_id an earlier item had, kept under assigned ids."""
    comments_reassigned: int = 0
    """Comments whose wp:comment_id was missing or already used, kept under assigned ids."""
    categories_ignored: int = 0
    """<category> elements without a nicename in a WXR 1.1+ file (not terms, as for WordPress)."""
    cdata_repaired: int = 0
    """Raw ']]>' found inside CDATA sections by the tolerant reader (0: it was not needed)."""
    tolerant: bool = False
    """Whether the file was read by the tolerant reader (not well-formed XML)."""

    def warn(self, message: str) -> None:
        self.warnings = [*(self.warnings or []), message]

    def assigned_ids(self) -> dict[str, int]:
        """How many records were given ids of wpcpd's own, by kind."""
        return {"posts": self.posts_without_id + self.posts_repeating_id,
                "comments": self.comments_reassigned}  # fmt: skip

    def _restart(self) -> None:
        """Forget one reading of the file, before reading it again from the start."""
        self.__dict__.update(WxrReport().__dict__)


# -- bytes ----------------------------------------------------------------------------


class CleanReader:
    """A file-like object giving lxml clean UTF-8, counting every repair it makes.

    Works on bytes where it can: control characters are single bytes in UTF-8, and a
    strict decode only to validate is far cheaper than decoding and re-encoding.
    """

    _CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
    _NONCHARACTERS = re.compile(rb"\xef\xbf[\xbe\xbf]")
    _UNDECODABLE = re.compile("[\udc80-\udcff]+")
    # A ']]>' that neither closes an element nor opens the next section of a split value:
    # the sign of a raw ']]>' old WordPress left inside CDATA. Only looked for, cheaply,
    # until found; it decides whether a file that is not well-formed is read again.
    _RAW_CDATA_END = re.compile(rb"\]\]>(?!</)(?![ \t\r\n]*(?:</|<!\[CDATA\[))")
    _LOOKAHEAD = 64

    def __init__(
        self, raw: IO[bytes], name: str, report: WxrReport, repair: CdataRepair | None = None
    ) -> None:
        self.raw = raw
        self.name = name
        self.report = report
        self.head_done = False
        self.encoding = "utf-8"
        self.decoder: codecs.IncrementalDecoder | None = None
        self.carry = b""
        self.lines = 1
        self.at_end = False
        self.repair = repair
        self.raw_cdata_end = False
        self._tail = b""

    def read(self, size: int = CHUNK) -> bytes:
        while True:
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
            if self.repair is not None:
                cleaned = self.repair.feed(cleaned, final=self.at_end)
            elif not self.raw_cdata_end:
                self._look_for_raw_cdata_end(cleaned)
            if cleaned or self.at_end:  # an empty read would tell lxml the file has ended
                self.lines += cleaned.count(b"\n")
                return cleaned

    def _look_for_raw_cdata_end(self, data: bytes) -> None:
        text = self._tail + data
        found = self._RAW_CDATA_END.search(text)
        # Near the end of a read the lookahead cannot see far enough: check those next time.
        limit = len(text) if self.at_end else len(text) - self._LOOKAHEAD
        if found and found.start() < limit:
            self.raw_cdata_end = True
        self._tail = text[max(limit, 0) :]

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


class CdataRepair:
    """Escapes a raw ']]>' inside CDATA the way WordPress does now (']]]]><![CDATA[>'), so
    that the files old WordPress versions wrote become the XML they meant to be.

    As in the importer's fallback parser, a CDATA section ends at the ']]>' followed by the
    end tag of the element it is in (or by the next section of a split value); any other
    ']]>' inside it is content. Works on the byte stream, holding back only the few bytes a
    decision needs; it adds no line breaks, so lines keep their numbers.
    """

    OPEN = b"<![CDATA["
    END = b"]]>"
    ESCAPED_END = b"]]]]><![CDATA[>"
    _START_TAG = re.compile(rb"<([^\s/>!?<]+)(?:[^<>]*[^/<>])?>\s*$")
    _END_TAG = re.compile(rb"\s*</([^\s/>!?<]+)")
    _SPACE = b" \t\r\n"

    def __init__(self) -> None:
        self.inside = False
        self.element: bytes | None = None
        """The element the current section is in, when the markup before it said."""
        self.markup = b""
        """The last bytes outside CDATA since the previous section, to find that element."""
        self.pending = b""
        self.fixes = 0
        self.first_line = 0
        """The line of the first raw ']]>' mended."""
        self.lines_done = 0
        self.doubt: tuple[int, str, str] | None = None
        """In the current section, the first ']]>' taken for content though an end tag
        followed: (line, element, that tag). If the section never ends, that was the end."""
        self.unclosed: tuple[int, str, str] | None = None
        self._comment = -1

    def feed(self, data: bytes, final: bool) -> bytes:
        buf = self.pending + data
        out: list[bytes] = []
        pos, end = 0, len(buf)
        self._comment = buf.find(b"<!--")  # where the next comment starts, -1 for none
        while pos < end:
            if not self.inside:
                pos = self._outside(buf, pos, out, final)
                if not self.inside:
                    break
            else:
                close = buf.find(self.END, pos)
                if close < 0:
                    keep = 0 if final else min(len(self.END) - 1, end - pos)
                    out.append(buf[pos : end - keep])
                    pos = end - keep
                    break
                verdict = self._closes(buf, close + len(self.END), final)
                if verdict is None:  # the bytes that decide have not arrived yet
                    out.append(buf[pos:close])
                    pos = close
                    break
                out.append(buf[pos:close])
                if verdict:
                    out.append(self.END)
                    self.inside, self.doubt = False, None
                else:
                    out.append(self.ESCAPED_END)
                    self._mended(buf, close)
                pos = close + len(self.END)
        self.lines_done += buf.count(b"\n", 0, pos)
        self.pending = buf[pos:]
        if final:
            out.append(self.pending)
            self.pending = b""
            if self.inside:
                self.unclosed = self.doubt
        return b"".join(out)

    def _mended(self, buf: bytes, close: int) -> None:
        self.fixes += 1
        line = 0
        if not self.first_line:
            line = self.first_line = 1 + self.lines_done + buf.count(b"\n", 0, close)
        if self.doubt is None:
            tag = self._END_TAG.match(buf, close + len(self.END))
            if tag:
                line = line or 1 + self.lines_done + buf.count(b"\n", 0, close)
                name = (self.element or b"").decode("utf-8", "replace")
                self.doubt = (line, name, tag.group(1).decode("utf-8", "replace"))

    def _outside(self, buf: bytes, pos: int, out: list[bytes], final: bool) -> int:
        """Copy markup up to the next CDATA section (comments skipped whole); return where
        reading stopped. Sets `inside` when a section opened."""
        while True:
            start = buf.find(self.OPEN, pos)
            if 0 <= self._comment < pos:
                self._comment = buf.find(b"<!--", pos)
            comment = self._comment
            if comment >= 0 and (start < 0 or comment < start):
                self._remember(buf[pos:comment])
                close = buf.find(b"-->", comment + 4)
                if close < 0:
                    stop = len(buf) if final else comment
                    out.append(buf[pos:stop])
                    return stop
                out.append(buf[pos : close + 3])
                pos = close + 3
                continue
            if start < 0:
                stop = len(buf) if final else max(pos, len(buf) - len(self.OPEN) + 1)
                self._remember(buf[pos:stop])
                out.append(buf[pos:stop])
                return stop
            self._remember(buf[pos:start])
            if self.markup.strip(self._SPACE):
                tag = self._START_TAG.match(self.markup, max(self.markup.rfind(b"<"), 0))
                self.element = tag.group(1) if tag else None
            # else: the next section of a split value, in the same element
            out.append(buf[pos : start + len(self.OPEN)])
            self.inside, self.markup = True, b""
            return start + len(self.OPEN)

    def _remember(self, markup: bytes) -> None:
        self.markup = (self.markup + markup)[-1024:]

    def _closes(self, buf: bytes, after: int, final: bool) -> bool | None:
        """Whether the ']]>' ending at `after` ends its section; None: cannot tell yet."""
        i = after
        while i < len(buf) and buf[i] in self._SPACE:
            i += 1
        if i - after > 1024:
            return False
        closing = b"</" + self.element if self.element else b"</"
        for follower in (closing, self.OPEN):
            if buf.startswith(follower, i):
                if follower is self.OPEN or not self.element:
                    return True
                if i + len(follower) >= len(buf):
                    return True if final else None
                return buf[i + len(follower)] in b">" + self._SPACE
            if not final and len(buf) - i < len(follower) and follower.startswith(buf[i:]):
                return None
        return False


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

    def __init__(self, wp: str, excerpt: str | None = None) -> None:
        self.wp = wp
        self.excerpt = excerpt or wp + "excerpt/"

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

    def __init__(self, wp: _Names, report: WxrReport, version: str = "1.2") -> None:
        self.wp = wp
        self.report = report
        self.authors_seen: set[str] = set()
        self.header_pending = True
        self.terms_seen: set[tuple[str, str]] = set()
        self.legacy = _version_tuple(version) < (1, 1)
        """WXR 1.0: an item's <category> without nicename is a term, its slug from its name."""
        self.slugs_by_name: dict[tuple[str, str], str] = {}
        self.post_ids = _IdSet()
        self.comment_ids = _IdSet()
        self.comment_tags = {wp(local): field for local, field in COMMENT_TEXT_FIELDS.items()}
        self.comment_tag = SimpleNamespace(
            id=wp("comment_id"), parent=wp("comment_parent"), user_id=wp("comment_user_id"),
            date=wp("comment_date"), date_gmt=wp("comment_date_gmt"), type=wp("comment_type"),
            meta=wp("commentmeta"),
        )  # fmt: skip

    def channel_address(self, head: dict[str, str]) -> str:
        """The blog's address as the channel gives it, if it does: wp:base_blog_url, else
        <link>, else wp:base_site_url (the importer's own fallback)."""
        for tag in (self.wp("base_blog_url"), "link", self.wp("base_site_url")):
            address = head.get(tag, "").strip()
            if address:
                return address
        return ""

    def site(self, head: dict[str, str], address: str) -> Site:
        """The Site the channel's head describes (`head`: its first children's text by tag)."""
        return Site(
            key=site_key(address) if address else "",
            url=address.rstrip("/"),
            title=head.get("title", ""),
            description=head.get("description", ""),
            language=head.get("language", ""),
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
        login = sanitize_user(_text(element, wp("author_login")))
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
        if self.legacy:
            self.slugs_by_name.setdefault((taxonomy, name), slug)
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
        yield from self.comments(element, post.id)

    def post(self, element: Any) -> Post:
        wp = self.wp
        f = _fields(element)
        meta = _meta_rows(element, wp("postmeta"), wp) if wp("postmeta") in f else []
        thumbnail = next((v for k, v in meta if k == "_thumbnail_id"), "")
        said = f.get(wp("post_id"))
        post_id, kept = self.post_ids.claim(_int(said or "", 0))
        if not kept:
            # No id, or one an earlier item has: a post of its own, under an assigned id.
            if _int(said or "", 0) > 0:
                self.report.posts_repeating_id += 1
            else:
                self.report.posts_without_id += 1
            meta.append((ORIGINAL_POST_ID_META, (said or "").strip()))
        post_type = f.get(wp("post_type"), "") or "post"
        return Post(
            id=post_id,
            type=post_type,
            status=f.get(wp("status"), "").strip() or _default_status(post_type),
            slug=f.get(wp("post_name"), ""),
            title=f.get("title", ""),
            content=f.get(f"{{{CONTENT_NS}}}encoded", ""),
            excerpt=f.get(f"{{{wp.excerpt}}}encoded", ""),
            date=parse_wp_date(f.get(wp("post_date"), "")),
            date_gmt=parse_wp_date_gmt(f.get(wp("post_date_gmt"), "")),
            modified=parse_wp_date(f.get(wp("post_modified"), "")),
            modified_gmt=parse_wp_date_gmt(f.get(wp("post_modified_gmt"), "")),
            author=self.login(f.get(f"{{{DC_NS}}}creator", "")),
            parent=_int(f.get(wp("post_parent"), "")),
            menu_order=_int(f.get(wp("menu_order"), "")),
            comment_status=f.get(wp("comment_status"), ""),
            ping_status=f.get(wp("ping_status"), ""),
            sticky=f.get(wp("is_sticky"), "").strip() == "1",
            password_protected=bool(f.get(wp("post_password"), "")),
            password=f.get(wp("post_password"), ""),
            guid=f.get("guid", ""),
            link=f.get("link", ""),
            mime_type=_attachment_mime(f.get(wp("attachment_url"), "")),
            featured_media=_int(thumbnail, 0) or None,
            terms=self.post_terms(element),
            meta=meta,
        )

    def login(self, creator: str) -> str:
        """An item's dc:creator as the login it names (the usual one costs a set lookup)."""
        return creator if creator in self.authors_seen else sanitize_user(creator)

    def post_terms(self, element: Any) -> list[TermRef]:
        refs: dict[tuple[str, str], TermRef] = {}
        for category in element.iterfind("category"):
            name = category.text or ""
            domain = category.get("domain", "")
            taxonomy = TAXONOMY_ALIASES.get(domain, domain)
            slug = category.get("nicename")
            if slug is None and not self.legacy:
                # Since WXR 1.1 a term always carries its slug: the importer ignores these.
                self.report.categories_ignored += 1
                continue
            if not slug:
                # WXR 1.0 lists each category twice, with and without attributes: the slug
                # is the one the channel's list gives that name, else WordPress's rule.
                slug = self.slugs_by_name.get((taxonomy, name)) or sanitize_title(name)
                if not slug:
                    continue
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

    def comments(self, element: Any, post_id: int) -> list[Comment]:
        """The item's comments. One whose id is missing or already used in the file gets an
        assigned id (its replies in the same item follow it), as posts do."""
        comments = [self.comment(child, post_id) for child in element.iterfind(self.wp("comment"))]
        ids = self.comment_ids
        moved: dict[int, int] = {}
        for comment in comments:
            said = comment.id
            if said > 0 and ids.add(said):
                continue
            comment.id, _ = ids.claim(0)
            self.report.comments_reassigned += 1
            assert comment.meta is not None
            comment.meta.append((ORIGINAL_COMMENT_ID_META, str(said) if said > 0 else ""))
            if said > 0:
                moved.setdefault(said, comment.id)
        if moved:
            for comment in comments:
                comment.parent = moved.get(comment.parent, comment.parent)
        return comments

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
            status=COMMENT_STATUS.get(approved) or ("trash" if "trash" in approved else "hold"),
            type=f.get(t.type) or "comment",
            # Most comments have no meta: look for it only when a child said so.
            meta=_meta_rows(element, t.meta, self.wp) if t.meta in f else [],
        )


def _attachment_mime(url: str) -> str:
    return (mimetypes.guess_type(url)[0] or "") if url else ""


def _default_status(post_type: str) -> str:
    """What wp_insert_post() stores for an item without wp:status."""
    return "inherit" if post_type == "attachment" else "draft"


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")) if VERSION_NUMBER.match(version) else ()


class _IdSet:
    """The ids one file has used, and new ones for records whose own id is missing or
    taken, in little memory: a bitmap for the low ids WordPress gives (a bit each), an
    array for higher ones arriving in rising order (8 bytes each), a set for the rest. Ids
    handed out are BASE + 1, + 2, ...: everything up to `next` above BASE is taken."""

    DENSE = 1 << 22

    def __init__(self) -> None:
        self.bits = bytearray()
        self.rising = array("q")
        self.others: set[int] = set()
        self.next = ASSIGNED_ID_BASE

    def add(self, value: int) -> bool:
        """Record an id the file gives; False if it was already taken."""
        if ASSIGNED_ID_BASE < value <= self.next:
            return False
        if 0 <= value < self.DENSE:
            byte, bit = value >> 3, 1 << (value & 7)
            if byte >= len(self.bits):
                self.bits.extend(bytes(max(byte + 1, 2 * len(self.bits)) - len(self.bits)))
            if self.bits[byte] & bit:
                return False
            self.bits[byte] |= bit
            return True
        rising = self.rising
        if value < 1 << 63 and (not rising or value > rising[-1]):
            rising.append(value)
            return True
        if self._has(value):
            return False
        self.others.add(value)
        return True

    def _has(self, value: int) -> bool:
        if 0 <= value < self.DENSE:
            byte = value >> 3
            return byte < len(self.bits) and bool(self.bits[byte] & (1 << (value & 7)))
        at = bisect_left(self.rising, value)
        return (at < len(self.rising) and self.rising[at] == value) or value in self.others

    def claim(self, value: int) -> tuple[int, bool]:
        """`value` if it is a usable id not taken before (True), else a new id (False)."""
        if value > 0 and self.add(value):
            return value, True
        while True:
            self.next += 1
            if not self._has(self.next):
                return self.next, False


# -- WordPress's own text rules (wp-includes/formatting.php, WordPress 6.1) --------------

_TAGS = re.compile(r"<!--.*?-->|<[^\s<>][^<>]*>", re.S)
_SCRIPTS = re.compile(r"<(script|style)[^>]*?>.*?</\1>", re.S | re.I)
_OCTET = re.compile(r"%[a-fA-F0-9]{2}")
_ENTITY = re.compile(r"&.+?;")
_NOT_LOGIN = re.compile(r"[^a-z0-9 _.\-@]", re.I)
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_ACCENT_SPECIALS = {
    "ª": "a", "º": "o", "Æ": "AE", "Ð": "D", "Þ": "TH", "ß": "s", "æ": "ae", "ð": "d",
    "ø": "o", "þ": "th", "Ø": "O", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "\u0131": "i",
    "Ĳ": "IJ", "ĳ": "ij", "ĸ": "k", "Ŀ": "L", "ŀ": "l", "Ł": "L", "ł": "l", "ŉ": "n",
    "Ŋ": "N", "ŋ": "n", "Œ": "OE", "œ": "oe", "Ŧ": "T", "ŧ": "t", "\u017f": "s", "€": "E",
    "£": "", "\u0251": "a",
}  # fmt: skip
# remove_accents() (en_US) maps these ranges' letters with diacritics to their bare letter.
_ACCENTED_RANGES = ((0xC0, 0x1DD), (0x218, 0x21C), (0x1EA0, 0x1EFA))
_TITLE_DASHES = ("%c2%a0", "%e2%80%93", "%e2%80%94", "&nbsp;", "&#160;", "&ndash;",
                 "&#8211;", "&mdash;", "&#8212;", "/", "%e2%80%80", "%e2%80%81",
                 "%e2%80%82", "%e2%80%83", "%e2%80%84", "%e2%80%85", "%e2%80%86",
                 "%e2%80%87", "%e2%80%88", "%e2%80%89", "%e2%80%8a", "%e2%80%a8",
                 "%e2%80%a9", "%e2%80%af")  # fmt: skip
_TITLE_DROPPED = re.compile(
    "%c2%ad|%c2%a1|%c2%bf|%c2%ab|%c2%bb|%e2%80%b9|%e2%80%ba|%e2%80%98|%e2%80%99|%e2%80%9c"
    "|%e2%80%9d|%e2%80%9a|%e2%80%9b|%e2%80%9e|%e2%80%9f|%e2%80%a2|%c2%a9|%c2%ae|%c2%b0"
    "|%e2%80%a6|%e2%84%a2|%c2%b4|%cb%8a|%cc%81|%cd%81|%cc%80|%cc%84|%cc%8c|%e2%80%8b"
    "|%e2%80%8c|%e2%80%8d|%e2%80%8e|%e2%80%8f|%e2%80%aa|%e2%80%ab|%e2%80%ac|%e2%80%ad"
    "|%e2%80%ae|%ef%bb%bf|%ef%bf%bc"
)
_NOT_SLUG = re.compile(r"[^%a-z0-9 _-]")


def _accent_table() -> dict[int, str]:
    table = {}
    for low, high in _ACCENTED_RANGES:
        for code in range(low, high):
            parts = unicodedata.normalize("NFD", chr(code))
            if len(parts) > 1 and parts[0].isascii() and all(map(unicodedata.combining, parts[1:])):
                table[code] = parts[0]
    table.update({ord(char): bare for char, bare in _ACCENT_SPECIALS.items()})
    return table


_ACCENTS = _accent_table()


def remove_accents(text: str) -> str:
    """WordPress's remove_accents() for the default locale: 'Café' becomes 'Cafe'."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text).translate(_ACCENTS)


def strip_tags(text: str) -> str:
    """Markup removed, as PHP's strip_tags() does (an unclosed '<' is left to later rules)."""
    return _TAGS.sub("", text) if "<" in text else text


def sanitize_user(login: str) -> str:
    """A login as WordPress's sanitize_user($login, true) leaves it, which is what
    wp_insert_user() stores and the importer matches posts' dc:creator by: no markup, no
    accents, no characters but letters, digits, space and _.-@, no surrounding space.

    Where WordPress would be left with nothing, and give the posts to whoever imports them,
    the login is kept rather than lost: '<jo>' is jo, a name in another script is trimmed.
    """
    text = strip_tags(_SCRIPTS.sub("", login) if "<" in login else login).strip()
    if text.isascii() and text.isidentifier():  # the usual login: nothing to change
        return text
    if not text:
        text = login.replace("<", "").replace(">", "").strip()
    text = _ENTITY.sub("", _OCTET.sub("", remove_accents(text)))
    strict = _SPACES.sub(" ", _NOT_LOGIN.sub("", text).strip())
    return strict or _SPACES.sub(" ", text.replace("<", "").replace(">", "")).strip()


def sanitize_title(title: str) -> str:
    """A slug as WordPress's sanitize_title() makes it when saving: 'Café au lait' becomes
    'cafe-au-lait'; letters without an ASCII form are percent-encoded (at most 200 bytes)."""
    title = strip_tags(remove_accents(title))
    title = re.sub(r"%([a-fA-F0-9]{2})", r"---\1---", title).replace("%", "")
    title = re.sub(r"---([a-fA-F0-9]{2})---", r"%\1", title)
    title = _utf8_uri_encode(title.lower(), 200).lower()
    for dash in _TITLE_DASHES:
        title = title.replace(dash, "-")
    title = _TITLE_DROPPED.sub("", title).replace("%c3%97", "x")
    title = _ENTITY.sub("", title).replace(".", "-")
    title = _NOT_SLUG.sub("", title)
    title = re.sub(r"-+", "-", _SPACES.sub("-", title))
    return title.strip("-")


def _utf8_uri_encode(text: str, length: int) -> str:
    if text.isascii():
        return text[:length]
    out, used = [], 0
    for char in text:
        encoded = char if char.isascii() else "".join(f"%{b:x}" for b in char.encode("utf-8"))
        if used + len(encoded) > length:
            break
        out.append(encoded)
        used += len(encoded)
    return "".join(out)


# -- the stream ----------------------------------------------------------------------


def read_wxr(
    path: Path,
    report: WxrReport | None = None,
    on_progress: Callable[[int], None] | None = None,
    site: str | None = None,
) -> Iterator[Record]:
    """Yield the Site, then authors, terms, posts, media and comments of one export.

    `site` (a key or an address) files the export under that site instead of the address
    it names. A file that is not well-formed only because old WordPress left a raw ']]>'
    inside CDATA is read again from the start through `CdataRepair` (the tolerant reader),
    the records already given are not given again, and `report` says so; any other
    malformed file is refused with its line.
    """
    report = report if report is not None else WxrReport()
    given = 0
    try:
        for record in _read(path, report, on_progress, site, None):
            given += 1
            yield record
        return
    except _RawCdataEnd:
        pass
    report._restart()
    repair = CdataRepair()
    try:
        # The same bytes up to the first raw ']]>' give the same records: skip those.
        yield from islice(_read(path, report, on_progress, site, repair), given, None)
    except SourceError as exc:
        if repair.unclosed is None:
            raise
        line, element, tag = repair.unclosed
        if SequenceMatcher(None, element, tag).ratio() < 0.75:  # content, then truncation
            raise
        # The tolerant reader read on to the end inside a section: what it took for content
        # was the element's end tag, misspelt. That is the error to name.
        raise SourceError(
            f"{path}: line {line}: not well-formed XML: <{element}> ends with </{tag}>"
        ) from exc
    report.tolerant, report.cdata_repaired = True, repair.fixes
    report.warn(
        f"{path}: not well-formed XML: old WordPress left {repair.fixes} raw ']]>' inside "
        f"CDATA (the first on line {repair.first_line}); read with the tolerant reader, "
        "which keeps them as text"
    )


class _RawCdataEnd(SourceError):
    """Not well-formed, with a raw ']]>' seen before the error: worth reading tolerantly."""


def _read(
    path: Path,
    report: WxrReport,
    on_progress: Callable[[int], None] | None,
    site: str | None,
    repair: CdataRepair | None,
) -> Iterator[Record]:
    """One reading of the file, strict (repair None) or through the tolerant reader."""
    raw = open_export(path)
    position = raw.fileobj if isinstance(raw, gzip.GzipFile) else raw  # type: ignore[attr-defined]
    reader = CleanReader(raw, str(path), report, repair)
    walk = _Walk(path, report, site, lambda: on_progress and on_progress(position.tell()))
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
        try:
            yield from walk.run(events)
            only_uris = False
        except etree.XMLSyntaxError as exc:
            error = _first_error(events, exc)
            if error is not None:
                message = _syntax_message(path, *error, reader)
                if repair is None and reader.raw_cdata_end:
                    raise _RawCdataEnd(message) from exc
                raise SourceError(message) from exc
            only_uris = True
        if only_uris:
            # libxml2 calls a namespace name with non-ASCII letters an invalid URI, and lxml
            # says so only once the whole file is read; it names nothing wpcpd reads.
            yield from walk.finish()
        walk.end()
    finally:
        raw.close()


def _first_error(events: Any, exc: etree.XMLSyntaxError) -> tuple[int, str] | None:
    """The line and message of what made the file not well-formed; None when all lxml found
    were namespace names it does not take for URIs (the document itself is well-formed)."""
    errors = [e for e in events.error_log if e.level >= etree.ErrorLevels.ERROR]
    real = [e for e in errors if e.type != etree.ErrorTypes.WAR_NS_URI]
    if errors and not real:
        return None
    fatal = next((e for e in real if e.level == etree.ErrorLevels.FATAL), None)
    if fatal or real:
        found = fatal or real[0]
        message = (found.message.strip().splitlines() or [""])[0]
        if message.startswith("Unregistered error"):  # libxml2 has no words for some
            message = found.type_name.removeprefix("ERR_").replace("_", " ").lower()
        return found.line, message
    message = (exc.msg or str(exc)).strip().splitlines() or [""]
    return (exc.position[0] if exc.position else exc.lineno), message[0]


class _Walk:
    """Turns one reading's events into records in order: the Site first, then the channel's
    authors and terms, then each item's records as the item ends."""

    def __init__(
        self, path: Path, report: WxrReport, site: str | None, tick: Callable[[], Any]
    ) -> None:
        self.path = path
        self.report = report
        self.site_ref = site
        self.tick = tick
        self.parser: WxrParser | None = None
        self.namespaces: list[tuple[str, str]] = []
        self.channel: Any = None
        self.head: dict[str, str] = {}
        self.closed = False
        self.site: Site | None = None
        self.held: list[Record] | None = None
        """Records read before the blog's address is known (the channel names none)."""
        self.held_items = 0

    def run(self, events: Any) -> Iterator[Record]:
        for event, element in events:
            if event == "start-ns":
                self.namespaces.append(element)
                continue
            yield from self.element(element)

    def element(self, element: Any) -> Iterator[Record]:
        channel = element if element.tag == "channel" else element.getparent()
        is_item = element.tag == "item"
        if self.parser is None or not is_item or self.parser.header_pending:
            yield from self.header(element, channel)
        assert self.parser is not None
        if not is_item:
            self.closed = True
            self.end()
            return
        if self.held is None:
            yield from self.parser.item(element)
        else:
            self.held.extend(self.parser.item(element))
            yield from self.address(_item_address(element), "item")
        element.clear()
        channel.remove(element)
        self.tick()

    def header(self, element: Any, channel: Any) -> Iterator[Record]:
        """The channel's children before the first item (authors, terms), or at its end
        whatever is left. Only what comes before the item counts: lxml may have built more
        of the tree, by how much it happened to read, and every reading must give the same
        records in the same order."""
        header = [c for c in takewhile(lambda c: c is not element, channel) if c.tag != "item"]
        if self.parser is None:
            for child in header:
                self.head.setdefault(child.tag, child.text or "")
            self.parser = self.start(element, self.head)
            self.channel = channel
            yield from self.address(self.parser.channel_address(self.head), "")
        self.parser.header_pending = False
        yield from self.give(self.parser.channel_records(header))
        for child in header:
            channel.remove(child)

    def give(self, records: Iterable[Record]) -> Iterator[Record]:
        if self.held is None:
            yield from records
        else:
            self.held.extend(records)

    def address(self, address: str, found_in: str) -> Iterator[Record]:
        """Name the site once its address is known; until then, hold the records."""
        if self.site is None:
            assert self.parser is not None and self.channel is not None
            self.site = self.parser.site(self.head, "")
            self.held = []
        if self.site_ref:
            address = _site_address(self.site_ref, address)
            self.site.key = site_key(self.site_ref)
        elif not address:
            self.held_items += found_in == "item"
            if self.held_items >= ADDRESS_SEARCH_LIMIT:
                self.end()
            return
        elif found_in == "item":
            self.report.warn(
                f"{self.path}: the export names no blog address (no <link>, wp:base_blog_url "
                f"or wp:base_site_url): filed under {site_key(address)}, the host its items' "
                "links name (--site KEY files it under another)"
            )
        self.site.key = self.site.key or site_key(address)
        self.site.url = address.rstrip("/")
        held, self.held = self.held or [], None
        yield self.site
        yield from held

    def finish(self) -> Iterator[Record]:
        """Read what lxml parsed last but gave no events for (the channel's end)."""
        if self.parser is None or self.closed:
            return
        for child in list(self.channel):
            if child.tag == "item":
                yield from self.element(child)
        yield from self.element(self.channel)

    def end(self) -> None:
        if self.parser is None:
            raise SourceError(
                f"{self.path}: not a WordPress export (no <channel> with <item>s found)"
            )
        if self.held is not None:
            raise SourceError(
                f"{self.path}: the export names no blog address (no <link>, wp:base_blog_url "
                "or wp:base_site_url, nor an item link or guid with one): name the site "
                "with --site KEY"
            )

    def start(self, element: Any, head: dict[str, str]) -> WxrParser:
        path = self.path
        root = element.getroottree().getroot()
        if root.tag != "rss":
            raise SourceError(f"{path}: not a WordPress export (root element is <{root.tag}>)")
        wp, namespace_version = self.wp_namespace()
        if wp is None:
            raise SourceError(f"{path}: not a WordPress export (RSS without the wp: namespace)")
        names = _Names(wp, self.excerpt_namespace(wp))
        version = head.get(names("wxr_version"), "").strip()
        if not VERSION_NUMBER.match(version):
            said = f" (it says {version[:40]!r})" if version else ""
            raise SourceError(
                f"{path}: not a WordPress export: wp:wxr_version is missing or not a version "
                f"number{said}; WordPress's importer refuses such files too"
            )
        self.report.version = version
        newer = next((v for v in (namespace_version, version) if v and v not in KNOWN_VERSIONS), "")
        if newer:
            self.report.warn(
                f"WXR version {newer} is newer than this wpcpd knows "
                f"({', '.join(KNOWN_VERSIONS)}); reading it as {KNOWN_VERSIONS[-1]}"
            )
        return WxrParser(names, self.report, version)

    def wp_namespace(self) -> tuple[str | None, str | None]:
        """The wp: namespace (http or https, any 1.x); else, as the importer does, whatever
        the prefix wp is bound to."""
        found = [(prefix, uri, m.group(1)) for prefix, uri in self.namespaces
                 if (m := WP_NAMESPACE.match(uri))]  # fmt: skip
        if found:
            _, uri, version = next((f for f in found if f[0] == "wp"), found[0])
            return uri, version
        return next((uri for prefix, uri in self.namespaces if prefix == "wp"), None), None

    def excerpt_namespace(self, wp: str) -> str:
        found = [(p, uri) for p, uri in self.namespaces if EXCERPT_NAMESPACE.match(uri)]
        if not found:
            return wp + "excerpt/"
        return next((uri for p, uri in found if p == "excerpt"), found[0][1])


def _item_address(item: Any) -> str:
    """The scheme and host of an item's link or guid, if either is an address."""
    for tag in ("link", "guid"):
        parts = urlsplit(_text(item, tag).strip())
        if parts.scheme in ("http", "https") and parts.hostname:
            return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    return ""


def _site_address(ref: str, address: str) -> str:
    """The address of the site --site names: itself if it is one, else its key under the
    scheme of the export's own address (https if it has none)."""
    if "://" in ref:
        return ref.strip()
    scheme = urlsplit(address).scheme if "://" in address else "https"
    return f"{scheme}://{site_key(ref)}"


def _syntax_message(path: Path, line: int, message: str, reader: CleanReader) -> str:
    if reader.at_end and line >= reader.lines and "mismatch" not in message:
        return f"{path}: line {line}: the file ends too early (truncated export?): {message}"
    return f"{path}: line {line}: not well-formed XML: {message}"
