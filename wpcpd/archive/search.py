"""Searching the archive's full-text index (fts.py): posts and comments, ranked by bm25, with
snippets, and the index made again on demand."""

from __future__ import annotations

import sqlite3
from typing import Any

from wpcpd.archive import fts
from wpcpd.archive.base import ArchiveBase
from wpcpd.errors import ArchiveError, UsageError

MARK = ("**", "**")
"""What the matched words are wrapped in, in snippets (Markdown's bold, legible anywhere)."""

SNIPPET_WORDS = 16

# Weights of the indexed columns in bm25: a word in the title says more than one in the text.
_POST_WEIGHTS = "10.0, 1.0, 3.0"  # title, content, excerpt
_COMMENT_WEIGHTS = "2.0, 1.0"  # author_name, content


class Search(ArchiveBase):
    def search(
        self,
        query: str,
        site_ref: str | None = None,
        kind: str | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        """Posts and comments matching an FTS5 query (words, "a phrase", OR, NOT, prefix*),
        best first: each with its site, the post id `show` takes (and the comment's id), its
        status and whether it was removed from the site, its date, title and a snippet.

        kind is "post", "comment" or None for both; bm25 ranks of posts and comments are
        merged as they are (both are on the same scale of how rare the matched words are).
        """
        self.require_index()
        if not query.strip():
            raise UsageError("give words to search for")
        where, params = self.site_filter(site_ref, "t.site_id")
        found: list[dict[str, Any]] = []
        try:
            if kind in (None, "post"):
                found += self._search_posts(query, where, params, limit)
            if kind in (None, "comment"):
                found += self._search_comments(query, where, params, limit)
        except sqlite3.OperationalError as exc:  # what FTS5 says of a query it cannot read
            if any(word in str(exc) for word in ("database", "no such table", "disk")):
                raise
            raise UsageError(
                f"cannot search for {query!r}: {exc} (put a phrase in double quotes, "
                'and "double" any quote inside it)'
            ) from exc
        found.sort(key=lambda row: row["rank"])
        return found[:limit]

    def _search_posts(
        self, query: str, where: str, params: list[Any], limit: int
    ) -> list[dict[str, Any]]:
        rows = self.query(
            f"""SELECT s.key AS site, 'post' AS kind, t.id AS post, NULL AS comment, t.type,
                   t.status, t.password_protected AS protected, t.removed_at,
                   coalesce(t.date, t.modified) AS date, t.title,
                   snippet(posts_fts, -1, ?, ?, '…', {SNIPPET_WORDS}) AS snippet,
                   bm25(posts_fts, {_POST_WEIGHTS}) AS rank
               FROM posts_fts JOIN posts t ON t.rowid = posts_fts.rowid
               JOIN sites s ON s.id = t.site_id
               WHERE posts_fts MATCH ? AND {where}
                   AND NOT (t.id < 0 AND t.removed_at IS NOT NULL)
               ORDER BY rank LIMIT ?""",
            [*MARK, query, *params, limit],
        )  # (a negative id marked removed: a scraped stand-in the real post replaced)
        return [_result(row) for row in rows]

    def _search_comments(
        self, query: str, where: str, params: list[Any], limit: int
    ) -> list[dict[str, Any]]:
        rows = self.query(
            f"""SELECT s.key AS site, 'comment' AS kind, t.post_id AS post, t.id AS comment,
                   t.type, t.status, 0 AS protected, t.removed_at, t.date,
                   coalesce(p.title, '') AS title, t.author_name,
                   snippet(comments_fts, -1, ?, ?, '…', {SNIPPET_WORDS}) AS snippet,
                   bm25(comments_fts, {_COMMENT_WEIGHTS}) AS rank
               FROM comments_fts JOIN comments t ON t.rowid = comments_fts.rowid
               JOIN sites s ON s.id = t.site_id
               LEFT JOIN posts p ON p.site_id = t.site_id AND p.id = t.post_id
               WHERE comments_fts MATCH ? AND {where}
               ORDER BY rank LIMIT ?""",
            [*MARK, query, *params, limit],
        )
        return [_result(row) for row in rows]

    def has_search_index(self) -> bool:
        return fts.has_index(self.db)

    def require_index(self) -> None:
        if not self.has_search_index():
            raise ArchiveError(
                f"{self.path} has no search index yet (an older wpcpd wrote it): open it once "
                "where it can be written to, with 'wpcpd search --reindex' or any pull"
            )

    def reindex(self) -> tuple[int, int]:
        """Make the whole index again (posts, comments), in one transaction."""
        with self.transaction():
            return fts.rebuild(self.db)


def _result(row: sqlite3.Row) -> dict[str, Any]:
    """A match as `wpcpd search` prints it: `removed` says the site no longer has it."""
    found = dict(row)
    found["removed"] = found["removed_at"] is not None
    found["protected"] = bool(found["protected"])
    found["rank"] = round(found["rank"], 3)
    found["snippet"] = " ".join(found["snippet"].split())
    return found
