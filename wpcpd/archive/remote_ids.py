"""The map from local things (archived records, reflection files) to what was created for
them on other sites (`remote_ids`), so that a push or publish updates instead of duplicating."""

from __future__ import annotations

from dataclasses import dataclass

from wpcpd.archive.base import ArchiveBase
from wpcpd.model import now_iso


@dataclass
class RemoteId:
    """What was created on `target` (a site key) for `source_id` of `source`."""

    kind: str
    """post, page, term, media, comment, author, or reflection."""
    source: str
    """A site key for pushed records, or "file" for published reflection files."""
    source_id: str
    target: str
    target_id: int
    target_url: str = ""
    content_hash: str = ""
    updated_at: str = ""


class RemoteIds(ArchiveBase):
    def remote_id(self, kind: str, source: str, source_id: str, target: str) -> RemoteId | None:
        rows = self.query(
            """SELECT * FROM remote_ids
               WHERE kind = ? AND source = ? AND source_id = ? AND target = ?""",
            (kind, source, str(source_id), target),
        )
        return RemoteId(**dict(rows[0])) if rows else None

    def set_remote_id(self, remote: RemoteId) -> None:
        """Record a remote write at once, before moving on, so an interrupted run resumes."""
        self.db.execute(
            """INSERT INTO remote_ids (kind, source, source_id, target, target_id, target_url,
                   content_hash, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (kind, source, source_id, target) DO UPDATE SET
                   target_id = excluded.target_id, target_url = excluded.target_url,
                   content_hash = excluded.content_hash, updated_at = excluded.updated_at""",
            (remote.kind, remote.source, str(remote.source_id), remote.target,
             remote.target_id, remote.target_url, remote.content_hash,
             remote.updated_at or now_iso()),
        )  # fmt: skip

    def remote_ids(self, kind: str, source: str, target: str) -> list[RemoteId]:
        rows = self.query(
            "SELECT * FROM remote_ids WHERE kind = ? AND source = ? AND target = ?",
            (kind, source, target),
        )
        return [RemoteId(**dict(r)) for r in rows]
