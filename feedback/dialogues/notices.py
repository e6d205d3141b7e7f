"""The dialogue events that tell people something: each writes its outbox message in the caller's transaction.

Registrants without an email address get no message (their ticket page always shows the status).
The context is a snapshot of what the message says, so the worker needs nothing else to render it.
"""

from sqlalchemy import select

from feedback.core.public_urls import public_base_url
from feedback.dialogues.messages import Kind
from feedback.dialogues.models import Conference, Petition, Registration, RegistrationStatus
from feedback.extensions import db
from feedback.notifications.outbox import enqueue


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
    if not registration.email:
        return
    locale = registration.locale
    context = _conference_context(registration.conference, locale)
    context.update(
        ticket_code=registration.ticket_code,
        ticket_url=f"{public_base_url()}/tickets/{registration.ticket_code}",
        waitlist_position=registration.waitlist_position,
    )
    enqueue(kind, f"{kind}:{registration.id}" + (f":{again}" if again else ""),
            to_email=registration.email, locale=locale,
            context=context)


def notify_conference_cancelled(conference: Conference) -> None:
    """Queue the cancellation message for everyone still holding a seat or a waiting-list place."""
    live = db.session.scalars(
        select(Registration).where(
            Registration.conference_id == conference.id,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
            Registration.email.is_not(None),
        )
    )
    for registration in live:
        enqueue(Kind.CONFERENCE_CANCELLED, f"{Kind.CONFERENCE_CANCELLED}:{registration.id}",
                to_email=registration.email, locale=registration.locale,
                context=_conference_context(conference, registration.locale)
                | {"ticket_code": registration.ticket_code})


def notify_petition_answered(petition: Petition) -> None:
    """Queue "your question was answered" for the asker, when they registered with an email."""
    registration = petition.registration
    if registration is None or not registration.email:
        return
    locale = registration.locale
    context = {
        "tracking_code": petition.tracking_code,
        "track_url": f"{public_base_url()}/track/{petition.tracking_code}",
        "question": petition.text[:300],
    }
    if petition.conference is not None:
        context |= _conference_context(petition.conference, locale)
    enqueue(Kind.PETITION_ANSWERED, f"{Kind.PETITION_ANSWERED}:{petition.id}",
            to_email=registration.email, locale=locale, context=context)
