"""Where passwords come from: an environment variable, the system keyring, or a prompt.

Never from the command line (it would sit in shell history and `ps`), never written to the
archive, a log or an error message.
"""

from __future__ import annotations

import getpass
import os
import sys

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
