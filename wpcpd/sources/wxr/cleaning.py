"""The bytes of an export made fit for lxml: DTDs refused (no entity expansion, no external
entities), control characters and stray non-UTF-8 bytes repaired and counted, and gzip
files opened by their content.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from pathlib import Path
from typing import IO

from wpcpd.errors import SourceError
from wpcpd.sources.wxr.repair import CdataRepair
from wpcpd.sources.wxr.report import WxrReport

CHUNK = 1 << 20
HEAD = 64 * 1024


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
