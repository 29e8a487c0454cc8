"""An archive on a read-only disk or in a folder one cannot write: reading works, writing
says why it cannot. Run as an unprivileged user where the tests run as root (CI), since
root may write anywhere."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent.parent / "fixtures" / "sample-cpd23.xml"
NOBODY = 65534


def as_reader(args: list[str], archive: Path) -> subprocess.CompletedProcess:
    """The command as someone who may read but not write the archive and its folder."""
    prefix = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to drop root for this test"
        prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    env = {**os.environ, "WPCPD_ARCHIVE": str(archive), "HOME": str(archive.parent)}
    return subprocess.run([*prefix, sys.executable, "-m", "wpcpd", *args], capture_output=True,
                          text=True, timeout=120, env=env, cwd="/")  # fmt: skip


@pytest.fixture
def locked() -> Iterator[Path]:
    # Outside pytest's own temporary folders, which only their owner may enter.
    root = Path(tempfile.mkdtemp(prefix="wpcpd-readonly-"))
    folder = root / "backup-disk"
    folder.mkdir()
    archive = folder / "wpcpd.db"
    made = subprocess.run([sys.executable, "-m", "wpcpd", "--archive", str(archive), "pull",
                           str(SAMPLE)], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert made.returncode == 0, made.stderr
    root.chmod(0o755)  # others may enter, nobody but the owner may write
    archive.chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(0o555)
    yield archive
    folder.chmod(0o755)
    shutil.rmtree(root)


@pytest.mark.parametrize("args", [["stats"], ["list", "posts"], ["comments", "--status", "hold"],
                                  ["show", "4"], ["export", "json", "-o", "-"],
                                  ["check", "--max-age", "52w"]])  # fmt: skip
def test_reading_works_on_an_archive_nobody_may_write(locked: Path, args: list[str]) -> None:
    read = as_reader(args, locked)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip()
    assert not any(p.name.endswith(("-wal", "-shm")) for p in locked.parent.iterdir())


def test_writing_there_says_the_archive_is_read_only(locked: Path) -> None:
    wrote = as_reader(["pull", str(SAMPLE)], locked)
    assert wrote.returncode != 0 and wrote.stderr.count("\n") == 1
    assert "read-only" in wrote.stderr and "Traceback" not in wrote.stderr
