"""Wall time of `wpcpd reflections` on a 20,000-post archive: first run, unchanged, one change.

The export is grown from fixtures/sample-cpd23.xml (written by real WordPress, a cpd23 blog)
with benchmarks/make_wxr.py and pulled into a fresh archive once. Then, each `wpcpd
reflections` in its own process, output piped to a file:

- the first run, which reads and derives every post;
- the same again with nothing changed (target, issue 10: under 2 s), and with `--json`;
- after one post changed (its content edited through the library, as a pull would);
- with stdout and stderr on a pseudo-terminal: the table as a person sees it.

    python benchmarks/reflections.py                  # 20,000 posts, 10 comments each
    python benchmarks/reflections.py --posts 2000     # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
TARGET_SECONDS = 2.0

sys.path.insert(0, str(ROOT))
from pull_wxr import make_export  # noqa: E402  (beside this file)

from wpcpd.archive import Archive  # noqa: E402
from wpcpd.model import Site  # noqa: E402


def fresh_archive(export: Path) -> tuple[Path, float]:
    archive = WORK / f"reflections-{export.stem}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{archive}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    wpcpd("--archive", str(archive), "pull", str(export))
    return archive, time.perf_counter() - started


def wpcpd(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "wpcpd", *args], check=True, capture_output=True, env=ENV
    )


def timed(archive: Path, *options: str) -> dict[str, float | int]:
    """One `wpcpd reflections` with its output piped, as cron or `| less` would."""
    started = time.perf_counter()
    done = wpcpd("--archive", str(archive), "reflections", *options)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "lines": len(done.stdout.splitlines())}


def timed_on_terminal(archive: Path) -> dict[str, float | int]:
    """One `wpcpd reflections` with stdout and stderr on a pseudo-terminal."""
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "wpcpd", "--archive", str(archive), "reflections"]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=follower, stderr=follower, env=ENV)
    os.close(follower)
    size = 0
    try:
        while chunk := os.read(leader, 1 << 16):
            size += len(chunk)
    except OSError:  # EIO: the child closed the terminal
        pass
    proc.wait()
    seconds = time.perf_counter() - started
    os.close(leader)
    return {"seconds": round(seconds, 2), "bytes": size}


def change_one_post(archive_path: Path) -> int:
    """Edit one reflection's content, as a pull of an edited post would store it."""
    with Archive(archive_path) as archive:
        key = archive.sites()[0]["key"]
        site = next(record for _, record in archive.iter_records(key))
        assert isinstance(site, Site)
        rows = archive.reflections(key)
        post = next(archive.posts_by_id(key, [rows[len(rows) // 2]["post_id"]]))
        post.content += "<p>Action: read one more paper this month.</p>"
        archive.save(iter([site, post]))
        return post.id


ENV = {**os.environ, "COLUMNS": "120", "WPCPD_TEMPLATES": str(WORK / "no-user-templates")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--comments-per-post", type=int, default=10)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    export = make_export(args.posts, args.comments_per_post)
    archive, pull_seconds = fresh_archive(export)
    results: dict[str, Any] = {
        "posts": args.posts,
        "comments_per_post": args.comments_per_post,
        "export_mb": round(export.stat().st_size / 1e6, 1),
        "pull_seconds": round(pull_seconds, 2),
    }
    print(json.dumps(results), flush=True)
    runs = [
        ("first run (derives every post)", lambda: timed(archive)),
        ("unchanged", lambda: timed(archive)),
        ("unchanged, again", lambda: timed(archive)),
        ("unchanged, --json", lambda: timed(archive, "--json")),
        ("one post changed", lambda: (change_one_post(archive), timed(archive))[1]),
        ("unchanged, on a terminal", lambda: timed_on_terminal(archive)),
    ]
    for name, run in runs:
        results[name] = run()
        print(f"{name}: {json.dumps(results[name])}", flush=True)
    best = min(results[name]["seconds"] for name in ("unchanged", "unchanged, again"))
    verdict = "met" if best < TARGET_SECONDS else "NOT met"
    print(f"unchanged, piped: {best:.2f} s (target < {TARGET_SECONDS:.0f} s: {verdict})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
