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

import argparse
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from pull_wxr import WORK, make_export

PROBE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL,"
    " stderr=subprocess.DEVNULL)\n"
    "elapsed = time.perf_counter() - start\n"
    "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def archive_of(export: Path) -> Path:
    """The export pulled into an archive of its own (once; kept in benchmarks/work/)."""
    archive = WORK / f"{export.stem}-for-export.db"
    if not archive.exists():
        subprocess.run([sys.executable, "-m", "wpcpd", "--archive", str(archive), "pull",
                        str(export)], check=True, capture_output=True)  # fmt: skip
    return archive


def measure_export(archive: Path) -> dict[str, float]:
    out = WORK / f"{archive.stem}-exported.xml"
    command = [sys.executable, "-m", "wpcpd", "--archive", str(archive), "export", "wxr",
               "-o", str(out)]  # fmt: skip
    result = subprocess.run([sys.executable, "-c", PROBE, *command], check=True,
                            capture_output=True, text=True)  # fmt: skip
    elapsed, peak_kib = result.stdout.split()
    with sqlite3.connect(archive) as db:
        items = db.execute("SELECT count(*) FROM posts").fetchone()[0]
    with out.open("rb") as handle:
        written = sum(line.count(b"<item>") for line in handle)
    assert written == items, f"{out} holds {written} items, the archive {items}"
    return {
        "items": items,
        "file_mb": round(out.stat().st_size / 1e6, 1),
        "seconds": round(float(elapsed), 2),
        "peak_rss_mb": round(int(peak_kib) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--comments-per-post", type=int, default=10)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    results = {}
    for scale in (1, 10):
        archive = archive_of(make_export(args.posts * scale, args.comments_per_post))
        results[f"{scale}x"] = measure_export(archive)
        print(f"{scale}x: {json.dumps(results[f'{scale}x'])}", flush=True)
    ratio = results["10x"]["peak_rss_mb"] / results["1x"]["peak_rss_mb"]
    print(f"peak RSS 10x / 1x = {ratio:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
