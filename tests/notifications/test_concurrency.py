"""Exactly once: two workers at the same time, and a worker killed in the middle of a batch.

Runs on SQLite and on PostgreSQL. The concurrent workers are threads with their own app contexts
(own sessions, connections and transactions); the killed worker is a real `flask notifications
run` process, sent SIGKILL while the fake SMTP server holds one of its messages.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification
from feedback.notifications.worker import Worker
from tests.notifications.helpers import RecordingBackend, add_messages
from tests.notifications.smtp_sink import Hold, SmtpSink

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 200
LEASE_SECONDS = 3


def _rows() -> list[Notification]:
    """Every outbox row, fresh from the database, in id order."""
    db.session.expire_all()
    rows = list(db.session.scalars(select(Notification).order_by(Notification.id)))
    db.session.commit()  # end the read, so no transaction of the test stays open
    return rows


def test_two_workers_deliver_each_message_exactly_once(app):
    add_messages(MESSAGES)
    backend = RecordingBackend(delay=0.002)
    start = threading.Barrier(2)

    def work(_n):
        """Wait for the other worker, then drain the outbox in a context of its own."""
        start.wait(timeout=30)
        with app.app_context():
            return Worker(backend, batch=20, lease=timedelta(minutes=5)).run_once()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(work, range(2)))

    expected = sorted(f"person{n}@example.vn" for n in range(MESSAGES))
    assert sorted(backend.recipients()) == expected  # every message, none twice
    assert sum(r.sent for r in results) == MESSAGES
    assert all(r.sent > 0 for r in results), "both workers took part"
    assert not set(results[0].claimed) & set(results[1].claimed)
    rows = _rows()
    assert all(r.sent_at is not None and r.attempts == 1 and r.failed_at is None for r in rows)


def _spawn_worker(app, port: int, logs: Path, *options: str) -> subprocess.Popen:
    """`flask notifications run` in a process of its own, on the test database, sending to `port`."""
    env = os.environ | {
        "FLASK_APP": "wsgi.py", "APP_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_STARTTLS": "0",
        "SMTP_TIMEOUT": "30",
    }
    with open(logs / "out.txt", "w") as out, open(logs / "err.txt", "w") as err:
        return subprocess.Popen([sys.executable, "-m", "flask", "notifications", "run", *options],
                                cwd=ROOT, env=env, stdout=out, stderr=err)


def _point_at(app, sink: SmtpSink) -> None:
    """Make this process's worker send to `sink`, as the killed one did."""
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port,
                      SMTP_STARTTLS=False, SMTP_TIMEOUT=30)


def _kill_while_held(app, sink: SmtpSink, hold: Hold, logs: Path) -> Notification:
    """Start a worker, SIGKILL it when the sink reaches `hold`; return the message it had in flight."""
    sink.hold = hold
    process = _spawn_worker(app, sink.port, logs, "--once", "--batch", "5", "--lease", str(LEASE_SECONDS))
    try:
        assert hold.reached.wait(60), (logs / "err.txt").read_text()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        hold.release.set()
    assert process.returncode == -signal.SIGKILL
    in_flight = [r for r in _rows() if r.sent_at is None and r.attempts == 1]
    assert len(in_flight) == 1
    return in_flight[0]


def _resume_after_the_lease(app, in_flight: Notification) -> None:
    """Another worker: at once (the held message is not due yet), then once the lease has run out."""
    worker = Worker(batch=5, lease=timedelta(seconds=LEASE_SECONDS))
    worker.run_once()
    if utcnow() < in_flight.next_attempt_at:
        assert next(r for r in _rows() if r.id == in_flight.id).sent_at is None
    time.sleep(max(0.0, (in_flight.next_attempt_at - utcnow()).total_seconds()) + 0.2)
    assert worker.run_once().sent == 1


def test_a_worker_killed_before_the_server_accepted_loses_nothing_and_sends_nothing_twice(app, tmp_path):
    count, held = 20, 8  # killed during the 8th message, in the worker's second batch of 5
    add_messages(count)
    with SmtpSink() as sink:
        in_flight = _kill_while_held(app, sink, Hold(held, "data"), tmp_path)
        assert len(sink.message_ids()) == held - 1
        _point_at(app, sink)
        _resume_after_the_lease(app, in_flight)
        ids = sink.message_ids()

    assert len(ids) == count and len(set(ids)) == count  # each message arrived, exactly once
    rows = _rows()
    assert all(r.sent_at is not None for r in rows)
    assert [r.attempts for r in rows if r.id == in_flight.id] == [2]  # the killed claim counted
    assert sum(r.attempts for r in rows) == count + 1


def test_a_worker_killed_after_the_server_accepted_resends_with_the_same_message_id(app, tmp_path):
    """The documented window: accepted by the server, killed before the commit."""
    add_messages(10)
    with SmtpSink() as sink:
        in_flight = _kill_while_held(app, sink, Hold(4, "accepted"), tmp_path)
        assert len(sink.message_ids()) == 4
        _point_at(app, sink)
        _resume_after_the_lease(app, in_flight)
        ids = sink.message_ids()

    # The one message in flight went out twice, with one Message-ID: a receiving server that drops
    # duplicates delivers every message exactly once.
    assert len(ids) == 11 and len(set(ids)) == 10
    assert ids.count(ids[3]) == 2
    assert all(r.sent_at is not None for r in _rows())


def test_sigterm_finishes_the_current_message_then_exits(app, tmp_path):
    add_messages(6)
    with SmtpSink() as sink:
        sink.hold = Hold(3, "data")
        process = _spawn_worker(app, sink.port, tmp_path, "--batch", "2", "--interval", "0.2")
        try:
            assert sink.hold.reached.wait(60), (tmp_path / "err.txt").read_text()
            process.send_signal(signal.SIGTERM)
            time.sleep(0.3)  # the signal arrives while the message is being sent
            sink.hold.release.set()
            assert process.wait(30) == 0
        finally:
            if process.poll() is None:
                process.kill()
    assert len(sink.message_ids()) == 3
    rows = _rows()
    assert [r.sent_at is not None for r in rows] == [True] * 3 + [False] * 3
    assert [r.attempts for r in rows[3:]] == [0, 0, 0]  # never claimed: nothing waits for a lease
    log = (tmp_path / "err.txt").read_text()
    assert "SIGTERM received" in log and log.count(": sent (attempt 1)") == 3
