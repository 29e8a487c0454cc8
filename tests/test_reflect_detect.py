"""Recognising reflections among archived posts: programme, thing, prompts, answers, actions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from wpcpd.archive import Archive
from wpcpd.model import Post, TermRef
from wpcpd.reflect.derive import derive_reflections, reflection_of
from wpcpd.reflect.detect import (
    Reflection,
    describe_sections,
    detect_reflection,
    detect_site_reflections,
    word_count,
)
from wpcpd.reflect.sections import autop
from wpcpd.reflect.things import thing_label
from wpcpd.sources.wxr import read_wxr

BLOG = Path(__file__).parent.parent / "fixtures" / "reflections" / "cpd23-blog.xml"


@pytest.fixture(autouse=True)
def no_user_programmes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the shipped programme definitions, whatever the developer keeps in ~/.config."""
    monkeypatch.setenv("WPCPD_TEMPLATES", str(tmp_path / "no-user-templates"))


@cache
def blog_posts() -> dict[int, Post]:
    return {r.id: r for r in read_wxr(BLOG) if isinstance(r, Post)}


@cache
def blog_reflections() -> dict[int, Reflection]:
    return {r.post_id: r for r in detect_site_reflections(blog_posts().values())}


def prompts(reflection: Reflection) -> list[str]:
    return [s.prompt for s in reflection.sections]


def post(title: str, content: str = "", tags: tuple[str, ...] = (), **extra: object) -> Post:
    terms = [TermRef("post_tag", t.lower().replace(" ", "-"), t) for t in tags]
    return Post(id=1, title=title, content=content, terms=terms, **extra)  # type: ignore[arg-type]


# -- the fixture blog, post by post ---------------------------------------------------------


def test_plain_question_paragraphs_in_classic_content_become_prompts() -> None:
    thing1 = blog_reflections()[101]
    assert (thing1.programme, thing1.things, thing1.topic) == ("cpd23", [1], "Blogging")
    assert prompts(thing1) == ["Why am I taking part?", "What do I want from it?"]
    assert thing1.sections[0].answer.startswith("I have started three blogs")
    assert thing1.sections[0].answer.endswith("building for Chartership.")
    assert thing1.sections[0].kind == "question"
    assert thing1.intro.startswith("This summer I am joining")


def test_trailing_my_action_sentence_is_the_action_and_not_an_answer() -> None:
    thing1 = blog_reflections()[101]
    assert thing1.actions == [
        "My action for this Thing is to publish a post every Friday morning before I open my email."
    ]
    assert "Friday" not in thing1.sections[-1].answer


def test_block_markup_question_headings_and_next_steps_list() -> None:
    thing3 = blog_reflections()[102]
    assert (thing3.programme, thing3.things) == ("cpd23", [3])  # from "cpd23 - Thing 3" alone
    assert thing3.topic == "Consider your personal brand"
    assert prompts(thing3) == [
        "What does a stranger find?",
        "Is that who I want people to meet?",
        "Next steps",
    ]
    assert thing3.sections[0].kind == "heading"
    assert thing3.actions == [
        "Use the same photo on the blog, Twitter and the staff page",
        "Ask the web team to link my staff page to this blog",
    ]


def test_bold_question_paragraphs_and_things_8_and_9() -> None:
    things = blog_reflections()[103]
    assert things.things == [8, 9]
    assert things.topic == "Google Calendar and Evernote"
    assert prompts(things) == ["How do I plan my week now?", "What did the tools change?"]
    assert {s.kind for s in things.sections} == {"bold"}
    assert things.sections[1].answer.count("\n\n") == 1  # two answer paragraphs
    assert things.actions == ["keep all my meeting notes in Evernote for a month, then decide."]


def test_thing_twelve_in_words_with_bold_prompt_and_answer_in_one_paragraph() -> None:
    twelve = blog_reflections()[104]
    assert (twelve.programme, twelve.things) == ("cpd23", [12])
    assert twelve.topic == "putting the social into social media"
    assert prompts(twelve) == ["Have I felt part of a community?", "Who taught me most?"]
    assert twelve.sections[0].answer.startswith("More than I expected.")
    assert twelve.actions == [
        "Comment on three other cpd23 blogs every week",
        "Suggest a local meet-up for participants",
    ]


