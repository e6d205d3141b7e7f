"""The satisfaction index by month or by quarter, per agency and pooled, from one SQL query.

The query reads the summary rows of the period exactly as every other dashboard metric does
(`summary.window` and `summary.row_parts`: whole months from the month rows, a partly covered month
as its day rows, or as its month row minus the days left out), but groups them by agency and by the
month each row belongs to. So the first and last buckets of a period that does not start or end on
a month boundary (the default "last 12 months") cover only the days inside the period: the trend
adds up to the same numbers as the other pages, and the table says which buckets are partial.
Pieces shorter than a whole local day (never from the dashboard's filters) are read from the
responses. A quarter adds up its three months' sums.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Float, func, select, union_all

from feedback.agencies.models import Agency
from feedback.core.dates import local_midnight
from feedback.core.i18n import BilingualName
from feedback.dashboards import metrics, summary
from feedback.dashboards.lineage import agency_join
from feedback.dashboards.metrics import Estimate, estimate
from feedback.dashboards.models import ResponseSummary
from feedback.extensions import db
from feedback.surveys.models import Response, ResponseScore

MONTH, QUARTER = "month", "quarter"
GRAINS = (MONTH, QUARTER)
# The pooled series of all the agencies in scope is keyed by this (no agency code is empty).
POOLED = ""
# A custom range may span centuries; a trend of more buckets than this shows the latest ones.
MAX_BUCKETS = 120


@dataclass(frozen=True)
class Bucket:
    """One month or quarter of the trend: its first day, and the days of the period it covers."""

    first: date
    date_from: date
    date_to: date
    grain: str

    @property
    def partial(self) -> bool:
        """Whether the period covers only part of the month or quarter."""
        last = _next(self.first, self.grain) - timedelta(days=1)
        return self.date_from != self.first or self.date_to != last


@dataclass(frozen=True)
class TrendPoint:
    """The index of one series in one bucket (mean, low, high None when hidden)."""

    bucket: Bucket
    estimate: Estimate


@dataclass(frozen=True)
class TrendSeries(BilingualName):
    """One line of the trend: an agency's own responses, or every agency in scope pooled."""

    code: str
    name_vi: str
    name_en: str
    points: list[TrendPoint] = field(default_factory=list)

    @property
    def pooled(self) -> bool:
        """Whether this is the line of all the agencies in scope together."""
        return self.code == POOLED


@dataclass(frozen=True)
class Trend:
    """The buckets of the period, the sums per agency and bucket, and each agency's total n."""

    grain: str
    buckets: list[Bucket]
    sums: dict[int, dict[date, list]]
    totals: dict[int, int]
    # Whether the period had more than MAX_BUCKETS buckets, of which only the latest are read.
    trimmed: bool = False

    def series(self, agency_id: int | None, code: str, name_vi: str, name_en: str) -> TrendSeries:
        """The line of one agency (agency_id None: all the agencies pooled)."""
        if agency_id is None:
            pooled: dict[date, list] = defaultdict(lambda: [0, 0.0, 0.0])
            for by_bucket in self.sums.values():
                for first, values in by_bucket.items():
                    pooled[first] = [a + b for a, b in zip(pooled[first], values, strict=True)]
            by_bucket = pooled
        else:
            by_bucket = self.sums.get(agency_id, {})
        points = [TrendPoint(b, estimate(*_as_sums(by_bucket.get(b.first, (0, 0.0, 0.0)))))
                  for b in self.buckets]
        return TrendSeries(code, name_vi, name_en, points)

    def top_agencies(self, limit: int) -> list[int]:
        """The ids of the `limit` agencies with the most responses with an index value."""
        ranked = sorted((n, agency_id) for agency_id, n in self.totals.items() if n > 0)
        return [agency_id for _n, agency_id in sorted(ranked, key=lambda t: (-t[0], t[1]))[:limit]]


def _as_sums(values) -> tuple[int, float, float]:
    """(n, sum, sum of squares) as int and floats."""
    n, total, total_sq = values
    return int(n), float(total), float(total_sq)


def _next(first: date, grain: str) -> date:
    """The first day of the month or quarter after the one starting on `first`."""
    months = 3 if grain == QUARTER else 1
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bucket_start(day: date, grain: str) -> date:
    """The first day of `day`'s month or quarter."""
    if grain == QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def buckets(date_from: date, date_to: date, grain: str) -> list[Bucket]:
    """The months or quarters of the local days [date_from, date_to], each clipped to them."""
    result = []
    first = bucket_start(date_from, grain)
    while first <= date_to:
        after = _next(first, grain)
        result.append(Bucket(first, max(first, date_from), min(after - timedelta(days=1), date_to), grain))
        first = after
    return result


