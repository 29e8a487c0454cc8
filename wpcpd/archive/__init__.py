"""The SQLite archive: the only module that speaks SQL.

Tables are named plainly (sites, authors, terms, posts, post_terms, post_meta, comments,
comment_meta, media) so that `sqlite3` and Datasette users can read them. Records are keyed
by (site, source id). Every row carries a hash of its content, so saving an unchanged record
writes nothing, and a re-pull of the same export leaves the file as it was.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sqlite3
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from wpcpd.errors import ArchiveError, UsageError
from wpcpd.model import (
    Author,
    Checkpoint,
    Comment,
    Control,
    Media,
    Meta,
    Post,
    Reconcile,
    Record,
    Site,
    Term,
    TermRef,
    decode_meta_value,
    format_gmt,
    format_local,
    parse_gmt,
    parse_local,
)

BATCH_SIZE = 500

MIGRATIONS: list[str] = [
    # 1: the first schema.
    """
    CREATE TABLE sites (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL DEFAULT '',
        first_pulled_at TEXT,
        last_pulled_at TEXT
    );
    CREATE TABLE authors (
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        login TEXT NOT NULL,
        id INTEGER,
        email TEXT NOT NULL DEFAULT '',
        display_name TEXT NOT NULL DEFAULT '',
        first_name TEXT NOT NULL DEFAULT '',
        last_name TEXT NOT NULL DEFAULT '',
        record_hash TEXT NOT NULL,
        PRIMARY KEY (site_id, login)
    );
    CREATE TABLE terms (
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        taxonomy TEXT NOT NULL,
        slug TEXT NOT NULL,
        id INTEGER,
        name TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        parent TEXT NOT NULL DEFAULT '',
        record_hash TEXT NOT NULL,
        PRIMARY KEY (site_id, taxonomy, slug)
    );
    CREATE TABLE term_meta (
        site_id INTEGER NOT NULL,
        taxonomy TEXT NOT NULL,
        slug TEXT NOT NULL,
        position INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        decoded TEXT,
        PRIMARY KEY (site_id, taxonomy, slug, position),
        FOREIGN KEY (site_id, taxonomy, slug) REFERENCES terms ON DELETE CASCADE
    );
    CREATE TABLE posts (
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        id INTEGER NOT NULL,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        slug TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        content TEXT NOT NULL DEFAULT '',
        excerpt TEXT NOT NULL DEFAULT '',
        date TEXT,
        date_gmt TEXT,
        modified TEXT,
        modified_gmt TEXT,
        author TEXT NOT NULL DEFAULT '',
        parent INTEGER NOT NULL DEFAULT 0,
        menu_order INTEGER NOT NULL DEFAULT 0,
        comment_status TEXT NOT NULL DEFAULT '',
        ping_status TEXT NOT NULL DEFAULT '',
        sticky INTEGER NOT NULL DEFAULT 0,
        password_protected INTEGER NOT NULL DEFAULT 0,
        guid TEXT NOT NULL DEFAULT '',
        link TEXT NOT NULL DEFAULT '',
        mime_type TEXT NOT NULL DEFAULT '',
        featured_media INTEGER,
        channel TEXT NOT NULL DEFAULT '',
        pulled_at TEXT NOT NULL,
        removed_at TEXT,
        record_hash TEXT NOT NULL,
        PRIMARY KEY (site_id, id)
    );
    CREATE INDEX posts_by_type_status ON posts (site_id, type, status);
    CREATE TABLE post_terms (
        site_id INTEGER NOT NULL,
        post_id INTEGER NOT NULL,
        taxonomy TEXT NOT NULL,
        slug TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (site_id, post_id, taxonomy, slug),
        FOREIGN KEY (site_id, post_id) REFERENCES posts ON DELETE CASCADE,
        FOREIGN KEY (site_id, taxonomy, slug) REFERENCES terms
    );
    CREATE INDEX post_terms_by_term ON post_terms (site_id, taxonomy, slug);
    CREATE TABLE post_meta (
        site_id INTEGER NOT NULL,
        post_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        decoded TEXT,
        PRIMARY KEY (site_id, post_id, position),
        FOREIGN KEY (site_id, post_id) REFERENCES posts ON DELETE CASCADE
    );
    -- No foreign key from comments to posts: a comment whose post we could not see
    -- (private, deleted) must still be kept, never refused.
    CREATE TABLE comments (
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        id INTEGER NOT NULL,
        post_id INTEGER NOT NULL,
        parent INTEGER NOT NULL DEFAULT 0,
        author_name TEXT NOT NULL DEFAULT '',
        author_email TEXT NOT NULL DEFAULT '',
        author_url TEXT NOT NULL DEFAULT '',
        author_ip TEXT NOT NULL DEFAULT '',
        user_id INTEGER NOT NULL DEFAULT 0,
        date TEXT,
        date_gmt TEXT,
        content TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        type TEXT NOT NULL,
        channel TEXT NOT NULL DEFAULT '',
        pulled_at TEXT NOT NULL,
        removed_at TEXT,
        record_hash TEXT NOT NULL,
        PRIMARY KEY (site_id, id)
    );
    CREATE INDEX comments_by_post ON comments (site_id, post_id);
    CREATE INDEX comments_by_date ON comments (site_id, date_gmt);
    CREATE TABLE comment_meta (
        site_id INTEGER NOT NULL,
        comment_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        decoded TEXT,
        PRIMARY KEY (site_id, comment_id, position),
        FOREIGN KEY (site_id, comment_id) REFERENCES comments ON DELETE CASCADE
    );
    CREATE TABLE media (
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        id INTEGER NOT NULL,
        post_id INTEGER NOT NULL DEFAULT 0,
        url TEXT NOT NULL DEFAULT '',
        file TEXT NOT NULL DEFAULT '',
        mime_type TEXT NOT NULL DEFAULT '',
        alt_text TEXT NOT NULL DEFAULT '',
        record_hash TEXT NOT NULL,
        PRIMARY KEY (site_id, id)
    );
    """,
    # 2: public-only copies (anonymous REST, scraping) must never overwrite fuller ones;
    # sync state lets live pulls resume and fetch only what changed.
    """
    ALTER TABLE authors ADD COLUMN public_only INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE posts ADD COLUMN public_only INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE comments ADD COLUMN public_only INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE sync_state (
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        channel TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (site_id, channel, name)
    );
    """,
    # 3: a page cache for scraping, derived reflections, and the map from local things
    # (archived posts, reflection files) to what was created for them on other sites.
    """
    CREATE TABLE page_cache (
        url TEXT PRIMARY KEY,
        status INTEGER NOT NULL,
        content_type TEXT NOT NULL DEFAULT '',
        etag TEXT NOT NULL DEFAULT '',
        last_modified TEXT NOT NULL DEFAULT '',
        body BLOB,
        fetched_at TEXT NOT NULL
    );
    CREATE TABLE reflections (
        site_id INTEGER NOT NULL,
        post_id INTEGER NOT NULL,
        programme TEXT NOT NULL DEFAULT '',
        things TEXT NOT NULL DEFAULT '[]',
        topic TEXT NOT NULL DEFAULT '',
        sections TEXT NOT NULL DEFAULT '[]',
        actions TEXT NOT NULL DEFAULT '[]',
        word_count INTEGER NOT NULL DEFAULT 0,
        derived_at TEXT NOT NULL,
        PRIMARY KEY (site_id, post_id),
        FOREIGN KEY (site_id, post_id) REFERENCES posts ON DELETE CASCADE
    );
    CREATE TABLE remote_ids (
        kind TEXT NOT NULL,
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        target TEXT NOT NULL,
        target_id INTEGER NOT NULL,
        target_url TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (kind, source, source_id, target)
    );
    CREATE INDEX remote_ids_by_target ON remote_ids (target, kind, target_id);
    """,
    # 4: a post's own password is content (WordPress's exporter keeps it): a migrated
    # protected post must open with the password its readers were given.
    """
    ALTER TABLE posts ADD COLUMN password TEXT NOT NULL DEFAULT '';
    """,
    # 5: terms and media read as a visitor sees them (scraping, anonymous pulls) are marked
    # too, so that such a read never degrades a fuller copy. Rows already there are
    # public-only where the site's only posts are (or, for media, the id is a stand-in).
    """
    ALTER TABLE terms ADD COLUMN public_only INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE media ADD COLUMN public_only INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX media_by_file ON media (site_id, file);
    CREATE INDEX media_by_url ON media (site_id, url);
    UPDATE terms SET public_only = 1
        WHERE site_id IN (SELECT site_id FROM posts GROUP BY site_id
                          HAVING min(public_only) = 1);
    UPDATE media SET public_only = 1
        WHERE id < 0 OR site_id IN (SELECT site_id FROM posts GROUP BY site_id
                                    HAVING min(public_only) = 1);
    """,
    # 6: every pull attempt and how it ended, so `stats` and `check` can say when a site was
    # last backed up, and whether runs since then failed or were cut short.
    """
    CREATE TABLE IF NOT EXISTS pull_runs (
        id INTEGER PRIMARY KEY,
        site_key TEXT,
        source TEXT NOT NULL,
        channel TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT NOT NULL DEFAULT 'running',
        public_only INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        pid INTEGER
    );
    CREATE INDEX IF NOT EXISTS pull_runs_by_site ON pull_runs (site_key, started_at);
    """,
    # 7: reflections are derived once per version of a post: what each post was found to be,
    # and from which version, so that listing them again reads only the posts that changed.
    # Reflections derived before have no check and are derived again.
    """
    CREATE TABLE IF NOT EXISTS reflection_checks (
        site_id INTEGER NOT NULL,
        post_id INTEGER NOT NULL,
        record_hash TEXT NOT NULL,
        terms_hash TEXT NOT NULL,
        detector TEXT NOT NULL,
        outcome TEXT NOT NULL,
        programme TEXT NOT NULL DEFAULT '',
        date TEXT,
        is_reflection INTEGER NOT NULL DEFAULT 0,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (site_id, post_id),
        FOREIGN KEY (site_id, post_id) REFERENCES posts ON DELETE CASCADE
    );
    DELETE FROM reflections;
    """,
    # 8: the media files themselves, not only their addresses: (site, address) -> the file
    # in the store beside the archive (`wpcpd.db` -> `wpcpd.media/ab/cdef...`, named by its
    # sha256), with how the fetch went. A row says `ok` only once its file is complete.
    """
    CREATE TABLE IF NOT EXISTS media_files (
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        media_id INTEGER,
        status TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        sha256 TEXT,
        size INTEGER,
        content_type TEXT NOT NULL DEFAULT '',
        fetched_from TEXT NOT NULL DEFAULT '',
        variant INTEGER NOT NULL DEFAULT 0,
        etag TEXT NOT NULL DEFAULT '',
        last_modified TEXT NOT NULL DEFAULT '',
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (site_id, url)
    );
    CREATE INDEX IF NOT EXISTS media_files_by_sha256 ON media_files (sha256);
    """,
]

MEDIA_FILE_COLUMNS = ("url", "media_id", "status", "reason", "sha256", "size", "content_type",
                      "fetched_from", "variant", "etag", "last_modified", "fetched_at")  # fmt: skip
"""Columns of `media_files` besides site_id: what `wpcpd media list` shows."""

PUBLIC_ONLY_TABLES = frozenset({"authors", "posts", "comments", "terms", "media"})
REMOVABLE_TABLES = frozenset({"posts", "comments"})
"""Tables whose rows are marked `removed_at` when the site no longer has them."""


@dataclass
class RunHistory:
    """What `stats` and `check` say about a site's pulls (rows of `pull_runs`)."""

    last_ok: dict[str, Any] | None = None
    last_attempt: dict[str, Any] | None = None
    problems_since_ok: list[dict[str, Any]] = field(default_factory=list)
    """Failed, interrupted or killed runs after the last successful one."""


