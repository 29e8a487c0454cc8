"""A post's HTML as prompts and answers: headings, bold lead-ins and short question paragraphs
are prompts; what follows each is its answer; the paragraphs after the last answer are the
closing reflection (kind "conclusion"); actions are read from them as the sections are built.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html
from lxml.etree import ParserError

from wpcpd.reflect.actions import (
    ACTION_HEADING,
    ACTION_LABEL,
    SENTENCE_BREAK,
    leads_to_actions,
    says_action,
    split_actions,
    split_sentences,
)
from wpcpd.reflect.things import QUOTES

# Words a writer opens a closing paragraph with, after the last prompt's answer.
_CONCLUDING = re.compile(
    r"^(?:so,?\s+|and\s+)?(?:in\s+conclusion|to\s+conclude|to\s+sum\s+(?:it\s+|this\s+)?up"
    r"|in\s+summary|to\s+summari[sz]e|all\s+in\s+all|overall|on\s+the\s+whole|final\s+thoughts"
    r"|(?:this|that|it)\s+(?:is|was|has\s+been)\s+(?:a|an|another|quite\s+an?)\s+"
    r"(?:[\w-]+\s+){0,3}(?:thing|week|one|post|exercise|task)"
    r"|looking\s+back\s+(?:on|at|over)\s+(?:this|these|the\s+last))\b",
    re.IGNORECASE,
)


_MAX_QUESTION = 200
_MAX_QUESTIONS = 3
_MAX_HEADING = 40
_SKIPPED_ELEMENTS = {"script", "style", "noscript", "template"}
_CONTAINERS = {"div", "section", "article", "main", "header", "footer", "aside"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_AUTOP_BLOCKS = (
    r"(?:p|h[1-6]|ul|ol|li|div|blockquote|pre|table|thead|tbody|tfoot|tr|td|th|figure|"
    r"figcaption|hr|dl|dt|dd|section|article|aside|header|footer|address|form|fieldset)"
)


CONCLUSION = "conclusion"
"""The kind of the section that holds the closing paragraphs after the last answer."""


@dataclass(slots=True)
class Section:
    """One prompt and the writer's answer to it, or the closing reflection after the last one."""

    prompt: str
    answer: str = ""
    kind: str = "heading"
    """What made it a prompt: heading, bold, or question (a short paragraph of questions only);
    or conclusion: the writer's closing paragraphs after the last answer, with no prompt."""


def read_structure(content: str) -> tuple[list[Section], list[str], str, bool]:
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
        return self.section is not None and bool(ACTION_HEADING.match(self.section.prompt))

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
        if final.kind == "para" and says_action(final.text, closing=True):
            return content[-1]
        if final.kind == "list" and len(content) >= 3:
            lead = last.blocks[content[-2]]
            if lead.kind == "para" and leads_to_actions(lead.text, closing=True):
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
            label = ACTION_LABEL.match(block.text)
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
            kept, found, strong, lead = split_actions(block.text, is_closing, followed_by_list)
            self._add(found, strong=strong)
            collecting, strong_lead = bool(lead), lead == "strong"
            if kept:
                parts.append(kept)
        return parts

    def _add(self, actions: list[str], *, strong: bool) -> None:
        self.actions += actions
        self.strong = self.strong or (strong and bool(actions))


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
    if len(text) <= _MAX_HEADING and not text.endswith(":") and ACTION_HEADING.match(text):
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
    stripped = text.rstrip(f" \"'){QUOTES}")
    if not stripped.endswith("?") or len(stripped) > _MAX_QUESTION:
        return False
    if SENTENCE_BREAK.search(stripped[:-1]) is None:
        return True
    sentences = split_sentences(stripped)
    return len(sentences) <= _MAX_QUESTIONS and all(
        s.rstrip(f" \"'){QUOTES}").endswith("?") for s in sentences
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


def prompt_answer(section: Section | Mapping[str, Any]) -> tuple[str, str, str]:
    if isinstance(section, Mapping):
        get = section.get
        return str(get("prompt", "")), str(get("answer", "")), str(get("kind") or "heading")
    return section.prompt, section.answer, section.kind
