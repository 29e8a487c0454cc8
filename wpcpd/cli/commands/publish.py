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
from wpcpd.config import find_profile
from wpcpd.credentials import DEFAULT_PASSWORD_ENV, resolve_password, wpcom_token
from wpcpd.errors import UsageError, WpcpdError
from wpcpd.wordpress.discover import is_wordpress_com

# The channels a reflection can be written through (reading-only ones are left out).
WRITE_CHANNELS = ("auto", "rest", "wpcom", "xmlrpc")


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
    via: Annotated[
        str,
        typer.Option(help="auto, rest, wpcom (a mapped domain on WordPress.com) or xmlrpc."),
    ] = "auto",
    share: Annotated[
        bool, typer.Option(help="Let WordPress.com share it to the blog's social accounts.")
    ] = False,
    strict: StrictOption = False,
    as_json: JsonOption = False,
) -> None:
    """Publish a reflection to one or several blogs; safe to run again.

    \b
    Examples:
      wpcpd publish thing-12.md --to work --to personal --status draft
      wpcpd publish thing-12.md --to myblog.wordpress.com --to work

    WordPress.com blogs need a token (wpcpd auth wpcom); they never share to social
    accounts unless --share is given.
    """
    from wpcpd.sinks.publish import PublishOptions, publish_file
    from wpcpd.sources.rest import published_records

    targets = to or _front_targets(file)
    if not targets:
        raise UsageError("say where to publish: --to SITE (a profile or an address)")
    if via not in WRITE_CHANNELS:
        raise UsageError(f"--via {via}: publishing goes through {', '.join(WRITE_CHANNELS)}")
    connections = [(ref, _connector(ref, user, password_env, via)) for ref in targets]
    options = PublishOptions(status, dry_run, classic, originally_posted, share)
    with open_archive(create=True) as archive:
        publication = publish_file(archive, file, connections, options, strict, published_records)
    _report(publication, as_json)


def _report(publication: Any, as_json: bool) -> None:
    """One row per site, the dry run's diffs, and one error line when a site failed."""
    for warning in publication.document.warnings:
        warn(warning)
    rows = [o.as_site() for o in publication.outcomes]
    print_rows(rows, ["target", "action", "post_id", "url", "message"], as_json)
    for outcome in publication.outcomes:
        if outcome.diff and not as_json:
            print_text(outcome.diff)
    failed = [o for o in publication.outcomes if o.action == "failed"]
    if failed:
        first = failed[0]
        raise WpcpdError(
            f"{len(failed)} of {len(publication.outcomes)} sites not published "
            f"({first.target}: {first.message})"
        )


def _front_targets(file: Path) -> list[str]:
    from wpcpd.reflect.render import load_document

    return list(load_document(file).front.targets)


def _connector(ref: str, user: str | None, password_env: str, via: str) -> Callable[[], Any]:
    """Connect only when the publication gets to this site (a dry run may never need to).
    A profile's channel counts when --via is not given; WordPress.com takes a token instead
    of a user and password."""
    profile = find_profile(ref) if "://" not in ref else None
    if via == "auto" and profile is not None and profile.via in WRITE_CHANNELS:
        via = profile.via
    url, user, variable = resolve_target(ref, user, password_env)
    wpcom = via == "wpcom" or (via == "auto" and is_wordpress_com(_with_scheme(url)))

    def connect() -> Any:
        from wpcpd.wordpress.connect import connect as connect_site

        if wpcom:
            options = pull.LiveOptions(token=wpcom_token(prompt=True))
        else:
            options = pull.LiveOptions(user=user, password=resolve_password(url, user, variable))
        return connect_site(url, options, via=via)

    return connect


def _with_scheme(url: str) -> str:
    return url if "://" in url else f"https://{url}"
