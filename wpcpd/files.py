"""Writing files so that a crash or a failed write never leaves half a file in their place."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def partial_path(path: Path) -> Path:
    """The temporary file beside `path` its new content is written to: `.name.partial`."""
    return path.with_name(f".{path.name}.partial")


@contextmanager
def atomic_open(
    path: Path, mode: str = "w", *, encoding: str | None = "utf-8", durable: bool = False
) -> Iterator[IO[Any]]:
    """A file to write `path`'s new content to: renamed over `path` only when the block ends
    without an error, removed when it does not. durable=True also syncs it to disk first."""
    temporary = partial_path(path)
    try:
        with temporary.open(mode, encoding=None if "b" in mode else encoding) as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
        if durable:
            fsync_dir(path.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write(
    path: Path,
    data: str | bytes | Iterable[str] | Iterable[bytes],
    *,
    encoding: str = "utf-8",
    durable: bool = False,
) -> None:
    """Write text, bytes, or chunks of either to `path` all at once or not at all."""
    chunks: Iterable[Any] = [data] if isinstance(data, str | bytes) else data
    iterator = iter(chunks)
    first = next(iterator, "")
    mode = "wb" if isinstance(first, bytes) else "w"
    with atomic_open(path, mode, encoding=encoding, durable=durable) as handle:
        handle.write(first)
        for chunk in iterator:
            handle.write(chunk)


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable (where the system lets a folder be synced)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
