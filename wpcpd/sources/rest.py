"""Read a live WordPress site through its REST API (`/wp-json/wp/v2/...`).

Authenticated pulls ask for `context=edit`, which gives raw titles and content, drafts,
private and trashed posts, and held, spam and trashed comments. Anonymous pulls see what a
visitor sees: published items, rendered HTML, HTML-escaped titles, which are unescaped here.
"""

from __future__ import annotations

import html
import re
import xmlrpc.client
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from xml.parsers.expat import ExpatError

import requests

from wpcpd.errors import SourceError, UsageError
from wpcpd.http import NetworkError, PoliteSession, is_loopback
from wpcpd.model import (
    Author,
    Comment,
    Media,
    Post,
    Record,
    Site,
    Term,
    TermRef,
    parse_gmt,
    site_key,
)
from wpcpd.wordpress.discover import route_url

PER_PAGE = 100
# Post types that hold the site's machinery rather than its writing.
SKIPPED_TYPES = frozenset(
    {"attachment", "nav_menu_item", "wp_template", "wp_template_part", "wp_global_styles",
     "wp_navigation"}
)  # fmt: skip
POST_FIELDS = (
    "id", "type", "status", "slug", "title", "content", "excerpt", "date", "date_gmt",
    "modified", "modified_gmt", "author", "parent", "menu_order", "comment_status",
    "ping_status", "sticky", "password", "guid", "link", "featured_media", "format",
)  # fmt: skip
MEDIA_FIELDS = ("description", "caption", "source_url", "media_details", "alt_text", "post",
                "mime_type")  # fmt: skip
COMMENT_FIELDS = (
    "id", "post", "parent", "author", "author_name", "author_email", "author_url",
    "author_ip", "date", "date_gmt", "content", "status", "type",
)  # fmt: skip
SKIPPED_TAXONOMIES = frozenset({"nav_menu", "wp_theme", "wp_template_part_area"})
T = TypeVar("T")
R = TypeVar("R")


