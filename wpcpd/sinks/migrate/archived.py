"""The archived site in memory, cross-referenced: what push carries and verify compares."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from wpcpd.archive import Archive
from wpcpd.model import Author, Comment, Media, Post, Term


@dataclass
class Source:
    key: str
    url: str
    authors: dict[str, Author] = field(default_factory=dict)
    terms: list[Term] = field(default_factory=list)
    posts: dict[int, Post] = field(default_factory=dict)
    media: dict[int, Media] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)

    @cached_property
    def logins_by_id(self) -> dict[int, str]:
        return {a.id: a.login for a in self.authors.values() if a.id}


def load_source(archive: Archive, site_ref: str) -> Source:
    """One site's records from the archive, in memory (push needs them cross-referenced)."""
    row = archive.resolve_site(site_ref)
    assert row is not None
    source = Source(row["key"], row["url"])
    for _, record in archive.iter_records(row["key"]):
        match record:
            case Author():
                source.authors[record.login] = record
            case Term():
                source.terms.append(record)
            case Post():
                source.posts[record.id] = record
            case Media():
                source.media[record.id] = record
            case Comment():
                source.comments.append(record)
    return source
