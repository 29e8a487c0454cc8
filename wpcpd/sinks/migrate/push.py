"""Push an archived site into another WordPress through its REST API (a migration).

Order: authors, terms (parents first), media, pages (parents first), posts, then comments
(parents first). Links in content to the old site's items are rewritten to their new
addresses (`wpcpd.sinks.redirects.UrlMap`); references to items created later in the same
run (a post linking to a newer one, an attachment's parent post) are settled by a second,
cheap pass that only writes what changed.

Every write is recorded in the archive's `remote_ids` table as soon as its answer arrives,
with a hash of what was sent. So a push can be interrupted anywhere and run again: items
whose hash is unchanged cost no request at all, changed ones are updated, and items without
a record are first looked for on the target (slug and date for posts and media, post, date,
author and content for comments) before anything is created, which catches a write whose
answer was lost (`wpcpd.sinks.migrate.plan`: the one decision each item goes through).

What WordPress's REST API cannot do is reported per item as "skipped" with the reason:
pingbacks and trackbacks (REST refuses any comment type but "comment"), comments on drafts
and trashed posts, and items of a post type or taxonomy the target does not have.
"""

from __future__ import annotations

from collections.abc import Callable

from wpcpd.archive import Archive
from wpcpd.errors import UsageError
from wpcpd.http import PoliteSession, make_session
from wpcpd.model import Comment
from wpcpd.sinks.base import Outcome
from wpcpd.sinks.migrate.addresses import collisions, redirect_pairs, url_map
from wpcpd.sinks.migrate.archived import Source, load_source
from wpcpd.sinks.migrate.authors import Authors
from wpcpd.sinks.migrate.comments import Comments
from wpcpd.sinks.migrate.idmap import Mappings
from wpcpd.sinks.migrate.media import Attachments
from wpcpd.sinks.migrate.options import PushOptions
from wpcpd.sinks.migrate.plan import Migration
from wpcpd.sinks.migrate.posts import Posts
from wpcpd.sinks.migrate.report import PushReport
from wpcpd.sinks.migrate.rules import levels, post_kind
from wpcpd.sinks.migrate.runner import Runner
from wpcpd.sinks.migrate.target import Target, TargetIndex, connect_target
from wpcpd.sinks.migrate.terms import Terms
from wpcpd.sinks.redirects import write_redirects

__all__ = ["PushOptions", "PushReport", "Pusher", "push"]


def push(
    archive: Archive,
    site_ref: str,
    target_url: str,
    options: PushOptions,
    *,
    session: PoliteSession | None = None,
    on_phase: Callable[[str, int], None] | None = None,
    on_step: Callable[[], None] | None = None,
) -> PushReport:
    """Push one archived site into the WordPress at `target_url`; safe to run again.

    `on_phase(name, total)` is called as each phase starts, `on_step()` as items finish.
    """
    if archive.resolve_site(site_ref) is None:
        raise UsageError("name the site to push with --from")
    session = session or make_session(options.politeness)
    target = connect_target(session, target_url, options)
    source = load_source(archive, site_ref)
    if target.key == source.key:
        raise UsageError(f"{target_url} is the site being pushed; push into another site")
    report = PushReport(source.key, target.url, options.dry_run, on_add=on_step)
    pusher = Pusher(archive, source, target, options, report, on_phase)
    pusher.run()
    if options.redirects is not None and options.dry_run:
        report.warnings.append(f"a dry run writes no files: {options.redirects}.* not written")
    elif options.redirects is not None:
        report.redirect_files = write_redirects(options.redirects, redirect_pairs(source,
                                                pusher.maps))  # fmt: skip
    report.collisions = collisions(source, pusher.maps)
    report.requests = {"total": session.request_count, **target.writer.writes}
    return report


