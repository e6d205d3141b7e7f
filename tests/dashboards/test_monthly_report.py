"""The monthly report: the printable page of a month for the viewer's subtrees, a clear 400 for a
bad month, and `flask reports send`, which writes one email per active leader and grant into the
outbox, in the leader's language, on the first of the month from the set hour, never twice."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.accounts.services import grant_role
from feedback.dashboards import report
from feedback.extensions import db
from feedback.notifications.messages import render
from feedback.notifications.models import Notification
from tests.dashboards.helpers import add_responses, make_version
from tests.factories import make_user

IN_NOVEMBER = datetime(2026, 11, 15, 5, tzinfo=UTC)


@pytest.fixture
def month(app, tree):
    """November 2026: A 40 responses at 1.0 and 10 flagged; B 12 at 0.5."""
    version = make_version()
    add_responses(version, tree.dept_a, 40, 1.0, submitted_at=IN_NOVEMBER)
    add_responses(version, tree.dept_a, 10, 0.0, submitted_at=IN_NOVEMBER, excluded=True)
    add_responses(version, tree.dept_b, 12, 0.5, submitted_at=IN_NOVEMBER)
    tree.leader_b.locale = "en"
    db.session.commit()
    return version


def _outbox():
    return list(db.session.scalars(select(Notification).where(Notification.kind == report.KIND)
                                   .order_by(Notification.to_email, Notification.dedupe_key)))


def test_the_report_page_shows_the_months_figures_for_the_viewers_subtree(leader_a_client, month):
    response = leader_a_client.get("/dashboard/report?month=2026-11&lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Monthly report 2026-11" in html
    assert "Department of Justice and the agencies under it" in html
    assert "· 40 responses" in html and "10 flagged responses left out" in html
    assert "Department of Health" not in html
    assert "css/print.css" in html


@pytest.mark.parametrize("bad", ["2026-13", "november", "2026-1", "2031-01", "1999-12", "2026-11-01"])
def test_a_bad_month_is_a_clear_400(leader_a_client, month, bad):
    response = leader_a_client.get(f"/dashboard/report?month={bad}&lang=en")
    assert response.status_code == 400
    assert "The month is not valid: write it as 2026-03" in response.get_data(as_text=True)


def test_without_a_month_the_last_whole_month_is_shown(leader_a_client, month):
    assert report.parse_month(None, date(2026, 12, 7)) == date(2026, 11, 1)
    assert report.parse_month("2026-12", date(2026, 12, 7)) == date(2026, 12, 1)  # under way
    assert leader_a_client.get("/dashboard/report").status_code == 200


def test_reports_are_due_on_the_first_from_the_set_hour(app):
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    app.config["REPORT_SEND_HOUR"] = 7
    assert report.due_month(datetime(2026, 12, 1, 7, 0, tzinfo=zone)) == date(2026, 11, 1)
    assert report.due_month(datetime(2026, 1, 1, 23, 0, tzinfo=zone)) == date(2025, 12, 1)
    assert report.due_month(datetime(2026, 12, 1, 6, 59, tzinfo=zone)) is None
    assert report.due_month(datetime(2026, 12, 2, 8, 0, tzinfo=zone)) is None


def test_send_writes_one_message_per_active_leader_and_grant_never_twice(app, runner, tree, month):
    inactive = make_user("gone@example.vn", Role.LEADER, tree.dept_a)
    inactive.active = False
    both = make_user("both@example.vn", Role.LEADER, tree.dept_a)
    grant_role(both, Role.LEADER, tree.dept_b)
    grant_role(both, Role.LEADER, tree.commune_a)  # inside A's subtree: nothing more
    db.session.commit()
    result = runner.invoke(args=["reports", "send", "--month", "2026-11"])
    assert result.exit_code == 0, result.output
    assert "4 new message(s)" in result.output
    sent = [(n.to_email, n.context["agency_code"], n.locale) for n in _outbox()]
    assert sent == [("both@example.vn", "A", "vi"), ("both@example.vn", "B", "vi"),
                    ("leader.a@example.vn", "A", "vi"), ("leader.b@example.vn", "B", "en")]
    again = runner.invoke(args=["reports", "send", "--month", "2026-11"])
    assert "0 new message(s)" in again.output and len(_outbox()) == 4


def test_the_email_is_in_the_leaders_language_with_the_figures_and_the_link(app, runner, tree, month):
    runner.invoke(args=["reports", "send", "--month", "2026-11"])
    by_email = {n.to_email: n for n in _outbox()}
    english = by_email["leader.b@example.vn"]
    with app.test_request_context():
        message = render(english.kind, english.locale, english.context)
        assert message.subject == "Monthly report 2026-11: Department of Health"
        assert "Satisfaction index: 50.0" in message.body and "n = 12" in message.body
        assert "/dashboard/report?month=2026-11" in message.body
        vietnamese = by_email["leader.a@example.vn"]
        body = render(vietnamese.kind, vietnamese.locale, vietnamese.context).body
    assert "100,0" in body and "Department of Health" not in body


def test_send_without_a_month_waits_for_the_first(app, runner, tree, month, monkeypatch):
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    monkeypatch.setattr(report, "local_now", lambda: datetime(2026, 12, 2, 9, tzinfo=zone))
    result = runner.invoke(args=["reports", "send"])
    assert "nothing to send" in result.output and _outbox() == []
    monkeypatch.setattr(report, "local_now", lambda: datetime(2026, 12, 1, 9, tzinfo=zone))
    result = runner.invoke(args=["reports", "send"])
    assert "Monthly report 2026-11: 2 new message(s)" in result.output


def test_a_bad_month_option_is_refused(runner, tree):
    result = runner.invoke(args=["reports", "send", "--month", "2026-13"])
    assert result.exit_code != 0 and "The month is not valid" in result.output
