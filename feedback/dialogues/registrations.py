"""Seats for dialogue conferences: signing up, the waiting list, cancelling and changing capacity."""

from datetime import datetime

import phonenumbers
from phonenumbers import PhoneNumberType
from sqlalchemy import func, select, update

from feedback.core.codes import new_unique_code
from feedback.dialogues.models import (
    Conference,
    ConferenceStatus,
    Registration,
    RegistrationStatus,
    Representing,
)
from feedback.dialogues.seats import free_seats, seated_count
from feedback.extensions import db
from feedback.models import utcnow

# Numbers a person can be reached on; premium, shared-cost, toll-free and the like are not.
_PERSONAL_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE,
                   PhoneNumberType.FIXED_LINE_OR_MOBILE}
# Longer input is not a phone number; phonenumbers itself gives up at 250 characters.
_MAX_PHONE_INPUT = 40


class RegistrationRefused(Exception):
    """A seat change the rules forbid; `reason` is a stable key the views translate.

    Reasons: "not_published", "not_open", "closed", "invalid_phone" (register); "attended",
    "already_cancelled" (cancel); "below_confirmed", "invalid_capacity" (change_capacity).
    When raised after the conference was locked, the caller rolls back (nothing else was written).
    """

    def __init__(self, reason: str):
        """Refuse for `reason`, one of the keys above."""
        super().__init__(reason)
        self.reason = reason