def process_alive(pid: int | None) -> bool:
    """Whether a process of that id still runs (a kill -9 leaves no other trace)."""
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class SyncSnapshot:
    """The archive's side of an incremental pull: sync state, known ids and counts."""

    state: dict[str, str] = field(default_factory=dict)
    logins: dict[int, str] = field(default_factory=dict)
    terms: dict[tuple[str, int], TermRef] = field(default_factory=dict)
    post_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    """(post type, "any" or "trash") -> count of items not marked removed."""
    comment_counts: dict[str, int] = field(default_factory=dict)


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


@dataclass
class CachedPage:
    url: str
    status: int
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    body: str | None = None
    fetched_at: str = ""


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


def _archive_hint(path: Path) -> str:
    """What to do about a missing archive: pull first, or name the one that is there."""
    folder = path.parent if str(path.parent) else Path(".")
    others = sorted(p.name for p in folder.glob("*.db") if p.name != path.name)[:3]
    if others:
        return f"this folder has {', '.join(others)}: name it with --archive or WPCPD_ARCHIVE"
    return "run 'wpcpd pull' first, or name one with --archive or WPCPD_ARCHIVE"


def default_path() -> Path:
    return Path("wpcpd.db")


def now_iso() -> str:
    return format_gmt(datetime.now(UTC)) or ""


