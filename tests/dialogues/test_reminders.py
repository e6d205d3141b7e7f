"""`flask dialogues remind`: tomorrow's confirmed registrants with an email get one reminder each."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from feedback.dialogues.messages import Kind
from feedback.dialogues.models import ConferenceStatus
from feedback.dialogues.registrations import cancel, register
from feedback.dialogues.reminders import tomorrow
from feedback.dialogues.topics import DEFAULT_TOPICS, active_topics
from feedback.extensions import db
from feedback.notifications.models import Notification
from tests.dialogues.helpers import make_conference, phone

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(day, hour: int, minute: int = 0):
    """A local wall-clock time on `day`, as an aware datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def _conference(tree, starts, **fields):
    """A published conference starting at `starts`, lasting three hours."""
    return make_conference(tree.dept_a, starts_at=starts, ends_at=starts + timedelta(hours=3), **fields)


def _reminders() -> dict[str, str]:
    """Queued reminders: address → locale."""
    return {n.to_email: n.locale for n in db.session.scalars(
        select(Notification).where(Notification.kind == Kind.CONFERENCE_REMINDER))}


def test_reminders_go_to_confirmed_registrants_with_an_email_of_tomorrows_conferences_once(app, tree, runner):
    day = tomorrow()
    morning = _conference(tree, _at(day, 8), capacity=2)
    seated, _ = register(morning, full_name="An", phone=phone(1), email="seated@example.vn")
    register(morning, full_name="Bình", phone=phone(2))  # a seat, but no email
    register(morning, full_name="Chi", phone=phone(3), email="waiting@example.vn")
    gone, _ = register(morning, full_name="Dũng", phone=phone(4), email="gone@example.vn")
    cancel(gone)
    # Late tomorrow evening is still tomorrow in Hà Nội (16:30 UTC).
    evening = _conference(tree, _at(day, 23, 30))
    register(evening, full_name="Eve", phone=phone(5), email="evening@example.vn", locale="en")
    # Half past midnight the day after is not (17:30 UTC tomorrow).
    after = _conference(tree, _at(day + timedelta(days=1), 0, 30))
    register(after, full_name="Phúc", phone=phone(6), email="after@example.vn")
    for status in (ConferenceStatus.DRAFT, ConferenceStatus.CANCELLED):
        other = _conference(tree, _at(day, 9))
        register(other, full_name="Giang", phone=phone(7), email=f"{status}@example.vn")
        other.status = status
    today = _conference(tree, _at(day - timedelta(days=1), 23, 59))
    register(today, full_name="Hà", phone=phone(8), email="today@example.vn")
    db.session.commit()

    result = runner.invoke(args=["dialogues", "remind"])
    assert result.exit_code == 0, result.output
    assert f"Queued 2 reminders for conferences starting on {day.isoformat()}." in result.output
    assert _reminders() == {"seated@example.vn": "vi", "evening@example.vn": "en"}
    reminder = db.session.scalars(
        select(Notification).where(Notification.to_email == "seated@example.vn")).one()
    assert reminder.context["ticket_code"] == seated.ticket_code

    again = runner.invoke(args=["dialogues", "remind"])
    assert "Queued 0 reminders" in again.output
    assert len(_reminders()) == 2

    other_day = runner.invoke(args=["dialogues", "remind", "--date", (day + timedelta(days=1)).isoformat()])
    assert "Queued 1 reminder for" in other_day.output
    assert "after@example.vn" in _reminders()


def test_a_bad_date_is_refused(runner):
    result = runner.invoke(args=["dialogues", "remind", "--date", "31/12/2030"])
    assert result.exit_code == 2 and "31/12/2030" in result.output


def test_load_topics_adds_the_standard_list_once(app, runner):
    first = runner.invoke(args=["dialogues", "load-topics"])
    assert first.exit_code == 0 and f"Added {len(DEFAULT_TOPICS)} topics." in first.output
    assert len(active_topics()) == len(DEFAULT_TOPICS)
    second = runner.invoke(args=["dialogues", "load-topics"])
    assert "Added 0 topics; all were there already." in second.output
