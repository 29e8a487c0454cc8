"""The XML-RPC source against a real WordPress: the same records as the site's own WXR export.

The seeded site is pulled once over XML-RPC and once from `export_wp()`'s WXR, each into its
own archive, and the two `export json` views are compared field by field. The fields that
cannot agree are named in FIELDS_XMLRPC_CANNOT_SEE with the reason.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
import xmlrpc.client
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import pytest
from sandbox import HERE, WordPressSandbox

from wpcpd.archive import Archive
from wpcpd.errors import SourceError, UsageError
from wpcpd.http import USER_AGENT, NetworkError, Politeness, make_session
from wpcpd.model import Comment, Post
from wpcpd.sinks.jsonl import record_to_dict
from wpcpd.sources import xmlrpc as xmlrpc_source
from wpcpd.sources.wxr import read_wxr
from wpcpd.sources.xmlrpc import SiteClock, XmlRpcSource
from wpcpd.wordpress.xmlrpc import SessionTransport, XmlRpcHttpError

# Fields XML-RPC cannot give, by record kind, and why.
FIELDS_XMLRPC_CANNOT_SEE = {
    # Only unprotected post meta is offered, so posts carry meta=None (the archive keeps
    # what it has; a fresh archive has none). Comment meta is not offered at all.
    "post": {"meta"},
    "comment": {"meta"},
    # _wp_attachment_image_alt is protected meta.
    "media": {"alt_text"},
    # The channel differs by definition; the language comes from discovery (the home page's
    # <html lang>), which a source given only the endpoint does not do.
    "site": {"channel", "language"},
    "term": set(),
    "author": set(),
}
# WordPress stores no GMT dates for drafts and pending posts; WXR says none, XML-RPC sends
# ones derived from the local date (as REST does).
FLOATING_STATUSES = {"draft", "pending"}


def xmlrpc_url(site: WordPressSandbox) -> str:
    return site.url + "/xmlrpc.php"


def fast_session() -> Any:
    return make_session(Politeness(backoff=0.01, retries=2))


def export_view(archive: Archive) -> dict[tuple[Any, ...], dict[str, Any]]:
    """`export json` records keyed by what identifies them."""
    view = {}
    for site, record in archive.iter_records():
        item = record_to_dict(site, record)
        kind = item["record"]
        if kind == "site":
            key: tuple[Any, ...] = ("site",)
        elif kind == "author":
            key = ("author", item["login"])
        elif kind == "term":
            key = ("term", item["taxonomy"], item["slug"])
        else:
            key = (kind, item["id"])
        view[key] = item
    return view


@dataclass
class Pulled:
    site: WordPressSandbox
    source: XmlRpcSource
    records: list[Any]
    xmlrpc: dict[tuple[Any, ...], dict[str, Any]]
    wxr: dict[tuple[Any, ...], dict[str, Any]]
    both: dict[tuple[Any, ...], dict[str, Any]]
    """XML-RPC saved over the WXR pull in one archive."""
    seconds: float
    requests: int


@pytest.fixture(scope="module")
def pulled(seeded_wordpress: WordPressSandbox, tmp_path_factory: pytest.TempPathFactory) -> Pulled:
    folder = tmp_path_factory.mktemp("xmlrpc")
    wxr_path = seeded_wordpress.export_wxr(folder / "export.xml")
    session = make_session()
    source = XmlRpcSource(
        session,
        xmlrpc_url(seeded_wordpress),
        seeded_wordpress.admin_user,
        seeded_wordpress.app_password,
    )
    began = time.monotonic()
    records = list(source.records())
    seconds = time.monotonic() - began
    with Archive(folder / "xmlrpc.db") as archive:
        archive.save(iter(records), atomic=False)
        xmlrpc_view = export_view(archive)
    with Archive(folder / "wxr.db") as archive:
        archive.save(read_wxr(wxr_path), atomic=True)
        wxr_view = export_view(archive)
        archive.save(iter(records), atomic=False)
        both_view = export_view(archive)
    return Pulled(
        seeded_wordpress, source, records, xmlrpc_view, wxr_view, both_view, seconds,
        session.request_count,
    )  # fmt: skip


def differing_fields(pulled: Pulled, key: tuple[Any, ...]) -> dict[str, tuple[Any, Any]]:
    wxr, xmlrpc = pulled.wxr[key], pulled.xmlrpc[key]
    allowed = FIELDS_XMLRPC_CANNOT_SEE[wxr["record"]]
    if wxr["record"] == "post" and wxr["status"] in FLOATING_STATUSES:
        allowed = allowed | {"date_gmt", "modified_gmt"}
    return {f: (wxr[f], xmlrpc.get(f)) for f in wxr if f not in allowed and wxr[f] != xmlrpc.get(f)}


def keys_of(view: dict[tuple[Any, ...], dict[str, Any]], kind: str) -> set[tuple[Any, ...]]:
    return {key for key in view if key[0] == kind}


# -- the seeded site, compared with its WXR export -----------------------------------


@pytest.mark.wordpress
def test_pull_yields_site_first_then_authors_terms_posts_comments(pulled: Pulled) -> None:
    kinds = [type(r).__name__ for r in pulled.records]
    order = list(dict.fromkeys(kinds))
    assert order == ["Site", "Author", "Term", "Post", "Media", "Comment"]
    assert kinds.count("Site") == 1
    last_post = max(i for i, kind in enumerate(kinds) if kind == "Post")
    assert last_post < kinds.index("Comment")
    site = pulled.records[0]
    assert site.channel == "xmlrpc"
    assert site.key == urlsplit(pulled.site.url).netloc
    assert pulled.source.warnings == []


@pytest.mark.wordpress
@pytest.mark.parametrize("kind", ["post", "media", "term", "author", "site"])
def test_records_match_the_wxr_export_field_by_field(pulled: Pulled, kind: str) -> None:
    assert keys_of(pulled.xmlrpc, kind) == keys_of(pulled.wxr, kind)
    differences = {
        key: diff for key in keys_of(pulled.wxr, kind) if (diff := differing_fields(pulled, key))
    }
    assert differences == {}


@pytest.mark.wordpress
def test_every_post_type_and_status_arrives(pulled: Pulled) -> None:
    seed = pulled.site.seed
    assert seed is not None
    posts = {key[1]: item for key, item in pulled.xmlrpc.items() if key[0] == "post"}
    statuses = {name: posts[pid]["status"] for name, pid in seed["posts"].items()}
    assert statuses == {
        "thing1": "publish", "thing2": "publish", "thing7": "publish",
        "thing8_cdata": "publish", "draft": "draft", "pending": "pending",
        "private": "private", "future": "future", "password": "publish", "trashed": "trash",
    }  # fmt: skip
    assert {posts[pid]["type"] for pid in seed["pages"].values()} == {"page"}
    assert posts[seed["pages"]["programme"]]["parent"] == seed["pages"]["about"]
    assert posts[seed["pages"]["certificate"]]["menu_order"] == 3
    assert posts[seed["attachment"]]["type"] == "attachment"
    assert posts[seed["posts"]["thing1"]]["featured_media"] == seed["attachment"]
    assert posts[seed["posts"]["thing2"]]["sticky"] is True
    assert posts[seed["posts"]["thing8_cdata"]]["title"] == seed["titles"]["thing8_cdata"]


@pytest.mark.wordpress
def test_post_password_is_kept_but_never_shown(pulled: Pulled) -> None:
    seed = pulled.site.seed
    assert seed is not None
    protected = pulled.xmlrpc[("post", seed["posts"]["password"])]
    assert protected["password_protected"] is True
    assert "cpd23" not in json.dumps(list(pulled.xmlrpc.values()))  # record_to_dict's default
    assert "cpd23" not in repr(pulled.records)
    post = next(r for r in pulled.records if getattr(r, "id", None) == protected["id"]
                and type(r).__name__ == "Post")  # fmt: skip
    assert post.password == "cpd23"


@pytest.mark.wordpress
def test_drafts_get_the_gmt_dates_wordpress_derives(pulled: Pulled) -> None:
    seed = pulled.site.seed
    assert seed is not None
    draft = pulled.xmlrpc[("post", seed["posts"]["draft"])]
    # Seeded as 2023-07-03 09:00 in Europe/London (BST): WXR has no GMT date at all.
    assert pulled.wxr[("post", seed["posts"]["draft"])]["date_gmt"] is None
    assert (draft["date"], draft["date_gmt"]) == ("2023-07-03T09:00:00", "2023-07-03T08:00:00Z")


@pytest.mark.wordpress
def test_comments_match_wxr_and_add_spam(pulled: Pulled) -> None:
    seed = pulled.site.seed
    assert seed is not None
    ids = seed["comments"]
    # WordPress never exports spam; XML-RPC lists it.
    assert keys_of(pulled.xmlrpc, "comment") - keys_of(pulled.wxr, "comment") == {
        ("comment", ids["spam"])
    }
    assert keys_of(pulled.wxr, "comment") <= keys_of(pulled.xmlrpc, "comment")
    differences = {
        key: diff
        for key in keys_of(pulled.wxr, "comment")
        if (diff := differing_fields(pulled, key))
    }
    assert differences == {}
    comments = {key[1]: item for key, item in pulled.xmlrpc.items() if key[0] == "comment"}
    assert {comments[ids[n]]["status"] for n in ("top", "held", "spam", "trash")} == {
        "approved", "hold", "spam", "trash",
    }  # fmt: skip
    assert comments[ids["held"]]["status"] == "hold"
    assert comments[ids["reply_to_reply"]]["parent"] == ids["reply"]
    assert comments[ids["reply"]]["parent"] == ids["top"]
    assert comments[ids["pingback"]]["type"] == "pingback"


@pytest.mark.wordpress
def test_comment_local_dates_follow_daylight_saving(pulled: Pulled) -> None:
    """XML-RPC sends GMT only; the site's zone, inferred from posts, gives local times."""
    seed = pulled.site.seed
    assert seed is not None
    comments = {r.id: r for r in pulled.records if isinstance(r, Comment)}
    winter, summer = comments[seed["comments"]["top"]], comments[seed["comments"]["chinese"]]
    assert (winter.date.isoformat(), winter.date_gmt.isoformat()) == (
        "2023-01-10T08:15:00", "2023-01-10T08:15:00+00:00",
    )  # fmt: skip
    assert (summer.date.isoformat(), summer.date_gmt.isoformat()) == (
        "2023-06-13T08:00:00", "2023-06-13T07:00:00+00:00",
    )  # fmt: skip


