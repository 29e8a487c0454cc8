"""`wpcpd publish`: a reflection file to one or several blogs, safe to run again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from wpcpd import pull
from wpcpd.cli.context import open_archive, resolve_target
from wpcpd.cli.options import JsonOption, PasswordEnvOption, ReflectionFileArgument, StrictOption
from wpcpd.cli.output import print_rows, print_text, warn
from wpcpd.credentials import DEFAULT_PASSWORD_ENV, resolve_password
from wpcpd.errors import UsageError


def publish_command(
    file: ReflectionFileArgument,
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="A site profile or address; repeat for several sites."),
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="draft, pending, publish, future or private.")
    ] = None,
    user: Annotated[str | None, typer.Option(help="User name, for addresses.")] = None,
    password_env: PasswordEnvOption = DEFAULT_PASSWORD_ENV,
    dry_run: Annotated[bool, typer.Option(help="Show what would change; write nothing.")] = False,
    classic: Annotated[bool, typer.Option(help="Plain HTML instead of blocks.")] = False,
    originally_posted: Annotated[
        bool, typer.Option(help="Add 'Originally posted at' the first site, to the others.")
    ] = False,
    strict: StrictOption = False,
    as_json: JsonOption = False,
) -> None:
    """Publish a reflection to one or several blogs; safe to run again.

    \b
    Example:
      wpcpd publish thing-12.md --to work --to personal --status draft
    """
    from wpcpd.sinks.publish import PublishOptions, publish_file
    from wpcpd.sources.rest import published_records

    targets = to or _front_targets(file)
    if not targets:
        raise UsageError("say where to publish: --to SITE (a profile or an address)")
    connections = [(ref, _connector(ref, user, password_env)) for ref in targets]
    options = PublishOptions(status, dry_run, classic, originally_posted)
    with open_archive(create=True) as archive:
        publication = publish_file(archive, file, connections, options, strict, published_records)
    for warning in publication.document.warnings:
        warn(warning)
    rows = [o.as_site() for o in publication.outcomes]
    print_rows(rows, ["target", "action", "post_id", "url", "message"], as_json)
    for outcome in publication.outcomes:
        if outcome.diff and not as_json:
            print_text(outcome.diff)
    if any(o.action == "failed" for o in publication.outcomes):
        raise typer.Exit(1)


def _front_targets(file: Path) -> list[str]:
    from wpcpd.reflect.render import load_document

    return list(load_document(file).front.targets)


def _connector(ref: str, user: str | None, password_env: str) -> Callable[[], Any]:
    """Connect only when the publication gets to this site (a dry run may never need to)."""
    url, user, variable = resolve_target(ref, user, password_env)

    def connect() -> Any:
        from wpcpd.wordpress.connect import connect as connect_site

        options = pull.LiveOptions(user=user, password=resolve_password(url, user, variable))
        return connect_site(url, options)

    return connect
