"""The command line: parses arguments, calls the library, prints. Nothing else lives here."""

from __future__ import annotations

import contextlib
import html
import json
import logging
import os
import signal
import sys
import textwrap
import traceback
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

try:  # newer typer carries its own copy of click; older ones depend on click itself
    from typer._click.exceptions import ClickException
    from typer._click.exceptions import UsageError as ClickUsageError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException
    from click.exceptions import UsageError as ClickUsageError

from wpcpd import __version__, pull
from wpcpd.archive import Archive, default_path
from wpcpd.config import (
    Profile,
    add_profile,
    find_profile,
    load_profiles,
    remove_profile,
    site_reference,
    target_options,
)
from wpcpd.credentials import DEFAULT_PASSWORD_ENV, resolve_password
from wpcpd.errors import UsageError, WpcpdError
from wpcpd.model import COMMENT_TYPES, POST_STATUSES, Comment, format_gmt, format_local
from wpcpd.sinks.jsonl import record_to_dict, write_json_lines
from wpcpd.sources.scrape import ScrapeOptions
from wpcpd.text import html_to_text, plural

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


class _State:
    archive_path: Path = default_path()
    debug: bool = False
    quiet: bool = False


state = _State()


class App(typer.Typer):
    """Turns every error into one line and an exit code; --debug shows the traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        command = typer.main.get_command(self)
        _tidy_help(command)
        argv = _hoist_global_options(list(kwargs.get("args") or sys.argv[1:]))
        signal.signal(signal.SIGTERM, _terminated)
        try:
            code = _run(command, argv)
        except BrokenPipeError:  # `wpcpd list posts | head`: the reader had enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = 141
        raise SystemExit(code)


def _run(command: Any, argv: list[str]) -> int:
    try:
        code = command.main(args=argv, prog_name="wpcpd", standalone_mode=False)
    except ClickUsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # its message is the help
            print(exc.format_message())
            return 0
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _fail(exc.format_message() + hint, 2)
    except WpcpdError as exc:
        _fail(str(exc), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _fail(INTERRUPTED, 130)
    except ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except BrokenPipeError:
        raise
    except Exception as exc:  # a bug: still one line unless asked for more
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)", 3)
    if code == 130:  # typer turns Ctrl-C (and SIGTERM, raised as one) into a silent 130
        _fail(INTERRUPTED, 130)
    return code if isinstance(code, int) else 0


INTERRUPTED = "interrupted; what was committed is kept, run the command again to resume"


_LIVE: list[Any] = []
"""Progress displays running on the terminal, to stop before a last word is printed."""


def _stop_live() -> None:
    while _LIVE:
        _LIVE.pop().stop()  # shows the cursor again


def _fail(message: str, code: int) -> None:
    _stop_live()
    if state.debug or "--debug" in sys.argv:
        traceback.print_exc()
    err.print(f"wpcpd: error: {message}", markup=False, soft_wrap=True)
    raise SystemExit(code)


def _terminated(signum: int, frame: Any) -> None:
    """SIGTERM (a stopped cron job, a shutdown) ends like Ctrl-C: cleanly, with one line."""
    raise KeyboardInterrupt


GLOBAL_OPTIONS = {"--archive": True, "--debug": False, "--quiet": False, "-q": False,
                  "--verbose": False, "-v": False}  # fmt: skip
"""Options that belong before the command, accepted after it too: name -> takes a value."""


def _hoist_global_options(argv: list[str]) -> list[str]:
    """`wpcpd stats --archive x.db` means `wpcpd --archive x.db stats`."""
    front: list[str] = []
    rest: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            rest += [word, *words]
            break
        name = word.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and rest:
            front.append(word)
            if GLOBAL_OPTIONS[name] and "=" not in word:
                front.append(next(words, ""))
        else:
            rest.append(word)
    return front + rest


# Metavars in words a person reads, not Python types.
METAVARS = {"user": "USER", "password_env": "VARIABLE", "since": "DATE", "url_pattern": "REGEX",
            "delay": "SECONDS", "max_age": "AGE", "limit": "N", "concurrency": "N",
            "max_pages": "N", "thing": "N", "out_path": "FILE", "out_file": "FILE",
            "author_map": "FILE.csv", "media_dir": "FOLDER", "redirects": "NAME",
            "archive": "FILE", "only": "KINDS", "programme": "NAME", "status": "STATUS",
            "type": "TYPE", "default_author": "LOGIN", "to": "SITE"}  # fmt: skip


def _tidy_help(command: Any) -> None:
    """Help that reads well at 80 columns: flags without their --no- twins, words for
    metavars, no default shown for a flag that is off. (Click's classes are typer's own
    private copy in newer typer, so they are told apart by what they have.)"""
    for param in command.params:
        if getattr(param, "is_flag", False):
            param.secondary_opts = []
            param.show_default = False
        elif param.metavar is None and param.param_type_name in ("option", "argument"):
            param.metavar = _metavar(param)
        if param.param_type_name == "argument":
            # Typer prints an argument's Python type beside it ("SOURCE <str>") and wraps
            # required ones in braces; the metavar says it in words.
            name = param.metavar + ("..." if param.nargs != 1 else "")
            param.display_type_rich = lambda ctx: None
            param._usage_display_name = lambda name=name: name
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)


def _choices(param: Any) -> list[str]:
    kind = getattr(param, "type", None)
    if getattr(kind, "choices", None):
        return list(kind.choices)
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [member.value for member in annotation]
    return []


def _metavar(param: Any) -> str:
    choices = _choices(param)
    if choices:
        return "[" + "|".join(map(str, choices)) + "]"
    name = param.name or "value"
    if param.param_type_name == "argument":
        return name.upper()
    return METAVARS.get(name, name.upper().replace("_", "-"))


app = App(
    name="wpcpd",
    help="Keep a WordPress blog's posts, pages and comments in a local SQLite archive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
list_app = typer.Typer(
    help="List posts in the archive (comments: `wpcpd comments`).", no_args_is_help=True
)
export_app = typer.Typer(help="Write the archive out in another format.", no_args_is_help=True)
media_app = typer.Typer(
    help="The media files kept beside the archive (ARCHIVE.media/).", no_args_is_help=True
)
app.add_typer(list_app, name="list")
app.add_typer(export_app, name="export")
app.add_typer(media_app, name="media")


def _version(value: bool) -> None:
    if value:
        out.print(f"wpcpd {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    archive: Annotated[
        Path,
        typer.Option(envvar="WPCPD_ARCHIVE", help="The archive file (SQLite).", show_default=True),
    ] = default_path(),
    debug: Annotated[bool, typer.Option(help="Show tracebacks and request details.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No warnings or progress; errors only.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Say what is fetched and retried.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Keep a WordPress blog's posts, pages and comments in a local SQLite archive.

    \b
    Example:
      wpcpd pull export.xml && wpcpd stats
    """
    state.archive_path = archive
    state.debug = debug
    state.quiet = quiet
    if verbose or debug:
        logging.basicConfig(format="wpcpd: %(message)s", stream=sys.stderr)
        logging.getLogger("wpcpd").setLevel(logging.DEBUG if debug else logging.INFO)


