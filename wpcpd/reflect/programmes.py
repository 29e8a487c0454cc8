"""Programme definitions (cpd23 and friends): names to recognise, each Thing's topic and prompts.

Definitions are TOML files in the shipped `templates/programmes/` and in the user's
templates directory (`<templates dir>/programmes/`); a user file with the same `key`
replaces the shipped one, so a person can reword the prompts without touching the package.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from wpcpd.errors import UsageError

TEMPLATES_ENV = "WPCPD_TEMPLATES"
_PACKAGE = Path(__file__).resolve().parent.parent
# Installed from a wheel, the templates sit inside the package (setup.py maps them there);
# in a source checkout they are templates/ at the repository root, beside the package.
SHIPPED_DIR = next(
    (p for p in (_PACKAGE / "templates", _PACKAGE.parent / "templates") if p.is_dir()),
    _PACKAGE / "templates",
)


@dataclass(frozen=True, slots=True)
class Thing:
    number: int
    topic: str
    prompts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Programme:
    key: str
    name: str
    short_name: str = ""
    url: str = ""
    default: bool = False
    names: tuple[str, ...] = ()
    """Names that alone mark a post as part of the programme (tags, categories, title)."""
    weak_names: tuple[str, ...] = ()
    """Names that count only together with a thing number ("23 Things")."""
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    things: dict[int, Thing] = field(default_factory=dict)
    path: Path | None = None

    @property
    def label(self) -> str:
        return self.short_name or self.key

    def thing(self, number: int) -> Thing:
        if number not in self.things:
            span = f"things {min(self.things)}-{max(self.things)}" if self.things else "no things"
            raise UsageError(f"{self.label} has {span}; there is no thing {number}")
        return self.things[number]

    def topic_of(self, numbers: list[int]) -> str:
        topics = [self.things[n].topic for n in numbers if n in self.things]
        return " and ".join(topics)


def user_templates_dir() -> Path:
    """Where a person keeps their own templates: $WPCPD_TEMPLATES, else the config dir."""
    override = os.environ.get(TEMPLATES_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("wpcpd")) / "templates"


def shipped_templates_dir() -> Path:
    return SHIPPED_DIR


def normalise_name(text: str) -> str:
    """Case, '#', hyphens and punctuation do not matter when matching names: 'CPD-23' = 'cpd 23'."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def load_programmes() -> dict[str, Programme]:
    """Every known programme by key: shipped ones, then the user's (which win)."""
    found: dict[str, Programme] = {}
    for directory in (shipped_templates_dir(), user_templates_dir()):
        for path in sorted((directory / "programmes").glob("*.toml")):
            programme = _read_programme(path)
            found[programme.key] = programme
    return found


def resolve_programme(key: str | None, programmes: dict[str, Programme] | None = None) -> Programme:
    """The programme named (by key or short name), or the default one when none is named."""
    programmes = load_programmes() if programmes is None else programmes
    if not programmes:
        raise UsageError("no programme definitions found (templates/programmes/*.toml)")
    if key is None:
        defaults = [p for p in programmes.values() if p.default]
        if len(programmes) == 1:
            return next(iter(programmes.values()))
        if defaults:
            return defaults[-1]  # user definitions load last, so theirs win
        raise UsageError(f"name a programme with --programme ({', '.join(sorted(programmes))})")
    wanted = normalise_name(key)
    for programme in programmes.values():
        if wanted in (normalise_name(programme.key), normalise_name(programme.short_name)):
            return programme
    raise UsageError(f"unknown programme {key!r} (known: {', '.join(sorted(programmes))})")


def _read_programme(path: Path) -> Programme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a readable programme definition: {exc}") from exc
    try:
        things = {int(t["number"]): _thing(t) for t in data.get("things", [])}
        return Programme(
            key=str(data["key"]),
            name=str(data.get("name", data["key"])),
            short_name=str(data.get("short_name", "")),
            url=str(data.get("url", "")),
            default=bool(data.get("default", False)),
            names=_strings(data.get("names", [data["key"]])),
            weak_names=_strings(data.get("weak_names", [])),
            categories=_strings(data.get("categories", [])),
            tags=_strings(data.get("tags", [])),
            things=things,
            path=path,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(
            f"{path}: programme definition needs a key and numbered things ({exc})"
        ) from exc


def _thing(data: dict) -> Thing:
    return Thing(int(data["number"]), str(data.get("topic", "")), _strings(data.get("prompts", [])))


def _strings(values: object) -> tuple[str, ...]:
    if isinstance(values, str):
        return (values,)
    if not isinstance(values, list):
        raise TypeError("expected a list of strings")
    return tuple(str(v) for v in values)