def test_thing_hash_number_and_action_label_without_bold() -> None:
    fourteen = blog_reflections()[105]
    assert fourteen.things == [14]
    assert fourteen.topic == "Zotero, Mendeley and CiteULike"
    assert prompts(fourteen) == ["What I tried", "What I thought"]
    assert fourteen.actions == ["set up a Zotero library for my Chartership references."]


def test_next_steps_heading_paragraphs_are_actions() -> None:
    last = blog_reflections()[108]
    assert last.actions == [
        "Submit my Chartership portfolio by March.",
        "Keep a monthly reflective post going after the programme ends.",
    ]


def test_unlabelled_thing_post_takes_the_site_programme_only_in_site_context() -> None:
    unlabelled = blog_posts()[107]
    assert detect_reflection(unlabelled) is None  # on its own: no programme named
    inferred = blog_reflections()[107]
    assert (inferred.programme, inferred.things, inferred.topic) == (
        "cpd23",
        [17],
        "Prezi and Slideshare",
    )


def test_posts_that_are_not_reflections_are_left_alone() -> None:
    found = blog_reflections()
    assert sorted(found) == [101, 102, 103, 104, 105, 107, 108]
    # 106: programme tag and a question, but no thing and no structure
    # 201: a recipe full of questions and bold headings
    # 202: "23 things I love", numbered list and a question
    # 203: "Thing 1 and Thing 2 at the school play", inside the programme's dates
    for post_id in (106, 201, 202, 203):
        assert detect_reflection(blog_posts()[post_id]) is None


def test_recipe_with_questions_is_not_a_reflection_even_with_headings() -> None:
    recipe = post(
        "Scones: what could go wrong?",
        "<h2>Why did they not rise?</h2><p>Old baking powder.</p>"
        "<h2>Can I freeze them?</h2><p>Yes.</p><p>Action: bake on Sunday.</p>",
        tags=("baking",),
    )
    assert detect_reflection(recipe) is None


def test_23_things_i_love_is_not_a_reflection_even_with_structure() -> None:
    listicle = post(
        "23 things I love about libraries",
        "<p><strong>The people</strong></p><p>Kind.</p>"
        "<p><strong>The quiet</strong></p><p>Rare.</p>",
        tags=("23 things",),
    )
    assert detect_reflection(listicle) is None


def test_programme_wide_post_without_a_thing_needs_structure() -> None:
    content = "<h2>What changed?</h2><p>A lot.</p><h2>What next?</h2><p>Chartership.</p>"
    review = detect_reflection(post("My cpd23 journey", content))
    assert review is not None and review.things == [] and review.actions == ["Chartership."]
    assert detect_reflection(post("My cpd23 journey", "<p>Is anyone else behind?</p>")) is None


# -- titles and terms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "things", "topic"),
    [
        ("cpd23 \u2013 Thing 12: Putting the social in", [12], "Putting the social in"),
        ("#cpd23 Thing 12 - Social media", [12], "Social media"),
        ("Thing #3: Consider your personal brand (cpd23)", [3], "Consider your personal brand"),
        ("Thing twelve: cpd23 catch-up", [12], "catch-up"),
        ("cpd23 Thing Twenty-three \u2014 Reflection", [23], "Reflection"),
        ("cpd23 Things 8 & 9: Calendars and notes", [8, 9], "Calendars and notes"),
        ("cpd23 Things 8 and 9", [8, 9], "Google Calendar and Evernote"),
        ("cpd23 Things 10, 11 and 12: careers", [10, 11, 12], "careers"),
        ("cpd23 Things 10-11: Routes in", [10, 11], "Routes in"),
        ("Reflective practice (cpd23 Thing 5)", [5], "Reflective practice"),
        ("cpd23 Thing 17", [17], "Prezi and Slideshare"),
    ],
)  # fmt: skip
def test_thing_numbers_and_topic_from_the_title(title: str, things: list[int], topic: str) -> None:
    found = detect_reflection(post(title, "<p>Some words.</p>"))
    assert found is not None and found.programme == "cpd23"
    assert (found.things, found.topic) == (things, topic)


