"""Petition handling per agency (docs/statistics.md, after 766/QĐ-TTg): on time, overdue, satisfaction.

Definitions, for the petitions assigned to an agency (hidden and merged ones left out):
- answered on time: the answer was published on or before the due date (local days);
- answered late: published after the due date;
- overdue: no published answer and today (local) is past the due date;
- pending: no published answer, not yet due;
- on-time rate = on time ÷ all due, where all due = on time + late + overdue (a pending petition
  is not decided yet, so it is not in the denominator);
- handling satisfaction = (all − rated "not satisfied" − overdue) ÷ all, where "overdue" counts
  both the late answers and the overdue ones, and a petition that is both late and rated "not
  satisfied" is subtracted once.
Every figure is one SQL aggregate grouped by agency, so a dashboard can reuse it over any set.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Date, and_, case, cast, func, not_, or_, select

from feedback.dialogues.models import Petition, PetitionStatus
from feedback.dialogues.petitions.services import local_today
from feedback.extensions import db

# Petitions that count: everything routed to an agency that was not hidden or merged away.
COUNTED_STATUSES = (PetitionStatus.ASSIGNED, PetitionStatus.ANSWERED, PetitionStatus.CLOSED)


@dataclass(frozen=True)
class AgencyHandling:
    """The handling counts of one responsible agency, and the rates docs/statistics.md defines on them."""

    agency_id: int
    total: int
    on_time: int
    late: int
    overdue: int
    pending: int
    satisfied: int
    not_satisfied: int
    handled_well: int

    @property
    def due(self) -> int:
        """Petitions whose outcome is decided: answered (on time or late) or overdue."""
        return self.on_time + self.late + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        """Answered by the due date ÷ all due; None when nothing is due yet."""
        return self.on_time / self.due if self.due else None

    @property
    def satisfaction_rate(self) -> float | None:
        """(all − not satisfied − overdue) ÷ all; None without petitions."""
        return self.handled_well / self.total if self.total else None


def local_day(column):
    """SQL: the local (BABEL_DEFAULT_TIMEZONE) calendar day of a UTC timestamp column.

    PostgreSQL converts with the zone's rules. SQLite has no time zones, so the zone's current
    offset is applied; Việt Nam keeps one offset all year, so the day is exact there.
    """
    zone_name = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(zone_name, column), Date)
    offset = ZoneInfo(zone_name).utcoffset(datetime.now()) or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return func.date(column, f"{minutes:+d} minutes")


def handling_by_agency(*conditions, today: date | None = None) -> list[AgencyHandling]:
    """Handling counts per responsible agency over the petitions matching `conditions`.

    `conditions` are extra SQL conditions on Petition (a conference, a period of `created_at`,
    the agencies of a subtree…); `today` defaults to the local date.
    """
    today = today or local_today()
    published = Petition.answer_published_at.is_not(None)
    on_time = and_(published, local_day(Petition.answer_published_at) <= Petition.due_date)
    late = and_(published, local_day(Petition.answer_published_at) > Petition.due_date)
    overdue = and_(not_(published), Petition.due_date < today)
    pending = and_(not_(published), Petition.due_date >= today)
    not_satisfied = Petition.rating_satisfied.is_(False)

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = db.session.execute(
        select(Petition.agency_id, func.count(Petition.id), count(on_time), count(late), count(overdue),
               count(pending), count(Petition.rating_satisfied.is_(True)), count(not_satisfied),
               count(not_(or_(not_satisfied, late, overdue))))
        .where(Petition.agency_id.is_not(None), Petition.due_date.is_not(None),
               Petition.status.in_(COUNTED_STATUSES), *conditions)
        .group_by(Petition.agency_id)
        .order_by(Petition.agency_id)
    ).all()
    return [AgencyHandling(int(agency_id), *(int(v) for v in values)) for agency_id, *values in rows]
