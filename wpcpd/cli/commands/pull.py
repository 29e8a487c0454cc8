"""`wpcpd pull`: read a blog (export file, live site, scraped pages) into the archive."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated, Any

import typer

from wpcpd import pull
from wpcpd.cli.context import open_archive
from wpcpd.cli.options import (
    InsecureHttpOption,
    JsonOption,
    MediaExternalOption,
    MediaMaxSizeOption,
    PasswordEnvOption,
    Via,
    existing_media_dir,
)
from wpcpd.cli.output import OnProgress, counting, print_json, print_text, warn
from wpcpd.config import find_profile
from wpcpd.credentials import DEFAULT_PASSWORD_ENV, resolve_password
from wpcpd.dates import parse_day
from wpcpd.errors import UsageError
from wpcpd.sources.recheck import DEFAULT_RECHECK_DAYS
from wpcpd.sources.scrape import ScrapeOptions


# Long only in its signature: typer wants one parameter per option; the body is short.
def pull_command(
    source: Annotated[
        str,
        typer.Argument(
            help="A WXR export file (.xml or .xml.gz), a blog's address, or a site profile."
        ),
    ],
    via: Annotated[Via, typer.Option(help="How to read the source.")] = Via.auto,
    user: Annotated[
        str | None, typer.Option(help="User name for an application password (live sites).")
    ] = None,
    password_env: PasswordEnvOption = DEFAULT_PASSWORD_ENV,
    concurrency: Annotated[int, typer.Option(min=1, max=16, help="Pages fetched at once.")] = 4,
    insecure_http: InsecureHttpOption = False,
    full: Annotated[
        bool, typer.Option(help="Read everything again, not only what changed since last time.")
    ] = False,
    comments_only: Annotated[
        bool, typer.Option(help="Only comments: the daily comment backup.")
    ] = False,
    recheck_days: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Live sites: compare comments of the last N days again, for edits and "
            "deletions (default 30; 0 for none).",
        ),
    ] = None,
    max_pages: Annotated[
        int | None, typer.Option(help="Scraping: read at most this many posts.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Scraping: leave out posts before this date.")
    ] = None,
    url_pattern: Annotated[
        str | None, typer.Option(help="Scraping: only addresses matching this regex.")
    ] = None,
    delay: Annotated[float, typer.Option(min=0, help="Scraping: seconds between requests.")] = 1.0,
    ignore_robots: Annotated[
        bool, typer.Option(help="Scraping: do not honour robots.txt (say so explicitly).")
    ] = False,
    site: Annotated[
        str | None,
        typer.Option(
            metavar="KEY",
            help="Export files: the site to file it under (a key such as blog.example.org, an "
            "address, or a site the archive knows), for exports that name no blog address.",
        ),
    ] = None,
    media: Annotated[
        bool,
        typer.Option(
            "--media",
            help="Export files: keep their media files too, from the export's addresses "
            "(live sites always do, into ARCHIVE.media/).",
        ),
    ] = False,
    no_media: Annotated[
        bool, typer.Option("--no-media", help="Live sites: leave the media files out.")
    ] = False,
    media_dir: Annotated[
        Path | None,
        typer.Option(help="Export files: copy media files from this copy of wp-content/uploads."),
    ] = None,
    media_external: MediaExternalOption = False,
    media_max_size: MediaMaxSizeOption = "200MB",
    as_json: JsonOption = False,
) -> None:
    """Read a blog into the archive; running it again updates, never duplicates.

    \b
    Examples:
      wpcpd pull fixtures/sample-cpd23.xml
      WPCPD_PASSWORD=... wpcpd pull https://blog.example.org --user jo
      WPCPD_PASSWORD=... wpcpd pull blog.example.org --user jo --comments-only
      wpcpd pull https://old.example.org --via scrape --delay 2
    """
    profile = find_profile(source)
    if profile is not None:
        source, user = profile.url, user or profile.user or None
        password_env = profile.password_env or password_env
        via = Via(profile.via) if via == Via.auto else via
    scrape = ScrapeOptions(max_pages, parse_day(since), url_pattern, delay, ignore_robots)
    _refuse_unused_options(source, via, scrape, user=user, comments_only=comments_only,
                           recheck_days=recheck_days)  # fmt: skip
    if not Path(source).exists():
        pull.check_live_source(source, via.value, site)
    live = pull.LiveOptions(
        user=user,
        password=resolve_password(source, user, password_env),
        concurrency=concurrency,
        insecure_http=insecure_http,
        full=full,
        comments_only=comments_only,
        recheck_days=DEFAULT_RECHECK_DAYS if recheck_days is None else recheck_days,
        scrape=scrape,
    )
    if media and no_media:
        raise UsageError("--media and --no-media contradict each other")
    media_options = _media_options(
        Path(source).is_file() or comments_only, True if media else (False if no_media else None),
        media_dir, media_external, media_max_size, concurrency,
    )  # fmt: skip
    with open_archive(create=True) as archive, _progress(source) as on_progress:
        result = pull.pull(
            archive, source, via=via.value, live=live, on_progress=on_progress, site=site,
            media=media_options,
        )  # fmt: skip
    for warning in result.warnings:  # on standard error in every mode, JSON included
        warn(warning)
    if as_json:
        print_json(result.as_dict())
        return
    print_text(result.describe())


def _progress(source: str) -> AbstractContextManager[OnProgress | None]:
    """A bar over a file's bytes, or a running count of records for a live site."""
    path = Path(source)
    if path.is_file():
        return counting(f"pulling {path.name}", path.stat().st_size)
    return counting(f"pulling {source}", None)


