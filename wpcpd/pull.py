"""Pull a blog into the archive: choose the source for what was named, save its records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wpcpd.archive import Archive, SaveSummary
from wpcpd.errors import UsageError
from wpcpd.sources.wxr import WxrReport, read_wxr

PLURALS = {"post": "posts", "comment": "comments", "term": "terms", "author": "authors",
           "media": "media"}  # fmt: skip


@dataclass
class PullResult:
    source: str
    channel: str
    summary: SaveSummary
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "channel": self.channel,
            **self.summary.as_dict(),
            "warnings": self.warnings,
            **self.details,
        }

    def describe(self) -> str:
        """One line a person reads: what arrived, what changed."""
        parts = []
        for kind, plural in PLURALS.items():
            counts = self.summary.counts.get(kind)
            if counts:
                parts.append(
                    f"{plural} {counts['new']} new, {counts['updated']} updated, "
                    f"{counts['unchanged']} unchanged"
                )
        sites = ", ".join(self.summary.sites) or "no site"
        return f"pulled {sites} from {self.source} via {self.channel}: " + "; ".join(parts)


def pull(
    archive: Archive,
    source: str,
    *,
    via: str = "auto",
    on_progress: Callable[[int], None] | None = None,
) -> PullResult:
    """Read `source` (an export file for now) into the archive."""
    path = Path(source)
    if via in ("auto", "wxr") and path.exists():
        return _pull_wxr(archive, path, on_progress)
    if "://" in source:
        raise UsageError(
            f"{source}: pulling from a live site is not supported yet; "
            "pull a WXR export of it (Tools → Export in WordPress)"
        )
    raise UsageError(f"{source}: no such file")


def _pull_wxr(
    archive: Archive, path: Path, on_progress: Callable[[int], None] | None
) -> PullResult:
    if path.is_dir():
        raise UsageError(f"{path}: is a folder, not an export file")
    report = WxrReport()
    # One transaction for the whole file: a broken export changes nothing at all.
    summary = archive.save(read_wxr(path, report, on_progress), atomic=True)
    warnings = list(report.warnings or [])
    if report.repaired:
        warnings.append(
            f"{path}: repaired {report.repaired} invalid characters "
            "(control characters removed, non-UTF-8 bytes read as Windows-1252)"
        )
    return PullResult(
        str(path), "wxr", summary, warnings,
        {"wxr_version": report.version, "repaired": report.repaired},
    )  # fmt: skip
