"""Dialogue accountability figures in SQL: conferences, seats, attendance, petitions and their handling.

Every function takes `agency_clause`, an SQL condition on Agency (the viewer's subtrees, narrowed
to one subtree when asked), and a period [start, end) in UTC. Conferences count by their start;
petitions by the day they were received, against the agency that answers for them: the
responsible agency once routed, the host of the conference until then. Petition handling itself
(on time, late, overdue…) is `petitions.stats.handling_by_agency`, reused here, not recomputed.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select

from feedback.agencies.models import Agency
from feedback.core.i18n import BilingualName, bilingual
from feedback.dialogues.models import (
    Conference,
    ConferenceStatus,
    Petition,
    PetitionStatus,
    Registration,
    RegistrationStatus,
    Topic,
)
from feedback.dialogues.petitions.services import local_today
from feedback.dialogues.petitions.stats import COUNTED_STATUSES, AgencyHandling, handling_by_agency
from feedback.dialogues.seats import SEATED
from feedback.extensions import db

# A conference that took place; its registrations say who came.
HELD_STATUSES = (ConferenceStatus.HELD, ConferenceStatus.REPORTED)
# Conferences listed for the period: all but drafts, which nobody outside the team has seen.
LISTED_STATUSES = (ConferenceStatus.PUBLISHED, ConferenceStatus.HELD, ConferenceStatus.REPORTED,
                   ConferenceStatus.CANCELLED)
# Petitions received: everything but hidden (abuse, spam) and merged (counted once, in the target).
RECEIVED_STATUSES = (PetitionStatus.RECEIVED, *COUNTED_STATUSES)


@dataclass(frozen=True)
class ConferenceRow:
    """One conference of the period with its seats and attendance."""

    id: int
    title_vi: str
    title_en: str
    agency_code: str
    agency_name_vi: str
    agency_name_en: str
    starts_at: datetime
    status: str
    capacity: int
    registered: int
    waitlisted: int
    attended: int

    title = bilingual("title")  # the conference's title
    agency_name = bilingual("agency_name")  # the host agency's name

    @property
    def held(self) -> bool:
        """Whether the conference took place."""
        return self.status in HELD_STATUSES


@dataclass(frozen=True)
class ConferenceTotals:
    """Headline figures over the conferences held in the period."""

    held: int
    capacity: int
    registered: int
    attended: int

    @property
    def fill_rate(self) -> float | None:
        """Registered (confirmed or attended) ÷ capacity; None without seats."""
        return self.registered / self.capacity if self.capacity else None

    @property
    def attendance_rate(self) -> float | None:
        """Attended ÷ (confirmed + attended); None without registrations."""
        return self.attended / self.registered if self.registered else None


@dataclass(frozen=True)
class TopicCount(BilingualName):
    """Petitions received on one topic (topic None: petitions without a topic)."""

    code: str | None
    name_vi: str
    name_en: str
    count: int


@dataclass(frozen=True)
class AgencyAccountability(BilingualName):
    """A responsible agency's petition handling in the period, with its name for display."""

    code: str
    name_vi: str
    name_en: str
    depth: int
    handling: AgencyHandling


@dataclass(frozen=True)
class OverduePetition:
    """A petition past its due date without a published answer."""

    id: int
    tracking_code: str
    agency_code: str
    agency_name_vi: str
    agency_name_en: str
    due_date: date
    days_overdue: int

    agency_name = bilingual("agency_name")  # the responsible agency's name


def _scoped_agency_ids(agency_clause):
    """A subquery of the ids of the agencies matching `agency_clause`."""
    return select(Agency.id).where(agency_clause)


def conferences(agency_clause, start: datetime, end: datetime) -> list[ConferenceRow]:
    """The non-draft conferences hosted in scope that start in [start, end), earliest first."""
    def count(*statuses):
        return func.coalesce(func.sum(case((Registration.status.in_(statuses), 1), else_=0)), 0)

    rows = db.session.execute(
        select(Conference.id, Conference.title_vi, Conference.title_en, Agency.code, Agency.name_vi,
               Agency.name_en, Conference.starts_at, Conference.status, Conference.capacity,
               count(*SEATED), count(RegistrationStatus.WAITLISTED), count(RegistrationStatus.ATTENDED))
        .join(Agency, Agency.id == Conference.host_agency_id)
        .outerjoin(Registration, Registration.conference_id == Conference.id)
        .where(agency_clause, Conference.status.in_(LISTED_STATUSES),
               Conference.starts_at >= start, Conference.starts_at < end)
        .group_by(Conference.id, Conference.title_vi, Conference.title_en, Agency.code, Agency.name_vi,
                  Agency.name_en, Conference.starts_at, Conference.status, Conference.capacity)
        .order_by(Conference.starts_at, Conference.id)
    ).all()
    return [ConferenceRow(r[0], r[1], r[2] or "", r[3], r[4], r[5] or "", r[6], str(r[7]), int(r[8]),
                          int(r[9]), int(r[10]), int(r[11])) for r in rows]


