"""Where each generator wants a post and what it reads at the top of one: Hugo's page
bundles, Jekyll's `_posts` and `_drafts`, Pelican's `content/` with metadata lines, and
Eleventy's folders with their data files. Everything here is text; nothing is written.

The one rule every layout keeps: a post that is not public on WordPress (a draft, pending,
private, scheduled or password-protected post) is marked so that the generator never
publishes it — Hugo's `draft`, Jekyll's `_drafts` and `published: false`, Pelican's
`Status: draft` (and the starter configuration writes no drafts), Eleventy's
`permalink: false` — while its file keeps everything the archive had.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from wpcpd.model import Post


@dataclass
class Entry:
    """One post as every layout needs it: its names, its dates with their offset, its
    terms by display name, and the old address people and feed readers know it by."""

    post: Post
    name: str
    ancestors: list[str]
    author: str
    date: datetime | None
    modified: datetime | None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    taxonomies: dict[str, list[str]] = field(default_factory=dict)
    image: str = ""
    summary: str = ""
    parent_of_pages: bool = False
    """A page other exported pages have as their parent."""
    shared_address: bool = False
    """Another public post had this post's address first: it keeps the generator's own."""

    @property
    def public(self) -> bool:
        return self.post.status == "publish" and not self.post.password_protected

    @property
    def old_address(self) -> str:
        """The old address's path, `/2013/01/15/thing-1/`, when a built page can have it:
        not a `?p=N` link, not one an earlier post has, nothing a path cannot hold."""
        if not self.post.link or self.shared_address:
            return ""
        parts = urlsplit(self.post.link)
        path = unquote(parts.path) or "/"
        if parts.query or "\\" in path or {".", ".."} & set(path.split("/")):
            return ""
        return path

    @property
    def permalink(self) -> str:
        """Where the built page of a public post lives: its old address, or else a path of
        its own (`/posts/NAME/`, a page's `/PARENT/NAME/`); "" for the others."""
        if not self.public:
            return ""
        if self.old_address:
            return self.old_address
        if self.post.type == "page":
            return "/" + "/".join([*self.ancestors, self.name]) + "/"
        return f"/posts/{self.name}/"

    def wordpress(self) -> dict[str, Any]:
        post = self.post
        found: dict[str, Any] = {"id": post.id, "type": post.type, "status": post.status,
                                 "guid": post.guid, "permalink": post.link,
                                 "login": post.author}  # fmt: skip
        if post.password_protected:
            found["password_protected"] = True
        if post.sticky:
            found["sticky"] = True
        if post.type == "page" and post.menu_order:
            found["menu_order"] = post.menu_order
        if self.taxonomies:
            found["terms"] = self.taxonomies
        return found


def with_offset(local: datetime | None, utc: datetime | None, usual: timedelta) -> datetime | None:
    """A WordPress date with its UTC offset: the local time, the offset from its GMT twin
    (or the site's usual offset when WordPress left that out, as it does for drafts)."""
    if local is None:
        return utc
    if utc is not None:
        naive_utc = utc.astimezone(UTC).replace(tzinfo=None) if utc.tzinfo else utc
        seconds = round((local.replace(tzinfo=None) - naive_utc).total_seconds() / 900) * 900
        if abs(seconds) <= 14 * 3600:
            usual = timedelta(seconds=seconds)
    return local.replace(tzinfo=timezone(usual))


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


# libyaml's emitter when PyYAML has it: a fifth of a large export's time otherwise.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1000)  # fmt: skip


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Without empty values: front matter says what there is."""
    return {k: v for k, v in data.items() if v not in ("", None, [], {})}


class Layout:
    """One generator's conventions. `flavour` names the Markdown it reads (for convert)."""

    name = ""
    data_dir = ""
    uploads = "wp-content/uploads"
    configs: tuple[str, ...] = ()
    """The files that make a folder a site of this generator (its configuration)."""

    def markdown_path(self, entry: Entry) -> str:
        raise NotImplementedError

    def media_path(self, entry: Entry, upload: str) -> tuple[str, str]:
        """Where a media file goes (`upload` is its path inside wp-content/uploads) and the
        address the content gives it."""
        path = f"{self.uploads}/{upload}"
        return path, "/" + path

    def site_media_path(self, upload: str) -> str:
        """Where a file no post references goes (it is still kept)."""
        return f"{self.uploads}/{upload}"

    def document(self, entry: Entry, body: str) -> str:
        return f"---\n{_yaml(self.front_matter(entry))}---\n\n{body}"

    def front_matter(self, entry: Entry) -> dict[str, Any]:
        raise NotImplementedError

    def comments_path(self, post_id: int) -> str:
        return f"{self.data_dir}/wpcpd_comments/{post_id}.json"


class Hugo(Layout):
    name = "hugo"
    data_dir = "data"
    configs = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml",
               "config.yml", "config.json", "config")  # fmt: skip

    def markdown_path(self, entry: Entry) -> str:
        if entry.post.type == "page":
            # A page with pages below it is a branch bundle: below a leaf bundle
            # (index.md), Hugo silently drops every page.
            name = "_index.md" if entry.parent_of_pages else "index.md"
            # A top-level page named "posts" would be the posts' section and hide them all.
            folders = [*entry.ancestors, entry.name]
            if folders[0] == "posts":
                folders[0] = "posts-page"
            return posixpath.join("content", *folders, name)
        return posixpath.join("content", "posts", entry.name, "index.md")

    def media_path(self, entry: Entry, upload: str) -> tuple[str, str]:
        """Beside the post in its bundle, named as uploaded (the folder it was uploaded in
        joins the name when two of the post's files share one)."""
        folder = posixpath.dirname(self.markdown_path(entry))
        name = posixpath.basename(upload)
        return posixpath.join(folder, name), name

    def site_media_path(self, upload: str) -> str:
        return f"static/{self.uploads}/{upload}"

    def front_matter(self, entry: Entry) -> dict[str, Any]:
        return _compact({
            "title": entry.post.title, "date": _iso(entry.date), "lastmod": _iso(entry.modified),
            "slug": entry.name, "url": entry.permalink, "draft": not entry.public,
            "author": entry.author, "categories": entry.categories, "tags": entry.tags,
            "summary": entry.summary, "images": [entry.image] if entry.image else [],
            "wordpress": entry.wordpress(),
        })  # fmt: skip


