"""Reads for the citizens' dialogue pages: upcoming conferences, one conference, its published questions."""

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from feedback.agencies.models import Agency
from feedback.agencies.services import find_agency
from feedback.core.dates import local_zone
from feedback.dialogues.models import (
    Conference,
    ConferenceStatus,
    Petition,
    PetitionStatus,
    Topic,
    conference_topic,
)
from feedback.dialogues.seats import Seats, seat_counts
from feedback.extensions import db
from feedback.models import utcnow

PAGE_SIZE = 10
# Never shown in public, whatever the asker allowed: a moderator hid it or merged it into another.
UNLISTED_PETITIONS = (PetitionStatus.HIDDEN, PetitionStatus.MERGED)


class SignupState(enum.StrEnum):
    """Whether a citizen can sign up for a conference now, and if not, why."""

    OPEN = "open"            # seats left, or a waiting list open when full
    NOT_YET = "not_yet"      # the registration window has not opened
    CLOSED = "closed"        # the registration window is over
    CANCELLED = "cancelled"  # the conference was cancelled
    PAST = "past"            # held, reported, or simply over


@dataclass
class ConferenceCard:
    """One conference in a public list: the row, its seats and whether one can sign up."""

    conference: Conference
    seats: Seats
    state: SignupState



def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local calendar month that contains `month`."""
    first = datetime(month.year, month.month, 1, tzinfo=local_zone())
    following = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=local_zone())
    return first.astimezone(UTC), following.astimezone(UTC)


def signup_state(conference: Conference, now: datetime | None = None) -> SignupState:
    """What a citizen may do with `conference` now (the seat rules themselves live in registrations)."""
    now = now or utcnow()
    if conference.status == ConferenceStatus.CANCELLED:
        return SignupState.CANCELLED
    if conference.status in (ConferenceStatus.HELD, ConferenceStatus.REPORTED) or conference.ends_at <= now:
        return SignupState.PAST
    if conference.registration_opens_at is not None and now < conference.registration_opens_at:
        return SignupState.NOT_YET
    if conference.registration_closes_at is not None and now >= conference.registration_closes_at:
        return SignupState.CLOSED
    return SignupState.OPEN


def cards(conferences: list[Conference], now: datetime | None = None) -> list[ConferenceCard]:
    """Each conference with its seats and sign-up state, counted for all of them at once."""
    now = now or utcnow()
    counts = seat_counts([c.id for c in conferences])
    return [ConferenceCard(c, Seats(c.capacity, *counts[c.id]), signup_state(c, now)) for c in conferences]


def upcoming_query(now: datetime | None = None) -> Select:
    """Published conferences that have not ended, soonest first."""
    now = now or utcnow()
    return (
        select(Conference)
        .where(Conference.status == ConferenceStatus.PUBLISHED, Conference.ends_at > now)
        .order_by(Conference.starts_at, Conference.id)
    )


def upcoming_conferences(*, agency: Agency | None = None, topic: Topic | None = None,
                         month: date | None = None, page: int = 1,
                         page_size: int = PAGE_SIZE) -> tuple[list[ConferenceCard], int]:
    """One page of upcoming conferences hosted in `agency`'s subtree, on `topic`, starting in `month`;
    returns (cards, total matching)."""
    now = utcnow()
    query = _filtered(upcoming_query(now), agency, topic)
    if month is not None:
        start, end = month_bounds(month)
        query = query.where(Conference.starts_at >= start, Conference.starts_at < end)
    conferences, total = _page(query, page, page_size)
    return cards(conferences, now), total


def _filtered(query: Select, agency: Agency | None, topic: Topic | None) -> Select:
    """`query` narrowed to conferences hosted in `agency`'s subtree and on `topic` (None: any)."""
    if agency is not None:
        query = (query.join(Agency, Agency.id == Conference.host_agency_id)
                 .where(Agency.in_subtree(agency.path)))
    if topic is not None:
        query = query.where(Conference.id.in_(
            select(conference_topic.c.conference_id).where(conference_topic.c.topic_id == topic.id)))
    return query


def _page(query: Select, page: int, page_size: int) -> tuple[list[Conference], int]:
    """One page of the conferences `query` selects, with their agencies and topics; and the total."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    conferences = list(db.session.scalars(
        query.options(selectinload(Conference.host_agency), selectinload(Conference.topics))
        .limit(page_size).offset((page - 1) * page_size)
    ))
    return conferences, total


# ---- the archive: conferences that took place ------------------------------------------------------

PAST_STATUSES = (ConferenceStatus.PUBLISHED, ConferenceStatus.HELD, ConferenceStatus.REPORTED)


def past_query(now: datetime | None = None) -> Select:
    """Conferences that took place (not cancelled, ended), the most recent first."""
    return (
        select(Conference)
        .where(Conference.status.in_(PAST_STATUSES), Conference.ends_at <= (now or utcnow()))
        .order_by(Conference.starts_at.desc(), Conference.id.desc())
    )


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local calendar year `year`."""
    return (datetime(year, 1, 1, tzinfo=local_zone()).astimezone(UTC),
            datetime(year + 1, 1, 1, tzinfo=local_zone()).astimezone(UTC))


