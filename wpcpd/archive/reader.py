"""Records back out of the archive: rows into the model's records, site by site, with
their terms and meta."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from wpcpd.archive.base import ArchiveBase
from wpcpd.archive.columns import AUTHORS, COMMENTS, MEDIA, POSTS, SITES, TERMS
from wpcpd.errors import UsageError
from wpcpd.model import Author, Comment, Media, Meta, Post, Record, Term, TermRef


class RecordReader(ArchiveBase):
    """Reading records: all of a site's, one post, a post's comments."""

    def iter_records(self, site_ref: str | None = None) -> Iterator[tuple[str, Record]]:
        """Every record of one site (or all), as (site key, record), in dependency order."""
        site = self.resolve_site(site_ref)
        sites = [site] if site is not None else self.sites()
        for row in sites:
            yield row["key"], SITES.record(row)
            for kind in (self._authors, self._terms, self._posts, self._media, self._comments):
                for record in kind(row["id"]):
                    yield row["key"], record

    def _authors(self, site_id: int) -> Iterator[Author]:
        for r in self.iter_query(
            "SELECT * FROM authors WHERE site_id = ? ORDER BY login", [site_id]
        ):
            yield AUTHORS.record(r)

    def _terms(self, site_id: int) -> Iterator[Term]:
        meta = self._grouped_meta("term_meta", "taxonomy || '/' || slug", site_id)
        for r in self.iter_query(
            "SELECT * FROM terms WHERE site_id = ? ORDER BY taxonomy, slug", [site_id]
        ):
            term = TERMS.record(r)
            term.meta = meta.get(f"{r['taxonomy']}/{r['slug']}", [])
            yield term

    def _posts(
        self, site_id: int, where: str = "1 = 1", params: Iterable[Any] = ()
    ) -> Iterator[Post]:
        """Posts with their terms and meta, joined by walking three sorted cursors together."""
        query = f"FROM posts WHERE site_id = ? AND {where}"
        args = [site_id, *params]
        terms = _Groups(
            self.iter_query(
                f"""SELECT pt.post_id AS owner, pt.taxonomy, pt.slug, t.name FROM post_terms pt
                JOIN terms t USING (site_id, taxonomy, slug)
                WHERE pt.site_id = ? AND pt.post_id IN (SELECT id {query})
                ORDER BY pt.post_id, pt.position""",
                [site_id, *args],
            )
        )
        meta = self._meta_of("post_meta", "post_id", query, args)
        for r in self.iter_query(f"SELECT * {query} ORDER BY id", args):
            post = POSTS.record(r)
            post.terms = [TermRef(t["taxonomy"], t["slug"], t["name"]) for t in terms.take(post.id)]
            post.meta = [(m["key"], m["value"]) for m in meta.take(post.id)]
            yield post

    def _media(self, site_id: int) -> Iterator[Media]:
        for r in self.iter_query("SELECT * FROM media WHERE site_id = ? ORDER BY id", [site_id]):
            yield MEDIA.record(r)

    def _comments(
        self, site_id: int, where: str = "1 = 1", params: Iterable[Any] = ()
    ) -> Iterator[Comment]:
        query = f"FROM comments WHERE site_id = ? AND {where}"
        args = [site_id, *params]
        meta = self._meta_of("comment_meta", "comment_id", query, args)
        for r in self.iter_query(f"SELECT * {query} ORDER BY id", args):
            comment = COMMENTS.record(r)
            comment.meta = [(m["key"], m["value"]) for m in meta.take(comment.id)]
            yield comment

    def _meta_of(self, table: str, owner: str, query: str, args: list[Any]) -> _Groups:
        """The meta rows of the owners `query` selects (args: site id first), by owner."""
        return _Groups(
            self.iter_query(
                f"""SELECT {owner} AS owner, key, value FROM {table}
                WHERE site_id = ? AND {owner} IN (SELECT id {query})
                ORDER BY {owner}, position""",
                [args[0], *args],
            )
        )

    def _grouped_meta(self, table: str, owner_sql: str, site_id: int) -> dict[str, list[Meta]]:
        grouped: dict[str, list[Meta]] = {}
        for r in self.iter_query(
            f"SELECT {owner_sql} AS owner, key, value FROM {table} WHERE site_id = ? "
            "ORDER BY owner, position",
            [site_id],
        ):
            grouped.setdefault(r["owner"], []).append((r["key"], r["value"]))
        return grouped

    def post(self, site_ref: str | None, post_id: int) -> tuple[str, Post]:
        """One post by its source id; with several sites, the site must be named."""
        candidates = [
            row
            for row in ([self.resolve_site(site_ref)] if site_ref else self.sites())
            if row is not None
        ]
        found = [
            (row["key"], post)
            for row in candidates
            for post in self._posts(row["id"], "id = ?", [post_id])
        ]
        if not found:
            raise UsageError(f"no post {post_id} in the archive (give its id, slug or address)")
        if len(found) > 1:
            keys = ", ".join(key for key, _ in found)
            raise UsageError(f"post {post_id} exists in several sites ({keys}): add --site")
        return found[0]

    def find_post(self, site_ref: str | None, ref: str) -> tuple[str, Post]:
        """A post by its id, its slug, or its address (as `show` takes them)."""
        if ref.strip().isdigit():
            return self.post(site_ref, int(ref))
        where, params = self.site_filter(site_ref, "p.site_id")
        if "/" in ref:
            address = ref.strip().rstrip("/")
            where += " AND (rtrim(p.link, '/') = ? OR p.guid = ?)"
            params += [address, ref.strip()]
        else:
            where += " AND p.slug = ?"
            params.append(ref.strip())
        rows = self.query(
            f"""SELECT s.key, p.id FROM posts p JOIN sites s ON s.id = p.site_id
                WHERE {where} AND p.type != 'revision' ORDER BY p.removed_at IS NOT NULL""",
            params,
        )
        if not rows:
            raise UsageError(f"no post {ref!r} in the archive (give its id, slug or address)")
        if len({r["key"] for r in rows}) > 1:
            keys = ", ".join(sorted({r["key"] for r in rows}))
            raise UsageError(f"post {ref!r} exists in several sites ({keys}): add --site")
        return self.post(rows[0]["key"], rows[0]["id"])

    def comments_of(self, site_key_: str, post_id: int) -> list[Comment]:
        site = self.resolve_site(site_key_)
        assert site is not None
        return list(self._comments(site["id"], "post_id = ?", [post_id]))

    def iter_threads(self, site_ref: str) -> Iterator[tuple[Post, Media | None, list[Comment]]]:
        """Each post of one site in id order, with its media record (attachments) and its
        comments in id order: one post's worth in memory at a time, from sorted cursors."""
        site_id = self._resolved(site_ref)["id"]
        media = _Groups(
            self.iter_query(
                "SELECT id AS owner, * FROM media WHERE site_id = ? ORDER BY id", [site_id]
            )
        )
        comments = _Groups(
            self.iter_query(
                "SELECT post_id AS owner, * FROM comments WHERE site_id = ? ORDER BY post_id, id",
                [site_id],
            )
        )
        meta = _Groups(
            self.iter_query(
                """SELECT c.post_id AS owner, m.comment_id, m.key, m.value FROM comment_meta m
                JOIN comments c ON c.site_id = m.site_id AND c.id = m.comment_id
                WHERE m.site_id = ? ORDER BY c.post_id, m.comment_id, m.position""",
                [site_id],
            )
        )
        for post in self._posts(site_id):
            found = media.take(post.id)
            thread = [COMMENTS.record(r) for r in comments.take(post.id)]
            by_id = {c.id: c for c in thread}
            for row in meta.take(post.id):
                comment = by_id.get(row["comment_id"])
                if comment is not None and comment.meta is not None:
                    comment.meta.append((row["key"], row["value"]))
            yield post, (MEDIA.record(found[0]) if found else None), thread

    def posts_by_id(self, site_ref: str, ids: Iterable[int]) -> Iterator[Post]:
        """Some of a site's posts, with their terms and meta, in id order."""
        site = self._resolved(site_ref)
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            yield from self._posts(site["id"], f"id IN ({', '.join('?' * len(chunk))})", chunk)


class _Groups:
    """Rows sorted by an `owner` column, handed out owner by owner in ascending order."""

    def __init__(self, rows: Iterator[sqlite3.Row]) -> None:
        self.rows = rows
        self.head: sqlite3.Row | None = next(rows, None)

    def take(self, owner: Any) -> list[sqlite3.Row]:
        while self.head is not None and self.head["owner"] < owner:
            self.head = next(self.rows, None)
        taken = []
        while self.head is not None and self.head["owner"] == owner:
            taken.append(self.head)
            self.head = next(self.rows, None)
        return taken
