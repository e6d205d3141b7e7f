"""The reminder the day before: queued by a daily cron job for everyone holding a seat."""

from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select

from feedback.core.dates import local_days, local_zone
from feedback.dialogues.messages import Kind
from feedback.dialogues.models import Conference, ConferenceStatus, Registration, RegistrationStatus
from feedback.dialogues.notices import notify_registration
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification


def tomorrow() -> date:
    """Tomorrow's date where the conferences take place."""
    return utcnow().astimezone(local_zone()).date() + timedelta(days=1)


def conferences_starting_on(day: date) -> list[Conference]:
    """Published conferences whose start falls on `day`, local time."""
    start, end = local_days(day, day, local_zone())
    return list(db.session.scalars(
        select(Conference)
        .where(Conference.status == ConferenceStatus.PUBLISHED,
               Conference.starts_at >= start, Conference.starts_at < end)
        .order_by(Conference.starts_at, Conference.id)
    ))


def queue_reminders(day: date) -> int:
    """Queue the reminder for every confirmed registrant of the conferences on `day` who can be
    reached: by email, and by SMS / Zalo when they chose it.

    Returns how many reminder messages were new (one per channel). A registration's reminder has
    one dedupe key per channel, so running the command twice queues nothing twice (and a conference
    moved to another day after its reminders went out does not send them again).
    """
    registrations = list(db.session.scalars(
        select(Registration)
        .join(Registration.conference)
        .where(Registration.conference_id.in_([c.id for c in conferences_starting_on(day)]),
               Registration.status == RegistrationStatus.CONFIRMED,
               or_(and_(Registration.email.is_not(None), Registration.email != ""),
                   and_(Registration.phone.is_not(None),
                        or_(Registration.notify_sms.is_(True), Registration.notify_zalo.is_(True)))))
        .order_by(Registration.id)
    ))
    keys = [f"{Kind.CONFERENCE_REMINDER}:{registration.id}{channel}" for registration in registrations
            for channel in ("", ":sms", ":zalo")]
    before = _existing(keys)
    for registration in registrations:
        notify_registration(registration, Kind.CONFERENCE_REMINDER)
    db.session.flush()
    return _existing(keys) - before


def _existing(keys: list[str]) -> int:
    """How many of the outbox dedupe `keys` are written already."""
    if not keys:
        return 0
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.dedupe_key.in_(keys)))
