"""The archive's side of the model's record descriptions (wpcpd.model.RecordSpec): column
lists, upsert SQL, row values and row readers, each derived once, at import.

`describe_sql()` prints what is generated, for reading (tests/test_archive_columns.py holds
it to the hand-written statements it replaced).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from wpcpd.hashing import record_hash
from wpcpd.model import (
    AUTHOR_SPEC,
    COMMENT_SPEC,
    MEDIA_SPEC,
    POST_SPEC,
    SITE_SPEC,
    TERM_SPEC,
    Author,
    Comment,
    Convert,
    Media,
    Meta,
    Post,
    RecordSpec,
    Site,
    Term,
    TermRef,
    format_gmt,
    format_local,
    parse_gmt,
    parse_local,
)

# What each conversion is called in the generated functions (see `RecordTable`).
_TO_COLUMN = {Convert.FLAG: "int", Convert.LOCAL_TIME: "format_local",
              Convert.GMT_TIME: "format_gmt"}  # fmt: skip
_FROM_COLUMN = {Convert.FLAG: "bool", Convert.LOCAL_TIME: "parse_local",
                Convert.GMT_TIME: "parse_gmt"}  # fmt: skip
_FLATTENED = {Convert.TERMS: "*flat_terms(r)", Convert.META: "*flat_meta(r.{name})"}

PROVENANCE = ("channel", "pulled_at", "public_only", "record_hash")
"""What the rows of posts and comments carry besides the record: how they were read."""
FLAGS = ("public_only", "record_hash")
"""What the rows of authors, terms and media carry besides the record."""


class RecordTable:
    """One record type's table: its columns, upsert, row values, hash and row reader.

    The per-record functions are generated from the description once, as plain lambdas
    (their source is in `sources`, printed by `describe_sql`), since a loop over the
    fields for every record made saves and exports slower by a third."""

    def __init__(self, spec: RecordSpec, tail: tuple[str, ...], *, revive: bool = False) -> None:
        self.spec = spec
        self.name = spec.table
        self.columns = tuple(f.column_name for f in spec.columns)
        self.key = tuple(spec.key)
        self.upsert = upsert_sql(self.name, self.key, self.columns, tail, revive=revive)
        self.sources = _sources(spec)
        functions = {name: _compiled(source) for name, source in self.sources.items()}
        self.key_of: Callable[[Any], tuple[Any, ...]] = functions["key_of"]
        """The values of a record's key columns (a tuple, as stored hashes are looked up by)."""
        self.values: Callable[[Any], tuple[Any, ...]] = functions["values"]
        """The record's column values, in column order (what its record hash starts with)."""
        self.hash: Callable[[Any, tuple[Any, ...]], str] = functions["hash"]
        """The record hash, given its values: over them, then its children (terms, meta)
        flattened, in description order. Never change what it covers: every stored hash
        would then differ, and a re-pull would rewrite everything."""
        self.record: Callable[[sqlite3.Row], Any] = functions["record"]
        """The record a row holds (children, such as terms and meta, left at their default)."""


def _sources(spec: RecordSpec) -> dict[str, str]:
    """The source of the functions a `RecordTable` is made of."""
    columns = spec.columns
    by_column = {f.column_name: f.name for f in columns}
    keys = "".join(f"r.{by_column[c]}, " for c in spec.key)
    values = "".join(f"{_call(_TO_COLUMN.get(f.convert), f'r.{f.name}')}, " for f in columns)
    children = [_FLATTENED[f.convert].format(name=f.name) for f in spec.children]
    hashed = f"(*v, {', '.join(children)})" if children else "v"
    fields = ", ".join(
        f"{f.name}={_call(_FROM_COLUMN.get(f.convert), f'row[{f.column_name!r}]')}" for f in columns
    )
    return {
        "key_of": f"lambda r: ({keys})",
        "values": f"lambda r: ({values})",
        "hash": f"lambda r, v: record_hash({hashed})",
        "record": f"lambda row: {spec.type.__name__}({fields})",
    }


