"""What every command shares: the global options as given (--archive, --debug, --quiet), the
archive they name, and the sites to write to or read back, found through it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from wpcpd.archive import Archive, default_path
from wpcpd.config import find_profile, target_options
from wpcpd.errors import WpcpdError


class _State:
    archive_path: Path = default_path()
    debug: bool = False
    quiet: bool = False


state = _State()


def read_archive() -> Archive:
    """For commands that only read: opened read-only where the file or its folder cannot
    be written (a backup disk, a shared copy), so reading still works there."""
    path = state.archive_path
    folder = path.parent if str(path.parent) else Path(".")
    writable = os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))
    return Archive(path, create=False, read_only=not writable)


def open_archive(create: bool = False) -> Archive:
    return Archive(state.archive_path, create=create)


def resolve_target(ref: str, user: str | None, password_env: str) -> tuple[str, str | None, str]:
    """A site to write to or read back: a profile, an address, or a site the archive knows
    by key or number (whose stored address keeps its scheme)."""
    if "://" not in ref and find_profile(ref) is None and state.archive_path.exists():
        with contextlib.suppress(WpcpdError), read_archive() as archive:
            known = archive.resolve_site(ref)
            if known is not None:
                ref = known["url"]
    return target_options(ref, user, password_env)
