"""Push an archived site into another WordPress through its REST API (a migration).

Order: authors, terms (parents first), media, pages (parents first), posts, then comments
(parents first). Links in content to the old site's items are rewritten to their new
addresses (`wpcpd.sinks.redirects.UrlMap`); references to items created later in the same
run (a post linking to a newer one, an attachment's parent post) are settled by a second,
cheap pass that only writes what changed.

Every write is recorded in the archive's `remote_ids` table as soon as its answer arrives,
with a hash of what was sent. So a push can be interrupted anywhere and run again: items
whose hash is unchanged cost no request at all, changed ones are updated, and items without
a record are first looked for on the target (slug and date for posts and media, post, date,
author and content for comments) before anything is created, which catches a write whose
answer was lost.

What WordPress's REST API cannot do is reported per item as "skipped" with the reason:
pingbacks and trackbacks (REST refuses any comment type but "comment"), comments on drafts
and trashed posts, and items of a post type or taxonomy the target does not have.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import secrets
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from wpcpd.archive import Archive, RemoteId
from wpcpd.errors import UsageError
from wpcpd.http import NetworkError, Politeness, PoliteSession, make_session
from wpcpd.media import copy_out
from wpcpd.model import Author, Comment, Media, Post, Term, format_gmt, format_local, site_key
from wpcpd.pull import LiveOptions, authenticate
from wpcpd.sinks.redirects import MediaFile, RedirectPair, UrlMap, write_redirects
from wpcpd.sources.rest import SKIPPED_TAXONOMIES, SKIPPED_TYPES, RestClient, RestError
from wpcpd.text import term_name_key
from wpcpd.wordpress.discover import discover
from wpcpd.wordpress.writer import RestWriteError, RestWriter

ONLY_CHOICES = ("posts", "pages", "comments", "media")
KINDS = ("author", "term", "media", "page", "post", "comment")
PLURALS = {"author": "authors", "term": "terms", "media": "media", "page": "pages",
           "post": "posts", "comment": "comments"}  # fmt: skip
OUTCOMES = ("created", "updated", "matched", "unchanged", "skipped", "failed")
# When one item gets several outcomes (two passes, chained writes), the first listed wins.
_PRECEDENCE = ("failed", "created", "matched", "updated", "skipped", "unchanged")
PLACEHOLDER_EMAIL = "wpcpd-placeholder@example.invalid"
PLACEHOLDER_NAME = "wpcpd placeholder"
# Appended to a repeated comment so WordPress does not refuse it as a duplicate, then taken
# off by an update (an invisible character is no use: MySQL's collation ignores it).
DUPLICATE_MARK = "<!-- -->"
NEW_AUTHOR_ROLE = "author"
PASSWORD_NOTE = (
    "password-protected, but this archive's copy was read as a visitor and lacks the "
    "password: given a new random one; set yours in the editor (or pull with --user first)"
)
PINGBACK_REASON = (
    "WordPress cannot create {type}s through its APIs (REST refuses any comment type but "
    "'comment'; XML-RPC's wp.newComment makes plain comments)"
)


# -- options and report ---------------------------------------------------------------


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


@dataclass
class Outcome:
    kind: str
    source_id: str
    outcome: str
    reason: str = ""
    label: str = ""


@dataclass
class Collision:
    kind: str
    source_id: str
    wanted: str
    got: str
    url: str


@dataclass
class PushReport:
    source: str
    target: str
    dry_run: bool = False
    items: dict[tuple[str, str], Outcome] = field(default_factory=dict)
    collisions: list[Collision] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    redirect_files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    on_add: Callable[[], None] | None = field(default=None, repr=False)
    """Called for each outcome: drives a progress bar."""

    def add(self, outcome: Outcome) -> None:
        if self.on_add is not None:
            self.on_add()
        key = (outcome.kind, outcome.source_id)
        previous = self.items.get(key)
        if previous is None or _rank(outcome) < _rank(previous):
            if previous is not None and not outcome.reason:
                outcome.reason = previous.reason
            self.items[key] = outcome
        elif outcome.reason and not previous.reason and outcome.outcome != "unchanged":
            previous.reason = outcome.reason

    @property
    def counts(self) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
        for item in self.items.values():
            counts[item.kind][item.outcome] += 1
        return {kind: c for kind, c in counts.items() if c}

    @property
    def failed(self) -> int:
        return sum(1 for item in self.items.values() if item.outcome == "failed")

    def notes(self) -> list[Outcome]:
        """Items a person should hear about: skipped, failed, or carried with a caveat."""
        chosen = [i for i in self.items.values() if i.reason]
        return sorted(chosen, key=lambda i: (OUTCOMES.index(i.outcome), i.kind, i.source_id))

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "dry_run": self.dry_run,
            "counts": {kind: dict(c) for kind, c in self.counts.items()},
            "notes": [vars(n) for n in self.notes()],
            "collisions": [vars(c) for c in self.collisions],
            "requests": self.requests,
            "redirect_files": {k: str(v) for k, v in self.redirect_files.items()},
            "warnings": self.warnings,
        }

    def describe(self) -> str:
        verb = "would push" if self.dry_run else "pushed"
        lines = [f"{verb} {self.source} to {self.target}"]
        for kind, counts in self.counts.items():
            parts = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts[o])
            lines.append(f"  {PLURALS[kind]}: {parts}")
        notes = self.notes()
        if notes:
            lines.append("notes:")
            lines += [f"  {n.kind} {n.source_id} {n.label}: {n.outcome}: {n.reason}".replace(
                "  ", " ").rstrip() for n in notes]  # fmt: skip
        if self.collisions:
            lines.append("slug collisions (the target already had the slug):")
            lines += [f"  {c.kind} {c.source_id}: {c.wanted} -> {c.got}  {c.url}"
                      for c in self.collisions]  # fmt: skip
        for name, path in self.redirect_files.items():
            lines.append(f"redirects ({name}): {path}")
        lines.append("requests: " + ", ".join(f"{m} {n}" for m, n in self.requests.items()))
        return "\n".join(lines)


def _rank(outcome: Outcome) -> int:
    return _PRECEDENCE.index(outcome.outcome)


# -- what the archive holds -----------------------------------------------------------


@dataclass
class Source:
    key: str
    url: str
    authors: dict[str, Author] = field(default_factory=dict)
    terms: list[Term] = field(default_factory=list)
    posts: dict[int, Post] = field(default_factory=dict)
    media: dict[int, Media] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)

    @cached_property
    def logins_by_id(self) -> dict[int, str]:
        return {a.id: a.login for a in self.authors.values() if a.id}


def load_source(archive: Archive, site_ref: str) -> Source:
    """One site's records from the archive, in memory (push needs them cross-referenced)."""
    row = archive.resolve_site(site_ref)
    assert row is not None
    source = Source(row["key"], row["url"])
    for _, record in archive.iter_records(row["key"]):
        match record:
            case Author():
                source.authors[record.login] = record
            case Term():
                source.terms.append(record)
            case Post():
                source.posts[record.id] = record
            case Media():
                source.media[record.id] = record
            case Comment():
                source.comments.append(record)
    return source