class Jekyll(Layout):
    name = "jekyll"
    data_dir = "_data"
    configs = ("_config.yml", "_config.yaml", "_config.toml")

    def markdown_path(self, entry: Entry) -> str:
        if entry.post.type == "page":
            return posixpath.join(*entry.ancestors, f"{entry.name}.md")
        if not entry.public:
            return posixpath.join("_drafts", f"{entry.name}.md")
        day = entry.date.strftime("%Y-%m-%d") if entry.date else "1970-01-01"
        return posixpath.join("_posts", f"{day}-{entry.name}.md")

    def front_matter(self, entry: Entry) -> dict[str, Any]:
        kind = "page" if entry.post.type == "page" else "post"
        date = entry.date.strftime("%Y-%m-%d %H:%M:%S %z") if entry.date else ""
        modified = entry.modified.strftime("%Y-%m-%d %H:%M:%S %z") if entry.modified else ""
        found = _compact({
            "layout": kind, "title": entry.post.title, "date": date,
            "last_modified_at": modified, "slug": entry.name, "permalink": entry.permalink,
            "author": entry.author, "categories": entry.categories, "tags": entry.tags,
            "excerpt": entry.summary, "image": entry.image, "wordpress": entry.wordpress(),
        })  # fmt: skip
        if not entry.public:
            found["published"] = False
        if not entry.summary:
            # Jekyll would cut an excerpt from the first paragraph and read it as Liquid.
            found["excerpt_separator"] = ""
        # WordPress text may hold "{{" or "{%": Jekyll must not read it as Liquid.
        found["render_with_liquid"] = False
        return found


