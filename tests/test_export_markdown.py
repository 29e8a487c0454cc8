"""`wpcpd export markdown` through the real command line, on a hand-written WXR file with
what strangers' blogs hold (fixtures/wxr/markdown-site.xml, its pictures in
fixtures/uploads): where each generator's files go, front matter that keeps dates with
their offset, the GUID and the old address, no non-public post publishable, threads that
nest, pictures from the media store, re-runs that rewrite only what changed, one-line
errors, and a kill -9 in the middle. tests/test_export_markdown_build.py builds the
folders with the generators themselves."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from clirun import assert_clean, cli_env, plain, run_cli
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
SITE_XML = ROOT / "fixtures" / "wxr" / "markdown-site.xml"
UPLOADS = ROOT / "fixtures" / "uploads"
LAYOUTS = ("hugo", "jekyll", "pelican", "eleventy")
PUBLIC = {101, 102, 110, 111}
NOT_PUBLIC = {103, 104, 105, 106, 107, 112}

PATHS = {
    "hugo": {101: "content/posts/thing-1-blogging/index.md",
             103: "content/posts/thing-2-rss-feeds-103/index.md",
             111: "content/about/programme/index.md"},
    "jekyll": {101: "_posts/2013-01-15-thing-1-blogging.md",
               103: "_drafts/thing-2-rss-feeds-103.md", 111: "about/programme.md"},
    "pelican": {101: "content/posts/thing-1-blogging.md",
                103: "content/posts/thing-2-rss-feeds-103.md",
                111: "content/pages/about/programme.md"},
    "eleventy": {101: "posts/thing-1-blogging.md", 103: "posts/thing-2-rss-feeds-103.md",
                 111: "pages/about/programme.md"},
}  # fmt: skip
COMMENTS = {"hugo": "data", "jekyll": "_data", "pelican": ".", "eleventy": "_data"}


def pull(home: Path, wxr: Path = SITE_XML) -> None:
    done = run_cli(["pull", str(wxr), "--media-dir", str(UPLOADS)], cli_env(home))
    assert done.code == 0, done.text


def export(home: Path, out: Path, *more: str, mode: str = "piped") -> Any:
    return run_cli(["export", "markdown", "--out", str(out), *more], cli_env(home), mode)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("markdown-home")
    pull(folder)
    return folder


@pytest.fixture(scope="module")
def exported(home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folders = {}
    for layout in LAYOUTS:
        out = tmp_path_factory.mktemp(f"md-{layout}")
        run = export(home, out, "--layout", layout)
        assert_clean(run, "piped")
        folders[layout] = out
    return folders


def front_matter(path: Path) -> dict[str, Any]:
    """The metadata at the top of a Markdown file: YAML, or Pelican's `Key: value` lines."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        return yaml.safe_load(text.split("---\n", 2)[1])
    head = text.split("\n\n", 1)[0]
    return dict(line.split(": ", 1) for line in head.splitlines())


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / ".wpcpd" / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_post_goes_where_its_generator_looks(exported: dict[str, Path], layout: str) -> None:
    folder = exported[layout]
    posts = manifest(folder)["posts"]
    assert set(map(int, posts)) == PUBLIC | NOT_PUBLIC  # no trash, no attachment
    for post_id, path in PATHS[layout].items():
        assert posts[str(post_id)] == path
    for path in posts.values():
        assert (folder / path).is_file()
    if layout == "hugo":  # a page bundle: the post's pictures beside it
        bundle = folder / "content/posts/thing-1-blogging"
        assert {p.name for p in bundle.iterdir()} == {"index.md", "badge.png", "diagram.png"}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_front_matter_keeps_dates_offsets_guid_address_and_terms(
    exported: dict[str, Path], layout: str
) -> None:
    meta = front_matter(exported[layout] / PATHS[layout][101])
    text = json.dumps(meta, default=str)
    assert "2013-01-15T10:00:00+01:00" in text or "2013-01-15 10:00:00 +0100" in text
    assert "https://reflect.example.org/?p=101" in text  # the GUID feed readers know
    assert "/2013/01/15/thing-1-blogging/" in text  # the old address, kept
    for name in ("23 Things", "Reflections", "blogging", "Jo Bloggs", "Writing"):
        assert name in text, name
    assert "Starting a reflective blog." in text  # the excerpt, as text
    assert "badge.png" in text  # the featured image