def test_thing_number_beyond_the_programme_is_ignored() -> None:
    assert detect_reflection(post("cpd23 Thing 30: Bonus", "<p>Words.</p>")) is None


def test_thing_number_and_programme_from_terms() -> None:
    labelled = Post(
        id=7,
        title="My first post",
        content="<p>Hello.</p>",
        terms=[
            TermRef("category", "thing-1", "Thing 1"),
            TermRef("programme", "23-things", "23 Things"),
        ],
    )
    found = detect_reflection(labelled)
    assert found is not None and (found.programme, found.things, found.topic) == (
        "cpd23",
        [1],
        "Blogging",
    )


def test_pages_drafts_and_trash() -> None:
    title, content = "cpd23 Thing 5: Reflection", "<p>Words.</p>"
    assert detect_reflection(post(title, content, type="page")) is None
    assert detect_reflection(post(title, content, status="trash")) is None
    assert detect_reflection(post(title, content, status="draft")) is not None


# -- content details ---------------------------------------------------------------------------


def test_classic_content_gets_paragraphs_like_wpautop() -> None:
    assert autop("One\nline\n\nTwo<h3>Q?</h3>Answer") == (
        "<p>One<br />\nline</p>\n<p>Two</p>\n<h3>Q?</h3>\n<p>Answer</p>"
    )


def test_word_count_ignores_markup_block_comments_scripts_and_shortcodes() -> None:
    content = (
        '<!-- wp:paragraph -->\n<p>Three <a href="x">small</a> words</p>\n<!-- /wp:paragraph -->'
        '<script>var hidden = "many words here";</script>[caption id="1"]Two more[/caption]'
    )
    assert word_count(content) == 5


def test_long_or_multi_sentence_question_paragraphs_are_answers() -> None:
    long_question = "Did anyone else find " + "that the second week took far longer, " * 6 + "too?"
    content = (
        f"<p>Why do this?</p><p>Because. Is it worth it? I think so.</p><p>{long_question}</p>"
    )
    found = detect_reflection(post("cpd23 Thing 2: Blogs", content))
    assert found is not None and prompts(found) == ["Why do this?"]
    assert found.sections[0].answer == f"Because. Is it worth it? I think so.\n\n{long_question}"


def test_actions_label_followed_by_a_list() -> None:
    content = (
        "<p>Done.</p><p>My actions from this Thing:</p><ul><li>One</li><li>Two</li></ul><p>Bye.</p>"
    )
    found = detect_reflection(post("cpd23 Thing 4: Feeds", content))
    assert found is not None and found.actions == ["One", "Two"]
    assert "One" not in found.intro


# -- storing and showing -----------------------------------------------------------------------


def test_as_row_has_what_the_archive_stores() -> None:
    row = blog_reflections()[103].as_row()
    assert set(row) == {
        "post_id",
        "programme",
        "things",
        "topic",
        "sections",
        "actions",
        "word_count",
    }
    assert row["sections"][0] == {
        "prompt": "How do I plan my week now?",
        "answer": "A paper diary, a wall planner that nobody updates, "
        "and the Outlook calendar my manager reads.",
        "kind": "bold",
    }
    json.dumps(row)  # plain data


def test_derive_reflections_stores_and_rederives_without_duplicates(tmp_path: Path) -> None:
    with Archive(tmp_path / "wpcpd.db") as archive:
        archive.save(read_wxr(BLOG))
        assert derive_reflections(archive) == 7
        assert derive_reflections(archive, "jo.example.org") == 7
        rows = archive.reflections(programme="cpd23")
    assert [r["post_id"] for r in rows] == [101, 102, 103, 104, 105, 107, 108]
    assert rows[2]["things"] == [8, 9] and rows[2]["title"].startswith("Things 8 & 9")
    assert rows[4]["actions"] == ["set up a Zotero library for my Chartership references."]


