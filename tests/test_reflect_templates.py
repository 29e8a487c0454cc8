"""Templates and programme definitions: listing, writing a new reflection, the programme review."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
import yaml

from wpcpd.archive import Archive
from wpcpd.errors import UsageError
from wpcpd.model import Post, TermRef
from wpcpd.reflect.detect import detect_reflection
from wpcpd.reflect.programmes import load_programmes, resolve_programme
from wpcpd.reflect.render import load_document, to_blocks
from wpcpd.reflect.templates import (
    list_templates,
    markdown_escape,
    new_reflection,
    review_reflections,
)
from wpcpd.sources.wxr import read_wxr

BLOG = Path(__file__).parent.parent / "fixtures" / "reflections" / "cpd23-blog.xml"
TODAY = date(2024, 5, 1)
SHIPPED = {"thing", "gibbs", "what-so-what-now-what", "programme-review"}


@pytest.fixture(autouse=True)
def user_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user templates directory, so a developer's own templates never leak in."""
    directory = tmp_path / "user-templates"
    directory.mkdir()
    monkeypatch.setenv("WPCPD_TEMPLATES", str(directory))
    return directory


def front_and_body(text: str) -> tuple[dict, str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def headings(body: str) -> list[str]:
    return [line[3:] for line in body.splitlines() if line.startswith("## ")]


# -- the cpd23 definition -----------------------------------------------------------------------


def test_cpd23_definition_has_23_things_each_with_topic_and_two_to_four_prompts() -> None:
    cpd23 = load_programmes()["cpd23"]
    assert sorted(cpd23.things) == list(range(1, 24))
    for thing in cpd23.things.values():
        assert thing.topic and 2 <= len(thing.prompts) <= 4, thing
        assert all(p.endswith("?") for p in thing.prompts)
    assert cpd23.things[12].topic == "Putting the social into social media"
    assert resolve_programme(None).key == "cpd23" and resolve_programme("CPD23").key == "cpd23"


# -- listing ------------------------------------------------------------------------------


def test_list_templates_shows_shipped_ones_with_descriptions_and_prompts() -> None:
    templates = {t.name: t for t in list_templates()}
    assert set(templates) == SHIPPED
    assert all(t.origin == "shipped" and t.description and not t.error for t in templates.values())
    assert [p.heading for p in templates["gibbs"].prompts] == [
        "Description", "Feelings", "Evaluation", "Analysis", "Conclusion", "Action plan",
    ]  # fmt: skip
    assert [p.heading for p in templates["what-so-what-now-what"].prompts] == [
        "What?", "So what?", "Now what?",
    ]  # fmt: skip
    assert "programme definition" in templates["thing"].prompt_summary
    assert templates["programme-review"].needs == ("programme", "archive")


def test_user_templates_are_listed_and_can_replace_shipped_ones(user_templates: Path) -> None:
    (user_templates / "daily.md.j2").write_text(
        "{#\ndescription: A two-line daily note.\n"
        "prompts:\n  - What did I do?\n  - What did I notice?\n"
        "title: 'Daily note {{ today }}'\n#}\n"
        "{% for p in prompts %}## {{ p.heading }}\n\n{{ placeholder() }}\n\n{% endfor %}",
        encoding="utf-8",
    )
    (user_templates / "gibbs.md.j2").write_text(
        "{#\ndescription: My own Gibbs.\nprompts: [Only this]\n#}\n## Only this\n", encoding="utf-8"
    )
    templates = {t.name: t for t in list_templates()}
    assert set(templates) == SHIPPED | {"daily"}
    assert (templates["daily"].origin, templates["daily"].description) == (
        "user",
        "A two-line daily note.",
    )
    assert (templates["gibbs"].origin, templates["gibbs"].description) == ("user", "My own Gibbs.")
    front, body = front_and_body(new_reflection("daily", today=TODAY))
    assert front["title"] == "Daily note 2024-05-01"
    assert headings(body) == ["What did I do?", "What did I notice?"]
    assert "TODO: write your answer here." in body


def test_broken_user_templates_are_listed_with_the_problem_and_refused(
    user_templates: Path,
) -> None:
    (user_templates / "broken.md.j2").write_text("## No header\n", encoding="utf-8")
    (user_templates / "typo.md.j2").write_text(
        "{#\ndescription: Has a Jinja mistake.\n#}\n{% for x in %}\n", encoding="utf-8"
    )
    listed = {t.name: t for t in list_templates()}
    assert "no header" in listed["broken"].error
    with pytest.raises(UsageError, match=r"broken\.md\.j2: bad header: no header"):
        new_reflection("broken")
    with pytest.raises(UsageError, match=r"typo\.md\.j2:4: "):
        new_reflection("typo")


def test_unknown_template_names_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"no template 'nope' \(known: gibbs, programme-review"):
        new_reflection("nope")


