"""History: edited and deleted comments noticed by the daily backup, earlier versions of posts
and comments kept, `show --history` and `export json --history`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from clirun import assert_clean, cli_env, plain, run_cli
from faultproxy import FaultProxy
from test_rest_pull import pull_live

from wpcpd.archive import Archive
from wpcpd.sources.wxr import read_wxr

SAMPLE = Path(__file__).parent.parent / "fixtures" / "sample-cpd23.xml"
OLD_COMMENTS = 150
"""Comments dated 2020, far outside the 30-day window, so that a walk through every comment
takes pages the window does not."""


def backup(tmp: Path, site: Any, proxy: FaultProxy, *extra: str) -> dict[str, Any]:
    """`wpcpd pull URL --comments-only --user admin --json` through the counting proxy."""
    env = {**cli_env(tmp), "WPCPD_PASSWORD": site.app_password, "HTTP_PROXY": proxy.url,
           "http_proxy": proxy.url, "NO_PROXY": "", "no_proxy": ""}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "wpcpd", "pull", site.url, "--user", site.admin_user, "--json",
         *extra], capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def comment_queries(urls: list[str]) -> list[dict[str, list[str]]]:
    """The query of each request to the comments route, in order."""
    found = []
    for url in urls:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        route = query.get("rest_route", [parts.path])[0]
        if route.endswith("/wp/v2/comments"):
            found.append(query)
    return found


def row(archive: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    with Archive(archive) as opened:
        return [dict(r) for r in opened.query(sql, params)]


@pytest.fixture
def history_site(wordpress_factory: Any) -> Any:
    site = wordpress_factory()
    site.seed_full()
    post = site.seed["posts"]["thing2"]
    # The seed's comments are dated 2023: make them this week's, as a daily backup sees them.
    site.php(
        'global $wpdb; $wpdb->query("UPDATE {$wpdb->comments} SET'
        " comment_date = DATE_SUB(NOW(), INTERVAL 2 DAY),"
        ' comment_date_gmt = DATE_SUB(UTC_TIMESTAMP(), INTERVAL 2 DAY)");'
        f"for ($i = 0; $i < {OLD_COMMENTS}; $i++) {{ wp_insert_comment(["
        f"'comment_post_ID' => {post}, 'comment_content' => \"Old note $i\","
        " 'comment_approved' => 1, 'comment_date' => '2020-03-01 10:00:00',"
        " 'comment_date_gmt' => '2020-03-01 10:00:00']); }"
    )
    return site


def test_the_daily_backup_notices_edits_and_deletions_and_keeps_what_was_there(
    history_site: Any, tmp_path: Path
) -> None:
    site, seed = history_site, history_site.seed
    archive = tmp_path / "wpcpd.db"
    with FaultProxy() as proxy:
        first = backup(tmp_path, site, proxy)
    assert first["mode"] == "full"
    top, gone = seed["comments"]["top"], seed["comments"]["chinese"]
    thing1 = seed["posts"]["thing1"]
    before = row(archive, "SELECT content FROM comments WHERE id = ?", top)[0]["content"]
    old_post = row(archive, "SELECT content FROM posts WHERE id = ?", thing1)[0]["content"]
    time.sleep(1.1)  # marks compare whole seconds: let the pull's own second pass
    site.php(
        f"wp_update_comment(['comment_ID' => {top}, 'comment_content' => 'Edited: better put.']);"
        f"wp_update_post(['ID' => {thing1}, 'post_content' => 'Rewritten after a year.']);"
        f"wp_delete_comment({gone}, true);"
    )
    with FaultProxy() as proxy:
        daily = backup(tmp_path, site, proxy, "--comments-only")
    assert daily["mode"] == "incremental", daily
    # The edited comment, and the reply to the deleted one, which WordPress moved up.
    assert daily["records"]["comment"]["updated"] == 2, (daily, comment_queries(proxy.urls))
    assert daily["records"]["comment"]["removed"] == 1
    assert "post" not in daily["records"]
    # The recheck: one page of id, text and status, newest first, reaching past the window;
    # then the one edited comment read in full. No walk through every comment.
    queries = comment_queries(proxy.urls)
    window = [q for q in queries if q.get("orderby") == ["date_gmt"]]
    assert len(window) == 1 and window[0]["_fields"] == ["id,parent,content,status,date_gmt"]
    reread = [q for q in queries if "include" in q]
    reply = seed["comments"]["arabic_reply"]
    assert len(reread) == 1 and set(reread[0]["include"][0].split(",")) == {str(top), str(reply)}
    assert not [q for q in queries if q.get("order") == ["asc"]], queries
    assert len(queries) <= 8, queries  # newer ids, the recheck, the re-read, four totals
    assert daily["recheck"]["requests"] == 2 and daily["recheck"]["reread"] == 2
    assert row(archive, "SELECT parent FROM comments WHERE id = ?", reply)[0]["parent"] == 0
    comment = row(archive, "SELECT content, removed_at FROM comments WHERE id = ?", top)[0]
    assert comment == {"content": "Edited: better put.", "removed_at": None}
    kept = row(archive, "SELECT * FROM comment_revisions WHERE comment_id = ?", top)
    assert [(r["number"], r["content"]) for r in kept] == [(1, before)]
    assert kept[0]["replaced_by_run"] == row(archive, "SELECT max(id) AS n FROM pull_runs")[0]["n"]
    assert row(archive, "SELECT removed_at FROM comments WHERE id = ?", gone)[0]["removed_at"]
    # The post's edit comes with the next ordinary pull (posts have a modified date).
    with FaultProxy() as proxy:
        backup(tmp_path, site, proxy)
    post = row(archive, "SELECT content FROM posts WHERE id = ?", thing1)[0]
    assert post["content"] == "Rewritten after a year."
    versions = row(archive, "SELECT number, content FROM post_revisions WHERE post_id = ?", thing1)
    assert versions == [{"number": 1, "content": old_post}]
    # Again, unchanged: no revision more.
    with FaultProxy() as proxy:
        again = backup(tmp_path, site, proxy, "--comments-only")
    assert again["records"]["comment"].get("updated", 0) == 0
    assert row(archive, "SELECT count(*) AS n FROM comment_revisions")[0]["n"] == 1


def test_old_comments_are_rechecked_by_full_and_when_the_totals_disagree(
    history_site: Any, tmp_path: Path
) -> None:
    site = history_site
    archive = tmp_path / "wpcpd.db"
    with FaultProxy() as proxy:
        backup(tmp_path, site, proxy)
    old = row(archive, "SELECT id, content FROM comments WHERE date_gmt < '2021' ORDER BY id")
    edited, deleted = old[0], old[1]
    time.sleep(1.1)
    site.php(f"wp_update_comment(['comment_ID' => {edited['id']},"
             " 'comment_content' => 'Corrected in 2026.']);")  # fmt: skip
    with FaultProxy() as proxy:
        daily = backup(tmp_path, site, proxy, "--comments-only")
    # Outside the window, and the totals agree: not noticed by the daily backup...
    assert daily["recheck"]["scopes"] == [daily["recheck"]["scopes"][0]]
    assert row(archive, "SELECT content FROM comments WHERE id = ?",
               edited["id"])[0]["content"] == edited["content"]  # fmt: skip
    # ... but by --full, which reads every comment again.
    with FaultProxy() as proxy:
        full = backup(tmp_path, site, proxy, "--comments-only", "--full")
    assert full["mode"] == "full" and full["records"]["comment"]["updated"] == 1
    pages = [q for q in comment_queries(proxy.urls)
             if "author_email" in q.get("_fields", [""])[0] and "orderby" not in q]  # fmt: skip
    assert len(pages) == 2  # every comment, in full: 161 of them
    assert row(archive, "SELECT content FROM comments WHERE id = ?",
               edited["id"])[0]["content"] == "Corrected in 2026."  # fmt: skip
    kept = row(archive, "SELECT content FROM comment_revisions WHERE comment_id = ?", edited["id"])
    assert kept == [{"content": edited["content"]}]
    # An old comment deleted: the totals disagree, so the cheap recheck covers everything.
    time.sleep(1.1)
    site.php(f"wp_delete_comment({deleted['id']}, true);")
    with FaultProxy() as proxy:
        daily = backup(tmp_path, site, proxy, "--comments-only")
    assert daily["recheck"]["scopes"][-1] == "all"
    assert daily["records"]["comment"]["removed"] == 1
    cheap = [q for q in comment_queries(proxy.urls) if q.get("order") == ["asc"]]
    assert cheap and all(q["_fields"] == ["id,parent,content,status,date_gmt"] for q in cheap)
    assert row(archive, "SELECT removed_at FROM comments WHERE id = ?",
               deleted["id"])[0]["removed_at"]  # fmt: skip
    # Every 30th run compares every comment too, then counts again from 0.
    runs = "SELECT value FROM sync_state WHERE name = 'recheck:runs'"
    assert [r["value"] for r in row(archive, runs)] == ["0"]
    with Archive(archive) as opened:
        opened.db.execute("UPDATE sync_state SET value = '29' WHERE name = 'recheck:runs'")
    with FaultProxy() as proxy:
        thirtieth = backup(tmp_path, site, proxy, "--comments-only")
    assert thirtieth["recheck"]["scopes"][-1] == "all"
    assert thirtieth["recheck"]["checked"] == 11 + 160  # the window's, then every comment
    assert [r["value"] for r in row(archive, runs)] == ["0"]
    with FaultProxy() as proxy:
        next_day = backup(tmp_path, site, proxy, "--comments-only")
    assert next_day["recheck"]["scopes"] != thirtieth["recheck"]["scopes"]
    assert [r["value"] for r in row(archive, runs)] == ["1"]


def test_a_public_only_read_adds_no_revision_either_way(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    archive = tmp_path / "both.db"
    pull_live(archive, seeded_wordpress, auth=False)
    pull_live(archive, seeded_wordpress)  # the fuller copy: the same versions, read better
    pull_live(archive, seeded_wordpress, auth=False, full=True)  # a poorer copy: kept out
    assert row(archive, "SELECT count(*) AS n FROM post_revisions")[0]["n"] == 0
    assert row(archive, "SELECT count(*) AS n FROM comment_revisions")[0]["n"] == 0


def edited_sample(tmp: Path) -> Path:
    """The sample export with the first post's content and first comment's text changed."""
    text = SAMPLE.read_text(encoding="utf-8")
    for tag in ("<content:encoded><![CDATA[", "<wp:comment_content><![CDATA["):
        at = text.index(tag) + len(tag)
        text = text[:at] + "Second thoughts. " + text[at:]
    path = tmp / "edited.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_wxr_re_pull_with_changed_content_keeps_the_previous_version(tmp_path: Path) -> None:
    archive = tmp_path / "wxr.db"
    with Archive(archive) as opened:
        opened.save(read_wxr(SAMPLE))
        before = {r["id"]: r["content"] for r in opened.query("SELECT id, content FROM posts")}
        opened.save(read_wxr(SAMPLE))
        assert opened.query("SELECT count(*) FROM post_revisions")[0][0] == 0  # unchanged
        summary = opened.save(read_wxr(edited_sample(tmp_path)))
        assert summary.counts["post"]["updated"] == 1
        kept = [dict(r) for r in opened.query("SELECT * FROM post_revisions")]
        assert len(kept) == 1 and kept[0]["content"] == before[kept[0]["post_id"]]
        current = opened.query("SELECT content FROM posts WHERE id = ?", [kept[0]["post_id"]])
        assert current[0]["content"].startswith("Second thoughts. ")
        assert opened.query("SELECT count(*) FROM comment_revisions")[0][0] == 1
        hits = opened.query("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'second'")
        assert len(hits) == 1  # the index follows the current text
        opened.save(read_wxr(SAMPLE))  # back as it was: that is a version too
        assert opened.query("SELECT count(*) FROM post_revisions")[0][0] == 2


@pytest.fixture
def edited_archive(tmp_path: Path) -> Path:
    env = cli_env(tmp_path)
    for path in (SAMPLE, edited_sample(tmp_path)):
        assert_clean(run_cli(["pull", str(path)], env), "piped")
    return tmp_path


def post_with_revision(tmp: Path) -> int:
    return row(tmp / "wpcpd.db", "SELECT post_id FROM post_revisions")[0]["post_id"]


@pytest.mark.parametrize("mode", ["terminal", "piped", "json"])
def test_show_history_lists_earlier_versions(edited_archive: Path, mode: str) -> None:
    post_id = post_with_revision(edited_archive)
    run = run_cli(["show", str(post_id), "--history"], cli_env(edited_archive), mode)
    assert_clean(run, mode)
    if mode == "json":
        rows = [json.loads(line) for line in run.out.splitlines()]
        posts = [r for r in rows if r["kind"] == "post"]
        assert [r["version"] for r in posts] == [1, 2]
        assert posts[0]["replaced_at"] and posts[1]["replaced_at"] is None
        assert posts[1]["content"].startswith("Second thoughts. ")
        assert not posts[0]["content"].startswith("Second thoughts. ")
        assert any(r["kind"] == "comment" for r in rows)
        assert "password" not in run.out
        return
    text = plain(run.out)
    assert "Second thoughts." in text
    if mode == "terminal":  # a heading per version, its text below
        assert f"post #{post_id}, version 1 of 2 · modified " in text
        assert " by pull 2 · publish" in text
        assert f"post #{post_id}, version 2 of 2 (now)" in text
        assert "comment #" in text and ", version 1 of 2 · read " in text
        return
    lines = text.splitlines()
    assert lines[0].split("\t")[:3] == ["site", "kind", "id"]
    cells = [line.split("\t") for line in lines[1:] if line.split("\t")[1] == "post"]
    assert len(cells) == 2 and all(len(c) == 11 for c in cells)
    assert cells[0][6] and not cells[1][6]  # replaced_at: the first was replaced


def test_show_history_of_a_post_never_edited_says_so(edited_archive: Path) -> None:
    never = ("SELECT id FROM posts WHERE id NOT IN (SELECT post_id FROM post_revisions) "
             "AND id NOT IN (SELECT post_id FROM comment_revisions) AND type = 'post'")  # fmt: skip
    other = row(edited_archive / "wpcpd.db", never)[0]["id"]
    run = run_cli(["show", str(other), "--history"], cli_env(edited_archive), "piped")
    assert_clean(run, "piped")
    assert "no earlier version" in run.out
    run = run_cli(["show", str(other), "--history"], cli_env(edited_archive), "json")
    assert_clean(run, "json")
    assert run.out == ""


def test_export_json_history_adds_the_revisions_and_only_with_the_flag(
    edited_archive: Path, tmp_path: Path
) -> None:
    env = cli_env(edited_archive)
    plain_run = run_cli(["export", "json", "--out", "-"], env)
    with_history = run_cli(["export", "json", "--history", "--out", "-"], env)
    assert_clean(plain_run, "piped") and assert_clean(with_history, "piped")
    lines = [json.loads(line) for line in with_history.out.splitlines()]
    revisions = [r for r in lines if r["record"].endswith("_revision")]
    assert {r["record"] for r in revisions} == {"post_revision", "comment_revision"}
    assert [json.loads(line) for line in plain_run.out.splitlines()] == lines[: -len(revisions)]
    comment = next(r for r in revisions if r["record"] == "comment_revision")
    assert comment["post"] and comment["id"] and not comment["content"].startswith("Second")
    post = next(r for r in revisions if r["record"] == "post_revision")
    assert post["site"] == "cpd23.example.org" and post["number"] == 1
    assert set(post) >= {"id", "title", "content", "excerpt", "status", "record_hash",
                         "pulled_at", "replaced_at", "replaced_by_run"}  # fmt: skip
    # An archive that never changed: the flag adds nothing.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(SAMPLE, fresh / "sample.xml")
    assert_clean(run_cli(["pull", str(fresh / "sample.xml")], cli_env(fresh)), "piped")
    a = run_cli(["export", "json", "--out", "-"], cli_env(fresh)).out
    b = run_cli(["export", "json", "--history", "--out", "-"], cli_env(fresh)).out
    assert a == b


def test_recheck_days_is_refused_for_an_export_file(tmp_path: Path) -> None:
    run = run_cli(["pull", str(SAMPLE), "--recheck-days", "7"], cli_env(tmp_path))
    assert_clean(run, "piped", ok=False)
    assert "--recheck-days is for live sites" in run.err
    run = run_cli(["pull", "https://old.example.org", "--via", "scrape", "--recheck-days", "7"],
                  cli_env(tmp_path))  # fmt: skip
    assert_clean(run, "piped", ok=False)
    assert "--recheck-days is for the REST API" in run.err
