"""A database that accepts connections and never answers, or a statement stuck behind a lock:
/healthz and the pages answer the localized 503 within 10 s instead of hanging until gunicorn
kills the worker. The statement limit is for web requests only; commands keep no limit."""

import time

import psycopg
import pytest
from sqlalchemy import make_url, text

from config import TestConfig, database_url
from feedback import create_app
from feedback.extensions import db
from tests.conftest import IsolatedClient, _empty_all_tables
from tests.factories import make_tree
from tests.faults.proxy import TcpProxy
from tests.surveys.helpers import deploy_default

# What the issue asks of a page while the database hangs.
LIMIT_SECONDS = 10


@pytest.fixture
def relayed(database_urls):
    """The app on PostgreSQL through a relay the test can silence, with its default timeouts
    (the production ones) except a short statement limit, and a survey at department A."""
    if "postgresql" not in database_urls:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): the test silences its network connection")
    url = make_url(database_urls["postgresql"])
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=through, DATABASE_STATEMENT_TIMEOUT=1.0)
    app.test_client_class = IsolatedClient
    try:
        with app.app_context():
            _empty_all_tables()
            deploy_default(make_tree().dept_a)
            db.session.commit()
            db.session.close()
            yield app, proxy, database_urls["postgresql"]
            db.session.remove()
            db.engine.dispose()
    finally:
        proxy.close()


def _timed_get(client, path: str):
    """(response, seconds it took)."""
    began = time.monotonic()
    answer = client.get(path)
    return answer, time.monotonic() - began


def test_a_silent_database_gets_a_503_within_the_limit(relayed):
    app, proxy, _url = relayed
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    proxy.silence()
    with app.app_context():
        db.engine.dispose()  # the next request must open a connection to the silent server
    health, took = _timed_get(client, "/healthz")
    assert health.status_code == 503 and took < LIMIT_SECONDS, took
    assert health.json["database"] == "down"
    page, took = _timed_get(client, "/s/A?lang=en")
    assert page.status_code == 503 and took < LIMIT_SECONDS, took
    assert "temporarily unavailable" in page.get_data(as_text=True)
    proxy.restore()
    with app.app_context():
        db.engine.dispose()
    assert client.get("/healthz").status_code == 200


def test_a_request_stuck_behind_a_lock_is_cancelled_but_a_command_is_not(relayed):
    app, _proxy, url = relayed
    client = app.test_client()
    assert client.get("/s/A").status_code == 200
    direct = make_url(database_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(direct) as holder:
        # Another session (a migration, a long maintenance job) holds the agency table.
        holder.execute("LOCK TABLE agency IN ACCESS EXCLUSIVE MODE")
        page, took = _timed_get(client, "/s/A?lang=en")
        holder.rollback()
    assert page.status_code == 503 and took < LIMIT_SECONDS, took
    assert "temporarily unavailable" in page.get_data(as_text=True)
    assert client.get("/s/A").status_code == 200
    # The same pool's connections, used by a command (no request), run without the limit.
    with app.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == "0"
        db.session.rollback()
    with app.test_request_context("/"):
        assert db.session.scalar(text("SHOW statement_timeout")) == "1s"
        db.session.rollback()
