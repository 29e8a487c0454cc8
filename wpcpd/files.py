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


def part_path(path: Path, number: int) -> Path:
    """The file of part `number` of an export split over several: `path` itself first, then
    `stem-2.suffix`, `stem-3.suffix`, ... (`.xml` when `path` has no suffix)."""
    if number == 1:
        return path
    return path.with_name(f"{path.stem}-{number}{path.suffix or '.xml'}")


class AtomicParts:
    """Several files written as one: each part goes to its `.partial` file, and all are
    renamed into place by `commit()`; `discard()` (on any error) removes every one."""

    def __init__(self, path: Path, encoding: str = "utf-8") -> None:
        self.path = path
        self.encoding = encoding
        self.paths: list[Path] = []
        self._handle: IO[str] | None = None

    def next(self) -> IO[str]:
        self._close()
        target = part_path(self.path, len(self.paths) + 1)
        self.paths.append(target)
        self._handle = partial_path(target).open("w", encoding=self.encoding)
        return self._handle

    def _close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def commit(self) -> list[Path]:
        self._close()
        for target in self.paths:
            os.replace(partial_path(target), target)
        return self.paths

    def discard(self) -> None:
        self._close()
        for target in self.paths:
            partial_path(target).unlink(missing_ok=True)
