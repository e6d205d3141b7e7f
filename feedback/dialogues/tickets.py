"""Tickets: finding one by its code, its address and QR code, its calendar file, and masked details."""

import hmac
from datetime import datetime
from urllib.parse import urlsplit

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from feedback.core.codes import clean_code
from feedback.core.public_urls import public_base_url
from feedback.core.qr import qr_svg_inline
from feedback.dialogues.models import (
    Conference,
    ConferenceMode,
    ConferenceStatus,
    Petition,
    Registration,
    RegistrationStatus,
)
from feedback.extensions import db
from feedback.models import utcnow

# How many digits of the phone a person types to cancel, and how many a masked phone shows: the
# digits shown are the ones a guesser need not guess, so 2 of 4 leave 100 possibilities (3 left 10).
CANCEL_DIGITS = 4
SHOWN_PHONE_DIGITS = 2
MASK = "•••"


def find_ticket(text: str) -> Registration | None:
    """The registration whose ticket code is what a person typed (any case, spaces or dashes)."""
    code = clean_code(text)
    if code is None:
        return None
    return db.session.scalar(
        select(Registration).where(Registration.ticket_code == code)
        .options(selectinload(Registration.conference).selectinload(Conference.host_agency))
    )


def ticket_url(code: str) -> str:
    """The ticket's public address: the page is the ticket, so it is what the QR code holds."""
    return f"{public_base_url()}/tickets/{code}"


def ticket_qr(code: str) -> str:
    """The ticket's QR code as an inline <svg> (it encodes the ticket's address)."""
    return qr_svg_inline(ticket_url(code))


def asked_questions(registration: Registration) -> list[Petition]:
    """The questions sent with this registration, in the order they were sent."""
    return list(db.session.scalars(
        select(Petition).where(Petition.registration_id == registration.id)
        .options(selectinload(Petition.topic)).order_by(Petition.id)
    ))


def live(registration: Registration) -> bool:
    """Whether the registration still holds a seat or a place on the waiting list."""
    return registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def cancellable(registration: Registration, now: datetime | None = None) -> bool:
    """Whether the person may still give up their place: live, with a phone, before the conference ends."""
    conference = registration.conference
    return (live(registration) and registration.phone is not None
            and conference.status == ConferenceStatus.PUBLISHED and conference.ends_at > (now or utcnow()))


def phone_ends_with(registration: Registration, digits: str) -> bool:
    """Whether the registration's phone ends with `digits` (its last CANCEL_DIGITS), in constant time."""
    if (registration.phone is None or len(digits) != CANCEL_DIGITS or not digits.isascii()
            or not digits.isdigit()):
        return False
    return hmac.compare_digest(registration.phone[-CANCEL_DIGITS:], digits)


def initials(name: str | None) -> str:
    """"Nguyễn Văn An" → "N. V. A.": enough for a person to recognize their own registration."""
    words = (name or "").split()
    return " ".join(f"{word[0].upper()}." for word in words[:6])


def masked_phone(phone: str | None) -> str:
    """Only the last SHOWN_PHONE_DIGITS digits of a phone: "••• 78"."""
    if not phone:
        return ""
    return f"{MASK} {phone[-SHOWN_PHONE_DIGITS:]}"


def masked_email(email: str | None) -> str:
    """An email with its local part hidden but its first letter: "n•••@gmail.com"."""
    if not email or "@" not in email:
        return ""
    local, domain = email.rsplit("@", 1)
    return f"{local[:1]}{MASK}@{domain}"


def _location(conference: Conference) -> str:
    """Where the conference takes place, as a calendar shows it: the venue, the online link, or both."""
    parts = []
    if conference.mode != ConferenceMode.ONLINE and conference.venue:
        parts.append(conference.venue)
    if conference.mode != ConferenceMode.IN_PERSON and conference.online_url:
        parts.append(conference.online_url)
    return " · ".join(parts)


def calendar_file(registration: Registration, *, locale: str, description: str) -> bytes:
    """The registration's conference as an iCalendar file (one VEVENT) that calendar apps import.

    The UID is stable per registration, so importing the file again after a change updates the
    event instead of adding a second one; a cancelled registration or conference says
    STATUS:CANCELLED. Times are written in UTC, which every calendar converts to its own zone.
    """
    conference = registration.conference
    url = ticket_url(registration.ticket_code)
    host = urlsplit(public_base_url()).hostname or "lang-nghe"
    cancelled = (registration.status == RegistrationStatus.CANCELLED
                 or conference.status == ConferenceStatus.CANCELLED)

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Lang Nghe//Dialogue conferences//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    event = icalendar.Event()
    event.add("uid", f"registration-{registration.id}@{host}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", conference.starts_at)
    event.add("dtend", conference.ends_at)
    event.add("summary", conference.title(locale))
    location = _location(conference)
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()

