"""Reflection files into WordPress markup: front matter checks, block markup, classic HTML.

The block markup is checked against the real WordPress: it must survive the REST API
unchanged, parse into the expected core blocks with nothing left as freeform HTML, and
serialise back to itself through WordPress's own serialize_blocks().
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from wpcpd.errors import UsageError
from wpcpd.http import Politeness, SafeBasicAuth, make_session
from wpcpd.reflect.frontmatter import ensure_uid, split_front_matter
from wpcpd.reflect.render import ImageRef, load_document, to_blocks, to_classic

FRONT = "---\ntitle: Thing 5\nuid: 1234\nstatus: draft\n---\n"
# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

EVERYTHING = """Intro with *emphasis*, `code` and a [link](https://example.org/?a=1&b=2)
that wraps onto a second line.

## What did I do?

I tried **three** tools.

### A smaller heading

- one
- two
  1. nested
  2. list

3. three
4. four

> A quote
>
> in two paragraphs

```
if a < b and list[0]:
https://example.org/alone
```

---

![A desk](photo.png "My desk")

[![Linked](https://example.org/l.png)](https://example.org/)

| Tool | Score |
|------|------:|
| Zotero | 9 |

<p class="note">Raw HTML</p>

<!-- a private note -->

TODO: an unanswered prompt
"""


def write(tmp_path: Path, text: str, name: str = "reflection.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- block markup, block by block ------------------------------------------------------------


def test_paragraphs_join_soft_line_breaks() -> None:
    assert to_blocks("One\ntwo *three*") == (
        "<!-- wp:paragraph -->\n<p>One two <em>three</em></p>\n<!-- /wp:paragraph -->"
    )


def test_text_is_written_as_the_block_editor_writes_it() -> None:
    # Quotes unescaped and <br> not <br />: saving the post in the editor changes nothing.
    assert to_blocks('"Hi" & `<b>`  \nbye') == (
        '<!-- wp:paragraph -->\n<p>"Hi" &amp; <code>&lt;b&gt;</code><br>\nbye</p>\n'
        "<!-- /wp:paragraph -->"
    )


def test_headings_carry_their_level_unless_it_is_the_default_two() -> None:
    assert to_blocks("## Two\n\n#### Four") == (
        "<!-- wp:heading -->\n<h2>Two</h2>\n<!-- /wp:heading -->\n\n"
        '<!-- wp:heading {"level":4} -->\n<h4>Four</h4>\n<!-- /wp:heading -->'
    )


def test_lists_are_list_blocks_of_list_items_as_wordpress_6_1_saves_them() -> None:
    assert to_blocks("- a\n- b\n  1. c") == (
        "<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>a</li>\n<!-- /wp:list-item -->\n\n"
        "<!-- wp:list-item -->\n<li>b"
        '<!-- wp:list {"ordered":true} -->\n<ol><!-- wp:list-item -->\n<li>c</li>\n'
        "<!-- /wp:list-item --></ol>\n<!-- /wp:list --></li>\n<!-- /wp:list-item --></ul>\n"
        "<!-- /wp:list -->"
    )
    assert to_blocks("3. x").startswith(
        '<!-- wp:list {"ordered":true,"start":3} -->\n<ol start="3">'
    )


def test_quote_code_separator_table_and_html() -> None:
    assert to_blocks("> q") == (
        '<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n<p>q</p>\n'
        "<!-- /wp:paragraph --></blockquote>\n<!-- /wp:quote -->"
    )
    assert to_blocks("```\na < b [x]\nhttps://e.org/x\n```") == (
        '<!-- wp:code -->\n<pre class="wp-block-code"><code>a &lt; b &#91;x]\n'
        "https:&#47;&#47;e.org/x</code></pre>\n<!-- /wp:code -->"
    )
    assert to_blocks("---") == (
        '<!-- wp:separator -->\n<hr class="wp-block-separator has-alpha-channel-opacity"/>\n'
        "<!-- /wp:separator -->"
    )
    assert to_blocks("| a | b |\n|---|--:|\n| 1 | 2 |") == (
        '<!-- wp:table -->\n<figure class="wp-block-table"><table><thead><tr><th>a</th>'
        '<th class="has-text-align-right" data-align="right">b</th></tr></thead><tbody><tr>'
        '<td>1</td><td class="has-text-align-right" data-align="right">2</td></tr></tbody>'
        "</table></figure>\n<!-- /wp:table -->"
    )
    assert to_blocks("<div>x</div>") == "<!-- wp:html -->\n<div>x</div>\n<!-- /wp:html -->"


def test_images_become_image_blocks_with_caption_link_and_uploaded_id() -> None:
    assert to_blocks('![A "desk"](desk.png "Mine")') == (
        '<!-- wp:image -->\n<figure class="wp-block-image"><img src="desk.png" '
        'alt="A &quot;desk&quot;"/><figcaption class="wp-element-caption">Mine</figcaption>'
        "</figure>\n<!-- /wp:image -->"
    )
    uploaded = {"desk.png": ImageRef("https://blog.example.org/desk.png", 42)}
    assert to_blocks("[![A desk](desk.png)](https://x.org/)", uploaded) == (
        '<!-- wp:image {"id":42,"sizeSlug":"full","linkDestination":"custom"} -->\n'
        '<figure class="wp-block-image size-full"><a href="https://x.org/">'
        '<img src="https://blog.example.org/desk.png" alt="A desk" class="wp-image-42"/></a>'
        "</figure>\n<!-- /wp:image -->"
    )
    inline = to_classic("See ![d](desk.png) here", uploaded)
    assert inline == (
        '<p>See <img src="https://blog.example.org/desk.png" alt="d" class="wp-image-42" />'
        " here</p>"
    )


def test_placeholders_and_comment_only_html_are_never_published() -> None:
    markdown = "## Q\n\nTODO: answer me\n\n<!-- note to self -->\n\nReal answer."
    assert "TODO" not in to_blocks(markdown) and "note to self" not in to_blocks(markdown)
    assert "TODO" not in to_classic(markdown) and "note to self" not in to_classic(markdown)
    assert "<p>Real answer.</p>" in to_blocks(markdown)


def test_classic_html_is_plain_markdown_output() -> None:
    assert to_classic("## Q\n\nOne\ntwo\n\n- a") == (
        "<h2>Q</h2>\n<p>One two</p>\n<ul>\n<li>a</li>\n</ul>"
    )


def test_attribute_json_cannot_close_the_comment() -> None:
    from wpcpd.reflect.render import _json_attrs

    assert (
        _json_attrs({"a": '--><b>&"'})
        == '{"a":"\\u002d\\u002d\\u003e\\u003cb\\u003e\\u0026\\u0022"}'
    )


# -- loading a file --------------------------------------------------------------------------


def test_load_document_reads_front_matter_body_and_local_images(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(PNG)
    (tmp_path / "cover.png").write_bytes(PNG)
    text = FRONT.replace("status: draft\n", "status: draft\nfeatured_image: cover.png\n")
    document = load_document(write(tmp_path, text + EVERYTHING))
    assert document.front.title == "Thing 5" and document.front.uid == "1234"
    assert document.body.startswith("Intro with")
    assert [(i.src, i.path) for i in document.images] == [("photo.png", tmp_path / "photo.png")]
    assert document.featured_image == tmp_path / "cover.png"
    assert document.warnings == [
        f"{tmp_path / 'reflection.md'}:47: unanswered prompt 'A smaller heading'"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# No front matter\n", "no front matter: the file must start with a '---' line"),
        ("---\ntitle: x\n", "the front matter is not closed by a '---' line"),
        ("---\ntitle: [x\n---\n", "malformed front matter at line 3"),
        ("---\n- a list\n---\n", "the front matter must be 'key: value' lines"),
        ("---\nuid: 1\n---\n", "the front matter has no title"),
        ("---\ntitle: '  '\n---\n", "the front matter has no title"),
        ("---\ntitle: x\nstatus: live\n---\n", "status 'live' is not one of draft, pending"),
        ("---\ntitle: x\ndate: soon\n---\n", "date 'soon' is not a date"),
        ("---\ntitle: x\nthing: twelve\n---\n", "thing must be a number or a list of numbers"),
        ("---\ntitle: x\ntags: {a: 1}\n---\n", "tags must be a list of names"),
        ("---\ntitle: x\n---\n\nText\n\n![x](gone.jpg)\n", "md:7: image file not found: gone.jpg"),
        ("---\ntitle: x\nfeatured_image: gone.jpg\n---\n", "featured_image file not found"),
    ],
)  # fmt: skip
def test_load_document_errors_are_one_line_usage_errors(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        load_document(write(tmp_path, text))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_document(tmp_path / "nope.md")
    (tmp_path / "bin.md").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(UsageError, match="not a UTF-8 text file"):
        load_document(tmp_path / "bin.md")


def test_remote_images_need_no_file(tmp_path: Path) -> None:
    text = "---\ntitle: x\nuid: 1\nfeatured_image: https://e.org/a.jpg\n---\n![a](https://e.org/a.jpg)\n"
    document = load_document(write(tmp_path, text))
    assert document.images == [] and document.featured_image is None


def test_unanswered_prompts_warn_or_fail_with_strict(tmp_path: Path) -> None:
    text = (
        "---\ntitle: 'TODO: a title'\n---\n\n## Answered?\n\nYes.\n\n## Left?\n\nTODO: say\n\n"
        "## Empty?\n\n## Parent\n\n### Child\n\nText.\n"
    )
    path = write(tmp_path, text)
    document = load_document(path)
    assert [w.split(": ", 1)[1] for w in document.warnings] == [
        "the title is still a placeholder: 'TODO: a title'",
        "no uid in the front matter; publishing will add one",
        "unanswered prompt 'Left?'",
        "nothing under heading 'Empty?'",
    ]
    assert document.warnings[2].startswith(f"{path}:11:")
    with pytest.raises(UsageError) as caught:
        load_document(path, strict=True)
    assert str(caught.value) == (
        f"{path}: 4 problems (--strict): the title is still a placeholder: 'TODO: a title'; "
        "no uid in the front matter; publishing will add one; line 11: unanswered prompt "
        "'Left?'; line 13: nothing under heading 'Empty?'"
    )


def test_front_matter_types_for_publishing(tmp_path: Path) -> None:
    text = (
        "---\ntitle: T\nuid: u-1\nprogramme: cpd23\nthing: [8, 9]\nstatus: future\n"
        "date: 2024-05-01T09:30:00+01:00\ncategories: CPD\ntags: [cpd23, '#cpd23']\n"
        "targets: [work, https://me.example.org]\nslug: my-post\ncolour: teal\n---\nBody\n"
    )
    front = load_document(write(tmp_path, text)).front
    assert (front.things, front.thing, front.status) == ([8, 9], 8, "future")
    assert front.date_gmt == datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    assert (front.categories, front.tags) == (["CPD"], ["cpd23", "#cpd23"])
    assert front.targets == ["work", "https://me.example.org"]
    assert (front.slug, front.extra) == ("my-post", {"colour": "teal"})


def test_a_bare_day_is_local_midnight(tmp_path: Path) -> None:
    front = load_document(write(tmp_path, "---\ntitle: T\ndate: 2024-05-01\n---\n")).front
    assert front.date == date(2024, 5, 1)
    assert front.date_gmt == datetime(2024, 5, 1).astimezone().astimezone(UTC)


def test_ensure_uid_adds_one_line_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, "---\n# my note\ntitle: T\nstatus: draft\n---\nBody\n")
    uid = ensure_uid(path)
    assert path.read_text(encoding="utf-8") == (
        f"---\n# my note\ntitle: T\nuid: {uid}\nstatus: draft\n---\nBody\n"
    )
    assert ensure_uid(path) == uid


def test_front_matter_line_numbers_point_into_the_file(tmp_path: Path) -> None:
    data, body, line = split_front_matter("---\na: 1\nb: 2\n---\n\nHello\n", "f.md")
    assert (data, body, line) == ({"a": 1, "b": 2}, "\nHello\n", 5)


# -- the command line --------------------------------------------------------------------------


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WPCPD_ARCHIVE": str(cwd / "wpcpd.db")}
    return subprocess.run(
        [sys.executable, "-m", "wpcpd", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip


def test_render_command_prints_blocks_or_classic_and_warns(tmp_path: Path) -> None:
    path = write(tmp_path, FRONT + "## Q\n\nTODO: later\n\n## R\n\nAnswer.\n")
    blocks = run("render", path, cwd=tmp_path)
    assert blocks.returncode == 0, blocks.stderr
    assert blocks.stdout == to_blocks("## Q\n\n## R\n\nAnswer.") + "\n"
    assert blocks.stderr == f"wpcpd: warning: {path}:8: unanswered prompt 'Q'\n"
    classic = run("render", path, "--classic", cwd=tmp_path)
    assert classic.stdout == "<h2>Q</h2>\n<h2>R</h2>\n<p>Answer.</p>\n"
    strict = run("render", path, "--strict", cwd=tmp_path)
    assert strict.returncode == 2 and strict.stdout == ""
    assert strict.stderr == (
        f"wpcpd: error: {path}: 1 problem (--strict): line 8: unanswered prompt 'Q'\n"
    )
    missing = run("render", tmp_path / "nope.md", cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr


# -- against the real WordPress -------------------------------------------------------------

PARSE_BLOCKS = """
function wpcpd_tree($blocks) {
    $tree = [];
    foreach ($blocks as $block) {
        $name = $block['blockName'];
        $tree[] = [
            'name' => $name,
            'attrs' => (object) $block['attrs'],
            'registered' => $name && WP_Block_Type_Registry::get_instance()->is_registered($name),
            'html' => $block['innerHTML'],
            'inner' => wpcpd_tree($block['innerBlocks']),
        ];
    }
    return $tree;
}
$content = get_post(%d)->post_content;
echo json_encode([
    'tree' => wpcpd_tree(parse_blocks($content)),
    'reserialised' => serialize_blocks(parse_blocks($content)) === $content,
    'rendered' => apply_filters('the_content', $content),
]);
"""


def names(tree: list[dict[str, Any]]) -> list[Any]:
    """Block names, nested, without the whitespace-only freeform runs between blocks."""
    return [
        [block["name"], names(block["inner"])] if block["inner"] else block["name"]
        for block in tree
        if block["name"] is not None
    ]


def freeform(tree: list[dict[str, Any]]) -> list[str]:
    found = [b["html"] for b in tree if b["name"] is None and b["html"].strip()]
    return found + [html for b in tree for html in freeform(b["inner"])]


def unregistered(tree: list[dict[str, Any]]) -> list[str]:
    found = [b["name"] for b in tree if b["name"] and not b["registered"]]
    return found + [name for b in tree for name in unregistered(b["inner"])]


@pytest.mark.wordpress
def test_block_markup_is_what_wordpress_parses_and_serialises(
    wordpress_factory: Callable[..., Any], tmp_path: Path
) -> None:
    wp = wordpress_factory()
    session = make_session(Politeness(), SafeBasicAuth(wp.admin_user, wp.app_password))
    api = f"{wp.url}/wp-json/wp/v2"
    upload = session.post(
        f"{api}/media",
        data=PNG,
        headers={
            "Content-Type": "image/png",
            "Content-Disposition": 'attachment; filename="photo.png"',
        },
    )
    assert upload.status_code == 201, upload.text
    media = upload.json()
    (tmp_path / "photo.png").write_bytes(PNG)
    document = load_document(write(tmp_path, FRONT + EVERYTHING))
    images = {document.images[0].src: ImageRef(media["source_url"], media["id"])}
    content = document.to_blocks(images)

    created = session.post(f"{api}/posts", json={"title": "Blocks", "content": content})
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    stored = session.get(f"{api}/posts/{post_id}", params={"context": "edit"}).json()
    assert stored["content"]["raw"] == content

    result = json.loads(wp.php(PARSE_BLOCKS % post_id))
    tree = result["tree"]
    assert names(tree) == [
        "core/paragraph",
        "core/heading",
        "core/paragraph",
        "core/heading",
        ["core/list", [
            "core/list-item",
            ["core/list-item", [["core/list", ["core/list-item", "core/list-item"]]]],
        ]],
        ["core/list", ["core/list-item", "core/list-item"]],
        ["core/quote", ["core/paragraph", "core/paragraph"]],
        "core/code",
        "core/separator",
        "core/image",
        "core/image",
        "core/table",
        "core/html",
    ]  # fmt: skip
    assert freeform(tree) == []
    assert unregistered(tree) == []
    assert result["reserialised"] is True  # WordPress writes exactly this markup back
    heading3 = [b for b in tree if b["name"] == "core/heading"][1]
    assert heading3["attrs"] == {"level": 3}
    image = next(b for b in tree if b["name"] == "core/image")
    assert image["attrs"] == {"id": media["id"], "sizeSlug": "full", "linkDestination": "none"}
    rendered = result["rendered"]
    assert f'class="wp-image-{media["id"]}"' in rendered
    assert "<h3>A smaller heading</h3>" in rendered
    assert '<ol start="3">' in rendered and "TODO" not in rendered
