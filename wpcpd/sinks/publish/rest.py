"""Publish a reflection file to one or several WordPress sites, idempotently.

The file's `uid` (front matter) maps to the post created for it on each site, recorded in
the archive's remote_ids table the moment WordPress answers. Publishing the same file again
updates that post only when what would be sent changed, and never creates a second one; a
file published before this archive knew it is found on the site by its slug. Each site is
published on its own: one failing does not stop the others, and a re-run finishes only
what did not succeed.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import mimetypes
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wpcpd.archive import Archive, RemoteId
from wpcpd.errors import UsageError, WpcpdError
from wpcpd.http import make_session
from wpcpd.model import TermRef, site_key
from wpcpd.pull import Connection, LiveOptions, connect_rest
from wpcpd.reflect.render import Document, ImageRef
from wpcpd.sources.rest import NoRestApi, RestBlocked, RestError, RestSource
from wpcpd.sources.xmlrpc import XmlRpcSource, default_endpoint
from wpcpd.text import term_name_key, term_search_text
from wpcpd.wordpress.discover import discover
from wpcpd.wordpress.writer import RestWriter

KIND = "reflection"
SOURCE = "file"


@dataclass
class PublishOptions:
    status: str | None = None
    """Overrides the front matter's status."""
    dry_run: bool = False
    classic: bool = False
    originally_posted: bool = False
    """Add an "Originally posted at ..." line, linking the first site, to the others."""


@dataclass
class Outcome:
    """What happened on one site."""

    target: str
    action: str
    """created, updated, unchanged, failed, or with --dry-run: would create/update/none."""
    post_id: int | None = None
    url: str = ""
    message: str = ""
    diff: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


@dataclass
class Publication:
    document: Document
    archive: Archive
    options: PublishOptions
    first_url: str = ""
    outcomes: list[Outcome] = field(default_factory=list)

    def to(self, target: str, connect: Callable[[], Any]) -> Outcome:
        """Publish to one site; any error becomes a failed outcome, never an exception."""
        try:
            connection = connect()
            if isinstance(connection, Connection):
                outcome = _SitePublisher(self, connection).publish()
            else:
                from wpcpd.sinks.publish.xmlrpc import XmlRpcSitePublisher

                outcome = XmlRpcSitePublisher(self, connection).publish()
        except WpcpdError as exc:
            outcome = Outcome(target, "failed", message=str(exc))
        if outcome.url and not self.first_url and outcome.action != "failed":
            self.first_url = outcome.url
        outcome.target = target
        self.outcomes.append(outcome)
        return outcome


def check_document(document: Document, status: str | None) -> str:
    """The status to publish with; refuses a schedule in the past before sending anything."""
    front = document.front
    if not front.uid:
        raise UsageError(
            f"{document.path}: no uid in the front matter (run wpcpd new, or add a uid "
            "line): it is what keeps a re-publish from duplicating"
        )
    status = status or front.status or "draft"
    when = front.date_gmt
    if status == "future" and (when is None or when <= datetime.now(UTC)):
        raise UsageError(
            f"{document.path}: status future needs a date in the future "
            f"(WordPress would publish a past date at once); the date is {front.date}"
        )
    return status


class _SitePublisher:
    def __init__(self, publication: Publication, connection: Connection) -> None:
        self.pub = publication
        self.doc = publication.document
        self.connection = connection
        self.client = connection.client
        self.writer = RestWriter(connection.client)
        self.target = site_key(connection.url)
        self.dry_run = publication.options.dry_run

    def publish(self) -> Outcome:
        status = check_document(self.doc, self.pub.options.status)
        remote = self._existing_post()
        fields = self._fields(status)
        fingerprint = digest(fields)
        if remote is not None and remote.get("_hash") == fingerprint:
            return Outcome(self.target, "would change nothing" if self.dry_run else "unchanged",
                           remote["id"], remote.get("link", ""))  # fmt: skip
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
            content += _originally(self.pub.first_url, self.pub.options.classic)
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
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        known = self.pub.archive.remote_id("media", SOURCE, digest, self.target)
        if known is not None:
            return ImageRef(known.target_url, known.target_id)
        if self.dry_run:
            return ImageRef(path.name, None)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        media = self.writer.upload_media(path, path.name, mime)
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
        source = RestSource(self.client, authenticated=True, language=self.connection.language)
        for taxonomy, rest_base in (("category", "categories"), ("post_tag", "tags")):
            source.taxonomies[rest_base] = taxonomy
            ids = item.get(rest_base) or []
            if ids:
                found = self.client.json(f"wp/v2/{rest_base}", {"include": ",".join(map(str, ids))})
                for term in found:
                    source.terms_by_id[(taxonomy, term["id"])] = TermRef(
                        taxonomy, term["slug"], html.unescape(term["name"])
                    )
        self.pub.archive.save([source.site(), source.post(item)], atomic=True)

    # -- reporting -------------------------------------------------------------------------

    def _outcome(self, action: str, item: dict[str, Any], fields: dict[str, Any]) -> Outcome:
        message = ""
        if item.get("slug") and item["slug"] != fields["slug"]:
            message = f"WordPress changed the slug to {item['slug']} (another post had it)"
        return Outcome(self.target, action, item["id"], item.get("link", ""), message)

    def _preview(self, remote: dict[str, Any] | None, fields: dict[str, Any]) -> Outcome:
        if remote is None:
            return Outcome(self.target, "would create", message=f"title {fields['title']!r}")
        live = (remote.get("content") or {}).get("raw", "")
        diff = "".join(difflib.unified_diff(
            live.splitlines(keepends=True), fields["content"].splitlines(keepends=True),
            "live", "file",
        ))  # fmt: skip
        return Outcome(self.target, "would update", remote["id"], remote.get("link", ""),
                       diff=diff)  # fmt: skip


def digest(fields: dict[str, Any]) -> str:
    """What a publish would send, fingerprinted: equal means there is nothing to write."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def _originally(url: str, classic: bool) -> str:
    line = f'<p><em>Originally posted at <a href="{url}">{url}</a>.</em></p>'
    return (
        f"\n\n{line}" if classic else f"\n\n<!-- wp:paragraph -->\n{line}\n<!-- /wp:paragraph -->"
    )


def slugify(title: str) -> str:
    """A slug as WordPress makes one from a title (sanitize_title), for plain titles."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "reflection"


def connect_site(url: str, options: LiveOptions) -> Any:
    """REST if the site offers it to us; XML-RPC when REST is missing or closed."""
    try:
        return connect_rest(url, options)
    except (RestBlocked, NoRestApi) as exc:
        from wpcpd.sinks.publish.xmlrpc import XmlRpcConnection

        session = make_session(options.politeness)
        api = discover(session, url)
        if not options.user or not options.password:
            raise UsageError(f"{api.url}: writing needs --user and a password") from exc
        source = XmlRpcSource(session, api.xmlrpc or default_endpoint(api.url), options.user,
                              options.password, allow_insecure=options.insecure_http)  # fmt: skip
        source.check()
        return XmlRpcConnection(source, api.url)


def publish_file(
    archive: Archive,
    path: Path,
    targets: list[tuple[str, Callable[[], Any]]],
    options: PublishOptions,
    strict: bool = False,
) -> Publication:
    """Publish one reflection file to each target in turn: (name, how to connect)."""
    from wpcpd.reflect.render import load_document

    document = load_document(path, strict=strict)
    check_document(document, options.status)
    publication = Publication(document, archive, options)
    for name, connect in targets:
        publication.to(name, connect)
    return publication
