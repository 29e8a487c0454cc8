"""Reading the archive: `stats`, `check`, `list posts`, `comments` and `show`."""

from __future__ import annotations

import textwrap
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from wpcpd.cli.context import read_archive
from wpcpd.cli.options import JsonOption, SiteOption
from wpcpd.cli.output import cell, out, print_json, print_rows, print_text
from wpcpd.dates import parse_age
from wpcpd.errors import UsageError
from wpcpd.model import COMMENT_TYPES, POST_STATUSES, Comment, format_gmt, format_local
from wpcpd.sinks.jsonl import record_to_dict
from wpcpd.text import html_to_text, plural


def stats_command(
    site: SiteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Count what the archive holds: posts by type and status, comments, terms, authors.

    \b
    Example:
      wpcpd stats --json
    """
    with read_archive() as archive:
        stats = archive.stats(site)
    if as_json:
        print_json(stats)
        return
    rows = [row for s in stats["sites"] for row in _stats_rows(s)]
    if not out.is_terminal:  # one tab-separated table: site, what, kind, value
        print_rows(rows, ["site", "what", "kind", "value"], as_json=False)
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
    from wpcpd.archive.health import check

    age = parse_age(max_age)
    with read_archive() as archive:
        verdicts = check(archive, site, age)
    if as_json:
        print_rows([v.as_dict() for v in verdicts], [], as_json=True)
    else:
        for v in verdicts:
            verdict = "ok" if v.healthy else "PROBLEM"
            # print(), not rich: rich turns the tabs into spaces.
            print(f"{verdict}\t#{v.number} {v.key}\t{v.copy}\tlast success "
                  f"{v.last_success or 'never'}")  # fmt: skip
            for problem in v.problems:
                print(f"  - {problem}")
        if not verdicts:
            print_text("no site in the archive yet: nothing is backed up")
    if not verdicts or not all(v.healthy for v in verdicts):
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


LimitOption = Annotated[int | None, typer.Option(help="At most this many.")]


def list_posts(
    site: SiteOption = None,
    status: Annotated[
        str | None,
        typer.Option(callback=_post_status, help=f"One of: {', '.join(POST_STATUSES)}."),
    ] = None,
    type: Annotated[
        str | None, typer.Option(help="post, page, attachment, or a custom type the site has.")
    ] = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """List posts, newest first (drafts by when they were last changed).

    \b
    Example:
      wpcpd list posts --status draft
    """
    with read_archive() as archive:
        known = {"post", "page", "attachment"} | archive.post_types()
        if type is not None and type not in known:
            raise UsageError(f"{type!r} is not a post type here ({', '.join(sorted(known))})")
        rows = archive.list_posts(site, status, type, limit)
    print_rows(rows, ["site", "id", "type", "status", "date", "title", "comments"], as_json)


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
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """List comments, newest first: what awaits moderation, what arrived since a date.

    \b
    Examples:
      wpcpd comments --status hold
      wpcpd comments --since 2026-11-24
    """
    with read_archive() as archive:
        rows = archive.list_comments(site, status, type, limit, since)
    for row in rows:
        if not as_json:  # the whole text, as a reader sees it; the terminal wraps it
            row["content"] = " ".join(html_to_text(row["content"]).split())
    columns = ["site", "id", "post", "parent", "date_gmt", "author_name", "status", "type"]
    if out.is_terminal and not as_json:
        _print_comment_blocks(rows)
    else:
        print_rows(rows, [*columns, "content"], as_json)


def _print_comment_blocks(rows: list[dict[str, Any]]) -> None:
    """At a terminal, each comment as a heading line and its whole text wrapped below."""
    several = len({row["site"] for row in rows}) > 1
    for row in rows:
        where = f"{row['site']} " if several else ""
        kind = "" if row["type"] == "comment" else f" · {row['type']}"
        reply = f" (reply to #{row['parent']})" if row["parent"] else ""
        out.print(f"[bold]#{row['id']}[/bold] {where}on post {row['post']}{reply} · "
                  f"{escape(cell(row, 'author_name') or 'anonymous')} · {row['date_gmt']} · "
                  f"{row['status']}{kind}")  # fmt: skip
        text = textwrap.fill(cell(row, "content"), width=max(40, out.width - 1),
                             initial_indent="    ", subsequent_indent="    ")  # fmt: skip
        print_text(text + "\n")


def show_command(
    post_ref: Annotated[
        str, typer.Argument(metavar="POST", help="The post's id on its site, its slug or address.")
    ],
    site: SiteOption = None,
    history: Annotated[
        bool,
        typer.Option(
            "--history", help="List the earlier versions of the post and its comments instead."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show one post with its terms and comment threads; a reflection's prompts and actions.

    \b
    Examples:
      wpcpd show 4
      wpcpd show thing-1-blogging
      wpcpd show 4 --history
    """
    from wpcpd.reflect import describe_sections, reflection_of

    if history:
        _show_history(post_ref, site, as_json)
        return
    with read_archive() as archive:
        site_key, post = archive.find_post(site, post_ref)
        comments = archive.comments_of(site_key, post.id)
        reflection = reflection_of(archive, site_key, post.id)
    if as_json:
        data = record_to_dict(site_key, post)
        data["comments"] = [record_to_dict(site_key, c) for c in comments]
        data["reflection"] = reflection
        print_json(data)
        return
    out.print(f"[bold]{post.title or '(no title)'}[/bold]")
    print_text(f"{site_key} #{post.id} · {post.type} · {post.status} · {format_local(post.date)} "
               f"· by {post.author or '?'}")  # fmt: skip
    if post.terms:
        print_text("terms: " + ", ".join(f"{t.taxonomy}:{t.name}" for t in post.terms))
    out.print()
    print_text(describe_sections(reflection) if reflection else html_to_text(post.content))
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


HISTORY_COLUMNS = ["kind", "id", "version", "modified_gmt", "pulled_at", "replaced_at",
                   "replaced_by_run", "status", "title", "text"]  # fmt: skip


def _show_history(post_ref: str, site: str | None, as_json: bool) -> None:
    """Each version of the post and of its comments the archive kept, oldest first, the
    current one last (`replaced_at` empty)."""
    with read_archive() as archive:
        site_key, post = archive.find_post(site, post_ref)
        rows = archive.history_of(site_key, post.id)
    for row in rows:
        row["site"] = site_key
        if not as_json:
            row["text"] = " ".join(html_to_text(row.pop("content")).split())
            row["status"] += ", removed from the site" if row.pop("removed_at") else ""
    if not rows and not as_json:
        print_text(f"{site_key} #{post.id}: no earlier version of the post or its comments")
        return
    if out.is_terminal and not as_json:
        _print_history_blocks(rows)
        return
    print_rows(rows, ["site", *HISTORY_COLUMNS], as_json)


def _print_history_blocks(rows: list[dict[str, Any]]) -> None:
    """At a terminal, each version as a heading line (which item, when read, when replaced,
    by which pull) and its text wrapped below."""
    latest = {(row["kind"], row["id"]): row["version"] for row in rows}
    for row in rows:
        current = row["replaced_at"] is None
        of = latest[(row["kind"], row["id"])]
        heading = [f"[bold]{row['kind']} #{row['id']}[/bold], version {row['version']} of {of}"
                   + (" (now)" if current else "")]  # fmt: skip
        if row["modified_gmt"]:
            heading.append(f"modified {row['modified_gmt']}")
        heading.append(f"read {row['pulled_at']}")
        if not current:
            heading.append(f"replaced {row['replaced_at']} by pull {row['replaced_by_run'] or '?'}")
        heading.append(escape(row["status"]))
        out.print(" · ".join(heading))
        text = f"{row['title']} — {row['text']}" if row["title"] else row["text"]
        print_text(textwrap.fill(text, width=max(40, out.width - 1), initial_indent="    ",
                                 subsequent_indent="    ") + "\n")  # fmt: skip
