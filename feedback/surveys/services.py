"""Reads and writes for surveys: finding the live deployment, storing a scored response."""

from sqlalchemy import or_, select

from feedback.agencies.models import Agency
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.models import AccessMode, Deployment, DeploymentStatus


def live_deployments():
    """A Select of deployments taking responses right now."""
    now = utcnow()
    return select(Deployment).where(
        Deployment.status == DeploymentStatus.ACTIVE,
        Deployment.starts_at <= now,
        or_(Deployment.ends_at.is_(None), Deployment.ends_at > now),
    )


def open_survey_agencies() -> list[Agency]:
    """Active agencies with a live open-link survey, in tree order (for the home page)."""
    live = live_deployments().where(Deployment.access_mode == AccessMode.OPEN).subquery()
    return list(db.session.scalars(
        select(Agency).join(live, live.c.agency_id == Agency.id)
        .where(Agency.active.is_(True)).order_by(Agency.path).distinct()
    ))
