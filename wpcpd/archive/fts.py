"""The full-text index: `posts_fts` (title, content, excerpt) and `comments_fts` (author_name,
content), SQLite FTS5 tables holding each row's text without its HTML, keyed by the rowid of
the row in `posts` or `comments`.

The writer keeps them in step, in the transaction of the write itself (`index_posts`,
`index_comments` after each batch's upserts): stripping HTML needs Python, and a trigger
calling a Python function would break every other program that writes the file. Deletes are
plain SQL triggers, so a row deleted by anything (sqlite3, a cascade from `sites`) leaves the
index too. A post or comment marked removed stays indexed: it is still in the backup.

The rowids of `posts` and `comments` (tables without an INTEGER PRIMARY KEY) survive upserts,
VACUUM and `.backup`; a copy rebuilt from `sqlite3 .dump` may number rows afresh, and
`wpcpd search --reindex` then makes the index match again.

Other programs read the index as any FTS5 table (Datasette's `_search`, `sqlite3`):

    SELECT p.title FROM posts_fts JOIN posts p ON p.rowid = posts_fts.rowid
    WHERE posts_fts MATCH 'reflective practice' ORDER BY rank
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from wpcpd.archive.schema import MIGRATIONS, statements

FTS_TABLES = ("posts_fts", "comments_fts")
SEARCH_MIGRATION = 9
"""The migration that made the index (schema.py): its tables and triggers are made again by
`rebuild` when something dropped them."""

# WordPress shortcodes are markup, not words: `[caption id="…"]` would otherwise be found
# by "caption" and fill snippets. Only WordPress's own and the common embeds: `[sic]` stays.
_SHORTCODE = re.compile(
    r"\[/?(?:caption|wp_caption|gallery|embed|audio|video|playlist|youtube|vimeo|slideshare"
    r"|googleapps|soundcloud|code|sourcecode|source|latex)\b[^\]]*\]",
    re.IGNORECASE,
)
_CHUNK = 500


_MARKUP = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<[^>]*>", re.DOTALL | re.IGNORECASE)


def plain(markup: str) -> str:
    """The words of stored HTML, as the index holds them: tags, block-editor comments,
    scripts and shortcodes gone, entities decoded, spacing left as it was (snippets are
    put on one line when shown). Not `wpcpd.text.html_to_text`, which keeps paragraphs for
    reading and parses the HTML: three times slower, and pulls and the migration run this
    on every post and comment."""
    text = _SHORTCODE.sub(" ", markup) if "[" in markup else markup
    if "<" in text:
        text = _MARKUP.sub(" ", text)
    return html.unescape(text) if "&" in text else text


def has_index(db: sqlite3.Connection) -> bool:
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return all(name in names for name in FTS_TABLES)


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


INDEXED = {"posts": "title, content, excerpt", "comments": "author_name, content"}
"""Each indexed table's columns; its index is the table named `<table>_fts`."""


def index_posts(db: sqlite3.Connection, site_id: int | None, ids: Iterable[int]) -> None:
    """(Re)index these posts of a site from their stored rows."""
    _index(db, "posts", site_id, ids)


def index_comments(db: sqlite3.Connection, site_id: int | None, ids: Iterable[int]) -> None:
    """(Re)index these comments of a site from their stored rows."""
    _index(db, "comments", site_id, ids)


def _index(db: sqlite3.Connection, table: str, site_id: int | None, ids: Iterable[int]) -> None:
    for chunk in _chunks(list(ids)):
        rows = db.execute(
            f"SELECT rowid, {INDEXED[table]} FROM {table} "
            f"WHERE site_id = ? AND id IN ({', '.join('?' * len(chunk))})",
            [site_id, *chunk],
        ).fetchall()
        _replace(db, f"{table}_fts", INDEXED[table], rows)


def _replace(db: sqlite3.Connection, table: str, columns: str, rows: list[Any]) -> None:
    """Each row's entry swapped for its text now: FTS5 has no upsert, so delete, then insert."""
    if not rows:
        return
    db.executemany(f"DELETE FROM {table} WHERE rowid = ?", [(row[0],) for row in rows])
    marks = ", ".join("?" * len(rows[0]))
    db.executemany(
        f"INSERT INTO {table} (rowid, {columns}) VALUES ({marks})",
        [(row[0], *(plain(value) for value in row[1:])) for row in rows],
    )


def rebuild(db: sqlite3.Connection) -> tuple[int, int]:
    """The whole index made again from every post and comment (inside the caller's
    transaction): the migration that indexes an existing archive, and `search --reindex`.
    Returns (posts, comments) indexed."""
    for statement in statements(MIGRATIONS[SEARCH_MIGRATION - 1]):
        if "_fts" in statement:  # the tables and triggers, not the views beside them
            db.execute(statement)
    db.execute("DELETE FROM posts_fts")
    db.execute("DELETE FROM comments_fts")
    counts = []
    for table, columns in INDEXED.items():
        fts = f"{table}_fts"
        cursor = db.execute(f"SELECT rowid, {columns} FROM {table} ORDER BY rowid")
        count = 0
        while rows := cursor.fetchmany(_CHUNK):
            marks = ", ".join("?" * len(rows[0]))
            db.executemany(
                f"INSERT INTO {fts} (rowid, {columns}) VALUES ({marks})",
                [(row[0], *(plain(value) for value in row[1:])) for row in rows],
            )
            count += len(rows)
        counts.append(count)
    db.execute("INSERT INTO posts_fts (posts_fts) VALUES ('optimize')")
    db.execute("INSERT INTO comments_fts (comments_fts) VALUES ('optimize')")
    return counts[0], counts[1]
