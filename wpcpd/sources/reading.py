"""What pull hands a live source (`Reading`) and what the source hands back (`ReadReport`).

Kept apart from the registry in wpcpd/sources/base.py, which imports every source: the
sources import this module, never the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wpcpd.archive import Archive
from wpcpd.http import PoliteSession
from wpcpd.sources.scrape import ScrapeOptions
from wpcpd.wordpress.connect import Connection


@dataclass
class Reading:
    """What a live source is given: the site, how it is reached, and how much to read."""

    archive: Archive
    session: PoliteSession
    url: str
    connection: Connection | None = None
    """The checked connection, for the channels `wpcpd.wordpress.connect` reaches."""
    full: bool = False
    comments_only: bool = False
    recheck_days: int = 30
    """REST pulls: how far back comments are compared again for edits and deletions."""
    scrape: ScrapeOptions = field(default_factory=ScrapeOptions)


@dataclass
class ReadReport:
    """What a source says once its records are saved: where it read, what to warn of."""

    address: str
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
