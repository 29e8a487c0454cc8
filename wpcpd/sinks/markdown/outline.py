"""What the Markdown export must know of a whole site before it writes one post: which
posts it writes, a file name (slug) for each that no other post shares, each page's
ancestors, the authors' display names, the attachments (for galleries and featured images)
and the site's usual UTC offset (for the drafts WordPress gives no GMT date)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from wpcpd.archive import Archive

EXPORTED_TYPES = ("post", "page")
DEFAULT_STATUSES = ("publish", "future", "draft", "pending", "private")
"""Every status a person wrote, by default: not trash, not auto-drafts, not revisions."""
KNOWN_STATUSES = (*DEFAULT_STATUSES, "trash")


@dataclass(frozen=True)
class Attachment:
    id: int
    url: str
    parent: int
    alt: str
    caption: str
    title: str


@dataclass
class Outline:
    site_key: str
    site_url: str
    site_title: str = ""
    slugs: dict[int, str] = field(default_factory=dict)
    """Post id -> its file name: the slug, made unique and safe for a path."""
    parents: dict[int, int] = field(default_factory=dict)
    """Page id -> its parent page's id (0 at the top)."""
    authors: dict[str, str] = field(default_factory=dict)
    """Login -> display name."""
    attachments: dict[int, Attachment] = field(default_factory=dict)
    offset: timedelta = timedelta(0)
    removed: set[int] = field(default_factory=set)
    removed_comments: set[int] = field(default_factory=set)
    shared_address: set[int] = field(default_factory=set)
    """Public posts whose old address an earlier public post already has (two pages cannot
    be built at one address: the later ones keep the generator's own path)."""
    left_out: Counter[str] = field(default_factory=Counter)
    """Why posts were not written: "revision", "attachment", "status trash", "removed" ..."""

    def ancestors(self, post_id: int) -> list[str]:
        """The file names of a page's parents, the top one first (a loop is cut)."""
        names: list[str] = []
        seen = {post_id}
        parent = self.parents.get(post_id, 0)
        while parent and parent in self.slugs and parent not in seen:
            names.insert(0, self.slugs[parent])
            seen.add(parent)
            parent = self.parents.get(parent, 0)
        return names

    def has_children(self, post_id: int) -> bool:
        """Whether some exported page names this one as its parent."""
        return post_id in self.parents.values()

    def attached_to(self, post_id: int) -> list[Attachment]:
        """The images uploaded to a post, in id order (a `[gallery]` without ids)."""
        return [a for a in self.attachments.values()
                if a.parent == post_id and _is_image(a.url)]  # fmt: skip


def read_outline(archive: Archive, site: dict, statuses: tuple[str, ...]) -> Outline:
    """The outline of one site, from a few queries (one row per post, no content)."""
    outline = Outline(site["key"], site["url"], site.get("title") or "")
    site_id = site["id"]
    rows = archive.query(
        """SELECT id, type, status, slug, title, parent, removed_at, date, date_gmt, link,
           password_protected FROM posts WHERE site_id = ? ORDER BY id""",
        [site_id],
    )
    wanted = []
    for row in rows:
        reason = _left_out_reason(row, statuses)
        if reason:
            outline.left_out[reason] += 1
            if reason == "removed":
                outline.removed.add(row["id"])
            continue
        wanted.append(row)
    # Public posts choose first, so a draft that shares a name never renames a live post.
    chosen: set[str] = set()
    for row in sorted(wanted, key=lambda r: (r["status"] != "publish", r["id"])):
        name = _file_name(row)
        if name in chosen:
            name = f"{name}-{row['id']}"
        chosen.add(name)
        outline.slugs[row["id"]] = name
    addresses: set[str] = set()
    for row in wanted:
        if row["type"] == "page":
            outline.parents[row["id"]] = row["parent"] or 0
        if row["status"] == "publish" and not row["password_protected"] and row["link"]:
            address = urlsplit(row["link"])._replace(scheme="", netloc="").geturl().rstrip("/")
            if address in addresses:
                outline.shared_address.add(row["id"])
            addresses.add(address)
    outline.offset = _usual_offset(rows)
    outline.authors = _authors(archive, site_id)
    outline.attachments = _attachments(archive, site_id)
    gone = "SELECT id FROM comments WHERE site_id = ? AND removed_at IS NOT NULL"
    outline.removed_comments = {r["id"] for r in archive.query(gone, [site_id])}
    return outline


def _left_out_reason(row: dict, statuses: tuple[str, ...]) -> str:
    if row["type"] not in EXPORTED_TYPES:
        return row["type"]
    if row["removed_at"]:
        return "removed"
    if row["status"] not in statuses:
        return f"status {row['status']}"
    return ""


def _file_name(row: dict) -> str:
    """A post's slug as a file name: decoded (WordPress stores non-ASCII slugs
    percent-encoded), without characters a path cannot hold; drafts, which often have no
    slug yet, are named from their title."""
    name = unquote(row["slug"] or "").strip()
    if not name:
        name = unicodedata.normalize("NFKC", row["title"] or "").lower()
    name = re.sub(r"[\s/\\:*?\"<>|#%{}^~\[\]`']+", "-", name).strip("-.")
    return name[:120] or f"{row['type']}-{row['id']}"


def _usual_offset(rows: list) -> timedelta:
    """The offset most posts with both a local and a GMT date have."""
    offsets: Counter[timedelta] = Counter()
    for row in rows:
        if row["date"] and row["date_gmt"]:
            try:
                local = datetime.fromisoformat(row["date"])
                utc = datetime.fromisoformat(row["date_gmt"])
            except ValueError:
                continue
            offsets[_round_offset(local.replace(tzinfo=None) - utc.replace(tzinfo=None))] += 1
    return offsets.most_common(1)[0][0] if offsets else timedelta(0)


def _round_offset(delta: timedelta) -> timedelta:
    """To the quarter hour: time zones are whole quarters, stored seconds may not be."""
    quarters = round(delta.total_seconds() / 900)
    return timedelta(seconds=quarters * 900)


def _authors(archive: Archive, site_id: int) -> dict[str, str]:
    rows = archive.query("SELECT login, display_name FROM authors WHERE site_id = ?", [site_id])
    return {r["login"]: r["display_name"] or r["login"] for r in rows}


def _attachments(archive: Archive, site_id: int) -> dict[int, Attachment]:
    rows = archive.query(
        """SELECT m.id, m.post_id, m.url, m.alt_text, p.excerpt, p.title FROM media m
           LEFT JOIN posts p ON p.site_id = m.site_id AND p.id = m.id
           WHERE m.site_id = ? ORDER BY m.id""",
        [site_id],
    )
    return {r["id"]: Attachment(r["id"], r["url"] or "", r["post_id"] or 0, r["alt_text"] or "",
                                r["excerpt"] or "", r["title"] or "")
            for r in rows}  # fmt: skip


_IMAGE = re.compile(r"\.(jpe?g|png|gif|webp|avif|svg|bmp|tiff?|heic)$", re.I)


def _is_image(url: str) -> bool:
    return bool(_IMAGE.search(url.split("?", 1)[0]))
