"""Lossless JSON Lines export: one object per record, named by its "record" key.

The field names here are a contract other tools rely on (documented in docs/json-format.md):
add fields, never rename or drop them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from wpcpd.model import (
    Author,
    Comment,
    Media,
    Post,
    Record,
    Site,
    Term,
    format_gmt,
    format_local,
    meta_object,
)


def record_to_dict(site: str, record: Record, *, passwords: bool = False) -> dict[str, Any]:
    """The export form of one record; a post's own password only when `passwords` is set.

    The default leaves it out, since this is also what `show --json` prints; the export
    carries it, as WordPress's own exporter does.
    """
    match record:
        case Site():
            return {
                "record": "site",
                "site": record.key,
                "url": record.url,
                "title": record.title,
                "description": record.description,
                "language": record.language,
                "channel": record.channel,
            }
        case Author():
            return {
                "record": "author",
                "site": site,
                "id": record.id,
                "login": record.login,
                "email": record.email,
                "display_name": record.display_name,
                "first_name": record.first_name,
                "last_name": record.last_name,
            }
        case Term():
            return {
                "record": "term",
                "site": site,
                "id": record.id,
                "taxonomy": record.taxonomy,
                "slug": record.slug,
                "name": record.name,
                "parent": record.parent,
                "description": record.description,
                "meta": meta_object(record.meta),
            }
        case Post():
            data = _post(site, record)
            if passwords:
                data["password"] = record.password
            return data
        case Comment():
            return _comment(site, record)
        case Media():
            return {
                "record": "media",
                "site": site,
                "id": record.id,
                "post": record.post,
                "url": record.url,
                "file": record.file,
                "mime_type": record.mime_type,
                "alt_text": record.alt_text,
            }
    raise TypeError(f"not a record: {record!r}")


def _post(site: str, p: Post) -> dict[str, Any]:
    return {
        "record": "post", "site": site, "id": p.id, "type": p.type, "status": p.status,
        "slug": p.slug, "title": p.title, "content": p.content, "excerpt": p.excerpt,
        "date": format_local(p.date), "date_gmt": format_gmt(p.date_gmt),
        "modified": format_local(p.modified), "modified_gmt": format_gmt(p.modified_gmt),
        "author": p.author, "parent": p.parent, "menu_order": p.menu_order,
        "comment_status": p.comment_status, "ping_status": p.ping_status,
        "sticky": p.sticky, "password_protected": p.password_protected, "guid": p.guid,
        "link": p.link, "mime_type": p.mime_type, "featured_media": p.featured_media,
        "terms": [{"taxonomy": t.taxonomy, "slug": t.slug, "name": t.name} for t in p.terms],
        "meta": meta_object(p.meta),
    }  # fmt: skip


def _comment(site: str, c: Comment) -> dict[str, Any]:
    return {
        "record": "comment", "site": site, "id": c.id, "post": c.post, "parent": c.parent,
        "author_name": c.author_name, "author_email": c.author_email,
        "author_url": c.author_url, "author_ip": c.author_ip, "user_id": c.user_id,
        "date": format_local(c.date), "date_gmt": format_gmt(c.date_gmt),
        "content": c.content, "status": c.status, "type": c.type,
        "meta": meta_object(c.meta),
    }  # fmt: skip


def write_json_lines(
    records: Iterable[tuple[str, Record]], out: TextIO, *, redact_passwords: bool = False
) -> int:
    """Write records one per line; returns how many were written."""
    count = 0
    for site, record in records:
        data = record_to_dict(site, record, passwords=not redact_passwords)
        out.write(json.dumps(data, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
