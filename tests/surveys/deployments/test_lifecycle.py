"""Pause, resume, end: who may, from which state, and one active deployment per agency, enforced by
the check and, when that is raced past, by the database's partial unique index."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.deployments import services
from feedback.surveys.models import Deployment, DeploymentStatus
from feedback.surveys.services import deploy, live_deployment_for, load_default_survey
from tests.surveys.deployments.helpers import action


def _status(deployment_id: int) -> str:
    """The stored status, read afresh."""
    db.session.expire_all()
    return db.session.get(Deployment, deployment_id).status.value


def _actions() -> list[tuple[str, str]]:
    """(action, object id) of the deployment audit events, in order."""
    return [(e.action, e.object_id) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("deployment.%")).order_by(AuditEvent.id))]


@pytest.fixture
def at_a(app, tree) -> int:
    """The id of an active open deployment of the default survey at department A."""
    deployment = deploy(load_default_survey(), tree.dept_a)[0]
    db.session.commit()
    return deployment.id


def _paused_beside_an_active_one(tree, at_a: int) -> int:
    """Pause `at_a`, then put another active deployment at A straight into the database.

    The app's own deploy() ends paused deployments, so this state only arises from a race or an
    old row; that is exactly when resume must still keep one active deployment per agency.
    Returns the id of the active one.
    """
    paused = db.session.get(Deployment, at_a)
    paused.status = DeploymentStatus.PAUSED
    other = Deployment(version_id=paused.version_id, agency_id=tree.dept_a.id,
                       status=DeploymentStatus.ACTIVE, starts_at=utcnow())
    db.session.add(other)
    db.session.commit()
    return other.id


def test_pause_resume_end_and_their_audit_trail(organizer_a_client, tree, at_a):
    paused = action(organizer_a_client, at_a, "pause", status="active", lang="en")
    assert paused.status_code == 303 and paused.headers["Location"].endswith("?status=active")
    assert _status(at_a) == "paused" and live_deployment_for("A") is None
    assert "The deployment is paused." in organizer_a_client.get(
        "/manage/deployments/?lang=en").get_data(as_text=True)
    assert action(organizer_a_client, at_a, "resume").status_code == 303
    assert _status(at_a) == "active" and live_deployment_for("A").id == at_a
    assert action(organizer_a_client, at_a, "end").status_code == 303
    ended = db.session.get(Deployment, at_a)
    assert ended.status == DeploymentStatus.ENDED and ended.ends_at <= utcnow()
    assert _actions() == [("deployment.pause", str(at_a)), ("deployment.resume", str(at_a)),
                          ("deployment.end", str(at_a))]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "deployment.end")).one()
    assert event.actor_id == tree.organizer_a.id and event.details == {"agency": "A"}


@pytest.mark.parametrize(("setup", "verb", "message"), [
    ("ended", "resume", "Only a paused deployment can be resumed."),
    ("ended", "pause", "Only an active deployment can be paused."),
    ("ended", "end", "This deployment has already ended."),
    ("active", "resume", "Only a paused deployment can be resumed."),
    ("paused_over", "resume", "This deployment&#39;s period is over"),
])
def test_a_state_that_does_not_allow_the_action_is_refused(organizer_a_client, at_a, setup, verb,
                                                           message):
    deployment = db.session.get(Deployment, at_a)
    if setup == "ended":
        deployment.status, deployment.ends_at = DeploymentStatus.ENDED, utcnow()
    elif setup == "paused_over":
        deployment.status = DeploymentStatus.PAUSED
        deployment.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    before = _status(at_a)
    organizer_a_client.get("/manage/deployments/?lang=en")
    refused = action(organizer_a_client, at_a, verb)
    assert refused.status_code == 409
    assert message in refused.get_data(as_text=True)
    assert _status(at_a) == before and _actions() == []


def test_resuming_beside_another_active_deployment_is_refused(organizer_a_client, tree, at_a):
    other = _paused_beside_an_active_one(tree, at_a)
    organizer_a_client.get("/manage/deployments/?lang=en")
    refused = action(organizer_a_client, at_a, "resume")
    assert refused.status_code == 409
    assert "Another survey is already active at Department of Justice." in refused.get_data(as_text=True)
    assert _status(at_a) == "paused" and _status(other) == "active" and _actions() == []


def test_the_database_index_refuses_a_resume_that_raced_past_the_check(organizer_a_client, tree, at_a,
                                                                       monkeypatch):
    other = _paused_beside_an_active_one(tree, at_a)
    # As if the other deployment became active between the check and the write.
    monkeypatch.setattr(services, "_other_active", lambda deployment: False)
    organizer_a_client.get("/manage/deployments/?lang=en")
    refused = action(organizer_a_client, at_a, "resume")
    assert refused.status_code == 409
    assert "Another survey is already active at Department of Justice." in refused.get_data(as_text=True)
    assert _status(at_a) == "paused" and _status(other) == "active" and _actions() == []


def test_the_index_allows_one_active_deployment_per_agency(app, tree, at_a):
    first = db.session.get(Deployment, at_a)
    db.session.add(Deployment(version_id=first.version_id, agency_id=tree.dept_a.id,
                              status=DeploymentStatus.PAUSED, starts_at=utcnow()))
    db.session.add(Deployment(version_id=first.version_id, agency_id=tree.dept_a.id,
                              status=DeploymentStatus.ENDED, starts_at=utcnow()))
    db.session.commit()  # paused and ended ones may sit beside the active one
    db.session.add(Deployment(version_id=first.version_id, agency_id=tree.dept_a.id,
                              status=DeploymentStatus.ACTIVE, starts_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_another_subtrees_deployment_cannot_be_touched(organizer_a_client, tree):
    theirs = deploy(load_default_survey(), tree.dept_b)[0]
    db.session.commit()
    for verb in ("pause", "resume", "end"):
        assert action(organizer_a_client, theirs.id, verb).status_code == 404
    assert action(organizer_a_client, 999999, "pause").status_code == 404
    assert _status(theirs.id) == "active"


def test_actions_are_posts_with_a_csrf_token(organizer_a_client, at_a):
    assert organizer_a_client.get(f"/manage/deployments/{at_a}/pause").status_code == 405
    assert organizer_a_client.post(f"/manage/deployments/{at_a}/pause").status_code == 400
    assert _status(at_a) == "active"
