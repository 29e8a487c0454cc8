"""kill -9 in the middle of a pull or a push, then the same command again: the end is the same
as if nothing had happened (issue 9, 2.4).

The real command line runs as a child process and is killed with SIGKILL at points chosen
from what it visibly does, so each point is the same on every run: how far it has read its
export file (its file offset, read from /proc), or which request it is making (seen by a
local proxy, tests/faultproxy.py). A point "before" a request kills the process while the
request waits in the proxy, which then drops it; a point "after" kills it first and then
lets the request go on to the site, which does the work while nobody is left to hear the
answer. Then the same command runs again to the end, and the result is compared with an
uninterrupted run: `wpcpd export json` for pulls, the target's database for a push.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import require_wordpress
from faultproxy import FaultProxy
from sandbox import WordPressSandbox
from test_push import EXTEND_PHP, target

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "sample-cpd23.xml"
MAKE_WXR = ROOT / "benchmarks" / "make_wxr.py"
RUN_TIMEOUT = 120
ENV_NAMES = ("WPCPD_PASSWORD", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY",
             "no_proxy")  # fmt: skip

# More of everything than a page of the REST API holds (100), so that a kill can fall
# between two pages of posts and between two pages of comments.
GROW_PHP = r"""
for ($i = 0; $i < 230; $i++) {
    $time = sprintf('10:%02d:%02d', intdiv($i, 60), $i % 60);
    $post = wp_insert_post(['post_title' => "Note $i", 'post_name' => "note-$i",
        'post_status' => 'publish', 'post_content' => "<p>Note $i.</p>",
        'post_date' => "2022-01-01 $time"], true);
    wp_insert_comment(['comment_post_ID' => $post, 'comment_content' => "Reply to $i",
        'comment_author' => "Reader $i", 'comment_author_email' => "r$i@example.org",
        'comment_date' => "2022-01-02 $time", 'comment_approved' => 1]);
}
"""

# A blog small enough to scrape several times over: every post is a request.
SMALL_PHP = r"""
for ($i = 0; $i < 20; $i++) {
    $post = wp_insert_post(['post_title' => "Short note $i", 'post_name' => "short-$i",
        'post_status' => 'publish', 'post_content' => "<p>Short note $i.</p>",
        'post_date' => sprintf('2022-03-%02d 09:00:00', $i + 1)], true);
    $first = wp_insert_comment(['comment_post_ID' => $post, 'comment_content' => "First $i",
        'comment_author' => "Ann $i", 'comment_date' => sprintf('2022-03-%02d 10:00:00', $i + 1),
        'comment_approved' => 1]);
    wp_insert_comment(['comment_post_ID' => $post, 'comment_parent' => $first,
        'comment_content' => "Reply $i", 'comment_author' => "Bea $i",
        'comment_date' => sprintf('2022-03-%02d 11:00:00', $i + 1), 'comment_approved' => 1]);
}
"""


# -- running the command line, and killing it ------------------------------------------------


def cli_env(archive: Path, password: str | None = None, proxy: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env |= {"WPCPD_ARCHIVE": str(archive), "COLUMNS": "200"}
    if password:
        env["WPCPD_PASSWORD"] = password
    if proxy:
        env |= {"HTTP_PROXY": proxy, "http_proxy": proxy}
    return env


def wpcpd(*args: str | Path, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "wpcpd", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"wpcpd {args} failed ({result.returncode}): {result.stderr}")
    return result


def export(archive: Path) -> list[str]:
    """Every record of the archive, in the export's own (meaningful) order."""
    return wpcpd("export", "json", "--out", "-", env=cli_env(archive)).stdout.splitlines()


