"""The python-wordpress-xmlrpc adapter: the only module that imports `wordpress_xmlrpc`.

Calls go through the library's `Client` and method classes, asking for raw structs (the
library's objects drop the site-local dates), over `SessionTransport`, which posts through
wpcpd's shared `PoliteSession`. One call per HTTP request: never `system.multicall`, which
security plugins block and which makes WordPress refuse every log-in after the first failed
one in the same request. `XmlRpcSite` is a checked log-in to one endpoint, with the read
methods the XML-RPC source needs and `write()` for publishing; the shims that keep the 2014
library working on today's Python live here too.

A site with XML-RPC turned off answers fault 405 (with HTTP status 405 since WordPress 5.7.3,
HTTP 200 before), or its web server blocks the file (403/404), or it serves a web page
instead: each becomes one `SourceError` saying "XML-RPC is disabled on this site (...)".
A wrong password is a `UsageError`.
"""

from __future__ import annotations

import collections
import collections.abc
import io
import re
import xmlrpc.client
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError

from wpcpd.errors import SourceError, UsageError
from wpcpd.http import RETRY_STATUSES, PoliteSession, refuse_plain_http

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

PAGE = 100
READ_RETRIES = 2
# Only these can be repeated safely after a connection error or a 5xx.
_READ_METHOD = re.compile(
    rb"<methodName>\s*(wp\.get|mt\.supportedMethods|system\.listMethods|blogger\.get"
    rb"|metaWeblog\.get)"
)
_METHOD_RESPONSE = re.compile(rb"<methodResponse[\s>]")
FAULT_NO_METHOD = -32601

# -- transport -----------------------------------------------------------------------


