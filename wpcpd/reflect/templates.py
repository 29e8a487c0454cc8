"""Reflection templates: Jinja2 files that start a new reflection as Markdown with front matter.

A template is `NAME.md.j2` in the shipped `templates/` or in the user's templates
directory ($WPCPD_TEMPLATES, else `platformdirs.user_config_dir("wpcpd")/templates`); a user
template with the same name replaces the shipped one. Each starts with a Jinja comment holding
a YAML header:

    {#
    description: One line for `wpcpd templates`.
    needs: [programme, thing]      # what it must be given: programme, thing, archive
    prompts:                       # a list, or a sentence saying where they come from
      - heading: Description
        guidance: What happened? Who was there?
    title: "Reflection: {{ today }}"   # Jinja, rendered with the same context as the body
    categories: [Reflection]
    tags: []
    #}

The body sees: `programme`, `thing` (number, topic, prompts), `prompts` (heading, guidance),
`reflections` (programme review only), `title`, `today`, `placeholder(guidance)` (the line
`render` treats as unanswered) and the filters `md` (escape for Markdown) and `thing_label`.

What a template renders is meant to be published, so `reflections` holds only posts every
reader can open (status publish, no post password), and follow-ups are looked for only in
such posts, unless the writer asks for the rest with `include_private` (`--include-private`).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

from wpcpd.errors import UsageError
from wpcpd.model import Post, format_local
from wpcpd.reflect.derive import derive_reflections
from wpcpd.reflect.frontmatter import dump_front_matter, new_uid
from wpcpd.reflect.programmes import (
    Programme,
    Thing,
    resolve_programme,
    shipped_templates_dir,
    user_templates_dir,
)
from wpcpd.reflect.render import PLACEHOLDER_PREFIX
from wpcpd.reflect.things import thing_label
from wpcpd.text import html_to_text

if TYPE_CHECKING:
    from wpcpd.archive import Archive

SUFFIX = ".md.j2"
NEEDS = ("programme", "thing", "archive")
_HEADER = re.compile(r"\A\s*\{#-?(.*?)-?#\}", re.DOTALL)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


@dataclass(frozen=True, slots=True)
class Prompt:
    heading: str
    guidance: str = ""


@dataclass(slots=True)
class TemplateInfo:
    name: str
    path: Path
    origin: str
    """shipped or user."""
    description: str = ""
    prompts: list[Prompt] = field(default_factory=list)
    prompts_note: str = ""
    """Where the prompts come from when the header does not list them."""
    needs: tuple[str, ...] = ()
    header: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    """Why the template cannot be used (a broken header); empty when it is fine."""

    @property
    def prompt_summary(self) -> str:
        if self.prompts:
            return "; ".join(p.heading for p in self.prompts)
        return self.prompts_note


# -- finding templates ------------------------------------------------------------------


def template_dirs() -> list[tuple[str, Path]]:
    """Where templates are looked up, the one that wins first."""
    return [("user", user_templates_dir()), ("shipped", shipped_templates_dir())]


def list_templates() -> list[TemplateInfo]:
    """Shipped and user templates by name; a user template hides the shipped one it renames."""
    found: dict[str, TemplateInfo] = {}
    for origin, directory in reversed(template_dirs()):
        for path in sorted(directory.glob(f"*{SUFFIX}")):
            info = _read_info(path, origin)
            found[info.name] = info
    return sorted(found.values(), key=lambda t: t.name)


def find_template(name: str) -> TemplateInfo:
    """A template by name (with or without .md.j2), or a file path to a template."""
    as_path = Path(name).expanduser()
    if name.endswith(SUFFIX) and as_path.is_file():
        return _checked(_read_info(as_path, "file"))
    wanted = name.removesuffix(SUFFIX)
    for info in list_templates():
        if info.name == wanted:
            return _checked(info)
    known = ", ".join(t.name for t in list_templates()) or "none"
    raise UsageError(f"no template {name!r} (known: {known}; see `wpcpd templates`)")


def _checked(info: TemplateInfo) -> TemplateInfo:
    if info.error:
        raise UsageError(f"template {info.path}: {info.error}")
    return info


def _read_info(path: Path, origin: str) -> TemplateInfo:
    info = TemplateInfo(name=path.name.removesuffix(SUFFIX), path=path, origin=origin)
    try:
        header = read_header(path)
        info.header = header
        info.description = str(header.get("description", "")).strip()
        prompts = header.get("prompts", [])
        if isinstance(prompts, str):
            info.prompts_note = prompts.strip()
        else:
            info.prompts = [_prompt(p) for p in prompts]
        needs = header.get("needs", [])
        info.needs = tuple([needs] if isinstance(needs, str) else needs)
        unknown = set(info.needs) - set(NEEDS)
        if unknown:
            raise ValueError(f"unknown needs {sorted(unknown)}; use {', '.join(NEEDS)}")
        if not info.description:
            raise ValueError("the header has no description")
    except (OSError, UnicodeDecodeError, ValueError, TypeError, yaml.YAMLError) as exc:
        info.error = f"bad header: {' '.join(str(exc).split())}"
    return info


def read_header(path: Path) -> dict[str, Any]:
    """The YAML header in the template's leading Jinja comment."""
    match = _HEADER.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError("no header: start the file with a {# ... #} comment holding YAML")
    text = "\n".join(line for line in match[1].splitlines() if line.strip() != "---")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("the header must be YAML 'key: value' lines")
    return data