def _dead(pid: int) -> bool:
    """Gone or a zombie: either way its files and sockets are closed."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


class Child:
    """One run of the command line in its own process; any thread may kill it."""

    def __init__(self, args: tuple[str | Path, ...], env: dict, log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "wpcpd", *map(str, args)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        self.killed = threading.Event()

    def kill(self) -> None:
        """SIGKILL, and return only once the process is really dead."""
        self.killed.set()
        os.kill(self.proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not _dead(self.proc.pid):
            assert time.monotonic() < deadline, "the killed process did not die"
            time.sleep(0.001)

    def wait_killed(self, point: str) -> None:
        returncode = self.proc.wait(timeout=RUN_TIMEOUT)
        output = self.log.read_text(errors="replace")
        assert self.killed.is_set(), f"kill point {point!r} never came; the run said: {output}"
        assert returncode == -signal.SIGKILL, (returncode, output)


@dataclass(frozen=True)
class Request:
    """A kill point: the `nth` request whose "METHOD URL" matches `pattern`.

    `reach` lets the request go on to the site after the kill: the site does the work and
    its answer is lost, as when a process dies while it waits for the answer.
    """

    name: str
    pattern: str
    nth: int = 1
    reach: bool = False


class KillingProxy(FaultProxy):
    """Forwards every request, and kills the child at the kill point."""

    def __init__(self, point: Request) -> None:
        super().__init__()
        # Leaving the proxy waits for its requests: one let through after the kill must
        # have reached the site before the next run begins.
        self._server.daemon_threads = False
        self.point = point
        self.child: Child | None = None
        self.matched = 0
        self._armed = threading.Event()
        self._kill_lock = threading.Lock()

    def arm(self, child: Child) -> None:
        self.child = child
        self._armed.set()

    def _next(self, url: str, method: str = "GET") -> str | None:
        fault = super()._next(url, method)
        self._armed.wait(RUN_TIMEOUT)  # the child may ask before Popen has returned
        with self._kill_lock:
            child = self.child
            if child is None or child.killed.is_set():
                return fault
            if not re.search(self.point.pattern, f"{method} {url}"):
                return fault
            self.matched += 1
            if self.matched < self.point.nth:
                return fault
            child.kill()
        return None if self.point.reach else "drop"


def run_killed_at_request(
    args: tuple[str | Path, ...], env: dict, point: Request, log: Path
) -> None:
    with KillingProxy(point) as proxy:
        child = Child(args, {**env, "HTTP_PROXY": proxy.url, "http_proxy": proxy.url}, log)
        proxy.arm(child)
        child.wait_killed(point.name)


def _open_fd(pid: int, path: Path) -> str | None:
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(FileNotFoundError):
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                return fd
    return None


def _offset(pid: int, fd: str, path: Path) -> int | None:
    """How far the process has read `path` through `fd`; None once it has closed it."""
    try:
        if os.readlink(f"/proc/{pid}/fd/{fd}") != str(path):
            return None
        info = Path(f"/proc/{pid}/fdinfo/{fd}").read_text()
    except FileNotFoundError:
        return None
    found = re.search(r"^pos:\s*(\d+)", info, re.MULTILINE)
    return int(found.group(1)) if found else None


def run_killed_at_offset(
    args: tuple[str | Path, ...], env: dict, path: Path, offset: int, log: Path
) -> None:
    """Kill once the process has read `path` up to `offset`, or closed it after reading."""
    child = Child(args, env, log)
    pid, fd = child.proc.pid, None
    try:
        while child.proc.poll() is None:
            try:
                fd = fd or _open_fd(pid, path)
            except FileNotFoundError:
                break  # it exited between poll() and here
            if fd is not None:
                position = _offset(pid, fd, path)
                if position is None or position >= offset:
                    child.kill()
                    break
            time.sleep(0.0005)
    finally:
        child.wait_killed(f"offset {offset}")


# -- WXR: one transaction for the whole file -------------------------------------------------


@pytest.fixture(scope="module")
def big_wxr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 6 MB: six of the reader's 1 MiB chunks."""
    path = tmp_path_factory.mktemp("wxr") / "big.xml"
    subprocess.run([sys.executable, str(MAKE_WXR), str(SAMPLE), str(path), "--posts", "500",
                    "--comments-per-post", "8"], check=True, timeout=RUN_TIMEOUT)  # fmt: skip
    return path


