"""Writing petitions and their public timeline; the caller's request commits."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from feedback.agencies.models import Agency
from feedback.dialogues.codes import new_unique_code
from feedback.dialogues.models import (
    Conference,
    Petition,
    PetitionAction,
    PetitionEvent,
    PetitionSource,
    PetitionStatus,
    Registration,
    Topic,
)
from feedback.extensions import db
from feedback.models import utcnow


def local_date(conference: Conference) -> date:
    """The day (in the platform's time zone) the conference ends."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return conference.ends_at.astimezone(zone).date()


def default_due_date(conference: Conference | None) -> date:
    """PETITION_DUE_DAYS after the conference's last day (after today for a petition without one)."""
    days = timedelta(days=current_app.config["PETITION_DUE_DAYS"])
    if conference is None:
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        return utcnow().astimezone(zone).date() + days
    return local_date(conference) + days


def record_event(petition: Petition, action: PetitionAction, note: str = "") -> PetitionEvent:
    """Add a step to `petition`'s timeline with its status after the step."""
    event = PetitionEvent(action=action.value, status=petition.status, note=note, at=utcnow())
    petition.events.append(event)
    return event


def create_petition(*, text: str, source: PetitionSource, conference: Conference | None = None,
                    registration: Registration | None = None, topic: Topic | None = None,
                    consent_to_publish: bool = False, agency: Agency | None = None,
                    due_date: date | None = None) -> Petition:
    """A new petition with its tracking code and first timeline step; flushed, not committed.

    With an `agency` it starts assigned, due on `due_date` or the default (commitments in a
    closing report are written that way); otherwise it waits in the moderation queue as received.
    """
    petition = Petition(
        tracking_code=new_unique_code(Petition.tracking_code), text=text, source=source,
        conference=conference, registration=registration, topic=topic,
        consent_to_publish=consent_to_publish, status=PetitionStatus.RECEIVED, created_at=utcnow(),
    )
    db.session.add(petition)
    record_event(petition, PetitionAction.RECEIVED)
    if agency is not None:
        petition.agency = agency
        petition.due_date = due_date or default_due_date(conference)
        petition.status = PetitionStatus.ASSIGNED
        record_event(petition, PetitionAction.ASSIGNED)
    db.session.flush()
    return petition