def _never_published(layout: str, folder: Path, path: str) -> bool:
    meta = front_matter(folder / path)
    if layout == "hugo":
        return meta["draft"] is True
    if layout == "jekyll":
        return meta.get("published") is False and (
            path.startswith("_drafts/") or meta["layout"] == "page"
        )
    if layout == "eleventy":
        return meta["permalink"] is False and meta["eleventyExcludeFromCollections"] is True
    return meta["Status"] == "draft"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_no_post_that_was_not_public_can_be_published(
    exported: dict[str, Path], layout: str
) -> None:
    folder = exported[layout]
    posts = manifest(folder)["posts"]
    for post_id in NOT_PUBLIC:
        assert _never_published(layout, folder, posts[str(post_id)]), post_id
    for post_id in PUBLIC:
        assert not _never_published(layout, folder, posts[str(post_id)]), post_id
    everything = "".join(p.read_text("utf-8", "replace") for p in folder.rglob("*") if p.is_file())
    # A post's password, commenters' e-mail addresses and IPs never reach the export.
    for secret in ("cpd-secret", "reader@example.net", "jo@example.org", "192.0.2.7"):
        assert secret not in everything, secret


def thread(folder: Path, layout: str, post_id: int) -> list[dict[str, Any]]:
    path = folder / COMMENTS[layout] / "wpcpd_comments" / f"{post_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_threads_nest_and_only_approved_comments_are_kept_by_default(
    exported: dict[str, Path], layout: str
) -> None:
    comments = {c["id"]: c for c in thread(exported[layout], layout, 101)}
    assert set(comments) == {1001, 1002, 1003, 1006, 1007}
    assert comments[1002]["parent"] == 1001 and comments[1003]["parent"] == 1002
    # An approved reply to a held comment hangs from the top, and says what it answered.
    assert comments[1006]["parent"] == 0 and comments[1006]["wp_parent"] == 1004
    assert comments[1001]["author_url"] == "https://sam.example.net/"
    assert comments[1001]["date"] == "2013-01-16T08:00:00+01:00"
    # WordPress shows a comment's asterisks as typed: the Markdown must render them so.
    rendered = MarkdownIt("commonmark").render(comments[1001]["content"])
    assert "*Great*" in rendered and "<em>" not in rendered
    assert comments[1007]["type"] == "pingback"
    assert [c["id"] for c in thread(exported[layout], layout, 111)] == [1010]


def test_comments_all_keeps_every_status_and_none_keeps_none(home: Path, tmp_path: Path) -> None:
    run = export(home, tmp_path / "all", "--layout", "jekyll", "--comments", "all")
    assert_clean(run, "piped")
    statuses = {c["id"]: c["status"] for c in thread(tmp_path / "all", "jekyll", 101)}
    assert statuses[1004] == "hold" and statuses[1005] == "spam" and len(statuses) == 7
    run = export(home, tmp_path / "none", "--layout", "jekyll", "--comments", "none")
    assert_clean(run, "piped")
    assert not (tmp_path / "none" / "_data" / "wpcpd_comments").exists()
    assert "8 left out by --comments none" in plain(run.err).replace("\n", " ")


def test_status_chooses_what_is_written(home: Path, tmp_path: Path) -> None:
    run = export(home, tmp_path / "out", "--layout", "hugo", "--status", "publish,trash")
    assert_clean(run, "piped")
    posts = manifest(tmp_path / "out")["posts"]
    assert set(map(int, posts)) == PUBLIC | {105, 108}  # 105: published behind a password


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pictures_come_from_the_store_and_the_content_points_at_them(
    exported: dict[str, Path], layout: str
) -> None:
    folder = exported[layout]
    original = (UPLOADS / "2013/01/badge.png").read_bytes()
    if layout == "hugo":
        copy, reference = folder / "content/posts/thing-1-blogging/badge.png", "badge.png"
    else:
        base = "content/" if layout == "pelican" else ""
        copy = folder / base / "wp-content/uploads/2013/01/badge.png"
        reference = "wp-content/uploads/2013/01/badge.png"
    assert copy.read_bytes() == original
    body = (folder / PATHS[layout][101]).read_text(encoding="utf-8").split("\n\n", 1)[1]
    assert reference in body
    # The resized copies the content named (-300x200, -400x300) became the originals.
    assert "reflect.example.org/wp-content/uploads" not in body
    assert "badge-300x200" not in body and "diagram-400x300" not in body


