"""`wpcpd export html`: one archived site as a folder of plain HTML pages that opens from
file:// with no server and makes no request to anywhere.

The home page lists the newest posts and a page per year lists every post (newest first,
by month); a page per category and tag, the pages' hierarchy, and a search page whose
index is a script file (`search-index.js` sets a global: browsers refuse to fetch() a
local JSON file from a file:// page). Each post's page has its comment thread nested as
it was, its pictures copied from the archive's media store (`media/`, the Markdown
export's `MediaCopies`), and links to the older and newer post. Content goes through the
Markdown export's converter and markdown-it, then through an allowlist (`content`), and
each page carries a Content-Security-Policy that allows nothing but its own folder.

Posts the public never saw (drafts, pending, private, scheduled, password-protected) are
left out unless `--include-private`, and marked on their page and in every list when
included; a post's password, commenters' e-mail addresses and IPs are never written.
Held and spam comments are shown, marked, only with `--comments all`. A re-run rewrites
only the files whose bytes changed (the Markdown export's `FolderWriter`).

Streamed: the catalogue (`site`: one row per post, no content) comes first, then one
post's thread at a time from `Archive.iter_threads`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from wpcpd.errors import UsageError
from wpcpd.model import Comment, Post
from wpcpd.sinks.base import Exported, ExportFlag, ExportFormat, ExportOption, one_site
from wpcpd.sinks.html.content import render
from wpcpd.sinks.html.pages import Pages, by_month, comment_nodes, long_date, title_of
from wpcpd.sinks.html.site import Catalogue, HtmlLayout, Item, read_catalogue
from wpcpd.sinks.markdown import with_footnotes
from wpcpd.sinks.markdown.layouts import Entry
from wpcpd.sinks.markdown.manifest import FolderWriter
from wpcpd.sinks.markdown.media import MediaCopies
from wpcpd.sinks.markdown.threads import comment_choice, kept_comments
from wpcpd.sinks.portfolio import programmes_found, render_portfolio
from wpcpd.text import html_to_text, plural

if TYPE_CHECKING:
    from wpcpd.archive import Archive

LATEST = 20
"""Posts on the home page; every post is on its year's page."""
SEARCH_TEXT = 600
"""Characters of each post's text in the search index (titles are searched whole)."""


def extra_pages(
    archive: Archive, site: str, *, include_private: bool = False
) -> list[tuple[str, str]]:
    """More pages for the site, as (relative path, HTML document): each is written and
    linked from the navigation (by its <title>): the CPD portfolio of each programme the
    site has reflections for (`portfolio/PROGRAMME.html`), with private reflections only
    when `include_private`, as the export's own posts. A programme the archive names but
    wpcpd has no definition of gets no page."""
    pages = []
    for programme in sorted(programmes_found(archive, site)):
        try:
            page = render_portfolio(archive, site, programme, include_private=include_private)
        except UsageError:
            continue
        pages.append((f"portfolio/{programme}.html", page))
    return pages


def write_html(
    archive: Archive,
    site: str | None,
    out: Path,
    *,
    include_private: bool = False,
    comments: str | None = None,
) -> Exported:
    """Write one site as a folder of HTML pages into `out`."""
    choice = comment_choice(comments)
    site_row = one_site(archive, site, "an HTML export holds one site")
    catalogue = read_catalogue(archive, site_row, include_private)
    writer = FolderWriter.open(out, "html", site_row["key"])
    media = MediaCopies.of(archive, HtmlLayout(catalogue), writer, catalogue.outline)
    extras = extra_pages(archive, site_row["key"], include_private=include_private)
    nav = [(title_of(document, Path(path).stem), path) for path, document in extras]
    run = _Run(catalogue, Pages(catalogue, include_private, nav), writer, media, choice)
    for post, _, thread in archive.iter_threads(site_row["key"]):
        item = catalogue.items.get(post.id)
        if item is not None:
            run.post(post, item, thread)
    run.lists()
    for path, document in extras:
        writer.write(path, document.encode("utf-8"))
    run.assets()
    writer.finish("html", site_row["key"])
    return Exported(len(catalogue.items), tuple(run.notes(include_private)))