def _warn(message: str) -> None:
    if not state.quiet:
        err.print(f"wpcpd: warning: {message}", markup=False, soft_wrap=True)


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (listings: one object per line).")
]


def _site_ref(value: str | None) -> str | None:
    return None if value is None else site_reference(value)


SITE_WORDS = "a profile name, site key, address, or the number `wpcpd stats` shows"
SiteOption = Annotated[
    str | None,
    typer.Option(
        "--site", metavar="SITE", callback=_site_ref, help=f"Only this site: {SITE_WORDS}."
    ),
]


FromSiteOption = Annotated[
    str,
    typer.Option("--from", metavar="SITE", callback=_site_ref,
                 help=f"The archived site (pushed, or to push): {SITE_WORDS}."),
]  # fmt: skip


def _target_options(ref: str, user: str | None, password_env: str) -> tuple[str, str | None, str]:
    """A site to write to or read back: a profile, an address, or a site the archive knows
    by key or number (whose stored address keeps its scheme)."""
    if "://" not in ref and find_profile(ref) is None and state.archive_path.exists():
        with contextlib.suppress(WpcpdError), _read_archive() as archive:
            known = archive.resolve_site(ref)
            if known is not None:
                ref = known["url"]
    return target_options(ref, user, password_env)


def _read_archive() -> Archive:
    """For commands that only read: opened read-only where the file or its folder cannot
    be written (a backup disk, a shared copy), so reading still works there."""
    path = state.archive_path
    folder = path.parent if str(path.parent) else Path(".")
    writable = os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))
    return Archive(path, create=False, read_only=not writable)


def _open_archive(create: bool = False) -> Archive:
    return Archive(state.archive_path, create=create)


class Via(StrEnum):
    auto = "auto"
    wxr = "wxr"
    rest = "rest"
    wpcom = "wpcom"
    xmlrpc = "xmlrpc"
    scrape = "scrape"


@app.command("pull")
def pull_command(
    source: Annotated[
        str,
        typer.Argument(
            help="A WXR export file (.xml or .xml.gz), a blog's address, or a site profile."
        ),
    ],
    via: Annotated[Via, typer.Option(help="How to read the source.")] = Via.auto,
    user: Annotated[
        str | None, typer.Option(help="User name for an application password (live sites).")
    ] = None,
    password_env: Annotated[
        str, typer.Option(help="Environment variable holding the application password.")
    ] = DEFAULT_PASSWORD_ENV,
    concurrency: Annotated[int, typer.Option(min=1, max=16, help="Pages fetched at once.")] = 4,
    insecure_http: Annotated[
        bool, typer.Option(help="Allow sending a password over plain http to another host.")
    ] = False,
    full: Annotated[
        bool, typer.Option(help="Read everything again, not only what changed since last time.")
    ] = False,
    comments_only: Annotated[
        bool, typer.Option(help="Only comments: the daily comment backup.")
    ] = False,
    max_pages: Annotated[
        int | None, typer.Option(help="Scraping: read at most this many posts.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Scraping: leave out posts before this date.")
    ] = None,
    url_pattern: Annotated[
        str | None, typer.Option(help="Scraping: only addresses matching this regex.")
    ] = None,
    delay: Annotated[float, typer.Option(min=0, help="Scraping: seconds between requests.")] = 1.0,
    ignore_robots: Annotated[
        bool, typer.Option(help="Scraping: do not honour robots.txt (say so explicitly).")
    ] = False,
    site: Annotated[
        str | None,
        typer.Option(
            metavar="KEY",
            help="Export files: the site to file it under (a key such as blog.example.org, an "
            "address, or a site the archive knows), for exports that name no blog address.",
        ),
    ] = None,
    media: Annotated[
        bool,
        typer.Option(
            "--media",
            help="Export files: keep their media files too, from the export's addresses "
            "(live sites always do, into ARCHIVE.media/).",
        ),
    ] = False,
    no_media: Annotated[
        bool, typer.Option("--no-media", help="Live sites: leave the media files out.")
    ] = False,
    media_dir: Annotated[
        Path | None,
        typer.Option(help="Export files: copy media files from this copy of wp-content/uploads."),
    ] = None,
    media_external: Annotated[
        bool, typer.Option(help="Keep files the content shows from other hosts too.")
    ] = False,
    media_max_size: Annotated[
        str, typer.Option(metavar="SIZE", help="Larger files are listed, not fetched.")
    ] = "200MB",
    as_json: JsonOption = False,
) -> None:
    """Read a blog into the archive; running it again updates, never duplicates.

    \b
    Examples:
      wpcpd pull fixtures/sample-cpd23.xml
      WPCPD_PASSWORD=... wpcpd pull https://blog.example.org --user jo
      wpcpd pull https://old.example.org --via scrape --delay 2
    """
    profile = find_profile(source)
    if profile is not None:
        source, user = profile.url, user or profile.user or None
        password_env = profile.password_env or password_env
        via = Via(profile.via) if via == Via.auto else via
    scrape = ScrapeOptions(max_pages, _date_option(since), url_pattern, delay, ignore_robots)
    _refuse_unused_options(source, via, scrape, user=user, comments_only=comments_only)
    if not Path(source).exists():
        pull.check_live_source(source, via.value, site)
    live = pull.LiveOptions(
        user=user,
        password=resolve_password(source, user, password_env),
        concurrency=concurrency,
        insecure_http=insecure_http,
        full=full,
        comments_only=comments_only,
        scrape=scrape,
    )
    if media and no_media:
        raise UsageError("--media and --no-media contradict each other")
    media_options = _media_options(
        Path(source).is_file() or comments_only, True if media else (False if no_media else None),
        media_dir, media_external, media_max_size, concurrency,
    )  # fmt: skip
    with _open_archive(create=True) as archive, _progress(source) as on_progress:
        result = pull.pull(
            archive, source, via=via.value, live=live, on_progress=on_progress, site=site,
            media=media_options,
        )  # fmt: skip
    for warning in result.warnings:  # on standard error in every mode, JSON included
        _warn(warning)
    if as_json:
        out.print_json(json.dumps(result.as_dict()))
        return
    out.print(result.describe(), markup=False)