def content_hash(fields: dict[str, Any]) -> str:
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def rest_date(value: datetime | None, gmt: bool = True) -> str | None:
    text = format_gmt(value) if gmt else format_local(value)
    return text.removesuffix("Z") if text else None


def post_kind(post: Post) -> str:
    return "page" if post.type == "page" else "post"


# -- the target -----------------------------------------------------------------------


@dataclass
class TypeInfo:
    name: str
    rest_base: str
    hierarchical: bool
    taxonomies: list[str]


@dataclass
class Target:
    """A connected target site: its client, writer, identity and what it can hold."""

    url: str
    key: str
    client: RestClient
    writer: RestWriter
    me: dict[str, Any]
    types: dict[str, TypeInfo]
    taxonomies: dict[str, TypeInfo]


def connect(session: PoliteSession, url: str, options: PushOptions) -> Target:
    """Find the target's REST API and check the credentials: pushing needs an administrator."""
    api = discover(session, url)
    if api.rest_root is None:
        raise UsageError(f"{api.url}: no WordPress REST API found to push into")
    client = RestClient(session, api.rest_root, max(1, options.concurrency))
    if not options.user:
        raise UsageError("push needs --user with an administrator's application password")
    live = LiveOptions(user=options.user, password=options.password,
                       insecure_http=options.insecure_http)  # fmt: skip
    authenticate(session, client, api.url, live)
    me = client.json("wp/v2/users/me", {"context": "edit"})
    home = client.index().get("home") or api.url
    return Target(
        url=home.rstrip("/"),
        key=site_key(home),
        client=client,
        writer=RestWriter(client),
        me=me,
        types=_types(client.json("wp/v2/types", {"context": "edit"})),
        taxonomies=_types(client.json("wp/v2/taxonomies", {"context": "edit"})),
    )


def _types(found: dict[str, Any]) -> dict[str, TypeInfo]:
    return {
        name: TypeInfo(name, info["rest_base"], bool(info.get("hierarchical")),
                       list(info.get("taxonomies") or []))
        for name, info in found.items()
        if info.get("rest_base")
    }  # fmt: skip


