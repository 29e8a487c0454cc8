"""What reading one export found besides its records: its version, what was repaired and
what was kept under ids of wpcpd's own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class WxrReport:
    """What reading one file found besides records: the version and what was repaired."""

    version: str = ""
    repaired: int = 0
    warnings: list[str] | None = None
    posts_without_id: int = 0
    """Items without a usable wp:post_id, kept under assigned ids."""
    posts_repeating_id: int = 0
    """Items whose wp:post_id an earlier item had, kept under assigned ids."""
    comments_reassigned: int = 0
    """Comments whose wp:comment_id was missing or already used, kept under assigned ids."""
    categories_ignored: int = 0
    """<category> elements without a nicename in a WXR 1.1+ file (not terms, as for WordPress)."""
    cdata_repaired: int = 0
    """Raw ']]>' found inside CDATA sections by the tolerant reader (0: it was not needed)."""
    tolerant: bool = False
    """Whether the file was read by the tolerant reader (not well-formed XML)."""

    def warn(self, message: str) -> None:
        self.warnings = [*(self.warnings or []), message]

    def assigned_ids(self) -> dict[str, int]:
        """How many records were given ids of wpcpd's own, by kind."""
        return {"posts": self.posts_without_id + self.posts_repeating_id,
                "comments": self.comments_reassigned}  # fmt: skip

    def _restart(self) -> None:
        """Forget one reading of the file, before reading it again from the start."""
        self.__dict__.update(WxrReport().__dict__)
