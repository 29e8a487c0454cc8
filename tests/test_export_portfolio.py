"""`wpcpd export portfolio`: a programme's reflections by Thing as one self-contained HTML
document, checked against what `review_reflections` says, opened in Debian's headless Chromium
(through Playwright) and printed to PDF by it (read back with poppler's pdftotext)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from clirun import assert_clean, cli_env, plain, run_cli
from test_reflect_templates import BLOG, NOT_PUBLIC, not_public_item

from wpcpd.archive import Archive
from wpcpd.reflect.programmes import resolve_programme
from wpcpd.reflect.templates import review_reflections
from wpcpd.sinks.portfolio import render_portfolio
from wpcpd.sinks.portfolio.page import human_date
from wpcpd.sources.wxr import read_wxr

SAMPLE = Path(__file__).parent.parent / "fixtures" / "sample-cpd23.xml"
CHROMIUM = "/usr/bin/chromium"


def needs(program: str) -> str:
    """A program the tests cannot do without: CI installs it (scripts/test)."""
    found = shutil.which(program)
    assert found, f"{program} is missing: apt install chromium poppler-utils (see scripts/test)"
    return found


@pytest.fixture(autouse=True)
def no_user_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the shipped programme definitions, whatever the developer keeps in their own."""
    (tmp_path / "user-templates").mkdir()
    monkeypatch.setenv("WPCPD_TEMPLATES", str(tmp_path / "user-templates"))


def archive_of(export: Path, tmp_path: Path, name: str = "wpcpd.db") -> Path:
    path = tmp_path / name
    with Archive(path) as archive:
        archive.save(read_wxr(export))
    return path


@pytest.fixture
def mixed_export(tmp_path: Path) -> Path:
    """The reflection blog plus draft, pending, scheduled, private and protected posts."""
    items = "".join(not_public_item(post_id) for post_id in NOT_PUBLIC)
    path = tmp_path / "mixed.xml"
    path.write_text(BLOG.read_text("utf-8").replace("</channel>", items + "</channel>"), "utf-8")
    return path


def portfolio(db: Path, *, include_private: bool = False) -> tuple[Any, list[dict[str, Any]]]:
    """The portfolio's parsed HTML and what review_reflections says it should show."""
    with Archive(db) as archive:
        text = render_portfolio(archive, None, "cpd23", include_private=include_private)
        rows = review_reflections(archive, "cpd23", include_private=include_private)
    return lxml.html.document_fromstring(text), rows


def words(element: Any) -> str:
    return " ".join(element.text_content().split())


# -- what the page holds ------------------------------------------------------------------------


@pytest.mark.parametrize("export", [BLOG, SAMPLE], ids=["reflections", "sample"])
def test_a_section_per_thing_holds_its_reflections_prompts_answers_and_actions(
    export: Path, tmp_path: Path
) -> None:
    page, rows = portfolio(archive_of(export, tmp_path), include_private=True)
    assert rows, "the fixture has reflections"
    things = sorted({row["things"][0] for row in rows})
    sections = page.xpath("//main/section[contains(@class, 'thing')]")
    assert [s.get("id") for s in sections if s.xpath("article")] == [f"thing-{n}" for n in things]
    programme = resolve_programme("cpd23")
    for row in rows:
        section = page.get_element_by_id(f"thing-{row['things'][0]}")
        assert words(section.xpath("h2")[0]).startswith(f"Thing {row['things'][0]}: ")
        assert programme.things[row["things"][0]].topic in words(section.xpath("h2")[0])
        article = section.xpath(f"article[@id='post-{row['post_id']}']")[0]
        title = article.xpath("h3/a")[0]
        assert title.get("href") == row["link"]
        meta = words(article.xpath("p[@class='meta']")[0])
        assert f"{row['word_count']} words" in meta and human_date(row["date"]) in meta
        prompts = [words(h) for h in article.xpath("section/h4")]
        expected = [s["prompt"] or "Closing reflection" for s in row["sections"]]
        assert prompts == expected
        answers = article.xpath("section") if row["sections"] else []  # else the post's text
        for section_row, answer in zip(row["sections"], answers, strict=True):
            for line in section_row["answer"].splitlines():
                assert " ".join(line.removeprefix("- ").split()) in words(answer)
        items = article.xpath("ul[@class='actions']/li")
        assert len(items) == len(row["follow_ups"])
        for follow_up, item in zip(row["follow_ups"], items, strict=True):
            assert words(item).startswith(" ".join(follow_up["action"].split()))
            later = follow_up["mentioned_in"]
            if later is None:
                assert item.get("class") == "open" and "Not yet followed up" in words(item)
            else:
                assert item.get("class") == "done" and "Followed up in" in words(item)
                assert item.xpath(".//a")[0].get("href") == later["link"]


