"""Writing conferences: creating, editing with a stale-form check, and the status transitions."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from feedback.accounts.models import User
from feedback.agencies.models import Agency
from feedback.audit.services import record
from feedback.core.i18n import format_local_datetime, ngettext
from feedback.core.i18n import gettext as _
from feedback.dialogues.messages import Kind
from feedback.dialogues.models import (
    Conference,
    ConferenceMode,
    ConferenceStatus,
    Registration,
    RegistrationStatus,
    Topic,
)
from feedback.dialogues.notices import notify_conference_cancelled, notify_registration, reachable
from feedback.dialogues.registrations import RegistrationRefused, change_capacity
from feedback.dialogues.seats import seated_count
from feedback.extensions import db
from feedback.models import utcnow

STATUS_LABELS = {
    ConferenceStatus.DRAFT: _l("Draft"),
    ConferenceStatus.PUBLISHED: _l("Published"),
    ConferenceStatus.HELD: _l("Held"),
    ConferenceStatus.REPORTED: _l("Reported"),
    ConferenceStatus.CANCELLED: _l("Cancelled"),
}
MODE_LABELS = {
    ConferenceMode.IN_PERSON: _l("In person"),
    ConferenceMode.ONLINE: _l("Online"),
    ConferenceMode.HYBRID: _l("In person and online"),
}
# Statuses in which the conference's details may still change; after it is held they are history.
EDITABLE = (ConferenceStatus.DRAFT, ConferenceStatus.PUBLISHED)
CANCELLABLE = (ConferenceStatus.DRAFT, ConferenceStatus.PUBLISHED)
LIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class ConferenceRefused(Exception):
    """A change the conference's state forbids; the message is localized and shown as is."""


class StaleEdit(ConferenceRefused):
    """The form was filled in from a version of the conference someone else has since changed."""


class CapacityRefused(ConferenceRefused):
    """A capacity below the seats already taken; `seated` says how many that is."""

    def __init__(self, seated: int):
        """Refuse a capacity below `seated`."""
        super().__init__(ngettext("%(num)s person already holds a seat, so the capacity cannot be lower "
                                  "than %(num)s.",
                                  "%(num)s people already hold a seat, so the capacity cannot be lower "
                                  "than %(num)s.", seated))
        self.seated = seated


class ConferenceIncomplete(ConferenceRefused):
    """Publishing refused: `problems` lists (form field id, message) for what is missing."""

    def __init__(self, problems: list[tuple[str, str]]):
        """Refuse with every missing piece."""
        super().__init__(_("The conference cannot be published yet: complete the details below first."))
        self.problems = problems


@dataclass
class ConferenceDetails:
    """Everything the organizer's form sets on a conference, already validated and in UTC."""

    title_vi: str
    title_en: str
    description_vi: str
    description_en: str
    host_agency: Agency
    mode: ConferenceMode
    venue: str
    online_url: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    leaders: list[dict] = field(default_factory=list)
    agenda: list[dict] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)


def status_label(status: ConferenceStatus) -> str:
    """The status as people read it, in the request's language."""
    return str(STATUS_LABELS[status])


def _current(conference: Conference) -> str:
    """The conference's status in lower case, for a refusal's sentence."""
    return status_label(conference.status).lower()


def edit_fingerprint(conference: Conference) -> str:
    """A short digest of every field the edit form sets, as stored now.

    The form carries it; a save whose digest no longer matches was typed over a version someone
    else has replaced. A digest rather than a counter, because the schema's only counter
    (seat_version) moves with every sign-up, which is no reason to refuse an edit.
    """
    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    state = [
        conference.title_vi, conference.title_en, conference.description_vi, conference.description_en,
        conference.host_agency_id, conference.mode.value, conference.venue, conference.online_url,
        when(conference.starts_at), when(conference.ends_at), conference.capacity,
        when(conference.registration_opens_at), when(conference.registration_closes_at),
        conference.leaders, conference.agenda, sorted(t.id for t in conference.topics),
    ]
    return hashlib.sha256(json.dumps(state, ensure_ascii=False, default=str).encode()).hexdigest()[:20]


