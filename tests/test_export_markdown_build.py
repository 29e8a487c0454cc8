"""What `wpcpd export markdown` writes, built by the real generators: Debian's hugo and
jekyll, PyPI's pelican, npm's @11ty/eleventy (tests/generators.py runs them; CI installs
them). The export is of fixtures/wxr/markdown-site.xml with its pictures, and of a real
WordPress's own export with its pictures fetched from the site: no build error, one page
per public post at its old address and none for anything else, the three-deep thread
nested in the built HTML, and the pictures present where the pages point."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from clirun import assert_clean, cli_env, run_cli
from generators import build

ROOT = Path(__file__).resolve().parent.parent
SITE_XML = ROOT / "fixtures" / "wxr" / "markdown-site.xml"
UPLOADS = ROOT / "fixtures" / "uploads"
LAYOUTS = ("hugo", "jekyll", "pelican", "eleventy")
PUBLIC = {
    "/2013/01/15/thing-1-blogging/": "Thing 1: Blogging",
    "/2013/01/22/thing-2-rss-feeds/": "Thing 2: RSS feeds",
    "/about/": "About",
    "/about/programme/": "The programme",
}
HIDDEN = ("Draft text with", "Only for me.", "Behind a password.", "Waiting for review.",
          "Scheduled.", "Not yet.", "Trash.")  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("build-home")
    done = run_cli(["pull", str(SITE_XML), "--media-dir", str(UPLOADS)], cli_env(folder))
    assert done.code == 0, done.text
    return folder


def export_and_build(home: Path, out: Path, layout: str) -> Path:
    run = run_cli(["export", "markdown", "--out", str(out), "--layout", layout], cli_env(home))
    assert_clean(run, "piped")
    return build(layout, out)


def pages_of(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text("utf-8", "replace")
            for p in site.rglob("*") if p.suffix in (".html", ".xml", ".json", ".txt")}  # fmt: skip


def page(site: Path, address: str) -> BeautifulSoup:
    file = site / address.strip("/") / "index.html"
    assert file.is_file(), f"no page at {address}: {sorted(pages_of(site))}"
    return BeautifulSoup(file.read_text("utf-8"), "lxml")


def ancestors(soup: BeautifulSoup, comment_id: int) -> list[str]:
    li = soup.find("li", id=f"comment-{comment_id}")
    assert li is not None, f"comment {comment_id} is not on the page"
    return [p["id"] for p in li.find_parents("li", class_="comment")]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_generator_builds_the_export_as_the_blog_was(
    home: Path, tmp_path: Path, layout: str
) -> None:
    site = export_and_build(home, tmp_path / "site", layout)
    built = pages_of(site)
    for address, title in PUBLIC.items():
        assert title in page(site, address).get_text(), address
    for text in HIDDEN:
        leaks = [name for name, html in built.items() if text in html]
        assert not leaks, f"{text!r} was published in {leaks}"

    post = page(site, "/2013/01/15/thing-1-blogging/")
    (section,) = post.select("section.wpcpd-comments")
    assert ancestors(section, 1003) == ["comment-1002", "comment-1001"]
    assert ancestors(section, 1006) == []  # its held parent is not shown; it is
    text = section.get_text()
    assert "Awaiting moderation text" not in text and "Buy cheap things" not in text
    assert "*Great*" in text  # WordPress showed the asterisks; so does the built page
    assert "Is there a badge" in page(site, "/about/programme/").get_text()

    for img in post.find_all("img"):
        src = unquote(urljoin("/2013/01/15/thing-1-blogging/", img["src"]))
        assert (site / src.lstrip("/")).read_bytes() == (
            UPLOADS / "2013/01" / Path(src).name
        ).read_bytes(), src
    assert len(post.find_all("img")) == 3  # the featured badge, the badge and the diagram
    assert post.find("figcaption") is not None or "fit together" in post.get_text()
    assert post.find("table") is not None
    # The language survives: marked on the code or its wrapper, or (Pelican's Pygments)
    # highlighted as Python: `def` a keyword.
    code = post.find(class_=lambda c: c and "python" in c) or post.find("div", "highlight")
    assert code is not None and 'f"{thing} & more <done>"' in code.get_text()
    assert code.find(class_="k", string="def") or "python" in str(code.get("class"))


@pytest.mark.parametrize("layout", ("hugo", "jekyll"))
def test_a_rebuilt_export_after_a_rerun_is_the_same_site(
    home: Path, tmp_path: Path, layout: str
) -> None:
    """Export, build, export again into the same folder, build again: the same pages."""
    first = pages_of(export_and_build(home, tmp_path / "site", layout))
    second = pages_of(export_and_build(home, tmp_path / "site", layout))
    assert set(first) == set(second)


@pytest.mark.wordpress
def test_a_real_wordpress_export_builds_with_every_published_post(
    seeded_wordpress: Any, tmp_path: Path
) -> None:
    """Core's own WXR of the real-WordPress seed, pictures fetched from the site: Hugo
    builds a page for every published post and page, at its WordPress address."""
    wxr = seeded_wordpress.export_wxr(tmp_path / "core.xml")
    env = cli_env(tmp_path)
    pulled = run_cli(["pull", str(wxr), "--media"], env, timeout=300)
    assert pulled.code == 0, pulled.text
    with sqlite3.connect(tmp_path / "wpcpd.db") as db:
        public = [link for (link,) in db.execute(
            "SELECT link FROM posts WHERE status = 'publish' AND type IN ('post', 'page') "
            "AND password_protected = 0")]  # fmt: skip
    assert len(public) >= 5
    site = export_and_build(tmp_path, tmp_path / "site", "hugo")
    for link in public:
        address = unquote(urlsplit(link).path)
        built = site / address.strip("/") / "index.html"
        assert built.is_file(), link
        for img in BeautifulSoup(built.read_text("utf-8"), "lxml").find_all("img"):
            src = urlsplit(urljoin(address, img["src"]))
            assert not src.netloc, f"{link} still shows {img['src']} from the old site"
            assert (site / unquote(src.path).lstrip("/")).is_file(), img["src"]
    # The seed's one picture is a featured image: in its post's bundle, named up front.
    bundles = [p for p in (tmp_path / "site" / "content").rglob("*.png")]
    assert bundles and all(
        f"- {p.name}" in (p.parent / "index.md").read_text("utf-8") for p in bundles
    )
    assert {p.name for p in bundles} <= {p.name for p in site.rglob("*.png")}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_footnotes_are_footnotes_in_every_built_site(
    home: Path, tmp_path: Path, layout: str
) -> None:
    """Post 102's footnote (stored in its meta, as WordPress 6.3+ keeps them) is a linked
    note at the foot of the built page, not the literal `[^1]`."""
    site = export_and_build(home, tmp_path / "site", layout)
    post = page(site, "/2013/01/22/thing-2-rss-feeds/")
    assert "[^1]" not in post.get_text()
    (link,) = [a for a in post.find_all("a", href=True) if a.find_parent("sup")]
    target = post.find(id=link["href"].lstrip("#"))
    assert target is not None and "a feed reader" in target.get_text()
