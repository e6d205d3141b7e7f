"""Reading the dashboard's period and channel from the query string."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from feedback.dashboards.filters import (
    INVALID_CHANNEL,
    INVALID_FROM,
    INVALID_TO,
    REVERSED,
    DashboardFilters,
    default_period,
    parse_filters,
)

TODAY = date(2025, 6, 15)


def test_defaults_are_the_last_twelve_months_and_all_responses():
    filters = parse_filters({}, TODAY)
    assert (filters.date_from, filters.date_to) == (date(2024, 6, 16), TODAY)
    assert (filters.channel, filters.code_only, filters.errors) == ("all", False, ())


def test_default_period_survives_a_leap_day():
    assert default_period(date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))


def test_good_values_are_kept():
    filters = parse_filters({"from": "2025-01-01", "to": "2025-03-31", "channel": "code"}, TODAY)
    assert (filters.date_from, filters.date_to, filters.code_only) == (
        date(2025, 1, 1), date(2025, 3, 31), True)
    assert filters.errors == ()
    assert filters.query_args() == {"from": "2025-01-01", "to": "2025-03-31", "channel": "code"}


def test_a_missing_start_is_twelve_months_before_the_end():
    filters = parse_filters({"to": "2020-12-31", "from": ""}, TODAY)
    assert (filters.date_from, filters.date_to, filters.errors) == (date(2020, 1, 1), date(2020, 12, 31), ())


@pytest.mark.parametrize(("args", "errors"), [
    ({"from": "yesterday"}, (INVALID_FROM,)),
    ({"to": "2025-13-45"}, (INVALID_TO,)),
    ({"from": "x", "to": "y"}, (INVALID_FROM, INVALID_TO)),
    ({"from": "0001-01-01"}, (INVALID_FROM,)),
    ({"to": "9999-12-31"}, (INVALID_TO,)),
    ({"from": "2025-05-01", "to": "2025-04-01"}, (REVERSED,)),
    ({"from": "2" * 5000}, (INVALID_FROM,)),
])
def test_bad_dates_reset_the_whole_period(args, errors):
    filters = parse_filters(args, TODAY)
    assert (filters.date_from, filters.date_to) == default_period(TODAY)
    assert filters.errors == errors


def test_an_unknown_channel_falls_back_to_all():
    filters = parse_filters({"channel": "<script>", "from": "2025-01-01"}, TODAY)
    assert (filters.channel, filters.errors) == ("all", (INVALID_CHANNEL,))
    assert filters.date_from == date(2025, 1, 1)  # the good date is kept


def test_period_is_whole_local_days_in_utc():
    filters = DashboardFilters(date(2025, 1, 1), date(2025, 1, 31))
    start, end = filters.period(ZoneInfo("Asia/Ho_Chi_Minh"))  # UTC+7
    assert start == datetime(2024, 12, 31, 17, 0, tzinfo=UTC)
    assert end == datetime(2025, 1, 31, 17, 0, tzinfo=UTC)
