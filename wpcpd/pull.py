"""Pull a blog into the archive: choose the source for what was named, save its records."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wpcpd.archive import Archive, SaveSummary
from wpcpd.errors import SourceError, UsageError
from wpcpd.http import Politeness, PoliteSession, make_session
from wpcpd.model import site_key
from wpcpd.sources.base import SOURCES
from wpcpd.sources.media import MediaFetcher, MediaOptions, MediaReport
from wpcpd.sources.reading import Reading
from wpcpd.sources.scrape import ScrapeOptions
from wpcpd.sources.wxr import (
    ORIGINAL_COMMENT_ID_META,
    ORIGINAL_POST_ID_META,
    WxrReport,
    read_wxr,
)
from wpcpd.streams import read_ahead
from wpcpd.urls import site_url
from wpcpd.wordpress.client import NoRestApi, RestBlocked
from wpcpd.wordpress.connect import XMLRPC, Connection, ConnectOptions, connect
from wpcpd.wordpress.discover import choose_scheme, site_address

OUTCOMES = ("new", "updated", "unchanged", "kept", "removed")
PLURALS = {"post": "posts", "comment": "comments", "term": "terms", "author": "authors",
           "media": "media"}  # fmt: skip


@dataclass
class PullResult:
    source: str
    channel: str
    summary: SaveSummary
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    media: MediaReport | None = None
    """The media files fetched after the records, when asked for."""

    @property
    def public_only(self) -> bool:
        """Read as a visitor sees the site: scraped, or an anonymous API pull."""
        return self.channel == "scrape" or self.details.get("authenticated") is False

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "channel": self.channel,
            **self.summary.as_dict(),
            "warnings": self.warnings,
            **self.details,
            **({"media": self.media.as_dict()} if self.media is not None else {}),
        }

    def describe(self) -> str:
        """One line a person reads: what arrived, what changed."""
        parts = []
        for kind, plural in PLURALS.items():
            counts = self.summary.counts.get(kind)
            if counts:
                parts.append(f"{plural} " + ", ".join(
                    f"{counts[outcome]} {outcome}" for outcome in OUTCOMES
                    if counts[outcome] or outcome in ("new", "updated", "unchanged")
                ))  # fmt: skip
        assigned = self.details.get("assigned_ids") or {}
        if any(assigned.values()):
            parts.append("new ids for " + ", ".join(
                f"{n} {kind if n != 1 else kind[:-1]}" for kind, n in assigned.items() if n
            ))  # fmt: skip
        if self.media is not None:
            parts.append(self.media.describe())
        sites = ", ".join(self.summary.sites) or "no site"
        how = self.channel + (f", {self.details['mode']}" if "mode" in self.details else "")
        return f"pulled {sites} from {self.source} via {how}: " + ("; ".join(parts) or
                                                                   "nothing changed")  # fmt: skip


@dataclass
class LiveOptions(ConnectOptions):
    """How to reach a live site (user, password, concurrency, politeness) and what to read."""

    full: bool = False
    """Read everything again instead of only what changed."""
    comments_only: bool = False
    """The daily comment backup: only comments (after one full pull)."""
    recheck_days: int = 30
    """How many days back an incremental pull compares comments again (edits, deletions)."""
    scrape: ScrapeOptions = field(default_factory=ScrapeOptions)


def pull(
    archive: Archive,
    source: str,
    *,
    via: str = "auto",
    live: LiveOptions | None = None,
    on_progress: Callable[[int], None] | None = None,
    site: str | None = None,
    media: MediaOptions | None = None,
) -> PullResult:
    """Read `source`, an export file or a blog's address, into the archive.

    `site` (export files only) files the export under that site: a key, an address, or a
    site the archive knows (by key, address or number). `media` fetches the site's media
    files into the store beside the archive afterwards (wpcpd/sources/media.py); failures there are
    listed in the result, never fatal.
    """
    path = Path(source)
    is_file = via in ("auto", "wxr") and path.exists()
    if not is_file:
        check_live_source(source, via, site)
    # Every attempt is recorded, committed at once, so `stats` and `check` can tell a
    # backup that failed or was killed from one that never ran.
    guessed = None if is_file else site_key(site_address(site_url(source)))
    run = archive.begin_run(source, guessed)
    try:
        if is_file:
            result = _pull_wxr(archive, path, on_progress, site)
        else:
            result = _pull_live(archive, source, via, live or LiveOptions(), on_progress)
        if media is not None:
            result.media = fetch_media(archive, result.summary.sites, media, live)
            result.warnings += result.media.warnings()
    except BaseException as exc:
        interrupted = isinstance(exc, KeyboardInterrupt | SystemExit)
        _finish_run(archive, run, "interrupted" if interrupted else "failed", message=str(exc))
        raise
    _finish_run(archive, run, "ok", channel=result.channel, public_only=result.public_only)
    return result


def fetch_media(
    archive: Archive, site_keys: list[str], options: MediaOptions, live: LiveOptions | None
) -> MediaReport:
    """Fetch the media files of the sites a pull saved. A session of its own, without the
    pull's login: files are public, and a password never goes to a file's host."""
    politeness = live.politeness if live is not None else Politeness()
    session = make_session(politeness)
    total = MediaReport()
    for key in dict.fromkeys(site_keys):
        report = MediaFetcher(archive, session, options).run(key)
        for outcome, n in report.counts.items():
            total.counts[outcome] = total.counts.get(outcome, 0) + n
        total.problems += report.problems
    total.requests = session.request_count
    return total


FILE_SUFFIXES = (".xml", ".gz", ".wxr", ".xml.gz")


def check_live_source(source: str, via: str, site: str | None = None) -> None:
    """Fail at once, without a DNS lookup, for what is a missing file, not an address."""
    looks_like_file = "://" not in source and (
        source.lower().endswith(FILE_SUFFIXES)
        or source.startswith(("/", "./", "../", "~"))
        or "." not in source.split("/")[0]
    )
    if via == "wxr" or looks_like_file:
        raise UsageError(f"{source}: no such file")
    if site is not None:
        raise UsageError("--site names the site of an export file; a live site is its address")


def _finish_run(archive: Archive, run: int, outcome: str, **details: Any) -> None:
    # When the archive itself failed (locked, full), the pull's own error says so.
    with contextlib.suppress(sqlite3.Error):
        archive.finish_run(run, outcome, **details)


def _pull_live(
    archive: Archive,
    url: str,
    via: str,
    options: LiveOptions,
    on_progress: Callable[[int], None] | None = None,
) -> PullResult:
    counted = _count_progress(on_progress)
    if via == "scrape":
        url = site_address(choose_scheme(url, options.politeness))
        return _read(archive, "scrape", _reading(archive, make_session(options.politeness),
                                                 url, options), counted)  # fmt: skip
    try:
        connection = connect(url, options, via=via, login=False)
    except (NoRestApi, RestBlocked) as exc:
        if via == "rest" or exc.api is None or exc.session is None:
            raise
        return _scrape_instead(archive, exc, options, counted)
    reading = _reading(archive, connection.session, connection.url, options, connection)
    result = _read(archive, connection.channel, reading, counted)
    if connection.fallback:
        result.warnings.insert(0, f"{connection.fallback}: read through XML-RPC instead")
    return result


def _reading(
    archive: Archive,
    session: PoliteSession,
    url: str,
    options: LiveOptions,
    connection: Connection | None = None,
) -> Reading:
    return Reading(archive, session, url, connection, options.full, options.comments_only,
                   options.recheck_days, options.scrape)  # fmt: skip


def _read(
    archive: Archive,
    channel: str,
    reading: Reading,
    on_batch: Callable[[SaveSummary], None] | None,
) -> PullResult:
    """Save what the channel's source yields, committed as it goes: a long network pull
    keeps what it fetched when interrupted."""
    source = SOURCES[channel](reading)
    summary = archive.save(source.records(), atomic=False, public_only=source.public_only,
                           on_batch=on_batch)  # fmt: skip
    report = source.report()
    details = {**report.details, "requests": reading.session.request_count}
    return PullResult(report.address, channel, summary, report.warnings, details)


def _scrape_instead(
    archive: Archive,
    exc: NoRestApi | RestBlocked,
    options: LiveOptions,
    on_batch: Callable[[SaveSummary], None] | None,
) -> PullResult:
    """No usable REST API and no login for XML-RPC: the public HTML of a WordPress blog."""
    api, session = exc.api, exc.session
    assert api is not None and session is not None  # checked by the caller
    if not api.looks_like_wordpress:
        raise SourceError(
            f"{api.url}: not a WordPress blog as far as wpcpd can tell (no REST API, no "
            "XML-RPC, no WordPress markup on its home page); --via scrape reads it anyway"
        )
    reason = "no REST API found" if isinstance(exc, NoRestApi) else f"REST closed ({exc})"
    result = _read(archive, "scrape", _reading(archive, session, api.url, options), on_batch)
    result.warnings.insert(0, f"{reason}: scraped the public pages instead")
    return result


def probe_site(url: str, options: ConnectOptions) -> dict[str, Any]:
    """What `sites test` reports: the channel a pull would use and who it logs in as.

    Raises what a pull would raise, with the same one-line explanations.
    """
    try:
        connection = connect(url, options, login=False)
    except NoRestApi as exc:
        if exc.api is None:
            raise
        if not exc.api.looks_like_wordpress:
            message = f"{exc.api.url}: not a WordPress blog as far as wpcpd can tell"
            raise SourceError(message) from exc
        return _probe_answer(exc.api.url, "scrape", None)
    me = {"slug": options.user} if connection.channel == XMLRPC else connection.me
    return _probe_answer(connection.url, connection.channel, me)


def _probe_answer(url: str, channel: str, me: dict[str, Any] | None) -> dict[str, Any]:
    user = (me or {}).get("username") or (me or {}).get("slug") or ""
    return {"url": url, "channel": channel, "user": user, "roles": (me or {}).get("roles", [])}


def _count_progress(
    on_progress: Callable[[int], None] | None,
) -> Callable[[SaveSummary], None] | None:
    """Turn the archive's per-batch summaries into a running count of records."""
    if on_progress is None:
        return None
    return lambda summary: on_progress(sum(sum(c.values()) for c in summary.counts.values()))