@pytest.mark.wordpress
def test_pulling_over_a_wxr_archive_keeps_its_meta(pulled: Pulled) -> None:
    for key, wxr in pulled.wxr.items():
        if wxr["record"] in ("post", "comment"):
            assert pulled.both[key]["meta"] == wxr["meta"], key
    seed = pulled.site.seed
    assert seed is not None
    thing1 = pulled.both[("post", seed["posts"]["thing1"])]
    assert thing1["meta"]["cpd_hours"] == "1.5"
    assert thing1["meta"]["_thumbnail_id"] == str(seed["attachment"])


@pytest.mark.wordpress
def test_pull_is_quick(pulled: Pulled) -> None:
    # 31 on 6.1: setup, lists, 4 post types and 5 comment statuses each paged to an empty page.
    assert pulled.requests < 40
    assert pulled.seconds < 30


# -- errors a person can meet --------------------------------------------------------


@pytest.mark.wordpress
def test_wrong_password_is_a_usage_error_without_the_password(
    seeded_wordpress: WordPressSandbox,
) -> None:
    session = make_session()
    password = "Not-The-Password-41"
    source = XmlRpcSource(session, xmlrpc_url(seeded_wordpress), "admin", password)

    with pytest.raises(UsageError) as caught:
        list(source.records())

    message = str(caught.value)
    assert "did not accept the user name 'admin'" in message
    assert "Incorrect username or password." in message
    assert password not in message and password not in repr(source)
    assert "\n" not in message
    # mt.supportedMethods, then one log-in: nothing more after it failed.
    assert session.request_count == 2