def test_the_zotero_action_is_followed_up_by_thing_23_and_the_others_not(tmp_path: Path) -> None:
    page, _ = portfolio(archive_of(BLOG, tmp_path))
    done = page.xpath("//li[@class='done']")
    assert [words(li) for li in done] == [
        "set up a Zotero library for my Chartership references. Followed up in Thing 23: "
        "Reflection \u2013 what next? (20 October 2011); in this portfolio"
    ]
    assert done[0].xpath(".//a[text()='in this portfolio']")[0].get("href") == "#post-108"
    friday = next(li for li in page.xpath("//li[@class='open']") if "Friday" in words(li))
    assert words(friday).endswith("Not yet followed up: no later post mentions it.")


def test_a_reflection_on_two_things_is_under_the_first_and_named_under_the_second(
    tmp_path: Path,
) -> None:
    page, _ = portfolio(archive_of(BLOG, tmp_path))
    assert page.xpath("//section[@id='thing-8']/article/@id") == ["post-103"]
    assert page.xpath("//section[@id='thing-9']/article") == []
    see = page.xpath("//section[@id='thing-9']/p[@class='see-also']")[0]
    assert words(see) == "Covered with Thing 8 in Things 8 & 9: Google Calendar and Evernote."
    assert see.xpath("a/@href") == ["#post-103"]


def test_the_summary_counts_reflections_words_things_and_follow_ups(tmp_path: Path) -> None:
    page, rows = portfolio(archive_of(BLOG, tmp_path))
    terms = page.xpath("//section[@class='summary']/dl/dt")
    summary = {words(dt): dt.getnext() for dt in terms}
    assert words(summary["Reflections"]) == str(len(rows)) == "7"
    assert words(summary["Words"]) == str(sum(r["word_count"] for r in rows))
    covered = sorted({n for r in rows for n in r["things"]})
    assert covered == [1, 3, 8, 9, 12, 14, 17, 23]
    assert words(summary["Things covered"]) == "8 of 23: 1, 3, 8, 9, 12, 14, 17, 23"
    assert summary["Things covered"].xpath("a/@href")[0] == "#thing-1"
    uncovered = [words(li) for li in summary["Not yet covered"].xpath(".//li")]
    assert len(uncovered) == 15 and uncovered[0] == "Thing 2: Investigate other blogs"
    actions = sum(len(r["follow_ups"]) for r in rows)
    followed = sum(f["mentioned_in"] is not None for r in rows for f in r["follow_ups"])
    assert words(summary["Actions followed up"]) == f"{followed} of {actions}" == "1 of 9"


def test_the_page_needs_nothing_else_and_its_headings_and_landmarks_are_in_order(
    tmp_path: Path,
) -> None:
    page, _ = portfolio(archive_of(BLOG, tmp_path))
    assert page.xpath("//script | //link | //img | //iframe | //@src") == []
    policy = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'")
    links = page.xpath("//a/@href")
    assert all(h.startswith(("#", "https://jo.example.org")) for h in links), links
    assert [words(h) for h in page.xpath("//h1")] == [
        "23 Things for Professional Development (cpd23): portfolio"
    ]
    assert page.xpath("/html/@lang") == ["en"]
    body = page.xpath("/html/body")[0]
    assert [child.tag for child in body] == ["a", "header", "nav", "main", "footer"]
    levels = [int(h.tag[1]) for h in page.iter("h1", "h2", "h3", "h4")]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    for article in page.xpath("//article"):
        assert page.get_element_by_id(article.get("aria-labelledby")).tag == "h3"
    style = words(page.xpath("//style")[0])
    for rule in ("@page", "break-before: page", 'content: " <" attr(href) ">"', "nav { display"):
        assert rule in style


def test_private_reflections_only_when_asked_marked_and_never_a_password(
    mixed_export: Path, tmp_path: Path
) -> None:
    db = archive_of(mixed_export, tmp_path)
    public, rows = portfolio(db)
    text = lxml.html.tostring(public, encoding="unicode")
    assert len(rows) == 7 and len(public.xpath("//article")) == 7
    for post_id, (_, _, title, _, _) in NOT_PUBLIC.items():
        assert title not in text and f"post-{post_id}" not in text and f"?p={post_id}" not in text
    assert "restructure" not in text and "letmein" not in text
    assert public.xpath("//span[@class='mark']") == [] and "Includes" not in text
    everything, rows = portfolio(db, include_private=True)
    text = lxml.html.tostring(everything, encoding="unicode")
    assert len(rows) == 12 and "letmein" not in text
    marks = {
        article.get("id"): words(article.xpath("h3/span[@class='mark']")[0])
        for article in everything.xpath("//article")
        if article.xpath("h3/span[@class='mark']")
    }
    assert marks == {"post-301": "private", "post-302": "draft", "post-303": "pending",
                     "post-304": "scheduled", "post-305": "password-protected"}  # fmt: skip
    assert "talk to my manager about the restructure rumours" in text
    assert "Includes 5 reflections readers of the blog cannot open (marked)." in words(everything)
    friday = next(
        li for li in everything.xpath("//ul[@class='actions']/li") if "Friday" in words(li)
    )
    assert "Followed up in Diary: Friday mornings (10 September 2011) private" in words(friday)


