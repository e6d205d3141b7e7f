"""`flask seed-demo` builds a believable province once, and prints the logins."""

from sqlalchemy import func, select

from feedback.agencies.models import Agency
from feedback.extensions import db
from feedback.surveys.models import Response, ResponseScore
from tests.conftest import AuthActions


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_loads_a_province_and_prints_logins(app, runner):
    result = runner.invoke(args=["seed-demo", "--responses", "300"])
    assert result.exit_code == 0, result.output
    assert "Demo loaded: 30 agencies, 300 responses." in result.output
    assert "lanhdao@langnghe.vn" in result.output and "demo-lanhdao-2026" in result.output
    code = result.output.split("/r/")[1].split()[0]
    assert app.test_client().get(f"/r/{code}").status_code == 200  # the printed code opens the survey
    assert db.session.scalar(select(func.max(Agency.depth))) == 2
    assert _count(Response) == 300
    # Every response not consisting only of "not applicable" answers has its dimension scores.
    assert _count(ResponseScore) >= 300 * 4
    months = {r.submitted_at.strftime("%Y-%m") for r in db.session.scalars(select(Response))}
    assert len(months) >= 11

    client = app.test_client()
    assert AuthActions(client).login("lanhdao@langnghe.vn", "demo-lanhdao-2026").status_code == 302


def test_seed_demo_runs_only_on_an_empty_database(app, runner):
    runner.invoke(args=["seed-demo", "--responses", "20"])
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "demo not loaded again" in again.output
    assert "admin@langnghe.vn" in again.output
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0 and "only loaded into an empty database" in refused.output
    assert _count(Response) == 20


def test_seed_demo_adds_conferences_in_every_state(app, runner):
    from feedback.dialogues.models import (
        Conference,
        ConferenceStatus,
        Petition,
        PetitionStatus,
        Registration,
        RegistrationStatus,
    )
    from feedback.dialogues.registrations import seats_left, waitlist_length
    from feedback.models import utcnow

    result = runner.invoke(args=["seed-demo", "--responses", "20"])
    assert result.exit_code == 0, result.output
    assert "Dialogues: 8 conferences" in result.output
    conferences = list(db.session.scalars(select(Conference)))
    assert {c.status for c in conferences} == set(ConferenceStatus)
    upcoming = [c for c in conferences if c.status == ConferenceStatus.PUBLISHED]
    assert any(0 < seats_left(c) <= 5 for c in upcoming)  # only a few seats left
    assert any(waitlist_length(c) > 0 and seats_left(c) == 0 for c in upcoming)
    assert all(c.starts_at > utcnow() for c in upcoming)
    held = next(c for c in conferences if c.status == ConferenceStatus.HELD)
    assert db.session.scalar(select(func.count(Registration.id)).where(
        Registration.conference_id == held.id, Registration.status == RegistrationStatus.ATTENDED)) > 50
    held_statuses = set(db.session.scalars(select(Petition.status).where(Petition.conference_id == held.id)))
    assert held_statuses == set(PetitionStatus)
    today = utcnow().date()
    overdue = db.session.scalar(select(func.count(Petition.id)).where(
        Petition.due_date < today, Petition.answer_published_at.is_(None),
        Petition.status == PetitionStatus.ASSIGNED))
    assert overdue >= 2
    reported = next(c for c in conferences if c.status == ConferenceStatus.REPORTED)
    assert reported.report_summary and reported.attendee_count