class RestError(SourceError):
    def __init__(self, message: str, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class NoRestApi(SourceError):
    """The site shows no WordPress REST API at all."""


class RestBlocked(SourceError):
    """The REST API is there but closed to this caller (a security plugin, a filter)."""


BLOCKED_CODES = frozenset({"rest_cannot_access", "rest_disabled", "rest_login_required",
                           "rest_forbidden"})  # fmt: skip


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    total_pages: int


class RestClient:
    """GETs against one REST root, with WordPress's error bodies turned into messages."""

    def __init__(self, session: PoliteSession, root: str, concurrency: int = 4) -> None:
        self.session = session
        self.root = root
        self.concurrency = max(1, concurrency)
        self._index: dict[str, Any] | None = None
        self.fields: dict[str, str] = {}
        """Route base -> the `_fields` to ask for: only what wpcpd reads. WordPress then
        skips work nobody uses (rendered content, links, avatars), which halves a pull."""
        self.server_time: str | None = None
        """The site's own clock at its first answer (UTC, ISO): high-water marks use it,
        so a difference between this machine's clock and the site's cannot hide edits."""

    def get(self, route: str, params: dict[str, Any] | None = None) -> requests.Response:
        url = self.url_for(route)
        response = self.session.get(url, params=params)
        if self.server_time is None and response.headers.get("Date"):
            self.server_time = _utc_iso(response.headers["Date"])
        if response.status_code >= 400:
            raise _error(url, response)
        if "json" not in response.headers.get("Content-Type", ""):
            raise RestError(f"{url}: answered with {_kind(response)}, not JSON", 200, "not_json")
        return response

    def json(self, route: str, params: dict[str, Any] | None = None) -> Any:
        return self.get(route, params).json()

    def url_for(self, route: str) -> str:
        return route_url(self.root, route)

    def index(self) -> dict[str, Any]:
        """The API root's description of the site, fetched once."""
        if self._index is None:
            self._index = self.json("")
        return self._index

    def page(self, route: str, params: dict[str, Any], number: int) -> Page:
        query = {**params, "per_page": PER_PAGE, "page": number}
        fields = self.fields.get(route.removeprefix("wp/v2/").split("/")[0])
        if fields and "_fields" not in query:
            query["_fields"] = fields
        try:
            response = self.get(route, query)
        except RestError as exc:
            if exc.code == "rest_post_invalid_page_number":
                return Page([], 0, 0)  # past the end: the list shrank while we read it
            raise
        headers = response.headers
        return Page(
            response.json(),
            int(headers.get("X-WP-Total", 0) or 0),
            int(headers.get("X-WP-TotalPages", 1) or 1),
        )

    def all_items(self, route: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every item of a collection: page 1 says how many pages; the rest come concurrently."""
        for _, page in self.pages(route, params):
            yield from page.items

    def pages(
        self, route: str, params: dict[str, Any], start: int = 1
    ) -> Iterator[tuple[int, Page]]:
        """(number, page) from `start` on, in order; pages after the first are concurrent."""
        first = self.page(route, params, start)
        yield start, first
        numbers = range(start + 1, first.total_pages + 1)
        fetch = lambda n: (n, self.page(route, params, n))  # noqa: E731
        yield from bounded_map(fetch, numbers, self.concurrency)

    def count(self, route: str, params: dict[str, Any]) -> int:
        response = self.get(route, {**params, "per_page": 1, "_fields": "id"})
        return int(response.headers.get("X-WP-Total", 0) or 0)


class WpcomClient(RestClient):
    """WordPress.com's public API: core's wp/v2 routes under /wp/v2/sites/{site}/.

    The site's description comes from the older /rest/v1.1/sites/{site} endpoint, shaped
    into what a self-hosted API index says. The API base can be pointed elsewhere (tests
    replay the documented responses from a local server).
    """

    def __init__(self, session: PoliteSession, api_base: str, site: str, concurrency: int = 4):
        super().__init__(session, f"{api_base.rstrip('/')}/wp/v2/sites/{site}/", concurrency)
        self.api_base = api_base.rstrip("/")
        self.site = site

    def url_for(self, route: str) -> str:
        return self.root + route.removeprefix("wp/v2/").lstrip("/")

    def index(self) -> dict[str, Any]:
        if self._index is None:
            url = f"{self.api_base}/rest/v1.1/sites/{self.site}"
            response = self.session.get(url)
            if response.status_code >= 400:
                raise _error(url, response)
            info = response.json()
            options = info.get("options") or {}
            self._index = {
                "name": info.get("name", ""),
                "description": info.get("description", ""),
                "home": info.get("URL", ""),
                "url": info.get("URL", ""),
                "timezone_string": options.get("timezone", ""),
                "gmt_offset": options.get("gmt_offset", 0),
                "language": info.get("lang", ""),
            }
        return self._index


def bounded_map(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """Like Executor.map, in order, but with at most 2 x workers results waiting in memory."""
    pending = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= workers * 2:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def _utc_iso(http_date: str) -> str | None:
    try:
        moment = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _kind(response: requests.Response) -> str:
    content_type = response.headers.get("Content-Type", "nothing").split(";")[0]
    return "an HTML page" if "html" in content_type else content_type


def _error(url: str, response: requests.Response) -> RestError:
    try:
        body = response.json()
        code, message = body.get("code", ""), body.get("message", "")
    except (ValueError, AttributeError):
        code, message = "", ""
    message = html.unescape(message) if message else response.reason
    return RestError(
        f"{url}: HTTP {response.status_code}"
        + (f" {code}" if code else "")
        + (f": {message}" if message else ""),
        response.status_code,
        code,
    )


# -- credentials ---------------------------------------------------------------------


def check_credentials(client: RestClient, url: str) -> dict[str, Any]:
    """Who we are: a wrong password on a public GET silently reads as anonymous, so ask."""
    try:
        return client.json("wp/v2/users/me", {"context": "edit"})
    except RestError as exc:
        if exc.code in BLOCKED_CODES:
            raise RestBlocked(f"{url}: the REST API is closed ({exc.code}): {exc}") from exc
        raise UsageError(_credential_problem(exc, url, client)) from exc


HTACCESS_FIX = "RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]"
_APPLICATION_PASSWORD = re.compile(r"^[A-Za-z0-9]{24}$")


def looks_like_application_password(password: str) -> bool:
    """WordPress makes them 24 letters and digits, shown in groups of four."""
    return bool(_APPLICATION_PASSWORD.match(password.replace(" ", "")))


def _credential_problem(exc: RestError, url: str, client: RestClient) -> str:
    """Tell apart what WordPress answers alike (measured on 6.1, every failure is
    `rest_not_logged_in`): a wrong password, an unknown user, a login password given for an
    application password, a web server that strips the Authorization header."""
    auth = client.session.auth
    if auth is not None and not isinstance(auth, requests.auth.HTTPBasicAuth):
        return f"{url}: the site did not accept the token ({exc.code or exc.status}): {exc}"
    offered = "application-passwords" in (client.index().get("authentication") or {})
    if exc.code == "application_passwords_disabled" or (
        exc.code == "rest_not_logged_in" and not offered
    ):
        return (
            f"{url}: this site does not accept application passwords: WordPress offers them "
            "only over https (or on a site whose environment type is 'local'), and a plugin "
            "can turn them off"
        )
    user, password = getattr(auth, "username", ""), getattr(auth, "password", "")
    if exc.code in ("invalid_username", "invalid_email"):
        return _unknown_user(url, user)
    if exc.code not in ("incorrect_password", "rest_not_logged_in"):
        return f"{url}: checking the credentials failed: {exc}"
    accepted = xmlrpc_login_works(client.session, url, user, password)
    shaped = looks_like_application_password(password)
    if accepted and not shaped:
        return (
            f"{url}: that is the account's login password, not an application password: "
            "make one under Users → Profile → Application Passwords and use that instead"
        )
    if accepted:
        return (
            f"{url}: the user name and application password are right (XML-RPC accepts "
            "them) but the REST API never received them: the web server strips the "
            f"Authorization header (Apache with CGI/FastCGI: add to .htaccess {HTACCESS_FIX})"
        )
    if accepted is False and exc.code != "incorrect_password" and not _public_author(client, user):
        return _unknown_user(url, user)
    hint = (
        ""
        if shaped
        else ("; it does not look like one (24 letters and digits, shown once when it is made)")
    )
    if accepted is False:
        return f"{url}: wrong application password for {user!r}{hint}"
    return (
        f"{url}: the site did not accept the user name and application password{hint}: "
        "either they are wrong, or the web server strips the Authorization header "
        f"(Apache with CGI/FastCGI: add to .htaccess {HTACCESS_FIX})"
    )


def _unknown_user(url: str, user: str) -> str:
    return (
        f"{url}: no user {user!r} that the site knows: give the login name (Users → Profile "
        "shows it), not the display name"
    )


def _public_author(client: RestClient, user: str) -> bool:
    """Whether the site lists `user` among its authors: for most logins the slug is the
    login. Only a hint: users who never published are not listed."""
    try:
        found = client.json("wp/v2/users", {"slug": user.lower(), "_fields": "id"})
    except RestError:
        return True  # the list is closed: say nothing about the user
    return bool(found)


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request  # the credentials travel in the XML-RPC body, not in a header


def xmlrpc_login_works(session: PoliteSession, url: str, user: str, password: str) -> bool | None:
    """A second opinion: XML-RPC takes the credentials in the request body, so it sees them
    even where a web server drops the Authorization header, and it accepts login passwords.
    None when it cannot say (XML-RPC off, or no https to send the password over)."""
    endpoint = url.rstrip("/") + "/xmlrpc.php"
    if endpoint.startswith("http://") and not is_loopback(endpoint):
        return None
    body = xmlrpc.client.dumps((user, password), "wp.getUsersBlogs")
    try:
        answer = session.post(endpoint, data=body.encode("utf-8"), auth=_no_auth,
                              headers={"Content-Type": "text/xml"})  # fmt: skip
        if answer.status_code != 200:
            return None
        xmlrpc.client.loads(answer.content)
    except xmlrpc.client.Fault as fault:
        return False if fault.faultCode == 403 else None
    except (NetworkError, xmlrpc.client.ResponseError, ExpatError, ValueError):
        return None
    return True


# -- records -------------------------------------------------------------------------


@dataclass
class RestSource:
    """Yields a site's records from its REST API."""

    client: RestClient
    authenticated: bool
    language: str = ""
    channel: str = "rest"
    terms_by_id: dict[tuple[str, int], Term | TermRef] = field(default_factory=dict)
    logins: dict[int, str] = field(default_factory=dict)
    taxonomies: dict[str, str] = field(default_factory=dict)
    """rest_base -> taxonomy name, for reading a post's term id lists."""

    def __post_init__(self) -> None:
        self.client.fields["comments"] = ",".join(COMMENT_FIELDS)

    @property
    def context(self) -> dict[str, str]:
        return {"context": "edit"} if self.authenticated else {}

    def site(self) -> Site:
        index = self.client.index()
        home = index.get("home") or index.get("url") or ""
        if not home:
            raise SourceError(f"{self.client.root}: the API index names no home address")
        return Site(
            key=site_key(home),
            url=home.rstrip("/"),
            title=html.unescape(index.get("name", "")),
            description=html.unescape(index.get("description", "")),
            language=self.language or index.get("language", ""),
            channel=self.channel,
        )

    def records(self) -> Iterator[Record]:
        yield self.site()
        yield from self.authors()
        yield from self.terms()
        for rest_base in self.post_routes():
            yield from self.posts(rest_base)
        yield from self.media()
        yield from self.comments()

    def authors(self) -> Iterator[Author]:
        for user in self.client.all_items("wp/v2/users", self.context):
            login = user.get("username") or user.get("slug") or str(user["id"])
            self.logins[user["id"]] = login
            yield Author(
                login=login,
                id=user["id"],
                email=user.get("email", ""),
                display_name=html.unescape(user.get("name", "")),
                first_name=user.get("first_name", ""),
                last_name=user.get("last_name", ""),
            )

    def terms(self) -> Iterator[Term]:
        for name, rest_base in self.taxonomy_routes().items():
            yield from self.taxonomy_terms(name, rest_base)

    def taxonomy_routes(self) -> dict[str, str]:
        """Taxonomy name -> REST route base, for the taxonomies that hold writing."""
        found = {}
        for name, info in self.client.json("wp/v2/taxonomies", self.context).items():
            if name not in SKIPPED_TAXONOMIES and info.get("rest_base"):
                found[name] = info["rest_base"]
                self.taxonomies[info["rest_base"]] = name
        return found

    def taxonomy_terms(self, name: str, rest_base: str) -> Iterator[Term]:
        raw = list(self.client.all_items(f"wp/v2/{rest_base}", self.context))
        slugs = {t["id"]: t["slug"] for t in raw}
        for item in raw:
            term = Term(
                taxonomy=name,
                slug=item["slug"],
                name=html.unescape(item.get("name", "")),
                id=item["id"],
                parent=slugs.get(item.get("parent") or 0, ""),
                description=item.get("description", ""),
            )
            self.terms_by_id[(name, item["id"])] = term
            yield term

    def post_routes(self) -> list[str]:
        return list(self.post_types().values())

    def post_types(self) -> dict[str, str]:
        """Post type -> REST route base, attachments and the site's machinery left out."""
        types = self.client.json("wp/v2/types", self.context)
        routes = {
            name: info["rest_base"]
            for name, info in types.items()
            if name not in SKIPPED_TYPES and info.get("rest_base")
        }
        # Top-level names only: nested ones (title.raw) need WordPress 5.3.
        post_fields = ",".join([*POST_FIELDS, *self.taxonomies])
        self.client.fields.update({rest_base: post_fields for rest_base in routes.values()})
        self.client.fields["media"] = ",".join([*POST_FIELDS, *MEDIA_FIELDS])
        return routes

    def status_groups(self) -> dict[str, dict[str, str]]:
        # status=any leaves trash out, so trash is asked for on its own.
        if self.authenticated:
            return {"any": {"status": "any"}, "trash": {"status": "trash"}}
        return {"any": {}}

    def comment_params(self) -> dict[str, str]:
        # Without status=any and type=all, WordPress leaves out held, spam and trashed
        # comments and every pingback; anonymous callers may ask for neither.
        if self.authenticated:
            return {**self.context, "status": "any", "type": "all"}
        return {}

    def posts(self, rest_base: str, extra: dict[str, Any] | None = None) -> Iterator[Post]:
        for status in self.status_groups().values():
            params = {**self.context, **status, **(extra or {})}
            for item in self.client.all_items(f"wp/v2/{rest_base}", params):
                yield self.post(item)

    def post(self, item: dict[str, Any]) -> Post:
        terms = []
        for rest_base, taxonomy in self.taxonomies.items():
            for term_id in item.get(rest_base) or []:
                term = self.terms_by_id.get((taxonomy, term_id))
                if term:
                    terms.append(TermRef(taxonomy, term.slug, term.name))
        post_format = item.get("format")
        if post_format and post_format != "standard":
            terms.append(
                TermRef("post_format", f"post-format-{post_format}", post_format.capitalize())
            )
        return Post(
            id=item["id"],
            type=item.get("type", "post"),
            status=item.get("status", "publish"),
            slug=item.get("slug", ""),
            title=self._text(item.get("title")),
            content=self._text(item.get("content")),
            excerpt=self._text(item.get("excerpt")),
            # For unpublished posts WordPress stores no GMT dates (#38883) and REST reports
            # ones it derives; they are kept as reported.
            date=_local(item.get("date")),
            date_gmt=_gmt(item.get("date_gmt")),
            modified=_local(item.get("modified")),
            modified_gmt=_gmt(item.get("modified_gmt")),
            author=self.logins.get(item.get("author") or 0, ""),
            parent=item.get("parent") or 0,
            menu_order=item.get("menu_order") or 0,
            comment_status=item.get("comment_status", ""),
            ping_status=item.get("ping_status", ""),
            sticky=bool(item.get("sticky")),
            password_protected=bool(item.get("password"))
            or bool((item.get("content") or {}).get("protected")),
            password=item.get("password") or "",
            guid=self._text(item.get("guid")),
            link=item.get("link", ""),
            mime_type=item.get("mime_type", ""),
            featured_media=item.get("featured_media") or None,
            terms=terms,
            meta=None,  # REST shows registered meta only: keep what the archive has
        )

    def _text(self, value: Any) -> str:
        """Raw text in edit context; otherwise the rendered form, unescaped for titles."""
        if isinstance(value, dict):
            if "raw" in value:
                return value["raw"]
            return html.unescape(value.get("rendered", ""))
        return value or ""

    def media(self, extra: dict[str, Any] | None = None) -> Iterator[Record]:
        for item in self.client.all_items("wp/v2/media", {**self.context, **(extra or {})}):
            yield from self.media_records(item)

    def media_records(self, item: dict[str, Any]) -> Iterator[Record]:
        post = self.post(item)
        # An attachment's description and caption are its post content and excerpt.
        post.content = self._text(item.get("description"))
        post.excerpt = self._text(item.get("caption"))
        post.parent = item.get("post") or 0
        yield post
        yield Media(
            id=item["id"],
            post=item.get("post") or 0,
            url=item.get("source_url", ""),
            file=(item.get("media_details") or {}).get("file", ""),
            mime_type=item.get("mime_type", ""),
            alt_text=item.get("alt_text", ""),
        )

    def comments(self, extra: dict[str, Any] | None = None) -> Iterator[Comment]:
        params = {**self.comment_params(), **(extra or {})}
        for item in self.client.all_items("wp/v2/comments", params):
            yield self.comment(item)

    def comment(self, item: dict[str, Any]) -> Comment:
        return Comment(
            id=item["id"],
            post=item.get("post") or 0,
            parent=item.get("parent") or 0,
            author_name=html.unescape(item.get("author_name", "")),
            author_email=item.get("author_email", ""),
            author_url=item.get("author_url", ""),
            author_ip=item.get("author_ip", ""),
            user_id=item.get("author") or 0,
            date=_local(item.get("date")),
            date_gmt=_gmt(item.get("date_gmt")),
            content=self._text(item.get("content")),
            status=item.get("status", "approved"),
            type=item.get("type", "comment") or "comment",
            meta=None,
        )


def _local(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _gmt(text: str | None) -> datetime | None:
    return parse_gmt(text + "Z") if text and not text.endswith("Z") else parse_gmt(text)
