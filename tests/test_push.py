"""Migrating a blog: push an archived site into another real WordPress, and verify it."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import require_wordpress
from sandbox import WordPressSandbox

from wpcpd.archive import Archive
from wpcpd.cli.commands.migrate import verify_by_pull as verify
from wpcpd.http import Politeness, PoliteSession, make_session
from wpcpd.model import Comment, Media, Site
from wpcpd.pull import LiveOptions, pull
from wpcpd.sinks.migrate.push import PushOptions, PushReport, push
from wpcpd.sources.scrape import ScrapeOptions
from wpcpd.sources.wxr import read_wxr

QUICK = Politeness(retries=2, backoff=0.05, timeout=(5, 30))
MU_PLUGIN = Path("wp-content/mu-plugins/wpcpd-cpd-skill.php")
NOT_CARRIED_TYPES = {"pingback", "trackback"}

# Added to the seeded site: an image with resized copies shown in a block with srcset, links
# to another post (also before it exists on the target) and to the image, a gallery
# shortcode, and a thread four deep on a post whose comments are closed, with a comment by a
# registered user, one without name or e-mail, and a repeat of an earlier comment.
EXTEND_PHP = r"""
require_once ABSPATH . 'wp-admin/includes/image.php';
$uploads = wp_upload_dir('2023/02');
$path = $uploads['path'] . '/reading-room.png';
$image = imagecreatetruecolor(800, 600);
imagefill($image, 0, 0, imagecolorallocate($image, 30, 120, 200));
imagepng($image, $path);
$att = wp_insert_attachment(['post_title' => 'Reading room', 'post_name' => 'reading-room',
    'post_mime_type' => 'image/png', 'post_status' => 'inherit',
    'post_date' => '2023-02-01 09:00:00', 'guid' => $uploads['url'] . '/reading-room.png'],
    $path, 0, true);
wp_update_attachment_metadata($att, wp_generate_attachment_metadata($att, $path));
update_post_meta($att, '_wp_attachment_image_alt', 'A blue reading room');
$thing1 = get_page_by_path('thing-1-blogging', OBJECT, 'post');
$later = wp_insert_post(['post_title' => 'Thing 3: Images', 'post_name' => 'thing-3-images',
    'post_date' => '2023-02-06 10:00:00', 'post_status' => 'publish', 'post_content' => 'x',
    'comment_status' => 'closed'], true);
$next = wp_insert_post(['post_title' => 'Thing 4: Next week', 'post_name' => 'thing-4-next',
    'post_date' => '2023-02-13 10:00:00', 'post_status' => 'publish',
    'post_content' => '<p>Back to <a href="' . get_permalink($later) . '">Thing 3</a>.</p>'], true);
$img = wp_get_attachment_image($att, 'medium', false, ['class' => "wp-image-$att"]);
$full = wp_get_attachment_url($att);
$content = "<!-- wp:image {\"id\":$att,\"sizeSlug\":\"medium\"} -->\n"
    . "<figure class=\"wp-block-image size-medium\">$img</figure>\n<!-- /wp:image -->\n\n"
    . "<!-- wp:paragraph -->\n<p>See <a href=\"" . get_permalink($thing1) . "#comments\">Thing 1"
    . "</a>, its <a href=\"" . home_url('/?p=' . $thing1->ID) . "\">short link</a>, "
    . "<a href=\"" . get_permalink($next) . "\">next week</a> and the "
    . "<a href=\"$full\">full picture</a>.</p>\n<!-- /wp:paragraph -->\n\n[gallery ids=\"$att\"]";
wp_update_post(wp_slash(['ID' => $later, 'post_content' => $content]));
wp_update_post(['ID' => $att, 'post_parent' => $later]);
$editor = get_user_by('login', 'editor');
function extend_comment($post, $parent, $author, $email, $date, $text, $user = 0) {
    return wp_insert_comment(wp_slash(['comment_post_ID' => $post, 'comment_parent' => $parent,
        'comment_author' => $author, 'comment_author_email' => $email,
        'comment_date' => $date, 'comment_date_gmt' => get_gmt_from_date($date),
        'comment_content' => $text, 'comment_approved' => 1, 'user_id' => $user]));
}
$jo = ['Jo Bloggs', 'jo@example.org'];
$c1 = extend_comment($later, 0, ...$jo, ...['2023-02-06 12:00:00', 'Lovely colour.']);
$c2 = extend_comment($later, $c1, $editor->display_name, $editor->user_email,
    '2023-02-06 13:00:00', 'Thanks, it is the library blue.', $editor->ID);