@pytest.fixture(scope="module")
def wxr_reference(big_wxr: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    archive = tmp_path_factory.mktemp("wxr-reference") / "wpcpd.db"
    wpcpd("pull", big_wxr, env=cli_env(archive))
    return export(archive)


@pytest.mark.parametrize("fraction", [0.2, 0.6, 1.0], ids=["early", "middle", "late"])
def test_a_killed_wxr_pull_then_the_same_pull_equals_an_uninterrupted_one(
    big_wxr: Path, wxr_reference: list[str], tmp_path: Path, fraction: float
) -> None:
    archive = tmp_path / "wpcpd.db"
    env = cli_env(archive)
    offset = int(big_wxr.stat().st_size * fraction)
    run_killed_at_offset(("pull", big_wxr), env, big_wxr, offset, tmp_path / "killed.log")
    if fraction < 1:  # one transaction: killed before its end, the file left nothing behind
        with sqlite3.connect(archive) as db:
            assert db.execute("SELECT count(*) FROM posts").fetchone() == (0,)
    wpcpd("pull", big_wxr, env=env)
    assert export(archive) == wxr_reference


# -- REST: a checkpoint after every page ------------------------------------------------------


@pytest.fixture(scope="module")
def blog() -> Iterator[WordPressSandbox]:
    require_wordpress()
    with WordPressSandbox() as site:
        site.seed_full()
        site.php(GROW_PHP)
        yield site


def rest_args(site: WordPressSandbox, auth: bool) -> tuple[str, ...]:
    return ("pull", site.url, *(("--user", site.admin_user) if auth else ()))


@pytest.fixture(scope="module")
def rest_reference(
    blog: WordPressSandbox, tmp_path_factory: pytest.TempPathFactory
) -> dict[bool, list[str]]:
    found = {}
    for auth in (True, False):
        archive = tmp_path_factory.mktemp("rest-reference") / "wpcpd.db"
        wpcpd(*rest_args(blog, auth), env=cli_env(archive, blog.app_password))
        found[auth] = export(archive)
    return found


REST_POINTS = [
    # Credentials checked, the full pull begun, no author read yet.
    Request("early", r"^GET \S*/wp/v2/users\?"),
    # The first page of posts committed, the next two on their way.
    Request("middle", r"^GET \S*/wp/v2/posts\?\S*[?&]page=2(&|$)"),
    # Posts, media and the first comments committed.
    Request("late", r"^GET \S*/wp/v2/comments\?\S*[?&]page=3(&|$)"),
]


@pytest.mark.parametrize("auth", [True, False], ids=["password", "anonymous"])
@pytest.mark.parametrize("point", REST_POINTS, ids=lambda p: p.name)
def test_a_killed_rest_pull_then_the_same_pull_equals_an_uninterrupted_one(
    blog: WordPressSandbox,
    rest_reference: dict[bool, list[str]],
    tmp_path: Path,
    point: Request,
    auth: bool,
) -> None:
    archive = tmp_path / "wpcpd.db"
    env = cli_env(archive, blog.app_password)
    args = rest_args(blog, auth)
    run_killed_at_request(args, env, point, tmp_path / "killed.log")
    checked = wpcpd("check", env=env, check=False)
    assert checked.returncode == 1 and "killed" in checked.stdout, checked.stdout
    resumed = json.loads(wpcpd(*args, "--json", env=env).stdout)
    assert export(archive) == rest_reference[auth]
    assert resumed["mode"] == "resumed", resumed
    assert wpcpd("check", env=env).returncode == 0  # the backup is whole again
    # The sync state is whole too: the next pull is the cheap incremental one.
    again = json.loads(wpcpd(*args, "--json", env=env).stdout)
    assert again["mode"] == "incremental", again
    changed = {kind: counts for kind, counts in again["records"].items()
               if {k for k, n in counts.items() if n} - {"unchanged", "kept"}}  # fmt: skip
    assert not changed, again["records"]


def test_a_post_trashed_before_the_pull_resumes_pushes_no_other_out_of_reach(
    wordpress_factory: Callable[..., WordPressSandbox], tmp_path: Path
) -> None:
    """Between the kill and the re-run, a post on a page already read goes to the trash:
    every later post moves up one place, the first of them onto that page. Resuming after
    the last page read would skip it, and for good, since the totals balance again."""
    site = wordpress_factory()
    site.seed_full()
    site.php(GROW_PHP)
    archive = tmp_path / "resumed.db"
    env = cli_env(archive, site.app_password)
    args = rest_args(site, auth=True)
    middle = next(point for point in REST_POINTS if point.name == "middle")
    run_killed_at_request(args, env, middle, tmp_path / "killed.log")
    site.php("wp_trash_post(get_page_by_path('note-0', OBJECT, 'post')->ID);")
    wpcpd(*args, env=env)
    reference = tmp_path / "reference.db"
    wpcpd(*args, env=cli_env(reference, site.app_password))
    assert export(archive) == export(reference)


# New posts with comments, an edited post, a held comment approved: what a daily pull meets.
CHANGE_PHP = r"""
for ($i = 0; $i < 3; $i++) {
    $post = wp_insert_post(['post_title' => "Later $i", 'post_name' => "later-$i",
        'post_status' => 'publish', 'post_content' => "<p>Later $i.</p>"], true);
    wp_insert_comment(['comment_post_ID' => $post, 'comment_content' => "On later $i",
        'comment_author' => "Cy $i", 'comment_approved' => 1]);
}
$old = get_page_by_path('thing-1-blogging', OBJECT, 'post');
wp_update_post(['ID' => $old->ID, 'post_title' => 'Thing 1: Blogging, revised']);
wp_set_comment_status(get_comments(['status' => 'hold', 'number' => 1])[0]->comment_ID, 'approve');
"""


@pytest.fixture(scope="module")
def changed_blog(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[WordPressSandbox, Path, list[str]]]:
    """A site pulled once and changed since; and the archive after an uninterrupted pull."""
    require_wordpress()
    with WordPressSandbox() as site:
        site.seed_full()
        folder = tmp_path_factory.mktemp("incremental")
        pulled, reference = folder / "pulled.db", folder / "reference.db"
        wpcpd(*rest_args(site, auth=True), env=cli_env(pulled, site.app_password))
        time.sleep(1.1)  # marks compare whole seconds: the changes come in a later one
        site.php(CHANGE_PHP)
        shutil.copy(pulled, reference)
        wpcpd(*rest_args(site, auth=True), env=cli_env(reference, site.app_password))
        yield site, pulled, export(reference)


INCREMENTAL_POINTS = [
    # Posts read, their marks moved on; pages, media and comments not yet.
    Request("posts-read", r"^GET \S*/wp/v2/pages\?"),
    # New comments read and marked; the approved one not noticed yet.
    Request("comment-totals", r"^GET \S*/wp/v2/comments\?\S*per_page=1&"),
]


@pytest.mark.parametrize("point", INCREMENTAL_POINTS, ids=lambda p: p.name)
def test_a_killed_incremental_pull_then_the_same_pull_equals_an_uninterrupted_one(
    changed_blog: tuple[WordPressSandbox, Path, list[str]], tmp_path: Path, point: Request
) -> None:
    site, pulled, reference = changed_blog
    archive = tmp_path / "wpcpd.db"
    shutil.copy(pulled, archive)
    env = cli_env(archive, site.app_password)
    args = rest_args(site, auth=True)
    run_killed_at_request(args, env, point, tmp_path / "killed.log")
    wpcpd(*args, env=env)
    assert export(archive) == reference


# -- scraping: the fetched pages are kept in the archive --------------------------------------


@pytest.fixture(scope="module")
def small_blog() -> Iterator[WordPressSandbox]:
    require_wordpress()
    with WordPressSandbox() as site:
        site.seed_full()
        site.php(SMALL_PHP)
        yield site


SCRAPE_ARGS = ("--via", "scrape", "--delay", "0")


@pytest.fixture(scope="module")
def scrape_reference(
    small_blog: WordPressSandbox, tmp_path_factory: pytest.TempPathFactory
) -> list[str]:
    archive = tmp_path_factory.mktemp("scrape-reference") / "wpcpd.db"
    wpcpd("pull", small_blog.url, *SCRAPE_ARGS, env=cli_env(archive))
    return export(archive)


SCRAPE_POINTS = [
    Request("early", r"^GET \S*/wp-sitemap-posts-post-1\.xml"),  # finding the posts
    Request("middle", r"^GET \S*/short-\d+/$", nth=8),  # reading them
    Request("late", r"^GET \S*/short-0/$"),  # the last post
]


@pytest.mark.parametrize("point", SCRAPE_POINTS, ids=lambda p: p.name)
def test_a_killed_scrape_then_the_same_scrape_equals_an_uninterrupted_one(
    small_blog: WordPressSandbox, scrape_reference: list[str], tmp_path: Path, point: Request
) -> None:
    archive = tmp_path / "wpcpd.db"
    env = cli_env(archive)
    args = ("pull", small_blog.url, *SCRAPE_ARGS)
    run_killed_at_request(args, env, point, tmp_path / "killed.log")
    resumed = json.loads(wpcpd(*args, "--json", env=env).stdout)
    assert export(archive) == scrape_reference
    if point.name != "early":  # the pages read before the kill are not fetched again
        assert resumed["scrape"]["resumed"] > 0, resumed["scrape"]


# -- push: every write recorded as soon as its answer arrives ---------------------------------


@pytest.fixture(scope="module")
def push_source(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[WordPressSandbox, Path]]:
    """test_push's site A (images with resized copies, links, deep threads), pulled."""
    require_wordpress()
    with WordPressSandbox() as site:
        site.seed_full()
        site.php(EXTEND_PHP)
        archive = tmp_path_factory.mktemp("push-source") / "a.db"
        wpcpd("pull", site.url, "--user", site.admin_user,
              env=cli_env(archive, site.app_password))  # fmt: skip
        yield site, archive


def push_args(source: WordPressSandbox, to: WordPressSandbox) -> tuple[str, ...]:
    return ("push", "--from", f"127.0.0.1:{source.port}", "--to", to.url,
            "--user", to.admin_user, "--create-authors")  # fmt: skip


@pytest.fixture(scope="module")
def push_reference(
    push_source: tuple[WordPressSandbox, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    source, pulled = push_source
    started: list[WordPressSandbox] = []

    def start() -> WordPressSandbox:
        started.append(WordPressSandbox())
        return started[-1].start()

    try:
        b = target(start, source)
        archive = tmp_path_factory.mktemp("push-reference") / "a.db"
        shutil.copy(pulled, archive)
        wpcpd(*push_args(source, b), env=cli_env(archive, b.app_password))
        yield site_content(b)
    finally:
        for site in started:
            site.stop()


WRITE = r"^(POST|PUT|PATCH|DELETE) "
PUSH_POINTS = [
    # The author is created; the answer with its id is lost.
    Request("author-created", WRITE + r"\S*/wp/v2/users", reach=True),
    # An image is uploaded; the answer is lost before its id was recorded.
    Request("upload-answer-lost", WRITE + r"\S*/wp/v2/media", reach=True),
    # Half the posts created, the next one never sent.
    Request("post-unsent", WRITE + r"\S*/wp/v2/posts$", nth=6),
    # The second pass, settling links to items created later, half done.
    Request("link-pass", r"^PUT \S*/wp/v2/posts/\d+", reach=True),
    # A reply created on the target, its answer lost.
    Request("comment-created", WRITE + r"\S*/wp/v2/comments$", nth=5, reach=True),
    # A repeated comment, created with a mark WordPress's duplicate check does not refuse.
    Request("repeat-created", WRITE + r"\S*/wp/v2/comments$", nth=8, reach=True),
    # ... and the update that takes the mark off again, never sent.
    Request("repeat-unmarked", r"^PUT \S*/wp/v2/comments/\d+"),
]


@pytest.mark.parametrize("point", PUSH_POINTS, ids=lambda p: p.name)
def test_a_killed_push_then_the_same_push_equals_an_uninterrupted_one(
    push_source: tuple[WordPressSandbox, Path],
    push_reference: dict[str, Any],
    wordpress_factory: Callable[..., WordPressSandbox],
    tmp_path: Path,
    point: Request,
) -> None:
    source, pulled = push_source
    b = target(wordpress_factory, source)
    archive = tmp_path / "a.db"
    shutil.copy(pulled, archive)
    env = cli_env(archive, b.app_password)
    args = push_args(source, b)
    run_killed_at_request(args, env, point, tmp_path / "killed.log")
    wpcpd(*args, env=env)
    assert site_content(b) == push_reference
    again = json.loads(wpcpd(*args, "--json", env=env).stdout)
    assert again["requests"].get("POST", 0) + again["requests"].get("PUT", 0) == 0, again


# -- what a site holds, without what differs between two sites -------------------------------

NOT_CONTENT_TYPES = {"revision", "oembed_cache", "customize_changeset"}
# Ids that push writes into content: attachment and post ids, in blocks and shortcodes.
ID_IN_CONTENT = re.compile(r'(wp-image-|"id":|ids="|\?p=|attachment_id=)(\d+)')
ID_META = {"_thumbnail_id"}
VOLATILE_META = {"_edit_lock", "_edit_last"}


def site_content(site: WordPressSandbox) -> dict[str, Any]:
    """The site's database with ids replaced by natural keys and its address by "{site}".

    Lists, not maps, wherever a duplicate could hide: two posts with one key both show.
    """
    db = site.dump_db()
    logins = {u["ID"]: u["user_login"] for u in db["users"]}
    posts = [
        p
        for p in db["posts"]
        if p["post_type"] not in NOT_CONTENT_TYPES and p["post_status"] != "auto-draft"
    ]
    post_key = {p["ID"]: f"{p['post_type']}:{p['post_name'] or p['post_title']}" for p in posts}
    post_key[0] = ""

    def local(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        text = text.replace(site.url, "{site}")
        return ID_IN_CONTENT.sub(
            lambda m: m.group(1) + post_key.get(int(m.group(2)), f"?{m.group(2)}"), text
        )

    def post_row(p: dict[str, Any]) -> dict[str, Any]:
        row = {k: local(v) for k, v in p.items()
               if k not in ("ID", "post_modified", "post_modified_gmt", "meta")}  # fmt: skip
        row["post_author"] = logins.get(p["post_author"], p["post_author"])
        row["post_parent"] = post_key.get(p["post_parent"], p["post_parent"])
        row["meta"] = {
            k: [post_key.get(int(v), v) if k in ID_META else local(v) for v in values]
            for k, values in p["meta"].items()
            if k not in VOLATILE_META
        }
        return row

    comments = db["comments"]
    comment_key = {c["comment_ID"]: (post_key.get(c["comment_post_ID"]), c["comment_date_gmt"],
                                     c["comment_author"]) for c in comments}  # fmt: skip
    comment_key[0] = None

    def comment_row(c: dict[str, Any]) -> dict[str, Any]:
        row = {k: local(v) for k, v in c.items() if k != "comment_ID"}
        row["comment_post_ID"] = post_key.get(c["comment_post_ID"], c["comment_post_ID"])
        row["comment_parent"] = comment_key.get(c["comment_parent"], c["comment_parent"])
        row["user_id"] = logins.get(c["user_id"], c["user_id"])
        return row

    def ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))

    terms = [{k: v for k, v in t.items() if k not in ("term_id", "term_taxonomy_id")}
             for t in db["terms"]]  # fmt: skip
    users = [{k: local(v) for k, v in u.items() if k != "ID"} for u in db["users"]]
    return {
        "users": ordered(users),
        "terms": ordered(terms),
        "posts": ordered([post_row(p) for p in posts]),
        "sticky": sorted(post_key.get(i, i) for i in db["sticky_posts"]),
        "comments": ordered([comment_row(c) for c in comments]),
    }
