"""Reads for the organizer's pages: the conference list, a conference's counts, the registrant list."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import contains_eager

from feedback.accounts.authz import agency_filter
from feedback.accounts.models import Role, User
from feedback.agencies.models import Agency
from feedback.core.codes import clean_code
from feedback.core.dates import local_zone
from feedback.core.i18n import gettext as _
from feedback.core.text import clean_text, fold_for_search
from feedback.dialogues.access import managed_conferences_condition
from feedback.dialogues.models import Conference, ConferenceStatus, Registration, RegistrationStatus
from feedback.dialogues.seats import SEATED, Seats, count_of, seated_of, status_counts
from feedback.extensions import db

PAGE_SIZE = 30
REGISTRANT_PAGE_SIZE = 50
MAX_PAGE = 100_000
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The registrant list's status filter: the four statuses, and walk-ins (registered at the door).
REGISTRANT_FILTERS = (*(s.value for s in RegistrationStatus), "walk_in")
MAX_SEARCH = 100


def page_number(raw: str | None) -> int:
    """The ?page= of a list; anything but a plain positive number means the first page."""
    raw = raw or "1"
    # isascii() first: "²".isdigit() is true but int() refuses it; the cap keeps OFFSET in range.
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


def organizer_agencies(user: User, *, active_only: bool = False) -> list[Agency]:
    """The agencies of `user`'s organizer subtrees, in tree order."""
    query = select(Agency).where(agency_filter(user, Role.ORGANIZER)).order_by(Agency.path)
    if active_only:
        query = query.where(Agency.active.is_(True))
    return list(db.session.scalars(query))


def month_bounds(month: str) -> tuple[datetime, datetime] | None:
    """The local month "2025-06" as [first instant, first instant of the next month), or None."""
    match = MONTH.match(month or "")
    if not match:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    if not 1900 <= year <= 9998:
        return None
    first = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    zone = local_zone()
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(following, time.min, tzinfo=zone)


# ---- the conference list -----------------------------------------------------------------------

@dataclass
class ConferenceRow:
    """One line of the list: the conference and its counts."""

    conference: Conference
    seated: int
    waitlisted: int
    attended: int


def conference_rows(user: User, *, status: ConferenceStatus | None = None, under: Agency | None = None,
                    month: tuple[datetime, datetime] | None = None,
                    page: int = 1) -> tuple[list[ConferenceRow], int]:
    """A page of the conferences `user` manages, latest start first, with their counts, and the
    number that match. The counts are correlated aggregates over the registration index, computed
    for the rows of the page only."""
    conditions = [managed_conferences_condition(user)]
    if status is not None:
        conditions.append(Conference.status == status)
    if under is not None:
        conditions.append(Agency.in_subtree(under.path))
    if month is not None:
        conditions += [Conference.starts_at >= month[0], Conference.starts_at < month[1]]
    base = select(Conference.id).join(Agency, Conference.host_agency).where(*conditions)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(
        select(Conference, count_of(*SEATED), count_of(RegistrationStatus.WAITLISTED),
               count_of(RegistrationStatus.ATTENDED))
        .join(Agency, Conference.host_agency).where(*conditions)
        .options(contains_eager(Conference.host_agency))
        .order_by(Conference.starts_at.desc(), Conference.id.desc())
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [ConferenceRow(c, int(s or 0), int(w or 0), int(a or 0)) for c, s, w, a in rows], total


@dataclass
class SeatCounts(Seats):
    """A conference's seats and places right now, for its organizers."""

    confirmed: int
    attended: int
    cancelled: int
    walk_ins: int


def registration_counts(conference: Conference) -> SeatCounts:
    """Counts of `conference`'s registrations by status, and its walk-ins."""
    by_status = status_counts(conference.id)
    walk_ins = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.conference_id == conference.id, Registration.walk_in.is_(True))) or 0
    return SeatCounts(capacity=conference.capacity, seated=seated_of(by_status),
                      confirmed=by_status.get(RegistrationStatus.CONFIRMED, 0),
                      attended=by_status.get(RegistrationStatus.ATTENDED, 0),
                      waitlisted=by_status.get(RegistrationStatus.WAITLISTED, 0),
                      cancelled=by_status.get(RegistrationStatus.CANCELLED, 0),
                      walk_ins=walk_ins)


# ---- the registrant list -----------------------------------------------------------------------

@dataclass
class RegistrantFilters:
    """What the registrant list is narrowed to, read from the query string."""

    q: str = ""
    status: str = ""
    errors: list[str] = field(default_factory=list)

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for links, paging and the exports)."""
        return {key: value for key, value in (("q", self.q), ("status", self.status)) if value}


def parse_registrant_filters(args) -> RegistrantFilters:
    """The search text and status filter; an unknown status is dropped with a message."""
    filters = RegistrantFilters(q=clean_text(args.get("q") or "")[:MAX_SEARCH])
    status = args.get("status") or ""
    if status in REGISTRANT_FILTERS:
        filters.status = status
    elif status:
        filters.errors.append(_("Unknown status; showing every registrant."))
    return filters


def _phone_digits(text: str) -> str | None:
    """The digits of a typed (part of a) phone number as they appear in the stored +84… form."""
    digits = re.sub(r"\D", "", text)
    if len(digits) < 3:
        return None
    if digits.startswith("0"):
        return digits[1:]
    if digits.startswith("84") and len(digits) > 9:
        return digits[2:]
    return digits


def registrant_query(conference: Conference, filters: RegistrantFilters) -> Select:
    """The conference's registrations matching `filters`: seats and arrivals first, then the waiting
    list in order, then cancellations, each in registration order."""
    conditions = [Registration.conference_id == conference.id]
    if filters.status == "walk_in":
        conditions.append(Registration.walk_in.is_(True))
    elif filters.status:
        conditions.append(Registration.status == RegistrationStatus(filters.status))
    if filters.q:
        # Matched folded against the folded name: any case, with or without accents ("thuy",
        # "THỦY" and "Thủy" typed decomposed all find "Thủy"), the same on both backends.
        matches = [Registration.search_name.contains(fold_for_search(filters.q), autoescape=True)]
        digits = _phone_digits(filters.q)
        if digits:
            matches.append(Registration.phone.contains(digits, autoescape=True))
        code = clean_code(filters.q)
        if code:
            matches.append(Registration.ticket_code == code)
        conditions.append(or_(*matches))
    order = case(
        (Registration.status == RegistrationStatus.ATTENDED, 0),
        (Registration.status == RegistrationStatus.CONFIRMED, 0),
        (Registration.status == RegistrationStatus.WAITLISTED, 1),
        else_=2,
    )
    return (select(Registration).where(*conditions)
            .order_by(order, Registration.waitlist_position, Registration.created_at, Registration.id))


def registrant_page(conference: Conference, filters: RegistrantFilters,
                    page: int) -> tuple[list[Registration], int]:
    """One page of the filtered registrants, and how many match in all."""
    query = registrant_query(conference, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(db.session.scalars(query.limit(REGISTRANT_PAGE_SIZE)
                                   .offset((max(page, 1) - 1) * REGISTRANT_PAGE_SIZE)))
    return rows, total


def get_registration_or_none(conference: Conference, registration_id: int) -> Registration | None:
    """A registration of `conference` by id (another conference's is not found)."""
    return db.session.scalar(select(Registration).where(Registration.id == registration_id,
                                                        Registration.conference_id == conference.id))
