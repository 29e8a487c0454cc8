"""Lossless JSON Lines export: one object per record, named by its "record" key.

The field names here are a contract other tools rely on (documented in docs/json-format.md):
add fields, never rename or drop them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import closing
from typing import TYPE_CHECKING, Any, TextIO

from wpcpd.model import (
    RECORD_SPECS,
    Convert,
    Record,
    RecordSpec,
    Site,
    TermRef,
    format_gmt,
    format_local,
    meta_object,
)
from wpcpd.sinks.base import ExportFlag, ExportFormat

if TYPE_CHECKING:
    from wpcpd.archive import Archive


def json_terms(terms: list[TermRef]) -> list[dict[str, str]]:
    """A post's terms as the export writes them."""
    return [{"taxonomy": t.taxonomy, "slug": t.slug, "name": t.name} for t in terms]


_TO_JSON = {Convert.LOCAL_TIME: "format_local", Convert.GMT_TIME: "format_gmt",
            Convert.TERMS: "json_terms", Convert.META: "meta_object"}  # fmt: skip
"""What writes the values that are not JSON as they are (a FLAG's bool already is)."""
_SCOPE: dict[str, Any] = {
    "__builtins__": {},
    **{f.__name__: f for f in (format_local, format_gmt, json_terms, meta_object)},
}


def json_source(spec: RecordSpec, *, passwords: bool) -> str:
    """The source of the function that writes a record of `spec` as a dict: its keys and
    their order come from the description; a site's own key is its "site"."""
    items = [f'"record": {spec.kind!r}'] + ([] if spec.type is Site else ['"site": site'])
    for field in spec.json_fields:
        if field.secret and not passwords:
            continue
        convert = _TO_JSON.get(field.convert)
        value = f"{convert}(r.{field.name})" if convert else f"r.{field.name}"
        items.append(f"{field.json_key!r}: {value}")
    return f"lambda site, r: {{{', '.join(items)}}}"


# Generated once rather than looping over the fields for every record: that made an
# export twice as slow. `json_source` shows what each one is.
_WRITERS: dict[tuple[type, bool], Callable[[str, Any], dict[str, Any]]] = {
    (record_type, passwords): eval(compile(
        json_source(spec, passwords=passwords), f"<json {spec.kind}>", "eval"), _SCOPE)
    for record_type, spec in RECORD_SPECS.items()
    for passwords in (False, True)
}  # fmt: skip


def record_to_dict(site: str, record: Record, *, passwords: bool = False) -> dict[str, Any]:
    """The export form of one record; a post's own password only when `passwords` is set.

    The default leaves it out, since this is also what `show --json` prints; the export
    carries it, as WordPress's own exporter does.
    """
    writer = _WRITERS.get((type(record), passwords))
    if writer is None:
        raise TypeError(f"not a record: {record!r}")
    return writer(site, record)


def write_json_lines(
    records: Iterable[tuple[str, Record]], out: TextIO, *, redact_passwords: bool = False
) -> int:
    """Write records one per line; returns how many were written."""
    count = 0
    for site, record in records:
        data = record_to_dict(site, record, passwords=not redact_passwords)
        out.write(json.dumps(data, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def export(
    archive: Archive,
    site: str | None,
    out: TextIO,
    *,
    redact_passwords: bool = False,
    history: bool = False,
) -> int:
    """Every record the archive holds (or one site's) as JSON Lines; returns how many.
    `history` adds, after them, each earlier version of a post or comment the archive kept
    (`post_revision` and `comment_revision` lines)."""
    with closing(archive.iter_records(site)) as records:
        count = write_json_lines(records, out, redact_passwords=redact_passwords)
    if history:
        with closing(archive.iter_revisions(site)) as revisions:
            for revision in revisions:
                out.write(json.dumps(revision, ensure_ascii=False))
                out.write("\n")
                count += 1
    return count


EXPORT = ExportFormat(
    name="json",
    summary="Write every record as JSON Lines, losing nothing.",
    example="wpcpd export json -o blog.jsonl",
    write=export,
    flags=(
        ExportFlag(
            "redact_passwords", "Leave posts' own passwords out (they are kept by default)."
        ),
        ExportFlag("history", "Add the earlier versions of posts and comments the archive kept."),
    ),
)
