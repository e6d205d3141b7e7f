"""The worker: delivers what is due once, retries with backoff, gives up, never overwrites a newer claim."""

import logging
import socket
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications import worker as worker_module
from feedback.notifications.models import Notification
from feedback.notifications.outbox import enqueue
from feedback.notifications.worker import RoundResult, Worker, claim_next, deliver, retry_delay
from tests.notifications.helpers import CONTEXT, RecordingBackend, add_messages
from tests.notifications.smtp_sink import SmtpSink


def _rows() -> list[Notification]:
    """Every outbox row, fresh from the database, in id order."""
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def _make_due(notification_id: int) -> None:
    """Pretend the retry time has come."""
    db.session.execute(update(Notification).where(Notification.id == notification_id)
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_run_once_delivers_what_is_due_once_and_logs_each(app, runner, caplog):
    caplog.set_level(logging.INFO, logger="feedback.notifications")
    add_messages(3)
    enqueue("registration_confirmed", "later", to_email="later@example.vn", context=CONTEXT)
    db.session.execute(update(Notification).where(Notification.dedupe_key == "later")
                       .values(next_attempt_at=utcnow() + timedelta(hours=1)))
    db.session.commit()
    status = runner.invoke(args=["notifications", "status"]).output
    assert "pending: 4 (due now: 3, after a failed attempt: 0)" in status
    assert "sent: 0" in status and "oldest pending: " in status

    result = runner.invoke(args=["notifications", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.count("To: person") == 3  # the console backend printed each one
    assert "later@example.vn" not in result.output
    rows = _rows()
    assert [r.sent_at is not None for r in rows] == [True, True, True, False]
    assert [r.attempts for r in rows] == [1, 1, 1, 0]
    sent_lines = [r.getMessage() for r in caplog.records if ": sent (attempt 1)" in r.getMessage()]
    assert len(sent_lines) == 3
    assert all("p***@example.vn" in line and "person" not in line for line in sent_lines)

    again = runner.invoke(args=["notifications", "run", "--once"])
    assert again.exit_code == 0 and "To: person" not in again.output
    assert "Sent 0" in again.output


def test_an_unreachable_server_is_retried_with_backoff_then_given_up(app, runner):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_STARTTLS=False, SMTP_TIMEOUT=2,
                      NOTIFICATION_MAX_ATTEMPTS=3, NOTIFICATION_RETRY_SECONDS=60)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        app.config["SMTP_PORT"] = probe.getsockname()[1]
    [notification_id] = add_messages(1)

    for attempt, wait in ((1, 60), (2, 120)):
        before = utcnow()
        assert runner.invoke(args=["notifications", "run", "--once"]).exit_code == 0
        [row] = _rows()
        assert row.attempts == attempt and row.sent_at is None and row.failed_at is None
        assert "ConnectionRefusedError" in row.last_error or "Connection refused" in row.last_error
        delay = timedelta(seconds=wait)
        assert before + delay - timedelta(seconds=1) <= row.next_attempt_at <= utcnow() + delay
        # Not due yet: another run leaves it alone.
        assert runner.invoke(args=["notifications", "run", "--once"]).exit_code == 0
        assert _rows()[0].attempts == attempt
        _make_due(notification_id)

    assert runner.invoke(args=["notifications", "run", "--once"]).exit_code == 0
    [row] = _rows()
    assert row.attempts == 3 and row.failed_at is not None and row.sent_at is None
    assert "refused" in row.last_error.lower()

    status = runner.invoke(args=["notifications", "status"]).output
    assert "pending: 0" in status and "failed: 1" in status and "sent: 0" in status

    # The server is back: the operator gives the message another chance and it goes out.
    with SmtpSink() as sink:
        app.config["SMTP_PORT"] = sink.port
        assert "1 failed message queued again" in runner.invoke(
            args=["notifications", "retry-failed"]).output
        assert runner.invoke(args=["notifications", "run", "--once"]).exit_code == 0
    assert [m["To"] for m in sink.messages] == ["person0@example.vn"]
    [row] = _rows()
    assert row.sent_at is not None and row.failed_at is None and row.last_error == ""


def test_backoff_doubles(app):
    app.config["NOTIFICATION_RETRY_SECONDS"] = 30
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_a_refused_address_is_given_up_at_once_without_keeping_the_address(app, runner):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_STARTTLS=False)
    add_messages(2)
    with SmtpSink() as sink:
        app.config["SMTP_PORT"] = sink.port
        sink.refuse_recipients = {"person0@": "550 5.1.1 <person0@example.vn>: no such user"}
        assert runner.invoke(args=["notifications", "run", "--once"]).exit_code == 0
    refused, delivered = _rows()
    assert refused.failed_at is not None and refused.attempts == 1
    assert "550" in refused.last_error and "person0@example.vn" not in refused.last_error
    assert delivered.sent_at is not None
    assert [m["To"] for m in sink.messages] == ["person1@example.vn"]


def test_a_message_that_cannot_be_written_does_not_stop_the_others(app, runner):
    enqueue("registration_confirmed", "broken", to_email="broken@example.vn", context={"title": "x"})
    db.session.commit()
    add_messages(1)
    result = runner.invoke(args=["notifications", "run", "--once"])
    assert result.exit_code == 0
    broken, fine = _rows()
    assert broken.sent_at is None and broken.attempts == 1 and "KeyError" in broken.last_error
    assert broken.next_attempt_at > utcnow()
    assert fine.sent_at is not None


def test_a_claimed_message_is_not_due_again_until_its_lease_ends(app):
    [notification_id] = add_messages(1)
    claim = claim_next(timedelta(minutes=5))
    assert claim.id == notification_id and claim.attempt == 1
    assert claim_next(timedelta(minutes=5)) is None


def test_a_worker_whose_lease_ran_out_does_not_overwrite_the_next_claim(app):
    add_messages(1)
    slow = claim_next(timedelta(0))          # its lease is over at once…
    fast = claim_next(timedelta(minutes=5))  # …so another worker claims the row again
    assert (slow.id, slow.attempt, fast.attempt) == (fast.id, 1, 2)
    backend = RecordingBackend()
    assert deliver(slow, backend) == "lost"
    [row] = _rows()
    assert row.sent_at is None  # the outcome belongs to the newer claim
    assert deliver(fast, backend) == "sent"
    # Both copies left, as the documented window allows, and a receiving server sees one message.
    assert len({m["Message-ID"] for m in backend.delivered}) == 1 and len(backend.delivered) == 2
    assert _rows()[0].sent_at is not None


@pytest.mark.parametrize("option", ["--batch=0", "--lease=0"])
def test_nonsense_options_are_refused(runner, option):
    result = runner.invoke(args=["notifications", "run", "--once", option])
    assert result.exit_code == 2


def test_the_looping_worker_waits_out_a_database_outage(app, monkeypatch, caplog):
    worker = Worker(RecordingBackend(), interval=0.01)
    calls = []

    def flaky_round(*args, **kwargs):
        """The database is gone on the first round and back on the second (then stop)."""
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        worker.stop()
        return RoundResult(sent=1, claimed=[1])

    monkeypatch.setattr(worker_module, "run_round", flaky_round)
    total = worker.run_forever()
    assert len(calls) == 2 and total.sent == 1
    assert any("database unavailable" in r.getMessage() for r in caplog.records)
