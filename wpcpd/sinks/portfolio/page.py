"""The portfolio as one HTML document that needs nothing else: its CSS inline, no script, no
font, picture or anything else to fetch (a Content-Security-Policy says so to the browser),
landmarks and headings a screen reader can walk (h1 the programme, h2 each Thing, h3 each
reflection, h4 its prompts), and print CSS: page margins, each Thing on a new page, links
followed by their address, no navigation. The markup is `portfolio.html.j2`, the style
`portfolio.css` (shipped as package data)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jinja2

from wpcpd import __version__
from wpcpd.reflect.things import thing_label
from wpcpd.sinks.portfolio.outline import Portfolio

HERE = Path(__file__).parent
TEMPLATE = HERE / "portfolio.html.j2"
CSS = HERE / "portfolio.css"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def human_date(iso: str) -> str:
    """'2011-06-21' as '21 June 2011'; what is no date stays as it is."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def render_page(portfolio: Portfolio) -> str:
    environment = jinja2.Environment(
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined
    )
    environment.filters["human_date"] = human_date
    environment.filters["number"] = lambda n: f"{n:,}"
    environment.globals["thing_label"] = thing_label
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    css = CSS.read_text(encoding="utf-8")
    return template.render(p=portfolio, css=css, version=__version__)
