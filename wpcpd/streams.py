"""Read a record stream ahead in a thread, so parsing overlaps the archive's writes.

SQLite releases the GIL while it works, so a source parsing the next batch while the
archive writes the last one gains real time on a two-core machine.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def read_ahead(items: Iterable[T], batch: int = 256, depth: int = 8) -> Iterator[T]:
    """Yield `items` in order, produced by a thread up to `depth` batches ahead.

    An exception in the producer is raised here, in the consumer, at the point it happened.
    """
    pipe: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        chunk: list[T] = []
        try:
            for item in items:
                chunk.append(item)
                if len(chunk) >= batch:
                    if not _put(pipe, chunk, stop):
                        return
                    chunk = []
            _put(pipe, chunk, stop)
            _put(pipe, _DONE, stop)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            if _put(pipe, chunk, stop):
                _put(pipe, exc, stop)

    worker = threading.Thread(target=produce, name="wpcpd-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            chunk = pipe.get()
            if chunk is _DONE:
                return
            if isinstance(chunk, BaseException):
                raise chunk
            yield from chunk
    finally:
        stop.set()
        worker.join(timeout=5)


def _put(pipe: queue.Queue, value: object, stop: threading.Event) -> bool:
    """Put unless the consumer has gone away; True when the value was queued."""
    while not stop.is_set():
        try:
            pipe.put(value, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
