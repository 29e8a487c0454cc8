"""The command line: parses arguments, calls the library, prints. Nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from contextlib import closing
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from wpcpd import __version__, pull
from wpcpd.archive import Archive, default_path
from wpcpd.config import (
    Profile,
    add_profile,
    find_profile,
    load_profiles,
    remove_profile,
    target_options,
)
from wpcpd.credentials import DEFAULT_PASSWORD_ENV, resolve_password
from wpcpd.errors import UsageError, WpcpdError
from wpcpd.model import Comment, format_gmt, format_local
from wpcpd.sinks.jsonl import record_to_dict, write_json_lines
from wpcpd.sources.scrape import ScrapeOptions
from wpcpd.text import html_to_text

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


class _State:
    archive_path: Path = default_path()
    debug: bool = False


state = _State()


class App(typer.Typer):
    """Turns every error into one line and an exit code; --debug shows the traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except WpcpdError as exc:
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted; what was committed is kept, run the command again to resume", 130)
        except Exception as exc:  # a bug: still one line unless asked for more
            _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)", 3)


def _fail(message: str, code: int) -> None:
    if state.debug or "--debug" in sys.argv:
        traceback.print_exc()
    err.print(f"wpcpd: error: {message}", markup=False, soft_wrap=True)
    raise SystemExit(code)


