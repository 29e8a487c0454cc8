"""wpcpd: keep a WordPress blog's posts, pages and comments in a local SQLite archive."""

__version__ = "0.1.0"
