"""Which conferences an organizer manages: those hosted by an agency in one of their subtrees."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from feedback.accounts.authz import agency_filter
from feedback.accounts.models import Role, User
from feedback.agencies.models import Agency
from feedback.dialogues.models import Conference
from feedback.extensions import db


def managed_conferences_condition(user: User):
    """SQL condition on Conference: hosted in a subtree `user` organizes (admins: all)."""
    return Conference.host_agency_id.in_(select(Agency.id).where(agency_filter(user, Role.ORGANIZER)))


def get_managed_conference_or_404(conference_id: int) -> Conference:
    """The conference if the signed-in organizer manages it; 404 otherwise (existence not leaked)."""
    conference = db.session.scalar(
        select(Conference).where(Conference.id == conference_id,
                                 managed_conferences_condition(current_user)))
    if conference is None:
        abort(404)
    return conference
