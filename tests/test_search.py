"""Full-text search: the index kept in step with what pulls write (inserts, updates,
removals, deletes by another program), the migration that indexes an older archive, and
`wpcpd search` at a terminal, piped and with --json."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from clirun import MODES, assert_clean, cli_env, plain, run_cli

from wpcpd.archive import MIGRATIONS, Archive
from wpcpd.errors import ArchiveError, UsageError
from wpcpd.model import Reconcile, Site
from wpcpd.sources.wxr import read_wxr

SAMPLE = Path(__file__).parent.parent / "fixtures" / "sample-cpd23.xml"
SITE_KEY = "cpd23.example.org"


def pull(archive: Archive, export: Path) -> None:
    archive.save(read_wxr(export))


def found(archive: Archive, query: str, kind: str | None = None) -> set[tuple[str, int, int]]:
    """(kind, post id, comment id or 0) of every match."""
    return {(r["kind"], r["post"], r["comment"] or 0)
            for r in archive.search(query, kind=kind, limit=100)}  # fmt: skip


def changed_sample(tmp_path: Path) -> Path:
    """The sample with one post's action and one held comment reworded."""
    text = SAMPLE.read_text(encoding="utf-8")
    words = [("prune the feeds I never read", "zeppelin the feeds I never read"),
             ("the link to the course page", "the link to the quokka syllabus")]  # fmt: skip
    for old, new in words:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    out = tmp_path / "changed.xml"
    out.write_text(text, encoding="utf-8")
    return out


def test_the_index_follows_inserts_updates_removals_and_deletes(tmp_path: Path) -> None:
    with Archive(tmp_path / "wpcpd.db") as archive:
        pull(archive, SAMPLE)
        assert found(archive, "prune") == {("post", 5, 0)}
        assert found(archive, "course page", "comment") == {("comment", 4, 5)}
        assert found(archive, "zeppelin OR quokka") == set()

        pull(archive, changed_sample(tmp_path))  # updates: the old words leave the index
        assert found(archive, "prune") == set()
        assert found(archive, "zeppelin") == {("post", 5, 0)}
        assert found(archive, "quokka syllabus") == {("comment", 4, 5)}
        assert found(archive, '"course page"') == set()

        # Marked removed (the site no longer has it): still found, and said so.
        site = Site(url="https://cpd23.example.org", key=SITE_KEY)
        kept = {r["id"] for r in archive.query("SELECT id FROM posts WHERE type = 'post'")}
        archive.save([site, Reconcile("post", kept - {5}, "post")])
        (match,) = archive.search("zeppelin")
        assert match["removed"] and match["removed_at"]

    # Deleted by another program (plain sqlite3, no wpcpd code): gone from the index too.
    db = sqlite3.connect(tmp_path / "wpcpd.db")
    with db:
        db.execute("DELETE FROM posts WHERE id = 5")
        db.execute("DELETE FROM comments WHERE id = 5")
    entries = db.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'zeppelin'")
    assert entries.fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'quokka'"
                      ).fetchone()[0] == 0  # fmt: skip
    counts = db.execute(
        "SELECT (SELECT count(*) FROM posts) - (SELECT count(*) FROM posts_fts),"
        " (SELECT count(*) FROM comments) - (SELECT count(*) FROM comments_fts)"
    )
    assert counts.fetchone() == (0, 0)  # fmt: skip
    db.close()


