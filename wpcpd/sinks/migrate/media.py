"""Media on the target: each attachment's file uploaded (from the media store beside the
archive, a local copy of the old uploads, or the old site), then its fields set; files the
content shows that are no attachment are uploaded too, so the content can point at them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from wpcpd.archive import RemoteId
from wpcpd.archive.media_store import copy_out
from wpcpd.hashing import pushed_content_hash, sha256_hex
from wpcpd.http import NetworkError, make_session
from wpcpd.model import Media, Post
from wpcpd.sinks.base import Outcome
from wpcpd.sinks.migrate.plan import Carrier, Item, Migration, Send
from wpcpd.sinks.migrate.posts import post_dates
from wpcpd.sinks.migrate.runner import Decision, Write
from wpcpd.wordpress.client import RestError


class Attachments(Carrier[Media]):
    """The record hash is "<file sha256>|<fields hash>": the file is uploaded once, the
    fields updated whenever they change."""

    def __init__(self, migration: Migration) -> None:
        super().__init__(migration)
        self.downloads = make_session(migration.options.politeness)

    def attachment(self, media: Media) -> Post:
        found = self.migration.source.posts.get(media.id)
        if found is not None:
            return found
        name = media.url.rsplit("/", 1)[-1]
        return Post(id=media.id, type="attachment", status="inherit", title=name.rsplit(".")[0])

    def fields(self, media: Media, post: Post) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "title": post.title,
            "caption": post.excerpt,
            "description": post.content,
            "alt_text": media.alt_text,
            "slug": post.slug,
            "author": self.migration.author_id(post.author),
            "comment_status": post.comment_status or "open",
            "ping_status": post.ping_status or "closed",
        }
        fields.update(post_dates(post))
        parent = media.post or post.parent
        parent_id = parent and self.migration.post_target(parent)
        if parent_id:
            fields["post"] = parent_id
        return fields

    def decision(self, media: Media) -> Decision:
        post = self.attachment(media)
        fields = self.fields(media, post)
        return self.decide(Item("media", str(media.id), post.title, media, fields,
                                pushed_content_hash(fields)))  # fmt: skip

    def is_current(self, mapped: RemoteId, item: Item[Media]) -> bool:
        return mapped.content_hash.rpartition("|")[2] == item.digest

    def find(self, item: Item[Media]) -> dict[str, Any] | None:
        fields = item.fields
        return self.migration.index.post("media", fields["slug"], fields["title"],
                                   fields.get("date_gmt"))  # fmt: skip

    def update(self, item: Item[Media], target_id: int, found: dict[str, Any] | None) -> Send:
        return lambda: self.writer.update_media(target_id, item.fields)

    def create(self, item: Item[Media]) -> Send | Outcome:
        media = item.record
        if not media.url and not self.migration.options.media_dir:
            return Outcome("media", item.key, "skipped", "no file address in the archive",
                           item.label)  # fmt: skip
        return lambda: self._upload(media, self.attachment(media), item.fields)

    def stored_hash(self, item: Item[Media], action: str, answer: dict[str, Any]) -> str:
        if action == "create":  # the file is there; its fields come with the follow-up
            return f"{answer['sha256']}|"
        recorded = self.maps.get("media", item.key)
        sha = recorded.content_hash.rpartition("|")[0] if recorded else ""
        return f"{sha}|{item.digest}"

    def finished(self, item: Item[Media], action: str, answer: dict[str, Any]) -> None:
        if action in ("create", "match"):
            self.maps.record("media_file", item.key, answer["id"], answer.get("source_url", ""))
            for dims, url in _sizes(answer):
                self.maps.record("media_file", f"{item.key}:{dims}", answer["id"], url)

    def follow_up(self, item: Item[Media], action: str, answer: dict[str, Any]) -> Send | None:
        if action != "create":
            return None
        return lambda: self.writer.update_media(answer["id"], item.fields)

    def _upload(self, media: Media, post: Post, fields: dict[str, Any]) -> dict[str, Any]:
        data = self._file_bytes(media)
        sha = sha256_hex(data)
        name = unquote(urlsplit(media.url).path.rsplit("/", 1)[-1]) or f"{post.slug}.bin"
        short = {k: fields[k] for k in ("slug", "date_gmt", "date") if fields.get(k)}
        answer = self.writer.upload_media(data, name, media.mime_type or post.mime_type, short)
        return {**answer, "sha256": sha}

    def _file_bytes(self, media: Media) -> bytes:
        # The media store beside the archive first: the old site may be gone.
        migration = self.migration
        kept = copy_out(migration.archive, migration.source.key, media.url) if media.url else None
        if kept is not None:
            return kept
        local = self._local_copy(media)
        if local is not None:
            return local.read_bytes()
        try:
            response = self.downloads.get(media.url)
        except NetworkError as exc:  # the old site is gone: this file fails, not the push
            raise RestError(
                f"{media.url}: could not download ({exc})", 0, "download_failed"
            ) from exc
        if response.status_code != 200:
            raise RestError(f"{media.url}: HTTP {response.status_code} (could not download)",
                            response.status_code, "download_failed")  # fmt: skip
        return response.content

    def _local_copy(self, media: Media) -> Path | None:
        folder = self.migration.options.media_dir
        if folder is None:
            return None
        name = unquote(urlsplit(media.url).path.rsplit("/", 1)[-1])
        for candidate in (folder / media.file, folder / name) if media.file else (folder / name,):
            if candidate.is_file():
                return candidate
        return None

    def file_decision(self, row: dict[str, Any]) -> Decision:
        """A file the content shows that is no attachment (kept in the media store):
        uploaded as an attachment of its own, so the content can point at it."""
        url, key = row["url"], f"file {row['url']}"
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "file"
        mapped = self.maps.get("media_extra", url)
        if mapped and mapped.content_hash == row["sha256"]:
            return Outcome("media", key, "unchanged", "", name)
        migration = self.migration

        def send() -> dict[str, Any]:
            data = copy_out(migration.archive, migration.source.key, url)
            if data is None:
                raise RestError(f"{url}: not in the media store", 0, "download_failed")
            return self.writer.upload_media(data, name, row["content_type"])

        def finish(answer: dict[str, Any]) -> None:
            self.maps.record("media_extra", url, answer["id"], answer.get("source_url", ""),
                             row["sha256"])  # fmt: skip
            for dims, size_url in _sizes(answer):
                self.maps.record("media_extra_size", f"{url} {dims}", answer["id"], size_url)
            migration.report.add(Outcome("media", key, "created", "", name))

        return Write("media", key, name, "create", send, finish)


def _sizes(answer: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """("800x600", address) for each resized copy WordPress made of an upload."""
    sizes = (answer.get("media_details") or {}).get("sizes") or {}
    for size in sizes.values():
        if size.get("width") and size.get("height") and size.get("source_url"):
            yield f"{size['width']}x{size['height']}", size["source_url"]