def test_a_reflection_without_prompts_shows_the_posts_own_text(tmp_path: Path) -> None:
    page, rows = portfolio(archive_of(SAMPLE, tmp_path))
    row = next(r for r in rows if r["post_id"] == 7)
    assert row["sections"] == []
    article = page.get_element_by_id("post-7")
    assert article.xpath("section/h4") == []
    assert "never paste code straight from a PDF" in words(article.xpath("section")[0])


def test_two_blogs_in_one_archive_keep_their_reflections_apart(tmp_path: Path) -> None:
    db = archive_of(BLOG, tmp_path)
    with Archive(db) as archive:
        archive.save(read_wxr(SAMPLE))
    page, rows = portfolio(db)
    assert {r["site"] for r in rows} == {"jo.example.org", "cpd23.example.org"}
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids))
    articles = page.xpath("//section[@id='thing-1']/article")
    assert [words(a.xpath("p[@class='meta']")[0]).split(" · ")[-1] for a in articles] == [
        "jo.example.org",
        "cpd23.example.org",
    ]
    assert words(page.xpath("//p[@class='lead']")[0]).startswith(
        "Jo's cpd23 journey (jo.example.org), "
    )
    with Archive(db) as archive:
        one = render_portfolio(archive, "cpd23.example.org", "cpd23", include_private=False)
    assert one.count("<article ") == 3 and "jo.example.org" not in one


def test_a_read_only_archive_gives_what_was_derived_before(tmp_path: Path) -> None:
    db = archive_of(BLOG, tmp_path)
    with Archive(db, create=False, read_only=True) as archive:  # nothing derived yet
        empty = render_portfolio(archive, None, "cpd23", include_private=False)
    assert "No cpd23 reflections in the archive yet" in empty
    with Archive(db) as archive:  # derives them
        written = render_portfolio(archive, None, "cpd23", include_private=False)
    with Archive(db, create=False, read_only=True) as archive:
        again = render_portfolio(archive, None, "cpd23", include_private=False)
    assert again == written and again.count("<article ") == 7


# -- the command line ---------------------------------------------------------------------------


def export(tmp_path: Path, *args: str, mode: str = "piped", **env: str) -> Any:
    return run_cli(["export", "portfolio", *args], cli_env(tmp_path, **env), mode)


@pytest.mark.parametrize("mode", ["terminal", "piped"])
def test_export_writes_the_page_and_says_what_it_left_out(
    mode: str, mixed_export: Path, tmp_path: Path
) -> None:
    archive_of(mixed_export, tmp_path)
    run = export(tmp_path, "--programme", "cpd23", "--out", str(tmp_path / "p.html"), mode=mode)
    assert_clean(run, mode)
    said = " ".join(plain(run.text).split())
    assert f"wrote 7 reflections to {tmp_path / 'p.html'}" in said
    assert "left out 5 reflections readers cannot open" in said
    assert "--include-private adds them" in said
    page = lxml.html.document_fromstring((tmp_path / "p.html").read_text("utf-8"))
    assert len(page.xpath("//article")) == 7
    full = export(tmp_path, "--programme", "CPD23", "--include-private", "--out", "-", mode=mode)
    assert_clean(full, mode)
    assert full.out.count("<article ") == 12 and "left out" not in full.text


@pytest.mark.parametrize("mode", ["terminal", "piped", "json"])
def test_a_missing_or_unknown_programme_is_one_line_naming_those_found(
    mode: str, tmp_path: Path
) -> None:
    archive_of(BLOG, tmp_path)
    out = str(tmp_path / "p.html")
    if mode == "json":
        run = export(tmp_path, "--programme", "cpd23", "--out", out, mode="json")
        assert_clean(run, mode, ok=False)
        assert "No such option: --json" in run.err
        return
    for args, line in [
        ([], "name the programme with --programme: the archive has reflections for cpd23 (7)"),
        (
            ["--programme", "cpd24"],
            "unknown programme 'cpd24': the archive has reflections for cpd23 (7); "
            "programmes defined: cpd23",
        ),
    ]:
        run = export(tmp_path, *args, "--out", out, mode=mode)
        assert_clean(run, mode, ok=False)
        assert run.code == 2 and f"wpcpd: error: {line}" in plain(run.text)
    assert not Path(out).exists()


