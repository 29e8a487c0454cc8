"""Push 1,000 posts with 10,000 comments from an archive into an empty real WordPress.

The archive is made here (a synthetic old blog: two authors, a few categories and tags,
posts linking to their predecessor, ten comments per post in threads), then pushed:

- at --concurrency 1 into a fresh sandbox (tests/wordpress/sandbox.py),
- at --concurrency 4 into another fresh sandbox,
- a second, no-op push into the first sandbox: nothing may be re-sent.

    python benchmarks/push.py                    # 1,000 posts, 10 comments each
    python benchmarks/push.py --posts 100        # a quick run

Target (issue 6): the no-op second push under 10 seconds at 1,000 posts / 10,000 comments.
Results go to benchmarks/work/push.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from wpcpd.archive import Archive
from wpcpd.http import Politeness, make_session
from wpcpd.model import Author, Comment, Post, Site, Term, TermRef
from wpcpd.sinks.migrate.push import PushOptions, PushReport, push

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "wordpress"))
from sandbox import WordPressSandbox  # noqa: E402

OLD = "https://old.example.org"
START = datetime(2012, 1, 2, 9, tzinfo=UTC)
CATEGORIES = ("reflections", "tools", "events")
TAGS = ("cpd", "reading", "library", "learning")


def records(posts: int, comments_per_post: int) -> list[Any]:
    out: list[Any] = [Site("old.example.org", OLD, "An old CPD blog", channel="wxr")]
    out += [Author("jo", 1, "jo@example.org", "Jo Bloggs"),
            Author("sam", 2, "sam@example.org", "Sam Smith")]  # fmt: skip
    out += [Term("category", slug, slug.title()) for slug in CATEGORIES]
    out += [Term("post_tag", slug, slug) for slug in TAGS]
    comment_id = 100_000
    for number in range(1, posts + 1):
        out.append(post(number))
        for index in range(comments_per_post):
            comment_id += 1
            out.append(comment(comment_id, number, index))
    return out


def post(number: int) -> Post:
    when = START + timedelta(days=number)
    link = (
        f'<p>After <a href="{OLD}/post-{number - 1}/">the last one</a>.</p>' if number > 1 else ""
    )
    return Post(
        id=number,
        slug=f"post-{number}",
        title=f"Reflection {number}: what I learned",
        content=f"<p>Week {number} of the programme.</p>\n" + link + "\n<p>" + "Text. " * 80
        + "</p>",
        excerpt=f"Week {number}.",
        date=when.replace(tzinfo=None),
        date_gmt=when,
        author="jo" if number % 3 else "sam",
        link=f"{OLD}/post-{number}/",
        terms=[TermRef("category", CATEGORIES[number % 3], CATEGORIES[number % 3].title()),
               TermRef("post_tag", TAGS[number % 4], TAGS[number % 4])],
    )  # fmt: skip


def comment(comment_id: int, post_id: int, index: int) -> Comment:
    when = START + timedelta(days=post_id, hours=index + 1)
    return Comment(
        id=comment_id,
        post=post_id,
        parent=comment_id - 1 if index % 2 else 0,  # every other one is a reply
        author_name=f"Reader {index}",
        author_email=f"reader{index}@example.org",
        date=when.replace(tzinfo=None),
        date_gmt=when,
        content=f"Comment {index} on post {post_id}: thank you for writing this up.",
        status="approved" if index % 5 else "hold",
    )


def timed_push(archive: Archive, site: WordPressSandbox, concurrency: int) -> dict[str, Any]:
    session = make_session(Politeness(retries=3, backoff=0.2))
    options = PushOptions(user=site.admin_user, password=site.app_password,
                          concurrency=concurrency, create_authors=True)  # fmt: skip
    began = time.perf_counter()
    report: PushReport = push(archive, OLD, site.url, options, session=session)
    seconds = time.perf_counter() - began
    items = sum(sum(c.values()) for c in report.counts.values())
    return {
        "concurrency": concurrency,
        "seconds": round(seconds, 2),
        "items": items,
        "items_per_second": round(items / seconds, 1),
        "requests": report.requests,
        "failed": report.failed,
        "counts": {kind: dict(c) for kind, c in report.counts.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=10, help="Comments per post.")
    args = parser.parse_args()
    results: dict[str, Any] = {"posts": args.posts, "comments": args.posts * args.comments}
    with tempfile.TemporaryDirectory() as folder, Archive(Path(folder) / "old.db") as archive:
        archive.save(records(args.posts, args.comments))
        first = WordPressSandbox().start()
        try:
            results["c1"] = timed_push(archive, first, 1)
            print("concurrency 1:", json.dumps(results["c1"]), flush=True)
            with WordPressSandbox() as second:
                results["c4"] = timed_push(archive, second, 4)
                print("concurrency 4:", json.dumps(results["c4"]), flush=True)
            results["noop"] = timed_push(archive, first, 1)
            print("no-op second push:", json.dumps(results["noop"]), flush=True)
        finally:
            first.stop()
    out = HERE / "work" / "push.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