def lock_conference(conference: Conference) -> None:
    """Take the conference row's write lock for the rest of the transaction, then re-read it.

    It is the same statement seat changes begin with (registrations._lock_seats), so an edit or a
    status change queues behind a sign-up in progress and the reverse: a sign-up never slips in
    between a cancellation's notices and its end. On SQLite the write as the first statement takes
    the database's write lock where the busy timeout applies.
    """
    db.session.execute(
        update(Conference).where(Conference.id == conference.id)
        .values(seat_version=Conference.seat_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(conference)


def _apply(conference: Conference, details: ConferenceDetails) -> list[str]:
    """Copy `details` (all but the capacity) onto `conference`; returns the names of changed fields."""
    changed = []
    simple = ("title_vi", "title_en", "description_vi", "description_en", "mode", "venue", "online_url",
              "starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "leaders",
              "agenda")
    for name in simple:
        value = getattr(details, name)
        if getattr(conference, name) != value:
            setattr(conference, name, value)
            changed.append(name)
    if conference.host_agency_id != details.host_agency.id:
        conference.host_agency = details.host_agency
        changed.append("host_agency")
    if {t.id for t in conference.topics} != {t.id for t in details.topics}:
        conference.topics = list(details.topics)
        changed.append("topics")
    return changed


def create_conference(details: ConferenceDetails, *, actor: User | None = None) -> Conference:
    """A new draft conference with `details`; flushes and audits, the caller commits."""
    conference = Conference(capacity=details.capacity, status=ConferenceStatus.DRAFT,
                            created_by_id=getattr(actor, "id", None), topics=[], leaders=[], agenda=[],
                            host_agency_id=details.host_agency.id)
    _apply(conference, details)
    db.session.add(conference)
    db.session.flush()
    record("conference.created", conference, actor=actor, agency=details.host_agency.code)
    return conference


def update_conference(conference: Conference, details: ConferenceDetails, *, fingerprint: str,
                      actor: User | None = None, now: datetime | None = None) -> list[Registration]:
    """Save an edit made on the form that showed `fingerprint`; returns those promoted by a raise.

    Refuses (StaleEdit) when someone else saved since that form was opened, and (ConferenceRefused)
    once the conference is held, reported or cancelled. On a published conference the capacity goes
    through the seat rules: a raise promotes from the waiting list in order (each is notified), a
    capacity below the seats taken is refused (CapacityRefused). Flushes; the caller commits, or
    rolls back on a refusal.
    """
    lock_conference(conference)
    if conference.status not in EDITABLE:
        raise ConferenceRefused(_("A conference that is %(status)s can no longer be edited.",
                                  status=_current(conference)))
    if edit_fingerprint(conference) != fingerprint:
        raise StaleEdit(_("Someone else saved changes to this conference after you opened the form. "
                          "Your changes were not saved: the form below shows what you typed; "
                          "compare with the current details, then save again."))
    promoted: list[Registration] = []
    changed = []
    if details.capacity != conference.capacity:
        changed.append("capacity")
        if conference.status == ConferenceStatus.PUBLISHED:
            try:
                promoted = change_capacity(conference, details.capacity, now=now)
            except RegistrationRefused as refused:
                if refused.reason == "below_confirmed":
                    raise CapacityRefused(seated_count(conference.id)) from None
                raise
        else:
            conference.capacity = details.capacity
    changed += _apply(conference, details)
    db.session.flush()
    if changed:
        record("conference.updated", conference, actor=actor, fields=changed,
               promoted=[r.id for r in promoted])
    for registration in promoted:
        notify_registration(registration, Kind.REGISTRATION_PROMOTED)
    return promoted


# ---- status transitions ------------------------------------------------------------------------

def publish_problems(conference: Conference, now: datetime | None = None) -> list[tuple[str, str]]:
    """What a conference still lacks before citizens may see it: (form field id, message) pairs."""
    now = now or utcnow()
    problems = []
    if not conference.title_vi.strip():
        problems.append(("title_vi", _("Give the conference a title.")))
    if not conference.description_vi.strip():
        problems.append(("description_vi", _("Describe the conference for citizens.")))
    if not any((leader.get("name") or "").strip() for leader in conference.leaders or []):
        problems.append(("leaders-0-name", _("Name at least one hosting leader.")))
    if not conference.topics:
        problems.append(("topics", _("Choose at least one topic.")))
    if conference.mode != ConferenceMode.ONLINE and not conference.venue.strip():
        problems.append(("venue", _("Enter the venue.")))
    if conference.mode != ConferenceMode.IN_PERSON and not conference.online_url.strip():
        problems.append(("online_url", _("Enter the online link.")))
    if conference.capacity < 1:
        problems.append(("capacity", _("The capacity must be at least 1.")))
    if conference.starts_at <= now:
        problems.append(("starts_at", _("The start is in the past: a conference that has begun cannot "
                                        "be announced. Change the start first.")))
    if conference.registration_closes_at is not None and conference.registration_closes_at <= now:
        problems.append(("registration_closes_at",
                         _("Registration would already be closed: change when it closes.")))
    return problems


def publish(conference: Conference, *, actor: User | None = None, now: datetime | None = None) -> None:
    """draft → published, once the conference is complete; citizens can then see it and sign up."""
    now = now or utcnow()
    lock_conference(conference)
    if conference.status != ConferenceStatus.DRAFT:
        raise ConferenceRefused(_("Only a draft can be published; this conference is %(status)s.",
                                  status=_current(conference)))
    problems = publish_problems(conference, now)
    if problems:
        raise ConferenceIncomplete(problems)
    conference.status = ConferenceStatus.PUBLISHED
    conference.published_at = now
    db.session.flush()
    record("conference.published", conference, actor=actor, status_from="draft", status_to="published")


def mark_held(conference: Conference, *, actor: User | None = None, now: datetime | None = None) -> None:
    """published → held, only once the conference has started; the closing report comes next."""
    now = now or utcnow()
    lock_conference(conference)
    if conference.status != ConferenceStatus.PUBLISHED:
        raise ConferenceRefused(_("Only a published conference can be marked as held; this one is "
                                  "%(status)s.", status=_current(conference)))
    if conference.starts_at > now:
        raise ConferenceRefused(_("The conference starts at %(when)s; it can be marked as held once it "
                                  "has started.", when=format_local_datetime(conference.starts_at)))
    conference.status = ConferenceStatus.HELD
    db.session.flush()
    record("conference.held", conference, actor=actor, status_from="published", status_to="held")


def live_registrations(conference: Conference) -> tuple[int, int]:
    """(people holding a seat or a waiting-list place, how many of them a message reaches: an email
    address, or SMS / Zalo chosen at sign-up)."""
    rows = list(db.session.scalars(
        select(Registration).where(Registration.conference_id == conference.id,
                                   Registration.status.in_(LIVE))
    ))
    return len(rows), sum(1 for registration in rows if reachable(registration))


def cancel_conference(conference: Conference, *, actor: User | None = None,
                      now: datetime | None = None) -> int:
    """draft/published → cancelled; returns how many live registrations were cancelled with it.

    Everyone holding a seat or a waiting-list place is sent the "conference cancelled" message, then
    their registrations are cancelled too, in one statement: their tickets then say so, nobody is
    promoted into a conference that will not take place, and no separate "registration cancelled"
    message doubles the first. The rows are kept (counts and the registrant list stay readable).
    """
    now = now or utcnow()
    lock_conference(conference)
    if conference.status not in CANCELLABLE:
        raise ConferenceRefused(_("Only a draft or published conference can be cancelled; this one is "
                                  "%(status)s.", status=_current(conference)))
    was = conference.status
    live, reachable = live_registrations(conference)
    notify_conference_cancelled(conference)
    db.session.execute(
        update(Registration)
        .where(Registration.conference_id == conference.id, Registration.status.in_(LIVE))
        .values(status=RegistrationStatus.CANCELLED, cancelled_at=now, waitlist_position=None)
        .execution_options(synchronize_session="fetch")
    )
    conference.status = ConferenceStatus.CANCELLED
    conference.cancelled_at = now
    db.session.flush()
    record("conference.cancelled", conference, actor=actor, status_from=was.value, status_to="cancelled",
           registrations_cancelled=live, notified=reachable)
    return live