def _hash(values: Iterable[Any]) -> str:
    text = "\x1f".join("\x00" if v is None else str(v) for v in values)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _decoded_json(value: str) -> str | None:
    decoded = decode_meta_value(value)
    return None if decoded is None else json.dumps(decoded, ensure_ascii=False)


class Archive:
    """One SQLite file holding any number of sites."""

    def __init__(self, path: Path | str, *, create: bool = True, read_only: bool = False) -> None:
        """Open (or create) an archive. read_only=True never writes, so that reading works
        on a file or in a folder one cannot write to (a backup disk, a shared copy)."""
        self.path = Path(path)
        self.read_only = read_only
        # Keys of the sites saves have begun, committed or not: what a failed pull was of.
        self.sites_seen: list[str] = []
        if (read_only or not create) and not self.path.exists():
            raise ArchiveError(f"no archive at {self.path} ({_archive_hint(self.path)})")
        if self.path.exists() and not os.access(self.path, os.R_OK):
            raise ArchiveError(f"{self.path}: no permission to read it")
        if not read_only:
            self._check_writable()
        try:
            self.db = self._connect(read_only)
            self.db.execute("PRAGMA foreign_keys = ON")
            if read_only:
                self._check_schema_readable()
            else:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{self.path}: not a usable wpcpd archive ({exc})") from exc

    def _connect(self, read_only: bool) -> sqlite3.Connection:
        if not read_only:
            return sqlite3.connect(self.path, isolation_level=None)
        # Where the folder is read-only SQLite cannot make its -shm file; with no -wal left
        # behind by a writer, the file is then read as immutable.
        folder_writable = os.access(self.path.parent, os.W_OK)
        wal = self.path.with_name(self.path.name + "-wal")
        immutable = not folder_writable and not wal.exists()
        uri = f"{self.path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
        return sqlite3.connect(uri, uri=True, isolation_level=None)

    def _check_writable(self) -> None:
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if self.path.exists() and not os.access(self.path, os.W_OK):
            raise ArchiveError(f"{self.path} is read-only: wpcpd cannot write to it")
        if folder.exists() and not os.access(folder, os.W_OK):
            raise ArchiveError(
                f"the folder {folder} is read-only: wpcpd cannot write the archive there "
                "(reading works; choose another --archive to write)"
            )

    def _check_schema_readable(self) -> None:
        version = self.schema_version
        if version != len(MIGRATIONS):
            newer = version > len(MIGRATIONS)
            advice = "upgrade wpcpd" if newer else "open it once where it can be written to"
            raise ArchiveError(
                f"{self.path} was written by a {'newer' if newer else 'older'} wpcpd (schema "
                f"{version}); {advice}"
            )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise ArchiveError(
                f"{self.path} was written by a newer wpcpd (schema {version}); upgrade wpcpd"
            )
        for number in range(version + 1, len(MIGRATIONS) + 1):
            with self.transaction():
                for statement in _statements(MIGRATIONS[number - 1]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: an exception inside leaves the archive as it was before."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- saving ---------------------------------------------------------------------

    def save(
        self,
        records: Iterable[Record | Control],
        *,
        atomic: bool = True,
        public_only: bool = False,
        on_batch: Callable[[SaveSummary], None] | None = None,
    ) -> SaveSummary:
        """Upsert a source's records, which must start with the `Site` they belong to.

        atomic=True keeps the whole save in one transaction, so input that turns out to be
        broken halfway leaves nothing behind; atomic=False commits after every batch, so
        that long network pulls keep what they fetched when interrupted.
        public_only=True marks records read as a visitor sees them (rendered HTML, no
        e-mail addresses): they never replace a fuller copy already in the archive.
        """
        writer = _BatchWriter(self, SaveSummary(), public_only)
        if atomic:
            with self.transaction():
                writer.consume(records, on_batch)
        else:
            writer.consume(records, on_batch, commit_each_batch=True)
        return writer.summary

    def site_id(self, site: Site, public_only: bool = False) -> int:
        """The site's row id, creating or updating the row (a public-only read never updates
        what a fuller channel wrote: its title and channel may be those of the HTML)."""
        if public_only:
            found = self.db.execute("SELECT id FROM sites WHERE key = ?", (site.key,)).fetchone()
            if found:
                return found[0]
        now = now_iso()
        self.db.execute(
            """INSERT INTO sites (key, url, title, description, language, channel,
                   first_pulled_at, last_pulled_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET url = excluded.url,
                   title = excluded.title, description = excluded.description,
                   language = excluded.language, channel = excluded.channel,
                   last_pulled_at = excluded.last_pulled_at
               WHERE (url, title, description, language, channel)
                   IS NOT (excluded.url, excluded.title, excluded.description,
                           excluded.language, excluded.channel)""",
            (
                site.key,
                site.url,
                site.title,
                site.description,
                site.language,
                site.channel,
                now,
                now,
            ),
        )
        return self.db.execute("SELECT id FROM sites WHERE key = ?", (site.key,)).fetchone()[0]

    # -- pull runs ------------------------------------------------------------------

    def begin_run(self, source: str, site_key_: str | None) -> int:
        """Record that a pull starts, committed at once: a kill leaves it 'running'."""
        cursor = self.db.execute(
            "INSERT INTO pull_runs (site_key, source, started_at, pid) VALUES (?, ?, ?, ?)",
            (site_key_, source, now_iso(), os.getpid()),
        )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run: int, outcome: str, *, channel: str = "", public_only: bool = False,
                   message: str = "") -> None:  # fmt: skip
        """How the pull ended: ok, failed or interrupted, and which site it turned out to be."""
        key = self.sites_seen[0] if self.sites_seen else None
        self.db.execute(
            """UPDATE pull_runs SET finished_at = ?, outcome = ?, channel = ?, public_only = ?,
                   message = ?, site_key = coalesce(?, site_key) WHERE id = ?""",
            (now_iso(), outcome, channel, int(public_only), message[:500], key, run),
        )

    def run_history(self, site_key_: str) -> RunHistory:
        """A site's last successful pull, its last attempt, and what went wrong since."""
        rows = [dict(r) for r in self.query(
            "SELECT * FROM pull_runs WHERE site_key = ? ORDER BY started_at, id", (site_key_,)
        )]  # fmt: skip
        for row in rows:
            if row["outcome"] == "running" and not process_alive(row["pid"]):
                row["outcome"] = "killed"  # ended without a word: kill -9, power loss
        history = RunHistory(last_attempt=rows[-1] if rows else None)
        for row in rows:
            if row["outcome"] == "ok":
                history.last_ok = row
                history.problems_since_ok = []
            elif row["outcome"] != "running":
                history.problems_since_ok.append(row)
        return history

    # -- reading --------------------------------------------------------------------

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        cursor = self.db.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, tuple(params)).fetchall()

    def iter_query(self, sql: str, params: Iterable[Any] = ()) -> Iterator[sqlite3.Row]:
        cursor = self.db.cursor()
        cursor.row_factory = sqlite3.Row
        yield from cursor.execute(sql, tuple(params))

    def sites(self) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM sites ORDER BY id")

    def resolve_site(self, ref: str | None) -> sqlite3.Row | None:
        """A site by key, URL, or number; None for all sites. Unknown references are errors."""
        if ref is None:
            return None
        from wpcpd.model import site_key

        rows = self.query(
            "SELECT * FROM sites WHERE key = ? OR url = ? OR CAST(id AS TEXT) = ?",
            (site_key(ref), ref, ref),
        )
        if not rows:
            known = ", ".join(r["key"] for r in self.sites()) or "none yet"
            raise UsageError(f"no site {ref!r} in the archive (known: {known})")
        return rows[0]

    def site_filter(self, ref: str | None, column: str = "site_id") -> tuple[str, list[Any]]:
        site = self.resolve_site(ref)
        if site is None:
            return "1 = 1", []
        return f"{column} = ?", [site["id"]]

    # -- records back out ------------------------------------------------------------

    def iter_records(self, site_ref: str | None = None) -> Iterator[tuple[str, Record]]:
        """Every record of one site (or all), as (site key, record), in dependency order."""
        site = self.resolve_site(site_ref)
        sites = [site] if site is not None else self.sites()
        for row in sites:
            yield row["key"], _site_from(row)
            for kind in (self._authors, self._terms, self._posts, self._media, self._comments):
                for record in kind(row["id"]):
                    yield row["key"], record

    def _authors(self, site_id: int) -> Iterator[Author]:
        for r in self.iter_query(
            "SELECT * FROM authors WHERE site_id = ? ORDER BY login", [site_id]
        ):
            yield Author(
                r["login"], r["id"], r["email"], r["display_name"], r["first_name"], r["last_name"]
            )

    def _terms(self, site_id: int) -> Iterator[Term]:
        meta = self._grouped_meta("term_meta", "taxonomy || '/' || slug", site_id)
        for r in self.iter_query(
            "SELECT * FROM terms WHERE site_id = ? ORDER BY taxonomy, slug", [site_id]
        ):
            yield Term(
                r["taxonomy"],
                r["slug"],
                r["name"],
                r["id"],
                r["parent"],
                r["description"],
                meta.get(f"{r['taxonomy']}/{r['slug']}", []),
            )

    def _posts(
        self, site_id: int, where: str = "1 = 1", params: Iterable[Any] = ()
    ) -> Iterator[Post]:
        """Posts with their terms and meta, joined by walking three sorted cursors together."""
        query = f"FROM posts WHERE site_id = ? AND {where}"
        args = [site_id, *params]
        terms = _groups(
            self.iter_query(
                f"""SELECT pt.post_id AS owner, pt.taxonomy, pt.slug, t.name FROM post_terms pt
                JOIN terms t USING (site_id, taxonomy, slug)
                WHERE pt.site_id = ? AND pt.post_id IN (SELECT id {query})
                ORDER BY pt.post_id, pt.position""",
                [site_id, *args],
            )
        )
        meta = _groups(
            self.iter_query(
                f"""SELECT post_id AS owner, key, value FROM post_meta
                WHERE site_id = ? AND post_id IN (SELECT id {query})
                ORDER BY post_id, position""",
                [site_id, *args],
            )
        )
        for r in self.iter_query(f"SELECT * {query} ORDER BY id", args):
            post = _post_from(r)
            post.terms = [TermRef(t["taxonomy"], t["slug"], t["name"]) for t in terms.take(post.id)]
            post.meta = [(m["key"], m["value"]) for m in meta.take(post.id)]
            yield post

    def _media(self, site_id: int) -> Iterator[Media]:
        for r in self.iter_query("SELECT * FROM media WHERE site_id = ? ORDER BY id", [site_id]):
            yield Media(r["id"], r["post_id"], r["url"], r["file"], r["mime_type"], r["alt_text"])

    def _comments(
        self, site_id: int, where: str = "1 = 1", params: Iterable[Any] = ()
    ) -> Iterator[Comment]:
        query = f"FROM comments WHERE site_id = ? AND {where}"
        args = [site_id, *params]
        meta = _groups(
            self.iter_query(
                f"""SELECT comment_id AS owner, key, value FROM comment_meta
                WHERE site_id = ? AND comment_id IN (SELECT id {query})
                ORDER BY comment_id, position""",
                [site_id, *args],
            )
        )
        for r in self.iter_query(f"SELECT * {query} ORDER BY id", args):
            comment = _comment_from(r)
            comment.meta = [(m["key"], m["value"]) for m in meta.take(comment.id)]
            yield comment

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

    # -- sync state: what each live channel last saw ------------------------------------

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

    # -- page cache (scraping) ---------------------------------------------------------

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

    # -- remote ids: what was created elsewhere for a local thing --------------------------

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

    # -- media files (the store beside the archive: wpcpd/media.py) ---------------------

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

    # -- reflections (derived from posts; re-derivable at any time) ----------------------

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
        return [(post_id, digest, _hash([terms or ""])) for post_id, digest, terms in rows]

    def posts_by_id(self, site_ref: str, ids: Iterable[int]) -> Iterator[Post]:
        """Some of a site's posts, with their terms and meta, in id order."""
        site = self._resolved(site_ref)
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            yield from self._posts(site["id"], f"id IN ({', '.join('?' * len(chunk))})", chunk)

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

    def _resolved(self, site_ref: str) -> sqlite3.Row:
        site = self.resolve_site(site_ref)
        if site is None:
            raise UsageError("name a site")
        return site

    # -- summaries -------------------------------------------------------------------

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
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"{text!r} is not a date (try 2026-11-24 or 2026-11-24T18:00)") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_gmt(moment) or ""


