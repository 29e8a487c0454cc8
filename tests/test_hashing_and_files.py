"""The one content hash of each kind and the one atomic write: stored digests keep their
values (they were written by the code these replaced), and a failed write leaves the old
file as it was, with no temporary file beside it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from wpcpd.files import atomic_open, atomic_write, partial_path
from wpcpd.hashing import published_fingerprint, pushed_content_hash, record_hash

FIELDS = {
    "title": "Caf\u00e9 \u201cq\u201d",
    "n": 3,
    "when": datetime(2011, 8, 1),
    "tags": ["b", "a"],
    "none": None,
}


def test_digests_are_those_already_stored() -> None:
    # Values from the code before: archive._hash, sinks/push.content_hash, sinks/publish.digest.
    assert record_hash(["a", None, 3, "\u00e9"]) == "7a1cd0830ced4fc1b63d36e9b0889b42"
    assert pushed_content_hash(FIELDS) == "18d86be5e2645c8e038cd1eeffd5da28"
    assert published_fingerprint(FIELDS) == (
        "3bf1c806b2c7a10142cc39c7346f79d6aa70911353548fcc784edc6fd09251c2"
    )


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    atomic_write(path, "old")
    atomic_write(path, ["n", "e", "w"])
    atomic_write(tmp_path / "b.bin", b"\x00\x01")
    assert path.read_text(encoding="utf-8") == "new"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    atomic_write(path, "old")
    with pytest.raises(RuntimeError), atomic_open(path, durable=True) as handle:
        handle.write("half")
        raise RuntimeError("cut short")
    assert path.read_text(encoding="utf-8") == "old"
    assert not partial_path(path).exists()