# -- writing a new reflection -------------------------------------------------------------------


def test_new_thing_has_the_front_matter_publishing_needs() -> None:
    front, body = front_and_body(new_reflection("thing", thing=12, today=TODAY))
    assert list(front) == [
        "title", "uid", "programme", "thing", "status", "date", "categories", "tags",
        "featured_image", "targets",
    ]  # fmt: skip
    assert front["title"] == "cpd23 Thing 12: Putting the social into social media"
    assert uuid.UUID(front["uid"]).version == 4
    assert (front["programme"], front["thing"], front["status"]) == ("cpd23", 12, "draft")
    assert front["date"] == TODAY
    assert (front["categories"], front["tags"]) == (["CPD"], ["cpd23"])
    assert (front["featured_image"], front["targets"]) == (None, [])
    thing = load_programmes()["cpd23"].things[12]
    assert headings(body) == [*thing.prompts, "My action for this Thing"]


def test_each_new_file_gets_its_own_uid() -> None:
    first, _ = front_and_body(new_reflection("thing", thing=1))
    second, _ = front_and_body(new_reflection("thing", thing=1))
    assert first["uid"] != second["uid"]


def test_new_thing_needs_a_thing_the_programme_has() -> None:
    with pytest.raises(UsageError, match="needs a thing number: --thing N"):
        new_reflection("thing")
    with pytest.raises(UsageError, match="cpd23 has things 1-23; there is no thing 30"):
        new_reflection("thing", thing=30)
    with pytest.raises(UsageError, match="unknown programme 'rudai'"):
        new_reflection("thing", thing=1, programme="rudai")


def test_gibbs_and_what_so_what_now_what_prompts_as_headings() -> None:
    front, body = front_and_body(new_reflection("gibbs", today=TODAY))
    assert headings(body) == [
        "Description", "Feelings", "Evaluation", "Analysis", "Conclusion", "Action plan",
    ]  # fmt: skip
    assert front["programme"] is None and front["tags"] == ["reflection"]
    assert "TODO: what happened?" in body
    front, body = front_and_body(new_reflection("what-so-what-now-what", thing=5, today=TODAY))
    assert headings(body) == ["What?", "So what?", "Now what?"]
    assert (front["programme"], front["thing"]) == ("cpd23", 5)
    assert "relates to Thing 5: Reflective practice" in body


def test_new_output_parses_back_and_reports_every_unanswered_prompt(tmp_path: Path) -> None:
    path = tmp_path / "thing-12.md"
    path.write_text(new_reflection("thing", thing=12, today=TODAY), encoding="utf-8")
    document = load_document(path)
    assert document.front.title == "cpd23 Thing 12: Putting the social into social media"
    assert document.front.things == [12] and document.front.status == "draft"
    unanswered = [w for w in document.warnings if "unanswered prompt" in w]
    assert len(unanswered) == 4  # three prompts and the action
    assert any("placeholder not replaced" in w for w in document.warnings)  # the intro line
    with pytest.raises(UsageError, match=r"5 problems \(--strict\)"):
        load_document(path, strict=True)


