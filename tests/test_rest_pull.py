"""Pulling live sites over the REST API, against the real WordPress."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FaultProxy

from wpcpd.archive import Archive
from wpcpd.errors import SourceError
from wpcpd.http import NetworkError, Politeness
from wpcpd.pull import LiveOptions, PullResult, pull
from wpcpd.sinks.jsonl import record_to_dict
from wpcpd.sources.wxr import read_wxr

QUICK = Politeness(retries=3, backoff=0.05, timeout=(3, 3))
UNPUBLISHED = {"draft", "pending", "auto-draft"}


def pull_live(
    archive: Path, site: Any, *, auth: bool = True, via: str = "auto", **options: Any
) -> PullResult:
    live = LiveOptions(
        user=site.admin_user if auth else None,
        password=site.app_password if auth else None,
        politeness=options.pop("politeness", QUICK),
        **options,
    )
    with Archive(archive) as opened:
        return pull(opened, site.url, via=via, live=live)


def exported(archive: Path) -> dict[tuple[str, Any], dict[str, Any]]:
    found = {}
    with Archive(archive) as opened:
        for site, record in opened.iter_records():
            data = record_to_dict(site, record)
            key = data.get("id")
            if data["record"] == "term":
                key = (data["taxonomy"], data["slug"])
            elif data["record"] == "author":
                key = data["login"]
            found[(data["record"], key)] = data
    return found


def without_channel_gaps(wxr: dict, rest: dict) -> tuple[dict, dict]:
    """Drop what the two channels legitimately differ in (documented in the README)."""
    wxr, rest = dict(wxr), dict(rest)
    for key, record in wxr.items():
        other = rest.get(key)
        if other is None:
            continue
        for data in (record, other):
            data.pop("meta", None)  # REST shows registered meta only
            data.pop("channel", None)
        if record["record"] == "post" and record["status"] in UNPUBLISHED:
            for field in ("date_gmt", "modified_gmt"):  # REST derives dates WordPress lacks
                if record[field] is None:
                    other[field] = None
    return wxr, rest


def test_authenticated_pull_equals_the_sites_own_wxr_export(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    site = seeded_wordpress
    with Archive(tmp_path / "wxr.db") as archive:
        archive.save(read_wxr(site.export_wxr(tmp_path / "export.xml")))
    result = pull_live(tmp_path / "rest.db", site)
    assert result.details["authenticated"] and result.details["mode"] == "full"
    wxr, rest = without_channel_gaps(exported(tmp_path / "wxr.db"), exported(tmp_path / "rest.db"))
    spam = site.seed["comments"]["spam"]
    assert rest.pop(("comment", spam))["status"] == "spam"  # WXR never carries spam
    assert set(rest) == set(wxr)
    for key, record in wxr.items():
        assert rest[key] == record, key


def test_anonymous_pull_holds_exactly_the_public_items(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    site = seeded_wordpress
    result = pull_live(tmp_path / "public.db", site, auth=False)
    assert result.warnings and "public-only" in result.warnings[0]
    db = site.dump_db()
    public_posts = {p["ID"] for p in db["posts"] if p["post_status"] == "publish"
                    and p["post_type"] in ("post", "page")}  # fmt: skip
    public_posts |= {p["ID"] for p in db["posts"] if p["post_type"] == "attachment"}
    public_comments = {c["comment_ID"] for c in db["comments"] if c["comment_approved"] == "1"
                       and c["comment_type"] == "comment"
                       and c["comment_post_ID"] in public_posts}  # fmt: skip
    got = exported(tmp_path / "public.db")
    assert {k[1] for k in got if k[0] == "post"} == public_posts
    assert {k[1] for k in got if k[0] == "comment"} == public_comments
    assert all(not r.get("author_email") for k, r in got.items() if k[0] == "comment")
    titles = {p["ID"]: p["post_title"] for p in db["posts"]}
    assert all(got[("post", i)]["title"] == titles[i] for i in public_posts)


def test_an_anonymous_pull_never_overwrites_a_fuller_copy(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    archive = tmp_path / "both.db"
    pull_live(archive, seeded_wordpress)
    full = exported(archive)
    result = pull_live(archive, seeded_wordpress, auth=False, full=True)
    assert result.summary.counts["comment"]["kept"] > 0
    assert exported(archive) == full


def test_plain_permalinks_are_read_through_rest_route(
    wordpress_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = wordpress_factory(permalinks=None)
    site.seed_full()
    with FaultProxy() as proxy:
        use_proxy(monkeypatch, proxy)
        result = pull_live(tmp_path / "plain.db", site)
    assert result.summary.counts["post"]["new"] == 17
    assert any("rest_route=" in path or path.endswith("/") for path in proxy.paths)
    assert not any(path.startswith("/wp-json/wp/v2") for path in proxy.paths)


def test_rest_closed_to_visitors_says_so_and_works_with_a_password(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    site.add_mu_plugin(
        "members-only-rest",
        "add_filter('rest_authentication_errors', function ($result) {"
        " if (!empty($result) || is_user_logged_in()) { return $result; }"
        " return new WP_Error('rest_cannot_access', 'Members only.', ['status' => 401]); });",
    )
    with pytest.raises(SourceError, match="closed to visitors"):
        pull_live(tmp_path / "closed.db", site, auth=False, via="rest")
    assert pull_live(tmp_path / "closed.db", site).summary.counts["post"]["new"] >= 1


def test_wrong_password_is_one_clear_line_without_the_password(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wpcpd", "--archive", str(tmp_path / "x.db"), "pull",
         seeded_wordpress.url, "--user", "admin"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "WPCPD_PASSWORD": "not the password 1234"},
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "wrong application password for 'admin'" in result.stderr
    assert "not the password 1234" not in result.stderr + result.stdout


def test_incremental_pull_brings_exactly_the_changes(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    seed = site.seed_full()
    archive = tmp_path / "inc.db"
    pull_live(archive, site)
    thing1, thing2 = seed["posts"]["thing1"], seed["posts"]["thing2"]
    top, trash_me = seed["comments"]["top"], seed["comments"]["reply"]
    added = site.php(
        f"wp_update_post(['ID' => {thing1}, 'post_title' => 'Thing 1: Blogging, revisited']);"
        f"$c = wp_insert_comment(['comment_post_ID' => {thing1}, 'comment_parent' => {top},"
        " 'comment_author' => 'Late Reader', 'comment_content' => 'Only just found this.',"
        " 'comment_approved' => 1]);"
        "$p = wp_insert_post(['post_title' => 'Thing 0: backdated', 'post_status' => 'publish',"
        " 'post_date' => '2020-01-01 10:00:00', 'post_content' => 'Written long ago.']);"
        f"wp_trash_comment({trash_me}); wp_delete_post({thing2}, true);"
        "echo $c . ' ' . $p;"
    )
    new_comment, backdated = map(int, added.split())
    result = pull_live(archive, site)
    assert result.details["mode"] == "incremental"
    got = exported(archive)
    assert got[("post", thing1)]["title"] == "Thing 1: Blogging, revisited"
    assert got[("post", backdated)]["title"] == "Thing 0: backdated"
    assert got[("comment", new_comment)]["parent"] == top
    assert got[("comment", trash_me)]["status"] == "trash"
    with Archive(archive) as opened:
        removed = opened.query("SELECT removed_at FROM posts WHERE id = ?", [thing2])
    assert removed and removed[0]["removed_at"]  # marked, never dropped
    assert ("post", thing2) in got


def test_an_unchanged_site_costs_the_same_few_requests_whatever_its_size(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    site.seed_full()
    archive = tmp_path / "count.db"
    pull_live(archive, site)
    # Without the comment recheck, whose cost is a page per 100 comments of its window.
    small = pull_live(archive, site, recheck_days=0).details["requests"]
    site.php(
        "for ($i = 0; $i < 230; $i++) { $p = wp_insert_post(['post_title' => \"Note $i\","
        " 'post_status' => 'publish', 'post_content' => 'x']);"
        " wp_insert_comment(['comment_post_ID' => $p, 'comment_content' => \"c$i\","
        " 'comment_approved' => 1]); }"
    )
    # Marks compare whole seconds, inclusively: edits in the mark's own second are read
    # again next time. Let that second pass so "unchanged" means unchanged.
    time.sleep(1.1)
    grown = pull_live(archive, site)
    assert grown.summary.counts["post"]["new"] == 230
    large = pull_live(archive, site, recheck_days=0)
    assert large.details["requests"] == small
    assert small <= 40
    # This month's 231 comments (the 230 and WordPress's first): three pages of recheck.
    rechecked = pull_live(archive, site)
    assert rechecked.details["requests"] == small + 3
    recheck = rechecked.details["recheck"]
    assert (recheck["checked"], recheck["reread"], recheck["requests"]) == (231, 0, 3)
    assert all(c.get("new", 0) == 0 and c.get("updated", 0) == 0
               for c in large.summary.counts.values())  # fmt: skip


def use_proxy(monkeypatch: pytest.MonkeyPatch, proxy: FaultProxy) -> None:
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_dropped_connections_errors_and_stalls_are_survived(
    seeded_wordpress: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = {3: "drop", 5: "500", 7: "429", 9: "stall", 12: "drop", 15: "500"}
    with FaultProxy(lambda number, url: faults.get(number), stall_seconds=4) as proxy:
        use_proxy(monkeypatch, proxy)
        pull_live(tmp_path / "faulty.db", seeded_wordpress)
    assert sum(proxy.faults.values()) == len(faults)
    monkeypatch.delenv("HTTP_PROXY")
    monkeypatch.delenv("http_proxy")
    pull_live(tmp_path / "clean.db", seeded_wordpress)
    assert exported(tmp_path / "faulty.db") == exported(tmp_path / "clean.db")


def test_an_interrupted_pull_keeps_its_pages_and_resumes_after_them(
    wordpress_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = wordpress_factory()
    site.seed_full()
    site.php(
        "for ($i = 0; $i < 250; $i++) { wp_insert_comment(['comment_post_ID' => 4,"
        " 'comment_content' => \"Comment $i\", 'comment_approved' => 1]); }"
    )
    archive = tmp_path / "resume.db"
    seen: list[str] = []

    def network_lost_after_comment_page_2(number: int, url: str) -> str | None:
        seen.append(url)
        reached = any("comments" in u and "page=2" in u for u in seen[:-1])
        # Pages are fetched concurrently: page 3 can be asked for before page 2 is seen.
        last_page = "comments" in url and "&page=3" in url
        return "drop" if reached or last_page else None

    with FaultProxy(network_lost_after_comment_page_2) as proxy:
        use_proxy(monkeypatch, proxy)
        with pytest.raises(NetworkError):
            pull_live(archive, site)
    with Archive(archive) as opened:
        kept = opened.query("SELECT count(*) FROM comments")[0][0]
    assert kept >= 100  # the first pages of comments were committed
    with FaultProxy() as proxy:
        use_proxy(monkeypatch, proxy)
        result = pull_live(archive, site)
    assert result.details["mode"] == "resumed"
    assert not any("wp/v2/posts" in path for path in proxy.paths)  # posts were done
    with Archive(archive) as opened:
        total = opened.query("SELECT count(*) FROM comments")[0][0]
    assert total == len(site.dump_db()["comments"])
