"""Reflections are derived once per version of a post: again only for what changed.

Derivations are counted by wrapping `detect_reflection` where `wpcpd.reflect.derive` calls it,
and posts read by wrapping `Archive.posts_by_id`. Whatever changed, the stored reflections
must equal what `detect_site_reflections` finds among the archive's posts from scratch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wpcpd.archive import Archive
from wpcpd.model import Post, Reconcile, Site, TermRef
from wpcpd.reflect import derive
from wpcpd.reflect.derive import derive_reflections
from wpcpd.reflect.detect import detect_site_reflections
from wpcpd.reflect.programmes import load_programmes
from wpcpd.sources.wxr import read_wxr

BLOG = Path(__file__).parent.parent / "fixtures" / "reflections" / "cpd23-blog.xml"
SITE = "jo.example.org"
REFLECTIONS = [101, 102, 103, 104, 105, 107, 108]
"""107, "Thing 17: Prezi and Slideshare", names no programme: the site's cpd23 claims it."""
POSTS = [101, 102, 103, 104, 105, 106, 107, 108, 201, 202, 203]


@pytest.fixture(autouse=True)
def no_user_programmes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the shipped programme definitions, whatever the developer keeps in ~/.config."""
    monkeypatch.setenv("WPCPD_TEMPLATES", str(tmp_path / "no-user-templates"))


class Counted:
    """The posts `detect_reflection` was asked about, and the posts read from the archive."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.derived: list[int] = []
        self.read: list[int] = []
        detect, read = derive.detect_reflection, Archive.posts_by_id

        def counting_detect(post: Post, *args: Any, **kwargs: Any) -> Any:
            self.derived.append(post.id)
            return detect(post, *args, **kwargs)

        def counting_read(archive: Archive, *args: Any, **kwargs: Any) -> Iterator[Post]:
            for post in read(archive, *args, **kwargs):
                self.read.append(post.id)
                yield post

        monkeypatch.setattr(derive, "detect_reflection", counting_detect)
        monkeypatch.setattr(Archive, "posts_by_id", counting_read)

    def reset(self) -> None:
        self.derived.clear()
        self.read.clear()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counted:
    return Counted(monkeypatch)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "wpcpd.db") as archive:
        archive.save(read_wxr(BLOG))
        yield archive


def site_of(archive: Archive) -> Site:
    record = next(archive.iter_records(SITE))[1]
    assert isinstance(record, Site)
    return record


def post(archive: Archive, post_id: int) -> Post:
    return next(archive.posts_by_id(SITE, [post_id]))


def save_posts(archive: Archive, *posts: Post | Reconcile) -> None:
    archive.save(iter([site_of(archive), *posts]))


def listed(archive: Archive) -> list[int]:
    return [row["post_id"] for row in archive.reflections(SITE)]


def from_scratch(archive: Archive, programmes: Any = None) -> list[dict[str, Any]]:
    """What detection finds among the posts not marked removed, without any stored check."""
    live = [p for _, p in archive.iter_records(SITE) if isinstance(p, Post)]
    removed = {row[0] for row in archive.db.execute(
        "SELECT id FROM posts WHERE removed_at IS NOT NULL")}  # fmt: skip
    posts = [p for p in live if p.id not in removed]
    return [r.as_row() for r in detect_site_reflections(posts, programmes)]


def stored(archive: Archive) -> list[dict[str, Any]]:
    keys = ("post_id", "programme", "things", "topic", "sections", "actions", "word_count")
    return [{k: row[k] for k in keys} for row in archive.reflections(SITE)]


def test_a_second_derivation_reads_no_post_and_writes_nothing(
    archive: Archive, counted: Counted
) -> None:
    assert derive_reflections(archive) == len(REFLECTIONS)
    first = sorted(counted.derived)
    counted.reset()
    changes = archive.db.total_changes

    assert derive_reflections(archive) == len(REFLECTIONS)
    assert derive_reflections(archive, SITE) == len(REFLECTIONS)

    # Every post once, and 107 again as part of the site's programme.
    assert first == sorted([*POSTS, 107])
    assert counted.derived == [] and counted.read == []
    assert archive.db.total_changes == changes
    assert listed(archive) == REFLECTIONS
    assert stored(archive) == from_scratch(archive)


def test_a_changed_post_is_derived_again_and_only_it(archive: Archive, counted: Counted) -> None:
    derive_reflections(archive)
    action = "Action: try Mendeley for a month."
    changed = post(archive, 105)
    changed.content += f"<p>{action}</p>"
    save_posts(archive, changed)
    counted.reset()

    assert derive_reflections(archive) == len(REFLECTIONS)

    assert counted.derived == [105] and counted.read == [105]
    row = next(r for r in archive.reflections(SITE) if r["post_id"] == 105)
    assert row["actions"][-1] == "try Mendeley for a month."
    assert stored(archive) == from_scratch(archive)