class Eleventy(Layout):
    name = "eleventy"
    data_dir = "_data"
    configs = (".eleventy.js", ".eleventy.cjs", "eleventy.config.js", "eleventy.config.cjs",
               "eleventy.config.mjs")  # fmt: skip

    def markdown_path(self, entry: Entry) -> str:
        if entry.post.type == "page":
            return posixpath.join("pages", *entry.ancestors, f"{entry.name}.md")
        return posixpath.join("posts", f"{entry.name}.md")

    def front_matter(self, entry: Entry) -> dict[str, Any]:
        found = _compact({
            "title": entry.post.title, "date": _iso(entry.date), "updated": _iso(entry.modified),
            "slug": entry.name, "permalink": entry.permalink or None,
            "author": entry.author, "categories": entry.categories, "tags": entry.tags,
            "excerpt": entry.summary, "image": entry.image, "wordpress": entry.wordpress(),
        })  # fmt: skip
        if not entry.public:
            found["permalink"] = False
            found["eleventyExcludeFromCollections"] = True
        return found

    def folder_data(self) -> dict[str, bytes]:
        """The data cascade's directory files: layout, collection, and no template
        language run over WordPress text (it may hold "{{")."""
        files = {}
        for folder, layout, tags in (("posts", "post", ["posts"]), ("pages", "page", [])):
            data = {"layout": f"layouts/{layout}.njk", "templateEngineOverride": "md"}
            if tags:
                data["tags"] = tags
            files[f"{folder}/{folder}.11tydata.json"] = (json.dumps(data, indent=2) + "\n").encode()
        return files


class Pelican(Layout):
    name = "pelican"
    configs = ("pelicanconf.py",)
    uploads = "content/wp-content/uploads"

    def comments_path(self, post_id: int) -> str:
        return f"wpcpd_comments/{post_id}.json"

    def markdown_path(self, entry: Entry) -> str:
        if entry.post.type == "page":
            return posixpath.join("content", "pages", *entry.ancestors, f"{entry.name}.md")
        return posixpath.join("content", "posts", f"{entry.name}.md")

    def media_path(self, entry: Entry, upload: str) -> tuple[str, str]:
        path = f"{self.uploads}/{upload}"
        return path, "{static}/" + path.removeprefix("content/")

    def document(self, entry: Entry, body: str) -> str:
        lines = [f"{key}: {_one_line(value)}" for key, value in self.front_matter(entry).items()]
        return "\n".join(lines) + "\n\n" + body

    def front_matter(self, entry: Entry) -> dict[str, Any]:
        post, wp = entry.post, entry.wordpress()
        found = _compact({
            "Title": post.title or entry.name, "Date": _iso(entry.date),
            "Modified": _iso(entry.modified), "Slug": entry.name,
            "Category": entry.categories[0] if entry.categories else "",
            "Tags": ", ".join(t.replace(",", " ") for t in entry.tags),
            "Authors": entry.author, "Summary": entry.summary,
            # Pelican expands {static} in content only: the image's path is written plain.
            "Image": entry.image.replace("{static}", "", 1),
            "Status": "published" if entry.public else "draft",
            "Url": entry.permalink.lstrip("/"),
            "Save_as": _save_as(entry.permalink), "Wp_id": post.id, "Wp_type": post.type,
            "Wp_status": post.status, "Wp_guid": post.guid, "Wp_permalink": post.link,
            "Wp_login": post.author,
            "Wp_categories": ", ".join(c.replace(",", " ") for c in entry.categories),
            "Wp_terms": json.dumps(wp["terms"], ensure_ascii=False) if "terms" in wp else "",
            "Wp_password_protected": "yes" if post.password_protected else "",
        })  # fmt: skip
        return found


def _save_as(permalink: str) -> str:
    path = permalink.strip("/")
    if not path:
        return ""
    return path if re.search(r"\.[a-z0-9]+$", path) else f"{path}/index.html"


def _one_line(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


LAYOUTS: dict[str, Layout] = {cls.name: cls() for cls in (Hugo, Jekyll, Pelican, Eleventy)}
