"""History: the earlier versions of posts and comments (`post_revisions`, `comment_revisions`).

The batch writer (writer.py) calls `keep_revisions` in the transaction that replaces a row,
just before the upsert: when what a person wrote changed (a post's title, content or excerpt;
a comment's content), the row as it was is copied into the revisions table first, numbered
1, 2, ... per item. What else a row may change (a status, terms, a comment approved) updates
it without a revision; the revision keeps the status its text had. A fuller read replacing a
public-only one (a password pull after a scrape or an anonymous pull) is the same version
read better, not an edit: no revision. An unchanged re-pull writes no row at all, so it keeps
no revision either.

These are the archive's own versions, one per change a pull saw; WordPress's own revisions
of a post (post type `revision`, kept by WordPress itself) are something else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wpcpd.archive.base import ArchiveBase
from wpcpd.archive.columns import COMMENTS, POSTS, RecordTable
from wpcpd.archive.schema import HISTORY_MIGRATION
from wpcpd.hashing import comment_digest


@dataclass(frozen=True)
class Tracked:
    """One table whose versions are kept: which columns make a new version, which are
    copied into the revision row."""

    table: RecordTable
    revisions: str
    owner: str
    """The revision table's column naming the item."""
    compared: tuple[str, ...]
    copied: tuple[str, ...]

    def insert_sql(self) -> str:
        names = ", ".join(self.copied)
        old = ", ".join(f"t.{c}" for c in self.copied)
        differs = " OR ".join(f"t.{c} IS NOT ?" for c in self.compared)
        return (
            f"INSERT INTO {self.revisions} (site_id, {self.owner}, number, {names}, "
            "replaced_at, replaced_by_run) "
            f"SELECT t.site_id, t.id, 1 + coalesce((SELECT max(r.number) FROM {self.revisions} r "
            f"WHERE r.site_id = t.site_id AND r.{self.owner} = t.id), 0), {old}, ?, ? "
            f"FROM {self.table.name} t WHERE t.site_id = ? AND t.id = ? AND ({differs}) "
            "AND (t.public_only = 0 OR ? = 1)"
        )


_PROVENANCE = ("channel", "public_only", "pulled_at", "record_hash")
POST_HISTORY = Tracked(POSTS, "post_revisions", "post_id", ("title", "content", "excerpt"),
                       ("status", "title", "content", "excerpt", "modified", "modified_gmt",
                        *_PROVENANCE))  # fmt: skip
COMMENT_HISTORY = Tracked(COMMENTS, "comment_revisions", "comment_id", ("content",),
                          ("post_id", "status", "author_name", "content",
                           *_PROVENANCE))  # fmt: skip


def keep_revisions(
    db: sqlite3.Connection,
    tracked: Tracked,
    rows: list[tuple[Any, ...]],
    replaced_at: str,
    run: int | None,
) -> None:
    """Copy each stored row whose compared columns these rows change into its revisions
    table. `rows` are the writer's (site_id, *columns, channel, pulled_at, public_only,
    record_hash) rows about to be upserted; new items simply match nothing."""
    if not rows:
        return
    columns = tracked.table.columns
    at = [1 + columns.index(c) for c in tracked.compared]
    public_only = 1 + len(columns) + 2
    id_at = 1 + columns.index("id")
    params = [
        (replaced_at, run, row[0], row[id_at], *(row[i] for i in at), row[public_only])
        for row in rows
    ]
    db.executemany(tracked.insert_sql(), params)


REVISION_COLUMNS = ("kind", "id", "version", "modified_gmt", "pulled_at", "replaced_at",
                    "replaced_by_run", "removed_at", "status", "title", "content", "excerpt",
                    "record_hash")  # fmt: skip
"""What `history_of` gives for each version: `modified_gmt` is WordPress's date of a post's
version (comments have none), `pulled_at` when the archive read it, `replaced_at` and
`replaced_by_run` (a `pull_runs` id) when a pull replaced it, None for the current one, whose
`removed_at` says whether the site still has it."""