def _statements(script: str) -> list[str]:
    """Split a migration into statements, since executescript() would commit on its own."""
    statements, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            statements.append("\n".join(current))
            current = []
    return [s for s in statements if s.strip()]


class _BatchWriter:
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
        self.aliases: dict[int | None, _Aliases] = {}

    @property
    def alias(self) -> _Aliases:
        """How the archive knows what the current site's public-only read names otherwise."""
        return self.aliases.setdefault(self.site_id, _Aliases())

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
        self,
        kind: str,
        table: str,
        columns: tuple[str, ...],
        rows: list[tuple[tuple[Any, ...], tuple[Any, ...]]],
    ) -> list[tuple[Any, ...]]:
        """Keep only rows that are new or differ from what is stored; count the outcomes.

        The hash is the last value of each row. A public-only row never replaces a full one:
        that is counted as "kept".
        """
        stored = self._stored_hashes(table, columns, [key for key, _ in rows])
        outcomes: Counter[str] = Counter()
        to_write = []
        guarded = self.public_only and table in PUBLIC_ONLY_TABLES
        for key, values in rows:
            previous = stored.get(key)
            if previous is None:
                outcomes["new"] += 1
            elif guarded and not previous[1]:
                outcomes["kept"] += 1
                continue
            elif previous[0] != values[-1] or previous[2]:
                outcomes["updated"] += 1  # changed, or back on the site after a removal
            else:
                outcomes["unchanged"] += 1
                continue
            to_write.append(values)
        for outcome, n in outcomes.items():
            self.summary.add(kind, outcome, n)
        return to_write

    def _save_authors(self, authors: list[Author]) -> None:
        if not authors:
            return
        if self.public_only:
            authors = self._known_authors(authors)
        rows = []
        for a in _last_by(authors, lambda a: a.login):
            values = (a.login, a.id, a.email, a.display_name, a.first_name, a.last_name)
            rows.append(((a.login,), (self.site_id, *values, self.public_only, _hash(values))))
        self.db.executemany(
            """INSERT INTO authors (site_id, login, id, email, display_name, first_name,
                   last_name, public_only, record_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (site_id, login) DO UPDATE SET id = excluded.id,
                   email = excluded.email, display_name = excluded.display_name,
                   first_name = excluded.first_name, last_name = excluded.last_name,
                   public_only = excluded.public_only, record_hash = excluded.record_hash""",
            self._split("author", "authors", ("login",), rows),
        )

    def _known_authors(self, authors: list[Author]) -> list[Author]:
        """A theme that prints only the author's name gives a public-only read no login: an
        author the archive holds in full under that display name is that author (kept, and
        the read's posts name its login)."""
        stored = {login for (login,) in self.db.execute(
            "SELECT login FROM authors WHERE site_id = ?", (self.site_id,))}  # fmt: skip
        by_name: dict[str, list[str]] = {}
        for login, name in self.db.execute(
            "SELECT login, display_name FROM authors WHERE site_id = ? AND public_only = 0",
            (self.site_id,),
        ):
            by_name.setdefault(_display_key(name), []).append(login)
        unknown = []
        for a in authors:
            same = by_name.get(_display_key(a.display_name or a.login), [])
            if a.login not in stored and len(same) == 1:
                self.alias.logins[a.login] = same[0]
                self.summary.add("author", "kept")
            else:
                unknown.append(a)
        return unknown

    def _save_terms(self, terms: list[Term]) -> None:
        if not terms:
            return
        if self.public_only:
            terms = self._fill_terms(terms)
        rows = []
        by_key = {}
        for t in _last_by(terms, lambda t: (t.taxonomy, t.slug)):
            values = (t.taxonomy, t.slug, t.id, t.name, t.description, t.parent, *_flat(t.meta))
            rows.append(((t.taxonomy, t.slug),
                         (self.site_id, *values[:6], self.public_only, _hash(values))))  # fmt: skip
            by_key[(t.taxonomy, t.slug)] = t
        written = self._split("term", "terms", ("taxonomy", "slug"), rows)
        self.db.executemany(
            """INSERT INTO terms (site_id, taxonomy, slug, id, name, description, parent,
                   public_only, record_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (site_id, taxonomy, slug) DO UPDATE SET id = excluded.id,
                   name = excluded.name, description = excluded.description,
                   parent = excluded.parent, public_only = excluded.public_only,
                   record_hash = excluded.record_hash""",
            written,
        )
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

    def _fill_terms(self, terms: list[Term]) -> list[Term]:
        """A public-only read sees part of a term (a scrape: its name, and its parent where
        the address shows it): what it did not see is never blanked, neither by a later
        sighting in the same read nor in what an earlier public-only read stored. A term
        named by an id the archive holds under another slug (plain permalinks show only
        the id) is that term. A fuller copy is left alone by `_split` ("kept")."""
        ids = sorted({t.id for t in terms if t.id is not None})
        by_id: dict[tuple[str, int], str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for taxonomy, term_id, slug in self.db.execute(
                f"SELECT taxonomy, id, slug FROM terms WHERE site_id = ? "
                f"AND id IN ({', '.join('?' * len(chunk))})",
                [self.site_id, *chunk],
            ):
                by_id[(taxonomy, term_id)] = slug
        merged: dict[tuple[str, str], Term] = {}
        for t in terms:
            slug = by_id.get((t.taxonomy, t.id), t.slug) if t.id is not None else t.slug
            if slug != t.slug:
                self.alias.term_slugs[(t.taxonomy, t.slug)] = slug
            t = replace(t, slug=slug, meta=list(t.meta))
            key = (t.taxonomy, t.slug)
            merged[key] = _fill_blanks(t, merged[key]) if key in merged else t
        keys = list(merged)
        for start in range(0, len(keys), 200):
            chunk = keys[start : start + 200]
            for row in self.db.execute(
                "SELECT taxonomy, slug, id, name, description, parent FROM terms "
                "WHERE site_id = ? AND public_only = 1 AND (taxonomy, slug) IN "
                f"(VALUES {', '.join(['(?, ?)'] * len(chunk))})",
                [self.site_id, *(v for key in chunk for v in key)],
            ):
                stored = Term(row[0], row[1], row[3], row[2], row[5], row[4])
                merged[(row[0], row[1])] = _fill_blanks(merged[(row[0], row[1])], stored)
        return list(merged.values())

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

    def _apply_aliases(self, posts: list[Post], comments: list[Comment],
                       media: list[Media]) -> None:  # fmt: skip
        """A public-only read's records name posts, terms, files and authors as the archive
        knows them (see `_fill_terms`, `_match_media`, `_known_authors`). A post read with
        a stand-in id (its page showed none) is the archived post at its address, as
        `_supersede_scraped` does the other way round."""
        if not self.public_only:
            return
        alias = self.alias
        found = self._archived_posts_at(sorted({p.link for p in posts if p.id < 0 and p.link}))
        alias.post_ids.update({p.id: found[p.link] for p in posts if p.link in found})
        if not (alias.term_slugs or alias.media_ids or alias.logins or alias.post_ids):
            return
        ids = alias.post_ids
        for i, p in enumerate(posts):
            posts[i] = replace(
                p,
                id=ids.get(p.id, p.id),
                terms=[replace(r, slug=alias.term_slugs.get((r.taxonomy, r.slug), r.slug))
                       for r in p.terms],
                featured_media=alias.media_ids.get(p.featured_media, p.featured_media)
                if p.featured_media is not None else None,
                author=alias.logins.get(p.author, p.author),
            )  # fmt: skip
        for i, c in enumerate(comments):
            comments[i] = replace(c, post=ids.get(c.post, c.post))
        for i, m in enumerate(media):
            media[i] = replace(m, post=ids.get(m.post, m.post))

    def _archived_posts_at(self, links: list[str]) -> dict[str, int]:
        """Address -> id of the posts a fuller channel stored at these addresses."""
        found: dict[str, int] = {}
        for start in range(0, len(links), 500):
            chunk = links[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = ("SELECT link, id FROM posts WHERE site_id = ? AND id > 0 "
                   f"AND public_only = 0 AND link IN ({marks})")  # fmt: skip
            found.update(self.db.execute(sql, [self.site_id, *chunk]))
        return found

    def _save_posts(self, posts: list[Post]) -> None:
        if not posts:
            return
        rows = []
        by_id = {}
        for p in _last_by(posts, lambda p: p.id):
            values = _post_values(p)
            digest = _hash((*values, *_flat_terms(p), *_flat(p.meta)))
            rows.append(((p.id,), (self.site_id, *values, *self._provenance(), digest)))
            by_id[p.id] = p
        written = self._split("post", "posts", ("id",), rows)
        self.db.executemany(_POST_UPSERT, written)
        changed = [by_id[row[1]] for row in written]
        if not self.public_only:
            self._supersede_scraped([p.link for p in changed if p.link and p.id > 0])
        self._replace_children(
            "post_terms", "post_id", [p.id for p in changed],
            [(self.site_id, p.id, t.taxonomy, t.slug, i)
             for p in changed for i, t in enumerate(_sorted_terms(p))],
        )  # fmt: skip
        # A channel that cannot see meta (meta None) leaves the archive's meta as it is.
        with_meta = [p for p in changed if p.meta is not None]
        self._replace_children("post_meta", "post_id", [p.id for p in with_meta],
                               _meta_rows(self.site_id, with_meta))  # fmt: skip

    def _save_comments(self, comments: list[Comment]) -> None:
        if not comments:
            return
        rows = []
        by_id = {}
        for c in _last_by(comments, lambda c: c.id):
            values = _comment_values(c)
            digest = _hash((*values, *_flat(c.meta)))
            rows.append(((c.id,), (self.site_id, *values, *self._provenance(), digest)))
            by_id[c.id] = c
        written = self._split("comment", "comments", ("id",), rows)
        self.db.executemany(_COMMENT_UPSERT, written)
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
        rows = []
        unique = _last_by(media, lambda m: m.id)
        for m in unique:
            values = (m.id, m.post, m.url, m.file, m.mime_type, m.alt_text)
            rows.append(((m.id,), (self.site_id, *values, self.public_only, _hash(values))))
        if not self.public_only and self._holds_public_media():
            # The real attachment replaces what a public-only read stored for its file.
            for m in unique:
                for stored_id, public in self._media_rows_of(m):
                    if public and stored_id != m.id:
                        self.db.execute("DELETE FROM media WHERE site_id = ? AND id = ?",
                                        (self.site_id, stored_id))  # fmt: skip
        self.db.executemany(
            """INSERT INTO media (site_id, id, post_id, url, file, mime_type, alt_text,
                   public_only, record_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (site_id, id) DO UPDATE SET post_id = excluded.post_id,
                   url = excluded.url, file = excluded.file, mime_type = excluded.mime_type,
                   alt_text = excluded.alt_text, public_only = excluded.public_only,
                   record_hash = excluded.record_hash""",
            self._split("media", "media", ("id",), rows),
        )

    def _holds_public_media(self) -> bool:
        sql = "SELECT EXISTS (SELECT 1 FROM media WHERE site_id = ? AND public_only = 1)"
        return bool(self.db.execute(sql, (self.site_id,)).fetchone()[0])

    def _match_media(self, media: list[Media]) -> list[Media]:
        """A public-only read knows a file by its address, and often not the attachment's
        id: the file the archive already holds (at any of its sizes) keeps its one row. A
        fuller row is kept as it is; the read's posts name the archive's id for it."""
        if not self.public_only or not media:
            return media
        matched = []
        for m in _last_by(media, lambda m: m.id):
            found = sorted(self._media_rows_of(m), key=lambda row: (row[1], row[0] != m.id))
            if not found or found[0][0] == m.id:
                matched.append(m)  # new, or the same id: `_split` decides
                continue
            stored_id, public = found[0]
            self.alias.media_ids[m.id] = stored_id
            if public:
                matched.append(replace(m, id=stored_id))
            else:
                self.summary.add("media", "kept")
        return matched

    def _media_rows_of(self, m: Media) -> list[tuple[int, int]]:
        """(id, public_only) of the rows this site holds for the file of `m`."""
        files = _upload_variants(m.file or m.url)
        urls = [m.url, m.url.split("?")[0]] if m.url else []
        file_marks, url_marks = ", ".join("?" * len(files)), ", ".join("?" * len(urls))
        found = self.db.execute(
            f"""SELECT id, public_only FROM media WHERE site_id = ?
                AND (id = ? OR file IN ({file_marks}) OR url IN ({url_marks}))""",
            [self.site_id, m.id, *files, *urls],
        ).fetchall()
        return [(row[0], row[1]) for row in found]


POST_COLUMNS = (
    "id", "type", "status", "slug", "title", "content", "excerpt", "date", "date_gmt",
    "modified", "modified_gmt", "author", "parent", "menu_order", "comment_status",
    "ping_status", "sticky", "password_protected", "guid", "link", "mime_type",
    "featured_media", "password",
)  # fmt: skip
COMMENT_COLUMNS = (
    "id", "post_id", "parent", "author_name", "author_email", "author_url", "author_ip",
    "user_id", "date", "date_gmt", "content", "status", "type",
)  # fmt: skip


def _upsert_sql(table: str, columns: tuple[str, ...]) -> str:
    all_columns = ("site_id", *columns, "channel", "pulled_at", "public_only", "record_hash")
    updates = ", ".join(f"{c} = excluded.{c}" for c in all_columns[2:])
    return (
        f"INSERT INTO {table} ({', '.join(all_columns)}, removed_at) "
        f"VALUES ({', '.join('?' * len(all_columns))}, NULL) "
        f"ON CONFLICT (site_id, id) DO UPDATE SET {updates}, removed_at = NULL"
    )


_POST_UPSERT = _upsert_sql("posts", POST_COLUMNS)
_COMMENT_UPSERT = _upsert_sql("comments", COMMENT_COLUMNS)


def _post_values(p: Post) -> tuple[Any, ...]:
    return (
        p.id, p.type, p.status, p.slug, p.title, p.content, p.excerpt,
        format_local(p.date), format_gmt(p.date_gmt), format_local(p.modified),
        format_gmt(p.modified_gmt), p.author, p.parent, p.menu_order, p.comment_status,
        p.ping_status, int(p.sticky), int(p.password_protected), p.guid, p.link, p.mime_type,
        p.featured_media, p.password,
    )  # fmt: skip


def _comment_values(c: Comment) -> tuple[Any, ...]:
    return (
        c.id, c.post, c.parent, c.author_name, c.author_email, c.author_url, c.author_ip,
        c.user_id, format_local(c.date), format_gmt(c.date_gmt), c.content, c.status, c.type,
    )  # fmt: skip


def _meta_rows(site_id: int | None, owners: list[Post] | list[Comment]) -> list[tuple]:
    return [
        (site_id, owner.id, i, key, value, _decoded_json(value))
        for owner in owners
        for i, (key, value) in enumerate(owner.meta or ())
    ]


def _flat(meta: list[Meta] | None) -> list[str]:
    return [part for pair in meta or () for part in pair]


def _sorted_terms(post: Post) -> list[TermRef]:
    """Term order means nothing to WordPress and differs between channels."""
    return sorted(post.terms, key=lambda t: (t.taxonomy, t.slug))


def _flat_terms(post: Post) -> list[str]:
    return [f"{t.taxonomy}:{t.slug}:{t.name}" for t in _sorted_terms(post)]


def _last_by(records: list[Any], key: Callable[[Any], Any]) -> list[Any]:
    """One record per key, the last one winning, as a later line of an export would."""
    return list({key(r): r for r in records}.values())


@dataclass
class _Aliases:
    """What a site's public-only read names otherwise than the archive does."""

    term_slugs: dict[tuple[str, str], str] = field(default_factory=dict)
    """(taxonomy, slug the read guessed) -> the slug the archive holds the term under."""
    media_ids: dict[int, int] = field(default_factory=dict)
    """The read's id for a file -> the id of the archive's row for that file."""
    logins: dict[str, str] = field(default_factory=dict)
    """The read's login for an author (a display name) -> the archive's login."""
    post_ids: dict[int, int] = field(default_factory=dict)
    """A stand-in post id (the page showed none) -> the archived post at that address."""


def _fill_blanks(term: Term, known: Term) -> Term:
    """`term`, with what it leaves empty taken from `known`."""
    return replace(
        term,
        id=known.id if term.id is None else term.id,
        name=term.name or known.name,
        description=term.description or known.description,
        parent=term.parent or known.parent,
        meta=term.meta or list(known.meta),
    )


_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
                              "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
                              "\u2013": "-", "\u2014": "-", "\u00a0": " "})  # fmt: skip


