"""Publish a reflection file through a site's REST API (self-hosted or WordPress.com).

The rules of wpcpd/sinks/publish/model.py: the file's uid maps to the remote post in the
archive (else the post is found on the site by its slug), unchanged files send nothing,
images go up once per site, missing categories and tags are created by name.

WordPress.com (the "wpcom" channel) differs in three ways, all here: uploads go as
multipart/form-data (as its media documentation asks), and social sharing is kept off unless
--share is given (`sharing_meta`); the bearer token and the /wp/v2/sites/SITE/ addresses are
the connection's business (wpcpd.wordpress.connect).
"""

from __future__ import annotations

import difflib
import mimetypes
from pathlib import Path
from typing import Any

from wpcpd.archive import RemoteId
from wpcpd.hashing import published_fingerprint, sha256_hex
from wpcpd.model import site_key
from wpcpd.reflect.render import ImageRef
from wpcpd.sinks.base import Outcome
from wpcpd.sinks.publish.model import (
    KIND,
    SOURCE,
    Publication,
    check_document,
    originally,
    site_outcome,
    slugify,
)
from wpcpd.text import term_name_key, term_search_text
from wpcpd.wordpress.client import RestError
from wpcpd.wordpress.connect import WPCOM, Connection
from wpcpd.wordpress.writer import RestWriteError, RestWriter


