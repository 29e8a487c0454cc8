"""`wpcpd export markdown`: one archived site as a folder of Markdown that Hugo, Jekyll,
Pelican or Eleventy builds as it is.

Each post and page becomes one Markdown file where its generator wants it (`layouts`),
with front matter that keeps its dates with their offset, its old address, its GUID and
its terms, and that keeps every post WordPress did not show the public from being
published. Its comment thread becomes a data file (`threads`) that the small partial the
export ships renders nested, so the built site shows comments without any server. Its
pictures are copied from the archive's media store (`media`). The content itself is
converted by `convert`. A re-run rewrites only files whose bytes changed and removes what
the export no longer produces, never a file someone edited (`manifest`).

Streamed: one post's thread at a time from `Archive.iter_threads`; the whole-site facts a
post needs (unique file names, page ancestors, attachments) come first from `outline`.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from wpcpd.errors import UsageError
from wpcpd.model import Post
from wpcpd.sinks.base import Exported, ExportFormat, ExportOption, one_site
from wpcpd.sinks.markdown.convert import PLAIN, to_markdown
from wpcpd.sinks.markdown.layouts import LAYOUTS, Eleventy, Entry, Layout, with_offset
from wpcpd.sinks.markdown.manifest import FolderWriter
from wpcpd.sinks.markdown.media import MediaCopies
from wpcpd.sinks.markdown.outline import DEFAULT_STATUSES, KNOWN_STATUSES, Outline, read_outline
from wpcpd.sinks.markdown.threads import comment_choice, kept_comments, thread_data
from wpcpd.sinks.redirects import RedirectPair, redirect_texts
from wpcpd.text import html_to_text, plural

if TYPE_CHECKING:
    from wpcpd.archive import Archive


def write_markdown(
    archive: Archive,
    site: str | None,
    out: Path,
    *,
    layout: str | None = None,
    status: str | None = None,
    comments: str | None = None,
) -> Exported:
    """Write one site's posts, pages, threads and pictures into the folder `out`."""
    chosen = _layout(layout)
    statuses = _statuses(status)
    choice = comment_choice(comments)
    site_row = one_site(archive, site, "a Markdown export holds one site")
    outline = read_outline(archive, site_row, statuses)
    writer = FolderWriter.open(out, chosen.name, site_row["key"])
    media = MediaCopies.of(archive, chosen, writer, outline)
    run = _Run(chosen, outline, writer, media, choice)
    for post, _, thread in archive.iter_threads(site_row["key"]):
        if post.id in outline.slugs:
            run.post(post, thread)
    run.extras()
    writer.finish(chosen.name, site_row["key"])
    return Exported(run.counts["post"] + run.counts["page"], tuple(run.notes()))


