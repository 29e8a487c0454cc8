"""`wpcpd export json`: the archive written out in another format."""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path
from typing import Annotated, Any

import typer

from wpcpd.cli.context import read_archive
from wpcpd.cli.options import SiteOption
from wpcpd.cli.output import say
from wpcpd.errors import UsageError
from wpcpd.files import atomic_open
from wpcpd.sinks.jsonl import write_json_lines


def export_json(
    out_path: Annotated[
        str, typer.Option("--out", "-o", help="The file to write, or - for standard output.")
    ],
    site: SiteOption = None,
    redact_passwords: Annotated[
        bool, typer.Option(help="Leave posts' own passwords out (they are kept by default).")
    ] = False,
) -> None:
    """Write every record as JSON Lines, losing nothing.

    \b
    Example:
      wpcpd export json -o blog.jsonl
    """
    with read_archive() as archive, closing(archive.iter_records(site)) as records:
        if out_path == "-":
            count = write_json_lines(records, sys.stdout, redact_passwords=redact_passwords)
        else:
            count = _write_atomically(Path(out_path), records, redact_passwords)
    if out_path != "-":
        say(f"wrote {count} records to {out_path}")


def _write_atomically(path: Path, records: Any, redact_passwords: bool) -> int:
    """Write beside the target and rename, so a failed export never leaves half a file."""
    try:
        with atomic_open(path) as handle:
            count = write_json_lines(records, handle, redact_passwords=redact_passwords)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return count
