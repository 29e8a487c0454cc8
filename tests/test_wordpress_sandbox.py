"""The real-WordPress sandbox works as the other tests assume."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from lxml import etree
from sandbox import WordPressSandbox

pytestmark = pytest.mark.wordpress

TIMEOUT = 30


def test_home_page_answers(wordpress: WordPressSandbox) -> None:
    response = requests.get(wordpress.url + "/", timeout=TIMEOUT)

    assert response.status_code == 200
    assert "CPD Sandbox" in response.text


def test_rest_index_is_json(wordpress: WordPressSandbox) -> None:
    response = requests.get(wordpress.url + "/wp-json/", timeout=TIMEOUT)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["name"] == "CPD Sandbox"


def test_virtual_files_are_served_by_wordpress_as_on_a_real_site(
    wordpress: WordPressSandbox,
) -> None:
    # The router hands what no file backs to index.php, as Apache's rewrite rules do.
    sitemap = requests.get(wordpress.url + "/wp-sitemap.xml", timeout=TIMEOUT)
    robots = requests.get(wordpress.url + "/robots.txt", timeout=TIMEOUT)
    missing = requests.get(wordpress.url + "/no-such-file.css", timeout=TIMEOUT)
    static = requests.get(wordpress.url + "/wp-includes/css/dashicons.min.css", timeout=TIMEOUT)

    assert sitemap.status_code == 200
    assert "<sitemapindex" in sitemap.text
    assert robots.status_code == 200
    assert f"Sitemap: {wordpress.url}/wp-sitemap.xml" in robots.text
    assert missing.status_code == 404
    assert "error404" in missing.text  # WordPress's own 404 page, not php -S's
    assert static.status_code == 200
    assert static.headers["Content-Type"].startswith("text/css")


def test_application_password_authenticates(wordpress: WordPressSandbox) -> None:
    me = wordpress.rest_url("/wp/v2/users/me")

    good = requests.get(me, auth=(wordpress.admin_user, wordpress.app_password), timeout=TIMEOUT)
    wrong = requests.get(me, auth=(wordpress.admin_user, "not-the-password"), timeout=TIMEOUT)

    assert good.status_code == 200
    assert good.json()["slug"] == wordpress.admin_user
    # 6.1 reports a wrong application password as rest_not_logged_in, not incorrect_password.
    assert wrong.status_code == 401


def test_export_wxr_holds_seeded_items(seeded_wordpress: WordPressSandbox, tmp_path: Path) -> None:
    assert seeded_wordpress.seed is not None
    path = seeded_wordpress.export_wxr(tmp_path / "export.xml")

    root = etree.parse(str(path)).getroot()
    titles = {title.text for title in root.iterfind("channel/item/title")}

    assert root.tag == "rss"
    # Includes the title containing "]]>", which the exporter splits across CDATA sections.
    assert set(seeded_wordpress.seed["titles"].values()) <= titles


def test_dump_db_reports_raw_rows(seeded_wordpress: WordPressSandbox) -> None:
    seed = seeded_wordpress.seed
    assert seed is not None
    dump = seeded_wordpress.dump_db()
    posts = {post["ID"]: post for post in dump["posts"]}
    comments = {comment["comment_ID"]: comment for comment in dump["comments"]}
    thing1 = posts[seed["posts"]["thing1"]]

    assert dump["sticky_posts"] == seed["sticky"]
    assert posts[seed["posts"]["draft"]]["post_date_gmt"] == "0000-00-00 00:00:00"
    assert thing1["meta"]["cpd_link"] == [
        "https://example.org/23-things/thing-1",
        "https://example.org/blogging-guide",
    ]
    assert thing1["meta"]["cpd_evidence"][0].startswith("a:5:{")
    assert comments[seed["comments"]["spam"]]["comment_approved"] == "spam"
    assert comments[seed["comments"]["trash"]]["comment_approved"] == "trash"
    deepest = comments[seed["comments"]["reply_to_reply"]]
    assert deepest["comment_parent"] == seed["comments"]["reply"]


def test_plain_permalinks_sandbox_runs_beside_another(
    wordpress: WordPressSandbox, wordpress_factory: Callable[..., WordPressSandbox]
) -> None:
    plain = wordpress_factory(permalinks=None)

    response = requests.get(plain.rest_url(), timeout=TIMEOUT)

    assert plain.url != wordpress.url
    assert response.headers["Content-Type"].startswith("application/json")
    assert plain.php("echo get_option('permalink_structure');") == ""


def test_stop_leaves_no_process_behind(
    wordpress_factory: Callable[..., WordPressSandbox],
) -> None:
    psutil = pytest.importorskip("psutil")
    sandbox = wordpress_factory()
    base_dir = sandbox.base_dir
    processes = []
    for pid in sandbox.pids.values():
        leader = psutil.Process(pid)
        processes += [leader, *leader.children(recursive=True)]

    sandbox.stop()

    # php -S with 4 workers is five processes, plus mariadbd.
    assert len(processes) >= 6
    # A dead child that init has not reaped yet is a zombie: gone, but still listed.
    survivors = [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert survivors == []
    assert sandbox.pids == {}
    assert not base_dir.exists()


def test_each_sandbox_database_keeps_its_temporary_files_to_itself(
    wordpress: WordPressSandbox,
) -> None:
    """Sandboxes started side by side collided on MariaDB's temp files in /tmp; each has its own."""
    tmpdir = wordpress.php('global $wpdb; echo $wpdb->get_var("SELECT @@tmpdir");').strip()
    assert Path(tmpdir) == wordpress.base_dir / "mariadb-tmp"
    assert Path(tmpdir).is_dir()
