"""Pull a blog into the archive: choose the source for what was named, save its records."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wpcpd.archive import Archive, SaveSummary, now_iso
from wpcpd.credentials import DEFAULT_PASSWORD_ENV
from wpcpd.errors import SourceError, UsageError
from wpcpd.http import BearerAuth, Politeness, PoliteSession, SafeBasicAuth, make_session
from wpcpd.media import MediaFetcher, MediaOptions, MediaReport
from wpcpd.model import site_key
from wpcpd.sources.rest import (
    NoRestApi,
    RestBlocked,
    RestClient,
    RestError,
    RestSource,
    WpcomClient,
    check_credentials,
)
from wpcpd.sources.rest_sync import RestPull
from wpcpd.sources.scrape import ScrapeOptions, ScrapeSource
from wpcpd.sources.wxr import (
    ORIGINAL_COMMENT_ID_META,
    ORIGINAL_POST_ID_META,
    WxrReport,
    read_wxr,
)
from wpcpd.sources.xmlrpc import XmlRpcSource, default_endpoint
from wpcpd.streams import read_ahead
from wpcpd.wordpress.discover import (
    SiteApi,
    choose_scheme,
    discover,
    is_wordpress_com,
    normalise_url,
    site_address,
    wpcom_api_base,
    wpcom_site,
)

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


WPCOM_TOKEN_ENV = "WPCPD_WPCOM_TOKEN"


@dataclass
class LiveOptions:
    """How to reach a live site. The password is held here only for the pull's duration."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    concurrency: int = 4
    insecure_http: bool = False
    full: bool = False
    """Read everything again instead of only what changed."""
    comments_only: bool = False
    """The daily comment backup: only comments (after one full pull)."""
    scrape: ScrapeOptions = field(default_factory=ScrapeOptions)
    politeness: Politeness = field(default_factory=Politeness)


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
    files into the store beside the archive afterwards (wpcpd/media.py); failures there are
    listed in the result, never fatal.
    """
    path = Path(source)
    is_file = via in ("auto", "wxr") and path.exists()
    if not is_file:
        check_live_source(source, via, site)
    # Every attempt is recorded, committed at once, so `stats` and `check` can tell a
    # backup that failed or was killed from one that never ran.
    guessed = None if is_file else site_key(site_address(normalise_url(source)))
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
    url = site_address(choose_scheme(url, options.politeness))
    session = make_session(options.politeness)
    counted = _count_progress(on_progress)
    if via == "wpcom" or (via == "auto" and is_wordpress_com(url)):
        client = _wpcom_client(session, url, options)
        return _pull_rest(archive, session, client, options, channel="wpcom",
                          url=normalise_url(url), on_batch=counted)  # fmt: skip
    if via == "scrape":
        return _pull_scrape(archive, session, url, options, counted)
    api = discover(session, url)
    if via == "xmlrpc":
        return _pull_xmlrpc(archive, session, api, options, counted)
    if api.rest_root is None:
        if via == "rest":
            raise SourceError(
                f"{api.url}: no WordPress REST API found "
                "(tried the Link header, /wp-json/ and ?rest_route=/)"
            )
        return _fallback(archive, session, api, options, counted, "no REST API found")
    client = RestClient(session, api.rest_root, options.concurrency)
    try:
        return _pull_rest(archive, session, client, options, url=api.url,
                          language=api.language, on_batch=counted)  # fmt: skip
    except RestBlocked as exc:
        if via == "rest":
            raise
        return _fallback(archive, session, api, options, counted, f"REST closed ({exc})")


def _fallback(
    archive: Archive,
    session: PoliteSession,
    api: SiteApi,
    options: LiveOptions,
    on_batch: Callable[[SaveSummary], None] | None,
    reason: str,
) -> PullResult:
    """No usable REST API: XML-RPC with a login, else the public HTML of a WordPress blog."""
    if not options.user and not api.looks_like_wordpress:
        raise SourceError(
            f"{api.url}: not a WordPress blog as far as wpcpd can tell (no REST API, no "
            "XML-RPC, no WordPress markup on its home page); --via scrape reads it anyway"
        )
    if options.user:
        result = _pull_xmlrpc(archive, session, api, options, on_batch)
        result.warnings.insert(0, f"{reason}: read through XML-RPC instead")
    else:
        result = _pull_scrape(archive, session, api.url, options, on_batch)
        result.warnings.insert(0, f"{reason}: scraped the public pages instead")
    return result


def _pull_scrape(
    archive: Archive,
    session: PoliteSession,
    url: str,
    options: LiveOptions,
    on_batch: Callable[[SaveSummary], None] | None,
) -> PullResult:
    """Public HTML only; committed as it goes, since the page cache must survive a stop."""
    source = ScrapeSource(session, archive, normalise_url(url), options.scrape)
    summary = archive.save(source.records(), atomic=False, public_only=True, on_batch=on_batch)
    report = source.report
    details = {"scrape": report.as_dict(), "requests": session.request_count}
    return PullResult(source.home, "scrape", summary, report.warnings(), details)


def _pull_xmlrpc(
    archive: Archive,
    session: PoliteSession,
    api: SiteApi,
    options: LiveOptions,
    on_batch: Callable[[SaveSummary], None] | None,
) -> PullResult:
    """XML-RPC needs a login: it has no anonymous reads."""
    if not options.user or not options.password:
        raise UsageError(
            f"{api.url}: XML-RPC needs --user and a password (set {DEFAULT_PASSWORD_ENV})"
        )
    source = XmlRpcSource(
        session, api.xmlrpc or default_endpoint(api.url), options.user, options.password,
        language=api.language, allow_insecure=options.insecure_http,
    )  # fmt: skip
    source.check()
    summary = archive.save(source.records(), atomic=False, on_batch=on_batch)
    warnings = list(source.warnings)
    details = {"authenticated": True, "requests": session.request_count}
    return PullResult(api.url, "xmlrpc", summary, warnings, details)


@dataclass
class Connection:
    """A logged-in REST connection to one site, for writing (publish, push, verify)."""

    session: PoliteSession
    client: RestClient
    url: str
    language: str = ""


def connect_rest(url: str, options: LiveOptions) -> Connection:
    """Discover the site's REST API and check the credentials, which writing requires."""
    url = site_address(choose_scheme(url, options.politeness))
    session = make_session(options.politeness)
    if is_wordpress_com(url):
        client: RestClient = _wpcom_client(session, url, options)
        check_credentials(client, normalise_url(url))
        return Connection(session, client, normalise_url(url))
    api = discover(session, url)
    if api.rest_root is None:
        raise NoRestApi(f"{api.url}: no WordPress REST API found to write through")
    client = RestClient(session, api.rest_root, options.concurrency)
    if authenticate(session, client, api.url, options) is None:
        raise UsageError(f"{api.url}: writing needs --user and an application password")
    return Connection(session, client, api.url, api.language)


