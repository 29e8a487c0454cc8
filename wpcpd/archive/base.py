"""Opening an archive file and reading it by plain SQL: what every part of `Archive` uses."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from wpcpd.archive import fts
from wpcpd.archive.schema import MIGRATIONS, READABLE_FROM, migrate, missing_columns
from wpcpd.errors import ArchiveError, UsageError
from wpcpd.model import site_key


def default_path() -> Path:
    return Path("wpcpd.db")


def _archive_hint(path: Path) -> str:
    """What to do about a missing archive: pull first, or name the one that is there."""
    folder = path.parent if str(path.parent) else Path(".")
    others = sorted(p.name for p in folder.glob("*.db") if p.name != path.name)[:3]
    if others:
        return f"this folder has {', '.join(others)}: name it with --archive or WPCPD_ARCHIVE"
    return "run 'wpcpd pull' first, or name one with --archive or WPCPD_ARCHIVE"


class ArchiveBase:
    """One SQLite file holding any number of sites: the connection, its transactions, and
    finding a site."""

    def __init__(self, path: Path | str, *, create: bool = True, read_only: bool = False) -> None:
        """Open (or create) an archive. read_only=True never writes, so that reading works
        on a file or in a folder one cannot write to (a backup disk, a shared copy)."""
        self.path = Path(path)
        self.read_only = read_only
        # Keys of the sites saves have begun, committed or not: what a failed pull was of.
        self.sites_seen: list[str] = []
        self.current_run: int | None = None
        """The `pull_runs` id of the pull writing now: revisions say which run replaced them."""
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
                migrate(self.db, self.path, self.transaction,
                        {fts.SEARCH_MIGRATION: fts.rebuild})  # fmt: skip
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
        readable = READABLE_FROM <= version <= len(MIGRATIONS)
        if not readable or missing_columns(self.db):
            newer = version > len(MIGRATIONS)
            advice = "upgrade wpcpd" if newer else "open it once where it can be written to"
            raise ArchiveError(
                f"{self.path} was written by a {'newer' if newer else 'older'} wpcpd (schema "
                f"{version}); {advice}"
            )

    def close(self) -> None:
        self.db.close()

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

    # -- reading by SQL -------------------------------------------------------------------

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

    def _resolved(self, site_ref: str) -> sqlite3.Row:
        site = self.resolve_site(site_ref)
        if site is None:
            raise UsageError("name a site")
        return site
