"""`stats` and `check`: what the archive holds per site, and whether the backup is healthy."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from test_cli import EDGE, wpcpd

SAMPLE = Path(__file__).parent.parent / "fixtures" / "sample-cpd23.xml"


def test_stats_labels_each_site_with_its_number_copy_and_pulls(tmp_path: Path) -> None:
    archive = tmp_path / "two.db"
    wpcpd("pull", SAMPLE, archive=archive)
    wpcpd("pull", EDGE, archive=archive)
    stats = json.loads(wpcpd("stats", "--json", archive=archive).stdout)
    first, second = stats["sites"]
    assert (first["number"], first["key"], first["copy"]) == (1, "cpd23.example.org", "full")
    assert second["number"] == 2 and first["posts"] != second["posts"]
    assert first["last_outcome"] == "ok" and first["last_success"]
    by_number = json.loads(wpcpd("stats", "--site", "2", "--json", archive=archive).stdout)
    assert [s["key"] for s in by_number["sites"]] == [second["key"]]
    piped = wpcpd("stats", archive=archive).stdout.splitlines()
    assert piped[0] == "site\twhat\tkind\tvalue"
    assert all(len(line.split("\t")) == 4 for line in piped)
    assert f"{second['key']}\tsite\tnumber\t2" in piped


def test_stats_shows_the_latest_successful_pull_not_the_first(tmp_path: Path) -> None:
    archive = tmp_path / "again.db"
    wpcpd("pull", SAMPLE, archive=archive)
    before = json.loads(wpcpd("stats", "--json", archive=archive).stdout)["sites"][0]
    time.sleep(1.1)
    wpcpd("pull", SAMPLE, archive=archive)  # unchanged: still a successful backup
    after = json.loads(wpcpd("stats", "--json", archive=archive).stdout)["sites"][0]
    assert after["last_success"] > before["last_success"]


def test_check_fails_after_a_failed_pull_and_recovers_after_a_good_one(tmp_path: Path) -> None:
    archive = tmp_path / "health.db"
    wpcpd("pull", SAMPLE, archive=archive)
    assert wpcpd("check", archive=archive).returncode == 0
    broken = tmp_path / "cut.xml"
    broken.write_bytes(SAMPLE.read_bytes()[: SAMPLE.stat().st_size // 2])
    failed = wpcpd("pull", broken, archive=archive, check=False)
    assert failed.returncode != 0
    checked = wpcpd("check", archive=archive, check=False)
    assert checked.returncode == 1 and "PROBLEM" in checked.stdout
    assert "pull failed" in checked.stdout
    stats = json.loads(wpcpd("stats", "--json", archive=archive).stdout)["sites"][0]
    assert stats["last_outcome"] == "failed" and stats["problems_since_success"] == 1
    wpcpd("pull", SAMPLE, archive=archive)
    verdict = json.loads(wpcpd("check", "--json", archive=archive).stdout)
    assert verdict["healthy"] and verdict["problems"] == []


def test_check_says_a_backup_is_stale_past_max_age(tmp_path: Path) -> None:
    archive = tmp_path / "stale.db"
    wpcpd("pull", SAMPLE, archive=archive)
    with sqlite3.connect(archive) as db:
        db.execute("UPDATE pull_runs SET finished_at = '2026-01-01T06:15:00Z'")
    stale = wpcpd("check", "--max-age", "26h", archive=archive, check=False)
    assert stale.returncode == 1 and "last successful pull" in stale.stdout
    assert wpcpd("check", "--max-age", "52w", archive=archive).returncode == 0
    wrong = wpcpd("check", "--max-age", "soon", archive=archive, check=False)
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and "26h" in wrong.stderr


def test_check_on_an_empty_archive_says_nothing_is_backed_up(tmp_path: Path) -> None:
    archive = tmp_path / "empty.db"
    wpcpd("pull", SAMPLE, archive=archive)
    with sqlite3.connect(archive) as db:
        db.execute("DELETE FROM sites")
    empty = wpcpd("check", archive=archive, check=False)
    assert empty.returncode == 1 and "nothing is backed up" in empty.stdout
