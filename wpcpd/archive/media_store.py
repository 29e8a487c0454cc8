"""The store of media files beside the archive: `wpcpd.db` -> `wpcpd.media/`, each file kept
once, named by its sha256 (`wpcpd.media/ab/cdef...`): no part of a URL or of a file name
the site chose ever becomes a path here. The archive's `media_files` table
(wpcpd/archive/media_files.py) maps a site's address for a file to its hash and size.

A file is written to a temporary file inside the store, flushed to disk, hashed and renamed
into place before its row says `ok`, so a kill mid-download leaves nothing half-recorded
(and the next run removes the temporary file). Fetching files is wpcpd/sources/media.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from wpcpd.archive.runs import process_alive
from wpcpd.files import fsync_dir
from wpcpd.hashing import file_sha256

if TYPE_CHECKING:
    from wpcpd.archive import Archive

CHUNK = 256 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class TooLarge(Exception):
    pass


def store_path(archive_path: Path) -> Path:
    """`wpcpd.db` -> `wpcpd.media` (beside it)."""
    return archive_path.with_name(archive_path.stem + ".media")


class MediaStore:
    """Files named by their sha256: `root/ab/cdef...` (two hex digits, then the rest)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not _HEX64.match(sha256 or ""):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def has(self, sha256: str | None, size: int | None = None) -> bool:
        if not sha256 or not _HEX64.match(sha256):
            return False
        path = self.path_for(sha256)
        return path.is_file() and (size is None or path.stat().st_size == size)

    def put(self, chunks: Iterable[bytes], max_size: int) -> tuple[str, int]:
        """Write chunks to a temporary file in the store, fsync, hash, rename into place.
        Raises TooLarge (leaving nothing) once more than max_size bytes arrive."""
        # Not wpcpd.files.atomic_open: the file's name is its hash, known only once it is
        # written, and the temporary name carries the pid so `clean_temporary` can tell
        # what a killed run left from what a running one is writing.
        temp_dir = self.root / "tmp"
        temp_dir.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f"{os.getpid()}-", suffix=".part", dir=temp_dir)
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_size:
                        raise TooLarge(size)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            dest = self.path_for(sha)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.is_file() and dest.stat().st_size == size:
                os.unlink(temp)  # the same bytes are already kept
            else:
                os.replace(temp, dest)
                fsync_dir(dest.parent)
            return sha, size
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    def clean_temporary(self) -> None:
        """Remove what killed runs left half-written (files of processes no longer alive)."""
        temp_dir = self.root / "tmp"
        if not temp_dir.is_dir():
            return
        for path in temp_dir.glob("*.part"):
            pid = path.name.split("-", 1)[0]
            if pid.isdigit() and not process_alive(int(pid)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def hash_file(self, sha256: str) -> tuple[str, int] | None:
        path = self.path_for(sha256)
        if not path.is_file():
            return None
        return file_sha256(path, CHUNK)


def safe_upload_path(folder: Path, address: str) -> Path | None:
    """The file inside `folder` an upload path or address names, or None: absolute paths,
    `..` and anything resolving outside the folder are refused."""
    if not address:
        return None
    if "://" in address:
        path = unquote(urlsplit(address).path)
        if "/wp-content/uploads/" in path:
            path = path.split("/wp-content/uploads/", 1)[1]
        elif "/files/" in path:  # WordPress.com and old multisite uploads
            path = path.split("/files/", 1)[1]
        else:
            return None
    elif address.startswith(("/", "\\")):
        return None
    else:
        path = address
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or any(p == ".." or "\x00" in p for p in parts):
        return None
    root = folder.resolve()
    local = root.joinpath(*parts).resolve()
    return local if local.is_relative_to(root) and local != root else None


def verify(archive: Archive, site_ref: str | None = None) -> list[dict[str, Any]]:
    """Re-hash every stored file: one row per kept address, with `problem` when its file is
    gone or its bytes differ from what was recorded."""
    store = MediaStore(store_path(archive.path))
    hashed: dict[str, tuple[str, int] | None] = {}
    rows = []
    for row in archive.media_files(site_ref):
        if row["status"] != "ok":
            continue
        sha = row["sha256"]
        if sha not in hashed:
            hashed[sha] = store.hash_file(sha)
        found = hashed[sha]
        problem = ""
        if found is None:
            problem = "file missing from the store"
        elif found != (sha, row["size"]):
            problem = f"bytes differ (sha256 now {found[0][:12]}..., {found[1]} bytes)"
        rows.append({"site": row["site"], "url": row["url"], "sha256": sha,
                     "size": row["size"], "problem": problem})  # fmt: skip
    return rows


def store_problems(archive: Archive, site_key: str) -> list[str]:
    """For `wpcpd check`: files missing or failed at the site, or gone from the store."""
    counts = archive.media_file_counts(site_key)
    problems = []
    for status in ("missing", "failed"):
        if counts.get(status):
            problems.append(f"{counts[status]} media file(s) {status} (wpcpd media list)")
    store = MediaStore(store_path(archive.path))
    gone = sum(1 for r in archive.media_files(site_key)
               if r["status"] == "ok" and not store.has(r["sha256"], r["size"]))  # fmt: skip
    if gone:
        problems.append(f"{gone} media file(s) recorded but gone from {store.root}")
    return problems


def copy_out(archive: Archive, site_key: str, url: str) -> bytes | None:
    """A kept file's bytes (for push and exports), or None if the store lacks it."""
    row = archive.media_file(site_key, url)
    if row is None or row["status"] != "ok":
        return None
    store = MediaStore(store_path(archive.path))
    if not store.has(row["sha256"], row["size"]):
        return None
    return store.path_for(row["sha256"]).read_bytes()