def test_a_rerun_rewrites_only_what_changed_and_keeps_edits(home: Path, tmp_path: Path) -> None:
    own = tmp_path / "home"
    own.mkdir()
    pull(own)
    out = tmp_path / "site"
    assert_clean(export(own, out, "--layout", "jekyll"), "piped")
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = export(own, out, "--layout", "jekyll")
    assert_clean(again, "piped")
    assert "0 files written" in plain(again.err).replace("\n", " ")
    changed = [p for p, t in times.items() if p.stat().st_mtime_ns != t and ".wpcpd" not in str(p)]
    assert changed == []
    # The site changes one title: one file is rewritten.
    edited_xml = tmp_path / "changed.xml"
    text = SITE_XML.read_text(encoding="utf-8")
    edited_xml.write_text(text.replace("Thing 2: RSS feeds]]", "Thing 2: Feeds]]", 1), "utf-8")
    pull(own, edited_xml)
    third = export(own, out, "--layout", "jekyll")
    assert "1 file written" in plain(third.err).replace("\n", " "), third.err
    assert "Thing 2: Feeds" in (out / "_posts/2013-01-22-thing-2-rss-feeds.md").read_text("utf-8")
    # A person edits a file: the next export keeps it and says so.
    mine = out / "_posts/2013-01-15-thing-1-blogging.md"
    mine.write_text(mine.read_text("utf-8") + "\nMy own note.\n", encoding="utf-8")
    fourth = export(own, out, "--layout", "jekyll")
    assert_clean(fourth, "piped")
    assert "My own note." in mine.read_text("utf-8")
    assert "edited since the last export" in plain(fourth.err).replace("\n", " ")


def test_a_post_made_private_leaves_the_published_folder(tmp_path: Path) -> None:
    own = tmp_path / "home"
    own.mkdir()
    pull(own)
    out = tmp_path / "site"
    assert_clean(export(own, out, "--layout", "jekyll"), "piped")
    public = out / "_posts/2013-01-22-thing-2-rss-feeds.md"
    assert public.exists()
    private_xml = tmp_path / "private.xml"
    text = SITE_XML.read_text(encoding="utf-8")
    start = text.index("<wp:post_id>102</wp:post_id>")
    end = text.index("</item>", start)
    item = text[start:end].replace(
        "<wp:status><![CDATA[publish]]>", "<wp:status><![CDATA[private]]>"
    )
    private_xml.write_text(text[:start] + item + text[end:], encoding="utf-8")
    pull(own, private_xml)
    run = export(own, out, "--layout", "jekyll")
    assert_clean(run, "piped")
    assert not public.exists()  # a stale public copy would publish a private post
    assert front_matter(out / "_drafts/thing-2-rss-feeds.md")["published"] is False
    assert "1 removed" in plain(run.err).replace("\n", " ")


