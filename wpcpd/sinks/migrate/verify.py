"""Verify a migration: read the target back and compare it with the archived source.

The target is read afresh into a temporary archive (so nothing stale can hide a gap; the
command line pulls it through its REST API), then every item push carries is compared field
by field with what the target holds: titles, content after the link rewriting push does,
excerpts, dates, statuses, slugs, authors, parents, terms, featured images, and each comment
with its place in the thread. Items push cannot carry (pingbacks, spam and trash unless
asked for) are listed as not compared rather than as differences.
"""

from __future__ import annotations

import difflib
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wpcpd.archive import Archive
from wpcpd.errors import UsageError
from wpcpd.model import Comment, Media, Post, Term, format_gmt, format_local
from wpcpd.sinks.migrate.addresses import url_map
from wpcpd.sinks.migrate.archived import Source, load_source
from wpcpd.sinks.migrate.idmap import Mappings
from wpcpd.sinks.migrate.options import PushOptions
from wpcpd.sinks.migrate.rules import (
    comment_skip_reason,
    comparable_html,
    expected_status,
    post_kind,
    post_skip_reason,
    same_term_name,
)
from wpcpd.sinks.redirects import UrlMap
from wpcpd.text import plural

TargetReader = Callable[[Archive, str], str]
"""Reads the site at an address into the (empty, temporary) archive given; returns the key
the site has there. The caller supplies it (the command line pulls the site afresh), so
verify needs nothing of how sites are read."""

SNIPPET = 60


@dataclass
class Difference:
    kind: str
    source_id: str
    label: str
    field: str
    expected: str = ""
    actual: str = ""

    def describe(self) -> str:
        where = f"{self.kind} {self.source_id}" + (f" {self.label!r}" if self.label else "")
        if self.field in ("missing", "extra"):
            return f"{where}: {self.expected or self.actual}"
        return f"{where}: {self.field}: {_contrast(self.expected, self.actual)}"


@dataclass
class VerifyReport:
    source: str
    target: str
    compared: Counter[str] = field(default_factory=Counter)
    differences: list[Difference] = field(default_factory=list)
    not_compared: list[tuple[str, str, str]] = field(default_factory=list)
    """(kind, source id, reason) for items push does not carry."""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "ok": self.ok,
            "compared": dict(self.compared),
            "differences": [vars(d) for d in self.differences],
            "not_compared": [
                {"kind": k, "source_id": i, "reason": r} for k, i, r in self.not_compared
            ],
            "notes": self.notes,
        }

    def describe(self, limit: int = 50) -> str:
        counts = ", ".join(plural(n, kind) for kind, n in sorted(self.compared.items()))
        verdict = "the same" if self.ok else plural(len(self.differences), "difference")
        lines = [f"compared {self.source} with {self.target}: {counts}: {verdict}"]
        lines += [f"  {d.describe()}" for d in self.differences[:limit]]
        if len(self.differences) > limit:
            lines.append(f"  ... and {len(self.differences) - limit} more")
        reasons = Counter(reason for _, _, reason in self.not_compared)
        for reason, n in sorted(reasons.items()):
            lines.append(f"not compared ({n}): {reason}")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def verify(
    archive: Archive,
    site_ref: str,
    target_url: str,
    read_target: TargetReader,
    *,
    include_spam: bool = False,
    include_trash: bool = False,
) -> VerifyReport:
    """Read `target_url` afresh with `read_target` and compare it with the archived site
    `site_ref`."""
    if archive.resolve_site(site_ref) is None:
        raise UsageError("name the archived site to compare with --from")
    source = load_source(archive, site_ref)
    with tempfile.TemporaryDirectory(prefix="wpcpd-verify-") as folder:
        target_archive = Archive(Path(folder) / "target.db")
        try:
            target = load_source(target_archive, read_target(target_archive, target_url))
        finally:
            target_archive.close()
    maps = Mappings(archive, source.key, target.key, dry_run=True)
    options = PushOptions(include_spam=include_spam, include_trash=include_trash)
    return Comparison(source, target, maps, options).run()


def compare_archived(
    archive: Archive, site_ref: str, target_ref: str, options: PushOptions | None = None
) -> VerifyReport:
    """Compare two sites already in one archive (the target pulled beforehand)."""
    source, target = load_source(archive, site_ref), load_source(archive, target_ref)
    maps = Mappings(archive, source.key, target.key, dry_run=True)
    return Comparison(source, target, maps, options or PushOptions()).run()