def probe_site(url: str, options: LiveOptions) -> dict[str, Any]:
    """What `sites test` reports: the channel a pull would use and who it logs in as.

    Raises what a pull would raise, with the same one-line explanations.
    """
    url = site_address(choose_scheme(url, options.politeness))
    session = make_session(options.politeness)
    if is_wordpress_com(url):
        client: RestClient = _wpcom_client(session, url, options)
        me = check_credentials(client, normalise_url(url)) if session.auth else None
        return _probe_answer(normalise_url(url), "wpcom", me)
    api = discover(session, url)
    if api.rest_root is not None:
        client = RestClient(session, api.rest_root, options.concurrency)
        try:
            me = authenticate(session, client, api.url, options)
            if me is None:
                _check_public_access(client, api.url)
            return _probe_answer(api.url, "rest", me)
        except RestBlocked:
            if not options.user:
                raise
    if options.user:
        endpoint = api.xmlrpc or default_endpoint(api.url)
        password = options.password or ""
        source = XmlRpcSource(session, endpoint, options.user, password,
                              allow_insecure=options.insecure_http)  # fmt: skip
        source.check()
        return _probe_answer(api.url, "xmlrpc", {"slug": options.user})
    if not api.looks_like_wordpress:
        raise SourceError(f"{api.url}: not a WordPress blog as far as wpcpd can tell")
    return _probe_answer(api.url, "scrape", None)


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


