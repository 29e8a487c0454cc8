"""The WXR reader on exports other writers made: it accepts what WordPress's own importer
accepts (WXR_Parser_SimpleXML / _XML / _Regex in the WordPress Importer plugin) and refuses
what it refuses. Each case is a small file in the shape its writer used, checked field by field.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from wpcpd.archive import Archive
from wpcpd.errors import SourceError
from wpcpd.model import COMMENT_STATUSES, Author, Comment, Media, Post, Site, Term
from wpcpd.pull import pull
from wpcpd.sources.wxr import (
    ASSIGNED_ID_BASE,
    ORIGINAL_COMMENT_ID_META,
    ORIGINAL_POST_ID_META,
    WxrReport,
    read_wxr,
    sanitize_title,
    sanitize_user,
)

HTTP_12 = "http://wordpress.org/export/1.2/"


def export(
    items: str,
    *,
    wp: str = HTTP_12,
    excerpt: str | None = None,
    head: str | None = None,
    version: str | None = "1.2",
    namespaces: str = "",
    comment: str = "",
) -> str:
    """A WXR file: the channel's head, then the items, in the layout WordPress writes."""
    if head is None:
        head = (
            "<title>CPD Notes</title>\n\t<link>https://cpdnotes.example.org</link>\n"
            "\t<description>Reflections</description>\n\t<language>en-GB</language>\n"
            "\t<wp:base_site_url>https://cpdnotes.example.org</wp:base_site_url>\n"
            "\t<wp:base_blog_url>https://cpdnotes.example.org</wp:base_blog_url>"
        )
    wxr_version = f"<wp:wxr_version>{version}</wp:wxr_version>" if version is not None else ""
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
{comment}
<rss version="2.0"
	xmlns:excerpt="{excerpt or wp + "excerpt/"}"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="{wp}"
	{namespaces}
