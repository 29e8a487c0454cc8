"""Find how a blog can be read: its REST API root, its XML-RPC endpoint, or WordPress.com."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

import requests

from wpcpd.errors import SourceError
from wpcpd.http import NetworkError, Politeness, PoliteSession, make_session
from wpcpd.urls import site_url

API_REL = "https://api.w.org/"
_LINK_HEADER = re.compile(r'<([^>]+)>\s*;\s*rel="?https://api\.w\.org/"?')
_LINK_ELEMENT = re.compile(
    r"<link[^>]+rel=[\"']https://api\.w\.org/[\"'][^>]*href=[\"']([^\"']+)[\"']", re.I
)
_RSD_ELEMENT = re.compile(r"<link[^>]+rel=[\"']EditURI[\"'][^>]*href=[\"']([^\"']+)[\"']", re.I)

# What WordPress leaves in the pages it serves, whatever the theme: asset paths, its
# generator tag, the REST and RSD links, block and emoji markup, WordPress.com's hosts.
_WORDPRESS_SIGNS = re.compile(
    r"/wp-content/|/wp-includes/|<meta[^>]+generator[^>]+WordPress|api\.w\.org|xmlrpc\.php"
    r"|wp-block-|wp-emoji|\.wordpress\.com|\bhentry\b|/wp-json/",
    re.I,
)
_HTML_LANG = re.compile(r"<html[^>]*\slang=[\"']([A-Za-z0-9-]+)[\"']", re.I)


@dataclass
class SiteApi:
    url: str
    rest_root: str | None = None
    xmlrpc: str | None = None
    wpcom: bool = False
    language: str = ""
    """From the home page's <html lang>: the REST index does not say."""
    looks_like_wordpress: bool = False
    """The home page carries WordPress's marks (worth scraping without being asked)."""


# Addresses people copy from their browser that are not the blog's own: the dashboard,
# the log-in page, the API. The blog is what comes before them.
_NOT_THE_BLOG = re.compile(r"/(?:wp-admin(?:/|$)|wp-login\.php|wp-json(?:/|$)|xmlrpc\.php).*$")


def site_address(url: str) -> str:
    """The blog an address belongs to: `…/wp-admin/edit.php?x` is `…`, without query."""
    parts = urlsplit(url.strip())
    path = _NOT_THE_BLOG.sub("", parts.path)
    if path == parts.path and not (parts.query or parts.fragment):
        return url.strip()
    return f"{parts.scheme}://{parts.netloc}{path}".rstrip("/") if parts.scheme else url


def choose_scheme(url: str, politeness: Politeness) -> str:
    """An address typed without a scheme (`blog.example.org`, `127.0.0.1:8080`): https when
    the host answers on it at all, else http, asked once each, without retries."""
    url = url.strip()
    if "://" in url:
        return url
    if is_wordpress_com(f"https://{url}"):
        return f"https://{url}"  # every WordPress.com blog is served over https
    quick = make_session(replace(politeness, retries=0, timeout=(5.0, 10.0)))
    try:
        quick.head(f"https://{url}", allow_redirects=False)
    except NetworkError:
        return f"http://{url}"
    return f"https://{url}"


WPCOM_API = "https://public-api.wordpress.com"


def wpcom_api_base() -> str:
    """WordPress.com's public API; WPCPD_WPCOM_API points it elsewhere (tests, proxies)."""
    return os.environ.get("WPCPD_WPCOM_API", WPCOM_API)


def wpcom_site(url: str) -> str:
    """The site identifier WordPress.com's API takes: the blog's host name."""
    return urlsplit(site_url(url)).hostname or url


def is_wordpress_com(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host.endswith(".wordpress.com") and host != "public-api.wordpress.com"


def discover(session: PoliteSession, url: str) -> SiteApi:
    """Look at the home page's headers and markup, then the well-known addresses."""
    url = site_url(url)
    api = SiteApi(url=url, wpcom=is_wordpress_com(url))
    try:
        home = session.get(url + "/", allow_redirects=True)
    except requests.TooManyRedirects as exc:
        raise SourceError(f"{url}: redirects in a loop") from exc
    body = home.text if "html" in home.headers.get("Content-Type", "") else ""
    api.rest_root = _rest_from_links(home.headers.get("Link", ""), body)
    api.looks_like_wordpress = bool(
        _WORDPRESS_SIGNS.search(body) or _LINK_HEADER.search(home.headers.get("Link", ""))
    )
    lang = _HTML_LANG.search(body)
    api.language = lang.group(1) if lang else ""
    rsd = _RSD_ELEMENT.search(body)
    if rsd:
        api.xmlrpc = rsd.group(1).replace("?rsd", "")
    if api.rest_root is None:
        api.rest_root = _probe_rest(session, url)
    if api.xmlrpc is None:
        api.xmlrpc = url + "/xmlrpc.php"
    return api


def _rest_from_links(header: str, body: str) -> str | None:
    found = _LINK_HEADER.search(header) or _LINK_ELEMENT.search(body)
    return found.group(1) if found else None


def _probe_rest(session: PoliteSession, url: str) -> str | None:
    """Try /wp-json/, then ?rest_route=/ for sites without pretty permalinks.

    A /wp-json/ that redirects or answers with HTML is the wrong base, not data.
    """
    for candidate in (url + "/wp-json/", url + "/?rest_route=/"):
        response = session.get(candidate, allow_redirects=False)
        if response.status_code == 200 and _is_api_index(response):
            return candidate
    return None


def _is_api_index(response: requests.Response) -> bool:
    if "json" not in response.headers.get("Content-Type", ""):
        return False
    try:
        data = response.json()
    except ValueError:
        return False
    return isinstance(data, dict) and "namespaces" in data


def route_url(root: str, route: str) -> str:
    """The address of a route under a REST root, either /wp-json/ or ?rest_route=/ style."""
    route = route.lstrip("/")
    if "rest_route=" in root:
        return root.rstrip("/") + "/" + route
    return urljoin(root if root.endswith("/") else root + "/", route)
