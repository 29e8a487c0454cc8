"""Saving records: the batch writer behind `Archive.save`. Records are buffered by kind and
written a batch at a time, in dependency order; a record whose hash matches the stored one
writes nothing."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wpcpd.archive.columns import (
    AUTHORS,
    COMMENTS,
    MEDIA,
    POSTS,
    SITE_UPSERT,
    SITES,
    TERMS,
    RecordTable,
    last_by,
    sorted_terms,
)
from wpcpd.archive.fts import index_comments, index_posts
from wpcpd.archive.history import COMMENT_HISTORY, POST_HISTORY, keep_revisions
from wpcpd.archive.public_only import Aliases, PublicOnlyMatching
from wpcpd.archive.schema import PUBLIC_ONLY_TABLES, REMOVABLE_TABLES
from wpcpd.errors import ArchiveError
from wpcpd.model import (
    Author,
    Checkpoint,
    Comment,
    Media,
    Post,
    Reconcile,
    Record,
    Site,
    Term,
    decode_meta_value,
    now_iso,
)

if TYPE_CHECKING:
    from wpcpd.archive import Archive

BATCH_SIZE = 500


def save_site(db: sqlite3.Connection, site: Site, public_only: bool = False) -> int:
    """The site's row id, creating or updating the row (a public-only read never updates
    what a fuller channel wrote: its title and channel may be those of the HTML)."""
    if public_only:
        found = db.execute("SELECT id FROM sites WHERE key = ?", (site.key,)).fetchone()
        if found:
            return found[0]
    now = now_iso()
    db.execute(SITE_UPSERT, (*SITES.values(site), now, now))
    return db.execute("SELECT id FROM sites WHERE key = ?", (site.key,)).fetchone()[0]


@dataclass
class SaveSummary:
    """What a save did, per kind of record: new, updated, unchanged."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    sites: list[str] = field(default_factory=list)

    def add(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += n

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {"sites": self.sites, "records": {k: dict(v) for k, v in self.counts.items()}}


class _BatchWriter(PublicOnlyMatching):
    """Buffers records by kind and writes them a batch at a time."""

    def __init__(self, archive: Archive, summary: SaveSummary, public_only: bool) -> None:
        self.archive = archive
        self.public_only = int(public_only)
        self.db = archive.db
        self.summary = summary
        self.site_id: int | None = None
        self.site_key = ""
        self.channel = ""
        self.pulled_at = now_iso()
        self.pending: list[Record] = []
        self.aliases: dict[int | None, Aliases] = {}
        self.replacing: list[tuple[Any, ...]] = []
        """The rows of the last `_split` that replace a stored row: whose versions to keep."""

    def consume(
        self,
        records: Iterable[Record],
        on_batch: Callable[[SaveSummary], None] | None,
        *,
        commit_each_batch: bool = False,
    ) -> None:
        for record in records:
            if isinstance(record, Site):
                self.flush()
                self.site_id = self.archive.site_id(record, bool(self.public_only))
                self.site_key = record.key
                self.channel = record.channel
                self.summary.sites.append(record.key)
                self.archive.sites_seen.append(record.key)
                continue
            if isinstance(record, Checkpoint | Reconcile):
                self._control(record, commit_each_batch)
                continue
            if self.site_id is None:
                raise ArchiveError("a source yielded records before naming their site")
            self.pending.append(record)
            if len(self.pending) >= BATCH_SIZE:
                self._flush_batch(commit_each_batch)
                if on_batch:
                    on_batch(self.summary)
        self._flush_batch(commit_each_batch)
        if on_batch:
            on_batch(self.summary)

    def _control(self, control: Checkpoint | Reconcile, commit: bool) -> None:
        """Write what came before, then the sync state, in one transaction."""
        if commit:
            with self.archive.transaction():
                self._apply(control)
        else:
            self._apply(control)

    def _apply(self, control: Checkpoint | Reconcile) -> None:
        self.flush()
        if isinstance(control, Checkpoint):
            self.archive.set_sync_value(self.site_key, control.channel, control.name,
                                        control.value)  # fmt: skip
        else:
            self._mark_removed(control)

    def _mark_removed(self, control: Reconcile) -> None:
        table = "posts" if control.kind == "post" else "comments"
        where = "site_id = ? AND removed_at IS NULL"
        params: list[Any] = [self.site_id]
        if control.post_type:
            where += " AND type = ?"
            params.append(control.post_type)
        if control.public_only:
            where += " AND public_only = 1"
        if control.since_gmt:  # a list of the recent ones only: what it covers
            where += " AND date_gmt >= ?"
            params.append(control.since_gmt)
        stored = {row[0] for row in self.db.execute(f"SELECT id FROM {table} WHERE {where}",
                                                    params)}  # fmt: skip
        gone = sorted(stored - control.present)
        self._for_each_chunk(
            f"UPDATE {table} SET removed_at = ? WHERE site_id = ? AND id IN ({{marks}})",
            [self.pulled_at, self.site_id], gone,
        )  # fmt: skip
        self.summary.add(control.kind, "removed", len(gone))

    def _flush_batch(self, commit: bool) -> None:
        if not commit:
            self.flush()
            return
        with self.archive.transaction():
            self.flush()

    def flush(self) -> None:
        """Write pending records in dependency order: terms before the posts that use them."""
        if not self.pending:
            return
        by_kind: dict[type, list[Any]] = {}
        for record in self.pending:
            by_kind.setdefault(type(record), []).append(record)
        self.pending = []
        self._save_authors(by_kind.get(Author, []))
        self._save_terms(by_kind.get(Term, []))
        posts, comments = by_kind.get(Post, []), by_kind.get(Comment, [])
        media = self._match_media(by_kind.get(Media, []))
        self._apply_aliases(posts, comments, media)
        self._ensure_terms(posts)
        self._save_posts(posts)
        self._save_comments(comments)
        self._save_media(media)

    def _stored_hashes(
        self, table: str, columns: tuple[str, ...], keys: list[tuple[Any, ...]]
    ) -> dict[tuple[Any, ...], tuple[str, int, int]]:
        """The stored content hash, public_only flag and whether it is marked removed, of
        each key the table holds."""
        found: dict[tuple[Any, ...], tuple[str, int, int]] = {}
        names = ", ".join(columns)
        flag = "public_only" if table in PUBLIC_ONLY_TABLES else "0"
        removed = "removed_at IS NOT NULL" if table in REMOVABLE_TABLES else "0"
        placeholder = "(" + ", ".join("?" * len(columns)) + ")"
        for start in range(0, len(keys), 200):
            chunk = keys[start : start + 200]
            values = ", ".join([placeholder] * len(chunk))
            params = [self.site_id] + [v for key in chunk for v in key]
            sql = (
                f"SELECT {names}, record_hash, {flag}, {removed} FROM {table} "
                f"WHERE site_id = ? AND ({names}) IN (VALUES {values})"
            )
            for row in self.db.execute(sql, params):
                found[tuple(row[:-3])] = (row[-3], row[-2], row[-1])
        return found

    def _split(
        self, table: RecordTable, rows: list[tuple[tuple[Any, ...], tuple[Any, ...]]]
    ) -> list[tuple[Any, ...]]:
        """Keep only rows that are new or differ from what is stored; count the outcomes.

        The hash is the last value of each row. A public-only row never replaces a full one:
        that is counted as "kept".
        """
        stored = self._stored_hashes(table.name, table.key, [key for key, _ in rows])
        outcomes: Counter[str] = Counter()
        to_write = []
        self.replacing = []
        guarded = self.public_only and table.name in PUBLIC_ONLY_TABLES
        for key, values in rows:
            previous = stored.get(key)
            if previous is None:
                outcomes["new"] += 1
            elif guarded and not previous[1]:
                outcomes["kept"] += 1
                continue
            elif previous[0] != values[-1] or previous[2]:
                outcomes["updated"] += 1  # changed, or back on the site after a removal
                self.replacing.append(values)
            else:
                outcomes["unchanged"] += 1
                continue
            to_write.append(values)
        for outcome, n in outcomes.items():
            self.summary.add(table.spec.kind, outcome, n)
        return to_write

    def _save_authors(self, authors: list[Author]) -> None:
        if not authors:
            return
        if self.public_only:
            authors = self._known_authors(authors)
        rows = self._rows(AUTHORS, authors, (self.public_only,))
        self.db.executemany(AUTHORS.upsert, self._split(AUTHORS, rows))

    def _rows(
        self, table: RecordTable, records: list[Any], provenance: tuple[Any, ...]
    ) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
        """(key, row) of each record, the last of each key winning: the row is site_id, the
        record's columns, `provenance` (the table's own columns) and the record hash."""
        rows = []
        for record in last_by(records, table.key_of):
            values = table.values(record)
            row = (self.site_id, *values, *provenance, table.hash(record, values))
            rows.append((table.key_of(record), row))
        return rows

    def _save_terms(self, terms: list[Term]) -> None:
        if not terms:
            return
        if self.public_only:
            terms = self._fill_terms(terms)
        by_key = {TERMS.key_of(t): t for t in terms}
        written = self._split(TERMS, self._rows(TERMS, terms, (self.public_only,)))
        self.db.executemany(TERMS.upsert, written)
        for row in written:
            term = by_key[(row[1], row[2])]
            key = (self.site_id, term.taxonomy, term.slug)
            self.db.execute(
                "DELETE FROM term_meta WHERE site_id = ? AND taxonomy = ? AND slug = ?", key
            )
            self.db.executemany(
                "INSERT INTO term_meta VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(*key, i, k, v, _decoded_json(v)) for i, (k, v) in enumerate(term.meta)],
            )

    def _ensure_terms(self, posts: list[Post]) -> None:
        """Posts can name terms the export's term list left out (post formats, menus)."""
        refs = {(r.taxonomy, r.slug): r for p in posts for r in p.terms}
        if not refs:
            return
        self.db.executemany(
            """INSERT INTO terms (site_id, taxonomy, slug, name, public_only, record_hash)
               VALUES (?, ?, ?, ?, ?, '') ON CONFLICT DO NOTHING""",
            [(self.site_id, r.taxonomy, r.slug, r.name, self.public_only)
             for r in refs.values()],
        )  # fmt: skip

    def _save_posts(self, posts: list[Post]) -> None:
        if not posts:
            return
        by_id = {p.id: p for p in posts}
        written = self._split(POSTS, self._rows(POSTS, posts, self._provenance()))
        keep_revisions(self.db, POST_HISTORY, self.replacing, self.pulled_at,
                       self.archive.current_run)  # fmt: skip
        self.db.executemany(POSTS.upsert, written)
        changed = [by_id[row[1]] for row in written]
        index_posts(self.db, self.site_id, [p.id for p in changed])
        if not self.public_only:
            self._supersede_scraped([p.link for p in changed if p.link and p.id > 0])
        self._replace_children(
            "post_terms", "post_id", [p.id for p in changed],
            [(self.site_id, p.id, t.taxonomy, t.slug, i)
             for p in changed for i, t in enumerate(sorted_terms(p))],
        )  # fmt: skip
        # A channel that cannot see meta (meta None) leaves the archive's meta as it is.
        with_meta = [p for p in changed if p.meta is not None]
        self._replace_children("post_meta", "post_id", [p.id for p in with_meta],
                               _meta_rows(self.site_id, with_meta))  # fmt: skip

    def _save_comments(self, comments: list[Comment]) -> None:
        if not comments:
            return
        by_id = {c.id: c for c in comments}
        written = self._split(COMMENTS, self._rows(COMMENTS, comments, self._provenance()))
        keep_revisions(self.db, COMMENT_HISTORY, self.replacing, self.pulled_at,
                       self.archive.current_run)  # fmt: skip
        self.db.executemany(COMMENTS.upsert, written)
        index_comments(self.db, self.site_id, [row[1] for row in written])
        with_meta = [by_id[row[1]] for row in written if by_id[row[1]].meta is not None]
        self._replace_children("comment_meta", "comment_id", [c.id for c in with_meta],
                               _meta_rows(self.site_id, with_meta))  # fmt: skip

    def _supersede_scraped(self, links: list[str]) -> None:
        """A scraped post whose page showed no id got a stand-in negative id; when the real
        post arrives (REST, WXR, XML-RPC) at the same address, the stand-in is marked
        removed rather than left as a duplicate."""
        self._for_each_chunk(
            "UPDATE posts SET removed_at = ? WHERE site_id = ? AND id < 0 "
            "AND removed_at IS NULL AND link IN ({marks})",
            [self.pulled_at, self.site_id], links,
        )  # fmt: skip

    def _for_each_chunk(self, sql: str, params: list[Any], values: list[Any]) -> None:
        """Run `sql` with `values` spread over its {marks}, 500 at a time (SQLite's
        limit on parameters is far above that, and so stays out of reach)."""
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            self.db.execute(sql.format(marks=", ".join("?" * len(chunk))), [*params, *chunk])

    def _replace_children(
        self, table: str, owner: str, owner_ids: list[int], rows: list[tuple[Any, ...]]
    ) -> None:
        """Swap the child rows (terms, meta) of the given owners for these, in bulk."""
        self._for_each_chunk(
            f"DELETE FROM {table} WHERE site_id = ? AND {owner} IN ({{marks}})",
            [self.site_id], owner_ids,
        )  # fmt: skip
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            self.db.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", rows)

    def _provenance(self) -> tuple[str, str, int]:
        return (self.channel, self.pulled_at, self.public_only)

    def _save_media(self, media: list[Media]) -> None:
        if not media:
            return
        rows = self._rows(MEDIA, media, (self.public_only,))
        if not self.public_only and self._holds_public_media():
            # The real attachment replaces what a public-only read stored for its file.
            for m in last_by(media, MEDIA.key_of):
                for stored_id, public in self._media_rows_of(m):
                    if public and stored_id != m.id:
                        self.db.execute("DELETE FROM media WHERE site_id = ? AND id = ?",
                                        (self.site_id, stored_id))  # fmt: skip
        self.db.executemany(MEDIA.upsert, self._split(MEDIA, rows))


def _meta_rows(site_id: int | None, owners: list[Post] | list[Comment]) -> list[tuple]:
    return [
        (site_id, owner.id, i, key, value, _decoded_json(value))
        for owner in owners
        for i, (key, value) in enumerate(owner.meta or ())
    ]


def _decoded_json(value: str) -> str | None:
    decoded = decode_meta_value(value)
    return None if decoded is None else json.dumps(decoded, ensure_ascii=False)