def _media_options(
    is_file: bool,  # or a comments-only pull: neither fetches files unless asked
    media: bool | None,
    media_dir: Path | None,
    external: bool,
    max_size: str,
    concurrency: int,
) -> Any:
    """Live pulls keep media files unless --no-media; export files (and the daily
    --comments-only backup) with --media or --media-dir."""
    from wpcpd.media import MediaOptions, parse_size

    if media_dir is not None and not media_dir.is_dir():
        raise UsageError(f"{media_dir}: no such folder (--media-dir)")
    wanted = media if media is not None else (not is_file or media_dir is not None)
    if media is False and media_dir is not None:
        raise UsageError("--media-dir and --no-media contradict each other")
    if not wanted:
        return None
    return MediaOptions(external=external, max_size=parse_size(max_size),
                        concurrency=concurrency, media_dir=media_dir,
                        download=not is_file or media_dir is None or bool(media))  # fmt: skip


SCRAPE_OPTIONS = {"max_pages": "--max-pages", "since": "--since", "url_pattern": "--url-pattern",
                  "delay": "--delay", "ignore_robots": "--ignore-robots"}  # fmt: skip


def _refuse_unused_options(
    source: str, via: Via, scrape: ScrapeOptions, *, user: str | None, comments_only: bool
) -> None:
    """An option the channel would ignore is an error, not a silent no-op."""
    defaults = ScrapeOptions()
    given = [flag for name, flag in SCRAPE_OPTIONS.items()
             if getattr(scrape, name) != getattr(defaults, name)]  # fmt: skip
    if given and via != Via.scrape:
        raise UsageError(
            f"{', '.join(given)} only apply to scraping: add --via scrape (API and export "
            "pulls read everything, then only what changed)"
        )
    if via in (Via.auto, Via.wxr) and Path(source).is_file():
        if comments_only:
            raise UsageError("--comments-only is for live sites: an export file is read whole")
        if user:
            raise UsageError("--user is for live sites: an export file needs no login")


