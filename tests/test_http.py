"""The shared HTTP session against a small local server that misbehaves on purpose."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wpcpd import __version__
from wpcpd.errors import UsageError
from wpcpd.http import NetworkError, Politeness, SafeBasicAuth, make_session

FAST = Politeness(retries=3, backoff=0.01, timeout=(2, 2))


class Script:
    """Answers the next requests from a queue of (status, headers, body); then 200."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], bytes]] = []
        self.seen: list[dict[str, str]] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            script.seen.append(dict(self.headers))
            status, headers, body = script.answers.pop(0) if script.answers else (200, {}, b"ok")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", script
    httpd.shutdown()
    httpd.server_close()


def test_user_agent_names_wpcpd_and_its_version(server: tuple[str, Script]) -> None:
    url, script = server
    make_session(FAST).get(url)
    assert script.seen[0]["User-Agent"].startswith(f"wpcpd/{__version__}")


def test_server_errors_and_429_are_retried_until_success(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(500, {}, b""), (429, {"Retry-After": "0"}, b""), (503, {}, b"")]
    response = make_session(FAST).get(url)
    assert response.status_code == 200
    assert len(script.seen) == 4


def test_wordpress_com_throttling_403_is_retried(server: tuple[str, Script]) -> None:
    url, script = server
    throttled = json.dumps({"error": "throttled", "message": "slow down"}).encode()
    script.answers = [(403, {"Content-Type": "application/json"}, throttled)]
    session = make_session(FAST)
    assert session.get(url).status_code == 200
    assert session.request_count == 2


def test_retries_give_up_with_the_last_answer(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(500, {}, b"")] * 10
    response = make_session(FAST).get(url)
    assert response.status_code == 500
    assert len(script.seen) == FAST.retries + 1


def test_unreachable_site_is_one_clear_error() -> None:
    with pytest.raises(NetworkError, match=r"http://127\.0\.0\.1:9: cannot connect"):
        make_session(Politeness(retries=0, timeout=(1, 1))).get("http://127.0.0.1:9/")


def test_password_never_goes_over_plain_http_to_another_host() -> None:
    session = make_session(FAST, SafeBasicAuth("jo", "app pass word"))
    with pytest.raises(UsageError, match="refusing to send a password over plain http") as e:
        session.get("http://blog.example.org/wp-json/")
    assert "app pass word" not in str(e.value)
    assert "app pass word" not in repr(session.auth)


def test_password_goes_to_loopback_over_http(server: tuple[str, Script]) -> None:
    url, script = server
    make_session(FAST, SafeBasicAuth("jo", "secret")).get(url)
    assert script.seen[0]["Authorization"].startswith("Basic ")


def test_rate_limit_spaces_requests(server: tuple[str, Script]) -> None:
    url, _script = server
    session = make_session(Politeness(min_interval=0.2, retries=0))
    start = time.monotonic()
    for _ in range(3):
        session.get(url)
    assert time.monotonic() - start >= 0.4
