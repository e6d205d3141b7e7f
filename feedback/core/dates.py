"""Reading dates typed into filters: ISO days within a sane range, never an exception; the
platform's time zone, in which every local day and typed time is meant; and the UTC instants at
which local days begin."""

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from flask import current_app

# Outside these, date arithmetic (a year before, a day after) could overflow.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(9998, 12, 31)


def parse_iso_date(value: str | None) -> tuple[date | None, bool]:
    """(date, ok) from an ISO date; empty means "not given" (None, True), garbage (None, False)."""
    value = (value or "").strip()
    if not value:
        return None, True
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None, False
    return (day, True) if MIN_DATE <= day <= MAX_DATE else (None, False)


def local_zone() -> ZoneInfo:
    """The platform's time zone (BABEL_DEFAULT_TIMEZONE): local days, due dates and typed times."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The UTC instant at which local `day` begins."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def local_days(first: date | None, last: date | None,
               zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC covering the local days `first` to `last`, both included: local midnight
    of `first` to local midnight after `last`. A bound not given stays None (open)."""
    start = local_midnight(first, zone) if first is not None else None
    end = local_midnight(last + timedelta(days=1), zone) if last is not None else None
    return start, end
