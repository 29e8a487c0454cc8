"""Finding things in the archive: `search` (its full-text index) and `datasette` (the archive
in Datasette, with its metadata)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text

from wpcpd.archive.search import MARK
from wpcpd.cli.context import open_archive, read_archive, state
from wpcpd.cli.options import JsonOption, SiteOption
from wpcpd.cli.output import cell, out, print_rows, say, warn
from wpcpd.errors import ArchiveError, UsageError, WpcpdError
from wpcpd.files import atomic_write
from wpcpd.text import plural


class Kind(StrEnum):
    post = "post"
    comment = "comment"


def search_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(metavar="QUERY", help='Words (all of them), "a phrase", OR, NOT, prefix*.'),
    ] = None,
    site: SiteOption = None,
    type: Annotated[
        Kind | None, typer.Option(help="Only posts (any post type) or only comments.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 20,
    reindex: Annotated[
        bool, typer.Option(help="Make the search index again from every post and comment.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Search posts and comments (titles, text, excerpts, commenters), best matches first,
    with the id `wpcpd show` takes. Drafts, private and removed posts are found too, and
    say so in their status.

    \b
    Examples:
      wpcpd search reflective practice
      wpcpd search thanks --type comment --json
    """
    query = " ".join(words) if words else None
    if reindex:
        with open_archive() as archive:
            posts, comments = archive.reindex()
        say(f"indexed {plural(posts, 'post')} and {plural(comments, 'comment')}")
        if query is None:
            return
    if query is None:
        raise UsageError('give words to search for, e.g. wpcpd search "reflective practice"')
    with read_archive() as archive:
        rows = archive.search(query, site, type.value if type else None, limit)
    if as_json:
        print_rows(rows, [], as_json=True)
        return
    for row in rows:
        row["status"] = ", ".join(
            [row["status"], *(["protected"] if row["protected"] else []),
             *(["removed from the site"] if row["removed"] else [])]
        )  # fmt: skip
    if not out.is_terminal:
        columns = ["site", "kind", "post", "comment", "status", "date", "title", "snippet"]
        print_rows(rows, columns, as_json=False)
    elif rows:
        _print_matches(rows)
    else:
        say(f"nothing matches {query!r}")


def _print_matches(rows: list[dict[str, Any]]) -> None:
    """At a terminal, each match as a heading line and its snippet below, the matched words
    in bold (a table leaves the snippet a narrow column)."""
    several = len({row["site"] for row in rows}) > 1
    for row in rows:
        where = f" · {row['site']}" if several else ""
        title = escape(cell(row, "title") or "(no title)")
        if row["kind"] == "post":
            head = f"[bold]post {row['post']}[/bold] · {title}"
        else:
            head = f"[bold]comment {row['comment']}[/bold] on post {row['post']} ({title})"
            head += f" · {escape(cell(row, 'author_name') or 'anonymous')}"
        out.print(f"{head} · {row['status']} · {(row['date'] or '')[:10]}{where}")
        parts = escape(cell(row, "snippet")).split(MARK[0])  # the marks open and close alike
        marked = "".join(f"[bold]{part}[/bold]" if i % 2 else part for i, part in enumerate(parts))
        for line in Text.from_markup(marked).wrap(out, max(40, out.width - 5)):
            out.print(Text("    ") + line)
        out.print()


def datasette_command(
    metadata: Annotated[
        Path | None,
        typer.Option(
            "--metadata",
            "-m",
            metavar="FILE",
            help="Where to write the metadata (default: ARCHIVE.datasette.json beside it).",
        ),
    ] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="The port on 127.0.0.1.")] = 8001,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Only write the metadata; do not start Datasette.")
    ] = False,
) -> None:
    """Write Datasette's metadata for the archive (descriptions, facets, full-text search,
    canned queries), then serve it with Datasette on http://127.0.0.1:8001/ARCHIVE until
    Ctrl-C. A post's password, e-mail addresses and IPs are not shown; arbitrary SQL is off.

    \b
    Example (only the metadata, for `datasette wpcpd.db -m wpcpd.datasette.json`):
      wpcpd datasette --no-serve
    """
    from wpcpd.sinks.datasette import metadata as datasette_metadata
    from wpcpd.sinks.datasette import refresh_follow_ups

    path = state.archive_path
    target = metadata or path.with_name(path.stem + ".datasette.json")
    with read_archive() as archive:
        if archive.schema_version < 9:
            raise ArchiveError(
                f"{path} was written by an older wpcpd: open it once where it can be written "
                "to (any pull, or 'wpcpd search --reindex') for Datasette's views"
            )
        if archive.read_only:
            warn("the archive is read-only: actions' follow-ups are as last found")
        else:
            checked = refresh_follow_ups(archive)
            say(f"checked {plural(checked, 'action')} of reflections for follow-ups")
    atomic_write(target, json.dumps(datasette_metadata(path.stem), indent=2) + "\n")
    say(f"wrote Datasette's metadata to {target}")
    if no_serve:
        return
    command = _datasette()
    if command is None:
        raise WpcpdError(
            f"Datasette is not installed: pip install 'wpcpd[datasette]' (then wpcpd "
            f"datasette, or datasette {path} -m {target})"
        )
    _serve([*command, "serve", str(path), "-m", str(target), "-h", "127.0.0.1",
            "-p", str(port), "--setting", "allow_download", "off"],
           f"http://127.0.0.1:{port}/{path.stem}")  # fmt: skip


def _datasette() -> list[str] | None:
    """How to run Datasette: from wpcpd's own environment (the extra), else from PATH."""
    if importlib.util.find_spec("datasette") is not None:
        return [sys.executable, "-m", "datasette"]
    found = shutil.which("datasette")
    return [found] if found else None


def _serve(command: list[str], address: str) -> None:
    """Run Datasette until it stops, or until Ctrl-C or SIGTERM stop this command (which
    then stops it too)."""
    say(f"Datasette at {address} (Ctrl-C stops it)")
    process: Any = subprocess.Popen(command)
    try:
        code = process.wait()
    except BaseException:
        process.terminate()
        process.wait(timeout=30)
        raise
    if code:
        raise typer.Exit(code)