class Pusher:
    """The phases of one push, in order; each kind's carrier decides its items."""

    def __init__(
        self,
        archive: Archive,
        source: Source,
        target: Target,
        options: PushOptions,
        report: PushReport,
        on_phase: Callable[[str, int], None] | None = None,
    ) -> None:
        self.maps = Mappings(archive, source.key, target.key, options.dry_run)
        self.migration = Migration(
            archive, source, target, options, report, self.maps,
            TargetIndex(target.client), Runner(report, options.concurrency, options.dry_run),
        )  # fmt: skip
        self.on_phase = on_phase or (lambda phase, total: None)
        self.authors = Authors(self.migration)
        self.terms = Terms(self.migration)
        self.media = Attachments(self.migration)
        self.posts = Posts(self.migration)
        self.comments = Comments(self.migration)

    @property
    def runner(self) -> Runner:
        return self.migration.runner

    def run(self) -> None:
        options = self.migration.options
        self._check_target()
        self.push_authors()
        if not options.comments_only:
            wanted = options.only
            if wanted & {"posts", "pages"}:
                self.push_terms()
            for second_pass in (False, True):
                # The second pass settles references to items created after their user.
                if "media" in wanted:
                    self.push_media()
                for kind in ("page", "post"):
                    if kind + "s" in wanted:
                        self.push_posts(kind, second_pass)
        if "comments" in options.only or options.comments_only:
            self.push_comments()

    def _check_target(self) -> None:
        state = self.migration
        if "administrator" not in (state.target.me.get("roles") or []):
            state.report.warnings.append(
                f"{state.options.user} is not an administrator on the target: WordPress may "
                "strip markup (no unfiltered_html) and refuse comment fields"
            )

    def _rewrite_links(self) -> None:
        """Where everything pushed so far is now: the links content is given."""
        self.migration.urls = url_map(self.migration.source, self.maps)

    def push_authors(self) -> None:
        logins = self.authors.needed_logins()
        self.on_phase("authors", len(logins))
        self.runner.run(self.authors.decision(login) for login in logins)

    def push_terms(self) -> None:
        terms = [t for t in self.migration.source.terms if t.taxonomy != "post_format"]
        self.on_phase("terms", len(terms))
        for level in levels(terms, lambda t: (t.taxonomy, t.slug),
                            lambda t: (t.taxonomy, t.parent) if t.parent else None):  # fmt: skip
            self.runner.run(self.terms.decision(term) for term in level)

    def push_media(self) -> None:
        state = self.migration
        self._rewrite_links()
        items = [m for m in state.source.media.values()
                 if state.selected(self.media.attachment(m).date_gmt)]  # fmt: skip
        self.on_phase("media", len(items))
        # One at a time: WordPress races creating the month's upload folder ("Unable to
        # create directory") when two uploads arrive together.
        self.runner.run((self.media.decision(m) for m in items), concurrency=1)
        extras = [row for row in state.archive.media_files(state.source.key)
                  if row["status"] == "ok" and row["media_id"] is None]  # fmt: skip
        self.runner.run((self.media.file_decision(row) for row in extras), concurrency=1)

    def push_posts(self, kind: str, second_pass: bool) -> None:
        state = self.migration
        self._rewrite_links()
        posts = [p for p in state.source.posts.values()
                 if post_kind(p) == kind and p.type != "attachment"
                 and state.selected(p.date_gmt or p.date)]  # fmt: skip
        if not second_pass:
            self.on_phase(kind + "s", len(posts))
        for level in levels(posts, lambda p: p.id, lambda p: p.parent or None):
            self.runner.run(self.posts.decision(post, second_pass) for post in level)

    def push_comments(self) -> None:
        state = self.migration
        self._rewrite_links()
        chosen: list[Comment] = []
        for comment in state.source.comments:
            if not state.selected(comment.date_gmt or comment.date):
                continue
            reason = self.comments.skip_reason(comment)
            if reason:
                state.report.add(Outcome("comment", str(comment.id), "skipped", reason,
                                         comment.author_name))  # fmt: skip
            else:
                chosen.append(comment)
        self.on_phase("comments", len(chosen))
        reopened = self.comments.open_posts(chosen)
        try:
            for level in levels(chosen, lambda c: c.id, lambda c: c.parent or None):
                self.runner.run(self.comments.decision(c) for c in level)
        finally:
            self.comments.close_posts(reopened)