app = App(
    name="wpcpd",
    help="Keep a WordPress blog's posts, pages and comments in a local SQLite archive.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)
list_app = typer.Typer(help="List posts or comments in the archive.", no_args_is_help=True)
export_app = typer.Typer(help="Write the archive out in another format.", no_args_is_help=True)
app.add_typer(list_app, name="list")
app.add_typer(export_app, name="export")


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
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Keep a WordPress blog's posts, pages and comments in a local SQLite archive.

    Example: `wpcpd pull export.xml && wpcpd stats`
    """
    state.archive_path = archive
    state.debug = debug


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
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Read a blog into the archive; running it again updates, never duplicates.

    Examples: `wpcpd pull fixtures/sample-cpd23.xml`;
    `WPCPD_PASSWORD=... wpcpd pull https://blog.example.org --user jo`;
    `wpcpd pull https://old.example.org --via scrape --delay 2`
    """
    profile = find_profile(source)
    if profile is not None:
        source, user = profile.url, user or profile.user or None
        password_env = profile.password_env or password_env
        via = Via(profile.via) if via == Via.auto else via
    live = pull.LiveOptions(
        user=user,
        password=resolve_password(source, user, password_env),
        concurrency=concurrency,
        insecure_http=insecure_http,
        full=full,
        comments_only=comments_only,
        scrape=ScrapeOptions(max_pages, _date_option(since), url_pattern, delay, ignore_robots),
    )
    with _open_archive(create=True) as archive, _progress(source) as on_progress:
        result = pull.pull(archive, source, via=via.value, live=live, on_progress=on_progress)
    if as_json:
        out.print_json(json.dumps(result.as_dict()))
        return
    for warning in result.warnings:
        err.print(f"wpcpd: warning: {warning}", markup=False)
    out.print(result.describe(), markup=False)


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
    if not err.is_terminal:
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
        self.progress.start()
        return lambda done: self.progress.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


@app.command("stats")
def stats_command(
    site: Annotated[str | None, typer.Option(help="Only this site (key, URL or number).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count what the archive holds: posts by type and status, comments, terms, authors.

    Example: `wpcpd stats --json`
    """
    with _open_archive() as archive:
        stats = archive.stats(site)
    if as_json:
        out.print_json(json.dumps(stats))
        return
    for s in stats["sites"]:
        out.print(f"{s['key']}  {s['title']}  (via {s['channel']}, pulled {s['last_pulled_at']})")
    table = Table("what", "kind", "count", box=None)
    for post_type, by_status in stats["posts"].items():
        for status, n in by_status.items():
            table.add_row("posts", f"{post_type} / {status}", str(n))
    for status, n in stats["comments"]["by_status"].items():
        table.add_row("comments", status, str(n))
    for kind, n in stats["comments"]["by_type"].items():
        table.add_row("comments", f"type {kind}", str(n))
    for taxonomy, n in stats["terms"].items():
        table.add_row("terms", taxonomy, str(n))
    table.add_row("authors", "", str(stats["authors"]))
    table.add_row("media", "", str(stats["media"]))
    out.print(table)


@list_app.command("posts")
def list_posts(
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    status: Annotated[str | None, typer.Option(help="publish, draft, private, ...")] = None,
    type: Annotated[str | None, typer.Option(help="post, page, attachment, ...")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List posts, newest first. Example: `wpcpd list posts --status draft`"""
    with _open_archive() as archive:
        rows = archive.list_posts(site, status, type, limit)
    _print_rows(rows, ["site", "id", "type", "status", "date", "title", "comments"], as_json)


@list_app.command("comments")
def list_comments(
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    status: Annotated[str | None, typer.Option(help="approved, hold, spam or trash.")] = None,
    type: Annotated[str | None, typer.Option(help="comment, pingback, trackback.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only comments written on or after this date (GMT).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List comments, newest first. Example: `wpcpd list comments --status hold`"""
    with _open_archive() as archive:
        rows = archive.list_comments(site, status, type, limit, since)
    for row in rows:
        if not as_json:
            row["content"] = " ".join(row["content"].split())[:60]
    columns = ["site", "id", "post", "parent", "date_gmt", "author_name", "status", "type"]
    _print_rows(rows, [*columns, "content"], as_json)


def _print_rows(rows: list[dict[str, Any]], columns: list[str], as_json: bool) -> None:
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    if not out.is_terminal:  # tab-separated when piped, for cut, awk and spreadsheets
        print("\t".join(columns))
        for row in rows:
            print("\t".join("" if row[c] is None else str(row[c]) for c in columns))
        return
    table = Table(*columns, box=None)
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    out.print(table)


@app.command("comments")
def comments_command(
    since: Annotated[str, typer.Option(help="A date (2026-11-01) or date and time, GMT.")],
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """What arrived: comments written since a date, newest first.

    Example, after a daily `wpcpd pull myblog --comments-only`:
    `wpcpd comments --since 2026-11-24`
    """
    list_comments(site=site, since=since, as_json=as_json)


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
) -> None:
    """Remember a site; no password is stored.

    Example: `wpcpd sites add myblog https://blog.example.org --user jo`
    """
    path = add_profile(Profile(name, url.rstrip("/"), user, password_env, via.value))
    err.print(f"saved {name} in {path}", markup=False)


@sites_app.command("list")
def sites_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List site profiles. Example: `wpcpd sites list`"""
    rows = [
        {"name": p.name, "url": p.url, "user": p.user, "password_env": p.password_env,
         "via": p.via}
        for p in load_profiles().values()
    ]  # fmt: skip
    _print_rows(rows, ["name", "url", "user", "password_env", "via"], as_json)


@sites_app.command("remove")
def sites_remove(name: Annotated[str, typer.Argument(help="The profile's name.")]) -> None:
    """Forget a site profile (the archive keeps its records).

    Example: `wpcpd sites remove myblog`
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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Publish a reflection to one or several blogs; safe to run again.

    Example: `wpcpd publish thing-12.md --to work --to personal --status draft`
    """
    from wpcpd.sinks.publish import PublishOptions, publish_file

    targets = to or _front_targets(file)
    if not targets:
        raise UsageError("say where to publish: --to SITE (a profile or an address)")
    connections = [(ref, _connector(ref, user, password_env)) for ref in targets]
    options = PublishOptions(status, dry_run, classic, originally_posted)
    with _open_archive(create=True) as archive:
        publication = publish_file(archive, file, connections, options, strict)
    for warning in publication.document.warnings:
        err.print(f"wpcpd: warning: {warning}", markup=False)
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
    url, user, variable = target_options(ref, user, password_env)

    def connect() -> Any:
        from wpcpd.sinks.publish import connect_site

        options = pull.LiveOptions(user=user, password=resolve_password(url, user, variable))
        return connect_site(url, options)

    return connect


@app.command("show")
def show_command(
    post_id: Annotated[int, typer.Argument(help="The post's id on its site.")],
    site: Annotated[str | None, typer.Option(help="The site, when several hold that id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one post with its terms and comment threads; a reflection's prompts and actions.

    Example: `wpcpd show 42`
    """
    from wpcpd.reflect import describe_sections, reflection_of

    with _open_archive() as archive:
        site_key, post = archive.post(site, post_id)
        comments = archive.comments_of(site_key, post_id)
        reflection = reflection_of(archive, site_key, post_id)
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
        out.print(_comment_tree(comments))


def _comment_tree(comments: list[Comment]) -> Tree:
    tree = Tree(f"{len(comments)} comments")
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
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
) -> None:
    """Write every record as JSON Lines, losing nothing.

    Example: `wpcpd export json -o blog.jsonl`
    """
    with _open_archive() as archive, closing(archive.iter_records(site)) as records:
        if out_path == "-":
            count = write_json_lines(records, sys.stdout)
        else:
            count = _write_atomically(Path(out_path), records)
    if out_path != "-":
        err.print(f"wrote {count} records to {out_path}", markup=False)


def _write_atomically(path: Path, records: Any) -> int:
    """Write beside the target and rename, so a failed export never leaves half a file."""
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            count = write_json_lines(records, handle)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return count


# -- reflections: understand past ones, write new ones (wpcpd.reflect) -----------------------


@app.command("reflections")
def reflections_command(
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    programme: Annotated[str | None, typer.Option(help="Only this programme, e.g. cpd23.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Find the CPD reflections among archived posts and list them.

    Example: `wpcpd reflections --programme cpd23`
    """
    from wpcpd.reflect import derive_reflections, resolve_programme, thing_label

    key = resolve_programme(programme).key if programme else None
    with _open_archive() as archive:
        derive_reflections(archive, site)
        rows = archive.reflections(site, key)
    if as_json:
        _print_rows(rows, [], as_json=True)
        return
    table_rows = [
        {
            "site": row["site"],
            "thing": thing_label(row["things"]).removeprefix("Things ").removeprefix("Thing "),
            "date": (row["date"] or "")[:10],
            "title": row["title"],
            "words": row["word_count"],
            "action": _first_action(row["actions"], shorten=out.is_terminal),
        }
        for row in rows
    ]
    columns = ["thing", "date", "title", "words", "action"]
    several_sites = len({row["site"] for row in rows}) > 1
    _print_rows(table_rows, ["site", *columns] if several_sites else columns, as_json=False)


def _first_action(actions: list[str], shorten: bool) -> str:
    if not actions:
        return ""
    first = " ".join(actions[0].split())
    if shorten and len(first) > 60:
        first = first[:59] + "…"
    return first + (f" (+{len(actions) - 1})" if len(actions) > 1 else "")


@app.command("templates")
def templates_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the reflection templates, shipped and your own, with their prompts.

    Your own go in the directory shown at the end (or $WPCPD_TEMPLATES). Example: `wpcpd templates`
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
    site: Annotated[str | None, typer.Option(help="Only this site (programme-review).")] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.")
    ] = None,
) -> None:
    """Start a reflection: Markdown with front matter and the prompts as headings.

    Example: `wpcpd new thing --thing 12 --out thing-12.md`
    """
    from wpcpd.reflect.templates import find_template, new_reflection

    if out_file is not None and out_file.exists():
        # Its uid ties it to what was published; a new file would get a new one.
        raise UsageError(f"{out_file} exists; choose another --out or remove it first")
    if "archive" in find_template(template).needs:
        with _open_archive() as archive:
            text = new_reflection(template, thing, programme, archive=archive, site=site)
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

    Example: `wpcpd render thing-12.md --strict`
    """
    from wpcpd.reflect import load_document

    document = load_document(file, strict=strict)
    for warning in document.warnings:
        err.print(f"wpcpd: warning: {warning}", markup=False, soft_wrap=True)
    print(document.to_classic() if classic else document.to_blocks())


# -- migrate a blog: push an archived site into another WordPress, then verify it -----------


@app.command("push")
def push_command(
    from_site: Annotated[
        str, typer.Option("--from", help="The archived site to push (key, address or number).")
    ],
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Push an archived blog into another WordPress; run again to resume or update.

    Example: `WPCPD_PASSWORD=... wpcpd push --from old.example.org --to https://new.example.org
    --user admin --create-authors --redirects redirects`
    """
    from wpcpd.config import target_options
    from wpcpd.sinks import push as migrate

    url, user, variable = target_options(to, user, password_env)
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
    if as_json:
        out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        for warning in report.warnings:
            err.print(f"wpcpd: warning: {warning}", markup=False)
        out.print(report.describe(), markup=False)
    if report.failed:
        raise typer.Exit(1)


class _phase_bars:
    """One progress bar per push phase on a terminal; nothing when piped."""

    def __enter__(self) -> tuple[Any, Any]:
        if not err.is_terminal:
            return None, None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress

        self.progress: Any = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                                      console=err, transient=True)  # fmt: skip
        self.progress.start()
        self.task: Any = None

        def on_phase(phase: str, total: int) -> None:
            self.task = self.progress.add_task(phase, total=total)

        def on_step() -> None:
            if self.task is not None:
                self.progress.advance(self.task)

        return on_phase, on_step

    def __exit__(self, *exc: object) -> None:
        if getattr(self, "progress", None) is not None:
            self.progress.stop()


@app.command("verify")
def verify_command(
    from_site: Annotated[str, typer.Option("--from", help="The archived site that was pushed.")],
    against: Annotated[str, typer.Option(help="The WordPress it was pushed into.")],
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Read the target back and compare it with the archive, field by field; exit 1 on
    differences. Example: `wpcpd verify --from old.example.org --against https://new.example.org
    --user admin`
    """
    from wpcpd.config import target_options
    from wpcpd.verify import verify

    url, user, variable = target_options(against, user, password_env)
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
