"""`wpcpd export wxr`: one archived site as WXR 1.2, as WordPress core's `export_wp()`
writes it, for WordPress's own importer (Tools > Import > WordPress).

Streamed: the channel's head, authors and terms are written first, then one item at a time
from the archive's sorted cursors (`Archive.iter_threads`), so memory stays flat however
large the site. With `--max-file-size`, the items are divided between files `FILE`,
`FILE-2.xml`, ... each at most that size (in MB of 1,000,000 bytes) and each a whole WXR:
the channel's head, every author and every term repeated, then its share of the items.

What core's exporter never writes is left out here too, and the summary says so: spam
comments, revisions and the other post types core cannot export, auto-drafts, authors
without a post in the file, posts and comments the site has deleted since they were
archived (a migration should not bring them back; `export json` keeps them), comments of
no archived post, and, on a site with custom taxonomies, terms of WordPress's own
internal taxonomies such as post_format from the channel's term list (the items still name
them; see `order.channel_terms` for core's other case). The package, by job: `render`
(records as element text), `order` (what core lists and in which order).
"""

from __future__ import annotations

from contextlib import closing
from typing import TYPE_CHECKING

from wpcpd.errors import UsageError
from wpcpd.model import Author, Post, Site, Term
from wpcpd.sinks.base import Exported, ExportFormat, ExportOption, ExportParts, one_site
from wpcpd.sinks.wxr import render
from wpcpd.sinks.wxr.order import LeftOut, channel_terms, exported_authors, is_exported, removed
from wpcpd.text import plural

if TYPE_CHECKING:
    from wpcpd.archive import Archive

MEGABYTE = 1_000_000


def write_wxr(
    archive: Archive, site: str | None, out: ExportParts, *, max_file_size: float | None = None
) -> Exported:
    """Write one site as WXR to `out`'s parts; returns the items written and what was left out."""
    limit = None if max_file_size is None else int(max_file_size * MEGABYTE)
    if limit is not None and limit <= 0:
        raise UsageError("--max-file-size must be more than 0 (megabytes)")
    site_row = one_site(archive, site, "a WXR file holds one site")
    record, authors, terms = _channel(archive, site_row["key"])
    left = LeftOut()
    listed_terms = channel_terms(terms, left)
    listed_authors = exported_authors(archive, site_row["id"], authors, left)
    removed_posts, removed_comments = removed(archive, site_row["id"], left)
    render.clean.removed = 0
    lists = {kind: "" for kind in (render.category, render.tag, render.term, render.nav_menu)}
    for kind, t in listed_terms:
        lists[kind] += kind(t)
    head = render.channel_head(record) + render.channel_lists(
        "".join(render.author(a) for a in listed_authors), *lists.values()
    )
    writer = _PartWriter(out, head, limit)
    for post, media, comments in archive.iter_threads(site_row["key"]):
        if post.id in removed_posts:
            left.removed_posts += 1
            left.removed_comments += len(comments)
            continue
        if not is_exported(post):
            left.posts[post.type if post.status != "auto-draft" else "auto-draft"] += 1
            left.comments_of_posts += len(comments)
            continue
        kept = [c for c in comments if c.id not in removed_comments]
        left.removed_comments += len(comments) - len(kept)
        comments, kept = kept, [c for c in kept if c.status != "spam"]
        left.spam += len(comments) - len(kept)
        writer.add(render.item(post, media, kept), post)
    writer.finish()
    notes = left.notes()
    if writer.parts > 1:
        notes.append(f"split at {max_file_size:g} MB: every file repeats the authors and terms")
    notes += writer.oversized_note()
    if render.clean.removed:
        notes.append(
            f"removed {plural(render.clean.removed, 'character')} that XML cannot hold "
            "(control characters)"
        )
    return Exported(writer.items, tuple(notes))


def _channel(archive: Archive, key: str) -> tuple[Site, list[Author], list[Term]]:
    """The site, its authors and its terms: the records `iter_records` gives before posts."""
    site: Site | None = None
    authors: list[Author] = []
    terms: list[Term] = []
    with closing(archive.iter_records(key)) as records:
        for _, record in records:
            if isinstance(record, Site):
                site = record
            elif isinstance(record, Author):
                authors.append(record)
            elif isinstance(record, Term):
                terms.append(record)
            else:
                break
    assert site is not None
    return site, authors, terms


class _PartWriter:
    """Items into parts: a new part (head repeated) when the next item would take the
    current one past the limit; an item larger than the limit by itself gets a part alone."""

    def __init__(self, out: ExportParts, head: str, limit: int | None) -> None:
        self.out = out
        self.head = head
        self.limit = limit
        self.parts = 0
        self.items = 0
        self.in_part = 0
        self.size = 0
        self.tail_size = len(render.TAIL.encode("utf-8"))
        self.oversized: list[str] = []
        self.handle = None
        self._open()

    def _open(self) -> None:
        self.parts += 1
        self.handle = self.out.next()
        start = render.PROLOGUE + render.generator_comment(self.parts) + render.RSS_OPEN
        start += self.head
        self.handle.write(start)
        self.size = len(start.encode("utf-8"))
        self.in_part = 0

    def add(self, chunk: str, post: Post) -> None:
        size = len(chunk.encode("utf-8"))
        full = self.limit is not None and self.size + size + self.tail_size > self.limit
        if full and self.in_part:
            self._close()
            self._open()
        assert self.handle is not None
        self.handle.write(chunk)
        self.size += size
        self.in_part += 1
        self.items += 1
        if self.limit is not None and self.size + self.tail_size > self.limit:
            self.oversized.append(f"part {self.parts} ({post.type} {post.id}, {size:,} bytes)")

    def oversized_note(self) -> list[str]:
        """What is over the limit: parts that hold one item, too large with the head."""
        if not self.oversized:
            return []
        named = ", ".join(self.oversized[:5])
        more = f" and {len(self.oversized) - 5} more" if len(self.oversized) > 5 else ""
        return [
            f"{plural(len(self.oversized), 'part')} over the {self.limit:,}-byte limit, each "
            f"holding one item that does not fit with the channel's authors and terms: "
            f"{named}{more}"
        ]

    def _close(self) -> None:
        assert self.handle is not None
        self.handle.write(render.TAIL)

    def finish(self) -> None:
        self._close()


EXPORT = ExportFormat(
    name="wxr",
    summary="Write one site as WXR 1.2, the file WordPress's importer reads.",
    example="wpcpd export wxr -o blog.xml --max-file-size 2",
    write=write_wxr,
    options=(
        ExportOption(
            "max_file_size",
            "Split into files of at most this many MB (1,000,000 bytes): FILE, FILE-2.xml, "
            "... each a whole WXR with every author and term.",
            type=float,
            metavar="MB",
        ),
    ),
    counts="item",
    parts=True,
)