def normalize_phone(raw: str) -> str | None:
    """`raw` as an E.164 Vietnamese number (+84…) if it is a valid mobile or fixed line, else None.

    Accepts the ways people write them: 0912 345 678, +84 912-345-678, 84912345678, 0084….
    """
    if not raw or len(raw) > _MAX_PHONE_INPUT:
        return None
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if (number.country_code != 84 or not phonenumbers.is_valid_number(number)
            or phonenumbers.number_type(number) not in _PERSONAL_TYPES):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _lock_seats(conference: Conference) -> None:
    """Serialize every seat change of `conference` until the caller's transaction ends.

    The UPDATE comes first in the transaction on purpose. On PostgreSQL it takes the conference
    row's lock, so concurrent sign-ups, cancellations and capacity changes of one conference queue
    up in arrival order, and each then counts the seats its predecessors committed (READ COMMITTED
    takes a new snapshot per statement). On SQLite a write as the first statement takes the
    database's write lock at once, where the busy timeout applies, and the counts that follow are
    read under it; in a transaction opened by a read, the later write would instead fail at once
    with "database is locked" (SQLite does not wait on a lock upgrade).
    The conference is then re-read, since its capacity or status may have changed while we waited.
    """
    db.session.execute(
        update(Conference).where(Conference.id == conference.id)
        .values(seat_version=Conference.seat_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(conference)


def _check_open(conference: Conference, now: datetime, walk_in: bool) -> None:
    """Refuse a sign-up for a conference that is not published or outside its registration window."""
    if conference.status != ConferenceStatus.PUBLISHED:
        raise RegistrationRefused("not_published")
    if walk_in:
        # At the door the window no longer matters: the person is there.
        return
    if conference.registration_opens_at is not None and now < conference.registration_opens_at:
        raise RegistrationRefused("not_open")
    if conference.registration_closes_at is not None and now >= conference.registration_closes_at:
        raise RegistrationRefused("closed")


def _waitlist_count(conference_id: int) -> int:
    """Registrations on the conference's waiting list."""
    return db.session.scalar(
        select(func.count(Registration.id))
        .where(Registration.conference_id == conference_id,
               Registration.status == RegistrationStatus.WAITLISTED)
    )


def register(conference: Conference, *, full_name: str, phone: str, email: str | None = None,
             locality: str | None = None, representing: Representing = Representing.SELF,
             locale: str = "vi", walk_in: bool = False, notify_sms: bool = False,
             notify_zalo: bool = False, now: datetime | None = None) -> tuple[Registration, bool]:
    """Sign someone up for `conference` and flush; returns (registration, newly created).

    A seat while seats remain, otherwise the next place on the waiting list, in arrival order.
    If the phone already holds a live registration for the conference, that one is returned
    unchanged with False, so the caller can show its status. Refuses (RegistrationRefused) an
    invalid phone, a conference that is not published, or a sign-up outside the registration
    window unless `walk_in`. The caller commits (and adds the confirmed / waitlisted notice).
    """
    now = now or utcnow()
    normalized = normalize_phone(phone)
    if normalized is None:
        raise RegistrationRefused("invalid_phone")
    # Checked before locking too, so refused sign-ups (a closed conference being hammered) never
    # queue for the write lock; checked again after it, in case the conference changed meanwhile.
    _check_open(conference, now, walk_in)
    _lock_seats(conference)
    _check_open(conference, now, walk_in)

    existing = db.session.scalar(
        select(Registration).where(Registration.conference_id == conference.id,
                                   Registration.phone == normalized,
                                   Registration.status != RegistrationStatus.CANCELLED)
    )
    if existing is not None:
        return existing, False

    registration = Registration(
        conference_id=conference.id, ticket_code=new_unique_code(Registration.ticket_code),
        full_name=full_name,
        phone=normalized, email=email or None, locality=locality or None, representing=representing,
        locale=locale, consent_at=now, walk_in=walk_in, created_at=now, notify_sms=notify_sms,
        notify_zalo=notify_zalo,
    )
    if seated_count(conference.id) < conference.capacity:
        registration.status = RegistrationStatus.CONFIRMED
    else:
        last = db.session.scalar(
            select(func.max(Registration.waitlist_position))
            .where(Registration.conference_id == conference.id,
                   Registration.status == RegistrationStatus.WAITLISTED)
        )
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlist_position = (last or 0) + 1
    db.session.add(registration)
    db.session.flush()
    return registration, True


def _fill_seats(conference: Conference, now: datetime) -> list[Registration]:
    """Promote waitlisted registrations, head of the list first, into the free seats; flush.

    The positions of those left are then shifted down by the number promoted in one UPDATE:
    positions are always 1…n, so the first left becomes 1 again.
    """
    free = conference.capacity - seated_count(conference.id)
    if free <= 0:
        return []
    promoted = list(db.session.scalars(
        select(Registration)
        .where(Registration.conference_id == conference.id,
               Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlist_position, Registration.id)
        .limit(free)
    ))
    if not promoted:
        return []
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.waitlist_position = None
        registration.promoted_at = now
    db.session.flush()
    db.session.execute(
        update(Registration)
        .where(Registration.conference_id == conference.id,
               Registration.status == RegistrationStatus.WAITLISTED)
        .values(waitlist_position=Registration.waitlist_position - len(promoted))
        # "fetch" keeps any waitlisted registrations loaded in the session up to date.
        .execution_options(synchronize_session="fetch")
    )
    return promoted


def cancel(registration: Registration, *, now: datetime | None = None) -> Registration | None:
    """Cancel `registration` and flush; returns the registration promoted into its seat, if any.

    A confirmed seat goes to waitlisted #1 and the waiting list moves up; a waitlisted place is
    removed and those after it move up. Refuses an attended or already cancelled registration.
    The caller commits (and adds the cancelled / promoted notices).
    """
    now = now or utcnow()
    conference = registration.conference
    _lock_seats(conference)
    # Re-read under the lock: while we waited it may have been promoted, moved up or cancelled.
    db.session.refresh(registration)
    if registration.status == RegistrationStatus.ATTENDED:
        raise RegistrationRefused("attended")
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationRefused("already_cancelled")

    was = registration.status
    position = registration.waitlist_position
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.waitlist_position = None
    db.session.flush()

    if was == RegistrationStatus.CONFIRMED:
        promoted = _fill_seats(conference, now)
        return promoted[0] if promoted else None
    db.session.execute(
        update(Registration)
        .where(Registration.conference_id == conference.id,
               Registration.status == RegistrationStatus.WAITLISTED,
               Registration.waitlist_position > position)
        .values(waitlist_position=Registration.waitlist_position - 1)
        .execution_options(synchronize_session="fetch")
    )
    return None


def change_capacity(conference: Conference, capacity: int, *,
                    now: datetime | None = None) -> list[Registration]:
    """Set the conference's capacity and flush; returns those promoted from the waiting list.

    Refuses a capacity below the seats already taken (confirmed and attended): nobody loses a
    seat. A raise promotes waitlisted people in position order into the new seats. The caller
    commits (and adds the promoted notices).
    """
    now = now or utcnow()
    if capacity < 0:
        raise RegistrationRefused("invalid_capacity")
    _lock_seats(conference)
    if capacity < seated_count(conference.id):
        raise RegistrationRefused("below_confirmed")
    conference.capacity = capacity
    db.session.flush()
    return _fill_seats(conference, now)


def seats_left(conference: Conference) -> int:
    """Seats still free in `conference` (never negative)."""
    return free_seats(conference.capacity, seated_count(conference.id))


def waitlist_length(conference: Conference) -> int:
    """How many people are on `conference`'s waiting list."""
    return _waitlist_count(conference.id)
