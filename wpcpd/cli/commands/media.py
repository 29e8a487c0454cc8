"""`wpcpd media list|fetch|verify`: the media files kept beside the archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wpcpd import pull
from wpcpd.cli.context import open_archive, read_archive
from wpcpd.cli.options import (
    JsonOption,
    MediaExternalOption,
    MediaMaxSizeOption,
    SiteOption,
    existing_media_dir,
)
from wpcpd.cli.output import print_json, print_rows, print_text, warn


def media_list(
    site: SiteOption = None,
    status: Annotated[
        str | None, typer.Option(help="Only: ok, missing, failed or too-large.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the media files the archive keeps, with how each fetch went.

    \b
    Example:
      wpcpd media list --status failed
    """
    with read_archive() as archive:
        rows = [r for r in archive.media_files(site) if status is None or r["status"] == status]
    print_rows(rows, ["site", "status", "size", "sha256", "url", "reason"], as_json)


def media_fetch(
    site: SiteOption = None,
    media_dir: Annotated[
        Path | None, typer.Option(help="Copy from this copy of wp-content/uploads first.")
    ] = None,
    media_external: MediaExternalOption = False,
    media_max_size: MediaMaxSizeOption = "200MB",
    recheck: Annotated[
        bool, typer.Option(help="Ask again for kept files, conditionally (ETag, date).")
    ] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=16, help="Files fetched at once.")] = 4,
    as_json: JsonOption = False,
) -> None:
    """Fetch what is missing from the media store: new files, failures, 404s again.

    \b
    Example:
      wpcpd media fetch --site blog.example.org
    """
    from wpcpd.sources.media import MediaOptions, parse_size

    existing_media_dir(media_dir)
    options = MediaOptions(external=media_external, max_size=parse_size(media_max_size),
                           concurrency=concurrency, recheck=recheck, retry_missing=True,
                           media_dir=media_dir)  # fmt: skip
    with open_archive() as archive:
        row = archive.resolve_site(site)
        keys = [row["key"]] if row is not None else [r["key"] for r in archive.sites()]
        report = pull.fetch_media(archive, keys, options, None)
    if as_json:
        print_json(report.as_dict())
        return
    for warning in report.warnings():
        warn(warning)
    print_text(report.describe())


def media_verify(
    site: SiteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-hash every stored file; exit 1 if any is missing or its bytes changed.

    \b
    Example:
      wpcpd media verify
    """
    from wpcpd.archive.media_store import verify

    with read_archive() as archive:
        rows = verify(archive, site)
    bad = [r for r in rows if r["problem"]]
    if as_json:
        print_rows(rows, [], as_json=True)
    else:
        for r in bad:
            print_text(f"PROBLEM\t{r['site']}\t{r['url']}\t{r['problem']}")
        print_text(f"{len(rows) - len(bad)} of {len(rows)} media files verified")
    if bad:
        raise typer.Exit(1)
