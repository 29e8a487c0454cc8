"""The one retry policy (wpcpd/http.py): its backoff formula, and which answers to a POST
are sent again, against a small local server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wpcpd.http import Politeness, make_session, retry_delay

FAST = Politeness(retries=3, backoff=0.01, timeout=(2, 2))


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    slow = Politeness(backoff=1.0, max_backoff=5.0)
    for attempt, low in ((0, 1.0), (1, 2.0), (2, 4.0)):
        assert low <= retry_delay(slow, attempt) <= min(2 * low, 5.0)
    assert retry_delay(slow, 10) == 5.0


def test_retry_after_is_honoured_in_seconds_or_as_a_date_within_the_cap() -> None:
    slow = Politeness(backoff=0.01, max_backoff=30.0)
    assert retry_delay(slow, 0, "7") >= 7.0
    assert retry_delay(slow, 0, "600") == 30.0
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=12), usegmt=True)
    assert 10.0 <= retry_delay(slow, 0, soon) <= 12.5
    assert retry_delay(slow, 0, "not a delay") < 1.0


@pytest.fixture
def posts() -> Iterator[tuple[str, list[int], list[int]]]:
    """A server answering POSTs with the statuses queued, then 201; it lists what it sent."""
    queue: list[int] = []
    sent: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = queue.pop(0) if queue else 201
            sent.append(status)
            self.send_response(status)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", queue, sent
    httpd.shutdown()
    httpd.server_close()


def test_a_post_refused_with_429_is_sent_again(posts: tuple[str, list[int], list[int]]) -> None:
    url, queue, sent = posts
    queue += [429, 429]
    assert make_session(FAST).post(url, data=b"x").status_code == 201
    assert sent == [429, 429, 201]


def test_a_post_answered_500_is_never_sent_again(posts: tuple[str, list[int], list[int]]) -> None:
    url, queue, sent = posts
    queue += [500]
    assert make_session(FAST).post(url, data=b"x").status_code == 500
    assert sent == [500]


def test_an_idempotent_post_is_sent_again_after_a_500(
    posts: tuple[str, list[int], list[int]],
) -> None:
    url, queue, sent = posts
    queue += [500, 503]
    assert make_session(FAST).post(url, data=b"x", idempotent=True).status_code == 201
    assert sent == [500, 503, 201]