$c3 = extend_comment($later, $c2, '', '', '2023-02-06 14:00:00', 'An anonymous reply.');
$c4 = extend_comment($later, $c3, ...$jo, ...['2023-02-06 15:00:00', 'Four deep.']);
$c5 = extend_comment($later, 0, ...$jo, ...['2023-02-07 09:00:00', 'Lovely colour.']);
echo json_encode(['attachment' => $att, 'post' => $later, 'next' => $next]);
"""


class Interrupted(Exception):
    """Stands for a crash or Ctrl-C in the middle of a push."""


class CountingSession:
    """Wraps a session's request method: counts by method, can fail after N writes.

    The failure comes after the request reached the site, as when a connection drops
    before the answer arrives: the site did the work, the pusher never heard of it.
    """

    def __init__(self, session: PoliteSession, fail_after_writes: int | None = None) -> None:
        self.session = session
        self.methods: Counter[str] = Counter()
        self.fail_after = fail_after_writes
        original = session.request

        def request(method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
            response = original(method, url, *args, **kwargs)
            self.methods[method.upper()] += 1
            if self.fail_after is not None and self.writes >= self.fail_after:
                raise Interrupted(f"stopped after {self.writes} writes")
            return response

        session.request = request  # type: ignore[method-assign]

    @property
    def writes(self) -> int:
        return sum(n for m, n in self.methods.items() if m in ("POST", "PUT", "DELETE"))


@pytest.fixture(scope="module")
def site_a() -> Iterator[WordPressSandbox]:
    require_wordpress()
    with WordPressSandbox() as site:
        site.seed_full()
        assert site.seed is not None
        site.seed["extra"] = __import__("json").loads(site.php(EXTEND_PHP))
        yield site


@pytest.fixture(scope="module")
def archive_a(site_a: WordPressSandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "a.db"
    with Archive(path) as archive:
        pull(archive, site_a.url, live=live(site_a))
    return path


@pytest.fixture
def archive(archive_a: Path, tmp_path: Path) -> Iterator[Archive]:
    """A fresh copy of the pulled archive: pushes record their ids in it."""
    copy = tmp_path / "a.db"
    shutil.copy(archive_a, copy)
    with Archive(copy) as opened:
        yield opened


def live(site: WordPressSandbox) -> LiveOptions:
    return LiveOptions(user=site.admin_user, password=site.app_password, politeness=QUICK)


def target(factory: Any, site_a: WordPressSandbox, *, empty: bool = True) -> WordPressSandbox:
    """A new site B with A's custom taxonomy plugin, emptied of wp_install()'s content."""
    site = factory()
    plugin = site.site_dir / MU_PLUGIN
    plugin.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(site_a.site_dir / MU_PLUGIN, plugin)
    if empty:
        site.empty()
    return site


def run_push(
    archive: Archive, a: WordPressSandbox, b: WordPressSandbox, **options: Any
) -> tuple[PushReport, CountingSession]:
    counter = CountingSession(make_session(QUICK), options.pop("fail_after", None))
    settings = PushOptions(
        user=b.admin_user,
        password=b.app_password,
        politeness=QUICK,
        create_authors=options.pop("create_authors", True),
        **options,
    )
    return push(archive, a.url, b.url, settings, session=counter.session), counter


def rest(site: WordPressSandbox, route: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a collection, as an administrator sees it."""
    items, page = [], 1
    while True:
        response = requests.get(site.rest_url(f"/wp/v2/{route}"), auth=(site.admin_user,
                                site.app_password), params={"context": "edit", "per_page": 100,
                                "page": page, **params}, timeout=30)  # fmt: skip
        response.raise_for_status()
        items += response.json()
        if page >= int(response.headers.get("X-WP-TotalPages", 1)):
            return items
        page += 1


def writings(site: WordPressSandbox) -> dict[str, dict[str, Any]]:
    """Posts and pages (not trashed) by slug, or by title when unpublished without a slug."""
    found = {}
    for route in ("posts", "pages"):
        for item in rest(site, route, status="any"):
            found[item["slug"] or item["title"]["raw"]] = item
    return found


