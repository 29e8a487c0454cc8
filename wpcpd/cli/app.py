"""The one command-line app: global options, every command registered in the order help lists
them, each error turned into one line and an exit code, Ctrl-C and SIGTERM ended cleanly, and
help tidied to read well at 80 columns. The commands themselves live in wpcpd.cli.commands."""

from __future__ import annotations

import logging
import os
import signal
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

try:  # newer typer carries its own copy of click; older ones depend on click itself
    from typer._click.exceptions import ClickException
    from typer._click.exceptions import UsageError as ClickUsageError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException
    from click.exceptions import UsageError as ClickUsageError

from wpcpd import __version__
from wpcpd.archive import default_path
from wpcpd.cli.commands import (
    auth,
    export,
    find,
    inspect,
    media,
    migrate,
    publish,
    pull,
    reflect,
    sites,
)
from wpcpd.cli.context import state
from wpcpd.cli.output import err, out, stop_live
from wpcpd.errors import WpcpdError
from wpcpd.sinks import EXPORTS


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


def _fail(message: str, code: int) -> None:
    stop_live()
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
sites_app = typer.Typer(help="Site profiles: a short name for a blog's address and user.",
                        no_args_is_help=True)  # fmt: skip
app.add_typer(list_app, name="list")
app.add_typer(export_app, name="export")
app.add_typer(media_app, name="media")
app.add_typer(sites_app, name="sites")
auth_app = typer.Typer(help="Tokens for blogs that need one (WordPress.com).", no_args_is_help=True)
app.add_typer(auth_app, name="auth")


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


app.command("pull")(pull.pull_command)
app.command("stats")(inspect.stats_command)
app.command("check")(inspect.check_command)
app.command("comments")(inspect.comments_command)
app.command("publish")(publish.publish_command)
app.command("show")(inspect.show_command)
app.command("search")(find.search_command)
app.command("datasette")(find.datasette_command)
app.command("reflections")(reflect.reflections_command)
app.command("templates")(reflect.templates_command)
app.command("new")(reflect.new_command)
app.command("render")(reflect.render_command)
app.command("push")(migrate.push_command)
app.command("verify")(migrate.verify_command)

list_app.command("posts")(inspect.list_posts)
# The same listing under its older name, kept so scripts keep working; help shows one.
list_app.command("comments", hidden=True)(inspect.comments_command)
for _name, _export in EXPORTS.items():
    export_app.command(_name)(export.export_command(_export))
media_app.command("list")(media.media_list)
media_app.command("fetch")(media.media_fetch)
media_app.command("verify")(media.media_verify)
sites_app.command("add")(sites.sites_add)
auth_app.command("wpcom")(auth.auth_wpcom)
sites_app.command("test")(sites.sites_test)
sites_app.command("list")(sites.sites_list)
sites_app.command("remove")(sites.sites_remove)
