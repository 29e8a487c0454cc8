"""Wall time and peak memory of `wpcpd export wxr` from a 1x and a 10x archive.

The archives are the WXR pull benchmark's: fixtures/sample-cpd23.xml grown with make_wxr.py
to 3,000 posts with 10 comments each (1x) and 30,000 posts with 300,000 comments (10x),
pulled once. Each export runs in its own process, so peak RSS is that process's own
high-water mark; the file it writes is checked to hold every archived item.

    python benchmarks/export_wxr.py                 # 1x and 10x
    python benchmarks/export_wxr.py --posts 300     # a quick run

Target (issue 13): flat memory (10x within 1.3x of 1x).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from pull_wxr import WORK, at_both_scales, run_measured


def archive_of(export: Path) -> Path:
    """The export pulled into an archive of its own (once; kept in benchmarks/work/)."""
    archive = WORK / f"{export.stem}-for-export.db"
    if not archive.exists():
        subprocess.run([sys.executable, "-m", "wpcpd", "--archive", str(archive), "pull",
                        str(export)], check=True, capture_output=True)  # fmt: skip
    return archive


def measure_export(export: Path) -> dict[str, float]:
    archive = archive_of(export)
    out = WORK / f"{archive.stem}-exported.xml"
    elapsed, peak = run_measured([sys.executable, "-m", "wpcpd", "--archive", str(archive),
                                  "export", "wxr", "-o", str(out)])  # fmt: skip
    with sqlite3.connect(archive) as db:
        items = db.execute("SELECT count(*) FROM posts").fetchone()[0]
    with out.open("rb") as handle:
        written = sum(line.count(b"<item>") for line in handle)
    assert written == items, f"{out} holds {written} items, the archive {items}"
    return {
        "items": items,
        "file_mb": round(out.stat().st_size / 1e6, 1),
        "seconds": round(elapsed, 2),
        "peak_rss_mb": round(peak, 1),
    }


if __name__ == "__main__":
    at_both_scales(__doc__.split("\n\n")[0], measure_export)
