"""Wall time, peak memory and fidelity of `wpcpd export markdown` against
`wordpress-export-to-markdown` (npm) and `pelican-import` (PyPI), on the same site.

The site is the WXR pull benchmark's 1x export: fixtures/sample-cpd23.xml grown with
make_wxr.py to 3,000 posts (every status, password-protected ones, categories, tags and a
custom taxonomy) with 30,000 comments in nested threads. wpcpd exports it from its archive
(pulled once, as in export_wxr.py; a fresh pull is timed too) into each of its four
layouts, then again into the same folder (a re-run with nothing changed); the other two
tools convert the WXR file itself. Each run is a process of its own, and its peak RSS is
the largest of that process and the children it waited for (pelican-import's pandoc runs;
node, which `#!/usr/bin/env node` execs in place).

The fidelity table is counted from the files each tool wrote, read back, against the
archive's SQLite: posts by status and how many of those WordPress did not show the public
the generator would publish, comments kept, replies that keep their parent, term
assignments kept, and post dates that carry a UTC offset (and the right instant).

    python benchmarks/export_markdown.py               # 3,000 posts / 30,000 comments
    python benchmarks/export_markdown.py --posts 300   # a quick run

Needs pandoc (pelican-import runs it once per post) and `npm ci` in tests/generators; a tool
that is missing is skipped, and the output says so.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml
from export_wxr import archive_of
from pull_wxr import WORK, make_export, run_measured

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ("hugo", "jekyll", "pelican", "eleventy")
WETM_BINS = (
    ROOT / "tests" / "generators" / "node_modules" / ".bin" / "wordpress-export-to-markdown",
    Path("/tmp/npmtry/node_modules/.bin/wordpress-export-to-markdown"),
)
PELICAN_IMPORT = Path(sys.executable).parent / "pelican-import"
STATUSES = ("publish", "publish (password)", "private", "future", "pending", "draft", "trash")
TAXONOMIES = ("category", "post_tag", "cpd_skill")


class _Loader(yaml.CSafeLoader):
    """YAML without implicit timestamps: a date is read back as the text the tool wrote."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


# -- the archive: what a faithful export holds -----------------------------------------------


@dataclass
class Truth:
    status: dict[int, str] = field(default_factory=dict)  # post id -> status key
    slug: dict[str, int] = field(default_factory=dict)
    untitled: dict[str, list[int]] = field(default_factory=dict)  # title -> slugless posts
    dates: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    terms: dict[int, dict[str, set[str]]] = field(default_factory=dict)  # id -> tax -> slugs
    names: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # tax, slug -> names
    display: dict[tuple[str, str], str] = field(default_factory=dict)  # tax, slug -> name
    comments: dict[int, tuple[int, int, str]] = field(default_factory=dict)  # post, parent


def read_truth(archive: Path) -> Truth:
    truth = Truth()
    with sqlite3.connect(archive) as db:
        rows = db.execute("SELECT id, status, password_protected, slug, title, date, date_gmt "
                          "FROM posts WHERE type = 'post'")  # fmt: skip
        for post, status, locked, slug, title, date, date_gmt in rows:
            truth.status[post] = "publish (password)" if status == "publish" and locked else status
            if slug:
                truth.slug[slug] = post
            else:
                truth.untitled.setdefault(title, []).append(post)
            truth.dates[post] = (date, date_gmt)
        for post, taxonomy, slug in db.execute("SELECT post_id, taxonomy, slug FROM post_terms"):
            truth.terms.setdefault(post, {}).setdefault(taxonomy, set()).add(slug)
        for taxonomy, slug, name in db.execute("SELECT taxonomy, slug, name FROM terms"):
            truth.names[taxonomy, slug] = {name.casefold(), slug.casefold(),
                                           unquote(slug).casefold()}  # fmt: skip
            truth.display[taxonomy, slug] = name
        rows = db.execute("SELECT id, post_id, parent, status FROM comments")
        truth.comments = {comment: (post, parent, status) for comment, post, parent, status in rows}
    return truth


def archive_column(truth: Truth) -> dict[str, Any]:
    """The fidelity table's first column: what the archive holds."""
    replies = sum(1 for _, parent, _ in truth.comments.values() if parent)
    terms = Counter(t for by_tax in truth.terms.values() for t, s in by_tax.items() for _ in s)
    return {
        "statuses": {s: {"present": n} for s, n in Counter(truth.status.values()).items()},
        "comments": len(truth.comments),
        "comments_approved": sum(1 for *_, s in truth.comments.values() if s == "approved"),
        "replies": replies,
        "terms": {t: {"kept": terms[t]} for t in TAXONOMIES},
        "dates_with_gmt": sum(1 for _, gmt in truth.dates.values() if gmt),
    }