@pytest.mark.parametrize("mode", ("terminal", "piped"))
def test_the_summary_says_what_was_written_and_left_out(
    home: Path, tmp_path: Path, mode: str
) -> None:
    run = export(home, tmp_path / "out", "--layout", "hugo", mode=mode)
    assert_clean(run, mode)
    text = plain(run.text).replace("\n", " ")
    assert f"wrote 10 posts and pages to {tmp_path / 'out'}" in text
    assert "4 public, 6 not public" in text
    assert "6 comments in 2 threads; 2 left out by --comments approved" in text
    assert "left out: 1 status trash" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name the generator with --layout"),
        (("--layout", "gatsby"), "unknown --layout 'gatsby'"),
        (("--layout", "hugo", "--comments", "some"), "unknown --comments 'some'"),
        (("--layout", "hugo", "--status", "publish,gone"), "unknown --status gone"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(
    home: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    run = export(home, tmp_path / "out", *args)
    assert_clean(run, "piped", ok=False)
    assert message in run.err
    assert not (tmp_path / "out").exists()


def test_a_folder_export_needs_a_folder(home: Path, tmp_path: Path) -> None:
    run = export(home, Path("-"), "--layout", "hugo")
    assert_clean(run, "piped", ok=False)
    assert "writes a folder: name it with --out DIR" in run.err
    afile = tmp_path / "file.md"
    afile.write_text("mine", encoding="utf-8")
    run = export(home, afile, "--layout", "hugo")
    assert_clean(run, "piped", ok=False)
    assert "is a file" in run.err and afile.read_text("utf-8") == "mine"


def test_a_folder_of_another_layout_is_refused(home: Path, tmp_path: Path) -> None:
    assert_clean(export(home, tmp_path / "out", "--layout", "hugo"), "piped")
    before = sorted(p for p in (tmp_path / "out").rglob("*"))
    run = export(home, tmp_path / "out", "--layout", "jekyll")
    assert_clean(run, "piped", ok=False)
    assert "holds a hugo export: use --layout hugo" in run.err
    assert sorted(p for p in (tmp_path / "out").rglob("*")) == before


def test_kill_9_in_the_middle_then_the_same_command_finishes_the_job(tmp_path: Path) -> None:
    """A large site, killed while writing; the re-run ends as a clean export does."""
    big = tmp_path / "big.xml"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_wxr.py"),
                    str(ROOT / "fixtures" / "sample-cpd23.xml"), str(big), "--posts", "1500",
                    "--comments-per-post", "4"], check=True)  # fmt: skip
    home = tmp_path / "home"
    home.mkdir()
    assert run_cli(["pull", str(big)], cli_env(home), timeout=300).code == 0
    out, clean = tmp_path / "killed", tmp_path / "clean"
    command = [sys.executable, "-m", "wpcpd", "export", "markdown", "--out", str(out),
               "--layout", "hugo"]  # fmt: skip
    child = subprocess.Popen(command, env=cli_env(home), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)  # fmt: skip
    journal = out / ".wpcpd" / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text("utf-8").count("\n") >= 300:
            break
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    assert not (out / ".wpcpd" / "manifest.json").exists()
    again = run_cli(["export", "markdown", "--out", str(out), "--layout", "hugo"], cli_env(home),
                    timeout=300)  # fmt: skip
    assert_clean(again, "piped")
    assert "edited since" not in again.err  # what the killed run wrote is known as its own
    assert_clean(run_cli(["export", "markdown", "--out", str(clean), "--layout", "hugo"],
                         cli_env(home), timeout=300), "piped")  # fmt: skip
    assert not list(out.rglob(".*.partial")) and not journal.exists()
    assert _tree(out) == _tree(clean)


