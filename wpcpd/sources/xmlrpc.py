"""Read a live WordPress site through XML-RPC (`/xmlrpc.php`): the fallback when REST is closed.

This module turns XML-RPC structs into model records; the calls themselves (the
python-wordpress-xmlrpc adapter, its transport and shims) are `wpcpd.wordpress.xmlrpc`.

What XML-RPC cannot give, and what is done instead:
- post meta: only the keys not starting with "_" ("custom fields"), so posts carry meta=None
  and the archive keeps what a WXR pull stored (see `XmlRpcSource.post`);
- comment meta: none at all (meta=None);
- a comment's site-local date: only its GMT date is sent, so the local one is derived from
  the site's time zone, inferred from the posts' local/GMT date pairs (`SiteClock`);
- future posts: reported as "publish"; a published post dated in the future is "future";
- an image's alt text: protected meta, never sent (Media.alt_text stays empty).
"""

from __future__ import annotations

import contextlib
import html
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from wpcpd.errors import SourceError
from wpcpd.http import PoliteSession
from wpcpd.model import Author, Comment, Media, Post, Record, Site, Term, TermRef, site_key
from wpcpd.sources.reading import Reading, ReadReport
from wpcpd.wordpress.client import SKIPPED_TAXONOMIES as REST_SKIPPED_TAXONOMIES
from wpcpd.wordpress.client import SKIPPED_TYPES as REST_SKIPPED_TYPES
from wpcpd.wordpress.xmlrpc import FAULT_NO_METHOD, XmlRpcFault, XmlRpcSite

# Post types that hold the site's machinery rather than its writing (REST never lists
# these; XML-RPC lists every registered type). Attachments are read on their own.
SKIPPED_TYPES = REST_SKIPPED_TYPES | {
    "revision", "custom_css", "customize_changeset", "oembed_cache", "user_request",
}  # fmt: skip
# post_format terms come with each post; link_category belongs to the old links manager.
SKIPPED_TAXONOMIES = REST_SKIPPED_TAXONOMIES | {"post_format", "link_category"}
# 'any' is every status not excluded from search (custom ones included); trash is excluded
# from search, so it is named too. One paged query per post type covers them all.
POST_STATUSES = ["any", "trash"]
# wp.getComments takes one status at a time. 'post-trashed' marks the comments of a
# trashed post; WXR readers file those under trash too.
COMMENT_STATUSES = {
    "approve": "approved",
    "hold": "hold",
    "spam": "spam",
    "trash": "trash",
    "post-trashed": "trash",
}


# -- time zones ----------------------------------------------------------------------


@dataclass
class SiteClock:
    """The site's time zone, inferred from (local, GMT) date pairs WordPress reported.

    XML-RPC sends comments with their GMT date only, and the site's zone name is not among
    the options it offers; but every post carries both dates. The first IANA zone that
    agrees with every observed pair gives local times across daylight saving changes;
    failing that (a zone changed over the years), the offset seen nearest in time.
    """

    current_offset: timedelta = timedelta(0)
    samples: dict[datetime, timedelta] = field(default_factory=dict)
    _zone: tzinfo | None = None
    _decided: bool = False

    def observe(self, local: datetime | None, gmt: datetime | None) -> None:
        if local is not None and gmt is not None and not self._decided:
            self.samples[gmt] = local - gmt.replace(tzinfo=None)

    def local(self, gmt: datetime | None) -> datetime | None:
        if gmt is None:
            return None
        zone = self.zone()
        if zone is not None:
            return gmt.astimezone(zone).replace(tzinfo=None)
        return (gmt + self._nearest_offset(gmt)).replace(tzinfo=None)

    def zone(self) -> tzinfo | None:
        if not self._decided:
            self._zone = self._infer()
            self._decided = True
        return self._zone

    def _infer(self) -> tzinfo | None:
        offsets = set(self.samples.values())
        if not offsets:
            return timezone(self.current_offset)
        if len(offsets) == 1:
            return timezone(offsets.pop())
        checks = _spread(self.samples)
        for name in sorted(zoneinfo.available_timezones()):
            try:
                candidate = zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
            if all(gmt.astimezone(candidate).utcoffset() == off for gmt, off in checks):
                return candidate
        return None

    def _nearest_offset(self, gmt: datetime) -> timedelta:
        if not self.samples:
            return self.current_offset
        nearest = min(self.samples, key=lambda seen: abs(seen - gmt))
        return self.samples[nearest]