# -- reading back what each tool wrote -------------------------------------------------------


@dataclass
class Found:
    post: int | None
    published: bool
    date: str
    terms: dict[str, list[str]]
    address: str  # where the generator puts the built page


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}
    return yaml.load(text[4 : text.index("\n---\n", 3)], Loader=_Loader) or {}


def pelican_metadata(path: Path) -> dict[str, str]:
    found = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                break
            key, _, value = line.partition(":")
            found[key.strip().lower()] = value.strip()
    return found


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def wpcpd_found(out: Path, layout: str) -> list[Found]:
    """Every post file wpcpd wrote, known by the WordPress id in its front matter."""
    found = []
    for path in sorted(out.rglob("*.md")):
        if ".wpcpd" in path.parts:
            continue
        item = _pelican_file(path) if layout == "pelican" else _yaml_file(out, path, layout)
        if item is not None:
            found.append(item)
    return found


def _pelican_file(path: Path) -> Found | None:
    meta = pelican_metadata(path)
    if "wp_id" not in meta:
        return None
    terms = json.loads(meta.get("wp_terms") or "{}")
    terms |= {"category": split(meta.get("wp_categories", "")),
              "post_tag": split(meta.get("tags", ""))}  # fmt: skip
    address = meta.get("save_as") or meta.get("slug", "")
    return Found(int(meta["wp_id"]), meta.get("status") != "draft", meta.get("date", ""),
                 terms, address)  # fmt: skip


def _yaml_file(out: Path, path: Path, layout: str) -> Found | None:
    matter = front_matter(path)
    wordpress = matter.get("wordpress") or {}
    if "id" not in wordpress:
        return None
    terms = dict(wordpress.get("terms") or {})
    terms |= {"category": matter.get("categories") or [], "post_tag": matter.get("tags") or []}
    address = matter.get("url") or matter.get("permalink") or path.relative_to(out).as_posix()
    return Found(int(wordpress["id"]), _published(layout, path, matter),
                 str(matter.get("date", "")), terms, str(address))  # fmt: skip


def _published(layout: str, path: Path, matter: dict[str, Any]) -> bool:
    """Whether the generator, run as it comes, would put this file on the built site."""
    if layout == "hugo":
        return not matter.get("draft", False)
    if layout == "jekyll":
        return "_drafts" not in path.parts and matter.get("published", True) is not False
    # Eleventy: eleventyExcludeFromCollections only keeps a page out of the lists; it is
    # still written at its permalink unless that is false.
    return matter.get("permalink") is not False


def wetm_found(out: Path, truth: Truth) -> list[Found]:
    """wordpress-export-to-markdown's `<slug>/index.md` files: no id and no status, so each
    is known by its folder (its slug), or by its title among the posts without a slug."""
    found = []
    for path in sorted(out.rglob("index.md")):
        matter = front_matter(path)
        slug = path.parent.relative_to(out).as_posix()
        if slug == ".":  # the posts WordPress gave no slug all land in one file
            post = max(truth.untitled.get(matter.get("title", ""), [0])) or None
        else:
            post = truth.slug.get(slug)
        terms = {"category": matter.get("categories") or [], "post_tag": matter.get("tags") or []}
        published = _published("hugo", path, matter) and _published("jekyll", path, matter)
        found.append(Found(post, published, str(matter.get("date", "")), terms, slug))
    return found


def pelican_import_found(out: Path, truth: Truth) -> list[Found]:
    """pelican-import's `<slug>.md` files, known by `Slug:` (the post id when WordPress
    had no slug)."""
    found = []
    for path in sorted(out.glob("*.md")):
        meta = pelican_metadata(path)
        slug = meta.get("slug", "")
        post = truth.slug.get(slug) or (int(slug) if slug.isdigit() else None)
        terms = {
            "category": split(meta.get("category", "")),
            "post_tag": split(meta.get("tags", "")),
        }
        published = meta.get("status") != "draft"
        found.append(Found(post, published, meta.get("date", ""), terms, slug))
    return found


def threads_found(out: Path) -> dict[int, list[dict[str, Any]]]:
    """The comment data files (`<data dir>/wpcpd_comments/<post id>.json`), by post id."""
    return {int(path.stem): json.loads(path.read_text(encoding="utf-8"))
            for path in out.glob("**/wpcpd_comments/*.json")}  # fmt: skip


# -- scoring ---------------------------------------------------------------------------------


