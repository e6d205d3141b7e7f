"""A held conference's closing report: attendees, summary, and commitments that become petitions."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from feedback.accounts.models import User
from feedback.agencies.models import Agency
from feedback.audit.services import record
from feedback.dialogues.models import (
    Conference,
    ConferenceStatus,
    Petition,
    PetitionSource,
    RegistrationStatus,
    Topic,
)
from feedback.dialogues.petitions.services import create_petition
from feedback.dialogues.seats import status_counts
from feedback.extensions import db
from feedback.models import utcnow


class ReportRefused(Exception):
    """A report the conference's state does not allow: `reason` is "not_held" or "already_reported"."""

    def __init__(self, reason: str):
        """Refuse for `reason`."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Commitment:
    """One commitment written into the report: what, by which agency, by when, on which topic."""

    text: str
    agency: Agency
    due_date: date
    topic: Topic | None = None


def checked_in_count(conference: Conference) -> int:
    """Registrations checked in at `conference` (status attended): the attendee count's default."""
    return status_counts(conference.id).get(RegistrationStatus.ATTENDED, 0)


def check_reportable(conference: Conference) -> None:
    """Refuse a report for a conference not held yet, or reported already."""
    if conference.status == ConferenceStatus.REPORTED:
        raise ReportRefused("already_reported")
    if conference.status != ConferenceStatus.HELD:
        raise ReportRefused("not_held")


def submit_report(conference: Conference, *, attendee_count: int, summary: str,
                  commitments: list[Commitment], actor: User) -> list[Petition]:
    """Write the report and mark the conference reported; each commitment becomes a petition
    assigned to its agency (source commitment). Flushed and audited; the caller commits.

    The status moves by a conditional UPDATE, so two organizers sending the report at once
    cannot both write commitments: the second finds the conference reported.
    """
    check_reportable(conference)
    result = db.session.execute(
        update(Conference).where(Conference.id == conference.id, Conference.status == ConferenceStatus.HELD)
        .values(status=ConferenceStatus.REPORTED, reported_at=utcnow(), attendee_count=attendee_count,
                report_summary=summary)
        .execution_options(synchronize_session=False))
    db.session.refresh(conference)
    if result.rowcount != 1:
        check_reportable(conference)
        raise ReportRefused("already_reported")
    # A commitment is the authorities' own promise, read out in public: nobody's consent is needed.
    petitions = [create_petition(text=c.text, source=PetitionSource.COMMITMENT, conference=conference,
                                 topic=c.topic, consent_to_publish=True, agency=c.agency,
                                 due_date=c.due_date)
                 for c in commitments]
    record("conference.report", conference, actor=actor, attendee_count=attendee_count,
           commitments=[p.tracking_code for p in petitions])
    return petitions


def commitments_of(conference: Conference) -> list[Petition]:
    """The commitments of `conference`'s report, in the order they were written."""
    return list(db.session.scalars(
        select(Petition).where(Petition.conference_id == conference.id,
                               Petition.source == PetitionSource.COMMITMENT)
        .order_by(Petition.id)))
