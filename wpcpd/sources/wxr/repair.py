"""The tolerant second pass over an export old WordPress wrote with a raw `]]>` inside
CDATA (not well-formed XML): the bytes are mended on the way in, as WordPress escapes it
today, and the file is parsed again by the same reader.
"""

from __future__ import annotations

import re


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