def comment_tree(site: WordPressSandbox, post_id: int) -> set[tuple[Any, ...]]:
    """A post's carried comments with their place in the thread, ids left out."""
    items = rest(site, "comments", post=post_id, status="any", type="all")
    by_id = {c["id"]: c for c in items}

    def who(comment: dict[str, Any] | None) -> tuple[str, str] | None:
        return (comment["author_name"], comment["date_gmt"]) if comment else None

    # WordPress adds rel="nofollow ugc" to every link in a comment it is given.
    return {
        (c["author_name"], c["author_email"], c["date_gmt"],
         c["content"]["raw"].replace(' rel="nofollow ugc"', ""), c["status"],
         who(by_id.get(c["parent"])))
        for c in items
        if c["type"] not in NOT_CARRIED_TYPES and c["status"] in ("approved", "hold")
    }  # fmt: skip


def term_names(site: WordPressSandbox, item: dict[str, Any]) -> dict[str, set[str]]:
    names = {}
    for route in ("categories", "tags", "cpd_skill"):
        ids = set(item.get(route) or [])
        names[route] = {t["name"] for t in rest(site, route) if t["id"] in ids}
    return names


def expected_content(a_item: dict[str, Any], a: WordPressSandbox, b: WordPressSandbox) -> str:
    """A's raw content with A's addresses and attachment ids replaced by B's, worked out
    from both sites' REST answers, independently of wpcpd's rewriting."""
    text = a_item["content"]["raw"]
    a_media, b_media = rest(a, "media"), {m["slug"]: m for m in rest(b, "media")}
    for old in a_media:
        new = b_media[old["slug"]]
        old_sizes = {(s["width"], s["height"]): s["source_url"]
                     for s in old["media_details"].get("sizes", {}).values()}  # fmt: skip
        new_sizes = {(s["width"], s["height"]): s["source_url"]
                     for s in new["media_details"].get("sizes", {}).values()}  # fmt: skip
        for dims, url in sorted(old_sizes.items(), key=lambda kv: -len(kv[1])):
            text = text.replace(url, new_sizes[dims])
        text = text.replace(old["source_url"], new["source_url"])
        for pattern in ('wp-image-{}"', "wp-image-{} ", '"id":{},', 'ids="{}"'):
            text = text.replace(pattern.format(old["id"]), pattern.format(new["id"]))
    b_posts = writings(b)
    for old in writings(a).values():
        new = b_posts.get(old["slug"] or old["title"]["raw"])
        if new and old["status"] == "publish":
            text = text.replace(f'"{old["link"]}', f'"{new["link"]}')
            text = text.replace(f'"{old["link"]}#', f'"{new["link"]}#')
            text = text.replace(f'{a.url}/?p={old["id"]}"', f'{new["link"]}"')
    return text


# -- the tests ------------------------------------------------------------------------------


def test_push_into_an_empty_site_carries_everything_and_verify_agrees(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any, tmp_path: Path
) -> None:
    b = target(wordpress_factory, site_a)
    report, _ = run_push(archive, site_a, b, redirects=tmp_path / "redirects")
    assert report.failed == 0, report.describe()
    counts = report.counts
    assert counts["comment"]["skipped"] == 3  # the pingback, the spam and the trashed one
    assert counts["post"]["skipped"] == 1  # the trashed post

    checked = verify(archive, site_a.url, b.url, live(b))
    assert checked.ok, checked.describe()
    assert checked.compared["comment"] == 13 and checked.compared["media"] == 2

    a_items, b_items = writings(site_a), writings(b)
    assert set(a_items) == set(b_items)
    for key, old in a_items.items():
        new = b_items[key]
        assert new["title"]["raw"] == old["title"]["raw"], key
        assert new["content"]["raw"] == expected_content(old, site_a, b), key
        assert new["excerpt"]["raw"] == old["excerpt"]["raw"], key
        assert (new["date_gmt"], new["status"]) == (old["date_gmt"], old["status"]), key
        assert new["password"] == old["password"], key  # readers keep their password
        assert new.get("sticky") == old.get("sticky"), key
        assert term_names(b, new) == term_names(site_a, old), key
        assert comment_tree(b, new["id"]) == comment_tree(site_a, old["id"]), key
    contents = str([p["post_content"] for p in b.dump_db()["posts"]])
    assert f"{site_a.url}/wp-content/" not in contents and f"{site_a.url}/thing" not in contents

    redirects_answer_200(site_a, b, tmp_path / "redirects.csv")


