"""Surveys follow a reorganization: the deployments of an agency that ended end with it, and its
QR posters and printed one-time codes lead to a page that names the successor and offers its
survey (the public addresses are printed, so they must keep answering)."""

from flask import render_template
from sqlalchemy import select, update

from feedback.agencies.models import Agency
from feedback.agencies.reorganize import live_successors
from feedback.core import events
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.models import Deployment, DeploymentStatus


def end_deployments(agency_id: int) -> int:
    """End the agency's active and paused deployments now; how many ended."""
    result = db.session.execute(
        update(Deployment).where(Deployment.agency_id == agency_id,
                                 Deployment.status != DeploymentStatus.ENDED)
        .values(status=DeploymentStatus.ENDED, ends_at=utcnow())
        .execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def successors_with_survey(agency: Agency) -> list[tuple[Agency, bool]]:
    """(successor of today's tree, whether a survey is live there) for an ended agency."""
    found = live_successors(agency)
    live = set(db.session.scalars(select(Deployment.agency_id).where(
        Deployment.agency_id.in_([a.id for a in found]), Deployment.status == DeploymentStatus.ACTIVE)))
    return [(successor, successor.id in live) for successor in found]


def subscribe() -> None:
    """End deployments when an agency ends (called when the app is built)."""
    events.agency_ended.connect(_on_ended)


def _on_ended(_sender, *, agency, on) -> None:
    """An agency ended: its deployments end too, in the sender's transaction."""
    end_deployments(agency.id)


def successor_page(agency: Agency | None):
    """The page a poster or printed code of an ended agency leads to (410: the survey there is
    gone for good), naming its successors and offering the survey live at each; None when the
    agency has not ended."""
    if agency is None or agency.valid_to is None:
        return None
    return render_template("surveys/succeeded.html", agency=agency,
                           successors=successors_with_survey(agency)), 410
