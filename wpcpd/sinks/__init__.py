"""Sinks read from the archive and write somewhere else.

`EXPORTS` is the registry behind `wpcpd export NAME`: a new export format is one module that
defines an `ExportFormat` (docs/architecture.md has a worked example) and one entry here.
"""

from wpcpd.sinks import html, jsonl, markdown, portfolio, wxr
from wpcpd.sinks.base import ExportFormat

EXPORTS: dict[str, ExportFormat] = {
    e.name: e for e in (jsonl.EXPORT, markdown.EXPORT, wxr.EXPORT, html.EXPORT, portfolio.EXPORT)
}
