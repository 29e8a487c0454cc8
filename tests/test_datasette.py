"""`wpcpd datasette`: the metadata it writes, the real Datasette serving the archive on
loopback with it (JSON API, full-text search, canned queries), and no secret reachable."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import assert_clean, cli_env, run_cli

SAMPLE = Path(__file__).parent.parent / "fixtures" / "sample-cpd23.xml"
PASSWORD = "Quetzal-Secret-77"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("datasette")
    done = run_cli(["pull", str(SAMPLE)], cli_env(home))
    assert done.code == 0, done.text
    with sqlite3.connect(home / "wpcpd.db") as db:  # a password no other text contains
        db.execute("UPDATE posts SET password = ? WHERE id = 12", (PASSWORD,))
        db.execute("UPDATE comments SET author_ip = '203.0.113.77' WHERE id = 5")
    return home


def secrets(archive: Path) -> set[str]:
    """Every value the archive holds that Datasette must not show."""
    db = sqlite3.connect(archive)
    found = {row[0] for row in db.execute(
        "SELECT password FROM posts UNION SELECT author_email FROM comments "
        "UNION SELECT author_ip FROM comments UNION SELECT email FROM authors")}  # fmt: skip
    db.close()
    found.discard("")
    assert PASSWORD in found and "203.0.113.77" in found and "admin@example.org" in found
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def served(home: Path) -> Iterator[str]:
    """`wpcpd datasette` running (it starts Datasette), stopped after the tests."""
    port = free_port()
    log = (home / "datasette.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "wpcpd", "datasette", "--port", str(port)],
        env=cli_env(home), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (home / "datasette.log").read_text()
            try:
                if fetch(f"{base}/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (home / "datasette.log").read_text()
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # wpcpd and the Datasette it started
        process.wait(timeout=30)
        log.close()


def rows(base: str, path: str) -> list[dict[str, Any]]:
    code, body = fetch(f"{base}{path}{'&' if '?' in path else '?'}_shape=array")
    assert code == 200, (path, body[:300])
    return json.loads(body)


def test_the_archive_is_listed_with_its_views_and_canned_queries(served: str) -> None:
    code, body = fetch(f"{served}/wpcpd.json")
    assert code == 200
    database = json.loads(body)
    tables = {t["name"] for t in database["tables"]}
    assert {"sites", "terms", "media", "reflections", "action_follow_ups"} <= tables
    assert not tables & {"posts", "comments", "authors", "comment_meta"}
    assert {v["name"] for v in database["views"]} >= {"posts_browse", "comments_browse"}
    assert {q["name"] for q in database["queries"]} == {
        "comments_awaiting_moderation", "most_commented_posts", "reflections_by_thing",
        "actions_not_followed_up"}  # fmt: skip
    terms = rows(served, "/wpcpd/terms.json?taxonomy=category")
    assert terms and {t["taxonomy"] for t in terms} == {"category"}
    _, metadata = fetch(f"{served}/-/metadata.json")
    assert "without its password" in metadata


def test_full_text_search_through_the_views(served: str) -> None:
    assert [p["id"] for p in rows(served, "/wpcpd/posts_browse.json?_search=prune")] == [5]
    found = rows(served, "/wpcpd/comments_browse.json?_search=course")
    assert [(c["post_id"], c["id"], c["status"]) for c in found] == [(4, 5, "hold")]
    facets = json.loads(fetch(f"{served}/wpcpd/posts_browse.json?_facet=status")[1])
    statuses = {f["value"] for f in facets["facet_results"]["status"]["results"]}
    assert {"publish", "draft", "private"} <= statuses


def test_the_canned_queries_answer(served: str) -> None:
    held = rows(served, "/wpcpd/comments_awaiting_moderation.json")
    assert [(r["post_id"], r["comment_id"]) for r in held] == [(4, 5)]
    commented = rows(served, "/wpcpd/most_commented_posts.json")
    assert commented[0]["post_id"] == 4 and commented[0]["comments"] >= 2
    things = rows(served, "/wpcpd/reflections_by_thing.json")
    assert (1, 4) in {(r["thing"], r["post_id"]) for r in things}
    open_actions = rows(served, "/wpcpd/actions_not_followed_up.json")
    assert "prune the feeds I never read after a month." in {r["action"] for r in open_actions}


def test_no_secret_is_reachable(served: str, home: Path) -> None:
    hidden = secrets(home / "wpcpd.db")
    for path in ("/wpcpd/posts.json", "/wpcpd/posts/1,12.json", "/wpcpd/comments.json",
                 "/wpcpd/authors.json", "/wpcpd/comment_meta.json",
                 "/wpcpd.json?sql=select+password+from+posts", "/wpcpd.db",
                 "/wpcpd/posts_browse.json?_where=id=12",
                 "/wpcpd/posts_browse.json?_fts_table=posts&_search=x"):  # fmt: skip
        code, body = fetch(served + path)
        assert code in (400, 403, 404) or not any(s in body for s in hidden), path
        assert not any(s in body for s in hidden), path
    database = json.loads(fetch(f"{served}/wpcpd.json")[1])
    everything = [t["name"] for t in database["tables"]] + [v["name"] for v in database["views"]]
    pages = [f"/wpcpd/{name}.json?_size=max" for name in everything]
    pages += [f"/wpcpd/{q['name']}.json" for q in database["queries"]]
    pages += ["/wpcpd.json", "/-/metadata.json", "/wpcpd/posts_browse.json?_search=manager"]
    for page in pages:
        code, body = fetch(served + page)
        assert code == 200, page
        leaked = [s for s in hidden if s in body]
        assert not leaked, (page, leaked)


def test_without_datasette_it_writes_the_metadata_and_says_how_to_get_it(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from wpcpd.cli import app
    from wpcpd.cli.commands import find

    monkeypatch.setattr(find, "_datasette", lambda: None)
    target = home / "elsewhere.json"
    with pytest.raises(SystemExit) as exit:
        app(args=["--archive", str(home / "wpcpd.db"), "datasette", "-m", str(target)])
    assert exit.value.code == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert errors == [
        "wpcpd: error: Datasette is not installed: pip install 'wpcpd[datasette]' "
        f"(then wpcpd datasette, or datasette {home / 'wpcpd.db'} -m {target})"
    ]
    assert json.loads(target.read_text())["databases"]["wpcpd"]["allow_sql"] is False


@pytest.mark.parametrize("mode", ["terminal", "piped"])
def test_no_serve_only_writes_the_metadata(home: Path, mode: str) -> None:
    run = run_cli(["datasette", "--no-serve"], cli_env(home), mode)
    assert_clean(run, mode)
    written = json.loads((home / "wpcpd.datasette.json").read_text())
    tables = written["databases"]["wpcpd"]["tables"]
    assert tables["posts"] == {"allow": False}
    assert tables["posts_browse"]["fts_table"] == "posts_fts"
    assert "wpcpd.datasette.json" in run.text
