"""Link rewriting, redirect files, and verify finding what a migration got wrong."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sandbox import WordPressSandbox
from test_push import archive, archive_a, live, rest, run_push, site_a, target

from wpcpd.archive import Archive
from wpcpd.cli.commands.migrate import parse_only, read_author_map
from wpcpd.cli.commands.migrate import verify_by_pull as verify
from wpcpd.dates import parse_since
from wpcpd.errors import UsageError
from wpcpd.sinks.base import Outcome
from wpcpd.sinks.migrate.report import PushReport
from wpcpd.sinks.migrate.rules import comparable_html
from wpcpd.sinks.migrate.rules import levels as _levels
from wpcpd.sinks.redirects import (
    MediaFile,
    RedirectPair,
    UrlMap,
    url_key,
    usable_pairs,
    write_redirects,
)

__all__ = ["archive", "archive_a", "site_a"]  # fixtures shared with test_push

OLD = "http://old.example"
NEW = "https://new.example"
PIC = f"{OLD}/wp-content/uploads/2023/01/pic"


def url_map() -> UrlMap:
    return UrlMap(
        {f"{OLD}/thing-1/": f"{NEW}/thing-1-2/", f"{OLD}/?p=4": f"{NEW}/thing-1-2/"},
        [MediaFile(18, f"{PIC}.jpg", f"{NEW}/wp-content/uploads/2026/11/pic.jpg",
                   {"300x200": f"{NEW}/wp-content/uploads/2026/11/pic-300x200.jpg"})],
        {18: 5},
    )  # fmt: skip


# -- rewriting --------------------------------------------------------------------------


def test_rewrite_makes_image_markup_point_at_the_new_files_and_ids() -> None:
    content = (
        '<!-- wp:image {"id":18,"sizeSlug":"medium"} -->\n'
        f'<figure><img src="{PIC}-300x200.jpg" class="wp-image-18 size-medium" '
        f'srcset="{PIC}-300x200.jpg 300w, https://www.old.example/wp-content/uploads/2023/01/'
        f'pic-1024x683.jpg 1024w, //old.example/wp-content/uploads/2023/01/pic.jpg 1200w"/>'
        "</figure>\n<!-- /wp:image -->\n"
        '<!-- wp:gallery {"ids":[18,99],"linkTo":"none"} /-->\n'
        '[gallery ids="18,99"] [caption id="attachment_18" width="300"]x[/caption]'
    )
    new = f"{NEW}/wp-content/uploads/2026/11/pic"
    assert url_map().rewrite(content) == (
        '<!-- wp:image {"id":5,"sizeSlug":"medium"} -->\n'
        f'<figure><img src="{new}-300x200.jpg" class="wp-image-5 size-medium" '
        f'srcset="{new}-300x200.jpg 300w, {new}.jpg 1024w, {new}.jpg 1200w"/>'
        "</figure>\n<!-- /wp:image -->\n"
        '<!-- wp:gallery {"ids":[5,99],"linkTo":"none"} /-->\n'
        '[gallery ids="5,99"] [caption id="attachment_5" width="300"]x[/caption]'
    )


def test_rewrite_changes_known_links_only_and_keeps_fragments() -> None:
    content = (
        f'<a href="https://old.example/thing-1#comments">a</a> <a href="{OLD}/?p=4">b</a> '
        f'<a href="{OLD}/unknown/">c</a> <a href="http://old.example.net/thing-1/">d</a> '
        f"<p>{OLD}/thing-1/ in text.</p>"
    )
    assert url_map().rewrite(content) == (
        f'<a href="{NEW}/thing-1-2/#comments">a</a> <a href="{NEW}/thing-1-2/">b</a> '
        f'<a href="{OLD}/unknown/">c</a> <a href="http://old.example.net/thing-1/">d</a> '
        f"<p>{NEW}/thing-1-2/ in text.</p>"
    )


def test_url_key_ignores_scheme_www_trailing_slash_and_escape_case() -> None:
    assert url_key("https://www.Example.org/caf%c3%a9/") == url_key("http://example.org/café")
    assert url_key("http://example.org/?p=4") != url_key("http://example.org/?p=5")
    assert url_key("http://example.org:8080/a") != url_key("http://example.org/a")


def test_comparable_html_ignores_the_rel_wordpress_adds_to_links() -> None:
    sent = "<p>See <a href='https://x.example/' target=_blank>x</a></p>"
    stored = '<p>See <a href="https://x.example/" target="_blank" rel="noopener">x</a></p>'
    assert comparable_html(sent) == comparable_html(stored)
    assert comparable_html(sent) != comparable_html(stored.replace("x.example", "y.example"))


# -- redirect files ---------------------------------------------------------------------


def pairs() -> list[RedirectPair]:
    return [
        RedirectPair(f"{OLD}/", f"{NEW}/", "page", "1", 1),  # the home page: never
        RedirectPair(f"{OLD}/about/", f"{NEW}/about/", "page", "2", 2),
        RedirectPair(f"{OLD}/about/team/", f"{NEW}/about/team-2/", "page", "3", 3),
        RedirectPair(f"{OLD}/r%C3%A9flexion/", f"{NEW}/r%C3%A9flexion/", "post", "4", 4),
        RedirectPair(f"{NEW}/same/", f"{NEW}/same/", "post", "5", 5),  # would loop
        RedirectPair(f"{OLD}/about/", f"{NEW}/elsewhere/", "post", "6", 6),  # repeated
    ]


def test_usable_pairs_drop_home_loops_and_repeats_and_put_longer_paths_first() -> None:
    chosen = usable_pairs(pairs())
    assert [p.source_id for p in chosen] == ["3", "4", "2"]


def test_redirect_files_say_the_same_thing_four_ways(tmp_path: Path) -> None:
    files = write_redirects(tmp_path / "redirects.csv", pairs())
    assert sorted(p.name for p in files.values()) == [
        "redirects.csv", "redirects.htaccess", "redirects.nginx.conf",
        "redirects.redirection.json",
    ]  # fmt: skip
    with files["csv"].open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["old_url"], r["new_url"]) for r in rows] == [
        (f"{OLD}/about/team/", f"{NEW}/about/team-2/"),
        (f"{OLD}/r%C3%A9flexion/", f"{NEW}/r%C3%A9flexion/"),
        (f"{OLD}/about/", f"{NEW}/about/"),
    ]
    nginx = files["nginx"].read_text(encoding="utf-8")
    assert "map $request_uri $wpcpd_redirect {" in nginx and nginx.rstrip().endswith("}")
    assert f'    "/about/team" "{NEW}/about/team-2/";' in nginx
    assert f'    "/about/team/" "{NEW}/about/team-2/";' in nginx
    apache = files["apache"].read_text(encoding="utf-8").splitlines()[1:]
    assert apache == [
        f'Redirect 301 "/about/team/" "{NEW}/about/team-2/"',
        f'Redirect 301 "/réflexion/" "{NEW}/r%C3%A9flexion/"',
        f'Redirect 301 "/about/" "{NEW}/about/"',
    ]
    document = json.loads(files["redirection"].read_text(encoding="utf-8"))
    assert document["groups"][0]["id"] == 1
    first = document["redirects"][0]
    assert (first["url"], first["action_type"], first["action_code"], first["match_type"]) == (
        "/about/team/", "url", 301, "url")  # fmt: skip
    assert first["action_data"] == {"url": f"{NEW}/about/team-2/"}
    assert len(document["redirects"]) == 3


# -- small parts of push ----------------------------------------------------------------


def test_author_map_reads_a_csv_with_or_without_header(tmp_path: Path) -> None:
    mapping = tmp_path / "authors.csv"
    mapping.write_text("source,target\njo, jo@example.org\n# a comment\n\nsian,sian\n")
    assert read_author_map(mapping) == {"jo": "jo@example.org", "sian": "sian"}
    mapping.write_text("jo\n")
    with pytest.raises(UsageError, match=r"authors\.csv:1"):
        read_author_map(mapping)


def test_only_and_since_refuse_what_they_do_not_know() -> None:
    assert parse_only("posts, comments") == {"posts", "comments"}
    with pytest.raises(UsageError, match="--only"):
        parse_only("posts,users")
    assert parse_since("2023-06-01").isoformat() == "2023-06-01T00:00:00+00:00"
    with pytest.raises(UsageError, match="--since"):
        parse_since("last week")


def test_levels_put_parents_before_children_even_with_broken_data() -> None:
    items = [(4, 3), (1, 0), (3, 1), (2, 0), (7, 99), (8, 9), (9, 8)]  # (id, parent)
    levels = [
        sorted(i for i, _ in level)
        for level in _levels(items, lambda i: i[0], lambda i: i[1] or None)
    ]
    order = [i for level in levels for i in level]
    assert sorted(order) == [1, 2, 3, 4, 7, 8, 9]
    assert levels[0][:3] == [1, 2, 7] and order.index(3) > order.index(1)
    assert order.index(4) > order.index(3)


def test_report_keeps_the_most_telling_outcome_of_an_item() -> None:
    report = PushReport("old", "new")
    report.add(Outcome("post", "1", "created", "password-protected"))
    report.add(Outcome("post", "1", "updated"))
    report.add(Outcome("post", "2", "unchanged"))
    report.add(Outcome("post", "2", "updated"))
    report.add(Outcome("comment", "3", "failed", "HTTP 500"))
    assert report.counts == {"post": Counter(created=1, updated=1),
                             "comment": Counter(failed=1)}  # fmt: skip
    assert report.items[("post", "1")].reason == "password-protected"
    assert report.failed == 1 and "comment 3" in report.describe()


# -- verify against real sites ----------------------------------------------------------


def test_verify_names_each_difference_a_broken_migration_has(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any
) -> None:
    b = target(wordpress_factory, site_a)
    run_push(archive, site_a, b)
    assert verify(archive, site_a.url, b.url, live(b)).ok
    b.php(
        "$p = get_page_by_path('thing-1-blogging', OBJECT, 'post');"
        "wp_update_post(['ID' => $p->ID, 'post_title' => 'Renamed']);"
        "$c = get_comments(['post_id' => $p->ID, 'search' => 'Great start', 'status' => 'all']);"
        "wp_set_comment_status($c[0]->comment_ID, 'hold');"
        "$z = get_comments(['search' => 'Merci', 'status' => 'all']);"
        "wp_delete_comment($z[0]->comment_ID, true);"
        "wp_insert_comment(['comment_post_ID' => $p->ID, 'comment_author' => 'Intruder',"
        " 'comment_content' => 'Not from the old blog.', 'comment_approved' => 1]);"
    )
    report = verify(archive, site_a.url, b.url, live(b))
    assert not report.ok
    found = {(d.kind, d.field) for d in report.differences}
    assert found == {("post", "title"), ("comment", "status"), ("comment", "missing"),
                     ("comment", "extra")}  # fmt: skip
    text = report.describe()
    assert "expected 'Thing 1: Blogging', found 'Renamed'" in text
    assert "Intruder" in text and "Émilie" in text


def wpcpd(*args: str | Path, archive: Path, password: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WPCPD_ARCHIVE": str(archive), "WPCPD_PASSWORD": password,
           "COLUMNS": "200"}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "wpcpd", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


def test_command_line_push_dry_run_push_and_verify(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any, tmp_path: Path
) -> None:
    b = target(wordpress_factory, site_a)
    path, password = archive.path, b.app_password
    common = ["--from", site_a.url, "--user", "admin"]
    dry = wpcpd("push", *common, "--to", b.url, "--dry-run", archive=path, password=password)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("would push") and not rest(b, "posts", status="any")

    pushed = wpcpd("push", *common, "--to", b.url, "--create-authors", "--concurrency", "2",
                   "--redirects", tmp_path / "moved", archive=path, password=password)  # fmt: skip
    assert pushed.returncode == 0, pushed.stderr
    assert "posts: 12 created, 1 skipped" in pushed.stdout
    assert (tmp_path / "moved.nginx.conf").is_file()

    checked = wpcpd("verify", *common, "--against", b.url, archive=path, password=password)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert ": the same" in checked.stdout.splitlines()[0]

    b.php("wp_update_post(['ID' => get_page_by_path('about-23-things')->ID,"
          " 'post_content' => 'Emptied.']);")  # fmt: skip
    changed = wpcpd("verify", *common, "--against", b.url, "--json", archive=path,
                    password=password)  # fmt: skip
    assert changed.returncode == 1
    differences = json.loads(changed.stdout)["differences"]
    assert [(d["kind"], d["field"]) for d in differences] == [("page", "content")]

    b.php("wp_update_post(['ID' => get_page_by_path('thing-12-password-protected-reflection',"
          " OBJECT, 'post')->ID, 'post_password' => 'changed-on-b']);")  # fmt: skip
    changed = wpcpd("verify", *common, "--against", b.url, archive=path, password=password)
    assert changed.returncode == 1 and "password" in changed.stdout
    assert "cpd23" not in changed.stdout + changed.stderr
    assert "changed-on-b" not in changed.stdout + changed.stderr

    refused = wpcpd("push", *common, "--to", b.url, archive=path, password="wrong")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
