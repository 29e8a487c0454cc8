"""Content hashes: the one place each digest the archive and the sinks store is computed.

Each function's output is stored (in archives, and in what push and publish remember of the
sites they wrote), so none of them may ever change: a changed digest makes every stored
record look changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def record_hash(values: Iterable[Any]) -> str:
    """An archive row's record_hash: blake2b (16 bytes, hex) over its values as text,
    separated by U+001F, with None as U+0000."""
    text = "\x1f".join("\x00" if v is None else str(v) for v in values)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def comment_digest(content: str, status: str, parent: int) -> str:
    """What a comment recheck compares (wpcpd/sources/recheck.py): the record hash of a
    comment's text, status and parent. Computed from the archive's copy when compared, and
    from what the site lists: never stored."""
    return record_hash((content, status, parent))


def pushed_content_hash(fields: dict[str, Any]) -> str:
    """What push sent for a record, fingerprinted (remote_ids.content_hash of pushed things):
    sha256 of the fields as key-sorted UTF-8 JSON, first 32 hex digits."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def published_fingerprint(fields: dict[str, Any]) -> str:
    """What publish sent for a reflection file, fingerprinted (remote_ids.content_hash of
    published files): sha256 of the fields as key-sorted ASCII JSON, all 64 hex digits."""
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def sha256_hex(data: bytes) -> str:
    """A file's sha256, as the media store names it."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path, chunk: int = 256 * 1024) -> tuple[str, int]:
    """A file's sha256 (as `sha256_hex` of its bytes) and size, read a chunk at a time."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while data := handle.read(chunk):
            digest.update(data)
            size += len(data)
    return digest.hexdigest(), size
