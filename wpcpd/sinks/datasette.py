"""Datasette's view of the archive: the metadata file `wpcpd datasette` writes (what each
table and column means, facets, full-text search, canned queries), and the follow-ups of
reflections' actions stored for its canned query.

Secrets stay out of reach: a post's password, and commenters' and authors' e-mail addresses
and IPs (comment meta holds copies of them: Akismet's `akismet_as_submitted`). Datasette
cannot hide a column, so the tables that hold them (`posts`, `comments`, `authors`,
`comment_meta`) are denied (`"allow": false`) and shown through views without those columns
(`posts_browse`, `comments_browse`, `authors_browse`, made by the archive's migration 9);
arbitrary SQL is off (`allow_sql: false`, which also refuses `?_where=`), so only the views,
the other tables and the canned queries below can be read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wpcpd.archive import Archive

DENIED = ("posts", "comments", "authors", "comment_meta")
"""Tables holding secrets, never shown: their `_browse` views are (comment_meta has none)."""

HIDDEN = ("page_cache", "sync_state", "reflection_checks", "posts_fts", "comments_fts")
"""Tables of wpcpd's own bookkeeping, left out of the listing (reachable by address)."""

_POST_COLUMNS = {
    "rowid": "The row's number in `posts`: what `posts_fts` is keyed by.",
    "site_id": "The site (sites.id).",
    "id": "The post's id on its site: what `wpcpd show` takes.",
    "type": "post, page, attachment, nav_menu_item, or a custom type.",
    "status": "publish, draft, pending, private, future, trash...",
    "title": "The title as WordPress stores it (HTML entities and all).",
    "content": "The content as WordPress stores it: HTML, block comments, shortcodes.",
    "date": "Published, in the site's time zone.",
    "date_gmt": "Published, GMT.",
    "password_protected": "1 when the post needs a password to read (the password is not shown).",
    "removed_at": "When a pull found the post gone from the site (it stays in the backup).",
    "public_only": "1 when read as a visitor sees it (scraped, anonymous REST).",
    "channel": "How it was read: wxr, rest, wpcom, xmlrpc, scrape.",
}
_COMMENT_COLUMNS = {
    "rowid": "The row's number in `comments`: what `comments_fts` is keyed by.",
    "id": "The comment's id on its site.",
    "post_id": "The post it is on (posts_browse.id).",
    "parent": "The comment it replies to (0: none).",
    "status": "approved, hold (awaiting moderation), spam, trash.",
    "type": "comment, pingback or trackback.",
    "content": "The comment as WordPress stores it (HTML).",
    "removed_at": "When a pull found the comment gone from the site.",
}

TABLES: dict[str, dict[str, Any]] = {
    "sites": {"description": "Each site the archive holds; `id` is the number `wpcpd stats` "
              "shows and every other table's site_id."},
    "posts_browse": {
        "description": "Every post, page and attachment, drafts and private ones too, "
        "without its password. Search it: full-text over title, content and excerpt.",
        "columns": _POST_COLUMNS,
        "facets": ["type", "status"],
        "fts_table": "posts_fts",
        "fts_pk": "rowid",
        "sort_desc": "date_gmt",
    },
    "comments_browse": {
        "description": "Every comment, held and spam too, without the commenter's e-mail "
        "address and IP. Search it: full-text over author name and text.",
        "columns": _COMMENT_COLUMNS,
        "facets": ["status", "type", "post_id"],
        "fts_table": "comments_fts",
        "fts_pk": "rowid",
        "sort_desc": "date_gmt",
    },
    "authors_browse": {"description": "The sites' authors, without their e-mail addresses."},
    "terms": {"description": "Categories, tags and other taxonomies' terms; `parent` is the "
              "parent term's slug.", "facets": ["taxonomy"]},
    "post_terms": {"description": "Which post has which term.", "facets": ["taxonomy"]},
    "post_meta": {"description": "Custom fields of posts, in their order; `decoded` is the "
                  "PHP-serialized value as JSON.", "facets": ["key"]},
    "term_meta": {"description": "Term meta, as post_meta."},
    "media": {"description": "Attachments: their addresses, files and alt text.",
              "facets": ["mime_type"]},
    "media_files": {"description": "The media files kept beside the archive (ARCHIVE.media/, "
                    "named by sha256) and how each fetch went.", "facets": ["status"]},
    "reflections": {
        "description": "Reflections found in posts (`wpcpd reflections`): programme, Things "
        "(JSON), prompts and answers (sections, JSON), actions (JSON), word count.",
        "facets": ["programme"],
    },
    "action_follow_ups": {
        "description": "Each action of a reflection, and the first later post that followed "
        "it up (links to the reflection or uses most of the action's words), as "
        "`wpcpd datasette` last found; followed_up_in is empty when none did.",
    },
    "pull_runs": {"description": "Every pull attempt and how it ended.",
                  "facets": ["outcome", "source"]},
    "remote_ids": {"description": "What push and publish created on other sites, per item."},
    "post_revisions": {"description": "Earlier versions of posts, kept each time a pull "
                       "replaced a title, content or excerpt (number 1 the oldest; "
                       "replaced_by_run is a pull_runs id).", "facets": ["status", "post_id"]},
    "comment_revisions": {"description": "Earlier texts of comments, kept each time a pull "
                          "replaced one (edits the daily backup noticed).",
                          "facets": ["status", "post_id"]},
}  # fmt: skip

