"""Write to a WordPress site through its REST API: posts, pages, terms, media, comments, users.

A thin layer over `RestClient` (which already knows the site's REST root and reads) and its
`PoliteSession` (timeouts, rate limit, auth). Every write goes through `RestWriter.request`,
which turns WordPress's error bodies into `RestWriteError` and counts writes by method.

Retrying (wpcpd.http's one policy): the session retries PUT and DELETE (the same request
twice has the same effect) but a POST only when refused with a 429, since a POST whose
answer was lost may still have created something. Callers
that must not duplicate record what they created (wpcpd's `remote_ids` table) and look for
their own earlier work on the target before creating again; see `wpcpd.sinks.migrate.push`.

    writer = RestWriter(client)
    post = writer.create_post({"title": "Hello", "content": "<p>Hi</p>", "status": "draft"})
    writer.update_post(post["id"], {"status": "publish"})
    term_id, created = writer.ensure_term("categories", "News", "news")
    media = writer.upload_media(Path("badge.png"), "badge.png", "image/png")
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from wpcpd.wordpress.client import RestClient, RestError

WRITE_METHODS = ("POST", "PUT", "DELETE")
# A 429 means the site refused the request before doing anything: safe to send again.
POST_RETRIES_ON_429 = 3


class RestWriteError(RestError):
    """A write the site refused; `data` is the error body's "data" object."""

    def __init__(self, message: str, status: int = 0, code: str = "", data: Any = None):
        super().__init__(message, status, code)
        self.data = data if isinstance(data, dict) else {}


@dataclass
class TermResult:
    id: int
    created: bool
    """False when the term was already there (WordPress's 400 term_exists)."""