def score(truth: Truth, found: list[Found], threads: dict[int, list[dict[str, Any]]]) -> dict:
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    terms: dict[str, Counter[str]] = defaultdict(Counter)
    dates: Counter[str] = Counter()
    seen: set[int] = set()
    for item in found:
        if item.post is None or item.post not in truth.status or item.post in seen:
            statuses["unknown"]["present"] += 1
            continue
        seen.add(item.post)
        status = truth.status[item.post]
        statuses[status]["present"] += 1
        statuses[status]["published"] += item.published
        for taxonomy in TAXONOMIES:
            wanted = truth.terms.get(item.post, {}).get(taxonomy, set())
            written = [str(value) for value in item.terms.get(taxonomy) or []]
            folded = {value.casefold() for value in written}
            terms[taxonomy]["of"] += len(wanted)
            terms[taxonomy]["kept"] += sum(1 for s in wanted if truth.names[taxonomy, s] & folded)
            terms[taxonomy]["kept_by_name"] += sum(
                1 for s in wanted if truth.display[taxonomy, s] in written
            )
        dates.update(date_score(item.date, *truth.dates[item.post]))
    addresses = Counter(item.address for item in found if item.published)
    result = {
        "files": len(found),
        "statuses": {s: dict(c) for s, c in statuses.items()},
        "not_public_published": sum(
            c["published"] for s, c in statuses.items() if s not in ("publish", "unknown")
        ),
        "published_sharing_an_address": sum(k for k in addresses.values() if k > 1),
        "terms": {t: dict(terms[t]) for t in TAXONOMIES},
        "dates": dict(dates),
    }
    result.update(thread_score(truth, threads))
    return result


def parse_date(text: str) -> datetime | None:
    for parse in (datetime.fromisoformat, lambda t: datetime.strptime(t, "%Y-%m-%d %H:%M:%S %z")):
        try:
            return parse(text.strip())
        except ValueError:
            pass
    return None


def date_score(text: str, local: str, gmt: str | None) -> list[str]:
    """What a written post date keeps: an offset; the right instant (when the archive has
    WordPress's GMT date to check it by); the local time as WordPress showed it."""
    moment = parse_date(text)
    if moment is None:
        return ["missing"]
    marks = []
    if moment.replace(tzinfo=None, second=0) == datetime.fromisoformat(local).replace(second=0):
        marks.append("local_time_right")
    if moment.tzinfo is None:
        return marks
    marks.append("with_offset")
    if gmt:
        marks.append("checkable")
        if moment.astimezone(UTC) == datetime.fromisoformat(gmt):
            marks.append("instant_right")
    return marks


def thread_score(truth: Truth, threads: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """Comments kept, and whether each kept reply hangs from its own parent (or, when that
    was left out, from a kept ancestor with the real parent recorded)."""
    count: Counter[str] = Counter()
    for post, rows in threads.items():
        for row in rows:
            known = truth.comments.get(row["id"])
            if known is None or known[0] != post:
                count["not in the archive"] += 1
                continue
            count["kept"] += 1
            count[f"kept {known[2]}"] += 1
            count["with e-mail or IP"] += bool(
                {"email", "author_email", "ip", "author_ip"} & set(row)
            )
            if not known[1]:
                continue
            count["replies"] += 1
            if row["parent"] == known[1]:
                count["replies with their parent"] += 1
            elif row.get("wp_parent") == known[1] and _is_ancestor(truth, row["parent"], known[1]):
                count["replies under a kept ancestor"] += 1
            else:
                count["replies cut loose"] += 1
    return {"comments": dict(count)}


def _is_ancestor(truth: Truth, candidate: int, parent: int) -> bool:
    while parent:
        if parent == candidate:
            return True
        parent = truth.comments.get(parent, (0, 0, ""))[1]
    return candidate == 0


# -- running the tools -----------------------------------------------------------------------


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in out.rglob("*") if p.is_file()}


