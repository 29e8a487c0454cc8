"""A stand-in for WordPress.com's public API, on loopback, for publishing tests.

WordPress.com cannot run here, so this server answers the requests wpcpd's publisher makes
in the shapes WordPress.com documents, and records every request (method, path, headers,
body) for the tests to assert on. Where each shape comes from:

- `GET /rest/v1.1/sites/$site`: https://developer.wordpress.com/docs/api/1.1/get/sites/$site/
  (ID, name, description, URL, lang, options.timezone / gmt_offset).
- `/wp/v2/sites/$site/...`: WordPress.com serves core's REST routes under this prefix
  (https://developer.wordpress.com/docs/api/ "WP.com REST API v2"; the addresses in
  https://developer.wordpress.com/docs/api/getting-started/), so posts, categories, tags,
  media and users/me answer as core's REST API reference documents them
  (https://developer.wordpress.org/rest-api/reference/posts/, .../categories/, .../tags/,
  .../media/): edit-context objects, X-WP-Total / X-WP-TotalPages headers, 201 on create,
  400 `term_exists` with `data.term_id` for a term that is there already.
- Uploads: https://developer.wordpress.com/docs/api/1.1/post/sites/$site/media/new/ says
  "the entire request should be multipart/form-data encoded"; this server refuses a raw body.
- Refusals, in WordPress.com's own error shape `{"error": ..., "message": ...}` as listed
  under "Resource Errors" on those pages: 403 `unauthorized` "User cannot ..." (a token
  without the right to write: tokens are per blog unless global, per
  https://developer.wordpress.com/docs/oauth2/), and throttling (429 with Retry-After, and
  WordPress.com's 403 `throttled`, see /work/shared/WORDPRESS-NOTES.md).
- OAuth2 (https://developer.wordpress.com/docs/oauth2/): POST /oauth2/token with client_id,
  client_secret, redirect_uri, code and grant_type=authorization_code answers with
  access_token, token_type, blog_id, blog_url (and scope); GET /rest/v1.1/me
  (https://developer.wordpress.com/docs/api/1.1/get/me/) says whose token it is.
- Sharing: posts carry the Jetpack Social meta `jetpack_publicize_feature_enabled`
  (registered for the REST API by Automattic/jetpack
  projects/packages/publicize/src/class-publicize-base.php, default true); the server keeps
  what was sent, so a test can see whether the post would be shared.
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SITE = "cpdexample.wordpress.com"
TOKEN = "wpcom-test-token-4f9a1c"
JSON = {"Content-Type": "application/json; charset=UTF-8"}


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class FakeWpcom:
    site: str = SITE
    token: str = TOKEN
    seen: list[Seen] = field(default_factory=list)
    posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    terms: dict[str, dict[int, dict[str, Any]]] = field(
        default_factory=lambda: {"categories": {}, "tags": {}}
    )
    media: dict[int, dict[str, Any]] = field(default_factory=dict)
    throttle: list[str] = field(default_factory=list)
    """Answers to give the next writes before serving them: "429" or "403throttled"."""
    deny_writes: bool = False
    """Answer every write with 403 unauthorized (a token lacking the scope)."""
    next_id: int = 100
    client: tuple[str, str] = ("12345", "app-secret-0d1e")
    """The registered app: (client id, client secret)."""
    codes: dict[str, str] = field(default_factory=dict)
    """Authorization codes handed out -> the redirect URI each was given for."""

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def writes(self) -> list[Seen]:
        return [s for s in self.seen if s.method in ("POST", "PUT", "PATCH", "DELETE")]

    # -- answering --------------------------------------------------------------------

    def answer(self, seen: Seen) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.seen.append(seen)
            if seen.path.startswith(f"/rest/v1.1/sites/{self.site}"):
                return 200, JSON, self.site_info()
            if seen.path == "/oauth2/token":
                return self._token(seen)
            if seen.path == "/rest/v1.1/me":
                if seen.headers.get("Authorization") != f"Bearer {self.token}":
                    return 403, JSON, {"error": "authorization_required", "message": "An "
                                       "active access token must be used to query "
                                       "information about the current user."}  # fmt: skip
                return 200, JSON, {"ID": 7, "username": "jo", "display_name": "Jo"}
            prefix = f"/wp/v2/sites/{self.site}/"
            if not seen.path.startswith(prefix):
                return 404, JSON, {"error": "unknown_blog", "message": "Unknown blog"}
            if seen.headers.get("Authorization") != f"Bearer {self.token}":
                return 403, JSON, {"error": "unauthorized", "message": "User cannot view."}
            route = seen.path.removeprefix(prefix).strip("/")
            if seen.method != "GET":
                refused = self._refuse_write()
                if refused:
                    return refused
            return self._route(seen, route)

    def _refuse_write(self) -> tuple[int, dict[str, str], Any] | None:
        if self.throttle:
            kind = self.throttle.pop(0)
            if kind == "429":
                return 429, {**JSON, "Retry-After": "1"}, {
                    "error": "rate_limit_exceeded", "message": "Too many requests."}  # fmt: skip
            return 403, JSON, {"error": "throttled", "message": "Too many requests."}
        if self.deny_writes:
            return 403, JSON, {"error": "unauthorized", "message": "User cannot publish posts"}
        return None

    def site_info(self) -> dict[str, Any]:
        return {"ID": 98765, "name": "CPD on WordPress.com", "description": "Reflections",
                "URL": f"https://{self.site}", "jetpack": False, "lang": "en",
                "options": {"timezone": "Europe/London", "gmt_offset": 0}}  # fmt: skip

    def _route(self, seen: Seen, route: str) -> tuple[int, dict[str, str], Any]:
        parts = route.split("/")
        base = parts[0]
        if route == "users/me":
            return 200, JSON, {"id": 7, "username": "jo", "name": "Jo", "slug": "jo"}
        if base == "posts":
            return self._posts(seen, parts[1] if len(parts) > 1 else None)
        if base in self.terms:
            return self._terms(seen, base)
        if base == "media" and seen.method == "POST":
            return self._upload(seen)
        return 404, JSON, {"code": "rest_no_route", "message": "No route was found."}

    def _posts(self, seen: Seen, ident: str | None) -> tuple[int, dict[str, str], Any]:
        if ident is None and seen.method == "GET":
            found = [p for p in self.posts.values()
                     if p["slug"] == seen.query.get("slug", p["slug"])]  # fmt: skip
            return 200, _paged(len(found)), found
        if ident is None:
            post = self._save({"id": self._new_id(), "status": "draft"}, seen.json())
            return 201, JSON, post
        post = self.posts.get(int(ident))
        if post is None:
            return 404, JSON, {"code": "rest_post_invalid_id", "message": "Invalid post ID."}
        if seen.method == "GET":
            return 200, JSON, post
        return 200, JSON, self._save(post, seen.json())

    def _save(self, post: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
        for key in ("title", "content", "excerpt"):
            if key in fields:
                post[key] = {"raw": fields[key], "rendered": fields[key]}
        for key in ("status", "slug", "categories", "tags", "featured_media", "date_gmt"):
            if key in fields:
                post[key] = fields[key]
        post.setdefault("meta", {"jetpack_publicize_feature_enabled": True})
        post["meta"].update(fields.get("meta") or {})
        post.update(type="post", link=f"https://{self.site}/?p={post['id']}",
                    date=post.get("date_gmt"), modified_gmt=post.get("date_gmt"))  # fmt: skip
        self.posts[post["id"]] = post
        return post

    def _terms(self, seen: Seen, base: str) -> tuple[int, dict[str, str], Any]:
        terms = self.terms[base]
        if seen.method == "GET":
            found = list(terms.values())
            if "include" in seen.query:
                wanted = {int(i) for i in seen.query["include"].split(",")}
                found = [t for t in found if t["id"] in wanted]
            if "search" in seen.query:
                found = [t for t in found if seen.query["search"].lower() in t["name"].lower()]
            return 200, _paged(len(found)), found
        name = html.escape(seen.json()["name"], quote=False)  # core stores names escaped
        for term in terms.values():
            if term["name"] == name:
                return 400, JSON, {"code": "term_exists", "message": "A term with the name "
                                   "provided already exists.", "data": {"status": 400,
                                   "term_id": term["id"]}}  # fmt: skip
        term = {"id": self._new_id(), "name": name, "slug": name.lower().replace(" ", "-")}
        terms[term["id"]] = term
        return 201, JSON, term

    def _upload(self, seen: Seen) -> tuple[int, dict[str, str], Any]:
        content_type = seen.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            return 400, JSON, {"error": "invalid_input", "message": "No media provided."}
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + seen.body
        )
        part = next(
            p
            for p in message.iter_parts()
            if p.get_param("name", header="content-disposition") == "file"
        )
        name = part.get_filename()
        data = part.get_payload(decode=True)
        item = {"id": self._new_id(), "source_url": f"https://{self.site}/files/{name}",
                "mime_type": part.get_content_type(), "bytes": len(data)}  # fmt: skip
        self.media[item["id"]] = item
        return 201, JSON, item

    def _token(self, seen: Seen) -> tuple[int, dict[str, str], Any]:
        form = {k: v[-1] for k, v in parse_qs(seen.body.decode()).items()}
        code = form.get("code", "")
        if (form.get("client_id"), form.get("client_secret")) != self.client or (
            self.codes.get(code) != form.get("redirect_uri")
            or form.get("grant_type") != "authorization_code"
        ):
            return 400, JSON, {"error": "invalid_grant",
                               "error_description": "Invalid authorization code."}  # fmt: skip
        del self.codes[code]
        return 200, JSON, {"access_token": self.token, "token_type": "bearer",
                           "blog_id": "98765", "blog_url": f"https://{self.site}",
                           "scope": ""}  # fmt: skip

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id


def _paged(total: int) -> dict[str, str]:
    return {**JSON, "X-WP-Total": str(total), "X-WP-TotalPages": "1"}


def _handler(fake: FakeWpcom) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            method = self.command
            if method == "POST" and self.headers.get("X-HTTP-Method-Override"):
                method = self.headers["X-HTTP-Method-Override"]
            seen = Seen(method, parts.path, query, dict(self.headers), body)
            status, headers, payload = fake.answer(seen)
            data = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def running(fake: FakeWpcom) -> Iterator[FakeWpcom]:
    thread = threading.Thread(target=fake.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
