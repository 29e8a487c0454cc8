"""The one output layer every command prints through: aligned tables at a terminal,
tab-separated text when piped, JSON with --json; warnings and notes on standard error; and
the one progress display, on a terminal only."""

from __future__ import annotations

import html
import json
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

from wpcpd.cli.context import state

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)

OnProgress = Callable[[int], None]
OnPhase = Callable[[str, int], None]
OnStep = Callable[[], None]


def warn(message: str) -> None:
    if not state.quiet:
        err.print(f"wpcpd: warning: {message}", markup=False, soft_wrap=True)


def note(message: str) -> None:
    err.print(f"wpcpd: note: {message}", markup=False, soft_wrap=True)


def say(message: str) -> None:
    """What a command did, beside its output ("wrote 12 records to blog.jsonl"): wrapped to
    a terminal's width, one line per message when piped (a script reads whole lines);
    nothing with -q."""
    if not state.quiet:
        err.print(message, markup=False, soft_wrap=not err.is_terminal)


def print_text(text: str) -> None:
    out.print(text, markup=False)


def print_json(data: Any) -> None:
    """One JSON document, indented (and coloured at a terminal)."""
    out.print_json(json.dumps(data, ensure_ascii=False))


def print_rows(rows: list[dict[str, Any]], columns: list[str], as_json: bool) -> None:
    """A listing: JSON Lines with --json, tab-separated when piped, aligned at a terminal."""
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    if not out.is_terminal:  # tab-separated when piped, for cut, awk and spreadsheets
        print("\t".join(columns))
        for row in rows:
            print("\t".join(cell(row, c) for c in columns))
        return
    # Written at once: one rich print per line costs seconds on ten thousand rows.
    sys.stdout.write("".join(line + "\n" for line in _aligned(rows, columns, out.width)))


def _aligned(rows: list[dict[str, Any]], columns: list[str], width: int) -> Iterator[str]:
    """A terminal table: columns aligned, the last one wrapped to the width, nothing cut.

    Plain text rather than rich's Table, which takes seconds to lay out ten thousand rows.
    """
    cells = [[cell(row, c) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lead = sum(w + 2 for w in widths[:-1])
    room = max(20, width - lead - 1)
    yield "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()
    for row in cells:
        first = "  ".join(v.ljust(w) for v, w in zip(row[:-1], widths[:-1], strict=True))
        tail = textwrap.wrap(row[-1], room) or [""]
        yield (first + "  " + tail[0]).rstrip() if columns[:-1] else tail[0]
        yield from (" " * lead + more for more in tail[1:])


def cell(row: dict[str, Any], column: str) -> str:
    """A row's value as plain text: entities decoded (`[…]`, not `[&#8230;]`), on one line
    so a tab-separated row stays a row; rows may leave out what does not apply to them."""
    value = row.get(column)
    if value is None:
        return ""
    return " ".join(html.unescape(str(value)).split()) if isinstance(value, str) else str(value)


# -- progress ---------------------------------------------------------------------------------

_LIVE: list[Any] = []
"""Progress displays running on the terminal, to stop before a last word is printed."""


def stop_live() -> None:
    while _LIVE:
        _LIVE.pop().stop()  # shows the cursor again


class _Bars:
    """rich's progress display on standard error, gone when done. Reports that arrive after
    it stopped (a reading thread, after Ctrl-C) are ignored."""

    def __init__(self, columns: list[Any]) -> None:
        from rich.progress import Progress

        self.progress = Progress(*columns, console=err, transient=True)
        self.task: Any = None
        self.stopped = False

    def start(self) -> None:
        _LIVE.append(self.progress)  # stopped by the error handler too: Ctrl-C can come mid-start
        self.progress.start()

    def stop(self) -> None:
        self.stopped = True
        stop_live()

    def add(self, description: str, total: int | None) -> None:
        """A new bar, the one `reach` and `step` move from now on."""
        self.task = self.progress.add_task(description, total=total)

    def reach(self, done: int) -> None:
        if not self.stopped:
            self.progress.update(self.task, completed=done)

    def step(self) -> None:
        if self.task is not None:
            self.progress.advance(self.task)


def _showing_progress() -> bool:
    """Progress only for a person watching: not in cron or a pipe, nor with --quiet."""
    return err.is_terminal and not state.quiet


@contextmanager
def counting(description: str, total: int | None) -> Iterator[OnProgress | None]:
    """A bar up to `total` bytes, or a running count of records when the total is unknown;
    yields what to call with the amount done so far (None when nothing is shown)."""
    if not _showing_progress():
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, TimeRemainingColumn

    columns: list[Any] = ["[progress.description]{task.description}", BarColumn()]
    if total is not None:
        columns += [DownloadColumn(), TimeRemainingColumn()]
    else:
        columns += ["{task.completed} records"]
    bars = _Bars(columns)
    bars.add(description, total)
    bars.start()
    try:
        yield bars.reach
    finally:
        bars.stop()


@contextmanager
def phases() -> Iterator[tuple[OnPhase | None, OnStep | None]]:
    """One bar per phase of the work (a push's authors, terms, posts...), each counted to its
    total; yields (on_phase(name, total), on_step()), or Nones when nothing is shown."""
    if not _showing_progress():
        yield None, None
        return
    from rich.progress import BarColumn, MofNCompleteColumn

    bars = _Bars(["{task.description}", BarColumn(), MofNCompleteColumn()])
    bars.start()
    try:
        yield bars.add, bars.step
    finally:
        bars.stop()
