"""Writing an export folder again and again: only files whose bytes changed are rewritten,
files the export no longer produces are removed, and nothing a person edited is lost.

`.wpcpd/manifest.json` records, for every file the last export wrote, the SHA-256 of what
it wrote and which post it belongs to. A file on disk whose bytes differ from that record
was edited since: it is kept as it is (and said so), not overwritten and not removed.
Each file is written atomically and noted in `.wpcpd/journal.jsonl` as soon as it is; the
manifest is written last. An export killed half way leaves whole files, the previous
manifest and the journal of what it wrote since, so the next run knows those files as its
own and picks up from there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wpcpd.errors import UsageError
from wpcpd.files import atomic_write
from wpcpd.hashing import file_sha256, sha256_hex
from wpcpd.model import now_iso
from wpcpd.text import plural

MANIFEST = Path(".wpcpd") / "manifest.json"
JOURNAL = Path(".wpcpd") / "journal.jsonl"
MANIFEST_VERSION = 1


@dataclass
class FolderWriter:
    root: Path
    previous: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: dict[str, str] = field(default_factory=dict)
    """Post id -> the Markdown file it was written to (the manifest's map)."""
    written: int = 0
    unchanged: int = 0
    edited: list[str] = field(default_factory=list)
    removed: int = 0
    journal: Any = None

    @classmethod
    def open(cls, root: Path, layout: str, site: str) -> FolderWriter:
        """The folder to write, with what the last export into it recorded; a folder
        holding another layout's or another site's export is refused (a re-run removes
        what it no longer writes: it would remove the other export)."""
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot write to {root}: {exc.strerror or exc}") from exc
        previous = _read_manifest(root)
        if previous.get("layout") not in (None, layout):
            raise UsageError(
                f"{root} holds a {previous['layout']} export: use --layout "
                f"{previous['layout']} or another --out folder"
            )
        if previous.get("site") not in (None, site):
            raise UsageError(
                f"{root} holds the export of {previous['site']}: use --site "
                f"{previous['site']} or another --out folder"
            )
        files = previous.get("files", {})
        files.update(_read_journal(root))
        return cls(root, files)

    def write(self, relative: str, data: bytes, *, post: int | None = None) -> str:
        """Write one file unless it already holds these bytes; returns what happened:
        "written", "unchanged" or "edited" (kept as a person left it)."""
        digest = sha256_hex(data)
        return self._put(relative, digest, post, lambda path: atomic_write(path, data))

    def copy(
        self, relative: str, digest: str, size: int, source: Path, *, post: int | None = None
    ) -> str:
        """Copy a media file (known by its SHA-256) unless the same bytes are there already."""

        def copy_to(path: Path) -> None:
            with source.open("rb") as handle:
                atomic_write(path, iter(lambda: handle.read(1 << 20), b""))

        return self._put(relative, digest, post, copy_to, size=size)

    def keep_if_present(self, relative: str, data: bytes) -> bool:
        """A starter file (configuration, layouts): written once, never replaced. False
        when the folder has a file of its own there."""
        path = self.root / relative
        if not path.exists():
            self._ensure_parent(path)
            atomic_write(path, data)
            self.written += 1
            return True
        return path.is_file() and _hash_file(path) == sha256_hex(data)

    def _put(
        self, relative: str, digest: str, post: int | None, make: Any, size: int | None = None
    ) -> str:
        if relative in self.files:
            return "unchanged"  # the same file again (an image two posts share)
        path = self.root / relative
        self.files[relative] = {"sha256": digest, **({"post": post} if post is not None else {})}
        state = self._state(relative, path, digest, size)
        if state == "edited":
            # Kept as it is on disk; recorded as the export last wrote it (if it did), so the
            # next run still knows it as edited.
            self.edited.append(relative)
            if relative in self.previous:
                self.files[relative]["sha256"] = self.previous[relative]["sha256"]
            else:
                del self.files[relative]
            return state
        if state == "unchanged":
            self.unchanged += 1
            return state
        self._ensure_parent(path)
        make(path)
        self._note(relative, digest)
        self.written += 1
        return "written"

    def _note(self, relative: str, digest: str) -> None:
        if self.journal is None:
            self._ensure_parent(self.root / JOURNAL)
            self.journal = (self.root / JOURNAL).open("a", encoding="utf-8")
        self.journal.write(json.dumps({"file": relative, "sha256": digest}) + "\n")
        self.journal.flush()

    def _state(self, relative: str, path: Path, digest: str, size: int | None) -> str:
        if not path.is_file():
            return "missing"
        recorded = self.previous.get(relative, {}).get("sha256")
        if size is not None and recorded == digest and path.stat().st_size == size:
            return "unchanged"  # a media file: same record, same size; not re-hashed
        on_disk = _hash_file(path)
        if on_disk == digest:
            return "unchanged"
        if recorded is not None and on_disk != recorded:
            return "edited"
        if recorded is None:
            return "edited"  # a file the export did not write: never overwritten
        return "changed"

    def _inside(self, relative: str) -> Path | None:
        """The file a manifest entry names, if it is inside the folder (a manifest is a
        file anyone can edit: it must never make the export touch anything else)."""
        root = self.root.resolve()
        path = (root / relative).resolve()
        return path if path.is_relative_to(root) and path != root else None

    def _ensure_parent(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc

    def summary(self) -> str:
        """What this run did to the folder, for the export's notes."""
        return (f"{plural(self.written, 'file')} written, {self.unchanged} unchanged, "
                f"{self.removed} removed")  # fmt: skip

    def edited_note(self) -> str:
        """The files kept as a person edited them (empty when there are none)."""
        if not self.edited:
            return ""
        shown = ", ".join(self.edited[:3]) + (" …" if len(self.edited) > 3 else "")
        return (f"kept {plural(len(self.edited), 'file')} edited since the last export, "
                f"not overwritten: {shown}")  # fmt: skip

    def finish(self, layout: str, site: str) -> None:
        """Remove what the last export wrote and this one did not (unless edited since),
        then record this export."""
        for relative, record in self.previous.items():
            if relative in self.files:
                continue
            path = self._inside(relative)
            if path is None or not path.is_file():
                continue
            if _hash_file(path) != record.get("sha256"):
                self.edited.append(relative)
                self.files[relative] = record
                continue
            path.unlink()
            self.removed += 1
            _remove_empty_parents(path.parent, self.root)
        manifest = {"version": MANIFEST_VERSION, "layout": layout, "site": site,
                    "exported_at": now_iso(), "posts": self.posts,
                    "files": dict(sorted(self.files.items()))}  # fmt: skip
        path = self.root / MANIFEST
        if not _same_but_the_time(_read_manifest(self.root), manifest):
            self._ensure_parent(path)
            atomic_write(path, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
        if self.journal is not None:
            self.journal.close()
        (self.root / JOURNAL).unlink(missing_ok=True)


def _read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    if not path.exists():
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} is not a manifest wpcpd can read: {exc}") from exc
    if not isinstance(found, dict) or not isinstance(found.get("files", {}), dict):
        raise UsageError(f"{path} is not a manifest wpcpd can read")
    return found


def _same_but_the_time(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a re-run changed nothing the manifest records (then it is left as it was)."""
    return bool(old) and {k: v for k, v in old.items() if k != "exported_at"} == {
        k: v for k, v in new.items() if k != "exported_at"
    }


def _read_journal(root: Path) -> dict[str, dict[str, Any]]:
    """What an export killed before its manifest wrote (a torn last line is skipped)."""
    path = root / JOURNAL
    found: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
            found[str(entry["file"])] = {"sha256": str(entry["sha256"])}
        except (ValueError, KeyError, TypeError):
            continue
    return found


def _hash_file(path: Path) -> str:
    return file_sha256(path)[0]


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
