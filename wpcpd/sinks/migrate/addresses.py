"""Where the pushed items are now, read from the id map: the old -> new address map that
rewrites links in content, the redirects for the old addresses, and slug collisions."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from wpcpd.sinks.migrate.archived import Source
from wpcpd.sinks.migrate.idmap import Mappings
from wpcpd.sinks.migrate.report import Collision
from wpcpd.sinks.redirects import MediaFile, RedirectPair, UrlMap


def url_map(source: Source, maps: Mappings) -> UrlMap:
    """Where the source's pushed posts, pages and files are now."""
    pages: dict[str, str] = {}
    for kind in ("post", "page", "media"):
        for source_id, remote in maps.all(kind).items():
            post = source.posts.get(int(source_id))
            if post is None or not remote.target_url:
                continue
            # Shortlinks (?p=, ?page_id=) and old GUIDs point at the same item.
            query = {"page": "page_id", "media": "attachment_id"}.get(kind, "p")
            guid = post.guid if "?" in post.guid else ""
            for old in (f"{source.url}/?{query}={post.id}", guid, post.link):
                if old:
                    pages[old] = remote.target_url
    return UrlMap(pages, _media_files(source, maps),
                  {int(k): r.target_id for k, r in maps.all("media").items()})  # fmt: skip


def _media_files(source: Source, maps: Mappings) -> list[MediaFile]:
    """Old file addresses (and their resized copies) -> new ones."""
    files: dict[str, str] = {}
    sizes: dict[str, dict[str, str]] = {}
    for key, remote in maps.all("media_file").items():
        media_id, _, dims = key.partition(":")
        if dims:
            sizes.setdefault(media_id, {})[dims] = remote.target_url
        else:
            files[media_id] = remote.target_url
    media = []
    for source_id in maps.all("media"):
        item = source.media.get(int(source_id))
        if item is not None and item.url and source_id in files:
            media.append(MediaFile(item.id, item.url, files[source_id], sizes.get(source_id, {})))
    extra_sizes: dict[str, dict[str, str]] = {}
    for key, remote in maps.all("media_extra_size").items():
        old, _, dims = key.rpartition(" ")
        extra_sizes.setdefault(old, {})[dims] = remote.target_url
    for old, remote in maps.all("media_extra").items():  # files kept that are no attachment
        if remote.target_url:
            media.append(MediaFile(0, old, remote.target_url, extra_sizes.get(old, {})))
    return media


def redirect_pairs(source: Source, maps: Mappings) -> list[RedirectPair]:
    """Old public address -> new one, for every published post, page and media file."""
    pairs = []
    for kind in ("post", "page", "media"):
        for source_id, remote in maps.all(kind).items():
            post = source.posts.get(int(source_id))
            public = post is not None and (post.status == "publish" or kind == "media")
            if public and post.link and remote.target_url:
                pairs.append(RedirectPair(post.link, remote.target_url, kind, source_id,
                                          remote.target_id))  # fmt: skip
    files = maps.all("media_file")
    for source_id, item in source.media.items():
        new_file = files.get(str(source_id))
        if new_file and item.url:
            pairs.append(RedirectPair(item.url, new_file.target_url, "media_file",
                                      str(source_id), new_file.target_id))  # fmt: skip
    return pairs


def collisions(source: Source, maps: Mappings) -> list[Collision]:
    """Published items whose slug the target had already given away ("-2")."""
    found = []
    for kind in ("post", "page"):
        for source_id, remote in maps.all(kind).items():
            post = source.posts.get(int(source_id))
            if post is None or not post.slug or post.status != "publish":
                continue
            got = unquote(urlsplit(remote.target_url).path.rstrip("/").rsplit("/", 1)[-1])
            if got and "?" not in remote.target_url and got != unquote(post.slug):
                found.append(Collision(kind, source_id, unquote(post.slug), got,
                                       remote.target_url))  # fmt: skip
    return found
