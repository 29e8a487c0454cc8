"""The pictures and files of the Markdown export, from the archive's media store: each file
a post references is copied into the export folder (where its layout wants it) and the
reference rewritten to the copy. A resized address (`-300x200.jpg`, `?w=640`) finds the
original the store keeps. A reference the store has no file for keeps its old address and
is counted, so the summary can say which posts still point at the old site."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from wpcpd.archive.media_store import MediaStore, store_path
from wpcpd.sinks.markdown.convert import Image
from wpcpd.sinks.markdown.layouts import Entry, Layout
from wpcpd.sinks.markdown.manifest import FolderWriter
from wpcpd.sinks.markdown.outline import Outline
from wpcpd.urls import original_of, strip_resize

if TYPE_CHECKING:
    from wpcpd.archive import Archive

_UPLOADS = re.compile(r"/wp-content/uploads/|/files/")


@dataclass
class MediaCopies:
    """The convert module's `Context` for one post at a time (`entry`)."""

    layout: Layout
    writer: FolderWriter
    outline: Outline
    kept: dict[str, dict[str, Any]]
    store: MediaStore
    entry: Entry | None = None
    copied: int = 0
    not_kept: Counter[str] = field(default_factory=Counter)
    """Post file -> references left at their old address."""
    used: set[str] = field(default_factory=set)
    """Addresses (as the store keys them) some post's copy was made from."""
    moved: list[tuple[str, str]] = field(default_factory=list)
    """(old address, new path) of files a post's bundle now holds at another path."""
    _names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls, archive: Archive, layout: Layout, writer: FolderWriter, outline: Outline
    ) -> MediaCopies:
        kept = {r["url"]: r for r in archive.media_files(outline.site_key) if r["status"] == "ok"}
        return cls(layout, writer, outline, kept, MediaStore(store_path(archive.path)))

    def begin(self, entry: Entry) -> None:
        self.entry = entry
        self._names = {}

    def media_url(self, url: str) -> str:
        """The local copy's address, or `url` unchanged when the store lacks the file."""
        if self.entry is None or not url or url.startswith(("#", "data:", "mailto:")):
            return url
        absolute = urljoin(self.outline.site_url + "/", url)
        row = self._stored(absolute)
        if row is None:
            if _looks_uploaded(absolute, self.outline.site_url):
                self.not_kept[self.layout.markdown_path(self.entry)] += 1
            return url
        return self._copy(row)

    def gallery(self, ids: list[int] | None) -> list[Image]:
        """A gallery's images: the attachments named, or those uploaded to the post."""
        if ids is None:
            chosen = self.outline.attached_to(self.entry.post.id) if self.entry else []
        else:
            chosen = [self.outline.attachments[i] for i in ids if i in self.outline.attachments]
        return [Image(self.media_url(a.url), a.alt, a.caption) for a in chosen if a.url]

    def featured(self, media_id: int | None) -> str:
        attachment = self.outline.attachments.get(media_id or 0)
        return self.media_url(attachment.url) if attachment and attachment.url else ""

    def _stored(self, url: str) -> dict[str, Any] | None:
        for candidate in (url, original_of(url), strip_resize(url)):
            row = self.kept.get(candidate)
            if row is not None and self.store.has(row["sha256"], row["size"]):
                return row
        return None

    def _copy(self, row: dict[str, Any]) -> str:
        assert self.entry is not None
        upload = upload_path(row["url"])
        relative, reference = self.layout.media_path(self.entry, upload)
        taken = self._names.get(relative)
        if taken is not None and taken != row["url"]:
            # Two of the post's files share a name: the upload folder tells them apart.
            relative, reference = self.layout.media_path(self.entry, upload.replace("/", "-"))
        self._names[relative] = row["url"]
        source = self.store.path_for(row["sha256"])
        outcome = self.writer.copy(
            relative, row["sha256"], row["size"], source, post=self.entry.post.id
        )
        if outcome == "written":
            self.copied += 1
        if row["url"] not in self.used and self.entry.permalink and "/" not in reference:
            self.moved.append((row["url"], self.entry.permalink + reference))
        self.used.add(row["url"])
        return reference

    def copy_rest(self) -> int:
        """Copy the kept files no post referenced (uploads never linked, pictures of posts
        left out), where the layout keeps site-wide files: no picture is left behind."""
        rest = 0
        for url, row in sorted(self.kept.items()):
            if url in self.used or not self.store.has(row["sha256"], row["size"]):
                continue
            relative = self.layout.site_media_path(upload_path(url))
            source = self.store.path_for(row["sha256"])
            if self.writer.copy(relative, row["sha256"], row["size"], source) == "written":
                self.copied += 1
            rest += 1
        return rest


def upload_path(url: str) -> str:
    """A file's path inside the uploads folder: `2013/01/photo.jpg` from its address on the
    site (`/wp-content/uploads/…`, WordPress.com's `BLOG.files.wordpress.com/…` or
    multisite `/files/…`); a file elsewhere goes under its host's name."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    found = _UPLOADS.search(path)
    if found:
        path = path[found.end() :]
    elif (parts.hostname or "").endswith(".files.wordpress.com"):
        path = path.lstrip("/")
    else:
        path = f"external/{parts.hostname or 'unknown'}/{path.lstrip('/')}"
    pieces = [p for p in path.split("/") if p not in ("", ".", "..")]
    return "/".join(pieces) or "file"


def _looks_uploaded(url: str, site_url: str) -> bool:
    """An upload of the site itself (what `wpcpd media fetch` would have kept)."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    own = (urlsplit(site_url).hostname or "").removeprefix("www.")
    if host.endswith((".files.wordpress.com", ".wp.com")):
        return True
    return host == own and bool(_UPLOADS.search(urlsplit(url).path))