QUERIES: dict[str, dict[str, str]] = {
    "comments_awaiting_moderation": {
        "title": "Comments awaiting moderation",
        "sql": """SELECT s.key AS site, c.post_id, p.title AS post_title, c.id AS comment_id,
    c.author_name, c.date_gmt, c.content
FROM comments c JOIN sites s ON s.id = c.site_id
LEFT JOIN posts p ON p.site_id = c.site_id AND p.id = c.post_id
WHERE c.status = 'hold' AND c.removed_at IS NULL
ORDER BY c.date_gmt DESC""",
    },
    "most_commented_posts": {
        "title": "Most-commented posts (approved comments)",
        "sql": """SELECT s.key AS site, p.id AS post_id, p.title, p.status, p.date,
    count(c.id) AS comments
FROM posts p JOIN sites s ON s.id = p.site_id
JOIN comments c ON c.site_id = p.site_id AND c.post_id = p.id AND c.status = 'approved'
WHERE p.type NOT IN ('attachment', 'nav_menu_item', 'revision')
GROUP BY p.site_id, p.id ORDER BY comments DESC, p.date DESC LIMIT 100""",
    },
    "reflections_by_thing": {
        "title": "Reflections by Thing",
        "sql": """SELECT r.programme, thing.value AS thing, s.key AS site, r.post_id, p.title,
    p.date, p.status, r.topic, json_array_length(r.actions) AS actions, r.word_count
FROM reflections r, json_each(r.things) AS thing
JOIN posts p ON p.site_id = r.site_id AND p.id = r.post_id
JOIN sites s ON s.id = r.site_id
WHERE p.removed_at IS NULL
ORDER BY r.programme, thing.value, p.date""",
    },
    "actions_not_followed_up": {
        "title": "Actions not yet followed up",
        "description": "As `wpcpd datasette` last found (run it again after a pull).",
        "sql": """SELECT s.key AS site, a.post_id, p.title AS reflection, p.date, a.action
FROM action_follow_ups a JOIN sites s ON s.id = a.site_id
JOIN posts p ON p.site_id = a.site_id AND p.id = a.post_id
WHERE a.followed_up_in IS NULL AND p.removed_at IS NULL
ORDER BY p.date, a.post_id, a.position""",
    },
}


def metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata for an archive served under the name `database` (its file's
    name without `.db`)."""
    tables: dict[str, Any] = {name: dict(table) for name, table in TABLES.items()}
    for name in DENIED:
        tables[name] = {"allow": False}
    for name in HIDDEN:
        tables.setdefault(name, {})["hidden"] = True
    return {
        "title": "wpcpd archive",
        "description": "A WordPress backup made by wpcpd: posts, comments, terms, media and "
        "reflections. Passwords, e-mail addresses and IPs are not shown.",
        "databases": {
            database: {
                "allow_sql": False,
                "tables": tables,
                "queries": QUERIES,
            }
        },
    }


def refresh_follow_ups(archive: Archive) -> int:
    """Find again which actions later posts followed up (`review_reflections`, private
    posts included: the archive is one's own), and store them for the canned query."""
    from wpcpd.reflect.templates import review_reflections

    site_ids = {row["key"]: row["id"] for row in archive.sites()}
    rows = []
    for reflection in review_reflections(archive, None, include_private=True):
        for position, follow_up in enumerate(reflection["follow_ups"]):
            mention = follow_up["mentioned_in"]
            rows.append((site_ids[reflection["site"]], reflection["post_id"], position,
                         follow_up["action"], mention["post_id"] if mention else None))  # fmt: skip
    return archive.set_action_follow_ups(rows)
