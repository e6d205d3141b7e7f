"""The counter-rating index: share of "satisfied" levels with a Wilson interval and n, per agency
and per officer, from the counter summary (whole months from month rows, the ragged ends from day
rows); officers' trends by week or month, and the reasons ticked. Reads only."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from feedback.agencies.models import Agency
from feedback.core.i18n import BilingualName
from feedback.counters.models import Officer
from feedback.dashboards.counter_summary import AGENCY_TOTAL, CounterReasonSummary, CounterSummary
from feedback.dashboards.models import Period
from feedback.dashboards.stats import HIDDEN, OK, sample_status, wilson_interval
from feedback.extensions import db


@dataclass
class CounterIndex(BilingualName):
    """One agency's or officer's share of satisfied ratings (0–100), 95% Wilson interval and n;
    rate/low/high are None when hidden."""

    key: int
    code: str
    name_vi: str
    name_en: str
    n: int
    satisfied: int
    rate: float | None
    low: float | None
    high: float | None
    status: str
    title: str = ""
    agency_code: str = ""
    rank: int | None = None


def estimate(satisfied: int, n: int) -> tuple[float | None, float | None, float | None, str]:
    """(rate, low, high, status) on the 0–100 scale under the small-sample rules."""
    config = current_app.config
    status = sample_status(n, config["MIN_RESPONSES_SHOWN"], config["MIN_RESPONSES_RANKED"])
    if status == HIDDEN:
        return None, None, None, status
    low, high = wilson_interval(satisfied, n)
    return 100 * satisfied / n, 100 * low, 100 * high, status


def _next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_rows(model, first: date, last: date):
    """SQL condition: the summary rows that together cover the local days [first, last] once:
    month rows for the whole months inside, day rows for the days before and after them."""
    month_from = first if first.day == 1 else _next_month(first)
    month_after = (
        _next_month(last).replace(day=1)
        if _next_month(last) - timedelta(days=1) == last
        else last.replace(day=1)
    )
    if month_from >= month_after:
        return and_(model.period == Period.DAY, model.day >= first, model.day <= last)
    return or_(
        and_(model.period == Period.MONTH, model.day >= month_from, model.day < month_after),
        and_(model.period == Period.DAY, model.day >= first, model.day < month_from),
        and_(model.period == Period.DAY, model.day >= month_after, model.day <= last),
    )


def agency_counter_indices(agency_clause, first: date, last: date) -> list[CounterIndex]:
    """The counter index of every agency matching `agency_clause` that had ratings, in tree order."""
    n, satisfied = func.sum(CounterSummary.n), func.sum(CounterSummary.satisfied)
    rows = db.session.execute(
        select(Agency.id, Agency.code, Agency.name_vi, Agency.name_en, n, satisfied)
        .join(CounterSummary, CounterSummary.agency_id == Agency.id)
        .where(
            agency_clause, CounterSummary.officer_id == AGENCY_TOTAL, period_rows(CounterSummary, first, last)
        )
        .group_by(Agency.id, Agency.code, Agency.name_vi, Agency.name_en, Agency.path)
        .order_by(Agency.path)
    )
    return [
        CounterIndex(
            row[0], row[1], row[2], row[3], int(row[4]), int(row[5]), *estimate(int(row[5]), int(row[4]))
        )
        for row in rows
    ]


def officer_indices(agency_clause, first: date, last: date) -> list[CounterIndex]:
    """The counter index of every officer of the agencies matching `agency_clause` (those without
    ratings too, n = 0), ranked: the ones with enough ratings by rate, then the rest."""
    n = func.coalesce(func.sum(CounterSummary.n), 0)
    satisfied = func.coalesce(func.sum(CounterSummary.satisfied), 0)
    joined = and_(CounterSummary.officer_id == Officer.id, period_rows(CounterSummary, first, last))
    rows = db.session.execute(
        select(Officer.id, Officer.code, Officer.full_name, Officer.title, Agency.code, n, satisfied)
        .join(Agency, Agency.id == Officer.agency_id)
        .outerjoin(CounterSummary, joined)
        .where(agency_clause)
        .group_by(Officer.id, Officer.code, Officer.full_name, Officer.title, Agency.code)
    )
    found = [
        CounterIndex(
            r[0],
            r[1],
            r[2],
            r[2],
            int(r[5]),
            int(r[6]),
            *estimate(int(r[6]), int(r[5])),
            title=r[3],
            agency_code=r[4],
        )
        for r in rows
    ]
    return rank(found)


def rank(rows: list[CounterIndex]) -> list[CounterIndex]:
    """Ranked (n ≥ MIN_RESPONSES_RANKED) by rate, highest first, numbered; then the thin ones by
    rate; then the hidden ones by name. A thin sample is never given a rank."""
    ranked = sorted((r for r in rows if r.status == OK), key=lambda r: (-r.rate, r.code))
    for number, row in enumerate(ranked, start=1):
        row.rank = number
    thin = sorted((r for r in rows if r.status not in (OK, HIDDEN)), key=lambda r: (-r.rate, r.code))
    hidden = sorted((r for r in rows if r.status == HIDDEN), key=lambda r: r.name_vi)
    return ranked + thin + hidden


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def officer_trend(officer_id: int, first: date, last: date, grain: str) -> list[tuple[date, CounterIndex]]:
    """The officer's index per week (from day rows) or month (from month rows) over [first, last]."""
    if grain == "month":
        rows = db.session.execute(
            select(CounterSummary.day, CounterSummary.n, CounterSummary.satisfied).where(
                CounterSummary.officer_id == officer_id,
                CounterSummary.period == Period.MONTH,
                CounterSummary.day >= first.replace(day=1),
                CounterSummary.day <= last,
            )
        ).all()
        buckets: dict[date, list[int]] = {}
        for day, count, good in rows:
            buckets.setdefault(day, [0, 0])
            buckets[day][0] += count
            buckets[day][1] += good
    else:
        rows = db.session.execute(
            select(CounterSummary.day, CounterSummary.n, CounterSummary.satisfied).where(
                CounterSummary.officer_id == officer_id,
                CounterSummary.period == Period.DAY,
                CounterSummary.day >= first,
                CounterSummary.day <= last,
            )
        ).all()
        buckets = {}
        for day, count, good in rows:
            bucket = buckets.setdefault(week_start(day), [0, 0])
            bucket[0] += count
            bucket[1] += good
    return [
        (start, CounterIndex(officer_id, "", "", "", n, good, *estimate(good, n)))
        for start, (n, good) in sorted(buckets.items())
    ]


def reason_counts(officer_id: int, first: date, last: date) -> list[tuple[str, int]]:
    """How often each reason was ticked for the officer over [first, last], most frequent first."""
    total = func.sum(CounterReasonSummary.n)
    rows = db.session.execute(
        select(CounterReasonSummary.reason, total)
        .where(CounterReasonSummary.officer_id == officer_id, period_rows(CounterReasonSummary, first, last))
        .group_by(CounterReasonSummary.reason)
        .order_by(total.desc(), CounterReasonSummary.reason)
    )
    return [(reason, int(count)) for reason, count in rows]
