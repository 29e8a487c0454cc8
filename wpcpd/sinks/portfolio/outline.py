"""What a CPD portfolio holds: a programme's reflections grouped by Thing, with their prompts,
answers and actions, whether a later post followed each action up, and the totals.

Everything here comes from `wpcpd.reflect.review_reflections` (the same reading the
programme-review template and `wpcpd reflections` use) and the programme's definition; the
page (`page.py`) only lays it out.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from wpcpd.errors import UsageError
from wpcpd.reflect import derive_reflections, load_programmes, resolve_programme
from wpcpd.reflect.programmes import Programme, Thing
from wpcpd.reflect.sections import CONCLUSION
from wpcpd.reflect.templates import PUBLIC, review_reflections
from wpcpd.text import html_to_text

if TYPE_CHECKING:
    from wpcpd.archive import Archive

_TAG = re.compile(r"<[^>]*>")
_BULLET = re.compile(r"^\s*[-*•]\s+")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+")


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph (`p`, its lines) or a list (`ul`/`ol`, its items) of an answer."""

    kind: str
    lines: tuple[str, ...]


@dataclass(slots=True)
class Answer:
    """One prompt and what the writer answered; `prompt` is empty for the closing reflection
    (`closing`) and for a post read as a whole because no prompts were found in it."""

    prompt: str
    blocks: list[Block]
    closing: bool = False


@dataclass(slots=True)
class LaterPost:
    """The first later post that followed an action up."""

    title: str
    link: str
    date: str
    mark: str = ""
    """Why readers cannot open it ("private", "draft", ...), or empty when they can."""
    anchor: str = ""
    """Its place in this portfolio when it is one of the reflections, else empty."""


@dataclass(slots=True)
class Action:
    text: str
    later: LaterPost | None = None


@dataclass(slots=True)
class Entry:
    """One reflection as the portfolio shows it."""

    anchor: str
    site: str
    post_id: int
    title: str
    link: str
    date: str
    """The post's local date, ISO 8601 (YYYY-MM-DD), or empty when it has none."""
    words: int
    things: list[int]
    label: str
    """"Thing 12", "Things 8 & 9"."""
    topic: str
    mark: str = ""
    """Why readers cannot open it ("private", "password-protected", ...), or empty."""
    answers: list[Answer] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


@dataclass(slots=True)
class Part:
    """One Thing: the reflections shown under it, and those shown under another of their
    Things that cover this one too (`see_also`)."""

    number: int
    topic: str
    entries: list[Entry] = field(default_factory=list)
    see_also: list[Entry] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"thing-{self.number}"


@dataclass(slots=True)
class Portfolio:
    programme: Programme
    sites: list[dict[str, Any]]
    parts: list[Part]
    """The Things with reflections, in the programme's order."""
    others: list[Entry]
    """Reflections of the programme that name no Thing."""
    uncovered: list[Thing]
    """The programme's Things no reflection covers yet."""
    entries: list[Entry]
    include_private: bool
    hidden: int = 0
    """Reflections left out because readers cannot open them (without include_private)."""
    made: date = field(default_factory=date.today)

    @property
    def words(self) -> int:
        return sum(entry.words for entry in self.entries)

    @property
    def actions(self) -> list[Action]:
        return [action for entry in self.entries for action in entry.actions]

    @property
    def followed_up(self) -> int:
        return sum(action.later is not None for action in self.actions)

    @property
    def marked(self) -> int:
        return sum(bool(entry.mark) for entry in self.entries)


def build_portfolio(
    archive: Archive, site: str | None, programme: str | None, *, include_private: bool
) -> Portfolio:
    """The portfolio of one programme (every site's reflections when `site` is None)."""
    chosen = choose_programme(archive, site, programme)
    rows = review_reflections(archive, chosen.key, site, include_private)
    every = archive.reflections(site, chosen.key)
    several = len({row["site"] for row in every}) > 1
    entries = [_entry(archive, row, several) for row in rows]
    anchors = {(entry.site, entry.post_id): entry.anchor for entry in entries}
    for entry, row in zip(entries, rows, strict=True):
        entry.actions = [_action(f, row["site"], anchors) for f in row["follow_ups"]]
    parts, others = _parts(chosen, entries)
    covered = {part.number for part in parts}
    named = archive.resolve_site(site)
    keys = {named["key"]} if named is not None else {row["site"] for row in every}
    return Portfolio(
        programme=chosen,
        sites=[dict(r) for r in archive.sites() if r["key"] in keys],
        parts=parts,
        others=others,
        uncovered=[t for n, t in sorted(chosen.things.items()) if n not in covered],
        entries=entries,
        include_private=include_private,
        hidden=len(every) - len(rows),
    )