def _spread(samples: dict[datetime, timedelta]) -> list[tuple[datetime, timedelta]]:
    """One pair of each offset first, so that a wrong zone fails on its first checks."""
    first: dict[timedelta, tuple[datetime, timedelta]] = {}
    for gmt, offset in samples.items():
        first.setdefault(offset, (gmt, offset))
    return [*first.values(), *(p for p in samples.items() if p not in first.values())]


def _date(value: Any) -> datetime | None:
    """An XML-RPC date (naive, 'YYYYMMDDTHH:MM:SS'); the all-zero date means none."""
    text = str(getattr(value, "value", value) or "").rstrip("Z")
    if not text or text.startswith("00000000"):
        return None
    try:
        return datetime.strptime(text, "%Y%m%dT%H:%M:%S")
    except ValueError:
        return None


def _gmt(value: Any) -> datetime | None:
    parsed = _date(value)
    return parsed.replace(tzinfo=UTC) if parsed else None


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# -- the source ----------------------------------------------------------------------


@dataclass
class XmlRpcSource:
    """Yields a site's records through XML-RPC, as the given user (an administrator sees all).

        source = XmlRpcSource(session, "https://blog.example.org/xmlrpc.php", user, password)
        archive.save(source.records(), atomic=False)

    `check()` connects and verifies the credentials without reading content; `records()`
    calls it first. Problems a reader should know about (a list only the administrator
    may read, an answer repaired) collect in `warnings`. `XmlRpcSource.of(site)` reads
    through a log-in `wpcpd.wordpress.connect` already checked.
    """

    session: PoliteSession
    endpoint_url: str
    user: str
    password: str = field(repr=False)
    language: str = ""
    allow_insecure: bool = False
    """Send the password over plain http to other hosts than this machine."""
    warnings: list[str] = field(default_factory=list)
    clock: SiteClock = field(default_factory=SiteClock)
    logins: dict[int, str] = field(default_factory=dict)
    site_api: XmlRpcSite | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.site_api is None:
            self.site_api = XmlRpcSite(self.session, self.endpoint_url, self.user,
                                       self.password, self.allow_insecure)  # fmt: skip

    @classmethod
    def of(cls, site: XmlRpcSite, language: str = "") -> XmlRpcSource:
        return cls(site.session, site.endpoint_url, site.user, site.password, language,
                   site.allow_insecure, site_api=site)  # fmt: skip

    @property
    def api(self) -> XmlRpcSite:
        assert self.site_api is not None  # set in __post_init__
        return self.site_api

    def check(self) -> dict[str, Any]:
        """Connect and check the credentials with one cheap call; returns the blog's entry."""
        return self.api.check()

    # -- records -------------------------------------------------------------------
    def records(self) -> Iterator[Record]:
        self.check()
        yield self.site()
        yield from self.authors()
        yield from self.terms()
        for post_type in self.post_types():
            yield from self.posts(post_type)
        yield from self.attachments()
        yield from self.comments()
        if self.api.stray_output:
            self.warnings.append(
                f"{self.api.stray_output} answers had stray output (PHP warnings?) "
                "before the XML; it was skipped"
            )

    def site(self) -> Site:
        wanted = ["home_url", "blog_title", "blog_tagline", "time_zone"]
        options = self.api.options(wanted)
        home = str(options.get("home_url") or "")
        if not home:
            raise SourceError(f"{self.endpoint_url}: wp.getOptions names no home address")
        with contextlib.suppress(TypeError, ValueError):
            self.clock.current_offset = timedelta(hours=float(options.get("time_zone") or 0))
        return Site(
            key=site_key(home),
            url=home.rstrip("/"),
            # Stored HTML-escaped, as WXR and REST readers see them unescaped.
            title=html.unescape(str(options.get("blog_title") or "")),
            description=html.unescape(str(options.get("blog_tagline") or "")),
            language=self.language,
            channel="xmlrpc",
        )

    def authors(self) -> Iterator[Author]:
        try:
            users = list(self.api.paged(self.api.users_page, "user_id"))
        except XmlRpcFault as exc:
            if exc.code not in (401, FAULT_NO_METHOD):
                raise
            yield from self._authors_without_list_users(exc)
            return
        for user in users:
            self.logins[_int(user["user_id"])] = user["username"]
            yield Author(
                login=user["username"],
                id=_int(user["user_id"]) or None,
                email=user.get("email", ""),
                display_name=user.get("display_name", ""),
                first_name=user.get("first_name", ""),
                last_name=user.get("last_name", ""),
            )

    def _authors_without_list_users(self, exc: XmlRpcFault) -> Iterator[Author]:
        """Who may edit posts but not list users still gets logins and display names."""
        self.warnings.append(
            f"wp.getUsers: {exc.message}: authors come without e-mail addresses or first "
            "and last names (an administrator's account gives them)"
        )
        for user in self.api.authors():
            self.logins[_int(user["user_id"])] = user["user_login"]
            yield Author(
                login=user["user_login"],
                id=_int(user["user_id"]) or None,
                display_name=user.get("display_name", ""),
            )

    def terms(self) -> Iterator[Term]:
        for taxonomy in self.api.taxonomies():
            name = taxonomy["name"]
            if name in SKIPPED_TAXONOMIES:
                continue
            # Parents are named by slug.
            pages = self.api.paged(lambda page, name=name: self.api.terms_page(name, page),
                                   "term_id")  # fmt: skip
            raw = list(pages)
            slugs = {t["term_id"]: t["slug"] for t in raw}
            for item in raw:
                yield Term(
                    taxonomy=name,
                    slug=item["slug"],
                    name=item.get("name", ""),
                    id=_int(item["term_id"]) or None,
                    parent=slugs.get(item.get("parent") or "0", ""),
                    description=item.get("description", ""),
                    # Term meta can only be a list: these are the unprotected keys.
                    meta=[(f["key"], f["value"]) for f in item.get("custom_fields") or []],
                )

    def post_types(self) -> list[str]:
        types = self.api.post_types()
        return [name for name in types if name not in SKIPPED_TYPES]

    def posts(self, post_type: str) -> Iterator[Post]:
        def page_of(page: dict[str, Any]) -> Any:
            query = {"post_type": post_type, "post_status": POST_STATUSES, "orderby": "ID",
                     "order": "ASC", **page}  # fmt: skip
            # custom_fields are not asked for: see post() for why meta is None.
            return self.api.posts_page(query)

        for item in self.api.paged(page_of, "post_id"):
            yield self.post(item)

    def post(self, item: dict[str, Any]) -> Post:
        date, date_gmt = _date(item.get("post_date")), _gmt(item.get("post_date_gmt"))
        modified = _date(item.get("post_modified"))
        modified_gmt = _gmt(item.get("post_modified_gmt"))
        self.clock.observe(date, date_gmt)
        self.clock.observe(modified, modified_gmt)
        status = item.get("post_status", "publish")
        if status == "publish" and date_gmt and date_gmt > datetime.now(UTC):
            status = "future"  # XML-RPC reports scheduled posts as published
        thumbnail = item.get("post_thumbnail")
        return Post(
            id=_int(item["post_id"]),
            type=item.get("post_type", "post"),
            status=status,
            slug=item.get("post_name", ""),
            title=item.get("post_title", ""),
            content=item.get("post_content", ""),
            excerpt=item.get("post_excerpt", ""),
            date=date,
            # For drafts WordPress stores no GMT date and XML-RPC sends one it derives from
            # the local date; kept as sent, as the REST source does.
            date_gmt=date_gmt,
            modified=modified,
            modified_gmt=modified_gmt,
            author=self.logins.get(_int(item.get("post_author")), ""),
            parent=_int(item.get("post_parent")),
            menu_order=_int(item.get("menu_order")),
            comment_status=item.get("comment_status", ""),
            ping_status=item.get("ping_status", ""),
            sticky=bool(item.get("sticky")),
            password_protected=bool(item.get("post_password")),
            password=item.get("post_password") or "",
            guid=item.get("guid", ""),
            link=item.get("link", ""),
            mime_type=item.get("post_mime_type", ""),
            featured_media=(
                _int(thumbnail.get("attachment_id")) or None
                if isinstance(thumbnail, dict)
                else None
            ),
            terms=_term_refs(item),
            # XML-RPC shows only unprotected meta ("custom fields"). Replacing the archive's
            # meta with that subset would delete _thumbnail_id, _wp_attached_file,
            # _wp_page_template and the like stored by a WXR pull, so meta stays unknown.
            meta=None,
        )

    def attachments(self) -> Iterator[Record]:
        """Attachment posts from wp.getPosts, each followed by its file from the media library.

        The media library pages in date order, which ties can shuffle between pages, so
        an attachment it missed is asked for by id.
        """
        library = self._media_library()
        for post in self.posts("attachment"):
            yield post
            if library is None:
                continue
            item = library.pop(post.id, None) or self._media_item(post.id)
            if item is not None:
                yield _media(item, post.id)
        for media_id, item in (library or {}).items():
            yield _media(item, media_id)

    def _media_library(self) -> dict[int, dict[str, Any]] | None:
        try:
            return {
                _int(m["attachment_id"]): m
                for m in self.api.paged(self.api.media_library_page, "attachment_id")
            }
        except XmlRpcFault as exc:
            if exc.code != 401:
                raise
            # Only users who may upload files can read the media library.
            self.warnings.append(f"wp.getMediaLibrary: {exc.message}: no media file records")
            return None

    def _media_item(self, media_id: int) -> dict[str, Any] | None:
        try:
            return self.api.media_item(media_id)
        except XmlRpcFault as exc:
            self.warnings.append(f"attachment {media_id}: wp.getMediaItem: {exc.message}")
            return None

    def comments(self) -> Iterator[Comment]:
        for status, ours in COMMENT_STATUSES.items():

            def page_of(page: dict[str, Any], status: str = status) -> Any:
                return self.api.comments_page(status, page)

            try:
                for item in self.api.paged(page_of, "comment_id"):
                    yield self.comment(item, ours)
            except XmlRpcFault as exc:
                if exc.code != 401:
                    raise
                # Only moderators may list comments other than approved ones.
                self.warnings.append(f"{status} comments: {exc.message}")

    def comment(self, item: dict[str, Any], status: str) -> Comment:
        date_gmt = _gmt(item.get("date_created_gmt"))
        return Comment(
            id=_int(item["comment_id"]),
            post=_int(item.get("post_id")),
            parent=_int(item.get("parent")),
            author_name=item.get("author", ""),
            author_email=item.get("author_email", ""),
            author_url=item.get("author_url", ""),
            author_ip=item.get("author_ip", ""),
            user_id=_int(item.get("user_id")),
            # XML-RPC sends the GMT date only: the local one is the site clock's.
            date=self.clock.local(date_gmt),
            date_gmt=date_gmt,
            content=item.get("content", ""),
            status=status,
            type=item.get("type") or "comment",
            meta=None,  # XML-RPC has no comment meta: keep the archive's
        )