# -- in the browser, and as a PDF ---------------------------------------------------------------


def test_chromium_shows_it_without_errors_or_requests_and_prints_it_as_designed(
    tmp_path: Path,
) -> None:
    from playwright.sync_api import sync_playwright

    archive_of(BLOG, tmp_path)
    page_path = tmp_path / "portfolio.html"
    assert_clean(export(tmp_path, "--programme", "cpd23", "--out", str(page_path)), "piped")
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=needs(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri())
            assert page.title() == "cpd23 portfolio: 23 Things for Professional Development"
            assert page.locator("main article").count() == 7
            page.keyboard.press("Tab")  # the skip link comes first, and shows when focused
            assert page.evaluate("document.activeElement.textContent") == "Skip to the reflections"
            page.emulate_media(media="print")
            style = "(s, p) => getComputedStyle(document.querySelector(s), p)"
            assert page.evaluate(f"({style})('nav').display") == "none"
            assert page.evaluate(f"({style})('#thing-3').breakBefore") == "page"
            after = page.evaluate(f"({style})('#post-101 h3 a', '::after').content")
            assert after == '" <https://jo.example.org/2011/06/21/thing-1-blogging/>"'
        finally:
            browser.close()
    assert problems == []
    assert requests == [page_path.as_uri()]


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run([needs("pdftotext"), "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def test_the_pdf_has_each_thing_on_a_page_of_its_own_and_every_reflection(tmp_path: Path) -> None:
    needs(CHROMIUM)
    db = archive_of(SAMPLE, tmp_path)
    run = export(tmp_path, "--programme", "cpd23", "--include-private", "--out",
                 str(tmp_path / "p.html"), "--pdf", str(tmp_path / "p.pdf"))  # fmt: skip
    assert_clean(run, "piped")
    assert f"wrote {tmp_path / 'p.pdf'} (" in run.err
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    pages = pdf_pages(tmp_path / "p.pdf")
    with Archive(db) as archive:
        rows = review_reflections(archive, "cpd23", include_private=True)
    things = sorted({row["things"][0] for row in rows})
    assert len(pages) >= len(things) + 1  # the summary, then a page break before each Thing
    programme = resolve_programme("cpd23")
    starts = [page for page in pages if page.startswith("Thing ")]
    for number in things:
        heading = f"Thing {number}: {programme.things[number].topic}"
        assert any(page.startswith(heading) for page in starts), heading
    every = " ".join(pages)
    for row in rows:
        assert " ".join(row["title"].split()) in every, row["title"]
        assert f"{row['word_count']} words" in every
    assert "<https://cpd23.example.org/thing-1-blogging/>" in every  # links print their address
    assert all(f"page {i} of {len(pages)}" in page for i, page in enumerate(pages, 1))


@pytest.mark.parametrize("how", ["not on PATH", "WPCPD_CHROMIUM missing", "prints nothing"])
def test_without_a_working_chromium_the_page_is_written_and_the_pdf_is_one_line(
    how: str, tmp_path: Path
) -> None:
    archive_of(BLOG, tmp_path)
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {"PATH": str(empty)}
    if how == "WPCPD_CHROMIUM missing":
        env["WPCPD_CHROMIUM"] = str(tmp_path / "no-such-chromium")
    elif how == "prints nothing":
        env["WPCPD_CHROMIUM"] = shutil.which("true") or "/bin/true"
    base = {k: v for k, v in cli_env(tmp_path, **env).items() if k != "WPCPD_CHROMIUM"}
    base.update(env)
    run = run_cli(["export", "portfolio", "--programme", "cpd23", "--out",
                   str(tmp_path / "p.html"), "--pdf", str(tmp_path / "p.pdf")], base)  # fmt: skip
    assert run.code == 1 and "Traceback" not in run.text, run.text
    assert [line for line in run.err.splitlines() if "error" in line] == [run.err.splitlines()[-1]]
    assert "wrote 7 reflections to" in run.err
    assert (tmp_path / "p.html").read_text("utf-8").count("<article ") == 7
    assert not (tmp_path / "p.pdf").exists()
    error = next(line for line in run.err.splitlines() if line.startswith("wpcpd: error:"))
    if how == "prints nothing":
        assert error.startswith("wpcpd: error: no PDF written: Chromium (")
        assert error.endswith("made no file instead of p.pdf")
    else:
        assert error.startswith("wpcpd: error: no PDF written: ")
        assert error.endswith(
            "install it (apt install chromium) or name it with WPCPD_CHROMIUM=/path/to/chromium"
        )
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".partial")]