def test_a_filled_in_thing_is_detected_as_the_same_reflection(tmp_path: Path) -> None:
    """new -> answer -> render -> (as WordPress would hold it) -> detect: the loop closes."""
    text = new_reflection("thing", thing=8, today=TODAY)
    answers = iter(["Paper diary.", "The shared rota.", "Yes, by June."])
    lines = []
    for line in text.splitlines():
        if line.startswith("TODO: a line"):
            lines.append("This week was about calendars.")
        elif line.startswith("TODO: one concrete"):
            lines.append("Move the team rota into a shared calendar by Friday.")
        elif line.startswith("TODO:"):
            lines.append(next(answers))
        else:
            lines.append(line)
    path = tmp_path / "thing-8.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    document = load_document(path, strict=True)
    assert document.warnings == []
    published = Post(
        id=900,
        title=document.front.title,
        content=document.to_blocks(),
        terms=[TermRef("post_tag", t, t) for t in document.front.tags],
    )
    found = detect_reflection(published)
    assert found is not None
    assert (found.programme, found.things, found.topic) == ("cpd23", [8], "Google Calendar")
    thing = load_programmes()["cpd23"].things[8]
    assert [s.prompt for s in found.sections][:3] == list(thing.prompts)
    assert [s.answer for s in found.sections][:3] == [
        "Paper diary.",
        "The shared rota.",
        "Yes, by June.",
    ]
    assert found.actions == ["Move the team rota into a shared calendar by Friday."]


def test_a_user_programme_drives_the_thing_template(user_templates: Path) -> None:
    (user_templates / "programmes").mkdir()
    (user_templates / "programmes" / "cpd23.toml").write_text(
        'key = "cpd23"\nname = "My cpd23"\nshort_name = "cpd23"\ndefault = true\n'
        '[[things]]\nnumber = 1\ntopic = "Blogs, my way"\nprompts = ["Why blog?", "For whom?"]\n',
        encoding="utf-8",
    )
    front, body = front_and_body(new_reflection("thing", thing=1))
    assert front["title"] == "cpd23 Thing 1: Blogs, my way"
    assert headings(body) == ["Why blog?", "For whom?", "My action for this Thing"]


# -- the programme review --------------------------------------------------------------------


@pytest.fixture
def blog_archive(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "wpcpd.db")
    archive.save(read_wxr(BLOG))
    return archive


def test_programme_review_links_every_reflection_with_its_actions(blog_archive: Archive) -> None:
    with blog_archive:
        front, body = front_and_body(new_reflection("programme-review", archive=blog_archive))
    assert front["title"] == "cpd23: looking back over 23 Things for Professional Development"
    assert front["programme"] == "cpd23" and front["thing"] is None
    for title, link in [
        ("Thing 1: Blogging", "https://jo.example.org/2011/06/21/thing-1-blogging/"),
        (
            "Things 8 & 9: Google Calendar and Evernote",
            "https://jo.example.org/2011/07/20/things-8-9/",
        ),
        ("Thing 17: Prezi and Slideshare", "https://jo.example.org/2011/09/14/thing-17/"),
    ]:
        assert f"- [{title}]({link})" in body
    assert "[Thing \\#14: Zotero, Mendeley and CiteULike]" in body  # Markdown-escaped
    assert "Lemon drizzle" not in body and "23 things I love" not in body


def test_programme_review_says_whether_a_later_post_mentions_each_action(
    blog_archive: Archive,
) -> None:
    with blog_archive:
        _, body = front_and_body(new_reflection("programme-review", archive=blog_archive))
    zotero = next(line for line in body.splitlines() if "Zotero library" in line)
    assert zotero.strip() == (
        "- Action: set up a Zotero library for my Chartership references. — followed up in "
        "[Thing 23: Reflection \u2013 what next?](https://jo.example.org/2011/10/20/thing-23/) "
        "(2011-10-20)"
    )
    friday = next(line for line in body.splitlines() if "Friday" in line)
    assert friday.endswith("— not mentioned in a later post")
    comment = next(line for line in body.splitlines() if "three other cpd23 blogs" in line)
    assert comment.endswith("not mentioned in a later post")  # "comments" elsewhere is no mention
    assert headings(body)[-3:] == [
        "Which Things changed how I work?",
        "Which actions did I not follow up, and why?",
        "What next?",
    ]


def test_programme_review_renders_as_nested_lists(blog_archive: Archive) -> None:
    with blog_archive:
        text = new_reflection("programme-review", archive=blog_archive)
    blocks = to_blocks(text.split("---\n", 2)[2])
    assert blocks.count("<!-- wp:list -->") == 1 + 6  # the outer list, one per reflection's actions
    assert "TODO" not in blocks


