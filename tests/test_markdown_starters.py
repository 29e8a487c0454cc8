"""The starter files `wpcpd export markdown` ships build a real site with each generator.

Each test writes by hand the folder `wpcpd export markdown --layout L` writes (its files and
front matter, its comment data files): two public posts, a draft and a private one, a page
with a child page, a comment thread three deep with a held and a spam comment beside it, an
image. It copies the layout's starter files in, builds with the real generator
(tests/generators.py) and reads the built HTML: what is public is there at its old address,
what is not is nowhere, and the thread is nested, filtered and rendered from Markdown.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
import yaml
from bs4 import BeautifulSoup
from generators import build

STARTERS = Path(__file__).resolve().parent.parent / "wpcpd" / "sinks" / "markdown" / "starters"
LAYOUTS = ("hugo", "jekyll", "pelican", "eleventy")
IMAGE = b"\x89PNG\r\n\x1a\n" + b"wpcpd test image" * 8

# The posts: (id, slug, title, status, date). The first has the image and the comments.
POSTS = [
    (10, "thing-one", "Thing one", "publish", "2013-01-15T10:00:00+01:00"),
    (11, "thing-two", "Thing two", "publish", "2013-02-01T09:30:00+00:00"),
    (12, "secret-draft", "Secret draft", "draft", "2013-03-01T12:00:00+00:00"),
    (13, "private-thoughts", "Private thoughts", "private", "2013-03-02T12:00:00+00:00"),
]
PAGES = [(20, "about", "About us", None), (21, "team", "Our team", "about")]
HIDDEN = [p for p in POSTS if p[3] != "publish"]


def _comment(id_: int, parent: int, status: str, content: str, url: str = "") -> dict:
    return {
        "id": id_, "parent": parent, "author": f"Author {id_}", "author_url": url,
        "date": f"2013-01-2{id_ % 10}T09:15:00+00:00", "status": status, "content": content,
    }  # fmt: skip


# A → B → C, a held comment and a spam one, an approved reply to the held one (which
# WordPress shows at the top level, since its parent is not shown), and E, a second reply
# to A that comes after B's own replies.
COMMENTS = [
    _comment(101, 0, "approved", "I *really* liked this.", "https://a.example/"),
    _comment(102, 101, "approved", "Reply **B** to A."),
    _comment(103, 102, "approved", "Note: reply C to B.\n\nSecond paragraph."),
    _comment(104, 0, "hold", "HELD-COMMENT waiting."),
    _comment(105, 0, "spam", "SPAM-COMMENT buy now."),
    _comment(106, 104, "approved", "Orphan D replying to the held one."),
    {**_comment(107, 101, "approved", "Reply E to A, after B's replies."), "author": "E <b>&</b>"},
]


def _wordpress(id_: int, kind: str, status: str, slug: str, date: str) -> dict:
    path = f"/{date[:4]}/{date[5:7]}/{date[8:10]}/{slug}/" if kind == "post" else f"/{slug}/"
    return {
        "id": id_, "type": kind, "status": status, "guid": f"https://old.example/?p={id_}",
        "permalink": f"https://old.example{path}", "login": "admin",
    }  # fmt: skip


def _old_path(post: tuple) -> str:
    id_, slug, _, status, date = post
    return _wordpress(id_, "post", status, slug, date)["permalink"].removeprefix(
        "https://old.example"
    )


def _body(slug: str) -> str:
    """WordPress text may hold what a template language would run: it must stay text."""
    return f"Body of {slug} (BODY-{slug}). {TEMPLATE_LOOKING}"


TEMPLATE_LOOKING = "Braces {{ stays }} and {% raw %} as text."


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def _yaml_doc(front: dict, body: str) -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body


def _page_path(slug: str, parent: str | None) -> str:
    return f"/{parent}/{slug}/" if parent else f"/{slug}/"


# --- the folder each layout gets -----------------------------------------------------------


def _hugo(root: Path) -> None:
    for id_, slug, title, status, date in POSTS:
        public = status == "publish"
        front = {
            "title": title, "date": date, "lastmod": date, "slug": slug, "draft": not public,
            "author": "admin", "categories": ["News"], "tags": ["wpcpd"],
            "wordpress": _wordpress(id_, "post", status, slug, date),
        }  # fmt: skip
        if public:
            front["url"] = _old_path((id_, slug, title, status, date))
        body = _body(slug)
        if id_ == 10:
            front["images"] = ["photo.png"]
            body += "\n\n![A photo](photo.png)\n"
            _write(root / "content/posts" / slug / "photo.png", IMAGE)
        _write(root / "content/posts" / slug / "index.md", _yaml_doc(front, body))
    for id_, slug, title, parent in PAGES:
        front = {
            "title": title, "date": "2013-01-01T00:00:00+00:00", "slug": slug, "draft": False,
            "wordpress": _wordpress(id_, "page", "publish", slug, "2013-01-01"),
        }  # fmt: skip
        # A page with child pages is a branch bundle (_index.md): a leaf bundle's folder
        # cannot hold pages.
        name = "_index.md" if any(p[3] == slug for p in PAGES) else "index.md"
        folder = root / "content" / (parent or "") / slug
        _write(folder / name, _yaml_doc(front, _body(slug)))
    _write(root / "data/wpcpd_comments/10.json", json.dumps(COMMENTS))


def _jekyll(root: Path) -> None:
    for id_, slug, title, status, date in POSTS:
        public = status == "publish"
        front = {
            "layout": "post", "title": title, "date": f"{date[:10]} {date[11:19]} {date[19:]}",
            "slug": slug, "categories": ["News"], "tags": ["wpcpd"], "author": "admin",
            "published": public, "render_with_liquid": False,
            "wordpress": _wordpress(id_, "post", status, slug, date),
        }  # fmt: skip
        if public:
            front["permalink"] = _old_path((id_, slug, title, status, date))
        body = _body(slug)
        if id_ == 10:
            front["excerpt"] = "The excerpt WordPress kept."
            front["image"] = "/wp-content/uploads/2013/01/photo.png"
            body += "\n\n![A photo](/wp-content/uploads/2013/01/photo.png)\n"
        name = f"_posts/{date[:10]}-{slug}.md" if public else f"_drafts/{slug}.md"
        _write(root / name, _yaml_doc(front, body))
    for id_, slug, title, parent in PAGES:
        front = {
            "layout": "page", "title": title, "permalink": _page_path(slug, parent),
            "published": True, "render_with_liquid": False,
            "wordpress": _wordpress(id_, "page", "publish", slug, "2013-01-01"),
        }  # fmt: skip
        _write(root / (parent or "") / f"{slug}.md", _yaml_doc(front, _body(slug)))
    _write(root / "wp-content/uploads/2013/01/photo.png", IMAGE)
    _write(root / "_data/wpcpd_comments/10.json", json.dumps(COMMENTS))


def _pelican_doc(meta: dict, body: str) -> str:
    return "".join(f"{key}: {value}\n" for key, value in meta.items()) + "\n" + body


def _pelican_wp(wordpress: dict) -> dict:
    return {f"Wp_{key}": value for key, value in wordpress.items()}


def _pelican(root: Path) -> None:
    for id_, slug, title, status, date in POSTS:
        public = status == "publish"
        meta = {
            "Title": title, "Date": f"{date[:10]} {date[11:16]}{date[19:]}", "Slug": slug,
            "Category": "News", "Tags": "wpcpd, test", "Authors": "admin",
            "Status": "published" if public else "draft",
        }  # fmt: skip
        if public:
            path = _old_path((id_, slug, title, status, date)).lstrip("/")
            meta |= {"Url": path, "Save_as": path + "index.html"}
        meta |= _pelican_wp(_wordpress(id_, "post", status, slug, date))
        body = _body(slug)
        if id_ == 10:
            meta["Image"] = "{static}/wp-content/uploads/2013/01/photo.png"
            body += "\n\n![A photo]({static}/wp-content/uploads/2013/01/photo.png)\n"
        _write(root / "content/posts" / f"{slug}.md", _pelican_doc(meta, body))
    for id_, slug, title, parent in PAGES:
        path = _page_path(slug, parent).lstrip("/")
        meta = {"Title": title, "Slug": slug, "Status": "published", "Url": path}
        meta |= {"Save_as": path + "index.html"}
        meta |= _pelican_wp(_wordpress(id_, "page", "publish", slug, "2013-01-01"))
        file = root / "content/pages" / (parent or "") / f"{slug}.md"
        _write(file, _pelican_doc(meta, _body(slug)))
    _write(root / "content/wp-content/uploads/2013/01/photo.png", IMAGE)
    _write(root / "wpcpd_comments/10.json", json.dumps(COMMENTS))


def _eleventy(root: Path) -> None:
    for id_, slug, title, status, date in POSTS:
        public = status == "publish"
        front = {
            "title": title, "date": date, "updated": date, "slug": slug,
            "permalink": _old_path((id_, slug, title, status, date)) if public else False,
            "categories": ["News"], "tags": ["wpcpd"], "author": "admin",
            "wordpress": _wordpress(id_, "post", status, slug, date),
        }  # fmt: skip
        if not public:
            front["eleventyExcludeFromCollections"] = True
        body = _body(slug)
        if id_ == 10:
            front["image"] = "/wp-content/uploads/2013/01/photo.png"
            body += "\n\n![A photo](/wp-content/uploads/2013/01/photo.png)\n"
        _write(root / "posts" / f"{slug}.md", _yaml_doc(front, body))
    for id_, slug, title, parent in PAGES:
        front = {
            "title": title, "slug": slug, "permalink": _page_path(slug, parent),
            "wordpress": _wordpress(id_, "page", "publish", slug, "2013-01-01"),
        }  # fmt: skip
        _write(root / "pages" / (parent or "") / f"{slug}.md", _yaml_doc(front, _body(slug)))
    data = {"layout": "layouts/post.njk", "tags": ["posts"], "templateEngineOverride": "md"}
    _write(root / "posts/posts.11tydata.json", json.dumps(data))
    data = {"layout": "layouts/page.njk", "templateEngineOverride": "md"}
    _write(root / "pages/pages.11tydata.json", json.dumps(data))
    _write(root / "wp-content/uploads/2013/01/photo.png", IMAGE)
    _write(root / "_data/wpcpd_comments/10.json", json.dumps(COMMENTS))


WRITERS = {"hugo": _hugo, "jekyll": _jekyll, "pelican": _pelican, "eleventy": _eleventy}


def _export_folder(layout: str, root: Path) -> Path:
    """What `wpcpd export markdown --layout LAYOUT` would leave in `root`."""
    WRITERS[layout](root)
    _write(root / ".wpcpd/manifest.json", "{}")
    shutil.copytree(STARTERS / layout, root, dirs_exist_ok=True)
    return root


# --- reading the built site ----------------------------------------------------------------


def _built_text(site: Path) -> dict[str, str]:
    """Every page, feed and sitemap the generator wrote, by path."""
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in site.rglob("*")
        if p.suffix in (".html", ".xml", ".json", ".txt")
    }


def _page(site: Path, url_path: str) -> BeautifulSoup:
    file = site / url_path.strip("/") / "index.html"
    assert file.is_file(), f"no page at {url_path}: {sorted(_built_text(site))}"
    return BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")


def _ancestor_ids(element) -> list[str]:
    return [li["id"] for li in element.find_parents("li", class_="comment")]


def _assert_thread(soup: BeautifulSoup) -> None:
    (section,) = soup.select("section.wpcpd-comments")
    shown = [li["id"] for li in section.select("li.comment")]
    assert shown == [f"comment-{n}" for n in (101, 102, 103, 107, 106)]
    c = section.find("li", id="comment-103")
    assert _ancestor_ids(c) == ["comment-102", "comment-101"]
    assert _ancestor_ids(section.find("li", id="comment-107")) == ["comment-101"]
    for li in section.select("li.comment"):
        assert li.parent.name == "ol" and "comments" in li.parent["class"]
    top = section.find("ol", class_="comments")
    assert [li["id"] for li in top.find_all("li", recursive=False)] == [
        "comment-101",
        "comment-106",
    ]
    text = section.get_text()
    assert "HELD-COMMENT" not in text and "SPAM-COMMENT" not in text
    a = section.find("li", id="comment-101")
    assert a.find("em").get_text() == "really"
    assert a.find("time")["datetime"].startswith("2013-01-21")
    link = a.find("a", href="https://a.example/")
    assert link.get_text(strip=True) == "Author 101"
    assert set(link["rel"]) == {"nofollow", "ugc"}
    b = section.find("li", id="comment-102")
    assert b.find("strong").get_text() == "B"
    unlinked = b.find(string=lambda s: s and "Author 102" in s)
    assert unlinked is not None and unlinked.find_parent("a") is None
    assert "Note: reply C to B." in c.get_text() and len(c.find_all("p")) >= 2
    e = section.find("li", id="comment-107")
    assert "E <b>&</b>" in e.get_text() and not e.find("b"), "the author's name is text"


def _assert_image(site: Path, url_path: str, soup: BeautifulSoup) -> None:
    (img,) = soup.select("img[alt='A photo']")
    src = unquote(urljoin(url_path, img["src"]))
    assert (site / src.lstrip("/")).read_bytes() == IMAGE, src


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_starter_builds_the_exported_folder(layout: str, tmp_path: Path) -> None:
    site = build(layout, _export_folder(layout, tmp_path / "export"))
    pages = _built_text(site)

    for post in POSTS[:2]:
        soup = _page(site, _old_path(post))
        written = {p.relative_to(site).as_posix() for p in site.rglob(f"*{post[1]}*")}
        assert written == {_old_path(post).strip("/")}, "one page, at its WordPress address"
        assert f"BODY-{post[1]}" in soup.get_text()
        assert soup.find(string=lambda s, title=post[2]: s and title in s)
    soup = _page(site, _old_path(POSTS[0]))
    _assert_thread(soup)
    _assert_image(site, _old_path(POSTS[0]), soup)
    assert TEMPLATE_LOOKING in soup.get_text()

    # The thread is on its post only, and nothing of a draft or private post is anywhere.
    with_thread = [name for name, html in pages.items() if 'class="wpcpd-comments"' in html]
    assert len(with_thread) == 1, with_thread
    for _, slug, title, _, _ in HIDDEN:
        leaks = [name for name, html in pages.items() if f"BODY-{slug}" in html or title in html]
        assert not leaks, f"{title} is in {leaks}"
        assert not [p for p in site.rglob(f"*{slug}*")], f"{slug} was written"
    assert ".wpcpd" not in {p.name for p in site.rglob(".*")}

    # The home page lists the public posts and links to them.
    home = BeautifulSoup(pages["index.html"], "lxml")
    links = {unquote(urljoin("/", a["href"])) for a in home.find_all("a", href=True)}
    assert {_old_path(p) for p in POSTS[:2]} <= links

    for _, slug, title, parent in PAGES:
        page = _page(site, _page_path(slug, parent))
        assert f"BODY-{slug}" in page.get_text() and title in page.get_text()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_starter_builds_without_any_comment_data(layout: str, tmp_path: Path) -> None:
    """`--comments none`, or a site without comments: no data folder, no thread, no error."""
    folder = _export_folder(layout, tmp_path / "export")
    (data,) = [p for p in folder.rglob("wpcpd_comments") if p.is_dir()]
    shutil.rmtree(data)
    site = build(layout, folder)
    soup = _page(site, _old_path(POSTS[0]))
    assert "BODY-thing-one" in soup.get_text() and not soup.select("section.wpcpd-comments")