class RestWriter:
    """Creates, updates and deletes items on one WordPress site as the session's user."""

    def __init__(self, client: RestClient) -> None:
        self.client = client
        self.session = client.session
        self.writes: Counter[str] = Counter()
        """Write requests sent, by method (reads are counted by the session only)."""
        self._override_put = False

    # -- the one way out -----------------------------------------------------------------

    def request(
        self,
        method: str,
        route: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        data: bytes | None = None,
        headers: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> Any:
        """Send one write and return the decoded JSON answer; refusals raise RestWriteError."""
        url = self.client.url_for(route)
        headers = dict(headers or {})
        if method == "PUT" and self._override_put:
            method, headers["X-HTTP-Method-Override"] = "POST", "PUT"
        response = self._send(method, url, json=json, params=params, data=data, headers=headers,
                              files=files)  # fmt: skip
        if response.status_code == 405 and method == "PUT":
            # Some servers and firewalls refuse PUT; WordPress honours the override header.
            self._override_put = True
            return self.request("PUT", route, json=json, params=params, data=data,
                                headers=headers)  # fmt: skip
        if response.status_code >= 400:
            raise write_error(url, response)
        try:
            return response.json()
        except ValueError as exc:
            raise RestWriteError(f"{url}: answered {method} with something not JSON") from exc

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        # The session's retry policy resends a POST only when it was refused with a 429.
        self.writes[method] += 1
        retries = POST_RETRIES_ON_429 if method == "POST" else None
        return self.session.request(method, url, retries=retries, **kwargs)

    def create(self, route: str, fields: dict[str, Any]) -> dict[str, Any]:
        """POST a new item to a collection route such as "wp/v2/posts"."""
        return self.request("POST", route, json=fields)

    def update(self, route: str, item_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        """PUT changed fields of an existing item (PUT is safe to retry)."""
        return self.request("PUT", f"{route}/{item_id}", json=fields)

    def delete(self, route: str, item_id: int, *, force: bool = False) -> dict[str, Any]:
        """Move an item to the trash, or delete it for good with force=True."""
        return self.request("DELETE", f"{route}/{item_id}", params={"force": "true"} if force
                            else None)  # fmt: skip

    # -- posts and pages -----------------------------------------------------------------

    def create_post(self, fields: dict[str, Any], rest_base: str = "posts") -> dict[str, Any]:
        """Create a post of any type (rest_base "pages", or a custom type's base)."""
        return self.create(f"wp/v2/{rest_base}", fields)

    def update_post(
        self, post_id: int, fields: dict[str, Any], rest_base: str = "posts"
    ) -> dict[str, Any]:
        return self.update(f"wp/v2/{rest_base}", post_id, fields)

    def create_page(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self.create_post(fields, "pages")

    def update_page(self, page_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        return self.update_post(page_id, fields, "pages")

    # -- terms ---------------------------------------------------------------------------

    def ensure_term(
        self,
        taxonomy_rest_base: str,
        name: str,
        slug: str = "",
        parent_id: int = 0,
        description: str | None = None,
    ) -> TermResult:
        """The id of the term, created unless WordPress says it exists (400 term_exists).

        WordPress decides "exists" by name and parent, and carries the existing id in the
        error's data.term_id; a taken slug with another name gets a "-2" slug instead.
        """
        fields: dict[str, Any] = {"name": name}
        if slug:
            fields["slug"] = slug
        if parent_id:
            fields["parent"] = parent_id
        if description is not None:
            fields["description"] = description
        try:
            created = self.create(f"wp/v2/{taxonomy_rest_base}", fields)
        except RestWriteError as exc:
            existing = exc.data.get("term_id")
            if exc.code == "term_exists" and existing:
                return TermResult(int(existing), created=False)
            raise
        return TermResult(int(created["id"]), created=True)

    def update_term(
        self, taxonomy_rest_base: str, term_id: int, fields: dict[str, Any]
    ) -> dict[str, Any]:
        return self.update(f"wp/v2/{taxonomy_rest_base}", term_id, fields)

    # -- media ---------------------------------------------------------------------------

    def upload_media(
        self,
        content: Path | bytes,
        filename: str,
        mime: str,
        fields: dict[str, Any] | None = None,
        *,
        multipart: bool = False,
    ) -> dict[str, Any]:
        """Upload a file as a new attachment; short `fields` (slug, date_gmt) ride along.

        The body is the file itself, named by Content-Disposition; WordPress reads other
        fields from the query string in that case, so long ones (description) belong in a
        later `update_media`. `multipart=True` sends it as a form's `file` part instead
        (core reads either), the way WordPress.com documents its uploads.
        """
        data = content.read_bytes() if isinstance(content, Path) else content
        if multipart:
            files = {"file": (safe_filename(filename), data, mime or "application/octet-stream")}
            return self.request("POST", "wp/v2/media", files=files, params=fields or None)
        headers = {
            "Content-Type": mime or "application/octet-stream",
            # Raw bytes: WordPress reads the name as sent, and HTTP headers are not UTF-8.
            "Content-Disposition": f'attachment; filename="{safe_filename(filename)}"'.encode(),
        }
        return self.request("POST", "wp/v2/media", data=data, headers=headers,
                            params=fields or None)  # fmt: skip

    def update_media(self, media_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        return self.update("wp/v2/media", media_id, fields)

    # -- comments ------------------------------------------------------------------------

    def create_comment(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Create a comment; an administrator may set author_*, date_gmt, status, parent.

        WordPress 6.1 refuses a `type` other than "comment" (rest_invalid_comment_type), on
        draft and trashed posts (rest_comment_draft_post, rest_comment_trash_post), on posts
        whose comments are closed (rest_comment_closed, even for administrators), empty
        content, and a repeat of an existing comment (409 comment_duplicate).
        """
        return self.create("wp/v2/comments", fields)

    def update_comment(self, comment_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        return self.update("wp/v2/comments", comment_id, fields)

    # -- users ---------------------------------------------------------------------------

    def users(self) -> list[dict[str, Any]]:
        """Every user with login and e-mail (edit context: needs the list_users capability)."""
        return list(self.client.all_items("wp/v2/users", {"context": "edit"}))

    def find_user(self, login: str = "", email: str = "") -> dict[str, Any] | None:
        """The user whose login (or else e-mail address) is exactly this, or None."""
        for value, key in ((login, "username"), (email, "email")):
            if not value:
                continue
            found = self.client.json("wp/v2/users", {"search": value, "context": "edit"})
            for user in found:
                if str(user.get(key, "")).lower() == value.lower():
                    return user
        return None

    def create_user(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Create a user; WordPress needs username, email and password."""
        return self.create("wp/v2/users", fields)


def safe_filename(name: str) -> str:
    """A file name that cannot break out of the quoted Content-Disposition parameter."""
    cleaned = "".join("_" if c in '"\\;\r\n' else c for c in name).strip()
    return cleaned or "upload"


def write_error(url: str, response: requests.Response) -> RestWriteError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    # WordPress.com's own errors say {"error": ..., "message": ...}; core's, {"code": ...}.
    code = str(body.get("code") or body.get("error") or "")
    message = html.unescape(str(body.get("message", ""))) or response.reason
    return RestWriteError(
        f"{url}: HTTP {response.status_code}" + (f" {code}" if code else "")
        + (f": {message}" if message else ""),
        response.status_code, code, body.get("data"),
    )  # fmt: skip