def _call(function: str | None, argument: str) -> str:
    return f"{function}({argument})" if function else argument


def _compiled(source: str) -> Callable[..., Any]:
    """A generated lambda, with `_SCOPE` as its globals."""
    return eval(compile(source, "<wpcpd.archive.columns>", "eval"), _SCOPE)


def upsert_sql(
    table: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    tail: tuple[str, ...],
    *,
    revive: bool = False,
) -> str:
    """Insert a site's row, or update every column but its key; revive=True also clears the
    row's removed_at (the record is back on the site)."""
    names = ("site_id", *columns, *tail)
    updates = [f"{c} = excluded.{c}" for c in names if c not in ("site_id", *key)]
    inserted, values = ", ".join(names), ", ".join("?" * len(names))
    if revive:
        inserted, values = f"{inserted}, removed_at", f"{values}, NULL"
        updates.append("removed_at = NULL")
    return (
        f"INSERT INTO {table} ({inserted}) VALUES ({values}) "
        f"ON CONFLICT (site_id, {', '.join(key)}) DO UPDATE SET {', '.join(updates)}"
    )


def site_upsert_sql() -> str:
    """A site's row: its first and last pull times kept beside it; unchanged, untouched."""
    columns = tuple(f.column_name for f in SITE_SPEC.columns)
    rest = [c for c in columns if c not in SITE_SPEC.key]
    names = (*columns, "first_pulled_at", "last_pulled_at")
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*rest, "last_pulled_at"))
    return (
        f"INSERT INTO sites ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
        f"ON CONFLICT ({', '.join(SITE_SPEC.key)}) DO UPDATE SET {updates} "
        f"WHERE ({', '.join(rest)}) IS NOT ({', '.join('excluded.' + c for c in rest)})"
    )


def flat_meta(meta: list[Meta] | None) -> list[str]:
    """Meta as the values a record hash covers: key, value, key, value..."""
    return [part for pair in meta or () for part in pair]


def sorted_terms(post: Post) -> list[TermRef]:
    """Term order means nothing to WordPress and differs between channels."""
    return sorted(post.terms, key=lambda t: (t.taxonomy, t.slug))


def flat_terms(post: Post) -> list[str]:
    """A post's terms as the values its record hash covers."""
    return [f"{t.taxonomy}:{t.slug}:{t.name}" for t in sorted_terms(post)]


def last_by(records: list[Any], key: Callable[[Any], Any]) -> list[Any]:
    """One record per key, the last one winning, as a later line of an export would."""
    return list({key(r): r for r in records}.values())


_SCOPE: dict[str, Any] = {
    "__builtins__": {"int": int, "bool": bool},
    **{f.__name__: f for f in (format_local, format_gmt, parse_local, parse_gmt)},
    **{f.__name__: f for f in (record_hash, flat_terms, flat_meta)},
    **{t.__name__: t for t in (Site, Author, Term, Post, Comment, Media)},
}
"""The names the generated functions use, and nothing else."""

SITES = RecordTable(SITE_SPEC, ())
AUTHORS = RecordTable(AUTHOR_SPEC, FLAGS)
TERMS = RecordTable(TERM_SPEC, FLAGS)
POSTS = RecordTable(POST_SPEC, PROVENANCE, revive=True)
COMMENTS = RecordTable(COMMENT_SPEC, PROVENANCE, revive=True)
MEDIA = RecordTable(MEDIA_SPEC, FLAGS)
SITE_UPSERT = site_upsert_sql()


def describe_sql() -> str:
    """Every generated statement, one per line, then the generated functions, for reading."""
    tables = (SITES, AUTHORS, TERMS, POSTS, COMMENTS, MEDIA)
    functions = [f"{t.name}.{name}: {source}" for t in tables for name, source in t.sources.items()]
    return "\n".join([SITE_UPSERT, *(t.upsert for t in tables[1:]), *functions])
