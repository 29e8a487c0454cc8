"""`wpcpd export portfolio`: a programme's reflections as one printable HTML document, the
evidence a chartership or revalidation portfolio asks for, and with `--pdf` the same printed
by headless Chromium.

- `outline.py`: what the portfolio holds (reflections by Thing, follow-ups, totals);
- `page.py`: the self-contained HTML, with its print CSS;
- `pdf.py`: finding and running Chromium.

`render_portfolio()` is the whole page for any other sink to include (the HTML site's
portfolio pages); `programmes_found()` says which programmes an archive has reflections for.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from wpcpd.errors import WpcpdError
from wpcpd.sinks.base import Exported, ExportFlag, ExportFormat, ExportOption
from wpcpd.sinks.portfolio.outline import build_portfolio, programmes_found
from wpcpd.sinks.portfolio.page import render_page
from wpcpd.sinks.portfolio.pdf import print_pdf
from wpcpd.text import plural

if TYPE_CHECKING:
    from wpcpd.archive import Archive

__all__ = ["EXPORT", "programmes_found", "render_portfolio", "write_portfolio"]


def render_portfolio(
    archive: Archive, site: str | None, programme: str, *, include_private: bool
) -> str:
    """One programme's portfolio as a self-contained HTML document (every site's reflections
    when `site` is None). Only reflections every reader can open, unless `include_private`:
    then drafts, private, scheduled and password-protected ones too, marked as such."""
    return render_page(build_portfolio(archive, site, programme, include_private=include_private))


def write_portfolio(
    archive: Archive,
    site: str | None,
    out: TextIO,
    *,
    programme: str | None = None,
    include_private: bool = False,
    pdf: str | None = None,
) -> Exported:
    """Write the portfolio to `out`, and print it to the PDF file `pdf` when asked. A PDF that
    cannot be made leaves the HTML written and is the export's failure."""
    portfolio = build_portfolio(archive, site, programme, include_private=include_private)
    page = render_page(portfolio)
    out.write(page)
    notes = []
    if portfolio.hidden:
        notes.append(
            f"left out {plural(portfolio.hidden, 'reflection')} readers cannot open (draft, "
            "pending, scheduled, private or password-protected); --include-private adds them"
        )
    failure = None
    if pdf is not None:
        try:
            size = print_pdf(page, Path(pdf))
            notes.append(f"wrote {pdf} ({size // 1024 or 1} kB), printed by headless Chromium")
        except WpcpdError as exc:
            failure = WpcpdError(f"no PDF written: {exc}")
    return Exported(len(portfolio.entries), tuple(notes), failure=failure)


EXPORT = ExportFormat(
    name="portfolio",
    summary="A CPD portfolio: one programme's reflections by Thing, to print or save as PDF.",
    example="wpcpd export portfolio --programme cpd23 --out portfolio.html",
    write=write_portfolio,
    flags=(
        ExportFlag(
            "include_private",
            "Also drafts, pending, scheduled, private and password-protected reflections "
            "(marked); left out by default.",
        ),
    ),
    options=(
        ExportOption("programme", "The programme, e.g. cpd23 (required).", metavar="NAME"),
        ExportOption(
            "pdf", "Also print it to this PDF file with headless Chromium.", metavar="FILE"
        ),
    ),
    counts="reflection",
)