@pytest.mark.wordpress
def test_a_web_page_instead_of_xmlrpc_is_a_clear_source_error(
    seeded_wordpress: WordPressSandbox,
) -> None:
    url = seeded_wordpress.url + "/"
    source = XmlRpcSource(make_session(), url, "admin", "irrelevant")

    with pytest.raises(SourceError) as caught:
        source.check()

    assert str(caught.value) == (
        f"{url}: XML-RPC is disabled on this site (it answers with a web page, not XML-RPC)"
    )


@pytest.mark.wordpress
def test_disabled_xmlrpc_is_one_clear_source_error(
    wordpress_factory: Callable[..., WordPressSandbox],
) -> None:
    site = wordpress_factory()
    mu_plugins = site.site_dir / "wp-content" / "mu-plugins"
    mu_plugins.mkdir(parents=True, exist_ok=True)
    (mu_plugins / "wpcpd-no-xmlrpc.php").write_text(
        "<?php\nadd_filter('xmlrpc_enabled', '__return_false');\n", encoding="utf-8"
    )
    url = xmlrpc_url(site)

    # WordPress itself: fault 405 inside an HTTP 200 answer, at the first log-in.
    with pytest.raises(SourceError) as by_filter:
        list(XmlRpcSource(make_session(), url, site.admin_user, site.app_password).records())
    assert str(by_filter.value) == (
        f"{url}: XML-RPC is disabled on this site "
        "(WordPress answers: XML-RPC services are disabled on this site.)"
    )

    # The web server: the file is blocked or gone.
    (site.site_dir / "xmlrpc.php").unlink()
    with pytest.raises(SourceError) as by_server:
        XmlRpcSource(make_session(), url, site.admin_user, site.app_password).check()
    assert str(by_server.value) == (
        f"{url}: XML-RPC is disabled on this site (the web server answers HTTP 404 for it)"
    )


