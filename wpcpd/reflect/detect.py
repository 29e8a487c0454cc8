"""Recognise CPD reflections among archived posts: programme, thing, prompts, answers, actions.

Everything here is a pure function of `wpcpd.model.Post` (plus the programme definitions), so
reflections can be derived again at any time; `wpcpd.reflect.derive` stores them in the archive,
deriving again only what changed.

A post is a reflection only when it names a programme (tag, category or title) and either a
thing number or, for programme-wide posts, a clear structure: two or more heading/bold prompts,
or a recorded action. Questions alone never make a reflection: recipes ask questions too.

Actions are what the writer says they will do. Said as one ("Action: ...", "My action for this
Thing (then) is to ...", an "Actions" or "Next steps" heading or list) they count anywhere; a
plain "I will ...", "Next, I'm going to ..." counts only in the closing part: the paragraphs
after the last prompt's answer, or the post's last paragraph. Those closing paragraphs are a
section of their own (kind "conclusion"), never glued to the last answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from wpcpd.model import Post
from wpcpd.reflect.programmes import Programme, load_programmes
from wpcpd.reflect.sections import CONCLUSION, Section, prompt_answer, read_structure
from wpcpd.reflect.things import (
    TITLE_THING_RE,
    WORD,
    programme_of,
    thing_label,
    things_in,
    topic_of,
)
from wpcpd.text import html_to_text

_SHORTCODE = re.compile(r"\[/?[a-z][a-z0-9_-]*(?:\s[^\]]*)?/?\]")
_INVISIBLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SKIPPED_STATUSES = {"trash", "inherit", "auto-draft"}
_EPOCH = datetime.min.replace(tzinfo=UTC)
_MARGIN = timedelta(days=365)


@dataclass(slots=True)
class Reflection:
    post_id: int
    title: str
    programme: str
    things: list[int] = field(default_factory=list)
    topic: str = ""
    sections: list[Section] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    word_count: int = 0
    date: datetime | None = None
    """When the post was published, in UTC (its local time when GMT is unknown, as drafts)."""
    intro: str = ""
    """Text before the first prompt."""
    link: str = ""

    @property
    def conclusion(self) -> str:
        """The closing reflection after the last prompt's answer ('' when there is none)."""
        return next((s.answer for s in self.sections if s.kind == CONCLUSION), "")

    def as_row(self) -> dict[str, Any]:
        """The dict `Archive.update_reflections()` stores."""
        return {
            "post_id": self.post_id,
            "programme": self.programme,
            "things": list(self.things),
            "topic": self.topic,
            "sections": [
                {"prompt": s.prompt, "answer": s.answer, "kind": s.kind} for s in self.sections
            ],
            "actions": list(self.actions),
            "word_count": self.word_count,
        }


def detect_reflection(
    post: Post,
    programmes: Mapping[str, Programme] | None = None,
    site_programme: Programme | None = None,
) -> Reflection | None:
    """The post as a reflection, or None when it is not one.

    `site_programme` is the programme most of the site's reflections belong to: a post with no
    programme label but a title such as "Thing 17: Prezi" is then counted as part of it.
    """
    if post.type != "post" or post.status in _SKIPPED_STATUSES:
        return None
    programmes = load_programmes() if programmes is None else programmes
    programme, strong = programme_of(post, programmes.values())
    things, match = things_in(post)
    if programme is None and site_programme is not None and TITLE_THING_RE.match(post.title):
        programme, strong = site_programme, False
    if programme is None:
        return None
    if programme.things:
        things = [n for n in things if n in programme.things]
    if not things and not strong:
        return None
    sections, actions, intro, strong_actions = read_structure(post.content)
    if not things and not _looks_structured(sections, strong_actions):
        return None
    return Reflection(
        post_id=post.id,
        title=post.title,
        programme=programme.key,
        things=things,
        topic=topic_of(post.title, match, programme, things),
        sections=sections,
        actions=actions,
        word_count=word_count(post.content),
        date=reflection_date(post),
        intro=intro,
        link=post.link,
    )


