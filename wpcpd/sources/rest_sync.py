"""Full, resumable and incremental REST pulls.

A full pull reads every collection page by page, in id order, and yields a `Checkpoint`
after each page: the archive stores it in the same transaction as the page's records, so
an interrupted pull resumes at the last page that reached the archive (read again:
items deleted meanwhile move later ones onto pages already read).

Once a full pull has completed, later pulls are incremental and cost a small, constant
number of requests on an unchanged site: per collection, what was modified recently
(`modified_after`), what is newer than the highest id seen (which catches posts inserted
with an old date, which `modified_after` misses), and totals to compare with the archive.
Only a total that differs costs a walk through the ids, after which what the site no longer
lists is marked removed in the archive — never deleted. Comments, which have no modified
date, are rechecked instead (wpcpd/sources/recheck.py): the last `recheck_days` by their
text, status and parent, and every comment when the totals still differ after that.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from wpcpd.archive import Archive, SyncSnapshot
from wpcpd.model import Checkpoint, Control, Reconcile, Record, now_iso
from wpcpd.sources.reading import Reading, ReadReport
from wpcpd.sources.recheck import (
    DEFAULT_RECHECK_DAYS,
    FULL_RECHECK_EVERY,
    CommentRecheck,
    RecheckReport,
    window_start,
)
from wpcpd.sources.rest import RestSource
from wpcpd.wordpress.client import Page

CHANNEL = "rest"
COMMENT_STATUSES = {"approve": "approved", "hold": "hold", "spam": "spam", "trash": "trash"}


@dataclass
class Marks:
    """High-water marks of one collection: the highest id seen, and when it was read.

    "When" is the pull's own start time, not the items' modified dates: scheduled posts
    carry modified dates in the future, which would hide every edit made before them.
    """

    max_id: int = 0
    modified: str = ""

    def see(self, item: dict[str, Any]) -> None:
        self.max_id = max(self.max_id, item["id"])


class RestPull:
    """Yields a site's records and the sync state that makes the next pull cheap."""

    def __init__(
        self,
        source: RestSource,
        snapshot: SyncSnapshot,
        *,
        full: bool = False,
        comments_only: bool = False,
        now: str,
        channel: str = CHANNEL,
        archive: Archive | None = None,
        recheck_days: int = DEFAULT_RECHECK_DAYS,
    ) -> None:
        self.source = source
        self.archive = archive
        """Where incremental pulls compare comments with what they recheck."""
        self.recheck_days = recheck_days
        self.recheck = RecheckReport()
        self.comments_read: set[int] = set()
        self.channel = channel
        self.client = source.client
        self.snapshot = snapshot
        self.state = snapshot.state
        self.comments_only = comments_only
        self.now = now
        generation = self.state.get("full:generation")
        complete = generation is not None and self.state.get("full:complete") == generation
        # The daily backup with --full reads every comment again, and keeps the sync state
        # (a comments-only full pull would never complete one).
        self.all_comments = full and comments_only and complete
        self.incremental = complete and (not full or self.all_comments)
        self.resuming = not full and not self.incremental and generation is not None
        # A full pull's name: when it started, made unique, since two can start in a second.
        self.generation = generation if self.resuming else f"{now}/{secrets.token_hex(4)}"
        self.mode = ("full" if self.all_comments else "incremental" if self.incremental
                     else "resumed" if self.resuming else "full")  # fmt: skip
        # When the full pull began, by the site's clock: edits after it are for next time.
        started = self.state.get("full:started") if self.resuming else None
        self.started = started or self.client.server_time or now

    def records(self) -> Iterator[Record | Control]:
        yield self.source.site()
        if self.incremental:
            yield from self._incremental()
        else:
            yield from self._full()

    # -- full and resumed pulls ------------------------------------------------------------

    def _full(self) -> Iterator[Record | Control]:
        yield self._mark("full:generation", self.generation)
        yield self._mark("full:started", self.started)
        yield from self.source.authors()
        yield from self.source.terms()
        if not self.comments_only:
            for rest_base in self.source.post_types().values():
                for group, status in self.source.status_groups().items():
                    key = f"posts:{rest_base}:{group}"
                    params = {**self.source.context, **status, "orderby": "id", "order": "asc"}
                    yield from self._collection(key, f"wp/v2/{rest_base}", params,
                                                self._post_records)  # fmt: skip
            params = {**self.source.context, "orderby": "id", "order": "asc"}
            yield from self._collection("media", "wp/v2/media", params, self.source.media_records)
        params = {**self.source.comment_params(), "orderby": "id", "order": "asc"}
        yield from self._collection("comments", "wp/v2/comments", params, self._comment_records)
        if not self.comments_only:
            yield self._mark("full:complete", self.generation)

    def _collection(
        self,
        key: str,
        route: str,
        params: dict[str, Any],
        convert: Callable[[dict[str, Any]], Iterator[Record]],
    ) -> Iterator[Record | Control]:
        """One collection, page by page, resuming at the last page the archive holds."""
        if self.state.get(f"{key}:done") == self.generation:
            return
        marks = Marks(int(self.state.get(f"hw:{key}:max_id", 0)),
                      self.state.get(f"hw:{key}:modified", ""))  # fmt: skip
        start = self._resume_start(key, route, params, marks.max_id)
        listed: set[int] = set()
        for number, page in self.client.pages(route, params, start):
            for item in page.items:
                marks.see(item)
                listed.add(item["id"])
                yield from convert(item)
            yield self._mark(f"{key}:page", f"{self.generation}:{number}")
            yield from self._high_water(key, marks)
        marks.modified = self.started
        yield from self._high_water(key, marks)
        if key == "comments" and start == 1:
            # Every comment read in one go (--full, or a first pull): mark what is gone.
            yield Reconcile("comment", listed, public_only=not self.source.authenticated)
            yield self._mark("recheck:runs", "0")
        yield self._mark(f"{key}:done", self.generation)

    def _resume_page(self, key: str) -> int:
        generation, _, number = self.state.get(f"{key}:page", "").rpartition(":")
        return int(number) if generation == self.generation and number.isdigit() else 0

    def _resume_start(self, key: str, route: str, params: dict[str, Any], seen: int) -> int:
        """The page to go on from: the last one the archive holds, read again, or earlier.

        Items that left the collection since (deleted, trashed) move the later ones up the
        list, onto pages already read: starting after the last page read would skip them,
        and for good, since the totals balance again. So step back until a page begins
        with an item already seen (ids ascend).
        """
        number = self._resume_page(key)
        while number > 1:
            items = self.client.page(route, params, number).items
            if items and items[0]["id"] <= seen:
                break
            number -= 1
        return max(number, 1)

    def _post_records(self, item: dict[str, Any]) -> Iterator[Record]:
        yield self.source.post(item)

    def _comment_records(self, item: dict[str, Any]) -> Iterator[Record]:
        yield self.source.comment(item)

    # -- incremental pulls -----------------------------------------------------------------

    def _incremental(self) -> Iterator[Record | Control]:
        if not self.comments_only:
            yield from self._authors_if_changed()
            yield from self._terms_if_changed()
            for post_type, rest_base in self.source.post_types().items():
                yield from self._posts_since(post_type, rest_base)
            yield from self._media_since()
        else:
            self.source.logins.update(self.snapshot.logins)
        yield from self._comments_since()

    def _authors_if_changed(self) -> Iterator[Record]:
        total = self.client.count("wp/v2/users", self.source.context)
        if total != len(self.snapshot.logins):
            yield from self.source.authors()
        else:
            self.source.logins.update(self.snapshot.logins)

    def _terms_if_changed(self) -> Iterator[Record]:
        self.source.terms_by_id.update(self.snapshot.terms)
        for name, rest_base in self.source.taxonomy_routes().items():
            known = sum(1 for taxonomy, _ in self.snapshot.terms if taxonomy == name)
            if self.client.count(f"wp/v2/{rest_base}", self.source.context) != known:
                yield from self.source.taxonomy_terms(name, rest_base)

    def _posts_since(self, post_type: str, rest_base: str) -> Iterator[Record | Control]:
        """Changed and new posts; a walk through all ids only when the totals disagree.

        The site's total must equal what the archive held plus the new ids just read: a
        deletion hidden by an insertion still shows. Moves between groups (publish to
        trash) change neither side's sum.
        """
        route = f"wp/v2/{rest_base}"
        new_ids: set[int] = set()
        site_total = archived = 0
        for group, status in self.source.status_groups().items():
            params = {**self.source.context, **status}
            key = f"posts:{rest_base}:{group}"
            yield from self._changed_and_new(key, route, params, self._post_records, new_ids)
            site_total += self.client.count(route, params)
            archived += self.snapshot.post_counts.get((post_type, group), 0)
        if site_total != archived + len(new_ids):
            yield self._reconcile_posts(post_type, route)

    def _media_since(self) -> Iterator[Record | Control]:
        params = dict(self.source.context)
        yield from self._changed_and_new("media", "wp/v2/media", params,
                                         self.source.media_records)  # fmt: skip

    def _changed_and_new(
        self,
        key: str,
        route: str,
        params: dict[str, Any],
        convert: Callable[[dict[str, Any]], Iterator[Record]],
        new_ids: set[int] | None = None,
    ) -> Iterator[Record | Control]:
        marks = Marks(int(self.state.get(f"hw:{key}:max_id", 0)),
                      self.state.get(f"hw:{key}:modified", ""))  # fmt: skip
        known_max = marks.max_id
        if marks.modified:
            for item in self._modified_since(route, params, marks.modified):
                marks.see(item)
                yield from convert(item)
        for item in self._newer_than(route, params, known_max):
            marks.see(item)
            if new_ids is not None:
                new_ids.add(item["id"])
            yield from convert(item)
        marks.modified = self.client.server_time or self.now
        yield from self._high_water(key, marks)

    def _modified_since(
        self, route: str, params: dict[str, Any], since: str
    ) -> Iterator[dict[str, Any]]:
        """Items modified at or after `since` (GMT), most recent first: one request when none.

        Compared in GMT against the site's own clock, so no time zone margin is needed;
        scheduled posts, modified 'in the future', come again each time and are unchanged.
        """
        since = since.removesuffix("Z")
        query = {**params, "orderby": "modified", "order": "desc"}
        number = 1
        while True:
            page: Page = self.client.page(route, query, number)
            recent = [i for i in page.items if (i.get("modified_gmt") or "") >= since]
            yield from recent
            if len(recent) < len(page.items) or number >= page.total_pages:
                return
            number += 1

    def _newer_than(
        self, route: str, params: dict[str, Any], known_max: int
    ) -> Iterator[dict[str, Any]]:
        """Items with ids above the highest seen, newest first: one request when none."""
        query = {**params, "orderby": "id", "order": "desc"}
        number = 1
        while True:
            page: Page = self.client.page(route, query, number)
            newer = [item for item in page.items if item["id"] > known_max]
            yield from newer
            if len(newer) < len(page.items) or number >= page.total_pages:
                return
            number += 1

    def _reconcile_posts(self, post_type: str, route: str) -> Reconcile:
        present: set[int] = set()
        for status in self.source.status_groups().values():
            params = {**self.source.context, **status, "_fields": "id"}
            present.update(item["id"] for item in self.client.all_items(route, params))
        return Reconcile("post", present, post_type, public_only=not self.source.authenticated)

    def _comments_since(self) -> Iterator[Record | Control]:
        params = self.source.comment_params()
        marks = Marks(int(self.state.get("hw:comments:max_id", 0)))
        for item in self._newer_than("wp/v2/comments", params, marks.max_id):
            marks.see(item)
            self.comments_read.add(item["id"])
            yield self.source.comment(item)
        yield from self._high_water("comments", marks)
        yield from self._recheck_comments()

    def _recheck_comments(self) -> Iterator[Record | Control]:
        """Edits and deletions, which no date shows: the recent comments compared with the
        archive's copies; every comment when the totals still differ afterwards (a status
        changed, or an older comment was deleted), and every FULL_RECHECK_EVERY runs."""
        if self.archive is None:
            return
        key = self.source.site().key
        check = CommentRecheck(self.source, lambda since: self.archive.comment_digests(key, since),
                               self.comments_read, self.recheck)  # fmt: skip
        runs = int(self.state.get("recheck:runs", "0") or 0) + 1
        if self.all_comments:
            listed = set()
            for comment in self.source.comments():
                listed.add(comment.id)
                yield comment
            yield Reconcile("comment", listed, public_only=not self.source.authenticated)
            yield self._mark("recheck:runs", "0")
            return
        if self.recheck_days > 0:
            since = window_start(self.client.server_time or self.now, self.recheck_days)
            yield from check.records(since)  # its Reconcile brings the archive up to date
        counts = self.archive.sync_snapshot(key, self.channel).comment_counts
        if runs >= FULL_RECHECK_EVERY or self._comment_totals_differ(counts):
            yield from check.records(None)
            runs = 0
        yield self._mark("recheck:runs", str(runs))

    def _comment_totals_differ(self, known: dict[str, int]) -> bool:
        if not self.source.authenticated:
            return self.client.count("wp/v2/comments", {}) != known.get("approved", 0)
        for status, archived in COMMENT_STATUSES.items():
            params = {**self.source.context, "status": status, "type": "all"}
            if self.client.count("wp/v2/comments", params) != known.get(archived, 0):
                return True
        return False

    # -- sync state ------------------------------------------------------------------------

    def _high_water(self, key: str, marks: Marks) -> Iterator[Checkpoint]:
        yield self._mark(f"hw:{key}:max_id", str(marks.max_id))
        if marks.modified:
            yield self._mark(f"hw:{key}:modified", marks.modified)

    def _mark(self, name: str, value: str) -> Checkpoint:
        self.state[name] = value
        return Checkpoint(self.channel, name, value)


