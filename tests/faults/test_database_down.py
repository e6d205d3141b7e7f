"""PostgreSQL stops answering while people use the site, then comes back: every page answers a
localized 503 (never a traceback), /healthz says 503, and service resumes by itself.

The database is "stopped" by cutting a TCP relay between the app and the server (tests/faults/
proxy.py), which drops the pooled connections exactly as a restart or a failover does, without
touching the PostgreSQL server other tests share.
"""

import re
import threading
import time

import pytest
from sqlalchemy import func, make_url, select

from config import TestConfig
from feedback import create_app, extensions
from feedback.core.errors import RETRY_AFTER_SECONDS
from feedback.extensions import db
from feedback.surveys.models import Response
from tests.conftest import AuthActions, IsolatedClient, _empty_all_tables
from tests.factories import make_tree
from tests.faults.proxy import TcpProxy
from tests.surveys.helpers import action, all_fours, deploy_default, page_data, progress, walk

PAGES = ["/", "/s/A", "/dialogues/", "/login"]


@pytest.fixture
def cut_able(database_urls):
    """The app on PostgreSQL through a relay the test can cut, with the test tree and a survey."""
    if "postgresql" not in database_urls:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): the test cuts its network connection")
    url = make_url(database_urls["postgresql"])
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    relayed = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=relayed)
    app.test_client_class = IsolatedClient
    try:
        with app.app_context():
            _empty_all_tables()
            tree = make_tree()
            version = deploy_default(tree.dept_a)
            db.session.commit()
            yield app, proxy, tree, version
            db.session.remove()
            db.engine.dispose()
    finally:
        proxy.close()


def _responses() -> int:
    """Responses stored, read on a fresh connection (the test holds none across a cut)."""
    try:
        return db.session.scalar(select(func.count()).select_from(Response))
    finally:
        db.session.close()


def test_pages_answer_503_while_the_database_is_down_and_recover_by_themselves(cut_able):
    app, proxy, tree, version = cut_able
    client = app.test_client()
    leader = app.test_client()
    answers = all_fours(version)
    assert AuthActions(leader).login(tree.leader_a.email).status_code == 302
    assert client.get("/healthz").status_code == 200
    assert leader.get("/dashboard/").status_code == 200
    db.session.close()

    proxy.cut()
    # Citizens and staff keep clicking while the database is gone: a hammer of requests on
    # several threads, none of which may see anything but the 503 page.
    statuses: list[int] = []
    bodies: list[str] = []

    def hammer() -> None:
        own = app.test_client()
        for _ in range(5):
            for path in PAGES:
                answer = own.get(path, headers={"Accept-Language": "vi"})
                statuses.append(answer.status_code)
                if answer.status_code == 503:
                    bodies.append(answer.get_data(as_text=True))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # /login draws its form without the database; every other page needs it.
    assert set(statuses) <= {200, 503} and statuses.count(503) == 4 * 5 * 3, statuses
    assert all("Dịch vụ tạm thời" in body and "Traceback" not in body for body in bodies)

    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "down"
    assert health.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = client.get("/s/A?lang=en")
    assert page.status_code == 503 and "temporarily unavailable" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    # Signed in, a leader gets the same page, not an error of the sign-in machinery.
    dashboard = leader.get("/dashboard/?lang=en")
    assert dashboard.status_code == 503 and "temporarily unavailable" in dashboard.get_data(as_text=True)
    # Security headers stay on the error page.
    assert "Content-Security-Policy" in page.headers

    proxy.restore()
    # No restart, no manual step: the pool notices the dead connections and opens new ones.
    assert client.get("/healthz").status_code == 200
    assert leader.get("/dashboard/").status_code == 200
    before = _responses()
    sent, _seen = walk(app.test_client(), "/s/A", answers)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/A/thanks")
    assert _responses() == before + 1


def _last_page(client, answers: dict) -> tuple[str, dict]:
    """Answer every page of the survey at A but the last; the last page and what Send posts."""
    page = client.get("/s/A")
    while True:
        html = page.get_data(as_text=True)
        shown, total = (int(n) for n in re.findall(r"\d+", progress(html))[:2])
        data = page_data(html, answers)
        if shown == total:
            return html, data
        following = client.post(action(html), data=data)
        assert following.status_code == 303, following.status_code
        page = client.get(following.headers["Location"])


def test_a_send_cut_off_by_the_outage_stores_nothing_and_goes_through_when_sent_again(cut_able):
    app, proxy, _tree, version = cut_able
    citizen = app.test_client()
    answers = all_fours(version)
    before = _responses()
    html, data = _last_page(citizen, answers)

    proxy.cut()
    refused = citizen.post(action(html), data=data)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    proxy.restore()
    assert _responses() == before

    # The browser still holds the form: pressing Send again stores the response, once.
    again = citizen.post(action(html), data=data)
    assert again.status_code == 303 and again.headers["Location"].endswith("/s/A/thanks")
    assert _responses() == before + 1


def test_after_a_quiet_restart_the_first_citizen_is_served(cut_able, monkeypatch):
    """Connections that sat idle in the pool while the database restarted are checked before use:
    the first request after it is answered, not refused with a 503 (extensions.ping_when_idle)."""
    app, proxy, _tree, version = cut_able
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0.2)
    answers = all_fours(version)
    citizen = app.test_client()
    assert citizen.get("/s/A").status_code == 200  # a pooled connection now exists
    db.session.close()

    proxy.cut()  # the restart: every pooled connection is dead
    proxy.restore()
    time.sleep(0.3)  # nobody used the site meanwhile
    page = citizen.get("/s/A")
    assert page.status_code == 200 and "Traceback" not in page.get_data(as_text=True)
    sent, _seen = walk(app.test_client(), "/s/A", answers)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/A/thanks")


def test_a_busy_connection_is_not_pinged_and_a_dead_one_is_replaced(cut_able, monkeypatch):
    """Under load a connection is used again at once and not pinged; if the database went away
    meanwhile, that one request gets the 503 page and the next one a new connection."""
    app, proxy, _tree, _version = cut_able
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 3600)
    citizen = app.test_client()
    assert citizen.get("/s/A").status_code == 200
    db.session.close()

    proxy.cut()
    proxy.restore()
    assert citizen.get("/s/A").status_code == 503
    assert citizen.get("/s/A").status_code == 200
