"""The post wpcpd started from: a 2011 cpd23 "Thing 12" on WordPress.com (issue 9, part 4).

The page is `fixtures/html/wpcom-2011-cpd23-thing-12.html`, the seed's words in the markup
WordPress.com served. After the last prompt's answer comes a closing paragraph whose last
sentence is the action. The same words are also read as WordPress stores them (classic editor
content, no paragraph tags) and as the block editor would, so the result does not depend on
the bold prompts or on the empty paragraph the writer left before the conclusion.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from wpcpd.model import Post, TermRef
from wpcpd.reflect.detect import Reflection, describe_sections, detect_reflection
from wpcpd.sources.scrape.html import read_post_page

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "fixtures" / "html" / "wpcom-2011-cpd23-thing-12.html"
URL = "https://newlibrarian.example.com/2011/08/11/thing-12-putting-the-social-into-social-media/"

PROMPTS = [
    "Are there any other advantages to social networking in the context of professional "
    "development than those already outlined above?",
    "Can you think of any disadvantages?",
    "Has CPD23 helped you to make contact with others that you would not have had contact with "
    "normally?",
    "Did you already use social media for your career development before starting CPD23? "
    "Will you keep using it after the programme has finished?",
    "In your opinion does social networking really help to foster a sense of community?",
]
LAST_ANSWER = (
    "Yes, I think it does. I do agree that there is still no substitute for meeting someone "
    "face-to-face, but for making that initial contact \u2013 and getting to share ideas with "
    "people who you will probably never have the chance to meet face-to-face \u2013 social "
    "networking is invaluable. I share an awful lot on social media (some may say more than is "
    "wise, but I think that\u2019s down to personal choice), and I do consider the communities "
    "I belong to online to be true communities. Social media has helped me on a professional "
    "level, and has also helped me through some difficult times personally. I\u2019ve turned to "
    "my networks online on many occasions, and have got the kind of advice and support that "
    "I\u2019d never have got through only personal, face-to-face connections."
)
CONCLUSION = (
    "This is an interesting reflective Thing for me. On the one hand, I think I\u2019m already "
    "making pretty good use of social media so this is largely a thought exercise for me. On "
    "the other hand, I am aware that I tend to stick to my own little circles online, and am "
    "probably not using social media to broaden my network as far as I could."
)
ACTION = (
    "My action for this Thing then is to find 5 new people to follow on Twitter that I\u2019ve "
    "never talked to before, and say hi to them; and to comment on one blog that I\u2019ve "
    "never commented on before."
)


@pytest.fixture(autouse=True)
def no_user_programmes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the shipped programme definitions, whatever the developer keeps in ~/.config."""
    monkeypatch.setenv("WPCPD_TEMPLATES", str(tmp_path / "no-user-templates"))


def seed_post() -> Post:
    return read_post_page(PAGE.read_text(encoding="utf-8"), URL).post


def entry_paragraphs() -> list[str]:
    """The inner HTML of each paragraph of the post, in order (prompts without their <strong>)."""
    content = seed_post().content
    paragraphs = re.findall(r"<p>(.*?)</p>", content, flags=re.DOTALL)
    return [re.sub(r"</?strong>", "", p) for p in paragraphs]


def as_classic(paragraphs: list[str]) -> str:
    """Content as the classic editor stores it: paragraphs apart by blank lines, no <p>."""
    return "\n\n".join(p for p in paragraphs if p != "&nbsp;")