>
<channel>
	{head}
	{wxr_version}
	<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[librarian]]></wp:author_login><wp:author_email><![CDATA[lib@example.org]]></wp:author_email><wp:author_display_name><![CDATA[The Librarian]]></wp:author_display_name><wp:author_first_name><![CDATA[]]></wp:author_first_name><wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>
{items}
</channel>
</rss>
"""  # noqa: E501


def item(
    post_id: str | None = "10",
    *,
    title: str = "Thing 1: blogging",
    content: str = "<p>My first reflection.</p>",
    creator: str = "librarian",
    status: str | None = "publish",
    post_type: str = "post",
    link: str | None = "https://cpdnotes.example.org/2011/08/thing-1/",
    guid: str | None = "https://cpdnotes.example.org/?p=10",
    extra: str = "",
) -> str:
    parts = [f"\t\t<title><![CDATA[{title}]]></title>"]
    if link is not None:
        parts.append(f"\t\t<link>{link}</link>")
    parts.append(f"\t\t<dc:creator><![CDATA[{creator}]]></dc:creator>")
    if guid is not None:
        parts.append(f'\t\t<guid isPermaLink="false">{guid}</guid>')
    parts += [
        f"\t\t<content:encoded><![CDATA[{content}]]></content:encoded>",
        "\t\t<excerpt:encoded><![CDATA[Short]]></excerpt:encoded>",
    ]
    if post_id is not None:
        parts.append(f"\t\t<wp:post_id>{post_id}</wp:post_id>")
    parts += [
        "\t\t<wp:post_date><![CDATA[2011-08-15 10:12:00]]></wp:post_date>",
        "\t\t<wp:post_date_gmt><![CDATA[2011-08-15 09:12:00]]></wp:post_date_gmt>",
        "\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>",
        "\t\t<wp:post_name><![CDATA[thing-1]]></wp:post_name>",
    ]
    if status is not None:
        parts.append(f"\t\t<wp:status><![CDATA[{status}]]></wp:status>")
    parts.append(f"\t\t<wp:post_type><![CDATA[{post_type}]]></wp:post_type>")
    return "\t<item>\n" + "\n".join(parts) + f"\n{extra}\n\t</item>"


def comment(
    comment_id: str | None, content: str, *, approved: str | None = "1", parent: int = 0
) -> str:
    cid = f"<wp:comment_id>{comment_id}</wp:comment_id>" if comment_id is not None else ""
    state = (
        f"<wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>"
        if approved is not None
        else ""
    )
    return (
        f"\t\t<wp:comment>{cid}<wp:comment_author><![CDATA[Reader]]></wp:comment_author>"
        "<wp:comment_date><![CDATA[2011-08-16 09:00:00]]></wp:comment_date>"
        f"<wp:comment_content><![CDATA[{content}]]></wp:comment_content>{state}"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
    )


def read(tmp_path: Path, text: str | bytes, report: WxrReport | None = None, **kwargs: str) -> list:
    path = tmp_path / "export.xml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return list(read_wxr(path, report, **kwargs))


def of(kind: type, records: list) -> list:
    return [r for r in records if isinstance(r, kind)]


def refused(tmp_path: Path, text: str | bytes) -> str:
    with pytest.raises(SourceError) as caught:
        read(tmp_path, text)
    message = str(caught.value)
    assert str(tmp_path / "export.xml") in message
    assert "\n" not in message
    return message


def run_cli(archive: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wpcpd", "--archive", str(archive), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "300"},
    )


# -- 1. namespaces -------------------------------------------------------------------


WPCOM_HEAD = (
    "<title>cpd23 and me</title>\n\t<link>https://cpd23andme.wordpress.com</link>\n"
    "\t<description>Thing by thing</description>\n\t<language>en</language>\n"
    "\t<wp:base_site_url>http://wordpress.com/</wp:base_site_url>\n"
    "\t<wp:base_blog_url>https://cpd23andme.wordpress.com</wp:base_blog_url>"
)


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_wordpress_com_https_namespaces_are_read_for_every_version(
    tmp_path: Path, version: str
) -> None:
    wp = f"https://wordpress.org/export/{version}/"
    text = export(
        item(extra=comment("100", "Nice one")),
        wp=wp,
        head=WPCOM_HEAD,
        version=version,
        comment='<!-- generator="WordPress.com" created="2011-09-01 10:00" -->',
    )
    report = WxrReport()
    records = read(tmp_path, text, report)
    assert report.version == version
    (site,) = of(Site, records)
    assert (site.key, site.url, site.title) == (
        "cpd23andme.wordpress.com", "https://cpd23andme.wordpress.com", "cpd23 and me"
    )  # fmt: skip
    (post,) = of(Post, records)
    assert (post.id, post.title, post.status, post.slug) == (
        10, "Thing 1: blogging", "publish", "thing-1"
    )  # fmt: skip
    assert post.content == "<p>My first reflection.</p>"
    assert post.excerpt == "Short"
    assert post.author == "librarian"
    assert post.date_gmt is not None and post.date_gmt.isoformat() == "2011-08-15T09:12:00+00:00"
    (note,) = of(Comment, records)
    assert (note.id, note.post, note.content, note.status) == (100, 10, "Nice one", "approved")


def test_an_https_excerpt_namespace_beside_an_http_wp_one_is_still_the_excerpt(
    tmp_path: Path,
) -> None:
    text = export(item(), excerpt="https://wordpress.org/export/1.2/excerpt/")
    (post,) = of(Post, read(tmp_path, text))
    assert post.excerpt == "Short"


def test_a_non_ascii_namespace_uri_declared_anywhere_is_no_refusal(tmp_path: Path) -> None:
    # libxml2 calls such a name an invalid URI (and lxml says so only at the very end).
    first = item(extra='\t\t<geo:place xmlns:geo="http://example.org/géo/">Café</geo:place>')
    text = export(
        first + "\n" + item("11", title="Second", guid="https://cpdnotes.example.org/?p=11"),
        namespaces='xmlns:ré="http://example.org/réseau/"',
    ).replace(
        "</channel>",
        "\t<wp:tag><wp:term_id>7</wp:term_id><wp:tag_slug><![CDATA[late]]></wp:tag_slug>"
        "<wp:tag_name><![CDATA[Late]]></wp:tag_name></wp:tag>\n</channel>",
    )
    records = read(tmp_path, text)
    assert [p.id for p in of(Post, records)] == [10, 11]
    assert [(t.slug, t.name, t.id) for t in of(Term, records)] == [("late", "Late", 7)]
    assert isinstance(records[0], Site) and records[0].key == "cpdnotes.example.org"


def test_items_that_declare_the_namespaces_again_read_the_same_in_little_memory(
    tmp_path: Path,
) -> None:
    """Writers that copy items whole (lxml does) declare every namespace on every item; the
    reader keeps each binding once instead of one per item (20 MB at 30,000 items)."""
    from wpcpd.sources.wxr.reader import _Walk

    again = (
        'xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    )
    plain = [item(str(n), guid=f"https://cpdnotes.example.org/?p={n}") for n in range(10, 40)]
    declared = [text.replace("<item>", f"<item {again}>", 1) for text in plain]
    assert all(f"<item {again}>" in text for text in declared)
    assert read(tmp_path, export("\n".join(declared))) == read(tmp_path, export("\n".join(plain)))

    walk = _Walk(tmp_path / "x.xml", WxrReport(), None, lambda: None)
    binding = ("wp", "http://wordpress.org/export/1.2/")
    list(walk.run(iter([("start-ns", binding)] * 1000)))
    assert walk.namespaces == [binding]


def test_a_non_ascii_namespace_uri_does_not_hide_a_real_syntax_error(tmp_path: Path) -> None:
    text = export(item(), namespaces='xmlns:ré="http://example.org/réseau/"')
    message = refused(tmp_path, text.replace("</item>", "</itm>"))
    assert "not well-formed XML" in message and "mismatch" in message
    assert "réseau" not in message


# -- 2. the blog's address -----------------------------------------------------------


def test_no_link_nor_base_blog_url_falls_back_to_base_site_url(tmp_path: Path) -> None:
    head = "<title>Site only</title>\n\t<wp:base_site_url>http://lib.example.org/blog/</wp:base_site_url>"
    report = WxrReport()
    site = read(tmp_path, export(item(), head=head), report)[0]
    assert (site.key, site.url, site.title) == (
        "lib.example.org/blog",
        "http://lib.example.org/blog",
        "Site only",
    )
    assert not report.warnings


def test_no_address_in_the_channel_falls_back_to_the_host_of_the_items_links(
    tmp_path: Path,
) -> None:
    # A first item with neither link nor guid: its records wait for the next one's address.
    items = item("9", link=None, guid=None, extra=comment("90", "first")) + "\n" + item("10")
    report = WxrReport()
    records = read(tmp_path, export(items, head="<title>Bare</title>"), report)
    assert isinstance(records[0], Site)
    assert (records[0].key, records[0].url, records[0].title) == (
        "cpdnotes.example.org", "https://cpdnotes.example.org", "Bare"
    )  # fmt: skip
    assert [p.id for p in of(Post, records)] == [9, 10]
    assert [(c.id, c.post) for c in of(Comment, records)] == [(90, 9)]
    assert [a.login for a in of(Author, records)] == ["librarian"]
    assert report.warnings and "--site KEY" in report.warnings[0]


def test_only_guids_give_the_host(tmp_path: Path) -> None:
    text = export(item(link=None, guid="http://old.example.org/?p=10"), head="<title>G</title>")
    assert read(tmp_path, text)[0].key == "old.example.org"


def test_no_address_anywhere_is_one_line_naming_site_key(tmp_path: Path) -> None:
    text = export(item(link=None, guid="10"), head="<title>Nowhere</title>")
    message = refused(tmp_path, text)
    assert "names no blog address" in message and "--site KEY" in message


def test_site_option_names_the_site_of_a_file_without_an_address(tmp_path: Path) -> None:
    text = export(item(link=None, guid=None), head="<title>Nowhere</title>")
    records = read(tmp_path, text, site="cpd.example.org/notes")
    assert (records[0].key, records[0].url) == (
        "cpd.example.org/notes",
        "https://cpd.example.org/notes",
    )
    assert [p.id for p in of(Post, records)] == [10]


def test_pull_site_option_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "bare.xml"
    path.write_text(export(item(link=None, guid=None), head="<title>Nowhere</title>"))
    archive = tmp_path / "a.db"
    without = run_cli(archive, "pull", path)
    assert without.returncode != 0
    assert without.stderr.count("\n") == 1 and "Traceback" not in without.stderr
    assert "--site KEY" in without.stderr
    with_site = run_cli(archive, "pull", path, "--site", "cpd.example.org")
    assert with_site.returncode == 0, with_site.stderr
    assert "pulled cpd.example.org" in with_site.stdout
    again = run_cli(archive, "pull", path, "--site", "1")  # the number stats shows
    assert again.returncode == 0, again.stderr
    assert "1 unchanged" in again.stdout
    unknown = run_cli(archive, "pull", path, "--site", "7")
    assert unknown.returncode != 0 and "no site '7'" in unknown.stderr


# -- 3. the version ------------------------------------------------------------------


@pytest.mark.parametrize("version", [None, "", "two", "1.2.3", "1"])
def test_a_missing_or_non_numeric_wxr_version_is_refused(
    tmp_path: Path, version: str | None
) -> None:
    message = refused(tmp_path, export(item(), version=version))
    assert "wp:wxr_version is missing or not a version number" in message


def test_a_version_with_surrounding_space_is_a_version(tmp_path: Path) -> None:
    report = WxrReport()
    read(tmp_path, export(item(), version=" 1.1\n"), report)
    assert report.version == "1.1"


def test_a_file_without_wxr_version_gives_one_line_and_exit_code_on_the_cli(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nover.xml"
    path.write_text(export(item(), version=None))
    result = run_cli(tmp_path / "a.db", "pull", path)
    assert result.returncode != 0
    assert result.stderr.startswith("wpcpd: error: ") and result.stderr.count("\n") == 1
    assert "wp:wxr_version" in result.stderr and "Traceback" not in result.stderr


# -- 4. and 5. ids the file repeats or lacks -------------------------------------------


def duplicated_pages() -> str:
    """A page duplicated by a plugin, exported twice under one id with different comments
    (one comment id repeated too), then an item a converter wrote without any id."""
    return export(
        item("10", title="About", post_type="page",
             extra=comment("100", "On the first") + "\n" + comment("101", "Reply", parent=100))
        + "\n"
        + item("10", title="About (copy)", post_type="page",
               extra=comment("100", "On the copy") + "\n"
               + comment("102", "Reply to copy", parent=100))
        + "\n"
        + item(None, title="From a converter", extra=comment(None, "No id either"))
        + "\n"
        + item("11", title="Ordinary")
    )  # fmt: skip


def test_two_items_with_one_post_id_both_stay_with_their_own_comments(tmp_path: Path) -> None:
    report = WxrReport()
    records = read(tmp_path, duplicated_pages(), report)
    posts = {p.title: p for p in of(Post, records)}
    assert posts["About"].id == 10
    copy = posts["About (copy)"]
    assert copy.id == ASSIGNED_ID_BASE + 1
    assert (ORIGINAL_POST_ID_META, "10") in copy.meta
    assert not any(key == ORIGINAL_POST_ID_META for key, _ in posts["About"].meta)
    assert posts["Ordinary"].id == 11
    comments = {c.content: c for c in of(Comment, records)}
    assert (comments["On the first"].id, comments["On the first"].post) == (100, 10)
    assert (comments["Reply"].parent, comments["Reply"].post) == (100, 10)
    moved = comments["On the copy"]
    assert (moved.id, moved.post) == (ASSIGNED_ID_BASE + 1, copy.id)
    assert (ORIGINAL_COMMENT_ID_META, "100") in (moved.meta or [])
    # The copy's reply follows its own parent, not the first page's comment.
    assert (comments["Reply to copy"].id, comments["Reply to copy"].parent) == (102, moved.id)
    assert comments["Reply to copy"].post == copy.id
    assert report.posts_repeating_id == 1
    assert report.assigned_ids() == {"posts": 2, "comments": 2}


def test_an_item_without_post_id_is_kept_under_an_assigned_id(tmp_path: Path) -> None:
    report = WxrReport()
    records = read(tmp_path, duplicated_pages(), report)
    converted = next(p for p in of(Post, records) if p.title == "From a converter")
    assert converted.id == ASSIGNED_ID_BASE + 2
    assert (ORIGINAL_POST_ID_META, "") in converted.meta
    (orphan,) = [c for c in of(Comment, records) if c.content == "No id either"]
    assert (orphan.id, orphan.post) == (ASSIGNED_ID_BASE + 2, converted.id)
    assert (ORIGINAL_COMMENT_ID_META, "") in (orphan.meta or [])
    assert report.posts_without_id == 1
    assert len({p.id for p in of(Post, records)}) == 4
    assert len({c.id for c in of(Comment, records)}) == 5


def test_an_assigned_id_never_takes_an_id_the_file_uses_later(tmp_path: Path) -> None:
    # A later item that really has the first id wpcpd would assign: ids stay unique.
    text = export(
        item(None, title="No id") + "\n" + item(str(ASSIGNED_ID_BASE + 1), title="Huge id")
    )
    posts = {p.title: p.id for p in of(Post, read(tmp_path, text))}
    assert len(set(posts.values())) == 2


def test_assigned_ids_are_the_same_on_every_pull_and_nothing_is_duplicated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dup.xml"
    path.write_text(duplicated_pages())
    with Archive(tmp_path / "a.db") as archive:
        first = pull(archive, str(path))
        second = pull(archive, str(path))
        assert first.details["assigned_ids"] == {"posts": 2, "comments": 2}
        assert first.summary.counts["post"]["new"] == 4
        assert second.summary.counts["post"] == {"unchanged": 4}
        assert second.summary.counts["comment"] == {"unchanged": 5}
        assert "new ids for 2 posts, 2 comments" in second.describe()
        assert any("wp:post_id" in w and ORIGINAL_POST_ID_META in w for w in second.warnings)
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT count(*) FROM posts").fetchone()[0] == 4
        assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 5
        meta = db.execute(
            "SELECT post_id, value FROM post_meta WHERE key = ? ORDER BY post_id",
            (ORIGINAL_POST_ID_META,),
        ).fetchall()
        assert meta == [(ASSIGNED_ID_BASE + 1, "10"), (ASSIGNED_ID_BASE + 2, "")]


def test_the_cli_summary_counts_assigned_ids(tmp_path: Path) -> None:
    path = tmp_path / "dup.xml"
    path.write_text(duplicated_pages())
    result = run_cli(tmp_path / "a.db", "pull", path)
    assert result.returncode == 0, result.stderr
    assert "new ids for 2 posts, 2 comments" in result.stdout
    assert "wpcpd: warning:" in result.stderr and ORIGINAL_POST_ID_META in result.stderr


# -- 6. logins -----------------------------------------------------------------------


def test_logins_are_normalised_as_wordpress_does_so_no_phantom_author_appears(
    tmp_path: Path,
) -> None:
    creators = ["librarian", " librarian\n", "\n\t\tlibrarian\n\t", "<b>librarian</b>",
                "librarian>", "<librarian>"]  # fmt: skip
    items = "\n".join(
        item(str(10 + n), creator=c, guid=f"https://cpdnotes.example.org/?p={10 + n}")
        for n, c in enumerate(creators)
    )
    text = export(items).replace(
        "<wp:author_login><![CDATA[librarian]]>", "<wp:author_login><![CDATA[ librarian\n]]>"
    )
    records = read(tmp_path, text)
    assert [(a.login, a.id, a.email) for a in of(Author, records)] == [
        ("librarian", 1, "lib@example.org")
    ]
    assert [p.author for p in of(Post, records)] == ["librarian"] * len(creators)


def test_wxr_1_0_authors_from_dc_creator_are_normalised_too(tmp_path: Path) -> None:
    items = item("3", creator="oldhand ") + "\n" + item("4", creator="\n oldhand")
    text = export(items, wp="http://wordpress.org/export/1.0/", version="1.0")
    text = text.replace(text[text.index("<wp:author>") : text.index("</wp:author>") + 12], "")
    records = read(tmp_path, text)
    assert [a.login for a in of(Author, records)] == ["oldhand"]
    assert [p.author for p in of(Post, records)] == ["oldhand", "oldhand"]


@pytest.mark.parametrize(
    ("raw", "login"),
    [  # what WordPress 6.1's sanitize_user($raw, true) returns
        ("librarian", "librarian"),
        ("  jo.smith@example.org\n", "jo.smith@example.org"),
        ("José García", "Jose Garcia"),
        ("multi\n\tline  name", "multiline name"),
        ("a<script>x</script>b", "ab"),
        ("Ærø Straße", "AEro Strase"),
        ("tom &amp; jerry", "tom jerry"),
        ("50%20off", "50off"),
    ],
)
def test_sanitize_user_matches_wordpress(raw: str, login: str) -> None:
    assert sanitize_user(raw) == login


def test_a_login_wordpress_would_empty_is_kept_trimmed() -> None:
    assert sanitize_user("<librarian>") == "librarian"
    assert sanitize_user(" 张三\n") == "张三"


# -- 7. categories without nicename ----------------------------------------------------


def test_a_category_without_nicename_is_not_a_term_since_wxr_1_1(tmp_path: Path) -> None:
    extra = (
        "\t\t<category><![CDATA[Loose name]]></category>\n"
        '\t\t<category domain="category" nicename="thing-1"><![CDATA[Thing 1]]></category>\n'
        '\t\t<category domain="post_tag"><![CDATA[no slug]]></category>'
    )
    report = WxrReport()
    records = read(tmp_path, export(item(extra=extra)), report)
    (post,) = of(Post, records)
    assert [(t.taxonomy, t.slug, t.name) for t in post.terms] == [
        ("category", "thing-1", "Thing 1")
    ]
    assert report.categories_ignored == 2


def test_wxr_1_0_categories_without_nicename_take_wordpress_slugs_and_are_not_doubled(
    tmp_path: Path,
) -> None:
    head = (
        "<title>Old</title>\n\t<link>http://old.example.org</link>\n"
        "\t<wp:category><wp:category_nicename>cafe-society</wp:category_nicename>"
        "<wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Café Society]]>"
        "</wp:cat_name></wp:category>\n"
        "\t<wp:tag><wp:tag_slug>rss-feeds</wp:tag_slug><wp:tag_name><![CDATA[RSS Feeds]]>"
        "</wp:tag_name></wp:tag>"
    )
    extra = (
        "\t\t<category><![CDATA[Café Society]]></category>\n"
        '\t\t<category domain="category" nicename="cafe-society"><![CDATA[Café Society]]>'
        "</category>\n"
        '\t\t<category domain="tag"><![CDATA[RSS Feeds]]></category>\n'
        "\t\t<category><![CDATA[Ærø Straße — “Notes”]]></category>\n"
        "\t\t<category><![CDATA[Thing 1.5: naïve  résumé]]></category>"
    )
    text = export(
        item(extra=extra), wp="http://wordpress.org/export/1.0/", version="1.0", head=head
    )
    records = read(tmp_path, text)
    assert sorted((t.taxonomy, t.slug) for t in of(Term, records)) == [
        ("category", "cafe-society"), ("post_tag", "rss-feeds")
    ]  # fmt: skip
    (post,) = of(Post, records)
    assert [(t.taxonomy, t.slug, t.name) for t in post.terms] == [
        ("category", "cafe-society", "Café Society"),
        ("post_tag", "rss-feeds", "RSS Feeds"),
        ("category", "aero-strase-notes", "Ærø Straße — “Notes”"),
        ("category", "thing-1-5-naive-resume", "Thing 1.5: naïve  résumé"),
    ]


@pytest.mark.parametrize(
    ("name", "slug"),
    [  # what WordPress 6.1's sanitize_title($name) returns
        ("Café", "cafe"),
        ("Library 2.0", "library-2-0"),
        ("Thing 1: “Blogging” — café ✨", "thing-1-blogging-cafe-%e2%9c%a8"),
        ("Łódź", "lodz"),
        ("Œuvre & co", "oeuvre-co"),
        ("Café &amp; Co", "cafe-co"),
        ("你好 世界", "%e4%bd%a0%e5%a5%bd-%e4%b8%96%e7%95%8c"),
        ("x/y", "x-y"),
        ("50% off", "50-off"),
        ("x \u00d7 y", "x-x-y"),  # the multiplication sign
        ("Résumé™ © ®", "resume"),
        ("Привет", "%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82"),
        ("é" * 120, "e" * 120),
        ("中" * 80, "%e4%b8%ad" * 22),
    ],
)
def test_sanitize_title_matches_wordpress(name: str, slug: str) -> None:
    assert sanitize_title(name) == slug


# -- 8. missing statuses ---------------------------------------------------------------


def test_missing_statuses_become_what_wordpress_stores(tmp_path: Path) -> None:
    comments = "\n".join([
        comment("100", "no approved element", approved=None),
        comment("101", "empty approved", approved=""),
        comment("102", "on a trashed post", approved="post-trashed"),
        comment("103", "a value WordPress lists nowhere", approved="maybe"),
        comment("104", "held", approved="0"),
    ])  # fmt: skip
    items = (
        item("10", status=None, extra=comments)
        + "\n"
        + item("11", status="", guid="https://cpdnotes.example.org/?p=11")
        + "\n"
        + item("12", status=None, post_type="attachment", extra=(
            "\t\t<wp:attachment_url>https://cpdnotes.example.org/a.png</wp:attachment_url>"))
    )  # fmt: skip
    records = read(tmp_path, export(items))
    assert [(p.id, p.status) for p in of(Post, records)] == [
        (10, "draft"), (11, "draft"), (12, "inherit")
    ]  # fmt: skip
    assert len(of(Media, records)) == 1
    statuses = {c.id: c.status for c in of(Comment, records)}
    assert statuses == {100: "approved", 101: "approved", 102: "trash", 103: "hold", 104: "hold"}
    assert set(statuses.values()) <= set(COMMENT_STATUSES)


# -- 9. raw ]]> inside CDATA -------------------------------------------------------------


def old_wordpress_export() -> str:
    """What WordPress before 2.x-era fixes wrote: ']]>' inside content left raw."""
    return export(
        item("9", title="Before", content="<p>Fine.</p>", guid="https://cpdnotes.example.org/?p=9")
        + "\n"
        + item(
            "10",
            title="Arrays a[b[0]]> c",
            content="<pre>if (a[b[0]]> 1) { x = y[z[1]]>>2; }</pre>\n<p>End ]]></p>",
            extra=comment("100", "Try x[y[2]]> 3 ]]>") + "\n"
            "\t\t<wp:postmeta><wp:meta_key><![CDATA[code]]></wp:meta_key>"
            "<wp:meta_value><![CDATA[m[n[0]]>0]]></wp:meta_value></wp:postmeta>",
        )
        + "\n"
        + item("11", title="Split the new way", content="keep ]]]]><![CDATA[> this",
               guid="https://cpdnotes.example.org/?p=11")
    )  # fmt: skip


def test_raw_cdata_end_is_recovered_exactly_by_the_tolerant_reader(tmp_path: Path) -> None:
    report = WxrReport()
    records = read(tmp_path, old_wordpress_export(), report)
    posts = {p.id: p for p in of(Post, records)}
    assert sorted(posts) == [9, 10, 11]
    assert posts[9].content == "<p>Fine.</p>"
    assert posts[10].title == "Arrays a[b[0]]> c"
    assert posts[10].content == "<pre>if (a[b[0]]> 1) { x = y[z[1]]>>2; }</pre>\n<p>End ]]></p>"
    assert posts[10].meta == [("code", "m[n[0]]>0")]
    assert posts[10].excerpt == "Short" and posts[10].status == "publish"
    assert posts[11].content == "keep ]]> this"
    (note,) = of(Comment, records)
    assert (note.id, note.post, note.content) == (100, 10, "Try x[y[2]]> 3 ]]>")
    # Every record once, in order: none given twice by the second reading.
    assert [type(r).__name__ for r in records] == [
        "Site", "Author", "Post", "Post", "Comment", "Post"
    ]  # fmt: skip
    assert report.tolerant and report.cdata_repaired == 7
    assert report.warnings and "tolerant reader" in report.warnings[0]


def test_raw_cdata_end_across_read_chunks_is_recovered_exactly(tmp_path: Path) -> None:
    body = "x[a[0]]> é✨ " * 250_000  # several MB: chunk boundaries fall inside the repairs
    text = export(item(content=body)).replace("<wp:status>", "<wp:status>", 1)
    report = WxrReport()
    (post,) = of(Post, read(tmp_path, text, report))
    assert post.content == body
    assert report.cdata_repaired == 250_000 and report.repaired == 0


def test_the_tolerant_reader_is_not_used_for_well_formed_files(tmp_path: Path) -> None:
    report = WxrReport()
    text = export(item(content="a ]]]]><![CDATA[> b <![CDATA[ c"))
    (post,) = of(Post, read(tmp_path, text, report))
    assert post.content == "a ]]> b <![CDATA[ c"
    assert not report.tolerant and not report.warnings


def test_a_malformed_file_is_still_refused_with_file_and_line(tmp_path: Path) -> None:
    text = export(item("9") + "\n" + item("10").replace("</title>", "</titel>"))
    message = refused(tmp_path, text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "</titel>" in t)
    assert f"line {line}: not well-formed XML" in message


@pytest.mark.parametrize(
    ("wrong", "right", "expected"),
    [
        ("</itm>", "</item>", "not well-formed XML: Opening and ending tag mismatch"),
        # Right after a section: the tolerant reader would read on to the end inside it.
        ("</wp:post_typ>", "</wp:post_type>", "not well-formed XML: <wp:post_type> ends with"),
    ],
)
def test_a_malformed_file_with_a_raw_cdata_end_too_names_the_real_error(
    tmp_path: Path, wrong: str, right: str, expected: str
) -> None:
    text = old_wordpress_export()
    last = text.rindex(right)
    text = text[:last] + wrong + text[last + len(right) :]
    message = refused(tmp_path, text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if wrong in t)
    assert f"line {line}: {expected}" in message


def test_a_truncated_old_export_is_still_called_truncated(tmp_path: Path) -> None:
    text = old_wordpress_export()
    message = refused(tmp_path, text[: text.index("Split the new way")])
    assert "the file ends too early" in message


def test_the_tolerant_reader_still_refuses_dtds_and_entities(tmp_path: Path) -> None:
    text = old_wordpress_export()
    with_dtd = text.replace(
        '<?xml version="1.0" encoding="UTF-8" ?>',
        '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    )
    assert "refusing a file with a DTD" in refused(tmp_path, with_dtd)
    with_entity = text.replace("<title><![CDATA[Before]]>", "<title>&x;</title><x>")
    message = refused(tmp_path, with_entity)
    assert "not well-formed XML" in message and "root:" not in message


def test_the_cli_says_on_stderr_that_the_tolerant_reader_was_used(tmp_path: Path) -> None:
    path = tmp_path / "old.xml"
    path.write_text(old_wordpress_export())
    result = run_cli(tmp_path / "a.db", "pull", path)
    assert result.returncode == 0, result.stderr
    assert "tolerant reader" in result.stderr and "line " in result.stderr
    assert "posts 3 new" in result.stdout
    again = run_cli(tmp_path / "a.db", "pull", path)
    assert "posts 0 new, 0 updated, 3 unchanged" in again.stdout
    as_json = run_cli(tmp_path / "b.db", "pull", path, "--json")
    assert "tolerant reader" in as_json.stderr  # stderr in every mode; stdout stays JSON
    assert json.loads(as_json.stdout)["tolerant_reader"]


@pytest.mark.parametrize("batch", [None, 7], ids=["as-shipped", "merging-often"])
def test_the_id_register_agrees_with_a_plain_set(
    batch: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    from wpcpd.sources.wxr.items import _IdSet

    if batch:  # out-of-order ids are merged into the sorted array every `batch` ids
        monkeypatch.setattr(_IdSet, "BATCH", batch)
    rnd = random.Random(3)
    ids, used, top = _IdSet(), set(), ASSIGNED_ID_BASE
    pools = [
        lambda: rnd.randint(-2, 3000),  # dense, repeats likely
        lambda: rnd.randint(1 << 24, (1 << 24) + 5000),  # high, unordered
        lambda: rnd.randint(ASSIGNED_ID_BASE, ASSIGNED_ID_BASE + 50),  # where ids are handed out
        lambda: rnd.randint(1 << 63, (1 << 63) + 10),  # beyond 64-bit signed
    ]
    rising = 1 << 30
    for _ in range(20_000):
        if rnd.random() < 0.3:
            rising += rnd.randint(0, 3)
            value = rising
        else:
            value = rnd.choice(pools)()
        if value > 0 and value not in used:
            used.add(value)
            expected = (value, True)
        else:
            top += 1
            while top in used:
                top += 1
            used.add(top)
            expected = (top, False)
        assert ids.claim(value) == expected
    if batch:
        assert len(ids.merged) > 1000 and len(ids.recent) < batch


def test_the_cdata_repair_gives_the_same_bytes_however_the_stream_is_cut() -> None:
    import random

    from wpcpd.sources.wxr import CdataRepair

    sample = old_wordpress_export().encode("utf-8")
    sample += b"<!-- a ]]> and <![CDATA[ in a comment --><x><![CDATA[ a ]]>\n </x>"

    def repaired(sizes: random.Random | None) -> bytes:
        repair, out, at = CdataRepair(), [], 0
        while at < len(sample):
            step = sizes.randint(1, 12) if sizes else len(sample)
            out.append(repair.feed(sample[at : at + step], final=False))
            at += step
        out.append(repair.feed(b"", final=True))
        return b"".join(out)

    whole = repaired(None)
    assert whole.count(b"]]]]><![CDATA[>") == 7 + 1  # the old export's 7, the split one
    assert whole.count(b"\n") == sample.count(b"\n")
    assert b"<!-- a ]]> and <![CDATA[ in a comment -->" in whole
    assert whole.endswith(b"<x><![CDATA[ a ]]>\n </x>")
    for seed in range(20):
        assert repaired(random.Random(seed)) == whole
