"""The general write runner: remote writes sent one at a time or several at once, each
recorded (in the main thread) as its answer arrives, so a push interrupted anywhere resumes."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from wpcpd.http import NetworkError
from wpcpd.sinks.base import Outcome
from wpcpd.sinks.migrate.report import PushReport
from wpcpd.wordpress.client import RestError


@dataclass
class Write:
    """One remote write: `send` runs in a worker (HTTP only); `finish` runs in the main
    thread, records the result in the archive, and may chain one more write."""

    kind: str
    source_id: str
    label: str
    action: str
    send: Callable[[], Any]
    finish: Callable[[Any], Write | None]


Decision = Write | Outcome | None
"""What to do with one item: a write to make, an outcome known without one, or nothing."""


def done(action: str) -> str:
    """The outcome a write reports once its answer arrives: "create" -> "created"."""
    return {"create": "created", "update": "updated", "match": "matched"}.get(action, action)


class Runner:
    """Runs writes, at most `concurrency` at a time, recording each as its answer arrives."""

    def __init__(self, report: PushReport, concurrency: int, dry_run: bool) -> None:
        self.report = report
        self.concurrency = max(1, concurrency)
        self.dry_run = dry_run
        self._fake_ids = 0

    def run(self, decisions: Iterable[Decision], concurrency: int | None = None) -> None:
        """Perform the writes among `decisions`, deciding each only when its turn comes:
        what an earlier write created (a new post's address) is then known to later ones."""
        writes = self._writes(decisions)
        if self.dry_run:
            self._pretend(writes)
        elif min(self.concurrency, concurrency or self.concurrency) == 1:
            self._in_order(writes)
        else:
            self._concurrently(writes)

    def _writes(self, decisions: Iterable[Decision]) -> Iterator[Write]:
        for decision in decisions:
            if isinstance(decision, Outcome):
                self.report.add(decision)
            elif decision is not None:
                yield decision

    def _pretend(self, writes: Iterable[Write]) -> None:
        """A dry run: each write "succeeds" with a made-up id, so the items that depend on
        it (comments on a new post) are reported as they would be."""
        for write in writes:
            follow_up: Write | None = write
            while follow_up is not None:
                self._fake_ids -= 1
                follow_up = follow_up.finish({"id": self._fake_ids, "link": "", "sha256": ""})

    def _in_order(self, writes: Iterable[Write]) -> None:
        for write in writes:
            follow_up: Write | None = write
            while follow_up is not None:
                follow_up = self._finish(follow_up, _attempt(follow_up))

    def _concurrently(self, writes: Iterable[Write]) -> None:
        upcoming = iter(writes)
        follow_ups: deque[Write] = deque()
        running: dict[Future[Any], Write] = {}
        failure: BaseException | None = None
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            while True:
                while failure is None and len(running) < self.concurrency * 2:
                    write = follow_ups.popleft() if follow_ups else next(upcoming, None)
                    if write is None:
                        break
                    running[pool.submit(_attempt, write)] = write
                if not running:
                    break
                done_now, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done_now:
                    write = running.pop(future)
                    try:
                        result = future.result()
                    except BaseException as exc:  # record the others before stopping
                        failure = failure or exc
                        continue
                    follow_up = self._finish(write, result)
                    if follow_up is not None:
                        follow_ups.append(follow_up)
        if failure is not None:
            raise failure

    def _finish(self, write: Write, result: Any) -> Write | None:
        if isinstance(result, RestError):
            reason = str(result).split(": ", 1)[-1]
            self.report.add(Outcome(write.kind, write.source_id, "failed", reason, write.label))
            return None
        return write.finish(result)


def _attempt(write: Write) -> Any:
    """Send a write; a refusal is a result (the item failed), a network failure stops all."""
    try:
        return write.send()
    except NetworkError:
        raise
    except RestError as exc:
        return exc
