"""Wall time and peak memory of `wpcpd pull` on a 1x and a 10x WXR export.

The exports are grown from fixtures/sample-cpd23.xml (written by real WordPress) with
benchmarks/make_wxr.py. Each pull runs in its own process into a fresh archive, so peak RSS
is that process's own high-water mark.

    python benchmarks/pull_wxr.py                 # 3,000 posts / 30,000 comments, and 10x
    python benchmarks/pull_wxr.py --posts 300     # a quick run

Targets (issue 2): peak RSS at 10x within 1.3x of 1x; at least 20 MB of WXR per second.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATE = ROOT / "fixtures" / "sample-cpd23.xml"
WORK = HERE / "work"


def make_export(posts: int, comments_per_post: int) -> Path:
    """The bundled sample grown to `posts` posts (made once, kept in benchmarks/work/)."""
    out = WORK / f"wxr-{posts}-posts-{comments_per_post}-comments.xml"
    if not out.exists():
        subprocess.run(
            [sys.executable, str(HERE / "make_wxr.py"), str(TEMPLATE), str(out),
             "--posts", str(posts), "--comments-per-post", str(comments_per_post)],
            check=True,
        )  # fmt: skip
    return out


_PROBE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "elapsed = time.perf_counter() - start\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(elapsed, peak)\n"
)


def run_measured(command: list[str]) -> tuple[float, float]:
    """Run a command in a child process: its wall time and its own peak RSS in MB."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *command], check=True, capture_output=True, text=True
    )
    elapsed, peak_kib = result.stdout.split()
    return float(elapsed), int(peak_kib) / 1024


def measure_pull(export: Path) -> dict[str, float]:
    archive = WORK / f"{export.stem}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{archive}{suffix}").unlink(missing_ok=True)
    command = [sys.executable, "-m", "wpcpd", "--archive", str(archive), "pull", str(export)]
    elapsed, peak = run_measured(command)
    size_mb = export.stat().st_size / 1e6
    return {
        "file_mb": round(size_mb, 1),
        "seconds": round(elapsed, 2),
        "mb_per_second": round(size_mb / elapsed, 1),
        "peak_rss_mb": round(peak, 1),
    }


def at_both_scales(
    description: str, measure: Callable[[Path], dict[str, float]]
) -> dict[str, dict[str, float]]:
    """`measure` on the grown export at 1x and 10x (--posts, --comments-per-post), printed;
    the peak RSS ratio, which both benchmarks built on these exports hold to 1.3."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--comments-per-post", type=int, default=10)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    results = {}
    for scale in (1, 10):
        results[f"{scale}x"] = measure(make_export(args.posts * scale, args.comments_per_post))
        print(f"{scale}x: {json.dumps(results[f'{scale}x'])}", flush=True)
    ratio = results["10x"]["peak_rss_mb"] / results["1x"]["peak_rss_mb"]
    print(f"peak RSS 10x / 1x = {ratio:.2f} (target <= 1.3)")
    return results


def main() -> None:
    results = at_both_scales(__doc__.split("\n\n")[0], measure_pull)
    print(f"throughput at 10x = {results['10x']['mb_per_second']} MB/s (target >= 20)")


if __name__ == "__main__":
    main()
