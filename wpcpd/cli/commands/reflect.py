"""Reflections: find past ones among archived posts (`reflections`), list the templates
(`templates`), start a new one (`new`) and see what publishing it would send (`render`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from wpcpd.cli.context import open_archive, read_archive
from wpcpd.cli.options import JsonOption, ReflectionFileArgument, SiteOption, StrictOption
from wpcpd.cli.output import note, phases, print_rows, say, warn
from wpcpd.errors import UsageError


def reflections_command(
    site: SiteOption = None,
    programme: Annotated[str | None, typer.Option(help="Only this programme, e.g. cpd23.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Find the CPD reflections among archived posts and list them.

    \b
    Example:
      wpcpd reflections --programme cpd23
    """
    from wpcpd.reflect import derive_reflections, resolve_programme, thing_label

    key = resolve_programme(programme).key if programme else None
    with open_archive() as archive, phases() as (on_phase, on_step):
        derive_reflections(archive, site, on_phase=on_phase, on_step=on_step)
        rows = archive.reflections(site, key)
    if as_json:
        print_rows(rows, [], as_json=True)
        return
    table_rows = [
        {
            "site": row["site"],
            "id": row["post_id"],
            "thing": thing_label(row["things"]).removeprefix("Things ").removeprefix("Thing "),
            "date": (row["date"] or "")[:10],
            "title": row["title"],
            "words": row["word_count"],
            "action": _first_action(row["actions"]),
        }
        for row in rows
    ]
    columns = ["id", "thing", "date", "title", "words", "action"]
    several_sites = len({row["site"] for row in rows}) > 1
    print_rows(table_rows, ["site", *columns] if several_sites else columns, as_json=False)


def _first_action(actions: list[str]) -> str:
    if not actions:
        return ""
    first = " ".join(actions[0].split())
    return first + (f" (+{len(actions) - 1})" if len(actions) > 1 else "")


def templates_command(
    as_json: JsonOption = False,
) -> None:
    """List the reflection templates, shipped and your own, with their prompts.

    Your own go in the directory shown at the end (or $WPCPD_TEMPLATES).

    \b
    Example:
      wpcpd templates
    """
    from wpcpd.reflect import list_templates
    from wpcpd.reflect.programmes import user_templates_dir

    rows = [
        {
            "name": t.name,
            "origin": t.origin,
            "needs": ", ".join(t.needs),
            "description": t.error or t.description,
            "prompts": t.prompt_summary,
            "path": str(t.path),
        }
        for t in list_templates()
    ]
    print_rows(rows, ["name", "origin", "needs", "description", "prompts"], as_json)
    if not as_json:
        say(f"your templates: {user_templates_dir()}")


def new_command(
    template: Annotated[str, typer.Argument(help="A template name (see `wpcpd templates`).")],
    thing: Annotated[int | None, typer.Option(help="The programme's Thing number.")] = None,
    programme: Annotated[str | None, typer.Option(help="The programme (default cpd23).")] = None,
    site: SiteOption = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.")
    ] = None,
    include_private: Annotated[
        bool,
        typer.Option(
            help="Also list drafts, pending, scheduled, private and password-protected posts "
            "(programme-review); left out by default, as the text is meant to be published."
        ),
    ] = False,
) -> None:
    """Start a reflection: Markdown with front matter and the prompts as headings.

    \b
    Example:
      wpcpd new thing --thing 12 --out thing-12.md
    """
    from wpcpd.reflect.templates import find_template, new_reflection

    if out_file is not None and out_file.exists():
        # Its uid ties it to what was published; a new file would get a new one.
        raise UsageError(f"{out_file} exists; choose another --out or remove it first")
    if "archive" in find_template(template).needs:
        notes: list[str] = []
        with read_archive() as archive:
            text = new_reflection(
                template, thing, programme, archive=archive, site=site,
                include_private=include_private, notes=notes,
            )  # fmt: skip
        for line in notes:
            note(line)
    else:
        text = new_reflection(template, thing, programme)
    if out_file is None:
        sys.stdout.write(text)
        return
    try:
        out_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {out_file}: {exc.strerror or exc}") from exc
    say(f"wrote {out_file}")


def render_command(
    file: ReflectionFileArgument,
    classic: Annotated[bool, typer.Option(help="Plain HTML instead of block markup.")] = False,
    strict: StrictOption = False,
) -> None:
    """Print the HTML that publishing would send: block-editor markup, or --classic HTML.

    \b
    Example:
      wpcpd render thing-12.md
    """
    from wpcpd.reflect import load_document

    document = load_document(file, strict=strict)
    for warning in document.warnings:
        warn(warning)
    print(document.to_classic() if classic else document.to_blocks())
