"""Petitions follow a reorganization: the open ones of an agency that ended move to its successor
with their due dates (the answered and closed ones keep the agency that answered them)."""

from sqlalchemy import update

from feedback.core import events
from feedback.dialogues.models import Petition, PetitionStatus
from feedback.extensions import db

OPEN_STATUSES = (PetitionStatus.RECEIVED, PetitionStatus.ASSIGNED)


def move_open_petitions(predecessor_id: int, successor_id: int) -> int:
    """Hand the predecessor's open petitions to the successor, due dates kept; how many moved.
    A split announces its history successor first, so that one takes them."""
    result = db.session.execute(
        update(Petition).where(Petition.agency_id == predecessor_id, Petition.status.in_(OPEN_STATUSES))
        .values(agency_id=successor_id).execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def subscribe() -> None:
    """Move open petitions when an agency is succeeded (called when the app is built)."""
    events.agency_succeeded.connect(_on_succeeded)


def _on_succeeded(_sender, *, predecessor, successor, on, carries_history) -> None:
    """An agency ended into a successor: its open petitions go there, in the sender's transaction."""
    move_open_petitions(predecessor.id, successor.id)
