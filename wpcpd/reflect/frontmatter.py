"""The YAML front matter of a reflection file: what `wpcpd new` writes and `publish` reads.

    ---
    title: 'cpd23 Thing 12: Putting the social into social media'
    uid: 5b0c…                # stable identity: maps the file to its remote post on each site
    programme: cpd23
    thing: 12                 # or a list, [8, 9], or null
    status: draft             # draft | pending | publish | future | private
    date: 2024-05-01          # a day (local midnight) or a full ISO 8601 time
    categories: [CPD]
    tags: [cpd23]
    featured_image: null      # a local file (relative to this file) or a URL
    targets: []               # profile names or URLs `publish` sends to by default
    ---

Optional keys `slug` and `excerpt` are understood too; any other key is kept in `extra`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import yaml

from wpcpd.errors import UsageError
from wpcpd.files import atomic_write

STATUSES = ("draft", "pending", "publish", "future", "private")
KNOWN_KEYS = (
    "title", "uid", "programme", "thing", "status", "date", "categories", "tags",
    "featured_image", "targets", "slug", "excerpt",
)  # fmt: skip
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass(slots=True)
class FrontMatter:
    title: str
    uid: str = ""
    programme: str | None = None
    things: list[int] = field(default_factory=list)
    status: str = "draft"
    date: datetime | date | None = None
    """As written: a day, a naive time (local) or an aware time."""
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    featured_image: str | None = None
    targets: list[str] = field(default_factory=list)
    slug: str | None = None
    excerpt: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def thing(self) -> int | None:
        return self.things[0] if self.things else None

    @property
    def date_gmt(self) -> datetime | None:
        """The date as an aware UTC time; a bare day means its start in local time."""
        value = self.date
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(0))
        if value.tzinfo is None:
            value = value.astimezone()  # naive: the writer's local time
        return value.astimezone(UTC)


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str, int]:
    """(front matter mapping, Markdown body, line number where the body starts)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n") and text.strip() != "---":
        raise UsageError(
            f"{source}: no front matter: the file must start with a '---' line, "
            "then YAML (title, uid, status, ...), then another '---' line"
        )
    closing = _FENCE.search(text, 4)
    if closing is None:
        raise UsageError(f"{source}: the front matter is not closed by a '---' line")
    raw = text[4 : closing.start()]
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"{source}: malformed front matter{where}: {problem}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{source}: the front matter must be 'key: value' lines")
    body = text[closing.end() :].removeprefix("\n")
    body_line = text[: closing.end()].count("\n") + 2
    return data, body, body_line


def parse_front_matter(data: Mapping[str, Any], source: str) -> FrontMatter:
    """Checked, typed front matter; every problem is a one-line `UsageError`."""
    title = data.get("title")
    if not isinstance(title, str | int | float) or not str(title).strip():
        raise UsageError(f"{source}: the front matter has no title")
    status = str(data.get("status") or "draft")
    if status not in STATUSES:
        raise UsageError(f"{source}: status {status!r} is not one of {', '.join(STATUSES)}")
    return FrontMatter(
        title=str(title).strip(),
        uid=str(data.get("uid") or ""),
        programme=_optional_str(data.get("programme")),
        things=_things(data.get("thing"), source),
        status=status,
        date=_date(data.get("date"), source),
        categories=_str_list(data.get("categories"), "categories", source),
        tags=_str_list(data.get("tags"), "tags", source),
        featured_image=_optional_str(data.get("featured_image")),
        targets=_str_list(data.get("targets"), "targets", source),
        slug=_optional_str(data.get("slug")),
        excerpt=_optional_str(data.get("excerpt")),
        extra={k: v for k, v in data.items() if k not in KNOWN_KEYS},
    )


def dump_front_matter(data: Mapping[str, Any]) -> str:
    """The '---' fenced YAML block, keys in the order given."""
    text = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{text}---\n"


def new_uid() -> str:
    return str(uuid.uuid4())


def ensure_uid(path: Path) -> str:
    """The file's uid, writing a new one into its front matter first if it has none.

    Only a `uid:` line is added (after the title), so the rest of the file stays as written.
    """
    text = path.read_text(encoding="utf-8")
    data, _, _ = split_front_matter(text, str(path))
    if data.get("uid"):
        return str(data["uid"])
    uid = new_uid()
    lines = text.splitlines(keepends=True)
    end = next(i for i in range(1, len(lines)) if _FENCE.match(lines[i]))
    title_at = next((i for i in range(1, end) if lines[i].startswith("title:")), 0)
    lines.insert(title_at + 1, f"uid: {uid}\n")
    atomic_write(path, "".join(lines))
    return uid


def _optional_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _things(value: Any, source: str) -> list[int]:
    values = value if isinstance(value, list) else [value]
    things = []
    for item in values:
        if item is None or item == "":
            continue
        if isinstance(item, bool) or not str(item).strip().isdigit():
            raise UsageError(f"{source}: thing must be a number or a list of numbers, not {item!r}")
        things.append(int(item))
    return things


def _date(value: Any, source: str) -> datetime | date | None:
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(
            f"{source}: date {value!r} is not a date (use 2024-05-01 or 2024-05-01T09:30:00+01:00)"
        ) from None


def _str_list(value: Any, key: str, source: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or any(isinstance(v, dict | list) for v in value):
        raise UsageError(f"{source}: {key} must be a list of names")
    return [str(v) for v in value if str(v).strip()]
