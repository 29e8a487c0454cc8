"""The commands that talk to a site, at a terminal, piped and with --json, against the real
WordPress: every outcome they print (created, unchanged, dry run, refused password, failed),
in every mode, with no crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import MODES, assert_clean, cli_env, plain, run_cli
from test_publish import write_thing_12

SAMPLE = Path(__file__).parent.parent / "fixtures" / "sample-cpd23.xml"


@pytest.fixture(scope="module")
def blog(seeded_wordpress: Any) -> Any:
    return seeded_wordpress


@pytest.mark.parametrize("mode", MODES)
def test_publish_prints_every_outcome_in_every_mode(
    wordpress_factory: Any, tmp_path: Path, mode: str
) -> None:
    site = wordpress_factory()
    file = write_thing_12(tmp_path)
    env = cli_env(tmp_path, WPCPD_PASSWORD=site.app_password)
    base = ["publish", str(file), "--to", site.url, "--user", "admin"]
    dry = run_cli([*base, "--dry-run"], env, mode)
    assert_clean(dry, mode)
    assert "would create" in dry.out
    created = run_cli(base, env, mode)
    assert_clean(created, mode)
    assert "created" in created.out
    if mode == "json":
        (outcome,) = [json.loads(line) for line in created.out.splitlines() if line.strip()]
        assert outcome["action"] == "created" and outcome["post_id"]
    again = run_cli(base, env, mode)
    assert_clean(again, mode)
    assert "unchanged" in again.out
    refused = run_cli(base, {**env, "WPCPD_PASSWORD": "abcd efgh ijkl mnop qrst uvwx"}, mode)
    assert refused.code == 1 and "Traceback" not in refused.text
    assert "wrong application password" in plain(refused.text)  # the real reason, shown


@pytest.mark.parametrize("mode", MODES)
def test_pull_check_and_sites_test_against_a_live_site(
    blog: Any, tmp_path: Path, mode: str
) -> None:
    env = cli_env(tmp_path, WPCPD_PASSWORD=blog.app_password)
    assert_clean(run_cli(["sites", "add", "cpd", blog.url, "--user", "admin"], env, "piped"),
                 "piped")  # fmt: skip
    tested = run_cli(["sites", "test", "cpd"], env, mode)
    assert_clean(tested, mode)
    assert "admin" in tested.out
    pulled = run_cli(["pull", "cpd"], env, mode)
    assert_clean(pulled, mode)
    checked = run_cli(["check", "--site", "cpd"], env, mode)
    assert_clean(checked, mode)
    plain_mode = "piped" if mode == "json" else mode  # `sites add` prints no JSON
    again = run_cli(["sites", "add", "cpd", blog.url], env, plain_mode)
    assert_clean(again, plain_mode, ok=False)
    assert "--replace" in plain(again.text)
    wrong = run_cli(["sites", "test", "cpd"], {**env, "WPCPD_PASSWORD": "x"}, mode)
    assert_clean(wrong, mode, ok=False)


@pytest.mark.parametrize("mode", MODES)
def test_push_dry_run_push_and_verify_in_every_mode(
    blog: Any, wordpress_factory: Any, tmp_path: Path, mode: str
) -> None:
    target = wordpress_factory()
    env = cli_env(tmp_path, WPCPD_PASSWORD=blog.app_password)
    assert_clean(run_cli(["pull", blog.url, "--user", "admin"], env, "piped"), "piped")
    env["WPCPD_PASSWORD"] = target.app_password
    common = ["--from", "1", "--user", "admin", "--create-authors"]
    redirects = tmp_path / "moved"
    dry = run_cli(["push", *common, "--to", target.url, "--dry-run", "--redirects",
                   str(redirects)], env, mode)  # fmt: skip
    assert_clean(dry, mode)
    assert not list(tmp_path.glob("moved.*"))  # a dry run writes no files
    pushed = run_cli(["push", *common, "--to", target.url], env, mode)
    assert_clean(pushed, mode)
    checked = run_cli(["verify", "--from", "1", "--to", target.url, "--user", "admin"],
                      env, mode)  # fmt: skip
    assert checked.code in (0, 1) and "Traceback" not in checked.text