class _Run:
    """One export's state: what has been written, and what to say about it."""

    def __init__(self, catalogue: Catalogue, pages: Pages, writer: FolderWriter,
                 media: MediaCopies, comments: str) -> None:  # fmt: skip
        self.catalogue, self.pages, self.writer, self.media = catalogue, pages, writer, media
        self.comments = comments
        self.counts: Counter[str] = Counter()

    def post(self, post: Post, item: Item, thread: list[Comment]) -> None:
        outline = self.catalogue.outline
        self.media.begin(Entry(post, outline.slugs[post.id], [], item.author, None, None))

        def links(href: str) -> str:
            return self.catalogue.local_link(href, item.path)

        body = render(with_footnotes(post), self.media, links)
        item.text = " ".join(html_to_text(body).split())[:SEARCH_TEXT]
        kept = kept_comments(thread, self.comments, outline.removed_comments)
        nodes = comment_nodes(kept, thread, outline.offset, links)
        page = self.pages.post(item, body, nodes, len(kept), self._featured(post, body))
        self.writer.write(item.path, page, post=post.id)
        self.writer.posts[str(post.id)] = item.path
        self.counts[item.type] += 1
        self.counts["comments"] += len(kept)
        self.counts["threads"] += bool(kept)
        self.counts["comments left"] += len(thread) - len(kept)

    def _featured(self, post: Post, body: str) -> dict | None:
        """The featured image, when it is kept and the content does not show it already."""
        attachment = self.catalogue.outline.attachments.get(post.featured_media or 0)
        if attachment is None or not attachment.url:
            return None
        src = self.media.featured(post.featured_media)
        if not src or "://" in src or f'src="{src}"' in body:
            return None
        return {"src": src, "alt": attachment.alt}

    def lists(self) -> None:
        """The home page, a page per year, category and tag, the lists of them, search."""
        catalogue, pages, write = self.catalogue, self.pages, self.writer.write
        years = catalogue.years()
        write("index.html", pages.page("index.html.j2", "index.html", catalogue.title, "home",
                                       latest=catalogue.posts[:LATEST], years=years,
                                       description=_description(catalogue)))  # fmt: skip
        year_links = [(year.capitalize(), f"years/{year}.html") for year in years]
        for year, items in years.items():
            path = f"years/{year}.html"
            title = f"Posts from {year}" if year != "undated" else "Undated posts"
            write(path, pages.listing(path, title, by_month(items), links=year_links,
                                      links_label="Years"))  # fmt: skip
        for taxonomy, label, listing in (("category", "Category", "categories.html"),
                                         ("post_tag", "Tag", "tags.html")):  # fmt: skip
            terms = sorted(catalogue.terms.get(taxonomy, {}).values(),
                           key=lambda t: t.name.casefold())  # fmt: skip
            for term in terms:
                count = plural(len(term.items), "post")
                write(term.path, pages.listing(term.path, f"{label}: {term.name}",
                                               [("", term.items)], lead=count))  # fmt: skip
            title = "Categories" if taxonomy == "category" else "Tags"
            write(listing, pages.page("terms.html.j2", listing, title, "terms", terms=terms,
                                      pages=[]))  # fmt: skip
        write("pages.html", pages.page("terms.html.j2", "pages.html", "Pages", "terms",
                                       terms=[], pages=catalogue.top_pages()))  # fmt: skip
        write("search.html", pages.page("search.html.j2", "search.html", "Search", "search"))
        write("search-index.js", _search_index(catalogue))

    def assets(self) -> None:
        folder = resources.files(__name__).joinpath("assets")
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            if item.is_file():
                self.writer.write(f"assets/{item.name}", item.read_bytes())

    def notes(self, include_private: bool) -> list[str]:
        counts, writer, left = self.counts, self.writer, self.catalogue.left_out
        hidden = sum(1 for item in self.catalogue.items.values() if item.mark)
        notes = [
            f"{plural(counts['post'], 'post')} and {plural(counts['page'], 'page')}; "
            + (f"{hidden} not public, included and marked" if include_private
               else f"{left} not public left out (--include-private shows them, marked)"),
            f"{plural(counts['comments'], 'comment')} in {plural(counts['threads'], 'thread')}"
            + (f"; {counts['comments left']} left out by --comments {self.comments}"
               if counts["comments left"] else ""),
            f"{writer.summary()}; {plural(self.media.copied, 'media file')} copied",
        ]  # fmt: skip
        if self.media.not_kept:
            total = sum(self.media.not_kept.values())
            notes.append(
                f"{plural(total, 'picture')} in {len(self.media.not_kept)} page(s) shown as "
                "links to the old site (not in the media store: run wpcpd media fetch first)"
            )
        if writer.edited:
            notes.append(writer.edited_note())
        return notes


def _description(catalogue: Catalogue) -> str:
    text = catalogue.site.get("description") or ""
    return " ".join(re.sub(r"<[^>]*>", " ", text).split())


def _search_index(catalogue: Catalogue) -> bytes:
    """Titles and the start of each post's text, newest first, as a script that sets a
    global (a file:// page may load a script, not fetch() a JSON file)."""
    entries = [
        {"t": item.title, "u": item.path, "k": item.mark, "x": item.text,
         "d": long_date(item.date) if item.date else ""}
        for item in [*catalogue.posts, *catalogue.pages]
    ]  # fmt: skip
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    return f"window.WPCPD_SEARCH = {data};\n".encode()


EXPORT = ExportFormat(
    name="html",
    summary="A static site to read offline: posts, threads, pictures, search; no server needed.",
    example="wpcpd export html --out blog-site",
    write=write_html,
    flags=(
        ExportFlag(
            "include_private",
            "Include drafts, pending, private, scheduled and password-protected posts "
            "(marked as such; never the password).",
        ),
    ),
    options=(
        ExportOption(
            "comments",
            "Which comments to show: approved (default), all (held and spam marked), none.",
            metavar="WHICH",
        ),
    ),
    counts="post and page",
    folder=True,
)
