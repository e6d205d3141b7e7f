"""Reading the dashboard's period and channel from the query string."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from feedback.dashboards.filters import (
    INVALID_CHANNEL,
    INVALID_FROM,
    INVALID_KIND,
    INVALID_MONTH,
    INVALID_QUARTER,
    INVALID_TO,
    INVALID_YEAR,
    REVERSED,
    DashboardFilters,
    add_months,
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
    assert filters.query_args() == {"period": "custom", "from": "2025-01-01", "to": "2025-03-31",
                                    "channel": "code"}


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


@pytest.mark.parametrize(("args", "first", "last"), [
    ({"period": "month", "month": "2024-02"}, date(2024, 2, 1), date(2024, 2, 29)),
    ({"period": "month", "month": "2025-12"}, date(2025, 12, 1), date(2025, 12, 31)),
    ({"period": "quarter", "quarter": "2025-Q1"}, date(2025, 1, 1), date(2025, 3, 31)),
    ({"period": "quarter", "quarter": "2024-q4"}, date(2024, 10, 1), date(2024, 12, 31)),
    ({"period": "year", "year": "2023"}, date(2023, 1, 1), date(2023, 12, 31)),
    ({"period": "custom", "from": "2025-01-10", "to": "2025-01-20"}, date(2025, 1, 10), date(2025, 1, 20)),
    ({"period": "rolling", "from": "2020-01-01"}, date(2024, 6, 16), TODAY),
])
def test_each_kind_of_period_covers_its_whole_days(args, first, last):
    filters = parse_filters(args, TODAY)
    assert (filters.kind, filters.date_from, filters.date_to, filters.errors) == (
        args["period"], first, last, ())
    # What the page links to gives the same period back.
    again = parse_filters(filters.query_args(), TODAY)
    assert (again.kind, again.date_from, again.date_to) == (filters.kind, first, last)


@pytest.mark.parametrize(("args", "error", "first", "last"), [
    ({"period": "month", "month": "2025-13"}, INVALID_MONTH, date(2025, 6, 1), date(2025, 6, 30)),
    ({"period": "month", "month": "'; DROP TABLE x"}, INVALID_MONTH, date(2025, 6, 1), date(2025, 6, 30)),
    ({"period": "quarter", "quarter": "2025-Q5"}, INVALID_QUARTER, date(2025, 4, 1), date(2025, 6, 30)),
    ({"period": "year", "year": "20x5"}, INVALID_YEAR, date(2025, 1, 1), date(2025, 12, 31)),
    ({"period": "year", "year": "0001"}, INVALID_YEAR, date(2025, 1, 1), date(2025, 12, 31)),
    ({"period": "decade"}, INVALID_KIND, date(2024, 6, 16), TODAY),
])
def test_a_bad_period_falls_back_to_the_current_one_and_says_so(args, error, first, last):
    filters = parse_filters(args, TODAY)
    assert (filters.date_from, filters.date_to, filters.errors) == (first, last, (error,))


def test_a_period_kind_without_its_value_is_the_current_one():
    assert (parse_filters({"period": "quarter"}, TODAY).date_from,
            parse_filters({"period": "quarter"}, TODAY).errors) == (date(2025, 4, 1), ())


@pytest.mark.parametrize(("args", "first", "last"), [
    ({"period": "month", "month": "2025-03"}, date(2025, 2, 1), date(2025, 2, 28)),
    ({"period": "month", "month": "2025-01"}, date(2024, 12, 1), date(2024, 12, 31)),
    ({"period": "quarter", "quarter": "2025-Q1"}, date(2024, 10, 1), date(2024, 12, 31)),
    ({"period": "year", "year": "2024"}, date(2023, 1, 1), date(2023, 12, 31)),
    ({"period": "custom", "from": "2025-01-11", "to": "2025-01-20"}, date(2025, 1, 1), date(2025, 1, 10)),
    ({}, date(2023, 6, 16), date(2024, 6, 15)),
])
def test_the_previous_period_is_the_one_just_before_of_the_same_length(args, first, last):
    previous = parse_filters(args, TODAY).previous()
    assert (previous.date_from, previous.date_to) == (first, last)


def test_agency_survey_and_service_ride_along_in_links():
    filters = parse_filters({"agency": " SOYTE ", "survey": "hanh-chinh", "service": "x" * 500}, TODAY)
    assert (filters.agency, filters.survey, len(filters.service)) == ("SOYTE", "hanh-chinh", 64)
    assert filters.query_args() == {"agency": "SOYTE", "survey": "hanh-chinh", "service": "x" * 64}


def test_add_months_crosses_years():
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 1)
    assert add_months(date(2025, 1, 31), -1) == date(2024, 12, 1)
