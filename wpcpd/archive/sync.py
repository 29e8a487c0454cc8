"""What each live channel last saw of a site (`sync_state`), so that pulls resume and fetch
only what changed, and the page cache a scrape keeps (`page_cache`)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from wpcpd.archive.base import ArchiveBase
from wpcpd.model import CachedPage, TermRef, now_iso


@dataclass
class SyncSnapshot:
    """The archive's side of an incremental pull: sync state, known ids and counts."""

    state: dict[str, str] = field(default_factory=dict)
    logins: dict[int, str] = field(default_factory=dict)
    terms: dict[tuple[str, int], TermRef] = field(default_factory=dict)
    post_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    """(post type, "any" or "trash") -> count of items not marked removed."""
    comment_counts: dict[str, int] = field(default_factory=dict)


class SyncState(ArchiveBase):
    def sync_value(self, site_key_: str, channel: str, name: str) -> str | None:
        rows = self.query(
            """SELECT value FROM sync_state JOIN sites ON sites.id = sync_state.site_id
               WHERE sites.key = ? AND sync_state.channel = ? AND name = ?""",
            (site_key_, channel, name),
        )
        return rows[0]["value"] if rows else None

    def set_sync_value(self, site_key_: str, channel: str, name: str, value: str) -> None:
        self.db.execute(
            """INSERT INTO sync_state (site_id, channel, name, value, updated_at)
               SELECT id, ?, ?, ?, ? FROM sites WHERE key = ?
               ON CONFLICT (site_id, channel, name) DO UPDATE SET value = excluded.value,
                   updated_at = excluded.updated_at""",
            (channel, name, value, now_iso(), site_key_),
        )

    def sync_channels(self, site_key_: str, channel: str) -> set[str]:
        """The names sync state of `channel` is kept under for a site, one per view."""
        rows = self.query(
            """SELECT DISTINCT sync_state.channel FROM sync_state
               JOIN sites ON sites.id = sync_state.site_id
               WHERE sites.key = ? AND (sync_state.channel = ? OR sync_state.channel LIKE ?)""",
            (site_key_, channel, channel + ":%"),
        )
        return {r["channel"] for r in rows}

    def unfinished_full_pulls(self, site_key_: str) -> list[str]:
        """The channels (per view) whose full pull began and never completed."""
        rows = self.query(
            """SELECT s.channel FROM sync_state s JOIN sites ON sites.id = s.site_id
               WHERE sites.key = ? AND s.name = 'full:generation'
                 AND s.value IS NOT (SELECT c.value FROM sync_state c
                                     WHERE c.site_id = s.site_id AND c.channel = s.channel
                                       AND c.name = 'full:complete')""",
            (site_key_,),
        )
        return [r["channel"] for r in rows]

    def sync_snapshot(self, site_key_: str, channel: str) -> SyncSnapshot:
        """What an incremental pull compares the live site against."""
        snapshot = SyncSnapshot()
        site = self.query("SELECT id FROM sites WHERE key = ?", (site_key_,))
        if not site:
            return snapshot
        site_id = site[0]["id"]
        for r in self.query(
            "SELECT name, value FROM sync_state WHERE site_id = ? AND channel = ?",
            (site_id, channel),
        ):
            snapshot.state[r["name"]] = r["value"]
        for r in self.query("SELECT id, login FROM authors WHERE site_id = ?", (site_id,)):
            if r["id"] is not None:
                snapshot.logins[r["id"]] = r["login"]
        for r in self.query(
            "SELECT taxonomy, id, slug, name FROM terms WHERE site_id = ? AND id IS NOT NULL",
            (site_id,),
        ):
            snapshot.terms[(r["taxonomy"], r["id"])] = TermRef(r["taxonomy"], r["slug"], r["name"])
        for r in self.query(
            """SELECT type, status = 'trash' AS trashed, count(*) AS n FROM posts
               WHERE site_id = ? AND removed_at IS NULL GROUP BY type, trashed""",
            (site_id,),
        ):
            snapshot.post_counts[(r["type"], "trash" if r["trashed"] else "any")] = r["n"]
        for r in self.query(
            """SELECT status, count(*) AS n, max(id) AS top FROM comments
               WHERE site_id = ? AND removed_at IS NULL GROUP BY status""",
            (site_id,),
        ):
            snapshot.comment_counts[r["status"]] = r["n"]
        return snapshot

    # -- page cache (scraping) ------------------------------------------------------------

    def cached_page(self, url: str) -> CachedPage | None:
        rows = self.query("SELECT * FROM page_cache WHERE url = ?", (url,))
        if not rows:
            return None
        r = rows[0]
        body = zlib.decompress(r["body"]).decode("utf-8") if r["body"] is not None else None
        return CachedPage(r["url"], r["status"], r["content_type"], r["etag"],
                          r["last_modified"], body, r["fetched_at"])  # fmt: skip

    def store_page(self, page: CachedPage) -> None:
        """Keep a fetched page, compressed, so an interrupted scrape resumes without refetching."""
        body = zlib.compress(page.body.encode("utf-8")) if page.body is not None else None
        self.db.execute(
            """INSERT OR REPLACE INTO page_cache
               (url, status, content_type, etag, last_modified, body, fetched_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (page.url, page.status, page.content_type, page.etag, page.last_modified, body,
             page.fetched_at or now_iso()),
        )  # fmt: skip
