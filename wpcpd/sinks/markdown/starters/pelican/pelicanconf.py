"""Pelican settings, written by `wpcpd export markdown --layout pelican` (only when absent).

Yours to change: wpcpd never overwrites this file. Build with `pelican -s pelicanconf.py`
(from any folder: the paths below are this file's folder's).
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent

AUTHOR = "admin"
SITENAME = "My blog"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

PATH = str(HERE / "content")
OUTPUT_PATH = str(HERE / "output")
# Each build starts from an empty output folder: a post made private since the last build
# must not stay online as a stale page.
DELETE_OUTPUT_DIRECTORY = True
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
# The media wpcpd copied, kept at their WordPress paths (/wp-content/uploads/...).
STATIC_PATHS = ["wp-content"]

# WordPress drafts, pending, scheduled and private posts arrive as `Status: draft`: Pelican
# would publish drafts under drafts/, so they are not written at all.
DRAFT_URL = DRAFT_SAVE_AS = DRAFT_LANG_URL = DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_URL = DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_URL = DRAFT_PAGE_LANG_SAVE_AS = ""

# The thread of each post from wpcpd_comments/<post id>.json, shown by the templates in
# theme-overrides/ on top of the theme's own.
PLUGIN_PATHS = [str(HERE / "plugins")]
PLUGINS = ["wpcpd_comments"]
THEME_TEMPLATES_OVERRIDES = [str(HERE / "theme-overrides")]

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.footnotes": {},
        "markdown.extensions.tables": {},
        "markdown.extensions.fenced_code": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}

# Feeds want a real SITEURL; set it (and these) when you publish.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

DEFAULT_PAGINATION = 10
RELATIVE_URLS = True
