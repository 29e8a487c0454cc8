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

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import html as lxml_html
from lxml.etree import ParserError

from wpcpd.model import Post
from wpcpd.reflect.programmes import Programme, load_programmes, normalise_name
from wpcpd.text import html_to_text

# -- thing numbers ------------------------------------------------------------------------

_UNITS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}


def _number_words() -> dict[str, int]:
    words = {word: n for n, word in enumerate(_UNITS) if n}
    for tens_word, tens in _TENS.items():
        words[tens_word] = tens
        for n, unit in enumerate(_UNITS[1:10], start=1):
            for joiner in ("-", " ", ""):
                words[f"{tens_word}{joiner}{unit}"] = tens + n
    return words


NUMBER_WORDS = _number_words()
_NUMBER_WORDS_RE = "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True))
_NUMBER = rf"(?:\d{{1,2}}|{_NUMBER_WORDS_RE})"
# Dashes and quotes as written in titles: en dash, em dash, curly quotes.
_DASHES = "\u2013\u2014"
_QUOTES = "\u201c\u201d\u2018\u2019"
_THING_RE = re.compile(
    rf"\bthings?\s*(?:no\.?\s*|number\s*)?#?\s*(?P<first>{_NUMBER})\b"
    rf"(?P<more>(?:\s*(?:,|&|\+|/|\band\b)\s*(?:things?\s*)?#?\s*{_NUMBER}\b)*)"
    rf"(?:\s*[-{_DASHES}]\s*(?P<last>\d{{1,2}})\b(?!\s*[-{_DASHES}]))?",
    re.IGNORECASE,
)
_NUMBER_RE = re.compile(_NUMBER, re.IGNORECASE)
# A title that is nothing but a thing heading ("Thing 17: Prezi"): safe enough to assign to
# the site's programme when the post carries no programme label of its own.
_TITLE_THING_RE = re.compile(rf"^\s*{_THING_RE.pattern}\s*[:|{_DASHES}-]", re.IGNORECASE)

# -- prompts and actions ----------------------------------------------------------------

