"""Where passwords come from: environment first, then the keyring, then a prompt."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from wpcpd.credentials import resolve_password


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_environment_wins(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    memory_keyring.set_password("wpcpd", "https://blog.example.org/jo", "from-keyring")
    monkeypatch.setenv("MY_BLOG_PASSWORD", "from-env")
    assert resolve_password("https://blog.example.org", "jo", "MY_BLOG_PASSWORD") == "from-env"


def test_keyring_when_the_environment_has_none(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WPCPD_PASSWORD", raising=False)
    memory_keyring.set_password("wpcpd", "https://blog.example.org/jo", "from-keyring")
    assert resolve_password("https://blog.example.org/", "jo", prompt=False) == "from-keyring"


def test_no_user_means_anonymous_and_no_source_means_none(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WPCPD_PASSWORD", "ignored")
    assert resolve_password("https://blog.example.org", None) is None
    monkeypatch.delenv("WPCPD_PASSWORD")
    assert resolve_password("https://blog.example.org", "sam", prompt=False) is None