class RestReading:
    """A REST or WordPress.com pull as the registry runs it: the sync plan over a
    `RestSource`, its state kept under what the login can see (`sync_channel`)."""

    def __init__(self, reading: Reading) -> None:
        connection = reading.connection
        assert connection is not None  # the REST channels are always connected
        self.url, channel, me = connection.url, connection.channel, connection.me
        self.public_only = me is None
        source = RestSource(connection.rest, me is not None, connection.language, channel=channel)
        # Sync state belongs to what a pull could see: an anonymous pull's marks say nothing
        # of drafts, so a later pull with a password starts its own full read.
        state_channel = sync_channel(channel, me)
        key = source.site().key
        self.other_views = reading.archive.sync_channels(key, channel) - {state_channel}
        self.full = reading.full
        self.plan = RestPull(source, reading.archive.sync_snapshot(key, state_channel),
                             full=reading.full, comments_only=reading.comments_only,
                             now=now_iso(), channel=state_channel, archive=reading.archive,
                             recheck_days=reading.recheck_days)  # fmt: skip

    def records(self) -> Iterator[Record | Control]:
        return self.plan.records()

    def report(self) -> ReadReport:
        warnings = []
        if self.public_only:
            warnings.append(
                "public-only pull: drafts, private posts, held comments, pingbacks and e-mail "
                "addresses need --user with an application password"
            )
        if self.plan.mode == "full" and not self.full and self.other_views:
            warnings.append(
                "this pull sees the site differently from earlier ones (a password, another "
                "user or other rights): read everything, so nothing they could not see is missed"
            )
        details = {"authenticated": not self.public_only, "mode": self.plan.mode}
        if self.plan.recheck.scopes:
            details["recheck"] = self.plan.recheck.as_dict()
        return ReadReport(self.url, warnings, details)


def sync_channel(channel: str, me: dict[str, Any] | None) -> str:
    """The name a pull's sync state is kept under: the channel and what the pull can see.

    A visitor, an author and an administrator see different posts; high-water marks
    taken by one say nothing of what another would have read.
    """
    if me is None:
        return f"{channel}:public"
    roles = ",".join(sorted(me.get("roles") or [])) or "user"
    return f"{channel}:{roles}"
