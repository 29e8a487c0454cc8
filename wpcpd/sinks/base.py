"""What every sink shares: the one outcome type (what a write did with one item) and the
shape of a sink's report. A sink reads the archive and writes somewhere else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from wpcpd.errors import UsageError


@dataclass
class Outcome:
    """What a sink did with one item, and why when that needs saying.

    Push reports one per archived item (`kind` and `source_id` name it, `label` is its
    title or author); publish reports one per site a document went to (`target`, and the
    post's `target_id` and `url` there; `diff` is a dry run's preview).
    """

    kind: str
    source_id: str
    outcome: str
    """created, updated, matched, unchanged, skipped, failed (a dry run may say "would ...")."""
    reason: str = ""
    label: str = ""
    target: str = ""
    target_id: int | None = None
    url: str = ""
    diff: str = ""

    @property
    def action(self) -> str:
        """The outcome in publish's word for it."""
        return self.outcome

    @property
    def message(self) -> str:
        """The reason in publish's word for it."""
        return self.reason

    @property
    def post_id(self) -> int | None:
        """The target id in publish's word for it."""
        return self.target_id

    def as_item(self) -> dict[str, Any]:
        """One archived item's outcome as push reports it: every field, even empty."""
        return {"kind": self.kind, "source_id": self.source_id, "outcome": self.outcome,
                "reason": self.reason, "label": self.label}  # fmt: skip

    def as_site(self) -> dict[str, Any]:
        """One site's outcome as publish reports it: the fields that say something."""
        found = {"target": self.target, "action": self.outcome, "post_id": self.target_id,
                 "url": self.url, "message": self.reason, "diff": self.diff}  # fmt: skip
        return {k: v for k, v in found.items() if v not in ("", None)}

    def describe(self) -> str:
        """One line: the item, what happened to it, and why."""
        line = f"  {self.kind} {self.source_id} {self.label}: {self.outcome}: {self.reason}"
        return line.replace("  ", " ").rstrip()


class SinkReport(Protocol):
    """What a sink run hands back: the command line prints one of these two."""

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (--json)."""
        ...

    def describe(self) -> str:
        """The report as lines a person reads."""
        ...


@dataclass(frozen=True)
class ExportFlag:
    """An on/off option of one export format: `redact_passwords` is `--redact-passwords`."""

    name: str
    help: str


@dataclass(frozen=True)
class ExportOption:
    """An option of one export format that takes a value: `max_file_size` is
    `--max-file-size N`. `type` converts what was typed (int, float or str); the value is
    None when the option is not given."""

    name: str
    help: str
    type: type = str
    metavar: str = "VALUE"


@dataclass(frozen=True)
class Exported:
    """What `write` hands back when a count is not all there is to say: `notes` are lines
    the command prints after "wrote N ..." (what was left out, and why), and `failure`
    what could not be done."""

    count: int
    notes: tuple[str, ...] = ()
    failure: Exception | None = None
    """A part of the job that could not be done once the file was written (the portfolio's
    PDF without Chromium): the command keeps the file, prints the notes, then fails with
    this error (a `WpcpdError`: its one line and exit code)."""


class ExportParts(Protocol):
    """Where a format with `parts=True` writes: `next()` opens the next part, `FILE` first,
    then `FILE-2.xml`, `FILE-3.xml`, ... (the stem and suffix of FILE). The command line
    renames every part into place only when `write` returns, so a failed export leaves no
    part behind; standard output takes one part only."""

    def next(self) -> TextIO:
        """The next part's text stream (UTF-8); the previous one is finished."""
        ...


@dataclass(frozen=True)
class ExportFormat:
    """One `wpcpd export NAME`: a sink that writes what the archive holds to a file.

    `write(archive, site, out, **options)` writes to the open text stream `out` (every site
    when `site` is None; an unknown `site` is the archive's error, raised by
    `archive.resolve_site` or on the first read of `archive.iter_records`) and returns how
    many things it wrote (`counts` names them), or an `Exported` with that count and notes
    to print. A format with `parts=True` gets an `ExportParts` as `out` instead, to write
    several files. The command line opens `out` (standard output, or a file written
    atomically) and adds `--out`, `--site`, one option per flag and one per option (keyword
    arguments of `write` by their names); registering the format in `wpcpd.sinks.EXPORTS`
    is all it takes.
    """

    name: str
    summary: str
    """The first line of the command's help; `export --help` lists about 45 characters of it."""
    example: str
    write: Callable[..., int | Exported]
    flags: tuple[ExportFlag, ...] = ()
    options: tuple[ExportOption, ...] = ()
    counts: str = "record"
    """What `write`'s number counts, for the line the command prints: "wrote 3 records"."""
    parts: bool = False
    """`write` gets an `ExportParts` and may write several files (FILE, FILE-2.xml, ...)."""
    folder: bool = False
    """`write` gets the folder `--out` names (a `Path`) and writes its files there itself,
    each atomically: a folder export is many files, rewritten only where they changed."""


def one_site(archive: Any, site: str | None, holds: str) -> dict[str, Any]:
    """The site an export of one site writes: the one named, or the archive's only one.
    `holds` says why one ("a WXR file holds one site") when the archive has several."""
    row = archive.resolve_site(site)
    if row is not None:
        return dict(row)
    sites = archive.sites()
    if len(sites) != 1:
        keys = ", ".join(r["key"] for r in sites) or "none yet"
        raise UsageError(f"{holds}: name one with --site (known: {keys})")
    return dict(sites[0])
