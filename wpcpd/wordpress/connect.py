"""One way to reach a WordPress site: find its API, log in, and say which channel answers.

`connect()` takes a site's address (a profile or archive key is resolved by the caller) and
returns a `Connection` on one of three channels: "rest" (a self-hosted REST API), "wpcom"
(WordPress.com's public API) or "xmlrpc" (the fallback when REST is missing or closed).
Credentials are checked at once, so a wrong password never passes as an anonymous read.
"""

from __future__ import annotations

import re
import xmlrpc.client
from dataclasses import dataclass, field
from typing import Any
from xml.parsers.expat import ExpatError

import requests

from wpcpd.credentials import DEFAULT_PASSWORD_ENV, WPCOM_TOKEN_HELP, wpcom_token
from wpcpd.credentials import WPCOM_TOKEN_ENV as WPCOM_TOKEN_ENV  # its old home: kept for callers
from wpcpd.errors import UsageError
from wpcpd.http import (
    BearerAuth,
    NetworkError,
    Politeness,
    PoliteSession,
    SafeBasicAuth,
    is_loopback,
    make_session,
)
from wpcpd.urls import site_url
from wpcpd.wordpress.client import (
    BLOCKED_CODES,
    NoRestApi,
    RestBlocked,
    RestClient,
    RestError,
    WpcomClient,
)
from wpcpd.wordpress.discover import (
    SiteApi,
    choose_scheme,
    discover,
    is_wordpress_com,
    site_address,
    wpcom_api_base,
    wpcom_site,
)
from wpcpd.wordpress.xmlrpc import XmlRpcSite, default_endpoint

REST, WPCOM, XMLRPC = "rest", "wpcom", "xmlrpc"


@dataclass
class ConnectOptions:
    """How to reach a live site. The password is held here only for the run's duration."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    """WordPress.com's OAuth2 token; None: WPCPD_WPCOM_TOKEN or the keyring (credentials.py)."""
    concurrency: int = 4
    insecure_http: bool = False
    politeness: Politeness = field(default_factory=Politeness)


@dataclass
class Connection:
    """A checked connection to one site, and the channel it goes through."""

    channel: str
    """"rest", "wpcom" or "xmlrpc"."""
    session: PoliteSession
    url: str
    language: str = ""
    client: RestClient | None = None
    """The REST client, on the rest and wpcom channels."""
    xmlrpc: XmlRpcSite | None = None
    """The logged-in XML-RPC endpoint, on the xmlrpc channel."""
    me: dict[str, Any] | None = None
    """Who we are (REST users/me in edit context); None for an anonymous REST reader."""
    api: SiteApi | None = None
    """What discovery found (None for WordPress.com, which is not discovered)."""
    fallback: str = ""
    """Why REST was not used, when XML-RPC answers instead."""

    @property
    def rest(self) -> RestClient:
        if self.client is None:
            raise UsageError(f"{self.url}: connected through {self.channel}, not REST")
        return self.client


def connect(
    url: str,
    options: ConnectOptions,
    *,
    via: str = "auto",
    login: bool = True,
    session: PoliteSession | None = None,
) -> Connection:
    """Reach the site at `url` through `via` ("auto", "rest", "wpcom" or "xmlrpc").

    `login=True` (writing) needs a user; `login=False` (reading) may go anonymously. With
    "auto", a site whose REST API is missing or closed is reached through XML-RPC (which
    needs a user and a password); an anonymous reader gets NoRestApi or RestBlocked instead,
    carrying the discovery (`.api`) and the session (`.session`) so that it can scrape.
    """
    url = site_address(choose_scheme(url, options.politeness))
    session = session or make_session(options.politeness)
    if via == WPCOM or (via == "auto" and is_wordpress_com(url)):
        return _wpcom(session, url, options, login)
    api = discover(session, url)
    if via == XMLRPC:
        return xmlrpc_login(session, api, options, login)
    try:
        return _rest(session, api, options, login)
    except (NoRestApi, RestBlocked) as exc:
        if via == REST or not (options.user or login):
            exc.api, exc.session = api, session
            raise
        reason = "no REST API found" if isinstance(exc, NoRestApi) else f"REST closed ({exc})"
        connection = xmlrpc_login(session, api, options, login)
        connection.fallback = reason
        return connection


def _rest(session: PoliteSession, api: SiteApi, options: ConnectOptions, login: bool) -> Connection:
    if api.rest_root is None:
        raise NoRestApi(
            f"{api.url}: no WordPress REST API found "
            "(tried the Link header, /wp-json/ and ?rest_route=/)"
        )
    client = RestClient(session, api.rest_root, options.concurrency)
    me = authenticate(session, client, api.url, options)
    if me is None and login:
        raise UsageError(f"{api.url}: writing needs --user and an application password")
    if me is None:
        check_public_access(client, api.url)
    return Connection(REST, session, api.url, api.language, client, me=me, api=api)


def _wpcom(session: PoliteSession, url: str, options: ConnectOptions, login: bool) -> Connection:
    token = options.token or wpcom_token()
    if token:
        session.auth = BearerAuth(token)
    elif login:
        raise UsageError(
            f"{site_url(url)}: writing to WordPress.com needs a token: {WPCOM_TOKEN_HELP}"
        )
    client = WpcomClient(session, wpcom_api_base(), wpcom_site(url), options.concurrency)
    url = site_url(url)
    if token or login:
        me: dict[str, Any] | None = check_credentials(client, url)
    else:
        me = authenticate(session, client, url, options)
    if me is None:
        check_public_access(client, url)
    return Connection(WPCOM, session, url, client=client, me=me)


def xmlrpc_login(
    session: PoliteSession, api: SiteApi, options: ConnectOptions, login: bool = True
) -> Connection:
    """XML-RPC has no anonymous reads: a user and a password, checked with one call."""
    if not options.user or not options.password:
        if login:
            raise UsageError(f"{api.url}: writing needs --user and a password")
        raise UsageError(
            f"{api.url}: XML-RPC needs --user and a password (set {DEFAULT_PASSWORD_ENV})"
        )
    site = XmlRpcSite(session, api.xmlrpc or default_endpoint(api.url), options.user,
                      options.password, allow_insecure=options.insecure_http)  # fmt: skip
    site.check()
    return Connection(XMLRPC, session, api.url, api.language, xmlrpc=site, api=api)


def authenticate(
    session: PoliteSession, client: RestClient, url: str, options: ConnectOptions
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


def check_public_access(client: RestClient, url: str) -> None:
    """An anonymous reader's first question: may visitors read the API at all?"""
    try:
        client.get("wp/v2/posts", {"per_page": 1, "_fields": "id"})
    except RestError as exc:
        if exc.status in (401, 403):
            raise RestBlocked(
                f"{url}: the REST API is closed to visitors ({exc.code or exc.status}), "
                "probably by a security plugin: give --user with an application password"
            ) from exc
        raise


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
        hint = ""
        if isinstance(client, WpcomClient):
            hint = f"; a token is for one blog unless made with --scope global ({WPCOM_TOKEN_HELP})"
        return f"{url}: the site did not accept the token ({exc.code or exc.status}): {exc}{hint}"
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
