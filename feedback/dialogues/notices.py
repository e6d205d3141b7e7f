"""The dialogue events that tell people something: each writes its outbox message in the caller's transaction.

A message goes by email when the registrant gave an address, and by SMS and / or Zalo to the phone
they signed up with when they chose those channels on the form (never to any other number).
Registrants who chose nothing get no message (their ticket page always shows the status). The
context is a snapshot of what the message says, so the worker needs nothing else to render it.
"""

from sqlalchemy import select

from feedback.core.public_urls import public_base_url
from feedback.dialogues.messages import Kind
from feedback.dialogues.models import Conference, Petition, Registration, RegistrationStatus
from feedback.extensions import db
from feedback.notifications.outbox import enqueue
from feedback.notifications.texts import SMS, ZALO


def send_to(registration: Registration, kind: str, dedupe_key: str, context: dict) -> None:
    """Queue `kind` for `registration` on every channel it chose: email, SMS, Zalo (one row each).

    Text messages count against the conference's and the host agency's daily budgets.
    """
    if registration.email:
        enqueue(kind, dedupe_key, to_email=registration.email, locale=registration.locale, context=context)
    if not registration.phone:
        return
    conference = registration.conference
    budget_keys = [f"conference:{conference.id}", f"agency:{conference.host_agency_id}"]
    for channel, chosen in ((SMS, registration.notify_sms), (ZALO, registration.notify_zalo)):
        if chosen:
            enqueue(kind, f"{dedupe_key}:{channel}", channel=channel, to_phone=registration.phone,
                    locale=registration.locale, context=context, budget_keys=budget_keys)


def reachable(registration: Registration) -> bool:
    """Whether any message reaches `registration` (an email, or a text channel it chose)."""
    return bool(registration.email or (registration.phone and (registration.notify_sms
                                                               or registration.notify_zalo)))


def _conference_context(conference: Conference, locale: str) -> dict:
    """What every message about `conference` says of it."""
    return {
        "conference_id": conference.id,
        "title": conference.title(locale),
        "starts_at": conference.starts_at.isoformat(),
        "ends_at": conference.ends_at.isoformat(),
        "venue": conference.venue,
        "online_url": conference.online_url,
        "mode": conference.mode.value,
    }


def notify_registration(registration: Registration, kind: Kind, *, again: str = "") -> None:
    """Queue `kind` (confirmed, waitlisted, promoted, cancelled, reminder) for `registration`.

    One message of a kind per registration: the dedupe key makes a repeated call harmless. `again`
    names a deliberate repeat (a ticket sent once more on request), one per distinct value.
    """
    send_to(registration, kind, f"{kind}:{registration.id}" + (f":{again}" if again else ""),
            _registration_context(registration))


def _registration_context(registration: Registration) -> dict:
    """What a message about `registration` says: its conference, ticket and waiting-list place."""
    context = _conference_context(registration.conference, registration.locale)
    context.update(
        ticket_code=registration.ticket_code,
        ticket_url=f"{public_base_url()}/tickets/{registration.ticket_code}",
        waitlist_position=registration.waitlist_position,
    )
    return context


def text_ticket_link(registration: Registration, kind: Kind, day: str) -> None:
    """Send the ticket link to the phone given at sign-up (a lost ticket, no email to resend it to):
    on the text channels the person chose, or by SMS when they chose none. Once per local `day`."""
    channels = [channel for channel, chosen in ((SMS, registration.notify_sms),
                                                (ZALO, registration.notify_zalo)) if chosen] or [SMS]
    conference = registration.conference
    for channel in channels:
        enqueue(kind, f"{kind}:{registration.id}:lost-{day}:{channel}", channel=channel,
                to_phone=registration.phone, locale=registration.locale,
                context=_registration_context(registration),
                budget_keys=[f"conference:{conference.id}", f"agency:{conference.host_agency_id}"])


def notify_conference_cancelled(conference: Conference) -> None:
    """Queue the cancellation message for everyone still holding a seat or a waiting-list place."""
    live = db.session.scalars(
        select(Registration).where(
            Registration.conference_id == conference.id,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
        )
    )
    for registration in live:
        send_to(registration, Kind.CONFERENCE_CANCELLED, f"{Kind.CONFERENCE_CANCELLED}:{registration.id}",
                _conference_context(conference, registration.locale)
                | {"ticket_code": registration.ticket_code})


def notify_petition_answered(petition: Petition) -> None:
    """Queue "your question was answered" for the asker, on the channels they chose at sign-up."""
    registration = petition.registration
    if registration is None:
        return
    locale = registration.locale
    context = {
        "tracking_code": petition.tracking_code,
        "track_url": f"{public_base_url()}/track/{petition.tracking_code}",
        "question": petition.text[:300],
    }
    if petition.conference is not None:
        context |= _conference_context(petition.conference, locale)
    send_to(registration, Kind.PETITION_ANSWERED, f"{Kind.PETITION_ANSWERED}:{petition.id}", context)
