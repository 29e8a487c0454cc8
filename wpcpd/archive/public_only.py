"""Public-only reads (scraping, anonymous REST): matching what a visitor's view names
otherwise than the archive does, so that such a read never duplicates or degrades a fuller
copy: authors by display name, terms by id, files by address, stand-in posts by address."""

from __future__ import annotations

import html
import re
import sqlite3
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from wpcpd.archive.columns import last_by
from wpcpd.model import Author, Comment, Media, Post, Term

if TYPE_CHECKING:
    from wpcpd.archive.writer import SaveSummary


@dataclass
class Aliases:
    """What a site's public-only read names otherwise than the archive does."""

    term_slugs: dict[tuple[str, str], str] = field(default_factory=dict)
    """(taxonomy, slug the read guessed) -> the slug the archive holds the term under."""
    media_ids: dict[int, int] = field(default_factory=dict)
    """The read's id for a file -> the id of the archive's row for that file."""
    logins: dict[str, str] = field(default_factory=dict)
    """The read's login for an author (a display name) -> the archive's login."""
    post_ids: dict[int, int] = field(default_factory=dict)
    """A stand-in post id (the page showed none) -> the archived post at that address."""


def _fill_blanks(term: Term, known: Term) -> Term:
    """`term`, with what it leaves empty taken from `known`."""
    return replace(
        term,
        id=known.id if term.id is None else term.id,
        name=term.name or known.name,
        description=term.description or known.description,
        parent=term.parent or known.parent,
        meta=term.meta or list(known.meta),
    )


_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
                              "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
                              "\u2013": "-", "\u2014": "-", "\u00a0": " "})  # fmt: skip


def _display_key(name: str) -> str:
    """A display name as compared across channels: themes print it texturised (curly quotes)
    and escaped; WXR and REST keep it as typed."""
    text = html.unescape(name).translate(_TYPOGRAPHIC).replace("\u2026", "...")
    return " ".join(text.split()).casefold()


_SIZE_SUFFIX = re.compile(r"-(?:\d+x\d+|scaled|rotated)$")


def _upload_variants(address: str) -> list[str]:
    """The names an uploaded file is stored under (`media.file`, relative to the uploads
    folder), whichever size of it an address shows: "2023/01/a-300x200.jpg" is a size of
    "2023/01/a.jpg", which WordPress may keep as "a-scaled.jpg" or "a-rotated.jpg"."""
    path = urlsplit(address).path if "://" in address else address.split("?")[0]
    path = unquote(path).split("/wp-content/uploads/")[-1].lstrip("/")
    folder, _, name = path.rpartition("/")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if not stem:
        return []
    core = stem
    while _SIZE_SUFFIX.search(core):
        core = _SIZE_SUFFIX.sub("", core)
    names = dict.fromkeys([stem, core, f"{core}-scaled", f"{core}-rotated"])
    prefix = f"{folder}/" if folder else ""
    return [f"{prefix}{n}{dot}{extension}" for n in names]