def test_reflection_of_one_post_sees_its_site(tmp_path: Path) -> None:
    with Archive(tmp_path / "wpcpd.db") as archive:
        archive.save(read_wxr(BLOG))
        inferred = reflection_of(archive, "jo.example.org", 107)
        recipe = reflection_of(archive, "jo.example.org", 201)
    assert inferred is not None and (inferred["programme"], inferred["things"]) == ("cpd23", [17])
    assert describe_sections(inferred).startswith("cpd23 · Thing 17 · Prezi and Slideshare")
    assert recipe is None


def test_describe_sections_reads_reflections_and_archive_rows_alike() -> None:
    reflection = blog_reflections()[103]
    text = describe_sections(reflection)
    assert text.splitlines()[0] == "cpd23 · Things 8 & 9 · Google Calendar and Evernote · 73 words"
    assert "Q: How do I plan my week now?\n   A paper diary" in text
    assert text.endswith("Action: keep all my meeting notes in Evernote for a month, then decide.")
    assert describe_sections(reflection.as_row()) == text


def test_thing_label() -> None:
    assert [thing_label(t) for t in ([], [4], [8, 9], [10, 11, 12], 7)] == [
        "", "Thing 4", "Things 8 & 9", "Things 10, 11 & 12", "Thing 7"
    ]  # fmt: skip


def test_a_user_programme_definition_is_recognised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "programmes").mkdir()
    (tmp_path / "programmes" / "rudai.toml").write_text(
        'key = "rudai23"\nname = "Rudai 23"\nnames = ["rudai23", "Rudai 23"]\n'
        '[[things]]\nnumber = 4\ntopic = "Twitter"\nprompts = ["Why?"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("WPCPD_TEMPLATES", str(tmp_path))
    found = detect_reflection(post("Thing 4", "<p>Tweets.</p>", tags=("Rudai 23",)))
    assert found is not None and (found.programme, found.topic) == ("rudai23", "Twitter")


def test_dates_are_comparable_when_drafts_have_no_gmt() -> None:
    draft = post("cpd23 Thing 2: Blogs", "<p>x</p>", status="draft", date=datetime(2011, 6, 1))
    published = Post(
        id=2,
        title="cpd23 Thing 3: Brand",
        content="<p>y</p>",
        date_gmt=datetime.fromisoformat("2011-07-01T00:00:00+00:00"),
    )
    found = detect_site_reflections([published, draft])
    assert [r.post_id for r in found] == [1, 2]


# -- the command line -----------------------------------------------------------------------


def run(*args: str | Path, archive: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WPCPD_ARCHIVE": str(archive), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "wpcpd", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_reflections_command_lists_id_thing_date_title_words_action(tmp_path: Path) -> None:
    archive = tmp_path / "wpcpd.db"
    assert run("pull", BLOG, archive=archive).returncode == 0
    table = run("reflections", archive=archive)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split("\t") == ["id", "thing", "date", "title", "words", "action"]
    assert lines[3].split("\t")[1:] == [
        "8 & 9",
        "2011-07-20",
        "Things 8 & 9: Google Calendar and Evernote",
        "73",
        "keep all my meeting notes in Evernote for a month, then decide.",
    ]
    assert lines[2].endswith("(+1)")  # Thing 3 has two actions
    as_json = run("reflections", "--json", "--programme", "CPD23", archive=archive)
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["things"] for r in rows] == [[1], [3], [8, 9], [12], [14], [17], [23]]
    unknown = run("reflections", "--programme", "nope", archive=archive)
    assert unknown.returncode == 2 and "unknown programme 'nope'" in unknown.stderr


# -- actions as CPD bloggers write them, and closing reflections ---------------------------------

TWO_PROMPTS = (
    "<p><strong>What did I try?</strong></p><p>I set up a feed reader and added ten blogs.</p>"
    "<p><strong>Will I keep using it?</strong></p><p>Yes, it saves me a lot of clicking.</p>"
)


def closing(*paragraphs: str) -> Reflection:
    content = TWO_PROMPTS + "".join(f"<p>{p}</p>" if p[:1] != "<" else p for p in paragraphs)
    found = detect_reflection(post("cpd23 Thing 4: Current awareness", content))
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("paragraph", "action"),
    [
        (
            "My action for this Thing is to read my feeds every Monday.",
            "My action for this Thing is to read my feeds every Monday.",
        ),
        (
            "A useful Thing. My action for this Thing then is to read my feeds every Monday.",
            "My action for this Thing then is to read my feeds every Monday.",
        ),
        (
            "It was fun. My action, then, is to share one post a week with my team.",
            "My action, then, is to share one post a week with my team.",
        ),
        ("My next step is to ask IT for a widget.", "My next step is to ask IT for a widget."),
        (
            "That was a useful week. I will add our library\u2019s news feed to the intranet.",
            "I will add our library\u2019s news feed to the intranet.",
        ),
        (
            "Next, I\u2019m going to try the same with journal tables of contents.",
            "Next, I\u2019m going to try the same with journal tables of contents.",
        ),
        (
            "Over the next month, I'll prune the feeds I never read.",
            "Over the next month, I'll prune the feeds I never read.",
        ),
        ("So I plan to show the reader to my team.", "So I plan to show the reader to my team."),
        ("Action: read my feeds every Monday.", "read my feeds every Monday."),
        ("<p><strong>Action point:</strong> tidy my folders.</p>", "tidy my folders."),
        ("All good. Action: tidy my folders. Then share.", "tidy my folders. Then share."),
    ],
)  # fmt: skip
def test_closing_actions_in_the_ways_cpd_bloggers_write_them(paragraph: str, action: str) -> None:
    found = closing(paragraph)
    assert found.actions == [action]
    assert action not in found.sections[-1].answer  # an action is not also an answer
    assert found.sections[1].answer == "Yes, it saves me a lot of clicking."


