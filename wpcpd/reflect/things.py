"""Which programme a post belongs to and which of its Things it is about: programme labels in
tags, categories and titles, thing numbers in digits or words ("Thing 23", "Things eight and
nine"), and the topic a title names after them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wpcpd.model import Post
from wpcpd.reflect.programmes import Programme, normalise_name

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
DASHES = "\u2013\u2014"
QUOTES = "\u201c\u201d\u2018\u2019"
_THING_RE = re.compile(
    rf"\bthings?\s*(?:no\.?\s*|number\s*)?#?\s*(?P<first>{_NUMBER})\b"
    rf"(?P<more>(?:\s*(?:,|&|\+|/|\band\b)\s*(?:things?\s*)?#?\s*{_NUMBER}\b)*)"
    rf"(?:\s*[-{DASHES}]\s*(?P<last>\d{{1,2}})\b(?!\s*[-{DASHES}]))?",
    re.IGNORECASE,
)


_NUMBER_RE = re.compile(_NUMBER, re.IGNORECASE)
# A title that is nothing but a thing heading ("Thing 17: Prezi"): safe enough to assign to
# the site's programme when the post carries no programme label of its own.
TITLE_THING_RE = re.compile(rf"^\s*{_THING_RE.pattern}\s*[:|{DASHES}-]", re.IGNORECASE)
WORD = re.compile(rf"[^\W_]+(?:['{QUOTES}-][^\W_]+)*")


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


def programme_of(post: Post, programmes: Iterable[Programme]) -> tuple[Programme | None, bool]:
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


def things_in(post: Post) -> tuple[list[int], re.Match[str] | None]:
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


def topic_of(
    title: str, match: re.Match[str] | None, programme: Programme, things: list[int]
) -> str:
    """The words the writer gave the thing in the title, else the programme's topic."""
    if match is not None:
        for part in (title[match.end() :], title[: match.start()]):
            topic = _clean_topic(part, programme)
            if WORD.search(topic):
                return topic
    return programme.topic_of(things)


def _clean_topic(text: str, programme: Programme) -> str:
    for name in (*programme.names, *programme.weak_names, programme.key):
        words = re.findall(r"[^\W_]+", name)
        if words:
            pattern = r"#?\b" + r"[\W_]*".join(map(re.escape, words)) + r"\b"
            text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    text = re.sub(r"[(\[]\s*[)\]]", " ", text)
    separators = f" \t:;,|-{DASHES}"
    text = " ".join(text.split()).strip(separators)
    if text.startswith(")") and text.count(")") > text.count("("):
        text = text[1:].strip(separators)
    if text.endswith("(") and text.count("(") > text.count(")"):
        text = text[:-1].strip(separators)
    return text