class XmlRpcHttpError(SourceError):
    """The endpoint answered something other than XML-RPC."""

    def __init__(self, message: str, status: int = 0, not_xml: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.not_xml = not_xml


class SessionTransport(xmlrpc.client.Transport):
    """xmlrpc.client's transport, but POSTing through a `PoliteSession`.

    The session brings wpcpd's User-Agent, timeouts, rate limit, retry policy and auth
    refusal over plain http. A POST is never resent on its own, since a repeated write
    could duplicate a post; reads (wp.get*, ...) are safe to repeat, so they go out as
    `idempotent` with `retries` tries more when an answer is lost, times out, or is a
    5xx/429 without an XML-RPC body.
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
        response = self.session.post(
            url,
            data=request_body,
            headers={"Content-Type": "text/xml"},
            idempotent=bool(_READ_METHOD.search(request_body[:300])),
            retries=self.retries,
            retry_when=_worth_another_read,
        )
        return self._parse(url, _method_name(request_body), response)

    def _parse(self, url: str, method: str, response: Any) -> tuple[Any, ...]:
        start = _answer_start(response.content)
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


def _worth_another_read(response: Any) -> bool:
    """A 5xx or 429 that carries an XML-RPC answer is that answer, not a hiccup."""
    return response.status_code in RETRY_STATUSES and _answer_start(response.content) is None


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


def default_endpoint(site_url: str) -> str:
    """Where WordPress answers XML-RPC unless the home page's RSD link says otherwise."""
    return site_url.rstrip("/") + "/xmlrpc.php"


class XmlRpcFault(SourceError):
    """A fault WordPress answered to one call (the library's exceptions, undone)."""

    def __init__(self, endpoint: str, method: str, code: int, message: str) -> None:
        super().__init__(f"{endpoint}: {method}: fault {code}: {message}")
        self.method = method
        self.code = code
        self.message = message


# -- the log-in ----------------------------------------------------------------------


@dataclass
class XmlRpcSite:
    """One XML-RPC endpoint, logged in as `user`: `check()` first, then the calls.

    site = XmlRpcSite(session, "https://blog.example.org/xmlrpc.php", user, password)
    site.check()
    for post in site.paged(lambda page: site.posts_page({"post_type": "post", **page}),
                           "post_id"): ...
    """

    session: PoliteSession
    endpoint_url: str
    user: str
    password: str = field(repr=False)
    allow_insecure: bool = False
    """Send the password over plain http to other hosts than this machine."""
    _client: Client | None = field(default=None, repr=False)
    _transport: SessionTransport | None = field(default=None, repr=False)
    _blog: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def client(self) -> Client:
        if self._client is None:
            raise SourceError(f"{self.endpoint_url}: not connected; call check() first")
        return self._client

    @property
    def stray_output(self) -> int:
        """How many answers had output (PHP warnings) before the XML, repaired."""
        return self._transport.stray_output if self._transport is not None else 0

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
            blogs = self.call(user_methods.GetUsersBlogs(results_class=None), connecting=True)
        except XmlRpcFault as exc:
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
        refuse_plain_http(self.endpoint_url, self.allow_insecure)
        transport = self._transport = SessionTransport(self.session, parts.scheme)
        try:
            # The library asks mt.supportedMethods here, anonymously.
            return Client(self.endpoint_url, self.user, self.password, transport=transport)
        except XmlRpcHttpError as exc:
            raise self._disabled(exc) from None
        except xmlrpc.client.Fault as exc:
            if exc.faultCode == FAULT_NO_METHOD:
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

    def call(self, method: AuthenticatedMethod, connecting: bool = False) -> Any:
        try:
            return self.client.call(method)
        except XmlrpcDisabledError as exc:
            raise SourceError(
                f"{self.endpoint_url}: XML-RPC is disabled on this site (WordPress answers: {exc})"
            ) from None
        except InvalidCredentialsError as exc:
            # The library files every fault 403 here, "Invalid post type." included.
            raise XmlRpcFault(self.endpoint_url, method.method_name, 403, str(exc)) from None
        except xmlrpc.client.Fault as exc:
            raise XmlRpcFault(
                self.endpoint_url, method.method_name, exc.faultCode, exc.faultString
            ) from None
        except UnsupportedXmlrpcMethodError:
            raise XmlRpcFault(
                self.endpoint_url,
                method.method_name,
                FAULT_NO_METHOD,
                "the site does not offer this method (a plugin may have removed it)",
            ) from None
        except XmlRpcHttpError as exc:
            raise (self._disabled(exc) if connecting else exc) from None

    def paged(
        self, make: Callable[[dict[str, Any]], AuthenticatedMethod], ids: str, page: int = PAGE
    ) -> Iterator[dict[str, Any]]:
        """Every item of a number/offset list, each once, until a page comes back empty.

        A short page does not prove the end: wp.getPosts and wp.getUsers drop items the
        user may not edit after the query has counted them.
        """
        seen: set[str] = set()
        offset = 0
        while True:
            items = self.call(make({"number": page, "offset": offset})) or []
            for item in items:
                if item[ids] not in seen:
                    seen.add(item[ids])
                    yield item
            if not items:
                return
            offset += page

    # -- records -------------------------------------------------------------------

    # -- the reads the XML-RPC source makes ----------------------------------------

    def options(self, names: list[str]) -> dict[str, Any]:
        return {o.name: o.value for o in self.call(option_methods.GetOptions(names))}

    def users_page(self, page: dict[str, Any]) -> AuthenticatedMethod:
        return user_methods.GetUsers(page, ["all"], results_class=None)

    def authors(self) -> list[dict[str, Any]]:
        return self.call(GetAuthors()) or []  # type: ignore[no-any-return]

    def taxonomies(self) -> list[dict[str, Any]]:
        return self.call(GetTaxonomies({})) or []  # type: ignore[no-any-return]

    def terms_page(self, taxonomy: str, page: dict[str, Any]) -> AuthenticatedMethod:
        # Ordered by id so that paging is stable.
        query = {**page, "hide_empty": False, "orderby": "id", "order": "ASC"}
        return taxonomy_methods.GetTerms(taxonomy, query, results_class=None)

    def post_types(self) -> dict[str, Any]:
        return self.call(GetPostTypes({})) or {}  # type: ignore[no-any-return]

    def posts_page(self, query: dict[str, Any]) -> AuthenticatedMethod:
        # custom_fields are not asked for: see the XML-RPC source for why meta is None.
        return post_methods.GetPosts(query, ["post", "terms"], results_class=None)

    def media_library_page(self, page: dict[str, Any]) -> AuthenticatedMethod:
        return media_methods.GetMediaLibrary(page, results_class=None)

    def media_item(self, media_id: int) -> dict[str, Any]:
        return self.call(media_methods.GetMediaItem(media_id, results_class=None))  # type: ignore[no-any-return]

    def comments_page(self, status: str, page: dict[str, Any]) -> AuthenticatedMethod:
        return comment_methods.GetComments({"status": status, **page}, results_class=None)

    # -- publishing -----------------------------------------------------------------

    def wp_call(self, method: str, *args: Any) -> Any:
        """Call wp.<method>(blog 0, user, password, *args) directly: publishing's writes (sent
        again only after a 429) and its reads of what it wrote."""
        call = getattr(self.client.server.wp, method)
        try:
            return call(0, self.user, self.password, *args)
        except xmlrpc.client.Fault as exc:
            raise SourceError(f"{self.endpoint_url}: wp.{method}: {exc.faultString}") from exc
