"""Which conferences a staff member may reach: those hosted by an agency in one of their subtrees.

The one guard of the dialogue pages: organizers manage the conferences of their subtrees, and
leaders (where a page lets them) read those of theirs. A conference outside them is a 404, so its
existence is not leaked.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from feedback.accounts.authz import agency_filter
from feedback.accounts.models import Role, User
from feedback.agencies.models import Agency
from feedback.dialogues.models import Conference
from feedback.extensions import db


def hosted_conferences_condition(user: User, *roles: Role):
    """SQL condition on Conference: hosted in a subtree where `user` holds one of `roles` (admins: all)."""
    return Conference.host_agency_id.in_(select(Agency.id).where(agency_filter(user, *roles)))


def managed_conferences_condition(user: User):
    """SQL condition on Conference: hosted in a subtree `user` organizes (admins: all)."""
    return hosted_conferences_condition(user, Role.ORGANIZER)


def hosted_conference(conference_id: int, *roles: Role) -> Conference | None:
    """The conference, if hosted in a subtree where the signed-in user holds one of `roles`."""
    return db.session.scalar(select(Conference).where(
        Conference.id == conference_id, hosted_conferences_condition(current_user, *roles)))


def conference_or_404(conference_id: int, *roles: Role) -> Conference:
    """The conference if hosted in a subtree where the signed-in user holds one of `roles`; 404
    otherwise (existence not leaked)."""
    conference = hosted_conference(conference_id, *roles)
    if conference is None:
        abort(404)
    return conference


def get_managed_conference_or_404(conference_id: int) -> Conference:
    """The conference if the signed-in organizer manages it; 404 otherwise (existence not leaked)."""
    return conference_or_404(conference_id, Role.ORGANIZER)
