"""`wpcpd export NAME`: one command for each format registered in `wpcpd.sinks.EXPORTS`."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from wpcpd.cli.context import read_archive
from wpcpd.cli.options import SiteOption
from wpcpd.cli.output import say, warn
from wpcpd.errors import UsageError
from wpcpd.files import AtomicParts, atomic_open, part_path
from wpcpd.sinks.base import Exported, ExportFormat
from wpcpd.text import plural

OutOption = Annotated[
    str, typer.Option("--out", "-o", help="The file to write, or - for standard output.")
]
FolderOption = Annotated[
    str, typer.Option("--out", "-o", help="The folder to write (made if it does not exist).")
]
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def export_command(export: ExportFormat) -> Callable[..., None]:
    """The command for one format: --out, --site, and an option for each of its flags and
    options."""

    def command(out_path: str, site: str | None = None, **options: Any) -> None:
        files = [out_path]
        with read_archive() as archive:
            if export.folder:
                result = _write_folder(out_path, export, archive, site, options)
            elif export.parts:
                result, files = _write_parts(out_path, export, archive, site, options)
            elif out_path == "-":
                result = export.write(archive, site, sys.stdout, **options)
            else:
                result = _write_atomically(Path(out_path), export, archive, site, options)
        done = result if isinstance(result, Exported) else Exported(result)
        if out_path != "-":
            where = (
                files[0] if len(files) == 1 else f"{files[0]} … {files[-1]} ({len(files)} files)"
            )
            say(f"wrote {plural(done.count, export.counts)} to {where}")
        for line in done.notes:
            say(line)
        if done.failure is not None:
            raise done.failure

    parameters = [
        inspect.Parameter(
            "out_path", _KEYWORD, annotation=FolderOption if export.folder else OutOption
        ),
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
        *(
            inspect.Parameter(
                option.name,
                _KEYWORD,
                default=None,
                annotation=Annotated[
                    option.type | None, typer.Option(help=option.help, metavar=option.metavar)
                ],
            )
            for option in export.options
        ),
    ]
    # typer reads the options from the signature, so the generated one is the command's.
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__name__ = f"export_{export.name}"
    command.__doc__ = f"{export.summary}\n\n\b\nExample:\n  {export.example}\n"
    return command


def _write_atomically(
    path: Path, export: ExportFormat, archive: Any, site: str | None, options: dict[str, Any]
) -> int | Exported:
    """Write beside the target and rename, so a failed export never leaves half a file."""
    try:
        with atomic_open(path) as handle:
            return export.write(archive, site, handle, **options)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _write_folder(
    out_path: str, export: ExportFormat, archive: Any, site: str | None, options: dict[str, Any]
) -> int | Exported:
    """A format that writes a folder of files."""
    if out_path in ("-", "") or not out_path.strip():
        raise UsageError(f"export {export.name} writes a folder: name it with --out DIR")
    folder = Path(out_path)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file: export {export.name} writes a folder")
    try:
        return export.write(archive, site, folder, **options)
    except OSError as exc:
        raise UsageError(f"cannot write {folder}: {exc.strerror or exc}") from exc


class _StandardOutput:
    """Standard output as the parts of an export: one part only."""

    def __init__(self) -> None:
        self.opened = False

    def next(self) -> TextIO:
        if self.opened:
            raise UsageError("the export needs more than one file: name one with --out FILE")
        self.opened = True
        return sys.stdout


def _write_parts(
    out_path: str, export: ExportFormat, archive: Any, site: str | None, options: dict[str, Any]
) -> tuple[int | Exported, list[str]]:
    """A format that may write several files: all of them are renamed into place when the
    export succeeds, and none is left behind when it fails."""
    if out_path == "-":
        return export.write(archive, site, _StandardOutput(), **options), ["-"]
    parts = AtomicParts(Path(out_path))
    try:
        result = export.write(archive, site, parts, **options)
        written = parts.commit()
    except OSError as exc:
        parts.discard()
        raise UsageError(f"cannot write {out_path}: {exc.strerror or exc}") from exc
    except BaseException:
        parts.discard()
        raise
    stale = part_path(Path(out_path), len(written) + 1)
    if stale.exists():
        warn(f"{stale} is from an earlier export, not this one: it holds no part of it")
    return result, [str(p) for p in written]
