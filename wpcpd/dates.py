"""Dates, moments and ages as people type them (--since, --max-age): the one parser of each,
shared by the command line and the library, with the error a person reads when it is wrong."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from wpcpd.errors import UsageError

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _not_a_date(text: str, example: str, option: str) -> UsageError:
    named = f"{option} " if option else ""
    return UsageError(f"{named}{text!r} is not a date (try {example})")


def parse_day(text: str | None, *, example: str = "2011-08-01", option: str = "") -> date | None:
    """A calendar day, 2011-08-01; nothing typed is no day."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _not_a_date(text, example, option) from exc


def parse_moment(text: str, *, example: str = "2023-06-01", option: str = "") -> datetime:
    """A date, or a date and time, as an aware moment: GMT when no zone is given."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise _not_a_date(text, example, option) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_since(text: str | None) -> datetime | None:
    """A push's --since: a date or date and time (GMT when no zone is given), or none."""
    return parse_moment(text, option="--since") if text else None


def parse_age(text: str) -> timedelta:
    """'26h', '2d', '90m', '1w' as a duration."""
    found = _AGE.match(text)
    if not found:
        raise UsageError(f"{text!r} is not an age (try 26h, 2d, 90m or 1w)")
    return timedelta(**{_UNITS[found[2].lower()]: float(found[1])})