class XmlRpcReading:
    """An XML-RPC pull as the registry runs it, through a log-in `connect` has checked."""

    public_only = False

    def __init__(self, reading: Reading) -> None:
        connection = reading.connection
        assert connection is not None and connection.xmlrpc is not None  # the xmlrpc channel
        self.url = connection.url
        self.source = XmlRpcSource.of(connection.xmlrpc, connection.language)

    def records(self) -> Iterator[Record]:
        return self.source.records()

    def report(self) -> ReadReport:
        return ReadReport(self.url, list(self.source.warnings), {"authenticated": True})


def _term_refs(item: dict[str, Any]) -> list[TermRef]:
    refs = {
        (t["taxonomy"], t["slug"]): TermRef(t["taxonomy"], t["slug"], t.get("name", ""))
        for t in item.get("terms") or []
    }
    post_format = item.get("post_format") or "standard"
    slug = f"post-format-{post_format}"
    if post_format != "standard" and ("post_format", slug) not in refs:
        refs[("post_format", slug)] = TermRef("post_format", slug, post_format.capitalize())
    return list(refs.values())


def _media(item: dict[str, Any], media_id: int) -> Media:
    metadata = item.get("metadata")
    url = item.get("link", "")
    file = metadata.get("file", "") if isinstance(metadata, dict) else ""
    if not file and "/wp-content/uploads/" in url:
        file = url.split("/wp-content/uploads/", 1)[1]  # non-images keep no "file" metadata
    return Media(
        id=media_id,
        post=_int(item.get("parent")),
        url=url,
        file=file,
        mime_type=item.get("type", ""),
        alt_text="",  # _wp_attachment_image_alt is protected meta: XML-RPC never sends it
    )
