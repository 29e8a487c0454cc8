"""The option types commands share (typer's Annotated aliases), so that an option reads and
behaves the same in every command that takes it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from wpcpd.config import site_reference
from wpcpd.errors import UsageError


class Via(StrEnum):
    """How to read a site: one of the channels, or found out (auto)."""

    auto = "auto"
    wxr = "wxr"
    rest = "rest"
    wpcom = "wpcom"
    xmlrpc = "xmlrpc"
    scrape = "scrape"


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (listings: one object per line).")
]


def _site_ref(value: str | None) -> str | None:
    return None if value is None else site_reference(value)


SITE_WORDS = "a profile name, site key, address, or the number `wpcpd stats` shows"
SiteOption = Annotated[
    str | None,
    typer.Option(
        "--site", metavar="SITE", callback=_site_ref, help=f"Only this site: {SITE_WORDS}."
    ),
]


FromSiteOption = Annotated[
    str,
    typer.Option("--from", metavar="SITE", callback=_site_ref,
                 help=f"The archived site (pushed, or to push): {SITE_WORDS}."),
]  # fmt: skip

PasswordEnvOption = Annotated[
    str, typer.Option(help="Environment variable holding the application password.")
]

InsecureHttpOption = Annotated[
    bool, typer.Option(help="Allow sending a password over plain http to another host.")
]

MediaExternalOption = Annotated[
    bool, typer.Option(help="Keep files the content shows from other hosts too.")
]

MediaMaxSizeOption = Annotated[
    str, typer.Option(metavar="SIZE", help="Larger files are listed, not fetched.")
]

ReflectionFileArgument = Annotated[
    Path, typer.Argument(help="A reflection file (Markdown with front matter).")
]

StrictOption = Annotated[bool, typer.Option(help="Unanswered prompts are errors.")]


def existing_media_dir(media_dir: Path | None) -> Path | None:
    """--media-dir names a folder that is there (a copy of wp-content/uploads), or nothing."""
    if media_dir is not None and not media_dir.is_dir():
        raise UsageError(f"{media_dir}: no such folder (--media-dir)")
    return media_dir
