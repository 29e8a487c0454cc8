"""Old URLs to new ones: rewriting links inside content, and redirect files for web servers.

`UrlMap` knows where each pushed post, page and media file of the old site now lives. Push
uses it to rewrite content before sending it (links, `src`, `srcset`, `wp-image-N` classes,
block attributes and shortcodes holding attachment ids); verify uses the same map to know
what the target's content should be. `write_redirects` writes the pairs for four consumers:
a CSV, an nginx `map`, Apache `Redirect 301` lines and a JSON file the Redirection plugin
imports.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from wpcpd.errors import UsageError

# Where a URL inside HTML or block markup ends: quotes, whitespace, tags, brackets.
_URL_END = r"[^\s\"'<>()\[\]\\]*"
_SIZED = re.compile(r"^(?P<stem>.+)-(?P<size>\d+x\d+)(?P<ext>\.[A-Za-z0-9]+)$")
_WP_IMAGE = re.compile(r"\bwp-image-(\d+)\b")
_CAPTION_ID = re.compile(r"(\[caption[^\]]*\bid=[\"']attachment_)(\d+)")
_GALLERY_IDS = re.compile(r"(\[gallery[^\]]*\bids=[\"'])([\d,\s]+)")
# Blocks whose attributes name attachments by id (core's media blocks).
_MEDIA_BLOCK = re.compile(
    r"(<!--\s+wp:(?:core/)?(?:image|cover|file|video|audio|media-text|gallery)\s+)"
    r"(\{.*?\})(\s+/?-->)",
    re.S,
)
_ID_ATTR = re.compile(r"(\"(?:id|mediaId)\"\s*:\s*)(\d+)")
_IDS_ATTR = re.compile(r"(\"ids\"\s*:\s*\[)([\d,\s]*)(\])")


def url_key(url: str) -> str:
    """What makes two addresses of one page the same: not the scheme, "www.", a trailing
    slash, or the case of percent escapes."""
    parts = urlsplit(url if "//" in url else "//" + url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port:
        host += f":{parts.port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~").rstrip("/")
    return host + path + (f"?{parts.query}" if parts.query else "")


@dataclass
class MediaFile:
    """An uploaded file: its old address, its new one, and the new site's resized copies."""

    source_id: int
    old_url: str
    new_url: str
    sizes: dict[str, str] = field(default_factory=dict)
    """"300x225" -> the new site's copy of that size."""


class UrlMap:
    """Where the old site's pages and files went, and which attachment ids became which."""

    def __init__(
        self,
        pages: dict[str, str],
        media: Iterable[MediaFile] = (),
        media_ids: dict[int, int] | None = None,
    ) -> None:
        self.urls = {url_key(old): new for old, new in pages.items() if old and new}
        self.media_ids = dict(media_ids or {})
        self.files: dict[str, MediaFile] = {}
        hosts = {urlsplit(old).netloc for old in pages if old}
        for item in media:
            self.files[url_key(item.old_url)] = item
            self.urls.setdefault(url_key(item.old_url), item.new_url)
            hosts.add(urlsplit(item.old_url).netloc)
        self._hosts = hosts
        self._url_pattern = _host_pattern(hosts)

    def add(self, old: str, new: str) -> None:
        """Learn one more address (an item just created)."""
        self.urls[url_key(old)] = new
        host = urlsplit(old).netloc
        if host not in self._hosts:
            self._hosts.add(host)
            self._url_pattern = _host_pattern(self._hosts)

    def new_url(self, url: str) -> str | None:
        """The new address of an old one (fragment kept), or None when it is not known."""
        base, hash_mark, fragment = url.partition("#")
        key = url_key(base)
        found = self.urls.get(key) or self._sized(key)
        if found is None and "?" in key:
            found = self._sized(key.split("?", 1)[0])  # resized copies: file.jpg?w=300
        if found is None:
            return None
        return found + (hash_mark + fragment if hash_mark else "")

    def _sized(self, key: str) -> str | None:
        if key in self.files:
            return self.files[key].new_url
        match = _SIZED.match(key)
        if not match:
            return None
        item = self.files.get(match["stem"] + match["ext"])
        if item is None:
            return None
        return item.sizes.get(match["size"], item.new_url)

    def rewrite(self, content: str) -> str:
        """Content with links to the old site's known items and attachment ids made new."""
        if not content:
            return content
        if self._url_pattern is not None:
            content = self._url_pattern.sub(self._replace_url, content)
        if self.media_ids:
            content = self._rewrite_ids(content)
        return content

    def _replace_url(self, match: re.Match[str]) -> str:
        return self.new_url(match[0]) or match[0]

    def _rewrite_ids(self, content: str) -> str:
        content = _WP_IMAGE.sub(lambda m: f"wp-image-{self._id(m[1])}", content)
        content = _CAPTION_ID.sub(lambda m: m[1] + self._id(m[2]), content)
        content = _GALLERY_IDS.sub(lambda m: m[1] + self._ids(m[2]), content)
        return _MEDIA_BLOCK.sub(self._block, content)

    def _block(self, match: re.Match[str]) -> str:
        attrs = _ID_ATTR.sub(lambda m: m[1] + self._id(m[2]), match[2])
        attrs = _IDS_ATTR.sub(lambda m: m[1] + self._ids(m[2]) + m[3], attrs)
        return match[1] + attrs + match[3]

    def _id(self, text: str) -> str:
        return str(self.media_ids.get(int(text), text))

    def _ids(self, text: str) -> str:
        return re.sub(r"\d+", lambda m: self._id(m[0]), text)