class PublicOnlyMatching:
    """The part of the batch writer (wpcpd/archive/writer.py) that matches a public-only
    read's records to what the archive holds."""

    db: sqlite3.Connection
    site_id: int | None
    public_only: int
    summary: SaveSummary
    aliases: dict[int | None, Aliases]

    @property
    def alias(self) -> Aliases:
        """How the archive knows what the current site's public-only read names otherwise."""
        return self.aliases.setdefault(self.site_id, Aliases())

    def _known_authors(self, authors: list[Author]) -> list[Author]:
        """A theme that prints only the author's name gives a public-only read no login: an
        author the archive holds in full under that display name is that author (kept, and
        the read's posts name its login)."""
        stored = {login for (login,) in self.db.execute(
            "SELECT login FROM authors WHERE site_id = ?", (self.site_id,))}  # fmt: skip
        by_name: dict[str, list[str]] = {}
        for login, name in self.db.execute(
            "SELECT login, display_name FROM authors WHERE site_id = ? AND public_only = 0",
            (self.site_id,),
        ):
            by_name.setdefault(_display_key(name), []).append(login)
        unknown = []
        for a in authors:
            same = by_name.get(_display_key(a.display_name or a.login), [])
            if a.login not in stored and len(same) == 1:
                self.alias.logins[a.login] = same[0]
                self.summary.add("author", "kept")
            else:
                unknown.append(a)
        return unknown

    def _fill_terms(self, terms: list[Term]) -> list[Term]:
        """A public-only read sees part of a term (a scrape: its name, and its parent where
        the address shows it): what it did not see is never blanked, neither by a later
        sighting in the same read nor in what an earlier public-only read stored. A term
        named by an id the archive holds under another slug (plain permalinks show only
        the id) is that term. A fuller copy is left alone by `_split` ("kept")."""
        ids = sorted({t.id for t in terms if t.id is not None})
        by_id: dict[tuple[str, int], str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for taxonomy, term_id, slug in self.db.execute(
                f"SELECT taxonomy, id, slug FROM terms WHERE site_id = ? "
                f"AND id IN ({', '.join('?' * len(chunk))})",
                [self.site_id, *chunk],
            ):
                by_id[(taxonomy, term_id)] = slug
        merged: dict[tuple[str, str], Term] = {}
        for t in terms:
            slug = by_id.get((t.taxonomy, t.id), t.slug) if t.id is not None else t.slug
            if slug != t.slug:
                self.alias.term_slugs[(t.taxonomy, t.slug)] = slug
            t = replace(t, slug=slug, meta=list(t.meta))
            key = (t.taxonomy, t.slug)
            merged[key] = _fill_blanks(t, merged[key]) if key in merged else t
        keys = list(merged)
        for start in range(0, len(keys), 200):
            chunk = keys[start : start + 200]
            for row in self.db.execute(
                "SELECT taxonomy, slug, id, name, description, parent FROM terms "
                "WHERE site_id = ? AND public_only = 1 AND (taxonomy, slug) IN "
                f"(VALUES {', '.join(['(?, ?)'] * len(chunk))})",
                [self.site_id, *(v for key in chunk for v in key)],
            ):
                stored = Term(row[0], row[1], row[3], row[2], row[5], row[4])
                merged[(row[0], row[1])] = _fill_blanks(merged[(row[0], row[1])], stored)
        return list(merged.values())

    def _apply_aliases(self, posts: list[Post], comments: list[Comment],
                       media: list[Media]) -> None:  # fmt: skip
        """A public-only read's records name posts, terms, files and authors as the archive
        knows them (see `_fill_terms`, `_match_media`, `_known_authors`). A post read with
        a stand-in id (its page showed none) is the archived post at its address, as
        `_supersede_scraped` does the other way round."""
        if not self.public_only:
            return
        alias = self.alias
        found = self._archived_posts_at(sorted({p.link for p in posts if p.id < 0 and p.link}))
        alias.post_ids.update({p.id: found[p.link] for p in posts if p.link in found})
        if not (alias.term_slugs or alias.media_ids or alias.logins or alias.post_ids):
            return
        ids = alias.post_ids
        for i, p in enumerate(posts):
            posts[i] = replace(
                p,
                id=ids.get(p.id, p.id),
                terms=[replace(r, slug=alias.term_slugs.get((r.taxonomy, r.slug), r.slug))
                       for r in p.terms],
                featured_media=alias.media_ids.get(p.featured_media, p.featured_media)
                if p.featured_media is not None else None,
                author=alias.logins.get(p.author, p.author),
            )  # fmt: skip
        for i, c in enumerate(comments):
            comments[i] = replace(c, post=ids.get(c.post, c.post))
        for i, m in enumerate(media):
            media[i] = replace(m, post=ids.get(m.post, m.post))

    def _archived_posts_at(self, links: list[str]) -> dict[str, int]:
        """Address -> id of the posts a fuller channel stored at these addresses."""
        found: dict[str, int] = {}
        for start in range(0, len(links), 500):
            chunk = links[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = ("SELECT link, id FROM posts WHERE site_id = ? AND id > 0 "
                   f"AND public_only = 0 AND link IN ({marks})")  # fmt: skip
            found.update(self.db.execute(sql, [self.site_id, *chunk]))
        return found

    def _holds_public_media(self) -> bool:
        sql = "SELECT EXISTS (SELECT 1 FROM media WHERE site_id = ? AND public_only = 1)"
        return bool(self.db.execute(sql, (self.site_id,)).fetchone()[0])

    def _match_media(self, media: list[Media]) -> list[Media]:
        """A public-only read knows a file by its address, and often not the attachment's
        id: the file the archive already holds (at any of its sizes) keeps its one row. A
        fuller row is kept as it is; the read's posts name the archive's id for it."""
        if not self.public_only or not media:
            return media
        matched = []
        for m in last_by(media, lambda m: m.id):
            found = sorted(self._media_rows_of(m), key=lambda row: (row[1], row[0] != m.id))
            if not found or found[0][0] == m.id:
                matched.append(m)  # new, or the same id: `_split` decides
                continue
            stored_id, public = found[0]
            self.alias.media_ids[m.id] = stored_id
            if public:
                matched.append(replace(m, id=stored_id))
            else:
                self.summary.add("media", "kept")
        return matched

    def _media_rows_of(self, m: Media) -> list[tuple[int, int]]:
        """(id, public_only) of the rows this site holds for the file of `m`."""
        files = _upload_variants(m.file or m.url)
        urls = [m.url, m.url.split("?")[0]] if m.url else []
        file_marks, url_marks = ", ".join("?" * len(files)), ", ".join("?" * len(urls))
        found = self.db.execute(
            f"""SELECT id, public_only FROM media WHERE site_id = ?
                AND (id = ? OR file IN ({file_marks}) OR url IN ({url_marks}))""",
            [self.site_id, m.id, *files, *urls],
        ).fetchall()
        return [(row[0], row[1]) for row in found]
