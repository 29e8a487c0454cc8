"""Getting a WordPress.com OAuth2 token from a terminal, as https://developer.wordpress.com/docs/oauth2/
documents it.

An app registered at https://developer.wordpress.com/apps/ has a client id, a client secret and
a redirect URL. The person opens `authorize_url()` in a browser and approves; WordPress.com
sends the browser to the redirect URL with `?code=...` (or `?error=access_denied`). When the
redirect URL is on this machine, `RedirectCatcher` catches that request itself; otherwise the
person pastes the address the browser ended at (`code_from()`). `exchange_code()` then POSTs
the code with the client secret to /oauth2/token, which answers with the access token (per
blog, or for every blog of the user with scope=global). `who()` asks /rest/v1.1/me whose it is.

The token and the client secret are never logged, printed or put in an error message.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from wpcpd.errors import UsageError
from wpcpd.http import BearerAuth, PoliteSession, is_loopback
from wpcpd.wordpress.discover import wpcom_api_base

APPS_URL = "https://developer.wordpress.com/apps/"
DOCS_URL = "https://developer.wordpress.com/docs/oauth2/"
DEFAULT_REDIRECT = "http://localhost:8765/"


@dataclass
class Grant:
    """What /oauth2/token answered, without the token in its repr."""

    access_token: str = field(repr=False)
    blog_url: str = ""
    scope: str = ""


def new_state() -> str:
    """The `state` value that ties the browser's return to this request (CSRF)."""
    return secrets.token_urlsafe(16)


def authorize_url(
    client_id: str, redirect_uri: str, state: str, blog: str = "", scope: str = ""
) -> str:
    query = {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
             "state": state}  # fmt: skip
    if blog:
        query["blog"] = blog
    if scope:
        query["scope"] = scope
    return f"{wpcom_api_base()}/oauth2/authorize?{urlencode(query)}"


def code_from(address: str, state: str) -> str:
    """The code in the address the browser was sent back to (or the bare code itself)."""
    address = address.strip()
    if "?" not in address and "=" not in address:
        if not address:
            raise UsageError("no code given: paste the address the browser ended at")
        return address
    query = {k: v[-1] for k, v in parse_qs(urlsplit(address).query or address).items()}
    if query.get("error"):
        raise UsageError(f"WordPress.com did not authorize the app ({query['error']})")
    if query.get("state") != state:
        raise UsageError("that address is not the answer to this request (its state differs)")
    if not query.get("code"):
        raise UsageError("that address carries no code")
    return query["code"]


class RedirectCatcher:
    """Listens on the redirect URL (an http address on this machine) for the browser's
    return, from the moment it is made: print the authorize address after making it."""

    def __init__(self, redirect_uri: str, state: str) -> None:
        parts = urlsplit(redirect_uri)
        if parts.scheme != "http" or not is_loopback(redirect_uri):
            raise UsageError(f"{redirect_uri}: not an http address on this machine to listen on")
        self.state = state
        self.answers: list[str] = []
        try:
            self.server = HTTPServer((parts.hostname or "localhost", parts.port or 80),
                                     _return_handler(parts.path or "/", self.answers))  # fmt: skip
        except OSError as exc:
            raise UsageError(f"cannot listen on {redirect_uri} ({exc.strerror})") from exc
        self.server.timeout = 1.0

    def code(self, timeout: float = 300) -> str:
        """The code the browser brings back, or a one-line error (refused, or no answer)."""
        stop = threading.Timer(timeout, lambda: self.answers.append(""))
        stop.start()
        try:
            while not self.answers:
                self.server.handle_request()
        finally:
            stop.cancel()
            self.server.server_close()
        if not self.answers[0]:
            raise UsageError(f"no answer from the browser in {timeout:.0f} s")
        return code_from(self.answers[0], self.state)


def _return_handler(path: str, answers: list[str]) -> type[BaseHTTPRequestHandler]:
    class Return(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if urlsplit(self.path).path != path:
                self.send_error(404)
                return
            answers.append(self.path)
            body = b"wpcpd has the answer: you can close this tab and go back to the terminal.\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass  # the address carries the code: keep it out of the terminal

    return Return


def exchange_code(
    session: PoliteSession, client_id: str, client_secret: str, redirect_uri: str, code: str
) -> Grant:
    """POST the code to /oauth2/token; the token, or the one-line reason WordPress.com gave."""
    form = {"client_id": client_id, "client_secret": client_secret, "redirect_uri": redirect_uri,
            "code": code, "grant_type": "authorization_code"}  # fmt: skip
    response = session.post(f"{wpcom_api_base()}/oauth2/token", data=form)
    body = _json(response)
    token = body.get("access_token")
    if response.status_code >= 400 or not token:
        reason = (
            body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
        )
        raise UsageError(f"WordPress.com gave no token: {reason}")
    return Grant(str(token), str(body.get("blog_url") or ""), str(body.get("scope") or ""))


def who(session: PoliteSession, token: str) -> dict[str, Any]:
    """The WordPress.com user a token belongs to (GET /rest/v1.1/me), or a one-line refusal."""
    response = session.get(f"{wpcom_api_base()}/rest/v1.1/me", auth=BearerAuth(token))
    body = _json(response)
    if response.status_code >= 400:
        reason = body.get("message") or body.get("error") or f"HTTP {response.status_code}"
        raise UsageError(f"WordPress.com did not accept the token: {reason}")
    return body


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
