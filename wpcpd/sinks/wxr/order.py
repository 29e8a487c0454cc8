"""What core's `export_wp()` lists, and in which order: which posts it exports, which
authors and terms the channel names, and what this export therefore leaves out."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wpcpd.model import Author, Post, Term
from wpcpd.sinks.wxr import render
from wpcpd.text import plural

if TYPE_CHECKING:
    from wpcpd.archive import Archive

NOT_EXPORTED_TYPES = ("revision", "customize_changeset", "oembed_cache", "user_request")
"""The post types WordPress 6.1 registers with `can_export` false."""
INTERNAL_TAXONOMIES = frozenset({"link_category", "post_format", "wp_theme",
                                 "wp_template_part_area"})  # fmt: skip
"""Built-in taxonomies besides category, post_tag and nav_menu: core's channel lists only
categories, tags, the terms of `_builtin => false` taxonomies, and nav menus."""

TermElement = tuple[Callable[[Term], str], Term]


@dataclass
class LeftOut:
    """What the archive holds that core's exporter would not write."""

    spam: int = 0
    posts: Counter[str] = field(default_factory=Counter)
    comments_of_posts: int = 0
    authors: int = 0
    internal_terms: Counter[str] = field(default_factory=Counter)
    removed_posts: int = 0
    removed_comments: int = 0
    orphan_comments: int = 0

    def notes(self) -> list[str]:
        lines = []
        if self.spam:
            lines.append(
                f"left out {plural(self.spam, 'spam comment')}: "
                "WordPress's exporter never writes spam"
            )
        for kind, count in sorted(self.posts.items()):
            what = "auto-drafts" if kind == "auto-draft" else f"{kind} posts"
            lines.append(
                f"left out {plural(count, kind + ' post')}: WordPress's exporter never "
                f"writes {what}"
            )
        if self.comments_of_posts:
            lines.append(f"left out {plural(self.comments_of_posts, 'comment')} on those posts")
        if self.removed_posts or self.removed_comments:
            what = [plural(n, word) for n, word in ((self.removed_posts, "post"),
                    (self.removed_comments, "comment")) if n]  # fmt: skip
            lines.append(
                f"left out {' and '.join(what)} the site has since deleted: the archive "
                "keeps them (`wpcpd export json` has them), the site's own export would not"
            )
        if self.orphan_comments:
            lines.append(
                f"left out {plural(self.orphan_comments, 'comment')} on posts the archive "
                "does not hold: a WXR file keeps comments inside their post's item"
            )
        if self.authors:
            lines.append(
                f"left out {plural(self.authors, 'author')} without posts: WordPress's exporter "
                "lists only the authors of the posts it writes"
            )
        for taxonomy, count in sorted(self.internal_terms.items()):
            lines.append(
                f"left {plural(count, taxonomy + ' term')} out of the channel's term list: "
                "WordPress's exporter lists none of that built-in taxonomy (the items still "
                "name theirs)"
            )
        return lines


def is_exported(post: Post) -> bool:
    """Whether core's `export_wp(['content' => 'all'])` writes this post."""
    return post.type not in NOT_EXPORTED_TYPES and post.status != "auto-draft"


def _by_name(term: Term) -> tuple[str, int]:
    """Core's `get_terms()` order (orderby name; ties by id), by the name the database
    holds: a post format's is its slug (its display name comes from a filter)."""
    stored = term.slug if term.taxonomy == "post_format" else term.name
    return render.name_order(stored), term.id or 0


def _parents_first(terms: list[Term]) -> list[Term]:
    """Core's loop: take terms in turn, sending one whose parent is not yet placed to the
    back. A parent the list does not hold counts as none, and a cycle of parents is left
    as it is, where core would loop forever."""
    known = {(t.taxonomy, t.slug) for t in terms}
    queue = deque(terms)
    placed: list[Term] = []
    seen: set[tuple[str, str]] = set()
    stalled = 0
    while queue:
        t = queue.popleft()
        parent = (t.taxonomy, t.parent)
        if not t.parent or parent in seen or parent not in known:
            placed.append(t)
            seen.add((t.taxonomy, t.slug))
            stalled = 0
            continue
        queue.append(t)
        stalled += 1
        if stalled > len(queue):
            placed += queue
            break
    return placed


def channel_terms(terms: list[Term], left: LeftOut) -> list[TermElement]:
    """The channel's terms in core's order: categories, tags, other taxonomies' terms (each
    list by name, parents before children), then nav menus; each with its element.

    Core asks `get_terms()` for the terms of every taxonomy not built in; with none such
    the list of taxonomies is empty, and `get_terms()` then gives every term of every
    taxonomy, categories and tags again included. An archive holding no term of a custom
    taxonomy is taken for such a site (one whose custom taxonomy has no term at all would
    list none there: the archive cannot tell the two apart).
    """
    ordered = sorted(terms, key=_by_name)
    categories = [t for t in ordered if t.taxonomy == "category"]
    tags = [t for t in ordered if t.taxonomy == "post_tag"]
    menus = [t for t in ordered if t.taxonomy == "nav_menu"]
    builtin = INTERNAL_TAXONOMIES | {"category", "post_tag", "nav_menu"}
    others = [t for t in ordered if t.taxonomy not in builtin]
    if not others:
        others = ordered
    else:
        left.internal_terms.update(t.taxonomy for t in ordered if t.taxonomy in INTERNAL_TAXONOMIES)
    return [
        *((render.category, t) for t in _parents_first(categories)),
        *((render.tag, t) for t in tags),
        *((render.term, t) for t in _parents_first(others)),
        *((render.nav_menu, t) for t in menus),
    ]


def removed(archive: Archive, site_id: int, left: LeftOut) -> tuple[set[int], set[int]]:
    """The ids of the posts and comments the site has deleted since they were archived
    (marked `removed_at`): few, so kept as sets; and the comments of no archived post."""
    posts, comments = (
        {r["id"] for r in archive.query(
            f"SELECT id FROM {table} WHERE site_id = ? AND removed_at IS NOT NULL", [site_id])}
        for table in ("posts", "comments")
    )  # fmt: skip
    left.orphan_comments = archive.query(
        """SELECT count(*) AS n FROM comments c WHERE c.site_id = ? AND NOT EXISTS
        (SELECT 1 FROM posts p WHERE p.site_id = c.site_id AND p.id = c.post_id)""",
        [site_id],
    )[0]["n"]
    return posts, comments


def exported_authors(
    archive: Archive, site_id: int, authors: list[Author], left: LeftOut
) -> list[Author]:
    """The authors of the posts written, in the order of their first post (core's
    `SELECT DISTINCT post_author` over the posts table)."""
    skipped = ", ".join("?" * len(NOT_EXPORTED_TYPES))
    rows = archive.query(
        f"""SELECT author, min(id) AS first FROM posts WHERE site_id = ?
        AND type NOT IN ({skipped}) AND status != 'auto-draft' AND removed_at IS NULL
        GROUP BY author ORDER BY first""",
        [site_id, *NOT_EXPORTED_TYPES],
    )
    by_login = {a.login: a for a in authors}
    listed = [by_login[r["author"]] for r in rows if r["author"] in by_login]
    left.authors = len(authors) - len(listed)
    return listed
