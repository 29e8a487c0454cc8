"""The archive: upserts keyed by source id, all-or-nothing saves, schema versions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import archive_dump as dump

from wpcpd.archive import MIGRATIONS, Archive, CachedPage, RemoteId
from wpcpd.errors import ArchiveError, UsageError
from wpcpd.model import Comment, Post, Reconcile, Record, Site
from wpcpd.sources.wxr import read_wxr

FIXTURES = Path(__file__).parent.parent / "fixtures" / "wxr"
EDGE = FIXTURES / "edge-1.2.xml"


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "wpcpd.db") as opened:
        yield opened


def test_pulling_the_same_export_twice_changes_and_duplicates_nothing(archive: Archive) -> None:
    first = archive.save(read_wxr(EDGE))
    before = dump(archive.path)
    second = archive.save(read_wxr(EDGE))
    assert first.total("new") == 16
    assert second.total("new") == 0 and second.total("updated") == 0
    assert second.total("unchanged") == first.total("new")
    assert dump(archive.path) == before


def test_a_newer_export_updates_changed_posts_and_adds_new_comments(archive: Archive) -> None:
    archive.save(read_wxr(EDGE))
    newer = []
    for record in read_wxr(EDGE):
        if isinstance(record, Post) and record.id == 10:
            record = replace(record, title="Thing 1, revised")
        newer.append(record)
    newer.append(Comment(id=105, post=10, parent=102, author_name="Late", content="Catching up"))
    summary = archive.save(iter(newer))
    assert summary.counts["post"]["updated"] == 1
    assert summary.counts["comment"]["new"] == 1
    assert summary.counts["comment"]["unchanged"] == 5
    titles = {r["id"]: r["title"] for r in archive.list_posts()}
    assert titles[10] == "Thing 1, revised"
    assert len(archive.comments_of("edge.example.org/cpd", 10)) == 6


def test_a_failure_halfway_leaves_the_archive_as_it_was(archive: Archive) -> None:
    archive.save(read_wxr(FIXTURES / "old-1.0.xml"))
    before = dump(archive.path)

    def breaks_after_some() -> Iterator[Record]:
        for number, record in enumerate(read_wxr(EDGE)):
            if number == 12:
                raise RuntimeError("disk pulled out")
            yield record

    with pytest.raises(RuntimeError):
        archive.save(breaks_after_some())
    assert dump(archive.path) == before


def test_non_atomic_saves_keep_every_committed_batch(archive: Archive) -> None:
    def comments() -> Iterator[Record]:
        yield Site("live.example.org", "https://live.example.org")
        for n in range(1, 1201):
            yield Comment(id=n, post=1, content=f"comment {n}")
        raise ConnectionError("network lost")

    with pytest.raises(ConnectionError):
        archive.save(comments(), atomic=False)
    kept = archive.query("SELECT count(*) FROM comments")[0][0]
    assert kept == 1000  # two full batches of 500 committed; the unfinished one rolled back


def test_several_sites_live_in_one_archive_and_are_named_by_key_or_url(archive: Archive) -> None:
    archive.save(read_wxr(EDGE))
    archive.save(read_wxr(FIXTURES / "old-1.0.xml"))
    assert [s["key"] for s in archive.sites()] == ["edge.example.org/cpd", "old.example.org"]
    assert archive.resolve_site("https://old.example.org/")["key"] == "old.example.org"
    assert archive.stats("old.example.org")["posts"] == {"post": {"publish": 2}}
    with pytest.raises(UsageError, match=r"no site 'nowhere\.example'"):
        archive.resolve_site("nowhere.example")


def test_records_read_back_equal_what_was_saved(archive: Archive) -> None:
    saved = [r for r in read_wxr(EDGE) if isinstance(r, Post | Comment)]
    for record in saved:
        if isinstance(record, Post):  # terms come back in (taxonomy, slug) order
            record.terms.sort(key=lambda t: (t.taxonomy, t.slug))
    archive.save(read_wxr(EDGE))
    read_back = [r for _, r in archive.iter_records() if isinstance(r, Post | Comment)]
    key = lambda r: (type(r).__name__, r.id)  # noqa: E731
    assert sorted(read_back, key=key) == sorted(saved, key=key)


def test_meta_decoded_column_holds_json_for_serialised_values(archive: Archive) -> None:
    archive.save(read_wxr(EDGE))
    row = archive.query("SELECT value, decoded FROM post_meta WHERE key = 'prompts'")[0]
    assert row["value"].startswith("a:2:{")
    assert row["decoded"] == '{"0": "What did I ?", "café": {"x": 7}}'


def test_an_archive_from_a_newer_wpcpd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(ArchiveError, match="newer wpcpd"):
        Archive(path)


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(ArchiveError, match="not a usable wpcpd archive"):
        Archive(path)
    assert path.read_text().startswith("these are my notes")


def test_missing_archive_is_not_created_by_readers(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no archive at"):
        Archive(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


def test_sync_state_page_cache_and_remote_ids_round_trip(archive: Archive) -> None:
    archive.save(read_wxr(EDGE))
    archive.set_sync_value("edge.example.org/cpd", "rest", "posts_modified_gmt", "2011-08-16")
    archive.set_sync_value("edge.example.org/cpd", "rest", "posts_modified_gmt", "2011-08-17")
    assert archive.sync_value("edge.example.org/cpd", "rest", "posts_modified_gmt") == "2011-08-17"
    assert archive.sync_value("edge.example.org/cpd", "xmlrpc", "posts_modified_gmt") is None

    page = CachedPage("https://edge.example.org/cpd/thing-1/", 200, "text/html", 'W/"1"', "",
                      "<html>é</html>")  # fmt: skip
    archive.store_page(page)
    cached = archive.cached_page(page.url)
    assert cached is not None and cached.body == "<html>é</html>" and cached.etag == 'W/"1"'

    remote = RemoteId("post", "edge.example.org/cpd", "10", "new.example.org", 501, "https://x")
    archive.set_remote_id(remote)
    archive.set_remote_id(RemoteId("post", "edge.example.org/cpd", "10", "new.example.org", 502))
    found = archive.remote_id("post", "edge.example.org/cpd", "10", "new.example.org")
    assert found is not None and found.target_id == 502
    assert len(archive.remote_ids("post", "edge.example.org/cpd", "new.example.org")) == 1


def test_a_real_post_supersedes_a_scraped_stand_in_at_the_same_address(
    archive: Archive,
) -> None:
    site = Site("old.example.org", "http://old.example.org", channel="scrape")
    link = "http://old.example.org/2008/04/01/thing-8/"
    stand_in = Post(id=-987654, title="Thing 8: RSS feeds", link=link)
    archive.save([site, stand_in], public_only=True)
    archive.save(read_wxr(FIXTURES / "old-1.0.xml"))
    rows = {r["id"]: r["removed_at"] for r in archive.query("SELECT id, removed_at FROM posts")}
    assert rows[3] is None  # the real post, id 3, at the same address
    assert rows[-987654] is not None


def test_a_post_back_on_the_site_unchanged_is_no_longer_marked_removed(archive: Archive) -> None:
    site = Site("blog.example.org", "https://blog.example.org")
    post, comment = Post(id=7, title="Back again"), Comment(id=70, post=7, content="Hi")
    archive.save(iter([site, post, comment]))
    archive.save(iter([site, Reconcile("post", set()), Reconcile("comment", set())]))
    assert archive.query("SELECT count(*) FROM posts WHERE removed_at IS NOT NULL")[0][0] == 1
    summary = archive.save(iter([site, post, comment]))  # the same records, unchanged
    assert summary.counts["post"]["updated"] == 1 and summary.counts["comment"]["updated"] == 1
    for table in ("posts", "comments"):
        assert archive.query(f"SELECT count(*) FROM {table} WHERE removed_at IS NULL")[0][0] == 1