def test_programme_review_needs_the_archive() -> None:
    with pytest.raises(UsageError, match="reads the archive"):
        new_reflection("programme-review")


# -- the command line ---------------------------------------------------------------------------


def run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "WPCPD_ARCHIVE": str(cwd / "wpcpd.db"),
        "COLUMNS": "200",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "wpcpd", *map(str, args)],
        capture_output=True, text=True, env=environment, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip


def test_templates_and_new_commands(tmp_path: Path) -> None:
    listed = run("templates", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    names = [line.split("\t")[0] for line in listed.stdout.splitlines()[1:]]
    assert names == sorted(SHIPPED)
    assert "your templates:" in listed.stderr
    written = run("new", "thing", "--thing", "12", "--out", "thing-12.md", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    document = load_document(tmp_path / "thing-12.md")
    assert document.front.title == "cpd23 Thing 12: Putting the social into social media"
    again = run("new", "thing", "--thing", "12", "--out", "thing-12.md", cwd=tmp_path)
    assert again.returncode == 2 and again.stderr.strip() == (
        "wpcpd: error: thing-12.md exists; choose another --out or remove it first"
    )
    printed = run("new", "gibbs", cwd=tmp_path)
    assert printed.stdout.startswith("---\ntitle: 'TODO: a title for this reflection'\n")
    missing = run("new", "thing", cwd=tmp_path)
    assert missing.returncode == 2 and "needs a thing number" in missing.stderr


def test_new_programme_review_command_reads_the_archive(tmp_path: Path) -> None:
    assert run("pull", BLOG, cwd=tmp_path).returncode == 0
    review = run("new", "programme-review", cwd=tmp_path)
    assert review.returncode == 0, review.stderr
    assert "followed up in [Thing 23" in review.stdout


# -- nothing private in what is meant for publishing (issue 9, 3.3) ------------------------------

NOT_PUBLIC = {
    # post id: (status, password, title, date, what the post says)
    301: ("private", "", "Thing 5: Reflective practice (just for me)", "2011-07-01",
          "<p>My action: talk to my manager about the restructure rumours.</p>"),
    302: ("draft", "", "Thing 6: Online networks (half written)", "2011-07-08",
          "<p>My action: join the LinkedIn group for new professionals.</p>"),
    303: ("pending", "", "Thing 7: Face-to-face networks (awaiting review)", "2011-07-13",
          "<p>My action: go to the regional members' evening.</p>"),
    304: ("future", "", "Thing 10: Routes into librarianship (scheduled)", "2011-09-05",
          "<p>My action: ask two colleagues how they qualified.</p>"),
    305: ("publish", "letmein", "Thing 11: Mentoring (protected)", "2011-09-07",
          "<p>My action: ask Sam to be my Chartership mentor.</p>"),
    # Not a reflection: a private diary post that follows up Thing 1's Friday action.
    306: ("private", "", "Diary: Friday mornings", "2011-09-10",
          "<p>Publishing every Friday morning before I open my email has stuck.</p>"),
}  # fmt: skip
HIDDEN_TITLES = [title for _, _, title, _, _ in NOT_PUBLIC.values()]


def not_public_item(post_id: int) -> str:
    status, password, title, day, content = NOT_PUBLIC[post_id]
    gmt = "0000-00-00 00:00:00" if status in ("draft", "pending") else f"{day} 09:00:00"
    return f"""	<item>
		<title><![CDATA[{title}]]></title>
		<link>https://jo.example.org/?p={post_id}</link>
		<dc:creator><![CDATA[jo]]></dc:creator>
		<content:encoded><![CDATA[{content}]]></content:encoded>
		<wp:post_id>{post_id}</wp:post_id>
		<wp:post_date><![CDATA[{day} 10:00:00]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[{gmt}]]></wp:post_date_gmt>
		<wp:post_name><![CDATA[post-{post_id}]]></wp:post_name>
		<wp:status><![CDATA[{status}]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<wp:post_password><![CDATA[{password}]]></wp:post_password>
		<category domain="category" nicename="cpd23"><![CDATA[cpd23]]></category>
	</item>
"""


@pytest.fixture
def mixed_blog(tmp_path: Path) -> Path:
    """The fixture blog plus private, draft, pending, scheduled and password-protected posts."""
    items = "".join(not_public_item(post_id) for post_id in NOT_PUBLIC)
    text = BLOG.read_text(encoding="utf-8").replace("</channel>", items + "</channel>")
    path = tmp_path / "mixed.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_programme_review_leaves_out_posts_readers_cannot_open(
    mixed_blog: Path, tmp_path: Path
) -> None:
    with Archive(tmp_path / "mixed.db") as archive:
        archive.save(read_wxr(mixed_blog))
        notes: list[str] = []
        text = new_reflection("programme-review", archive=archive, notes=notes)
    for title in HIDDEN_TITLES:
        assert title.split(" (")[0] not in text, title
    for secret in ("restructure", "LinkedIn", "members", "qualified", "Sam", "?p=30"):
        assert secret not in text, secret
    assert "[Thing 1: Blogging](https://jo.example.org/2011/06/21/thing-1-blogging/)" in text
    friday = next(line for line in text.splitlines() if "Friday" in line)
    assert friday.endswith("— not mentioned in a later post")  # the private diary is no follow-up
    assert notes == [
        "left out 5 reflections readers cannot open (draft, pending, scheduled, private or "
        "password-protected); --include-private adds them"
    ]


def test_programme_review_with_include_private_lists_them_and_says_which(
    mixed_blog: Path, tmp_path: Path
) -> None:
    with Archive(tmp_path / "mixed.db") as archive:
        archive.save(read_wxr(mixed_blog))
        notes: list[str] = []
        text = new_reflection(
            "programme-review", archive=archive, include_private=True, notes=notes
        )
    assert notes == []
    for post_id, (visibility, when) in {
        301: ("private", "2011-07-01"),
        302: ("draft", "2011-07-08"),
        303: ("pending", "2011-07-13"),
        304: ("scheduled", "2011-09-05"),
        305: ("password-protected", "2011-09-07"),
    }.items():
        title = markdown_title(NOT_PUBLIC[post_id][2])
        assert f"- [{title}](https://jo.example.org/?p={post_id}) ({when}, {visibility})" in text
    assert "talk to my manager about the restructure rumours." in text
    friday = next(line for line in text.splitlines() if "Friday" in line)
    assert friday.endswith(
        "followed up in [Diary: Friday mornings](https://jo.example.org/?p=306) "
        "(2011-09-10, private)"
    )


def markdown_title(title: str) -> str:
    return markdown_escape(title)


def test_review_reflections_says_each_reflections_visibility(
    mixed_blog: Path, tmp_path: Path
) -> None:
    with Archive(tmp_path / "mixed.db") as archive:
        archive.save(read_wxr(mixed_blog))
        public = review_reflections(archive, "cpd23")
        everything = review_reflections(archive, "cpd23", include_private=True)
    assert [r["post_id"] for r in public] == [101, 102, 103, 104, 105, 107, 108]
    assert {r["visibility"] for r in public} == {"public"} and all(r["public"] for r in public)
    assert {r["post_id"]: r["visibility"] for r in everything if not r["public"]} == {
        301: "private",
        302: "draft",
        303: "pending",
        304: "scheduled",
        305: "password-protected",
    }


def test_new_programme_review_command_include_private(mixed_blog: Path, tmp_path: Path) -> None:
    assert run("pull", mixed_blog, cwd=tmp_path).returncode == 0
    review = run("new", "programme-review", cwd=tmp_path)
    assert review.returncode == 0, review.stderr
    assert not [title for title in HIDDEN_TITLES if title.split(" (")[0] in review.stdout]
    assert "wpcpd: note: left out 5 reflections readers cannot open" in review.stderr
    assert "--include-private adds them" in review.stderr
    full = run("new", "programme-review", "--include-private", cwd=tmp_path)
    assert full.returncode == 0, full.stderr
    for title in HIDDEN_TITLES[:5]:
        assert markdown_title(title) in full.stdout, title
    assert "note:" not in full.stderr
