"""Reflections derived once per version of a post, and kept in the archive.

`detect.py` says what a post is; this module decides which posts must be read again. Each
post's check (table `reflection_checks`) records the version it was read in (its
`record_hash` and its terms' names) and the detector it was read with (a fingerprint of the
detector's code and the programme definitions). Deriving again reads only the posts whose
version or detector differs, so listing the reflections of an unchanged 20,000-post archive
reads no post at all.

The site's context is worked out again every time from the checks alone, without reading
posts: the main programme (the one of two or more reflections) and its time span decide
which unlabelled "Thing N: ..." posts it claims; only a post whose claim changed is read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lxml.etree

from wpcpd import text as text_module
from wpcpd.archive import ReflectionCheck
from wpcpd.model import Post
from wpcpd.reflect import actions as actions_module
from wpcpd.reflect import detect as detect_module
from wpcpd.reflect import programmes as programmes_module
from wpcpd.reflect import sections as sections_module
from wpcpd.reflect import things as things_module
from wpcpd.reflect.detect import (
    detect_reflection,
    is_unlabelled_thing,
    main_programme,
    programme_span,
    reflection_date,
    within_span,
)
from wpcpd.reflect.programmes import Programme, load_programmes

if TYPE_CHECKING:
    from wpcpd.archive import Archive

REFLECTION = "reflection"
UNLABELLED = "unlabelled"
NONE = "none"

OnPhase = Callable[[str, int], None]
"""Called as a phase begins, with its name and how many steps it has."""
OnStep = Callable[[], None]
"""Called after each step (one post read)."""

# The code a post's reflection depends on: a change to any of it derives every post again.
_DETECTOR_SOURCES = (
    detect_module,
    things_module,
    sections_module,
    actions_module,
    text_module,
    programmes_module,
)


def derive_reflections(
    archive: Archive,
    site_key: str | None = None,
    programmes: Mapping[str, Programme] | None = None,
    *,
    on_phase: OnPhase | None = None,
    on_step: OnStep | None = None,
) -> int:
    """Bring every site's (or one site's) stored reflections up to date; returns their count.

    Reads only the posts that changed since they were last read (or all, the first time, or
    when the detector or the programme definitions changed). `on_phase` and `on_step` report
    progress while posts are read: nothing is reported when nothing needs reading.
    """
    programmes = load_programmes() if programmes is None else programmes
    detector = detector_fingerprint(programmes)
    site = archive.resolve_site(site_key)
    keys = [row["key"] for row in ([site] if site is not None else archive.sites())]
    total = 0
    for key in keys:
        total += _SiteDerivation(archive, key, programmes, detector, on_phase, on_step).run()
    return total


def reflection_of(archive: Archive, site_key: str, post_id: int) -> dict[str, Any] | None:
    """One post's reflection as the archive stores it (derived afresh for its site), or None.

    For `wpcpd show`: unlike `detect_reflection(post)`, this sees the site context, so an
    unlabelled "Thing 17: Prezi" post on a cpd23 blog is recognised too.
    """
    if not archive.read_only:  # read-only: what was derived before, when still current
        derive_reflections(archive, site_key)
    rows = archive.reflections(site_key)
    return next((row for row in rows if row["post_id"] == post_id), None)


def detector_fingerprint(programmes: Mapping[str, Programme]) -> str:
    """What a stored check was derived with: the detector's code, lxml's version (it parses
    the posts) and the programme definitions, including the user's own."""
    digest = hashlib.blake2b(digest_size=16)
    for module in _DETECTOR_SOURCES:
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:  # no source to read (a frozen build): its version must do
            from wpcpd import __version__

            digest.update(__version__.encode())
    digest.update(repr(lxml.etree.LXML_VERSION).encode())
    digest.update(repr(sorted(programmes.items())).encode())
    return digest.hexdigest()


