"""Pulls in the order people really run them, against the real WordPress: nothing a later
pull could see may be missed because of what an earlier one saw."""

from __future__ import annotations

import functools
import http.server
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_cli import wpcpd
from test_rest_pull import pull_live

from wpcpd.archive import Archive
from wpcpd.sinks.jsonl import record_to_dict


def export_lines(archive: Path) -> list[dict[str, Any]]:
    """Everything `export json` writes, passwords included, minus when it was pulled."""
    with Archive(archive) as opened:
        return [record_to_dict(site, record, passwords=True)
                for site, record in opened.iter_records()]  # fmt: skip


def test_a_password_pull_after_an_anonymous_one_reads_everything(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    site.seed_full()
    archive = tmp_path / "readme-order.db"
    first = pull_live(archive, site, auth=False)
    assert first.details["mode"] == "full" and not first.details["authenticated"]
    second = pull_live(archive, site)
    assert second.details["mode"] == "full"
    assert any("sees the site differently" in w for w in second.warnings)
    fresh = tmp_path / "fresh.db"
    pull_live(fresh, site)
    assert export_lines(archive) == export_lines(fresh)
    statuses = {r["status"] for r in export_lines(archive) if r["record"] == "post"}
    assert {"draft", "pending", "private", "future", "trash"} <= statuses
    protected_id = site.seed["posts"]["password"]
    protected = next(r for r in export_lines(archive) if r.get("id") == protected_id)
    assert protected["password"] == "cpd23"
    third = pull_live(archive, site)
    assert third.details["mode"] == "incremental"


def test_an_anonymous_pull_between_two_password_pulls_hides_no_draft_edit(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    site.seed_full()
    archive = tmp_path / "between.db"
    pull_live(archive, site)
    draft = site.seed["posts"]["draft"]
    site.php(f"wp_update_post(['ID' => {draft}, 'post_content' => 'Rewritten offline.']);")
    between = pull_live(archive, site, auth=False)
    assert between.details["mode"] == "full"  # a visitor's first pull of its own
    after = pull_live(archive, site)
    assert after.details["mode"] == "incremental"
    with Archive(archive) as opened:
        _, post = opened.post(None, draft)
    assert post.content == "Rewritten offline."


@pytest.fixture
def plain_web_server(tmp_path: Path) -> Iterator[str]:
    """An ordinary web server on loopback: a directory listing, nothing of WordPress."""
    folder = tmp_path / "www"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a blog\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_address_that_is_not_wordpress_fails_and_creates_no_site(
    plain_web_server: str, tmp_path: Path
) -> None:
    archive = tmp_path / "none.db"
    result = wpcpd("pull", plain_web_server, archive=archive, check=False)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "not a WordPress blog" in result.stderr
    assert "--via scrape" in result.stderr and "Traceback" not in result.stderr
    assert (
        not archive.exists()
        or not sqlite3.connect(archive).execute("SELECT count(*) FROM sites").fetchone()[0]
    )


def test_via_scrape_still_reads_any_site_on_purpose(plain_web_server: str, tmp_path: Path) -> None:
    archive = tmp_path / "asked.db"
    result = wpcpd("pull", plain_web_server, "--via", "scrape", archive=archive, check=False)
    assert "not a WordPress blog" not in result.stderr
    assert "Traceback" not in result.stderr
