"""The archive's SQL and record hashes derived from the model's record descriptions: the
same statements, the same schema and the same stored hashes as the hand-written code they
replaced, and a new field gets its column with no migration written."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wpcpd import model
from wpcpd.archive import Archive
from wpcpd.archive.columns import describe_sql
from wpcpd.model import RECORD_SPECS, Author, Comment, Media, Post, Site, Term, TermRef
from wpcpd.sinks.jsonl import record_to_dict


def _records() -> list[model.Record]:
    return [
        Site("hash.example.org", "https://hash.example.org", "Title", "Desc", "en", "wxr"),
        Author("ann", 3, "ann@example.org", "Ann \u2019A", "Ann", "A"),
        Author("bob"),
        Term("category", "cpd", "CPD", 7, "", "About \x00CPD", [("colour", "red"), ("k", "v")]),
        Term("post_tag", "x", "X"),
        Post(
            id=11,
            type="post",
            status="publish",
            slug="s",
            title="T\u00e9",
            content="<p>c</p>",
            excerpt="e",
            date=datetime(2011, 8, 1, 10, 0),
            date_gmt=datetime(2011, 8, 1, 9, 0, tzinfo=UTC),
            modified=datetime(2011, 8, 2, 10, 0),
            modified_gmt=None,
            author="ann",
            parent=2,
            menu_order=1,
            comment_status="closed",
            ping_status="open",
            sticky=True,
            password_protected=True,
            password="pw",
            guid="g",
            link="https://hash.example.org/s",
            mime_type="",
            featured_media=12,
            terms=[TermRef("post_tag", "x", "X"), TermRef("category", "cpd", "CPD")],
            meta=[("_a", "1"), ("_a", "2"), ("b", 'a:1:{i:0;s:1:"x";}')],
        ),
        Post(id=12, type="attachment", status="inherit", meta=None),
        Comment(
            11,
            11,
            0,
            "N",
            "n@example.org",
            "https://n",
            "127.0.0.1",
            3,
            datetime(2011, 8, 1, 11, 0),
            datetime(2011, 8, 1, 10, 0, tzinfo=UTC),
            "hi",
            "approved",
            "comment",
            [("m", "1")],
        ),
        Media(
            12,
            11,
            "https://hash.example.org/wp-content/uploads/a.jpg",
            "2011/08/a.jpg",
            "image/jpeg",
            "alt",
        ),
    ]


# Written by the code before the descriptions (git history: wpcpd/archive.py), for these records.
OLD_HASHES = {
    ("authors", "ann"): "9196895c4aadce6ddb135a99549559b0",
    ("authors", "bob"): "7b9e37333616ecd62092cc66b47e1bcb",
    ("terms", "cpd"): "bca81ddf262b974c0bcb11cb130d4117",
    ("terms", "x"): "e885b46aa45655a86a6ef113055165e1",
    ("posts", 11): "0ec5e888dcfbcc359f96ece279954074",
    ("posts", 12): "30b8460b54545a929e6e79846c9a7559",
    ("comments", 11): "142294770d78e2deaac876d472790ecb",
    ("media", 12): "ec8b5f6484b40351e98f01a51c9547fb",
}
KEYS = {"authors": "login", "terms": "slug", "posts": "id", "comments": "id", "media": "id"}


def test_record_hashes_are_those_the_old_code_stored(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        archive.save(_records())
        found = {
            (table, row[0]): row[1]
            for table, key in KEYS.items()
            for row in archive.db.execute(f"SELECT {key}, record_hash FROM {table}")
        }
    assert found == OLD_HASHES


def test_records_read_back_as_saved(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        archive.save(_records())
        back = [record for _, record in archive.iter_records()]
    saved = _records()
    for record in saved:
        if isinstance(record, Post):
            record.terms.sort(key=lambda t: (t.taxonomy, t.slug))
            record.meta = record.meta or []
    order = [Site, Author, Term, Post, Media, Comment]
    assert back == sorted(saved, key=lambda r: order.index(type(r)))


def test_generated_sql_reads_as_the_hand_written_statements() -> None:
    lines = describe_sql().splitlines()
    assert lines[1] == (
        "INSERT INTO authors (site_id, login, id, email, display_name, first_name, last_name, "
        "public_only, record_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, "
        "login) DO UPDATE SET id = excluded.id, email = excluded.email, display_name = "
        "excluded.display_name, first_name = excluded.first_name, last_name = "
        "excluded.last_name, public_only = excluded.public_only, record_hash = "
        "excluded.record_hash"
    )
    assert lines[0].endswith(
        "WHERE (url, title, description, language, channel) IS NOT (excluded.url, "
        "excluded.title, excluded.description, excluded.language, excluded.channel)"
    )
    assert lines[3].startswith("INSERT INTO posts (site_id, id, type, status, slug, title,")
    assert lines[3].endswith("record_hash = excluded.record_hash, removed_at = NULL")


def _declared(sql: str) -> tuple[str, int, str | None]:
    """(type, notnull, default) as PRAGMA table_info reports a declaration."""
    words = sql.split()
    default = words[words.index("DEFAULT") + 1] if "DEFAULT" in words else None
    return words[0], int("NOT NULL" in sql), default


def test_descriptions_match_the_tables_the_migrations_made(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        for spec in RECORD_SPECS.values():
            info = {r[1]: (r[2], r[3], r[4]) for r in archive.db.execute(
                f"PRAGMA table_info({spec.table})")}  # fmt: skip
            for field in spec.columns:
                assert info[field.column_name] == _declared(field.sql or ""), field


def test_every_dataclass_field_is_described() -> None:
    for record_type, spec in RECORD_SPECS.items():
        names = {f.name for f in dataclasses.fields(record_type)}
        assert [f.name for f in spec.fields] == sorted(
            names, key=[f.name for f in spec.fields].index
        )
        assert {f.name for f in spec.fields} == names


def test_json_keys_in_their_published_order() -> None:
    author, term = _records()[1], _records()[3]
    assert list(record_to_dict("s", author)) == [
        "record", "site", "id", "login", "email", "display_name", "first_name", "last_name"
    ]  # fmt: skip
    assert list(record_to_dict("s", term)) == [
        "record", "site", "id", "taxonomy", "slug", "name", "parent", "description", "meta"
    ]  # fmt: skip
    post = record_to_dict("s", _records()[5], passwords=True)
    assert list(post)[-4:] == ["featured_media", "terms", "meta", "password"]


def test_a_new_field_gets_its_column_without_a_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-edit path (wpcpd.model's docstring): a described column the table lacks is
    added when the archive is next opened for writing."""
    path = tmp_path / "a.db"
    Archive(path).close()
    spec = RECORD_SPECS[Media]
    grown = dataclasses.replace(spec, fields=(*spec.fields, model.FieldSpec("caption")))
    monkeypatch.setitem(RECORD_SPECS, Media, grown)
    with pytest.raises(Exception, match="open it once where it can be written to"):
        Archive(path, read_only=True)
    Archive(path).close()
    columns = [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(media)")]
    assert columns[-1] == "caption"
    Archive(path, read_only=True).close()
