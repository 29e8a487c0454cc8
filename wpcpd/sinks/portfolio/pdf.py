"""The portfolio as a PDF, printed by headless Chromium from the same HTML a browser prints.

Chromium is found as $WPCPD_CHROMIUM, else the first of chromium, chromium-browser,
google-chrome on PATH. It prints a copy of the page in a temporary folder with a profile of
its own (so a browser the person has open is never touched) and is stopped, with every
process it started, when it takes longer than `TIMEOUT` seconds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from wpcpd.errors import WpcpdError
from wpcpd.files import atomic_write

CHROMIUM_ENV = "WPCPD_CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT = 120.0
HOW_TO_GET = f"install it (apt install chromium) or name it with {CHROMIUM_ENV}=/path/to/chromium"


class NoChromium(WpcpdError):
    """No Chromium to print with."""


class PrintFailed(WpcpdError):
    """Chromium ran, but no PDF came of it."""


def find_chromium() -> str:
    """The Chromium to print with, or NoChromium saying how to get one."""
    named = os.environ.get(CHROMIUM_ENV, "").strip()
    if named:
        path = shutil.which(named)
        if path is None:
            raise NoChromium(f"{CHROMIUM_ENV}={named} is not a program: {HOW_TO_GET}")
        return path
    for name in NAMES:
        path = shutil.which(name)
        if path is not None:
            return path
    raise NoChromium(f"no Chromium found ({', '.join(NAMES)}): {HOW_TO_GET}")


def chromium_command(chromium: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    return [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", f"--user-data-dir={profile}", "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}", page.as_uri(),
    ]  # fmt: skip


def print_pdf(page_html: str, target: Path, *, timeout: float = TIMEOUT) -> int:
    """Print `page_html` to `target` (written whole or not at all); returns its size."""
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="wpcpd-pdf-") as folder:
        page, pdf = Path(folder) / "portfolio.html", Path(folder) / "portfolio.pdf"
        page.write_text(page_html, encoding="utf-8")
        command = chromium_command(chromium, page, pdf, Path(folder) / "profile")
        _run(command, timeout)
        data = pdf.read_bytes() if pdf.is_file() else b""
        if not data.startswith(b"%PDF"):
            why = "an empty file" if pdf.is_file() else "no file"
            raise PrintFailed(f"Chromium ({chromium}) made {why} instead of {target.name}")
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise PrintFailed(f"cannot write {target}: {exc.strerror or exc}") from exc
    return len(data)


def _run(command: list[str], timeout: float) -> None:
    """Run Chromium in a process group of its own, so a timeout stops all of it."""
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
        )  # fmt: skip
    except OSError as exc:
        raise NoChromium(f"cannot run {command[0]}: {exc.strerror or exc}: {HOW_TO_GET}") from exc
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_group(process.pid)
        process.communicate()
        raise PrintFailed(f"Chromium took more than {timeout:g} s to print; stopped it") from None
    except BaseException:  # Ctrl-C: leave no Chromium behind
        _stop_group(process.pid)
        process.wait()
        raise
    if process.returncode != 0:
        raise PrintFailed(f"Chromium failed (exit {process.returncode}): {_last_line(err)}")


def _stop_group(group: int) -> None:
    """Stop Chromium and its helpers; called only before Chromium itself has been waited for,
    so the group is still its own."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


def _last_line(err: bytes) -> str:
    """What Chromium last said that is not its usual noise (D-Bus, GPU)."""
    lines = [line.strip() for line in err.decode("utf-8", "replace").splitlines()]
    useful = [line for line in lines if line and "dbus" not in line.casefold()]
    return (useful or ["no message"])[-1][:200]