def _prompt(value: Any) -> Prompt:
    if isinstance(value, str):
        return Prompt(value.strip())
    if isinstance(value, dict) and "heading" in value:
        return Prompt(str(value["heading"]).strip(), str(value.get("guidance") or "").strip())
    if isinstance(value, dict) and len(value) == 1:  # "- Heading: guidance"
        heading, guidance = next(iter(value.items()))
        return Prompt(str(heading).strip(), str(guidance or "").strip())
    raise ValueError(f"a prompt must be text or 'heading: guidance', not {value!r}")


# -- writing a new reflection -----------------------------------------------------------------


def new_reflection(
    template: str,
    thing: int | None = None,
    programme: str | None = None,
    archive: Archive | None = None,
    today: date | None = None,
    site: str | None = None,
    include_private: bool = False,
    notes: list[str] | None = None,
) -> str:
    """A new reflection: YAML front matter, then the template's prompts as headings to answer.

    A template that reads the archive sees only public posts unless `include_private`; what
    was left out is said in `notes` (when given), never in the text meant for publishing.
    """
    info = find_template(template)
    chosen, chosen_thing = _programme_and_thing(info, programme, thing)
    reflections: list[dict[str, Any]] = []
    if "archive" in info.needs:
        reflections = _archive_reflections(info, chosen, archive, site, include_private, notes)
    today = today or date.today()
    context = {
        "programme": chosen,
        "thing": chosen_thing,
        "prompts": _prompts_for(info, chosen_thing),
        "reflections": reflections,
        "today": today,
    }
    environment = _environment()
    title = _render_text(environment, str(info.header.get("title", info.name)), context, info)
    context["title"] = title
    body = _render_body(environment, info, context)
    front = {
        "title": title,
        "uid": new_uid(),
        "programme": chosen.key if chosen else None,
        "thing": chosen_thing.number if chosen_thing else None,
        "status": "draft",
        "date": today,
        "categories": _merged(chosen.categories if chosen else (), info, "categories", context),
        "tags": _merged(chosen.tags if chosen else (), info, "tags", context),
        "featured_image": None,
        "targets": [],
    }
    return dump_front_matter(front) + "\n" + body.strip("\n") + "\n"


def _programme_and_thing(
    info: TemplateInfo, programme: str | None, thing: int | None
) -> tuple[Programme | None, Thing | None]:
    """The programme and thing a new reflection is about, as the template needs them."""
    needs = set(info.needs)
    chosen: Programme | None = None
    if needs & {"programme", "thing", "archive"} or programme is not None or thing is not None:
        chosen = resolve_programme(programme)
    if thing is not None and chosen is not None:
        return chosen, chosen.thing(thing)
    if "thing" in needs and chosen is not None:
        raise UsageError(
            f"the {info.name} template needs a thing number: --thing N "
            f"({chosen.label} has {len(chosen.things)} things)"
        )
    return chosen, None