def redirects_answer_200(a: WordPressSandbox, b: WordPressSandbox, csv_path: Path) -> None:
    """Every address at which A shows something publicly leads to a page B serves."""
    with csv_path.open(encoding="utf-8") as handle:
        pairs = {row["old_url"]: row["new_url"] for row in csv.DictReader(handle)}
    public = []
    for route in ("posts", "pages"):
        public += [p["link"] for p in requests.get(a.rest_url(f"/wp/v2/{route}"),
                                                   timeout=30).json()]  # fmt: skip
    for media in requests.get(a.rest_url("/wp/v2/media"), timeout=30).json():
        public += [media["link"], media["source_url"]]
    assert len(public) >= 12
    for old in public:
        assert old in pairs, old
        answer = requests.get(pairs[old], allow_redirects=False, timeout=30)
        assert answer.status_code == 200, (old, pairs[old])


def test_a_second_push_sends_nothing_and_a_changed_post_is_updated(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any
) -> None:
    b = target(wordpress_factory, site_a)
    run_push(archive, site_a, b)
    again, counter = run_push(archive, site_a, b)
    assert counter.writes == 0, counter.methods
    assert all(set(c) <= {"unchanged", "skipped"} for c in again.counts.values()), again.counts

    key, post = archive.post(None, site_a.seed["posts"]["thing1"])
    post.title = "Thing 1: Blogging, revised"
    site = next(record for _, record in archive.iter_records(key) if isinstance(record, Site))
    archive.save([site, post])
    changed, counter = run_push(archive, site_a, b)
    assert counter.methods["PUT"] == 1 and counter.writes == 1
    assert changed.counts["post"]["updated"] == 1
    assert writings(b)["thing-1-blogging"]["title"]["raw"] == "Thing 1: Blogging, revised"


@pytest.mark.parametrize("stop_after", [6, 24])
def test_an_interrupted_push_resumes_without_duplicates(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any, stop_after: int
) -> None:
    b = target(wordpress_factory, site_a)
    with pytest.raises(Interrupted):
        run_push(archive, site_a, b, fail_after=stop_after)
    report, _ = run_push(archive, site_a, b)
    assert report.failed == 0, report.describe()
    assert report.counts["comment"]["created"] + report.counts["comment"].get("matched", 0) > 0
    checked = verify(archive, site_a.url, b.url, live(b))
    assert checked.ok, checked.describe()
    titles = Counter(i["title"]["raw"] for i in writings(b).values())
    assert max(titles.values()) == 1, titles
    assert len(rest(b, "media")) == 2


def test_push_concurrently_matches_a_sequential_push(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any
) -> None:
    b = target(wordpress_factory, site_a)
    report, _ = run_push(archive, site_a, b, concurrency=4)
    assert report.failed == 0, report.describe()
    checked = verify(archive, site_a.url, b.url, live(b))
    assert checked.ok, checked.describe()


def test_items_already_on_the_target_are_matched_not_duplicated(
    site_a: WordPressSandbox, archive_a: Path, wordpress_factory: Any, tmp_path: Path
) -> None:
    b = target(wordpress_factory, site_a, empty=False)  # keeps B's own hello-world
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    shutil.copy(archive_a, first)
    shutil.copy(archive_a, second)
    with Archive(first) as archive:
        run_push(archive, site_a, b, only=frozenset({"posts", "media", "comments"}))
    before = rest(b, "comments", status="any", type="all")
    with Archive(second) as archive:  # knows nothing of the first push
        report, _ = run_push(archive, site_a, b)
        checked = verify(archive, site_a.url, b.url, live(b))
    assert report.counts["post"]["matched"] >= 8 and report.counts["comment"]["matched"] >= 8
    assert report.counts["page"]["created"] == 5
    assert checked.ok, checked.describe()
    after = rest(b, "comments", status="any", type="all")
    assert len(after) == len(before), [
        (c["id"], c["post"], c["author_name"], c["date_gmt"]) for c in after
    ]
    slugs = Counter(i["slug"] for i in rest(b, "posts", status="any"))
    assert slugs["thing-1-blogging"] == 1 and slugs["hello-world"] == 1
    assert {c.got for c in report.collisions} >= {"hello-world-2"}


