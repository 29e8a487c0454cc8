"""Run the real command line as a person does: at a terminal (a pty), piped, or with --json."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MODES = ("terminal", "piped", "json")


@dataclass
class Run:
    code: int
    out: str
    err: str
    """At a terminal both streams arrive together in `out`; `err` is empty."""

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cli(
    args: list[str], env: dict[str, str], mode: str = "piped", *, timeout: float = 120
) -> Run:
    command = [sys.executable, "-m", "wpcpd", *args, *(["--json"] if mode == "json" else [])]
    if mode != "terminal":
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout,
                              stdin=subprocess.DEVNULL)  # fmt: skip
        return Run(done.returncode, done.stdout, done.stderr)
    return _in_pty(command, env, timeout)


def _in_pty(
    command: list[str],
    env: dict[str, str],
    timeout: float,
    on_output: Callable[[bytes, subprocess.Popen], None] | None = None,
) -> Run:
    main, child = pty.openpty()
    env = {**env, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "40"}
    process = subprocess.Popen(command, stdin=child, stdout=child, stderr=child, env=env,
                               close_fds=True)  # fmt: skip
    os.close(child)
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if not ready:
            if process.poll() is not None:
                break  # exited, and everything it wrote has been read
            continue
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child's side is closed and drained
            break
        if not data:
            break
        seen += data
        if on_output is not None:
            on_output(seen, process)
    else:
        process.kill()
    code = process.wait(timeout=30)
    os.close(main)
    return Run(code, seen.decode("utf-8", "replace").replace("\r\n", "\n"), "")


def run_in_pty(
    args: list[str],
    env: dict[str, str],
    on_output: Callable[[bytes, subprocess.Popen], None],
    timeout: float = 120,
) -> Run:
    """At a terminal, reacting to what it prints (to interrupt it at a given point)."""
    return _in_pty([sys.executable, "-m", "wpcpd", *args], env, timeout, on_output)


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


def plain(text: str) -> str:
    """What a terminal shows, without its control sequences."""
    return ANSI.sub("", text)


def assert_clean(run: Run, mode: str, *, ok: bool = True) -> None:
    """What must hold in every mode: no traceback, the right kind of exit, JSON that parses,
    errors in one line."""
    assert "Traceback" not in run.text and "internal error" not in run.text, run.text
    if ok:
        assert run.code == 0, run.text
    else:
        assert run.code not in (0, 3), run.text
        lines = plain(run.text).splitlines()
        errors = [line for line in lines if line.startswith("wpcpd: error:")]
        assert len(errors) == 1, run.text
        if mode != "terminal":
            assert run.err.count("\n") == 1, run.err
    if mode == "json" and ok and run.out.strip():
        _parse_json(run.out)


def _parse_json(text: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        for line in text.splitlines():
            if line.strip():
                json.loads(line)


def cli_env(tmp: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "WPCPD_ARCHIVE": str(tmp / "wpcpd.db"),
            "WPCPD_CONFIG_DIR": str(tmp / "config"), **extra}  # fmt: skip
