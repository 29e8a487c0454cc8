"""Keeping the media files themselves (issue 11): the store beside the archive, fetched from
a real WordPress, verified after the site is gone, and pushed from the store alone."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import require_wordpress
from faultproxy import FaultProxy
from sandbox import WordPressSandbox
from test_kill_resume import Request, cli_env, run_killed_at_request, wpcpd
from test_push import QUICK

from wpcpd.archive import Archive
from wpcpd.archive.media_store import MediaStore, safe_upload_path, store_path
from wpcpd.model import Media, Post, Site, site_key
from wpcpd.sinks.migrate.push import PushOptions, push
from wpcpd.sources.media import (
    HostPolicy,
    MediaFetcher,
    MediaOptions,
    original_of,
    strip_resize,
    wanted_files,
)

# Two real images WordPress makes its sizes of (one the featured image), a PDF and an audio
# file as attachments; in a post: the first image at its medium size with srcset, a file
# that is no attachment, one named only in a srcset, a resized copy whose original is gone,
# and a picture on another host.
MEDIA_PHP = r"""
require_once ABSPATH . 'wp-admin/includes/image.php';
wp_set_current_user(1);
$up = wp_upload_dir('2024/05');
$hashes = [];
function attach($up, $name, $mime, $title, $sizes) {
    $path = $up['path'] . '/' . $name;
    $att = wp_insert_attachment(['post_title' => $title, 'post_mime_type' => $mime,
        'post_status' => 'inherit', 'guid' => $up['url'] . '/' . $name], $path, 0, true);
    if ($sizes) {
        wp_update_attachment_metadata($att, wp_generate_attachment_metadata($att, $path));
    }
    return $att;
}
function picture($path, $w, $h, $r, $g, $b, $jpeg = false) {
    $image = imagecreatetruecolor($w, $h);
    imagefill($image, 0, 0, imagecolorallocate($image, $r, $g, $b));
    for ($i = 0; $i < 40; $i++) {
        $ink = imagecolorallocate($image, $i * 5, 90, 200 - $i);
        imageline($image, 0, $i * 13, $w, $h - $i * 7, $ink);
    }
    $jpeg ? imagejpeg($image, $path, 90) : imagepng($image, $path);
}
picture($up['path'] . '/harbour.png', 800, 600, 30, 120, 200);
picture($up['path'] . '/library.jpg', 1600, 1200, 200, 120, 30, true);
file_put_contents($up['path'] . '/minutes.pdf',
    "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
file_put_contents($up['path'] . '/talk.mp3',
    "ID3\x03\x00\x00\x00\x00\x00\x00" . str_repeat("\xff\xfb\x90\x00", 500));
$harbour = attach($up, 'harbour.png', 'image/png', 'Harbour', true);
$library = attach($up, 'library.jpg', 'image/jpeg', 'Library', true);
$pdf = attach($up, 'minutes.pdf', 'application/pdf', 'Minutes', false);
$mp3 = attach($up, 'talk.mp3', 'audio/mpeg', 'Talk', false);
@mkdir($up['basedir'] . '/loose');
picture($up['basedir'] . '/loose/map.png', 300, 200, 10, 200, 10);
picture($up['path'] . '/only-srcset.png', 1200, 800, 200, 10, 200);
picture($up['path'] . '/only-srcset-300x200.png', 300, 200, 200, 10, 200);
picture($up['path'] . '/orphan-640x480.png', 640, 480, 90, 90, 90);
$medium = wp_get_attachment_image($harbour, 'medium');
$base = $up['url'];
$content = "<p>$medium</p>\n"
    . "<p><img src=\"" . $up['baseurl'] . "/loose/map.png\" alt=\"map\"></p>\n"
    . "<picture><source srcset=\"$base/only-srcset-300x200.png 300w, $base/only-srcset.png 1200w\">"
    . "<img alt=\"\" src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\"></picture>\n"
    . "<p><a href=\"" . wp_get_attachment_url($pdf) . "\">minutes</a></p>\n"
    . "[audio mp3=\"" . wp_get_attachment_url($mp3) . "\"][/audio]\n"
    . "<p><img src=\"$base/orphan-640x480.png\"></p>\n"
    . "<p><img src=\"http://pictures.example.invalid/elsewhere.png\"></p>";
$post = wp_insert_post(wp_slash(['post_title' => 'Pictures', 'post_name' => 'pictures',
    'post_status' => 'publish', 'post_content' => $content,
    'post_date' => '2024-05-02 10:00:00']), true);
set_post_thumbnail($post, $library);
foreach ([$harbour, $library, $pdf, $mp3] as $att) {
    wp_update_post(['ID' => $att, 'post_parent' => $post]);
}
$files = ['harbour' => wp_get_attachment_url($harbour),
    'library' => wp_get_attachment_url($library),
    'pdf' => wp_get_attachment_url($pdf), 'mp3' => wp_get_attachment_url($mp3),
    'loose' => $up['baseurl'] . '/loose/map.png', 'only_srcset' => "$base/only-srcset.png",
    'orphan' => "$base/orphan-640x480.png"];
$out = ['post' => $post, 'ids' => ['harbour' => $harbour, 'library' => $library, 'pdf' => $pdf,
    'mp3' => $mp3], 'urls' => $files, 'sha256' => []];
foreach ($files as $key => $url) {
    $out['sha256'][$key] = hash_file('sha256', str_replace($up['baseurl'], $up['basedir'], $url));
}
$out['medium'] = $medium;
echo json_encode($out);
"""


@pytest.fixture(scope="module")
def site() -> Iterator[WordPressSandbox]:
    require_wordpress()
    with WordPressSandbox() as sandbox:
        sandbox.seed = json.loads(sandbox.php(MEDIA_PHP))
        yield sandbox


def pull_args(site: WordPressSandbox, *more: str) -> tuple[str, ...]:
    return ("pull", site.url, "--user", site.admin_user, *more)


def media_rows(archive: Path) -> list[dict[str, Any]]:
    result = wpcpd("media", "list", "--json", env=cli_env(archive))
    return [json.loads(line) for line in result.stdout.splitlines()]


def store_files(archive: Path) -> list[Path]:
    root = store_path(archive)
    return sorted(p for p in root.glob("??/*") if p.is_file())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- unit: names come from hashes, never from addresses -------------------------------------


class FakeResponse:
    def __init__(self, body: bytes, status: int = 200, headers: dict | None = None) -> None:
        self.body, self.status_code = body, status
        self.headers = {"Content-Type": "image/png", **(headers or {})}

    def iter_content(self, size: int) -> Iterator[bytes]:
        for i in range(0, len(self.body), size):
            yield self.body[i : i + size]

    def close(self) -> None:
        pass

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class FakeSession:
    def __init__(self, answers: dict[str, FakeResponse]) -> None:
        self.answers, self.asked = answers, []

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        self.asked.append(url)
        return self.answers.get(url) or FakeResponse(b"", 404)


def small_archive(tmp_path: Path, content: str, media: list[Media] = ()) -> Archive:
    archive = Archive(tmp_path / "wpcpd.db")
    site = Site("blog.test", "http://blog.test", "Blog")
    post = Post(id=1, type="post", status="publish", content=content)
    archive.save([site, post, *media])
    return archive


def test_no_address_path_reaches_the_file_system(tmp_path: Path) -> None:
    evil = "http://blog.test/wp-content/uploads/../../../../tmp/evil.png"
    archive = small_archive(
        tmp_path, f'<img src="{evil}"><img src="http://blog.test/a%2F..%2Fb.png">'
    )
    session = FakeSession({evil: FakeResponse(b"PNG bytes"), "http://blog.test/a%2F..%2Fb.png":
                           FakeResponse(b"other bytes")})  # fmt: skip
    report = MediaFetcher(archive, session, MediaOptions(concurrency=1)).run("blog.test")
    assert report.counts == {"fetched": 2}
    root = store_path(archive.path)
    written = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert written == sorted(f"{s[:2]}/{s[2:]}" for s in (sha256(b"PNG bytes"),
                                                          sha256(b"other bytes")))  # fmt: skip
    assert not (tmp_path / "evil.png").exists() and not Path("/tmp/evil.png").exists()
    with pytest.raises(ValueError):
        MediaStore(root).path_for("../../etc/passwd")
    # A copy of wp-content/uploads is only ever read inside that folder.
    uploads = tmp_path / "uploads"
    (uploads / "2024").mkdir(parents=True)
    assert (
        safe_upload_path(uploads, "http://b/wp-content/uploads/2024/a.png")
        == (uploads / "2024" / "a.png").resolve()
    )
    escapes = ("http://b/wp-content/uploads/../../secret", "http://b/elsewhere/a.png")
    for bad in ("../secret", "/etc/passwd", "2024/../../secret", *escapes):
        assert safe_upload_path(uploads, bad) is None, bad


def test_originals_preferred_over_resized_copies() -> None:
    assert original_of("http://b/wp-content/uploads/2024/a-300x200.jpg") == (
        "http://b/wp-content/uploads/2024/a.jpg"
    )
    assert strip_resize("https://b.files.wordpress.com/2024/a.jpg?w=640&h=480&x=1") == (
        "https://b.files.wordpress.com/2024/a.jpg?x=1"
    )
    assert original_of("https://i0.wp.com/b.example/wp-content/uploads/a-1024x768.jpg?w=640") == (
        "https://b.example/wp-content/uploads/a.jpg"
    )
    policy = HostPolicy("https://b.wordpress.com")
    assert policy.own("https://b.files.wordpress.com/2024/a.jpg")
    assert not policy.own("https://other.files.wordpress.com/2024/a.jpg")
    assert policy.own("https://i1.wp.com/b.files.wordpress.com/2024/a.jpg")


def test_failures_sizes_and_redirects_are_recorded_never_fatal(tmp_path: Path) -> None:
    base = "http://blog.test/wp-content/uploads"
    content = (f'<img src="{base}/big.png"><img src="{base}/page.png"><img src="{base}/gone.png">'
               f'<img src="{base}/moved.png"><img src="{base}/small-300x200.png">')  # fmt: skip
    archive = small_archive(tmp_path, content)
    session = FakeSession({
        f"{base}/big.png": FakeResponse(b"x" * 5000),
        f"{base}/page.png": FakeResponse(b"<html>", headers={"Content-Type": "text/html"}),
        f"{base}/moved.png": FakeResponse(b"", 302, {"Location": "file:///etc/passwd"}),
        f"{base}/small-300x200.png": FakeResponse(b"small"),
    })  # fmt: skip
    options = MediaOptions(max_size=1000, concurrency=2)
    report = MediaFetcher(archive, session, options).run("blog.test")
    rows = {r["url"].rsplit("/", 1)[1]: r for r in archive.media_files()}
    assert rows["big.png"]["status"] == "too-large"
    assert rows["page.png"]["status"] == "failed" and "text/html" in rows["page.png"]["reason"]
    assert rows["gone.png"]["status"] == "missing"
    assert rows["moved.png"]["status"] == "failed" and "scheme" in rows["moved.png"]["reason"]
    # The original was asked for first; only then the resized copy, recorded as such.
    variant = rows["small.png"]
    assert variant["status"] == "ok" and variant["variant"] == 1
    assert variant["fetched_from"] == f"{base}/small-300x200.png"
    assert report.counts["variant"] == 1 and len(report.problems) == 4
    assert not list((store_path(archive.path) / "tmp").glob("*.part"))


# -- against a real WordPress -------------------------------------------------------------


def test_a_killed_media_download_resumes_and_records_nothing_twice(
    site: WordPressSandbox, tmp_path: Path
) -> None:
    archive = tmp_path / "wpcpd.db"
    env = cli_env(archive, site.app_password)
    run_killed_at_request(pull_args(site, "--concurrency", "2"), env,
                          Request("media", r"GET .*/wp-content/uploads/", nth=4),
                          tmp_path / "killed.log")  # fmt: skip
    with sqlite3.connect(archive) as db:
        half = db.execute("SELECT count(*) FROM media_files WHERE status = 'ok'").fetchone()[0]
    assert half < 7
    done = wpcpd(*pull_args(site), env=env)
    assert "media files" in done.stdout and "fetched" in done.stdout, done.stdout
    rows = media_rows(archive)
    urls = [r["url"] for r in rows]
    assert len(urls) == len(set(urls)) == 7  # four attachments, three files in the content
    assert all(r["status"] == "ok" for r in rows), rows
    assert len(store_files(archive)) == len({r["sha256"] for r in rows})
    assert not list((store_path(archive) / "tmp").glob("*.part"))
    assert wpcpd("media", "verify", env=cli_env(archive)).returncode == 0


def test_no_media_pulls_the_records_only(site: WordPressSandbox, tmp_path: Path) -> None:
    archive = tmp_path / "wpcpd.db"
    done = json.loads(wpcpd(*pull_args(site, "--no-media", "--json"),
                            env=cli_env(archive, site.app_password)).stdout)  # fmt: skip
    assert "media" not in done and media_rows(archive) == []
    assert not store_path(archive).exists()


def test_an_export_file_keeps_media_from_its_addresses_or_a_copy_of_uploads(
    site: WordPressSandbox, tmp_path: Path
) -> None:
    seed = site.seed
    assert seed is not None
    wxr = site.export_wxr(tmp_path / "export.xml")
    uploads = tmp_path / "uploads"
    shutil.copytree(site.site_dir / "wp-content" / "uploads", uploads)
    plain = tmp_path / "plain.db"
    assert "media" not in json.loads(wpcpd("pull", wxr, "--json", env=cli_env(plain)).stdout)
    expected = {seed["urls"][k]: seed["sha256"][k] for k in seed["urls"] if k != "orphan"}
    expected[original_of(seed["urls"]["orphan"])] = seed["sha256"]["orphan"]
    for how, counts in ((("--media-dir", str(uploads)), {"copied": 7}),
                        (("--media",), {"fetched": 6, "variant": 1})):  # fmt: skip
        archive = tmp_path / f"{how[0]}.db"
        result = json.loads(wpcpd("pull", wxr, *how, "--json", env=cli_env(archive)).stdout)
        assert result["media"]["counts"] == counts, how
        assert {r["url"]: r["sha256"] for r in media_rows(archive)} == expected, how
        assert wpcpd("media", "verify", env=cli_env(archive)).returncode == 0


def test_keeps_originals_survives_the_site_and_pushes_from_the_store(
    site: WordPressSandbox, wordpress_factory: Any, tmp_path: Path
) -> None:
    seed = site.seed
    assert seed is not None
    archive = tmp_path / "wpcpd.db"
    env = cli_env(archive, site.app_password)
    first = json.loads(wpcpd(*pull_args(site, "--json"), env=env).stdout)
    assert first["media"]["counts"].get("failed", 0) == 0, first["media"]
    rows = {r["url"]: r for r in media_rows(archive)}
    for key, url in seed["urls"].items():
        if key != "orphan":
            assert rows[url]["status"] == "ok", (key, rows[url])
            assert rows[url]["sha256"] == seed["sha256"][key], key
            assert rows[url]["variant"] == 0, key
    orphan = rows[original_of(seed["urls"]["orphan"])]
    assert orphan["variant"] == 1 and orphan["sha256"] == seed["sha256"]["orphan"]
    assert not any("example.invalid" in url for url in rows)
    assert not any("-300x" in url or "-150x" in url for url in rows)  # originals only
    assert {rows[seed["urls"][k]]["media_id"] for k in seed["ids"]} == set(seed["ids"].values())

    # A re-pull of the unchanged site asks for no file at all.
    with FaultProxy() as proxy:
        again = wpcpd(*pull_args(site, "--json"), env=cli_env(archive, site.app_password,
                                                              proxy.url))  # fmt: skip
        uploads = sum(n for path, n in proxy.paths.items() if "/wp-content/uploads/" in path)
    assert uploads == 0 and proxy.count > 0
    assert json.loads(again.stdout)["media"]["counts"] == {"kept": 7}
    # Asked again on purpose (PHP's server sends no ETag or Last-Modified to ask
    # conditionally with; see the unit test for that): the same bytes, so unchanged.
    recheck = json.loads(wpcpd("media", "fetch", "--recheck", "--json",
                               env=cli_env(archive)).stdout)  # fmt: skip
    assert recheck["counts"] == {"unchanged": 7}

    # The old site goes away with its uploads folder: the backup still holds every file.
    old_key = site_key(site.url)
    site.stop()
    assert wpcpd("media", "verify", env=cli_env(archive)).returncode == 0
    check = wpcpd("check", env=cli_env(archive), check=False)
    assert "media" not in check.stdout, check.stdout

    # Push into an empty site with the old one gone: the same bytes, and the content
    # points at the new copies.
    new = wordpress_factory()
    new.empty()
    with Archive(archive) as opened:
        options = PushOptions(user=new.admin_user, password=new.app_password,
                              politeness=QUICK, create_authors=True)  # fmt: skip
        report = push(opened, old_key, new.url, options)
    failed = [o for o in report.items.values() if o.outcome == "failed"]
    assert not failed, failed
    assert report.counts["media"]["created"] == 7  # four attachments, three other files
    auth = (new.admin_user, new.app_password)
    media = requests.get(new.rest_url("/wp/v2/media"), params={"per_page": 100}, auth=auth,
                         timeout=30).json()  # fmt: skip
    by_title = {m["title"]["rendered"]: m for m in media}
    for key, title in (("harbour", "Harbour"), ("library", "Library"), ("pdf", "Minutes"),
                       ("mp3", "Talk")):  # fmt: skip
        body = requests.get(by_title[title]["source_url"], timeout=30).content
        assert sha256(body) == seed["sha256"][key], key
    posts = requests.get(new.rest_url("/wp/v2/posts"), params={"slug": "pictures",
                         "context": "edit"}, auth=auth, timeout=30).json()  # fmt: skip
    content = posts[0]["content"]["raw"]
    harbour_new = by_title["Harbour"]["source_url"].rsplit(".", 1)[0]
    assert harbour_new in content
    assert seed["urls"]["harbour"].rsplit(".", 1)[0] not in content
    assert posts[0]["featured_media"] == by_title["Library"]["id"]
    # The files that were no attachment arrived too, and the content points at them.
    assert f"//127.0.0.1:{site.port}/" not in content, content
    for key in ("loose", "only_srcset", "orphan"):
        name = original_of(seed["urls"][key]).rsplit("/", 1)[1].rsplit(".", 1)[0]
        (found,) = [m for m in media if m["source_url"].rsplit("/", 1)[1].startswith(name)]
        body = requests.get(found["source_url"], timeout=30).content
        assert sha256(body) == seed["sha256"][key], key
        assert found["source_url"].rsplit(".", 1)[0] in content, key
    # Pushed again: nothing is uploaded twice.
    with Archive(archive) as opened:
        again = push(opened, old_key, new.url, options)
    assert again.counts["media"] == {"unchanged": 7}, again.counts


def test_a_recheck_asks_conditionally_and_a_304_downloads_nothing(tmp_path: Path) -> None:
    url = "http://blog.test/wp-content/uploads/a.png"
    archive = small_archive(tmp_path, f'<img src="{url}">')
    validators = {"ETag": '"v1"', "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT"}
    first = FakeSession({url: FakeResponse(b"picture", headers=validators)})
    MediaFetcher(archive, first, MediaOptions(concurrency=1)).run("blog.test")
    asked: list[dict] = []

    class Conditional(FakeSession):
        def get(self, url: str, **kwargs: Any) -> FakeResponse:
            asked.append(kwargs.get("headers") or {})
            return FakeResponse(b"", 304)

    again = MediaFetcher(archive, Conditional({}), MediaOptions(recheck=True)).run("blog.test")
    assert again.counts == {"unchanged": 1}
    assert asked == [{"If-None-Match": '"v1"', "If-Modified-Since": validators["Last-Modified"]}]
    assert archive.media_file("blog.test", url)["sha256"] == sha256(b"picture")
    # Without --recheck, a kept file is not asked for at all.
    quiet = FakeSession({})
    assert MediaFetcher(archive, quiet, MediaOptions()).run("blog.test").counts == {"kept": 1}
    assert quiet.asked == []


def test_check_reports_media_that_could_not_be_kept(tmp_path: Path) -> None:
    base = "http://blog.test/wp-content/uploads"
    archive = small_archive(tmp_path, f'<img src="{base}/gone.png"><img src="{base}/ok.png">')
    MediaFetcher(archive, FakeSession({f"{base}/ok.png": FakeResponse(b"fine")}),
                 MediaOptions(concurrency=1)).run("blog.test")  # fmt: skip
    archive.finish_run(archive.begin_run("x", "blog.test"), "ok")
    archive.close()
    result = wpcpd("check", env=cli_env(tmp_path / "wpcpd.db"), check=False)
    assert result.returncode == 1 and "1 media file(s) missing" in result.stdout
    (ok_row,) = [r for r in media_rows(tmp_path / "wpcpd.db") if r["status"] == "ok"]
    MediaStore(store_path(tmp_path / "wpcpd.db")).path_for(ok_row["sha256"]).write_bytes(b"bad")
    verify = wpcpd("media", "verify", env=cli_env(tmp_path / "wpcpd.db"), check=False)
    assert verify.returncode == 1 and "bytes differ" in verify.stdout
    with Archive(tmp_path / "wpcpd.db") as opened:
        assert len(wanted_files(opened, "blog.test", HostPolicy("http://blog.test"))) == 2
