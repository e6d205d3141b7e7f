"""Deploying a survey version at agencies, finding the live one, and the deploy command."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.models import (
    AccessMode,
    Deployment,
    DeploymentStatus,
    Survey,
    SurveyVersion,
    VersionStatus,
)
from feedback.surveys.services import deploy, live_deployment_for, load_default_survey


def _statuses():
    """{agency code: [status of each deployment, oldest first]}."""
    result: dict[str, list[str]] = {}
    for d in db.session.scalars(select(Deployment).order_by(Deployment.id)):
        result.setdefault(d.agency.code, []).append(d.status.value)
    return result


def test_a_draft_version_cannot_be_deployed(app, tree):
    draft = SurveyVersion(survey=Survey(key="draft"), number=1, title_vi="Nháp")
    db.session.add(draft)
    db.session.flush()
    with pytest.raises(ValueError, match="published"):
        deploy(draft, tree.dept_a)
    assert db.session.scalars(select(Deployment)).all() == []


def test_deploy_at_one_agency_or_its_whole_active_subtree(app, tree):
    version = load_default_survey()
    tree.commune_a.active = False
    only = deploy(version, tree.dept_a)
    assert [d.agency.code for d in only] == ["A"]
    everywhere = deploy(version, tree.dept_a, subtree=True, actor=tree.admin)
    db.session.commit()
    # The inactive commune A2 and the sibling department B get nothing.
    assert sorted(d.agency.code for d in everywhere) == ["A", "A1"]
    assert all(d.created_by_id == tree.admin.id for d in everywhere)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "survey.deploy")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.actor_id == tree.admin.id and event.details["agencies"] == ["A", "A1"]


def test_a_new_deployment_ends_the_earlier_one_so_each_agency_has_one(app, tree):
    version = load_default_survey()
    deploy(version, tree.dept_a)
    deploy(version, tree.dept_b)
    deploy(version, tree.province, subtree=True)
    db.session.commit()
    statuses = _statuses()
    assert statuses["A"] == ["ended", "active"]
    assert statuses["B"] == ["ended", "active"]
    assert statuses["P"] == ["active"]
    ended = db.session.scalars(select(Deployment).where(
        Deployment.status == DeploymentStatus.ENDED)).all()
    assert all(d.ends_at is not None and d.ends_at <= utcnow() for d in ended)
    assert live_deployment_for("A").id == max(d.id for d in db.session.scalars(
        select(Deployment).where(Deployment.agency_id == tree.dept_a.id)))


def test_deploying_at_an_inactive_agency_is_refused(app, tree):
    version = load_default_survey()
    tree.dept_b.active = False
    with pytest.raises(ValueError, match="not active"):
        deploy(version, tree.dept_b)


def test_live_deployment_matches_codes_in_any_case_and_only_open_live_ones(app, tree):
    version = load_default_survey()
    assert live_deployment_for("A") is None
    deployment = deploy(version, tree.dept_a)[0]
    deploy(version, tree.dept_b, access_mode=AccessMode.CODE)
    deploy(version, tree.counter_a, starts_at=utcnow() + timedelta(days=1))
    deploy(version, tree.commune_a, starts_at=utcnow() - timedelta(days=9),
           ends_at=utcnow() - timedelta(days=1))
    db.session.commit()
    assert live_deployment_for("A").id == deployment.id
    assert live_deployment_for("a").id == deployment.id
    assert live_deployment_for("B") is None  # one-time codes only
    assert live_deployment_for("A1") is None  # not started yet
    assert live_deployment_for("A2") is None  # already over
    assert live_deployment_for("NOPE") is None
    deployment.status = DeploymentStatus.PAUSED
    db.session.commit()
    assert live_deployment_for("A") is None
    deployment.status = DeploymentStatus.ACTIVE
    tree.dept_a.active = False
    db.session.commit()
    assert live_deployment_for("A") is None


def test_cli_deploy_needs_the_default_survey_and_a_known_agency(runner, tree):
    missing = runner.invoke(args=["surveys", "deploy", "--agency", "A"])
    assert missing.exit_code != 0 and "flask surveys load-default" in missing.output
    runner.invoke(args=["surveys", "load-default"])
    unknown = runner.invoke(args=["surveys", "deploy", "--agency", "ZZZ"])
    assert unknown.exit_code != 0 and "No agency has the code 'ZZZ'" in unknown.output
    assert db.session.scalars(select(Deployment)).all() == []


def test_cli_deploy_at_an_agency_and_its_subtree(runner, tree):
    runner.invoke(args=["surveys", "load-default"])
    one = runner.invoke(args=["surveys", "deploy", "--agency", "B"])
    assert one.exit_code == 0, one.output
    assert "at 1 agency" in one.output and "/s/B" in one.output
    subtree = runner.invoke(args=["surveys", "deploy", "--agency", "a", "--subtree"])
    assert subtree.exit_code == 0, subtree.output
    assert "at 3 agencies" in subtree.output
    assert all(f"/s/{code}" in subtree.output for code in ("A", "A1", "A2"))
    assert _statuses() == {"B": ["active"], "A": ["active"], "A1": ["active"], "A2": ["active"]}
    version = db.session.scalars(select(Deployment)).first().version
    assert version.status == VersionStatus.PUBLISHED and version.survey.key == "sipas"
