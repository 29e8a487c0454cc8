"""The worked example in docs/architecture.md holds: a new export format is one file plus one
registry line, and the command line then offers it with its options, help and atomic write."""

from __future__ import annotations

import csv
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "sample-cpd23.xml"

# Run as a program: the example's module is made from the document, registered the way its
# registry line would (before the CLI is built), and the CLI is then run as `wpcpd`.
PROGRAM = """
import sys, types
import wpcpd.sinks
module = types.ModuleType("wpcpd.sinks.csv_comments")
exec(compile(open(sys.argv[1]).read(), "csv_comments.py", "exec"), module.__dict__)
sys.modules[module.__name__] = module
wpcpd.sinks.EXPORTS[module.EXPORT.name] = module.EXPORT
from wpcpd.cli import app
sys.argv = ["wpcpd", *sys.argv[2:]]
app()
"""


def _example_module(tmp_path: Path) -> Path:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Adding a sink", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, "the worked example's module is missing from docs/architecture.md"
    path = tmp_path / "csv_comments.py"
    path.write_text(textwrap.dedent(code.group(1)), encoding="utf-8")
    return path


def _wpcpd(tmp_path: Path, module: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, str(module), "--archive", str(tmp_path / "a.db"), *args],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip


def test_the_documented_csv_sink_works_through_the_command_line(tmp_path: Path) -> None:
    module = _example_module(tmp_path)
    pulled = _wpcpd(tmp_path, module, "pull", str(SAMPLE))
    assert pulled.returncode == 0, pulled.stderr

    listed = _wpcpd(tmp_path, module, "export", "--help")
    assert re.search(r"^\s+csv\s+Write the comments as CSV", listed.stdout, re.M), listed.stdout
    helped = _wpcpd(tmp_path, module, "export", "csv", "--help")
    assert "--held" in helped.stdout and "--out" in helped.stdout and "--site" in helped.stdout

    every = tmp_path / "all.csv"
    wrote = _wpcpd(tmp_path, module, "export", "csv", "-o", every.name, "--held")
    assert wrote.returncode == 0, wrote.stderr
    rows = list(csv.DictReader(every.open(encoding="utf-8")))
    with sqlite3.connect(tmp_path / "a.db") as db:
        statuses = dict(db.execute("SELECT status, count(*) FROM comments GROUP BY status"))
    assert len(rows) == sum(statuses.values()) and statuses["approved"] < len(rows)
    assert f"wrote {len(rows)} records to {every.name}" in wrote.stderr
    assert not list(tmp_path.glob("*.partial"))

    approved = _wpcpd(tmp_path, module, "export", "csv", "-o", "-")
    shown = list(csv.DictReader(approved.stdout.splitlines()))
    assert len(shown) == statuses["approved"]
    assert all(row["status"] == "approved" for row in shown)
