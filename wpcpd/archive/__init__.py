"""The SQLite archive: the only package that speaks SQL.

Tables are named plainly (sites, authors, terms, posts, post_terms, post_meta, comments,
comment_meta, media) so that `sqlite3` and Datasette users can read them. Records are keyed
by (site, source id). Every row carries a hash of its content, so saving an unchanged record
writes nothing, and a re-pull of the same export leaves the file as it was.

`Archive` is the façade; its parts live by job: schema.py (tables, migrations), columns.py
(what the model's record descriptions become in SQL), writer.py and public_only.py (saving),
reader.py (records back out), runs.py, sync.py, remote_ids.py, media_files.py,
reflections.py and listings.py (the other tables), history.py (earlier versions of
posts and comments), fts.py and search.py (the full-text index
and searching it), media_store.py (the files beside the archive) and health.py (what
`wpcpd check` reports).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from wpcpd.archive.base import default_path
from wpcpd.archive.history import History
from wpcpd.archive.listings import Listings
from wpcpd.archive.media_files import MEDIA_FILE_COLUMNS, MediaFiles
from wpcpd.archive.reader import RecordReader
from wpcpd.archive.reflections import ReflectionCheck, Reflections
from wpcpd.archive.remote_ids import RemoteId, RemoteIds
from wpcpd.archive.runs import PullRuns, RunHistory, process_alive
from wpcpd.archive.schema import MIGRATIONS, PUBLIC_ONLY_TABLES, REMOVABLE_TABLES
from wpcpd.archive.search import Search
from wpcpd.archive.sync import SyncSnapshot, SyncState
from wpcpd.archive.writer import BATCH_SIZE, SaveSummary, _BatchWriter, save_site
from wpcpd.model import CachedPage, Control, Record, Site, now_iso

__all__ = [
    "BATCH_SIZE", "MEDIA_FILE_COLUMNS", "MIGRATIONS", "PUBLIC_ONLY_TABLES", "REMOVABLE_TABLES",
    "Archive", "CachedPage", "ReflectionCheck", "RemoteId", "RunHistory", "SaveSummary",
    "SyncSnapshot", "default_path", "now_iso", "process_alive",
]  # fmt: skip


class Archive(
    Reflections,
    RecordReader,
    Listings,
    PullRuns,
    SyncState,
    RemoteIds,
    MediaFiles,
    Search,
    History,
):
    """One SQLite file holding any number of sites (see the parts it is made of above)."""

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        return save_site(self.db, site, public_only)
