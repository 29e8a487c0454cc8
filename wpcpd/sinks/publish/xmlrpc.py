"""Publishing through XML-RPC, for sites whose REST API is closed.

The same rules as over REST (wpcpd/sinks/publish/model.py): the file's uid maps to the
remote post in the archive, unchanged files send nothing, images go up once per site.
XML-RPC creates missing categories and tags by name itself (`terms_names`). Writes are sent
again only when the site refused them with a 429 (wpcpd.http's retry policy).
"""

from __future__ import annotations

import mimetypes
import xmlrpc.client
from pathlib import Path
from typing import Any

from wpcpd.archive import RemoteId
from wpcpd.errors import SourceError
from wpcpd.hashing import published_fingerprint, sha256_hex
from wpcpd.model import site_key
from wpcpd.reflect.render import ImageRef
from wpcpd.sinks.base import Outcome
from wpcpd.sinks.publish.model import (
    KIND,
    SOURCE,
    Publication,
    check_document,
    site_outcome,
    slugify,
)
from wpcpd.wordpress.connect import Connection


class XmlRpcSitePublisher:
    """Publishes one document to one site through XML-RPC (for sites whose REST is closed)."""

    def __init__(self, publication: Publication, connection: Connection) -> None:
        if connection.xmlrpc is None:
            raise SourceError(
                f"{connection.url}: connected through {connection.channel}, not XML-RPC"
            )
        self.pub = publication
        self.doc = publication.document
        self.site = connection.xmlrpc
        self.target = site_key(connection.url)

    def _call(self, method: str, *args: Any) -> Any:
        return self.site.wp_call(method, *args)

    def publish(self) -> Outcome:
        status = check_document(self.doc, self.pub.options.status)
        struct = self._struct(status)
        fingerprint = published_fingerprint(struct)
        existing = self._existing()
        if existing is not None and existing[1] == fingerprint:
            return site_outcome(
                self.doc, self.target, "unchanged", existing[0], self._link(existing[0])
            )
        if self.pub.options.dry_run:
            action = "would update" if existing else "would create"
            return site_outcome(self.doc, self.target, action, existing[0] if existing else None)
        if existing is None:
            post_id, action = int(self._call("newPost", struct)), "created"
        else:
            post_id, action = existing[0], "updated"
            self._call("editPost", post_id, struct)
        link = self._link(post_id)
        self.pub.archive.set_remote_id(
            RemoteId(KIND, SOURCE, self.doc.front.uid, self.target, post_id, link, fingerprint)
        )
        return site_outcome(self.doc, self.target, action, post_id, link)

    def _struct(self, status: str) -> dict[str, Any]:
        front = self.doc.front
        images = {image.src: self._upload(image.path) for image in self.doc.images}
        classic = self.pub.options.classic
        struct: dict[str, Any] = {
            "post_type": "post",
            "post_title": front.title,
            "post_content": self.doc.to_classic(images) if classic else self.doc.to_blocks(images),
            "post_status": status,
            "post_name": front.slug or slugify(front.title),
            "terms_names": {"category": list(front.categories), "post_tag": list(front.tags)},
        }
        if front.excerpt:
            struct["post_excerpt"] = front.excerpt
        if front.date_gmt:
            stamp = front.date_gmt.strftime("%Y%m%dT%H:%M:%S")
            struct["post_date_gmt"] = xmlrpc.client.DateTime(stamp)
        if self.doc.featured_image is not None:
            struct["post_thumbnail"] = self._upload(self.doc.featured_image).id
        return struct

    def _upload(self, path: Path) -> ImageRef:
        data = path.read_bytes()
        sha = sha256_hex(data)
        known = self.pub.archive.remote_id("media", SOURCE, sha, self.target)
        if known is not None:
            return ImageRef(known.target_url, known.target_id)
        if self.pub.options.dry_run:
            return ImageRef(path.name, None)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        answer = self._call("uploadFile", {"name": path.name, "type": mime,
                                           "bits": xmlrpc.client.Binary(data)})  # fmt: skip
        media_id, url = int(answer.get("attachment_id") or answer["id"]), answer["url"]
        self.pub.archive.set_remote_id(RemoteId("media", SOURCE, sha, self.target, media_id,
                                                url, sha))  # fmt: skip
        return ImageRef(url, media_id)

    def _existing(self) -> tuple[int, str] | None:
        mapped = self.pub.archive.remote_id(KIND, SOURCE, self.doc.front.uid, self.target)
        if mapped is None:
            return None
        try:
            post = self._call("getPost", mapped.target_id, ["post_id", "post_status"])
        except SourceError:
            return None  # deleted on the site: publish it again
        if post.get("post_status") == "trash":
            return None
        return mapped.target_id, mapped.content_hash

    def _link(self, post_id: int) -> str:
        return str(self._call("getPost", post_id, ["link"]).get("link", ""))
