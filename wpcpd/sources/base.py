"""The contract every live source keeps, and the registry `wpcpd.pull` dispatches through.

A source is a generator of model records from one channel; it knows nothing of SQLite.
`SOURCES` maps a channel to a factory taking a `Reading` (where to read, what for; in
wpcpd/sources/reading.py with `ReadReport`, so that sources need not import this registry)
and returning a `Source`. Adding a source is one module with such a factory plus one line here.
(Export files are read by `wpcpd.sources.wxr`, which pull calls directly: a file is not a
channel of a live site.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from wpcpd.model import Control, Record
from wpcpd.sources.reading import Reading, ReadReport
from wpcpd.sources.rest_sync import RestReading
from wpcpd.sources.scrape import ScrapeSource
from wpcpd.sources.xmlrpc import XmlRpcReading
from wpcpd.urls import site_url


class Source(Protocol):
    """A generator of one channel's records; `report()` is asked once they are saved."""

    public_only: bool
    """Read as a visitor sees the site: a public read never overwrites a fuller one."""

    def records(self) -> Iterator[Record | Control]: ...

    def report(self) -> ReadReport: ...


class ScrapeReading:
    """The public HTML of a blog; committed as it goes, since the page cache must survive."""

    public_only = True

    def __init__(self, reading: Reading) -> None:
        self.source = ScrapeSource(reading.session, reading.archive, site_url(reading.url),
                                   reading.scrape)  # fmt: skip

    def records(self) -> Iterator[Record | Control]:
        return self.source.records()

    def report(self) -> ReadReport:
        scraped = self.source.report
        return ReadReport(self.source.home, scraped.warnings(), {"scrape": scraped.as_dict()})


SOURCES: dict[str, Callable[[Reading], Source]] = {
    "rest": RestReading,
    "wpcom": RestReading,
    "xmlrpc": XmlRpcReading,
    "scrape": ScrapeReading,
}
