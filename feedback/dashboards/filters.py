"""Dashboard filters read from the query string: the period and the channel, with safe defaults."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from flask_babel import lazy_gettext as _l

from feedback.core.dates import parse_iso_date

CHANNEL_ALL = "all"
CHANNEL_CODE = "code"
CHANNELS = (CHANNEL_ALL, CHANNEL_CODE)

INVALID_FROM = _l("“From” is not a valid date. The last 12 months are shown instead.")
INVALID_TO = _l("“To” is not a valid date. The last 12 months are shown instead.")
REVERSED = _l("“From” is later than “To”. The last 12 months are shown instead.")
INVALID_CHANNEL = _l("Unknown choice of responses. All responses are shown instead.")


@dataclass(frozen=True)
class DashboardFilters:
    """A period of whole local days [date_from, date_to] and a channel; `errors` say what was reset."""

    date_from: date
    date_to: date
    channel: str = CHANNEL_ALL
    errors: tuple = field(default=())

    @property
    def code_only(self) -> bool:
        """Whether only responses reached through one-time codes count."""
        return self.channel == CHANNEL_CODE

    def period(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnight of `date_from` to local midnight after `date_to`."""
        start = datetime.combine(self.date_from, time.min, tzinfo=zone)
        end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def query_args(self) -> dict[str, str]:
        """The filters as query parameters, to carry them over to linked pages."""
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
                "channel": self.channel}


def year_before(day: date) -> date:
    """The same calendar day one year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def default_period(today: date) -> tuple[date, date]:
    """The last 12 months up to and including `today`."""
    return year_before(today) + timedelta(days=1), today


def parse_filters(args: Mapping[str, str], today: date) -> DashboardFilters:
    """Filters from `args` (from, to, channel); anything unusable falls back to the defaults.

    A missing end is today and a missing start is 12 months before the end, so "to" alone
    moves the whole window. A bad or reversed date resets the whole period, because keeping
    half of it would show a period nobody asked for.
    """
    errors = []
    date_from, from_ok = parse_iso_date(args.get("from"))
    date_to, to_ok = parse_iso_date(args.get("to"))
    if not from_ok:
        errors.append(INVALID_FROM)
    if not to_ok:
        errors.append(INVALID_TO)
    if errors:
        date_from, date_to = default_period(today)
    else:
        date_to = date_to or today
        date_from = date_from or default_period(date_to)[0]
        if date_from > date_to:
            errors.append(REVERSED)
            date_from, date_to = default_period(today)

    channel = (args.get("channel") or CHANNEL_ALL).strip()
    if channel not in CHANNELS:
        errors.append(INVALID_CHANNEL)
        channel = CHANNEL_ALL
    return DashboardFilters(date_from, date_to, channel, tuple(errors))