def programmes_found(archive: Archive, site: str | None) -> Counter[str]:
    """How many reflections the archive holds for each programme (derived afresh when the
    archive can be written)."""
    if not archive.read_only:
        derive_reflections(archive, site)
    return Counter(row["programme"] for row in archive.reflections(site) if row["programme"])


def choose_programme(archive: Archive, site: str | None, programme: str | None) -> Programme:
    """The programme asked for; a missing or unknown one is a one-line error naming the
    programmes the archive has reflections for."""
    found = programmes_found(archive, site)
    listing = ", ".join(f"{key} ({n})" for key, n in sorted(found.items()))
    has = f"the archive has reflections for {listing}" if listing else "the archive has none yet"
    if not (programme or "").strip():
        raise UsageError(f"name the programme with --programme: {has}")
    try:
        return resolve_programme(programme)
    except UsageError:
        known = ", ".join(sorted(load_programmes())) or "none"
        raise UsageError(
            f"unknown programme {programme!r}: {has}; programmes defined: {known}"
        ) from None


def _entry(archive: Archive, row: dict[str, Any], several_sites: bool) -> Entry:
    anchor = f"post-{row['post_id']}"
    entry = Entry(
        anchor=f"{row['site_id']}-{anchor}" if several_sites else anchor,
        site=row["site"],
        post_id=row["post_id"],
        title=plain_title(row["title"]) or "(no title)",
        link=row["link"] or "",
        date=(row["date"] or "")[:10],
        words=int(row["word_count"] or 0),
        things=list(row["things"]),
        label=row["thing_label"],
        topic=plain_title(row["topic"] or ""),
        mark="" if row["visibility"] == PUBLIC else row["visibility"],
    )
    entry.answers = [
        Answer(
            "" if s["kind"] == CONCLUSION else s["prompt"],
            answer_blocks(s["answer"]),
            closing=s["kind"] == CONCLUSION,
        )
        for s in row["sections"]
    ]
    if not entry.answers:  # no prompts found: the post's own text is the reflection
        _, post = archive.post(row["site"], row["post_id"])
        entry.answers = [Answer("", answer_blocks(html_to_text(post.content)))]
    return entry


def _action(follow_up: dict[str, Any], site: str, anchors: dict[tuple[str, int], str]) -> Action:
    later = follow_up["mentioned_in"]
    if later is None:
        return Action(follow_up["action"])
    visibility = later.get("visibility", PUBLIC)
    return Action(
        follow_up["action"],
        LaterPost(
            title=plain_title(later["title"]) or "(no title)",
            link=later["link"] or "",
            date=(later["date"] or "")[:10],
            mark="" if visibility == PUBLIC else visibility,
            anchor=anchors.get((site, later["post_id"]), ""),
        ),
    )


def _parts(programme: Programme, entries: list[Entry]) -> tuple[list[Part], list[Entry]]:
    """Each reflection under its first Thing, and named under the other Things it covers."""
    parts: dict[int, Part] = {}
    others = []

    def part(number: int) -> Part:
        if number not in parts:
            known = programme.things.get(number)
            parts[number] = Part(number, known.topic if known else "")
        return parts[number]

    for entry in sorted(entries, key=lambda e: (e.date or "9999", e.post_id)):
        if not entry.things:
            others.append(entry)
            continue
        part(entry.things[0]).entries.append(entry)
        for number in entry.things[1:]:
            part(number).see_also.append(entry)
    return [parts[n] for n in sorted(parts)], others


def plain_title(text: str) -> str:
    """A title as text: WordPress keeps entities (&#8211;) and may keep tags in titles."""
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def answer_blocks(text: str) -> list[Block]:
    """An answer's text (paragraphs apart by blank lines, list items as "- item") as blocks."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            blocks.append(Block("ul", tuple(_BULLET.sub("", line) for line in lines)))
        elif len(lines) > 1 and all(_NUMBERED.match(line) for line in lines):
            blocks.append(Block("ol", tuple(_NUMBERED.sub("", line) for line in lines)))
        else:
            blocks.append(Block("p", tuple(lines)))
    return blocks