class TargetIndex:
    """What the target already holds, read once and only when needed, to match items that
    have no record in the archive (a lost answer, or a site that had them before)."""

    def __init__(self, client: RestClient) -> None:
        self.client = client
        self._posts: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {}
        self._terms: dict[str, dict[str, dict[str, Any]]] = {}
        self._comments: dict[tuple[Any, ...], dict[str, Any]] | None = None
        self._users: list[dict[str, Any]] | None = None

    def post(self, rest_base: str, slug: str, title: str, date: str | None) -> dict | None:
        """The item with this slug (or title, without one) and date; a slug the target
        made unique ("-2") matches too, since that is what a collision leaves behind."""
        if rest_base not in self._posts:
            self._posts[rest_base] = self._read_posts(rest_base)
        found = self._posts[rest_base]
        return found.get(_post_key(slug, title, date)) or found.get(("renamed", slug, date or ""))

    def _read_posts(self, rest_base: str) -> dict[tuple[str, ...], dict[str, Any]]:
        found: dict[tuple[str, ...], dict[str, Any]] = {}
        statuses = ["inherit"] if rest_base == "media" else ["any", "trash"]
        for status in statuses:
            params = {"context": "edit", "status": status,
                      "_fields": "id,slug,date_gmt,title,link,status,password"}  # fmt: skip
            for item in self.client.all_items(f"wp/v2/{rest_base}", params):
                title = (item.get("title") or {}).get("raw", "")
                date = item.get("date_gmt")
                found.setdefault(_post_key(item["slug"], title, date), item)
                renamed = _UNIQUE_SUFFIX.match(item["slug"])
                if renamed:
                    found.setdefault(("renamed", renamed[1], date or ""), item)
        return found

    def term(self, rest_base: str, slug: str) -> dict[str, Any] | None:
        if rest_base not in self._terms:
            items = self.client.all_items(f"wp/v2/{rest_base}", {"context": "edit"})
            self._terms[rest_base] = {item["slug"]: item for item in items}
        return self._terms[rest_base].get(slug)

    def comment(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        if self._comments is None:
            params = {"context": "edit", "status": "any", "type": "all"}
            self._comments = {}
            for item in self.client.all_items("wp/v2/comments", params):
                raw = (item.get("content") or {}).get("raw", "")
                # A comment created with placeholders whose fixing update never came.
                name = "" if item["author_name"] == PLACEHOLDER_NAME else item["author_name"]
                key = _comment_key(item["post"], item.get("date_gmt"), name, raw)
                self._comments.setdefault(key, item)
        key = _comment_key(fields["post"], fields.get("date_gmt"), fields.get("author_name", ""),
                           fields["content"])  # fmt: skip
        return self._comments.get(key)

    def users(self) -> list[dict[str, Any]]:
        if self._users is None:
            self._users = list(self.client.all_items("wp/v2/users", {"context": "edit"}))
        return self._users

    def user(self, login_or_email: str) -> dict[str, Any] | None:
        wanted = login_or_email.lower()
        for key in ("username", "email"):
            for user in self.users():
                if str(user.get(key, "")).lower() == wanted:
                    return user
        return None


_UNIQUE_SUFFIX = re.compile(r"^(.+)-\d+$")


def _post_key(slug: str, title: str, date: str | None) -> tuple[str, ...]:
    date = (date or "").removesuffix("Z")
    return ("slug", slug, date) if slug else ("title", title, date)


def _comment_key(post: int, date: str | None, author: str, content: str) -> tuple[Any, ...]:
    text = comparable_html(content.replace(DUPLICATE_MARK, ""))
    digest = hashlib.sha256(text.encode()).hexdigest()
    return (post, (date or "").removesuffix("Z"), author.strip(), digest)


# -- the mapping table ----------------------------------------------------------------


class Mappings:
    """The archive's remote_ids for one source and target, cached, written through."""

    def __init__(self, archive: Archive, source: str, target: str, dry_run: bool) -> None:
        self.archive = archive
        self.source = source
        self.target = target
        self.dry_run = dry_run
        self._cache: dict[str, dict[str, RemoteId]] = {}

    def all(self, kind: str) -> dict[str, RemoteId]:
        if kind not in self._cache:
            rows = self.archive.remote_ids(kind, self.source, self.target)
            self._cache[kind] = {r.source_id: r for r in rows}
        return self._cache[kind]

    def get(self, kind: str, source_id: Any) -> RemoteId | None:
        return self.all(kind).get(str(source_id))

    def target_id(self, kind: str, source_id: Any) -> int | None:
        found = self.get(kind, source_id)
        return found.target_id if found else None

    def record(
        self, kind: str, source_id: Any, target_id: int, url: str = "", digest: str = ""
    ) -> None:
        remote = RemoteId(kind, self.source, str(source_id), self.target, int(target_id),
                          url, digest)  # fmt: skip
        self.all(kind)[str(source_id)] = remote
        if not self.dry_run:
            self.archive.set_remote_id(remote)

    def set_hash(self, kind: str, source_id: Any, digest: str) -> None:
        found = self.get(kind, source_id)
        if found is not None:
            self.record(kind, source_id, found.target_id, found.target_url, digest)


def url_map(source: Source, maps: Mappings) -> UrlMap:
    """Where the source's pushed posts, pages and files are now."""
    pages: dict[str, str] = {}
    for kind in ("post", "page", "media"):
        for source_id, remote in maps.all(kind).items():
            post = source.posts.get(int(source_id))
            if post is None or not remote.target_url:
                continue
            # Shortlinks (?p=, ?page_id=) and old GUIDs point at the same item.
            query = {"page": "page_id", "media": "attachment_id"}.get(kind, "p")
            guid = post.guid if "?" in post.guid else ""
            for old in (f"{source.url}/?{query}={post.id}", guid, post.link):
                if old:
                    pages[old] = remote.target_url
    files: dict[str, str] = {}
    sizes: dict[str, dict[str, str]] = {}
    for key, remote in maps.all("media_file").items():
        media_id, _, dims = key.partition(":")
        if dims:
            sizes.setdefault(media_id, {})[dims] = remote.target_url
        else:
            files[media_id] = remote.target_url
    media = []
    for source_id in maps.all("media"):
        item = source.media.get(int(source_id))
        if item is not None and item.url and source_id in files:
            media.append(MediaFile(item.id, item.url, files[source_id], sizes.get(source_id, {})))
    extra_sizes: dict[str, dict[str, str]] = {}
    for key, remote in maps.all("media_extra_size").items():
        old, _, dims = key.rpartition(" ")
        extra_sizes.setdefault(old, {})[dims] = remote.target_url
    for old, remote in maps.all("media_extra").items():  # files kept that are no attachment
        if remote.target_url:
            media.append(MediaFile(0, old, remote.target_url, extra_sizes.get(old, {})))
    media_ids = {int(k): r.target_id for k, r in maps.all("media").items()}
    return UrlMap(pages, media, media_ids)


# -- writes and how they run ----------------------------------------------------------


@dataclass
class Write:
    """One remote write: `send` runs in a worker (HTTP only); `finish` runs in the main
    thread, records the result in the archive, and may chain one more write."""

    kind: str
    source_id: str
    label: str
    action: str
    send: Callable[[], Any]
    finish: Callable[[Any], Write | None]


Decision = Write | Outcome | None


class Runner:
    """Runs writes, at most `concurrency` at a time, recording each as its answer arrives."""

    def __init__(self, report: PushReport, concurrency: int, dry_run: bool) -> None:
        self.report = report
        self.concurrency = max(1, concurrency)
        self.dry_run = dry_run
        self._fake_ids = 0

    def run(self, decisions: Iterable[Decision], concurrency: int | None = None) -> None:
        """Perform the writes among `decisions`, deciding each only when its turn comes:
        what an earlier write created (a new post's address) is then known to later ones."""
        writes = self._writes(decisions)
        if self.dry_run:
            self._pretend(writes)
        elif min(self.concurrency, concurrency or self.concurrency) == 1:
            self._in_order(writes)
        else:
            self._concurrently(writes)

    def _writes(self, decisions: Iterable[Decision]) -> Iterator[Write]:
        for decision in decisions:
            if isinstance(decision, Outcome):
                self.report.add(decision)
            elif decision is not None:
                yield decision

    def _pretend(self, writes: Iterable[Write]) -> None:
        """A dry run: each write "succeeds" with a made-up id, so the items that depend on
        it (comments on a new post) are reported as they would be."""
        for write in writes:
            follow_up: Write | None = write
            while follow_up is not None:
                self._fake_ids -= 1
                follow_up = follow_up.finish({"id": self._fake_ids, "link": "", "sha256": ""})

    def _in_order(self, writes: Iterable[Write]) -> None:
        for write in writes:
            follow_up: Write | None = write
            while follow_up is not None:
                follow_up = self._finish(follow_up, _attempt(follow_up))

    def _concurrently(self, writes: Iterable[Write]) -> None:
        upcoming = iter(writes)
        follow_ups: deque[Write] = deque()
        running: dict[Future[Any], Write] = {}
        failure: BaseException | None = None
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            while True:
                while failure is None and len(running) < self.concurrency * 2:
                    write = follow_ups.popleft() if follow_ups else next(upcoming, None)
                    if write is None:
                        break
                    running[pool.submit(_attempt, write)] = write
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    write = running.pop(future)
                    try:
                        result = future.result()
                    except BaseException as exc:  # record the others before stopping
                        failure = failure or exc
                        continue
                    follow_up = self._finish(write, result)
                    if follow_up is not None:
                        follow_ups.append(follow_up)
        if failure is not None:
            raise failure

    def _finish(self, write: Write, result: Any) -> Write | None:
        if isinstance(result, RestError):
            reason = str(result).split(": ", 1)[-1]
            self.report.add(Outcome(write.kind, write.source_id, "failed", reason, write.label))
            return None
        return write.finish(result)


def _attempt(write: Write) -> Any:
    """Send a write; a refusal is a result (the item failed), a network failure stops all."""
    try:
        return write.send()
    except NetworkError:
        raise
    except RestError as exc:
        return exc


def _dry(action: str) -> str:
    return {"create": "created", "update": "updated", "match": "matched"}.get(action, action)


# -- the push -------------------------------------------------------------------------


def push(
    archive: Archive,
    site_ref: str,
    target_url: str,
    options: PushOptions,
    *,
    session: PoliteSession | None = None,
    on_phase: Callable[[str, int], None] | None = None,
    on_step: Callable[[], None] | None = None,
) -> PushReport:
    """Push one archived site into the WordPress at `target_url`; safe to run again.

    `on_phase(name, total)` is called as each phase starts, `on_step()` as items finish.
    """
    if archive.resolve_site(site_ref) is None:
        raise UsageError("name the site to push with --from")
    session = session or make_session(options.politeness)
    target = connect(session, target_url, options)
    source = load_source(archive, site_ref)
    if target.key == source.key:
        raise UsageError(f"{target_url} is the site being pushed; push into another site")
    report = PushReport(source.key, target.url, options.dry_run, on_add=on_step)
    pusher = Pusher(archive, source, target, options, report, on_phase)
    pusher.run()
    if options.redirects is not None and options.dry_run:
        report.warnings.append(f"a dry run writes no files: {options.redirects}.* not written")
    elif options.redirects is not None:
        report.redirect_files = write_redirects(options.redirects, redirect_pairs(source,
                                                pusher.maps))  # fmt: skip
    report.collisions = collisions(source, pusher.maps)
    report.requests = {"total": session.request_count, **target.writer.writes}
    return report


class Pusher:
    def __init__(
        self,
        archive: Archive,
        source: Source,
        target: Target,
        options: PushOptions,
        report: PushReport,
        on_phase: Callable[[str, int], None] | None = None,
    ) -> None:
        self.source = source
        self.target = target
        self.options = options
        self.report = report
        self.on_phase = on_phase or (lambda phase, total: None)
        self.writer = target.writer
        self.archive = archive
        self.maps = Mappings(archive, source.key, target.key, options.dry_run)
        self.index = TargetIndex(target.client)
        self.runner = Runner(report, options.concurrency, options.dry_run)
        self.author_ids: dict[str, int] = {}
        self.urls = UrlMap({})
        self.downloads = make_session(options.politeness)
        self.now = datetime.now(UTC)
        self.closed_digests: dict[str, str] = {}
        """Hashes of posts whose comments are open only while comments are added."""

    def run(self) -> None:
        self._check_target()
        self.push_authors()
        if not self.options.comments_only:
            wanted = self.options.only
            if wanted & {"posts", "pages"}:
                self.push_terms()
            for second_pass in (False, True):
                # The second pass settles references to items created after their user.
                if "media" in wanted:
                    self.push_media()
                for kind in ("page", "post"):
                    if kind + "s" in wanted:
                        self.push_posts(kind, second_pass)
        if "comments" in self.options.only or self.options.comments_only:
            self.push_comments()

    def _check_target(self) -> None:
        roles = self.target.me.get("roles") or []
        if "administrator" not in roles:
            self.report.warnings.append(
                f"{self.options.user} is not an administrator on the target: WordPress may "
                "strip markup (no unfiltered_html) and refuse comment fields"
            )

    def _selected(self, when: datetime | None) -> bool:
        since = self.options.since
        return since is None or when is None or when >= since

    # -- authors ------------------------------------------------------------------------

    def needed_logins(self) -> list[str]:
        logins = {p.author for p in self.source.posts.values() if p.author}
        by_id = self.source.logins_by_id
        logins |= {by_id[c.user_id] for c in self.source.comments if c.user_id in by_id}
        return sorted(logins)

    def push_authors(self) -> None:
        logins = self.needed_logins()
        self.on_phase("authors", len(logins))
        self.runner.run(self.author_decision(login) for login in logins)

    def author_decision(self, login: str) -> Decision:
        author = self.source.authors.get(login) or Author(login)
        explicit = self.options.author_map.get(login)
        if explicit:
            return self._author_as(login, explicit, "--author-map")
        mapped = self.maps.get("author", login)
        if mapped:
            self.author_ids[login] = mapped.target_id
            return Outcome("author", login, "unchanged")
        user = self.index.user(login) or (author.email and self.index.user(author.email))
        if user:
            self.author_ids[login] = user["id"]
            self.maps.record("author", login, user["id"], user.get("link", ""))
            return Outcome("author", login, "matched")
        if self.options.create_authors:
            return self._create_author(author)
        if self.options.default_author:
            return self._author_as(login, self.options.default_author, "--default-author")
        self.author_ids[login] = self.target.me["id"]
        return Outcome("author", login, "skipped",
                       f"no such user on the target: their items go to {self.options.user} "
                       "(use --create-authors, --author-map or --default-author)")  # fmt: skip

    def _author_as(self, login: str, wanted: str, how: str) -> Outcome:
        user = self.index.user(wanted)
        if user is None:
            self.author_ids[login] = self.target.me["id"]
            return Outcome("author", login, "failed", f"{how} names {wanted}: no such user")
        self.author_ids[login] = user["id"]
        return Outcome("author", login, "matched", f"{how}: {user.get('username', wanted)}")

    def _create_author(self, author: Author) -> Write:
        email = author.email or f"{author.login}@example.invalid"
        fields = {
            "username": author.login,
            "email": email,
            "name": author.display_name or author.login,
            "first_name": author.first_name,
            "last_name": author.last_name,
            "roles": [NEW_AUTHOR_ROLE],
            "password": secrets.token_urlsafe(24),  # never shown: they reset it by e-mail
        }

        def finish(user: dict[str, Any]) -> None:
            self.author_ids[author.login] = user["id"]
            self.maps.record("author", author.login, user["id"], user.get("link", ""))
            reason = "" if author.email else f"no e-mail in the archive: given {email}"
            self.report.add(Outcome("author", author.login, "created", reason))

        self.author_ids[author.login] = self.target.me["id"]  # until created
        return Write("author", author.login, "", "create",
                     lambda: self.writer.create_user(fields), finish)  # fmt: skip

    def author_id(self, login: str) -> int:
        return self.author_ids.get(login, self.target.me["id"])

    # -- terms --------------------------------------------------------------------------

    def push_terms(self) -> None:
        terms = [t for t in self.source.terms if t.taxonomy != "post_format"]
        self.on_phase("terms", len(terms))
        for level in _levels(terms, lambda t: (t.taxonomy, t.slug),
                             lambda t: (t.taxonomy, t.parent) if t.parent else None):  # fmt: skip
            self.runner.run(self.term_decision(term) for term in level)

    def term_decision(self, term: Term) -> Decision:
        key = f"{term.taxonomy}/{term.slug}"
        if term.taxonomy in SKIPPED_TAXONOMIES:
            return None
        info = self.target.taxonomies.get(term.taxonomy)
        if info is None:
            return Outcome("term", key, "skipped",
                           f"the target has no taxonomy {term.taxonomy} (add the plugin or "
                           "theme that registers it, then push again)", term.name)  # fmt: skip
        fields: dict[str, Any] = {"name": term.name, "slug": term.slug,
                                  "description": term.description}  # fmt: skip
        if info.hierarchical:
            fields["parent"] = self.maps.target_id("term", f"{term.taxonomy}/{term.parent}") or 0
        digest = content_hash(fields)
        route = f"wp/v2/{info.rest_base}"
        mapped = self.maps.get("term", key)
        if mapped:
            if mapped.content_hash == digest:
                return Outcome("term", key, "unchanged")
            return self._term_write(
                key,
                term.name,
                "update",
                digest,
                lambda: self.writer.update(route, mapped.target_id, fields),
            )
        existing = self.index.term(info.rest_base, term.slug)
        if existing:
            if _same_term(existing, fields):
                self.maps.record("term", key, existing["id"], existing.get("link", ""), digest)
                return Outcome("term", key, "matched")
            return self._term_write(
                key,
                term.name,
                "match",
                digest,
                lambda: self.writer.update(route, existing["id"], fields),
            )
        return self._term_write(
            key, term.name, "create", digest, lambda: self._ensure_term(info.rest_base, fields)
        )

    def _ensure_term(self, rest_base: str, fields: dict[str, Any]) -> dict[str, Any]:
        result = self.writer.ensure_term(
            rest_base,
            fields["name"],
            fields["slug"],
            fields.get("parent", 0),
            fields["description"],
        )
        if result.created:
            return {"id": result.id, "link": "", "outcome": "created"}
        # Found by name and parent: make it what the archive says (slug, description).
        updated = self.writer.update(f"wp/v2/{rest_base}", result.id, fields)
        return {**updated, "outcome": "matched"}

    def _term_write(
        self, key: str, label: str, action: str, digest: str, send: Callable[[], Any]
    ) -> Write:
        def finish(item: dict[str, Any]) -> None:
            self.maps.record("term", key, item["id"], item.get("link", ""), digest)
            outcome = item.get("outcome") or _dry(action)
            self.report.add(Outcome("term", key, outcome, "", label))

        return Write("term", key, label, action, send, finish)

    # -- media --------------------------------------------------------------------------

    def push_media(self) -> None:
        self.urls = url_map(self.source, self.maps)
        items = [m for m in self.source.media.values()
                 if self._selected(self._attachment(m).date_gmt)]  # fmt: skip
        self.on_phase("media", len(items))
        # One at a time: WordPress races creating the month's upload folder ("Unable to
        # create directory") when two uploads arrive together.
        self.runner.run((self.media_decision(m) for m in items), concurrency=1)
        extras = [row for row in self.archive.media_files(self.source.key)
                  if row["status"] == "ok" and row["media_id"] is None]  # fmt: skip
        self.runner.run((self.file_decision(row) for row in extras), concurrency=1)

    def file_decision(self, row: dict[str, Any]) -> Decision:
        """A file the content shows that is no attachment (kept in the media store):
        uploaded as an attachment of its own, so the content can point at it."""
        url, key = row["url"], f"file {row['url']}"
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "file"
        mapped = self.maps.get("media_extra", url)
        if mapped and mapped.content_hash == row["sha256"]:
            return Outcome("media", key, "unchanged", "", name)

        def send() -> dict[str, Any]:
            data = copy_out(self.archive, self.source.key, url)
            if data is None:
                raise RestError(f"{url}: not in the media store", 0, "download_failed")
            return self.writer.upload_media(data, name, row["content_type"])

        def finish(answer: dict[str, Any]) -> None:
            self.maps.record("media_extra", url, answer["id"], answer.get("source_url", ""),
                             row["sha256"])  # fmt: skip
            sizes = (answer.get("media_details") or {}).get("sizes") or {}
            for size in sizes.values():
                if size.get("width") and size.get("height") and size.get("source_url"):
                    dims = f"{size['width']}x{size['height']}"
                    self.maps.record("media_extra_size", f"{url} {dims}", answer["id"],
                                     size["source_url"])  # fmt: skip
            self.report.add(Outcome("media", key, "created", "", name))

        return Write("media", key, name, "create", send, finish)

    def _attachment(self, media: Media) -> Post:
        found = self.source.posts.get(media.id)
        if found is not None:
            return found
        name = media.url.rsplit("/", 1)[-1]
        return Post(id=media.id, type="attachment", status="inherit", title=name.rsplit(".")[0])

    def media_fields(self, media: Media, post: Post) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "title": post.title,
            "caption": post.excerpt,
            "description": post.content,
            "alt_text": media.alt_text,
            "slug": post.slug,
            "author": self.author_id(post.author),
            "comment_status": post.comment_status or "open",
            "ping_status": post.ping_status or "closed",
        }
        fields.update(_post_dates(post))
        parent = media.post or post.parent
        parent_id = parent and self._post_target(parent)
        if parent_id:
            fields["post"] = parent_id
        return fields

    def media_decision(self, media: Media) -> Decision:
        key = str(media.id)
        post = self._attachment(media)
        fields = self.media_fields(media, post)
        digest = content_hash(fields)
        label = post.title
        mapped = self.maps.get("media", key)
        if mapped:
            sha, _, stored = mapped.content_hash.rpartition("|")
            if stored == digest:
                return Outcome("media", key, "unchanged")
            return self._media_update(media, mapped.target_id, fields, sha, "update", label)
        existing = self.index.post("media", post.slug, post.title, fields.get("date_gmt"))
        if existing:
            return self._media_update(media, existing["id"], fields, "", "match", label)
        if not media.url and not self.options.media_dir:
            return Outcome("media", key, "skipped", "no file address in the archive", label)
        return Write("media", key, label, "create", lambda: self._upload(media, post, fields),
                     lambda answer: self._uploaded(media, answer, fields, label))  # fmt: skip

    def _upload(self, media: Media, post: Post, fields: dict[str, Any]) -> dict[str, Any]:
        data = self._file_bytes(media)
        sha = hashlib.sha256(data).hexdigest()
        name = unquote(urlsplit(media.url).path.rsplit("/", 1)[-1]) or f"{post.slug}.bin"
        short = {k: fields[k] for k in ("slug", "date_gmt", "date") if fields.get(k)}
        answer = self.writer.upload_media(data, name, media.mime_type or post.mime_type, short)
        return {**answer, "sha256": sha}

    def _file_bytes(self, media: Media) -> bytes:
        # The media store beside the archive first: the old site may be gone.
        kept = copy_out(self.archive, self.source.key, media.url) if media.url else None
        if kept is not None:
            return kept
        local = self._local_copy(media)
        if local is not None:
            return local.read_bytes()
        try:
            response = self.downloads.get(media.url)
        except NetworkError as exc:  # the old site is gone: this file fails, not the push
            raise RestError(
                f"{media.url}: could not download ({exc})", 0, "download_failed"
            ) from exc
        if response.status_code != 200:
            raise RestError(f"{media.url}: HTTP {response.status_code} (could not download)",
                            response.status_code, "download_failed")  # fmt: skip
        return response.content

    def _local_copy(self, media: Media) -> Path | None:
        folder = self.options.media_dir
        if folder is None:
            return None
        name = unquote(urlsplit(media.url).path.rsplit("/", 1)[-1])
        for candidate in (folder / media.file, folder / name) if media.file else (folder / name,):
            if candidate.is_file():
                return candidate
        return None

    def _uploaded(
        self, media: Media, answer: dict[str, Any], fields: dict[str, Any], label: str
    ) -> Write:
        key = str(media.id)
        sha = answer["sha256"]
        self.maps.record("media", key, answer["id"], answer.get("link", ""), f"{sha}|")
        self._record_files(key, answer)
        self.report.add(Outcome("media", key, "created", "", label))
        return self._media_update(media, answer["id"], fields, sha, "update", label)

    def _record_files(self, key: str, answer: dict[str, Any]) -> None:
        self.maps.record("media_file", key, answer["id"], answer.get("source_url", ""))
        sizes = (answer.get("media_details") or {}).get("sizes") or {}
        for size in sizes.values():
            if size.get("width") and size.get("height") and size.get("source_url"):
                dims = f"{size['width']}x{size['height']}"
                self.maps.record("media_file", f"{key}:{dims}", answer["id"], size["source_url"])

    def _media_update(
        self,
        media: Media,
        target_id: int,
        fields: dict[str, Any],
        sha: str,
        action: str,
        label: str,
    ) -> Write:
        key = str(media.id)
        digest = content_hash(fields)

        def finish(answer: dict[str, Any]) -> None:
            self.maps.record("media", key, answer["id"], answer.get("link", ""),
                             f"{sha}|{digest}")  # fmt: skip
            if action == "match":
                self._record_files(key, answer)
            self.report.add(Outcome("media", key, _dry(action), "", label))

        return Write("media", key, label, action,
                     lambda: self.writer.update_media(target_id, fields), finish)  # fmt: skip

    # -- posts and pages ----------------------------------------------------------------

    def push_posts(self, kind: str, second_pass: bool) -> None:
        self.urls = url_map(self.source, self.maps)
        posts = [p for p in self.source.posts.values()
                 if post_kind(p) == kind and p.type != "attachment"
                 and self._selected(p.date_gmt or p.date)]  # fmt: skip
        if not second_pass:
            self.on_phase(kind + "s", len(posts))
        for level in _levels(posts, lambda p: p.id, lambda p: p.parent or None):
            self.runner.run(self.post_decision(post, second_pass) for post in level)

    def post_decision(self, post: Post, second_pass: bool) -> Decision:
        kind, key = post_kind(post), str(post.id)
        reason = self._post_skip_reason(post)
        if reason:
            return None if second_pass else Outcome(kind, key, "skipped", reason, post.title)
        info = self.target.types[post.type]
        fields, notes = self.post_fields(post, info)
        digest = content_hash(fields)
        mapped = self.maps.get(kind, key)
        route = f"wp/v2/{info.rest_base}"
        note = "; ".join(notes)
        if mapped:
            if mapped.content_hash == digest:
                return Outcome(kind, key, "unchanged", "" if second_pass else note, post.title)
            update = _update_fields(fields)
            return self._post_write(
                post,
                "update",
                digest,
                note,
                lambda: self.writer.update(route, mapped.target_id, update),
            )
        existing = self.index.post(info.rest_base, post.slug, post.title, fields.get("date_gmt"))
        if existing:
            update = _update_fields(fields)
            if _needs_random_password(post) and not existing.get("password"):
                update["password"] = secrets.token_urlsafe(12)
            return self._post_write(
                post,
                "match",
                digest,
                note,
                lambda: self.writer.update(route, existing["id"], update),
            )
        return self._post_write(
            post, "create", digest, note, lambda: self._create_post(route, post, fields)
        )

    def _post_skip_reason(self, post: Post) -> str:
        reason = post_skip_reason(post, self.options.include_trash)
        if not reason and post.type not in self.target.types:
            return f"the target has no post type {post.type}"
        return reason

    def post_fields(self, post: Post, info: TypeInfo) -> tuple[dict[str, Any], list[str]]:
        """What to send for a post, and notes on what could not be carried as it was."""
        notes: list[str] = []
        fields: dict[str, Any] = {
            "title": post.title,
            "content": self.urls.rewrite(post.content),
            "excerpt": self.urls.rewrite(post.excerpt),
            "status": self._status(post, notes),
            "author": self.author_id(post.author),
        }
        if post.slug:
            fields["slug"] = post.slug
        fields.update(_post_dates(post))
        for name in ("comment_status", "ping_status"):
            if getattr(post, name):
                fields[name] = getattr(post, name)
        if info.hierarchical:
            fields["parent"] = (post.parent and self._post_target(post.parent)) or 0
            fields["menu_order"] = post.menu_order
            if post.parent and not fields["parent"]:
                notes.append(f"its parent {post.parent} was not pushed: made top-level")
        if post.type == "post":
            fields["sticky"] = post.sticky
        if post.featured_media:
            fields["featured_media"] = self.maps.target_id("media", post.featured_media) or 0
            if not fields["featured_media"]:
                notes.append(f"featured image {post.featured_media} not pushed")
        fields.update(self._term_fields(post, info, notes))
        if post.password:
            fields["password"] = post.password  # the readers' own: they keep using it
        elif post.password_protected:
            notes.append(PASSWORD_NOTE)
        return fields, notes

    def _status(self, post: Post, notes: list[str]) -> str:
        status = expected_status(post, self.now)
        if status != post.status:
            notes.append("its scheduled date has passed: published")
        return status

    def _term_fields(self, post: Post, info: TypeInfo, notes: list[str]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for taxonomy in info.taxonomies:
            tax = self.target.taxonomies.get(taxonomy)
            if tax is not None and taxonomy != "post_format":
                fields[tax.rest_base] = []
        for ref in post.terms:
            if ref.taxonomy == "post_format":
                fields["format"] = ref.slug.removeprefix("post-format-")
                continue
            tax = self.target.taxonomies.get(ref.taxonomy)
            term_id = self.maps.target_id("term", f"{ref.taxonomy}/{ref.slug}")
            if tax is None or tax.rest_base not in fields or term_id is None:
                notes.append(f"term {ref.taxonomy}:{ref.slug} not on the target")
                continue
            fields[tax.rest_base].append(term_id)
        return {k: sorted(set(v)) if isinstance(v, list) else v for k, v in fields.items()}

    def _create_post(self, route: str, post: Post, fields: dict[str, Any]) -> dict[str, Any]:
        send = dict(fields)
        if _needs_random_password(post):
            send["password"] = secrets.token_urlsafe(12)
        if post.status == "trash":
            # REST cannot create in the trash: create a draft, then trash it.
            send["status"] = "draft"
            created = self.writer.create(route, send)
            return self.writer.delete(route, created["id"])
        return self.writer.create(route, send)

    def _post_write(
        self, post: Post, action: str, digest: str, note: str, send: Callable[[], Any]
    ) -> Write:
        kind, key = post_kind(post), str(post.id)

        def finish(answer: dict[str, Any]) -> None:
            self.maps.record(kind, key, answer["id"], answer.get("link", ""), digest)
            if post.link and answer.get("link"):
                self.urls.add(post.link, answer["link"])
            self.report.add(Outcome(kind, key, _dry(action), note, post.title))

        return Write(kind, key, post.title, action, send, finish)

    def _post_target(self, source_id: int) -> int | None:
        return self.maps.target_id("post", source_id) or self.maps.target_id("page", source_id)

    # -- comments -----------------------------------------------------------------------

    def push_comments(self) -> None:
        self.urls = url_map(self.source, self.maps)
        chosen: list[Comment] = []
        for comment in self.source.comments:
            if not self._selected(comment.date_gmt or comment.date):
                continue
            reason = self._comment_skip_reason(comment)
            if reason:
                self.report.add(Outcome("comment", str(comment.id), "skipped", reason,
                                        comment.author_name))  # fmt: skip
            else:
                chosen.append(comment)
        self.on_phase("comments", len(chosen))
        reopened = self._open_comments(chosen)
        try:
            for level in _levels(chosen, lambda c: c.id, lambda c: c.parent or None):
                self.runner.run(self.comment_decision(c) for c in level)
        finally:
            self._close_comments(reopened)

    def _comment_skip_reason(self, comment: Comment) -> str:
        post = self.source.posts.get(comment.post)
        reason = comment_skip_reason(comment, post, self.options)
        if not reason and self._post_target(comment.post) is None:
            return "its post was not pushed"
        return reason

    def _open_comments(self, comments: list[Comment]) -> list[Post]:
        """Posts whose comments are closed must be opened while comments are added:
        WordPress refuses new comments on them, even from an administrator."""
        pending = {c.post for c in comments if not self.maps.get("comment", c.id)}
        posts = [self.source.posts[i] for i in sorted(pending) if i in self.source.posts]
        closed = [p for p in posts if p.comment_status and p.comment_status != "open"]
        self.runner.run(self._comment_status_write(p, "open") for p in closed)
        return closed

    def _close_comments(self, posts: list[Post]) -> None:
        self.runner.run(self._comment_status_write(p, p.comment_status) for p in posts)

    def _comment_status_write(self, post: Post, status: str) -> Write:
        kind, key = post_kind(post), str(post.id)
        mapped = self.maps.get(kind, key)
        assert mapped is not None
        route = f"wp/v2/{self.target.types[post.type].rest_base}"
        if status == "open":
            # Until closed again, the record must not claim the post is as sent.
            self.closed_digests[key] = mapped.content_hash
            self.maps.set_hash(kind, key, "")

        def finish(answer: dict[str, Any]) -> None:
            if status != "open":
                self.maps.set_hash(kind, key, self.closed_digests.pop(key, ""))

        return Write(kind, key, post.title, "update",
                     lambda: self.writer.update(route, mapped.target_id,
                                                {"comment_status": status}), finish)  # fmt: skip

    def comment_fields(self, comment: Comment) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "post": self._post_target(comment.post),
            "parent": (comment.parent and self.maps.target_id("comment", comment.parent)) or 0,
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": comment.author_url,
            "content": self.urls.rewrite(comment.content),
            "status": comment.status,
        }
        if comment.author_ip:
            fields["author_ip"] = comment.author_ip
        if comment.date_gmt:
            fields["date_gmt"] = rest_date(comment.date_gmt)
        elif comment.date:
            fields["date"] = rest_date(comment.date, gmt=False)
        login = self.source.logins_by_id.get(comment.user_id) if comment.user_id else None
        if login and login in self.author_ids:
            fields["author"] = self.author_ids[login]
        return fields

    def comment_decision(self, comment: Comment) -> Decision:
        key = str(comment.id)
        fields = self.comment_fields(comment)
        digest = content_hash(fields)
        label = comment.author_name
        mapped = self.maps.get("comment", key)
        if mapped:
            if mapped.content_hash == digest:
                return Outcome("comment", key, "unchanged")
            return self._comment_write(
                key,
                label,
                "update",
                digest,
                lambda: self.writer.update_comment(mapped.target_id, _no_author(fields)),
            )
        existing = self.index.comment(fields)
        if existing:
            return self._comment_write(
                key,
                label,
                "match",
                digest,
                lambda: self.writer.update_comment(existing["id"], _no_author(fields)),
            )
        return self._comment_write(
            key, label, "create", "", lambda: self._create_comment(fields), digest
        )

    def _create_comment(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Create a comment, working around WordPress's checks that do not fit old content.

        Returns the answer and, under "fix", fields still to set with an update: a comment
        without name or e-mail (refused when the site requires both, or made the current
        user's when all author fields are empty) is created with placeholders; a repeat of
        an existing comment (409) with an invisible mark in its content.
        """
        send, fix = dict(fields), {}
        anonymous = not (fields["author_name"] or fields["author_email"] or fields["author_url"])
        if anonymous and "author" not in fields:
            send, fix = _with_placeholders(send)
        for _ in range(3):
            try:
                return {**self.writer.create_comment(send), "fix": fix}
            except RestWriteError as exc:
                if exc.code == "rest_comment_author_data_required" and not fix:
                    send, fix = _with_placeholders(send)
                elif exc.code == "comment_duplicate" and "content" not in fix:
                    send["content"] = fields["content"] + DUPLICATE_MARK
                    fix = {**fix, "content": fields["content"]}
                else:
                    raise
        return {**self.writer.create_comment(send), "fix": fix}

    def _comment_write(
        self,
        key: str,
        label: str,
        action: str,
        digest: str,
        send: Callable[[], Any],
        final_digest: str = "",
    ) -> Write:
        def finish(answer: dict[str, Any]) -> Write | None:
            fix = answer.get("fix") or {}
            done = final_digest if action == "create" and not fix else digest
            self.maps.record("comment", key, answer["id"], answer.get("link", ""), done)
            self.report.add(Outcome("comment", key, _dry(action), "", label))
            if not fix:
                return None
            return self._comment_write(
                key,
                label,
                "update",
                final_digest,
                lambda: self.writer.update_comment(answer["id"], fix),
            )

        return Write("comment", key, label, action, send, finish)


def post_skip_reason(post: Post, include_trash: bool) -> str:
    """Why a post is not carried whatever the target, or "" when it is."""
    if post.type in SKIPPED_TYPES or post.status in ("auto-draft", "inherit"):
        return f"a {post.type} ({post.status}) is site machinery, not carried"
    if post.status == "trash" and not include_trash:
        return "in the trash (--include-trash carries it)"
    return ""


def comment_skip_reason(comment: Comment, post: Post | None, options: PushOptions) -> str:
    """Why a comment is not carried whatever the target, or "" when it is."""
    if comment.type != "comment":
        return PINGBACK_REASON.format(type=comment.type)
    if comment.status == "spam" and not options.include_spam:
        return "spam (--include-spam carries it)"
    if comment.status == "trash" and not options.include_trash:
        return "in the trash (--include-trash carries it)"
    if post is not None and post.status in ("draft", "trash"):
        return (
            f"its post is a {post.status}: WordPress's REST API refuses comments on "
            f"{post.status}s (rest_comment_{post.status}_post)"
        )
    if not comment.content.strip():
        return "empty: WordPress refuses comments without content"
    return ""


def expected_status(post: Post, now: datetime) -> str:
    """The status WordPress will give a pushed post: a scheduled date that has passed
    means published."""
    if post.status == "future" and post.date_gmt and post.date_gmt <= now:
        return "publish"
    return post.status


def _with_placeholders(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    send, fix = dict(fields), {}
    for name, placeholder in (("author_name", PLACEHOLDER_NAME),
                              ("author_email", PLACEHOLDER_EMAIL)):  # fmt: skip
        if not send.get(name):
            send[name], fix[name] = placeholder, fields.get(name, "")
    return send, fix


def _no_author(fields: dict[str, Any]) -> dict[str, Any]:
    # Setting "author" on an update replaces name and e-mail with the user's.
    return {k: v for k, v in fields.items() if k != "author"}


def _update_fields(fields: dict[str, Any]) -> dict[str, Any]:
    # "trash" is not a status REST accepts; a trashed target post keeps its status.
    return {k: v for k, v in fields.items() if not (k == "status" and v == "trash")}


def _post_dates(post: Post) -> dict[str, str]:
    if post.date_gmt:
        return {"date_gmt": rest_date(post.date_gmt) or ""}
    if post.date:
        return {"date": rest_date(post.date, gmt=False) or ""}
    return {}


def _same_term(existing: dict[str, Any], fields: dict[str, Any]) -> bool:
    return (
        term_name_key(existing.get("name", "")) == term_name_key(fields["name"])
        and existing.get("description", "") == fields["description"]
        and existing.get("parent", 0) == fields.get("parent", 0)
    )


_ANCHOR = re.compile(r"<a\s([^>]*)>", re.I)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


_PARAGRAPH_MARKUP = re.compile(r"</?p(?:\s[^>]*)?>|<br\s*/?>", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def comparable_html(text: str) -> str:
    """Text as compared: WordPress adds rel="nofollow ugc" to links in comments and
    rel="noopener" to links opening a new window, rewriting the link's other attributes
    with double quotes; neither changes what the link is. Paragraph markup is presentation
    too: WordPress stores comments without <p> (kses strips it) and adds it when showing
    them, so a scraped comment's <p>text</p> and the stored text are the same words; and
    the line breaks kses leaves behind are whitespace like any other."""
    text = _WHITESPACE.sub(" ", _PARAGRAPH_MARKUP.sub(" ", text)).strip()
    return _ANCHOR.sub(_anchor, text) if "<a" in text.lower() else text


def _anchor(match: re.Match[str]) -> str:
    attributes = {
        m[1].lower(): html.unescape(m[2] if m[2] is not None else m[3] or m[4] or "")
        for m in _ATTRIBUTE.finditer(match[1])
        if m[1].lower() != "rel"
    }
    return "<a " + " ".join(f'{k}="{v}"' for k, v in sorted(attributes.items())) + ">"


def _levels(
    items: list[Any], key: Callable[[Any], Any], parent: Callable[[Any], Any]
) -> Iterator[list[Any]]:
    """Items in generations: those whose parent is not among them first, then their
    children, and so on; a cycle (broken data) ends up in the last generation."""
    keys = {key(item) for item in items}
    depth: dict[Any, int] = {}
    by_key = {key(item): item for item in items}

    def depth_of(item: Any, seen: frozenset[Any] = frozenset()) -> int:
        k = key(item)
        if k in depth:
            return depth[k]
        up = parent(item)
        if up is None or up not in keys or up in seen:
            depth[k] = 0
        else:
            depth[k] = depth_of(by_key[up], seen | {k}) + 1
        return depth[k]

    generations: dict[int, list[Any]] = {}
    for item in items:
        generations.setdefault(depth_of(item), []).append(item)
    for number in sorted(generations):
        yield generations[number]


# -- after the push: redirects and collisions -----------------------------------------


def redirect_pairs(source: Source, maps: Mappings) -> list[RedirectPair]:
    """Old public address -> new one, for every published post, page and media file."""
    pairs = []
    for kind in ("post", "page", "media"):
        for source_id, remote in maps.all(kind).items():
            post = source.posts.get(int(source_id))
            public = post is not None and (post.status == "publish" or kind == "media")
            if public and post.link and remote.target_url:
                pairs.append(RedirectPair(post.link, remote.target_url, kind, source_id,
                                          remote.target_id))  # fmt: skip
    files = maps.all("media_file")
    for source_id, item in source.media.items():
        new_file = files.get(str(source_id))
        if new_file and item.url:
            pairs.append(RedirectPair(item.url, new_file.target_url, "media_file",
                                      str(source_id), new_file.target_id))  # fmt: skip
    return pairs


def collisions(source: Source, maps: Mappings) -> list[Collision]:
    """Published items whose slug the target had already given away ("-2")."""
    found = []
    for kind in ("post", "page"):
        for source_id, remote in maps.all(kind).items():
            post = source.posts.get(int(source_id))
            if post is None or not post.slug or post.status != "publish":
                continue
            got = unquote(urlsplit(remote.target_url).path.rstrip("/").rsplit("/", 1)[-1])
            if got and "?" not in remote.target_url and got != unquote(post.slug):
                found.append(Collision(kind, source_id, unquote(post.slug), got,
                                       remote.target_url))  # fmt: skip
    return found


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


def parse_since(text: str | None) -> datetime | None:
    """A date or date and time a person typed (GMT when no zone is given)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"--since {text!r} is not a date (try 2023-06-01)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_only(text: str | None) -> frozenset[str]:
    if not text:
        return frozenset(ONLY_CHOICES)
    chosen = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = chosen - set(ONLY_CHOICES)
    if unknown:
        raise UsageError(f"--only takes {', '.join(ONLY_CHOICES)}; not {', '.join(unknown)}")
    return chosen


def _needs_random_password(post: Post) -> bool:
    """Protected, but read as a visitor: never publish it open, though its password is lost."""
    return post.password_protected and not post.password