def test_a_failed_pull_leaves_the_index_as_it_was(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    text = changed_sample(tmp_path).read_text(encoding="utf-8")
    broken.write_text(text[: int(len(text) * 0.9)], encoding="utf-8")  # cut off mid-file
    with Archive(tmp_path / "wpcpd.db") as archive:
        pull(archive, SAMPLE)
        with pytest.raises(Exception):  # noqa: B017 (whatever the parser says)
            pull(archive, broken)
        assert found(archive, "prune") == {("post", 5, 0)}
        assert found(archive, "zeppelin") == set()


def test_the_index_holds_words_not_markup(tmp_path: Path) -> None:
    with Archive(tmp_path / "wpcpd.db") as archive:
        pull(archive, SAMPLE)
        assert found(archive, "strong") == set()  # <strong>, not a word of any post
        assert ("post", 5, 0) in found(archive, "action")  # what <strong> held
        assert ("post", 6, 0) in found(archive, "reflexion")  # "Réflexion": accents ignored
        (match,) = archive.search("prune")
        assert "**prune**" in match["snippet"] and "<" not in match["snippet"]


def as_schema_8(path: Path) -> None:
    """What the previous wpcpd left: migration 9's tables, triggers and views absent."""
    db = sqlite3.connect(path, isolation_level=None)
    for kind, names in (("TRIGGER", ("posts_fts_delete", "comments_fts_delete")),
                        ("VIEW", ("posts_browse", "comments_browse", "authors_browse")),
                        ("TABLE", ("posts_fts", "comments_fts", "action_follow_ups"))):  # fmt: skip
        for name in names:
            db.execute(f"DROP {kind} {name}")
    db.execute("PRAGMA user_version = 8")
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert not any("fts" in name or "browse" in name for name in names), names
    db.close()


def test_an_older_archive_is_indexed_once_when_opened_writable(tmp_path: Path) -> None:
    path = tmp_path / "wpcpd.db"
    with Archive(path) as archive:
        pull(archive, SAMPLE)
    as_schema_8(path)

    with Archive(path, read_only=True) as archive:  # a backup disk: reading still works
        assert archive.list_posts(limit=1)
        with pytest.raises(ArchiveError, match=r"no search index yet.*--reindex"):
            archive.search("prune")

    with Archive(path) as archive:  # writable: migration 9 indexes what is there
        assert archive.schema_version == len(MIGRATIONS)  # 9 and those after it
        assert found(archive, "prune") == {("post", 5, 0)}
        assert found(archive, "course page", "comment") == {("comment", 4, 5)}
        indexed = archive.query("SELECT (SELECT count(*) FROM posts_fts) AS p, "
                                "(SELECT count(*) FROM comments_fts) AS c")[0]  # fmt: skip
        assert (indexed["p"], indexed["c"]) == (17, 10)


def test_reindex_makes_the_index_again(tmp_path: Path) -> None:
    path = tmp_path / "wpcpd.db"
    with Archive(path) as archive:
        pull(archive, SAMPLE)
        archive.db.execute("DELETE FROM posts_fts")
        assert found(archive, "prune") == set()
        assert archive.reindex() == (17, 10)
        assert found(archive, "prune") == {("post", 5, 0)}


def test_a_query_fts_cannot_read_is_a_usage_error(tmp_path: Path) -> None:
    with Archive(tmp_path / "wpcpd.db") as archive:
        pull(archive, SAMPLE)
        for query in ('"unbalanced', "AND", "nosuchcolumn:word", "   "):
            with pytest.raises(UsageError):
                archive.search(query)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("search")
    done = run_cli(["pull", str(SAMPLE)], cli_env(home))
    assert done.code == 0, done.text
    return home


@pytest.mark.parametrize("mode", MODES)
def test_search_prints_ranked_matches_with_the_ids_show_takes(demo: Path, mode: str) -> None:
    run = run_cli(["search", "reflective practice"], cli_env(demo), mode)
    assert_clean(run, mode)
    if mode == "json":
        rows = [json.loads(line) for line in run.out.splitlines()]
        assert [(r["kind"], r["post"]) for r in rows] == [("post", 6)]
        assert "**reflective** **practice**" in rows[0]["snippet"]
        assert rows[0]["status"] == "publish" and rows[0]["removed"] is False
    elif mode == "piped":
        header, *lines = run.out.splitlines()
        assert header.split("\t") == ["site", "kind", "post", "comment", "status", "date",
                                      "title", "snippet"]  # fmt: skip
        assert [line.split("\t")[:5] for line in lines] == [[SITE_KEY, "post", "6", "", "publish"]]
    else:
        screen = plain(run.out)
        assert screen.startswith("post 6 · Réflexion") and "\t" not in screen
        assert "**" not in screen and "\x1b[1mreflective" in run.out  # the match in bold
    shown = run_cli(["show", "6"], cli_env(demo), "piped")  # the id it printed
    assert shown.code == 0 and "Réflexion" in shown.out


def test_search_finds_comments_drafts_and_private_posts_and_says_which(demo: Path) -> None:
    run = run_cli(["search", "course OR podcasts OR private", "--limit", "50"], cli_env(demo),
                  "json")  # fmt: skip
    assert_clean(run, "json")
    rows = [json.loads(line) for line in run.out.splitlines()]
    comments = [r for r in rows if r["kind"] == "comment"]
    assert {(r["post"], r["comment"], r["status"]) for r in comments} >= {(4, 5, "hold")}
    statuses = {r["status"] for r in rows if r["kind"] == "post"}
    assert {"draft", "private"} <= statuses, statuses
    only = run_cli(["search", "course", "--type", "comment"], cli_env(demo), "json")
    assert {json.loads(line)["kind"] for line in only.out.splitlines()} == {"comment"}


def test_a_protected_post_is_found_but_its_password_never_printed(demo: Path) -> None:
    secret = "Quetzal-Secret-77"
    with sqlite3.connect(demo / "wpcpd.db") as db:  # a password no other text contains
        db.execute("UPDATE posts SET password = ? WHERE id = 12", (secret,))
    for mode in MODES:
        run = run_cli(["search", "manager OR quetzal OR secret"], cli_env(demo), mode)
        assert_clean(run, mode)
        assert "Thing 12" in run.out and "protected" in run.out
        assert secret.casefold() not in run.text.casefold()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("query", ['"unbalanced', "AND"])
def test_a_bad_query_is_one_line(demo: Path, mode: str, query: str) -> None:
    run = run_cli(["search", query], cli_env(demo), mode)
    assert_clean(run, mode, ok=False)
    assert run.code == 2 and "double quotes" in run.text
