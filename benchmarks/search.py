"""`wpcpd search` latency on the 10x archive (30,000 posts / 300,000 comments), and what
the index costs: the migration that indexes an archive made before search existed, and the
file's growth.

The archive is the WXR benchmarks' 10x export (fixtures/sample-cpd23.xml grown with
make_wxr.py) pulled once (benchmarks/export_wxr.py's `archive_of`). Each search runs as a
person runs it, `wpcpd search ... --json` in its own process (best of 5, so start-up is
included), and in-process with an open archive (median of 20: the query itself).

    python benchmarks/search.py                 # 30,000 posts / 300,000 comments
    python benchmarks/search.py --posts 300     # a quick run
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from export_wxr import archive_of
from pull_wxr import WORK, make_export, run_measured

QUERIES = [
    ("two words", ["reflective practice"]),
    ("a phrase", ['"reflective practice"']),
    ("a prefix", ["podcast*"]),
    ("comments only", ["theme", "--type", "comment"]),
    ("one site, 100 results", ["blog", "--site", "1", "--limit", "100"]),
    ("no match", ["zeppelinquokka"]),
]

_MIGRATION_9 = (("TRIGGER", ("posts_fts_delete", "comments_fts_delete")),
                ("VIEW", ("posts_browse", "comments_browse", "authors_browse")),
                ("TABLE", ("posts_fts", "comments_fts", "action_follow_ups")))  # fmt: skip


def as_schema_8(archive: Path) -> Path:
    """A copy of the archive as the wpcpd before search left it: migration 9 undone."""
    copy = WORK / f"{archive.stem}-schema8.db"
    shutil.copyfile(archive, copy)
    db = sqlite3.connect(copy, isolation_level=None)
    for kind, names in _MIGRATION_9:
        for name in names:
            db.execute(f"DROP {kind} {name}")
    db.execute("PRAGMA user_version = 8")
    db.execute("VACUUM")
    db.close()
    return copy


def measure_migration(archive: Path) -> dict[str, float]:
    """Opening the schema-8 copy for writing (migration 9 indexes everything), against
    opening the archive as it is (start-up alone)."""
    old = as_schema_8(archive)
    before = old.stat().st_size  # vacuumed: no free pages, as after the migration
    opening = "import sys; from wpcpd.archive import Archive; Archive(sys.argv[1]).close()"
    migrated, peak = run_measured([sys.executable, "-c", opening, str(old)])
    plain, _ = run_measured([sys.executable, "-c", opening, str(old)])  # now at schema 9
    db = sqlite3.connect(archive)
    posts, comments = db.execute("SELECT (SELECT count(*) FROM posts), "
                                 "(SELECT count(*) FROM comments)").fetchone()  # fmt: skip
    db.close()
    return {
        "posts": posts,
        "comments": comments,
        "migration_seconds": round(migrated - plain, 2),
        "migration_peak_rss_mb": round(peak, 1),
        "file_mb_before": round(before / 1e6, 1),
        "file_mb_after": round(old.stat().st_size / 1e6, 1),
    }


def measure_queries(archive: Path) -> list[dict[str, object]]:
    from wpcpd.archive import Archive

    results = []
    with Archive(archive, read_only=True) as opened:
        for label, args in QUERIES:
            command = [sys.executable, "-m", "wpcpd", "--archive", str(archive), "search",
                       *args, "--json"]  # fmt: skip
            best = min(run_measured(command)[0] for _ in range(5))
            query, options = args[0], _options(args[1:])
            times = []
            for _ in range(20):
                start = time.perf_counter()
                found = opened.search(query, **options)
                times.append(time.perf_counter() - start)
            median = statistics.median(times)
            results.append({"query": label, "args": " ".join(args), "results": len(found),
                            "command_ms": round(best * 1000),
                            "in_process_ms": round(median * 1000, 1)})  # fmt: skip
    return results


def _options(args: list[str]) -> dict[str, object]:
    names = {"--type": "kind", "--site": "site_ref", "--limit": "limit"}
    options: dict[str, object] = dict(zip(map(names.get, args[::2]), args[1::2], strict=True))
    if "limit" in options:
        options["limit"] = int(str(options["limit"]))
    return options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=30000)
    parser.add_argument("--comments-per-post", type=int, default=10)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    archive = archive_of(make_export(args.posts, args.comments_per_post))
    results = {"index": measure_migration(archive), "queries": measure_queries(archive)}
    print(json.dumps(results["index"]))
    for row in results["queries"]:
        print(json.dumps(row, ensure_ascii=False))
    (WORK / "search.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
