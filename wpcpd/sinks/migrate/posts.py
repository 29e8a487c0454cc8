"""Posts and pages on the target (parents first): their fields with links rewritten to the
new addresses, authors, terms and featured images mapped, and what could not be carried as
it was noted; matched by slug and date when there is no record."""

from __future__ import annotations

import secrets
from typing import Any

from wpcpd.hashing import pushed_content_hash
from wpcpd.model import Post
from wpcpd.sinks.base import Outcome
from wpcpd.sinks.migrate.plan import Carrier, Item, Send, rest_date
from wpcpd.sinks.migrate.rules import expected_status, post_kind, post_skip_reason
from wpcpd.sinks.migrate.runner import Decision
from wpcpd.sinks.migrate.target import TypeInfo

PASSWORD_NOTE = (
    "password-protected, but this archive's copy was read as a visitor and lacks the "
    "password: given a new random one; set yours in the editor (or pull with --user first)"
)


class Posts(Carrier[Post]):
    def decision(self, post: Post, second_pass: bool) -> Decision:
        kind, key = post_kind(post), str(post.id)
        reason = self._skip_reason(post)
        if reason:
            return None if second_pass else Outcome(kind, key, "skipped", reason, post.title)
        info = self.migration.target.types[post.type]
        fields, notes = self.fields(post, info)
        note = "; ".join(notes)
        return self.decide(Item(kind, key, post.title, post, fields, pushed_content_hash(fields),
                                note=note, unchanged_note="" if second_pass else note,
                                rest_base=info.rest_base))  # fmt: skip

    def _skip_reason(self, post: Post) -> str:
        reason = post_skip_reason(post, self.migration.options.include_trash)
        if not reason and post.type not in self.migration.target.types:
            return f"the target has no post type {post.type}"
        return reason

    def fields(self, post: Post, info: TypeInfo) -> tuple[dict[str, Any], list[str]]:
        """What to send for a post, and notes on what could not be carried as it was."""
        migration, notes = self.migration, list[str]()
        fields: dict[str, Any] = {
            "title": post.title,
            "content": migration.urls.rewrite(post.content),
            "excerpt": migration.urls.rewrite(post.excerpt),
            "status": self._status(post, notes),
            "author": migration.author_id(post.author),
        }
        if post.slug:
            fields["slug"] = post.slug
        fields.update(post_dates(post))
        for name in ("comment_status", "ping_status"):
            if getattr(post, name):
                fields[name] = getattr(post, name)
        if info.hierarchical:
            fields["parent"] = (post.parent and migration.post_target(post.parent)) or 0
            fields["menu_order"] = post.menu_order
            if post.parent and not fields["parent"]:
                notes.append(f"its parent {post.parent} was not pushed: made top-level")
        if post.type == "post":
            fields["sticky"] = post.sticky
        if post.featured_media:
            fields["featured_media"] = migration.maps.target_id("media", post.featured_media) or 0
            if not fields["featured_media"]:
                notes.append(f"featured image {post.featured_media} not pushed")
        fields.update(self._term_fields(post, info, notes))
        if post.password:
            fields["password"] = post.password  # the readers' own: they keep using it
        elif post.password_protected:
            notes.append(PASSWORD_NOTE)
        return fields, notes

    def _status(self, post: Post, notes: list[str]) -> str:
        status = expected_status(post, self.migration.now)
        if status != post.status:
            notes.append("its scheduled date has passed: published")
        return status

    def _term_fields(self, post: Post, info: TypeInfo, notes: list[str]) -> dict[str, Any]:
        taxonomies = self.migration.target.taxonomies
        fields: dict[str, Any] = {}
        for taxonomy in info.taxonomies:
            tax = taxonomies.get(taxonomy)
            if tax is not None and taxonomy != "post_format":
                fields[tax.rest_base] = []
        for ref in post.terms:
            if ref.taxonomy == "post_format":
                fields["format"] = ref.slug.removeprefix("post-format-")
                continue
            tax = taxonomies.get(ref.taxonomy)
            term_id = self.maps.target_id("term", f"{ref.taxonomy}/{ref.slug}")
            if tax is None or tax.rest_base not in fields or term_id is None:
                notes.append(f"term {ref.taxonomy}:{ref.slug} not on the target")
                continue
            fields[tax.rest_base].append(term_id)
        return {k: sorted(set(v)) if isinstance(v, list) else v for k, v in fields.items()}

    def find(self, item: Item[Post]) -> dict[str, Any] | None:
        post = item.record
        return self.migration.index.post(item.rest_base, post.slug, post.title,
                                   item.fields.get("date_gmt"))  # fmt: skip

    def update(self, item: Item[Post], target_id: int, found: dict[str, Any] | None) -> Send:
        update = _update_fields(item.fields)
        protect = found is not None and not found.get("password")
        if protect and _needs_random_password(item.record):
            update["password"] = secrets.token_urlsafe(12)
        route = f"wp/v2/{item.rest_base}"
        return lambda: self.writer.update(route, target_id, update)

    def create(self, item: Item[Post]) -> Send:
        return lambda: self._create(f"wp/v2/{item.rest_base}", item.record, item.fields)

    def _create(self, route: str, post: Post, fields: dict[str, Any]) -> dict[str, Any]:
        send = dict(fields)
        if _needs_random_password(post):
            send["password"] = secrets.token_urlsafe(12)
        if post.status == "trash":
            # REST cannot create in the trash: create a draft, then trash it.
            send["status"] = "draft"
            created = self.writer.create(route, send)
            return self.writer.delete(route, created["id"])
        return self.writer.create(route, send)

    def finished(self, item: Item[Post], action: str, answer: dict[str, Any]) -> None:
        if item.record.link and answer.get("link"):
            self.migration.urls.add(item.record.link, answer["link"])


def post_dates(post: Post) -> dict[str, str]:
    """A post's date as REST takes it: GMT when the archive knows it, else local."""
    if post.date_gmt:
        return {"date_gmt": rest_date(post.date_gmt) or ""}
    if post.date:
        return {"date": rest_date(post.date, gmt=False) or ""}
    return {}


def _update_fields(fields: dict[str, Any]) -> dict[str, Any]:
    # "trash" is not a status REST accepts; a trashed target post keeps its status.
    return {k: v for k, v in fields.items() if not (k == "status" and v == "trash")}


def _needs_random_password(post: Post) -> bool:
    """Protected, but read as a visitor: never publish it open, though its password is lost."""
    return post.password_protected and not post.password
