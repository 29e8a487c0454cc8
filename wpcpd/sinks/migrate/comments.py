"""Comments on the target, parents first: matched by post, date, author and content when
there is no record; created around WordPress's checks that do not fit old content (no name
or e-mail, a repeat of another comment), on posts opened for comments while they are added."""

from __future__ import annotations

from typing import Any

from wpcpd.hashing import pushed_content_hash
from wpcpd.model import Comment, Post
from wpcpd.sinks.migrate.plan import Carrier, Item, Migration, Send, rest_date
from wpcpd.sinks.migrate.rules import (
    DUPLICATE_MARK,
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_NAME,
    comment_skip_reason,
    post_kind,
)
from wpcpd.sinks.migrate.runner import Decision, Write
from wpcpd.wordpress.writer import RestWriteError


class Comments(Carrier[Comment]):
    def __init__(self, migration: Migration) -> None:
        super().__init__(migration)
        self.closed_digests: dict[str, str] = {}
        """Hashes of posts whose comments are open only while comments are added."""

    def skip_reason(self, comment: Comment) -> str:
        post = self.migration.source.posts.get(comment.post)
        reason = comment_skip_reason(comment, post, self.migration.options)
        if not reason and self.migration.post_target(comment.post) is None:
            return "its post was not pushed"
        return reason

    def fields(self, comment: Comment) -> dict[str, Any]:
        migration = self.migration
        fields: dict[str, Any] = {
            "post": migration.post_target(comment.post),
            "parent": (comment.parent and self.maps.target_id("comment", comment.parent)) or 0,
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": comment.author_url,
            "content": migration.urls.rewrite(comment.content),
            "status": comment.status,
        }
        if comment.author_ip:
            fields["author_ip"] = comment.author_ip
        if comment.date_gmt:
            fields["date_gmt"] = rest_date(comment.date_gmt)
        elif comment.date:
            fields["date"] = rest_date(comment.date, gmt=False)
        login = migration.source.logins_by_id.get(comment.user_id) if comment.user_id else None
        if login and login in migration.author_ids:
            fields["author"] = migration.author_ids[login]
        return fields

    def decision(self, comment: Comment) -> Decision:
        fields = self.fields(comment)
        return self.decide(Item("comment", str(comment.id), comment.author_name, comment,
                                fields, pushed_content_hash(fields)))  # fmt: skip

    def find(self, item: Item[Comment]) -> dict[str, Any] | None:
        return self.migration.index.comment(item.fields)

    def update(self, item: Item[Comment], target_id: int, found: dict[str, Any] | None) -> Send:
        return lambda: self.writer.update_comment(target_id, _no_author(item.fields))

    def create(self, item: Item[Comment]) -> Send:
        return lambda: self._create_comment(item.fields)

    def stored_hash(self, item: Item[Comment], action: str, answer: dict[str, Any]) -> str:
        # Created with stand-ins still to fix: not yet as sent, until the fix lands.
        return "" if action == "create" and answer.get("fix") else item.digest

    def follow_up(self, item: Item[Comment], action: str, answer: dict[str, Any]) -> Send | None:
        fix = answer.get("fix") or {}
        if not fix:
            return None
        return lambda: self.writer.update_comment(answer["id"], fix)

    def _create_comment(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Create a comment, working around WordPress's checks that do not fit old content.

        Returns the answer and, under "fix", fields still to set with an update: a comment
        without name or e-mail (refused when the site requires both, or made the current
        user's when all author fields are empty) is created with placeholders; a repeat of
        an existing comment (409) with an invisible mark in its content.
        """
        send, fix = dict(fields), {}
        anonymous = not (fields["author_name"] or fields["author_email"] or fields["author_url"])
        if anonymous and "author" not in fields:
            send, fix = _with_placeholders(send)
        for _ in range(3):
            try:
                return {**self.writer.create_comment(send), "fix": fix}
            except RestWriteError as exc:
                if exc.code == "rest_comment_author_data_required" and not fix:
                    send, fix = _with_placeholders(send)
                elif exc.code == "comment_duplicate" and "content" not in fix:
                    send["content"] = fields["content"] + DUPLICATE_MARK
                    fix = {**fix, "content": fields["content"]}
                else:
                    raise
        return {**self.writer.create_comment(send), "fix": fix}

    # -- posts closed to comments ---------------------------------------------------------

    def open_posts(self, comments: list[Comment]) -> list[Post]:
        """Posts whose comments are closed must be opened while comments are added:
        WordPress refuses new comments on them, even from an administrator."""
        source = self.migration.source
        pending = {c.post for c in comments if not self.maps.get("comment", c.id)}
        posts = [source.posts[i] for i in sorted(pending) if i in source.posts]
        closed = [p for p in posts if p.comment_status and p.comment_status != "open"]
        self.migration.runner.run(self._comment_status_write(p, "open") for p in closed)
        return closed

    def close_posts(self, posts: list[Post]) -> None:
        self.migration.runner.run(self._comment_status_write(p, p.comment_status) for p in posts)

    def _comment_status_write(self, post: Post, status: str) -> Write:
        kind, key = post_kind(post), str(post.id)
        mapped = self.maps.get(kind, key)
        assert mapped is not None
        route = f"wp/v2/{self.migration.target.types[post.type].rest_base}"
        if status == "open":
            # Until closed again, the record must not claim the post is as sent.
            self.closed_digests[key] = mapped.content_hash
            self.maps.set_hash(kind, key, "")

        def finish(answer: dict[str, Any]) -> None:
            if status != "open":
                self.maps.set_hash(kind, key, self.closed_digests.pop(key, ""))

        return Write(kind, key, post.title, "update",
                     lambda: self.writer.update(route, mapped.target_id,
                                                {"comment_status": status}), finish)  # fmt: skip


def _with_placeholders(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    send, fix = dict(fields), {}
    for name, placeholder in (("author_name", PLACEHOLDER_NAME),
                              ("author_email", PLACEHOLDER_EMAIL)):  # fmt: skip
        if not send.get(name):
            send[name], fix[name] = placeholder, fields.get(name, "")
    return send, fix


def _no_author(fields: dict[str, Any]) -> dict[str, Any]:
    # Setting "author" on an update replaces name and e-mail with the user's.
    return {k: v for k, v in fields.items() if k != "author"}
