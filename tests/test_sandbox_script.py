"""scripts/wordpress-sandbox does what the README says, from a fresh clone with the system python3.

The script is run from a copy of exactly the files a clone holds (what git tracks or would
track, in the working tree's version, so uncommitted changes are checked too) and nothing
else: no .venv, no caches. It runs through its own shebang, with a PATH that finds the
system's python3 rather than this virtual environment's.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from conftest import require_wordpress

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
START_TIMEOUT = 180.0
TIMEOUT = 30


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's odd machine; fail where CI promises a full one."""
    if os.environ.get("WPCPD_REQUIRE_WORDPRESS") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def system_python() -> str:
    """The python3 a fresh machine has (not this venv's, nor pyenv's), or skip."""
    python = shutil.which("python3", path=SYSTEM_PATH)
    if python is None:
        skip_or_fail("no system python3 on /usr/bin")
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version_info >= (3, 11))"],
        capture_output=True,
        text=True,
        check=False,
    )
    if version.stdout.strip() != "True":
        skip_or_fail(f"the system {python} is older than Python 3.11")
    return python


def fresh_clone(dest: Path) -> Path:
    """What `git clone` of this tree (with its changes committed) would give, minus .git."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        skip_or_fail("not a git checkout")
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)  # keeps the executable bit
    assert not (dest / ".venv").exists()
    return dest


def clean_env() -> dict[str, str]:
    """The environment of someone who has just cloned: the system's PATH, no venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    }
    env["PATH"] = SYSTEM_PATH
    env["PYTHONNOUSERSITE"] = "1"
    return env


class RunningScript:
    """scripts/wordpress-sandbox started in the background, its output read line by line."""

    def __init__(self, clone: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [str(clone / "scripts" / "wordpress-sandbox"), *args],
            cwd=clone,
            env=clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, text: str, timeout: float = START_TIMEOUT) -> str:
        """Everything printed up to and including the line holding `text`."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if line is None or time.monotonic() > deadline:
                pytest.fail(f"no {text!r} from the script; it printed:\n{''.join(self.output)}")
            self.output.append(line)
            if text in line:
                return "".join(self.output)

    def field(self, name: str) -> str:
        match = re.search(rf"^\s*{re.escape(name)}:\s+(\S.*)$", "".join(self.output), re.M)
        assert match, f"no {name!r} line in:\n{''.join(self.output)}"
        return match.group(1).strip()

    def interrupt(self) -> int:
        """Ctrl-C, as a terminal sends it; the exit code."""
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=60)
        while (line := self.lines.get(timeout=10)) is not None:
            self.output.append(line)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    return fresh_clone(tmp_path / "wpcpd")


@pytest.fixture
def start_script(clone: Path) -> Iterator[Callable[..., RunningScript]]:
    started: list[RunningScript] = []

    def start(*args: str) -> RunningScript:
        require_wordpress()
        system_python()
        script = RunningScript(clone, *args)
        started.append(script)
        return script

    yield start
    for script in started:
        script.kill()


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that name `text` (the sandbox's directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state not in ("Z", "X"):
            found.append(f"{entry.name}: {cmdline}")
    return found


def test_sandbox_module_needs_only_the_standard_library() -> None:
    # -S: no site-packages at all, neither the venv's nor the system's.
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'tests' / 'wordpress')!r}); import sandbox"
    done = subprocess.run(
        [sys.executable, "-S", "-I", "-c", code], capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr


def test_script_help_runs_from_a_fresh_clone_with_the_system_python(clone: Path) -> None:
    system_python()

    done = subprocess.run(
        [str(clone / "scripts" / "wordpress-sandbox"), "--help"],
        cwd=clone,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "--seed" in done.stdout and "--empty" in done.stdout
    assert not (clone / ".venv").exists()


@pytest.mark.wordpress
def test_script_seed_serves_sitemap_and_robots_and_ctrl_c_leaves_nothing_running(
    start_script: Callable[..., RunningScript],
) -> None:
    script = start_script("--seed")
    script.wait_for("Press Ctrl-C to stop.")
    url = script.field("URL").rstrip("/")
    base_dir = Path(script.field("Site files")).parent

    sitemap = requests.get(f"{url}/wp-sitemap.xml", timeout=TIMEOUT)
    posts_sitemap = requests.get(f"{url}/wp-sitemap-posts-post-1.xml", timeout=TIMEOUT)
    robots = requests.get(f"{url}/robots.txt", timeout=TIMEOUT)
    running = processes_mentioning(str(base_dir))
    code = script.interrupt()

    assert sitemap.status_code == 200
    assert sitemap.headers["Content-Type"].startswith("application/xml")
    assert "<sitemapindex" in sitemap.text and "wp-sitemap-posts-post-1.xml" in sitemap.text
    assert posts_sitemap.status_code == 200
    assert f"{url}/thing-1-blogging/" in posts_sitemap.text  # a seeded post
    assert robots.status_code == 200
    assert robots.headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in robots.text
    assert f"Sitemap: {url}/wp-sitemap.xml" in robots.text
    assert len(running) >= 2  # php -S (with its workers) and mariadbd were found while running
    assert code == 0
    assert "Stopped; sandbox removed." in "".join(script.output)
    assert processes_mentioning(str(base_dir)) == []
    assert not base_dir.exists()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/", timeout=5)


@pytest.mark.wordpress
def test_script_empty_gives_a_site_with_no_posts_and_no_pages(
    start_script: Callable[..., RunningScript],
) -> None:
    script = start_script("--empty")
    script.wait_for("Press Ctrl-C to stop.")
    rest = script.field("REST API")
    auth = (script.field("Admin user"), script.field("Application password"))

    def total(route: str, status: str) -> int:
        response = requests.get(
            f"{rest}wp/v2/{route}",
            params={"status": status, "context": "edit", "per_page": 1},
            auth=auth,
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        return int(response.headers["X-WP-Total"])

    counts = {
        (route, status): total(route, status)
        for route in ("posts", "pages")
        for status in ("any", "trash")
    }
    comments = requests.get(f"{rest}wp/v2/comments", params={"status": "all"}, auth=auth,
                            timeout=TIMEOUT)  # fmt: skip
    code = script.interrupt()

    assert counts == {(r, s): 0 for r in ("posts", "pages") for s in ("any", "trash")}
    assert comments.json() == []  # the sample comment went with "Hello world!"
    assert "Content:              none" in "".join(script.output)
    assert code == 0