def test_a_closing_paragraph_is_its_own_section_and_keeps_what_is_not_the_action() -> None:
    found = closing(
        "Overall this was a useful Thing. I will read my feeds every Monday, before email."
    )
    assert [s.kind for s in found.sections] == ["bold", "bold", "conclusion"]
    assert found.sections[1].answer == "Yes, it saves me a lot of clicking."
    assert found.conclusion == "Overall this was a useful Thing."
    assert found.actions == ["I will read my feeds every Monday, before email."]


def test_a_conclusion_without_an_action_is_still_kept_apart() -> None:
    found = closing("In conclusion, feeds are worth the set-up time for anyone on a desk rota.")
    assert found.conclusion.startswith("In conclusion, feeds")
    assert found.sections[1].answer == "Yes, it saves me a lot of clicking."
    assert found.actions == []


def test_a_gap_before_the_closing_paragraph_sets_it_apart() -> None:
    found = closing("<p>&nbsp;</p>", "Feeds have been on my list for years, and now they work.")
    assert found.conclusion == "Feeds have been on my list for years, and now they work."
    assert found.sections[1].answer == "Yes, it saves me a lot of clicking."


def test_gaps_between_every_paragraph_say_nothing_about_a_conclusion() -> None:
    content = (
        "<p><strong>What did I try?</strong></p><p>A feed reader.</p><p>&nbsp;</p>"
        "<p>Ten blogs in it.</p><p><strong>Will I keep using it?</strong></p><p>Yes.</p>"
        "<p>&nbsp;</p><p>It saves me a lot of clicking.</p>"
    )
    found = detect_reflection(post("cpd23 Thing 4: Current awareness", content))
    assert found is not None and [s.kind for s in found.sections] == ["bold", "bold"]
    assert found.sections[1].answer == "Yes.\n\nIt saves me a lot of clicking."
    image = '<p><img src="https://example.org/reader.png" alt="" /></p>'
    found = closing(image, "And here is my reader, with its ten feeds.")
    assert found.conclusion == ""  # an image is not a gap
    assert found.sections[1].answer.endswith("And here is my reader, with its ten feeds.")


