"""Writing a reflection and publishing it to real WordPress sites, safely and repeatably."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from faultproxy import FaultProxy

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154"
    "789c6360f8cfc0f01f0005050202a3c5d3a50000000049454e44ae426082"
)


def wpcpd(tmp: Path, *args: str | Path, env: dict[str, str] | None = None) -> Any:
    environment = {
        **os.environ,
        "WPCPD_CONFIG_DIR": str(tmp / "config"),
        "WPCPD_ARCHIVE": str(tmp / "wpcpd.db"),
        "COLUMNS": "200",
        **(env or {}),
    }
    return subprocess.run([sys.executable, "-m", "wpcpd", *map(str, args)], capture_output=True,
                          text=True, env=environment, timeout=300)  # fmt: skip


def write_thing_12(tmp: Path) -> Path:
    """`wpcpd new thing --thing 12`, then answered the way a person would."""
    path = tmp / "thing-12.md"
    made = wpcpd(tmp, "new", "thing", "--thing", "12", "--out", path)
    assert made.returncode == 0, made.stderr
    (tmp / "badge.png").write_bytes(PNG)
    text = path.read_text(encoding="utf-8")
    answers = iter([
        "I joined the programme's Twitter chat and two webinars.",
        "Yes: the **Tuesday chat** felt like a staff room.",
        "Talking to a school librarian about reading lists.",
        "A monthly meet-up, and a shared RSS reader folder.",
        "Write up the reading-list idea by 1 December.\n\n![Thing 12 badge](badge.png)",
    ])  # fmt: skip
    text = re.sub(r"^TODO:.*$", lambda _: next(answers), text, flags=re.MULTILINE)
    text = text.replace("featured_image: null", "featured_image: badge.png")
    text = text.replace("- cpd23", "- cpd23\n- social media")
    path.write_text(text, encoding="utf-8")
    return path


def rest(site: Any, route: str, **params: Any) -> Any:
    response = requests.get(f"{site.url}/wp-json/wp/v2/{route}", params=params,
                            auth=(site.admin_user, site.app_password), timeout=30)  # fmt: skip
    response.raise_for_status()
    return response.json()


def publish(tmp: Path, file: Path, *sites: Any, extra: tuple[str, ...] = ()) -> Any:
    targets = [arg for site in sites for arg in ("--to", site.url)]
    env = {"WPCPD_PASSWORD": sites[0].app_password} if sites else {}
    return wpcpd(tmp, "publish", file, *targets, "--user", "admin", "--json", *extra, env=env)


def outcomes(result: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_new_then_publish_makes_a_draft_with_blocks_terms_image_and_date(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    file = write_thing_12(tmp_path)
    result = publish(tmp_path, file, site)
    assert result.returncode == 0, result.stderr
    (outcome,) = outcomes(result)
    assert outcome["action"] == "created"
    post = rest(site, f"posts/{outcome['post_id']}", context="edit")
    assert post["title"]["raw"] == "cpd23 Thing 12: Putting the social into social media"
    assert post["status"] == "draft"
    content = post["content"]["raw"]
    assert "<!-- wp:heading -->" in content and "<!-- wp:paragraph -->" in content
    assert "<strong>Tuesday chat</strong>" in content
    assert "TODO" not in content
    categories = {
        c["name"] for c in rest(site, "categories", include=",".join(map(str, post["categories"])))
    }
    tags = {t["name"] for t in rest(site, "tags", include=",".join(map(str, post["tags"])))}
    assert categories == {"CPD"} and tags == {"cpd23", "social media"}
    media = rest(site, f"media/{post['featured_media']}")
    assert media["mime_type"] == "image/png"
    assert f'"id":{post["featured_media"]}' in content  # the body's image is the same upload
    local_midnight = datetime.combine(date.today(), time(0)).astimezone()  # `date:` is today
    assert post["date_gmt"] == local_midnight.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    listed = wpcpd(tmp_path, "reflections", "--json")
    assert any(json.loads(line)["post_id"] == outcome["post_id"]
               for line in listed.stdout.splitlines())  # fmt: skip


def test_publishing_again_writes_nothing_and_an_edit_updates_the_same_post(
    wordpress_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = wordpress_factory()
    file = write_thing_12(tmp_path)
    (first,) = outcomes(publish(tmp_path, file, site))
    with FaultProxy() as proxy:
        env = {"HTTP_PROXY": proxy.url, "http_proxy": proxy.url, "NO_PROXY": "", "no_proxy": ""}
        monkeypatch.setattr(os, "environ", {**os.environ, **env})
        (again,) = outcomes(publish(tmp_path, file, site))
    assert again["action"] == "unchanged" and again["post_id"] == first["post_id"]
    assert proxy.methods["POST"] == 0 and proxy.methods["PUT"] == 0
    monkeypatch.undo()
    file.write_text(file.read_text().replace("a staff room", "a friendly staff room"))
    (edited,) = outcomes(publish(tmp_path, file, site))
    assert edited["action"] == "updated" and edited["post_id"] == first["post_id"]
    assert "a friendly staff room" in rest(site, f"posts/{first['post_id']}",
                                           context="edit")["content"]["raw"]  # fmt: skip
    assert len(rest(site, "posts", status="any", search="Thing 12")) == 1


def test_two_blogs_one_down_then_a_rerun_finishes_the_other(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    work, personal = wordpress_factory(), wordpress_factory()
    file = write_thing_12(tmp_path)
    wpcpd(tmp_path, "sites", "add", "work", work.url, "--user", "admin",
          "--password-env", "WORK_PASSWORD")  # fmt: skip
    wpcpd(tmp_path, "sites", "add", "personal", personal.url, "--user", "admin",
          "--password-env", "PERSONAL_PASSWORD")  # fmt: skip
    port = personal.port
    personal.stop()  # the second blog goes down before its turn
    env = {"WORK_PASSWORD": work.app_password, "PERSONAL_PASSWORD": "unused"}
    result = wpcpd(tmp_path, "publish", file, "--to", "work", "--to", "personal", "--json",
                   env=env)  # fmt: skip
    assert result.returncode == 1
    created, failed = outcomes(result)
    assert (created["target"], created["action"]) == ("work", "created")
    assert (failed["target"], failed["action"]) == ("personal", "failed")
    assert "cannot connect" in failed["message"]
    revived = wordpress_factory(port=port)
    env["PERSONAL_PASSWORD"] = revived.app_password
    result = wpcpd(tmp_path, "publish", file, "--to", "work", "--to", "personal", "--json",
                   env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    unchanged, created_now = outcomes(result)
    assert unchanged["action"] == "unchanged" and unchanged["post_id"] == created["post_id"]
    assert created_now["action"] == "created"
    assert len(rest(work, "posts", status="any", search="Thing 12")) == 1
    assert len(rest(revived, "posts", status="any", search="Thing 12")) == 1


def test_a_schedule_in_the_past_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    file = write_thing_12(tmp_path)
    past = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")
    file.write_text(re.sub(r"^date: .*$", f"date: {past}", file.read_text(), flags=re.M))
    result = wpcpd(tmp_path, "publish", file, "--to", "http://127.0.0.1:9", "--status", "future")
    assert result.returncode == 2
    assert "status future needs a date in the future" in result.stderr
    assert "cannot connect" not in result.stderr


def test_dry_run_shows_a_diff_and_writes_nothing(wordpress_factory: Any, tmp_path: Path) -> None:
    site = wordpress_factory()
    file = write_thing_12(tmp_path)
    (first,) = outcomes(publish(tmp_path, file, site))
    file.write_text(file.read_text().replace("two webinars", "three webinars"))
    result = publish(tmp_path, file, site, extra=("--dry-run",))
    (preview,) = outcomes(result)
    assert preview["action"] == "would update"
    assert "+" in preview["diff"] and "three webinars" in preview["diff"]
    live = rest(site, f"posts/{first['post_id']}", context="edit")["content"]["raw"]
    assert "two webinars" in live


def test_a_site_with_rest_closed_gets_the_reflection_through_xmlrpc(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    site.close_rest()
    file = write_thing_12(tmp_path)
    (created,) = outcomes(publish(tmp_path, file, site))
    assert created["action"] == "created", created
    post = json.loads(site.php(
        f"$p = get_post({created['post_id']});"
        "echo json_encode(['title' => $p->post_title, 'status' => $p->post_status,"
        " 'content' => $p->post_content, 'thumb' => (int) get_post_thumbnail_id($p),"
        " 'tags' => wp_get_post_tags($p->ID, ['fields' => 'names'])]);"
    ))  # fmt: skip
    assert post["title"] == "cpd23 Thing 12: Putting the social into social media"
    assert post["status"] == "draft" and post["thumb"] > 0
    assert "<!-- wp:heading -->" in post["content"]
    assert sorted(post["tags"]) == ["cpd23", "social media"]
    (again,) = outcomes(publish(tmp_path, file, site))
    assert again["action"] == "unchanged" and again["post_id"] == created["post_id"]
    file.write_text(file.read_text().replace("two webinars", "three webinars"))
    (edited,) = outcomes(publish(tmp_path, file, site))
    assert edited["action"] == "updated" and edited["post_id"] == created["post_id"]


def test_terms_wordpress_stores_escaped_are_found_again_not_created_twice(
    wordpress_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = wordpress_factory()
    file = write_thing_12(tmp_path)
    names = ["Café & Co", "R&D <b>notes</b>", 'Tom\'s "quoted" tag', "a < b > c"]
    listed = "\n".join(f"- {json.dumps(name)}" for name in names)  # YAML takes JSON strings
    file.write_text(file.read_text().replace("- social media", listed))
    (first,) = outcomes(publish(tmp_path, file, site))
    assert first["action"] == "created", first
    tags_before = rest(site, "tags", per_page=100)
    assert len(tags_before) == 1 + len(names)
    with FaultProxy() as proxy:
        env = {"HTTP_PROXY": proxy.url, "http_proxy": proxy.url, "NO_PROXY": "", "no_proxy": ""}
        monkeypatch.setattr(os, "environ", {**os.environ, **env})
        (again,) = outcomes(publish(tmp_path, file, site))
    monkeypatch.undo()
    assert again["action"] == "unchanged" and again["post_id"] == first["post_id"]
    assert proxy.methods["POST"] == 0 and proxy.methods["PUT"] == 0
    assert len(rest(site, "tags", per_page=100)) == len(tags_before)
