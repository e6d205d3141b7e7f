"""SQLite, the embedded default, under concurrent writers: a submission waits for another
writer's lock (busy timeout, write-ahead log) instead of failing with "database is locked"."""

import sqlite3
import threading

import pytest
from sqlalchemy import func, select, text

from feedback.extensions import db
from feedback.surveys.models import Answer, Response
from tests.surveys.helpers import all_fours, deploy_default, walk

CITIZENS = 6


@pytest.fixture
def sqlite_only(app):
    """These tests are about SQLite's single writer lock; PostgreSQL locks rows instead."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's file lock only: PostgreSQL has no database-wide write lock")
    return app


def test_every_connection_waits_for_the_lock_and_uses_the_write_ahead_log(sqlite_only):
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15_000
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_submissions_wait_for_a_held_write_lock_and_all_arrive_complete(sqlite_only, tree):
    version = deploy_default(tree.dept_a)
    answers = all_fours(version)
    expected_answers = len(answers)
    db.session.commit()
    path = db.engine.url.database

    # Another process's writer (a CLI import, the notification worker) holds the write lock
    # while the citizens send their last pages.
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE agency SET name_en = name_en WHERE id = ?", (tree.dept_a.id,))
    start = threading.Barrier(CITIZENS + 1)
    results: list = [None] * CITIZENS

    def citizen(i: int) -> None:
        client = sqlite_only.test_client()
        start.wait()
        try:
            sent, _seen = walk(client, "/s/A", answers)
            results[i] = (sent.status_code, sent.headers.get("Location", ""))
        except Exception as error:  # noqa: BLE001 — the assertion below names it
            results[i] = error

    threads = [threading.Thread(target=citizen, args=(i,)) for i in range(CITIZENS)]
    for thread in threads:
        thread.start()
    start.wait()
    # Let every citizen reach a write and wait on the lock, then let go.
    threading.Event().wait(1.0)
    holder.commit()
    holder.close()
    for thread in threads:
        thread.join(timeout=60)

    assert all(r is not None and not isinstance(r, Exception) for r in results), results
    assert all(status == 303 and location.endswith("/s/A/thanks") for status, location in results), results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Response)) == CITIZENS
    per_response = db.session.execute(
        select(Answer.response_id, func.count()).group_by(Answer.response_id)).all()
    assert sorted(n for _id, n in per_response) == [expected_answers] * CITIZENS
