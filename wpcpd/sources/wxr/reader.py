"""The stream: one export read with lxml's iterparse into records in order, strictly first,
then again through the tolerant reader when old WordPress left a raw `]]>` inside CDATA.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from difflib import SequenceMatcher
from itertools import islice, takewhile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from wpcpd.errors import SourceError
from wpcpd.model import Record, Site, site_key
from wpcpd.sources.wxr.cleaning import CleanReader, open_export
from wpcpd.sources.wxr.items import VERSION_NUMBER, WxrNames, WxrParser, child_text
from wpcpd.sources.wxr.repair import CdataRepair
from wpcpd.sources.wxr.report import WxrReport

KNOWN_VERSIONS = ("1.0", "1.1", "1.2")
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/(\d+\.\d+)/$")
EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
ADDRESS_SEARCH_LIMIT = 1000
"""Items read, at most, looking for a link or guid when the channel names no address."""


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
                # Writers that copy items whole may declare the namespaces again on every
                # item: keep each binding once, or the list grows with the file.
                if element not in self.namespaces:
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
        names = WxrNames(wp, self.excerpt_namespace(wp))
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
        parts = urlsplit(child_text(item, tag).strip())
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
