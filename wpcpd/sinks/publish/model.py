"""The publication model every channel's writer shares: options, checks, slugs, outcomes.

A reflection file's `uid` (front matter) maps to the post created for it on each site,
recorded in the archive's remote_ids table the moment WordPress answers. Publishing the same
file again updates that post only when what would be sent changed (wpcpd.hashing's
published_fingerprint), and never creates a second one. Each site is published on its own
by the writer for the channel its connection goes through (`Publication.writers`): one
failing does not stop the others.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from wpcpd.archive import Archive
from wpcpd.errors import UsageError, WpcpdError
from wpcpd.model import Record
from wpcpd.reflect.render import Document
from wpcpd.sinks.base import Outcome
from wpcpd.wordpress.client import RestClient
from wpcpd.wordpress.connect import Connection

KIND = "reflection"
SOURCE = "file"

ReadBack = Callable[[RestClient, dict[str, Any], str], list[Record]]
"""(client, the post WordPress answered, site language) -> the records a pull would save.
Given by the caller (the CLI passes wpcpd.sources.rest.published_records): sinks never
import sources."""


@dataclass
class PublishOptions:
    status: str | None = None
    """Overrides the front matter's status."""
    dry_run: bool = False
    classic: bool = False
    originally_posted: bool = False
    """Add an "Originally posted at ..." line, linking the first site, to the others."""
    share: bool = False
    """Let WordPress.com share the post to the blog's social connections (Publicize)."""


class SiteWriter(Protocol):
    """Publishes one document to one site through one channel."""

    def publish(self) -> Outcome: ...


WriterFactory = Callable[["Publication", Connection], SiteWriter]


@dataclass
class Publication:
    document: Document
    archive: Archive
    options: PublishOptions
    writers: Mapping[str, WriterFactory]
    """Connection channel -> the writer for it."""
    read_back: ReadBack | None = None
    first_url: str = ""
    outcomes: list[Outcome] = field(default_factory=list)

    def to(self, target: str, connect: Callable[[], Connection]) -> Outcome:
        """Publish to one site; any error becomes a failed outcome, never an exception."""
        try:
            connection = connect()
            outcome = self.writers[connection.channel](self, connection).publish()
        except WpcpdError as exc:
            outcome = site_outcome(self.document, target, "failed", message=str(exc))
        if outcome.url and not self.first_url and outcome.outcome != "failed":
            self.first_url = outcome.url
        outcome.target = target
        self.outcomes.append(outcome)
        return outcome


def site_outcome(
    document: Document,
    target: str,
    action: str,
    post_id: int | None = None,
    url: str = "",
    message: str = "",
    diff: str = "",
) -> Outcome:
    """What happened on one site: created, updated, unchanged, failed, or with --dry-run
    would create/update/change nothing."""
    return Outcome("post", document.front.uid or "", action, message, target=target,
                   target_id=post_id, url=url, diff=diff)  # fmt: skip


def check_document(document: Document, status: str | None) -> str:
    """The status to publish with; refuses a schedule in the past before sending anything."""
    front = document.front
    if not front.uid:
        raise UsageError(
            f"{document.path}: no uid in the front matter (run wpcpd new, or add a uid "
            "line): it is what keeps a re-publish from duplicating"
        )
    status = status or front.status or "draft"
    when = front.date_gmt
    if status == "future" and (when is None or when <= datetime.now(UTC)):
        raise UsageError(
            f"{document.path}: status future needs a date in the future "
            f"(WordPress would publish a past date at once); the date is {front.date}"
        )
    return status


def originally(url: str, classic: bool) -> str:
    line = f'<p><em>Originally posted at <a href="{url}">{url}</a>.</em></p>'
    return (
        f"\n\n{line}" if classic else f"\n\n<!-- wp:paragraph -->\n{line}\n<!-- /wp:paragraph -->"
    )


def slugify(title: str) -> str:
    """A slug as WordPress makes one from a title (sanitize_title), for plain titles."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "reflection"