def _local_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The local days [first, last] that [start, end) touches."""
    tz = summary.zone()
    return start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()


def _summary_month_sums(agency_clause, rows: summary.Window, code_only, **only) -> list:
    """[(agency id, month, n, sum, sum of squares)] of the summary rows of `rows`, one SQL query:
    every part (month rows, day ranges added or taken away) tagged with its month, then grouped."""
    table = ResponseSummary.__table__
    parts = []
    for condition, sign in summary.row_parts(ResponseSummary, rows):
        # A month row's day is its month's first day already; a day row's month is computed.
        month = summary.month_of(table.c.day)
        columns = [table.c.index_n, table.c.index_sum, table.c.index_sum_sq]
        parts.append(
            select(Agency.id.label("agency_id"), month.label("month"),
                   *((c if sign > 0 else -c).label(c.name) for c in columns))
            .select_from(table).join(*agency_join(table.c.agency_id))
            .where(agency_clause, condition, *metrics.cell_conditions(table, code_only, **only)))
    if not parts:
        return []
    union = union_all(*parts).subquery()
    return db.session.execute(
        select(union.c.agency_id, union.c.month, func.sum(union.c.index_n), func.sum(union.c.index_sum),
               func.sum(union.c.index_sum_sq))
        .group_by(union.c.agency_id, union.c.month)
    ).all()


def raw_month_sums(agency_clause, start, end, code_only, **only) -> list:
    """[(agency id, month, n, sum, sum of squares)] of response index values in [start, end),
    straight from the responses and their scores."""
    per_response = (
        select(Agency.id.label("agency_id"),
               summary.month_of(summary.local_day(Response.submitted_at)).label("month"),
               (func.sum(ResponseScore.weight * ResponseScore.score)
                / func.nullif(func.sum(ResponseScore.weight), 0.0, type_=Float)).label("value"))
        .select_from(Response).join(ResponseScore, ResponseScore.response_id == Response.id)
        .join(*agency_join(Response.agency_id))
        .where(ResponseScore.valid_answers > 0, agency_clause,
               *metrics._response_conditions(start, end, code_only, **only))
        .group_by(Agency.id, Response.id, Response.submitted_at)
        .subquery()
    )
    value = per_response.c.value
    return db.session.execute(
        select(per_response.c.agency_id, per_response.c.month, func.count(value), func.sum(value),
               func.sum(value * value))
        .group_by(per_response.c.agency_id, per_response.c.month)
    ).all()


def _collect(rows: Iterable, grain: str, into: dict | None = None) -> dict[int, dict[date, list]]:
    """{agency id: {bucket first day: [n, sum, sum of squares]}} from month rows, added into `into`."""
    sums: dict = into if into is not None else defaultdict(lambda: defaultdict(lambda: [0, 0.0, 0.0]))
    for agency_id, month, n, total, total_sq in rows:
        if isinstance(month, str):  # SQLite hands a date computed in SQL back as text
            month = date.fromisoformat(month[:10])
        elif isinstance(month, datetime):
            month = month.date()
        cell = sums[agency_id][bucket_start(month, grain)]
        cell[0] += int(n or 0)
        cell[1] += float(total or 0.0)
        cell[2] += float(total_sq or 0.0)
    return sums


def _trend(month_rows: list, listed: list[Bucket], grain: str, trimmed: bool) -> Trend:
    """A Trend of the buckets `listed` from month rows of the period."""
    sums = _collect(month_rows, grain)
    totals = {agency_id: sum(v[0] for v in by_bucket.values()) for agency_id, by_bucket in sums.items()}
    plain = {agency_id: dict(by_bucket) for agency_id, by_bucket in sums.items()}
    return Trend(grain, listed, plain, totals, trimmed)


def _period(start: datetime, end: datetime, grain: str) -> tuple[datetime, list[Bucket], bool]:
    """The start actually read, the buckets of the period and whether older ones were left out
    (at most MAX_BUCKETS are kept, the latest)."""
    date_from, date_to = _local_days(start, end)
    listed = buckets(max(date_from, bucket_start(date_to, grain) - timedelta(days=31 * 3 * MAX_BUCKETS)),
                     date_to, grain)
    if len(listed) <= MAX_BUCKETS and listed[0].date_from == date_from:
        return start, listed, False
    listed = listed[-MAX_BUCKETS:]
    return max(start, local_midnight(listed[0].first, summary.zone())), listed, True


def index_trend(agency_clause, *, start: datetime, end: datetime, grain: str = MONTH,
                code_only: bool = False, survey_id: int | None = None,
                service: str | None = None) -> Trend:
    """The index sums of every agency of `agency_clause` per month or quarter of [start, end).

    One query over the summary rows (plus, for pieces shorter than a day, one over the responses).
    """
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    only = {"survey_id": survey_id, "service": service}
    start, listed, trimmed = _period(start, end, grain)
    rows = summary.window(start, end)
    month_rows = list(_summary_month_sums(agency_clause, rows, code_only, **only))
    for piece_start, piece_end in rows.raw:
        month_rows += raw_month_sums(agency_clause, piece_start, piece_end, code_only, **only)
    return _trend(month_rows, listed, grain, trimmed)


def raw_index_trend(agency_clause, *, start: datetime, end: datetime, grain: str = MONTH,
                    code_only: bool = False, survey_id: int | None = None,
                    service: str | None = None) -> Trend:
    """index_trend computed from the responses and their scores (for tests and benchmarks)."""
    only = {"survey_id": survey_id, "service": service}
    start, listed, trimmed = _period(start, end, grain)
    return _trend(raw_month_sums(agency_clause, start, end, code_only, **only), listed, grain, trimmed)
