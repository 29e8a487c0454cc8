"""Migrating a blog: `push` an archived site into another WordPress, then `verify` it; and the
parsers of push's own option values (--only, --author-map)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wpcpd import pull
from wpcpd.cli.context import open_archive, resolve_target
from wpcpd.cli.options import FromSiteOption, InsecureHttpOption, JsonOption, PasswordEnvOption
from wpcpd.cli.output import phases, print_json, print_text, warn
from wpcpd.credentials import DEFAULT_PASSWORD_ENV, resolve_password
from wpcpd.dates import parse_since
from wpcpd.errors import UsageError

if TYPE_CHECKING:
    from wpcpd.archive import Archive
    from wpcpd.sinks.migrate.verify import VerifyReport


# Long only in its signature: typer wants one parameter per option; the body is short.
def push_command(
    from_site: FromSiteOption,
    to: Annotated[str, typer.Option(help="The WordPress to push into (address or profile).")],
    user: Annotated[
        str | None, typer.Option(help="An administrator on the target (application password).")
    ] = None,
    password_env: PasswordEnvOption = DEFAULT_PASSWORD_ENV,
    dry_run: Annotated[
        bool, typer.Option(help="Say what would be written; write nothing.")
    ] = False,
    only: Annotated[
        str | None, typer.Option(help="Only some of: posts,pages,comments,media.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only posts, media and comments dated on or after (GMT).")
    ] = None,
    comments_only: Annotated[
        bool, typer.Option(help="Only comments: carry new ones from an old blog still live.")
    ] = False,
    author_map: Annotated[
        Path | None, typer.Option(help="CSV of 'old login,new login or e-mail' lines.")
    ] = None,
    default_author: Annotated[
        str | None, typer.Option(help="Give items of unknown authors to this target user.")
    ] = None,
    create_authors: Annotated[
        bool, typer.Option(help="Create target users for authors it does not have.")
    ] = False,
    include_spam: Annotated[bool, typer.Option(help="Carry spam comments too.")] = False,
    include_trash: Annotated[bool, typer.Option(help="Carry trashed posts and comments.")] = False,
    media_dir: Annotated[
        Path | None, typer.Option(help="A local copy of the old uploads folder.")
    ] = None,
    redirects: Annotated[
        Path | None,
        typer.Option(help="Write FILE.csv, .nginx.conf, .htaccess and .redirection.json."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=8, help="Writes at once.")] = 1,
    insecure_http: InsecureHttpOption = False,
    as_json: JsonOption = False,
) -> None:
    """Push an archived blog into another WordPress; run again to resume or update.

    \b
    Examples:
      WPCPD_PASSWORD=... wpcpd push --from old.example.org \\
          --to https://new.example.org --user admin \\
          --create-authors --redirects redirects
    """
    from wpcpd.sinks.migrate import push as migrate

    url, user, variable = resolve_target(to, user, password_env)
    options = migrate.PushOptions(
        user=user, password=resolve_password(url, user, variable), insecure_http=insecure_http,
        dry_run=dry_run, only=parse_only(only), since=parse_since(since),
        comments_only=comments_only,
        author_map=read_author_map(author_map) if author_map else {},
        default_author=default_author, create_authors=create_authors,
        include_spam=include_spam, include_trash=include_trash, media_dir=media_dir,
        redirects=redirects, concurrency=concurrency,
    )  # fmt: skip
    with open_archive() as archive, phases() as (on_phase, on_step):
        report = migrate.push(archive, from_site, url, options, on_phase=on_phase,
                              on_step=on_step)  # fmt: skip
    for warning in report.warnings:
        warn(warning)
    if as_json:
        print_json(report.as_dict())
    else:
        print_text(report.describe())
    if report.failed:
        raise typer.Exit(1)


def verify_command(
    from_site: FromSiteOption,
    against: Annotated[
        str,
        typer.Option(
            "--against",
            "--to",
            metavar="SITE",
            help="The WordPress it was pushed into (as push's --to).",
        ),
    ],
    user: Annotated[
        str | None, typer.Option(help="A user on the target (application password).")
    ] = None,
    password_env: PasswordEnvOption = DEFAULT_PASSWORD_ENV,
    include_spam: Annotated[bool, typer.Option(help="Spam comments were pushed too.")] = False,
    include_trash: Annotated[bool, typer.Option(help="Trashed items were pushed too.")] = False,
    insecure_http: InsecureHttpOption = False,
    as_json: JsonOption = False,
) -> None:
    """Read the target back and compare it with the archive, field by field; exit 1 on
    differences.

    \b
    Examples:
      WPCPD_PASSWORD=... wpcpd verify --from old.example.org \\
          --against https://new.example.org --user admin
    """
    url, user, variable = resolve_target(against, user, password_env)
    live = pull.LiveOptions(user=user, password=resolve_password(url, user, variable),
                            insecure_http=insecure_http)  # fmt: skip
    with open_archive() as archive:
        report = verify_by_pull(archive, from_site, url, live, include_spam=include_spam,
                                include_trash=include_trash)  # fmt: skip
    if as_json:
        print_json(report.as_dict())
    else:
        print_text(report.describe())
    if not report.ok:
        raise typer.Exit(1)


def verify_by_pull(
    archive: Archive,
    site_ref: str,
    target_url: str,
    live: pull.LiveOptions,
    *,
    include_spam: bool = False,
    include_trash: bool = False,
) -> VerifyReport:
    """verify(), the target read back by pulling it afresh with `live`'s credentials."""
    from wpcpd.sinks.migrate.verify import verify

    def read_target(target_archive: Archive, url: str) -> str:
        result = pull.pull(target_archive, url, live=live)
        if not result.details.get("authenticated"):
            raise UsageError("verify needs --user: drafts, held comments and raw content "
                             "are only visible to an authenticated reader")  # fmt: skip
        return result.summary.sites[0]

    return verify(archive, site_ref, target_url, read_target, include_spam=include_spam,
                  include_trash=include_trash)  # fmt: skip


def read_author_map(path: Path) -> dict[str, str]:
    """A CSV of "source login,target login or e-mail" lines; a header line is allowed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    mapping = {}
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) < 2 or not cells[1]:
            raise UsageError(f"{path}:{number}: expected 'source login,target user'")
        if number == 1 and cells[0].lower() in ("source", "login", "source_login", "from"):
            continue
        mapping[cells[0]] = cells[1]
    return mapping


def parse_only(text: str | None) -> frozenset[str]:
    """--only posts,comments: which kinds of item to push (all of them when not given)."""
    from wpcpd.sinks.migrate.options import ONLY_CHOICES  # late, like every sink: quick startup

    if not text:
        return frozenset(ONLY_CHOICES)
    chosen = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = chosen - set(ONLY_CHOICES)
    if unknown:
        raise UsageError(f"--only takes {', '.join(ONLY_CHOICES)}; not {', '.join(unknown)}")
    return chosen
