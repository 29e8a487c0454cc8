"""What a push is asked to do: the options the command line (or a caller) fills in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from wpcpd.http import Politeness

ONLY_CHOICES = ("posts", "pages", "comments", "media")


@dataclass
class PushOptions:
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    insecure_http: bool = False
    dry_run: bool = False
    only: frozenset[str] = frozenset(ONLY_CHOICES)
    since: datetime | None = None
    """Only posts, media and comments dated (GMT) at or after this."""
    comments_only: bool = False
    author_map: dict[str, str] = field(default_factory=dict)
    """Source login -> target login or e-mail address."""
    default_author: str | None = None
    create_authors: bool = False
    include_spam: bool = False
    include_trash: bool = False
    media_dir: Path | None = None
    """A local copy of the old site's uploads folder, tried before downloading."""
    redirects: Path | None = None
    concurrency: int = 1
    politeness: Politeness = field(default_factory=Politeness)
