"""What keeping earlier versions costs a WXR pull: a first pull, an unchanged re-pull, and a
re-pull of the same export with every post's content and every comment's text edited (so
every row is replaced and its previous version copied into post_revisions and
comment_revisions in the same transaction).

    python benchmarks/history.py                 # 3,000 posts / 30,000 comments
    python benchmarks/history.py --posts 300     # a quick run
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from pull_wxr import WORK, make_export

from wpcpd.archive import Archive
from wpcpd.sources.wxr import read_wxr


def edited_copy(source: Path, folder: Path) -> Path:
    """The export with "Edited. " before every post's content and every comment's text."""
    text = source.read_text(encoding="utf-8")
    for tag in ("<content:encoded><![CDATA[", "<wp:comment_content><![CDATA["):
        text = text.replace(tag, tag + "Edited. ")
    out = folder / "edited.xml"
    out.write_text(text, encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--comments-per-post", type=int, default=10)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    source = make_export(args.posts, args.comments_per_post)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        edited = edited_copy(source, Path(folder))
        with Archive(Path(folder) / "history.db") as archive:
            for name, path in (("first pull", source), ("unchanged re-pull", source),
                               ("everything edited", edited)):  # fmt: skip
                started = time.perf_counter()
                archive.save(read_wxr(path))
                results[name] = round(time.perf_counter() - started, 2)
            sql = ("SELECT (SELECT count(*) FROM post_revisions) AS posts, "
                   "(SELECT count(*) FROM comment_revisions) AS comments")  # fmt: skip
            counts = archive.query(sql)[0]
    results["revisions"] = dict(counts)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
