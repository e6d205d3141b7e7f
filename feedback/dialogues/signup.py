"""A citizen's sign-up, cancellation and ticket re-sending, each one transaction with its notices."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback.core.dates import local_zone
from feedback.dialogues.messages import Kind
from feedback.dialogues.models import (
    Conference,
    ConferenceStatus,
    Petition,
    PetitionSource,
    Registration,
    RegistrationStatus,
    Representing,
    Topic,
)
from feedback.dialogues.notices import notify_registration, text_ticket_link
from feedback.dialogues.petitions.services import create_petition
from feedback.dialogues.registrations import cancel, normalize_phone, register
from feedback.extensions import db
from feedback.models import utcnow


@dataclass
class Question:
    """A question sent in advance with a sign-up."""

    text: str
    topic: Topic | None = None
    publish: bool = False


@dataclass
class Applicant:
    """What a person typed on the sign-up form, already validated."""

    full_name: str
    phone: str
    locality: str
    representing: Representing
    email: str | None = None
    locale: str = "vi"
    # Text channels the person ticked (the consent names them): messages to the phone too.
    notify_sms: bool = False
    notify_zalo: bool = False
    questions: list[Question] = field(default_factory=list)


@dataclass
class SignupResult:
    """The registration, whether it is new (False: the phone had signed up already), and the
    petitions made from the questions (none for an existing registration)."""

    registration: Registration
    created: bool
    petitions: list[Petition]


def _sign_up_once(conference: Conference, applicant: Applicant) -> SignupResult:
    """register(), the petitions and the notice, flushed but not committed."""
    registration, created = register(
        conference, full_name=applicant.full_name, phone=applicant.phone, email=applicant.email,
        locality=applicant.locality, representing=applicant.representing, locale=applicant.locale,
        notify_sms=applicant.notify_sms, notify_zalo=applicant.notify_zalo)
    if not created:
        # The questions are not attached to someone else's registration: whoever typed this phone
        # may not be the person who holds it.
        return SignupResult(registration, False, [])
    petitions = [
        create_petition(text=q.text, source=PetitionSource.ADVANCE, conference=conference,
                        registration=registration, topic=q.topic, consent_to_publish=q.publish)
        for q in applicant.questions
    ]
    kind = (Kind.REGISTRATION_CONFIRMED if registration.status == RegistrationStatus.CONFIRMED
            else Kind.REGISTRATION_WAITLISTED)
    notify_registration(registration, kind)
    return SignupResult(registration, True, petitions)


def _attempt(conference_id: int, applicant: Applicant) -> SignupResult:
    """One try at the whole sign-up, committed, or rolled back and re-raised."""
    conference = db.session.get(Conference, conference_id)
    try:
        result = _sign_up_once(conference, applicant)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def sign_up(conference_id: int, applicant: Applicant) -> SignupResult:
    """Register `applicant`, make petitions of their questions and queue the confirmation, all in one
    committed transaction. Raises RegistrationRefused (nothing written) when the rules forbid it.

    A new ticket or tracking code can clash with one a concurrent transaction inserted in the same
    instant (1 in 21**8): the unique constraint then fails the flush, and the whole sign-up is tried
    once more from the start, under a fresh lock.
    """
    try:
        return _attempt(conference_id, applicant)
    except IntegrityError:
        return _attempt(conference_id, applicant)


def cancel_ticket(registration: Registration) -> Registration | None:
    """Cancel the registration, tell its holder and whoever gets the seat, and commit.

    Returns the registration promoted from the waiting list, if any. Raises RegistrationRefused
    ("attended", "already_cancelled") after rolling back.
    """
    try:
        promoted = cancel(registration)
        notify_registration(registration, Kind.REGISTRATION_CANCELLED)
        if promoted is not None:
            notify_registration(promoted, Kind.REGISTRATION_PROMOTED)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return promoted


def resend_ticket(registration: Registration) -> bool:
    """Email the ticket again to the address given at sign-up; False when there is none.

    At most once a day per registration (the outbox's dedupe key carries the local date), so
    someone who knows a phone number cannot flood its owner's mailbox.
    """
    if not registration.email or registration.status not in (RegistrationStatus.CONFIRMED,
                                                             RegistrationStatus.WAITLISTED):
        return False
    zone = local_zone()
    kind = (Kind.REGISTRATION_CONFIRMED if registration.status == RegistrationStatus.CONFIRMED
            else Kind.REGISTRATION_WAITLISTED)
    notify_registration(registration, kind, again=f"resend-{utcnow().astimezone(zone).date()}")
    db.session.commit()
    return True


def text_lost_tickets(phone: str, now: datetime | None = None) -> None:
    """Text the ticket link of every live registration for a conference not yet over that signed up
    with `phone` and no email (with an email, the duplicate-phone page resends it there); commit.

    At most once a local day per registration (the dedupe key carries the day), and only ever to the
    number given at sign-up: a number that did not sign up gets nothing. The caller answers the same
    words either way.
    """
    normalized = normalize_phone(phone)
    if normalized is None:
        return
    now = now or utcnow()
    registrations = db.session.scalars(
        select(Registration).join(Registration.conference)
        .where(Registration.phone == normalized, Registration.email.is_(None),
               Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
               Conference.status == ConferenceStatus.PUBLISHED, Conference.ends_at > now)
    )
    day = str(now.astimezone(local_zone()).date())
    for registration in registrations:
        kind = (Kind.REGISTRATION_CONFIRMED if registration.status == RegistrationStatus.CONFIRMED
                else Kind.REGISTRATION_WAITLISTED)
        text_ticket_link(registration, kind, day)
    db.session.commit()
