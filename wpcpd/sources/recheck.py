"""Rechecking comments a pull has already read: WordPress gives comments no modified date, so
an edit to a comment's text, or its deletion, shows in no "modified since" query.

A recheck reads comments cheaply, only their `id`, `parent`, `content`, `status` and `date_gmt`
(`_fields`), newest first, back to a window (`--recheck-days`, 30 by default), and compares
each with the archive's copy by a digest of its text, status and parent (a
reply whose parent was deleted moves up). Only the comments that
differ are read again in full (`include=`, 100 a request) and saved, which keeps their
earlier text (wpcpd/archive/history.py); what the site no longer lists within the window is
marked removed. The whole recheck reads every comment that way (every
`FULL_RECHECK_EVERY` runs, and when the site's totals do not match the archive's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wpcpd.hashing import comment_digest
from wpcpd.model import Comment, Control, Reconcile, Record
from wpcpd.sources.rest import RestSource

RECHECK_FIELDS = "id,parent,content,status,date_gmt"
FULL_RECHECK_EVERY = 30
"""Runs between two whole rechecks: about a month of daily backups."""
DEFAULT_RECHECK_DAYS = 30
ROUTE = "wp/v2/comments"

Stored = Callable[[str | None], dict[int, tuple[str, bool]]]
"""(since GMT or None for all) -> comment id -> (digest of text and status, public-only)."""


@dataclass
class RecheckReport:
    """What the rechecks of one pull did, for the pull's details."""

    checked: int = 0
    reread: int = 0
    requests: int = 0
    scopes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "reread": self.reread, "requests": self.requests,
                "scopes": self.scopes}  # fmt: skip


class CommentRecheck:
    """Compares what the site lists with the archive's copies; yields the comments that
    differ, read in full, then the `Reconcile` of what the recheck covered."""

    def __init__(self, source: RestSource, stored: Stored, seen: set[int],
                 report: RecheckReport) -> None:  # fmt: skip
        self.source = source
        self.client = source.client
        self.stored = stored
        self.seen = seen
        """Ids this pull has already read in full (new comments)."""
        self.report = report

    def records(self, since: str | None) -> Iterator[Record | Control]:
        """Recheck the comments dated at or after `since` (GMT, 'YYYY-MM-DDTHH:MM:SS'), or
        every comment when None."""
        listed = dict(self._recent(since) if since else self._every())
        self.report.checked += len(listed)
        self.report.scopes.append(f"since {since}Z" if since else "all")
        public = not self.source.authenticated
        stored = self.stored(f"{since}Z" if since else None)
        differ = []
        for comment_id, digest in listed.items():
            known = stored.get(comment_id)
            if known is None:
                if comment_id not in self.seen:
                    differ.append(comment_id)  # missed somehow: read it
            elif known[0] != digest and (known[1] or not public):
                differ.append(comment_id)  # a public read never replaces a fuller copy
        yield from self._read_in_full(differ)
        yield Reconcile("comment", set(listed), public_only=public,
                        since_gmt=f"{since}Z" if since else None)  # fmt: skip

    def _digest(self, item: dict[str, Any]) -> str:
        content = self.source._text(item.get("content"))
        return comment_digest(content, item.get("status", "approved"), item.get("parent") or 0)

    def _params(self) -> dict[str, Any]:
        return {**self.source.comment_params(), "_fields": RECHECK_FIELDS}

    def _recent(self, since: str) -> Iterator[tuple[int, str]]:
        """Newest first, page after page, until a page reaches back past `since`."""
        query = {**self._params(), "orderby": "date_gmt", "order": "desc"}
        number = 1
        while True:
            page = self.client.page(ROUTE, query, number)
            self.report.requests += 1
            recent = [i for i in page.items if (i.get("date_gmt") or "") >= since]
            for item in recent:
                yield item["id"], self._digest(item)
            older = len(recent) < len(page.items)
            if older or not page.items or number >= page.total_pages:
                return
            number += 1

    def _every(self) -> Iterator[tuple[int, str]]:
        query = {**self._params(), "orderby": "id", "order": "asc"}
        for _, page in self.client.pages(ROUTE, query):
            self.report.requests += 1
            for item in page.items:
                yield item["id"], self._digest(item)

    def _read_in_full(self, ids: list[int]) -> Iterator[Comment]:
        for start in range(0, len(ids), 100):
            chunk = ids[start : start + 100]
            query = {**self.source.comment_params(), "include": ",".join(map(str, chunk)),
                     "orderby": "include"}  # fmt: skip
            page = self.client.page(ROUTE, query, 1)
            self.report.requests += 1
            self.report.reread += len(page.items)
            for item in page.items:
                yield self.source.comment(item)


def window_start(server_time: str, days: int) -> str:
    """The oldest date (GMT, as REST writes it) a recheck of `days` days covers."""
    moment = datetime.fromisoformat(server_time.removesuffix("Z")) - timedelta(days=days)
    return moment.isoformat(timespec="seconds")
