"""Ten systems asking at once for the code of one dossier all get the one same code.

Runs on SQLite and on PostgreSQL. Every request goes through the app in its own thread, with its
own test client and app context, so each has its own database connection and transaction, as
under gunicorn. In the forced race, every request is held just after it found no code for the
dossier, until all ten have: they all try to insert, and the unique constraint must sort it out.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from feedback.api import services as api_services
from feedback.extensions import db
from feedback.surveys.models import AccessMode, SurveyCode
from tests.api.helpers import issue, make_key
from tests.surveys.helpers import deploy_default

THREADS = 10


@pytest.fixture
def secret(app, tree):
    """A key for department A and a code-only survey at counter A1."""
    deploy_default(tree.counter_a, access_mode=AccessMode.CODE)
    return make_key(tree.dept_a)


def _issue_all(app, secret: str, dossier_id: str, start: threading.Barrier | None = None):
    """Send THREADS requests for `dossier_id` from THREADS threads; returns their responses."""

    def one(_n):
        client = app.test_client()
        if start is not None:
            start.wait(timeout=10)
        return issue(client, secret, agency_code="A1", dossier_id=dossier_id)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


def _assert_one_code(responses, dossier_id: str) -> None:
    """Exactly one row for the dossier; one 201, the rest 200, all with its code."""
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (THREADS - 1) + [201], [r.get_data(as_text=True) for r in responses]
    db.session.expire_all()
    rows = db.session.scalars(select(SurveyCode).where(SurveyCode.dossier_id == dossier_id)).all()
    assert len(rows) == 1
    assert {r.json["code"] for r in responses} == {rows[0].code}
    assert db.session.scalar(select(func.count()).select_from(SurveyCode)) == 1


def test_simultaneous_requests_for_one_dossier_get_one_code(app, secret):
    responses = _issue_all(app, secret, "H56-0001", start=threading.Barrier(THREADS))
    _assert_one_code(responses, "H56-0001")


def test_a_forced_race_on_the_insert_still_gives_one_code(app, secret, monkeypatch):
    held = threading.Barrier(THREADS)
    seen = threading.local()
    real = api_services.live_deployment_at

    def after_every_request_looked(agency):
        """Hold each request, the first time, until all ten have found no code for the dossier."""
        if not getattr(seen, "waited", False):
            seen.waited = True
            held.wait(timeout=10)
        return real(agency)

    monkeypatch.setattr(api_services, "live_deployment_at", after_every_request_looked)
    responses = _issue_all(app, secret, "H56-0002")
    assert not held.broken
    _assert_one_code(responses, "H56-0002")
