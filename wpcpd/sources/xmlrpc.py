"""Read a live WordPress site through XML-RPC (`/xmlrpc.php`): the fallback when REST is closed.

Calls go through python-wordpress-xmlrpc's `Client` and method classes, asking for raw structs
(the library's objects drop the site-local dates), over `SessionTransport`, which posts through
wpcpd's shared `PoliteSession`. Only read methods are used, one call per HTTP request: never
`system.multicall`, which security plugins block and which makes WordPress refuse every log-in
after the first failed one in the same request.

What XML-RPC cannot give, and what is done instead:
- post meta: only the keys not starting with "_" ("custom fields"), so posts carry meta=None
  and the archive keeps what a WXR pull stored (see `XmlRpcSource.post`);
- comment meta: none at all (meta=None);
- a comment's site-local date: only its GMT date is sent, so the local one is derived from
  the site's time zone, inferred from the posts' local/GMT date pairs (`SiteClock`);
- future posts: reported as "publish"; a published post dated in the future is "future";
- an image's alt text: protected meta, never sent (Media.alt_text stays empty).

A site with XML-RPC turned off answers fault 405 (with HTTP status 405 since WordPress 5.7.3,
HTTP 200 before), or its web server blocks the file (403/404), or it serves a web page
instead: each becomes one `SourceError` saying "XML-RPC is disabled on this site (...)".
A wrong password is a `UsageError`.
"""

from __future__ import annotations

import collections
import collections.abc
import contextlib
import html
import io
import logging
import re
import time
import xmlrpc.client
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError

from urllib3.exceptions import MaxRetryError

from wpcpd.errors import SourceError, UsageError
from wpcpd.http import RETRY_STATUSES, NetworkError, PoliteSession, is_loopback
from wpcpd.model import Author, Comment, Media, Post, Record, Site, Term, TermRef, site_key
from wpcpd.sources.rest import SKIPPED_TAXONOMIES as REST_SKIPPED_TAXONOMIES
from wpcpd.sources.rest import SKIPPED_TYPES as REST_SKIPPED_TYPES

log = logging.getLogger("wpcpd.xmlrpc")


# -- compatibility with python-wordpress-xmlrpc 2.3 (2014) ---------------------------


def ensure_collections_iterable() -> bool:
    """Give `collections` back the `Iterable` alias that Python 3.10 removed.

    wordpress_xmlrpc/base.py reads `collections.Iterable` whenever it turns a list result
    into objects. Returns whether the alias had to be added; an existing one is left alone.
    """
    if hasattr(collections, "Iterable"):
        return False
    collections.Iterable = collections.abc.Iterable  # type: ignore[attr-defined]
    return True


ensure_collections_iterable()

from wordpress_xmlrpc import AuthenticatedMethod, Client  # noqa: E402
from wordpress_xmlrpc.exceptions import (  # noqa: E402
    InvalidCredentialsError,
    UnsupportedXmlrpcMethodError,
    XmlrpcDisabledError,
)
from wordpress_xmlrpc.methods import comments as comment_methods  # noqa: E402
from wordpress_xmlrpc.methods import media as media_methods  # noqa: E402
from wordpress_xmlrpc.methods import options as option_methods  # noqa: E402
from wordpress_xmlrpc.methods import posts as post_methods  # noqa: E402
from wordpress_xmlrpc.methods import taxonomies as taxonomy_methods  # noqa: E402
from wordpress_xmlrpc.methods import users as user_methods  # noqa: E402
from wordpress_xmlrpc.wordpress import WordPressBase  # noqa: E402


def _readable_repr(self: WordPressBase) -> str:
    return f"<{type(self).__name__}: {self}>"


# The library's repr shows str(self).encode('utf-8'), so a term prints as <WordPressTerm: b'CPD'>.
WordPressBase.__repr__ = _readable_repr  # type: ignore[method-assign]


# -- constants -----------------------------------------------------------------------

PAGE = 100
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
READ_RETRIES = 2
# Only these can be repeated safely after a connection error or a 5xx.
_READ_METHOD = re.compile(
    rb"<methodName>\s*(wp\.get|mt\.supportedMethods|system\.listMethods|blogger\.get"
    rb"|metaWeblog\.get)"
)
_METHOD_RESPONSE = re.compile(rb"<methodResponse[\s>]")
_FAULT_NO_METHOD = -32601


# -- transport -----------------------------------------------------------------------


