"""Every command the README shows, run as written (placeholders swapped for the real
WordPress sandboxes and the bundled sample), in the README's own order."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_push import target

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "fixtures" / "sample-cpd23.xml"
# Lines that need what cannot run here (WordPress.com itself, a person at a browser);
# test_wpcom_pull, test_publish_wpcom and test_auth_wpcom replay them.
NOT_HERE = ("wordpress.com", "--via wpcom", "--client-id")


def readme_commands() -> list[str]:
    """The `wpcpd …` lines of the README's sh blocks, continuation lines joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split("  #")[0].strip()
            if "wpcpd " in line and not line.startswith(("#", "./", ".venv")):
                commands.append(line)
    return commands


def test_the_readme_lists_the_commands_this_test_runs() -> None:
    commands = readme_commands()
    assert len(commands) >= 25
    assert sum(any(mark in c for mark in NOT_HERE) for c in commands) == 7


@pytest.fixture(scope="module")
def sites(seeded_wordpress: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from sandbox import WordPressSandbox

    started = []

    def start() -> WordPressSandbox:
        site = WordPressSandbox().start()
        started.append(site)
        return site

    class Factory:
        def __call__(self, **_: Any) -> WordPressSandbox:
            return start()

    found = {"old": seeded_wordpress, "new": target(Factory(), seeded_wordpress),
             "work": start(), "personal": start()}  # fmt: skip
    yield found
    for site in started:
        site.stop()


def as_run(line: str, sites: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The README line with its placeholders made real: words and environment."""
    old, new = sites["old"], sites["new"]
    line = line.replace("https://blog.example.org", old.url)
    line = line.replace("https://old.example.org", old.url)
    line = line.replace("https://new.example.org", new.url)
    line = line.replace("old.example.org", old.url.removeprefix("http://"))
    line = line.replace("--user jo", "--user admin").replace("export.xml", str(SAMPLE))
    words = shlex.split(line)
    env: dict[str, str] = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if "WPCPD_PASSWORD" in env:
        writes_new = words[1] in ("push", "verify")
        env["WPCPD_PASSWORD"] = (new if writes_new else old).app_password
    assert words[0] == "wpcpd", line
    words = [w.replace("42", "4") if w == "42" else w for w in words[1:]]
    return words, env


def test_every_readme_command_runs_as_written(sites: dict[str, Any], tmp_path: Path) -> None:
    home = tmp_path
    env = {**os.environ, "WPCPD_ARCHIVE": str(home / "wpcpd.db"),
           "WPCPD_CONFIG_DIR": str(home / "config"),
           "WPCPD_PASSWORD": sites["old"].app_password,
           "WORK_PASSWORD": sites["work"].app_password,
           "PERSONAL_PASSWORD": sites["personal"].app_password}  # fmt: skip
    for name in ("work", "personal"):  # the profiles "see above" refers to
        subprocess.run([sys.executable, "-m", "wpcpd", "sites", "add", name, sites[name].url,
                        "--user", "admin", "--password-env", f"{name.upper()}_PASSWORD"],
                       env=env, check=True, capture_output=True)  # fmt: skip
    ran = 0
    for line in readme_commands():
        if any(mark in line for mark in NOT_HERE):
            continue
        args, extra = as_run(line, sites)
        if args[:2] == ["sites", "add"]:
            args[3] = sites["old"].url
        # As from a script: no terminal to prompt at (wpcpd auth wpcom only explains).
        done = subprocess.run([sys.executable, "-m", "wpcpd", *args], cwd=home, text=True,
                              capture_output=True, env={**env, **extra}, timeout=300,
                              stdin=subprocess.DEVNULL)  # fmt: skip
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, line
        ran += 1
    assert ran >= 20