@pytest.mark.parametrize(
    "ending",
    [
        "<h3>Actions</h3><ul><li>Read feeds on Mondays</li><li>Share one a week</li></ul>",
        "<p>Actions</p><ul><li>Read feeds on Mondays</li><li>Share one a week</li></ul>",
        "<p><strong>Next steps</strong></p><p>Read feeds on Mondays</p><p>Share one a week</p>",
        "<p>My actions for this Thing are:</p><ol><li>Read feeds on Mondays</li>"
        "<li>Share one a week</li></ol>",
        "<p>A good week. Next, I\u2019m going to:</p><ul><li>Read feeds on Mondays</li>"
        "<li>Share one a week</li></ul>",
    ],
)
def test_a_closing_actions_heading_or_list(ending: str) -> None:
    found = closing(ending)
    assert found.actions == ["Read feeds on Mondays", "Share one a week"]
    assert found.sections[1].answer == "Yes, it saves me a lot of clicking."


def test_i_will_in_an_answer_that_is_not_the_closing_part_is_no_action() -> None:
    content = (
        "<p><strong>What did I try?</strong></p><p>All I will say is that it was easy. "
        "I will definitely keep using it.</p>"
        "<p><strong>What did I think?</strong></p><p>Good, on the whole.</p>"
    )
    found = detect_reflection(post("cpd23 Thing 4: Current awareness", content))
    assert found is not None and found.actions == []
    assert found.sections[0].answer.endswith("I will definitely keep using it.")


@pytest.mark.parametrize(
    "paragraph",
    [
        "I will admit I enjoyed it more than I expected.",
        "I will never get used to the sound of my own podcast voice.",
        "I'll be honest: I nearly skipped this one.",
        "Will I keep it up after the programme ends?",
        "Thanks for reading, and see you next week!",
        "Everyone will be doing this soon, I will bet.",
        "My action plan from Thing 3 worked well, by the way.",
    ],
)
def test_a_closing_sentence_that_promises_nothing_is_no_action(paragraph: str) -> None:
    assert closing(paragraph).actions == []


def test_ordinary_posts_ending_with_i_will_are_not_reflections() -> None:
    holiday = post(
        "Back from Whitby",
        "<p>Fish and chips, twice.</p><p>Next year, I will book the cottage in January.</p>",
        tags=("holidays",),
    )
    assert detect_reflection(holiday) is None
    # A programme tag and a closing "I will" are not structure enough without a Thing number.
    behind = post(
        "Catching up on cpd23",
        "<p>Two weeks behind.</p><p>I will catch up this weekend.</p>",
        tags=("cpd23",),
    )
    assert detect_reflection(behind) is None
    # ... whereas an action said as one is.
    said = post(
        "Catching up on cpd23",
        "<p>Two weeks behind.</p><p>My action is to catch up this weekend.</p>",
        tags=("cpd23",),
    )
    found = detect_reflection(said)
    assert found is not None and found.actions == ["My action is to catch up this weekend."]


def test_a_reflection_written_as_prose_finds_its_closing_action() -> None:
    content = (
        "<p>This Thing asked us to try a reference manager.</p><p>Zotero was quick to set up.</p>"
        "<p>I will move my Chartership reading list into it by June.</p>"
    )
    found = detect_reflection(post("cpd23 Thing 14: Zotero", content))
    assert found is not None and found.sections == []
    assert found.actions == ["I will move my Chartership reading list into it by June."]
    assert found.intro.endswith("Zotero was quick to set up.")


def test_an_action_prompt_answered_with_i_will_is_the_action_not_a_conclusion() -> None:
    content = (
        "<h3>What did I learn?</h3><p>That I like feeds.</p>"
        "<h3>What will I do next?</h3><p>Not much this week.</p><p>I will add two feeds.</p>"
    )
    found = detect_reflection(post("cpd23 Thing 4: Feeds", content))
    assert found is not None
    assert [s.kind for s in found.sections] == ["heading", "heading"]
    assert found.actions == ["Not much this week.", "I will add two feeds."]
