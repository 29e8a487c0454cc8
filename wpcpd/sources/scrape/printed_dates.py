"""Dates as pages carry them: ISO stamps in `datetime` attributes, and the human dates of
older themes in several languages ("10. Januar 2011 um 08:15")."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from wpcpd.sources.scrape.site import primary_language


def split_iso(text: str) -> tuple[datetime | None, datetime | None]:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None, None
    if value.tzinfo is None:
        return value, None
    return value.replace(tzinfo=None), value.astimezone(UTC)


# -- human dates -------------------------------------------------------------------------

MONTHS = {
    "en": "january february march april may june july august september october november december",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre "
    "novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
}
_TIME = re.compile(
    r"(\d{1,2})\s*(?::|h)\s*(\d{2})(?:\s*min)?(?:\s*([ap])\.?\s?m\.?(?![a-z]))?", re.IGNORECASE
)
_ISO_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC_DAY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


def parse_human_date(text: str, lang: str = "") -> datetime | None:
    """A date as themes print it ("January 10, 2011 at 8:15 am", "10. Januar 2011 um 08:15",
    "10 janvier 2011 à 8 h 15 min"), read with the page's language first."""
    text = " ".join(text.split())
    clock = _TIME.search(text)
    rest = text[: clock.start()] + " " + text[clock.end() :] if clock else text
    day = _numeric_day(rest, lang) or _worded_day(rest, lang)
    if day is None:
        return None
    hour, minute = _clock(clock) if clock else (0, 0)
    try:
        return datetime(day[0], day[1], day[2], hour, minute)
    except ValueError:
        return None


def _clock(found: re.Match[str]) -> tuple[int, int]:
    hour, minute, half = int(found.group(1)), int(found.group(2)), (found.group(3) or "").lower()
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    return hour, minute


def _numeric_day(text: str, lang: str) -> tuple[int, int, int] | None:
    iso = _ISO_DAY.search(text)
    if iso:
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    numeric = _NUMERIC_DAY.search(text)
    if not numeric:
        return None
    first, second, year = (int(g) for g in numeric.groups())
    month_first = lang.lower() in ("en-us", "en_us")
    return (year, first, second) if month_first else (year, second, first)


def _worded_day(text: str, lang: str) -> tuple[int, int, int] | None:
    year = re.search(r"\b(\d{4})\b", text)
    if not year:
        return None
    without_year = text[: year.start()] + " " + text[year.end() :]
    day = re.search(r"\b(\d{1,2})(?:st|nd|rd|th|er|\.|º)?(?!\d)", without_year)
    month = _month_in(text, lang)
    if not (day and month):
        return None
    return int(year.group(1)), month, int(day.group(1))


def _month_in(text: str, lang: str) -> int | None:
    """Full month names first, then abbreviations ("janv.", "Mär"), the page's language first."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
    order = [primary_language(lang)] if primary_language(lang) in MONTHS else []
    order += [code for code in MONTHS if code not in order]
    for whole in (True, False):
        for code in order:
            month = _month_of(words, MONTHS[code].split(), whole)
            if month:
                return month
    return None


def _month_of(words: list[str], names: list[str], whole: bool) -> int | None:
    for word in words:
        matches = [
            i
            for i, name in enumerate(names)
            if name == word or (not whole and len(word) >= 3 and name.startswith(word))
        ]
        if len(matches) == 1:
            return matches[0] + 1
    return None
