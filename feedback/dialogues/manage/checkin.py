"""Checking people in at the door: reading a ticket, the atomic check-in, walk-ins, the live count.

A check-in is one UPDATE … WHERE status = 'confirmed': when two staff scan the same ticket at once,
the database lets exactly one of them change the row, and the other is told it was already done.
"""

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from feedback.core.codes import clean_code
from feedback.dialogues.models import (
    Conference,
    ConferenceStatus,
    Registration,
    RegistrationStatus,
    Representing,
)
from feedback.dialogues.registrations import register
from feedback.dialogues.seats import seated_of, status_counts
from feedback.extensions import db
from feedback.models import utcnow

# People are checked in while the conference is announced and on the day it is held (late arrivals).
CHECK_IN_OPEN = (ConferenceStatus.PUBLISHED, ConferenceStatus.HELD)
# A ticket's QR code holds its URL (…/tickets/ABCD3FGH); a pasted URL or a scan gives that.
TICKET_URL = re.compile(r"/tickets/([A-Za-z0-9 -]{8,12})(?:\.ics)?/?(?:[?#].*)?$")
MAX_INPUT = 500


class Outcome(enum.StrEnum):
    """What presenting a ticket led to."""

    CHECKED_IN = "checked_in"
    ALREADY = "already"          # attended already (checked_in_at says when)
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    OTHER_CONFERENCE = "other_conference"
    UNKNOWN = "unknown"          # a well-formed code no registration holds
    INVALID = "invalid"          # not something a ticket code could be


@dataclass
class CheckInResult:
    """The outcome, the registration concerned (if any) and the code as read."""

    outcome: Outcome
    code: str | None = None
    registration: Registration | None = None

    @property
    def ok(self) -> bool:
        """Whether the person may go in (checked in now)."""
        return self.outcome == Outcome.CHECKED_IN


def read_ticket(text: str) -> str | None:
    """The ticket code in what staff typed or scanned: the code in any case, with or without its
    dash, or a ticket URL; None when it cannot be a code."""
    text = (text or "").strip()[:MAX_INPUT]
    match = TICKET_URL.search(text)
    return clean_code(match.group(1) if match else text)


def _mark_attended(conference_id: int, registration_filter, now: datetime) -> int:
    """The atomic check-in: confirmed → attended for the matching registration; rows changed (0/1)."""
    result = db.session.execute(
        update(Registration)
        .where(Registration.conference_id == conference_id, registration_filter,
               Registration.status == RegistrationStatus.CONFIRMED)
        .values(status=RegistrationStatus.ATTENDED, checked_in_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def check_in(conference: Conference, text: str, *, now: datetime | None = None) -> CheckInResult:
    """Check in the ticket in `text` for `conference`, or say why not. Flushes; the caller commits.

    The UPDATE comes first, so on SQLite it takes the write lock where the busy timeout applies,
    and on PostgreSQL a second scanner of the same ticket waits for the first to commit and then
    finds the row no longer confirmed. Only after it is the registration read, to explain.
    """
    now = now or utcnow()
    code = read_ticket(text)
    if code is None:
        return CheckInResult(Outcome.INVALID)
    changed = _mark_attended(conference.id, Registration.ticket_code == code, now)
    registration = db.session.scalar(select(Registration).where(Registration.ticket_code == code))
    if registration is not None:
        db.session.refresh(registration)
    if changed:
        return CheckInResult(Outcome.CHECKED_IN, code, registration)
    return CheckInResult(_refusal(conference, registration), code, registration)


def _refusal(conference: Conference, registration: Registration | None) -> Outcome:
    """Why a ticket that was not checked in was refused."""
    if registration is None:
        return Outcome.UNKNOWN
    if registration.conference_id != conference.id:
        return Outcome.OTHER_CONFERENCE
    return {
        RegistrationStatus.ATTENDED: Outcome.ALREADY,
        RegistrationStatus.CANCELLED: Outcome.CANCELLED,
        RegistrationStatus.WAITLISTED: Outcome.WAITLISTED,
    }.get(registration.status, Outcome.ALREADY)


def check_in_registration(registration: Registration, *, now: datetime | None = None) -> CheckInResult:
    """Check in a registration already found (a walk-in, or one picked from the list)."""
    now = now or utcnow()
    changed = _mark_attended(registration.conference_id, Registration.id == registration.id, now)
    db.session.refresh(registration)
    if changed:
        return CheckInResult(Outcome.CHECKED_IN, registration.ticket_code, registration)
    return CheckInResult(_refusal(registration.conference, registration), registration.ticket_code,
                         registration)


def undo_check_in(registration: Registration) -> bool:
    """attended → confirmed, for a person checked in by mistake; whether it changed anything.

    The seat stays taken either way (both statuses hold one), so nobody else's seat moves.
    """
    result = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == RegistrationStatus.ATTENDED)
        .values(status=RegistrationStatus.CONFIRMED, checked_in_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(registration)
    return bool(result.rowcount)


def register_walk_in(conference: Conference, *, full_name: str, phone: str, locality: str | None,
                     representing: Representing, locale: str,
                     now: datetime | None = None) -> tuple[Registration, bool, CheckInResult]:
    """Register someone at the door and check them in if they got a seat.

    Returns (registration, newly created, check-in result). A phone that already holds a live
    registration gets that registration checked in instead (the person is at the door). No message
    is queued: the form takes no email, and the person hears the outcome from the staff. Refusals
    (invalid phone, conference not published) come as RegistrationRefused from register().
    """
    now = now or utcnow()
    registration, created = register(conference, full_name=full_name, phone=phone, locality=locality,
                                     representing=representing, locale=locale, walk_in=True, now=now)
    return registration, created, check_in_registration(registration, now=now)


@dataclass
class LiveCount:
    """The numbers the check-in page keeps up to date."""

    attended: int
    seated: int
    capacity: int
    waitlisted: int

    def as_json(self) -> dict:
        """For the polling endpoint."""
        return {"attended": self.attended, "seated": self.seated, "capacity": self.capacity,
                "waitlisted": self.waitlisted}


def live_count(conference: Conference) -> LiveCount:
    """Checked in so far, seats taken, capacity and waiting list, in one query."""
    by_status = status_counts(conference.id)
    return LiveCount(attended=by_status.get(RegistrationStatus.ATTENDED, 0), seated=seated_of(by_status),
                     capacity=conference.capacity,
                     waitlisted=by_status.get(RegistrationStatus.WAITLISTED, 0))
