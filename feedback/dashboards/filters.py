"""Dashboard filters read from the query string: the period, the channel, and the agency subtree,
survey and service asked for, with safe defaults.

A period is one of: the last 12 months ("rolling", the default), a calendar month, a quarter, a
year, or a custom range of days. Every choice lives in the URL, so a view can be bookmarked.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo

from flask_babel import lazy_gettext as _l

from feedback.core.dates import MAX_DATE, MIN_DATE, local_days
from feedback.core.filters import FilterArgs

CHANNEL_ALL = "all"
CHANNEL_CODE = "code"
CHANNELS = (CHANNEL_ALL, CHANNEL_CODE)

ROLLING, MONTH, QUARTER, YEAR, CUSTOM = "rolling", "month", "quarter", "year", "custom"
KINDS = (ROLLING, MONTH, QUARTER, YEAR, CUSTOM)

INVALID_FROM = _l("“From” is not a valid date. The last 12 months are shown instead.")
INVALID_TO = _l("“To” is not a valid date. The last 12 months are shown instead.")
REVERSED = _l("“From” is later than “To”. The last 12 months are shown instead.")
INVALID_CHANNEL = _l("Unknown choice of responses. All responses are shown instead.")
INVALID_TREE = _l("Unknown choice of tree. The figures are shown as today's tree instead.")
# "today": history of merged and split agencies counted in today's agencies; "as_it_was": at the
# agency each response was given to (dashboards/lineage.py).
TREE_TODAY, TREE_AS_IT_WAS = "today", "as_it_was"
INVALID_KIND = _l("Unknown kind of period. The last 12 months are shown instead.")
INVALID_MONTH = _l("The month is not valid (use the form 2026-03). The current month is shown instead.")
INVALID_QUARTER = _l("The quarter is not valid (use the form 2026-Q1). The current quarter is shown instead.")
INVALID_YEAR = _l("The year is not valid. The current year is shown instead.")

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{1,2})")
QUARTER_PATTERN = re.compile(r"(\d{4})-?[Qq]([1-4])")
YEAR_PATTERN = re.compile(r"\d{4}")
# A code or key typed into a filter is never longer than the columns that hold them.
MAX_CODE = 64


@dataclass(frozen=True)
class DashboardFilters:
    """A period of whole local days [date_from, date_to], its kind, the channel, and the agency
    (code), survey (key) and service (code) asked for ("" for all); `errors` say what was reset."""

    date_from: date
    date_to: date
    channel: str = CHANNEL_ALL
    errors: tuple = field(default=())
    kind: str = ROLLING
    agency: str = ""
    survey: str = ""
    service: str = ""
    tree: str = TREE_TODAY

    @property
    def code_only(self) -> bool:
        """Whether only responses reached through one-time codes count."""
        return self.channel == CHANNEL_CODE

    @property
    def days(self) -> int:
        """How many local days the period covers."""
        return (self.date_to - self.date_from).days + 1

    def period(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnight of `date_from` to local midnight after `date_to`."""
        return local_days(self.date_from, self.date_to, zone)

    def previous(self) -> "DashboardFilters":
        """The period just before, to compare with: the previous month, quarter, year or 12 months;
        for a custom range, as many days just before."""
        months = {MONTH: 1, QUARTER: 3, YEAR: 12}.get(self.kind)
        if months and self.date_from > add_months(MIN_DATE, months):
            date_from = add_months(self.date_from, -months)
            date_to = add_months(date_from, months) - timedelta(days=1)
        elif self.kind == ROLLING and self.date_from > MIN_DATE:
            date_from, date_to = default_period(self.date_from - timedelta(days=1))
        else:
            date_to = max(self.date_from - timedelta(days=1), MIN_DATE)
            date_from = max(date_to - timedelta(days=self.days - 1), MIN_DATE)
        return replace(self, date_from=date_from, date_to=date_to, errors=(),
                       kind=self.kind if months else CUSTOM)

    def period_args(self) -> dict[str, str]:
        """The period as query parameters, in the form its kind is chosen with."""
        if self.kind == MONTH:
            return {"period": MONTH, "month": f"{self.date_from:%Y-%m}"}
        if self.kind == QUARTER:
            return {"period": QUARTER,
                    "quarter": f"{self.date_from.year}-Q{(self.date_from.month - 1) // 3 + 1}"}
        if self.kind == YEAR:
            return {"period": YEAR, "year": str(self.date_from.year)}
        if self.kind == CUSTOM:
            return {"period": CUSTOM, "from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        return {}

    def query_args(self) -> dict[str, str]:
        """The filters as query parameters, to carry them over to linked pages (defaults left out)."""
        args = self.period_args()
        if self.channel != CHANNEL_ALL:
            args["channel"] = self.channel
        for name in ("agency", "survey", "service"):
            if getattr(self, name):
                args[name] = getattr(self, name)
        if self.tree != TREE_TODAY:
            args["tree"] = self.tree
        return args


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after the month of `day` (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    year = min(max(year, MIN_DATE.year), MAX_DATE.year)
    return date(year, month + 1, 1)


def year_before(day: date) -> date:
    """The same calendar day one year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def default_period(today: date) -> tuple[date, date]:
    """The last 12 months up to and including `today`."""
    return year_before(today) + timedelta(days=1), today


def _month(value: str, today: date) -> tuple[date, date, list]:
    """The month typed as YYYY-MM (default: this month)."""
    match = MONTH_PATTERN.fullmatch(value.strip())
    if match and 1 <= int(match[2]) <= 12 and MIN_DATE.year < int(match[1]) < MAX_DATE.year:
        first = date(int(match[1]), int(match[2]), 1)
        return first, add_months(first, 1) - timedelta(days=1), []
    first = today.replace(day=1)
    return first, add_months(first, 1) - timedelta(days=1), [INVALID_MONTH] if value.strip() else []


def _quarter(value: str, today: date) -> tuple[date, date, list]:
    """The quarter typed as YYYY-Qn (default: this quarter)."""
    match = QUARTER_PATTERN.fullmatch(value.strip())
    errors = []
    if match and MIN_DATE.year < int(match[1]) < MAX_DATE.year:
        first = date(int(match[1]), 3 * int(match[2]) - 2, 1)
    else:
        errors = [INVALID_QUARTER] if value.strip() else []
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return first, add_months(first, 3) - timedelta(days=1), errors


def _year(value: str, today: date) -> tuple[date, date, list]:
    """The calendar year typed as YYYY (default: this year)."""
    value = value.strip()
    if YEAR_PATTERN.fullmatch(value) and MIN_DATE.year < int(value) < MAX_DATE.year:
        year, errors = int(value), []
    else:
        year, errors = today.year, [INVALID_YEAR] if value else []
    return date(year, 1, 1), date(year, 12, 31), errors


def _custom(reader: FilterArgs, today: date) -> tuple[date, date, bool]:
    """The range typed as from/to. A missing end is today and a missing start is 12 months before
    the end, so "to" alone moves the whole window. A bad or reversed date resets the whole period,
    because keeping half of it would show a period nobody asked for. The flag says whether the
    range was usable."""
    date_from, date_to, usable = reader.dates(INVALID_FROM, INVALID_TO)
    if not usable:
        return *default_period(today), False
    date_to = date_to or today
    date_from = date_from or default_period(date_to)[0]
    if date_from > date_to:
        reader.errors.append(REVERSED)
        return *default_period(today), False
    return date_from, date_to, True


def parse_filters(args: Mapping[str, str], today: date) -> DashboardFilters:
    """Filters from `args`; anything unusable falls back to the defaults and says so in `errors`.

    `period` chooses the kind (rolling, month, quarter, year, custom); without it, a "from" or
    "to" means a custom range, as the older links had it, and nothing means the last 12 months.
    """
    reader = FilterArgs(args)
    kind = reader.choice("period", ("", *KINDS), "", INVALID_KIND, fallback=ROLLING)
    if not kind:
        kind = CUSTOM if (args.get("from") or args.get("to")) else ROLLING
    if kind == MONTH:
        date_from, date_to, more = _month(args.get("month") or "", today)
    elif kind == QUARTER:
        date_from, date_to, more = _quarter(args.get("quarter") or "", today)
    elif kind == YEAR:
        date_from, date_to, more = _year(args.get("year") or "", today)
    elif kind == CUSTOM:
        date_from, date_to, usable = _custom(reader, today)
        more = []
        if not usable:
            kind = ROLLING
    else:
        (date_from, date_to), more = default_period(today), []
    reader.errors.extend(more)
    channel = reader.choice("channel", CHANNELS, CHANNEL_ALL, INVALID_CHANNEL)
    # A code or key too long to exist is kept cut, so that the page says it is unknown.
    return DashboardFilters(date_from, date_to, channel, tuple(reader.errors), kind=kind,
                            agency=reader.text("agency", max_length=MAX_CODE),
                            survey=reader.text("survey", max_length=MAX_CODE),
                            service=reader.text("service", max_length=MAX_CODE),
                            tree=reader.choice("tree", (TREE_TODAY, TREE_AS_IT_WAS), TREE_TODAY,
                                               INVALID_TREE))