def _archive_reflections(
    info: TemplateInfo,
    chosen: Programme | None,
    archive: Archive | None,
    site: str | None,
    include_private: bool,
    notes: list[str] | None,
) -> list[dict[str, Any]]:
    """The stored reflections a template that reads the archive shows, and a note (when
    `notes` is given) of those left out because readers cannot open them."""
    if archive is None:
        raise UsageError(f"the {info.name} template reads the archive; pull a blog first")
    key = chosen.key if chosen else None
    reflections, hidden = _review(archive, key, site, include_private)
    if notes is not None and hidden:
        notes.append(
            f"left out {hidden} reflection{'s' if hidden > 1 else ''} readers cannot open "
            "(draft, pending, scheduled, private or password-protected); "
            "--include-private adds them"
        )
    return reflections


def placeholder(guidance: str | None = None) -> str:
    """The line under a prompt that `render` reports as unanswered until it is replaced."""
    return f"{PLACEHOLDER_PREFIX} {guidance.strip() if guidance else 'write your answer here.'}"


def _prompts_for(info: TemplateInfo, thing: Thing | None) -> list[Prompt]:
    if info.prompts:
        return info.prompts
    if thing is not None:
        return [Prompt(text) for text in thing.prompts]
    return []


def _merged(
    base: Iterable[str], info: TemplateInfo, key: str, context: dict[str, Any]
) -> list[str]:
    extra = info.header.get(key) or []
    extra = [extra] if isinstance(extra, str) else extra
    environment = _environment()
    names = [*base, *(_render_text(environment, str(e), context, info) for e in extra)]
    unique: list[str] = []
    for name in names:
        if name.strip() and name.casefold() not in (u.casefold() for u in unique):
            unique.append(name.strip())
    return unique


def _environment() -> jinja2.Environment:
    directories = [str(path) for _, path in template_dirs()]
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directories),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown, not HTML; titles go through the md filter instead
    )
    environment.globals["placeholder"] = placeholder
    environment.filters["md"] = markdown_escape
    environment.filters["thing_label"] = thing_label
    return environment


def _render_body(
    environment: jinja2.Environment, info: TemplateInfo, context: dict[str, Any]
) -> str:
    try:
        if info.origin == "file":
            template = environment.from_string(info.path.read_text(encoding="utf-8"))
        else:
            template = environment.get_template(info.path.name)
        return template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise UsageError(f"template {info.path}:{exc.lineno}: {exc.message}") from exc
    except Exception as exc:  # a template is code: any mistake in it is the user's to fix
        raise UsageError(f"template {info.path}: {type(exc).__name__}: {exc}") from exc


def _render_text(
    environment: jinja2.Environment, text: str, context: dict[str, Any], info: TemplateInfo
) -> str:
    try:
        return " ".join(environment.from_string(text).render(context).split())
    except Exception as exc:
        raise UsageError(f"template {info.path}: header value {text!r}: {exc}") from exc


def markdown_escape(text: Any) -> str:
    """Text safe inside Markdown (a link's text, a list item): entities decoded, marks escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.unescape(str(text)))


# -- programme review: what happened to each recorded action -------------------------------


PUBLIC = "public"
_VISIBILITY = {"future": "scheduled"}


def visibility(post: Post) -> str:
    """'public' when every reader can open the post, else why not: draft, pending, scheduled,
    private, password-protected (or the status WordPress gave it)."""
    if post.status != "publish":
        return _VISIBILITY.get(post.status, post.status or "draft")
    if post.password_protected:
        return "password-protected"
    return PUBLIC


@dataclass(slots=True)
class _PostText:
    id: int
    title: str
    link: str
    date: str
    html: str
    paragraphs: list[set[str]]
    """The stems of each paragraph: a mention must sit in one paragraph, not be scattered."""
    visibility: str = PUBLIC


_STOP = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each every few for
    from further get got had has have having he her here hers him his how i if in into is it its
    itself just keep like make me more most much must my myself need new next no nor not now of
    off on once one only or other our out over own same set she should so some start such than
    that the their them then there these they this those through to too try under until up use
    using very want was way we week weeks month months were what when where which while who why
    will with would year you your thing things action actions plan post posts blog other
    three four five six seven eight nine ten twenty first second last
    """.split()  # noqa: SIM905 - a word list reads better as words
)


