"""A real WordPress's own WXR export, pulled and exported, equals what its database holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import archive_dump as dump

from wpcpd.sources.wxr import read_wxr

# WordPress's exporter leaves these out on purpose (wxr_filter_postmeta, spam filter).
EXPORTER_SKIPS_META = {"_edit_lock"}
NOT_EXPORTED_TYPES = {"revision", "auto-draft", "nav_menu_item", "customize_changeset"}
STATUS = {"1": "approved", "0": "hold", "spam": "spam", "trash": "trash"}


def wpcpd(archive: Path, *args: str | Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "wpcpd", "--archive", str(archive), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def gmt(value: str) -> str | None:
    return None if value.startswith("0000") else value.replace(" ", "T") + "Z"


def local(value: str) -> str | None:
    return None if value.startswith("0000") else value.replace(" ", "T")


def records(archive: Path) -> dict[tuple[str, Any], dict[str, Any]]:
    found = {}
    for line in wpcpd(archive, "export", "json", "-o", "-").splitlines():
        record = json.loads(line)
        key = record.get("id")
        if record["record"] == "term":
            key = (record["taxonomy"], record["slug"])
        elif record["record"] == "author":
            key = record["login"]
        found[(record["record"], key)] = record
    return found


@pytest.fixture(scope="module")
def pulled(seeded_wordpress: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("roundtrip")
    export = seeded_wordpress.export_wxr(folder / "export.xml")
    archive = folder / "wpcpd.db"
    wpcpd(archive, "pull", export)
    return {"db": seeded_wordpress.dump_db(), "records": records(archive), "archive": archive,
            "export": export}  # fmt: skip


def test_every_exported_post_field_equals_the_database(pulled: dict[str, Any]) -> None:
    db, got = pulled["db"], pulled["records"]
    logins = {u["ID"]: u["user_login"] for u in db["users"]}
    sticky = set(db["sticky_posts"])
    rows = [p for p in db["posts"] if p["post_type"] not in NOT_EXPORTED_TYPES]
    assert {p["ID"] for p in rows} == {k[1] for k in got if k[0] == "post"}
    for row in rows:
        post = got[("post", row["ID"])]
        expected = {
            "type": row["post_type"], "status": row["post_status"], "slug": row["post_name"],
            "title": row["post_title"], "content": row["post_content"],
            "excerpt": row["post_excerpt"], "date": local(row["post_date"]),
            "date_gmt": gmt(row["post_date_gmt"]), "modified": local(row["post_modified"]),
            "modified_gmt": gmt(row["post_modified_gmt"]),
            "author": logins[row["post_author"]], "parent": row["post_parent"],
            "menu_order": row["menu_order"], "comment_status": row["comment_status"],
            "ping_status": row["ping_status"], "sticky": row["ID"] in sticky,
            "password_protected": bool(row["post_password"]), "guid": row["guid"],
        }  # fmt: skip
        assert {k: post[k] for k in expected} == expected, row["ID"]
        terms = {(t["taxonomy"], t["slug"], t["name"]) for t in row["terms"]}
        assert {(t["taxonomy"], t["slug"], t["name"]) for t in post["terms"]} == terms
        meta = {k: v for k, v in row["meta"].items() if k not in EXPORTER_SKIPS_META}
        assert {k: v if isinstance(v, list) else [v] for k, v in post["meta"].items()} == meta


def test_every_comment_but_spam_equals_the_database(pulled: dict[str, Any]) -> None:
    db, got = pulled["db"], pulled["records"]
    rows = [c for c in db["comments"] if c["comment_approved"] != "spam"]
    assert any(c["comment_approved"] == "spam" for c in db["comments"]), "seed has spam"
    assert {c["comment_ID"] for c in rows} == {k[1] for k in got if k[0] == "comment"}
    for row in rows:
        comment = got[("comment", row["comment_ID"])]
        expected = {
            "post": row["comment_post_ID"], "parent": row["comment_parent"],
            "author_name": row["comment_author"], "author_email": row["comment_author_email"],
            "author_url": row["comment_author_url"], "author_ip": row["comment_author_IP"],
            "user_id": row["user_id"], "date": local(row["comment_date"]),
            "date_gmt": gmt(row["comment_date_gmt"]), "content": row["comment_content"],
            "status": STATUS[row["comment_approved"]], "type": row["comment_type"],
        }  # fmt: skip
        assert {k: comment[k] for k in expected} == expected, row["comment_ID"]
        meta = {k: v if isinstance(v, list) else [v] for k, v in comment["meta"].items()}
        assert meta == row["meta"]


def test_threads_three_deep_survive(pulled: dict[str, Any]) -> None:
    comments = {k[1]: r for k, r in pulled["records"].items() if k[0] == "comment"}

    def depth(comment_id: int) -> int:
        parent = comments[comment_id]["parent"]
        return 1 if parent == 0 else 1 + depth(parent)

    assert max(depth(i) for i in comments) >= 3


def test_terms_and_authors_equal_the_database(pulled: dict[str, Any]) -> None:
    db, got = pulled["db"], pulled["records"]
    for row in db["terms"]:
        term = got[("term", (row["taxonomy"], row["slug"]))]
        assert (term["id"], term["name"], term["description"], term["parent"]) == (
            row["term_id"], row["name"], row["description"], row["parent"] or "",
        ), row["slug"]  # fmt: skip
    for user in db["users"]:
        author = got[("author", user["user_login"])]
        assert (author["id"], author["email"], author["display_name"]) == (
            user["ID"], user["user_email"], user["display_name"],
        )  # fmt: skip
        assert (author["first_name"], author["last_name"]) == (
            user["first_name"], user["last_name"],
        )  # fmt: skip


def test_media_record_points_at_the_uploaded_file(pulled: dict[str, Any]) -> None:
    db = pulled["db"]
    attachments = [p for p in db["posts"] if p["post_type"] == "attachment"]
    assert attachments
    for row in attachments:
        media = pulled["records"][("media", row["ID"])]
        assert media["file"] == row["meta"]["_wp_attached_file"][0]
        assert media["url"].endswith(media["file"])
        assert media["mime_type"] == row["post_mime_type"]
        assert media["post"] == row["post_parent"]


def test_re_pulling_the_same_export_changes_nothing(pulled: dict[str, Any]) -> None:
    before = dump(pulled["archive"])
    summary = json.loads(wpcpd(pulled["archive"], "pull", pulled["export"], "--json"))
    assert all(set(counts) == {"unchanged"} for counts in summary["records"].values())
    assert dump(pulled["archive"]) == before


def test_a_newer_export_updates_edits_and_adds_new_comments(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    site.seed_full()
    archive = tmp_path / "wpcpd.db"
    wpcpd(archive, "pull", site.export_wxr(tmp_path / "first.xml"))
    post_id = site.seed["posts"]["thing1"]
    site.php(
        f"wp_update_post(['ID' => {post_id}, 'post_title' => 'Thing 1: Blogging, revisited']);"
        f"wp_insert_comment(['comment_post_ID' => {post_id}, 'comment_author' => 'Late Reader',"
        "'comment_content' => 'Only just found this.', 'comment_approved' => 1]);"
    )
    summary = json.loads(wpcpd(archive, "pull", site.export_wxr(tmp_path / "second.xml"), "--json"))
    assert summary["records"]["post"].get("updated") == 1
    assert summary["records"]["comment"].get("new") == 1
    after = records(archive)
    assert after[("post", post_id)]["title"] == "Thing 1: Blogging, revisited"
    assert any(r.get("author_name") == "Late Reader" for r in after.values())


def test_reading_a_real_export_is_lossless_for_every_item(pulled: dict[str, Any]) -> None:
    """Sanity: the stream yields one record per item and comment in the file."""
    text = pulled["export"].read_text(encoding="utf-8")
    items = text.count("<item>")
    comments = text.count("<wp:comment>")
    kinds = [type(r).__name__ for r in read_wxr(pulled["export"])]
    assert kinds.count("Post") == items
    assert kinds.count("Comment") == comments