def test_push_from_a_wxr_export(
    site_a: WordPressSandbox, wordpress_factory: Any, tmp_path: Path
) -> None:
    b = target(wordpress_factory, site_a)
    with Archive(tmp_path / "wxr.db") as archive:
        archive.save(read_wxr(site_a.export_wxr(tmp_path / "a.xml")))
        report, _ = run_push(archive, site_a, b)
        checked = verify(archive, site_a.url, b.url, live(b))
    assert report.failed == 0, report.describe()
    assert checked.ok, checked.describe()
    assert (
        writings(b)["thing-3-images"]["content"]["raw"].count(f"{b.url}/wp-content/") == 5
    )  # src, srcset x3, link


def test_push_from_a_scraped_archive(
    site_a: WordPressSandbox, wordpress_factory: Any, tmp_path: Path
) -> None:
    """A blog known only from its public pages still moves: posts, threads and all."""
    b = target(wordpress_factory, site_a)
    with Archive(tmp_path / "scraped.db") as archive:
        options = LiveOptions(politeness=QUICK, scrape=ScrapeOptions(delay=0))
        scraped = pull(archive, site_a.url, via="scrape", live=options)
        assert scraped.channel == "scrape" and scraped.summary.counts["comment"]["new"] > 0
        report, _ = run_push(archive, site_a, b)
        checked = verify(archive, site_a.url, b.url, live(b))
        public = {r["slug"]: r["title"] for r in archive.list_posts() if r["type"] == "post"}
    assert report.failed == 0, report.describe()
    assert checked.ok, checked.describe()
    carried = {slug: item["title"]["raw"] for slug, item in writings(b).items()}
    assert public.items() <= carried.items()


def test_author_map_csv_and_missing_authors(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any, tmp_path: Path
) -> None:
    b = target(wordpress_factory, site_a)
    b.php("wp_insert_user(['user_login' => 'sian', 'user_email' => 'sian@example.org',"
          " 'user_pass' => 'x-sandbox-password', 'role' => 'editor']);")  # fmt: skip
    mapping = tmp_path / "authors.csv"
    mapping.write_text("source,target\neditor,sian@example.org\n", encoding="utf-8")
    from wpcpd.cli.commands.migrate import read_author_map

    report, _ = run_push(
        archive,
        site_a,
        b,
        create_authors=False,
        author_map=read_author_map(mapping),
        only=frozenset({"posts"}),
    )
    users = {u["id"]: u["username"] for u in rest(b, "users")}
    by_slug = writings(b)
    assert users[by_slug["thing-2-rss-feeds"]["author"]] == "sian"
    assert users[by_slug["thing-1-blogging"]["author"]] == "admin"
    assert report.items[("author", "editor")].outcome == "matched"
    assert "sian" not in str(report.items[("author", "admin")].reason)

    c = target(wordpress_factory, site_a)
    unmapped, _ = run_push(archive, site_a, c, create_authors=False, only=frozenset({"posts"}))
    assert unmapped.items[("author", "editor")].outcome == "skipped"
    assert "--create-authors" in unmapped.items[("author", "editor")].reason
    assert {u["username"] for u in rest(c, "users")} == {"admin"}


def test_dry_run_writes_nothing_and_since_narrows_the_push(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any
) -> None:
    b = target(wordpress_factory, site_a)
    dry, counter = run_push(archive, site_a, b, dry_run=True)
    assert counter.writes == 0
    assert dry.counts["post"]["created"] == 12 and dry.counts["comment"]["created"] == 13
    assert archive.remote_ids("post", f"127.0.0.1:{site_a.port}", f"127.0.0.1:{b.port}") == []

    since = datetime(2023, 6, 1, tzinfo=UTC)
    report, _ = run_push(archive, site_a, b, since=since, only=frozenset({"posts", "comments"}))
    assert report.failed == 0, report.describe()
    pushed = {i["title"]["raw"] for i in writings(b).values()}
    wanted = {"Réflexion — “Thing 7” ✨ 🎉", "Thing 8: Embedding code (and the ]]> trap)",
              "Thing 9: Podcasts", "Thing 10: Wikis", "Thing 11: Reflecting in private",
              "Thing 12: Password-protected reflection", "Thing 23: Looking back"}  # fmt: skip
    assert wanted <= pushed and "Thing 1: Blogging" not in pushed
    commenters = {c["author_name"] for c in rest(b, "comments")}
    # wp_install()'s "Hello world!" is dated at install time, so its comment comes too.
    assert commenters == {"张伟", "ليلى", "Émilie 🎉", "A WordPress Commenter"}


