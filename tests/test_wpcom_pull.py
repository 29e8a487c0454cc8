"""WordPress.com sites through its public API, replayed by a local server.

WordPress.com cannot run here, so a small server plays its public API: /rest/v1.1/sites/{site}
answers in that endpoint's documented shape, and /wp/v2/sites/{site}/... answers with what
core's REST API gives (WordPress.com serves core's wp/v2 routes there), taken live from the
real WordPress sandbox. It also throttles once the way WordPress.com does (403 "throttled").
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from wpcpd.archive import Archive
from wpcpd.http import Politeness
from wpcpd.pull import LiveOptions, pull

SITE = "cpdexample.wordpress.com"
TOKEN = "test-oauth-token-5678"


class WpcomReplay:
    def __init__(self, wordpress: Any) -> None:
        self.wordpress = wordpress
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.throttled = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def site_info(self) -> dict[str, Any]:
        return {"ID": 98765, "name": "CPD Sandbox", "description": "Reflections",
                "URL": f"https://{SITE}", "jetpack": False, "lang": "en",
                "options": {"timezone": "Europe/London", "gmt_offset": 0}}  # fmt: skip

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.seen.append((path, headers))
        if path.startswith(f"/rest/v1.1/sites/{SITE}"):
            return 200, {"Content-Type": "application/json"}, json.dumps(self.site_info()).encode()
        prefix = f"/wp/v2/sites/{SITE}/"
        if not path.startswith(prefix):
            return 404, {"Content-Type": "application/json"}, b'{"error":"unknown_blog"}'
        if "/posts" in path and not self.throttled:
            self.throttled = True
            body = b'{"error":"throttled","message":"Too many requests"}'
            return 403, {"Content-Type": "application/json"}, body
        return self._from_core(path.removeprefix(prefix), headers)

    def _from_core(self, route: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(f"{self.wordpress.url}/wp-json/wp/v2/{route}")
        if headers.get("Authorization") == f"Bearer {TOKEN}":
            pair = f"{self.wordpress.admin_user}:{self.wordpress.app_password}".encode()
            request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode())
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                kept = {k: v for k, v in response.headers.items()
                        if k in ("Content-Type", "X-WP-Total", "X-WP-TotalPages")}  # fmt: skip
                return response.status, kept, response.read()
        except urllib.error.HTTPError as error:
            return error.code, {"Content-Type": "application/json"}, error.read()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = replay.answer(self.path, dict(self.headers))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def replay(seeded_wordpress: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[WpcomReplay]:
    server = WpcomReplay(seeded_wordpress)
    thread = threading.Thread(target=server.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("WPCPD_WPCOM_API", server.url)
    yield server
    server.server.shutdown()
    server.server.server_close()


def pull_wpcom(archive: Path) -> Any:
    options = LiveOptions(politeness=Politeness(retries=3, backoff=0.05, timeout=(5, 5)))
    with Archive(archive) as opened:
        return pull(opened, f"https://{SITE}/", live=options)


def test_a_wordpress_com_site_is_read_through_the_public_api(
    replay: WpcomReplay, seeded_wordpress: Any, tmp_path: Path
) -> None:
    result = pull_wpcom(tmp_path / "wpcom.db")
    assert result.channel == "wpcom"
    assert result.summary.sites == [SITE]
    public = [p for p in seeded_wordpress.dump_db()["posts"]
              if p["post_status"] == "publish" and p["post_type"] in ("post", "page")]  # fmt: skip
    with Archive(tmp_path / "wpcom.db") as archive:
        titles = {r["id"]: r["title"] for r in archive.list_posts()}
    assert {p["ID"]: p["post_title"] for p in public}.items() <= titles.items()
    paths = [path for path, _ in replay.seen]
    assert all(p.startswith(("/rest/v1.1/", "/wp/v2/sites/")) for p in paths)
    assert all(h.get("User-Agent", "").startswith("wpcpd/") for _, h in replay.seen)


def test_throttling_is_waited_out_not_fatal(replay: WpcomReplay, tmp_path: Path) -> None:
    pull_wpcom(tmp_path / "wpcom.db")
    posts_requests = [p for p, _ in replay.seen if "/posts" in p]
    assert replay.throttled and len(posts_requests) >= 2


def test_a_token_from_the_environment_reads_drafts_and_held_comments(
    replay: WpcomReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WPCPD_WPCOM_TOKEN", TOKEN)
    result = pull_wpcom(tmp_path / "wpcom.db")
    assert result.details["authenticated"]
    with Archive(tmp_path / "wpcom.db") as archive:
        stats = archive.stats()
    assert stats["posts"]["post"].get("draft") == 1
    assert stats["comments"]["by_status"].get("hold") == 1
    assert all(h.get("Authorization") == f"Bearer {TOKEN}" for _, h in replay.seen)
