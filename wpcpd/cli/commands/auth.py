"""`wpcpd auth wpcom`: get a WordPress.com token and keep it in the system keyring."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Annotated

import typer

from wpcpd.cli.options import JsonOption
from wpcpd.cli.output import print_json, print_text, say
from wpcpd.credentials import WPCOM_TOKEN_ENV, store_wpcom_token
from wpcpd.errors import UsageError
from wpcpd.http import PoliteSession, is_loopback, make_session
from wpcpd.wordpress import oauth

CLIENT_SECRET_ENV = "WPCPD_WPCOM_CLIENT_SECRET"

STEPS = f"""\
Publishing to a WordPress.com blog needs an OAuth2 token ({oauth.DOCS_URL}):
  1. Register an app at {oauth.APPS_URL} (any name; as its redirect URL give
     {oauth.DEFAULT_REDIRECT} so that wpcpd can catch the browser's return itself).
  2. Run: wpcpd auth wpcom --client-id ID  (the client secret is asked for, or read from
     {CLIENT_SECRET_ENV}); approve in the browser. Add --scope global to reach every blog
     of yours with one token (several WordPress.com blogs), or --blog ADDRESS for one.
  3. The token goes into the system keyring, never into a profile or the archive.
     Without a keyring, set {WPCOM_TOKEN_ENV} in the environment instead.
Already have a token? Run wpcpd auth wpcom at a terminal and paste it when asked."""


def auth_wpcom(
    client_id: Annotated[
        str | None,
        typer.Option(metavar="ID", help="Your app's client id (developer.wordpress.com/apps)."),
    ] = None,
    redirect_uri: Annotated[
        str, typer.Option(metavar="URL", help="The redirect URL registered for the app.")
    ] = oauth.DEFAULT_REDIRECT,
    blog: Annotated[
        str, typer.Option(metavar="ADDRESS", help="Ask for a token for this blog only.")
    ] = "",
    scope: Annotated[
        str, typer.Option(metavar="SCOPE", help="'global' for every blog of yours.")
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """Get a WordPress.com token (OAuth2) and keep it in the system keyring.

    \b
    Examples:
      wpcpd auth wpcom                    # the steps; at a terminal, paste one
      wpcpd auth wpcom --client-id 12345  # approve in a browser; it is kept
    """
    session = make_session()
    if client_id:
        token = _authorize(session, client_id, redirect_uri, blog, scope)
    else:
        if not as_json:
            print_text(STEPS)
        if not sys.stdin.isatty():
            if as_json:
                print_json({"stored": False, "steps": STEPS.splitlines()})
            return
        token = getpass.getpass("Paste a token to keep (Enter to stop): ").strip()
        if not token:
            return
    user = oauth.who(session, token)
    store_wpcom_token(token)
    name = user.get("username") or user.get("display_name") or "?"
    if as_json:
        print_json({"stored": True, "user": name, "keyring": True})
    else:
        say(f"kept the token of WordPress.com user {name} in the system keyring")


def _authorize(
    session: PoliteSession, client_id: str, redirect_uri: str, blog: str, scope: str
) -> str:
    """The documented authorization-code flow, from a terminal."""
    secret = os.environ.get(CLIENT_SECRET_ENV, "").strip()
    if not secret and sys.stdin.isatty():
        secret = getpass.getpass("The app's client secret: ").strip()
    if not secret:
        raise UsageError(f"the app's client secret is needed: set {CLIENT_SECRET_ENV}")
    state = oauth.new_state()
    url = oauth.authorize_url(client_id, redirect_uri, state, blog, scope)
    if redirect_uri.startswith("http://") and is_loopback(redirect_uri):
        catcher = oauth.RedirectCatcher(redirect_uri, state)  # listening before it is needed
        say(f"Open this address in a browser and approve wpcpd:\n{url}")
        code = catcher.code()
    elif sys.stdin.isatty():
        say(f"Open this address in a browser and approve wpcpd:\n{url}")
        code = oauth.code_from(input("Paste the address the browser was sent to: "), state)
    else:
        raise UsageError(f"{redirect_uri} is not on this machine: run this at a terminal to "
                         "paste the address the browser is sent to")  # fmt: skip
    return oauth.exchange_code(session, client_id, secret, redirect_uri, code).access_token
