"""The command line as a person uses it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import archive_dump as dump

FIXTURES = Path(__file__).parent.parent / "fixtures" / "wxr"
EDGE = FIXTURES / "edge-1.2.xml"


def wpcpd(*args: str | Path, archive: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "WPCPD_ARCHIVE": str(archive), "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "wpcpd", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"wpcpd {args} failed: {result.stderr}")
    return result


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return tmp_path / "wpcpd.db"


def test_pull_then_stats_counts_everything_by_type_and_status(archive: Path) -> None:
    pulled = wpcpd("pull", EDGE, archive=archive)
    assert "posts 4 new" in pulled.stdout and "comments 5 new" in pulled.stdout
    stats = json.loads(wpcpd("stats", "--json", archive=archive).stdout)
    assert stats["posts"] == {
        "attachment": {"inherit": 1},
        "page": {"publish": 1},
        "post": {"draft": 1, "publish": 1},
    }
    assert stats["comments"]["by_status"] == {"approved": 3, "hold": 1, "trash": 1}
    assert stats["comments"]["by_type"] == {"comment": 4, "pingback": 1}
    assert stats["terms"] == {"category": 3, "post_format": 1, "post_tag": 1, "programme": 1}
    assert stats["authors"] == 1 and stats["media"] == 1


def test_second_pull_reports_everything_unchanged(archive: Path) -> None:
    wpcpd("pull", EDGE, archive=archive)
    again = json.loads(wpcpd("pull", EDGE, "--json", archive=archive).stdout)
    assert again["records"]["post"] == {"unchanged": 4}
    assert again["records"]["comment"] == {"unchanged": 5}


def test_export_json_lines_carry_the_documented_fields(archive: Path) -> None:
    wpcpd("pull", EDGE, archive=archive)
    lines = wpcpd("export", "json", "--out", "-", archive=archive).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["record"] for r in records][:3] == ["site", "author", "term"]
    post = next(r for r in records if r["record"] == "post" and r["id"] == 10)
    assert post["date"] == "2011-08-15T10:12:00" and post["date_gmt"] == "2011-08-15T09:12:00Z"
    assert post["terms"][0] == {"taxonomy": "category", "slug": "thing-1", "name": "Thing 1"}
    assert post["meta"]["mood"] == ["hopeful", "tired"]
    assert post["sticky"] is True and post["author"] == "librarian"
    comment = next(r for r in records if r["record"] == "comment" and r["id"] == 102)
    assert (comment["parent"], comment["status"], comment["type"]) == (101, "hold", "comment")
    assert set(comment) >= {"site", "id", "post", "author_name", "author_email", "author_url",
                            "date_gmt", "content"}  # fmt: skip


def test_export_to_a_file_is_written_whole(archive: Path, tmp_path: Path) -> None:
    wpcpd("pull", EDGE, archive=archive)
    target = tmp_path / "blog.jsonl"
    result = wpcpd("export", "json", "-o", target, archive=archive)
    assert "wrote 18 records" in result.stderr
    assert len(target.read_text(encoding="utf-8").splitlines()) == 18
    assert not list(tmp_path.glob(".*partial"))


def test_list_and_show(archive: Path) -> None:
    wpcpd("pull", EDGE, archive=archive)
    drafts = wpcpd("list", "posts", "--status", "draft", "--json", archive=archive).stdout
    assert [json.loads(line)["id"] for line in drafts.splitlines()] == [11]
    held = wpcpd("list", "comments", "--status", "hold", archive=archive).stdout
    assert "Ann Ó Briain" in held and "Third level" in held
    shown = wpcpd("show", "10", archive=archive).stdout
    assert "Thing 1: “Blogging”" in shown
    assert shown.index("Ann Ó Briain") < shown.index("Thanks Ann") < shown.index("Third level")


def test_broken_export_gives_one_line_exits_nonzero_and_changes_nothing(
    archive: Path, tmp_path: Path
) -> None:
    wpcpd("pull", FIXTURES / "old-1.0.xml", archive=archive)
    before = dump(archive)
    broken = tmp_path / "broken.xml"
    data = EDGE.read_bytes()
    broken.write_bytes(data[: len(data) - 300])
    result = wpcpd("pull", broken, archive=archive, check=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("wpcpd: error: ") and "ends too early" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(archive) == before


def test_debug_shows_the_traceback(archive: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.xml"
    quiet = wpcpd("pull", missing, archive=archive, check=False)
    loud = wpcpd("--debug", "pull", missing, archive=archive, check=False)
    assert quiet.returncode == loud.returncode == 2
    assert "no such file" in quiet.stderr and "Traceback" not in quiet.stderr
    assert "Traceback" in loud.stderr


def test_reading_commands_need_an_archive(archive: Path) -> None:
    result = wpcpd("stats", archive=archive, check=False)
    assert result.returncode == 1
    assert "no archive at" in result.stderr
    assert not archive.exists()


def test_help_lists_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wpcpd", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("pull", "stats", "list", "show", "export"):
        assert command in result.stdout


def test_a_posts_own_password_is_exported_but_never_printed(archive: Path, tmp_path: Path) -> None:
    wpcpd("pull", EDGE, archive=archive)
    for args in (["show", "11"], ["show", "11", "--json"], ["list", "posts"],
                 ["list", "posts", "--json"], ["stats", "--json"]):  # fmt: skip
        shown = wpcpd(*args, archive=archive)
        assert "secret-for-readers" not in shown.stdout + shown.stderr, args
    lines = wpcpd("export", "json", "-o", "-", archive=archive).stdout.splitlines()
    exported = [json.loads(line) for line in lines]
    draft = next(r for r in exported if r["record"] == "post" and r["id"] == 11)
    assert draft["password"] == "secret-for-readers" and draft["password_protected"]
    redacted = wpcpd("export", "json", "-o", "-", "--redact-passwords", archive=archive).stdout
    assert "secret-for-readers" not in redacted and '"password_protected": true' in redacted