def _display_key(name: str) -> str:
    """A display name as compared across channels: themes print it texturised (curly quotes)
    and escaped; WXR and REST keep it as typed."""
    text = html.unescape(name).translate(_TYPOGRAPHIC).replace("\u2026", "...")
    return " ".join(text.split()).casefold()


_SIZE_SUFFIX = re.compile(r"-(?:\d+x\d+|scaled|rotated)$")


def _upload_variants(address: str) -> list[str]:
    """The names an uploaded file is stored under (`media.file`, relative to the uploads
    folder), whichever size of it an address shows: "2023/01/a-300x200.jpg" is a size of
    "2023/01/a.jpg", which WordPress may keep as "a-scaled.jpg" or "a-rotated.jpg"."""
    path = urlsplit(address).path if "://" in address else address.split("?")[0]
    path = unquote(path).split("/wp-content/uploads/")[-1].lstrip("/")
    folder, _, name = path.rpartition("/")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if not stem:
        return []
    core = stem
    while _SIZE_SUFFIX.search(core):
        core = _SIZE_SUFFIX.sub("", core)
    names = dict.fromkeys([stem, core, f"{core}-scaled", f"{core}-rotated"])
    prefix = f"{folder}/" if folder else ""
    return [f"{prefix}{n}{dot}{extension}" for n in names]


