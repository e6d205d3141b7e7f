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
    # The province's survey adds a 0–10 question and choice questions to SIPAS, so the leader's
    # question page has every kind of chart to show.
    questions = client.get("/dashboard/questions?lang=en").get_data(as_text=True)
    for chart in ('id="likert-chart"', 'id="nps-chart"', 'id="choice-1-chart"', 'id="choice-2-chart"'):
        assert chart in questions, chart
    assert "Online on the public service portal" in questions


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


def test_a_large_demo_is_written_in_bulk_with_its_summary(app, runner):
    from feedback.dashboards import metrics
    from feedback.dashboards.models import ResponseSummary

    result = runner.invoke(args=["seed-demo", "--responses", "1500", "--agencies", "45", "--months", "3"])
    assert result.exit_code == 0, result.output
    assert "Demo loaded: 45 agencies, 1500 responses." in result.output
    # 45 agencies, and the commune that two of them were merged into (demo/reorganization.py).
    assert _count(Agency) == 46 and db.session.scalar(select(func.max(Agency.depth))) == 2
    generated = db.session.scalar(select(Agency).where(Agency.code.like("%-MC")).order_by(Agency.id.desc()))
    assert generated.parent.kind == "commune" and generated.name_vi.startswith("Bộ phận Một cửa")
    assert _count(Response) == 1500 and _count(ResponseScore) >= 1500 * 4
    counted = db.session.scalar(select(func.count()).select_from(Response)
                                .where(Response.excluded.is_(False)))
    assert db.session.scalar(select(func.sum(ResponseSummary.responses))
                             .where(ResponseSummary.period == "day")) == counted
    province = Agency.code.is_not(None)
    assert ([(i.code, i.n) for i in metrics.agency_indices(province)]
            == [(i.code, i.n) for i in metrics.raw_agency_indices(province)])
    assert metrics.question_rates(province) == metrics.raw_question_rates(province)
    client = app.test_client()
    assert AuthActions(client).login("lanhdao@langnghe.vn", "demo-lanhdao-2026").status_code == 302
    assert client.get("/dashboard/?lang=en").status_code == 200
    # A citizen answering after the bulk load gets the next id (the sequence was moved on).
    later = Response(version_id=db.session.scalar(select(Response.version_id).limit(1)),
                     agency_id=generated.id)
    db.session.add(later)
    db.session.flush()
    assert later.id == 1501


def test_the_demo_merged_two_communes_in_the_last_year_and_the_trend_shows_the_seam(app, runner):
    from feedback.agencies.services import find_agency

    assert runner.invoke(args=["seed-demo", "--responses", "600"]).exit_code == 0
    old, new = find_agency("XDONGSON"), find_agency("XDONGPHU")
    assert old.valid_to is not None and old.heir_id == new.id and find_agency("XPHULOC").heir_id == new.id
    assert db.session.scalar(select(func.count()).select_from(Response)
                             .where(Response.agency_id == new.id)) > 0
    client = app.test_client()
    assert AuthActions(client).login("lanhdao@langnghe.vn", "demo-lanhdao-2026").status_code == 302
    trend = client.get("/dashboard/trend?lang=en").get_data(as_text=True)
    assert "include the history of agencies that were merged" in trend and "XDONGSON" in trend
    as_it_was = client.get("/dashboard/trend?lang=en&tree=as_it_was").get_data(as_text=True)
    assert "include the history" not in as_it_was