class RestSitePublisher:
    """Publishes one document to one site through its REST API (self-hosted or WordPress.com)."""

    def __init__(self, publication: Publication, connection: Connection) -> None:
        self.pub = publication
        self.doc = publication.document
        self.connection = connection
        self.client = connection.rest
        self.writer = RestWriter(self.client)
        self.target = site_key(connection.url)
        self.dry_run = publication.options.dry_run

    def publish(self) -> Outcome:
        try:
            return self._publish()
        except RestWriteError as exc:
            if self.connection.channel == WPCOM and exc.code == "unauthorized":
                # WordPress.com's refusal of a token that may not write to this blog.
                raise RestWriteError(
                    f"{exc} (the token may not write to this blog: wpcpd auth wpcom makes "
                    "one with --blog for it, or --scope global)",
                    exc.status,
                    exc.code,
                ) from exc
            raise

    def _publish(self) -> Outcome:
        status = check_document(self.doc, self.pub.options.status)
        remote = self._existing_post()
        fields = self._fields(status)
        fingerprint = published_fingerprint(fields)
        if remote is not None and remote.get("_hash") == fingerprint:
            action = "would change nothing" if self.dry_run else "unchanged"
            return self._result(action, remote["id"], remote.get("link", ""))
        if self.dry_run:
            return self._preview(remote, fields)
        if remote is None:
            item = self.writer.create_post(fields)
            action = "created"
        else:
            item = self.writer.update_post(remote["id"], fields)
            action = "updated"
        self._remember(item, fingerprint)
        self._pull_back(item)
        return self._outcome(action, item, fields)

    # -- what to send ----------------------------------------------------------------------

    def _fields(self, status: str) -> dict[str, Any]:
        front = self.doc.front
        images = self._images()
        content = (
            self.doc.to_classic(images) if self.pub.options.classic else self.doc.to_blocks(images)
        )
        if self.pub.options.originally_posted and self.pub.first_url:
            content += originally(self.pub.first_url, self.pub.options.classic)
        fields: dict[str, Any] = {
            "title": front.title,
            "content": content,
            "status": status,
            "slug": front.slug or slugify(front.title),
            "categories": self._terms("categories", front.categories),
            "tags": self._terms("tags", front.tags),
        }
        if front.excerpt:
            fields["excerpt"] = front.excerpt
        if front.date_gmt:
            fields["date_gmt"] = front.date_gmt.replace(tzinfo=None).isoformat(timespec="seconds")
        featured = self._featured(images)
        if featured:
            fields["featured_media"] = featured
        if self.connection.channel == WPCOM:
            fields["meta"] = sharing_meta(self.pub.options.share)
        return fields

    def _terms(self, rest_base: str, names: list[str]) -> list[int]:
        """Term ids by name: looked up first, so a re-publish sends no write; created if
        missing (WordPress's term_exists answer counts as found)."""
        ids = []
        for name in names:
            found = self._existing_term(rest_base, name)
            if found is None and not self.dry_run:
                found = self.writer.ensure_term(rest_base, name).id
            if found is not None:
                ids.append(found)
        return ids

    def _existing_term(self, rest_base: str, name: str) -> int | None:
        params = {"search": term_search_text(name)}
        wanted = term_name_key(name)
        for term in self.client.all_items(f"wp/v2/{rest_base}", params):
            if term_name_key(term["name"]) == wanted:
                return int(term["id"])
        return None

    def _images(self) -> dict[str, ImageRef]:
        refs = {}
        for image in self.doc.images:
            refs[image.src] = self._upload(image.path)
        return refs

    def _featured(self, images: dict[str, ImageRef]) -> int | None:
        path = self.doc.featured_image
        if path is None:
            return None
        return self._upload(path).id

    def _upload(self, path: Path) -> ImageRef:
        """Each file once per site, known by its content's sha256."""
        digest = sha256_hex(path.read_bytes())
        known = self.pub.archive.remote_id("media", SOURCE, digest, self.target)
        if known is not None:
            return ImageRef(known.target_url, known.target_id)
        if self.dry_run:
            return ImageRef(path.name, None)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        media = self.writer.upload_media(path, path.name, mime,
                                         multipart=self.connection.channel == WPCOM)  # fmt: skip
        url = media.get("source_url", "")
        self.pub.archive.set_remote_id(
            RemoteId("media", SOURCE, digest, self.target, media["id"], url, digest)
        )
        return ImageRef(url, media["id"])

    # -- what is there already -------------------------------------------------------------

    def _existing_post(self) -> dict[str, Any] | None:
        """The post made for this file before: by the archive's map, else by slug."""
        front = self.doc.front
        mapped = self.pub.archive.remote_id(KIND, SOURCE, front.uid, self.target)
        if mapped is not None:
            try:
                item = self.client.json(f"wp/v2/posts/{mapped.target_id}", {"context": "edit"})
            except RestError as exc:
                if exc.status != 404:
                    raise
            else:
                if item.get("status") != "trash":
                    return {**item, "_hash": mapped.content_hash}
        slug = front.slug or slugify(front.title)
        found = self.client.json(
            "wp/v2/posts", {"slug": slug, "status": "any", "context": "edit", "per_page": 1}
        )
        return {**found[0], "_hash": ""} if found else None

    def _remember(self, item: dict[str, Any], digest: str) -> None:
        self.pub.archive.set_remote_id(
            RemoteId(
                KIND,
                SOURCE,
                self.doc.front.uid,
                self.target,
                item["id"],
                item.get("link", ""),
                digest,
            )
        )

    def _pull_back(self, item: dict[str, Any]) -> None:
        """Keep the published post in the archive, as a pull of that site would."""
        if self.pub.read_back is not None:
            records = self.pub.read_back(self.client, item, self.connection.language)
            self.pub.archive.save(records, atomic=True)

    # -- reporting -------------------------------------------------------------------------

    def _result(self, action: str, *args: Any, **kwargs: Any) -> Outcome:
        return site_outcome(self.doc, self.target, action, *args, **kwargs)

    def _outcome(self, action: str, item: dict[str, Any], fields: dict[str, Any]) -> Outcome:
        message = ""
        if item.get("slug") and item["slug"] != fields["slug"]:
            message = f"WordPress changed the slug to {item['slug']} (another post had it)"
        return self._result(action, item["id"], item.get("link", ""), message)

    def _preview(self, remote: dict[str, Any] | None, fields: dict[str, Any]) -> Outcome:
        if remote is None:
            return self._result("would create", message=f"title {fields['title']!r}")
        live = (remote.get("content") or {}).get("raw", "")
        diff = "".join(difflib.unified_diff(
            live.splitlines(keepends=True), fields["content"].splitlines(keepends=True),
            "live", "file",
        ))  # fmt: skip
        return self._result("would update", remote["id"], remote.get("link", ""), diff=diff)


def sharing_meta(share: bool) -> dict[str, bool]:
    """What keeps WordPress.com from sharing a post to the blog's social accounts.

    Jetpack Social ("Publicize", which WordPress.com runs) registers the post meta
    `jetpack_publicize_feature_enabled` for the REST API: "Whether or not the Share Post
    feature is enabled", true by default (Automattic/jetpack,
    projects/packages/publicize/src/class-publicize-base.php, register_post_meta). It is the
    editor's per-post "Share this post" toggle (https://jetpack.com/support/publicize/), sent
    with the same request that publishes, as the editor does. That page also says drafts are
    not shared and a post is shared only when first published, so sending it on every write
    keeps an update from sharing too.
    """
    return {"jetpack_publicize_feature_enabled": share}
