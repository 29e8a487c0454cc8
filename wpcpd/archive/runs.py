"""Pull runs: every pull attempt and how it ended (`pull_runs`), for `stats` and `check`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from wpcpd.archive.base import ArchiveBase
from wpcpd.model import now_iso


@dataclass
class RunHistory:
    """What `stats` and `check` say about a site's pulls (rows of `pull_runs`)."""

    last_ok: dict[str, Any] | None = None
    last_attempt: dict[str, Any] | None = None
    problems_since_ok: list[dict[str, Any]] = field(default_factory=list)
    """Failed, interrupted or killed runs after the last successful one."""


def process_alive(pid: int | None) -> bool:
    """Whether a process of that id still runs (a kill -9 leaves no other trace)."""
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PullRuns(ArchiveBase):
    def begin_run(self, source: str, site_key_: str | None) -> int:
        """Record that a pull starts, committed at once: a kill leaves it 'running'."""
        cursor = self.db.execute(
            "INSERT INTO pull_runs (site_key, source, started_at, pid) VALUES (?, ?, ?, ?)",
            (site_key_, source, now_iso(), os.getpid()),
        )
        self.current_run = int(cursor.lastrowid or 0)
        return self.current_run

    def finish_run(self, run: int, outcome: str, *, channel: str = "", public_only: bool = False,
                   message: str = "") -> None:  # fmt: skip
        """How the pull ended: ok, failed or interrupted, and which site it turned out to be."""
        self.current_run = None
        key = self.sites_seen[0] if self.sites_seen else None
        self.db.execute(
            """UPDATE pull_runs SET finished_at = ?, outcome = ?, channel = ?, public_only = ?,
                   message = ?, site_key = coalesce(?, site_key) WHERE id = ?""",
            (now_iso(), outcome, channel, int(public_only), message[:500], key, run),
        )

    def run_history(self, site_key_: str) -> RunHistory:
        """A site's last successful pull, its last attempt, and what went wrong since."""
        rows = [dict(r) for r in self.query(
            "SELECT * FROM pull_runs WHERE site_key = ? ORDER BY started_at, id", (site_key_,)
        )]  # fmt: skip
        for row in rows:
            if row["outcome"] == "running" and not process_alive(row["pid"]):
                row["outcome"] = "killed"  # ended without a word: kill -9, power loss
        history = RunHistory(last_attempt=rows[-1] if rows else None)
        for row in rows:
            if row["outcome"] == "ok":
                history.last_ok = row
                history.problems_since_ok = []
            elif row["outcome"] != "running":
                history.problems_since_ok.append(row)
        return history