def _date_option(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{text!r} is not a date (try 2011-08-01)") from exc


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(source: str) -> Any:
    """On a terminal: a bar over a file's bytes, or a running count for a live site.

    Nothing at all when standard error is not a terminal (cron, pipes).
    """
    if not err.is_terminal or state.quiet:
        return _NoProgress()
    path = Path(source)
    return _Bar(path.name, path.stat().st_size) if path.is_file() else _Bar(source, None)


class _Bar:
    def __init__(self, name: str, total: int | None) -> None:
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        columns: list[Any] = ["[progress.description]{task.description}", BarColumn()]
        if total is not None:
            columns += [DownloadColumn(), TimeRemainingColumn()]
        else:
            columns += ["{task.completed} records"]
        self.progress = Progress(*columns, console=err, transient=True)
        self.task = self.progress.add_task(f"pulling {name}", total=total)

    def __enter__(self) -> Callable[[int], None]:
        self.stopped = False
        _LIVE.append(self.progress)  # stopped by _fail too: Ctrl-C can come mid-start
        self.progress.start()
        return self._update

    def _update(self, done: int) -> None:
        # A reading thread may still report after an interruption stopped the bar.
        if not self.stopped:
            self.progress.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        self.stopped = True
        _stop_live()


@app.command("stats")
def stats_command(
    site: SiteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Count what the archive holds: posts by type and status, comments, terms, authors.

    \b
    Example:
      wpcpd stats --json
    """
    with _read_archive() as archive:
        stats = archive.stats(site)
    if as_json:
        out.print_json(json.dumps(stats))
        return
    rows = [row for s in stats["sites"] for row in _stats_rows(s)]
    if not out.is_terminal:  # one tab-separated table: site, what, kind, value
        _print_rows(rows, ["site", "what", "kind", "value"], as_json=False)
        return
    for s in stats["sites"]:
        out.print(f"[bold]#{s['number']} {s['key']}[/bold]  {s['title']}", highlight=False)
        table = Table("what", "kind", "value", box=None)
        for row in _stats_rows(s):
            table.add_row(row["what"], row["kind"], str(row["value"]))
        out.print(table)
    if not stats["sites"]:
        out.print("the archive holds no site yet: wpcpd pull FILE-OR-ADDRESS")


def _stats_rows(s: dict[str, Any]) -> list[dict[str, Any]]:
    """One site's status and counts as (what, kind, value) rows."""
    attempt = s["last_outcome"] or "none recorded"
    if s["last_outcome"] not in (None, "ok"):
        attempt += f" ({s['last_message']})" if s["last_message"] else ""
    rows = [("site", "number", s["number"]), ("site", "channel", s["channel"]),
            ("site", "copy", s["copy"]), ("pull", "last success", s["last_success"] or "never"),
            ("pull", "last attempt", f"{s['last_attempt'] or '-'}: {attempt}")]  # fmt: skip
    if s["problems_since_success"]:
        rows.append(("pull", "failed since", s["problems_since_success"]))
    for post_type, by_status in s["posts"].items():
        rows += [("posts", f"{post_type} / {status}", n) for status, n in by_status.items()]
    rows += [("comments", status, n) for status, n in s["comments"]["by_status"].items()]
    rows += [("comments", f"type {kind}", n) for kind, n in s["comments"]["by_type"].items()]
    rows += [("terms", taxonomy, n) for taxonomy, n in s["terms"].items()]
    rows += [("authors", "", s["authors"]), ("media", "", s["media"])]
    return [{"site": s["key"], "what": w, "kind": k, "value": v} for w, k, v in rows]


@app.command("check")
def check_command(
    site: SiteOption = None,
    max_age: Annotated[
        str, typer.Option(help="How old the last successful pull may be: 26h, 2d, 90m.")
    ] = "26h",
    as_json: JsonOption = False,
) -> None:
    """Is the backup healthy? Exit 0 if every site was pulled recently and completely, 1 if
    not.

    \b
    Example, in cron after the backup:
      wpcpd check --max-age 26h
    """
    from wpcpd.health import check, parse_age

    age = parse_age(max_age)
    with _read_archive() as archive:
        verdicts = check(archive, site, age)
    if as_json:
        _print_rows([v.as_dict() for v in verdicts], [], as_json=True)
    else:
        for v in verdicts:
            state = "ok" if v.healthy else "PROBLEM"
            # print(), not rich: rich turns the tabs into spaces.
            print(f"{state}\t#{v.number} {v.key}\t{v.copy}\tlast success "
                  f"{v.last_success or 'never'}")  # fmt: skip
            for problem in v.problems:
                print(f"  - {problem}")
        if not verdicts:
            out.print("no site in the archive yet: nothing is backed up", markup=False)
    if not verdicts or not all(v.healthy for v in verdicts):
        raise typer.Exit(1)


@media_app.command("list")
def media_list(
    site: SiteOption = None,
    status: Annotated[
        str | None, typer.Option(help="Only: ok, missing, failed or too-large.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the media files the archive keeps, with how each fetch went.

    \b
    Example:
      wpcpd media list --status failed
    """
    with _read_archive() as archive:
        rows = [r for r in archive.media_files(site) if status is None or r["status"] == status]
    _print_rows(rows, ["site", "status", "size", "sha256", "url", "reason"], as_json)


@media_app.command("fetch")
def media_fetch(
    site: SiteOption = None,
    media_dir: Annotated[
        Path | None, typer.Option(help="Copy from this copy of wp-content/uploads first.")
    ] = None,
    media_external: Annotated[
        bool, typer.Option(help="Keep files the content shows from other hosts too.")
    ] = False,
    media_max_size: Annotated[
        str, typer.Option(metavar="SIZE", help="Larger files are listed, not fetched.")
    ] = "200MB",
    recheck: Annotated[
        bool, typer.Option(help="Ask again for kept files, conditionally (ETag, date).")
    ] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=16, help="Files fetched at once.")] = 4,
    as_json: JsonOption = False,
) -> None:
    """Fetch what is missing from the media store: new files, failures, 404s again.

    \b
    Example:
      wpcpd media fetch --site blog.example.org
    """
    from wpcpd.media import MediaOptions, parse_size

    if media_dir is not None and not media_dir.is_dir():
        raise UsageError(f"{media_dir}: no such folder (--media-dir)")
    options = MediaOptions(external=media_external, max_size=parse_size(media_max_size),
                           concurrency=concurrency, recheck=recheck, retry_missing=True,
                           media_dir=media_dir)  # fmt: skip
    with _open_archive() as archive:
        row = archive.resolve_site(site)
        keys = [row["key"]] if row is not None else [r["key"] for r in archive.sites()]
        report = pull.fetch_media(archive, keys, options, None)
    if as_json:
        out.print_json(json.dumps(report.as_dict()))
        return
    for warning in report.warnings():
        _warn(warning)
    out.print(report.describe(), markup=False)


@media_app.command("verify")
def media_verify(
    site: SiteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-hash every stored file; exit 1 if any is missing or its bytes changed.

    \b
    Example:
      wpcpd media verify
    """
    from wpcpd.media import verify

    with _read_archive() as archive:
        rows = verify(archive, site)
    bad = [r for r in rows if r["problem"]]
    if as_json:
        _print_rows(rows, [], as_json=True)
    else:
        for r in bad:
            out.print(f"PROBLEM\t{r['site']}\t{r['url']}\t{r['problem']}", markup=False)
        out.print(f"{len(rows) - len(bad)} of {len(rows)} media files verified", markup=False)
    if bad:
        raise typer.Exit(1)


# WordPress's own words for comment statuses, as its REST API and admin screens use them.
COMMENT_STATUS_WORDS = {"approve": "approved", "approved": "approved", "1": "approved",
                        "hold": "hold", "pending": "hold", "unapproved": "hold", "0": "hold",
                        "spam": "spam", "trash": "trash"}  # fmt: skip


def _post_status(value: str | None) -> str | None:
    if value is not None and value.lower() not in POST_STATUSES:
        raise typer.BadParameter(f"{value!r} is not a post status ({', '.join(POST_STATUSES)})")
    return value.lower() if value else None


def _comment_status(value: str | None) -> str | None:
    if value is None:
        return None
    if value.lower() not in COMMENT_STATUS_WORDS:
        raise typer.BadParameter(
            f"{value!r} is not a comment status (approved, hold, spam, trash; or approve, pending)"
        )
    return COMMENT_STATUS_WORDS[value.lower()]


def _comment_type(value: str | None) -> str | None:
    if value is not None and value.lower() not in COMMENT_TYPES:
        raise typer.BadParameter(f"{value!r} is not a comment type ({', '.join(COMMENT_TYPES)})")
    return value.lower() if value else None


@list_app.command("posts")
def list_posts(
    site: SiteOption = None,
    status: Annotated[
        str | None,
        typer.Option(callback=_post_status, help=f"One of: {', '.join(POST_STATUSES)}."),
    ] = None,
    type: Annotated[
        str | None, typer.Option(help="post, page, attachment, or a custom type the site has.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List posts, newest first (drafts by when they were last changed).

    \b
    Example:
      wpcpd list posts --status draft
    """
    with _read_archive() as archive:
        known = {"post", "page", "attachment"} | archive.post_types()
        if type is not None and type not in known:
            raise UsageError(f"{type!r} is not a post type here ({', '.join(sorted(known))})")
        rows = archive.list_posts(site, status, type, limit)
    _print_rows(rows, ["site", "id", "type", "status", "date", "title", "comments"], as_json)


@app.command("comments")
def comments_command(
    site: SiteOption = None,
    status: Annotated[
        str | None,
        typer.Option(
            callback=_comment_status,
            help="approved, hold, spam or trash (WordPress's approve and pending too).",
        ),
    ] = None,
    type: Annotated[
        str | None, typer.Option(callback=_comment_type, help="comment, pingback or trackback.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only comments written on or after this date (GMT).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List comments, newest first: what awaits moderation, what arrived since a date.

    \b
    Examples:
      wpcpd comments --status hold
      wpcpd comments --since 2026-11-24
    """
    with _read_archive() as archive:
        rows = archive.list_comments(site, status, type, limit, since)
    for row in rows:
        if not as_json:  # the whole text, as a reader sees it; the terminal wraps it
            row["content"] = " ".join(html_to_text(row["content"]).split())
    columns = ["site", "id", "post", "parent", "date_gmt", "author_name", "status", "type"]
    if out.is_terminal and not as_json:
        _print_comment_blocks(rows)
    else:
        _print_rows(rows, [*columns, "content"], as_json)


def _print_comment_blocks(rows: list[dict[str, Any]]) -> None:
    """At a terminal, each comment as a heading line and its whole text wrapped below."""
    several = len({row["site"] for row in rows}) > 1
    for row in rows:
        where = f"{row['site']} " if several else ""
        kind = "" if row["type"] == "comment" else f" · {row['type']}"
        reply = f" (reply to #{row['parent']})" if row["parent"] else ""
        out.print(f"[bold]#{row['id']}[/bold] {where}on post {row['post']}{reply} · "
                  f"{escape(_cell(row, 'author_name') or 'anonymous')} · {row['date_gmt']} · "
                  f"{row['status']}{kind}")  # fmt: skip
        text = textwrap.fill(_cell(row, "content"), width=max(40, out.width - 1),
                             initial_indent="    ", subsequent_indent="    ")  # fmt: skip
        out.print(text + "\n", markup=False)


def _print_rows(rows: list[dict[str, Any]], columns: list[str], as_json: bool) -> None:
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    if not out.is_terminal:  # tab-separated when piped, for cut, awk and spreadsheets
        print("\t".join(columns))
        for row in rows:
            print("\t".join(_cell(row, c) for c in columns))
        return
    # Written at once: one rich print per line costs seconds on ten thousand rows.
    sys.stdout.write("".join(line + "\n" for line in _aligned(rows, columns, out.width)))


def _aligned(rows: list[dict[str, Any]], columns: list[str], width: int) -> Iterator[str]:
    """A terminal table: columns aligned, the last one wrapped to the width, nothing cut.

    Plain text rather than rich's Table, which takes seconds to lay out ten thousand rows.
    """
    cells = [[_cell(row, c) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lead = sum(w + 2 for w in widths[:-1])
    room = max(20, width - lead - 1)
    yield "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()
    for row in cells:
        first = "  ".join(v.ljust(w) for v, w in zip(row[:-1], widths[:-1], strict=True))
        tail = textwrap.wrap(row[-1], room) or [""]
        yield (first + "  " + tail[0]).rstrip() if columns[:-1] else tail[0]
        yield from (" " * lead + more for more in tail[1:])


def _cell(row: dict[str, Any], column: str) -> str:
    """A row's value as plain text: entities decoded (`[…]`, not `[&#8230;]`), on one line
    so a tab-separated row stays a row; rows may leave out what does not apply to them."""
    value = row.get(column)
    if value is None:
        return ""
    return " ".join(html.unescape(str(value)).split()) if isinstance(value, str) else str(value)


# The same listing under its older name, kept so scripts keep working; help shows one.
list_app.command("comments", hidden=True)(comments_command)


sites_app = typer.Typer(help="Site profiles: a short name for a blog's address and user.",
                        no_args_is_help=True)  # fmt: skip
app.add_typer(sites_app, name="sites")


@sites_app.command("add")
def sites_add(
    name: Annotated[str, typer.Argument(help="A short name, e.g. myblog.")],
    url: Annotated[str, typer.Argument(help="The blog's address.")],
    user: Annotated[str, typer.Option(help="User name for the application password.")] = "",
    password_env: Annotated[
        str, typer.Option(help="Environment variable holding the password.")
    ] = DEFAULT_PASSWORD_ENV,
    via: Annotated[Via, typer.Option(help="How to read the site.")] = Via.auto,
    replace: Annotated[bool, typer.Option(help="Overwrite a profile of that name.")] = False,
) -> None:
    """Remember a site; no password is stored.

    \b
    Example:
      wpcpd sites add myblog https://blog.example.org --user jo
    """
    profile = Profile(name, url.rstrip("/"), user, password_env, via.value)
    path = add_profile(profile, replace=replace)
    err.print(f"saved {name} in {path}", markup=False)


@sites_app.command("test")
def sites_test(
    name: Annotated[str, typer.Argument(help="A profile name, or a blog's address.")],
    user: Annotated[str | None, typer.Option(help="User name, for addresses.")] = None,
    password_env: Annotated[
        str, typer.Option(help="Environment variable holding the application password.")
    ] = DEFAULT_PASSWORD_ENV,
    as_json: JsonOption = False,
) -> None:
    """Check that a site answers and accepts its credentials; say what is wrong if not.

    \b
    Example:
      WPCPD_PASSWORD=... wpcpd sites test myblog
    """
    url, user, variable = _target_options(name, user, password_env)
    options = pull.LiveOptions(user=user, password=resolve_password(url, user, variable))
    found = pull.probe_site(url, options)
    if as_json:
        out.print_json(json.dumps(found))
    else:
        who = f"logged in as {found['user']}" if found.get("user") else "anonymous (no --user)"
        out.print(f"ok: {found['url']} answers through {found['channel']}; {who}", markup=False)


@sites_app.command("list")
def sites_list(
    as_json: JsonOption = False,
) -> None:
    """List site profiles.

    \b
    Example:
      wpcpd sites list
    """
    rows = [
        {"name": p.name, "url": p.url, "user": p.user, "password_env": p.password_env,
         "via": p.via}
        for p in load_profiles().values()
    ]  # fmt: skip
    _print_rows(rows, ["name", "url", "user", "password_env", "via"], as_json)


@sites_app.command("remove")
def sites_remove(name: Annotated[str, typer.Argument(help="The profile's name.")]) -> None:
    """Forget a site profile (the archive keeps its records).

    \b
    Example:
      wpcpd sites remove myblog
    """
    path = remove_profile(name)
    err.print(f"removed {name} from {path}", markup=False)


@app.command("publish")
def publish_command(
    file: Annotated[Path, typer.Argument(help="A reflection file (Markdown with front matter).")],
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="A site profile or address; repeat for several sites."),
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="draft, pending, publish, future or private.")
    ] = None,
    user: Annotated[str | None, typer.Option(help="User name, for addresses.")] = None,
    password_env: Annotated[
        str, typer.Option(help="Environment variable holding the application password.")
    ] = DEFAULT_PASSWORD_ENV,
    dry_run: Annotated[bool, typer.Option(help="Show what would change; write nothing.")] = False,
    classic: Annotated[bool, typer.Option(help="Plain HTML instead of blocks.")] = False,
    originally_posted: Annotated[
        bool, typer.Option(help="Add 'Originally posted at' the first site, to the others.")
    ] = False,
    strict: Annotated[bool, typer.Option(help="Unanswered prompts are errors.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Publish a reflection to one or several blogs; safe to run again.

    \b
    Example:
      wpcpd publish thing-12.md --to work --to personal --status draft
    """
    from wpcpd.sinks.publish.rest import PublishOptions, publish_file

    targets = to or _front_targets(file)
    if not targets:
        raise UsageError("say where to publish: --to SITE (a profile or an address)")
    connections = [(ref, _connector(ref, user, password_env)) for ref in targets]
    options = PublishOptions(status, dry_run, classic, originally_posted)
    with _open_archive(create=True) as archive:
        publication = publish_file(archive, file, connections, options, strict)
    for warning in publication.document.warnings:
        _warn(warning)
    rows = [o.as_dict() for o in publication.outcomes]
    _print_rows(rows, ["target", "action", "post_id", "url", "message"], as_json)
    for outcome in publication.outcomes:
        if outcome.diff and not as_json:
            out.print(outcome.diff, markup=False)
    if any(o.action == "failed" for o in publication.outcomes):
        raise typer.Exit(1)


def _front_targets(file: Path) -> list[str]:
    from wpcpd.reflect.render import load_document

    return list(load_document(file).front.targets)


def _connector(ref: str, user: str | None, password_env: str) -> Callable[[], Any]:
    url, user, variable = _target_options(ref, user, password_env)

    def connect() -> Any:
        from wpcpd.sinks.publish.rest import connect_site

        options = pull.LiveOptions(user=user, password=resolve_password(url, user, variable))
        return connect_site(url, options)

    return connect


@app.command("show")
def show_command(
    post_ref: Annotated[
        str, typer.Argument(metavar="POST", help="The post's id on its site, its slug or address.")
    ],
    site: SiteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one post with its terms and comment threads; a reflection's prompts and actions.

    \b
    Examples:
      wpcpd show 4
      wpcpd show thing-1-blogging
    """
    from wpcpd.reflect import describe_sections, reflection_of

    with _read_archive() as archive:
        site_key, post = archive.find_post(site, post_ref)
        comments = archive.comments_of(site_key, post.id)
        reflection = reflection_of(archive, site_key, post.id)
    if as_json:
        data = record_to_dict(site_key, post)
        data["comments"] = [record_to_dict(site_key, c) for c in comments]
        data["reflection"] = reflection
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    out.print(f"[bold]{post.title or '(no title)'}[/bold]")
    out.print(
        f"{site_key} #{post.id} · {post.type} · {post.status} · {format_local(post.date)} "
        f"· by {post.author or '?'}",
        markup=False,
    )
    if post.terms:
        out.print("terms: " + ", ".join(f"{t.taxonomy}:{t.name}" for t in post.terms), markup=False)
    out.print()
    if reflection:
        out.print(describe_sections(reflection), markup=False)
    else:
        out.print(html_to_text(post.content), markup=False)
    if comments:
        out.print()
        # Wrapped to the terminal; whole lines when piped, never cut at a width.
        out.print(_comment_tree(comments), soft_wrap=False,
                  width=None if out.is_terminal else 1_000_000)  # fmt: skip


def _comment_tree(comments: list[Comment]) -> Tree:
    tree = Tree(plural(len(comments), "comment"))
    nodes: dict[int, Tree] = {}
    ids = {c.id for c in comments}
    for comment in sorted(comments, key=lambda c: (c.date_gmt is None, c.date_gmt, c.id)):
        parent = nodes.get(comment.parent, tree) if comment.parent in ids else tree
        label = (
            f"{comment.author_name or 'anonymous'} · {format_gmt(comment.date_gmt)} · "
            f"{comment.status}{'' if comment.type == 'comment' else ' · ' + comment.type}\n"
            f"{html_to_text(comment.content)}"
        )
        nodes[comment.id] = parent.add(label)
    return tree


@export_app.command("json")
def export_json(
    out_path: Annotated[
        str, typer.Option("--out", "-o", help="The file to write, or - for standard output.")
    ],
    site: SiteOption = None,
    redact_passwords: Annotated[
        bool, typer.Option(help="Leave posts' own passwords out (they are kept by default).")
    ] = False,
) -> None:
    """Write every record as JSON Lines, losing nothing.

    \b
    Example:
      wpcpd export json -o blog.jsonl
    """
    with _read_archive() as archive, closing(archive.iter_records(site)) as records:
        if out_path == "-":
            count = write_json_lines(records, sys.stdout, redact_passwords=redact_passwords)
        else:
            count = _write_atomically(Path(out_path), records, redact_passwords)
    if out_path != "-":
        err.print(f"wrote {count} records to {out_path}", markup=False)


def _write_atomically(path: Path, records: Any, redact_passwords: bool) -> int:
    """Write beside the target and rename, so a failed export never leaves half a file."""
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            count = write_json_lines(records, handle, redact_passwords=redact_passwords)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return count


# -- reflections: understand past ones, write new ones (wpcpd.reflect) -----------------------


@app.command("reflections")
def reflections_command(
    site: SiteOption = None,
    programme: Annotated[str | None, typer.Option(help="Only this programme, e.g. cpd23.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Find the CPD reflections among archived posts and list them.

    \b
    Example:
      wpcpd reflections --programme cpd23
    """
    from wpcpd.reflect import derive_reflections, resolve_programme, thing_label

    key = resolve_programme(programme).key if programme else None
    with _open_archive() as archive, _phase_bars() as (on_phase, on_step):
        derive_reflections(archive, site, on_phase=on_phase, on_step=on_step)
        rows = archive.reflections(site, key)
    if as_json:
        _print_rows(rows, [], as_json=True)
        return
    table_rows = [
        {
            "site": row["site"],
            "id": row["post_id"],
            "thing": thing_label(row["things"]).removeprefix("Things ").removeprefix("Thing "),
            "date": (row["date"] or "")[:10],
            "title": row["title"],
            "words": row["word_count"],
            "action": _first_action(row["actions"]),
        }
        for row in rows
    ]
    columns = ["id", "thing", "date", "title", "words", "action"]
    several_sites = len({row["site"] for row in rows}) > 1
    _print_rows(table_rows, ["site", *columns] if several_sites else columns, as_json=False)


def _first_action(actions: list[str]) -> str:
    if not actions:
        return ""
    first = " ".join(actions[0].split())
    return first + (f" (+{len(actions) - 1})" if len(actions) > 1 else "")


@app.command("templates")
def templates_command(
    as_json: JsonOption = False,
) -> None:
    """List the reflection templates, shipped and your own, with their prompts.

    Your own go in the directory shown at the end (or $WPCPD_TEMPLATES).

    \b
    Example:
      wpcpd templates
    """
    from wpcpd.reflect import list_templates
    from wpcpd.reflect.programmes import user_templates_dir

    rows = [
        {
            "name": t.name,
            "origin": t.origin,
            "needs": ", ".join(t.needs),
            "description": t.error or t.description,
            "prompts": t.prompt_summary,
            "path": str(t.path),
        }
        for t in list_templates()
    ]
    _print_rows(rows, ["name", "origin", "needs", "description", "prompts"], as_json)
    if not as_json:
        err.print(f"your templates: {user_templates_dir()}", markup=False)


@app.command("new")
def new_command(
    template: Annotated[str, typer.Argument(help="A template name (see `wpcpd templates`).")],
    thing: Annotated[int | None, typer.Option(help="The programme's Thing number.")] = None,
    programme: Annotated[str | None, typer.Option(help="The programme (default cpd23).")] = None,
    site: SiteOption = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.")
    ] = None,
    include_private: Annotated[
        bool,
        typer.Option(
            help="Also list drafts, pending, scheduled, private and password-protected posts "
            "(programme-review); left out by default, as the text is meant to be published."
        ),
    ] = False,
) -> None:
    """Start a reflection: Markdown with front matter and the prompts as headings.

    \b
    Example:
      wpcpd new thing --thing 12 --out thing-12.md
    """
    from wpcpd.reflect.templates import find_template, new_reflection

    if out_file is not None and out_file.exists():
        # Its uid ties it to what was published; a new file would get a new one.
        raise UsageError(f"{out_file} exists; choose another --out or remove it first")
    if "archive" in find_template(template).needs:
        notes: list[str] = []
        with _read_archive() as archive:
            text = new_reflection(
                template, thing, programme, archive=archive, site=site,
                include_private=include_private, notes=notes,
            )  # fmt: skip
        for note in notes:
            err.print(f"wpcpd: note: {note}", markup=False, soft_wrap=True)
    else:
        text = new_reflection(template, thing, programme)
    if out_file is None:
        sys.stdout.write(text)
        return
    try:
        out_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {out_file}: {exc.strerror or exc}") from exc
    err.print(f"wrote {out_file}", markup=False)


@app.command("render")
def render_command(
    file: Annotated[Path, typer.Argument(help="A reflection file (Markdown with front matter).")],
    classic: Annotated[bool, typer.Option(help="Plain HTML instead of block markup.")] = False,
    strict: Annotated[bool, typer.Option(help="Unanswered prompts are errors.")] = False,
) -> None:
    """Print the HTML that publishing would send: block-editor markup, or --classic HTML.

    \b
    Example:
      wpcpd render thing-12.md
    """
    from wpcpd.reflect import load_document

    document = load_document(file, strict=strict)
    for warning in document.warnings:
        _warn(warning)
    print(document.to_classic() if classic else document.to_blocks())


# -- migrate a blog: push an archived site into another WordPress, then verify it -----------


@app.command("push")
def push_command(
    from_site: FromSiteOption,
    to: Annotated[str, typer.Option(help="The WordPress to push into (address or profile).")],
    user: Annotated[
        str | None, typer.Option(help="An administrator on the target (application password).")
    ] = None,
    password_env: Annotated[
        str, typer.Option(help="Environment variable holding the application password.")
    ] = DEFAULT_PASSWORD_ENV,
    dry_run: Annotated[
        bool, typer.Option(help="Say what would be written; write nothing.")
    ] = False,
    only: Annotated[
        str | None, typer.Option(help="Only some of: posts,pages,comments,media.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only posts, media and comments dated on or after (GMT).")
    ] = None,
    comments_only: Annotated[
        bool, typer.Option(help="Only comments: carry new ones from an old blog still live.")
    ] = False,
    author_map: Annotated[
        Path | None, typer.Option(help="CSV of 'old login,new login or e-mail' lines.")
    ] = None,
    default_author: Annotated[
        str | None, typer.Option(help="Give items of unknown authors to this target user.")
    ] = None,
    create_authors: Annotated[
        bool, typer.Option(help="Create target users for authors it does not have.")
    ] = False,
    include_spam: Annotated[bool, typer.Option(help="Carry spam comments too.")] = False,
    include_trash: Annotated[bool, typer.Option(help="Carry trashed posts and comments.")] = False,
    media_dir: Annotated[
        Path | None, typer.Option(help="A local copy of the old uploads folder.")
    ] = None,
    redirects: Annotated[
        Path | None,
        typer.Option(help="Write FILE.csv, .nginx.conf, .htaccess and .redirection.json."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=8, help="Writes at once.")] = 1,
    insecure_http: Annotated[
        bool, typer.Option(help="Allow sending a password over plain http to another host.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Push an archived blog into another WordPress; run again to resume or update.

    \b
    Examples:
      WPCPD_PASSWORD=... wpcpd push --from old.example.org \\
          --to https://new.example.org --user admin \\
          --create-authors --redirects redirects
    """
    from wpcpd.sinks.migrate import push as migrate

    url, user, variable = _target_options(to, user, password_env)
    options = migrate.PushOptions(
        user=user, password=resolve_password(url, user, variable), insecure_http=insecure_http,
        dry_run=dry_run, only=migrate.parse_only(only), since=migrate.parse_since(since),
        comments_only=comments_only,
        author_map=migrate.read_author_map(author_map) if author_map else {},
        default_author=default_author, create_authors=create_authors,
        include_spam=include_spam, include_trash=include_trash, media_dir=media_dir,
        redirects=redirects, concurrency=concurrency,
    )  # fmt: skip
    with _open_archive() as archive, _phase_bars() as (on_phase, on_step):
        report = migrate.push(archive, from_site, url, options, on_phase=on_phase,
                              on_step=on_step)  # fmt: skip
    for warning in report.warnings:
        _warn(warning)
    if as_json:
        out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        out.print(report.describe(), markup=False)
    if report.failed:
        raise typer.Exit(1)


class _phase_bars:
    """One progress bar per push phase on a terminal; nothing when piped."""

    def __enter__(self) -> tuple[Any, Any]:
        if not err.is_terminal or state.quiet:
            return None, None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress

        self.progress: Any = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                                      console=err, transient=True)  # fmt: skip
        _LIVE.append(self.progress)
        self.progress.start()
        self.task: Any = None

        def on_phase(phase: str, total: int) -> None:
            self.task = self.progress.add_task(phase, total=total)

        def on_step() -> None:
            if self.task is not None:
                self.progress.advance(self.task)

        return on_phase, on_step

    def __exit__(self, *exc: object) -> None:
        _stop_live()


@app.command("verify")
def verify_command(
    from_site: FromSiteOption,
    against: Annotated[
        str,
        typer.Option(
            "--against",
            "--to",
            metavar="SITE",
            help="The WordPress it was pushed into (as push's --to).",
        ),
    ],
    user: Annotated[
        str | None, typer.Option(help="A user on the target (application password).")
    ] = None,
    password_env: Annotated[
        str, typer.Option(help="Environment variable holding the application password.")
    ] = DEFAULT_PASSWORD_ENV,
    include_spam: Annotated[bool, typer.Option(help="Spam comments were pushed too.")] = False,
    include_trash: Annotated[bool, typer.Option(help="Trashed items were pushed too.")] = False,
    insecure_http: Annotated[
        bool, typer.Option(help="Allow sending a password over plain http to another host.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Read the target back and compare it with the archive, field by field; exit 1 on
    differences.

    \b
    Examples:
      WPCPD_PASSWORD=... wpcpd verify --from old.example.org \\
          --against https://new.example.org --user admin
    """
    from wpcpd.sinks.migrate.verify import verify

    url, user, variable = _target_options(against, user, password_env)
    live = pull.LiveOptions(user=user, password=resolve_password(url, user, variable),
                            insecure_http=insecure_http)  # fmt: skip
    with _open_archive() as archive:
        report = verify(archive, from_site, url, live, include_spam=include_spam,
                        include_trash=include_trash)  # fmt: skip
    if as_json:
        out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        out.print(report.describe(), markup=False)
    if not report.ok:
        raise typer.Exit(1)