class _SiteDerivation:
    """One site's derivation: read what changed, then settle what the site's context claims."""

    def __init__(
        self,
        archive: Archive,
        site_key: str,
        programmes: Mapping[str, Programme],
        detector: str,
        on_phase: OnPhase | None,
        on_step: OnStep | None,
    ) -> None:
        self.archive = archive
        self.site_key = site_key
        self.programmes = programmes
        self.detector = detector
        self.on_phase = on_phase
        self.on_step = on_step
        self.checks: dict[int, ReflectionCheck] = {}
        self.written: dict[int, ReflectionCheck] = {}
        """Checks to store: fresh ones, and those whose claimed programme changed."""
        self.rows: dict[int, dict[str, Any] | None] = {}
        """Posts whose stored reflection is replaced (None: removed)."""
        self.posts: dict[int, Post] = {}
        """Unlabelled posts read in this run, which the site's programme may claim."""

    def run(self) -> int:
        versions = self.archive.post_versions(self.site_key)
        stored = self.archive.reflection_checks(self.site_key)
        live = {post_id for post_id, _, _ in versions}
        forget = [post_id for post_id in stored if post_id not in live]
        stale = []
        for post_id, record_hash, terms_hash in versions:
            check = stored.get(post_id)
            if check is None or (check.record_hash, check.terms_hash, check.detector) != (
                record_hash,
                terms_hash,
                self.detector,
            ):
                stale.append(post_id)
            else:
                self.checks[post_id] = check
        if stale:
            self._read(stale, {post_id: (rh, th) for post_id, rh, th in versions})
        self._claim_unlabelled()
        if self.written or self.rows or forget:
            self.archive.update_reflections(self.site_key, self.written.values(), self.rows, forget)
        return sum(check.is_reflection for check in self.checks.values())

    def _read(self, stale: list[int], versions: dict[int, tuple[str, str]]) -> None:
        """Read the changed posts: each is a reflection by itself, unlabelled, or neither."""
        self._phase(f"deriving reflections of {self.site_key}", len(stale))
        for post in self.archive.posts_by_id(self.site_key, stale):
            record_hash, terms_hash = versions[post.id]
            reflection = detect_reflection(post, self.programmes)
            when = reflection_date(post)
            check = ReflectionCheck(
                post.id, record_hash, terms_hash, self.detector, NONE,
                date=when.isoformat() if when is not None else None,
            )  # fmt: skip
            if reflection is not None:
                check.outcome, check.programme, check.is_reflection = (
                    REFLECTION, reflection.programme, True,
                )  # fmt: skip
            elif is_unlabelled_thing(post):
                check.outcome = UNLABELLED
                self.posts[post.id] = post
            self._store(check, reflection.as_row() if reflection is not None else None)
            if self.on_step is not None:
                self.on_step()

    def _claim_unlabelled(self) -> None:
        """Give the site's main programme the unlabelled posts of its time, and only those."""
        order = sorted(self.checks)
        main = main_programme(
            (self.checks[i].programme for i in order if self.checks[i].outcome == REFLECTION),
            self.programmes,
        )
        span = None
        if main is not None:
            span = programme_span(
                _date(c) for c in self.checks.values()
                if c.outcome == REFLECTION and c.programme == main.key
            )  # fmt: skip
        changed = []
        for post_id in order:
            check = self.checks[post_id]
            if check.outcome != UNLABELLED:
                continue
            claim = main if within_span(_date(check), span) else None
            if check.programme != (claim.key if claim is not None else ""):
                changed.append((post_id, claim))
        if not changed:
            return
        unread = [post_id for post_id, claim in changed if claim and post_id not in self.posts]
        if unread:
            self._phase(f"deriving reflections of {self.site_key} (Things)", len(unread))
            for post in self.archive.posts_by_id(self.site_key, unread):
                self.posts[post.id] = post
                if self.on_step is not None:
                    self.on_step()
        for post_id, claim in changed:
            reflection = None
            if claim is not None:
                post = self.posts[post_id]
                reflection = detect_reflection(post, self.programmes, site_programme=claim)
            check = replace(
                self.checks[post_id],
                programme=claim.key if claim is not None else "",
                is_reflection=reflection is not None,
            )
            self._store(check, reflection.as_row() if reflection is not None else None)

    def _store(self, check: ReflectionCheck, row: dict[str, Any] | None) -> None:
        self.checks[check.post_id] = self.written[check.post_id] = check
        self.rows[check.post_id] = row

    def _phase(self, name: str, total: int) -> None:
        if self.on_phase is not None:
            self.on_phase(name, total)


def _date(check: ReflectionCheck) -> datetime | None:
    return datetime.fromisoformat(check.date) if check.date else None
