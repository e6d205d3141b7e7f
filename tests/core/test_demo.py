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
