"""Media files into the store: 1,000 images of about 200 KB from a real local WordPress.

A sandbox (tests/wordpress/sandbox.py) gets 1,000 attachments, each a file of 200 KB of
random bytes (random: nothing compresses them on the way). Then:

- the records are pulled (REST, authenticated; not timed here: see pull_rest.py),
- a plain sequential `requests` loop GETs every file (body read and hashed, nothing kept),
- wpcpd fetches every file into a fresh store at --concurrency 1 and 4 (written to a
  temporary file, fsync'd, hashed, renamed, recorded),
- an unchanged re-pull with media (the default of a live pull): its time and requests.

    python benchmarks/media.py                  # 1,000 images
    python benchmarks/media.py --images 100     # a quick run

Results go to benchmarks/work/media.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from wpcpd.archive import Archive
from wpcpd.archive.media_store import store_path
from wpcpd.http import Politeness, make_session
from wpcpd.pull import LiveOptions, pull
from wpcpd.sources.media import MediaFetcher, MediaOptions

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "wordpress"))
from sandbox import WordPressSandbox  # noqa: E402

SEED_PHP = r"""
$up = wp_upload_dir('2024/06');
$n = (int) getenv('IMAGES');
$urls = [];
for ($i = 0; $i < $n; $i++) {
    $name = "photo-$i.jpg";
    $path = $up['path'] . '/' . $name;
    file_put_contents($path, random_bytes(200 * 1024));
    wp_insert_attachment(['post_title' => "Photo $i", 'post_mime_type' => 'image/jpeg',
        'post_status' => 'inherit', 'guid' => $up['url'] . '/' . $name], $path, 0, true);
    $urls[] = $up['url'] . '/' . $name;
}
echo json_encode($urls);
"""


def seed(site: WordPressSandbox, images: int) -> list[str]:
    code = SEED_PHP.replace("(int) getenv('IMAGES')", str(images))
    return json.loads(site.php(code))


def sequential(urls: list[str]) -> dict[str, Any]:
    session = requests.Session()
    began, total = time.perf_counter(), 0
    for url in urls:
        response = session.get(url, timeout=60)
        response.raise_for_status()
        hashlib.sha256(response.content).hexdigest()
        total += len(response.content)
    seconds = time.perf_counter() - began
    return {"seconds": round(seconds, 2), "mb": round(total / 1e6, 1),
            "mb_per_s": round(total / 1e6 / seconds, 1), "requests": len(urls)}  # fmt: skip


def fetch(archive_path: Path, key: str, concurrency: int) -> dict[str, Any]:
    with Archive(archive_path) as archive:
        archive.db.execute("DELETE FROM media_files")
        shutil.rmtree(store_path(archive_path), ignore_errors=True)
        session = make_session(Politeness())
        began = time.perf_counter()
        report = MediaFetcher(archive, session, MediaOptions(concurrency=concurrency)).run(key)
        seconds = time.perf_counter() - began
        size = sum(r["size"] or 0 for r in archive.media_files(key))
    return {"concurrency": concurrency, "seconds": round(seconds, 2),
            "mb_per_s": round(size / 1e6 / seconds, 1), "counts": report.counts,
            "requests": report.requests}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=1000)
    args = parser.parse_args()
    results: dict[str, Any] = {"images": args.images}
    with WordPressSandbox() as site, tempfile.TemporaryDirectory() as tmp:
        urls = seed(site, args.images)
        archive_path = Path(tmp) / "wpcpd.db"
        live = LiveOptions(user=site.admin_user, password=site.app_password)
        with Archive(archive_path) as archive:
            key = pull(archive, site.url, live=live).summary.sites[0]
        results["sequential_requests"] = sequential(urls)
        results["wpcpd"] = [fetch(archive_path, key, c) for c in (1, 4)]
        with Archive(archive_path) as archive:
            began = time.perf_counter()
            again = pull(archive, site.url, live=live, media=MediaOptions())
            seconds = time.perf_counter() - began
        assert again.media is not None
        results["unchanged_repull"] = {"seconds": round(seconds, 2),
                                       "media_requests": again.media.requests,
                                       "requests": again.details.get("requests"),
                                       "media_counts": again.media.counts}  # fmt: skip
    out = HERE / "work" / "media.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