class XmlRpcHttpError(SourceError):
    """The endpoint answered something other than XML-RPC."""

    def __init__(self, message: str, status: int = 0, not_xml: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.not_xml = not_xml


class SessionTransport(xmlrpc.client.Transport):
    """xmlrpc.client's transport, but POSTing through a `PoliteSession`.

    The session brings wpcpd's User-Agent, timeouts, rate limit and auth refusal over plain
    http. Its urllib3 retries leave POST out on purpose, since a repeated write could
    duplicate a post (only connections that never opened are retried for every method);
    reads (wp.get*, ...) are safe to repeat, so this retries them a few times itself when
    an answer is lost, times out, or is a 5xx/429 without an XML-RPC body.
    """

    def __init__(self, session: PoliteSession, scheme: str = "https", retries: int = READ_RETRIES):
        super().__init__(use_datetime=False)
        self.session = session
        self.scheme = scheme
        self.retries = retries
        self.stray_output = 0
        """How many answers had output (PHP warnings) before the XML, and were repaired."""

    def request(
        self, host: str, handler: str, request_body: bytes, verbose: bool = False
    ) -> tuple[Any, ...]:
        url = f"{self.scheme}://{host}{handler}"
        self.verbose = verbose  # read by parse_response
        method = _method_name(request_body)
        attempts = 1 + (self.retries if _READ_METHOD.search(request_body[:300]) else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self.session.post(
                    url, data=request_body, headers={"Content-Type": "text/xml"}
                )
            except NetworkError as exc:
                if last or _already_retried(exc):
                    raise
                self._pause(attempt, method, "connection lost")
                continue
            start = _answer_start(response.content)
            if response.status_code in RETRY_STATUSES and start is None and not last:
                self._pause(attempt, method, f"HTTP {response.status_code}")
                continue
            return self._parse(url, method, response, start)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _pause(self, attempt: int, method: str, why: str) -> None:
        politeness = self.session.politeness
        delay = min(politeness.backoff * (2**attempt), politeness.max_backoff)
        log.debug("%s: %s, retrying in %.2f s", method, why, delay)
        time.sleep(delay)

    def _parse(self, url: str, method: str, response: Any, start: int | None) -> tuple[Any, ...]:
        # An XML-RPC answer is read whatever the status: since 5.7.3, a site with XML-RPC
        # turned off sends its fault 405 with HTTP status 405.
        if start is None and response.status_code != 200:
            raise XmlRpcHttpError(
                f"{url}: {method} answered HTTP {response.status_code} {response.reason}",
                response.status_code,
            )
        if start is None:
            kind = response.headers.get("Content-Type", "nothing").split(";")[0] or "nothing"
            raise XmlRpcHttpError(
                f"{url}: answered {method} with {kind}, not XML-RPC", 200, not_xml=True
            )
        body = response.content
        if body[:start].strip():
            # PHP notices printed before the answer (display_errors on): skip them.
            self.stray_output += 1
            body = body[start:]
        try:
            return self.parse_response(io.BytesIO(body))  # type: ignore[no-any-return]
        except (xmlrpc.client.ResponseError, ExpatError, ValueError) as exc:
            raise XmlRpcHttpError(f"{url}: a broken answer to {method} ({exc})", 200) from exc


def _already_retried(exc: NetworkError) -> bool:
    """urllib3 retries failed connections for every method; a dropped answer to a POST, never."""
    cause = exc.__cause__
    return bool(cause and cause.args and isinstance(cause.args[0], MaxRetryError))


def _answer_start(body: bytes) -> int | None:
    """Where the XML-RPC answer begins in a body, or None when there is none."""
    found = _METHOD_RESPONSE.search(body[:65536])
    if found is None:
        return None
    declaration = body.rfind(b"<?xml", 0, found.start())
    return declaration if declaration >= 0 else found.start()


def _method_name(body: bytes) -> str:
    found = re.search(rb"<methodName>\s*([\w.]+)", body[:300])
    return found.group(1).decode("ascii") if found else "a call"


# -- library methods that need more than the library offers --------------------------


class GetPostTypes(post_methods.GetPostTypes):
    """wp.getPostTypes with a filter: without one WordPress lists public types only."""

    optional_args = ("filter",)
    results_class = None

    def process_result(self, raw_result: Any) -> Any:
        return raw_result


class GetTaxonomies(taxonomy_methods.GetTaxonomies):
    """wp.getTaxonomies with a filter: without one WordPress lists public ones only."""

    optional_args = ("filter",)
    results_class = None


class GetAuthors(user_methods.GetAuthors):
    results_class = None


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


def default_endpoint(site_url: str) -> str:
    """Where WordPress answers XML-RPC unless the home page's RSD link says otherwise."""
    return site_url.rstrip("/") + "/xmlrpc.php"


@dataclass
class XmlRpcSource:
    """Yields a site's records through XML-RPC, as the given user (an administrator sees all).

        source = XmlRpcSource(session, "https://blog.example.org/xmlrpc.php", user, password)
        archive.save(source.records(), atomic=False)

    `check()` connects and verifies the credentials without reading content; `records()`
    calls it first. Problems a reader should know about (a list only the administrator
    may read, an answer repaired) collect in `warnings`.
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
    _client: Client | None = field(default=None, repr=False)
    _transport: SessionTransport | None = field(default=None, repr=False)
    _blog: dict[str, Any] | None = field(default=None, repr=False)

    # -- connecting ----------------------------------------------------------------

    @property
    def client(self) -> Client:
        if self._client is None:
            raise SourceError(f"{self.endpoint_url}: not connected; call check() first")
        return self._client

    def check(self) -> dict[str, Any]:
        """Connect and check the credentials with one cheap call; returns the blog's entry.

        Checked before anything else because WordPress refuses every log-in after a failed
        one within a request, and a security plugin may lock the account after a few.
        """
        if self._blog is not None:
            return self._blog
        if self._client is None:
            self._client = self._connect()
        try:
            blogs = self._call(user_methods.GetUsersBlogs(results_class=None), connecting=True)
        except _Fault as exc:
            if exc.code == 403:
                raise UsageError(
                    f"{self.endpoint_url}: the site did not accept the user name "
                    f"{self.user!r} with that password ({exc.message}); WordPress takes "
                    "the account's password or an application password over XML-RPC"
                ) from None
            raise
        self._blog = dict(blogs[0]) if blogs else {}
        return self._blog

    def _connect(self) -> Client:
        parts = urlsplit(self.endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"{self.endpoint_url}: not an http(s) address of xmlrpc.php")
        # XML-RPC carries the password in every request body: SafeBasicAuth's rule, here.
        if parts.scheme == "http" and not (self.allow_insecure or is_loopback(self.endpoint_url)):
            raise UsageError(
                f"refusing to send a password over plain http to {parts.hostname}; "
                "use https, or --insecure-http if you accept the risk"
            )
        transport = self._transport = SessionTransport(self.session, parts.scheme)
        try:
            # The library asks mt.supportedMethods here, anonymously.
            return Client(self.endpoint_url, self.user, self.password, transport=transport)
        except XmlRpcHttpError as exc:
            raise self._disabled(exc) from None
        except xmlrpc.client.Fault as exc:
            if exc.faultCode == _FAULT_NO_METHOD:
                raise SourceError(
                    f"{self.endpoint_url}: XML-RPC is disabled on this site (it offers no "
                    "methods, as security plugins arrange)"
                ) from None
            raise SourceError(f"{self.endpoint_url}: XML-RPC failed: {exc.faultString}") from None

    def _disabled(self, exc: XmlRpcHttpError) -> SourceError:
        if exc.not_xml:
            why = "it answers with a web page, not XML-RPC"
        elif exc.status in (403, 404, 405, 410):
            why = f"the web server answers HTTP {exc.status} for it"
        else:
            return exc
        return SourceError(f"{self.endpoint_url}: XML-RPC is disabled on this site ({why})")

    def _call(self, method: AuthenticatedMethod, connecting: bool = False) -> Any:
        try:
            return self.client.call(method)
        except XmlrpcDisabledError as exc:
            raise SourceError(
                f"{self.endpoint_url}: XML-RPC is disabled on this site (WordPress answers: {exc})"
            ) from None
        except InvalidCredentialsError as exc:
            # The library files every fault 403 here, "Invalid post type." included.
            raise _Fault(self.endpoint_url, method.method_name, 403, str(exc)) from None
        except xmlrpc.client.Fault as exc:
            raise _Fault(
                self.endpoint_url, method.method_name, exc.faultCode, exc.faultString
            ) from None
        except UnsupportedXmlrpcMethodError:
            raise _Fault(
                self.endpoint_url,
                method.method_name,
                _FAULT_NO_METHOD,
                "the site does not offer this method (a plugin may have removed it)",
            ) from None
        except XmlRpcHttpError as exc:
            raise (self._disabled(exc) if connecting else exc) from None

    def _paged(
        self, make: Callable[[dict[str, Any]], AuthenticatedMethod], ids: str, page: int = PAGE
    ) -> Iterator[dict[str, Any]]:
        """Every item of a number/offset list, each once, until a page comes back empty.

        A short page does not prove the end: wp.getPosts and wp.getUsers drop items the
        user may not edit after the query has counted them.
        """
        seen: set[str] = set()
        offset = 0
        while True:
            items = self._call(make({"number": page, "offset": offset})) or []
            for item in items:
                if item[ids] not in seen:
                    seen.add(item[ids])
                    yield item
            if not items:
                return
            offset += page

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
        if self._transport is not None and self._transport.stray_output:
            self.warnings.append(
                f"{self._transport.stray_output} answers had stray output (PHP warnings?) "
                "before the XML; it was skipped"
            )

    def site(self) -> Site:
        wanted = ["home_url", "blog_title", "blog_tagline", "time_zone"]
        options = {o.name: o.value for o in self._call(option_methods.GetOptions(wanted))}
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
            users = list(
                self._paged(
                    lambda page: user_methods.GetUsers(page, ["all"], results_class=None),
                    "user_id",
                )
            )
        except _Fault as exc:
            if exc.code not in (401, _FAULT_NO_METHOD):
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

    def _authors_without_list_users(self, exc: _Fault) -> Iterator[Author]:
        """Who may edit posts but not list users still gets logins and display names."""
        self.warnings.append(
            f"wp.getUsers: {exc.message}: authors come without e-mail addresses or first "
            "and last names (an administrator's account gives them)"
        )
        for user in self._call(GetAuthors()) or []:
            self.logins[_int(user["user_id"])] = user["user_login"]
            yield Author(
                login=user["user_login"],
                id=_int(user["user_id"]) or None,
                display_name=user.get("display_name", ""),
            )

    def terms(self) -> Iterator[Term]:
        for taxonomy in self._call(GetTaxonomies({})) or []:
            name = taxonomy["name"]
            if name in SKIPPED_TAXONOMIES:
                continue
            # Ordered by id so that paging is stable; parents are named by slug.
            raw = list(
                self._paged(
                    lambda page, name=name: taxonomy_methods.GetTerms(
                        name,
                        {**page, "hide_empty": False, "orderby": "id", "order": "ASC"},
                        results_class=None,
                    ),
                    "term_id",
                )
            )
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
        types = self._call(GetPostTypes({})) or {}
        return [name for name in types if name not in SKIPPED_TYPES]

    def posts(self, post_type: str) -> Iterator[Post]:
        def page_of(page: dict[str, Any]) -> AuthenticatedMethod:
            query = {"post_type": post_type, "post_status": POST_STATUSES, "orderby": "ID",
                     "order": "ASC", **page}  # fmt: skip
            # custom_fields are not asked for: see post() for why meta is None.
            return post_methods.GetPosts(query, ["post", "terms"], results_class=None)

        for item in self._paged(page_of, "post_id"):
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
                for m in self._paged(
                    lambda page: media_methods.GetMediaLibrary(page, results_class=None),
                    "attachment_id",
                )
            }
        except _Fault as exc:
            if exc.code != 401:
                raise
            # Only users who may upload files can read the media library.
            self.warnings.append(f"wp.getMediaLibrary: {exc.message}: no media file records")
            return None

    def _media_item(self, media_id: int) -> dict[str, Any] | None:
        try:
            return self._call(media_methods.GetMediaItem(media_id, results_class=None))  # type: ignore[no-any-return]
        except _Fault as exc:
            self.warnings.append(f"attachment {media_id}: wp.getMediaItem: {exc.message}")
            return None

    def comments(self) -> Iterator[Comment]:
        for status, ours in COMMENT_STATUSES.items():

            def page_of(page: dict[str, Any], status: str = status) -> AuthenticatedMethod:
                return comment_methods.GetComments({"status": status, **page}, results_class=None)

            try:
                for item in self._paged(page_of, "comment_id"):
                    yield self.comment(item, ours)
            except _Fault as exc:
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


class _Fault(SourceError):
    """A fault WordPress answered to one call (the library's exceptions, undone)."""

    def __init__(self, endpoint: str, method: str, code: int, message: str) -> None:
        super().__init__(f"{endpoint}: {method}: fault {code}: {message}")
        self.method = method
        self.code = code
        self.message = message


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
