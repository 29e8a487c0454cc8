"""Read a WordPress eXtended RSS (WXR) export as a stream of model records.

The file is parsed with lxml's iterparse and every item is cleared once read, so memory
stays flat however large the export is. The bytes pass through `CleanReader` first, which
refuses DTDs (no entity expansion, no external entities) and repairs what WordPress exports
are known to contain: control characters and stray non-UTF-8 bytes.

What the reader accepts follows the WordPress Importer plugin's parsers (`WXR_Parser_*`):
http and https namespaces, a blog address from wherever the file gives one, a required
`wp:wxr_version`, logins as `sanitize_user` leaves them, category slugs as `sanitize_title`
makes them, and the files old WordPress wrote with a raw `]]>` inside CDATA, which are not
well-formed XML: those are read again by the same parser over bytes `CdataRepair` mends.
Items whose `wp:post_id` is missing or repeats an earlier one keep their own records under
ids assigned from `ASSIGNED_ID_BASE` upwards, in file order, so a re-pull gives the same ids.

The package, by job: `reader` (the stream), `items` (elements to records), `cleaning` (the
bytes lxml sees), `repair` (the tolerant second pass), `sanitize` (WordPress's text rules),
`report` (what a reading found).
"""

from wpcpd.sources.wxr.cleaning import CleanReader, open_export
from wpcpd.sources.wxr.items import (
    ASSIGNED_ID_BASE,
    ORIGINAL_COMMENT_ID_META,
    ORIGINAL_POST_ID_META,
)
from wpcpd.sources.wxr.reader import KNOWN_VERSIONS, read_wxr
from wpcpd.sources.wxr.repair import CdataRepair
from wpcpd.sources.wxr.report import WxrReport
from wpcpd.sources.wxr.sanitize import remove_accents, sanitize_title, sanitize_user, strip_tags

__all__ = [
    "ASSIGNED_ID_BASE",
    "KNOWN_VERSIONS",
    "ORIGINAL_COMMENT_ID_META",
    "ORIGINAL_POST_ID_META",
    "CdataRepair",
    "CleanReader",
    "WxrReport",
    "open_export",
    "read_wxr",
    "remove_accents",
    "sanitize_title",
    "sanitize_user",
    "strip_tags",
]