def _tree(folder: Path) -> dict[str, bytes]:
    found = {}
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def test_a_manifest_entry_cannot_name_a_file_outside_the_folder(home: Path, tmp_path: Path) -> None:
    """A tampered manifest never makes the export delete anything outside its folder."""
    out = tmp_path / "out"
    assert_clean(export(home, out, "--layout", "hugo"), "piped")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    data = manifest(out)
    digest = __import__("hashlib").sha256(b"keep me").hexdigest()
    data["files"]["../victim.txt"] = {"sha256": digest}
    (out / ".wpcpd" / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    assert_clean(export(home, out, "--layout", "hugo"), "piped")
    assert victim.read_text("utf-8") == "keep me"
    assert re.search(r"\bwpcpd\b", (out / ".wpcpd" / "redirects.nginx.conf").read_text("utf-8"))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_block_content_keeps_its_gallery_embed_code_and_stored_footnotes(
    exported: dict[str, Path], layout: str
) -> None:
    """Post 102 is block content as WordPress 6.3+ stores it: the footnotes block is an
    empty marker and the notes live in the `footnotes` meta."""
    body = (exported[layout] / manifest(exported[layout])["posts"]["102"]).read_text("utf-8")
    assert "[^1]: Through [a feed reader](https://www.inoreader.com/)." in body
    assert "Where I read feeds" in body  # the gallery image's own caption
    assert "```javascript\nconst feeds = [];\nif (feeds.length < 1)" in body
    youtube = "{{< youtube dQw4w9WgXcQ >}}" if layout == "hugo" else "dQw4w9WgXcQ>"
    assert youtube in body
    assert "<!-- wp:" not in body


@pytest.mark.parametrize("config", ["hugo.toml", "config.toml", "hugo.yaml"])
def test_a_site_of_its_own_keeps_its_configuration_theme_and_layouts(
    home: Path, tmp_path: Path, config: str
) -> None:
    """Into an existing Hugo site: the posts, threads and wpcpd's partials, and nothing
    that would override its own configuration or its theme's layouts."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / config).write_text('title = "My own"\n', encoding="utf-8")
    run = export(home, out, "--layout", "hugo")
    assert_clean(run, "piped")
    assert (out / config).read_text("utf-8") == 'title = "My own"\n'
    assert not (out / "hugo.toml").exists() or config == "hugo.toml"
    assert not (out / "layouts/_default").exists()  # the theme's layouts stay in charge
    assert "unsafe" in (out / ".wpcpd/starters/hugo.toml").read_text("utf-8")
    assert f"a site of its own: kept its {config}" in plain(run.err).replace("\n", " ")
    assert (out / "layouts/partials/wpcpd-comments.html").is_file()  # wpcpd's own: written
    assert (out / PATHS["hugo"][101]).is_file()


def test_a_file_of_its_own_where_a_post_goes_is_kept_not_a_crash(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "own"
    (out / "content/posts/thing-1-blogging").mkdir(parents=True)
    mine = out / PATHS["hugo"][101]
    mine.write_text("my own post\n", encoding="utf-8")
    run = export(home, out, "--layout", "hugo")
    assert_clean(run, "piped")
    assert mine.read_text("utf-8") == "my own post\n"
    assert "not overwritten: content/posts/thing-1-blogging/index.md" in plain(run.err)
    again = export(home, out, "--layout", "hugo")
    assert_clean(again, "piped")
    assert mine.read_text("utf-8") == "my own post\n"


def test_another_site_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    """A re-run removes what it no longer writes: another site's export would lose the first."""
    own = tmp_path / "home"
    own.mkdir()
    pull(own)
    assert run_cli(["pull", str(ROOT / "fixtures" / "sample-cpd23.xml")], cli_env(own)).code == 0
    out = tmp_path / "site"
    first = export(own, out, "--layout", "hugo", "--site", "reflect.example.org")
    assert_clean(first, "piped")
    before = sorted(out.rglob("*"))
    run = export(own, out, "--layout", "hugo", "--site", "cpd23.example.org")
    assert_clean(run, "piped", ok=False)
    assert "holds the export of reflect.example.org" in run.err
    assert sorted(out.rglob("*")) == before


def test_an_empty_out_and_quiet(home: Path, tmp_path: Path) -> None:
    run = run_cli(["export", "markdown", "--out", "", "--layout", "hugo"], cli_env(home))
    assert_clean(run, "piped", ok=False)
    assert "writes a folder: name it with --out DIR" in run.err
    quiet = run_cli(["-q", "export", "markdown", "--out", str(tmp_path / "q"), "--layout",
                     "hugo"], cli_env(home))  # fmt: skip
    assert quiet.code == 0 and quiet.err == "" and (tmp_path / "q" / PATHS["hugo"][101]).exists()


NASTY_COMMENT = """\t\t<wp:comment>
\t\t\t<wp:comment_id>1020</wp:comment_id>
\t\t\t<wp:comment_author><![CDATA[<b>Mallory</b>]]></wp:comment_author>
\t\t\t<wp:comment_author_url>javascript:alert(1)</wp:comment_author_url>
\t\t\t<wp:comment_date><![CDATA[2013-01-20 10:00:00]]></wp:comment_date>
\t\t\t<wp:comment_date_gmt><![CDATA[2013-01-20 09:00:00]]></wp:comment_date_gmt>
\t\t\t<wp:comment_content><![CDATA[Nice <script>alert(4)</script>
<iframe src="https://evil.example/"></iframe><img src=x onerror="alert(5)">
<a href="javascript:alert(6)" onclick="x()">link</a> and <em>fine</em>
<a href="https://ok.example/">ok</a>]]></wp:comment_content>
\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>
\t\t\t<wp:comment_type><![CDATA[comment]]></wp:comment_type>
\t\t\t<wp:comment_parent>0</wp:comment_parent>
\t\t</wp:comment>
"""


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_comment_keeps_only_the_markup_a_commenter_may_use(tmp_path: Path, layout: str) -> None:
    text = SITE_XML.read_text(encoding="utf-8")
    at = text.index("\t\t<wp:comment>\n\t\t\t<wp:comment_id>1001</wp:comment_id>")
    nasty = tmp_path / "nasty.xml"
    nasty.write_text(text[:at] + NASTY_COMMENT + text[at:], encoding="utf-8")
    own = tmp_path / "home"
    own.mkdir()
    pull(own, nasty)
    assert_clean(export(own, tmp_path / "site", "--layout", layout), "piped")
    (comment,) = [c for c in thread(tmp_path / "site", layout, 101) if c["id"] == 1020]
    assert comment["author_url"] == ""
    html = MarkdownIt("commonmark").render(comment["content"])
    for bad in ("script", "iframe", "onerror", "onclick", "javascript:", "alert(4)"):
        assert bad not in html, bad
    assert "<em>fine</em>" in html and 'href="https://ok.example/"' in html


def test_a_top_level_page_named_posts_does_not_hide_the_posts(tmp_path: Path) -> None:
    """WordPress's "Posts page" is often a page named posts: in Hugo it would be the
    posts' own section, and every post would vanish from the built site."""
    text = SITE_XML.read_text(encoding="utf-8")
    named = tmp_path / "posts-page.xml"
    named.write_text(text.replace("<wp:post_name><![CDATA[about]]>",
                                  "<wp:post_name><![CDATA[posts]]>"), encoding="utf-8")  # fmt: skip
    own = tmp_path / "home"
    own.mkdir()
    pull(own, named)
    assert_clean(export(own, tmp_path / "site", "--layout", "hugo"), "piped")
    posts = manifest(tmp_path / "site")["posts"]
    assert posts["110"] == "content/posts-page/_index.md"
    assert posts["111"] == "content/posts-page/programme/index.md"


def test_json_output_is_refused_as_every_export_refuses_it(home: Path, tmp_path: Path) -> None:
    run = export(home, tmp_path / "out", "--layout", "hugo", mode="json")
    assert_clean(run, "json", ok=False)
    assert "No such option: --json" in run.err
    assert not (tmp_path / "out").exists()


def test_two_public_posts_at_one_address_do_not_hide_each_other(tmp_path: Path) -> None:
    """A file from another tool may give two posts one link: both must be built."""
    shared = tmp_path / "shared.xml"
    text = SITE_XML.read_text(encoding="utf-8")
    text = text.replace(
        "<link>https://reflect.example.org/2013/01/22/thing-2-rss-feeds/</link>",
        "<link>https://reflect.example.org/2013/01/15/thing-1-blogging/</link>",
    )
    shared.write_text(text, encoding="utf-8")
    own = tmp_path / "home"
    own.mkdir()
    pull(own, shared)
    run = export(own, tmp_path / "site", "--layout", "hugo")
    assert_clean(run, "piped")
    second = front_matter(tmp_path / "site/content/posts/thing-2-rss-feeds/index.md")
    assert second["url"] == "/posts/thing-2-rss-feeds/" and second["draft"] is False
    assert front_matter(tmp_path / "site" / PATHS["hugo"][101])["url"] == (
        "/2013/01/15/thing-1-blogging/"
    )
    assert "1 public post had the address of an earlier one" in plain(run.err).replace("\n", " ")
    redirects = (tmp_path / "site/.wpcpd/redirects.csv").read_text("utf-8")
    assert "?p=102,/posts/thing-2-rss-feeds/" in redirects
    assert "thing-1-blogging/,/posts/" not in redirects  # the first post keeps its address