def _wpcom_client(session: PoliteSession, url: str, options: LiveOptions) -> WpcomClient:
    token = os.environ.get(WPCOM_TOKEN_ENV)
    if token:
        session.auth = BearerAuth(token)
    return WpcomClient(session, wpcom_api_base(), wpcom_site(url), options.concurrency)


def _pull_rest(
    archive: Archive,
    session: PoliteSession,
    client: RestClient,
    options: LiveOptions,
    *,
    url: str,
    channel: str = "rest",
    language: str = "",
    on_batch: Callable[[SaveSummary], None] | None = None,
) -> PullResult:
    api_url = url
    if isinstance(session.auth, BearerAuth):
        me: dict[str, Any] | None = check_credentials(client, api_url)
    else:
        me = authenticate(session, client, api_url, options)
    authenticated = me is not None
    if not authenticated:
        _check_public_access(client, api_url)
    source = RestSource(client, authenticated, language, channel=channel)
    # Sync state belongs to what a pull could see: an anonymous pull's marks say nothing
    # of drafts, so a later pull with a password starts its own full read.
    state_channel = sync_channel(channel, me)
    other_views = archive.sync_channels(source.site().key, channel) - {state_channel}
    snapshot = archive.sync_snapshot(source.site().key, state_channel)
    plan = RestPull(source, snapshot, full=options.full, comments_only=options.comments_only,
                    now=now_iso(), channel=state_channel)  # fmt: skip
    summary = archive.save(
        plan.records(), atomic=False, public_only=not authenticated, on_batch=on_batch
    )
    warnings = []
    if not authenticated:
        warnings.append(
            "public-only pull: drafts, private posts, held comments, pingbacks and e-mail "
            "addresses need --user with an application password"
        )
    if plan.mode == "full" and not options.full and other_views:
        warnings.append(
            "this pull sees the site differently from earlier ones (a password, another "
            "user or other rights): read everything, so nothing they could not see is missed"
        )
    details = {"authenticated": authenticated, "mode": plan.mode,
               "requests": session.request_count}  # fmt: skip
    return PullResult(api_url, channel, summary, warnings, details)


def sync_channel(channel: str, me: dict[str, Any] | None) -> str:
    """The name a pull's sync state is kept under: the channel and what the pull can see.

    A visitor, an author and an administrator see different posts; high-water marks
    taken by one say nothing of what another would have read.
    """
    if me is None:
        return f"{channel}:public"
    roles = ",".join(sorted(me.get("roles") or [])) or "user"
    return f"{channel}:{roles}"


def authenticate(
    session: PoliteSession, client: RestClient, url: str, options: LiveOptions
) -> dict[str, Any] | None:
    """Log the session in with the application password, checked at once: who we are
    (`users/me`), or None without a user (anonymous). A wrong password never passes
    silently as anonymous."""
    if not options.user:
        return None
    if not options.password:
        raise UsageError(
            f"no password for {options.user}: set {DEFAULT_PASSWORD_ENV} (or the variable "
            "named by --password-env), store one with keyring, or run on a terminal to be asked"
        )
    session.auth = SafeBasicAuth(
        options.user, options.password, allow_insecure=options.insecure_http
    )
    return check_credentials(client, url)


def _check_public_access(client: RestClient, url: str) -> None:
    try:
        client.get("wp/v2/posts", {"per_page": 1, "_fields": "id"})
    except RestError as exc:
        if exc.status in (401, 403):
            raise RestBlocked(
                f"{url}: the REST API is closed to visitors ({exc.code or exc.status}), "
                "probably by a security plugin: give --user with an application password"
            ) from exc
        raise


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