def as_blocks(paragraphs: list[str]) -> str:
    """The same post written in the block editor: prompts as headings, no empty paragraph."""
    blocks = []
    for text in paragraphs:
        if text == "&nbsp;":
            continue
        if text in PROMPTS:
            blocks.append(
                f'<!-- wp:heading {{"level":3}} -->\n<h3>{text}</h3>\n<!-- /wp:heading -->'
            )
        else:
            blocks.append(f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->")
    return "\n\n".join(blocks)


def check_seed(found: Reflection | None, prompt_kind: str) -> None:
    assert found is not None
    assert (found.programme, found.things) == ("cpd23", [12])
    assert found.topic == "Putting the \u201csocial\u201d into social media"
    assert [s.prompt for s in found.sections] == [*PROMPTS, ""]
    assert [s.kind for s in found.sections] == [prompt_kind] * 5 + ["conclusion"]
    answers = [s.answer for s in found.sections]
    assert answers[0].startswith("The Thing 12 post lists collaboration;")
    assert answers[1].startswith("Not really.") and answers[1].endswith("take personally!")
    assert answers[2].startswith("Yes, absolutely.")
    assert answers[3].endswith("I couldn\u2019t really imagine my life without it now!")
    assert answers[4] == LAST_ANSWER  # the closing paragraph is no longer glued to it
    assert found.conclusion == answers[5] == CONCLUSION
    # Only the closing action: "All I will say here is this" and "I will definitely keep using
    # social media" are answers, not actions.
    assert found.actions == [ACTION]
    assert found.intro.startswith("This post is part of 23 Things for Professional Development.")
    assert found.intro.endswith("so I\u2019m going to hang my post around these:")


def test_the_seed_page_as_wordpress_com_served_it() -> None:
    post = seed_post()
    assert post.title == "Thing 12: Putting the \u201csocial\u201d into social media"
    check_seed(detect_reflection(post), "bold")


@pytest.mark.parametrize("prompts_as", ["plain", "bold"])
def test_the_seed_post_as_the_classic_editor_stored_it(prompts_as: str) -> None:
    """No <p> tags, no empty paragraph before the conclusion: the words alone must do."""
    paragraphs = entry_paragraphs()
    if prompts_as == "bold":
        paragraphs = [f"<strong>{p}</strong>" if p in PROMPTS else p for p in paragraphs]
    post = Post(
        id=604,
        title="Thing 12: Putting the \u201csocial\u201d into social media",
        content=as_classic(paragraphs),
        terms=[TermRef("category", "cpd23", "cpd23")],
    )
    check_seed(detect_reflection(post), "question" if prompts_as == "plain" else "bold")


def test_the_seed_post_in_block_editor_markup() -> None:
    post = Post(
        id=604,
        title="Thing 12: Putting the \u201csocial\u201d into social media",
        content=as_blocks(entry_paragraphs()),
        terms=[TermRef("post_tag", "cpd23", "cpd23")],
    )
    check_seed(detect_reflection(post), "heading")


def test_show_prints_the_closing_reflection_apart_from_the_last_answer() -> None:
    found = detect_reflection(seed_post())
    assert found is not None
    text = describe_sections(found)
    assert describe_sections(found.as_row()) == text
    tail = text.split("Q: " + PROMPTS[-1] + "\n", 1)[1]
    assert tail == (f"   {LAST_ANSWER}\n\nClosing reflection:\n   {CONCLUSION}\n\nAction: {ACTION}")
    assert found.as_row()["sections"][-1] == {
        "prompt": "",
        "answer": CONCLUSION,
        "kind": "conclusion",
    }


# -- through the command line: pull, reflections, show -------------------------------------

WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>A New Librarian</title>
  <link>https://newlibrarian.example.com</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://newlibrarian.example.com</wp:base_site_url>
  <wp:base_blog_url>https://newlibrarian.example.com</wp:base_blog_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[newlibrarian]]></wp:author_login></wp:author>
  <wp:category><wp:term_id>5</wp:term_id><wp:category_nicename><![CDATA[cpd23]]></wp:category_nicename><wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[cpd23]]></wp:cat_name></wp:category>
  <item>
    <title><![CDATA[Thing 12: Putting the &#8220;social&#8221; into social media]]></title>
    <link>{url}</link>
    <dc:creator><![CDATA[newlibrarian]]></dc:creator>
    <content:encoded><![CDATA[{content}]]></content:encoded>
    <wp:post_id>604</wp:post_id>
    <wp:post_date><![CDATA[2011-08-11 21:14:09]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2011-08-11 20:14:09]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[thing-12-putting-the-social-into-social-media]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:post_password><![CDATA[]]></wp:post_password>
    <category domain="category" nicename="cpd23"><![CDATA[cpd23]]></category>
  </item>
</channel>
</rss>
"""


def run(*args: str | Path, archive: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WPCPD_ARCHIVE": str(archive), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "wpcpd", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_reflections_and_show_commands_on_the_seed_post(tmp_path: Path) -> None:
    export = tmp_path / "seed.xml"
    content = as_classic(entry_paragraphs())
    export.write_text(WXR.replace("{url}", URL).replace("{content}", content), encoding="utf-8")
    archive = tmp_path / "wpcpd.db"
    pulled = run("pull", export, archive=archive)
    assert pulled.returncode == 0, pulled.stderr

    table = run("reflections", archive=archive)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[1].split("\t")[1::4] == ["12", ACTION]
    listed = run("reflections", "--json", archive=archive)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows[0]["actions"] == [ACTION]
    assert rows[0]["sections"][-1] == {"prompt": "", "answer": CONCLUSION, "kind": "conclusion"}

    shown = run("show", "604", archive=archive)
    assert shown.returncode == 0, shown.stderr
    assert f"Closing reflection:\n   {CONCLUSION}\n\nAction: {ACTION}" in shown.stdout
    as_json = json.loads(run("show", "604", "--json", archive=archive).stdout)
    assert as_json["reflection"]["actions"] == [ACTION]
    assert [s["kind"] for s in as_json["reflection"]["sections"]] == ["question"] * 5 + [
        "conclusion"
    ]