class _Run:
    """One export's state: what has been written, and what to say about it."""

    def __init__(self, layout: Layout, outline: Outline, writer: FolderWriter,
                 media: MediaCopies, comments: str) -> None:  # fmt: skip
        self.layout, self.outline, self.writer, self.media = layout, outline, writer, media
        self.comments = comments
        self.counts: Counter[str] = Counter()
        self.redirects: list[RedirectPair] = []
        self.own_files: list[str] = []
        """Starter files the folder already had its own of (kept)."""
        self.site_title = outline.site_title or "My blog"

    def post(self, post: Post, thread: list) -> None:
        entry = _entry(post, self.outline)
        self.media.begin(entry)
        body = to_markdown(with_footnotes(post), self.layout.name, self.media)
        entry.image = self.media.featured(post.featured_media)
        path = self.layout.markdown_path(entry)
        self.writer.write(path, self.layout.document(entry, body).encode("utf-8"), post=post.id)
        self.writer.posts[str(post.id)] = path
        self.counts[post.type] += 1
        self.counts["public" if entry.public else "not public"] += 1
        kept = kept_comments(thread, self.comments, self.outline.removed_comments)
        if kept:
            data = thread_data(kept, thread, self._comment_markdown, self.outline.offset,
                               with_offset)  # fmt: skip
            self.writer.write(self.layout.comments_path(post.id), data, post=post.id)
            self.counts["comments"] += len(kept)
            self.counts["threads"] += 1
        self.counts["comments left"] += len(thread) - len(kept)
        if entry.permalink:
            short = "page_id" if post.type == "page" else "p"
            olds = {f"{self.outline.site_url}/?{short}={post.id}"}
            if post.link and not entry.shared_address and entry.permalink != entry.old_address:
                olds.add(post.link)  # its old address cannot be its new one: send it there
            self.redirects += [RedirectPair(old, entry.permalink, post.type, str(post.id))
                               for old in sorted(olds)]  # fmt: skip

    def _comment_markdown(self, content: str) -> str:
        return to_markdown(content, self.layout.name, PLAIN)

    def extras(self) -> None:
        """The partials, the starter files, the data cascade and the redirects."""
        starters = _starter_files(self.layout.name, self.site_title)
        shipped = dict(starters)
        own = [name for name in self.layout.configs if (self.writer.root / name).exists()
               and (self.writer.root / name).read_bytes() != shipped.get(name)]  # fmt: skip
        for relative, data in starters:
            if "wpcpd" in relative:
                self.writer.write(relative, data)
            elif own or not self.writer.keep_if_present(relative, data):
                # A site of its own: its configuration, theme and layouts are left to it.
                self.own_files.append(relative)
                self.writer.write(f".wpcpd/starters/{relative}", data)
        self.own_files = own or self.own_files
        if isinstance(self.layout, Eleventy):
            for relative, data in self.layout.folder_data().items():
                self.writer.write(relative, data)
        if self.layout.name == "hugo":  # WordPress's feed address, to Hugo's
            self.redirects.append(RedirectPair(f"{self.outline.site_url}/feed/", "/index.xml"))
        self.counts["unused media"] = self.media.copy_rest()
        moved = [RedirectPair(old, new, "media_file") for old, new in self.media.moved]
        texts = redirect_texts(self.redirects + moved, ("csv", "nginx"))
        self.writer.write(".wpcpd/redirects.csv", texts["csv"].encode("utf-8"))
        self.writer.write(".wpcpd/redirects.nginx.conf", texts["nginx"].encode("utf-8"))

    def _left_comments(self) -> str:
        left = self.counts["comments left"]
        return f"; {left} left out by --comments {self.comments}" if left else ""

    def notes(self) -> list[str]:
        counts, writer = self.counts, self.writer
        notes = [
            f"{counts['public']} public, {counts['not public']} not public"
            + (
                ": their files are in the folder, marked so the generator never builds "
                "them (publish the built site, not this folder; --status publish leaves "
                "them out)"
                if counts["not public"]
                else ""
            ),
            f"{plural(counts['comments'], 'comment')} in {plural(counts['threads'], 'thread')}"
            + self._left_comments(),
            f"{writer.summary()}; {plural(self.media.copied, 'media file')} copied",
        ]
        left = ", ".join(f"{n} {why}" for why, n in sorted(self.outline.left_out.items())
                         if why != "attachment")  # fmt: skip
        if left:
            notes.append(f"left out: {left} (--status chooses statuses)")
        if counts["unused media"]:
            notes.append(
                f"{plural(counts['unused media'], 'media file')} no exported post uses, copied "
                f"to {self.layout.site_media_path('')}"
            )
        if self.outline.shared_address:
            notes.append(
                f"{plural(len(self.outline.shared_address), 'public post')} had the address of "
                "an earlier one (WordPress never allows that): written at the generator's own "
                "path instead"
            )
        if self.media.not_kept:
            total = sum(self.media.not_kept.values())
            first = sorted(self.media.not_kept)[0]
            notes.append(
                f"{plural(total, 'media reference')} in {plural(len(self.media.not_kept), 'file')}"
                f" (the first: {first}) keep their old address: the media store has no copy "
                "(wpcpd media fetch keeps them; wpcpd media list says why one failed)"
            )
        if self.own_files:
            notes.append(
                f"a site of its own: kept its {', '.join(self.own_files[:4])}"
                + (" …" if len(self.own_files) > 4 else "")
                + f": wpcpd's are in .wpcpd/starters/ ({STARTER_HINTS[self.layout.name]})"
            )
        if writer.edited:
            notes.append(writer.edited_note())
        return notes


_FOOTNOTES_BLOCK = re.compile(r"<!--\s*wp:footnotes\s*(?:\{.*?\}\s*)?/-->", re.S)