class Comparison:
    def __init__(self, source: Source, target: Source, maps: Mappings, options: PushOptions):
        self.source = source
        self.target = target
        self.maps = maps
        self.options = options
        self.report = VerifyReport(source.key, target.key)
        self.urls: UrlMap = url_map(source, maps)
        self.now = datetime.now(UTC)
        self.target_terms = {(t.taxonomy, t.id): t for t in target.terms if t.id is not None}
        self.target_logins = {a.id: a.login for a in target.authors.values() if a.id}
        self.target_comments = {c.id: c for c in target.comments}

    def run(self) -> VerifyReport:
        for term in self.source.terms:
            self.term(term)
        for post in self.source.posts.values():
            if post.type == "attachment":
                self.media(post)
            else:
                self.post(post)
        self.comments()
        return self.report

    # -- helpers ------------------------------------------------------------------------

    def differ(self, kind: str, key: Any, label: str, name: str, want: Any, got: Any) -> None:
        if _same(want, got):
            return
        self.report.differences.append(
            Difference(kind, str(key), label, name, _text(want), _text(got))
        )

    def missing(self, kind: str, key: Any, label: str, why: str) -> None:
        self.report.differences.append(Difference(kind, str(key), label, "missing", why))

    def skip(self, kind: str, key: Any, reason: str) -> None:
        self.report.not_compared.append((kind, str(key), reason))

    # -- terms --------------------------------------------------------------------------

    def term(self, term: Term) -> None:
        key = f"{term.taxonomy}/{term.slug}"
        if term.taxonomy in ("post_format", "nav_menu", "wp_theme", "wp_template_part_area"):
            return
        target_id = self.maps.target_id("term", key)
        found = self.target_terms.get((term.taxonomy, target_id))
        if found is None:
            self.missing("term", key, term.name, "not on the target")
            return
        self.report.compared["term"] += 1
        check = self._checker("term", key, term.name)
        if not same_term_name(term.name, found.name):
            check("name", term.name, found.name)
        check("description", term.description, found.description)
        check("parent", self._term_slug(term.taxonomy, term.parent), found.parent)

    def _term_slug(self, taxonomy: str, slug: str) -> str:
        """The slug the target gave the term the source calls `slug`."""
        if not slug:
            return ""
        found = self.target_terms.get((taxonomy, self.maps.target_id("term", f"{taxonomy}/{slug}")))
        return found.slug if found else f"(unpushed {slug})"

    # -- posts and pages ----------------------------------------------------------------

    def post(self, post: Post) -> None:
        kind, label = post_kind(post), post.title
        reason = post_skip_reason(post, self.options.include_trash)
        if reason:
            self.skip(kind, post.id, reason)
            return
        found = self.target.posts.get(self.maps.target_id(kind, post.id) or -1)
        if found is None:
            self.missing(kind, post.id, label, "not on the target")
            return
        self.report.compared[kind] += 1
        check = self._checker(kind, post.id, label)
        check("title", post.title, found.title)
        check("content", self.urls.rewrite(post.content), found.content)
        check("excerpt", self.urls.rewrite(post.excerpt), found.excerpt)
        check("status", expected_status(post, self.now), found.status)
        check("password protected", post.password_protected, found.password_protected)
        if post.password:
            check("password", "the archive's", _which_password(post.password, found.password))
        self._dates(check, post, found)
        self._slug(kind, post, found)
        self._author(check, post.author, found.author)
        check("parent", self._post_target(post.parent), found.parent)
        check("featured image", self.maps.target_id("media", post.featured_media or -1) or None,
              found.featured_media)  # fmt: skip
        check("terms", self._expected_terms(post), _terms(found))
        for name in ("sticky", "menu_order", "comment_status", "ping_status"):
            check(name.replace("_", " "), getattr(post, name), getattr(found, name))

    def _dates(self, check: Callable[..., None], post: Post, found: Post) -> None:
        if post.date_gmt:
            check("date (GMT)", format_gmt(post.date_gmt), format_gmt(found.date_gmt))
        elif post.date:  # else the archive knows no date (a scraped page shows none)
            check("date", format_local(post.date), format_local(found.date))

    def _slug(self, kind: str, post: Post, found: Post) -> None:
        if post.slug == found.slug or not post.slug:
            return
        if found.slug.startswith(post.slug + "-") and found.slug.rsplit("-", 1)[1].isdigit():
            self.report.notes.append(
                f"{kind} {post.id} {post.title!r}: slug {post.slug} was taken on the target, "
                f"now {found.slug} (see the redirects)"
            )
            return
        self.differ(kind, post.id, post.title, "slug", post.slug, found.slug)

    def _author(self, check: Callable[..., None], login: str, found_login: str) -> None:
        target_id = self.maps.target_id("author", login) if login else None
        if target_id is not None:  # authors given by --author-map are not recorded
            check("author", self.target_logins.get(target_id, f"user {target_id}"), found_login)

    def _post_target(self, source_id: int) -> int:
        if not source_id:
            return 0
        found = self.maps.target_id("post", source_id) or self.maps.target_id("page", source_id)
        return found or -source_id

    def _expected_terms(self, post: Post) -> list[str]:
        expected = []
        for ref in post.terms:
            if ref.taxonomy == "post_format":
                expected.append(f"post_format:{ref.slug}")
                continue
            target_id = self.maps.target_id("term", f"{ref.taxonomy}/{ref.slug}")
            found = self.target_terms.get((ref.taxonomy, target_id))
            expected.append(f"{ref.taxonomy}:{found.slug if found else ref.slug + '?'}")
        return sorted(expected)

    # -- media --------------------------------------------------------------------------

    def media(self, post: Post) -> None:
        item = self.source.media.get(post.id)
        if item is None or not self.options.only or "media" not in self.options.only:
            return
        found_id = self.maps.target_id("media", post.id)
        found = self.target.posts.get(found_id or -1)
        found_media: Media | None = self.target.media.get(found_id or -1)
        if found is None or found_media is None:
            self.missing("media", post.id, post.title, "not on the target")
            return
        self.report.compared["media"] += 1
        check = self._checker("media", post.id, post.title)
        check("title", post.title, found.title)
        check("caption", post.excerpt, found.excerpt)
        check("description", post.content, found.content)
        check("alt text", item.alt_text, found_media.alt_text)
        check("mime type", item.mime_type, found_media.mime_type)
        check("attached to", self._post_target(item.post or post.parent), found.parent)

    # -- comments -----------------------------------------------------------------------

    def comments(self) -> None:
        carried: set[int] = set()
        for comment in self.source.comments:
            target_id = self.comment(comment)
            if target_id is not None:
                carried.add(target_id)
        self._extra_comments(carried)

    def comment(self, comment: Comment) -> int | None:
        post = self.source.posts.get(comment.post)
        reason = comment_skip_reason(comment, post, self.options)
        if not reason and post is not None and post_skip_reason(post, self.options.include_trash):
            reason = "its post is not carried"
        if reason:
            self.skip("comment", comment.id, reason)
            return None
        target_id = self.maps.target_id("comment", comment.id)
        found = self.target_comments.get(target_id or -1)
        label = comment.author_name
        if found is None:
            self.missing(
                "comment", comment.id, label, f"not on the target (on post {comment.post})"
            )
            return None
        self.report.compared["comment"] += 1
        check = self._checker("comment", comment.id, label)
        check("post", self._post_target(comment.post), found.post)
        parent = self.maps.target_id("comment", comment.parent) if comment.parent else 0
        check("reply to", parent if parent is not None else -comment.parent, found.parent)
        for name in ("author_name", "author_email", "author_url", "status", "type"):
            check(name.replace("_", " "), getattr(comment, name), getattr(found, name))
        check("content", self.urls.rewrite(comment.content), found.content)
        if comment.date_gmt:
            check("date (GMT)", format_gmt(comment.date_gmt), format_gmt(found.date_gmt))
        return found.id

    def _extra_comments(self, carried: set[int]) -> None:
        """Comments the target has on carried posts that the source never had."""
        posts = {r.target_id for kind in ("post", "page") for r in self.maps.all(kind).values()}
        for found in self.target.comments:
            if found.post in posts and found.id not in carried and found.type == "comment":
                self.report.differences.append(Difference(
                    "comment", f"target {found.id}", found.author_name, "extra",
                    actual=f"on the target only (post {found.post})",
                ))  # fmt: skip

    def _checker(self, kind: str, key: Any, label: str) -> Callable[[str, Any, Any], None]:
        return lambda name, want, got: self.differ(kind, key, label, name, want, got)


def _which_password(archived: str, found: str) -> str:
    """Compared, never printed: a diff names which password the target has, not its text."""
    if found == archived:
        return "the archive's"
    return "another" if found else "none"


def _terms(post: Post) -> list[str]:
    return sorted(f"{t.taxonomy}:{t.slug}" for t in post.terms)


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, str) and isinstance(got, str):
        return comparable_html(want) == comparable_html(got)
    return want == got


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _contrast(want: str, got: str) -> str:
    """Short: both values, or for long text the first place they part."""
    if len(want) <= SNIPPET and len(got) <= SNIPPET:
        return f"expected {want!r}, found {got!r}"
    match = difflib.SequenceMatcher(None, want, got, autojunk=False)
    for tag, a0, a1, b0, b1 in match.get_opcodes():
        if tag != "equal":
            start = max(0, a0 - 20)
            return (f"at character {a0}: expected ...{want[start:a1 + 20]!r}, "
                    f"found ...{got[max(0, b0 - 20):b1 + 20]!r}")  # fmt: skip
    return "differ in whitespace"
