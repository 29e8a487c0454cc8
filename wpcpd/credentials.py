"""Where passwords come from: an environment variable, the system keyring, or a prompt.

Never from the command line (it would sit in shell history and `ps`), never written to the
archive, a log or an error message.
"""

from __future__ import annotations

import getpass
import os
import sys

from wpcpd.errors import UsageError

DEFAULT_PASSWORD_ENV = "WPCPD_PASSWORD"
KEYRING_SERVICE = "wpcpd"


def keyring_password(url: str, user: str) -> str | None:
    """The password stored with `keyring set wpcpd URL/USER`, when keyring is installed."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, f"{url.rstrip('/')}/{user}")
    except (KeyringError, RuntimeError):
        return None


def resolve_password(
    url: str, user: str | None, password_env: str = DEFAULT_PASSWORD_ENV, prompt: bool = True
) -> str | None:
    """The application password for `user` at `url`, or None to go anonymously."""
    if not user:
        return None
    from_env = os.environ.get(password_env)
    if from_env:
        return from_env
    stored = keyring_password(url, user)
    if stored:
        return stored
    if prompt and sys.stdin.isatty():
        return getpass.getpass(f"Application password for {user} at {url}: ") or None
    return None


WPCOM_TOKEN_ENV = "WPCPD_WPCOM_TOKEN"
WPCOM_KEYRING_USER = "public-api.wordpress.com/oauth2-token"
"""The keyring entry `wpcpd auth wpcom` writes: (service "wpcpd", this user name)."""
WPCOM_TOKEN_HELP = f"run wpcpd auth wpcom (or set {WPCOM_TOKEN_ENV})"


def wpcom_token(prompt: bool = False) -> str | None:
    """The WordPress.com OAuth2 token: from WPCPD_WPCOM_TOKEN, else the keyring, else (at a
    terminal, when asked to) a prompt that does not echo. Never from a profile file."""
    from_env = os.environ.get(WPCOM_TOKEN_ENV, "").strip()
    if from_env:
        return from_env
    stored = _keyring_get(WPCOM_KEYRING_USER)
    if stored:
        return stored
    if prompt and sys.stdin.isatty():
        return getpass.getpass("WordPress.com token (wpcpd auth wpcom makes one): ").strip() or None
    return None


def store_wpcom_token(token: str) -> None:
    """Keep the token in the system keyring; refuses (one line) when there is none."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError as exc:
        raise UsageError(
            "no keyring to keep the token in: pip install keyring, "
            f"or set {WPCOM_TOKEN_ENV} in the environment instead"
        ) from exc
    try:
        keyring.set_password(KEYRING_SERVICE, WPCOM_KEYRING_USER, token)
    except (KeyringError, RuntimeError) as exc:
        raise UsageError(
            f"the system keyring refused the token ({type(exc).__name__}): "
            f"set {WPCOM_TOKEN_ENV} in the environment instead"
        ) from exc


def _keyring_get(user: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, user)
    except (KeyringError, RuntimeError):
        return None
