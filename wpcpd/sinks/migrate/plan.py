"""The one decision every item goes through: unchanged (the record's hash says the target
holds it as it is), update (recorded, changed), match (no record, but the target has it:
a lost answer, or a site that had it before) or create. Each kind of item says only what
differs: its fields, how to find it on the target, how to create and update it.

`Migration` is what every step of one push reads and writes: the archived source, the
target, the id map, the index of the target, the runner and the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from wpcpd.archive import Archive, RemoteId
from wpcpd.model import format_gmt, format_local
from wpcpd.sinks.base import Outcome
from wpcpd.sinks.migrate.archived import Source
from wpcpd.sinks.migrate.idmap import Mappings
from wpcpd.sinks.migrate.options import PushOptions
from wpcpd.sinks.migrate.report import PushReport
from wpcpd.sinks.migrate.runner import Decision, Runner, Write, done
from wpcpd.sinks.migrate.target import Target, TargetIndex
from wpcpd.sinks.redirects import UrlMap

R = TypeVar("R")
Send = Callable[[], Any]


def rest_date(value: datetime | None, gmt: bool = True) -> str | None:
    text = format_gmt(value) if gmt else format_local(value)
    return text.removesuffix("Z") if text else None


@dataclass
class Migration:
    """One push of one archived site into one target: what every step shares."""

    archive: Archive
    source: Source
    target: Target
    options: PushOptions
    report: PushReport
    maps: Mappings
    index: TargetIndex
    runner: Runner
    urls: UrlMap = field(default_factory=lambda: UrlMap({}))
    """Old addresses -> new ones, rebuilt before each phase that rewrites content."""
    author_ids: dict[str, int] = field(default_factory=dict)
    """Source login -> the target user their items go to."""
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def selected(self, when: datetime | None) -> bool:
        """Within --since (undated items always are)."""
        since = self.options.since
        return since is None or when is None or when >= since

    def author_id(self, login: str) -> int:
        return self.author_ids.get(login, self.target.me["id"])

    def post_target(self, source_id: int) -> int | None:
        return self.maps.target_id("post", source_id) or self.maps.target_id("page", source_id)


@dataclass
class Item(Generic[R]):
    """One archived record as it is to be sent."""

    kind: str
    key: str
    """The record's source id in the id map."""
    label: str
    record: R
    fields: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    """The hash recorded once the target holds `fields`."""
    note: str = ""
    """A caveat reported with each write's outcome."""
    unchanged_note: str = ""
    """The caveat reported when nothing needs writing."""
    rest_base: str = ""
    """Where items of its type live in the REST API (wp/v2/<rest_base>)."""


class Carrier(Generic[R]):
    """How one kind of item goes to the target. `decide` is the one decision; a kind
    overrides the steps that differ (the defaults are a plain REST item)."""

    def __init__(self, migration: Migration) -> None:
        self.migration = migration
        self.maps = migration.maps
        self.writer = migration.target.writer

    def decide(self, item: Item[R]) -> Decision:
        mapped = self.maps.get(item.kind, item.key)
        if mapped:
            self.known(item, mapped.target_id)
            if self.is_current(mapped, item):
                return Outcome(item.kind, item.key, "unchanged", item.unchanged_note, item.label)
            return self.write(item, "update", self.update(item, mapped.target_id, None))
        found = self.find(item)
        if found:
            if self.same(found, item):
                self.known(item, found["id"])
                self.maps.record(item.kind, item.key, found["id"], found.get("link", ""),
                                 item.digest)  # fmt: skip
                return Outcome(item.kind, item.key, "matched", "", item.label)
            return self.write(item, "match", self.update(item, found["id"], found))
        created = self.create(item)
        if isinstance(created, Outcome):
            return created
        return self.write(item, "create", created)

    def write(self, item: Item[R], action: str, send: Send) -> Write:
        """The write for `action`; its answer is recorded, then reported."""

        def finish(answer: dict[str, Any]) -> Write | None:
            self.maps.record(item.kind, item.key, answer["id"], answer.get("link", ""),
                             self.stored_hash(item, action, answer))  # fmt: skip
            self.finished(item, action, answer)
            outcome = answer.get("outcome") or done(action)  # a create may have matched
            self.migration.report.add(Outcome(item.kind, item.key, outcome, item.note, item.label))
            follow_up = self.follow_up(item, action, answer)
            return None if follow_up is None else self.write(item, "update", follow_up)

        return Write(item.kind, item.key, item.label, action, send, finish)

    # -- what a kind may say differently ------------------------------------------------

    def is_current(self, mapped: RemoteId, item: Item[R]) -> bool:
        """The recorded item is as it would be sent now."""
        return mapped.content_hash == item.digest

    def find(self, item: Item[R]) -> dict[str, Any] | None:
        """The item on the target when there is no record of it."""
        return None

    def same(self, found: dict[str, Any], item: Item[R]) -> bool:
        """What `find` found needs no write: recorded and reported matched as it is."""
        return False

    def update(self, item: Item[R], target_id: int, found: dict[str, Any] | None) -> Send:
        """Make target item `target_id` (recorded, or `found` by `find`) what is sent."""
        raise NotImplementedError

    def create(self, item: Item[R]) -> Send | Outcome:
        """Create the item, or say why not (an outcome)."""
        raise NotImplementedError

    def stored_hash(self, item: Item[R], action: str, answer: dict[str, Any]) -> str:
        """The hash recorded with a write's answer."""
        return item.digest

    def known(self, item: Item[R], target_id: int) -> None:
        """Told the target id of an item that needs no write (unchanged or matched)."""

    def finished(self, item: Item[R], action: str, answer: dict[str, Any]) -> None:
        """Told a write's answer, after it is recorded and before it is reported."""

    def follow_up(self, item: Item[R], action: str, answer: dict[str, Any]) -> Send | None:
        """A second write (an update) an answer calls for: a created item to complete."""
        return None
