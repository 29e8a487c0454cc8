"""What a push did: one outcome per archived item (the best of several when an item is
written twice), slug collisions, request counts, and the report's JSON and text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wpcpd.sinks.base import Outcome

KINDS = ("author", "term", "media", "page", "post", "comment")
PLURALS = {"author": "authors", "term": "terms", "media": "media", "page": "pages",
           "post": "posts", "comment": "comments"}  # fmt: skip
OUTCOMES = ("created", "updated", "matched", "unchanged", "skipped", "failed")
# When one item gets several outcomes (two passes, chained writes), the first listed wins.
PRECEDENCE = ("failed", "created", "matched", "updated", "skipped", "unchanged")


@dataclass
class Collision:
    kind: str
    source_id: str
    wanted: str
    got: str
    url: str


@dataclass
class PushReport:
    source: str
    target: str
    dry_run: bool = False
    items: dict[tuple[str, str], Outcome] = field(default_factory=dict)
    collisions: list[Collision] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    redirect_files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    on_add: Callable[[], None] | None = field(default=None, repr=False)
    """Called for each outcome: drives a progress bar."""

    def add(self, outcome: Outcome) -> None:
        if self.on_add is not None:
            self.on_add()
        key = (outcome.kind, outcome.source_id)
        previous = self.items.get(key)
        if previous is None or rank(outcome) < rank(previous):
            if previous is not None and not outcome.reason:
                outcome.reason = previous.reason
            self.items[key] = outcome
        elif outcome.reason and not previous.reason and outcome.outcome != "unchanged":
            previous.reason = outcome.reason

    @property
    def counts(self) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
        for item in self.items.values():
            counts[item.kind][item.outcome] += 1
        return {kind: c for kind, c in counts.items() if c}

    @property
    def failed(self) -> int:
        return sum(1 for item in self.items.values() if item.outcome == "failed")

    def notes(self) -> list[Outcome]:
        """Items a person should hear about: skipped, failed, or carried with a caveat."""
        chosen = [i for i in self.items.values() if i.reason]
        return sorted(chosen, key=lambda i: (OUTCOMES.index(i.outcome), i.kind, i.source_id))

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "dry_run": self.dry_run,
            "counts": {kind: dict(c) for kind, c in self.counts.items()},
            "notes": [n.as_item() for n in self.notes()],
            "collisions": [vars(c) for c in self.collisions],
            "requests": self.requests,
            "redirect_files": {k: str(v) for k, v in self.redirect_files.items()},
            "warnings": self.warnings,
        }

    def describe(self) -> str:
        verb = "would push" if self.dry_run else "pushed"
        lines = [f"{verb} {self.source} to {self.target}"]
        for kind, counts in self.counts.items():
            parts = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts[o])
            lines.append(f"  {PLURALS[kind]}: {parts}")
        notes = self.notes()
        if notes:
            lines.append("notes:")
            lines += [n.describe() for n in notes]
        if self.collisions:
            lines.append("slug collisions (the target already had the slug):")
            lines += [f"  {c.kind} {c.source_id}: {c.wanted} -> {c.got}  {c.url}"
                      for c in self.collisions]  # fmt: skip
        for name, path in self.redirect_files.items():
            lines.append(f"redirects ({name}): {path}")
        lines.append("requests: " + ", ".join(f"{m} {n}" for m, n in self.requests.items()))
        return "\n".join(lines)


def rank(outcome: Outcome) -> int:
    """An outcome's place in PRECEDENCE: lower wins."""
    return PRECEDENCE.index(outcome.outcome)