# -- the transport -------------------------------------------------------------------


@pytest.fixture
def probed(wordpress_factory: Callable[..., WordPressSandbox]) -> Iterator[WordPressSandbox]:
    """A fresh site whose xmlrpc.php requests are logged, and can be made to fail."""
    site = wordpress_factory()
    mu_plugins = site.site_dir / "wp-content" / "mu-plugins"
    mu_plugins.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "xmlrpc_probe.php", mu_plugins / "xmlrpc_probe.php")
    yield site


def probe_log(site: WordPressSandbox) -> list[dict[str, Any]]:
    path = site.site_dir / "wp-content" / "mu-plugins" / "xmlrpc-probe.log"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def fail_next(site: WordPressSandbox, count: int) -> None:
    path = site.site_dir / "wp-content" / "mu-plugins" / "xmlrpc-probe-fail"
    path.write_text(str(count), encoding="utf-8")


@pytest.mark.wordpress
def test_requests_carry_wpcpd_user_agent_and_reads_are_retried(probed: WordPressSandbox) -> None:
    fail_next(probed, 1)
    source = XmlRpcSource(fast_session(), xmlrpc_url(probed), probed.admin_user, "x")
    with pytest.raises(UsageError):
        source.check()  # wrong password, but only after the 503 was retried

    log = probe_log(probed)
    assert [(e["method"], e["status"]) for e in log] == [
        ("mt.supportedMethods", 503),
        ("mt.supportedMethods", 200),
        ("wp.getUsersBlogs", 200),
    ]
    assert {e["user_agent"] for e in log} == {USER_AGENT}
    assert USER_AGENT.startswith("wpcpd/")


@pytest.mark.wordpress
def test_writes_are_not_retried_and_reads_give_up(probed: WordPressSandbox) -> None:
    transport = SessionTransport(fast_session(), "http", retries=2)
    host = urlsplit(probed.url).netloc
    fail_next(probed, 10)

    write = xmlrpc.client.dumps((0, "admin", "x", 1), "wp.deletePost").encode()
    with pytest.raises(XmlRpcHttpError) as refused:
        transport.request(host, "/xmlrpc.php", write)
    read = xmlrpc.client.dumps((0, "admin", "x", 1), "wp.getPost").encode()
    with pytest.raises(XmlRpcHttpError):
        transport.request(host, "/xmlrpc.php", read)

    assert refused.value.status == 503
    assert [e["method"] for e in probe_log(probed)] == ["wp.deletePost"] + ["wp.getPost"] * 3