def _host_pattern(hosts: set[str]) -> re.Pattern[str] | None:
    names = sorted({h.lower().removeprefix("www.") for h in hosts if h}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?:https?:)?//(?:www\.)?(?:{alternatives})(?![\w.:-]){_URL_END}", re.I)


# -- redirect files --------------------------------------------------------------------


@dataclass
class RedirectPair:
    old_url: str
    new_url: str
    kind: str = ""
    source_id: str = ""
    target_id: int = 0


def usable_pairs(pairs: Iterable[RedirectPair]) -> list[RedirectPair]:
    """Pairs worth a redirect: not the home page, not to itself, one per old address."""
    seen: dict[str, RedirectPair] = {}
    for pair in pairs:
        old_key, new_key = url_key(pair.old_url), url_key(pair.new_url)
        if not pair.new_url or old_key == new_key or not _path(pair.old_url).strip("/"):
            continue
        seen.setdefault(old_key, pair)
    # Longest paths first: Apache's Redirect matches prefixes, so the specific must win.
    return sorted(seen.values(), key=lambda p: (-len(_path(p.old_url)), _path(p.old_url)))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.path) + (f"?{parts.query}" if parts.query else "")


def redirect_paths(base: Path) -> dict[str, Path]:
    """The four files `--redirects FILE` writes, named after FILE."""
    stem = base.with_suffix("") if base.suffix in (".csv", ".json", ".conf", ".txt") else base
    return {
        "csv": stem.with_name(stem.name + ".csv"),
        "nginx": stem.with_name(stem.name + ".nginx.conf"),
        "apache": stem.with_name(stem.name + ".htaccess"),
        "redirection": stem.with_name(stem.name + ".redirection.json"),
    }


def write_redirects(base: Path, pairs: Iterable[RedirectPair]) -> dict[str, Path]:
    """Write the CSV, nginx, Apache and Redirection files; return them by format."""
    texts = redirect_texts(pairs)
    paths = redirect_paths(base)
    try:
        for name, path in paths.items():
            path.write_text(texts[name], encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write redirects to {base}: {exc.strerror or exc}") from exc
    return paths


def redirect_texts(
    pairs: Iterable[RedirectPair],
    formats: Iterable[str] = ("csv", "nginx", "apache", "redirection"),
) -> dict[str, str]:
    """The text of each redirect file, by format, for the pairs worth a redirect."""
    chosen = usable_pairs(pairs)
    writers = {"csv": _csv, "nginx": _nginx, "apache": _apache, "redirection": _redirection}
    return {name: writers[name](chosen) for name in formats}


def _csv(pairs: list[RedirectPair]) -> str:
    from io import StringIO

    buffer = StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["old_url", "new_url", "kind", "source_id", "target_id"])
    for p in pairs:
        out.writerow([p.old_url, p.new_url, p.kind, p.source_id, p.target_id])
    return buffer.getvalue()


def _nginx_string(text: str) -> str:
    # nginx would read "$name" in a value as a variable: %24 is the same URL.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "%24") + '"'


def _nginx(pairs: list[RedirectPair]) -> str:
    lines = [
        "# Written by wpcpd: old path -> new URL. Include in the http block, then in the",
        "# old site's server block:  if ($wpcpd_redirect) { return 301 $wpcpd_redirect; }",
        "map $request_uri $wpcpd_redirect {",
        '    default "";',
    ]
    for p in pairs:
        parts = urlsplit(p.old_url)
        raw = parts.path + (f"?{parts.query}" if parts.query else "")
        keys = {raw, raw.rstrip("/") or "/"}
        lines += [f"    {_nginx_string(k)} {_nginx_string(p.new_url)};" for k in sorted(keys)]
    return "\n".join([*lines, "}", ""])


def _apache(pairs: list[RedirectPair]) -> str:
    lines = ["# Written by wpcpd: put in the old site's .htaccess or virtual host."]
    for p in pairs:
        if urlsplit(p.old_url).query:
            continue  # Redirect never sees the query string
        old = _path(p.old_url).replace('"', "%22")
        lines.append(f'Redirect 301 "{old}" "{p.new_url.replace(chr(34), "%22")}"')
    return "\n".join([*lines, ""])


def _redirection(pairs: list[RedirectPair]) -> str:
    """The Redirection plugin's own export format (Tools > Redirection > Import)."""
    source_flags = {"flag_query": "exact", "flag_case": False, "flag_trailing": True,
                    "flag_regex": False}  # fmt: skip
    redirects = [
        {
            "id": number,
            "url": _path(p.old_url),
            "match_url": _path(p.old_url).rstrip("/").lower() or "/",
            "match_data": {"source": source_flags},
            "action_code": 301,
            "action_type": "url",
            "action_data": {"url": p.new_url},
            "match_type": "url",
            "title": f"wpcpd {p.kind} {p.source_id}".strip(),
            "regex": False,
            "group_id": 1,
            "position": number - 1,
            "enabled": True,
        }
        for number, p in enumerate(pairs, start=1)
    ]
    document = {
        "plugin": {"version": "5.3", "date": datetime.now(UTC).strftime("%a, %d %b %Y %T %z")},
        "groups": [{"id": 1, "name": "Migrated by wpcpd", "module_id": 1, "enabled": True}],
        "redirects": redirects,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