def test_a_changed_posts_stale_reflection_never_shows(archive: Archive, counted: Counted) -> None:
    derive_reflections(archive)
    recipe = dataclasses.replace(
        post(archive, 104), title="Lemon drizzle cake", terms=[TermRef("category", "baking", "")]
    )
    save_posts(archive, recipe)

    before = listed(archive)  # not derived again yet: the old reflection is not shown
    counted.reset()
    derive_reflections(archive)

    assert 104 not in before
    assert counted.derived == [104]
    assert 104 not in listed(archive)
    assert stored(archive) == from_scratch(archive)


def test_a_removed_posts_reflection_never_shows(archive: Archive, counted: Counted) -> None:
    derive_reflections(archive)
    save_posts(archive, Reconcile("post", present=set(POSTS) - {108}, post_type="post"))

    before = listed(archive)
    counted.reset()
    derive_reflections(archive)

    assert 108 not in before
    assert counted.derived == []  # nothing to read: it is forgotten
    assert listed(archive) == [101, 102, 103, 104, 105, 107]
    assert archive.query("SELECT * FROM reflections WHERE post_id = 108") == []
    assert stored(archive) == from_scratch(archive)


def test_the_site_programme_claims_unlabelled_things_as_its_posts_change(
    archive: Archive, counted: Counted
) -> None:
    derive_reflections(archive)
    # Removing all but one labelled cpd23 reflection leaves the site no programme of its own:
    # 107 stops being a reflection, though 107 itself did not change and is not read.
    keep = {101, 106, 107, 201, 202, 203}
    save_posts(archive, Reconcile("post", present=keep, post_type="post"))
    counted.reset()
    derive_reflections(archive)
    assert counted.derived == [] and counted.read == []
    assert listed(archive) == [101]
    assert stored(archive) == from_scratch(archive)

    # Back again: the returning posts are read, and 107 is claimed again.
    archive.db.execute("UPDATE posts SET removed_at = NULL")
    counted.reset()
    derive_reflections(archive)
    assert sorted(counted.derived) == [102, 103, 104, 105, 107, 108]
    assert listed(archive) == REFLECTIONS
    assert stored(archive) == from_scratch(archive)


def test_a_renamed_term_derives_its_posts_again(archive: Archive, counted: Counted) -> None:
    derive_reflections(archive)
    # Renaming a tag on the site changes no post's record, only the term's name.
    archive.db.execute("UPDATE terms SET name = 'cake' WHERE slug = 'reference-management'")
    counted.reset()

    derive_reflections(archive)

    assert counted.derived == [105]
    assert stored(archive) == from_scratch(archive)


def test_other_programme_definitions_derive_everything_again(
    archive: Archive, counted: Counted
) -> None:
    derive_reflections(archive)
    programmes = load_programmes()
    cpd23 = programmes["cpd23"]
    fewer = {"cpd23": dataclasses.replace(cpd23, things=dict(list(cpd23.things.items())[:10]))}
    counted.reset()

    derive_reflections(archive, programmes=fewer)

    assert sorted(set(counted.derived)) == POSTS
    assert 107 not in listed(archive)  # Thing 17 is not a thing of the shortened programme
    assert stored(archive) == from_scratch(archive, fewer)


def run_reflections(archive_path: Path, *, stderr_on_terminal: bool) -> tuple[str, str]:
    """`wpcpd reflections`, stdout piped; stderr a pseudo-terminal or a pipe."""
    env = {**os.environ, "WPCPD_TEMPLATES": str(archive_path.parent / "no-user-templates"),
           "COLUMNS": "100"}  # fmt: skip
    command = [sys.executable, "-m", "wpcpd", "--archive", str(archive_path), "reflections"]
    if not stderr_on_terminal:
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        return done.stdout, done.stderr
    leader, follower = pty.openpty()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower, env=env) as proc:
        os.close(follower)
        stdout = proc.stdout.read() if proc.stdout else b""
        seen = b""
        with contextlib.suppress(OSError):  # EIO once the child has closed the terminal
            while chunk := os.read(leader, 65536):
                seen += chunk
        assert proc.wait() == 0
    os.close(leader)
    return stdout.decode(), seen.decode(errors="replace")


def test_progress_shows_on_a_terminal_only_while_posts_are_read(tmp_path: Path) -> None:
    path = tmp_path / "wpcpd.db"
    with Archive(path) as archive:
        archive.save(read_wxr(BLOG))

    first_out, first_err = run_reflections(path, stderr_on_terminal=True)
    again_out, again_err = run_reflections(path, stderr_on_terminal=True)
    with Archive(path) as archive:
        archive.db.execute("DELETE FROM reflection_checks")
    piped_out, piped_err = run_reflections(path, stderr_on_terminal=False)

    assert f"deriving reflections of {SITE}" in first_err
    assert "deriving" not in again_err  # nothing to read: no bar at all
    assert piped_err == ""
    assert first_out == again_out == piped_out
    assert len(piped_out.splitlines()) == 1 + len(REFLECTIONS)