def test_spam_and_trash_travel_only_when_asked(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any
) -> None:
    b = target(wordpress_factory, site_a)
    report, _ = run_push(archive, site_a, b, include_spam=True, include_trash=True)
    assert report.failed == 0, report.describe()
    statuses = Counter(c["status"] for c in rest(b, "comments", status="any", type="all"))
    assert statuses["spam"] == 1 and statuses["trash"] == 1
    assert [p["title"]["raw"] for p in rest(b, "posts", status="trash")] == [
        "Thing 13: Discarded notes"
    ]
    checked = verify(archive, site_a.url, b.url, live(b), include_spam=True, include_trash=True)
    assert checked.ok, checked.describe()


def test_comments_only_carries_comments_that_arrived_later(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any
) -> None:
    b = target(wordpress_factory, site_a)
    run_push(archive, site_a, b)
    key, thing7 = archive.post(None, site_a.seed["posts"]["thing7"])
    site = next(record for _, record in archive.iter_records(key) if isinstance(record, Site))
    reply_to = site_a.seed["comments"]["arabic_reply"]
    late = Comment(id=9001, post=thing7.id, parent=reply_to, author_name="Late Reader",
                   author_email="late@example.org", content="Still reading in 2024.",
                   date_gmt=datetime(2024, 3, 1, 12, tzinfo=UTC), status="approved")  # fmt: skip
    archive.save([site, late])
    report, counter = run_push(archive, site_a, b, comments_only=True)
    assert counter.methods["POST"] == 1 and counter.writes == 1
    assert report.counts["comment"]["created"] == 1
    found = [c for c in rest(b, "comments") if c["author_name"] == "Late Reader"]
    parent = next(c for c in rest(b, "comments") if c["id"] == found[0]["parent"])
    assert parent["author_name"] == "ليلى"


def test_media_come_from_a_local_copy_when_the_old_site_is_gone(
    site_a: WordPressSandbox, archive: Archive, wordpress_factory: Any
) -> None:
    key = f"127.0.0.1:{site_a.port}"
    site = next(record for _, record in archive.iter_records(key) if isinstance(record, Site))
    gone = [r for _, r in archive.iter_records(key) if isinstance(r, Media)]
    for media in gone:
        media.url = media.url.replace(site_a.url, "http://127.0.0.1:9")  # nothing listens
    archive.save([site, *gone])
    b = target(wordpress_factory, site_a)
    offline, _ = run_push(archive, site_a, b, only=frozenset({"media"}))
    assert offline.counts["media"] == Counter(failed=2)
    assert "could not download" in offline.items[("media", str(gone[0].id))].reason

    uploads = site_a.site_dir / "wp-content" / "uploads"
    report, _ = run_push(archive, site_a, b, only=frozenset({"media"}), media_dir=uploads)
    assert report.counts["media"] == Counter(created=2)
    assert sorted(m["slug"] for m in rest(b, "media")) == ["reading-room", "thing-1-badge"]


ESCAPED_TERMS_PHP = r"""
foreach (['Café & Co', 'a < b > c', 'R&D <b>notes</b>'] as $name) {
    wp_insert_term(wp_slash($name), 'post_tag');
}
"""


def test_terms_stored_escaped_match_on_the_target_and_a_second_push_writes_nothing(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    a, b = wordpress_factory(), wordpress_factory()
    a.php(ESCAPED_TERMS_PHP + "wp_insert_post(['post_title' => 'Tagged', 'post_status' =>"
          " 'publish', 'tags_input' => get_terms(['taxonomy' => 'post_tag', 'fields' =>"
          " 'ids', 'hide_empty' => false])]);")  # fmt: skip
    b.php(ESCAPED_TERMS_PHP)  # the new blog already has the same tags
    with Archive(tmp_path / "a.db") as archive:
        pull(archive, a.url, live=live(a))
        report, _ = run_push(archive, a, b)
        assert report.failed == 0, report.describe()
        tags = {k: i.outcome for k, i in report.items.items() if k[0] == "term"
                and k[1].startswith("post_tag/")}  # fmt: skip
        assert sorted(tags.values()) == ["matched"] * 3, tags
        checked = verify(archive, a.url, b.url, live(b))
        assert checked.ok, checked.describe()
        again, counter = run_push(archive, a, b)
        assert counter.writes == 0, again.describe()
    names = b.php("echo json_encode(get_terms(['taxonomy' => 'post_tag', 'fields' => 'names',"
                  " 'hide_empty' => false]));")  # fmt: skip
    assert len(__import__("json").loads(names)) == 3  # no duplicate made on the target