def timed(command: list[str], out: Path, fresh: bool = True) -> dict[str, Any]:
    """One run: wall time, peak RSS, and how many files it wrote or rewrote."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
    before = snapshot(out)
    elapsed, peak = run_measured(command)
    after = snapshot(out)
    changed = sum(1 for path, stamp in after.items() if before.get(path) != stamp)
    return {"seconds": round(elapsed, 2), "peak_rss_mb": round(peak, 1),
            "files": len(after), "files_written": changed}  # fmt: skip


def run_wpcpd(archive: Path, export: Path, truth: Truth) -> dict[str, Any]:
    wpcpd = [sys.executable, "-m", "wpcpd", "--archive"]
    # The archive the exports read was pulled once (archive_of); this pull is timed alone, so
    # that wpcpd's whole way from the WXR file can be set beside the others'.
    pulled = WORK / "export-markdown-pull.db"
    elapsed, peak = run_measured([*wpcpd, str(pulled), "pull", str(export)])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{pulled}{suffix}").unlink(missing_ok=True)
    results: dict[str, Any] = {
        "wpcpd pull (fresh archive)": {"seconds": round(elapsed, 2), "peak_rss_mb": round(peak, 1)}
    }
    show("wpcpd pull (fresh archive)", results["wpcpd pull (fresh archive)"])
    for layout, comments in [(layout, "approved") for layout in LAYOUTS] + [("hugo", "all")]:
        name = f"wpcpd {layout}" + ("" if comments == "approved" else " --comments all")
        out = WORK / f"markdown-{layout}-{comments}"
        command = [*wpcpd, str(archive), "export", "markdown", "--out", str(out),
                   "--layout", layout, "--comments", comments]  # fmt: skip
        results[name] = timed(command, out)
        results[f"{name}, re-run"] = timed(command, out, fresh=False)
        results[name]["fidelity"] = score(truth, wpcpd_found(out, layout), threads_found(out))
        show(name, results[name])
        show(f"{name}, re-run", results[f"{name}, re-run"])
    return results


def show(name: str, result: dict[str, Any]) -> None:
    print(f"{name}: {json.dumps({k: v for k, v in result.items() if k != 'fidelity'})}",
          flush=True)  # fmt: skip


def run_others(export: Path, truth: Truth) -> dict[str, Any]:
    results: dict[str, Any] = {}
    wetm = next((path for path in WETM_BINS if path.exists()), None)
    if wetm is None:
        results["wordpress-export-to-markdown"] = {"skipped": "not installed (npm ci in "
                                                   "tests/generators)"}  # fmt: skip
    else:
        results |= run_wetm(wetm, export, truth)
    if shutil.which("pandoc") is None or not PELICAN_IMPORT.exists():
        results["pelican-import"] = {"skipped": "pelican-import or pandoc not installed"}
    else:
        out = WORK / "pelican-import"
        command = [str(PELICAN_IMPORT), "--wpfile", "-o", str(out), "-m", "markdown", str(export)]
        results["pelican-import"] = timed(command, out)
        results["pelican-import"]["fidelity"] = score(
            truth, pelican_import_found(out, truth), threads_found(out)
        )
    for name, result in results.items():
        show(name, result)
    return results


def run_wetm(wetm: Path, export: Path, truth: Truth) -> dict[str, Any]:
    """As it comes (images off: no network here), again over its own output, and once
    more from a copy whose 25 ms pause between written files (settings.js) is 0, to show
    how much of its time is that pause."""
    name = "wordpress-export-to-markdown"
    out = WORK / name
    options = ["--wizard=false", f"--input={export}", f"--output={out}",
               "--save-attached-images=false", "--save-scraped-images=false"]  # fmt: skip
    results = {name: timed([str(wetm), *options], out)}
    results[f"{name}, re-run"] = timed([str(wetm), *options], out, fresh=False)
    results[name]["fidelity"] = score(truth, wetm_found(out, truth), threads_found(out))
    package = wetm.resolve().parent
    copy = WORK / f"{name}-unpaused"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(package, copy)
    settings = copy / "src" / "settings.js"
    text = settings.read_text()
    settings.write_text(
        text.replace("markdown_file_write_delay = 25;", "markdown_file_write_delay = 0;")
    )
    # The copy finds the package's hoisted dependencies where npm put them.
    os.environ["NODE_PATH"] = str(package.parent)
    try:
        results[f"{name}, no write pause"] = timed(["node", str(copy / "index.js"), *options], out)
    finally:
        del os.environ["NODE_PATH"]
    return results


def versions(wetm: Path | None) -> dict[str, str]:
    def first_line(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return "missing"
        return done.stdout.splitlines()[0] if done.stdout else "?"

    found = {"python": sys.version.split()[0], "wpcpd": metadata.version("wpcpd"),
             "pelican": metadata.version("pelican"), "pandoc": first_line(["pandoc", "--version"]),
             "node": first_line(["node", "--version"])}  # fmt: skip
    if wetm is not None:
        package = wetm.resolve().parent / "package.json"
        found["wordpress-export-to-markdown"] = json.loads(package.read_text())["version"]
    return found


# -- the tables ------------------------------------------------------------------------------


def n(value: int) -> str:
    return f"{value:,}"


def fidelity_rows(columns: dict[str, dict[str, Any]]) -> list[list[str]]:
    rows = []
    for status in STATUSES:
        cells = []
        for name, col in columns.items():
            got = col["statuses"].get(status, {})
            present = got.get("present", 0)
            cells.append(n(present) if name == "archive" else
                         f"{n(present)} ({n(got.get('published', 0))} published)")  # fmt: skip
        rows.append([f"posts: {status}", *cells])
    rows.append(["not-public posts the generator would publish",
                 *[("—" if k == "archive" else f"**{n(c['not_public_published'])}**")
                   for k, c in columns.items()]])  # fmt: skip
    unknown = [n(c["statuses"].get("unknown", {}).get("present", 0)) for c in columns.values()]
    rows.append(["files that are no archived post (overwritten or unknown)", *unknown])
    shared = ["—" if k == "archive" else n(c["published_sharing_an_address"])
              for k, c in columns.items()]  # fmt: skip
    rows.append(["published posts sharing their address with another", *shared])
    rows.append(["comments kept", *[_comments(k, c) for k, c in columns.items()]])
    rows.append(["replies kept with their parent", *[_replies(k, c) for k, c in columns.items()]])
    for taxonomy in TAXONOMIES:
        rows.append([f"{taxonomy} assignments kept",
                     *[_terms(k, c["terms"][taxonomy]) for k, c in columns.items()]])  # fmt: skip
    rows.append(["post dates with a UTC offset", *[_dates(k, c) for k, c in columns.items()]])
    rows.append(["post dates with WordPress's local time (to the minute)",
                 *["—" if k == "archive" else n(c["dates"].get("local_time_right", 0))
                   for k, c in columns.items()]])  # fmt: skip
    return rows


def _comments(name: str, col: dict[str, Any]) -> str:
    if name == "archive":
        return f"{n(col['comments'])} ({n(col['comments_approved'])} approved)"
    kept = col["comments"]
    held = sum(v for k, v in kept.items() if k.startswith("kept ") and k != "kept approved")
    return n(kept.get("kept", 0)) + (f" ({n(held)} not approved)" if held else "")


def _replies(name: str, col: dict[str, Any]) -> str:
    if name == "archive":
        return n(col["replies"])
    kept = col["comments"]
    text = f"{n(kept.get('replies with their parent', 0))} of {n(kept.get('replies', 0))}"
    if kept.get("replies under a kept ancestor"):
        text += f" (+{n(kept['replies under a kept ancestor'])} under a kept ancestor)"
    return text


def _terms(name: str, got: dict[str, int]) -> str:
    if name == "archive":
        return n(got["kept"])
    text = f"{n(got.get('kept', 0))} of {n(got.get('of', 0))}"
    if got.get("kept_by_name", 0) < got.get("kept", 0):
        text += f" ({n(got.get('kept_by_name', 0))} by name)"
    return text


def _dates(name: str, col: dict[str, Any]) -> str:
    if name == "archive":
        return f"{n(col['dates_with_gmt'])} with a GMT date"
    got = col["dates"]
    return (f"{n(got.get('with_offset', 0))} ({n(got.get('instant_right', 0))} of "
            f"{n(got.get('checkable', 0))} checkable right)")  # fmt: skip


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def print_tables(runs: dict[str, Any], archive: dict[str, Any]) -> None:
    timing = [
        [name, f"{r['seconds']:.2f}", f"{r['peak_rss_mb']:.1f}",
         *[n(r[key]) if key in r else "—" for key in ("files", "files_written")]]
        for name, r in runs.items() if "seconds" in r
    ]  # fmt: skip
    skipped = [f"{name}: skipped, {r['skipped']}" for name, r in runs.items() if "skipped" in r]
    print(markdown_table(["run", "wall s", "peak RSS MB", "files", "written"], timing))
    print("\n".join(skipped))
    columns = {"archive": archive} | {
        name: r["fidelity"] for name, r in runs.items() if "fidelity" in r
    }
    print()
    print(markdown_table(["", *columns], fidelity_rows(columns)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--comments-per-post", type=int, default=10)
    parser.add_argument("--json", type=Path, default=WORK / "export_markdown.json")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    export = make_export(args.posts, args.comments_per_post)
    archive = archive_of(export)
    truth = read_truth(archive)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()
    runs = run_wpcpd(archive, export, truth) | run_others(export, truth)
    wetm = next((path for path in WETM_BINS if path.exists()), None)
    report = {"started": started, "load_average_before": load,
              "load_average_after": os.getloadavg(), "versions": versions(wetm),
              "export": export.name, "archive": archive_column(truth), "runs": runs}  # fmt: skip
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    print_tables(runs, report["archive"])
    print(f"\nload average before / after: {load[0]:.2f} / {os.getloadavg()[0]:.2f}; "
          f"numbers in {args.json}")  # fmt: skip


if __name__ == "__main__":
    main()
