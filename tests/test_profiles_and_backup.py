"""Site profiles and the daily comment backup, as a person runs them from the shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def wpcpd(tmp: Path, *args: str, password: str | None = None, check: bool = True) -> Any:
    env = {**os.environ, "WPCPD_CONFIG_DIR": str(tmp / "config"),
           "WPCPD_ARCHIVE": str(tmp / "wpcpd.db")}  # fmt: skip
    env.pop("WPCPD_PASSWORD", None)
    if password:
        env["WPCPD_PASSWORD"] = password
    result = subprocess.run([sys.executable, "-m", "wpcpd", *args], capture_output=True,
                            text=True, env=env, timeout=300)  # fmt: skip
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_a_profile_stores_no_secret_and_pulls_like_the_address(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    site = seeded_wordpress
    wpcpd(tmp_path, "sites", "add", "sandbox", site.url, "--user", "admin")
    stored = (tmp_path / "config" / "sites.toml").read_text()
    assert site.url in stored and "admin" in stored
    assert site.app_password not in stored
    listed = json.loads(wpcpd(tmp_path, "sites", "list", "--json").stdout)
    assert listed == {"name": "sandbox", "url": site.url, "user": "admin",
                      "password_env": "WPCPD_PASSWORD", "via": "auto"}  # fmt: skip
    pulled = json.loads(wpcpd(tmp_path, "pull", "sandbox", "--json",
                              password=site.app_password).stdout)  # fmt: skip
    assert pulled["authenticated"] is True
    assert pulled["records"]["comment"]["new"] == len(site.dump_db()["comments"])


def test_without_a_password_the_profile_pull_says_where_to_put_one(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    wpcpd(tmp_path, "sites", "add", "sandbox", seeded_wordpress.url, "--user", "admin")
    result = wpcpd(tmp_path, "pull", "sandbox", check=False)
    assert result.returncode == 2
    assert "no password for admin: set WPCPD_PASSWORD" in result.stderr


def test_unknown_profile_names_the_known_ones(tmp_path: Path) -> None:
    wpcpd(tmp_path, "sites", "add", "work", "https://work.example.org")
    result = wpcpd(tmp_path, "pull", "home", check=False)
    assert result.returncode == 2 and "(profiles: work)" in result.stderr
    wpcpd(tmp_path, "sites", "remove", "work")
    assert "work" not in wpcpd(tmp_path, "sites", "list").stdout


def test_daily_comment_backup_brings_new_comments_and_lists_them(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    seed = site.seed_full()
    wpcpd(tmp_path, "sites", "add", "blog", site.url, "--user", "admin")
    wpcpd(tmp_path, "pull", "blog", password=site.app_password)
    time.sleep(1.1)
    post = seed["posts"]["thing7"]
    site.php(
        f"wp_insert_comment(['comment_post_ID' => {post}, 'comment_author' => 'Night Owl',"
        " 'comment_content' => 'Read this at midnight.', 'comment_approved' => 0,"
        " 'comment_date_gmt' => gmdate('Y-m-d H:i:s'), 'comment_date' => current_time('mysql')]);"
    )
    backup = json.loads(wpcpd(tmp_path, "pull", "blog", "--comments-only", "--json",
                              password=site.app_password).stdout)  # fmt: skip
    assert backup["mode"] == "incremental"
    assert backup["records"]["comment"]["new"] == 1
    assert "post" not in backup["records"]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    arrived = wpcpd(tmp_path, "comments", "--since", today, "--json").stdout.splitlines()
    authors = [json.loads(line)["author_name"] for line in arrived]
    assert "Night Owl" in authors
    assert json.loads(arrived[authors.index("Night Owl")])["status"] == "hold"
