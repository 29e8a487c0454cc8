"""Which media files of a site are kept, and how each fetch went (`media_files`): the rows
behind the store of files beside the archive (wpcpd/archive/media_store.py)."""

from __future__ import annotations

import sqlite3
from typing import Any

from wpcpd.archive.base import ArchiveBase
from wpcpd.model import now_iso

MEDIA_FILE_COLUMNS = ("url", "media_id", "status", "reason", "sha256", "size", "content_type",
                      "fetched_from", "variant", "etag", "last_modified", "fetched_at")  # fmt: skip
"""Columns of `media_files` besides site_id: what `wpcpd media list` shows."""


class MediaFiles(ArchiveBase):
    def media_sources(self, site_key_: str) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
        """What a site's media files are found from: its attachments (id, url, file,
        mime_type) and the content of its posts not marked removed (id, content, excerpt)."""
        site = self._resolved(site_key_)
        media = self.query("SELECT id, url, file, mime_type FROM media WHERE site_id = ? "
                           "ORDER BY id", (site["id"],))  # fmt: skip
        posts = self.query(
            "SELECT id, content, excerpt FROM posts WHERE site_id = ? AND removed_at IS NULL "
            "ORDER BY id",
            (site["id"],),
        )
        return media, posts

    def media_files(self, site_ref: str | None = None) -> list[dict[str, Any]]:
        """Rows of `media_files` with their site's key, by site and address."""
        where, params = self.site_filter(site_ref, "f.site_id")
        rows = self.query(
            f"""SELECT s.key AS site, f.* FROM media_files f JOIN sites s ON s.id = f.site_id
                WHERE {where} ORDER BY s.key, f.url""",
            params,
        )
        return [{k: r[k] for k in ("site", *MEDIA_FILE_COLUMNS)} for r in rows]

    def media_file(self, site_key_: str, url: str) -> dict[str, Any] | None:
        rows = self.query(
            """SELECT f.* FROM media_files f JOIN sites s ON s.id = f.site_id
               WHERE s.key = ? AND f.url = ?""",
            (site_key_, url),
        )
        return {k: rows[0][k] for k in MEDIA_FILE_COLUMNS} if rows else None

    def record_media_file(self, site_key_: str, row: dict[str, Any]) -> None:
        """One file's outcome, committed at once (called only once the file is complete)."""
        site_id = self._resolved(site_key_)["id"]
        defaults = {"reason": "", "content_type": "", "fetched_from": "", "variant": 0,
                    "etag": "", "last_modified": "", "fetched_at": now_iso()}  # fmt: skip
        values = [row.get(c) if row.get(c) is not None else defaults.get(c)
                  for c in MEDIA_FILE_COLUMNS]  # fmt: skip
        updates = ", ".join(f"{c} = excluded.{c}" for c in MEDIA_FILE_COLUMNS[1:])
        self.db.execute(
            f"""INSERT INTO media_files (site_id, {", ".join(MEDIA_FILE_COLUMNS)})
                VALUES (?, {", ".join("?" * len(MEDIA_FILE_COLUMNS))})
                ON CONFLICT (site_id, url) DO UPDATE SET {updates}""",
            [site_id, *values],
        )

    def media_file_counts(self, site_key_: str) -> dict[str, int]:
        """How many of a site's media files are ok, missing, failed, too-large."""
        rows = self.query(
            """SELECT f.status, count(*) AS n FROM media_files f JOIN sites s
               ON s.id = f.site_id WHERE s.key = ? GROUP BY f.status""",
            (site_key_,),
        )
        return {r["status"]: r["n"] for r in rows}
