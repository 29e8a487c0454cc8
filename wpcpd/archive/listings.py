"""Summaries of what the archive holds: `stats`, and the listings of posts and comments."""

from __future__ import annotations

import sqlite3
from typing import Any

from wpcpd.archive.runs import PullRuns
from wpcpd.dates import parse_moment
from wpcpd.model import format_gmt


class Listings(PullRuns):
    def stats(self, site_ref: str | None = None) -> dict[str, Any]:
        """Counts of what the archive holds, per site and in total: what `wpcpd stats` prints."""
        site = self.resolve_site(site_ref)
        rows = [site] if site is not None else self.sites()
        return {
            "sites": [{**self._site_status(row), **self._counts("site_id = ?", [row["id"]])}
                      for row in rows],
            **self._counts(*self.site_filter(site_ref)),
        }  # fmt: skip

    def _site_status(self, row: sqlite3.Row) -> dict[str, Any]:
        """A site's number, key, channel, what kind of copy it is, and its pulls."""
        history = self.run_history(row["key"])
        fuller = self.query(
            "SELECT 1 FROM posts WHERE site_id = ? AND public_only = 0 LIMIT 1", (row["id"],)
        )
        last_ok, attempt = history.last_ok, history.last_attempt
        return {
            "number": row["id"], "key": row["key"], "url": row["url"], "title": row["title"],
            "channel": row["channel"], "copy": "full" if fuller else "public-only",
            "last_success": last_ok["finished_at"] if last_ok else row["last_pulled_at"],
            "last_attempt": attempt["started_at"] if attempt else None,
            "last_outcome": attempt["outcome"] if attempt else None,
            "last_message": attempt["message"] if attempt else "",
            "problems_since_success": len(history.problems_since_ok),
        }  # fmt: skip

    def _counts(self, where: str, params: list[Any]) -> dict[str, Any]:
        def counts(sql: str) -> dict[str, int]:
            return {r[0]: r[1] for r in self.db.execute(sql.format(where=where), params)}

        def nested(sql: str) -> dict[str, dict[str, int]]:
            result: dict[str, dict[str, int]] = {}
            for outer, inner, n in self.db.execute(sql.format(where=where), params):
                result.setdefault(outer, {})[inner] = n
            return result

        return {
            "posts": nested("SELECT type, status, count(*) FROM posts WHERE {where} "
                            "GROUP BY type, status ORDER BY type, status"),
            "comments": {
                "by_status": counts("SELECT status, count(*) FROM comments WHERE {where} "
                                    "GROUP BY status ORDER BY status"),
                "by_type": counts("SELECT type, count(*) FROM comments WHERE {where} "
                                  "GROUP BY type ORDER BY type"),
            },
            "terms": counts("SELECT taxonomy, count(*) FROM terms WHERE {where} "
                            "GROUP BY taxonomy ORDER BY taxonomy"),
            "authors": counts("SELECT 'authors', count(*) FROM authors WHERE {where}")
            .get("authors", 0),
            "media": counts("SELECT 'media', count(*) FROM media WHERE {where}").get("media", 0),
        }  # fmt: skip

    def post_types(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT DISTINCT type FROM posts")}

    def list_posts(
        self,
        site_ref: str | None = None,
        status: str | None = None,
        post_type: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        where, params = self.site_filter(site_ref, "p.site_id")
        for column, value in (("p.status", status), ("p.type", post_type)):
            if value:
                where += f" AND {column} = ?"
                params.append(value)
        rows = self.query(
            f"""SELECT s.key AS site, p.id, p.type, p.status, p.date, p.slug, p.title,
                   (SELECT count(*) FROM comments c
                    WHERE c.site_id = p.site_id AND c.post_id = p.id) AS comments
               FROM posts p JOIN sites s ON s.id = p.site_id WHERE {where}
               ORDER BY coalesce(p.date_gmt, p.modified_gmt, p.modified, p.date) IS NULL,
                   coalesce(p.date_gmt, p.modified_gmt, p.modified, p.date) DESC, p.id DESC
               LIMIT ?""",
            [*params, -1 if limit is None else limit],
        )
        return [dict(r) for r in rows]

    def list_comments(
        self,
        site_ref: str | None = None,
        status: str | None = None,
        comment_type: str | None = None,
        limit: int | None = None,
        since: str | None = None,
    ) -> list[dict[str, Any]]:
        where, params = self.site_filter(site_ref, "c.site_id")
        for column, value in (("c.status", status), ("c.type", comment_type)):
            if value:
                where += f" AND {column} = ?"
                params.append(value)
        if since:
            where += " AND c.date_gmt >= ?"
            params.append(_iso_gmt(since))
        rows = self.query(
            f"""SELECT s.key AS site, c.id, c.post_id AS post, c.parent, c.date_gmt,
                   c.author_name, c.status, c.type, c.content
               FROM comments c JOIN sites s ON s.id = c.site_id WHERE {where}
               ORDER BY c.date_gmt DESC, c.id DESC LIMIT ?""",
            [*params, -1 if limit is None else limit],
        )
        return [dict(r) for r in rows]


def _iso_gmt(text: str) -> str:
    """A date or date-time a person typed, as the archive's GMT text for comparing."""
    moment = parse_moment(text, example="2026-11-24 or 2026-11-24T18:00")
    return format_gmt(moment) or ""
