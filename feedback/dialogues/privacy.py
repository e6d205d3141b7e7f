"""Forgetting registrants once the retention period after their conference is over."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from feedback.audit.services import record
from feedback.dialogues.messages import Kind
from feedback.dialogues.models import Conference, Petition, Registration
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification, TextBudget

# Outbox messages keyed by registration id (the petition answer is keyed by petition id).
_REGISTRATION_KINDS = [kind.value for kind in Kind if kind != Kind.PETITION_ANSWERED]
_CHUNK = 500


@dataclass(frozen=True)
class PurgeResult:
    """What a purge anonymized (or, in a dry run, would anonymize)."""

    conferences: int
    registrations: int
    notifications: int
    cutoff: datetime


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Conferences that ended before this instant are past PERSONAL_DATA_RETENTION_DAYS."""
    return (now or utcnow()) - timedelta(days=current_app.config["PERSONAL_DATA_RETENTION_DAYS"])


def purge_personal_data(*, dry_run: bool = False, now: datetime | None = None) -> PurgeResult:
    """Anonymize the registrants of conferences that ended before the retention cutoff; flushes.

    Name, phone, email and locality become NULL and `anonymized_at` is set; status, check-in time,
    walk-in flag and counts stay, and so do petitions (their link to the registration row names no
    one any more). Outbox messages to those registrants go too: unsent ones are deleted (the
    conference is long over), sent and given-up ones lose their address. Cancelled conferences
    count from their planned end like the others. Registrations already anonymized are left alone,
    so a second run changes nothing and records nothing. The audit event has no actor (cron).
    """
    now = now or utcnow()
    cutoff = retention_cutoff(now)
    rows = db.session.execute(
        select(Registration.id, Registration.conference_id)
        .join(Conference, Conference.id == Registration.conference_id)
        .where(Conference.ends_at < cutoff, Registration.anonymized_at.is_(None))
        .order_by(Registration.id)
    ).all()
    registration_ids = [row.id for row in rows]
    conference_ids = sorted({row.conference_id for row in rows})
    notifications = 0
    for start in range(0, len(registration_ids), _CHUNK):
        notifications += _forget_messages(registration_ids[start:start + _CHUNK], dry_run=dry_run)
    if not dry_run and registration_ids:
        for start in range(0, len(registration_ids), _CHUNK):
            db.session.execute(
                update(Registration)
                .where(Registration.id.in_(registration_ids[start:start + _CHUNK]))
                .values(full_name=None, search_name=None, phone=None, email=None, locality=None,
                        anonymized_at=now)
                .execution_options(synchronize_session=False)
            )
        record("personal_data.purged", None, actor=None, conferences=len(conference_ids),
               registrations=len(registration_ids), notifications=notifications,
               conference_ids=conference_ids, cutoff=cutoff.isoformat(timespec="seconds"),
               retention_days=current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
        db.session.flush()
        # Objects already loaded in this session must not show the old values.
        db.session.expire_all()
    return PurgeResult(conferences=len(conference_ids), registrations=len(registration_ids),
                       notifications=notifications, cutoff=cutoff)


def _forget_messages(registration_ids: list[int], *, dry_run: bool) -> int:
    """Delete unsent outbox messages to these registrants, blank the address of sent ones; count them.

    A registrant's messages are those sent to their address whose dedupe key names their
    registration ("kind:registration id", or "kind:registration id:repeat") or, for an answered
    question, their petition; messages to the same address about someone else's registration stay.
    """
    people = db.session.execute(
        select(Registration.id, Registration.email, Registration.phone)
        .where(Registration.id.in_(registration_ids),
               or_(Registration.email.is_not(None), Registration.phone.is_not(None)))
    ).all()
    emails = sorted({person.email for person in people if person.email})
    phones = sorted({person.phone for person in people if person.phone})
    if not emails and not phones:
        return 0
    if phones and not dry_run:
        # The daily text-message counters are keyed by number: personal data too.
        db.session.execute(delete(TextBudget).where(TextBudget.key.in_([f"phone:{p}" for p in phones]))
                           .execution_options(synchronize_session=False))
    petition_ids = set(db.session.scalars(
        select(Petition.id).where(Petition.registration_id.in_(registration_ids))))
    theirs = {(kind, registration_id) for kind in _REGISTRATION_KINDS for registration_id in registration_ids}
    theirs |= {(Kind.PETITION_ANSWERED.value, petition_id) for petition_id in petition_ids}
    candidates = db.session.execute(
        select(Notification.id, Notification.dedupe_key, Notification.sent_at)
        .where(or_(Notification.to_email.in_(emails), Notification.to_phone.in_(phones)))
    ).all()
    unsent, sent = [], []
    for message in candidates:
        kind, _sep, rest = message.dedupe_key.partition(":")
        subject_id = rest.partition(":")[0]
        if subject_id.isdigit() and (kind, int(subject_id)) in theirs:
            (sent if message.sent_at is not None else unsent).append(message.id)
    if not dry_run:
        if unsent:
            # Pending or given up: nobody will deliver them now, and a worker that claimed one
            # finds it gone.
            db.session.execute(delete(Notification).where(Notification.id.in_(unsent))
                               .execution_options(synchronize_session=False))
        if sent:
            db.session.execute(update(Notification).where(Notification.id.in_(sent))
                               .values(to_email="", to_phone=None, last_error="")
                               .execution_options(synchronize_session=False))
    return len(unsent) + len(sent)
