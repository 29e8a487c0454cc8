"""Media files of a site: which files it has, and fetching them into the store beside the
archive (wpcpd/archive/media_store.py), recording how each fetch went.

What is kept: every attachment's original file, and every image, audio, video or document
the content references on the site's own hosts (with `external=True`, on any host). The
original rather than a resized copy: `srcset` is followed to its largest candidate, the
`-300x200` suffix and WordPress.com's `?w=640` resize parameters are taken off, and the
variant is kept only when the original cannot be had (recorded as `variant = 1`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from wpcpd.archive import Archive
from wpcpd.archive.media_store import CHUNK, MediaStore, TooLarge, safe_upload_path, store_path
from wpcpd.errors import UsageError
from wpcpd.http import NetworkError
from wpcpd.model import now_iso
from wpcpd.urls import PHOTON_HOST, original_of, strip_resize, unphoton

DEFAULT_MAX_SIZE = 200 * 1024 * 1024
MAX_REDIRECTS = 5
STATUSES = ("ok", "missing", "failed", "too-large")
_EXTENSIONS = (
    "jpg jpeg jpe png gif webp avif heic bmp tif tiff ico svg "
    "mp3 m4a ogg oga wav flac aac wma mid midi "
    "mp4 m4v mov webm ogv avi wmv mkv 3gp flv mpg mpeg "
    "pdf doc docx odt rtf txt xls xlsx ods csv ppt pptx pps ppsx odp key pages numbers "
    "zip gz tgz epub"
)
MEDIA_EXTENSIONS = frozenset(_EXTENSIONS.split())
REFUSED_TYPES = ("text/html", "application/xhtml+xml", "application/json")
"""What a file address answers when it is really an error or log-in page."""
_ATTRIBUTE = re.compile(
    r"""\b(src|href|data-src|data-orig-file|data-large-file|poster|srcset|data-srcset)\s*=\s*
        (?:"([^"]*)"|'([^']*)')""",
    re.I | re.X,
)


@dataclass
class Wanted:
    """One file to keep: its key address (the original's), addresses to try in order (the
    original first, then variants), and the attachment it belongs to."""

    url: str
    candidates: list[str]
    media_id: int | None = None
    upload_path: str = ""
    """The attachment's path inside wp-content/uploads (for --media-dir), if known."""


