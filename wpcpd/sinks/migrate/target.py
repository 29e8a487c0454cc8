"""The target site: connecting to it as an administrator, what post types and taxonomies it
has, and the index of what it already holds (read once, only when an item has no record)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from wpcpd.errors import UsageError
from wpcpd.hashing import sha256_hex
from wpcpd.http import PoliteSession
from wpcpd.model import site_key
from wpcpd.sinks.migrate.options import PushOptions
from wpcpd.sinks.migrate.rules import DUPLICATE_MARK, PLACEHOLDER_NAME, comparable_html
from wpcpd.wordpress.client import NoRestApi, RestClient
from wpcpd.wordpress.connect import ConnectOptions, connect
from wpcpd.wordpress.writer import RestWriter


@dataclass
class TypeInfo:
    name: str
    rest_base: str
    hierarchical: bool
    taxonomies: list[str]


@dataclass
class Target:
    """A connected target site: its client, writer, identity and what it can hold."""

    url: str
    key: str
    client: RestClient
    writer: RestWriter
    me: dict[str, Any]
    types: dict[str, TypeInfo]
    taxonomies: dict[str, TypeInfo]


def connect_target(session: PoliteSession, url: str, options: PushOptions) -> Target:
    """Find the target's REST API and check the credentials: pushing needs an administrator."""
    if not options.user:
        raise UsageError("push needs --user with an administrator's application password")
    login = ConnectOptions(user=options.user, password=options.password,
                           concurrency=max(1, options.concurrency),
                           insecure_http=options.insecure_http)  # fmt: skip
    try:
        connection = connect(url, login, via="rest", session=session)
    except NoRestApi as exc:
        found = getattr(exc, "api", None)
        raise UsageError(f"{found.url if found else url}: no WordPress REST API found to push "
                         "into") from exc  # fmt: skip
    client = connection.rest
    assert connection.me is not None  # a REST login answers who we are
    home = client.index().get("home") or connection.url
    return Target(
        url=home.rstrip("/"),
        key=site_key(home),
        client=client,
        writer=RestWriter(client),
        me=connection.me,
        types=_types(client.json("wp/v2/types", {"context": "edit"})),
        taxonomies=_types(client.json("wp/v2/taxonomies", {"context": "edit"})),
    )


def _types(found: dict[str, Any]) -> dict[str, TypeInfo]:
    return {
        name: TypeInfo(name, info["rest_base"], bool(info.get("hierarchical")),
                       list(info.get("taxonomies") or []))
        for name, info in found.items()
        if info.get("rest_base")
    }  # fmt: skip


class TargetIndex:
    """What the target already holds, read once and only when needed, to match items that
    have no record in the archive (a lost answer, or a site that had them before)."""

    def __init__(self, client: RestClient) -> None:
        self.client = client
        self._posts: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {}
        self._terms: dict[str, dict[str, dict[str, Any]]] = {}
        self._comments: dict[tuple[Any, ...], dict[str, Any]] | None = None
        self._users: list[dict[str, Any]] | None = None

    def post(self, rest_base: str, slug: str, title: str, date: str | None) -> dict | None:
        """The item with this slug (or title, without one) and date; a slug the target
        made unique ("-2") matches too, since that is what a collision leaves behind."""
        if rest_base not in self._posts:
            self._posts[rest_base] = self._read_posts(rest_base)
        found = self._posts[rest_base]
        return found.get(_post_key(slug, title, date)) or found.get(("renamed", slug, date or ""))

    def _read_posts(self, rest_base: str) -> dict[tuple[str, ...], dict[str, Any]]:
        found: dict[tuple[str, ...], dict[str, Any]] = {}
        statuses = ["inherit"] if rest_base == "media" else ["any", "trash"]
        for status in statuses:
            params = {"context": "edit", "status": status,
                      "_fields": "id,slug,date_gmt,title,link,status,password"}  # fmt: skip
            for item in self.client.all_items(f"wp/v2/{rest_base}", params):
                title = (item.get("title") or {}).get("raw", "")
                date = item.get("date_gmt")
                found.setdefault(_post_key(item["slug"], title, date), item)
                renamed = _UNIQUE_SUFFIX.match(item["slug"])
                if renamed:
                    found.setdefault(("renamed", renamed[1], date or ""), item)
        return found

    def term(self, rest_base: str, slug: str) -> dict[str, Any] | None:
        if rest_base not in self._terms:
            items = self.client.all_items(f"wp/v2/{rest_base}", {"context": "edit"})
            self._terms[rest_base] = {item["slug"]: item for item in items}
        return self._terms[rest_base].get(slug)

    def comment(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        if self._comments is None:
            params = {"context": "edit", "status": "any", "type": "all"}
            self._comments = {}
            for item in self.client.all_items("wp/v2/comments", params):
                raw = (item.get("content") or {}).get("raw", "")
                # A comment created with placeholders whose fixing update never came.
                name = "" if item["author_name"] == PLACEHOLDER_NAME else item["author_name"]
                key = _comment_key(item["post"], item.get("date_gmt"), name, raw)
                self._comments.setdefault(key, item)
        key = _comment_key(fields["post"], fields.get("date_gmt"), fields.get("author_name", ""),
                           fields["content"])  # fmt: skip
        return self._comments.get(key)

    def users(self) -> list[dict[str, Any]]:
        if self._users is None:
            self._users = list(self.client.all_items("wp/v2/users", {"context": "edit"}))
        return self._users

    def user(self, login_or_email: str) -> dict[str, Any] | None:
        wanted = login_or_email.lower()
        for key in ("username", "email"):
            for user in self.users():
                if str(user.get(key, "")).lower() == wanted:
                    return user
        return None


_UNIQUE_SUFFIX = re.compile(r"^(.+)-\d+$")


def _post_key(slug: str, title: str, date: str | None) -> tuple[str, ...]:
    date = (date or "").removesuffix("Z")
    return ("slug", slug, date) if slug else ("title", title, date)


def _comment_key(post: int, date: str | None, author: str, content: str) -> tuple[Any, ...]:
    text = comparable_html(content.replace(DUPLICATE_MARK, ""))
    digest = sha256_hex(text.encode())
    return (post, (date or "").removesuffix("Z"), author.strip(), digest)
