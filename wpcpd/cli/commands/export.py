"""`wpcpd export NAME`: one command for each format registered in `wpcpd.sinks.EXPORTS`."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from wpcpd.cli.context import read_archive
from wpcpd.cli.options import SiteOption
from wpcpd.cli.output import say
from wpcpd.errors import UsageError
from wpcpd.files import atomic_open
from wpcpd.sinks.base import ExportFormat
from wpcpd.text import plural

OutOption = Annotated[
    str, typer.Option("--out", "-o", help="The file to write, or - for standard output.")
]
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def export_command(export: ExportFormat) -> Callable[..., None]:
    """The command for one format: --out, --site, and an option for each of its flags."""

    def command(out_path: str, site: str | None = None, **flags: bool) -> None:
        with read_archive() as archive:
            if out_path == "-":
                count = export.write(archive, site, sys.stdout, **flags)
            else:
                count = _write_atomically(Path(out_path), export, archive, site, flags)
        if out_path != "-":
            say(f"wrote {plural(count, export.counts)} to {out_path}")

    parameters = [
        inspect.Parameter("out_path", _KEYWORD, annotation=OutOption),
        inspect.Parameter("site", _KEYWORD, annotation=SiteOption, default=None),
        *(
            inspect.Parameter(
                flag.name,
                _KEYWORD,
                default=False,
                annotation=Annotated[bool, typer.Option(help=flag.help)],
            )
            for flag in export.flags
        ),
    ]
    # typer reads the options from the signature, so the generated one is the command's.
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__name__ = f"export_{export.name}"
    command.__doc__ = f"{export.summary}\n\n\b\nExample:\n  {export.example}\n"
    return command


def _write_atomically(
    path: Path, export: ExportFormat, archive: Any, site: str | None, flags: dict[str, bool]
) -> int:
    """Write beside the target and rename, so a failed export never leaves half a file."""
    try:
        with atomic_open(path) as handle:
            return export.write(archive, site, handle, **flags)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