def review_reflections(
    archive: Archive,
    programme: str | None,
    site: str | None = None,
    include_private: bool = False,
) -> list[dict[str, Any]]:
    """The programme's reflections as `Archive.reflections()` gives them, derived afresh, plus:

    - `thing_label`: "Thing 12" / "Things 8 & 9";
    - `visibility`: "public", or why readers cannot open it ("draft", "private", ...), and
      `public`: whether it is "public";
    - `follow_ups`: for each recorded action, {"action", "mentioned_in"}, where `mentioned_in`
      is the first later post (title, link, date, post_id, visibility) that links to it or
      uses most of the action's distinctive words, or None.

    For publishing: only public reflections, and only public posts as follow-ups, unless
    `include_private`.
    """
    return _review(archive, programme, site, include_private)[0]


def _review(
    archive: Archive, programme: str | None, site: str | None, include_private: bool
) -> tuple[list[dict[str, Any]], int]:
    """`review_reflections()`, and how many reflections it left out as not public."""
    if not archive.read_only:  # read-only (a backup disk): what was derived before
        derive_reflections(archive, site)
    rows = archive.reflections(site, programme)
    texts: dict[str, list[_PostText]] = {}
    visibilities: dict[str, dict[int, str]] = {}
    stop = set(_STOP) | _programme_words(programme)
    kept = []
    for row in rows:
        if row["site"] not in texts:
            posts = _post_texts(archive, row["site"])
            visibilities[row["site"]] = {p.id: p.visibility for p in posts}
            texts[row["site"]] = [p for p in posts if include_private or p.visibility == PUBLIC]
        row["visibility"] = visibilities[row["site"]].get(row["post_id"], "unknown")
        row["public"] = row["visibility"] == PUBLIC
        if not (row["public"] or include_private):
            continue
        kept.append(row)
        later = [
            p for p in texts[row["site"]]
            if p.id != row["post_id"] and row["date"] and p.date > row["date"]
        ]  # fmt: skip
        row["thing_label"] = thing_label(row["things"])
        row["follow_ups"] = [
            {"action": action, "mentioned_in": _first_mention(action, row, later, stop)}
            for action in row["actions"]
        ]
    return kept, len(rows) - len(kept)


def _programme_words(programme: str | None) -> set[str]:
    if programme is None:
        return set()
    try:
        found = resolve_programme(programme)
    except UsageError:
        return {programme.casefold()}
    names = (found.key, found.name, found.short_name, *found.names, *found.weak_names)
    return {_stem(w) for name in names for w in re.findall(r"[^\W_]+", name.casefold())}


def _post_texts(archive: Archive, site: str) -> list[_PostText]:
    posts = []
    for _, record in archive.iter_records(site):
        if isinstance(record, Post) and record.type == "post":
            if record.status in ("trash", "inherit", "auto-draft"):
                continue
            paragraphs = [record.title, *html_to_text(record.content).split("\n\n")]
            posts.append(
                _PostText(
                    record.id,
                    record.title,
                    record.link,
                    format_local(record.date) or "",
                    record.content,
                    [{_stem(w) for w in _words(p)} for p in paragraphs],
                    visibility(record),
                )
            )
    return sorted(posts, key=lambda p: (p.date, p.id))


def _first_mention(
    action: str, row: dict[str, Any], later: list[_PostText], stop: set[str]
) -> dict[str, Any] | None:
    terms = {_stem(w) for w in _words(action) if len(w) >= 4} - stop
    if len(terms) == 1 and not terms & _proper_nouns(action):
        terms = set()  # one common word ("comment") says too little to count as a mention
    needed = 1 if len(terms) == 1 else max(2, math.ceil(len(terms) / 2))
    for post in later:
        linked = bool(row.get("link")) and row["link"] in post.html
        if linked or (terms and any(len(terms & p) >= needed for p in post.paragraphs)):
            return {
                "title": post.title,
                "link": post.link,
                "date": post.date,
                "post_id": post.id,
                "visibility": post.visibility,
            }
    return None


def _proper_nouns(text: str) -> set[str]:
    """Stems of capitalised words that do not start the text: names such as Evernote."""
    words = re.findall(r"[^\W_]+", text)
    return {_stem(w.casefold()) for w in words[1:] if w[0].isupper()}


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold())


def _stem(word: str) -> str:
    """Crude but enough to match 'posting' with 'post' and 'references' with 'reference'."""
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word
