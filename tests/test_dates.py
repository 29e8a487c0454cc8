"""The one parser of dates and ages people type: what each accepts, and what it says if not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from wpcpd.dates import parse_age, parse_day, parse_moment, parse_since
from wpcpd.errors import UsageError


def test_a_day_is_an_iso_date_and_nothing_typed_is_none() -> None:
    assert parse_day("2011-08-01") == date(2011, 8, 1)
    assert parse_day(None) is None and parse_day("") is None
    with pytest.raises(UsageError, match=r"^'soon' is not a date \(try 2011-08-01\)$"):
        parse_day("soon")


def test_a_moment_without_a_zone_is_gmt() -> None:
    assert parse_moment(" 2023-06-01 ") == datetime(2023, 6, 1, tzinfo=UTC)
    assert parse_moment("2023-06-01T18:00Z") == datetime(2023, 6, 1, 18, tzinfo=UTC)
    assert parse_moment("2023-06-01T18:00+02:00").utcoffset() == timedelta(hours=2)
    with pytest.raises(UsageError, match=r"^'x' is not a date \(try 2026-11-24\)$"):
        parse_moment("x", example="2026-11-24")


def test_since_names_its_option() -> None:
    assert parse_since(None) is None
    with pytest.raises(UsageError, match=r"^--since 'last week' is not a date \(try 2023-06-01\)$"):
        parse_since("last week")


@pytest.mark.parametrize(
    ("text", "age"),
    [("26h", timedelta(hours=26)), ("2d", timedelta(days=2)), ("90m", timedelta(minutes=90)),
     ("1W", timedelta(weeks=1)), (" 1.5 h ", timedelta(hours=1.5))],
)  # fmt: skip
def test_an_age_is_a_number_and_a_unit(text: str, age: timedelta) -> None:
    assert parse_age(text) == age


def test_an_age_without_a_unit_is_refused() -> None:
    with pytest.raises(UsageError, match=r"^'26' is not an age \(try 26h, 2d, 90m or 1w\)$"):
        parse_age("26")
