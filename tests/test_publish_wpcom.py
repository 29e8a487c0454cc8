"""Publishing a reflection to a WordPress.com blog, against a local stand-in for its API.

The stand-in (tests/wpcomfake.py) answers in the shapes WordPress.com documents; its
docstring says which page each comes from. Sharing to social accounts: Jetpack Social
registers the post meta `jetpack_publicize_feature_enabled` ("Whether or not the Share Post
feature is enabled", default true; Automattic/jetpack
projects/packages/publicize/src/class-publicize-base.php), the editor's per-post "Share this
post" toggle (https://jetpack.com/support/publicize/). wpcpd sends it false unless --share.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import MODES, assert_clean, cli_env, plain, run_cli
from test_publish import write_thing_12
from wpcomfake import SITE, TOKEN, FakeWpcom, running

BLOG = f"https://{SITE}"


@pytest.fixture
def fake() -> Iterator[FakeWpcom]:
    with running(FakeWpcom()) as server:
        yield server


def env_for(tmp: Path, fake: FakeWpcom, token: str | None = TOKEN, **extra: str) -> dict[str, str]:
    env = cli_env(tmp, WPCPD_WPCOM_API=fake.url, PYTHON_KEYRING_BACKEND=
                  "keyring.backends.fail.Keyring", COLUMNS="200", **extra)  # fmt: skip
    env.pop("WPCPD_WPCOM_TOKEN", None)
    if token:
        env["WPCPD_WPCOM_TOKEN"] = token
    return env


def publish(tmp: Path, fake: FakeWpcom, file: Path, *args: str, mode: str = "json", **env: Any):
    return run_cli(["publish", str(file), "--to", BLOG, *args], env_for(tmp, fake, **env), mode)


def outcome(run: Any) -> dict[str, Any]:
    (line,) = [line for line in run.out.splitlines() if line.startswith("{")]
    return json.loads(line)


def post_writes(fake: FakeWpcom) -> list[Any]:
    return [s for s in fake.writes() if s.path.startswith(f"/wp/v2/sites/{SITE}/posts")]


def test_create_then_update_through_the_public_api(fake: FakeWpcom, tmp_path: Path) -> None:
    file = write_thing_12(tmp_path)
    run = publish(tmp_path, fake, file)
    assert_clean(run, "json")
    created = outcome(run)
    assert created["action"] == "created" and created["target"] == BLOG
    assert all(s.headers.get("Authorization") == f"Bearer {TOKEN}"
               for s in fake.seen if s.path.startswith("/wp/v2/"))  # fmt: skip
    assert all(s.path.startswith((f"/wp/v2/sites/{SITE}/", f"/rest/v1.1/sites/{SITE}"))
               for s in fake.seen)  # fmt: skip
    (create,) = post_writes(fake)
    sent = create.json()
    assert create.method == "POST" and sent["status"] == "draft"
    assert sent["meta"] == {"jetpack_publicize_feature_enabled": False}  # not shared
    post = fake.posts[created["post_id"]]
    names = {t["name"] for t in fake.terms["tags"].values() if t["id"] in post["tags"]}
    assert names == {"cpd23", "social media"}
    (upload,) = [s for s in fake.writes() if s.path.endswith("/media")]  # body and featured
    assert upload.headers["Content-Type"].startswith("multipart/form-data")
    assert (
        post["featured_media"] in fake.media
        and f'"id":{post["featured_media"]}' in (post["content"]["raw"])
    )
    assert TOKEN not in run.text

    fake.seen.clear()
    again = publish(tmp_path, fake, file)
    assert outcome(again)["action"] == "unchanged"
    assert fake.writes() == []  # unchanged: not one write

    file.write_text(file.read_text().replace("a staff room", "a friendly staff room"))
    edited = outcome(publish(tmp_path, fake, file))
    assert edited["action"] == "updated" and edited["post_id"] == created["post_id"]
    (update,) = post_writes(fake)
    assert update.path.endswith(f"/posts/{created['post_id']}") and update.method == "PUT"
    assert update.json()["meta"] == {"jetpack_publicize_feature_enabled": False}
    assert not [s for s in fake.writes() if s.path.endswith("/media")]  # the image went once
    assert len(fake.posts) == 1 and "friendly staff room" in post["content"]["raw"]


def test_share_only_when_asked(fake: FakeWpcom, tmp_path: Path) -> None:
    file = write_thing_12(tmp_path)
    run = publish(tmp_path, fake, file, "--status", "publish", "--share")
    assert outcome(run)["action"] == "created", run.text
    (create,) = post_writes(fake)
    assert create.json()["status"] == "publish"
    assert create.json()["meta"] == {"jetpack_publicize_feature_enabled": True}


def test_dry_run_writes_nothing_and_shows_the_change(fake: FakeWpcom, tmp_path: Path) -> None:
    file = write_thing_12(tmp_path)
    preview = outcome(publish(tmp_path, fake, file, "--dry-run"))
    assert preview["action"] == "would create"
    assert fake.writes() == []
    outcome(publish(tmp_path, fake, file))
    fake.seen.clear()
    file.write_text(file.read_text().replace("two webinars", "three webinars"))
    preview = outcome(publish(tmp_path, fake, file, "--dry-run"))
    assert preview["action"] == "would update" and "+" in preview["diff"]
    assert "three webinars" in preview["diff"]
    assert fake.writes() == []


def test_throttling_is_waited_out_and_nothing_is_duplicated(
    fake: FakeWpcom, tmp_path: Path
) -> None:
    file = write_thing_12(tmp_path)
    fake.throttle = ["429", "403throttled"]  # the first two writes are refused, then served
    run = publish(tmp_path, fake, file)
    assert_clean(run, "json")
    assert outcome(run)["action"] == "created"
    first, second, third = fake.writes()[:3]
    assert first.path == second.path == third.path  # the same request, sent again
    assert len(fake.posts) == 1 and len(fake.media) == 1
    assert len(fake.terms["tags"]) == 2 and len(fake.terms["categories"]) == 1


def archive_remote_ids(tmp: Path) -> list[tuple]:
    with sqlite3.connect(tmp / "wpcpd.db") as db:
        return db.execute(
            "SELECT kind, target FROM remote_ids WHERE kind = 'reflection'"
        ).fetchall()


@pytest.mark.parametrize("mode", MODES)
def test_a_token_without_the_right_to_write_is_one_line_and_records_nothing(
    fake: FakeWpcom, tmp_path: Path, mode: str
) -> None:
    file = write_thing_12(tmp_path)
    fake.deny_writes = True
    run = publish(tmp_path, fake, file, mode=mode)
    assert_clean(run, mode, ok=False)
    assert run.code == 1
    error = next(line for line in plain(run.text).splitlines() if line.startswith("wpcpd: error:"))
    assert "403" in error and "unauthorized" in error and SITE in error
    assert "wpcpd auth wpcom" in error  # what to do about it
    assert TOKEN not in run.text
    assert archive_remote_ids(tmp_path) == []
    assert fake.posts == {}
    fake.deny_writes = False
    assert outcome(publish(tmp_path, fake, file))["action"] == "created"


def test_a_token_for_another_blog_is_refused_with_a_hint(fake: FakeWpcom, tmp_path: Path) -> None:
    file = write_thing_12(tmp_path)
    run = publish(tmp_path, fake, file, token="a-token-for-another-blog")
    assert_clean(run, "json", ok=False)
    assert "did not accept the token" in run.err and "--scope global" in run.err
    assert "a-token-for-another-blog" not in run.text
    assert fake.writes() == []


def test_debug_output_never_shows_the_token(fake: FakeWpcom, tmp_path: Path) -> None:
    file = write_thing_12(tmp_path)
    fake.throttle = ["429"]
    run = run_cli(["--debug", "-v", "publish", str(file), "--to", BLOG],
                  env_for(tmp_path, fake), "piped")  # fmt: skip
    assert_clean(run, "piped")
    assert "POST" in run.err and "429" in run.err  # it did say what it sent and retried
    assert TOKEN not in run.text


@pytest.mark.parametrize("mode", ("piped", "json"))
def test_no_token_says_how_to_get_one(fake: FakeWpcom, tmp_path: Path, mode: str) -> None:
    file = write_thing_12(tmp_path)
    run = publish(tmp_path, fake, file, mode=mode, token=None)
    assert_clean(run, mode, ok=False)
    assert "wpcpd auth wpcom" in run.err and "WPCPD_WPCOM_TOKEN" in run.err
    assert fake.seen == [] or fake.writes() == []


def test_at_a_terminal_the_token_is_asked_for_without_echo(fake: FakeWpcom, tmp_path: Path) -> None:
    file = write_thing_12(tmp_path)
    env = env_for(tmp_path, fake, token=None)
    code, shown = answer_prompt(["publish", str(file), "--to", BLOG], env, "token", TOKEN)
    assert code == 0, shown
    assert "created" in shown and TOKEN not in shown
    assert len(fake.posts) == 1


@pytest.mark.parametrize("mode", MODES)
def test_publish_to_wordpress_com_in_every_output_mode(
    fake: FakeWpcom, tmp_path: Path, mode: str
) -> None:
    file = write_thing_12(tmp_path)
    run = publish(tmp_path, fake, file, mode=mode)
    assert_clean(run, mode)
    assert "created" in run.out and SITE in run.out
    assert TOKEN not in run.text


def test_a_mapped_domain_goes_through_wordpress_com_with_via(
    fake: FakeWpcom, tmp_path: Path
) -> None:
    mapped = FakeWpcom(site="cpd.example.org")
    with running(mapped):
        file = write_thing_12(tmp_path)
        env = env_for(tmp_path, mapped)
        run = run_cli(["sites", "add", "mapped", "https://cpd.example.org", "--via", "wpcom"],
                      env)  # fmt: skip
        assert_clean(run, "piped")
        run = run_cli(["publish", str(file), "--to", "mapped"], env, "json")
        assert_clean(run, "json")
        assert outcome(run)["action"] == "created"
        assert len(mapped.posts) == 1
    profiles = (tmp_path / "config" / "sites.toml").read_text()
    assert TOKEN not in profiles


def test_one_command_cross_posts_to_wordpress_com_and_a_self_hosted_blog(
    fake: FakeWpcom, wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    file = write_thing_12(tmp_path)
    env = env_for(tmp_path, fake, WPCPD_PASSWORD=site.app_password)
    args = ["publish", str(file), "--to", SITE, "--to", site.url, "--user", "admin"]
    run = run_cli(args, env, "json")
    assert_clean(run, "json")
    results = [json.loads(line) for line in run.out.splitlines() if line.startswith("{")]
    assert [r["action"] for r in results] == ["created", "created"]
    assert len(fake.posts) == 1
    again = run_cli(args, env, "json")
    assert [json.loads(line)["action"] for line in again.out.splitlines()] == ["unchanged"] * 2


# -- a person at a terminal ------------------------------------------------------------------


def answer_prompt(args: list[str], env: dict[str, str], prompt: str, reply: str,
                  timeout: float = 120) -> tuple[int, str]:  # fmt: skip
    """Run wpcpd at a pty, type `reply` when `prompt` shows, and return (exit code, output).
    The pty is the child's controlling terminal, so getpass reads it, never this one's."""
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "wpcpd", *args], stdin=child,
                               stdout=child, stderr=child, env=env, close_fds=True,
                               start_new_session=True, preexec_fn=_take_terminal)  # fmt: skip
    os.close(child)
    seen, answered = b"", False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if not ready:
            if process.poll() is not None:
                break
            continue
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        seen += data
        if not answered and prompt.encode() in seen:
            os.write(main, reply.encode() + b"\n")
            answered = True
    code = process.wait(timeout=30)
    os.close(main)
    return code, plain(seen.decode("utf-8", "replace"))


def _take_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
