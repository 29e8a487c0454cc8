"""Reflections derived from posts (re-derivable at any time), and what each post was found
to be when they were last derived (`reflections`, `reflection_checks`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from typing import Any

from wpcpd.archive.reader import RecordReader
from wpcpd.hashing import record_hash
from wpcpd.model import now_iso


@dataclass
class ReflectionCheck:
    """What a post was found to be when reflections were last derived (reflection_checks)."""

    post_id: int
    record_hash: str
    """The post's record_hash then."""
    terms_hash: str
    """Its terms' names then (see `Archive.post_versions`)."""
    detector: str
    """A fingerprint of the detector and the programme definitions it was checked with."""
    outcome: str
    """"reflection" (one by itself); "unlabelled": a "Thing N: ..." title naming no programme,
    which the site's main programme may claim; or "none"."""
    programme: str = ""
    """A reflection's programme; for an unlabelled post, the site programme it was checked as
    part of ('' when none claims it)."""
    date: str | None = None
    """When it was published (ISO 8601, GMT), for the time span of the site's programme."""
    is_reflection: bool = False
    """Whether the reflections table holds its reflection."""


_CHECK_COLUMNS = tuple(f.name for f in fields(ReflectionCheck))


class Reflections(RecordReader):
    def post_versions(self, site_ref: str) -> list[tuple[int, str, str]]:
        """(id, record_hash, terms hash) of a site's posts not marked removed, by id.

        What a view derived from posts needs to tell which changed since it last looked. The
        terms hash covers the names the archive now gives the post's terms: renaming a
        category changes what a post is labelled without changing its own record.
        """
        site = self._resolved(site_ref)
        rows = self.db.execute(
            """SELECT p.id, p.record_hash,
                   (SELECT group_concat(t.taxonomy || ':' || t.slug || ':' || t.name, char(31))
                    FROM post_terms pt JOIN terms t USING (site_id, taxonomy, slug)
                    WHERE pt.site_id = p.site_id AND pt.post_id = p.id)
               FROM posts p WHERE p.site_id = ? AND p.removed_at IS NULL ORDER BY p.id""",
            (site["id"],),
        )
        return [(post_id, digest, record_hash([terms or ""])) for post_id, digest, terms in rows]

    def reflection_checks(self, site_ref: str) -> dict[int, ReflectionCheck]:
        """What each of a site's posts was found to be when reflections were last derived."""
        site = self._resolved(site_ref)
        rows = self.db.execute(
            f"SELECT {', '.join(_CHECK_COLUMNS)} FROM reflection_checks WHERE site_id = ?",
            (site["id"],),
        )
        return {row[0]: ReflectionCheck(*row[:-1], bool(row[-1])) for row in rows}

    def update_reflections(
        self,
        site_ref: str,
        checks: Iterable[ReflectionCheck],
        reflections: dict[int, dict[str, Any] | None],
        forget: Iterable[int] = (),
    ) -> None:
        """Store fresh checks, and the reflections of the posts in `reflections` (a dict with
        the table's columns, or None when the post is not one), in one transaction. `forget`:
        posts that are no longer checked (marked removed): their reflections go too."""
        site_id = self._resolved(site_ref)["id"]
        gone = [(site_id, post_id) for post_id in forget]
        now = now_iso()
        with self.transaction():
            self.db.executemany(
                "DELETE FROM reflections WHERE site_id = ? AND post_id = ?",
                [*gone, *((site_id, post_id) for post_id in reflections)],
            )
            self.db.executemany(
                "DELETE FROM reflection_checks WHERE site_id = ? AND post_id = ?", gone
            )
            self.db.executemany(
                """INSERT INTO reflections (site_id, post_id, programme, things, topic,
                       sections, actions, word_count, derived_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(site_id, r["post_id"], r.get("programme", ""),
                  json.dumps(r.get("things", [])), r.get("topic", ""),
                  json.dumps(r.get("sections", []), ensure_ascii=False),
                  json.dumps(r.get("actions", []), ensure_ascii=False),
                  r.get("word_count", 0), now)
                 for r in reflections.values() if r is not None],
            )  # fmt: skip
            self.db.executemany(
                f"""INSERT OR REPLACE INTO reflection_checks
                    (site_id, {", ".join(_CHECK_COLUMNS)}, checked_at)
                    VALUES (?, {", ".join("?" * len(_CHECK_COLUMNS))}, ?)""",
                [(site_id, *astuple(c)[:-1], int(c.is_reflection), now) for c in checks],
            )

    def reflections(
        self, site_ref: str | None = None, programme: str | None = None
    ) -> list[dict[str, Any]]:
        """The derived reflections, oldest first. Only those derived from the post as the
        archive now holds it: a post changed or marked removed since shows none until its
        reflections are derived again (`wpcpd.reflect.derive_reflections`)."""
        where, params = self.site_filter(site_ref, "r.site_id")
        if programme:
            where += " AND r.programme = ?"
            params.append(programme)
        rows = self.query(
            f"""SELECT s.key AS site, r.*, p.title, p.date, p.link, p.status
                FROM reflections r JOIN posts p ON p.site_id = r.site_id AND p.id = r.post_id
                JOIN reflection_checks c ON c.site_id = r.site_id AND c.post_id = r.post_id
                    AND c.record_hash = p.record_hash
                JOIN sites s ON s.id = r.site_id WHERE {where} AND p.removed_at IS NULL
                ORDER BY p.date_gmt IS NULL, p.date_gmt, p.id""",
            params,
        )
        result = []
        for row in rows:
            item = dict(row)
            for column in ("things", "sections", "actions"):
                item[column] = json.loads(item[column])
            result.append(item)
        return result

    def set_action_follow_ups(self, rows: Iterable[tuple[int, int, int, str, int | None]]) -> int:
        """Replace `action_follow_ups`: (site_id, reflection's post_id, the action's position,
        the action, the id of the first later post that followed it up or None), as
        `wpcpd.reflect.review_reflections` found them. Returns how many were stored."""
        now = now_iso()
        with self.transaction():
            self.db.execute("DELETE FROM action_follow_ups")
            cursor = self.db.executemany(
                """INSERT OR REPLACE INTO action_follow_ups
                   (site_id, post_id, position, action, followed_up_in, checked_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                [(*row, now) for row in rows],
            )
        return cursor.rowcount
