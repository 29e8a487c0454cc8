"""Authors on the target: each archived author whose items are carried is found there (by
login or e-mail), mapped by --author-map, created, or their items given to a stand-in."""

from __future__ import annotations

import secrets
from typing import Any

from wpcpd.archive import RemoteId
from wpcpd.model import Author
from wpcpd.sinks.base import Outcome
from wpcpd.sinks.migrate.plan import Carrier, Item, Send
from wpcpd.sinks.migrate.runner import Decision

NEW_AUTHOR_ROLE = "author"


class Authors(Carrier[Author]):
    def needed_logins(self) -> list[str]:
        source = self.migration.source
        logins = {p.author for p in source.posts.values() if p.author}
        by_id = source.logins_by_id
        logins |= {by_id[c.user_id] for c in source.comments if c.user_id in by_id}
        return sorted(logins)

    def decision(self, login: str) -> Decision:
        author = self.migration.source.authors.get(login) or Author(login)
        explicit = self.migration.options.author_map.get(login)
        if explicit:
            return self._author_as(login, explicit, "--author-map")
        note = "" if author.email else f"no e-mail in the archive: given {_email(author)}"
        return self.decide(Item("author", login, "", author, note=note))

    def _author_as(self, login: str, wanted: str, how: str) -> Outcome:
        user = self.migration.index.user(wanted)
        if user is None:
            self.migration.author_ids[login] = self.migration.target.me["id"]
            return Outcome("author", login, "failed", f"{how} names {wanted}: no such user")
        self.migration.author_ids[login] = user["id"]
        return Outcome("author", login, "matched", f"{how}: {user.get('username', wanted)}")

    def is_current(self, mapped: RemoteId, item: Item[Author]) -> bool:
        return True  # a user once found or created stays theirs

    def find(self, item: Item[Author]) -> dict[str, Any] | None:
        index, email = self.migration.index, item.record.email
        return index.user(item.key) or (email and index.user(email)) or None

    def same(self, found: dict[str, Any], item: Item[Author]) -> bool:
        return True

    def known(self, item: Item[Author], target_id: int) -> None:
        self.migration.author_ids[item.key] = target_id

    def finished(self, item: Item[Author], action: str, answer: dict[str, Any]) -> None:
        self.migration.author_ids[item.key] = answer["id"]

    def create(self, item: Item[Author]) -> Send | Outcome:
        login, options = item.key, self.migration.options
        if options.create_authors:
            self.migration.author_ids[login] = self.migration.target.me["id"]  # until created
            fields = _new_user(item.record)
            return lambda: self.writer.create_user(fields)
        if options.default_author:
            return self._author_as(login, options.default_author, "--default-author")
        self.migration.author_ids[login] = self.migration.target.me["id"]
        return Outcome("author", login, "skipped",
                       f"no such user on the target: their items go to {options.user} "
                       "(use --create-authors, --author-map or --default-author)")  # fmt: skip


def _email(author: Author) -> str:
    return author.email or f"{author.login}@example.invalid"


def _new_user(author: Author) -> dict[str, Any]:
    return {
        "username": author.login,
        "email": _email(author),
        "name": author.display_name or author.login,
        "first_name": author.first_name,
        "last_name": author.last_name,
        "roles": [NEW_AUTHOR_ROLE],
        "password": secrets.token_urlsafe(24),  # never shown: they reset it by e-mail
    }
