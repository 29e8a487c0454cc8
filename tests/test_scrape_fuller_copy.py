"""A scrape or an anonymous pull over a fuller copy (WXR, a pull with a password) changes
nothing of that copy: `export json` is the same byte for byte, and no second media row
appears for a file the archive already holds. First the archive's rules on small records,
then the sequences through the command line against the real WordPress, as a person runs
them."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from wpcpd.archive import Archive
from wpcpd.model import Author, Comment, Media, Post, Record, Site, Term, TermRef
from wpcpd.sinks.jsonl import write_json_lines


def wpcpd(*args: str | Path, archive: Path, **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "wpcpd", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "WPCPD_ARCHIVE": str(archive), "COLUMNS": "200", **env},
        timeout=300,
    )
    assert result.returncode == 0, f"wpcpd {args} failed: {result.stderr}"
    return result


def export_bytes(archive: Path, out: Path) -> bytes:
    wpcpd("export", "json", "--out", out, archive=archive)
    return out.read_bytes()


def assert_same_export(after: bytes, before: bytes) -> None:
    changed = [line for line in after.splitlines() if line not in set(before.splitlines())]
    gone = [line for line in before.splitlines() if line not in set(after.splitlines())]
    assert (changed, gone) == ([], [])
    assert after == before


def media_rows(archive: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(archive) as db:
        return db.execute("SELECT id, url, file FROM media ORDER BY id").fetchall()


def pull_json(*args: str | Path, archive: Path, **env: str) -> dict[str, Any]:
    return json.loads(wpcpd("pull", *args, "--json", archive=archive, **env).stdout)


def scrape(site: Any, archive: Path) -> dict[str, Any]:
    return pull_json(site.url, "--via", "scrape", "--delay", "0", archive=archive)


def anonymous_pull(site: Any, archive: Path) -> dict[str, Any]:
    return pull_json(site.url, "--via", "rest", archive=archive)


def password_pull(site: Any, archive: Path) -> dict[str, Any]:
    return pull_json(site.url, "--user", site.admin_user, archive=archive,
                     WPCPD_PASSWORD=site.app_password)  # fmt: skip


def wxr_pull(site: Any, tmp_path: Path, archive: Path) -> dict[str, Any]:
    return pull_json(site.export_wxr(tmp_path / "export.xml"), archive=archive)


def assert_nothing_changed(result: dict[str, Any]) -> None:
    """What the summary says of a public-only read over a full copy: nothing new, nothing
    updated (a fuller record is "kept")."""
    for kind, counts in result["records"].items():
        assert counts.get("new", 0) == 0, (kind, counts)
        assert counts.get("updated", 0) == 0, (kind, counts)


# -- the archive's rules, on small records ------------------------------------------------

SITE = Site("blog.example.org", "https://blog.example.org", "Blog", channel="wxr")
UPLOADS = "https://blog.example.org/wp-content/uploads/2023/01/"
FULL_TERM = Term("category", "23-things", "23 Things", id=2, parent="cpd",
                 description="Posts for the programme.", meta=[("colour", "green")])  # fmt: skip


def save(archive: Archive, *records: Record, public_only: bool = False) -> dict[str, Any]:
    return archive.save(iter([SITE, *records]), public_only=public_only).as_dict()["records"]


def exported(archive: Archive) -> str:
    out = io.StringIO()
    write_json_lines(archive.iter_records(), out)
    return out.getvalue()


def terms_of(archive: Archive) -> dict[tuple[str, str], Term]:
    return {(t.taxonomy, t.slug): t for _, t in archive.iter_records() if isinstance(t, Term)}


def posts_of(archive: Archive) -> dict[int, Post]:
    return {p.id: p for _, p in archive.iter_records() if isinstance(p, Post)}


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "wpcpd.db") as opened:
        yield opened


def test_a_public_only_term_never_changes_a_full_one(archive: Archive) -> None:
    save(archive, FULL_TERM, Term("category", "cpd", "CPD", id=1))
    before = exported(archive)
    scraped = Term("category", "23-things", "23 things", parent="cpd")
    anonymous = replace(FULL_TERM, name="23 Things!", description="", meta=[])
    assert save(archive, scraped, anonymous, public_only=True)["term"] == {"kept": 1}
    assert save(archive, Term("category", "cpd", "cpd"), public_only=True)["term"] == {"kept": 1}
    assert exported(archive) == before
    assert save(archive, replace(FULL_TERM, name="Twenty-three"))["term"] == {"updated": 1}


def test_public_only_reads_fill_in_each_other_and_never_blank(archive: Archive) -> None:
    """What a scrape does not see (id, description, a parent's name) is never blanked; what it
    sees again (a renamed category) is updated."""
    unnamed_parent = Term("category", "cpd", "")
    assert save(archive, unnamed_parent, Term("category", "tools", "Tools", parent="cpd"),
                public_only=True)["term"] == {"new": 2}  # fmt: skip
    save(archive, Term("category", "cpd", "CPD", id=7, description="All of it."),
         public_only=True)  # fmt: skip
    save(archive, unnamed_parent, Term("category", "tools", "Tools & tricks"), public_only=True)
    terms = terms_of(archive)
    assert (terms["category", "cpd"].name, terms["category", "cpd"].id) == ("CPD", 7)
    assert terms["category", "cpd"].description == "All of it."
    assert (terms["category", "tools"].name, terms["category", "tools"].parent) == (
        "Tools & tricks", "cpd",
    )  # fmt: skip
    # within one read, a later sighting without a name does not undo an earlier one
    save(archive, Term("post_tag", "x", "X"), Term("post_tag", "x", ""), public_only=True)
    assert terms_of(archive)["post_tag", "x"].name == "X"
    # and a full read replaces the lot
    save(archive, Term("category", "tools", "Tools", id=3))
    assert terms_of(archive)["category", "tools"] == Term("category", "tools", "Tools", id=3)


def test_a_term_read_by_its_id_is_the_archives_term_whatever_slug_was_guessed(
    archive: Archive,
) -> None:
    """Plain permalinks show a category's id and name, not its slug."""
    real = Term("category", "cpd-notes", "Continuing Professional Development", id=9)
    save(archive, real, Post(id=1, title="Old", terms=[TermRef("category", "cpd-notes", "")]))
    before = exported(archive)
    guessed = TermRef("category", "continuing-professional-development", real.name)
    new_post = Post(id=2, title="New", terms=[guessed], meta=None)
    save(archive, Term(guessed.taxonomy, guessed.slug, guessed.name, id=9), new_post,
         replace(new_post, id=1), public_only=True)  # fmt: skip
    assert list(terms_of(archive)) == [("category", "cpd-notes")]
    assert [(t.slug, t.name) for t in posts_of(archive)[2].terms] == [("cpd-notes", real.name)]
    assert exported(archive).replace(before, "").count("\n") == 1  # only the new post


def test_the_same_file_at_another_size_gets_no_second_media_row(archive: Archive) -> None:
    full = Media(10, post=1, url=UPLOADS + "badge-scaled.png", file="2023/01/badge-scaled.png",
                 mime_type="image/png", alt_text="A badge")  # fmt: skip
    save(archive, Post(id=1, featured_media=10), full)
    scraped = Media(-5, post=2, url=UPLOADS + "badge-300x200.png", file="2023/01/badge-300x200.png")
    summary = save(archive, scraped, Post(id=2, featured_media=-5, meta=None), public_only=True)
    assert summary["media"] == {"kept": 1}
    media = [m for _, m in archive.iter_records() if isinstance(m, Media)]
    assert media == [full]
    assert posts_of(archive)[2].featured_media == 10  # the archive's id for the file


def test_a_full_read_replaces_what_a_public_only_one_stored_for_a_file(archive: Archive) -> None:
    save(archive, Media(-5, post=1, url=UPLOADS + "badge.png", file="2023/01/badge.png"),
         public_only=True)  # fmt: skip
    full = Media(10, post=1, url=UPLOADS + "badge.png", file="2023/01/badge.png")
    save(archive, full)
    assert [m for _, m in archive.iter_records() if isinstance(m, Media)] == [full]
    save(archive, Media(-5, post=1, url=UPLOADS + "badge.png"), public_only=True)
    assert [m for _, m in archive.iter_records() if isinstance(m, Media)] == [full]


def test_an_author_a_theme_shows_only_by_name_is_the_archives_author(archive: Archive) -> None:
    save(archive, Author("editor", id=2, email="e@example.org", display_name="Siân O'Brien"))
    before = exported(archive)
    shown = Author("Siân O\u2019Brien", display_name="Siân O\u2019Brien")  # texturised
    summary = save(archive, shown, Post(id=5, author=shown.login, meta=None), public_only=True)
    assert summary["author"] == {"kept": 1}
    assert posts_of(archive)[5].author == "editor"
    assert [line for line in exported(archive).splitlines() if '"author"' in line[:20]] == [
        line for line in before.splitlines() if '"author"' in line[:20]
    ]


def test_a_post_whose_page_shows_no_id_is_the_archived_post_at_its_address(
    archive: Archive,
) -> None:
    link = "https://blog.example.org/2011/03/thing-3/"
    save(archive, Post(id=7, title="Thing 3", link=link, content="<p>Raw.</p>"),
         Comment(id=70, post=7, content="First"))  # fmt: skip
    before = exported(archive)
    stand_in = Post(id=-123456, title="Thing 3", link=link, content="<p>Shown.</p>", meta=None)
    summary = save(archive, stand_in, Comment(id=70, post=-123456, content="First", meta=None),
                   public_only=True)  # fmt: skip
    assert (summary["post"], summary["comment"]) == ({"kept": 1}, {"kept": 1})
    assert exported(archive) == before
    save(archive, stand_in, Comment(id=71, post=-123456, content="Later", meta=None),
         public_only=True)  # fmt: skip
    assert archive.comments_of(SITE.key, 7)[-1].content == "Later"  # on the real post
    assert list(posts_of(archive)) == [7]


def test_upgrading_marks_the_terms_and_media_of_scrape_only_sites(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    scraped_site = Site("old.example.org", "https://old.example.org", channel="scrape")
    with Archive(path) as archive:
        save(archive, FULL_TERM, Media(3, url=UPLOADS + "a.png"), Post(id=1))
        archive.save(iter([scraped_site, Term("category", "a", "A"), Post(id=1),
                           Media(4, url="https://old.example.org/a.png")]),
                     public_only=True)  # fmt: skip
    with sqlite3.connect(path) as db:  # as schema 4 left it: no public_only on terms, media
        db.executescript(
            "DROP INDEX media_by_file; DROP INDEX media_by_url;"
            "ALTER TABLE terms DROP COLUMN public_only; ALTER TABLE media DROP COLUMN public_only;"
            "PRAGMA user_version = 4;"
        )
    with Archive(path) as archive:
        flags = archive.query(
            "SELECT s.key, t.public_only FROM terms t JOIN sites s ON s.id = t.site_id "
            "UNION ALL SELECT s.key, m.public_only FROM media m JOIN sites s ON s.id = m.site_id"
        )
    assert sorted(tuple(row) for row in flags) == [
        ("blog.example.org", 0), ("blog.example.org", 0),
        ("old.example.org", 1), ("old.example.org", 1),
    ]  # fmt: skip


# -- sequences against the real WordPress ---------------------------------------------------


@pytest.mark.wordpress
@pytest.mark.parametrize("theme", ["twentytwentyone", "twentytwentythree"])
def test_a_scrape_over_a_wxr_copy_changes_nothing_of_it(
    wordpress_factory: Callable[..., Any], tmp_path: Path, theme: str
) -> None:
    site = wordpress_factory(theme=theme)
    site.seed_full()
    archive = tmp_path / "wpcpd.db"
    wxr_pull(site, tmp_path, archive)
    before, media = export_bytes(archive, tmp_path / "before.jsonl"), media_rows(archive)
    result = scrape(site, archive)
    assert result["scrape"]["posts"] >= 5, result  # the scrape did read the blog
    assert_same_export(export_bytes(archive, tmp_path / "after.jsonl"), before)
    assert media_rows(archive) == media
    assert_nothing_changed(result)


@pytest.mark.wordpress
def test_a_scrape_over_a_password_pull_changes_nothing_of_it(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    archive = tmp_path / "wpcpd.db"
    password_pull(seeded_wordpress, archive)
    before, media = export_bytes(archive, tmp_path / "before.jsonl"), media_rows(archive)
    assert media, "the seeded site has an attachment"
    assert_nothing_changed(scrape(seeded_wordpress, archive))
    assert_same_export(export_bytes(archive, tmp_path / "after.jsonl"), before)
    assert media_rows(archive) == media


@pytest.mark.wordpress
def test_an_anonymous_pull_over_a_wxr_copy_changes_nothing_of_it(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    archive = tmp_path / "wpcpd.db"
    wxr_pull(seeded_wordpress, tmp_path, archive)
    before, media = export_bytes(archive, tmp_path / "before.jsonl"), media_rows(archive)
    assert_nothing_changed(anonymous_pull(seeded_wordpress, archive))
    assert_same_export(export_bytes(archive, tmp_path / "after.jsonl"), before)
    assert media_rows(archive) == media
    # and a scrape after both still changes nothing
    assert_nothing_changed(scrape(seeded_wordpress, archive))
    assert_same_export(export_bytes(archive, tmp_path / "after-scrape.jsonl"), before)


@pytest.mark.wordpress
def test_a_scrape_without_pretty_permalinks_over_a_wxr_copy_changes_nothing_of_it(
    wordpress_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """Such a site links categories by id alone (?cat=N): the scrape's slug is a guess, and
    for a category whose slug is not made from its name, a wrong one."""
    site = wordpress_factory(permalinks=None)
    site.seed_full()
    site.php(
        "$id = wp_insert_term('Continuing Professional Development', 'category',\n"
        "  ['slug' => 'cpd-notes'])['term_id'];\n"
        "wp_insert_post(['post_title' => 'Why CPD', 'post_status' => 'publish',\n"
        "  'post_date' => '2023-03-01 10:00:00', 'post_content' => 'Because.',\n"
        "  'post_category' => [$id]]);\n"
    )
    archive = tmp_path / "wpcpd.db"
    wxr_pull(site, tmp_path, archive)
    before, media = export_bytes(archive, tmp_path / "before.jsonl"), media_rows(archive)
    assert_nothing_changed(scrape(site, archive))
    assert_same_export(export_bytes(archive, tmp_path / "after.jsonl"), before)
    assert media_rows(archive) == media


@pytest.mark.wordpress
def test_a_wxr_pull_after_a_scrape_leaves_one_row_per_file_and_the_real_terms(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    """The other order: what the scrape stored for a file or a term is replaced, not kept
    beside the real one."""
    archive, fresh = tmp_path / "scraped-first.db", tmp_path / "fresh.db"
    scrape(seeded_wordpress, archive)
    assert [row[0] < 0 for row in media_rows(archive)] == [True]  # no id on the page
    wxr_pull(seeded_wordpress, tmp_path, archive)
    wxr_pull(seeded_wordpress, tmp_path, fresh)
    assert media_rows(archive) == media_rows(fresh)
    lines = export_bytes(archive, tmp_path / "after.jsonl").splitlines()
    wanted = export_bytes(fresh, tmp_path / "fresh.jsonl").splitlines()
    assert [line for line in lines if b'"record": "term"' in line] == [
        line for line in wanted if b'"record": "term"' in line
    ]
    assert lines == wanted
