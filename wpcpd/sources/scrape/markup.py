"""Small readers of theme markup that the page, comment, term and site readers share, and
the stable ids made of an address for things a page shows without an id."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from wpcpd.urls import page_key

# -- small helpers -----------------------------------------------------------------------


def parse_html(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "lxml")


def classes_of(element: Any) -> list[str]:
    if not isinstance(element, Tag):
        return []
    value = element.get("class") or []
    return list(value) if isinstance(value, list) else str(value).split()


def first_of(scope: Tag | BeautifulSoup, selectors: tuple[str, ...]) -> Tag | None:
    for selector in selectors:
        found = scope.select_one(selector)
        if found is not None:
            return found
    return None


def text_of(element: Tag | None) -> str:
    """Text as a reader sees it: markup gone, runs of white space made one space."""
    return " ".join(element.get_text().split()) if element is not None else ""


def inner_html(element: Tag) -> str:
    return "".join(str(child) for child in element.contents).strip()


def int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def match_any(pattern: re.Pattern[str], values: list[str]) -> int:
    for value in values:
        found = pattern.match(value)
        if found:
            return int(found.group(1))
    return 0


def stable_id(url: str) -> int:
    digest = hashlib.sha256(page_key(url).encode("utf-8")).digest()
    return -(int.from_bytes(digest[:6], "big") + 1)