@dataclass
class PastConference:
    """A conference of the archive with its published questions and answers."""

    conference: Conference
    questions: list[Petition]


def past_conferences(*, agency: Agency | None = None, topic: Topic | None = None, year: int | None = None,
                     page: int = 1, page_size: int = PAGE_SIZE) -> tuple[list[PastConference], int]:
    """One page of the archive, filtered like the upcoming list (by year instead of month), each
    conference with its published questions; returns (conferences, total matching)."""
    query = _filtered(past_query(), agency, topic)
    if year is not None:
        start, end = year_bounds(year)
        query = query.where(Conference.starts_at >= start, Conference.starts_at < end)
    conferences, total = _page(query, page, page_size)
    questions = published_questions_of([c.id for c in conferences])
    return [PastConference(c, questions.get(c.id, [])) for c in conferences], total


def past_years() -> list[int]:
    """The local years in which the archive's conferences took place, the most recent first."""
    local = local_zone()
    starts = db.session.scalars(past_query().with_only_columns(Conference.starts_at).order_by(None))
    return sorted({s.astimezone(local).year for s in starts}, reverse=True)


def next_conferences(limit: int = 3) -> list[ConferenceCard]:
    """The next `limit` upcoming conferences (for the home page)."""
    now = utcnow()
    conferences = list(db.session.scalars(
        upcoming_query(now).options(selectinload(Conference.host_agency)).limit(limit)))
    return cards(conferences, now)


def host_agencies(listed: Select | None = None) -> list[Agency]:
    """Agencies hosting a conference of `listed` (default: the upcoming ones), with the agencies
    above them, in tree order.

    The ancestors make the filter read as a tree, and choosing one lists its whole subtree.
    """
    listed = listed if listed is not None else upcoming_query()
    paths = db.session.scalars(
        select(Agency.path).join(Conference, Conference.host_agency_id == Agency.id)
        .where(Conference.id.in_(listed.with_only_columns(Conference.id).order_by(None)))
        .distinct()
    )
    ids = {int(part) for path in paths for part in path.split("/") if part}
    if not ids:
        return []
    return list(db.session.scalars(
        select(Agency).where(Agency.id.in_(ids), Agency.active.is_(True)).order_by(Agency.path)))


def upcoming_months() -> list[date]:
    """The local months (their first day) in which upcoming conferences start, in order."""
    local = local_zone()
    starts = db.session.scalars(upcoming_query().with_only_columns(Conference.starts_at))
    return sorted({s.astimezone(local).date().replace(day=1) for s in starts})


def find_agency_by_code(code: str) -> Agency | None:
    """An active agency by its code, as people type it."""
    agency = find_agency(code)
    return agency if agency is not None and agency.active else None


def public_conference(conference_id: int) -> Conference | None:
    """A conference citizens may see: any but a draft."""
    conference = db.session.get(Conference, conference_id)
    if conference is None or conference.status == ConferenceStatus.DRAFT:
        return None
    return conference


def conference_card(conference: Conference) -> ConferenceCard:
    """One conference with its seats and sign-up state."""
    return cards([conference])[0]


def published_questions(conference: Conference) -> list[Petition]:
    """Questions of `conference` a moderator published with the asker's consent, oldest first.

    Only their text, topic and published answer are ever shown: the registration they came with
    is not loaded.
    """
    return published_questions_of([conference.id]).get(conference.id, [])


def published_questions_of(conference_ids: list[int]) -> dict[int, list[Petition]]:
    """The published questions of each of `conference_ids` (see published_questions), one query."""
    found: dict[int, list[Petition]] = {}
    if not conference_ids:
        return found
    for petition in db.session.scalars(
        select(Petition)
        .where(Petition.conference_id.in_(conference_ids), Petition.consent_to_publish.is_(True),
               Petition.question_published_at.is_not(None), Petition.status.not_in(UNLISTED_PETITIONS))
        .options(selectinload(Petition.topic))
        .order_by(Petition.question_published_at, Petition.id)
    ):
        found.setdefault(petition.conference_id, []).append(petition)
    return found