def _pull_wxr(
    archive: Archive,
    path: Path,
    on_progress: Callable[[int], None] | None,
    site: str | None = None,
) -> PullResult:
    if path.is_dir():
        raise UsageError(f"{path}: is a folder, not an export file")
    if site is not None:
        try:
            known = archive.resolve_site(site)  # a site the archive knows
            site = known["url"] if known is not None else site
        except UsageError:
            if site.isdigit():  # a number names only a known site
                raise
    report = WxrReport()
    # One transaction for the whole file: a broken export changes nothing at all.
    summary = archive.save(read_ahead(read_wxr(path, report, on_progress, site)), atomic=True)
    warnings = list(report.warnings or [])
    if report.repaired:
        warnings.append(
            f"{path}: repaired {report.repaired} invalid characters "
            "(control characters removed, non-UTF-8 bytes read as Windows-1252)"
        )
    warnings += _wxr_notes(path, report)
    return PullResult(
        str(path), "wxr", summary, warnings,
        {"wxr_version": report.version, "repaired": report.repaired,
         "assigned_ids": report.assigned_ids(), "tolerant_reader": report.tolerant},
    )  # fmt: skip


def _wxr_notes(path: Path, report: WxrReport) -> list[str]:
    """What a person should know about how the file was read, beyond repairs."""
    notes = []
    if report.posts_without_id or report.posts_repeating_id:
        notes.append(
            f"{path}: {report.posts_repeating_id + report.posts_without_id} items had a "
            f"wp:post_id an earlier item has ({report.posts_repeating_id}) or none "
            f"({report.posts_without_id}): each is kept as a post of its own under a new id "
            f"(post meta {ORIGINAL_POST_ID_META} keeps what the file said)"
        )
    if report.comments_reassigned:
        notes.append(
            f"{path}: {report.comments_reassigned} comments had a wp:comment_id already used "
            f"or none: each is kept under a new id (comment meta {ORIGINAL_COMMENT_ID_META})"
        )
    if report.categories_ignored:
        notes.append(
            f"{path}: ignored {report.categories_ignored} <category> elements without a "
            f"nicename, as WordPress's importer does for WXR {report.version} (they are not "
            "terms)"
        )
    return notes
