"""Wall time, peak memory, output size and file count of `wpcpd export html` from the
3,000-post / 30,000-comment archive (and, with --scales 1 10, from the 30,000-post one):
the public site, then everything (`--include-private --comments all`).

The archives are the WXR export benchmark's (`export_wxr.archive_of`): the bundled sample
grown with make_wxr.py and pulled once, kept in benchmarks/work/. Each export runs in its
own process (peak RSS is that process's high-water mark) into a fresh folder; a second run
into the same folder measures a re-run, which rewrites nothing.

    python benchmarks/export_html.py                 # 3,000 posts
    python benchmarks/export_html.py --scales 1 10   # and 30,000 posts
    python benchmarks/export_html.py --posts 300     # a quick run
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys

from export_wxr import archive_of
from pull_wxr import WORK, make_export, run_measured

EVERYTHING = ("--include-private", "--comments", "all")


def measure(posts: int, comments_per_post: int, *options: str) -> dict[str, float]:
    archive = archive_of(make_export(posts, comments_per_post))
    out = WORK / f"{archive.stem}-html{'-everything' if options else ''}"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "wpcpd", "--archive", str(archive), "export", "html",
               "--out", str(out), *options]  # fmt: skip
    elapsed, peak = run_measured(command)
    files = [p for p in out.rglob("*") if p.is_file()]
    again, again_peak = run_measured(command)
    public = " AND status = 'publish' AND NOT password_protected" if not options else ""
    with sqlite3.connect(archive) as db:
        shown = db.execute(
            "SELECT count(*) FROM posts WHERE type IN ('post', 'page') AND removed_at IS NULL"
            f" AND status NOT IN ('trash', 'auto-draft', 'inherit'){public}"
        ).fetchone()[0]
    pages = sum(1 for p in files if p.suffix == ".html" and p.parent.name in ("posts", "pages"))
    assert pages >= shown, f"{out} holds {pages} post pages, the archive {shown} public posts"
    return {
        "posts_shown": shown,
        "files": len(files),
        "output_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "search_index_mb": round((out / "search-index.js").stat().st_size / 1e6, 2),
        "seconds": round(elapsed, 2),
        "posts_per_second": round(shown / elapsed),
        "peak_rss_mb": round(peak, 1),
        "rerun_seconds": round(again, 2),
        "rerun_peak_rss_mb": round(again_peak, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--comments-per-post", type=int, default=10)
    parser.add_argument("--scales", type=int, nargs="+", default=[1])
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    for scale in args.scales:
        for label, options in (("public", ()), ("everything", EVERYTHING)):
            result = measure(args.posts * scale, args.comments_per_post, *options)
            print(f"{scale}x {label}: {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    main()