def conference_totals(agency_clause, start: datetime, end: datetime) -> ConferenceTotals:
    """Held conferences in scope starting in [start, end): how many, seats, registered, attended."""
    seats = (
        select(Conference.id.label("id"), Conference.capacity.label("capacity"))
        .join(Agency, Agency.id == Conference.host_agency_id)
        .where(agency_clause, Conference.status.in_(HELD_STATUSES),
               Conference.starts_at >= start, Conference.starts_at < end)
        .subquery()
    )
    held, capacity = db.session.execute(
        select(func.count(seats.c.id), func.coalesce(func.sum(seats.c.capacity), 0))).one()
    registered, attended = db.session.execute(
        select(func.count(Registration.id),
               func.coalesce(func.sum(case((Registration.status == RegistrationStatus.ATTENDED, 1),
                                           else_=0)), 0))
        .where(Registration.conference_id.in_(select(seats.c.id)), Registration.status.in_(SEATED))
    ).one()
    return ConferenceTotals(int(held), int(capacity), int(registered), int(attended))


def _received_conditions(agency_clause, start: datetime, end: datetime) -> list:
    """SQL conditions on Petition: received in [start, end), not hidden or merged, and answered
    for by an agency in scope (the responsible one, or the host while it is not routed yet)."""
    hosted = select(Conference.id).where(Conference.host_agency_id.in_(_scoped_agency_ids(agency_clause)))
    return [
        Petition.status.in_(RECEIVED_STATUSES),
        Petition.created_at >= start, Petition.created_at < end,
        or_(Petition.agency_id.in_(_scoped_agency_ids(agency_clause)),
            and_(Petition.agency_id.is_(None), Petition.conference_id.in_(hosted))),
    ]


def petitions_received(agency_clause, start: datetime, end: datetime) -> int:
    """How many petitions were received in [start, end) for agencies in scope."""
    return int(db.session.scalar(
        select(func.count(Petition.id)).where(*_received_conditions(agency_clause, start, end))) or 0)


def petitions_by_topic(agency_clause, start: datetime, end: datetime) -> list[TopicCount]:
    """Petitions received in [start, end) for agencies in scope, per topic, most first; the
    petitions without a topic come as one row with code None and empty names."""
    rows = db.session.execute(
        select(Topic.code, Topic.name_vi, Topic.name_en, func.count(Petition.id))
        .select_from(Petition)
        .outerjoin(Topic, Topic.id == Petition.topic_id)
        .where(*_received_conditions(agency_clause, start, end))
        .group_by(Topic.code, Topic.name_vi, Topic.name_en)
    ).all()
    counts = [TopicCount(code, name_vi or "", name_en or "", int(n)) for code, name_vi, name_en, n in rows]
    # Most petitions first; the "no topic" row last whatever its size, then by code for a stable order.
    return sorted(counts, key=lambda t: (t.code is None, -t.count, t.code or ""))


def handling(agency_clause, start: datetime, end: datetime, today: date | None = None,
             ) -> list[AgencyAccountability]:
    """Petition handling per responsible agency in scope, for petitions received in [start, end),
    in tree order."""
    scoped = _scoped_agency_ids(agency_clause)
    counts = {h.agency_id: h for h in handling_by_agency(
        Petition.agency_id.in_(scoped), Petition.created_at >= start, Petition.created_at < end,
        today=today)}
    if not counts:
        return []
    agencies = db.session.execute(
        select(Agency.id, Agency.code, Agency.name_vi, Agency.name_en, Agency.depth)
        .where(Agency.id.in_(counts)).order_by(Agency.path)
    ).all()
    return [AgencyAccountability(code, name_vi, name_en or "", depth, counts[agency_id])
            for agency_id, code, name_vi, name_en, depth in agencies]


def total_handling(rows: list[AgencyAccountability]) -> AgencyHandling:
    """The handling counts of all `rows` together (every count adds up across agencies)."""
    fields = ("total", "on_time", "late", "overdue", "pending", "satisfied", "not_satisfied",
              "handled_well")
    sums = {name: sum(getattr(r.handling, name) for r in rows) for name in fields}
    return AgencyHandling(agency_id=0, **sums)


def overdue_petitions(agency_clause, start: datetime, end: datetime, today: date | None = None,
                      ) -> list[OverduePetition]:
    """Petitions received in [start, end), routed to an agency in scope, past due and unanswered
    (as handling_by_agency counts them overdue), grouped by agency in tree order, oldest due first."""
    today = today or local_today()
    rows = db.session.execute(
        select(Petition.id, Petition.tracking_code, Agency.code, Agency.name_vi, Agency.name_en,
               Petition.due_date)
        .join(Agency, Agency.id == Petition.agency_id)
        .where(agency_clause, Petition.status.in_(COUNTED_STATUSES), Petition.due_date.is_not(None),
               Petition.answer_published_at.is_(None), Petition.due_date < today,
               Petition.created_at >= start, Petition.created_at < end)
        .order_by(Agency.path, Petition.due_date, Petition.id)
    ).all()
    return [OverduePetition(pid, code, agency_code, name_vi, name_en or "", due, (today - due).days)
            for pid, code, agency_code, name_vi, name_en, due in rows]
