"""Ports of WordPress's own text rules (wp-includes/formatting.php, WordPress 6.1):
`sanitize_user` for logins and `sanitize_title` for slugs, as the importer applies them.
"""

from __future__ import annotations

import re
import unicodedata

# -- WordPress's own text rules (wp-includes/formatting.php, WordPress 6.1) --------------

_TAGS = re.compile(r"<!--.*?-->|<[^\s<>][^<>]*>", re.S)
_SCRIPTS = re.compile(r"<(script|style)[^>]*?>.*?</\1>", re.S | re.I)
_OCTET = re.compile(r"%[a-fA-F0-9]{2}")
_ENTITY = re.compile(r"&.+?;")
_NOT_LOGIN = re.compile(r"[^a-z0-9 _.\-@]", re.I)
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_ACCENT_SPECIALS = {
    "ª": "a", "º": "o", "Æ": "AE", "Ð": "D", "Þ": "TH", "ß": "s", "æ": "ae", "ð": "d",
    "ø": "o", "þ": "th", "Ø": "O", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "\u0131": "i",
    "Ĳ": "IJ", "ĳ": "ij", "ĸ": "k", "Ŀ": "L", "ŀ": "l", "Ł": "L", "ł": "l", "ŉ": "n",
    "Ŋ": "N", "ŋ": "n", "Œ": "OE", "œ": "oe", "Ŧ": "T", "ŧ": "t", "\u017f": "s", "€": "E",
    "£": "", "\u0251": "a",
}  # fmt: skip
# remove_accents() (en_US) maps these ranges' letters with diacritics to their bare letter.
_ACCENTED_RANGES = ((0xC0, 0x1DD), (0x218, 0x21C), (0x1EA0, 0x1EFA))
_TITLE_DASHES = ("%c2%a0", "%e2%80%93", "%e2%80%94", "&nbsp;", "&#160;", "&ndash;",
                 "&#8211;", "&mdash;", "&#8212;", "/", "%e2%80%80", "%e2%80%81",
                 "%e2%80%82", "%e2%80%83", "%e2%80%84", "%e2%80%85", "%e2%80%86",
                 "%e2%80%87", "%e2%80%88", "%e2%80%89", "%e2%80%8a", "%e2%80%a8",
                 "%e2%80%a9", "%e2%80%af")  # fmt: skip
_TITLE_DROPPED = re.compile(
    "%c2%ad|%c2%a1|%c2%bf|%c2%ab|%c2%bb|%e2%80%b9|%e2%80%ba|%e2%80%98|%e2%80%99|%e2%80%9c"
    "|%e2%80%9d|%e2%80%9a|%e2%80%9b|%e2%80%9e|%e2%80%9f|%e2%80%a2|%c2%a9|%c2%ae|%c2%b0"
    "|%e2%80%a6|%e2%84%a2|%c2%b4|%cb%8a|%cc%81|%cd%81|%cc%80|%cc%84|%cc%8c|%e2%80%8b"
    "|%e2%80%8c|%e2%80%8d|%e2%80%8e|%e2%80%8f|%e2%80%aa|%e2%80%ab|%e2%80%ac|%e2%80%ad"
    "|%e2%80%ae|%ef%bb%bf|%ef%bf%bc"
)
_NOT_SLUG = re.compile(r"[^%a-z0-9 _-]")


def _accent_table() -> dict[int, str]:
    table = {}
    for low, high in _ACCENTED_RANGES:
        for code in range(low, high):
            parts = unicodedata.normalize("NFD", chr(code))
            if len(parts) > 1 and parts[0].isascii() and all(map(unicodedata.combining, parts[1:])):
                table[code] = parts[0]
    table.update({ord(char): bare for char, bare in _ACCENT_SPECIALS.items()})
    return table


_ACCENTS = _accent_table()


def remove_accents(text: str) -> str:
    """WordPress's remove_accents() for the default locale: 'Café' becomes 'Cafe'."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text).translate(_ACCENTS)


def strip_tags(text: str) -> str:
    """Markup removed, as PHP's strip_tags() does (an unclosed '<' is left to later rules)."""
    return _TAGS.sub("", text) if "<" in text else text


def sanitize_user(login: str) -> str:
    """A login as WordPress's sanitize_user($login, true) leaves it, which is what
    wp_insert_user() stores and the importer matches posts' dc:creator by: no markup, no
    accents, no characters but letters, digits, space and _.-@, no surrounding space.

    Where WordPress would be left with nothing, and give the posts to whoever imports them,
    the login is kept rather than lost: '<jo>' is jo, a name in another script is trimmed.
    """
    text = strip_tags(_SCRIPTS.sub("", login) if "<" in login else login).strip()
    if text.isascii() and text.isidentifier():  # the usual login: nothing to change
        return text
    if not text:
        text = login.replace("<", "").replace(">", "").strip()
    text = _ENTITY.sub("", _OCTET.sub("", remove_accents(text)))
    strict = _SPACES.sub(" ", _NOT_LOGIN.sub("", text).strip())
    return strict or _SPACES.sub(" ", text.replace("<", "").replace(">", "")).strip()


def sanitize_title(title: str) -> str:
    """A slug as WordPress's sanitize_title() makes it when saving: 'Café au lait' becomes
    'cafe-au-lait'; letters without an ASCII form are percent-encoded (at most 200 bytes)."""
    title = strip_tags(remove_accents(title))
    title = re.sub(r"%([a-fA-F0-9]{2})", r"---\1---", title).replace("%", "")
    title = re.sub(r"---([a-fA-F0-9]{2})---", r"%\1", title)
    title = _utf8_uri_encode(title.lower(), 200).lower()
    for dash in _TITLE_DASHES:
        title = title.replace(dash, "-")
    title = _TITLE_DROPPED.sub("", title).replace("%c3%97", "x")
    title = _ENTITY.sub("", title).replace(".", "-")
    title = _NOT_SLUG.sub("", title)
    title = re.sub(r"-+", "-", _SPACES.sub("-", title))
    return title.strip("-")


def _utf8_uri_encode(text: str, length: int) -> str:
    if text.isascii():
        return text[:length]
    out, used = [], 0
    for char in text:
        encoded = char if char.isascii() else "".join(f"%{b:x}" for b in char.encode("utf-8"))
        if used + len(encoded) > length:
            break
        out.append(encoded)
        used += len(encoded)
    return "".join(out)