class _groups:
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


def _site_from(r: sqlite3.Row) -> Site:
    return Site(r["key"], r["url"], r["title"], r["description"], r["language"], r["channel"])


def _post_from(r: sqlite3.Row) -> Post:
    return Post(
        id=r["id"],
        type=r["type"],
        status=r["status"],
        slug=r["slug"],
        title=r["title"],
        content=r["content"],
        excerpt=r["excerpt"],
        date=parse_local(r["date"]),
        date_gmt=parse_gmt(r["date_gmt"]),
        modified=parse_local(r["modified"]),
        modified_gmt=parse_gmt(r["modified_gmt"]),
        author=r["author"],
        parent=r["parent"],
        menu_order=r["menu_order"],
        comment_status=r["comment_status"],
        ping_status=r["ping_status"],
        sticky=bool(r["sticky"]),
        password_protected=bool(r["password_protected"]),
        guid=r["guid"],
        link=r["link"],
        mime_type=r["mime_type"],
        featured_media=r["featured_media"],
        password=r["password"],
    )


def _comment_from(r: sqlite3.Row) -> Comment:
    return Comment(
        id=r["id"],
        post=r["post_id"],
        parent=r["parent"],
        author_name=r["author_name"],
        author_email=r["author_email"],
        author_url=r["author_url"],
        author_ip=r["author_ip"],
        user_id=r["user_id"],
        date=parse_local(r["date"]),
        date_gmt=parse_gmt(r["date_gmt"]),
        content=r["content"],
        status=r["status"],
        type=r["type"],
    )
