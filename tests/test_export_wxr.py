"""`wpcpd export wxr` against WordPress's own exporter: the file equals core's `export_wp()`
as canonical XML, pulling it back reproduces the archive, a split export is whole, and the
command behaves as `export json` does.

Canonical equality: both files parsed, the channel's `pubDate` and the generator left out
(the comment `<!-- generator=... -->` and its RSS counterpart `<generator>`, which core's
`rss2_head` writes: both name the program that wrote the file, WordPress 6.1.9 or wpcpd),
then compared as C14N 2.0, comments and whitespace included (the layout is core's too).
Compared with what a REST pull filled, whitespace-only text between elements is dropped
as well, since taking out the elements REST cannot fill takes their indentation with them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from clirun import assert_clean, cli_env, plain, run_cli
from lxml import etree

from wpcpd.archive import Archive
from wpcpd.http import Politeness
from wpcpd.pull import LiveOptions, pull

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "sample-cpd23.xml"
MEGABYTE = 1_000_000
WP = "{http://wordpress.org/export/1.2/}"


def wpcpd(archive: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "wpcpd", "--archive", str(archive), *map(str, args)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


# -- canonical XML -------------------------------------------------------------------------


def _parse(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, huge_tree=True, no_network=True)
    return etree.parse(str(path), parser)


def _normalised(path: Path, indentation: bool = True) -> tuple[list[str], etree._Element]:
    """The comments before the root (but the generator's), and the root without pubDate and
    generator (and, with indentation=False, without whitespace-only text)."""
    tree = _parse(path)
    root = tree.getroot()
    before = reversed(list(root.itersiblings(preceding=True)))
    comments = [c.text for c in before if "generator=" not in (c.text or "")]
    channel = root.find("channel")
    for tag in ("pubDate", "generator"):
        for element in channel.findall(tag):
            channel.remove(element)
    for element in () if indentation else root.iter():
        if len(element) and element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    return comments, root


def first_difference(a: Any, b: Any, path: str = "", at: str = "") -> str | None:
    """The path of the first element where the two trees differ (`/rss/channel/item[3]/...`,
    counting elements from 1), and how."""
    here = f"{path}/{etree.QName(a).localname}{at}"
    if a.tag != b.tag:
        return f"{here}: <{a.tag}> != <{b.tag}>"
    if dict(a.attrib) != dict(b.attrib):
        return f"{here}: attributes {dict(a.attrib)} != {dict(b.attrib)}"
    if (a.text or "") != (b.text or ""):
        return f"{here}: text {(a.text or '')[:300]!r} != {(b.text or '')[:300]!r}"
    ours, theirs = list(a), list(b)
    for index, (x, y) in enumerate(zip(ours, theirs, strict=False)):
        found = first_difference(x, y, here, f"[{index + 1}]" if x.tag == "item" else "")
        if found:
            return found
    if len(ours) != len(theirs):
        extra = [c.tag for c in (ours[len(theirs) :] or theirs[len(ours) :])]
        return f"{here}: {len(ours)} children != {len(theirs)} (extra: {extra[:5]})"
    return None


def assert_canonically_equal(core: Path, ours: Path) -> None:
    core_comments, core_root = _normalised(core)
    our_comments, our_root = _normalised(ours)
    assert our_comments == core_comments
    canonical = [etree.tostring(r, method="c14n2") for r in (core_root, our_root)]
    if canonical[0] != canonical[1]:
        pytest.fail(f"differs from core's export at {first_difference(core_root, our_root)}")


# -- against WordPress ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def core(seeded_wordpress: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Core's export of the seeded site, pulled into an archive, and wpcpd's export of it."""
    folder = tmp_path_factory.mktemp("wxr-export")
    export = seeded_wordpress.export_wxr(folder / "core.xml")
    archive = folder / "wpcpd.db"
    wpcpd(archive, "pull", export)
    ours = folder / "ours.xml"
    wpcpd(archive, "export", "wxr", "-o", ours)
    return {"core": export, "archive": archive, "ours": ours, "folder": folder}


def test_the_export_equals_cores_as_canonical_xml(core: dict[str, Path]) -> None:
    assert_canonically_equal(core["core"], core["ours"])
    assert b"<![CDATA[" in core["ours"].read_bytes()  # wrapped where core wraps


def test_the_file_is_cores_line_for_line_but_the_generator_and_the_date(
    core: dict[str, Path],
) -> None:
    theirs = core["core"].read_text(encoding="utf-8").split("\n")
    ours = core["ours"].read_text(encoding="utf-8").split("\n")
    assert len(ours) == len(theirs)
    differ = [b for a, b in zip(theirs, ours, strict=True) if a != b]
    starts = ('\t<!-- generator="wpcpd/', "\t<pubDate>", "\t<generator>wpcpd/")
    assert len(differ) == 3, differ
    assert all(b.startswith(s) for b, s in zip(differ, starts, strict=True)), differ


def test_the_comparison_names_the_first_difference(core: dict[str, Path], tmp_path: Path) -> None:
    changed = tmp_path / "changed.xml"
    text = core["ours"].read_text(encoding="utf-8")
    closed, opened = "<wp:ping_status><![CDATA[closed]]>", "<wp:ping_status><![CDATA[open]]>"
    changed.write_text(text.replace(closed, opened, 1), encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match=r"/rss/channel/item\[\d+\]/ping_status: "):
        assert_canonically_equal(core["core"], changed)


def _json_lines(archive: Path) -> list[str]:
    return wpcpd(archive, "export", "json", "-o", "-").stdout.splitlines()


MENUS_AND_META = r"""
$menu = wp_create_nav_menu('Main menu');
wp_update_nav_menu_item($menu, 0, ['menu-item-title' => 'About',
    'menu-item-url' => home_url('/about/'), 'menu-item-status' => 'publish',
    'menu-item-type' => 'custom']);
$aside = wp_insert_post(['post_title' => 'An aside', 'post_content' => 'Short ]]> and sweet.',
    'post_status' => 'publish', 'post_author' => 1]);
set_post_format($aside, 'aside');
$cat = wp_insert_term('Zebra & Ärger', 'category', ['description' => 'With term meta']);
add_term_meta($cat['term_id'], 'colour', 'green');
wp_set_post_categories($aside, [$cat['term_id']]);
$comment = wp_insert_comment(['comment_post_ID' => $aside, 'comment_content' => 'Noted.',
    'comment_author' => 'Ann', 'comment_approved' => 1]);
add_comment_meta($comment, 'rating', '5');
wp_insert_comment(['comment_post_ID' => $aside, 'comment_content' => 'Buy now',
    'comment_author' => 'Spammer', 'comment_approved' => 'spam']);
"""


def test_nav_menus_post_formats_and_term_meta_equal_cores_too(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    """What the seed lacks: a nav menu and its item, a post format (a built-in taxonomy the
    channel does not list), term meta, comment meta, a `]]>` in content, a spam comment."""
    site = wordpress_factory()
    site.php(MENUS_AND_META)
    export = site.export_wxr(tmp_path / "core.xml")
    archive, ours = tmp_path / "wpcpd.db", tmp_path / "ours.xml"
    wpcpd(archive, "pull", export)
    wpcpd(archive, "export", "wxr", "-o", ours)
    assert_canonically_equal(export, ours)
    text = ours.read_text(encoding="utf-8")
    assert "<wp:term_taxonomy>nav_menu</wp:term_taxonomy>" in text and "post-format-aside" in text
    assert "]]]]><![CDATA[>" in text
    again = tmp_path / "again.db"
    wpcpd(again, "pull", ours)
    assert _json_lines(again) == _json_lines(archive)


def test_pulling_the_export_back_reproduces_the_archive(core: dict[str, Path]) -> None:
    again = core["folder"] / "again.db"
    wpcpd(again, "pull", core["ours"])
    assert _json_lines(again) == _json_lines(core["archive"])


@pytest.mark.parametrize(
    "export", [SAMPLE, *sorted((ROOT / "fixtures" / "wxr").glob("*.xml"))], ids=lambda p: p.name
)
def test_the_bundled_exports_round_trip(export: Path, tmp_path: Path) -> None:
    """WXR 1.0 and 1.1 files, and the edge cases, come back as the archive had them, but
    for the spam comments (core never exports them, and the summary says so)."""
    first, again, out = tmp_path / "first.db", tmp_path / "again.db", tmp_path / "out.xml"
    wpcpd(first, "pull", export)
    done = wpcpd(first, "export", "wxr", "-o", out)
    wpcpd(again, "pull", out)
    kept = [line for line in _json_lines(first) if '"status": "spam"' not in line]
    spam = len(_json_lines(first)) - len(kept)
    assert _json_lines(again) == kept
    assert not spam or f"left out {spam} spam comment" in done.stderr.replace("\n", " ")


# An archive filled by an authenticated REST pull holds the same site but for what REST does
# not carry: post meta (only the keys a site registers for REST, none here), comment meta,
# and an unpublished post's missing GMT dates (REST reports ones computed from the local
# dates, where the database, and so core's export, holds 0000-00-00 00:00:00 and an empty
# pubDate).
REST_CARRIES_NOT = (f"{WP}postmeta", f"{WP}commentmeta")


def _without_what_rest_lacks(core_root: Any, our_root: Any) -> None:
    """Drop from both trees what REST does not carry (above), in place."""
    zero = "0000-00-00 00:00:00"
    undated: dict[str | None, list[str]] = {}
    for item in core_root.iter("item"):
        tags = [f"{WP}{t}" for t in ("post_date_gmt", "post_modified_gmt")
                if item.findtext(f"{WP}{t}") == zero]  # fmt: skip
        undated[item.findtext(f"{WP}post_id")] = tags + (
            ["pubDate"] if not item.findtext("pubDate") else []
        )
    for root in (core_root, our_root):
        for element in [e for tag in REST_CARRIES_NOT for e in root.iter(tag)]:
            element.getparent().remove(element)
        for item in root.iter("item"):
            for tag in undated.get(item.findtext(f"{WP}post_id"), ()):
                item.remove(item.find(tag))


@pytest.fixture(scope="module")
def rest_export(seeded_wordpress: Any, core: dict[str, Path]) -> dict[str, Any]:
    archive = core["folder"] / "rest.db"
    live = LiveOptions(user=seeded_wordpress.admin_user, password=seeded_wordpress.app_password,
                       politeness=Politeness(retries=3, backoff=0.05, timeout=(5, 5)))  # fmt: skip
    with Archive(archive) as opened:
        pull(opened, seeded_wordpress.url, via="rest", live=live)
    ours = core["folder"] / "rest.xml"
    done = wpcpd(archive, "export", "wxr", "-o", ours)
    return {"archive": archive, "ours": ours, "said": done.stderr}


def test_a_rest_filled_archive_exports_as_core_does_but_what_rest_lacks(
    core: dict[str, Path], rest_export: dict[str, Any]
) -> None:
    core_comments, core_root = _normalised(core["core"], indentation=False)
    our_comments, our_root = _normalised(rest_export["ours"], indentation=False)
    assert our_comments == core_comments
    _without_what_rest_lacks(core_root, our_root)
    if etree.tostring(core_root, method="c14n2") != etree.tostring(our_root, method="c14n2"):
        pytest.fail(f"differs from core's export at {first_difference(core_root, our_root)}")


def test_what_core_never_exports_is_left_out_and_said(rest_export: dict[str, Any]) -> None:
    said = rest_export["said"]
    assert "left out 1 spam comment: WordPress's exporter never writes spam" in said, said
    tree = _parse(rest_export["ours"])
    statuses = {c.text for c in tree.iter(f"{WP}comment_approved")}
    assert statuses == {"1", "0", "trash"}
    assert "revision" not in {t.text for t in tree.iter(f"{WP}post_type")}


# -- split ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """sample-cpd23.xml grown to about 4 MB (600 posts, 3,000 comments), pulled."""
    folder = tmp_path_factory.mktemp("wxr-split")
    big = folder / "big.xml"
    grow = [sys.executable, str(ROOT / "benchmarks" / "make_wxr.py"), str(SAMPLE), str(big)]
    subprocess.run([*grow, "--posts", "600", "--comments-per-post", "5"], check=True)
    archive = folder / "wpcpd.db"
    wpcpd(archive, "pull", big)
    return {"archive": archive, "folder": folder}


def _channel_list(tree: etree._ElementTree) -> list[bytes]:
    channel = tree.getroot().find("channel")
    tags = (f"{WP}author", f"{WP}category", f"{WP}tag", f"{WP}term")
    return [etree.tostring(e, with_tail=False) for e in channel if e.tag in tags]


def test_a_split_export_is_whole_valid_wxr_in_parts_under_the_limit(grown: dict[str, Path]) -> None:
    out = grown["folder"] / "parts" / "site.xml"
    out.parent.mkdir()
    whole = grown["folder"] / "whole.xml"
    wpcpd(grown["archive"], "export", "wxr", "-o", whole)
    done = wpcpd(grown["archive"], "export", "wxr", "-o", out, "--max-file-size", "1")
    parts = sorted(out.parent.iterdir(), key=lambda p: (len(p.name), p.name))
    assert [p.name for p in parts] == [
        "site.xml",
        *(f"site-{n}.xml" for n in range(2, len(parts) + 1)),
    ]
    assert len(parts) >= 4, "the grown archive should need several parts"
    assert f"({len(parts)} files)" in done.stderr and "wrote 600 items" in done.stderr
    heads, ids = [], []
    for part in parts:
        assert part.stat().st_size <= MEGABYTE, part  # no single item here is near 1 MB
        tree = _parse(part)
        assert tree.getroot().find("channel").findtext(f"{WP}wxr_version") == "1.2"
        heads.append(_channel_list(tree))
        ids += [int(i.findtext(f"{WP}post_id")) for i in tree.getroot().iter("item")]
    assert all(head == heads[0] for head in heads) and heads[0] == _channel_list(_parse(whole))
    whole_ids = [int(i.findtext(f"{WP}post_id")) for i in _parse(whole).getroot().iter("item")]
    assert ids == whole_ids and len(set(ids)) == len(ids) == 600


def test_each_part_pulls_and_together_they_reproduce_the_archive(grown: dict[str, Path]) -> None:
    out = grown["folder"] / "again" / "site.xml"
    out.parent.mkdir()
    wpcpd(grown["archive"], "export", "wxr", "-o", out, "--max-file-size", "1.5")
    again = grown["folder"] / "again.db"
    for part in sorted(out.parent.iterdir()):
        wpcpd(again, "pull", part)
    assert sorted(_json_lines(again)) == sorted(_json_lines(grown["archive"]))


def test_an_item_too_large_for_a_part_gets_one_alone_and_is_named(tmp_path: Path) -> None:
    archive = tmp_path / "wpcpd.db"
    wpcpd(archive, "pull", SAMPLE)
    out = tmp_path / "parts" / "s.xml"
    out.parent.mkdir()
    done = wpcpd(archive, "export", "wxr", "-o", out, "--max-file-size", "0.012")
    assert "over the 12,000-byte limit, each holding one item" in done.stderr, done.stderr
    assert "(post 4, " in done.stderr
    for part in out.parent.iterdir():
        items = list(_parse(part).getroot().iter("item"))
        assert part.stat().st_size <= 12_000 or len(items) == 1, part


def test_what_the_site_has_deleted_since_is_left_out_and_said(tmp_path: Path) -> None:
    """A pull marks what the site no longer has `removed_at` (as a REST re-pull does after
    a deletion); a migration must not bring it back, so the WXR leaves it out."""
    archive = tmp_path / "wpcpd.db"
    wpcpd(archive, "pull", SAMPLE)
    with sqlite3.connect(archive) as db:
        db.execute("UPDATE posts SET removed_at = '2024-01-01T00:00:00Z' WHERE id = 4")
        gone = db.execute("SELECT min(id) FROM comments WHERE post_id != 4").fetchone()[0]
        db.execute("UPDATE comments SET removed_at = '2024-01-01T00:00:00Z' WHERE id = ?", [gone])
        on_four = db.execute("SELECT count(*) FROM comments WHERE post_id = 4").fetchone()[0]
    out = tmp_path / "out.xml"
    done = wpcpd(archive, "export", "wxr", "-o", out)
    assert "wrote 16 items" in done.stderr
    said = f"left out 1 post and {on_four + 1} comments the site has since deleted"
    assert said in done.stderr, done.stderr
    tree = _parse(out)
    assert "4" not in {e.text for e in tree.iter(f"{WP}post_id")}
    assert str(gone) not in {e.text for e in tree.iter(f"{WP}comment_id")}


# -- the command line ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("wxr-demo")
    done = run_cli(["pull", str(SAMPLE)], cli_env(home))
    assert done.code == 0, done.text
    return home


@pytest.mark.parametrize("mode", ("terminal", "piped"))
def test_export_wxr_to_a_file_at_a_terminal_and_piped(
    demo: Path, mode: str, tmp_path: Path
) -> None:
    target = tmp_path / "blog.xml"
    run = run_cli(["export", "wxr", "-o", str(target)], cli_env(demo), mode)
    assert_clean(run, mode)
    assert mode == "terminal" or run.out == ""  # the summary goes to standard error
    assert f"wrote 17 items to {target}" in plain(run.text).replace("\n", "")
    assert _parse(target).getroot().tag == "rss"
    assert not list(tmp_path.glob(".*partial"))


def test_export_wxr_to_standard_output(demo: Path) -> None:
    run = run_cli(["export", "wxr", "-o", "-"], cli_env(demo))
    assert_clean(run, "piped")
    assert run.out.startswith("<?xml") and run.out.rstrip().endswith("</rss>")
    assert "wrote" not in run.err


def test_a_size_limit_must_be_positive_and_an_older_part_is_pointed_out(
    demo: Path, tmp_path: Path
) -> None:
    for size in ("0", "-1"):
        run = run_cli(["export", "wxr", "-o", str(tmp_path / "s.xml"), "--max-file-size", size],
                      cli_env(demo))  # fmt: skip
        assert_clean(run, "piped", ok=False)
        assert "--max-file-size must be more than 0" in run.err
    (tmp_path / "s-2.xml").write_text("an earlier export's part", encoding="utf-8")
    run = run_cli(["export", "wxr", "-o", str(tmp_path / "s.xml")], cli_env(demo))
    assert_clean(run, "piped")
    assert "s-2.xml is from an earlier export, not this one" in run.err.replace("\n", " ")


def test_an_archive_of_several_sites_needs_site(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    for export in (SAMPLE, ROOT / "fixtures" / "wxr" / "edge-1.2.xml"):
        assert run_cli(["pull", str(export)], env).code == 0
    run = run_cli(["export", "wxr", "-o", str(tmp_path / "out.xml")], env)
    assert_clean(run, "piped", ok=False)
    assert "a WXR file holds one site: name one with --site" in run.err
    chosen = run_cli(["export", "wxr", "-o", str(tmp_path / "out.xml"), "--site", "1"], env)
    assert_clean(chosen, "piped")
    assert chosen.err.startswith("wrote ")
    assert not list(tmp_path.glob(".*partial"))


def test_json_is_refused_as_export_json_refuses_it(demo: Path, tmp_path: Path) -> None:
    """Neither export prints a report of its own: --json is no option of either."""
    for name in ("json", "wxr"):
        run = run_cli(["export", name, "-o", str(tmp_path / name)], cli_env(demo), "json")
        assert_clean(run, "json", ok=False)
        assert "No such option: --json" in run.err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("mode", ("terminal", "piped"))
def test_a_bad_out_folder_is_one_line_and_leaves_nothing(
    demo: Path, mode: str, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "blog.xml"
    run = run_cli(["export", "wxr", "-o", str(target)], cli_env(demo), mode)
    assert_clean(run, mode, ok=False)
    assert "cannot write" in plain(run.text)
    assert not list(tmp_path.rglob("*"))


def test_a_split_that_standard_output_cannot_take_is_one_line(demo: Path) -> None:
    run = run_cli(["export", "wxr", "-o", "-", "--max-file-size", "0.01"], cli_env(demo))
    assert run.code not in (0, 3) and "Traceback" not in run.text
    assert run.err.startswith("wpcpd: error: ") and run.err.count("\n") == 1, run.err
    assert "--out FILE" in run.err


def test_json_export_is_unchanged_by_the_new_contract(demo: Path) -> None:
    run = run_cli(["export", "json", "-o", "-"], cli_env(demo))
    records = [json.loads(line) for line in run.out.splitlines()]
    assert records[0]["record"] == "site" and run.err == ""
    helped = run_cli(["export", "json", "--help"], cli_env(demo))
    assert "--max-file-size" not in helped.out and "--redact-passwords" in helped.out
