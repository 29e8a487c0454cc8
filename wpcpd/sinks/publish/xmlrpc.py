"""Publishing through XML-RPC, for sites whose REST API is closed.

The same rules as over REST (wpcpd/sinks/publish.py): the file's uid maps to the remote post
in the archive, unchanged files send nothing, images go up once per site. XML-RPC creates
missing categories and tags by name itself (`terms_names`). Writes are never retried.
"""

from __future__ import annotations

import hashlib
import mimetypes
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wpcpd.archive import RemoteId
from wpcpd.errors import SourceError
from wpcpd.model import site_key
from wpcpd.reflect.render import ImageRef
from wpcpd.sinks.publish.rest import (
    KIND,
    SOURCE,
    Outcome,
    Publication,
    check_document,
    digest,
    slugify,
)
from wpcpd.sources.xmlrpc import XmlRpcSource

FAULT_INVALID_POST = 404


@dataclass
class XmlRpcConnection:
    """A checked XML-RPC login to one site, for writing."""

    source: XmlRpcSource
    url: str


class XmlRpcSitePublisher:
    def __init__(self, publication: Publication, connection: XmlRpcConnection) -> None:
        self.pub = publication
        self.doc = publication.document
        self.source = connection.source
        self.server = connection.source.client.server
        self.target = site_key(connection.url)

    def _call(self, method: str, *args: Any) -> Any:
        call = getattr(self.server.wp, method)
        try:
            return call(0, self.source.user, self.source.password, *args)
        except xmlrpc.client.Fault as exc:
            where = self.source.endpoint_url
            raise SourceError(f"{where}: wp.{method}: {exc.faultString}") from exc

    def publish(self) -> Outcome:
        status = check_document(self.doc, self.pub.options.status)
        struct = self._struct(status)
        fingerprint = digest(struct)
        existing = self._existing()
        if existing is not None and existing[1] == fingerprint:
            return Outcome(self.target, "unchanged", existing[0], self._link(existing[0]))
        if self.pub.options.dry_run:
            action = "would update" if existing else "would create"
            return Outcome(self.target, action, existing[0] if existing else None)
        if existing is None:
            post_id, action = int(self._call("newPost", struct)), "created"
        else:
            post_id, action = existing[0], "updated"
            self._call("editPost", post_id, struct)
        link = self._link(post_id)
        self.pub.archive.set_remote_id(
            RemoteId(KIND, SOURCE, self.doc.front.uid, self.target, post_id, link, fingerprint)
        )
        return Outcome(self.target, action, post_id, link)

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
        sha = hashlib.sha256(data).hexdigest()
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
