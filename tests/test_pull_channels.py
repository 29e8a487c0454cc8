"""Choosing the channel: XML-RPC when asked, or when the REST API is closed to everyone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wpcpd.archive import Archive
from wpcpd.errors import SourceError, UsageError
from wpcpd.http import Politeness
from wpcpd.pull import LiveOptions, pull
from wpcpd.sources.scrape import ScrapeOptions

QUICK = Politeness(retries=2, backoff=0.05, timeout=(5, 5))


def live_pull(archive: Path, site: Any, via: str = "auto", auth: bool = True) -> Any:
    options = LiveOptions(
        user=site.admin_user if auth else None,
        password=site.app_password if auth else None,
        politeness=QUICK,
        scrape=ScrapeOptions(delay=0),
    )
    with Archive(archive) as opened:
        return pull(opened, site.url, via=via, live=options)


def test_via_xmlrpc_reads_the_same_posts_as_rest(seeded_wordpress: Any, tmp_path: Path) -> None:
    by_xmlrpc = live_pull(tmp_path / "x.db", seeded_wordpress, via="xmlrpc")
    by_rest = live_pull(tmp_path / "r.db", seeded_wordpress, via="rest")
    assert by_xmlrpc.channel == "xmlrpc" and by_rest.channel == "rest"
    with Archive(tmp_path / "x.db") as x, Archive(tmp_path / "r.db") as r:
        assert {p["id"]: p["title"] for p in x.list_posts()} == {
            p["id"]: p["title"] for p in r.list_posts()
        }


def test_rest_closed_to_everyone_falls_back_to_xmlrpc(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    site.seed_full()
    site.close_rest()
    result = live_pull(tmp_path / "fallback.db", site)
    assert result.channel == "xmlrpc"
    assert "read through XML-RPC instead" in result.warnings[0]
    assert result.summary.counts["comment"]["new"] == len(site.dump_db()["comments"])


def test_rest_closed_and_no_login_scrapes_or_says_why(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()
    site.seed_full()
    site.close_rest()
    with pytest.raises(SourceError, match="closed to visitors"):
        live_pull(tmp_path / "none.db", site, via="rest", auth=False)
    result = live_pull(tmp_path / "none.db", site, auth=False)
    assert result.channel == "scrape"
    assert "scraped the public pages instead" in result.warnings[0]
    assert result.summary.counts["post"]["new"] >= 5


def test_xmlrpc_without_a_login_says_it_needs_one(seeded_wordpress: Any, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="XML-RPC needs --user"):
        live_pull(tmp_path / "anon.db", seeded_wordpress, via="xmlrpc", auth=False)
