"""Attach each post's comment thread, written by wpcpd, to the Pelican article or page.

`wpcpd export markdown --layout pelican` writes `wpcpd_comments/<post id>.json` beside
`content/` and rewrites this file on every export. Each article and page whose `Wp_id`
has a file gets `wpcpd_comments`: that list, each comment with an `html` key (its Markdown
rendered with the site's own Markdown settings). theme-overrides/wpcpd-comments.html shows
the approved ones, nested.
"""

from __future__ import annotations

import json
from pathlib import Path

from markdown import Markdown
from pelican import signals

META = ("markdown.extensions.meta", "meta")


def _folder(settings: dict) -> Path:
    default = Path(settings["PATH"]).parent / "wpcpd_comments"
    return Path(settings.get("WPCPD_COMMENTS_PATH") or default)


def _attach(generator) -> None:
    folder = _folder(generator.settings)
    markdown = _markdown(generator.settings)
    for item in _items(generator):
        post_id = str(getattr(item, "wp_id", "")).strip()
        file = folder / f"{post_id}.json"
        if not post_id or not file.is_file():
            continue
        comments = json.loads(file.read_text(encoding="utf-8"))
        for comment in comments:
            comment["html"] = markdown.reset().convert(comment.get("content") or "")
        item.wpcpd_comments = comments


def _markdown(settings: dict) -> Markdown:
    """The site's Markdown, less `meta`: a comment's first "Word: ..." line is not metadata."""
    config = settings.get("MARKDOWN", {})
    configs = config.get("extension_configs", {})
    names = [*config.get("extensions", []), *configs]
    extensions = [
        name for index, name in enumerate(names) if name not in META and name not in names[:index]
    ]
    return Markdown(
        extensions=extensions,
        extension_configs={name: options for name, options in configs.items() if name not in META},
        output_format=config.get("output_format", "html5"),
    )


def _items(generator) -> list:
    names = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
             "pages", "hidden_pages", "draft_pages")  # fmt: skip
    return [item for name in names for item in getattr(generator, name, [])]


def register() -> None:
    signals.article_generator_finalized.connect(_attach)
    signals.page_generator_finalized.connect(_attach)
