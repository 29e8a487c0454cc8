"""The WXR reader on small exports the project wrote to hold the edge cases real ones have."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from wpcpd.errors import SourceError
from wpcpd.model import Author, Comment, Media, Post, Site, Term, decode_meta_value
from wpcpd.sources.wxr import WxrReport, read_wxr

FIXTURES = Path(__file__).parent.parent / "fixtures" / "wxr"


def records(path: Path, report: WxrReport | None = None) -> list:
    return list(read_wxr(path, report))


def of(kind: type, items: list) -> list:
    return [r for r in items if isinstance(r, kind)]


def test_site_comes_first_and_is_keyed_by_blog_address() -> None:
    items = records(FIXTURES / "edge-1.2.xml")
    site = items[0]
    assert isinstance(site, Site)
    assert site.key == "edge.example.org/cpd"
    assert site.title == "Edge & Case CPD"
    assert site.channel == "wxr"


def test_split_cdata_and_several_sections_join_into_the_original_content() -> None:
    post = of(Post, records(FIXTURES / "edge-1.2.xml"))[0]
    assert "<code>if (a[b[0]]> c)</code>" in post.content
    assert post.content.endswith("<p>Second CDATA section.</p>")


def test_post_keeps_every_wordpress_field() -> None:
    post = next(p for p in of(Post, records(FIXTURES / "edge-1.2.xml")) if p.id == 10)
    assert post.title == "Thing 1: “Blogging” — café ✨ 🎉"
    assert post.slug == "thing-1"
    assert post.excerpt == "Short & sweet"
    assert post.date.isoformat() == "2011-08-15T10:12:00"
    assert post.date_gmt.isoformat() == "2011-08-15T09:12:00+00:00"
    assert post.modified_gmt.isoformat() == "2011-08-16T10:00:00+00:00"
    assert post.sticky is True
    assert post.ping_status == "closed"
    assert post.author == "librarian"
    assert post.featured_media == 12
    assert [(t.taxonomy, t.slug) for t in post.terms] == [
        ("category", "thing-1"),
        ("post_tag", "reflection"),
        ("programme", "23-things"),
        ("post_format", "post-format-aside"),
    ]
    assert post.meta.count(("mood", "hopeful")) == 1
    assert ("mood", "tired") in post.meta


def test_draft_without_gmt_date_keeps_its_password_but_never_shows_it() -> None:
    draft = next(p for p in of(Post, records(FIXTURES / "edge-1.2.xml")) if p.id == 11)
    assert draft.status == "draft"
    assert draft.date_gmt is None
    assert draft.date is not None
    assert draft.password_protected is True
    assert draft.password == "secret-for-readers"
    assert "secret-for-readers" not in repr(draft)


def test_attachment_is_a_post_and_a_media_record() -> None:
    items = records(FIXTURES / "edge-1.2.xml")
    attachment = next(p for p in of(Post, items) if p.id == 12)
    assert attachment.type == "attachment"
    assert attachment.mime_type == "image/png"
    (media,) = of(Media, items)
    assert media.url.endswith("/2011/08/badge.png")
    assert media.file == "2011/08/badge.png"
    assert media.alt_text == "A cpd23 badge"
    assert media.post == 10


def test_comment_threads_statuses_and_types() -> None:
    comments = {c.id: c for c in of(Comment, records(FIXTURES / "edge-1.2.xml"))}
    assert comments[101].parent == 100 and comments[102].parent == 101
    assert comments[100].status == "approved"
    assert comments[102].status == "hold"
    assert comments[104].status == "trash"
    assert comments[103].type == "pingback"
    assert comments[101].type == "comment"  # an empty comment_type is an ordinary comment
    assert comments[101].user_id == 1
    assert comments[100].meta == [("rating", "5")]
    assert comments[102].content == "Third level 你好"
    assert all(c.post == 10 for c in comments.values())


def test_terms_keep_hierarchy_description_and_meta() -> None:
    terms = {(t.taxonomy, t.slug): t for t in of(Term, records(FIXTURES / "edge-1.2.xml"))}
    assert terms[("category", "thing-1")].parent == "cpd23"
    assert terms[("category", "cpd23")].parent == "cpd"
    assert terms[("category", "cpd")].description == "Professional development"
    assert terms[("category", "cpd")].meta == [("colour", "teal")]
    assert terms[("programme", "23-things")].name == "23 Things"
    assert terms[("post_tag", "reflection")].id == 5


def test_php_serialised_meta_is_kept_as_text_and_decodes() -> None:
    post = of(Post, records(FIXTURES / "edge-1.2.xml"))[0]
    raw = dict(post.meta)["prompts"]
    assert raw.startswith("a:2:{")
    assert decode_meta_value(raw) == {"0": "What did I ?", "café": {"x": 7}}
    assert decode_meta_value("hopeful") is None
    assert decode_meta_value('a:1:{s:9:"broken";}') is None


def test_wxr_1_0_authors_come_from_dc_creator_and_categories_are_not_doubled() -> None:
    report = WxrReport()
    items = records(FIXTURES / "old-1.0.xml", report)
    assert report.version == "1.0"
    assert sorted(a.login for a in of(Author, items)) == ["guestwriter", "oldhand"]
    post = of(Post, items)[0]
    assert [(t.taxonomy, t.slug, t.name) for t in post.terms] == [
        ("category", "library-2-0", "Library 2.0"),
        ("post_tag", "rss", "RSS"),
    ]
    assert of(Comment, items)[0].type == "comment"


def test_wxr_1_1_reads_its_author_list() -> None:
    report = WxrReport()
    authors = of(Author, records(FIXTURES / "old-1.1.xml", report))
    assert report.version == "1.1"
    oldhand = next(a for a in authors if a.login == "oldhand")
    assert (oldhand.id, oldhand.display_name, oldhand.email) == (2, "Old Hand", "old@example.org")


def test_gzip_export_reads_the_same(tmp_path: Path) -> None:
    plain = FIXTURES / "edge-1.2.xml"
    packed = tmp_path / "export.xml.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert records(packed) == records(plain)


def test_unknown_future_version_warns_and_reads(tmp_path: Path) -> None:
    future = tmp_path / "future.xml"
    text = (FIXTURES / "edge-1.2.xml").read_text(encoding="utf-8")
    future.write_text(text.replace("export/1.2/", "export/1.3/"), encoding="utf-8")
    report = WxrReport()
    items = records(future, report)
    assert len(of(Post, items)) == 4
    assert report.warnings and "1.3" in report.warnings[0]


def test_control_characters_and_stray_bytes_are_repaired_and_counted(tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.xml"
    data = (FIXTURES / "edge-1.2.xml").read_bytes()
    data = data.replace(b"Unfinished", b"Unfin\x0bished \x93quoted\x94 na\xefve")
    dirty.write_bytes(data)
    report = WxrReport()
    draft = next(p for p in of(Post, records(dirty, report)) if p.id == 11)
    assert draft.content == "Unfinished “quoted” naïve"
    assert report.repaired == 4


def test_declared_latin1_encoding_is_honoured(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.xml"
    text = (FIXTURES / "old-1.0.xml").read_text(encoding="utf-8")
    text = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace(
        "Guest post.", "Guest post, naïve café."
    )
    latin.write_bytes(text.encode("iso-8859-1"))
    post = next(p for p in of(Post, records(latin)) if p.id == 4)
    assert post.content == "Guest post, naïve café."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("truncated", "ends too early"),
        ("mismatched", "line 5: not well-formed XML"),
        ("plain-rss", "RSS without the wp: namespace"),
        ("html", "not a WordPress export"),
        ("billion-laughs", "refusing a file with a DTD"),
        ("xxe", "refusing a file with a DTD"),
        ("empty", "the file is empty"),
        ("bad-gzip", "compressed file is damaged"),
    ],
)
def test_broken_and_hostile_inputs_raise_one_clear_error(
    tmp_path: Path, body: str, expected: str
) -> None:
    path = tmp_path / f"{body}.xml"
    path.write_bytes(BROKEN[body]())
    with pytest.raises(SourceError) as caught:
        records(path)
    message = str(caught.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_external_entities_never_touch_the_file_system_or_network(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = tmp_path / "xxe.xml"
    path.write_bytes(BROKEN["xxe"]().replace(b"/etc/passwd", str(secret).encode()))
    with pytest.raises(SourceError) as caught:
        records(path)
    assert "TOP-SECRET" not in str(caught.value)


def _truncated() -> bytes:
    data = (FIXTURES / "edge-1.2.xml").read_bytes()
    return data[: len(data) * 2 // 3]


BROKEN = {
    "truncated": _truncated,
    "mismatched": lambda: (
        b'<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/">\n'
        b"<channel>\n<item><title>x</title>\n</channel></rss>"
    ),
    "plain-rss": lambda: (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
        b"<item><title>x</title></item></channel></rss>"
    ),
    "html": lambda: b"<html><head><title>Log in</title></head><body><p>no</p></body></html>",
    "billion-laughs": lambda: (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        b'<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&lol2;</title>'
        b"</channel></rss>"
    ),
    "xxe": lambda: (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'\n<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&x;</title>'
        b"</channel></rss>"
    ),
    "empty": lambda: b"",
    "bad-gzip": lambda: gzip.compress((FIXTURES / "edge-1.2.xml").read_bytes())[:400],
}


def test_characters_cut_by_read_chunks_survive_whole(tmp_path: Path) -> None:
    """A multi-byte character split between two reads must not be 'repaired'."""
    big = tmp_path / "big.xml"
    body = "é✨🎉 " * 300_000  # several MB, so chunk boundaries fall inside characters
    text = (FIXTURES / "edge-1.2.xml").read_text(encoding="utf-8")
    big.write_text(text.replace("Unfinished", body), encoding="utf-8")
    report = WxrReport()
    draft = next(p for p in of(Post, records(big, report)) if p.id == 11)
    assert draft.content == body
    assert report.repaired == 0
