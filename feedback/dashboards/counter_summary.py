"""The counter ratings' summary: per agency and per officer, per local day and month, how many
counted ratings and how many "satisfied"; and the reasons ticked. Kept in step through the
`counter_rating_changed` event, in the rating's transaction, with INSERT … ON CONFLICT DO UPDATE
that adds (concurrent ratings both count). officer_id 0 holds the agency's totals, which the
retention purge keeps; rows per officer go after COUNTER_OFFICER_DETAIL_MONTHS.
"""

from collections import defaultdict
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, delete, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from feedback.core import events
from feedback.dashboards.models import Period
from feedback.dashboards.summary import month_start, zone
from feedback.extensions import db
from feedback.models import string_enum

AGENCY_TOTAL = 0


class CounterSummary(db.Model):
    """Counted counter ratings of one agency (officer 0) or one officer, in one day or month."""

    __tablename__ = "counter_summary"
    __table_args__ = (
        PrimaryKeyConstraint("period", "day", "agency_id", "officer_id"),
        Index("ix_counter_summary_officer", "officer_id", "period", "day"),
    )

    period: Mapped[Period] = mapped_column(string_enum(Period, "counter_summary_period", length=8))
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    officer_id: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)


class CounterReasonSummary(db.Model):
    """How often a reason was ticked, per agency (officer 0) or officer, in one day or month."""

    __tablename__ = "counter_reason_summary"
    __table_args__ = (PrimaryKeyConstraint("period", "day", "agency_id", "officer_id", "reason"),)

    period: Mapped[Period] = mapped_column(string_enum(Period, "counter_reason_period", length=8))
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    officer_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    n: Mapped[int] = mapped_column(Integer, default=0)


def _keys(fact) -> list[tuple]:
    """The (period, day, agency, officer) keys a rating counts in: both grains, agency and officer."""
    day = fact.given_at.astimezone(zone()).date()
    owners = [AGENCY_TOTAL] + ([fact.officer_id] if fact.officer_id else [])
    return [
        (period, first, fact.agency_id, owner)
        for period, first in ((Period.DAY.value, day), (Period.MONTH.value, month_start(day)))
        for owner in owners
    ]


def deltas(before, after) -> tuple[dict, dict]:
    """({key: [n, satisfied]}, {key + (reason,): n}) that replacing `before` by `after` adds."""
    cells: dict = defaultdict(lambda: [0, 0])
    reasons: dict = defaultdict(int)
    for fact, sign in ((before, -1), (after, 1)):
        if fact is None:
            continue
        for key in _keys(fact):
            cells[key][0] += sign
            cells[key][1] += sign * bool(fact.satisfied)
            for reason in fact.reasons:
                reasons[key + (reason,)] += sign
    return ({k: v for k, v in cells.items() if v != [0, 0]}, {k: v for k, v in reasons.items() if v})


def _upsert(model, key: tuple[str, ...], names: tuple[str, ...], rows: list[tuple]) -> None:
    """Add each row's numbers to the stored row with its key (rows in key order: no deadlock cycle)."""
    if not rows:
        return
    connection = db.session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(model.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={n: model.__table__.c[n] + statement.excluded[n] for n in names}
    )
    connection.execute(statement, [dict(zip(key + names, row, strict=True)) for row in sorted(rows)])


CELL = ("period", "day", "agency_id", "officer_id")


def apply(before, after) -> None:
    """Replace `before` by `after` in the summary (either may be None); the caller commits."""
    cells, reasons = deltas(before, after)
    _upsert(CounterSummary, CELL, ("n", "satisfied"), [k + tuple(v) for k, v in cells.items()])
    _upsert(CounterReasonSummary, CELL + ("reason",), ("n",), [k + (v,) for k, v in reasons.items()])
    if before is not None:
        # Rows left counting nothing go, so the tables stay what counting the ratings afresh gives.
        for model, keys in ((CounterSummary, list(cells)), (CounterReasonSummary, list(reasons))):
            columns = [
                model.__table__.c[name] for name in (CELL if model is CounterSummary else CELL + ("reason",))
            ]
            if keys:
                db.session.execute(delete(model).where(tuple_(*columns).in_(keys), model.n <= 0))


def purge_officers(before_day: date) -> None:
    """Drop the per-officer rows of periods that ended before `before_day` (agency totals stay)."""
    for model in (CounterSummary, CounterReasonSummary):
        db.session.execute(
            delete(model).where(model.officer_id != AGENCY_TOTAL, model.day < month_start(before_day))
        )


def _on_changed(_sender, *, before, after, purge_before=None) -> None:
    """A rating was stored, changed or excluded (or old detail purged): follow it."""
    if purge_before is not None:
        purge_officers(purge_before.astimezone(zone()).date())
        return
    apply(before, after)


def subscribe() -> None:
    """Follow the counter ratings' event (called when the app is built)."""
    events.counter_rating_changed.connect(_on_changed)


def add_many(facts) -> None:
    """Count many ratings at once (seeding, imports): their deltas summed, then one upsert per row."""
    cells: dict = defaultdict(lambda: [0, 0])
    reasons: dict = defaultdict(int)
    for fact in facts:
        fact_cells, fact_reasons = deltas(None, fact)
        for key, (n, good) in fact_cells.items():
            cells[key][0] += n
            cells[key][1] += good
        for key, n in fact_reasons.items():
            reasons[key] += n
    _upsert(CounterSummary, CELL, ("n", "satisfied"), [k + tuple(v) for k, v in cells.items()])
    _upsert(CounterReasonSummary, CELL + ("reason",), ("n",), [k + (v,) for k, v in reasons.items()])