@dataclass
class HostPolicy:
    site_url: str
    external: bool = False

    def __post_init__(self) -> None:
        host = (urlsplit(self.site_url).hostname or "").lower()
        self.hosts = {host, host.removeprefix("www."), "www." + host.removeprefix("www.")}
        self.wpcom = host.endswith(".wordpress.com")
        self.blog = host.split(".")[0] if self.wpcom else ""

    def own(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        if host in self.hosts:
            return True
        if host.endswith(".files.wordpress.com") or host.endswith(".wp.com"):
            # WordPress.com keeps a blog's uploads on BLOG.files.wordpress.com
            if self.wpcom:
                return host.split(".")[0] == self.blog or PHOTON_HOST.match(host) is not None
            return PHOTON_HOST.match(host) is not None and self.own(unphoton(url) or "")
        return False

    def allowed(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and (self.external or self.own(url))


def _is_media_address(url: str) -> bool:
    path = unquote(urlsplit(url).path).lower()
    extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return extension in MEDIA_EXTENSIONS


def _largest(srcset: str) -> tuple[str, list[str]]:
    """The largest candidate of a srcset, and all of its addresses."""
    best, best_size, urls = "", -1.0, []
    for part in srcset.split(","):
        words = part.strip().split()
        if not words:
            continue
        size = 0.0
        if len(words) > 1 and words[1][:-1].replace(".", "", 1).isdigit():
            size = float(words[1][:-1])
        urls.append(words[0])
        if size > best_size:
            best, best_size = words[0], size
    return best, urls


def references(content: str, base: str) -> Iterator[tuple[str, list[str]]]:
    """(address as found, better addresses to try first) for every file address in HTML."""
    for found in _ATTRIBUTE.finditer(content or ""):
        name = found[1].lower()
        value = html.unescape(found[2] if found[2] is not None else found[3] or "").strip()
        if not value or value.startswith(("data:", "#", "mailto:", "javascript:")):
            continue
        if name.endswith("srcset"):
            best, urls = _largest(value)
            best = urljoin(base, best)
            for url in urls:
                yield urljoin(base, url), [best]
        else:
            yield urljoin(base, value), []


def wanted_files(archive: Archive, site_key: str, policy: HostPolicy) -> list[Wanted]:
    """Every file of a site worth keeping, keyed by its original's address."""
    media, posts = archive.media_sources(site_key)
    by_url: dict[str, Wanted] = {}
    for m in media:
        if not m["url"]:
            continue
        url = m["url"]
        if not policy.allowed(url):
            continue
        by_url[url] = Wanted(url, [url], m["id"], m["file"] or "")
    for post in posts:
        for text in (post["content"], post["excerpt"]):
            for url, better in references(text, policy.site_url):
                url = url.split("#")[0]
                if _is_media_address(url) and policy.allowed(url):
                    _add(by_url, url, better, policy)
    return list(by_url.values())


def _add(by_url: dict[str, Wanted], url: str, better: list[str], policy: HostPolicy) -> None:
    if url in by_url:
        return
    original = original_of(url)
    if not policy.allowed(original):
        original = strip_resize(url)
    key = original
    candidates = [original, *(strip_resize(b) for b in better), strip_resize(url), url]
    candidates = [c for c in dict.fromkeys(candidates) if policy.allowed(c)]
    if key in by_url:
        known = by_url[key]
        known.candidates = list(dict.fromkeys([*known.candidates, *candidates]))
        return
    by_url[key] = Wanted(key, candidates)


@dataclass
class MediaOptions:
    external: bool = False
    max_size: int = DEFAULT_MAX_SIZE
    concurrency: int = 4
    recheck: bool = False
    """Ask again, conditionally, for files already kept (ETag / Last-Modified)."""
    retry_missing: bool = False
    """Ask again for files that answered 404 before (a pull retries only failures)."""
    media_dir: Path | None = None
    """Copy from this folder (a copy of wp-content/uploads) instead of downloading."""
    download: bool = True


@dataclass
class MediaReport:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "problems": self.problems, "requests": self.requests}

    def describe(self) -> str:
        order = ("fetched", "copied", "unchanged", "kept", "variant", "missing", "failed",
                 "too-large")  # fmt: skip
        parts = [f"{self.counts[k]} {k}" for k in order if self.counts.get(k)]
        return "media files " + (", ".join(parts) or "none found")

    def warnings(self, limit: int = 20) -> list[str]:
        lines = [f"media {p['status']}: {p['url']} ({p['reason']})" for p in self.problems]
        if len(lines) > limit:
            lines = [*lines[:limit], f"... and {len(lines) - limit} more (wpcpd media list)"]
        return lines


@dataclass
class _Result:
    wanted: Wanted
    row: dict[str, Any] | None
    """None: nothing to record (unchanged)."""
    outcome: str


class MediaFetcher:
    """Fetch a site's files into the store, recording each as it completes."""

    def __init__(
        self,
        archive: Archive,
        session: Any,
        options: MediaOptions | None = None,
        store: MediaStore | None = None,
    ) -> None:
        self.archive = archive
        self.session = session
        self.options = options or MediaOptions()
        self.store = store or MediaStore(store_path(archive.path))

    def run(self, site_key: str, on_file: Callable[[int, int], None] | None = None) -> MediaReport:
        site = self.archive.resolve_site(site_key)
        if site is None:
            raise UsageError(f"no site {site_key!r} in the archive")
        policy = HostPolicy(site["url"], self.options.external)
        self.policy = policy
        self.store.clean_temporary()
        report = MediaReport()
        todo = []
        for wanted in wanted_files(self.archive, site["key"], policy):
            known = self.archive.media_file(site["key"], wanted.url)
            if self._settled(known):
                report.add("kept")
                continue
            todo.append((wanted, known))
        before = getattr(self.session, "request_count", 0)
        workers = max(1, min(self.options.concurrency, 16))
        done = 0
        with ThreadPoolExecutor(workers) as pool:
            # Results come back in order and are recorded here, in this thread: SQLite's
            # connection stays in the thread that opened it.
            for result in pool.map(lambda item: self._one(*item), todo):
                done += 1
                if result.row is not None:
                    self.archive.record_media_file(site["key"], result.row)
                    if result.row["status"] != "ok":
                        report.problems.append({k: result.row[k] for k in
                                                ("url", "status", "reason")})  # fmt: skip
                report.add(result.outcome)
                if on_file:
                    on_file(done, len(todo))
        report.requests = getattr(self.session, "request_count", 0) - before
        return report

    def _settled(self, known: dict[str, Any] | None) -> bool:
        """Already kept (and its file there), or a failure not worth asking again for."""
        if known is None:
            return False
        if known["status"] == "ok":
            return not self.options.recheck and self.store.has(known["sha256"], known["size"])
        if known["status"] == "missing":
            return not (self.options.retry_missing or self.options.media_dir)
        if known["status"] == "too-large":
            return (known["size"] or 0) > self.options.max_size
        return False

    def _one(self, wanted: Wanted, known: dict[str, Any] | None) -> _Result:
        try:
            return self._fetch(wanted, known)
        except Exception as exc:  # one file failing never stops the others
            row = self._row(wanted, "failed", reason=f"{type(exc).__name__}: {exc}"[:300])
            return _Result(wanted, row, "failed")

    def _row(self, wanted: Wanted, status: str, **values: Any) -> dict[str, Any]:
        return {"url": wanted.url, "media_id": wanted.media_id, "status": status,
                "fetched_at": now_iso(), **values}  # fmt: skip

    def _fetch(self, wanted: Wanted, known: dict[str, Any] | None) -> _Result:
        if self.options.media_dir is not None:
            copied = self._copy(wanted)
            if copied is not None or not self.options.download:
                return copied or _Result(wanted, self._row(
                    wanted, "missing", reason="not in the media folder"), "missing")  # fmt: skip
        last: dict[str, Any] | None = None
        for index, candidate in enumerate(wanted.candidates):
            conditional = known if known and known.get("fetched_from") == candidate else None
            row = self._get(wanted, candidate, conditional)
            if row is None:
                return _Result(wanted, None, "unchanged")
            if row["status"] == "ok":
                if known and known["status"] == "ok" and known["sha256"] == row["sha256"]:
                    # Asked again without validators to go by: the same bytes came back.
                    row["variant"], row["reason"] = known["variant"], known["reason"]
                    return _Result(wanted, row, "unchanged")
                if index > 0 and candidate != wanted.url:
                    row["variant"] = 1
                    row["reason"] = f"the original could not be had; kept {candidate}"
                    return _Result(wanted, row, "variant")
                return _Result(wanted, row, "fetched")
            last = row
            if row["status"] != "missing":
                break  # failed or too large: a smaller copy is not the file
        assert last is not None
        return _Result(wanted, last, last["status"])

    def _get(self, wanted: Wanted, url: str, known: dict[str, Any] | None) -> dict[str, Any] | None:
        headers = {}
        if known and self.store.has(known["sha256"], known["size"]):
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
        try:
            response = self._follow(url, headers)
        except _Refused as exc:
            return self._row(wanted, "failed", reason=str(exc), fetched_from=url)
        except NetworkError as exc:
            return self._row(wanted, "failed", reason=str(exc), fetched_from=url)
        with response:
            status = response.status_code
            if status == 304 and headers:
                return None
            if status in (404, 410):
                return self._row(wanted, "missing", reason=f"HTTP {status}", fetched_from=url)
            if status != 200:
                return self._row(wanted, "failed", reason=f"HTTP {status}", fetched_from=url)
            kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind in REFUSED_TYPES:
                return self._row(wanted, "failed", fetched_from=url, content_type=kind,
                                 reason=f"answered {kind}, not a file")  # fmt: skip
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > self.options.max_size:
                return self._row(wanted, "too-large", size=int(length), fetched_from=url,
                                 content_type=kind, reason=_too_large(int(length),
                                 self.options.max_size))  # fmt: skip
            try:
                sha, size = self.store.put(response.iter_content(CHUNK), self.options.max_size)
            except TooLarge as exc:
                return self._row(wanted, "too-large", size=exc.args[0], fetched_from=url,
                                 content_type=kind, reason=_too_large(exc.args[0],
                                 self.options.max_size))  # fmt: skip
            return self._row(
                wanted, "ok", sha256=sha, size=size, content_type=kind, fetched_from=url,
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
            )  # fmt: skip

    def _follow(self, url: str, headers: dict[str, str]) -> Any:
        """GET without following redirects blindly: only to http(s), never from https down
        to http, and only to hosts the policy allows."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.get(url, headers=headers, stream=True,
                                        allow_redirects=False)  # fmt: skip
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            location = urljoin(url, response.headers.get("Location", ""))
            response.close()
            scheme = urlsplit(location).scheme.lower()
            if scheme not in ("http", "https"):
                raise _Refused(f"redirected to another scheme ({scheme or 'none'})")
            if urlsplit(url).scheme == "https" and scheme == "http":
                raise _Refused("redirected from https to plain http")
            if not self.policy.allowed(location):
                raise _Refused(f"redirected off the site, to {urlsplit(location).hostname}")
            url = location
        raise _Refused("too many redirects")

    def _copy(self, wanted: Wanted) -> _Result | None:
        """From a copy of wp-content/uploads: the file at the attachment's path there, or
        at the address's path after /wp-content/uploads/ — only ever inside that folder."""
        folder = self.options.media_dir
        assert folder is not None
        originals = {wanted.upload_path, wanted.url}
        for candidate in [wanted.upload_path, *wanted.candidates]:
            local = safe_upload_path(folder, candidate)
            if local is None or not local.is_file():
                continue
            if local.stat().st_size > self.options.max_size:
                size = local.stat().st_size
                row = self._row(wanted, "too-large", size=size, reason=_too_large(
                    size, self.options.max_size), fetched_from=str(local))  # fmt: skip
                return _Result(wanted, row, "too-large")
            with local.open("rb") as f:
                sha, size = self.store.put(iter(lambda: f.read(CHUNK), b""),
                                           self.options.max_size)  # fmt: skip
            row = self._row(wanted, "ok", sha256=sha, size=size, fetched_from=str(local),
                            content_type=_guess_type(local.name))  # fmt: skip
            if candidate not in originals:
                row["variant"] = 1
                row["reason"] = f"the original is not in the folder; kept {local.name}"
            return _Result(wanted, row, "copied")
        return None


class _Refused(Exception):
    pass


def _too_large(size: int, limit: int) -> str:
    return f"{size / 1e6:.1f} MB, over the limit of {limit / 1e6:.0f} MB (--media-max-size)"


def _guess_type(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name)[0] or ""


_SIZE_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.I)


def parse_size(text: str) -> int:
    """'200MB', '1.5G', '500k', '1048576' (bytes) as a number of bytes."""
    found = _SIZE_TEXT.match(text)
    if not found:
        raise UsageError(f"{text!r} is not a size (try 200MB, 1G or 500k)")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[found[2].lower()]
    return int(float(found[1]) * factor)
