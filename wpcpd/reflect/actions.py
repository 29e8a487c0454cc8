"""Actions: what a writer says they will do. Said as one ("Action: ...", "My action for this
Thing is to ...") they count anywhere; a plain "I will ..." only in a reflection's closing part.
"""

from __future__ import annotations

import re

from wpcpd.reflect.things import DASHES, QUOTES

ACTION_LABEL = re.compile(
    r"^(?:my\s+)?(?:next\s+)?(?:actions?(?:\s+points?|\s+plan)?|to[\s-]?do|next\s+steps?)"
    rf"(?:\s+(?:for|from)\s+this\s+thing)?\s*[:{DASHES}]\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)


ACTION_HEADING = re.compile(
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


SENTENCE_BREAK = re.compile(rf"[.!?][\"'{QUOTES})]*\s+[\"'{QUOTES}(]?[A-Z0-9]")
_SENTENCE_END = re.compile(rf"[.!?][\"'{QUOTES})\]]*(?=\s+[\"'{QUOTES}(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:e\.g|i\.e|cf|vs|mr|mrs|ms|dr|st|no)\.$", re.IGNORECASE)


def split_actions(
    text: str, closing: bool, followed_by_list: bool
) -> tuple[str, list[str], bool, str]:
    """(the paragraph without its action sentences, the actions, whether any was said as one,
    and "strong" or "weak" when its last sentence introduces a list of actions, else "")."""
    sentences = split_sentences(text)
    kept: list[str] = []
    found: list[str] = []
    strong = False
    lead = ""
    for index, sentence in enumerate(sentences):
        last = index == len(sentences) - 1
        if last and followed_by_list and leads_to_actions(sentence, closing):
            said = _STRONG_ACTION.match(sentence) or ACTION_LABEL.match(sentence)
            lead = "strong" if said else "weak"
            continue
        if index and ACTION_LABEL.match(sentence):  # "... Action: try Zotero. Or Mendeley."
            rest = ACTION_LABEL.match(" ".join(sentences[index:]))
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


def says_action(text: str, closing: bool) -> bool:
    """Whether a paragraph holds an action (a label, "My action ... is to", or "I will ...")."""
    return any(
        ACTION_LABEL.match(s) or _STRONG_ACTION.match(s) or (closing and _is_weak_action(s))
        for s in split_sentences(text)
    )


def leads_to_actions(text: str, closing: bool) -> bool:
    """A line that introduces a list of actions: "My actions are:", "Next, I'm going to:"."""
    sentence = split_sentences(text)[-1] if text else ""
    if not sentence.endswith(":"):
        return False
    if ACTION_LABEL.match(sentence) or _STRONG_ACTION.match(sentence):
        return True
    return closing and bool(re.search(rf"\b{_I_WILL}\b", sentence, re.IGNORECASE))


def _is_weak_action(sentence: str) -> bool:
    return not sentence.rstrip(f" \"'){QUOTES}").endswith("?") and bool(
        _WEAK_ACTION.match(sentence)
    )


def split_sentences(text: str) -> list[str]:
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
