"""The archive's tables: the history of migrations every archive file went through, and the
step that brings a file up to date (and adds the columns the model's descriptions name).

MIGRATIONS is history: an archive at schema N has run exactly the first N of them, so a
released migration is never edited, only followed by a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from wpcpd.errors import ArchiveError
from wpcpd.model import RECORD_SPECS

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
    # 9: full-text search (filled once by fts.rebuild as this migration runs; the writer
    # keeps it in step), views that show posts, comments and authors without their secrets
    # (a post's password, e-mail addresses, IPs) for Datasette, and which action of a
    # reflection a later post followed up, as `wpcpd datasette` last found.
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(
        title, content, excerpt, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE IF NOT EXISTS comments_fts USING fts5(
        author_name, content, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER IF NOT EXISTS posts_fts_delete AFTER DELETE ON posts BEGIN
        DELETE FROM posts_fts WHERE rowid = old.rowid;
    END;
    CREATE TRIGGER IF NOT EXISTS comments_fts_delete AFTER DELETE ON comments BEGIN
        DELETE FROM comments_fts WHERE rowid = old.rowid;
    END;
    CREATE VIEW IF NOT EXISTS posts_browse AS
        SELECT rowid, site_id, id, type, status, slug, title, content, excerpt, date,
            date_gmt, modified, modified_gmt, author, parent, menu_order, comment_status,
            ping_status, sticky, password_protected, guid, link, mime_type, featured_media,
            channel, pulled_at, removed_at, public_only
        FROM posts;
    CREATE VIEW IF NOT EXISTS comments_browse AS
        SELECT rowid, site_id, id, post_id, parent, author_name, author_url, user_id, date,
            date_gmt, content, status, type, channel, pulled_at, removed_at, public_only
        FROM comments;
    CREATE VIEW IF NOT EXISTS authors_browse AS
        SELECT site_id, login, id, display_name, first_name, last_name, public_only
        FROM authors;
    CREATE TABLE IF NOT EXISTS action_follow_ups (
        site_id INTEGER NOT NULL,
        post_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        action TEXT NOT NULL,
        followed_up_in INTEGER,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (site_id, post_id, position),
        FOREIGN KEY (site_id, post_id) REFERENCES posts ON DELETE CASCADE
    );
    """,
    # 10: history. WordPress gives comments no modified date, and a pull used to overwrite a
    # post's or comment's text in place: the version a pull replaces is kept here instead
    # (its text, the hash of the whole record it belonged to, when it was read, and when and
    # by which pull run it was replaced), so that nothing once backed up is lost.
    """
    CREATE TABLE IF NOT EXISTS post_revisions (
        site_id INTEGER NOT NULL,
        post_id INTEGER NOT NULL,
        number INTEGER NOT NULL,
        status TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        content TEXT NOT NULL DEFAULT '',
        excerpt TEXT NOT NULL DEFAULT '',
        modified TEXT,
        modified_gmt TEXT,
        channel TEXT NOT NULL DEFAULT '',
        public_only INTEGER NOT NULL DEFAULT 0,
        pulled_at TEXT NOT NULL,
        record_hash TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        replaced_by_run INTEGER,
        PRIMARY KEY (site_id, post_id, number),
        FOREIGN KEY (site_id, post_id) REFERENCES posts ON DELETE CASCADE
    );
    CREATE TABLE IF NOT EXISTS comment_revisions (
        site_id INTEGER NOT NULL,
        comment_id INTEGER NOT NULL,
        number INTEGER NOT NULL,
        post_id INTEGER NOT NULL,
        status TEXT NOT NULL,
        author_name TEXT NOT NULL DEFAULT '',
        content TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL DEFAULT '',
        public_only INTEGER NOT NULL DEFAULT 0,
        pulled_at TEXT NOT NULL,
        record_hash TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        replaced_by_run INTEGER,
        PRIMARY KEY (site_id, comment_id, number),
        FOREIGN KEY (site_id, comment_id) REFERENCES comments ON DELETE CASCADE
    );
    """,
]

HISTORY_MIGRATION = 10
"""The first schema with post_revisions and comment_revisions: older files, opened read-only,
have no history to show."""

READABLE_FROM = 8
"""The oldest schema reading commands still open read-only: migration 9 adds only what can be
made again (the search index, views, follow-ups), and `wpcpd search` says how to get it."""

PUBLIC_ONLY_TABLES = frozenset({"authors", "posts", "comments", "terms", "media"})
REMOVABLE_TABLES = frozenset({"posts", "comments"})
"""Tables whose rows are marked `removed_at` when the site no longer has them."""


def migrate(
    db: sqlite3.Connection,
    path: Path,
    transaction: Callable[[], AbstractContextManager[None]],
    fills: dict[int, Callable[[sqlite3.Connection], object]] | None = None,
) -> None:
    """Run the migrations the file has not had, each in its own transaction, then add any
    column a record description names that its table lacks. `fills[N]` runs in migration
    N's transaction, after its SQL: what Python must compute (the search index's text)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise ArchiveError(f"{path} was written by a newer wpcpd (schema {version}); upgrade wpcpd")
    for number in range(version + 1, len(MIGRATIONS) + 1):
        with transaction():
            for statement in statements(MIGRATIONS[number - 1]):
                db.execute(statement)
            if fills and number in fills:
                fills[number](db)
            db.execute(f"PRAGMA user_version = {number}")
    missing = missing_columns(db)
    if missing:
        with transaction():
            for statement in missing:
                db.execute(statement)


def missing_columns(db: sqlite3.Connection) -> list[str]:
    """`ALTER TABLE ... ADD COLUMN` for each described column its table does not have yet:
    how a field added to a record description (wpcpd.model) gets its column, with no
    migration to write. None today: the migrations made every described column."""
    found = []
    for spec in RECORD_SPECS.values():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({spec.table})")}
        for field in spec.columns:
            if field.column_name not in have:
                found.append(f"ALTER TABLE {spec.table} ADD COLUMN {field.column_name} {field.sql}")
    return found


def statements(script: str) -> list[str]:
    """Split a migration into statements, since executescript() would commit on its own. A
    trigger's body has statements of its own: it ends at its `END;`."""
    found, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        current.append(line)
        trigger = "\n".join(current).lstrip().upper().startswith("CREATE TRIGGER")
        if line.rstrip().endswith(";") and (not trigger or line.strip().upper() == "END;"):
            found.append("\n".join(current))
            current = []
    return [s for s in found if s.strip()]