def with_footnotes(post: Post) -> str:
    """The content with its footnotes written out: WordPress (6.3 and later) stores a
    footnotes block as an empty marker and the notes in the post's `footnotes` meta, and
    renders them only on display; here they become the list it would have shown."""
    content = post.content
    found = _FOOTNOTES_BLOCK.search(content)
    notes = next((value for key, value in post.meta or [] if key == "footnotes"), "")
    if not found or not notes:
        return content
    try:
        items = [n for n in json.loads(notes) if isinstance(n, dict) and n.get("id")]
    except ValueError:
        return content
    listed = "".join(
        f'<li id="{html.escape(str(n["id"]))}">{n.get("content", "")} '
        f'<a href="#{html.escape(str(n["id"]))}-link">↩︎</a></li>'
        for n in items
    )
    rendered = f'<ol class="wp-block-footnotes">{listed}</ol>'
    return content[: found.start()] + rendered + content[found.end() :]


STARTER_HINTS = {
    "hugo": "the comment partial is layouts/partials/wpcpd-comments.html; kept inline HTML "
    "needs markup.goldmark.renderer.unsafe",
    "jekyll": "include wpcpd-comments.html in your post layout",
    "pelican": "drafts stay unpublished only with its DRAFT_* settings; the comments plugin "
    "needs its PLUGINS and THEME_TEMPLATES_OVERRIDES lines",
    "eleventy": "the comment partial needs the wpcpdMarkdown, wpcpdReplies and wpcpdDate "
    "filters of its eleventy.config.cjs",
}


def _entry(post: Post, outline: Outline) -> Entry:
    categories = [t.name for t in post.terms if t.taxonomy == "category"]
    tags = [t.name for t in post.terms if t.taxonomy == "post_tag"]
    taxonomies: dict[str, list[str]] = {}
    for term in post.terms:
        if term.taxonomy not in ("category", "post_tag"):
            taxonomies.setdefault(term.taxonomy, []).append(term.name)
    ancestors = outline.ancestors(post.id) if post.type == "page" else []
    return Entry(
        post, outline.slugs[post.id], ancestors,
        outline.authors.get(post.author, post.author),
        with_offset(post.date, post.date_gmt, outline.offset),
        with_offset(post.modified, post.modified_gmt, outline.offset),
        categories, tags, taxonomies, summary=_plain(post.excerpt),
        parent_of_pages=post.type == "page" and outline.has_children(post.id),
        shared_address=post.id in outline.shared_address,
    )  # fmt: skip


def _plain(html: str) -> str:
    """An excerpt as one line of text (front matter holds text, not markup)."""
    return " ".join(html_to_text(html).split())


def _starter_files(layout: str, title: str) -> list[tuple[str, bytes]]:
    """The files shipped for a layout (starters/LAYOUT/...), as (relative path, bytes),
    with the site's title for the starter's "My blog"."""
    root = resources.files(__name__).joinpath("starters", layout)
    found: list[tuple[str, bytes]] = []

    def walk(folder, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            name = f"{prefix}{item.name}"
            if item.is_dir():
                walk(item, name + "/")
            elif item.name != "__pycache__" and not item.name.endswith(".pyc"):
                data = item.read_bytes().replace(
                    b'"My blog"', json.dumps(title, ensure_ascii=False).encode()
                )
                found.append((name, data))

    if root.is_dir():
        walk(root, "")
    return found


def _layout(name: str | None) -> Layout:
    if not name:
        raise UsageError(f"name the generator with --layout: {', '.join(LAYOUTS)}")
    if name not in LAYOUTS:
        raise UsageError(f"unknown --layout {name!r}: choose {', '.join(LAYOUTS)}")
    return LAYOUTS[name]


def _statuses(text: str | None) -> tuple[str, ...]:
    if not text:
        return DEFAULT_STATUSES
    chosen = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in chosen if s not in KNOWN_STATUSES]
    if unknown or not chosen:
        named = ", ".join(unknown) or repr(text)
        raise UsageError(f"unknown --status {named}: choose from {', '.join(KNOWN_STATUSES)}")
    return chosen


EXPORT = ExportFormat(
    name="markdown",
    summary="Markdown for Hugo, Jekyll, Pelican or Eleventy, with comment threads and pictures.",
    example="wpcpd export markdown --out site --layout hugo",
    write=write_markdown,
    options=(
        ExportOption(
            "layout", "The generator: hugo, jekyll, pelican or eleventy.", metavar="GENERATOR"
        ),
        ExportOption(
            "status",
            "Only posts of these statuses (comma-separated; default every status but trash).",
            metavar="STATUSES",
        ),
        ExportOption(
            "comments", "Which comments to keep: approved (default), all, none.", metavar="WHICH"
        ),
    ),
    counts="post and page",
    folder=True,
)