_ACTION_LABEL = re.compile(
    r"^(?:my\s+)?(?:next\s+)?(?:actions?(?:\s+points?|\s+plan)?|to[\s-]?do|next\s+steps?)"
    rf"(?:\s+(?:for|from)\s+this\s+thing)?\s*[:{_DASHES}]\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ACTION_HEADING = re.compile(
    r"^(?:my\s+)?(?:next\s+steps?|actions?(?:\s+plan|\s+points?)?|what\s+next|now\s+what|to[\s-]?do"
    r"|where\s+next|what\s+(?:will|shall)\s+i\s+do(?:\s+next|\s+now)?"
    r"|what\s+i(?:\s+will|['\u2019]ll|\s+am\s+going\s+to|['\u2019]m\s+going\s+to)\s+do(?:\s+next|\s+now)?)"
    r"(?:\s+(?:for|from)\s+this\s+thing)?[\s?:.!]*$",
    re.IGNORECASE,
)
# Actions that may stand anywhere in a reflection: "My action for this Thing (then) is to ...",
# "My actions are:", "My next step is to ...".
_STRONG_ACTION = re.compile(
    r"^(?:(?:so|and|then|now|therefore|finally|overall|in\s+short)\s*,?\s+)?my\s+"
    r"(?:(?:next|main|first|only|one|key|big|real|own)\s+)?"
    r"(?:actions?(?:\s+(?:points?|plans?|items?))?|next\s+steps?|takeaways?|resolutions?)\b"
    r"(?:"
    r"\s+(?:for|from)\s+(?:this|these)\s+things?\b"  # "... for this Thing", whatever follows
    r"|(?:\s+(?:for|from|after)\s+(?:(?:this|the)\s+(?:week|post|session|course|programme|module)"
    r"|things?\s*#?\d+(?:\s*(?:&|and)\s*\d+)?))?"
    r"(?:\s*,?\s*(?:then|therefore|now|though|here)\s*,?)?"
    r"\s*(?:(?:is|are|will\s+be)(?:\s+(?:simply|just|therefore|then|now))?"
    r"(?:\s+to\b|\s*(?:as\s+follows\s*)?:|\s+as\s+follows\b)|:)"
    r")",
    re.IGNORECASE,
)
# Actions only in the closing part of a reflection, where a writer says what comes next:
# "I will ...", "Next, I'm going to ...", "So I plan to ...". Elsewhere "I will" is just prose.
_I_WILL = (
    r"i(?:\s+will|['\u2019]ll|\s+am\s+going\s+to|['\u2019]m\s+going\s+to|\s+am\s+planning\s+to"
    r"|['\u2019]m\s+planning\s+to|\s+(?:plan|intend|aim|resolve|promise)\s+to"
    r"|(?:['\u2019]ve|\s+have)\s+decided\s+to)"
)
_LEAD_WORD = r"(?!(?:am|is|are|was|were|be|been|will|would|shall)\b)[\w'\u2019-]+"
_WEAK_ACTION = re.compile(
    rf"^(?:(?:{_LEAD_WORD}\s+){{0,6}}{_LEAD_WORD},\s+"  # "Next, " "Over the next month, "
    r"|(?:so|next|then|now|and|also|hopefully|therefore|finally|this\s+week|from\s+now\s+on"
    r"|in\s+(?:the\s+)?future)\s+)?"
    rf"{_I_WILL}"
    r"(?:\s+(?:also|definitely|certainly|now|then|really|hopefully|soon|still|therefore|finally))*"
    r"\s+(?!(?:not|never|admit|confess|say|be\s+honest|leave\s+it|stop\s+(?:here|there)"
    r"|end\s+(?:here|there|with|this)|let\s+you\s+know|talk\s+about|explain|try\s+and\s+explain"
    r"|bet|guess|grant|concede)\b)"
    r"\w",
    re.IGNORECASE,
)
# Words a writer opens a closing paragraph with, after the last prompt's answer.
_CONCLUDING = re.compile(
    r"^(?:so,?\s+|and\s+)?(?:in\s+conclusion|to\s+conclude|to\s+sum\s+(?:it\s+|this\s+)?up"
    r"|in\s+summary|to\s+summari[sz]e|all\s+in\s+all|overall|on\s+the\s+whole|final\s+thoughts"
    r"|(?:this|that|it)\s+(?:is|was|has\s+been)\s+(?:a|an|another|quite\s+an?)\s+"
    r"(?:[\w-]+\s+){0,3}(?:thing|week|one|post|exercise|task)"
    r"|looking\s+back\s+(?:on|at|over)\s+(?:this|these|the\s+last))\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(rf"[.!?][\"'{_QUOTES})]*\s+[\"'{_QUOTES}(]?[A-Z0-9]")
_SENTENCE_END = re.compile(rf"[.!?][\"'{_QUOTES})\]]*(?=\s+[\"'{_QUOTES}(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:e\.g|i\.e|cf|vs|mr|mrs|ms|dr|st|no)\.$", re.IGNORECASE)
_MAX_QUESTION = 200
_MAX_QUESTIONS = 3
_MAX_HEADING = 40
_SHORTCODE = re.compile(r"\[/?[a-z][a-z0-9_-]*(?:\s[^\]]*)?/?\]")
_WORD = re.compile(rf"[^\W_]+(?:['{_QUOTES}-][^\W_]+)*")

_INVISIBLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SKIPPED_ELEMENTS = {"script", "style", "noscript", "template"}
_CONTAINERS = {"div", "section", "article", "main", "header", "footer", "aside"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_AUTOP_BLOCKS = (
    r"(?:p|h[1-6]|ul|ol|li|div|blockquote|pre|table|thead|tbody|tfoot|tr|td|th|figure|"
    r"figcaption|hr|dl|dt|dd|section|article|aside|header|footer|address|form|fieldset)"
)
_SKIPPED_STATUSES = {"trash", "inherit", "auto-draft"}
CONCLUSION = "conclusion"
"""The kind of the section that holds the closing paragraphs after the last answer."""
_EPOCH = datetime.min.replace(tzinfo=UTC)
_MARGIN = timedelta(days=365)


@dataclass(slots=True)
class Section:
    """One prompt and the writer's answer to it, or the closing reflection after the last one."""

    prompt: str
    answer: str = ""
    kind: str = "heading"
    """What made it a prompt: heading, bold, or question (a short paragraph of questions only);
    or conclusion: the writer's closing paragraphs after the last answer, with no prompt."""


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


# -- the entry points ---------------------------------------------------------------------


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
    programme, strong = _programme_of(post, programmes.values())
    things, match = _things_in(post)
    if programme is None and site_programme is not None and _TITLE_THING_RE.match(post.title):
        programme, strong = site_programme, False
    if programme is None:
        return None
    if programme.things:
        things = [n for n in things if n in programme.things]
    if not things and not strong:
        return None
    sections, actions, intro, strong_actions = _structure(post.content)
    if not things and not _looks_structured(sections, strong_actions):
        return None
    return Reflection(
        post_id=post.id,
        title=post.title,
        programme=programme.key,
        things=things,
        topic=_topic(post.title, match, programme, things),
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


# -- the site's context, in pieces (wpcpd.reflect.derive applies them to stored checks) ----


def is_unlabelled_thing(post: Post) -> bool:
    """A post titled "Thing N: ..." that `detect_reflection` found no programme for: the
    site's main programme claims it when it was written in that programme's time."""
    return post.type == "post" and _TITLE_THING_RE.match(post.title) is not None


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
    return len(_WORD.findall(_SHORTCODE.sub(" ", html_to_text(visible))))


def describe_sections(reflection: Reflection | Mapping[str, Any]) -> str:
    """Plain text for `wpcpd show`: the reflection's thing, prompts with answers, and actions.

    Accepts a `Reflection` or a row as `Archive.reflections()` returns it.
    """
    get = reflection.get if isinstance(reflection, Mapping) else lambda k: getattr(reflection, k)
    things = thing_label(get("things") or [])
    head = " · ".join(x for x in (get("programme"), things, get("topic")) if x)
    lines = [f"{head} · {get('word_count')} words"]
    for section in get("sections") or []:
        prompt, answer, kind = _prompt_answer(section)
        lines += ["", "Closing reflection:" if kind == CONCLUSION else f"Q: {prompt}"]
        lines += [f"   {line}" if line else "" for line in answer.splitlines()]
    actions = get("actions") or []
    if actions:
        lines.append("")
        lines += [f"Action: {action}" for action in actions]
    return "\n".join(lines)


def thing_label(things: int | list[int] | None) -> str:
    """'Thing 12', 'Things 8 & 9', 'Things 10, 11 & 12', or '' for none."""
    if isinstance(things, int):
        things = [things]
    if not things:
        return ""
    if len(things) == 1:
        return f"Thing {things[0]}"
    head = ", ".join(str(n) for n in things[:-1])
    return f"Things {head} & {things[-1]}"


# -- programme and thing ------------------------------------------------------------------


def _programme_of(post: Post, programmes: Iterable[Programme]) -> tuple[Programme | None, bool]:
    """The programme the post's labels or title name, and whether the naming is strong."""
    labels = [post.title] + [
        text
        for term in post.terms
        if term.taxonomy != "post_format"
        for text in (term.name, term.slug)
    ]
    haystacks = [f" {normalise_name(label)} " for label in labels]
    weak: Programme | None = None
    for programme in programmes:
        if _names_in(programme.names, haystacks):
            return programme, True
        if weak is None and _names_in(programme.weak_names, haystacks):
            weak = programme
    return weak, False


def _names_in(names: Iterable[str], haystacks: list[str]) -> bool:
    needles = [f" {normalise_name(name)} " for name in names if normalise_name(name)]
    return any(needle in haystack for needle in needles for haystack in haystacks)


def _things_in(post: Post) -> tuple[list[int], re.Match[str] | None]:
    """Thing numbers from the title, else from a term such as the category 'Thing 12'."""
    match = _THING_RE.search(post.title)
    if match:
        return _numbers(match), match
    for term in post.terms:
        for text in (term.name, term.slug.replace("-", " ")):
            term_match = _THING_RE.fullmatch(text.strip())
            if term_match:
                return _numbers(term_match), None
    return [], None


def _numbers(match: re.Match[str]) -> list[int]:
    numbers = [_to_int(match["first"])]
    numbers += [_to_int(m) for m in _NUMBER_RE.findall(match["more"] or "")]
    if match["last"]:
        last = int(match["last"])
        if numbers[-1] < last <= numbers[-1] + 5:  # "Things 10-12"; not "Thing 5 - 2 tools"
            numbers += range(numbers[-1] + 1, last + 1)
    return sorted({n for n in numbers if n > 0})


def _to_int(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text.casefold()]


def _topic(title: str, match: re.Match[str] | None, programme: Programme, things: list[int]) -> str:
    """The words the writer gave the thing in the title, else the programme's topic."""
    if match is not None:
        for part in (title[match.end() :], title[: match.start()]):
            topic = _clean_topic(part, programme)
            if _WORD.search(topic):
                return topic
    return programme.topic_of(things)


def _clean_topic(text: str, programme: Programme) -> str:
    for name in (*programme.names, *programme.weak_names, programme.key):
        words = re.findall(r"[^\W_]+", name)
        if words:
            pattern = r"#?\b" + r"[\W_]*".join(map(re.escape, words)) + r"\b"
            text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    text = re.sub(r"[(\[]\s*[)\]]", " ", text)
    separators = f" \t:;,|-{_DASHES}"
    text = " ".join(text.split()).strip(separators)
    if text.startswith(")") and text.count(")") > text.count("("):
        text = text[1:].strip(separators)
    if text.endswith("(") and text.count("(") > text.count(")"):
        text = text[:-1].strip(separators)
    return text


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


# -- content structure -------------------------------------------------------------------


def _structure(content: str) -> tuple[list[Section], list[str], str, bool]:
    """Sections (prompt, answer), actions, intro text of a post's HTML, and whether an action
    was said as one (a label, an action heading, "My action ... is to"), not only "I will"."""
    builder = _Builder()
    for element in _block_elements(content):
        builder.add(element)
    return builder.finish()


@dataclass(slots=True)
class _Block:
    kind: str
    """para, list, or break (an empty paragraph or a rule: where the writer left a gap)."""
    text: str = ""
    items: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Group:
    """The blocks under one prompt; the intro (before any prompt) has no section."""

    section: Section | None
    blocks: list[_Block] = field(default_factory=list)

    @property
    def is_action(self) -> bool:
        return self.section is not None and bool(_ACTION_HEADING.match(self.section.prompt))

    def content(self) -> list[int]:
        return [i for i, block in enumerate(self.blocks) if block.kind != "break"]


class _Builder:
    """Collects a post's blocks under its prompts, then reads answers and actions from them.

    Reading waits for the whole post, because where the closing part begins (the paragraphs
    after the last answer, and the last paragraph of all) is only known at the end.
    """

    def __init__(self) -> None:
        self.groups: list[_Group] = [_Group(None)]
        self.actions: list[str] = []
        self.strong = False

    def add(self, element: Any) -> None:
        tag = element.tag.lower()
        prompt = _prompt_of(element)
        if prompt is not None:
            text, kind, inline_answer = prompt
            self.groups.append(_Group(Section(text, kind=kind)))
            if inline_answer:
                self._block(_Block("para", inline_answer))
        elif tag in ("ul", "ol", "dl"):
            items = [_text(li) for li in element if _is_tag(li, "li", "dt", "dd")]
            if any(items):
                self._block(_Block("list", items=[item for item in items if item]))
        elif tag == "hr" or (tag == "p" and _is_gap(element)):
            self._block(_Block("break"))
        else:
            text = _text(element)
            if text:
                self._block(_Block("para", text))

    def _block(self, block: _Block) -> None:
        self.groups[-1].blocks.append(block)

    def finish(self) -> tuple[list[Section], list[str], str, bool]:
        self._split_conclusion()
        closing = self._closing_blocks()
        sections: list[Section] = []
        intro = ""
        for group in self.groups:
            text = "\n\n".join(self._read(group, closing))
            if group.section is None:
                intro = text
                continue
            group.section.answer = text
            # An empty "Action" heading whose label paragraph became an action adds nothing;
            # nor does a closing reflection that was nothing but its action.
            empty_is_noise = group.section.kind in ("question", CONCLUSION) or group.is_action
            if text or not empty_is_noise:
                sections.append(group.section)
        return sections, self.actions, intro, self.strong

    # -- where the closing part begins ------------------------------------------------

    def _split_conclusion(self) -> None:
        """Move the closing paragraphs after the last prompt's answer into their own section.

        They begin after a gap the writer left (when the post has no other gap inside an
        answer), at a paragraph that opens as a conclusion does ("Overall", "This was an
        interesting Thing"), or at a last paragraph that says what the writer will do next.
        """
        last = self.groups[-1]
        content = last.content()
        if last.section is None or last.is_action or len(content) < 2:
            return
        split = self._after_gap(last, content)
        if split is None:
            split = next(
                (
                    i for i in content[1:]
                    if last.blocks[i].kind == "para" and _CONCLUDING.match(last.blocks[i].text)
                ),
                None,
            )  # fmt: skip
        if split is None:
            split = self._closing_action_start(last, content)
        if split is None:
            return
        conclusion = _Group(Section("", kind=CONCLUSION), last.blocks[split:])
        last.blocks = last.blocks[:split]
        self.groups.append(conclusion)

    def _after_gap(self, last: _Group, content: list[int]) -> int | None:
        gaps_inside = [
            (group, i)
            for group in self.groups
            for before, i in itertools.pairwise(group.content())
            if any(group.blocks[j].kind == "break" for j in range(before + 1, i))
        ]
        if len(gaps_inside) == 1 and gaps_inside[0][0] is last:
            return gaps_inside[0][1]
        return None

    def _closing_action_start(self, last: _Group, content: list[int]) -> int | None:
        final = last.blocks[content[-1]]
        if final.kind == "para" and _says_action(final.text, closing=True):
            return content[-1]
        if final.kind == "list" and len(content) >= 3:
            lead = last.blocks[content[-2]]
            if lead.kind == "para" and _leads_to_actions(lead.text, closing=True):
                return content[-2]
        return None

    def _closing_blocks(self) -> set[int]:
        """The blocks (by id) where a plain "I will ..." counts as an action."""
        last = self.groups[-1]
        if last.section is not None and last.section.kind == CONCLUSION:
            return {id(block) for block in last.blocks}
        content = last.content()
        if not content:
            return set()
        final = last.blocks[content[-1]]
        closing = {id(final)}
        if final.kind == "list" and len(content) >= 2:
            closing.add(id(last.blocks[content[-2]]))
        return closing

    # -- reading answers and actions --------------------------------------------------

    def _read(self, group: _Group, closing: set[int]) -> list[str]:
        """The group's answer paragraphs, adding the actions found among them."""
        parts: list[str] = []
        collecting = False
        """The previous paragraph introduced a list of actions ("Actions:", "I will:")."""
        strong_lead = False
        in_action = group.is_action
        blocks = [block for block in group.blocks if block.kind != "break"]
        for index, block in enumerate(blocks):
            if block.kind == "list":
                if collecting or in_action:
                    self._add(block.items, strong=in_action or strong_lead)
                if not collecting:
                    parts.append("\n".join(f"- {item}" for item in block.items))
                collecting = False
                continue
            collecting = False
            label = _ACTION_LABEL.match(block.text)
            if label:
                rest = label["rest"].strip()
                if rest and not rest.endswith(":"):
                    self._add([rest], strong=True)
                else:
                    collecting = strong_lead = True
                continue
            if in_action:
                self._add([block.text], strong=True)
                parts.append(block.text)
                continue
            is_closing = id(block) in closing
            followed_by_list = index + 1 < len(blocks) and blocks[index + 1].kind == "list"
            kept, found, strong, lead = _split_actions(block.text, is_closing, followed_by_list)
            self._add(found, strong=strong)
            collecting, strong_lead = bool(lead), lead == "strong"
            if kept:
                parts.append(kept)
        return parts

    def _add(self, actions: list[str], *, strong: bool) -> None:
        self.actions += actions
        self.strong = self.strong or (strong and bool(actions))


def _split_actions(
    text: str, closing: bool, followed_by_list: bool
) -> tuple[str, list[str], bool, str]:
    """(the paragraph without its action sentences, the actions, whether any was said as one,
    and "strong" or "weak" when its last sentence introduces a list of actions, else "")."""
    sentences = _sentences(text)
    kept: list[str] = []
    found: list[str] = []
    strong = False
    lead = ""
    for index, sentence in enumerate(sentences):
        last = index == len(sentences) - 1
        if last and followed_by_list and _leads_to_actions(sentence, closing):
            said = _STRONG_ACTION.match(sentence) or _ACTION_LABEL.match(sentence)
            lead = "strong" if said else "weak"
            continue
        if index and _ACTION_LABEL.match(sentence):  # "... Action: try Zotero. Or Mendeley."
            rest = _ACTION_LABEL.match(" ".join(sentences[index:]))
            if rest and rest["rest"].strip():
                found.append(rest["rest"].strip())
                strong = True
                break
        if _STRONG_ACTION.match(sentence):
            found.append(sentence)
            strong = True
        elif closing and _is_weak_action(sentence):
            found.append(sentence)
        else:
            kept.append(sentence)
    return " ".join(kept), found, strong, lead


def _says_action(text: str, closing: bool) -> bool:
    """Whether a paragraph holds an action (a label, "My action ... is to", or "I will ...")."""
    return any(
        _ACTION_LABEL.match(s) or _STRONG_ACTION.match(s) or (closing and _is_weak_action(s))
        for s in _sentences(text)
    )


def _leads_to_actions(text: str, closing: bool) -> bool:
    """A line that introduces a list of actions: "My actions are:", "Next, I'm going to:"."""
    sentence = _sentences(text)[-1] if text else ""
    if not sentence.endswith(":"):
        return False
    if _ACTION_LABEL.match(sentence) or _STRONG_ACTION.match(sentence):
        return True
    return closing and bool(re.search(rf"\b{_I_WILL}\b", sentence, re.IGNORECASE))


def _is_weak_action(sentence: str) -> bool:
    return not sentence.rstrip(f" \"'){_QUOTES}").endswith("?") and bool(
        _WEAK_ACTION.match(sentence)
    )


def _sentences(text: str) -> list[str]:
    """The sentences of a paragraph, split where a sentence ends and a capital follows."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text[start : match.end()]):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


_MEDIA = {"img", "picture", "svg", "video", "audio", "iframe", "embed", "object", "canvas", "input"}


def _is_gap(paragraph: Any) -> bool:
    """An empty paragraph (`<p>&nbsp;</p>`, `<p><br></p>`): a gap, not an image or embed."""
    if _text(paragraph):
        return False
    return not any(_is_tag(element, *_MEDIA) for element in paragraph.iter())


def _prompt_of(element: Any) -> tuple[str, str, str] | None:
    """(prompt, kind, answer given in the same paragraph) when the element is a prompt."""
    tag = element.tag.lower()
    text = _text(element)
    if not text:
        return None
    if tag in _HEADINGS:
        return text, "heading", ""
    if tag != "p":
        return None
    bold = _leading_bold(element)
    if bold:
        if _squash(bold) == _squash(text):
            return bold.rstrip(":").strip(), "bold", ""
        rest = _after_prefix(text, bold)
        if rest and (bold.endswith("?") or _bold_then_break(element)):
            return bold.rstrip(":").strip(), "bold", rest
    if _is_question(text):
        return text, "question", ""
    if len(text) <= _MAX_HEADING and not text.endswith(":") and _ACTION_HEADING.match(text):
        return text.rstrip(".!").strip(), "heading", ""  # a closing "Actions" on a line of its own
    return None


def _leading_bold(paragraph: Any) -> str:
    """The text of the bold run(s) a paragraph starts with; '' when it starts with plain text."""
    if (paragraph.text or "").strip():
        return ""
    parts: list[str] = []
    for child in paragraph:
        if not _is_tag(child, "strong", "b"):
            break
        parts.append(child.text_content())
        if (child.tail or "").strip():
            break
    return " ".join(" ".join(parts).split())


def _bold_then_break(paragraph: Any) -> bool:
    children = [c for c in paragraph if isinstance(c.tag, str)]
    for first, second in itertools.pairwise(children):
        if _is_tag(first, "strong", "b") and not (first.tail or "").strip():
            if _is_tag(second, "br"):
                return True
        else:
            break
    return False


def _after_prefix(text: str, prefix: str) -> str:
    """What follows `prefix` in `text`, comparing without whitespace."""
    wanted = _squash(prefix)
    seen = ""
    for index, char in enumerate(text):
        if not char.isspace():
            seen += char
        if seen == wanted:
            return text[index + 1 :].strip()
    return ""


def _is_question(text: str) -> bool:
    """A short paragraph of one question, or of questions only (a prompt asked in two parts)."""
    stripped = text.rstrip(f" \"'){_QUOTES}")
    if not stripped.endswith("?") or len(stripped) > _MAX_QUESTION:
        return False
    if _SENTENCE_BREAK.search(stripped[:-1]) is None:
        return True
    sentences = _sentences(stripped)
    return len(sentences) <= _MAX_QUESTIONS and all(
        s.rstrip(f" \"'){_QUOTES}").endswith("?") for s in sentences
    )


def _squash(text: str) -> str:
    return "".join(text.split())


def _text(element: Any) -> str:
    return " ".join(element.text_content().split())


def _is_tag(element: Any, *names: str) -> bool:
    return isinstance(element.tag, str) and element.tag.lower() in names


def _block_elements(content: str) -> Iterator[Any]:
    """Top-level blocks of a post in reading order, looking through wrapper divs."""
    if not content.strip():
        return
    markup = content if "<!-- wp:" in content else autop(content)
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (ParserError, ValueError):
        return
    yield from _walk(root)


def _walk(parent: Any) -> Iterator[Any]:
    for child in parent:
        if not isinstance(child.tag, str):
            continue  # comments, including block delimiters
        if child.tag.lower() in _CONTAINERS:
            yield from _walk(child)
        elif child.tag.lower() in _SKIPPED_ELEMENTS:
            continue
        else:
            yield child


def autop(markup: str) -> str:
    """Paragraphs for classic-editor content, which WordPress stores without <p> tags.

    A simplified wpautop: blank lines separate paragraphs, single newlines become <br>, and
    text next to block-level tags is split from them.
    """
    text = markup.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(rf"(<{_AUTOP_BLOCKS}\b[^>]*>)", r"\n\n\1", text, flags=re.I)
    text = re.sub(rf"(</{_AUTOP_BLOCKS}>)", r"\1\n\n", text, flags=re.I)
    chunks = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if re.match(rf"</?{_AUTOP_BLOCKS}\b", chunk, flags=re.I):
            chunks.append(chunk)
        else:
            chunks.append("<p>" + chunk.replace("\n", "<br />\n") + "</p>")
    return "\n".join(chunks)


def _prompt_answer(section: Section | Mapping[str, Any]) -> tuple[str, str, str]:
    if isinstance(section, Mapping):
        get = section.get
        return str(get("prompt", "")), str(get("answer", "")), str(get("kind") or "heading")
    return section.prompt, section.answer, section.kind