class History(ArchiveBase):
    """Reading the earlier versions back: for `show --history` and `export json --history`."""

    @property
    def has_history(self) -> bool:
        return self.schema_version >= HISTORY_MIGRATION

    def history_of(self, site_key_: str, post_id: int) -> list[dict[str, Any]]:
        """A post's versions and its comments', oldest first per item, each ending with the
        version the archive holds now (`replaced_at` None)."""
        site = self._resolved(site_key_)
        if not self.has_history:
            return []
        rows = self.query(f"{_POST_VERSIONS} WHERE site_id = ? AND id = ? ORDER BY version",
                          (site["id"], post_id))  # fmt: skip
        comment_ids = [r["id"] for r in self.query(
            "SELECT id FROM comments WHERE site_id = ? AND post_id = ? AND id IN "
            "(SELECT comment_id FROM comment_revisions WHERE site_id = ?) ORDER BY id",
            (site["id"], post_id, site["id"]))]  # fmt: skip
        found = [dict(r) for r in rows] if len(rows) > 1 else []
        for comment_id in comment_ids:
            found += [dict(r) for r in self.query(
                f"{_COMMENT_VERSIONS} WHERE site_id = ? AND id = ? ORDER BY version",
                (site["id"], comment_id))]  # fmt: skip
        for row in found:
            row.pop("site_id")
        return found

    def comment_digests(self, site_key_: str, since_gmt: str | None) -> dict[int, tuple[str, bool]]:
        """Comment id -> (digest of its text, status and parent, public-only) of the comments the
        archive holds for a site and not marked removed, dated at or after `since_gmt`
        (all when None): what a recheck compares the site's list with."""
        sql = ("SELECT c.id, c.content, c.status, c.parent, c.public_only FROM comments c "
               "JOIN sites s ON s.id = c.site_id WHERE s.key = ? AND c.removed_at IS NULL "
               "AND (? IS NULL OR c.date_gmt >= ?)")  # fmt: skip
        return {
            comment_id: (comment_digest(content, status, parent), bool(public))
            for comment_id, content, status, parent, public in self.db.execute(
                sql, (site_key_, since_gmt, since_gmt))
        }  # fmt: skip

    def iter_revisions(self, site_ref: str | None) -> Iterator[dict[str, Any]]:
        """Every kept earlier version (not the current ones), by site, item and number."""
        if not self.has_history:
            return
        where, params = self.site_filter(site_ref, "r.site_id")
        for kind, table, owner in (("post", "post_revisions", "post_id"),
                                   ("comment", "comment_revisions", "comment_id")):  # fmt: skip
            sql = (f"SELECT s.key AS site, r.* FROM {table} r JOIN sites s ON s.id = r.site_id "
                   f"WHERE {where} ORDER BY r.site_id, r.{owner}, r.number")  # fmt: skip
            for row in self.iter_query(sql, params):
                data = {"record": f"{kind}_revision", **dict(row)}
                data.pop("site_id")
                # Named as the export names them: the item's `id`, a comment's `post`.
                names = _COMMENT_EXPORT_NAMES if kind == "comment" else _EXPORT_NAMES
                data = {names.get(k, k): v for k, v in data.items()}
                data["public_only"] = bool(data["public_only"])
                yield data


_EXPORT_NAMES = {"post_id": "id", "comment_id": "id"}
_COMMENT_EXPORT_NAMES = {"comment_id": "id", "post_id": "post"}

# Each item's versions as one list: the kept ones, numbered, then the current row.
_POST_VERSIONS = """SELECT * FROM (
    SELECT site_id, 'post' AS kind, post_id AS id, number AS version, modified_gmt, pulled_at,
        replaced_at, replaced_by_run, NULL AS removed_at, status, title, content, excerpt,
        record_hash
    FROM post_revisions
    UNION ALL
    SELECT p.site_id, 'post', p.id, 1 + (SELECT count(*) FROM post_revisions r
        WHERE r.site_id = p.site_id AND r.post_id = p.id), p.modified_gmt, p.pulled_at, NULL,
        NULL, p.removed_at, p.status, p.title, p.content, p.excerpt, p.record_hash FROM posts p)"""
_COMMENT_VERSIONS = """SELECT * FROM (
    SELECT site_id, 'comment' AS kind, comment_id AS id, number AS version,
        NULL AS modified_gmt, pulled_at, replaced_at, replaced_by_run, NULL AS removed_at,
        status, '' AS title, content, '' AS excerpt, record_hash
    FROM comment_revisions
    UNION ALL
    SELECT c.site_id, 'comment', c.id, 1 + (SELECT count(*) FROM comment_revisions r
        WHERE r.site_id = c.site_id AND r.comment_id = c.id), NULL, c.pulled_at, NULL, NULL,
        c.removed_at, c.status, '', c.content, '', c.record_hash FROM comments c)"""
