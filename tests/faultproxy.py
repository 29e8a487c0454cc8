"""A small forward HTTP proxy on loopback that misbehaves on cue, for fault tests.

Point a client at it with HTTP_PROXY; every request is forwarded to its real target unless
the plan says otherwise for that request: drop the connection, answer 500 or 429 with
Retry-After, or stall longer than the client waits. It counts what it saw, by path.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Plan = Callable[[int, str], str | None]
"""(request number from 1, URL) -> None to forward, or "drop", "500", "429", "stall"."""

HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
               "trailer", "upgrade", "proxy-authorization", "proxy-authenticate"}  # fmt: skip


class FaultProxy:
    def __init__(self, plan: Plan | None = None, stall_seconds: float = 5.0) -> None:
        self.plan: Plan = plan or (lambda number, url: None)
        self.stall_seconds = stall_seconds
        self.count = 0
        self.paths: Counter[str] = Counter()
        self.urls: list[str] = []
        """Every URL asked for, query included, in order."""
        self.methods: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, url: str, method: str = "GET") -> str | None:
        with self._lock:
            self.methods[method] += 1
            self.count += 1
            number = self.count
            self.paths[urlsplit(url).path + _route(url)] += 1
            self.urls.append(url)
        fault = self.plan(number, url)
        if fault:
            with self._lock:
                self.faults[fault] += 1
        return fault

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and bodies go out in separate writes: without TCP_NODELAY (and
            # TCP_QUICKACK below), Nagle's algorithm meeting a delayed ACK adds 40 ms to each.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def do_HEAD(self) -> None:
                self._serve()

            def do_PUT(self) -> None:
                self._serve()

            def do_PATCH(self) -> None:
                self._serve()

            def do_DELETE(self) -> None:
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length and hasattr(socket, "TCP_QUICKACK"):
                    # The client holds its body back until its headers are acknowledged.
                    self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                body = self.rfile.read(length) if length else None
                # Only now, with the whole request here: the plan may kill the client.
                fault = proxy._next(self.path, self.command)
                if fault == "drop":
                    self._drop()
                elif fault == "stall":
                    time.sleep(proxy.stall_seconds)
                    self._drop()
                elif fault in ("500", "429"):
                    self._answer(int(fault), {"Retry-After": "1"}, b"")
                else:
                    self._forward(body)

            def _drop(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                # The client may be gone (killed, or timed out): nobody is left to tell.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)

            def _forward(self, body: bytes | None) -> None:
                target = urlsplit(self.path)
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                upstream.connect()
                upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                path = target.path + (f"?{target.query}" if target.query else "")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
                upstream.request(self.command, path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                kept = {k: v for k, v in response.getheaders()
                        if k.lower() not in HOP_HEADERS | {"content-length"}}  # fmt: skip
                self._answer(response.status, kept, data)
                upstream.close()

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _route(url: str) -> str:
    """The REST route of a ?rest_route= URL, so both permalink styles count alike."""
    query = urlsplit(url).query
    for part in query.split("&"):
        if part.startswith("rest_route="):
            return part.removeprefix("rest_route=")
    return ""