def detect_site_reflections(
    posts: Iterable[Post], programmes: Mapping[str, Programme] | None = None
) -> list[Reflection]:
    """Every reflection among one site's posts, inferring the programme of unlabelled Things.

    Posts titled "Thing N: ..." without a programme label are assigned the site's main programme
    (the one of two or more labelled reflections) when they were written within a year of the
    labelled ones: a blog that did cpd23 in 2011 and another 23 Things in 2015 keeps them apart.
    """
    programmes = load_programmes() if programmes is None else programmes
    found: list[Reflection] = []
    unlabelled: list[Post] = []
    for post in posts:
        reflection = detect_reflection(post, programmes)
        if reflection is not None:
            found.append(reflection)
        elif is_unlabelled_thing(post):
            unlabelled.append(post)
    main = main_programme([r.programme for r in found], programmes)
    if main is not None and unlabelled:
        span = programme_span(r.date for r in found if r.programme == main.key)
        for post in unlabelled:
            if within_span(reflection_date(post), span):
                reflection = detect_reflection(post, programmes, site_programme=main)
                if reflection is not None:
                    found.append(reflection)
    return sorted(found, key=lambda r: (r.date is None, r.date or _EPOCH, r.post_id))


def is_unlabelled_thing(post: Post) -> bool:
    """A post titled "Thing N: ..." that `detect_reflection` found no programme for: the
    site's main programme claims it when it was written in that programme's time."""
    return post.type == "post" and TITLE_THING_RE.match(post.title) is not None


def main_programme(found: Iterable[str], programmes: Mapping[str, Programme]) -> Programme | None:
    """The programme of two or more of a site's reflections (their programme keys, in post
    order; on a tie, the one met first), or None."""
    counts = Counter(found)
    if not counts:
        return None
    key, n = counts.most_common(1)[0]
    return programmes.get(key) if n >= 2 else None


def programme_span(dates: Iterable[datetime | None]) -> tuple[datetime, datetime] | None:
    """When the site's programme claims unlabelled Things: from a year before its first
    reflection to a year after its last (given their dates); None without dates."""
    known = [when for when in dates if when is not None]
    return (min(known) - _MARGIN, max(known) + _MARGIN) if known else None


def within_span(when: datetime | None, span: tuple[datetime, datetime] | None) -> bool:
    return span is not None and when is not None and span[0] <= when <= span[1]


def word_count(markup: str) -> int:
    """Words a reader sees: markup, block comments and shortcodes do not count."""
    visible = _INVISIBLE.sub(" ", markup)
    return len(WORD.findall(_SHORTCODE.sub(" ", html_to_text(visible))))


def describe_sections(reflection: Reflection | Mapping[str, Any]) -> str:
    """Plain text for `wpcpd show`: the reflection's thing, prompts with answers, and actions.

    Accepts a `Reflection` or a row as `Archive.reflections()` returns it.
    """
    get = reflection.get if isinstance(reflection, Mapping) else lambda k: getattr(reflection, k)
    things = thing_label(get("things") or [])
    head = " · ".join(x for x in (get("programme"), things, get("topic")) if x)
    lines = [f"{head} · {get('word_count')} words"]
    for section in get("sections") or []:
        prompt, answer, kind = prompt_answer(section)
        lines += ["", "Closing reflection:" if kind == CONCLUSION else f"Q: {prompt}"]
        lines += [f"   {line}" if line else "" for line in answer.splitlines()]
    actions = get("actions") or []
    if actions:
        lines.append("")
        lines += [f"Action: {action}" for action in actions]
    return "\n".join(lines)


def reflection_date(post: Post) -> datetime | None:
    """A comparable date: GMT, or the local date taken as GMT when WordPress left GMT empty."""
    if post.date_gmt is not None:
        return post.date_gmt
    return post.date.replace(tzinfo=UTC) if post.date is not None else None


def _looks_structured(sections: list[Section], strong_actions: bool) -> bool:
    """Structure enough for a programme-wide post: an action said as one, or two real prompts.

    A closing "I will ..." is not enough: ordinary posts end like that too.
    """
    strong_prompts = [s for s in sections if s.kind in ("heading", "bold")]
    return strong_actions or len(strong_prompts) >= 2