def _media_options(
    is_file: bool,  # or a comments-only pull: neither fetches files unless asked
    media: bool | None,
    media_dir: Path | None,
    external: bool,
    max_size: str,
    concurrency: int,
) -> Any:
    """Live pulls keep media files unless --no-media; export files (and the daily
    --comments-only backup) with --media or --media-dir."""
    from wpcpd.sources.media import MediaOptions, parse_size

    existing_media_dir(media_dir)
    wanted = media if media is not None else (not is_file or media_dir is not None)
    if media is False and media_dir is not None:
        raise UsageError("--media-dir and --no-media contradict each other")
    if not wanted:
        return None
    return MediaOptions(external=external, max_size=parse_size(max_size),
                        concurrency=concurrency, media_dir=media_dir,
                        download=not is_file or media_dir is None or bool(media))  # fmt: skip


SCRAPE_OPTIONS = {"max_pages": "--max-pages", "since": "--since", "url_pattern": "--url-pattern",
                  "delay": "--delay", "ignore_robots": "--ignore-robots"}  # fmt: skip


def _refuse_unused_options(
    source: str,
    via: Via,
    scrape: ScrapeOptions,
    *,
    user: str | None,
    comments_only: bool,
    recheck_days: int | None = None,
) -> None:
    """An option the channel would ignore is an error, not a silent no-op."""
    defaults = ScrapeOptions()
    given = [flag for name, flag in SCRAPE_OPTIONS.items()
             if getattr(scrape, name) != getattr(defaults, name)]  # fmt: skip
    if given and via != Via.scrape:
        raise UsageError(
            f"{', '.join(given)} only apply to scraping: add --via scrape (API and export "
            "pulls read everything, then only what changed)"
        )
    if recheck_days is not None and via in (Via.scrape, Via.xmlrpc):
        raise UsageError(
            f"--recheck-days is for the REST API: --via {via.value} reads every comment each time"
        )
    if via in (Via.auto, Via.wxr) and Path(source).is_file():
        if comments_only:
            raise UsageError("--comments-only is for live sites: an export file is read whole")
        if user:
            raise UsageError("--user is for live sites: an export file needs no login")
        if recheck_days is not None:
            raise UsageError("--recheck-days is for live sites: an export file is read whole")
