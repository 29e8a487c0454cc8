"""Publish a reflection file to one or several WordPress sites, idempotently.

One publication model (model.py) and one writer per channel (rest.py, xmlrpc.py), chosen by
the channel each site's connection goes through. A new channel is one writer module plus one
line in `WRITERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wpcpd.archive import Archive
from wpcpd.reflect.render import load_document
from wpcpd.sinks.publish.model import (
    Publication,
    PublishOptions,
    ReadBack,
    WriterFactory,
    check_document,
)
from wpcpd.sinks.publish.rest import RestSitePublisher
from wpcpd.sinks.publish.xmlrpc import XmlRpcSitePublisher
from wpcpd.wordpress.connect import REST, WPCOM, XMLRPC, Connection

WRITERS: dict[str, WriterFactory] = {
    REST: RestSitePublisher,
    WPCOM: RestSitePublisher,
    XMLRPC: XmlRpcSitePublisher,
}

__all__ = ["WRITERS", "Publication", "PublishOptions", "publish_file"]


def publish_file(
    archive: Archive,
    path: Path,
    targets: list[tuple[str, Callable[[], Connection]]],
    options: PublishOptions,
    strict: bool = False,
    read_back: ReadBack | None = None,
) -> Publication:
    """Publish one reflection file to each target in turn: (name, how to connect).

    `read_back` turns what WordPress answered into the records a pull would save, so the
    archive keeps the published post (the CLI passes wpcpd.sources.rest.published_records).
    """
    document = load_document(path, strict=strict)
    check_document(document, options.status)
    publication = Publication(document, archive, options, WRITERS, read_back)
    for name, connect in targets:
        publication.to(name, connect)
    return publication
