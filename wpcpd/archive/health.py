"""Is the backup healthy? What `wpcpd check` answers for cron: recent, complete, no failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from wpcpd.archive.media_store import store_problems
from wpcpd.model import parse_gmt

if TYPE_CHECKING:
    from wpcpd.archive import Archive


@dataclass
class SiteHealth:
    number: int
    key: str
    copy: str
    """full, or public-only (read as a visitor sees the site)."""
    last_success: str | None
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "site": self.key, "copy": self.copy,
                "last_success": self.last_success, "healthy": self.healthy,
                "problems": self.problems}  # fmt: skip


def check(
    archive: Archive, site_ref: str | None, max_age: timedelta, now: datetime | None = None
) -> list[SiteHealth]:
    """One verdict per site: stale, failed or incomplete backups are problems."""
    now = now or datetime.now(UTC)
    stats = archive.stats(site_ref)["sites"]
    return [_site_health(archive, s, max_age, now) for s in stats]


def _site_health(
    archive: Archive, status: dict[str, Any], max_age: timedelta, now: datetime
) -> SiteHealth:
    health = SiteHealth(status["number"], status["key"], status["copy"], status["last_success"])
    last = parse_gmt(status["last_success"])
    if last is None:
        health.problems.append("never pulled successfully")
    elif now - last > max_age:
        age = f"{_ago(now - last)} ago (over {_ago(max_age)})"
        health.problems.append(f"last successful pull {age}")
    for run in archive.run_history(status["key"]).problems_since_ok:
        what = {"killed": "killed (ended without a word)"}.get(run["outcome"], run["outcome"])
        reason = f": {run['message']}" if run["message"] else ""
        health.problems.append(f"pull {what} at {run['started_at']}{reason}")
    if archive.unfinished_full_pulls(status["key"]):
        health.problems.append("a full pull has not finished: run the same pull again to resume")
    # Media files the site would not give, or that are gone from the store beside the
    # archive: a backup that has lost its pictures is not healthy.
    health.problems += store_problems(archive, status["key"])
    return health


def _ago(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{round(hours * 60)} min"
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} days"
