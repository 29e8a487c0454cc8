"""A keyring backend in one JSON file, for tests that run wpcpd in a subprocess.

Select it with PYTHON_KEYRING_BACKEND=filekeyring.JsonFileKeyring (tests/ on PYTHONPATH) and
WPCPD_TEST_KEYRING=FILE; the test reads FILE to see what wpcpd stored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class JsonFileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ["WPCPD_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        stored = self._load()
        stored[f"{service}|{username}"] = password
        self.path.write_text(json.dumps(stored))

    def delete_password(self, service: str, username: str) -> None:
        stored = self._load()
        stored.pop(f"{service}|{username}", None)
        self.path.write_text(json.dumps(stored))