@pytest.mark.wordpress
def test_php_notices_before_the_answer_are_skipped(probed: WordPressSandbox) -> None:
    noise = probed.site_dir / "wp-content" / "mu-plugins" / "xmlrpc-probe-noise"
    noise.write_text("\nDeprecated: Function create_function() is deprecated\n", "utf-8")
    source = XmlRpcSource(
        make_session(), xmlrpc_url(probed), probed.admin_user, probed.app_password
    )

    records = list(source.records())

    assert any(isinstance(r, Post) and r.slug == "hello-world" for r in records)
    assert source.warnings and "stray output" in source.warnings[0]
    methods = {e["method"] for e in probe_log(probed)}
    assert "wp.getPosts" in methods and "system.multicall" not in methods


# -- the site clock ------------------------------------------------------------------


def gmt(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_site_clock_infers_a_zone_with_daylight_saving() -> None:
    clock = SiteClock()
    clock.observe(datetime(2023, 1, 9, 10), gmt("2023-01-09T10:00:00"))
    clock.observe(datetime(2023, 6, 12, 14, 30), gmt("2023-06-12T13:30:00"))

    assert clock.local(gmt("2022-12-25T12:00:00")) == datetime(2022, 12, 25, 12)
    assert clock.local(gmt("2024-07-01T12:00:00")) == datetime(2024, 7, 1, 13)
    assert clock.local(None) is None


def test_site_clock_uses_a_fixed_offset_or_the_nearest_one() -> None:
    fixed = SiteClock()
    fixed.observe(datetime(2023, 1, 9, 15, 30), gmt("2023-01-09T10:00:00"))
    assert fixed.zone() == timezone(timedelta(hours=5, minutes=30))

    # No real zone was UTC+3 in January 2023 and UTC-7 in June 2023: the site's zone changed.
    changed = SiteClock()
    changed.observe(datetime(2023, 1, 9, 13), gmt("2023-01-09T10:00:00"))
    changed.observe(datetime(2023, 6, 12, 6), gmt("2023-06-12T13:00:00"))
    assert changed.zone() is None
    assert changed.local(gmt("2023-06-20T12:00:00")) == datetime(2023, 6, 20, 5)

    unknown = SiteClock(current_offset=timedelta(hours=-5))
    assert unknown.local(gmt("2023-06-20T12:00:00")) == datetime(2023, 6, 20, 7)


def test_xmlrpc_dates_parse_and_zero_means_none() -> None:
    assert xmlrpc_source._date(xmlrpc.client.DateTime("20230109T10:00:00")) == datetime(
        2023, 1, 9, 10
    )
    assert xmlrpc_source._date(xmlrpc.client.DateTime("00000000T00:00:00Z")) is None
    assert xmlrpc_source._gmt("20230109T10:00:00") == gmt("2023-01-09T10:00:00")


@pytest.mark.wordpress
def test_an_editor_gets_authors_without_list_users(seeded_wordpress: WordPressSandbox) -> None:
    # seed_full.php gives the editor this password; editors may not call wp.getUsers.
    source = XmlRpcSource(
        make_session(), xmlrpc_url(seeded_wordpress), "editor", "editor-sandbox-password"
    )

    records = list(source.records())

    authors = {r.login: r for r in records if type(r).__name__ == "Author"}
    assert set(authors) == {"admin", "editor"}
    assert authors["editor"].display_name == "Siân O'Brien"
    assert authors["editor"].email == ""
    seed = seeded_wordpress.seed
    assert seed is not None
    posts = {r.id: r for r in records if isinstance(r, Post)}
    assert posts[seed["posts"]["thing2"]].author == "editor"
    assert posts[seed["posts"]["thing1"]].author == "admin"
    assert any("wp.getUsers" in warning for warning in source.warnings)


def test_a_refused_connection_is_not_retried_again_on_top_of_urllib3() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nobody listens
    session = make_session(Politeness(backoff=0.01, retries=1))
    source = XmlRpcSource(session, f"http://127.0.0.1:{port}/xmlrpc.php", "admin", "x")

    with pytest.raises(NetworkError, match="cannot connect"):
        source.check()

    # urllib3 already retried the connection itself; a second layer would multiply waits.
    assert session.request_count == 1


def test_no_password_goes_over_plain_http_to_another_host() -> None:
    session = make_session()
    source = XmlRpcSource(session, "http://blog.example.org/xmlrpc.php", "admin", "secret-9")

    with pytest.raises(UsageError, match="refusing to send a password over plain http"):
        source.check()

    assert session.request_count == 0
