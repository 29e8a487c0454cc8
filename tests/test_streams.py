"""read_ahead: same items, same order, the producer's errors raised in the consumer."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from wpcpd.streams import read_ahead


def test_items_arrive_complete_and_in_order() -> None:
    assert list(read_ahead(range(10_000), batch=7, depth=2)) == list(range(10_000))


def test_a_producer_error_is_raised_after_the_items_before_it() -> None:
    def broken() -> Iterator[int]:
        yield from range(5)
        raise ValueError("truncated export")

    seen = []
    with pytest.raises(ValueError, match="truncated export"):
        for item in read_ahead(broken(), batch=2):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_stopping_early_ends_the_producer_thread() -> None:
    stream = read_ahead(iter(range(1_000_000)), batch=10, depth=1)
    assert next(stream) == 0
    stream.close()
    assert not any(t.name == "wpcpd-read-ahead" and t.is_alive() for t in threading.enumerate())
